//! Events as bytes on a log (a broker's stream): a fixed little-endian
//! layout per event type behind a one-byte tag, so a message of the wrong
//! workload or a truncated one is refused with what was expected instead of
//! being misread. Hand-written rather than a serde format: every field is a
//! fixed-width integer and the layout is the whole contract.

use crate::custom::compiled::CustomEvent;
use crate::custom::def::MAX_COLUMNS;
use crate::event::{Click, Order, Transaction};

/// An event that travels through a log.
pub trait Wire: Sized {
    /// First byte of every message of this event type.
    const TAG: u8;
    /// Length of every message, tag included.
    const LEN: usize;

    /// Appends the message to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads a message back; `Err` says why it is not one of these events.
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() != Self::LEN || bytes.first() != Some(&Self::TAG) {
            return Err(format!(
                "expected a {}-byte message with tag {}, got {} bytes with tag {:?}",
                Self::LEN,
                Self::TAG,
                bytes.len(),
                bytes.first()
            ));
        }
        Ok(Self::read(&mut Reader(&bytes[1..])))
    }

    /// Reads the fields after the tag (the length is already checked).
    fn read(r: &mut Reader<'_>) -> Self;
}

/// Reads fixed-width little-endian fields from a checked message.
pub struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        head.try_into().expect("split_at gives N bytes")
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
}

impl Wire for Transaction {
    const TAG: u8 = 1;
    const LEN: usize = 1 + 8 + 8 + 4 + 8 + 2 + 8;

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Self::TAG);
        out.extend_from_slice(&self.txn_id.to_le_bytes());
        out.extend_from_slice(&self.card_id.to_le_bytes());
        out.extend_from_slice(&self.merchant_id.to_le_bytes());
        out.extend_from_slice(&self.amount_cents.to_le_bytes());
        out.extend_from_slice(&self.country);
        out.extend_from_slice(&self.event_time.to_le_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Self {
        Transaction {
            txn_id: r.u64(),
            card_id: r.u64(),
            merchant_id: r.u32(),
            amount_cents: r.i64(),
            country: r.take(),
            event_time: r.i64(),
        }
    }
}

impl Wire for Order {
    const TAG: u8 = 2;
    const LEN: usize = 1 + 8 + 4 * 4 + 8 + 8;

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Self::TAG);
        out.extend_from_slice(&self.order_id.to_le_bytes());
        for v in [self.store_id, self.product_id, self.category, self.quantity] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.unit_price_cents.to_le_bytes());
        out.extend_from_slice(&self.event_time.to_le_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Self {
        Order {
            order_id: r.u64(),
            store_id: r.u32(),
            product_id: r.u32(),
            category: r.u32(),
            quantity: r.u32(),
            unit_price_cents: r.i64(),
            event_time: r.i64(),
        }
    }
}

impl Wire for Click {
    const TAG: u8 = 3;
    const LEN: usize = 1 + 8 + 4 + 8;

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Self::TAG);
        out.extend_from_slice(&self.user_id.to_le_bytes());
        out.extend_from_slice(&self.page.to_le_bytes());
        out.extend_from_slice(&self.event_time.to_le_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Self {
        Click {
            user_id: r.u64(),
            page: r.u32(),
            event_time: r.i64(),
        }
    }
}

impl Wire for CustomEvent {
    const TAG: u8 = 4;
    const LEN: usize = 1 + 8 + 8 * MAX_COLUMNS;

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(Self::TAG);
        out.extend_from_slice(&self.event_time.to_le_bytes());
        for v in self.values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    fn read(r: &mut Reader<'_>) -> Self {
        let event_time = r.i64();
        let mut values = [0; MAX_COLUMNS];
        for v in &mut values {
            *v = r.i64();
        }
        CustomEvent { event_time, values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<E: Wire + PartialEq + std::fmt::Debug>(e: E) {
        let mut bytes = Vec::new();
        e.encode(&mut bytes);
        assert_eq!(bytes.len(), E::LEN);
        assert_eq!(E::decode(&bytes).unwrap(), e);
        // Truncated, padded and foreign messages are refused, not misread.
        assert!(E::decode(&bytes[..bytes.len() - 1]).is_err());
        bytes.push(0);
        assert!(E::decode(&bytes).is_err());
        bytes.pop();
        bytes[0] = E::TAG.wrapping_add(1);
        assert!(E::decode(&bytes).unwrap_err().contains("tag"));
        assert!(E::decode(&[]).is_err());
    }

    #[test]
    fn every_event_type_round_trips() {
        round_trip(Transaction {
            txn_id: u64::MAX,
            card_id: 7,
            merchant_id: 42,
            amount_cents: -1,
            country: *b"JP",
            event_time: 1_767_225_600_123,
        });
        round_trip(Order {
            order_id: 1,
            store_id: 2,
            product_id: 3,
            category: 4,
            quantity: 5,
            unit_price_cents: 1999,
            event_time: -5,
        });
        round_trip(Click {
            user_id: 9,
            page: 11,
            event_time: 0,
        });
        let mut values = [0; MAX_COLUMNS];
        values[0] = -3;
        values[MAX_COLUMNS - 1] = i64::MIN;
        round_trip(CustomEvent {
            event_time: 12,
            values,
        });
    }
}

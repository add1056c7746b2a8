//! Ground truth for `DailyReport`, straight from the contract. (stub, to be written)

use crate::event::Order;

use super::DailyRow;

/// Ground-truth output rows, sorted.
pub fn report(_events: &[Order]) -> Vec<DailyRow> {
    todo!("reference")
}

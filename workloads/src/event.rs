//! The three reference workloads' input events, as compact `Copy` structs for
//! the stream operators and as Arrow record batches for DataFusion.
//!
//! Column names and types follow `shared/workloads.md`. String columns are
//! interned ([`crate::dict::Dictionary`]); the Arrow form carries the ids
//! (`UInt32`), which the SQL groups and counts on exactly as on the strings.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, UInt32Array, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use crate::time::Millis;

/// A two-letter ISO 3166 alpha-2 country code, stored inline.
pub type Country = [u8; 2];

/// `fraud-alerts` input: one card payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transaction {
    pub txn_id: u64,
    pub card_id: u64,
    pub merchant_id: u32,
    pub amount_cents: i64,
    pub country: Country,
    pub event_time: Millis,
}

/// `daily-report` input: one order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub order_id: u64,
    pub store_id: u32,
    pub product_id: u32,
    /// Interned category id (sorted dictionary: id order = text order).
    pub category: u32,
    pub quantity: u32,
    pub unit_price_cents: i64,
    pub event_time: Millis,
}

/// `sessionization` input: one page view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click {
    pub user_id: u64,
    /// Interned page id.
    pub page: u32,
    pub event_time: Millis,
}

/// Anything with an event time: lets the runner and generators stay generic.
pub trait Timed {
    fn event_time(&self) -> Millis;
}

impl Timed for Transaction {
    fn event_time(&self) -> Millis {
        self.event_time
    }
}
impl Timed for Order {
    fn event_time(&self) -> Millis {
        self.event_time
    }
}
impl Timed for Click {
    fn event_time(&self) -> Millis {
        self.event_time
    }
}

/// Packs a country code into a `UInt32` for Arrow (two ASCII bytes).
pub fn country_code(c: Country) -> u32 {
    u32::from(c[0]) << 8 | u32::from(c[1])
}

/// Arrow schema of `transactions` as the DataFusion jobs see it
/// (`country` packed by [`country_code`]).
pub fn transactions_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("txn_id", DataType::UInt64, false),
        Field::new("card_id", DataType::UInt64, false),
        Field::new("merchant_id", DataType::UInt32, false),
        Field::new("amount_cents", DataType::Int64, false),
        Field::new("country", DataType::UInt32, false),
        Field::new("event_time", DataType::Int64, false),
    ]))
}

/// Arrow schema of `orders` as the DataFusion jobs see it (`category` as id).
pub fn orders_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("order_id", DataType::UInt64, false),
        Field::new("store_id", DataType::UInt32, false),
        Field::new("product_id", DataType::UInt32, false),
        Field::new("category", DataType::UInt32, false),
        Field::new("quantity", DataType::UInt32, false),
        Field::new("unit_price_cents", DataType::Int64, false),
        Field::new("event_time", DataType::Int64, false),
    ]))
}

/// Arrow schema of `clicks` as the DataFusion jobs see it (`page` as id).
pub fn clicks_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::UInt64, false),
        Field::new("page", DataType::UInt32, false),
        Field::new("event_time", DataType::Int64, false),
    ]))
}

fn batch(schema: SchemaRef, cols: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema, cols).expect("columns match the schema by construction")
}

/// Transactions → one Arrow record batch.
pub fn transactions_batch(ev: &[Transaction]) -> RecordBatch {
    batch(
        transactions_schema(),
        vec![
            Arc::new(UInt64Array::from_iter_values(ev.iter().map(|e| e.txn_id))),
            Arc::new(UInt64Array::from_iter_values(ev.iter().map(|e| e.card_id))),
            Arc::new(UInt32Array::from_iter_values(
                ev.iter().map(|e| e.merchant_id),
            )),
            Arc::new(Int64Array::from_iter_values(
                ev.iter().map(|e| e.amount_cents),
            )),
            Arc::new(UInt32Array::from_iter_values(
                ev.iter().map(|e| country_code(e.country)),
            )),
            Arc::new(Int64Array::from_iter_values(
                ev.iter().map(|e| e.event_time),
            )),
        ],
    )
}

/// Orders → one Arrow record batch.
pub fn orders_batch(ev: &[Order]) -> RecordBatch {
    batch(
        orders_schema(),
        vec![
            Arc::new(UInt64Array::from_iter_values(ev.iter().map(|e| e.order_id))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.store_id))),
            Arc::new(UInt32Array::from_iter_values(
                ev.iter().map(|e| e.product_id),
            )),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.category))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.quantity))),
            Arc::new(Int64Array::from_iter_values(
                ev.iter().map(|e| e.unit_price_cents),
            )),
            Arc::new(Int64Array::from_iter_values(
                ev.iter().map(|e| e.event_time),
            )),
        ],
    )
}

/// Clicks → one Arrow record batch.
pub fn clicks_batch(ev: &[Click]) -> RecordBatch {
    batch(
        clicks_schema(),
        vec![
            Arc::new(UInt64Array::from_iter_values(ev.iter().map(|e| e.user_id))),
            Arc::new(UInt32Array::from_iter_values(ev.iter().map(|e| e.page))),
            Arc::new(Int64Array::from_iter_values(
                ev.iter().map(|e| e.event_time),
            )),
        ],
    )
}

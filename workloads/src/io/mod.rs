//! Reading user event files (CSV, Parquet) and writing output CSV files.

pub mod read;
pub mod rename;
pub mod write;

pub use read::{ColType, FieldError, MAX_INPUT_ROWS, RowValues, read_rows};
pub use write::{write_csv, write_events_csv};

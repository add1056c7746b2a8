//! Components shared by the pages.

pub mod recommendation;
pub mod report;
pub mod status;

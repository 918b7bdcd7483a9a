//! Products and the feeds that carry them: NDJSON, JSON arrays and Meta catalog feeds as
//! CSV/TSV, read as a stream of rows, each validated with its line number.

mod feed;
mod product;
mod record;
pub mod sample;

pub use feed::{FeedFormat, FeedReader, FeedRow};
pub use product::{parse_price, Availability, Price, Product};
pub use record::{product_from_row, RowError, ValidProduct, MAX_ID_CHARS, MAX_TITLE_CHARS};

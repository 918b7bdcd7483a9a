//! kirana: catalog search for chat commerce. Shoppers write "aata 5kg", "दूध" or "amul buttr"
//! in a chat; kirana answers with ranked product ids in well under a millisecond.
//!
//! Dependencies point one way: `config`, `error` ← `catalog`, `analysis` ← `query`, `index` ←
//! `suggest`, `search` ← `engine` ← `api`. Only `api` (and `main`) know HTTP.

pub mod analysis;
pub mod api;
pub mod catalog;
pub mod config;
pub mod engine;
pub mod error;
pub mod eval;
pub mod index;
pub mod query;
pub mod search;
pub mod suggest;

//! Integration tests: the HTTP contract through `api::router` with `oneshot`, and end-to-end
//! tests against the real binary (restart, crash during a replace).

mod common;

#[path = "integration/e2e.rs"]
mod e2e;
#[path = "integration/feeds.rs"]
mod feeds;
#[path = "integration/fleet.rs"]
mod fleet;
#[path = "integration/http.rs"]
mod http;
#[path = "integration/language.rs"]
mod language;
#[path = "integration/lists.rs"]
mod lists;
#[path = "integration/merchants.rs"]
mod merchants;
#[path = "integration/products.rs"]
mod products;
#[path = "integration/quality.rs"]
mod quality;
#[path = "integration/search.rs"]
mod search;
#[path = "integration/suggest.rs"]
mod suggest;
#[path = "integration/upgrade.rs"]
mod upgrade;

//! Helpers shared by the integration tests: an engine in a temporary directory driven through
//! `api::router` with `oneshot`, and a real server process for end-to-end tests.

#![allow(dead_code)]

pub mod http;
pub mod server;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use kirana::api::{router, AppState};
use kirana::config::Config;
use kirana::engine::Engine;
use serde_json::Value;
use tower::ServiceExt;

/// The committed fixture: 38 grocery products, NDJSON.
pub const GROCERY: &str = include_str!("../fixtures/grocery.ndjson");

/// An engine over a temporary data directory and the router in front of it.
pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
    pub router: Router,
}

/// A reply: status, headers and body (JSON when it parses, else a string).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    /// A fresh app with no catalogs.
    pub fn new() -> TestApp {
        TestApp::with_config(|_| {})
    }

    /// A fresh app with a tweaked config.
    pub fn with_config(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            demo: false,
            index_threads: 1,
            ..Config::default()
        };
        tweak(&mut config);
        let engine = Engine::open(config).expect("engine opens");
        let router = router(AppState::new(Arc::clone(&engine)));
        TestApp {
            dir,
            engine,
            router,
        }
    }

    /// Sends one request.
    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        let response = self
            .router
            .clone()
            .oneshot(builder.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Method::GET, uri, None, Body::empty()).await
    }

    /// `PUT` a feed and wait for its task.
    pub async fn replace(
        &self,
        catalog: &str,
        content_type: &str,
        feed: impl Into<Body>,
        query: &str,
    ) -> Reply {
        let uri = format!("/v1/catalogs/{catalog}/products?wait=true{query}");
        self.request(Method::PUT, &uri, Some(content_type), feed)
            .await
    }

    /// Loads the grocery fixture into `catalog`.
    pub async fn load_grocery(&self, catalog: &str) {
        let reply = self
            .replace(catalog, "application/x-ndjson", GROCERY, "")
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "fixture load failed: {}",
            reply.body
        );
    }

    /// Ids of a search's hits.
    pub async fn search_ids(&self, catalog: &str, query: &str) -> Vec<String> {
        let reply = self
            .get(&format!("/v1/catalogs/{catalog}/search?{query}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "search {query} failed: {}",
            reply.body
        );
        ids(&reply.body)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.engine.shutdown();
    }
}

/// Hit ids of a search reply.
pub fn ids(body: &Value) -> Vec<String> {
    body["hits"].as_array().map_or_else(Vec::new, |hits| {
        hits.iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    })
}

/// Percent-encodes a query value.
pub fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Asserts an error reply has the contract's shape, status and code.
pub fn assert_error(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "body: {}", reply.body);
    assert_eq!(reply.body["code"], code, "body: {}", reply.body);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message missing: {}",
        reply.body
    );
    assert!(
        reply.body["type"].is_string(),
        "type missing: {}",
        reply.body
    );
}

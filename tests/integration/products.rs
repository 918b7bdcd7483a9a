//! Upserts, deletes, reading a product, deleting a catalog.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, TestApp};

#[tokio::test]
async fn upsert_changes_and_adds_products_visible_to_search() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let batch = "{\"id\":\"butter-500\",\"title\":\"Amul Butter Pasteurised 500 g\",\"availability\":\"out of stock\"}\n{\"id\":\"new-1\",\"title\":\"Kissan Mixed Fruit Jam 500 g\",\"brand\":\"Kissan\"}\n";
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/products?wait=true",
            Some("application/x-ndjson"),
            batch,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["kind"], "upsert");
    assert_eq!(reply.body["indexed"], 2);
    assert_eq!(app.search_ids("shop", "q=jam").await, ["new-1"]);
    assert_eq!(
        app.search_ids("shop", "q=pasteurised").await,
        ["butter-500"]
    );
    assert_eq!(
        app.get("/v1/catalogs/shop/products/butter-500").await.body["availability"],
        "out of stock"
    );
    assert_eq!(app.get("/v1/catalogs/shop").await.body["documents"], 39);
}

#[tokio::test]
async fn upsert_into_a_new_catalog_creates_it() {
    let app = TestApp::new();
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/fresh/products?wait=true",
            Some("application/json"),
            r#"[{"id":"1","title":"Tata Salt"}]"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.search_ids("fresh", "q=salt").await, ["1"]);
}

#[tokio::test]
async fn a_bad_upsert_row_changes_nothing() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let batch = "{\"id\":\"salt-1\",\"title\":\"Changed Salt\"}\n{\"id\":\"x\"}\n";
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/products?wait=true",
            Some("application/x-ndjson"),
            batch,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/v1/catalogs/shop/products/salt-1").await.body["title"],
        "Tata Salt 1 kg"
    );
}

#[tokio::test]
async fn delete_removes_products_by_id() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app
        .request(
            Method::DELETE,
            "/v1/catalogs/shop/products?wait=true",
            Some("application/json"),
            r#"{"ids":["salt-1","nope"]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["received"], 2);
    assert_eq!(reply.body["indexed"], 1, "one id existed");
    assert!(app.search_ids("shop", "q=salt").await.is_empty());
    assert_error(
        &app.get("/v1/catalogs/shop/products/salt-1").await,
        StatusCode::NOT_FOUND,
        "product_not_found",
    );
}

#[tokio::test]
async fn delete_needs_a_list_of_ids() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app
        .request(
            Method::DELETE,
            "/v1/catalogs/shop/products",
            Some("application/json"),
            r#"{"ids":[]}"#,
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_ids");
    let reply = app
        .request(
            Method::DELETE,
            "/v1/catalogs/shop/products",
            Some("application/json"),
            r#"{"id":["a"]}"#,
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_json");
    let reply = app
        .request(
            Method::DELETE,
            "/v1/catalogs/nowhere/products",
            Some("application/json"),
            r#"{"ids":["a"]}"#,
        )
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "catalog_not_found");
}

#[tokio::test]
async fn a_stored_product_comes_back_as_sent() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app.get("/v1/catalogs/shop/products/atta-5").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["title"], "Aashirvaad Shudh Chakki Atta 5 kg");
    assert_eq!(reply.body["price"], "245.00 INR");
    assert_eq!(reply.body["title_hi"], "आशीर्वाद शुद्ध चक्की आटा 5 किलो");
    assert!(
        reply.body.get("titles").is_none(),
        "translations keep their feed names"
    );
}

#[tokio::test]
async fn deleting_a_catalog_removes_it() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app
        .request(Method::DELETE, "/v1/catalogs/shop", None, "")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_error(
        &app.get("/v1/catalogs/shop/search?q=atta").await,
        StatusCode::NOT_FOUND,
        "catalog_not_found",
    );
    assert!(!app.dir.path().join("catalogs/shop").exists());
    assert_eq!(
        app.get("/v1/catalogs").await.body["catalogs"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

//! Suggestions while typing, through the router.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, enc, TestApp};

async fn texts(app: &TestApp, q: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/v1/catalogs/shop/suggest?q={}", enc(q)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn typing_amul_bu_offers_amul_butter_with_products() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app
        .get("/v1/catalogs/shop/suggest?q=amul%20bu&limit=5")
        .await;
    let first = &reply.body["suggestions"][0];
    assert_eq!(first["text"], "Amul Butter");
    assert_eq!(first["kind"], "product");
    assert_eq!(
        first["product_ids"],
        serde_json::json!(["butter-500", "butter-100"])
    );
    assert!(reply.body["took_us"].is_u64());
    assert!(reply.body["suggestions"].as_array().unwrap().len() <= 5);
}

#[tokio::test]
async fn a_deleted_products_only_completion_disappears() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    assert!(texts(&app, "clinic pl")
        .await
        .iter()
        .any(|t| t.starts_with("Clinic Plus")));
    let reply = app
        .request(
            Method::DELETE,
            "/v1/catalogs/shop/products?wait=true",
            Some("application/json"),
            r#"{"ids":["shampoo-80"]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut gone = false;
    for _ in 0..100 {
        if !texts(&app, "clinic pl")
            .await
            .iter()
            .any(|t| t.starts_with("Clinic Plus"))
        {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(gone, "completion of a deleted product is still offered");
}

#[tokio::test]
async fn odd_input_is_answered_and_bad_parameters_are_named() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    assert!(
        !texts(&app, "").await.is_empty(),
        "empty q gives popular completions"
    );
    for q in ["   ", "🙏🙏", &"x".repeat(200), "%%", "\u{200D}"] {
        texts(&app, q).await;
    }
    assert_eq!(
        app.get("/v1/catalogs/shop/suggest?q=%E0%A4%zz")
            .await
            .status,
        StatusCode::OK
    );
    assert_error(
        &app.get("/v1/catalogs/shop/suggest?q=a&limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );
    assert_error(
        &app.get("/v1/catalogs/shop/suggest?q=a&lim=3").await,
        StatusCode::BAD_REQUEST,
        "unknown_parameter",
    );
    assert_error(
        &app.get("/v1/catalogs/none/suggest?q=a").await,
        StatusCode::NOT_FOUND,
        "catalog_not_found",
    );
}

//! Health, readiness, metrics, tasks, and the error body of every failure the router itself
//! produces.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, TestApp};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new();
    let reply = app.get("/healthz").await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_open_catalogs_without_a_label_per_catalog() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    app.get("/v1/catalogs/shop/search?q=atta").await;
    let reply = app.get("/metrics").await;
    let text = reply.body.as_str().unwrap();
    assert!(text.contains("kirana_http_requests_total"), "{text}");
    assert!(
        text.contains("route=\"/v1/catalogs/{catalog}/search\""),
        "{text}"
    );
    assert!(
        text.contains("kirana_http_request_duration_seconds_bucket"),
        "{text}"
    );
    for gauge in [
        "kirana_catalogs ",
        "kirana_open_catalogs ",
        "kirana_catalog_cache_bytes ",
        "kirana_task_queue_depth ",
    ] {
        assert!(text.contains(gauge), "{gauge} missing: {text}");
    }
    assert!(
        !text.contains("catalog=\"shop\""),
        "ten thousand catalogs must not make ten thousand series: {text}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let app = TestApp::new();
    assert_error(
        &app.get("/v2/nothing").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    );
    let reply = app
        .request(Method::PATCH, "/v1/catalogs/shop/search", None, "")
        .await;
    assert_error(&reply, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn tasks_that_do_not_exist() {
    let app = TestApp::new();
    assert_error(
        &app.get("/v1/tasks/999").await,
        StatusCode::NOT_FOUND,
        "task_not_found",
    );
    assert_error(
        &app.get("/v1/tasks/abc").await,
        StatusCode::BAD_REQUEST,
        "invalid_task_id",
    );
}

#[tokio::test]
async fn malformed_json_search_body_is_a_400_in_our_shape() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/search",
            Some("application/json"),
            "{\"q\":",
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_json");
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/search",
            Some("application/json"),
            r#"{"query":"atta"}"#,
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_json");
    assert!(reply.body["message"].as_str().unwrap().contains("query"));
}

#[tokio::test]
async fn with_an_admin_key_every_catalog_route_needs_a_scoped_key() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let app = TestApp::with_config(|c| c.admin_key = Some("admin-secret".into()));
    let send = |method: &str, uri: &str, key: Option<&str>, body: &str| {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        let request = request.body(Body::from(body.to_string())).unwrap();
        let router = app.router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default(),
            )
        }
    };
    assert_eq!(send("GET", "/healthz", None, "").await.0, StatusCode::OK);
    let (status, body) = send("GET", "/v1/catalogs/shop/search?q=atta", None, "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("missing_key"))
    );
    assert_eq!(
        send("GET", "/v1/catalogs/shop/search?q=atta", Some("guess"), "")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, created) = send(
        "POST",
        "/v1/keys",
        Some("admin-secret"),
        r#"{"scopes":["write","search"],"catalogs":["shop"]}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let merchant = created["key"].as_str().unwrap().to_string();
    let feed = r#"[{"id":"1","title":"Tata Salt"}]"#;
    let (status, _) = send(
        "PUT",
        "/v1/catalogs/shop/products?wait=true",
        Some(&merchant),
        feed,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        "PUT",
        "/v1/catalogs/other/products?wait=true",
        Some(&merchant),
        feed,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    assert_eq!(
        send(
            "GET",
            "/v1/catalogs/shop/search?q=salt",
            Some(&merchant),
            ""
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        send("GET", "/v1/catalogs", Some(&merchant), "").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send("GET", "/v1/catalogs", Some("admin-secret"), "")
            .await
            .0,
        StatusCode::OK
    );
}

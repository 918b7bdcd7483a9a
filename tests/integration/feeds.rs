//! Replacing a catalog from each feed format, and every kind of bad feed.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, TestApp, GROCERY};

#[tokio::test]
async fn ndjson_replace_is_searchable_and_reports_counts() {
    let app = TestApp::new();
    let reply = app
        .replace("shop", "application/x-ndjson", GROCERY, "")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "succeeded");
    assert_eq!(reply.body["received"], 38);
    assert_eq!(reply.body["indexed"], 38);
    assert_eq!(reply.body["rejected"], 0);
    assert_eq!(
        app.search_ids("shop", "q=amul%20butter").await[..2],
        ["butter-500", "butter-100"]
    );
    let info = app.get("/v1/catalogs/shop").await;
    assert_eq!(info.body["documents"], 38);
    assert_eq!(info.body["generation"], 1);
}

#[tokio::test]
async fn json_array_csv_and_tsv_feeds_all_index() {
    let app = TestApp::new();
    let json = r#"[{"id":"a1","title":"Amul Butter 500 g","price":"285.00 INR"},
                   {"id":"a2","title":"Tata Salt 1 kg","price":28}]"#;
    assert_eq!(
        app.replace("j", "application/json", json, "").await.body["indexed"],
        2
    );
    let csv = "id,title,price,description\nc1,\"Atta, Chakki Fresh 5 kg\",245.00 INR,\"two\nlines\"\nc2,Dahi 400 g,40 INR,\n";
    let reply = app.replace("c", "text/csv", csv, "").await;
    assert_eq!(reply.body["indexed"], 2, "{}", reply.body);
    assert_eq!(app.search_ids("c", "q=chakki").await, ["c1"]);
    let tsv = "id\ttitle\tbrand\nt1\tAmul Ghee 1 l\tAmul\n";
    assert_eq!(
        app.replace("t", "text/tab-separated-values", tsv, "")
            .await
            .body["indexed"],
        1
    );
    let product = app.get("/v1/catalogs/c/products/c1").await;
    assert_eq!(product.body["title"], "Atta, Chakki Fresh 5 kg");
    assert_eq!(product.body["price"], "245.00 INR");
}

#[tokio::test]
async fn a_bad_row_fails_the_feed_listing_every_bad_line_and_keeps_the_live_catalog() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let feed = "{\"id\":\"n1\",\"title\":\"New Atta\"}\n{broken json\n{\"id\":\"n2\"}\n{\"title\":\"no id\"}\n";
    let reply = app.replace("shop", "application/x-ndjson", feed, "").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["status"], "failed");
    assert_eq!(reply.body["error"]["code"], "feed_rejected");
    let errors = reply.body["errors"].as_array().unwrap();
    let lines: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            (2, "malformed_json"),
            (3, "missing_title"),
            (4, "missing_id")
        ]
    );
    assert_eq!(errors[1]["id"], "n2");
    // The live catalog is untouched.
    assert_eq!(app.get("/v1/catalogs/shop").await.body["documents"], 38);
    assert!(app
        .search_ids("shop", "q=new%20atta")
        .await
        .iter()
        .all(|id| id != "n1"));
}

#[tokio::test]
async fn on_error_skip_indexes_the_good_rows_and_lists_the_rest() {
    let app = TestApp::new();
    let feed =
        "id,title,price\nk1,Good Atta,10 INR\nk2,,5 INR\nk3,Bad Price,cheap\nk4,Good Dal,20 INR\n";
    let reply = app
        .replace("shop", "text/csv", feed, "&on_error=skip")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        (
            reply.body["indexed"].as_u64(),
            reply.body["rejected"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let codes: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["missing_title", "invalid_price"]);
    assert_eq!(app.get("/v1/catalogs/shop").await.body["documents"], 2);
}

#[tokio::test]
async fn duplicate_ids_in_one_feed_last_wins_and_are_counted() {
    let app = TestApp::new();
    let feed = "{\"id\":\"d\",\"title\":\"Old Title\"}\n{\"id\":\"d\",\"title\":\"Fresh Paneer\"}\n{\"id\":\"e\",\"title\":\"Ghee\"}\n";
    let reply = app.replace("shop", "application/x-ndjson", feed, "").await;
    assert_eq!(reply.body["duplicates"], 1);
    assert_eq!(reply.body["indexed"], 2);
    assert_eq!(
        app.get("/v1/catalogs/shop/products/d").await.body["title"],
        "Fresh Paneer"
    );
    assert!(app.search_ids("shop", "q=old").await.is_empty());
}

#[tokio::test]
async fn unknown_columns_are_ignored_and_counted() {
    let app = TestApp::new();
    let feed = "id,title,colour\n1,Amul Butter,yellow\n2,Salt,white\n";
    let reply = app.replace("shop", "text/csv", feed, "").await;
    assert_eq!(reply.body["unknown_fields"]["colour"], 2);
}

#[tokio::test]
async fn invalid_utf8_is_a_row_error_not_a_crash() {
    let app = TestApp::new();
    let mut feed = b"{\"id\":\"ok\",\"title\":\"Fine\"}\n{\"id\":\"bad\",\"title\":\"".to_vec();
    feed.extend([0xC3, 0x28, 0xFF]);
    feed.extend(b"\"}\n");
    let reply = app.replace("shop", "application/x-ndjson", feed, "").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["code"], "invalid_utf8");
    assert_eq!(reply.body["errors"][0]["line"], 2);
}

#[tokio::test]
async fn unknown_content_type_is_415() {
    let app = TestApp::new();
    let reply = app
        .request(
            Method::PUT,
            "/v1/catalogs/shop/products",
            Some("text/plain"),
            "id,title",
        )
        .await;
    assert_error(
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_content_type",
    );
    let reply = app
        .request(Method::PUT, "/v1/catalogs/shop/products", None, "id,title")
        .await;
    assert_error(
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_content_type",
    );
}

#[tokio::test]
async fn body_over_the_limit_is_413_and_nothing_is_queued() {
    let app = TestApp::with_config(|c| c.max_body_bytes = 1024);
    let feed = format!("{{\"id\":\"x\",\"title\":\"{}\"}}\n", "a".repeat(2000));
    let reply = app
        .request(
            Method::PUT,
            "/v1/catalogs/shop/products",
            Some("application/x-ndjson"),
            feed,
        )
        .await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    assert_eq!(app.engine.queue_depth(), 0);
    assert_eq!(
        std::fs::read_dir(app.engine.spool_dir()).unwrap().count(),
        0,
        "spool file left behind"
    );
}

#[tokio::test]
async fn without_wait_the_task_is_accepted_then_finishes() {
    let app = TestApp::new();
    let reply = app
        .request(
            Method::PUT,
            "/v1/catalogs/shop/products",
            Some("application/x-ndjson"),
            GROCERY,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let id = reply.body["task_id"].as_u64().unwrap();
    let mut status = String::new();
    for _ in 0..200 {
        let task = app.get(&format!("/v1/tasks/{id}")).await;
        status = task.body["status"].as_str().unwrap().to_string();
        if status == "succeeded" {
            assert_eq!(task.body["indexed"], 38);
            assert!(task.body["finished_at"].is_string());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, "succeeded");
}

#[tokio::test]
async fn bad_write_parameters_are_named() {
    let app = TestApp::new();
    let reply = app
        .request(
            Method::PUT,
            "/v1/catalogs/shop/products?on_eror=skip",
            Some("text/csv"),
            "id,title\n",
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "unknown_parameter");
    assert!(reply.body["message"].as_str().unwrap().contains("on_eror"));
    let reply = app
        .request(
            Method::PUT,
            "/v1/catalogs/Bad%20Name/products",
            Some("text/csv"),
            "id,title\n",
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_catalog_name");
}

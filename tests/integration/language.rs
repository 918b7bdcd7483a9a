//! How India shops in chat, through the router: Devanagari and Hinglish meet the catalog's
//! words, the grocery lexicon and the catalog's own synonyms apply, brands are spotted.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, enc, ids, TestApp};

async fn shop() -> TestApp {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    app
}

async fn top(app: &TestApp, q: &str) -> String {
    let got = app.search_ids("shop", &format!("q={}", enc(q))).await;
    got.first().cloned().unwrap_or_default()
}

async fn put_synonyms(app: &TestApp, catalog: &str, body: &str) -> crate::common::Reply {
    app.request(
        Method::PUT,
        &format!("/v1/catalogs/{catalog}/synonyms"),
        Some("application/json"),
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_catalogs_own_synonyms_apply_at_once_without_a_reindex() {
    let app = shop().await;
    let before = app.get("/v1/catalogs/shop/search?q=godihittu").await;
    assert!(
        !ids(&before.body).contains(&"atta-5".to_string()),
        "no product says godihittu: {}",
        before.body
    );
    let reply = put_synonyms(&app, "shop", r#"{"synonyms":[["godihittu","atta"]]}"#).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(top(&app, "godihittu 5 kg").await, "atta-5");
    let shown = app.get("/v1/catalogs/shop/synonyms").await;
    assert_eq!(shown.body["synonyms"][0][0], "godihittu");
    // Replacing the groups drops the old ones.
    let reply = put_synonyms(&app, "shop", r#"{"synonyms":[]}"#).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !ids(&app.get("/v1/catalogs/shop/search?q=godihittu").await.body)
            .contains(&"atta-5".to_string())
    );
}

#[tokio::test]
async fn bad_synonyms_are_refused_with_a_reason() {
    let app = shop().await;
    for body in [
        r#"{"synonyms":[["alone"]]}"#,
        r#"{"synonyms":[["ok","!!!"]]}"#,
    ] {
        assert_error(
            &put_synonyms(&app, "shop", body).await,
            StatusCode::BAD_REQUEST,
            "invalid_synonyms",
        );
    }
    let reply = put_synonyms(&app, "shop", r#"{"groups":[]}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_error(
        &put_synonyms(&app, "nowhere", r#"{"synonyms":[["a","b"]]}"#).await,
        StatusCode::NOT_FOUND,
        "catalog_not_found",
    );
}

#[tokio::test]
async fn synonyms_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    {
        let app = TestApp::with_config(|c| c.data_dir = path.clone());
        app.load_grocery("shop").await;
        let reply = put_synonyms(&app, "shop", r#"{"synonyms":[["godihittu","atta"]]}"#).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let app = TestApp::with_config(|c| c.data_dir = path.clone());
    assert_eq!(top(&app, "godihittu").await, "atta-5");
}

#[tokio::test]
async fn devanagari_finds_translated_titles() {
    let app = shop().await;
    assert_eq!(top(&app, "आटा").await, "atta-5");
    assert_eq!(top(&app, "आशीर्वाद आटा").await, "atta-5");
}

#[tokio::test]
async fn the_catalogs_brands_are_spotted() {
    let app = shop().await;
    let reply = app
        .get(&format!(
            "/v1/catalogs/shop/search?q={}",
            enc("mother dairy dahi")
        ))
        .await;
    assert_eq!(reply.body["understood"]["brand"], "mother dairy");
    assert_eq!(ids(&reply.body)[0], "dahi-400");
    let reply = app
        .get("/v1/catalogs/shop/search?q=haldirams%20bhujia")
        .await;
    assert_eq!(ids(&reply.body)[0], "bhujia");
    let reply = app.get("/v1/catalogs/shop/search?q=onion").await;
    assert!(reply.body["understood"]["brand"].is_null());
}

#[tokio::test]
async fn a_multi_word_hinglish_term_finds_its_english_synonym() {
    let app = shop().await;
    // "basmati chawal" is one lexicon term; the catalog only says "Basmati Rice".
    assert_eq!(
        top(&app, "5 kg basmati chawal chahiye").await,
        "rice-basmati"
    );
    assert_eq!(top(&app, "बासमती चावल").await, "rice-basmati");
}

#[tokio::test]
async fn hinglish_and_devanagari_staples_meet_english_titles() {
    let app = shop().await;
    for (q, want) in [
        ("doodh", "milk-1l"),
        ("दूध", "milk-1l"),
        ("pyaaz", "onion"),
        ("प्याज़", "onion"),
        ("chini 1 kg", "sugar-1"),
        ("namak", "salt-1"),
        ("makhan", "butter-500"),
        ("anda", "eggs"),
        ("பால்", "milk-1l"),
    ] {
        assert_eq!(top(&app, q).await, want, "{q}");
    }
}

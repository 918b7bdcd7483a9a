//! Search over the grocery fixture: relevance, typos, prefixes, filters, sorting, paging, reply
//! formats and every invalid parameter.

use axum::http::{Method, StatusCode};

use crate::common::{assert_error, enc, ids, TestApp};

async fn shop() -> TestApp {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    app
}

#[tokio::test]
async fn exact_words_find_the_product_first() {
    let app = shop().await;
    assert_eq!(
        app.search_ids("shop", "q=amul%20butter").await[..3],
        ["butter-500", "butter-100", "butter-garlic"]
    );
    assert_eq!(app.search_ids("shop", "q=toor%20dal").await[0], "toor-1");
}

#[tokio::test]
async fn a_typo_still_finds_the_product() {
    let app = shop().await;
    assert_eq!(
        app.search_ids("shop", "q=amul%20buttr").await[0],
        "butter-500"
    );
    assert_eq!(app.search_ids("shop", "q=detergant").await, ["detergent"]);
}

#[tokio::test]
async fn the_last_word_is_a_prefix_while_typing() {
    let app = shop().await;
    assert_eq!(app.search_ids("shop", "q=amul%20bu").await[0], "butter-500");
    assert!(app
        .search_ids("shop", "q=shamp")
        .await
        .contains(&"shampoo-80".to_string()));
}

#[tokio::test]
async fn every_word_must_match_unless_nothing_does() {
    let app = shop().await;
    let reply = app.get("/v1/catalogs/shop/search?q=amul%20ghee").await;
    assert_eq!(ids(&reply.body), ["ghee-1l"]);
    assert_eq!(reply.body["understood"]["relaxed"], false);
    // No product has both words: the best partial matches come back, flagged.
    let reply = app.get("/v1/catalogs/shop/search?q=amul%20zebra").await;
    assert_eq!(reply.body["understood"]["relaxed"], true);
    assert!(ids(&reply.body).contains(&"butter-500".to_string()));
}

#[tokio::test]
async fn a_greeting_or_empty_query_returns_best_sellers() {
    let app = shop().await;
    for q in ["", "hi"] {
        let got = app.search_ids("shop", &format!("q={q}&limit=4")).await;
        assert_eq!(got, ["butter-500", "milk-1l", "atta-5", "maggi"], "q={q:?}");
    }
}

#[tokio::test]
async fn out_of_stock_ranks_below_in_stock() {
    let app = shop().await;
    let got = app.search_ids("shop", "q=atta").await;
    assert_eq!(got.last().unwrap(), "atta-fortune-5", "{got:?}");
    let got = app.search_ids("shop", "q=atta&in_stock=true").await;
    assert!(!got.contains(&"atta-fortune-5".to_string()));
}

#[tokio::test]
async fn an_asked_quantity_puts_that_pack_size_first() {
    let app = shop().await;
    assert_eq!(
        app.search_ids("shop", "q=aashirvaad%20atta%2010kg").await[0],
        "atta-10"
    );
    assert_eq!(
        app.search_ids("shop", "q=aashirvaad%20atta%205%20kg").await[0],
        "atta-5"
    );
}

#[tokio::test]
async fn filters_narrow_the_results() {
    let app = shop().await;
    let got = app.search_ids("shop", "q=butter&brand=amul").await;
    assert!(
        !got.is_empty() && got.iter().all(|id| id.starts_with("butter")),
        "{got:?}"
    );
    let got = app
        .search_ids(
            "shop",
            &format!("q=&category={}&limit=50", enc("Dairy > Milk")),
        )
        .await;
    assert_eq!(got, ["milk-1l", "milk-500"]);
    assert_eq!(
        app.search_ids("shop", "q=butter&price_max=60").await,
        ["butter-100"]
    );
    assert_eq!(
        app.search_ids("shop", "q=shampoo%20under%20100").await,
        ["shampoo-80"]
    );
    assert_eq!(
        app.search_ids("shop", "q=shampoo&price_min=100").await,
        ["shampoo-340"]
    );
}

#[tokio::test]
async fn sorting_by_price_and_popularity() {
    let app = shop().await;
    assert_eq!(
        app.search_ids("shop", "q=shampoo&sort=price_asc").await,
        ["shampoo-80", "shampoo-340"]
    );
    assert_eq!(
        app.search_ids("shop", "q=shampoo&sort=price_desc").await,
        ["shampoo-340", "shampoo-80"]
    );
    assert_eq!(
        app.search_ids("shop", "q=dal&sort=popularity").await,
        ["toor-1", "moong-1"]
    );
}

#[tokio::test]
async fn pages_do_not_overlap_and_say_where_the_next_starts() {
    let app = shop().await;
    let first = app.get("/v1/catalogs/shop/search?q=amul&limit=3").await;
    assert_eq!(first.body["next_offset"], 3);
    let second = app
        .get("/v1/catalogs/shop/search?q=amul&limit=3&offset=3")
        .await;
    let (a, b) = (ids(&first.body), ids(&second.body));
    assert!(a.iter().all(|id| !b.contains(id)));
    let total = first.body["total_hits"].as_u64().unwrap() as usize;
    let last = app
        .get(&format!(
            "/v1/catalogs/shop/search?q=amul&limit=3&offset={}",
            total - 1
        ))
        .await;
    assert_eq!(last.body["next_offset"], serde_json::Value::Null);
}

#[tokio::test]
async fn results_are_deterministic() {
    let app = shop().await;
    let first = app.search_ids("shop", "q=tata&limit=20").await;
    for _ in 0..3 {
        assert_eq!(app.search_ids("shop", "q=tata&limit=20").await, first);
    }
}

#[tokio::test]
async fn post_takes_the_same_fields_as_json() {
    let app = shop().await;
    let body = r#"{"q":"butter","brand":["Amul"],"limit":2,"sort":"price_asc"}"#;
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/search",
            Some("application/json"),
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(ids(&reply.body), ["butter-100", "butter-garlic"]);
}

#[tokio::test]
async fn the_reply_has_the_contract_shape() {
    let app = shop().await;
    let reply = app
        .get("/v1/catalogs/shop/search?q=atta%205kg%20under%20300")
        .await;
    let body = &reply.body;
    assert_eq!(body["query"], "atta 5kg under 300");
    assert_eq!(body["understood"]["terms"], serde_json::json!(["atta"]));
    assert_eq!(
        body["understood"]["quantity"],
        serde_json::json!({"value": 5000.0, "unit": "g"})
    );
    assert_eq!(body["understood"]["price_max"], 300.0);
    assert!(body["total_hits"].is_u64() && body["took_us"].is_u64());
    assert!(body["hits"][0]["score"].is_number());
}

#[tokio::test]
async fn whatsapp_list_format_fits_the_message_limits() {
    let app = shop().await;
    let reply = app
        .get("/v1/catalogs/shop/search?q=amul&format=whatsapp_list")
        .await;
    let interactive = &reply.body["interactive"];
    assert_eq!(interactive["type"], "list");
    let rows: Vec<&serde_json::Value> = interactive["action"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rows"].as_array().unwrap())
        .collect();
    assert!(!rows.is_empty() && rows.len() <= 10);
    assert!(rows
        .iter()
        .all(|r| r["title"].as_str().unwrap().chars().count() <= 24));
    let reply = app
        .get("/v1/catalogs/shop/search?q=amul&format=whatsapp_product_list&catalog_id=123")
        .await;
    assert_eq!(reply.body["interactive"]["action"]["catalog_id"], "123");
    let reply = app
        .get("/v1/catalogs/shop/search?q=amul&format=whatsapp_product_list")
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "missing_catalog_id");
}

#[tokio::test]
async fn invalid_search_parameters_are_400_with_a_reason() {
    let app = shop().await;
    let long = "a".repeat(501);
    assert_error(
        &app.get(&format!("/v1/catalogs/shop/search?q={long}")).await,
        StatusCode::BAD_REQUEST,
        "query_too_long",
    );
    assert_eq!(
        app.get(&format!("/v1/catalogs/shop/search?q={}", "a".repeat(500)))
            .await
            .status,
        StatusCode::OK
    );
    for limit in ["0", "1000"] {
        let reply = app
            .get(&format!("/v1/catalogs/shop/search?q=atta&limit={limit}"))
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_limit");
        assert!(reply.body["message"].as_str().unwrap().contains(limit));
    }
    let reply = app.get("/v1/catalogs/shop/search?q=atta&colour=red").await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "unknown_parameter");
    assert!(reply.body["message"].as_str().unwrap().contains("colour"));
    assert_error(
        &app.get("/v1/catalogs/shop/search?q=atta&price_min=9&price_max=1")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_price",
    );
    assert_error(
        &app.get("/v1/catalogs/nowhere/search?q=atta").await,
        StatusCode::NOT_FOUND,
        "catalog_not_found",
    );
    assert_error(
        &app.get("/v1/catalogs/NOT_OK/search?q=atta").await,
        StatusCode::BAD_REQUEST,
        "invalid_catalog_name",
    );
}

#[tokio::test]
async fn hostile_queries_are_answered() {
    let app = shop().await;
    for q in [
        "!!!???",
        "🙏🙏🙏",
        "\u{200B}\u{200D}",
        "مکھن",
        "amul 🧈 बटर",
        &"a".repeat(500),
        "%%%",
        "\u{0301}\u{094D}",
    ] {
        let reply = app
            .get(&format!("/v1/catalogs/shop/search?q={}", enc(q)))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "q={q:?}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_word_being_typed_completes_before_it_sounds_like_another() {
    let app = shop().await;
    // "colg" is on its way to Colgate; its sound alone would also fit other words.
    assert_eq!(app.search_ids("shop", "q=colg").await[0], "toothpaste");
    assert_eq!(app.search_ids("shop", "q=haldir").await[0], "bhujia");
}

/// A shop that sells a word as a spice, as a rice named after it and as packs of one snack
/// by many brands: what the word means is the kind most of its products are.
async fn spice_shop() -> TestApp {
    let app = TestApp::new();
    let mut feed = String::new();
    let mut add = |id: &str, title: &str, brand: &str, kind: &str, popularity: u32| {
        feed.push_str(&format!(
            r#"{{"id":"{id}","title":"{title}","brand":"{brand}","product_type":"{kind}","price":"50.00 INR","popularity":{popularity}}}"#
        ));
        feed.push('\n');
    };
    add(
        "jeera-rice",
        "Jeera Rice 1 kg",
        "Daawat",
        "Staples > Rice",
        900,
    );
    add(
        "jeera-seeds",
        "Jeera Seeds 100 g",
        "Catch",
        "Staples > Spices",
        10,
    );
    add(
        "jeera-organic",
        "Organic Jeera 100 g",
        "Earthon",
        "Staples > Spices",
        10,
    );
    add(
        "jeera-sabut",
        "Jeera Sabut 200 g",
        "bb Popular",
        "Staples > Spices",
        10,
    );
    add(
        "chilli-fresh",
        "Chilli - Green, Organically Grown",
        "Fresho",
        "Vegetables > Fresh",
        1,
    );
    add(
        "chilli-sauce",
        "Green Chilli Sauce",
        "Ching's",
        "Sauces > Chilli Sauce",
        900,
    );
    add(
        "basmati",
        "Basmati Rice 5 kg",
        "India Gate",
        "Staples > Rice",
        10,
    );
    let reply = app
        .replace("spices", "application/x-ndjson", feed, "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    app
}

#[tokio::test]
async fn among_equal_matches_the_kind_most_products_are_comes_first() {
    let app = spice_shop().await;
    // Four products carry "jeera" alike; three are the spice, so the spice comes before
    // the rice that sells far better.
    let found = app.search_ids("spices", "q=jeera").await;
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(
        found.last().map(String::as_str),
        Some("jeera-rice"),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_kind_dash_variant_title_is_named_the_way_shoppers_say_it() {
    let app = spice_shop().await;
    // "Chilli - Green" is a green chilli, ahead of a popular sauce that writes the words
    // in that order.
    let found = app
        .search_ids("spices", &format!("q={}", enc("green chilli ")))
        .await;
    assert_eq!(found[0], "chilli-fresh", "{found:?}");
}

#[tokio::test]
async fn a_devanagari_word_being_typed_completes_by_sound() {
    let app = spice_shop().await;
    // बासम is on its way to बासमती; the shop writes it in English.
    let found = app
        .search_ids("spices", &format!("q={}", enc("बासम")))
        .await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("basmati"),
        "{found:?}"
    );
    // Typed to the end, the word is no prefix and must be said whole.
    let found = app
        .search_ids("spices", &format!("q={}", enc("बासम ")))
        .await;
    assert!(!found.contains(&"basmati".to_string()), "{found:?}");
}

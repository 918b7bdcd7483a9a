//! Shopping lists and intent words over the grocery fixture: a message naming several items
//! is searched item by item, a product name containing "and" stays whole, and words that say
//! how to choose ("sabse sasta", "bada pack", "offer wala") order the results instead of
//! having to match.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::common::{enc, ids, TestApp, GROCERY};

/// The fixture plus two products the lists below need: a name with "and" in it and a
/// shampoo on sale.
async fn shop() -> TestApp {
    shop_with("").await
}

/// The shop with more products after the two above.
async fn shop_with(more: &str) -> TestApp {
    let app = TestApp::new();
    let extra = concat!(
        r#"{"id":"chips-salt-pepper","title":"Lay's Salt and Pepper Chips 52 g","brand":"Lay's","product_type":"Snacks > Chips","price":"20.00 INR"}"#,
        "\n",
        r#"{"id":"shampoo-sale","title":"Sunsilk Black Shine Shampoo 180 ml","brand":"Sunsilk","product_type":"Personal Care > Hair Care > Shampoo","price":"150.00 INR","sale_price":"99.00 INR"}"#,
        "\n"
    );
    let feed = format!("{GROCERY}\n{extra}{more}");
    let reply = app.replace("shop", "application/x-ndjson", feed, "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    app
}

async fn search(app: &TestApp, q: &str, extra: &str) -> Value {
    let reply = app
        .get(&format!("/v1/catalogs/shop/search?q={}{extra}", enc(q)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{q}: {}", reply.body);
    reply.body
}

/// Each item's text and its first hit.
fn items(body: &Value) -> Vec<(String, String)> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|item| {
            let first = item["hits"][0]["id"].as_str().unwrap_or("").to_string();
            (item["text"].as_str().unwrap().to_string(), first)
        })
        .collect()
}

#[tokio::test]
async fn a_list_is_searched_item_by_item_and_every_item_shows_in_hits() {
    let app = shop().await;
    let body = search(&app, "2 kg atta, 2 packet maggi aur colgate toothpaste", "").await;
    let got = items(&body);
    assert_eq!(got.len(), 3, "{body}");
    assert!(got[0].1.starts_with("atta"), "{got:?}");
    assert_eq!(got[1].1, "maggi");
    assert_eq!(got[2].1, "toothpaste");
    // A client that reads only `hits` still sees the best of every item first.
    let top: Vec<String> = ids(&body).into_iter().take(3).collect();
    assert_eq!(top, [got[0].1.clone(), got[1].1.clone(), got[2].1.clone()]);
    assert_eq!(
        body["items"][1]["understood"]["terms"],
        serde_json::json!(["maggi"])
    );
}

#[tokio::test]
async fn hinglish_devanagari_and_plain_word_lists_split() {
    let app = shop().await;
    let got = items(&search(&app, "ghee aur dahi", "").await);
    assert_eq!(
        got.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["ghee-1l", "dahi-400"]
    );
    let got = items(&search(&app, "चीनी, नमक", "").await);
    assert_eq!(
        got.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["sugar-1", "salt-1"]
    );
    // No product is all three: each word is a product of its own.
    let got = items(&search(&app, "milk eggs atta", "").await);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[0].1.starts_with("milk"), "{got:?}");
    assert_eq!(got[1].1, "eggs");
}

#[tokio::test]
async fn a_product_named_with_and_stays_one_item() {
    let app = shop().await;
    let body = search(&app, "salt and pepper chips", "").await;
    assert!(body.get("items").is_none(), "{body}");
    assert_eq!(ids(&body)[0], "chips-salt-pepper");
    // "and" joins the name; titles that write "&" or "n" need not carry it.
    assert_eq!(
        body["understood"]["terms"],
        serde_json::json!(["salt", "pepper", "chip"])
    );
    // One item with nothing to split is answered as before.
    let body = search(&app, "amul butter", "").await;
    assert!(body.get("items").is_none());
}

#[tokio::test]
async fn a_list_becomes_one_whatsapp_section_per_item() {
    let app = shop().await;
    let body = search(&app, "ghee aur dahi", "&format=whatsapp_list").await;
    let sections = body["interactive"]["action"]["sections"]
        .as_array()
        .unwrap();
    let titles: Vec<&str> = sections
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["ghee", "dahi"]);
    let rows: usize = sections
        .iter()
        .map(|s| s["rows"].as_array().unwrap().len())
        .sum();
    assert!(rows <= 10);
}

#[tokio::test]
async fn cheap_words_sort_by_price_and_never_need_to_match() {
    let app = shop().await;
    let body = search(&app, "sabse sasta atta", "").await;
    assert_eq!(body["understood"]["sort"], "price_asc");
    assert_eq!(body["understood"]["terms"], serde_json::json!(["atta"]));
    // Cheapest first among the attas in stock; the cheapest of all (Fortune, 230) is out of
    // stock and comes after them, as out-of-stock products always do.
    assert_eq!(ids(&body)[..2], ["atta-5", "atta-10"]);
    let fortune = ids(&body).iter().position(|id| id == "atta-fortune-5");
    assert!(fortune.is_some_and(|at| at >= 2), "{:?}", ids(&body));
    // An explicit sort wins over the words.
    let body = search(&app, "sabse sasta atta", "&sort=price_desc").await;
    assert_eq!(ids(&body)[0], "atta-10");
    assert!(body["understood"]["sort"].is_null());
}

#[tokio::test]
async fn pack_and_offer_words_prefer_products_among_the_relevant() {
    let app = shop().await;
    let body = search(&app, "bada pack atta", "").await;
    assert_eq!(
        body["understood"]["prefer"],
        serde_json::json!(["big_pack"])
    );
    assert_eq!(ids(&body)[0], "atta-10");
    let body = search(&app, "chhota amul butter", "").await;
    assert_eq!(ids(&body)[0], "butter-100");
    let body = search(&app, "offer wala shampoo", "").await;
    assert_eq!(body["understood"]["prefer"], serde_json::json!(["on_sale"]));
    assert_eq!(ids(&body)[0], "shampoo-sale");
    assert_eq!(
        ids(&body).len(),
        3,
        "every shampoo, not only the one on sale"
    );
}

#[tokio::test]
async fn a_list_pages_through_its_interleaved_hits() {
    let app = shop().await;
    let first = search(&app, "ghee aur dahi aur atta", "&limit=2").await;
    let second = search(&app, "ghee aur dahi aur atta", "&limit=2&offset=2").await;
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!(a.len(), 2);
    assert!(b.iter().all(|id| !a.contains(id)), "{a:?} then {b:?}");
    let reply = app
        .request(
            Method::POST,
            "/v1/catalogs/shop/search",
            Some("application/json"),
            r#"{"q":"ghee, dahi"}"#,
        )
        .await;
    assert_eq!(reply.body["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn plain_words_split_at_their_shortest_names_when_only_a_combo_carries_them_all() {
    let more = concat!(
        r#"{"id":"milk-bread","title":"Milk Bread 400 g","brand":"Modern","product_type":"Bakery > Breads","price":"45.00 INR"}"#,
        "\n",
        r#"{"id":"bread-brown","title":"Brown Bread 400 g","brand":"Modern","product_type":"Bakery > Breads","price":"50.00 INR"}"#,
        "\n",
        r#"{"id":"combo","title":"Sandwich Bread 400 g + Eggs 6 pcs","brand":"Fresho","product_type":"Bakery > Milk & Sandwich Breads","price":"80.00 INR"}"#,
        "\n"
    );
    let app = shop_with(more).await;
    // "Milk Bread" is a name, but milk, bread and eggs are what the shopper lists.
    let got = items(&search(&app, "milk bread eggs", "").await);
    let texts: Vec<&str> = got.iter().map(|(text, _)| text.as_str()).collect();
    assert_eq!(texts, ["milk", "bread", "eggs"], "{got:?}");
    assert!(got[0].1.starts_with("milk-"), "{got:?}");
    assert_eq!(got[2].1, "eggs");
    // Asked alone, the bread called milk bread is found whole.
    let body = search(&app, "milk bread", "").await;
    assert!(body.get("items").is_none(), "{body}");
    assert_eq!(ids(&body)[0], "milk-bread");
}

#[tokio::test]
async fn a_bare_count_next_to_an_item_is_no_product_word() {
    let app = shop().await;
    let body = search(&app, "hello\nmaggi 2\nek parle g\n6 eggs", "").await;
    let got = items(&body);
    assert_eq!(
        got.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        ["maggi", "parle-g", "eggs"],
        "{body}"
    );
    assert_eq!(
        body["items"][0]["understood"]["terms"],
        serde_json::json!(["maggi"])
    );
}

#[tokio::test]
async fn a_brand_alone_finds_its_products_and_what_it_is_known_for_first() {
    let more = concat!(
        r#"{"id":"maggi-ketchup","title":"Maggi Rich Tomato Ketchup 1 kg","brand":"Maggi","product_type":"Sauces > Ketchup","price":"120.00 INR","popularity":900}"#,
        "\n",
        r#"{"id":"maggi-atta-noodles","title":"Atta Noodles Masala 280 g","brand":"Maggi","product_type":"Instant Food > Noodles","price":"60.00 INR","popularity":10}"#,
        "\n",
        r#"{"id":"frooti","title":"Drink - Mango, Fresh 'N' Juicy 1.2 l","brand":"Frooti","product_type":"Beverages > Juices","price":"70.00 INR","popularity":5}"#,
        "\n",
        r#"{"id":"tooti-frooti-cake","title":"Tooti Frooti Cake 200 g","brand":"Elite","product_type":"Bakery > Cakes","price":"40.00 INR","popularity":900}"#,
        "\n"
    );
    let app = shop_with(more).await;
    // The drink called Frooti, before a cake that has the word in its title.
    assert_eq!(ids(&search(&app, "frooti", "").await)[0], "frooti");
    // Most Maggi products are noodles: they come before the ketchup, popular as it is.
    let found = ids(&search(&app, "maggi", "").await);
    let ketchup = found.iter().position(|id| id == "maggi-ketchup").unwrap();
    for noodles in ["maggi", "maggi-atta-noodles"] {
        let at = found.iter().position(|id| id == noodles).unwrap();
        assert!(at < ketchup, "{found:?}");
    }
    // Misspelt or still being typed, it is the brand all the same.
    for typed in ["maggie", "magg"] {
        let body = search(&app, typed, "").await;
        assert_eq!(body["understood"]["brand"], "maggi", "{typed}: {body}");
        assert_ne!(ids(&body)[0], "maggi-ketchup", "{typed}");
    }
}

#[tokio::test]
async fn a_brand_written_in_devanagari_is_spotted_in_a_shop_that_writes_english() {
    let app = TestApp::new();
    let feed = concat!(
        r#"{"id":"noodles","title":"Masala Noodles 70 g","brand":"Maggi","product_type":"Instant Food > Noodles","price":"14.00 INR"}"#,
        "\n",
        r#"{"id":"noodles-2","title":"Atta Noodles 280 g","brand":"Maggi","product_type":"Instant Food > Noodles","price":"60.00 INR"}"#,
        "\n",
        r#"{"id":"ketchup","title":"Rich Tomato Ketchup 1 kg","brand":"Maggi","product_type":"Sauces > Ketchup","price":"120.00 INR","popularity":900}"#,
        "\n",
        r#"{"id":"milk","title":"Toned Milk 500 ml","brand":"Amul","product_type":"Dairy > Milk","price":"27.00 INR"}"#,
        "\n"
    );
    let reply = app
        .replace("english", "application/x-ndjson", feed, "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = app
        .get(&format!("/v1/catalogs/english/search?q={}", enc("मैगी")))
        .await
        .body;
    assert_eq!(body["understood"]["brand"], "maggi", "{body}");
    assert_eq!(ids(&body)[0], "noodles", "{body}");
    // A word the lexicon knows is what it says, not a brand that sounds like it.
    let body = app
        .get(&format!("/v1/catalogs/english/search?q={}", enc("दूध")))
        .await
        .body;
    assert!(body["understood"]["brand"].is_null(), "{body}");
    assert_eq!(ids(&body)[0], "milk", "{body}");
}

//! Many merchants on one node: catalogs opened on demand and evicted from a small cache answer
//! exactly as before, catalogs are listed without being opened, and one merchant's heavy
//! replace does not hold back another's upsert.

use std::time::Duration;

use axum::http::StatusCode;
use kirana::engine::tasks::{OnError, TaskKind, TaskStatus};
use kirana::engine::Engine;

use crate::common::{enc, TestApp, GROCERY};

/// Catalog `n`'s feed: every product of the fixture whose line number is not a multiple of
/// `n % 5 + 2`, so catalogs differ.
fn merchant_feed(n: usize) -> String {
    let skip = n % 5 + 2;
    GROCERY
        .lines()
        .enumerate()
        .filter(|(at, _)| at % skip != 0)
        .map(|(_, line)| format!("{line}\n"))
        .collect()
}

const QUERIES: [&str; 4] = ["atta 5kg", "doodh", "amul buttr", "shampoo under 200"];

#[tokio::test]
async fn evicted_catalogs_reopen_with_identical_results_and_survive_a_restart() {
    const MERCHANTS: usize = 80;
    // 1 MiB holds only a handful of these catalogs, so searching them all evicts most.
    let app = TestApp::with_config(|c| c.catalog_cache_mb = 1);
    for n in 0..MERCHANTS {
        let reply = app
            .replace(
                &format!("m{n:03}"),
                "application/x-ndjson",
                merchant_feed(n),
                "",
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let mut first = Vec::new();
    for n in 0..MERCHANTS {
        for q in QUERIES {
            let ids = app
                .search_ids(&format!("m{n:03}"), &format!("q={}", enc(q)))
                .await;
            first.push(ids);
        }
    }
    assert!(first.iter().any(|ids| !ids.is_empty()));
    let stats = app.engine.cache_stats();
    assert_eq!(stats.catalogs, MERCHANTS);
    assert!(
        stats.open < MERCHANTS as u64 / 2,
        "a 1 MiB cache keeps few catalogs open: {stats:?}"
    );
    assert!(stats.weight_kib <= 1024, "{stats:?}");
    // Backwards, so every catalog is reopened after being evicted.
    for n in (0..MERCHANTS).rev() {
        for (i, q) in QUERIES.iter().enumerate() {
            let ids = app
                .search_ids(&format!("m{n:03}"), &format!("q={}", enc(q)))
                .await;
            assert_eq!(ids, first[n * QUERIES.len() + i], "m{n:03} {q}");
        }
    }
    let suggest = app.get("/v1/catalogs/m007/suggest?q=amul%20bu").await;
    assert_eq!(suggest.status, StatusCode::OK);
    assert!(!suggest.body["suggestions"].as_array().unwrap().is_empty());

    // A restart reads manifests only and answers the same.
    app.engine.shutdown();
    let config = app.engine.config().clone();
    let engine = Engine::start(config).unwrap();
    assert!(
        engine.is_ready(),
        "ready as soon as it starts: nothing to open"
    );
    assert_eq!(engine.cache_stats().open, 0, "no catalog opened at start");
    let (page, total) = engine.catalogs(10, 75);
    assert_eq!(total, MERCHANTS);
    assert_eq!(page.len(), 5);
    assert_eq!(page[0].catalog, "m075");
    assert_eq!(engine.cache_stats().open, 0, "listing opens nothing");
    for n in [0, 17, 39] {
        for (i, q) in QUERIES.iter().enumerate() {
            let request = kirana::search::SearchRequest {
                q: q.to_string(),
                ..Default::default()
            };
            let hits: Vec<String> = engine
                .search(&format!("m{n:03}"), &request)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(
                hits,
                first[n * QUERIES.len() + i],
                "after restart: m{n:03} {q}"
            );
        }
    }
    engine.shutdown();
}

#[tokio::test]
async fn catalogs_are_paged_and_a_catalogs_tasks_listed_newest_first() {
    let app = TestApp::new();
    for name in ["a", "b", "c"] {
        app.load_grocery(name).await;
    }
    let page = app.get("/v1/catalogs?limit=2&offset=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["total"], 3);
    let names: Vec<&str> = page.body["catalogs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["catalog"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b", "c"]);
    assert_eq!(page.body["catalogs"][0]["state"], "ready");
    crate::common::assert_error(
        &app.get("/v1/catalogs?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    );

    let upsert = app
        .request(
            axum::http::Method::POST,
            "/v1/catalogs/b/products?wait=true",
            Some("application/x-ndjson"),
            r#"{"id":"tea-1","title":"Tata Tea Gold 500 g"}"#,
        )
        .await;
    assert_eq!(upsert.status, StatusCode::OK, "{}", upsert.body);
    let tasks = app.get("/v1/catalogs/b/tasks").await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.body);
    assert_eq!(tasks.body["total"], 2);
    assert_eq!(tasks.body["tasks"][0]["kind"], "upsert", "newest first");
    assert_eq!(tasks.body["tasks"][1]["kind"], "replace");
    let failed = app.get("/v1/catalogs/b/tasks?status=failed").await;
    assert_eq!(failed.body["total"], 0);
    crate::common::assert_error(
        &app.get("/v1/catalogs/b/tasks?status=done").await,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    );
}

/// A feed of `count` generated products, over the heavy-work threshold when large.
fn big_feed(count: usize) -> String {
    (0..count)
        .map(|n| {
            format!(
                "{{\"id\":\"p{n}\",\"title\":\"Generated Product {n} Basmati Rice Premium Long Grain 1 kg\",\"brand\":\"Brand{}\",\"product_type\":\"Staples > Rice > Basmati\",\"price\":\"{}.00 INR\"}}\n",
                n % 50,
                100 + n % 400
            )
        })
        .collect()
}

#[test]
fn a_small_upsert_does_not_wait_behind_other_merchants_large_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let config = kirana::config::Config {
        data_dir: dir.path().to_path_buf(),
        demo: false,
        index_threads: 1,
        index_workers: 2,
        ..Default::default()
    };
    let engine = Engine::open(config).unwrap();
    let feed = big_feed(12_000);
    assert!(feed.len() > 1 << 20, "a heavy feed");
    let spool = |name: &str, body: &str| {
        let path = engine.spool_dir().join(format!("{name}.feed"));
        std::fs::write(&path, body).unwrap();
        path
    };
    let ndjson = kirana::catalog::FeedFormat::Ndjson;
    let mut big = Vec::new();
    for name in ["big1", "big2", "big3"] {
        let task = engine
            .enqueue_feed(
                name,
                TaskKind::Replace,
                ndjson,
                spool(name, &feed),
                OnError::Abort,
            )
            .unwrap();
        big.push(task.task_id);
    }
    let small = engine
        .enqueue_feed(
            "small",
            TaskKind::Upsert,
            ndjson,
            spool("small", r#"{"id":"probe","title":"Zanzibar Saffron 1 g"}"#),
            OnError::Abort,
        )
        .unwrap();
    let done = engine
        .wait_task(small.task_id, Duration::from_secs(120))
        .unwrap();
    assert_eq!(done.status, TaskStatus::Succeeded, "{done:?}");
    let unfinished = big
        .iter()
        .filter(|id| !engine.task(**id).unwrap().status.is_finished())
        .count();
    assert!(
        unfinished >= 2,
        "the upsert finished while the large replaces were still running or waiting ({unfinished} left)"
    );
    let request = kirana::search::SearchRequest {
        q: "zanzibar".into(),
        ..Default::default()
    };
    assert_eq!(
        engine.search("small", &request).unwrap().hits[0].id,
        "probe"
    );
    for id in big {
        let task = engine.wait_task(id, Duration::from_secs(300)).unwrap();
        assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
        assert_eq!(task.indexed, 12_000);
    }
    engine.shutdown();
}

#[test]
fn consecutive_upserts_are_applied_together_and_reported_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = kirana::config::Config {
        data_dir: dir.path().to_path_buf(),
        demo: false,
        index_threads: 1,
        index_workers: 1,
        ..Default::default()
    };
    let engine = Engine::open(config).unwrap();
    let ndjson = kirana::catalog::FeedFormat::Ndjson;
    let spool = |n: usize, body: String| {
        let path = engine.spool_dir().join(format!("u{n}.feed"));
        std::fs::write(&path, body).unwrap();
        path
    };
    // A big replace keeps the only worker busy while the upserts queue up behind it.
    engine
        .enqueue_feed(
            "shop",
            TaskKind::Replace,
            ndjson,
            spool(9999, big_feed(3_000)),
            OnError::Abort,
        )
        .unwrap();
    let mut ids = Vec::new();
    for n in 0..200 {
        let body = if n == 7 {
            "{\"id\":\"bad\"}\n".to_string() // no title: this one task is rejected
        } else {
            format!("{{\"id\":\"stock-{n}\",\"title\":\"Stock Item {n} Jaggery\"}}\n")
        };
        let task = engine
            .enqueue_feed(
                "shop",
                TaskKind::Upsert,
                ndjson,
                spool(n, body),
                OnError::Abort,
            )
            .unwrap();
        ids.push(task.task_id);
    }
    let deleted = engine.enqueue_delete("shop", vec!["stock-3".into(), "nope".into()]);
    // The catalog may not exist yet when the delete is asked for; then it is refused.
    for (n, id) in ids.iter().enumerate() {
        let task = engine.wait_task(*id, Duration::from_secs(120)).unwrap();
        if n == 7 {
            assert_eq!(task.status, TaskStatus::Failed);
            assert_eq!(task.error.unwrap().code, "feed_rejected");
        } else {
            assert_eq!(task.status, TaskStatus::Succeeded, "{task:?}");
            assert_eq!(task.indexed, 1);
        }
    }
    if let Ok(task) = deleted {
        let task = engine
            .wait_task(task.task_id, Duration::from_secs(60))
            .unwrap();
        assert_eq!((task.status, task.indexed), (TaskStatus::Succeeded, 1));
    }
    let request = kirana::search::SearchRequest {
        q: "jaggery".into(),
        limit: 100,
        ..Default::default()
    };
    let found = engine.search("shop", &request).unwrap();
    assert!(found.total_hits >= 198, "{}", found.total_hits);
    engine.shutdown();
}

#[tokio::test]
async fn a_catalog_whose_files_cannot_be_read_answers_503_and_the_others_serve() {
    let app = TestApp::new();
    app.load_grocery("broken").await;
    app.load_grocery("fine").await;
    let live = app.dir.path().join("catalogs/broken");
    let generation = std::fs::read_dir(&live)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .unwrap()
        .path();
    // Damage every index file of the live generation.
    for entry in std::fs::read_dir(&generation).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".term") || name == "meta.json" {
            std::fs::write(entry.path(), b"garbage").unwrap();
        }
    }
    app.engine.shutdown();
    let config = app.engine.config().clone();
    let engine = Engine::start(config).unwrap();
    let router = kirana::api::router(kirana::api::AppState::new(engine.clone()));
    let restarted = TestApp {
        dir: tempfile::tempdir().unwrap(),
        engine,
        router,
    };
    crate::common::assert_error(
        &restarted.get("/v1/catalogs/broken/search?q=atta").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "catalog_unavailable",
    );
    let info = restarted.get("/v1/catalogs/broken").await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    assert_eq!(info.body["state"], "unavailable");
    assert!(!restarted.search_ids("fine", "q=atta").await.is_empty());
    assert!(
        generation.exists(),
        "nothing of a damaged catalog is deleted"
    );
    // An upsert cannot patch it; a full replace brings it back.
    let upsert = restarted
        .request(
            axum::http::Method::POST,
            "/v1/catalogs/broken/products?wait=true",
            Some("application/x-ndjson"),
            r#"{"id":"tea-1","title":"Tata Tea Gold 500 g"}"#,
        )
        .await;
    assert_eq!(upsert.body["status"], "failed", "{}", upsert.body);
    assert_eq!(upsert.body["error"]["code"], "catalog_unavailable");
    restarted.load_grocery("broken").await;
    assert!(!restarted.search_ids("broken", "q=atta").await.is_empty());
    assert_eq!(
        restarted.get("/v1/catalogs/broken").await.body["state"],
        "ready"
    );
}

#[tokio::test]
async fn a_generation_left_half_built_by_a_crash_is_removed_after_start() {
    let app = TestApp::new();
    app.load_grocery("shop").await;
    let catalog_dir = app.engine.config().catalogs_dir().join("shop");
    let left = catalog_dir.join("gen-000099.tmp");
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("meta.json"), b"{}").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&left)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    app.engine.shutdown();
    let engine = Engine::start(app.engine.config().clone()).unwrap();
    assert!(engine.is_ready(), "start does not wait for the sweep");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while left.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!left.exists(), "the half-built generation is swept");
    let request = kirana::search::SearchRequest::new("ghee");
    assert_eq!(
        engine.search("shop", &request).unwrap().hits[0].id,
        "ghee-1l"
    );
    engine.shutdown();
}

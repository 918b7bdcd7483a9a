//! Many merchants against the real binary: a few hundred small catalogs behind a tiny
//! catalog cache are evicted and reopened with the same answers, and a restart serves them
//! all again without opening any at start.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::http::{call, get, get_text};
use crate::common::server::Server;
use crate::common::{enc, GROCERY};

const MERCHANTS: usize = 250;
const QUERIES: [&str; 5] = ["amul butter", "tata", "fresh", "दूध", "chawal 5kg"];

/// Merchant `n` sells 12 of the fixture's products, a window that moves with `n`, so
/// neighbouring catalogs answer differently.
fn feed(n: usize) -> String {
    let lines: Vec<&str> = GROCERY.lines().collect();
    (0..12)
        .map(|i| lines[(n + i) % lines.len()])
        .collect::<Vec<_>>()
        .join("\n")
}

fn answers(server: &Server, n: usize) -> Vec<Vec<String>> {
    QUERIES
        .iter()
        .map(|q| {
            let path = format!("/v1/catalogs/m{n:03}/search?q={}", enc(q));
            let (status, body) = get(&server.addr, &path).unwrap();
            assert_eq!(status, 200, "m{n:03} {q}: {body}");
            body["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn metric(server: &Server, name: &str) -> f64 {
    let (status, text) = get_text(&server.addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
}

fn wait_finished(server: &Server, id: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, task) = get(&server.addr, &format!("/v1/tasks/{id}")).unwrap();
        let status = task["status"].as_str().unwrap_or("");
        if status == "succeeded" || status == "failed" {
            return task;
        }
        assert!(
            Instant::now() < deadline,
            "task {id} never finished: {task}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn hundreds_of_catalogs_behind_a_tiny_cache_answer_the_same_after_eviction_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("KIRANA_CATALOG_CACHE_MB", "1")];
    let server = Server::start_with_env(dir.path(), &env);
    let tasks: Vec<u64> = (0..MERCHANTS)
        .map(|n| {
            let path = format!("/v1/catalogs/m{n:03}/products");
            let body = feed(n);
            let (status, reply) = call(
                &server.addr,
                "PUT",
                &path,
                Some("application/x-ndjson"),
                body.as_bytes(),
            )
            .unwrap();
            assert_eq!(status, 202, "{reply}");
            reply["task_id"].as_u64().unwrap()
        })
        .collect();
    for id in tasks {
        let task = wait_finished(&server, id);
        assert_eq!(task["status"], "succeeded", "{task}");
    }

    let first: Vec<_> = (0..MERCHANTS).map(|n| answers(&server, n)).collect();
    assert!(
        first.iter().all(|a| a.iter().any(|hits| !hits.is_empty())),
        "every merchant finds something"
    );
    assert_ne!(first[0], first[5], "merchants sell different windows");
    // Backwards: the catalogs searched first were evicted long ago and open again.
    for n in (0..MERCHANTS).rev() {
        assert_eq!(answers(&server, n), first[n], "m{n:03} after eviction");
    }
    let open = metric(&server, "kirana_open_catalogs");
    let opens = metric(&server, "kirana_catalog_opens_total");
    assert!(
        open < MERCHANTS as f64 / 2.0,
        "a 1 MiB cache holds few: {open}"
    );
    assert!(
        opens > MERCHANTS as f64,
        "evicted catalogs reopened: {opens}"
    );
    drop(server);

    // A restart registers every catalog without opening one, and serves them as before.
    let server = Server::start_with_env(dir.path(), &env);
    assert_eq!(metric(&server, "kirana_open_catalogs"), 0.0);
    let (_, page) = get(&server.addr, "/v1/catalogs?limit=5&offset=100").unwrap();
    assert_eq!(page["total"], MERCHANTS);
    assert_eq!(page["catalogs"][0]["catalog"], "m100");
    assert_eq!(
        metric(&server, "kirana_open_catalogs"),
        0.0,
        "listing opens nothing"
    );
    for n in (0..MERCHANTS).step_by(7) {
        assert_eq!(answers(&server, n), first[n], "m{n:03} after restart");
    }
}

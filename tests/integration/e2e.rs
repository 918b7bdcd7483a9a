//! The real binary: restart, SIGKILL in the middle of a replace, acknowledged writes surviving
//! a crash.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::http::{call, get};
use crate::common::server::Server;
use crate::common::GROCERY;

fn put_fixture(server: &Server) {
    let (status, body) = call(
        &server.addr,
        "PUT",
        "/v1/catalogs/shop/products?wait=true",
        Some("application/x-ndjson"),
        GROCERY.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
}

fn documents(server: &Server) -> u64 {
    get(&server.addr, "/v1/catalogs/shop").unwrap().1["documents"]
        .as_u64()
        .unwrap_or(0)
}

fn wait_task(server: &Server, id: u64, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let (_, task) = get(&server.addr, &format!("/v1/tasks/{id}")).unwrap();
        let status = task["status"].as_str().unwrap_or("");
        if status == "succeeded" || status == "failed" || Instant::now() > deadline {
            return task;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A feed big enough that replacing it takes a while.
fn big_feed(rows: usize) -> Vec<u8> {
    let words = [
        "Atta", "Dal", "Rice", "Ghee", "Namkeen", "Masala", "Biscuits", "Soap", "Tea", "Oil",
    ];
    let mut out = Vec::with_capacity(rows * 120);
    for i in 0..rows {
        let line = format!(
            "{{\"id\":\"big-{i}\",\"title\":\"Brand{} {} {} pack {}\",\"price\":\"{}.00 INR\",\"description\":\"generated product number {i}\"}}\n",
            i % 997,
            words[i % words.len()],
            words[(i / 10) % words.len()],
            i % 50,
            10 + i % 900
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

#[test]
fn a_restarted_server_serves_what_it_had() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    put_fixture(&server);
    server.kill();
    let server = Server::start(dir.path());
    assert_eq!(documents(&server), 38);
    let (status, body) = get(&server.addr, "/v1/catalogs/shop/search?q=amul%20butter").unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["hits"][0]["id"], "butter-500");
}

#[test]
fn sigkill_during_a_replace_keeps_the_old_catalog_then_finishes_the_acknowledged_replace() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    put_fixture(&server);
    let rows = 200_000;
    let (status, accepted) = call(
        &server.addr,
        "PUT",
        "/v1/catalogs/shop/products",
        Some("application/x-ndjson"),
        &big_feed(rows),
    )
    .unwrap();
    assert_eq!(status, 202, "{accepted}");
    let task_id = accepted["task_id"].as_u64().unwrap();
    // Kill once the replace is under way.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, task) = get(&server.addr, &format!("/v1/tasks/{task_id}")).unwrap();
        if task["status"] == "processing" && task["received"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            task["status"] != "succeeded",
            "replace finished before it could be interrupted"
        );
        assert!(Instant::now() < deadline, "replace never started: {task}");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();

    let server = Server::start(dir.path());
    // Whole catalogs only: the old one until the new one is complete.
    let seen = documents(&server);
    assert!(
        seen == 38 || seen == rows as u64,
        "saw a partial catalog of {seen} documents"
    );
    let task = wait_task(&server, task_id, Duration::from_secs(120));
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(documents(&server), rows as u64);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("catalogs/shop"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("gen-"))
        .collect();
    assert_eq!(leftovers.len(), 1, "stale generations left: {leftovers:?}");
}

#[test]
fn an_acknowledged_upsert_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    put_fixture(&server);
    let batch = b"{\"id\":\"late\",\"title\":\"Kissan Mixed Fruit Jam 500 g\"}\n";
    let (status, accepted) = call(
        &server.addr,
        "POST",
        "/v1/catalogs/shop/products",
        Some("application/x-ndjson"),
        batch,
    )
    .unwrap();
    assert_eq!(status, 202);
    server.kill();
    let server = Server::start(dir.path());
    let task = wait_task(
        &server,
        accepted["task_id"].as_u64().unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(task["status"], "succeeded", "{task}");
    let (status, product) = get(&server.addr, "/v1/catalogs/shop/products/late").unwrap();
    assert_eq!(status, 200);
    assert_eq!(product["title"], "Kissan Mixed Fruit Jam 500 g");
}

//! Search quality on the demo catalog, measured with the committed judged set: a change that
//! lowers it below these floors fails here and must say why (and move the floor) in its commit.

use std::collections::HashMap;

use kirana::catalog::sample;
use kirana::config::Config;
use kirana::engine::{Engine, DEMO_CATALOG};
use kirana::eval::{evaluate, parse_set, summarize};

/// nDCG@10 over the whole set may not fall below this.
const OVERALL_FLOOR: f64 = 0.91;
/// nor in any class (english, typo, hinglish, devanagari, chat, prefix) below this.
const CLASS_FLOOR: f64 = 0.87;

#[test]
fn the_judged_demo_set_stays_above_its_floors() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Config {
        data_dir: dir.path().to_path_buf(),
        demo: true,
        ..Config::default()
    })
    .unwrap();
    let text = include_str!("../../index-data/eval/demo.jsonl");
    let set = parse_set(text).unwrap();
    assert!(set.len() >= 200, "the judged set has {} queries", set.len());
    let outcomes = evaluate(&engine, DEMO_CATALOG, &sample::demo_catalog(), &set).unwrap();
    engine.shutdown();
    let rows: HashMap<&str, _> = summarize(&outcomes).into_iter().collect();
    let overall = &rows["overall"];
    assert!(
        overall.ndcg >= OVERALL_FLOOR,
        "overall nDCG@10 {:.3} fell below {OVERALL_FLOOR}",
        overall.ndcg
    );
    for class in [
        "english",
        "typo",
        "hinglish",
        "devanagari",
        "chat",
        "prefix",
    ] {
        let row = rows
            .get(class)
            .unwrap_or_else(|| panic!("no {class} queries"));
        assert!(
            row.ndcg >= CLASS_FLOOR,
            "{class} nDCG@10 {:.3} fell below {CLASS_FLOOR}",
            row.ndcg
        );
    }
    assert_eq!(
        overall.zero_result_rate, 0.0,
        "a judged query found nothing"
    );
}

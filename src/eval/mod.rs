//! Search quality, measured: a judged query set (one JSON object per line, graded rules over
//! product fields, see [`judge`]) is run against a catalog, and nDCG@10, success@1 and the
//! zero-result rate are reported per query class. `kirana eval` prints the tables.

pub mod bigbasket;
pub mod judge;
mod lists;
pub mod runner;
pub mod typing;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Deserialize;

use crate::catalog::Product;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::search::SearchRequest;
use judge::{grade_of, CompiledRule, ProductFacts, Rule};

/// Ranks scored by nDCG.
pub const CUTOFF: usize = 10;
/// A top hit at or above this grade counts as a success.
pub const SUCCESS_GRADE: u8 = 2;

/// The kinds of message a shopper writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryClass {
    English,
    Typo,
    Hinglish,
    Devanagari,
    Chat,
    Prefix,
    /// Several items in one message, scored item by item.
    List,
    Tamil,
    Telugu,
    Kannada,
    Bengali,
}

impl QueryClass {
    /// The class's name as written in judged sets.
    pub fn name(self) -> &'static str {
        match self {
            QueryClass::English => "english",
            QueryClass::Typo => "typo",
            QueryClass::Hinglish => "hinglish",
            QueryClass::Devanagari => "devanagari",
            QueryClass::Chat => "chat",
            QueryClass::Prefix => "prefix",
            QueryClass::List => "list",
            QueryClass::Tamil => "tamil",
            QueryClass::Telugu => "telugu",
            QueryClass::Kannada => "kannada",
            QueryClass::Bengali => "bengali",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedLine {
    class: QueryClass,
    q: String,
    #[serde(default)]
    judge: Vec<Rule>,
    /// The items of a shopping list, in message order, each judged on its own.
    #[serde(default)]
    items: Option<Vec<ItemLine>>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemLine {
    text: String,
    judge: Vec<Rule>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// One judged query, its rules compiled.
#[derive(Debug, Clone)]
pub struct JudgedQuery {
    pub class: QueryClass,
    /// The message exactly as a shopper typed it.
    pub q: String,
    rules: Vec<CompiledRule>,
    /// For a list: each item's text and rules, in message order.
    items: Option<Vec<(String, Vec<CompiledRule>)>>,
}

/// The JSON objects of a JSON-lines file (blank lines and `#` comments skipped), each with
/// a function that makes an error `code` naming its line.
pub(crate) fn json_lines<T: serde::de::DeserializeOwned>(
    text: &str,
    code: &'static str,
) -> Result<Vec<(T, impl Fn(String) -> Error + Copy)>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = move |message: String| Error::invalid(code, format!("line {}: {message}", n + 1));
        let parsed: T = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        out.push((parsed, bad));
    }
    Ok(out)
}

/// Parses a judged set; an error names the line and what is wrong with it.
pub fn parse_set(text: &str) -> Result<Vec<JudgedQuery>> {
    let mut out = Vec::new();
    for (parsed, bad) in json_lines::<JudgedLine>(text, "judged_set_invalid")? {
        let compile = |rules: &[Rule]| -> Result<Vec<CompiledRule>> {
            if rules.is_empty() {
                return Err(bad("judge needs at least one rule".into()));
            }
            rules
                .iter()
                .map(Rule::compile)
                .collect::<std::result::Result<_, _>>()
                .map_err(bad)
        };
        let (rules, items) = match &parsed.items {
            Some(items) if items.len() >= 2 && parsed.judge.is_empty() => {
                let items = items
                    .iter()
                    .map(|item| Ok((item.text.clone(), compile(&item.judge)?)))
                    .collect::<Result<Vec<_>>>()?;
                (Vec::new(), Some(items))
            }
            Some(_) => return Err(bad(
                "a list has two items or more, each with its own judge, and no judge of its own"
                    .into(),
            )),
            None => (compile(&parsed.judge)?, None),
        };
        out.push(JudgedQuery {
            class: parsed.class,
            q: parsed.q,
            rules,
            items,
        });
    }
    Ok(out)
}

/// How one query fared.
#[derive(Debug, Clone)]
pub struct QueryOutcome {
    pub class: QueryClass,
    pub q: String,
    pub ndcg: f64,
    pub success: bool,
    pub zero_results: bool,
    /// Products the judgments grade 2 or more.
    pub relevant: usize,
    pub took_us: u64,
    /// The top hits with their grades.
    pub top: Vec<(String, u8)>,
    /// For a message of the list class (on its first outcome): whether kirana cut it into
    /// the judged items, or kept a one-item message whole.
    pub split: Option<bool>,
}

/// Runs every judged query against `catalog`, whose products are `products`. A list is
/// scored item by item: each judged item against the reply item that shares most words with
/// it (or the top-level hits when the reply has no items).
pub fn evaluate(
    engine: &Engine,
    catalog: &str,
    products: &[Product],
    set: &[JudgedQuery],
) -> Result<Vec<QueryOutcome>> {
    let facts: Vec<ProductFacts> = products.iter().map(ProductFacts::of).collect();
    let mut out = Vec::with_capacity(set.len());
    for query in set {
        let results = engine.search(
            catalog,
            &SearchRequest {
                limit: CUTOFF,
                ..SearchRequest::new(query.q.clone())
            },
        )?;
        let Some(items) = &query.items else {
            let mut outcome = score(query.class, &query.q, &query.rules, &facts, &results.hits);
            outcome.took_us = results.took_us;
            if query.class == QueryClass::List {
                outcome.split = Some(results.items.is_none());
            }
            out.push(outcome);
            continue;
        };
        let replied = results.items.as_deref().unwrap_or_default();
        let texts: Vec<&str> = items.iter().map(|(text, _)| text.as_str()).collect();
        let pairs = lists::pair_items(&texts, replied);
        for (n, ((text, rules), paired)) in items.iter().zip(pairs).enumerate() {
            let hits = paired.map_or(results.hits.as_slice(), |at| replied[at].hits.as_slice());
            let label = format!("{} → {text}", query.q.replace('\n', " / "));
            let mut outcome = score(query.class, &label, rules, &facts, hits);
            outcome.took_us = results.took_us;
            if n == 0 {
                outcome.split = Some(replied.len() == items.len());
            }
            out.push(outcome);
        }
    }
    Ok(out)
}

/// How hits fare against rules.
fn score(
    class: QueryClass,
    q: &str,
    rules: &[CompiledRule],
    facts: &[ProductFacts],
    hits: &[crate::search::Hit],
) -> QueryOutcome {
    let grades: HashMap<&str, u8> = facts
        .iter()
        .filter_map(|p| {
            let grade = grade_of(rules, p);
            (grade > 0).then_some((p.id.as_str(), grade))
        })
        .collect();
    let top: Vec<(String, u8)> = hits
        .iter()
        .take(CUTOFF)
        .map(|hit| {
            let grade = grades.get(hit.id.as_str()).copied().unwrap_or(0);
            (hit.id.clone(), grade)
        })
        .collect();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let got: Vec<u8> = top.iter().map(|(_, g)| *g).collect();
    QueryOutcome {
        class,
        q: q.to_string(),
        ndcg: ndcg(&got, &ideal),
        success: got.first().is_some_and(|&g| g >= SUCCESS_GRADE),
        zero_results: hits.is_empty(),
        relevant: grades.values().filter(|&&g| g >= SUCCESS_GRADE).count(),
        took_us: 0,
        top,
        split: None,
    }
}

/// Share of list-class messages cut as judged, and how many there were.
pub fn split_accuracy(outcomes: &[QueryOutcome]) -> Option<(f64, usize)> {
    let judged: Vec<bool> = outcomes.iter().filter_map(|o| o.split).collect();
    (!judged.is_empty()).then(|| {
        let right = judged.iter().filter(|&&ok| ok).count();
        (right as f64 / judged.len() as f64, judged.len())
    })
}

/// Discounted cumulative gain of the first [`CUTOFF`] grades, gain `2^grade - 1`.
fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(CUTOFF)
        .enumerate()
        .map(|(rank, &g)| (2f64.powi(g.into()) - 1.0) / (rank as f64 + 2.0).log2())
        .fold(0.0, |sum, gain| sum + gain)
}

/// nDCG@[`CUTOFF`] of the grades in result order against the best possible order.
pub fn ndcg(got: &[u8], ideal_sorted: &[u8]) -> f64 {
    let best = dcg(ideal_sorted);
    if best == 0.0 {
        return 0.0;
    }
    dcg(got) / best
}

/// Averages over a group of queries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub queries: usize,
    pub ndcg: f64,
    pub success_at_1: f64,
    pub zero_result_rate: f64,
    pub median_took_us: u64,
}

/// Summaries per class, in class order, then `"overall"`.
pub fn summarize(outcomes: &[QueryOutcome]) -> Vec<(&'static str, Summary)> {
    let mut by_class: BTreeMap<QueryClass, Vec<&QueryOutcome>> = BTreeMap::new();
    for outcome in outcomes {
        by_class.entry(outcome.class).or_default().push(outcome);
    }
    let mut rows: Vec<(&'static str, Summary)> = by_class
        .into_iter()
        .map(|(class, group)| (class.name(), summary(&group)))
        .collect();
    rows.push(("overall", summary(&outcomes.iter().collect::<Vec<_>>())));
    rows
}

fn summary(group: &[&QueryOutcome]) -> Summary {
    let n = group.len().max(1) as f64;
    let mut took: Vec<u64> = group.iter().map(|o| o.took_us).collect();
    took.sort_unstable();
    Summary {
        queries: group.len(),
        ndcg: group.iter().map(|o| o.ndcg).sum::<f64>() / n,
        success_at_1: group.iter().filter(|o| o.success).count() as f64 / n,
        zero_result_rate: group.iter().filter(|o| o.zero_results).count() as f64 / n,
        median_took_us: took.get(took.len() / 2).copied().unwrap_or(0),
    }
}

/// The summaries as a text table.
pub fn render_table(title: &str, rows: &[(&'static str, Summary)]) -> String {
    let mut out = format!("{title}\n");
    let _ = writeln!(
        out,
        "{:<12} {:>7} {:>8} {:>10} {:>13} {:>10}",
        "class", "queries", "nDCG@10", "success@1", "zero-results", "p50 took"
    );
    for (name, s) in rows {
        let _ = writeln!(
            out,
            "{:<12} {:>7} {:>8.3} {:>10.3} {:>13.3} {:>8}µs",
            name, s.queries, s.ndcg, s.success_at_1, s.zero_result_rate, s.median_took_us
        );
    }
    out
}

/// Lines for the queries that did worst, to show where to work next.
pub fn render_worst(outcomes: &[QueryOutcome], count: usize) -> String {
    let mut worst: Vec<&QueryOutcome> = outcomes.iter().filter(|o| o.ndcg < 0.999).collect();
    worst.sort_by(|a, b| a.ndcg.total_cmp(&b.ndcg).then_with(|| a.q.cmp(&b.q)));
    let mut out = String::new();
    for o in worst.into_iter().take(count) {
        let grades: Vec<String> = o.top.iter().map(|(_, g)| g.to_string()).collect();
        let _ = writeln!(
            out,
            "  {:<10} nDCG {:.2}  {:<40} relevant {:>4}  top grades [{}]",
            o.class.name(),
            o.ndcg,
            format!("\"{}\"", o.q),
            o.relevant,
            grades.join(" ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_lower_otherwise() {
        let ideal = [3, 2, 1];
        assert!((ndcg(&[3, 2, 1], &ideal) - 1.0).abs() < 1e-9);
        let swapped = ndcg(&[1, 2, 3], &ideal);
        assert!(swapped < 1.0 && swapped > 0.0);
        assert_eq!(ndcg(&[0, 0], &ideal), 0.0);
        assert_eq!(
            ndcg(&[], &[]),
            0.0,
            "nothing relevant exists: nothing to score"
        );
    }

    #[test]
    fn judged_sets_parse_and_errors_name_the_line() {
        let set = parse_set(
            "# comment\n{\"class\":\"hinglish\",\"q\":\"aata 5kg\",\"judge\":[{\"grade\":3,\"type\":\"Wheat Atta\",\"size\":\"5 kg\"}]}\n",
        )
        .unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set[0].class, QueryClass::Hinglish);
        let err = parse_set("\n{\"class\":\"klingon\",\"q\":\"x\",\"judge\":[]}").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = parse_set("{\"class\":\"chat\",\"q\":\"x\",\"judge\":[]}").unwrap_err();
        assert!(err.to_string().contains("at least one rule"), "{err}");
    }

    #[test]
    fn summaries_average_per_class_and_overall() {
        let outcome = |class, ndcg, success| QueryOutcome {
            class,
            q: String::new(),
            ndcg,
            success,
            zero_results: !success,
            relevant: 1,
            took_us: 10,
            top: Vec::new(),
            split: None,
        };
        let rows = summarize(&[
            outcome(QueryClass::Typo, 1.0, true),
            outcome(QueryClass::Typo, 0.5, false),
            outcome(QueryClass::Chat, 0.0, false),
        ]);
        assert_eq!(rows[0].0, "typo");
        assert_eq!(rows[0].1.queries, 2);
        assert!((rows[0].1.ndcg - 0.75).abs() < 1e-9);
        assert!((rows[0].1.success_at_1 - 0.5).abs() < 1e-9);
        assert_eq!(rows.last().unwrap().0, "overall");
        assert_eq!(rows.last().unwrap().1.queries, 3);
    }
}

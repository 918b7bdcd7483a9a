//! The text pipeline: tokens of product titles and of chat messages, and query parsing.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kirana::analysis;
use kirana::catalog::sample;
use kirana::query::ParsedQuery;

fn analysis(c: &mut Criterion) {
    let titles: Vec<String> = sample::generate(2_000, 7)
        .into_iter()
        .map(|p| p.title)
        .collect();
    let queries = common::queries();
    assert!(!analysis::tokens(&titles[0]).is_empty());
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Elements(titles.len() as u64));
    group.bench_function("tokens of 2,000 titles", |b| {
        b.iter(|| {
            titles
                .iter()
                .map(|t| analysis::tokens(t).len())
                .sum::<usize>()
        })
    });
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("parse the query mix", |b| {
        b.iter(|| {
            queries
                .iter()
                .map(|q| ParsedQuery::parse(q).terms.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);

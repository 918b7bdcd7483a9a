//! What `kirana eval` does: builds the demo catalog (and the BigBasket catalog when its data is
//! present) in a scratch directory, runs each judged set, and prints the tables with the
//! cross-script figures. Data that is absent is skipped with a printed reason.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{evaluate, parse_set, render_table, render_worst, summarize, QueryOutcome};
use crate::catalog::{sample, FeedFormat, Product};
use crate::config::Config;
use crate::engine::tasks::{OnError, TaskStatus};
use crate::engine::{Engine, DEMO_CATALOG};
use crate::error::{Error, Result};

/// Where `kirana eval` looks for its inputs.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Judged set over the demo catalog.
    pub demo_set: PathBuf,
    /// Judged set over the BigBasket catalog.
    pub bigbasket_set: PathBuf,
    /// The BigBasket CSV.
    pub bigbasket_csv: PathBuf,
    /// Dakshina lexicon for the cross-script figures.
    pub dakshina: PathBuf,
    /// How many of the worst queries to list per set.
    pub worst: usize,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            demo_set: PathBuf::from("index-data/eval/demo.jsonl"),
            bigbasket_set: PathBuf::from("index-data/eval/bigbasket.jsonl"),
            bigbasket_csv: PathBuf::from(super::bigbasket::DEFAULT_PATH),
            dakshina: PathBuf::from("../shared/data/dakshina_hi/dev.tsv"),
            worst: 10,
        }
    }
}

/// Everything one run measured.
pub struct EvalRun {
    /// Set name and its outcomes.
    pub sets: Vec<(String, Vec<QueryOutcome>)>,
}

/// Runs the evaluation, writing the report to `out` as it goes.
pub fn run(options: &EvalOptions, out: &mut dyn std::io::Write) -> Result<EvalRun> {
    let scratch = std::env::temp_dir().join(format!("kirana-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let started = Instant::now();
    let engine = Engine::open(Config {
        data_dir: scratch.clone(),
        demo: true,
        ..Config::default()
    })?;
    let demo_docs = engine.catalog_info(DEMO_CATALOG)?.documents;
    writeln!(
        out,
        "demo catalog: {demo_docs} products built in {:.2?}",
        started.elapsed()
    )?;
    let mut run = EvalRun { sets: Vec::new() };
    let result = (|| -> Result<()> {
        let demo = sample::demo_catalog();
        run_set(
            &engine,
            DEMO_CATALOG,
            &demo,
            &options.demo_set,
            options,
            out,
            &mut run,
        )?;
        if options.bigbasket_csv.exists() {
            let products = super::bigbasket::read(&options.bigbasket_csv)?;
            let took = replace_catalog(&engine, &scratch, "bigbasket", &products)?;
            writeln!(
                out,
                "\nbigbasket catalog: {} products replaced in {took:.2?}",
                products.len()
            )?;
            run_set(
                &engine,
                "bigbasket",
                &products,
                &options.bigbasket_set,
                options,
                out,
                &mut run,
            )?;
        } else {
            writeln!(
                out,
                "\nbigbasket: skipped, {} not found",
                options.bigbasket_csv.display()
            )?;
        }
        Ok(())
    })();
    engine.shutdown();
    let _ = std::fs::remove_dir_all(&scratch);
    result?;
    match std::fs::read_to_string(&options.dakshina) {
        Ok(text) => writeln!(
            out,
            "\ncross-script keys on {}:\n{}",
            options.dakshina.display(),
            crate::analysis::phonetic::cross_script_figures(&text)
        )?,
        Err(_) => writeln!(
            out,
            "\ncross-script keys: skipped, {} not found",
            options.dakshina.display()
        )?,
    }
    Ok(run)
}

fn run_set(
    engine: &Engine,
    catalog: &str,
    products: &[Product],
    set_path: &Path,
    options: &EvalOptions,
    out: &mut dyn std::io::Write,
    run: &mut EvalRun,
) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(set_path) else {
        writeln!(
            out,
            "{catalog}: skipped, no judged set at {}",
            set_path.display()
        )?;
        return Ok(());
    };
    let set = parse_set(&text)?;
    let outcomes = evaluate(engine, catalog, products, &set)?;
    let title = format!("\n{catalog} ({})", set_path.display());
    write!(out, "{}", render_table(&title, &summarize(&outcomes)))?;
    if options.worst > 0 {
        write!(
            out,
            "worst queries:\n{}",
            render_worst(&outcomes, options.worst)
        )?;
    }
    run.sets.push((catalog.to_string(), outcomes));
    Ok(())
}

/// Replaces `catalog` with `products` through the engine's feed path; returns how long the
/// task took from queueing to swap.
fn replace_catalog(
    engine: &Engine,
    scratch: &Path,
    catalog: &str,
    products: &[Product],
) -> Result<Duration> {
    let feed = scratch.join(format!("{catalog}.ndjson"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&feed)?);
    for product in products {
        serde_json::to_writer(&mut file, product)?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    drop(file);
    let started = Instant::now();
    let task = engine.enqueue_file(catalog, FeedFormat::Ndjson, feed, OnError::Abort)?;
    let finished = engine
        .wait_task(task.task_id, Duration::from_secs(600))
        .filter(|t| t.status.is_finished())
        .ok_or_else(|| Error::internal(format!("replacing {catalog} did not finish")))?;
    if finished.status != TaskStatus::Succeeded {
        return Err(Error::internal(format!(
            "replacing {catalog} failed: {:?}",
            finished.error
        )));
    }
    Ok(started.elapsed())
}

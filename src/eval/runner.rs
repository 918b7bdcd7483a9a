//! What `kirana eval` does: builds the demo catalog (and the BigBasket catalog when its data is
//! present) in a scratch directory, runs each judged set, and prints the tables with the
//! cross-script figures. Data that is absent is skipped with a printed reason.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::typing::{self, TypingOutcome};
use super::{
    evaluate, parse_set, render_table, render_worst, split_accuracy, summarize, QueryOutcome,
};
use crate::catalog::{product_from_row, sample, FeedFormat, FeedReader, Product};
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
    /// Shopping lists judged over the demo and BigBasket catalogs, added to their sets.
    pub demo_lists: PathBuf,
    pub bigbasket_lists: PathBuf,
    /// Small shops titled in one script each (`<name>.ndjson`) with judged sets
    /// (`<name>.jsonl`).
    pub shops: PathBuf,
    /// Typing targets for suggestions over the demo and BigBasket catalogs.
    pub demo_typing: PathBuf,
    pub bigbasket_typing: PathBuf,
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
            demo_lists: PathBuf::from("index-data/eval/lists/demo.jsonl"),
            bigbasket_lists: PathBuf::from("index-data/eval/lists/bigbasket.jsonl"),
            shops: PathBuf::from("index-data/eval/shops"),
            demo_typing: PathBuf::from("index-data/eval/typing/demo.jsonl"),
            bigbasket_typing: PathBuf::from("index-data/eval/typing/bigbasket.jsonl"),
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
    /// Catalog name and how its typing targets fared.
    pub typing: Vec<(String, Vec<TypingOutcome>)>,
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
    let mut run = EvalRun {
        sets: Vec::new(),
        typing: Vec::new(),
    };
    let result = (|| -> Result<()> {
        let demo = sample::demo_catalog();
        run_set(
            &engine,
            DEMO_CATALOG,
            &demo,
            &[&options.demo_set, &options.demo_lists],
            options,
            out,
            &mut run,
        )?;
        run_typing(&engine, DEMO_CATALOG, &options.demo_typing, out, &mut run)?;
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
                &[&options.bigbasket_set, &options.bigbasket_lists],
                options,
                out,
                &mut run,
            )?;
            run_typing(
                &engine,
                "bigbasket",
                &options.bigbasket_typing,
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
        run_shops(&engine, &scratch, options, out, &mut run)?;
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
    set_paths: &[&Path],
    options: &EvalOptions,
    out: &mut dyn std::io::Write,
    run: &mut EvalRun,
) -> Result<()> {
    let mut set = Vec::new();
    let mut read = Vec::new();
    for path in set_paths {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                set.extend(parse_set(&text)?);
                read.push(path.display().to_string());
            }
            Err(_) => writeln!(out, "{catalog}: no judged set at {}", path.display())?,
        }
    }
    if set.is_empty() {
        return Ok(());
    }
    let outcomes = evaluate(engine, catalog, products, &set)?;
    let title = format!("\n{catalog} ({})", read.join(" + "));
    report(out, &title, catalog, outcomes, options, run)
}

/// Prints a set's table, its list split accuracy and worst queries, and keeps its outcomes.
fn report(
    out: &mut dyn std::io::Write,
    title: &str,
    name: &str,
    outcomes: Vec<QueryOutcome>,
    options: &EvalOptions,
    run: &mut EvalRun,
) -> Result<()> {
    write!(out, "{}", render_table(title, &summarize(&outcomes)))?;
    if let Some((accuracy, messages)) = split_accuracy(&outcomes) {
        writeln!(
            out,
            "list split accuracy: {accuracy:.3} of {messages} messages"
        )?;
    }
    if options.worst > 0 {
        write!(
            out,
            "worst queries:\n{}",
            render_worst(&outcomes, options.worst)
        )?;
    }
    run.sets.push((name.to_string(), outcomes));
    Ok(())
}

/// Types the targets of a typing set into the catalog's suggestions.
fn run_typing(
    engine: &Engine,
    catalog: &str,
    path: &Path,
    out: &mut dyn std::io::Write,
    run: &mut EvalRun,
) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        writeln!(out, "{catalog}: no typing set at {}", path.display())?;
        return Ok(());
    };
    let targets = typing::parse_targets(&text)?;
    let outcomes = typing::evaluate(engine, catalog, &targets)?;
    let title = format!("\n{catalog} typing ({})", path.display());
    write!(out, "{}", typing::render(&title, &outcomes))?;
    run.typing.push((catalog.to_string(), outcomes));
    Ok(())
}

/// Builds each small shop and runs its judged set; the outcomes form one set, `shops`,
/// classed by the shop's script.
fn run_shops(
    engine: &Engine,
    scratch: &Path,
    options: &EvalOptions,
    out: &mut dyn std::io::Write,
    run: &mut EvalRun,
) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(&options.shops) else {
        writeln!(out, "\nshops: skipped, no {}", options.shops.display())?;
        return Ok(());
    };
    let mut feeds: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
        .collect();
    feeds.sort();
    let mut outcomes = Vec::new();
    for feed in feeds {
        let name = feed
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let products = read_feed(&feed)?;
        let catalog = format!("shop-{name}");
        replace_catalog(engine, scratch, &catalog, &products)?;
        let set_path = feed.with_extension("jsonl");
        let set = parse_set(
            &std::fs::read_to_string(&set_path)
                .map_err(|err| Error::internal(format!("{}: {err}", set_path.display())))?,
        )?;
        outcomes.extend(evaluate(engine, &catalog, &products, &set)?);
    }
    if outcomes.is_empty() {
        return Ok(());
    }
    let title = format!("\nshops ({})", options.shops.display());
    report(out, &title, "shops", outcomes, options, run)
}

/// The products of an NDJSON feed, every row valid.
fn read_feed(path: &Path) -> Result<Vec<Product>> {
    let file = std::fs::File::open(path)
        .map_err(|err| Error::internal(format!("{}: {err}", path.display())))?;
    FeedReader::new(FeedFormat::Ndjson, std::io::BufReader::new(file))
        .map(|row| {
            let row =
                row.map_err(|e| Error::internal(format!("{}: {}", path.display(), e.message)))?;
            product_from_row(&row)
                .map(|valid| valid.product)
                .map_err(|errors| {
                    Error::internal(format!(
                        "{} line {}: {:?}",
                        path.display(),
                        row.line,
                        errors.first().map(|e| &e.message)
                    ))
                })
        })
        .collect()
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

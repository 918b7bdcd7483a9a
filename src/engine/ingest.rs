//! Running write tasks: feeds are read row by row, validated and turned into documents in
//! parallel (rayon), then written. A replace builds a new generation beside the live one and
//! swaps only when it is complete; any failure leaves the live catalog serving.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use rayon::prelude::*;
use tantivy::TantivyDocument;

use super::catalog::write_suggester;
use super::tasks::{OnError, Task, TaskError, TaskKind, TaskSource};
use super::{Catalog, Engine};
use crate::catalog::{product_from_row, FeedReader, FeedRow, Product, RowError, ValidProduct};
use crate::error::{Error, Result};
use crate::index::{CatalogGeneration, Change, Fields, GenerationBuilder};

/// Rows validated and converted per parallel batch.
const BATCH_ROWS: usize = 2_048;

type Row = std::result::Result<ValidProduct, Vec<RowError>>;

/// One item of a task's input: a raw feed row still to validate, or a ready product.
enum Input {
    Raw(FeedRow),
    Ready(Box<ValidProduct>),
}

type InputRows = Box<dyn Iterator<Item = std::result::Result<Input, Vec<RowError>>> + Send>;

/// The items of a task's input, in order.
fn inputs(source: &TaskSource) -> Result<InputRows> {
    Ok(match source {
        TaskSource::Feed { path, format, .. } => {
            let file = File::open(path).map_err(|err| {
                Error::internal(format!("spooled feed {}: {err}", path.display()))
            })?;
            let reader = FeedReader::new((*format).into(), BufReader::with_capacity(1 << 16, file));
            Box::new(reader.map(|row| row.map(Input::Raw).map_err(|e| vec![e])))
        }
        TaskSource::Sample => Box::new(crate::catalog::sample::demo_catalog().into_iter().map(
            |product| {
                Ok(Input::Ready(Box::new(ValidProduct {
                    product,
                    unknown_fields: Vec::new(),
                })))
            },
        )),
        TaskSource::Ids { .. } => Box::new(std::iter::empty()),
    })
}

/// Reads the task's input in batches; each batch is validated (and, given `fields`, turned
/// into documents) in parallel, then handed to `sink` row by row in feed order.
fn for_each_batch(
    engine: &Engine,
    task: &mut Task,
    fields: Option<Fields>,
    mut sink: impl FnMut(&mut Task, ValidProduct, Option<TantivyDocument>) -> Result<()>,
) -> Result<()> {
    let source = task
        .source
        .clone()
        .ok_or_else(|| Error::internal("task has no source"))?;
    let mut input = inputs(&source)?;
    loop {
        let batch: Vec<_> = input.by_ref().take(BATCH_ROWS).collect();
        if batch.is_empty() {
            return Ok(());
        }
        task.received += batch.len() as u64;
        let converted: Vec<(Row, Option<TantivyDocument>)> = batch
            .into_par_iter()
            .map(|item| {
                let row = item.and_then(|input| match input {
                    Input::Raw(row) => product_from_row(&row),
                    Input::Ready(valid) => Ok(*valid),
                });
                let doc = match (&row, fields) {
                    (Ok(valid), Some(fields)) => Some(fields.document(&valid.product)),
                    _ => None,
                };
                (row, doc)
            })
            .collect();
        for (row, doc) in converted {
            match row {
                Ok(valid) => sink(task, valid, doc)?,
                Err(errors) => task.reject(errors),
            }
        }
        engine.queue.progress(task);
    }
}

fn count_unknown(task: &mut Task, valid: &ValidProduct) {
    for name in &valid.unknown_fields {
        *task.unknown_fields.entry(name.clone()).or_insert(0) += 1;
    }
}

fn feed_rejected(task: &Task) -> TaskError {
    TaskError {
        code: "feed_rejected".into(),
        message: format!(
            "{} of {} rows were rejected, so nothing was written; fix the rows listed in errors, or send ?on_error=skip to index the good rows",
            task.rejected, task.received
        ),
    }
}

/// Full replace: a new generation, published only when complete and accepted.
pub fn replace(
    engine: &Engine,
    catalog: &Arc<Catalog>,
    task: &mut Task,
) -> Result<Option<TaskError>> {
    let config = engine.config();
    let number = CatalogGeneration::next_number(&catalog.dir);
    let mut builder = GenerationBuilder::create(
        &catalog.dir,
        number,
        config.index_threads,
        config.index_memory_mib * 1024 * 1024,
    )?;
    let fields = builder.fields();
    let outcome = for_each_batch(engine, task, Some(fields), |task, valid, doc| {
        count_unknown(task, &valid);
        let doc = doc.unwrap_or_else(|| fields.document(&valid.product));
        builder.add(&valid.product.id, doc)
    });
    if let Err(err) = outcome {
        builder.abandon();
        return Err(err);
    }
    task.duplicates = builder.duplicates();
    if task.rejected > 0 && task.on_error == OnError::Abort {
        builder.abandon();
        return Ok(Some(feed_rejected(task)));
    }
    task.indexed = builder.products();
    publish(catalog, builder.finish()?, number)?;
    Ok(None)
}

/// Writes the suggestions of a finished generation, makes it live, and removes the one it
/// replaced.
fn publish(catalog: &Arc<Catalog>, generation: CatalogGeneration, number: u64) -> Result<()> {
    write_suggester(&generation)?;
    CatalogGeneration::publish(&catalog.dir, number)?;
    if let Some(old) = catalog.swap(Arc::new(generation)) {
        // Searches still on the old snapshot may read its files from disk: the directory
        // goes when the last of them is done.
        old.retire();
    }
    Ok(())
}

/// Consecutive upserts and deletes of one catalog, applied in one commit in task order. A
/// task whose feed is rejected (all-or-nothing) fails alone; the others still apply.
pub fn apply_changes(
    engine: &Engine,
    catalog: &Arc<Catalog>,
    tasks: &mut [Task],
) -> Result<Vec<Option<TaskError>>> {
    let mut outcomes = Vec::with_capacity(tasks.len());
    let mut changes = Vec::with_capacity(tasks.len());
    for task in tasks.iter_mut() {
        match task.kind {
            TaskKind::Upsert => match read_upsert(engine, task)? {
                Ok(products) => {
                    task.indexed = products.len() as u64;
                    changes.push(Change::Upsert(products));
                    outcomes.push(None);
                }
                Err(rejected) => {
                    changes.push(Change::Upsert(Vec::new()));
                    outcomes.push(Some(rejected));
                }
            },
            TaskKind::Delete => {
                let Some(TaskSource::Ids { ids }) = task.source.clone() else {
                    return Err(Error::internal("delete task without ids"));
                };
                task.received = ids.len() as u64;
                changes.push(Change::Delete(ids));
                outcomes.push(None);
            }
            TaskKind::Replace => return Err(Error::internal("a replace in a batch of changes")),
        }
    }
    match catalog.live() {
        Some(generation) => {
            let stats = generation.apply_changes(&changes)?;
            for ((task, change), stats) in tasks.iter_mut().zip(&changes).zip(stats) {
                if let Change::Delete(_) = change {
                    task.indexed = stats.deleted;
                }
            }
            catalog.suggestions_changed();
        }
        None => first_generation(engine, catalog, &changes)?,
    }
    Ok(outcomes)
}

/// An upsert's products (the last row of an id wins), or why the feed was rejected.
fn read_upsert(
    engine: &Engine,
    task: &mut Task,
) -> Result<std::result::Result<Vec<Product>, TaskError>> {
    let mut products: BTreeMap<String, Product> = BTreeMap::new();
    for_each_batch(engine, task, None, |task, valid, _| {
        count_unknown(task, &valid);
        if products
            .insert(valid.product.id.clone(), valid.product)
            .is_some()
        {
            task.duplicates += 1;
        }
        Ok(())
    })?;
    if task.rejected > 0 && task.on_error == OnError::Abort {
        return Ok(Err(feed_rejected(task)));
    }
    Ok(Ok(products.into_values().collect()))
}

/// A catalog's first generation, from changes sent before it had one.
fn first_generation(engine: &Engine, catalog: &Arc<Catalog>, changes: &[Change]) -> Result<()> {
    let mut products: BTreeMap<&str, &Product> = BTreeMap::new();
    for change in changes {
        match change {
            Change::Upsert(batch) => {
                for product in batch {
                    products.insert(&product.id, product);
                }
            }
            Change::Delete(ids) => {
                for id in ids {
                    products.remove(id.as_str());
                }
            }
        }
    }
    let number = CatalogGeneration::next_number(&catalog.dir);
    let mut builder = GenerationBuilder::create(
        &catalog.dir,
        number,
        1,
        engine.config().index_memory_mib * 1024 * 1024,
    )?;
    let fields = builder.fields();
    for product in products.values() {
        if let Err(err) = builder.add(&product.id, fields.document(product)) {
            builder.abandon();
            return Err(err);
        }
    }
    publish(catalog, builder.finish()?, number)
}

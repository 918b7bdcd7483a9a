//! The `kirana` command: `serve` (the default), `index`, `search`, `suggest`, `eval`. Wires
//! config, engine and API together and reports; everything else lives in the library.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use kirana::catalog::FeedFormat;
use kirana::config::Config;
use kirana::engine::tasks::{OnError, TaskStatus};
use kirana::engine::Engine;
use kirana::search::SearchRequest;

#[derive(Parser)]
#[command(name = "kirana", version, about = "Catalog search for chat commerce")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args, Clone, Default)]
struct CommonArgs {
    /// TOML config file (overridden by KIRANA_* variables and flags).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory; catalogs live in DIR/catalogs [env: KIRANA_DATA_DIR].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct ServeArgs {
    /// Address to listen on [env: KIRANA_LISTEN] [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Do not build or serve the embedded demo catalog.
    #[arg(long)]
    no_demo: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Build a catalog from a feed file, offline, with a progress bar.
    Index {
        /// Catalog name.
        #[arg(long)]
        catalog: String,
        /// Feed format; guessed from the file extension when omitted (ndjson, json, csv, tsv).
        #[arg(long)]
        format: Option<String>,
        /// Index the good rows and list the bad ones instead of failing.
        #[arg(long)]
        skip_errors: bool,
        /// The feed file.
        file: PathBuf,
    },
    /// Search a catalog and print the reply as JSON.
    Search {
        #[arg(long, default_value = "demo")]
        catalog: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// The shopper's message.
        query: String,
    },
    /// Complete what a shopper is typing and print the reply as JSON.
    Suggest {
        #[arg(long, default_value = "demo")]
        catalog: String,
        #[arg(long, default_value_t = 8)]
        limit: usize,
        /// The text typed so far.
        query: String,
    },
    /// Run the judged query sets and print nDCG@10, success@1 and zero results per class.
    Eval {
        /// Judged set over the demo catalog.
        #[arg(long, default_value = "index-data/eval/demo.jsonl")]
        demo_set: PathBuf,
        /// Judged set over the BigBasket catalog.
        #[arg(long, default_value = "index-data/eval/bigbasket.jsonl")]
        bigbasket_set: PathBuf,
        /// The BigBasket product list (skipped when absent).
        #[arg(long, default_value = kirana::eval::bigbasket::DEFAULT_PATH)]
        bigbasket_csv: PathBuf,
        /// Dakshina Hindi lexicon for the cross-script figures (skipped when absent).
        #[arg(long, default_value = "../shared/data/dakshina_hi/dev.tsv")]
        dakshina: PathBuf,
        /// How many of the worst queries to list per set.
        #[arg(long, default_value_t = 10)]
        worst: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KIRANA_LOG")
                .unwrap_or_else(|_| "info,tantivy=warn".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(cli.common.config.as_deref()).map_err(anyhow::Error::msg)?;
    if let Some(dir) = &cli.common.data_dir {
        config.data_dir = dir.clone();
    }
    match cli.command {
        None => serve(config, cli.serve),
        Some(Command::Serve(args)) => serve(config, args),
        Some(Command::Index {
            catalog,
            format,
            skip_errors,
            file,
        }) => index(config, &catalog, format.as_deref(), skip_errors, file),
        Some(Command::Search {
            catalog,
            limit,
            query,
        }) => search(config, &catalog, limit, query),
        Some(Command::Suggest {
            catalog,
            limit,
            query,
        }) => suggest(config, &catalog, limit, &query),
        Some(Command::Eval {
            demo_set,
            bigbasket_set,
            bigbasket_csv,
            dakshina,
            worst,
        }) => {
            let options = kirana::eval::runner::EvalOptions {
                demo_set,
                bigbasket_set,
                bigbasket_csv,
                dakshina,
                worst,
                ..Default::default()
            };
            kirana::eval::runner::run(&options, &mut std::io::stdout().lock())
                .map_err(anyhow::Error::msg)?;
            Ok(())
        }
    }
}

fn serve(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if args.no_demo {
        config.demo = false;
    }
    config.validate().map_err(anyhow::Error::msg)?;
    if config.admin_key.is_none() {
        tracing::warn!(listen = %config.listen, "no KIRANA_ADMIN_KEY: running open, loopback only");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let engine = Engine::start(config.clone()).map_err(anyhow::Error::msg)?;
        let app = kirana::api::router(kirana::api::AppState::new(Arc::clone(&engine)));
        tracing::info!(listen = %config.listen, data_dir = %config.data_dir.display(), "kirana listening");
        axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
        tracing::info!("shutting down: finishing running tasks");
        tokio::task::spawn_blocking(move || engine.shutdown()).await?;
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn index(
    mut config: Config,
    catalog: &str,
    format: Option<&str>,
    skip_errors: bool,
    file: PathBuf,
) -> anyhow::Result<()> {
    config.demo = false;
    let format = match format.or_else(|| file.extension().and_then(|e| e.to_str())) {
        Some("ndjson" | "jsonl") => FeedFormat::Ndjson,
        Some("json") => FeedFormat::JsonArray,
        Some("csv") => FeedFormat::Csv,
        Some("tsv") => FeedFormat::Tsv,
        other => bail!(
            "cannot tell the feed format of {} ({other:?}); pass --format ndjson|json|csv|tsv",
            file.display()
        ),
    };
    let file = file
        .canonicalize()
        .with_context(|| format!("cannot read {}", file.display()))?;
    let engine = Engine::open(config).map_err(anyhow::Error::msg)?;
    let on_error = if skip_errors {
        OnError::Skip
    } else {
        OnError::Abort
    };
    let task = engine
        .enqueue_file(catalog, format, file, on_error)
        .map_err(anyhow::Error::msg)?;
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_style(indicatif::ProgressStyle::with_template(
        "{spinner} {elapsed} {msg}",
    )?);
    let started = std::time::Instant::now();
    let finished = loop {
        let current = engine
            .wait_task(task.task_id, Duration::from_millis(200))
            .context("task vanished")?;
        progress.set_message(format!(
            "{} rows read, {} rejected",
            current.received, current.rejected
        ));
        progress.tick();
        if current.status.is_finished() {
            break current;
        }
    };
    progress.finish_and_clear();
    engine.shutdown();
    println!("{}", serde_json::to_string_pretty(&finished)?);
    eprintln!("{} products in {:.2?}", finished.indexed, started.elapsed());
    if finished.status != TaskStatus::Succeeded {
        bail!("indexing failed");
    }
    Ok(())
}

fn search(mut config: Config, catalog: &str, limit: usize, query: String) -> anyhow::Result<()> {
    config.demo = false;
    let engine = Engine::open(config).map_err(anyhow::Error::msg)?;
    let request = SearchRequest {
        limit,
        ..SearchRequest::new(query)
    };
    let results = engine
        .search(catalog, &request)
        .map_err(anyhow::Error::msg)?;
    for hit in &results.hits {
        let product = engine
            .product(catalog, &hit.id)
            .map_err(anyhow::Error::msg)?;
        eprintln!("{:>8.3}  {:<14} {}", hit.score, hit.id, product.title);
    }
    println!("{}", serde_json::to_string_pretty(&results)?);
    engine.shutdown();
    Ok(())
}

fn suggest(mut config: Config, catalog: &str, limit: usize, query: &str) -> anyhow::Result<()> {
    config.demo = false;
    let engine = Engine::open(config).map_err(anyhow::Error::msg)?;
    let suggestions = engine
        .suggest(catalog, query, limit)
        .map_err(anyhow::Error::msg)?;
    println!("{}", serde_json::to_string_pretty(&suggestions)?);
    engine.shutdown();
    Ok(())
}

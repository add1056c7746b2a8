//! The job's tables as Parquet files on disk, for the engines that read a
//! lake from storage ([`Engine::Parquet`](crate::mode::Engine) in process,
//! [`Engine::Ballista`](crate::mode::Engine) on a cluster).
//!
//! Why files: Ballista ships *logical* plans to its scheduler, so a table
//! must be something the scheduler and the executors can open themselves —
//! in-memory batches are not. Each query writes the batches it is given
//! (one file per batch: the jobs' lakes hand over one batch per event-time
//! bucket, so the files are the lake's partitions) into a fresh directory,
//! registers every table over its directory and plans the SQL there. The
//! previous query's files are removed once the next one is written, so the
//! disk holds one query's input at a time.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

/// Nanoseconds this process spent writing and registering lake files, all
/// engines together: the scaling measurement subtracts it, because a real
/// lake is written once by the ingest, not by every query that reads it.
static STAGING_NANOS: AtomicU64 = AtomicU64::new(0);

/// Seconds spent writing lake files so far in this process (see
/// [`STAGING_NANOS`]); read it before and after a run on one thread.
pub fn staging_seconds_total() -> f64 {
    STAGING_NANOS.load(Ordering::Relaxed) as f64 / 1e9
}

/// The lake directory of one job and the tables registered over it.
pub(super) struct FileTables {
    /// Removed with the engine (a temporary directory).
    root: tempfile::TempDir,
    /// Tables by name: their schema (a table not given to a query is
    /// registered over an empty file of it).
    schemas: HashMap<String, SchemaRef>,
    /// Numbers each query's directory.
    queries: u64,
    /// The directory the previous query read, removed after the next one
    /// is written.
    previous: Option<PathBuf>,
}

impl FileTables {
    /// A fresh lake directory under `WEIR_LAKE_DIR` (if set: a cluster's
    /// executors on other hosts need a shared path) or the system's
    /// temporary directory.
    pub(super) fn new() -> Result<Self> {
        let base = std::env::var_os("WEIR_LAKE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&base).map_err(|e| {
            io_error(
                &format!("creating the lake directory {}", base.display()),
                e,
            )
        })?;
        let root = tempfile::Builder::new()
            .prefix("weir-lake-")
            .tempdir_in(&base)
            .map_err(|e| io_error(&format!("creating a lake under {}", base.display()), e))?;
        Ok(FileTables {
            root,
            schemas: HashMap::new(),
            queries: 0,
            previous: None,
        })
    }

    /// Writes `tables` (and an empty file for every earlier table not
    /// given) into a new query directory and registers them in `ctx`.
    pub(super) async fn stage(
        &mut self,
        ctx: &SessionContext,
        tables: Vec<(String, SchemaRef, Vec<RecordBatch>)>,
    ) -> Result<()> {
        let start = Instant::now();
        let staged = self.stage_files(ctx, tables).await;
        STAGING_NANOS.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        staged
    }

    async fn stage_files(
        &mut self,
        ctx: &SessionContext,
        tables: Vec<(String, SchemaRef, Vec<RecordBatch>)>,
    ) -> Result<()> {
        self.queries += 1;
        let dir = self.root.path().join(format!("q{:08}", self.queries));
        let mut given: HashMap<String, (SchemaRef, Vec<RecordBatch>)> = HashMap::new();
        for (name, schema, batches) in tables {
            self.schemas.insert(name.clone(), schema.clone());
            given.insert(name, (schema, batches));
        }
        for (name, schema) in &self.schemas {
            let table_dir = dir.join(name);
            std::fs::create_dir_all(&table_dir)
                .map_err(|e| io_error(&format!("creating {}", table_dir.display()), e))?;
            let batches = given.remove(name).map(|(_, b)| b).unwrap_or_default();
            write_parquet(&table_dir, schema, &batches)?;
            ctx.deregister_table(name.as_str())?;
            let path = format!("{}/", table_dir.display());
            ctx.register_parquet(
                name.as_str(),
                &path,
                ParquetReadOptions::default().schema(schema),
            )
            .await?;
        }
        if let Some(old) = self.previous.replace(dir) {
            std::fs::remove_dir_all(&old)
                .map_err(|e| io_error(&format!("removing {}", old.display()), e))?;
        }
        Ok(())
    }

    /// The lake directory (for reports and tests).
    pub(super) fn root(&self) -> &Path {
        self.root.path()
    }
}

/// One Parquet file per batch (at least one file, so that an empty table
/// still has its schema on disk).
fn write_parquet(dir: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<()> {
    let empty = [RecordBatch::new_empty(schema.clone())];
    let batches = if batches.is_empty() {
        &empty[..]
    } else {
        batches
    };
    for (i, batch) in batches.iter().enumerate() {
        let path = dir.join(format!("part-{i:05}.parquet"));
        let file = File::create(&path)
            .map_err(|e| io_error(&format!("creating {}", path.display()), e))?;
        let mut writer = ArrowWriter::try_new(file, schema.clone(), None)?;
        writer.write(batch)?;
        writer.close()?;
    }
    Ok(())
}

fn io_error(what: &str, e: std::io::Error) -> DataFusionError {
    DataFusionError::Execution(format!("{what}: {e}"))
}

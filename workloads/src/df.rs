//! A small wrapper around DataFusion for the batch and micro-batch jobs: one
//! runtime per job, a fresh `SessionContext` per query (as a scheduled job or
//! a trigger would create), in-memory tables, a memory limit.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Result, WorkloadError};
use crate::mode::JobConfig;

/// Runs SQL over in-memory Arrow tables.
pub struct DfEngine {
    rt: tokio::runtime::Runtime,
    cfg: JobConfig,
}

/// One table to register for a query.
pub struct Table<'a> {
    pub name: &'a str,
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl DfEngine {
    /// An engine with its own Tokio runtime sized to `target_partitions`.
    pub fn new(cfg: &JobConfig) -> Result<Self> {
        if cfg.target_partitions == 0 || cfg.target_partitions > 64 {
            return Err(WorkloadError::Config(format!(
                "target_partitions must be between 1 and 64, got {}",
                cfg.target_partitions
            )));
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cfg.target_partitions)
            .thread_name("weir-datafusion")
            .build()
            .map_err(|e| {
                WorkloadError::Config(format!("cannot start the DataFusion runtime: {e}"))
            })?;
        Ok(DfEngine { rt, cfg: *cfg })
    }

    /// Runs `sql` over `tables` and collects the result. `job` names the
    /// query in errors.
    pub fn query(&self, job: &str, tables: Vec<Table<'_>>, sql: &str) -> Result<Vec<RecordBatch>> {
        let err = |e| WorkloadError::datafusion(job, e);
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(self.cfg.memory_limit_bytes)))
            .build_arc()
            .map_err(err)?;
        let config = SessionConfig::new()
            .with_target_partitions(self.cfg.target_partitions)
            .with_batch_size(8192);
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        for t in tables {
            let partitions = if t.batches.is_empty() {
                vec![vec![]]
            } else {
                vec![t.batches]
            };
            let mem = MemTable::try_new(t.schema, partitions).map_err(err)?;
            ctx.register_table(t.name, Arc::new(mem)).map_err(err)?;
        }
        self.rt.block_on(async {
            let df = ctx.sql(sql).await.map_err(err)?;
            df.collect().await.map_err(err)
        })
    }
}

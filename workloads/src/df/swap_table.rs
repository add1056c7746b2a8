//! An in-memory table whose batches are read when a plan *executes*, not
//! when it is planned — so one physical plan can run again and again over
//! new data, the way DataFusion re-runs a recursive query over its work
//! table. DataFusion's `MemTable` copies its batches into the plan at
//! planning time, which would force a new plan per trigger.

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::coop::cooperative;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType, SchedulingType};
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PhysicalExpr, PlanProperties,
    ReplaceChildrenOptions, SendableRecordBatchStream,
};

/// The batches a [`SwapTable`] serves: replaced before each query.
pub type Batches = Arc<RwLock<Vec<RecordBatch>>>;

/// A table provider over [`Batches`], one partition.
#[derive(Debug)]
pub struct SwapTable {
    schema: SchemaRef,
    batches: Batches,
}

impl SwapTable {
    /// An empty table of `schema`.
    pub fn new(schema: SchemaRef) -> Self {
        SwapTable {
            schema,
            batches: Arc::default(),
        }
    }

    /// The handle its scans read from.
    pub fn batches(&self) -> Batches {
        self.batches.clone()
    }
}

#[async_trait]
impl TableProvider for SwapTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(SwapExec::new(
            self.schema.clone(),
            self.batches.clone(),
            projection.cloned(),
        )?))
    }
}

/// The scan of a [`SwapTable`]: streams whatever its batches are at
/// execution time.
#[derive(Debug)]
pub struct SwapExec {
    /// Output schema (projected).
    schema: SchemaRef,
    batches: Batches,
    projection: Option<Vec<usize>>,
    properties: Arc<PlanProperties>,
}

impl SwapExec {
    fn new(schema: SchemaRef, batches: Batches, projection: Option<Vec<usize>>) -> Result<Self> {
        let schema = match &projection {
            Some(p) => Arc::new(schema.project(p)?),
            None => schema,
        };
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        )
        .with_scheduling_type(SchedulingType::Cooperative);
        Ok(SwapExec {
            schema,
            batches,
            projection,
            properties: Arc::new(properties),
        })
    }
}

impl DisplayAs for SwapExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "SwapExec: projection={:?}", self.projection)
    }
}

impl ExecutionPlan for SwapExec {
    fn name(&self) -> &str {
        "SwapExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(datafusion::error::DataFusionError::Internal(format!(
                "SwapExec has one partition, asked for {partition}"
            )));
        }
        let batches = self
            .batches
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let batches = match &self.projection {
            Some(p) => batches
                .iter()
                .map(|b| b.project(p))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            None => batches,
        };
        let stream = MemoryStream::try_new(batches, self.schema.clone(), None)?;
        Ok(Box::pin(cooperative(stream)))
    }
}

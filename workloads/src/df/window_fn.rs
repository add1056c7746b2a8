//! The registration side of Weir's DataFusion window functions. Each one
//! (fraud's `range_count` / `range_other`, sessionization's `session_id`)
//! sees its whole key-and-time-sorted partition at once through a
//! [`PartitionEvaluator`]; what differs between them is only the name, the
//! signature, the result type and the evaluator, so one generic
//! [`WindowUDFImpl`] serves them all.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::Result;
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{PartitionEvaluator, Signature, WindowUDF, WindowUDFImpl};

/// A window function named `name` with `signature`, returning non-null
/// `output`, evaluated by a fresh `E` per partition.
pub fn whole_partition_fn<E: PartitionEvaluator + Default + 'static>(
    name: &'static str,
    signature: Signature,
    output: DataType,
) -> WindowUDF {
    WindowUDF::new_from_impl(WholePartitionFn::<E> {
        name,
        signature,
        output,
        evaluator: PhantomData,
    })
}

struct WholePartitionFn<E> {
    name: &'static str,
    signature: Signature,
    output: DataType,
    evaluator: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for WholePartitionFn<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WholePartitionFn")
            .field("name", &self.name)
            .field("signature", &self.signature)
            .field("output", &self.output)
            .finish()
    }
}

impl<E> PartialEq for WholePartitionFn<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.name, &self.signature, &self.output) == (other.name, &other.signature, &other.output)
    }
}

impl<E> Eq for WholePartitionFn<E> {}

impl<E> Hash for WholePartitionFn<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.name, &self.signature, &self.output).hash(state);
    }
}

impl<E: PartitionEvaluator + Default + 'static> WindowUDFImpl for WholePartitionFn<E> {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(E::default()))
    }

    fn field(&self, args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(
            args.name(),
            self.output.clone(),
            false,
        )))
    }
}

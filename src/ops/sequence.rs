//! Sums and products of two or more operands with broadcasting (MyGrad's
//! `add_sequence`, `multiply_sequence`): forward and backward side by side.

use causing_diff_kernels::{broadcast_shapes, Dims, Element, Float};

use crate::array::Array;
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_float};
use crate::ops::{BinaryOp, Inputs};
use crate::pool::Pool;

/// A fold of a binary op over all the inputs, left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SequenceOp {
    Add,
    Multiply,
}

impl SequenceOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SequenceOp::Add => "add_sequence",
            SequenceOp::Multiply => "multiply_sequence",
        }
    }

    /// `((x0 ∘ x1) ∘ x2) ∘ ...`, promoting dtypes pairwise as NumPy does.
    /// The sum starts from the integer 0, as Python's `sum` in MyGrad does
    /// (so `-0.0 + -0.0` is `0.0`, and bools sum to int64).
    pub(crate) fn forward(self, ins: &Inputs, pool: &mut Pool) -> Result<Array> {
        let xs = (0..ins.parents.len()).map(|k| ins.get(k));
        // One error naming every shape, rather than the first failing pair's.
        let mut shape = Some(Dims::new());
        for x in xs.clone() {
            shape = shape.and_then(|s| broadcast_shapes(&s, x.shape()));
        }
        if shape.is_none() {
            return Err(Error::ShapeMismatch {
                op: self.name(),
                shapes: xs.map(|x| x.shape().to_vec()).collect(),
                detail: "operands could not be broadcast together with shapes",
            });
        }
        match self {
            SequenceOp::Add => {
                let zero = Scalar::Int(0);
                let dtype = ins.get(0).dtype().promote_weak(zero);
                let zero = eval::scalar_array(zero, dtype, pool, self.name())?;
                let sum = fold(BinaryOp::Add, core::iter::once(&zero).chain(xs), pool);
                pool.give(zero.buf);
                sum
            }
            SequenceOp::Multiply => fold(BinaryOp::Multiply, xs, pool),
        }
    }

    /// The gradient for input `k` in the output's shape.
    pub(crate) fn backward(
        self,
        ins: &Inputs,
        out: &Array,
        g: &Array,
        k: usize,
        pool: &mut Pool,
    ) -> Result<Array> {
        let name = self.name();
        match self {
            // d(Σ xᵢ)/dxₖ = 1
            SequenceOp::Add => dispatch_float!(g.dtype(), T => {
                eval::map1::<T, T>(g, pool, name, |g| g)
            }, other => unreachable!("gradients are floats")),
            // d(Π xᵢ)/dxₖ = Π_{i≠k} xᵢ. As MyGrad: `g·out / xₖ` unless some
            // output is within 1e-8 of 0, else the exact product of the others.
            SequenceOp::Multiply => {
                let dtype = g.dtype();
                let x = eval::as_dtype(ins.get(k), dtype, pool)?;
                dispatch_float!(dtype, T => {
                    let tiny = T::from_f64(1e-8);
                    let near_zero = eval::slice::<T>(out).iter().any(|&v| Float::abs(v) <= tiny);
                    if !near_zero {
                        eval::map3::<T, T>(g, out, &x, pool, name, |g, y, x| g * y / x)
                    } else {
                        let others = (0..ins.parents.len()).filter(|&i| i != k).map(|i| ins.get(i));
                        let rest = eval::cast_owned(fold(BinaryOp::Multiply, others, pool)?, dtype, pool)?;
                        let r = eval::map2::<T, T>(g, &rest, pool, name, |g, r| g * r);
                        pool.give(rest.buf);
                        r
                    }
                }, other => unreachable!("gradients are floats"))
            }
        }
    }
}

/// Folds `op` over `xs` (at least one), giving every intermediate back to
/// the pool.
fn fold<'a>(
    op: BinaryOp,
    mut xs: impl Iterator<Item = &'a Array>,
    pool: &mut Pool,
) -> Result<Array> {
    let first = xs.next().expect("sequence ops have two or more inputs");
    let Some(second) = xs.next() else {
        return eval::cast(first, first.dtype(), pool);
    };
    let mut acc = op.forward(first, second, pool)?;
    for x in xs {
        let next = op.forward(&acc, x, pool);
        pool.give(acc.buf);
        acc = next?;
    }
    Ok(acc)
}

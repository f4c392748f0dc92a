//! Reductions over any set of axes, with `keepdims`: forward and backward
//! side by side. The reduced axes are the op's params, as a 0/1 mask over
//! the input's axes.

use causing_diff_kernels::{Dims, Layout};

use crate::array::Array;
use crate::error::Result;
use crate::eval::{self, dispatch_float};
use crate::pool::Pool;

/// A reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReduceOp {
    Sum { keepdims: bool },
    Mean { keepdims: bool },
}

impl ReduceOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum { .. } => "sum",
            ReduceOp::Mean { .. } => "mean",
        }
    }

    pub(crate) fn forward(self, x: &Array, mask: &[isize], pool: &mut Pool) -> Result<Array> {
        let mask: Dims = mask.iter().map(|&m| m as usize).collect();
        match self {
            ReduceOp::Sum { keepdims } => eval::sum(x, &mask, keepdims, pool),
            ReduceOp::Mean { keepdims } => {
                let n = count(x.shape(), &mask);
                let dtype = x.dtype().float_result();
                let xf = eval::as_dtype(x, dtype, pool)?;
                let xf = &*xf;
                let s = eval::sum(xf, &mask, keepdims, pool)?;
                let out = dispatch_float!(dtype, T => {
                    let n = n as T;
                    eval::map1::<T, T>(&s, pool, "mean", move |v| v / n)
                }, other => unreachable!("mean computes in floats"));
                pool.give(s.buf);
                out
            }
        }
    }

    /// The gradient for the input `x`: `g` spread back over the reduced axes
    /// (divided by the count for `mean`).
    pub(crate) fn backward(
        self,
        x: &Array,
        _out: &Array,
        g: &Array,
        mask: &[isize],
        pool: &mut Pool,
    ) -> Result<Array> {
        let mask: Dims = mask.iter().map(|&m| m as usize).collect();
        let kept = eval::reduced_shape(x.shape(), &mask, true);
        let layout = Layout::contiguous(&kept)
            .broadcast_to(x.shape())
            .expect("a keepdims shape broadcasts to its input");
        match self {
            // d/dx Σx = 1 for every reduced element
            ReduceOp::Sum { .. } => eval::materialize(g, &layout, g.dtype(), pool),
            // d/dx mean(x) = 1/N
            ReduceOp::Mean { .. } => {
                let n = count(x.shape(), &mask);
                let scaled = dispatch_float!(g.dtype(), T => {
                    let n = n as T;
                    eval::map1::<T, T>(g, pool, "mean", move |v| v / n)
                }, other => unreachable!("gradients are floats"))?;
                let out = eval::materialize(&scaled, &layout, g.dtype(), pool);
                pool.give(scaled.buf);
                out
            }
        }
    }
}

/// How many input elements each output element of a reduction covers.
fn count(shape: &[usize], mask: &[usize]) -> usize {
    shape
        .iter()
        .zip(mask)
        .filter(|(_, &m)| m == 1)
        .map(|(&d, _)| d)
        .product()
}

//! Shape and layout ops (MyGrad's views): forward and backward side by side.
//! They do not null their input's gradient. Each node owns contiguous data,
//! so a view's forward is a copy through a [`Layout`].

use causing_diff_kernels::{Dims, Layout};

use crate::array::Array;
use crate::error::Result;
use crate::eval;
use crate::pool::Pool;

/// A shape op. `Reshape`'s target is the output's own shape; `Transpose`'s
/// permutation is its params.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShapeOp {
    Reshape,
    Transpose,
}

impl ShapeOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ShapeOp::Reshape => "reshape",
            ShapeOp::Transpose => "transpose",
        }
    }

    /// `params`: the new shape (already resolved) or the permutation.
    pub(crate) fn forward(self, x: &Array, params: &[isize], pool: &mut Pool) -> Result<Array> {
        let dims: Dims = params.iter().map(|&p| p as usize).collect();
        match self {
            ShapeOp::Reshape => {
                let mut out = eval::cast(x, x.dtype(), pool)?;
                out.shape = dims;
                Ok(out)
            }
            ShapeOp::Transpose => {
                let layout = Layout::contiguous(x.shape())
                    .permute(&dims)
                    .expect("permutation validated by the caller");
                eval::materialize(x, &layout, x.dtype(), pool)
            }
        }
    }

    pub(crate) fn backward(
        self,
        x: &Array,
        g: &Array,
        params: &[isize],
        pool: &mut Pool,
    ) -> Result<Array> {
        match self {
            // reshape back
            ShapeOp::Reshape => {
                let mut out = eval::cast(g, g.dtype(), pool)?;
                out.shape = Dims::from(x.shape());
                Ok(out)
            }
            // transpose by the inverse permutation
            ShapeOp::Transpose => {
                let mut inverse = Dims::filled(0, params.len());
                for (i, &p) in params.iter().enumerate() {
                    inverse[p as usize] = i;
                }
                let layout = Layout::contiguous(g.shape())
                    .permute(&inverse)
                    .expect("inverse of a permutation");
                eval::materialize(g, &layout, g.dtype(), pool)
            }
        }
    }
}

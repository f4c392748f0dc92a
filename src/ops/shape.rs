//! Single-input shape and layout ops: forward and backward side by side.
//! Most are MyGrad's views ([`ShapeOp::is_view`]) and do not null their
//! input's gradient. Each node owns contiguous data, so a view's forward is
//! a copy through a [`Layout`]. The tensor methods validate and normalise
//! the parameters; the rules here trust them.

use causing_diff_kernels::{Dims, Layout};

use crate::array::Array;
use crate::error::Result;
use crate::eval;
use crate::ops::join;
use crate::pool::Pool;

/// A shape op. The meaning of its params is given per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShapeOp {
    // The same elements in the same row-major order under a new shape; the
    // params are the output's shape.
    Reshape,
    Ravel,
    /// A copy in MyGrad (not a view).
    Flatten,
    Squeeze,
    ExpandDims,
    AtLeast1d,
    AtLeast2d,
    AtLeast3d,
    /// Params: the target shape.
    BroadcastTo,
    // Axis permutations; the params are the permutation (axis `i` of the
    // output is axis `params[i]` of the input).
    Transpose,
    MoveAxis,
    SwapAxes,
    /// Params: a 0/1 mask of the reversed axes. A copy.
    Flip,
    /// Params: one shift per axis, in `[0, len)`; with `flat`, one shift of
    /// the flattened array. A copy in MyGrad.
    Roll {
        flat: bool,
    },
}

impl ShapeOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ShapeOp::Reshape => "reshape",
            ShapeOp::Ravel => "ravel",
            ShapeOp::Flatten => "flatten",
            ShapeOp::Squeeze => "squeeze",
            ShapeOp::ExpandDims => "expand_dims",
            ShapeOp::AtLeast1d => "atleast_1d",
            ShapeOp::AtLeast2d => "atleast_2d",
            ShapeOp::AtLeast3d => "atleast_3d",
            ShapeOp::BroadcastTo => "broadcast_to",
            ShapeOp::Transpose => "transpose",
            ShapeOp::MoveAxis => "moveaxis",
            ShapeOp::SwapAxes => "swapaxes",
            ShapeOp::Flip => "flip",
            ShapeOp::Roll { .. } => "roll",
        }
    }

    /// Whether MyGrad returns a view of the input (which does not null the
    /// input's gradient). `flatten`, `roll` (and `copy`, `flip`) copy.
    pub(crate) fn is_view(self) -> bool {
        !matches!(
            self,
            ShapeOp::Flatten | ShapeOp::Flip | ShapeOp::Roll { .. }
        )
    }

    fn is_reshape(self) -> bool {
        matches!(
            self,
            ShapeOp::Reshape
                | ShapeOp::Ravel
                | ShapeOp::Flatten
                | ShapeOp::Squeeze
                | ShapeOp::ExpandDims
                | ShapeOp::AtLeast1d
                | ShapeOp::AtLeast2d
                | ShapeOp::AtLeast3d
        )
    }

    fn is_permutation(self) -> bool {
        matches!(
            self,
            ShapeOp::Transpose | ShapeOp::MoveAxis | ShapeOp::SwapAxes
        )
    }

    pub(crate) fn forward(self, x: &Array, params: &[isize], pool: &mut Pool) -> Result<Array> {
        let dims: Dims = params.iter().map(|&p| p as usize).collect();
        if self.is_reshape() {
            return reshaped(x, &dims, pool);
        }
        if self.is_permutation() {
            return permuted(x, &dims, pool);
        }
        match self {
            ShapeOp::BroadcastTo => {
                let layout = Layout::contiguous(x.shape())
                    .broadcast_to(&dims)
                    .expect("target validated by the caller");
                eval::materialize(x, &layout, x.dtype(), pool)
            }
            ShapeOp::Flip => flipped(x, &dims, pool),
            ShapeOp::Roll { flat } => rolled(x, params, flat, false, pool),
            _ => unreachable!("reshapes and permutations handled above"),
        }
    }

    /// The gradient for the input `x`, given the output's gradient `g`.
    pub(crate) fn backward(
        self,
        x: &Array,
        g: &Array,
        params: &[isize],
        pool: &mut Pool,
    ) -> Result<Array> {
        // reshape back
        if self.is_reshape() {
            return reshaped(g, x.shape(), pool);
        }
        // permute by the inverse permutation
        if self.is_permutation() {
            let mut inverse = Dims::filled(0, params.len());
            for (i, &p) in params.iter().enumerate() {
                inverse[p as usize] = i;
            }
            return permuted(g, &inverse, pool);
        }
        match self {
            // d/dx broadcast(x) sums over the broadcast axes: the engine
            // reduces an output-shaped gradient to the input's shape.
            ShapeOp::BroadcastTo => eval::cast(g, g.dtype(), pool),
            // a flip is its own inverse
            ShapeOp::Flip => {
                let mask: Dims = params.iter().map(|&p| p as usize).collect();
                flipped(g, &mask, pool)
            }
            // roll back by the opposite shift
            ShapeOp::Roll { flat } => rolled(g, params, flat, true, pool),
            _ => unreachable!("reshapes and permutations handled above"),
        }
    }
}

/// A contiguous copy of `a` with the shape `shape` (same size).
fn reshaped(a: &Array, shape: &[usize], pool: &mut Pool) -> Result<Array> {
    let mut out = eval::cast(a, a.dtype(), pool)?;
    out.shape = Dims::from(shape);
    Ok(out)
}

/// `a` with its axes permuted by `perm`.
fn permuted(a: &Array, perm: &[usize], pool: &mut Pool) -> Result<Array> {
    let layout = Layout::contiguous(a.shape())
        .permute(perm)
        .expect("permutation validated by the caller");
    eval::materialize(a, &layout, a.dtype(), pool)
}

/// `a` reversed along the axes of `mask`.
fn flipped(a: &Array, mask: &[usize], pool: &mut Pool) -> Result<Array> {
    let mut layout = Layout::contiguous(a.shape());
    for (axis, (&m, &d)) in mask.iter().zip(a.shape()).enumerate() {
        if m == 1 {
            layout = layout.slice_axis(axis, d.saturating_sub(1), d, -1);
        }
    }
    eval::materialize(a, &layout, a.dtype(), pool)
}

/// `a` rolled by `shifts` (each in `[0, len)`), or rolled back with `back`:
/// element `i` moves to `i + shift`, wrapping around.
fn rolled(a: &Array, shifts: &[isize], flat: bool, back: bool, pool: &mut Pool) -> Result<Array> {
    let size = a.size();
    let dims: Dims = if flat {
        Dims::from([size])
    } else {
        Dims::from(a.shape())
    };
    let maps = dims
        .iter()
        .zip(shifts)
        .map(|(&n, &s)| {
            let s = s as usize;
            // out[i] = a[i - s], so a backward gather reads g[i + s].
            let from = if back { s } else { n - s.min(n) };
            let mut map = join::index_map(n, "roll")?;
            map.extend((0..n).map(|i| (i + from) % n));
            Ok(map)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut out = join::gather(a, &dims, &maps, pool, "roll")?;
    out.shape = Dims::from(a.shape());
    Ok(out)
}

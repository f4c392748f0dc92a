//! Joining and tiling: `concatenate` and `stack` (any number of inputs,
//! dtypes promoted), `repeat` and `tile`. Forward and backward side by side;
//! all copies (MyGrad nulls their inputs' gradients). The tensor methods and
//! free functions validate and normalise the parameters; the rules trust them.
//! The gather helpers at the end also serve `roll`.

use causing_diff_kernels::{gather, Dims, Layout, SmallVec};

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch, dispatch_float};
use crate::ops::Inputs;
use crate::pool::Pool;

/// A joining or tiling op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinOp {
    /// Params: `[axis]` (normalised); with `flat`, none: every input is
    /// flattened first.
    Concatenate { flat: bool },
    /// Params: `[axis]`, in `[0, ndim]`.
    Stack,
    /// Params: `[axis]` (normalised, absent with `flat`), then the repeat
    /// counts: one for every element, or one per element along the axis.
    Repeat { flat: bool },
    /// Params: the repetitions of every output axis (the input is seen with
    /// leading 1s up to that many axes).
    Tile,
}

impl JoinOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            JoinOp::Concatenate { .. } => "concatenate",
            JoinOp::Stack => "stack",
            JoinOp::Repeat { .. } => "repeat",
            JoinOp::Tile => "tile",
        }
    }

    pub(crate) fn forward(self, ins: &Inputs, pool: &mut Pool) -> Result<Array> {
        let name = self.name();
        match self {
            JoinOp::Concatenate { .. } | JoinOp::Stack => {
                let dtype = (1..ins.len()).fold(ins.get(0).dtype(), |d, k| {
                    DType::promote(d, ins.get(k).dtype())
                });
                let parts = (0..ins.len())
                    .map(|k| eval::as_dtype(ins.get(k), dtype, pool))
                    .collect::<Result<Vec<_>>>()?;
                let (shape, outer) = self.joined_shape(ins);
                // Each round takes every input's trailing block from the axis on.
                let chunks: Vec<usize> = (0..ins.len())
                    .map(|k| match (self, ins.params.first()) {
                        (JoinOp::Concatenate { flat: false } | JoinOp::Stack, Some(&axis)) => {
                            ins.get(k).shape()[axis as usize..].iter().product()
                        }
                        _ => ins.get(k).size(),
                    })
                    .collect();
                let n = eval::size(&shape, name)?;
                dispatch!(dtype, T => {
                    let slices: Vec<&[T]> = parts.iter().map(|p| eval::slice::<T>(p)).collect();
                    let mut out: Vec<T> = pool.take(n, name)?;
                    gather::interleave(&slices, &chunks, outer, &mut out);
                    Ok(eval::wrap(out, &shape))
                })
            }
            JoinOp::Repeat { .. } | JoinOp::Tile => {
                let x = ins.get(0);
                let (dims, maps) = self.maps(x, ins.params)?;
                gather(x, &dims, &maps, pool, name)
            }
        }
    }

    /// The gradient for input `k`, given the output's gradient `g`.
    pub(crate) fn backward(
        self,
        ins: &Inputs,
        g: &Array,
        k: usize,
        pool: &mut Pool,
    ) -> Result<Array> {
        let x = ins.get(k);
        let mut out = match self {
            // d/dx_k concat(x) = the slice of g where x_k was placed
            JoinOp::Concatenate { flat } => {
                let axis = if flat { 0 } else { ins.params[0] as usize };
                let start: usize = (0..k).map(|j| axis_len(ins.get(j), flat, axis)).sum();
                let len = axis_len(x, flat, axis);
                let layout = Layout::contiguous(g.shape()).slice_axis(axis, start, len, 1);
                eval::materialize(g, &layout, g.dtype(), pool)?
            }
            // d/dx_k stack(x) = g at index k of the new axis
            JoinOp::Stack => {
                let layout = Layout::contiguous(g.shape()).index_axis(ins.params[0] as usize, k);
                eval::materialize(g, &layout, g.dtype(), pool)?
            }
            // each input element receives the sum of its copies' gradients
            JoinOp::Repeat { .. } | JoinOp::Tile => {
                let (dims, maps) = self.maps(x, ins.params)?;
                scatter_add(g, &dims, &maps, pool, self.name())?
            }
        };
        out.shape = Dims::from(x.shape());
        Ok(out)
    }

    /// The shape of a `concatenate` or `stack`, and the number of chunk
    /// rounds that interleave the inputs (the product of the leading dims).
    fn joined_shape(self, ins: &Inputs) -> (Dims, usize) {
        let first = ins.get(0).shape();
        match self {
            JoinOp::Concatenate { flat: true } => {
                let total = (0..ins.len()).map(|k| ins.get(k).size()).sum();
                (Dims::from([total]), 1)
            }
            JoinOp::Concatenate { flat: false } => {
                let axis = ins.params[0] as usize;
                let mut shape = Dims::from(first);
                shape[axis] = (0..ins.len()).map(|k| ins.get(k).shape()[axis]).sum();
                (shape, first[..axis].iter().product())
            }
            _ => {
                let axis = ins.params[0] as usize;
                let mut shape = Dims::from(first);
                shape.insert(axis, ins.len());
                (shape, first[..axis].iter().product())
            }
        }
    }

    /// The source dims and per-axis index maps that gather `x` into the
    /// output of a `repeat` or `tile`.
    fn maps(self, x: &Array, params: &[isize]) -> Result<(Dims, Vec<Vec<usize>>)> {
        match self {
            JoinOp::Repeat { flat } => {
                // A 0-d input repeats as if it were 1-D (NumPy).
                let (dims, axis, counts) = if flat || x.ndim() == 0 {
                    let counts = if flat { params } else { &params[1..] };
                    (Dims::from([x.size()]), 0, counts)
                } else {
                    (Dims::from(x.shape()), params[0] as usize, &params[1..])
                };
                let count = |i: usize| counts[if counts.len() == 1 { 0 } else { i }] as usize;
                let maps = dims
                    .iter()
                    .enumerate()
                    .map(|(a, &n)| {
                        if a != axis {
                            let mut map = index_map(n, "repeat")?;
                            map.extend(0..n);
                            return Ok(map);
                        }
                        let mut map = index_map((0..n).map(count).sum(), "repeat")?;
                        map.extend((0..n).flat_map(|i| core::iter::repeat_n(i, count(i))));
                        Ok(map)
                    })
                    .collect::<Result<_>>()?;
                Ok((dims, maps))
            }
            JoinOp::Tile => {
                let dims: Dims = core::iter::repeat_n(1, params.len() - x.ndim())
                    .chain(x.shape().iter().copied())
                    .collect();
                let maps = dims
                    .iter()
                    .zip(params)
                    .map(|(&n, &r)| {
                        let len = n * r as usize;
                        let mut map = index_map(len, "tile")?;
                        map.extend((0..len).map(|j| j % n));
                        Ok(map)
                    })
                    .collect::<Result<_>>()?;
                Ok((dims, maps))
            }
            _ => unreachable!("only repeat and tile gather"),
        }
    }
}

/// The length of `x` along the concatenation axis (its size when flattened).
fn axis_len(x: &Array, flat: bool, axis: usize) -> usize {
    if flat {
        x.size()
    } else {
        x.shape()[axis]
    }
}

/// `a` (C-contiguous with shape `dims`, the size of its own shape) gathered
/// by per-axis index maps: the result has shape `[maps[0].len(), ...]`.
pub(super) fn gather(
    a: &Array,
    dims: &[usize],
    maps: &[Vec<usize>],
    pool: &mut Pool,
    op: &'static str,
) -> Result<Array> {
    let out_dims: Dims = maps.iter().map(Vec::len).collect();
    let maps: SmallVec<&[usize]> = maps.iter().map(Vec::as_slice).collect();
    let n = eval::size(&out_dims, op)?;
    dispatch!(a.dtype(), T => {
        let mut out: Vec<T> = pool.take(n, op)?;
        gather::gather(eval::slice::<T>(a), dims, &maps, &mut out);
        Ok(eval::wrap(out, &out_dims))
    })
}

/// An empty vector with room for `len` map entries, or `TooLarge` (a map
/// can be long even when the array it gathers is empty).
pub(super) fn index_map(len: usize, op: &'static str) -> Result<Vec<usize>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::TooLarge {
        op,
        shape: vec![len],
    })?;
    Ok(v)
}

/// The adjoint of [`gather()`]: zeros of shape `dims` (and `g`'s float dtype)
/// with every element of `g` added at the position it was gathered from.
pub(super) fn scatter_add(
    g: &Array,
    dims: &[usize],
    maps: &[Vec<usize>],
    pool: &mut Pool,
    op: &'static str,
) -> Result<Array> {
    let maps: SmallVec<&[usize]> = maps.iter().map(Vec::as_slice).collect();
    let mut acc = eval::full(dims, 0.0, g.dtype(), pool, op)?;
    dispatch_float!(g.dtype(), T => {
        let out = acc.as_mut_slice::<T>().expect("same dtype");
        gather::scatter_add(eval::slice::<T>(g), &maps, dims, out);
    }, other => unreachable!("gradients are floats"));
    Ok(acc)
}

//! Reductions (`sum mean var std max min prod`) over any set of axes, with
//! `keepdims`, and the cumulative ops (`cumsum cumprod`): forward and
//! backward side by side. Also the non-differentiable `argmax`, `argmin`
//! and `any`, whose results are plain arrays.
//!
//! Params: for a reduction, a 0/1 mask over the input's axes (1 = reduced);
//! for a cumulative op, `[axis]`, or nothing for the flattened input.
//!
//! Each backward rule returns its gradient in the input's shape. A value in
//! the reduced shape (the output, its gradient, a mean) is read back over
//! the input through the layout [`spread`] gives; with or without
//! `keepdims` its elements are in the same order.

use causing_diff_kernels::{
    contig, elementwise, reduce, scan, Dims, Element, Float, Layout, Num, SmallVec,
};

use crate::array::{Array, Elem, Storage};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch, dispatch_float, dispatch_num, slice, wrap};
use crate::grad::{Grad, SPREAD_MIN};
use crate::pool::Pool;

/// A reduction or cumulative op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReduceOp {
    Sum {
        keepdims: bool,
    },
    Mean {
        keepdims: bool,
    },
    /// The variance, dividing by `N - ddof`.
    Var {
        keepdims: bool,
        ddof: usize,
    },
    /// The standard deviation, `sqrt(var)`.
    Std {
        keepdims: bool,
        ddof: usize,
    },
    /// The maximum; its gradient goes to the first maximum of each group.
    Max {
        keepdims: bool,
    },
    /// The minimum; its gradient goes to the first minimum of each group.
    Min {
        keepdims: bool,
    },
    Prod {
        keepdims: bool,
    },
    CumSum,
    /// Its gradient is exact with zeros, computed without division. A NaN
    /// (or an overflow) in the input spreads only where the products
    /// contain it; MyGrad there zeroes every NaN of the gradient, or, in a
    /// lane with no zero, returns a reverse cumulative sum of the upstream
    /// gradient that ignores the input: a MyGrad bug, not followed.
    CumProd,
}

impl ReduceOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum { .. } => "sum",
            ReduceOp::Mean { .. } => "mean",
            ReduceOp::Var { .. } => "var",
            ReduceOp::Std { .. } => "std",
            ReduceOp::Max { .. } => "max",
            ReduceOp::Min { .. } => "min",
            ReduceOp::Prod { .. } => "prod",
            ReduceOp::CumSum => "cumsum",
            ReduceOp::CumProd => "cumprod",
        }
    }

    /// `max`/`min` save the flat positions of the first extremes in `saved`,
    /// so that their backward need not search again.
    pub(crate) fn forward(
        self,
        x: &Array,
        params: &[isize],
        pool: &mut Pool,
        saved: &mut Vec<usize>,
    ) -> Result<Array> {
        let name = self.name();
        if matches!(self, ReduceOp::CumSum | ReduceOp::CumProd) {
            let (dims, axis) = lanes(x.shape(), params);
            let dtype = accumulator(x.dtype());
            let xw = eval::as_dtype(x, dtype, pool)?;
            return dispatch_num!(dtype, T => {
                let f: fn(T, T) -> T = match self {
                    ReduceOp::CumSum => Num::wrapping_add,
                    _ => Num::wrapping_mul,
                };
                let mut out: Vec<T> = pool.take(x.size(), name)?;
                let layout = Layout::contiguous(&dims);
                scan::scan_axis(slice::<T>(&xw), &layout, axis, false, f, &mut out);
                Ok(wrap(out, &dims))
            }, bool => unreachable!("cumulative ops compute in int64 for bools"));
        }
        let mask = mask_of(&params[..x.ndim()]);
        match self {
            ReduceOp::Sum { keepdims } => eval::sum(x, &mask, keepdims, pool),
            ReduceOp::Mean { keepdims } => {
                let dtype = x.dtype().float_result();
                let xf = eval::as_dtype(x, dtype, pool)?;
                dispatch_float!(dtype, T => mean::<T>(&xf, &mask, keepdims, pool),
                    other => unreachable!("mean computes in floats"))
            }
            ReduceOp::Var { keepdims, ddof } | ReduceOp::Std { keepdims, ddof } => {
                let sqrt = matches!(self, ReduceOp::Std { .. });
                let dtype = x.dtype().float_result();
                let xf = eval::as_dtype(x, dtype, pool)?;
                dispatch_float!(dtype, T => variance::<T>(&xf, &mask, keepdims, ddof, sqrt, pool),
                    other => unreachable!("var computes in floats"))
            }
            ReduceOp::Max { keepdims } | ReduceOp::Min { keepdims } => {
                let is_max = matches!(self, ReduceOp::Max { .. });
                nonempty(x, &mask, name)?;
                let shape = eval::reduced_shape(x.shape(), &mask, keepdims);
                let (layout, axes) = (Layout::contiguous(x.shape()), axes_of(&mask));
                let n = eval::size(&shape, name)?;
                saved.resize(n, 0);
                dispatch!(x.dtype(), T => {
                    let mut out: Vec<T> = pool.take(n, name)?;
                    let x = slice::<T>(x);
                    if is_max {
                        reduce::max_axes(x, &layout, &axes, &mut out, Some(saved));
                    } else {
                        reduce::min_axes(x, &layout, &axes, &mut out, Some(saved));
                    }
                    Ok(wrap(out, &shape))
                })
            }
            ReduceOp::Prod { keepdims } => {
                let shape = eval::reduced_shape(x.shape(), &mask, keepdims);
                let dtype = accumulator(x.dtype());
                let xw = eval::as_dtype(x, dtype, pool)?;
                let (layout, axes) = (Layout::contiguous(x.shape()), axes_of(&mask));
                dispatch_num!(dtype, T => {
                    let mut out: Vec<T> = pool.take(eval::size(&shape, name)?, name)?;
                    reduce::prod_axes(slice::<T>(&xw), &layout, &axes, &mut out);
                    Ok(wrap(out, &shape))
                }, bool => unreachable!("prod computes in int64 for bools"))
            }
            ReduceOp::CumSum | ReduceOp::CumProd => unreachable!("handled above"),
        }
    }

    /// [`ReduceOp::backward`] added into `acc` (see `Op::backward_into`):
    /// sum and mean, whose gradient is the upstream one spread over the
    /// reduced axes, and max and min with saved positions, whose gradient
    /// is the upstream one at those positions and zero elsewhere.
    pub(crate) fn backward_into(
        self,
        x: &Array,
        g: &Array,
        params: &[isize],
        acc: &mut Array,
    ) -> bool {
        let shape = x.shape();
        if acc.shape() != shape {
            return false;
        }
        let (mask_params, saved) = params.split_at(params.len().min(shape.len()));
        if matches!(self, ReduceOp::Max { .. } | ReduceOp::Min { .. }) {
            return saved.len() == g.size() && extremes_into(saved, g, acc);
        }
        if !matches!(self, ReduceOp::Sum { .. } | ReduceOp::Mean { .. }) {
            return false;
        }
        let mask = mask_of(mask_params);
        let sp = spread(shape, &mask);
        dispatch_float!(g.dtype(), T => {
            let gs = slice::<T>(g);
            match self {
                ReduceOp::Mean { .. } => {
                    let n = T::from_f64(count(shape, &mask) as f64);
                    eval::add_into(acc, gs, &sp, move |g| g / n)
                }
                _ => eval::add_into(acc, gs, &sp, |g| g),
            }
        }, other => unreachable!("gradients are floats"));
        true
    }

    /// The gradient for the input `x`, in `x`'s shape, given the output
    /// `out` and its gradient `g`.
    pub(crate) fn backward(
        self,
        x: &Array,
        out: &Array,
        g: &Array,
        params: &[isize],
        pool: &mut Pool,
    ) -> Result<Grad> {
        let name = self.name();
        let shape = x.shape();
        // The params are the axis mask, then what the forward saved.
        let (mask_params, saved) = params.split_at(params.len().min(shape.len()));
        let mask = mask_of(mask_params);
        if matches!(self, ReduceOp::Sum { .. } | ReduceOp::Mean { .. }) && x.size() >= SPREAD_MIN {
            // Spread, not formed (see grad.rs): each element of the source
            // is the value every element of its reduced group would get.
            let mut src = dispatch_float!(g.dtype(), T => match self {
                ReduceOp::Mean { .. } => {
                    let n = T::from_f64(count(shape, &mask) as f64);
                    eval::map1::<T, T>(g, pool, name, move |g| g / n)?
                }
                _ => eval::map1::<T, T>(g, pool, name, |g| g)?,
            }, other => unreachable!("gradients are floats"));
            src.shape = eval::reduced_shape(shape, &mask, true);
            return Ok(Grad::spread(src, shape));
        }
        let x = eval::as_dtype(x, g.dtype(), pool)?;
        let x = &*x;
        dispatch_float!(g.dtype(), T => {
            let gs = slice::<T>(g);
            let mut dx: Vec<T> = pool.take(x.size(), name)?;
            match self {
                // d/dx Σx = 1 for every reduced element
                ReduceOp::Sum { .. } => {
                    elementwise::map1(gs, &spread(shape, &mask), &mut dx, |g| g)
                }
                // d/dx mean(x) = 1/N
                ReduceOp::Mean { .. } => {
                    let n = T::from_f64(count(shape, &mask) as f64);
                    elementwise::map1(gs, &spread(shape, &mask), &mut dx, |g| g / n)
                }
                // d/dx var(x) = 2 (x - mean) / (N - ddof); std: times 1 / (2 std).
                // As MyGrad: N - ddof is not clamped at 0, and constant data
                // gives std a NaN gradient (0 / 0).
                ReduceOp::Var { ddof, .. } | ReduceOp::Std { ddof, .. } => {
                    let c = T::from_f64(2.0 / (count(shape, &mask) as f64 - ddof as f64));
                    let m = mean::<T>(x, &mask, true, pool)?;
                    // std first scales the upstream gradient by 1 / (2 std).
                    let scaled = match self {
                        ReduceOp::Std { .. } => {
                            let two = T::ONE + T::ONE;
                            Some(eval::map2::<T, T>(g, out, pool, name, move |g, s| g / (two * s))?)
                        }
                        _ => None,
                    };
                    let (lx, sp) = (Layout::contiguous(shape), spread(shape, &mask));
                    let gs = scaled.as_ref().map_or(gs, slice::<T>);
                    let (xs, ms) = (slice::<T>(x), slice::<T>(&m));
                    let f = |x: T, m: T, g: T| c * (x - m) * g;
                    elementwise::map3(xs, &lx, ms, &sp, gs, &sp, &mut dx, f);
                    pool.give(m.buf);
                    if let Some(a) = scaled {
                        pool.give(a.buf);
                    }
                }
                // The whole gradient goes to the first extreme element.
                ReduceOp::Max { .. } | ReduceOp::Min { .. } => {
                    contig::fill(&mut dx, T::ZERO);
                    if saved.len() == gs.len() {
                        for (&i, &g) in saved.iter().zip(gs) {
                            dx[i as usize] = g;
                        }
                    } else {
                        let is_max = matches!(self, ReduceOp::Max { .. });
                        let at = first_extremes(x, &mask, is_max, name, pool)?;
                        for (&i, &g) in at.iter().zip(gs) {
                            dx[i] = g;
                        }
                    }
                }
                ReduceOp::Prod { .. } => {
                    prod_grad::<T>(slice::<T>(x), shape, gs, &mask, &mut dx, pool)?
                }
                // d/dx_j Σ_{k≥i} x_k: the sum of the gradient from j to the end
                ReduceOp::CumSum => {
                    let (dims, axis) = lanes(shape, params);
                    let layout = Layout::contiguous(&dims);
                    scan::scan_axis(gs, &layout, axis, true, |a: T, b| a + b, &mut dx);
                }
                ReduceOp::CumProd => {
                    let (dims, axis) = lanes(shape, params);
                    scan::cumprod_grad(slice::<T>(x), gs, &dims, axis, &mut dx);
                }
            }
            Ok(Grad::Formed(wrap(dx, shape)))
        }, other => unreachable!("gradients are floats"))
    }
}

/// `acc + d` in place, `d` being `g[j]` at flat position `at[j]` and zero
/// elsewhere (max and min's gradient), with the bits of the formed sum:
/// every other element takes `+ 0` ([`contig::add_zero`]), then each
/// position its `+ g[j]`. The two orders differ only where `acc` is `-0`
/// and `g[j]` is `-0` (`-0 + -0` is `-0`, `(-0 + 0) + -0` is `+0`); then
/// nothing is written and `false` sends the caller to the formed route.
fn extremes_into(at: &[isize], g: &Array, acc: &mut Array) -> bool {
    dispatch_float!(g.dtype(), T => {
        let gs = slice::<T>(g);
        let a = T::slice_mut(&mut acc.buf).expect("the accumulator has the gradient's dtype");
        let neg_zero = |v: T| v == T::ZERO && (T::ONE / v) < T::ZERO;
        if at.iter().zip(gs).any(|(&i, &g)| neg_zero(g) && neg_zero(a[i as usize])) {
            return false;
        }
        contig::add_zero(a);
        for (&i, &g) in at.iter().zip(gs) {
            a[i as usize] += g;
        }
        true
    }, other => unreachable!("gradients are floats"))
}

/// d/dx_i Π_k x_k = Π_{k≠i} x_k, exact with zeros as MyGrad: with one zero
/// in a group, the zero gets the product of the others and the rest 0;
/// with two or more, the whole group gets 0. Otherwise `prod / x_i`. As in
/// MyGrad, a 0-d input passes the gradient through.
fn prod_grad<T: Float + Elem>(
    x: &[T],
    shape: &[usize],
    g: &[T],
    mask: &[usize],
    dx: &mut [T],
    pool: &mut Pool,
) -> Result<()> {
    if shape.is_empty() {
        dx.copy_from_slice(g);
        return Ok(());
    }
    let (layout, axes, sp) = (
        Layout::contiguous(shape),
        axes_of(mask),
        spread(shape, mask),
    );
    let zero = |v: T| u8::from(v == T::ZERO);
    // Per group: the product, or 0 with two or more zeros ...
    let mut p: Vec<T> = pool.take(g.len(), "prod")?;
    reduce::fold_axes(
        x,
        &layout,
        &axes,
        (T::ONE, 0u8),
        |(p, z), v| (p * v, z.saturating_add(zero(v))),
        |(p, z)| if z >= 2 { T::ZERO } else { p },
        &mut p,
    );
    // ... and, with exactly one zero, the product of the others.
    let mut q: Vec<T> = pool.take(g.len(), "prod")?;
    reduce::fold_axes(
        x,
        &layout,
        &axes,
        (T::ONE, 0u8),
        |(q, z), v| {
            if v == T::ZERO {
                (q, z.saturating_add(1))
            } else {
                (q * v, z)
            }
        },
        |(q, z)| if z == 1 { q } else { T::ZERO },
        &mut q,
    );
    elementwise::map3(x, &layout, &p, &sp, &q, &sp, dx, |x, p, q| {
        if x == T::ZERO {
            q
        } else if p == T::ZERO {
            T::ZERO
        } else {
            p / x
        }
    });
    elementwise::zip_assign(dx, g, &sp, |d, g| g * d);
    pool.give(T::wrap(p));
    pool.give(T::wrap(q));
    Ok(())
}

/// The mean over the masked axes of a float array.
fn mean<T: Float + Elem>(
    x: &Array,
    mask: &[usize],
    keepdims: bool,
    pool: &mut Pool,
) -> Result<Array> {
    let n = T::from_f64(count(x.shape(), mask) as f64);
    let mut s = eval::sum(x, mask, keepdims, pool)?;
    for v in s.as_mut_slice::<T>().expect("a float sum") {
        *v /= n;
    }
    Ok(s)
}

/// NumPy's `var` (or `std` with `sqrt`): the mean of the squared deviations
/// from the mean, dividing by `max(N - ddof, 0)`.
fn variance<T: Float + Elem>(
    x: &Array,
    mask: &[usize],
    keepdims: bool,
    ddof: usize,
    sqrt: bool,
    pool: &mut Pool,
) -> Result<Array> {
    let n = count(x.shape(), mask);
    let m = mean::<T>(x, mask, true, pool)?;
    let mut sq: Vec<T> = pool.take(x.size(), "var")?;
    let lx = Layout::contiguous(x.shape());
    elementwise::map2(
        slice::<T>(x),
        &lx,
        slice::<T>(&m),
        &spread(x.shape(), mask),
        &mut sq,
        |x, m| {
            let d = x - m;
            d * d
        },
    );
    pool.give(m.buf);
    let sq = wrap(sq, x.shape());
    let mut s = eval::sum(&sq, mask, keepdims, pool)?;
    pool.give(sq.buf);
    let div = T::from_f64(n.saturating_sub(ddof) as f64);
    for v in s.as_mut_slice::<T>().expect("a float sum") {
        *v = if sqrt {
            Float::sqrt(*v / div)
        } else {
            *v / div
        };
    }
    Ok(s)
}

/// The row-major flat index of the first maximum (or minimum) of each
/// group; NaN counts as the extreme, as in NumPy.
fn first_extremes(
    x: &Array,
    mask: &[usize],
    is_max: bool,
    op: &'static str,
    pool: &mut Pool,
) -> Result<Vec<usize>> {
    nonempty(x, mask, op)?;
    let shape = eval::reduced_shape(x.shape(), mask, false);
    let n = eval::size(&shape, op)?;
    let (layout, axes) = (Layout::contiguous(x.shape()), axes_of(mask));
    let mut at = eval::try_vec(n, 0, op, &shape)?;
    dispatch!(x.dtype(), T => {
        let mut vals: Vec<T> = pool.take(n, op)?;
        if is_max {
            reduce::max_axes(slice::<T>(x), &layout, &axes, &mut vals, Some(&mut at));
        } else {
            reduce::min_axes(slice::<T>(x), &layout, &axes, &mut vals, Some(&mut at));
        }
        pool.give(T::wrap(vals));
    });
    Ok(at)
}

/// `argmax` (`is_max`) or `argmin`: the int64 index of the first extreme
/// along `axis`, or into the flattened input when `axis` is `None`.
pub(crate) fn arg_extreme(x: &Array, axis: Option<usize>, is_max: bool) -> Result<Array> {
    let op = if is_max { "argmax" } else { "argmin" };
    let shape = x.shape();
    let mask: Dims = match axis {
        None => Dims::filled(1, shape.len()),
        Some(a) => (0..shape.len()).map(|k| usize::from(k == a)).collect(),
    };
    let at = first_extremes(x, &mask, is_max, op, &mut Pool::default())?;
    let index = |flat: usize| match axis {
        None => flat as i64,
        Some(a) => ((flat / shape[a + 1..].iter().product::<usize>()) % shape[a]) as i64,
    };
    let out: Vec<i64> = at.into_iter().map(index).collect();
    Ok(wrap(out, &eval::reduced_shape(shape, &mask, false)))
}

/// `any`: whether some element of each group is nonzero (NaN is).
pub(crate) fn any(x: &Array, mask: &[usize], keepdims: bool) -> Result<Array> {
    let shape = eval::reduced_shape(x.shape(), mask, keepdims);
    let mut out = eval::try_vec(eval::size(&shape, "any")?, false, "any", &shape)?;
    let (layout, axes) = (Layout::contiguous(x.shape()), axes_of(mask));
    dispatch!(x.dtype(), T => {
        let nonzero = |a: bool, v: T| a || v != T::ZERO;
        reduce::fold_axes(slice::<T>(x), &layout, &axes, false, nonzero, |a| a, &mut out)
    });
    Ok(wrap(out, &shape))
}

/// Max, min and their arg forms have no identity: an empty group is an error.
fn nonempty(x: &Array, mask: &[usize], op: &'static str) -> Result<()> {
    if count(x.shape(), mask) == 0 {
        return Err(Error::EmptyReduction {
            op,
            shape: x.shape().to_vec(),
        });
    }
    Ok(())
}

/// NumPy's accumulator dtype for `prod`, `cumsum` and `cumprod` (as for
/// `sum`): floats keep theirs, integers and bools accumulate in int64.
fn accumulator(dtype: DType) -> DType {
    if dtype.is_float() {
        dtype
    } else {
        DType::Int64
    }
}

/// The lanes of a cumulative op: the shape it scans and the axis, which is
/// the flattened input (`[size]`, axis 0) without an axis param.
fn lanes(shape: &[usize], params: &[isize]) -> (Dims, usize) {
    match params {
        [axis] => (Dims::from(shape), *axis as usize),
        _ => (Dims::from(&[shape.iter().product::<usize>()][..]), 0),
    }
}

fn mask_of(params: &[isize]) -> Dims {
    params.iter().map(|&m| m as usize).collect()
}

fn axes_of(mask: &[usize]) -> SmallVec<bool> {
    mask.iter().map(|&m| m != 0).collect()
}

/// Reads an array of the reduced shape as if broadcast back over `shape`.
fn spread(shape: &[usize], mask: &[usize]) -> Layout {
    Layout::contiguous(&eval::reduced_shape(shape, mask, true))
        .broadcast_to(shape)
        .expect("a keepdims shape broadcasts to its input")
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

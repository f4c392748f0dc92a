//! Cumulative operations along one axis: inclusive scans (`cumsum`,
//! `cumprod`, forward or from the end) and the gradient of a cumulative
//! product, exact when the input has zeros.
//!
//! A *lane* is the run of elements along the axis at one position of the
//! other axes. Each lane is scanned sequentially from its first element (its
//! last, reversed), as NumPy's `accumulate` does; the loop order over lanes
//! follows the memory layout but never changes a lane's sequence of
//! operations, so results depend only on the values.

use crate::dims::{Dims, Strides};
use crate::element::{Element, Num};
use crate::layout::{check_fits, contiguous_strides, Layout};
use crate::walk::Walk;

/// Inclusive scan of `src` (seen through `layout`) along `axis`, written to
/// the C-contiguous `out`: `out[…, 0, …] = x[…, 0, …]` and
/// `out[…, i, …] = f(out[…, i−1, …], x[…, i, …])`. With `reverse` each lane
/// is scanned from its last element instead:
/// `out[…, i, …] = f(out[…, i+1, …], x[…, i, …])`.
///
/// # Panics
/// If `axis` is not an axis of `layout`, `out` does not have `layout`'s
/// size, or `layout` reaches outside `src`.
///
/// ```
/// use causing_diff_kernels::{scan_axis, Layout};
/// let x = [1, 2, 3, 4, 5, 6];
/// let mut out = [0; 6];
/// scan_axis(&x, &Layout::contiguous(&[2, 3]), 1, false, |a, b| a + b, &mut out);
/// assert_eq!(out, [1, 3, 6, 4, 9, 15]);
/// scan_axis(&x, &Layout::contiguous(&[2, 3]), 0, true, |a, b| a * b, &mut out);
/// assert_eq!(out, [4, 10, 18, 4, 5, 6]);
/// ```
pub fn scan_axis<T: Element>(
    src: &[T],
    layout: &Layout,
    axis: usize,
    reverse: bool,
    f: impl Fn(T, T) -> T,
    out: &mut [T],
) {
    check_axis(layout.dims(), axis, out.len(), "scan_axis");
    check_fits(layout, src.len(), "scan_axis");
    let dims = layout.dims();
    let n = dims[axis];
    let ostrides = contiguous_strides(dims);
    let (sa, oa) = (layout.strides()[axis], ostrides[axis]);
    if n == 0 {
        return;
    }
    let pos = |i: usize| if reverse { n - 1 - i } else { i };
    let walk = lanes(dims, axis, [layout.strides(), &ostrides]);
    walk.run([layout.offset(), 0], |[s0, o0], len, [ss, os]| {
        if len == 1 || sa.unsigned_abs() <= ss.unsigned_abs() {
            // Lane by lane: the axis is the tighter direction in memory.
            for t in 0..len {
                let (s, o) = (at(s0, t, ss), at(o0, t, os));
                let mut acc = src[at(s, pos(0), sa)];
                out[at(o, pos(0), oa)] = acc;
                for i in 1..n {
                    acc = f(acc, src[at(s, pos(i), sa)]);
                    out[at(o, pos(i), oa)] = acc;
                }
            }
        } else {
            // Step every lane of the run together, one axis position at a time.
            for t in 0..len {
                out[at(at(o0, t, os), pos(0), oa)] = src[at(at(s0, t, ss), pos(0), sa)];
            }
            for i in 1..n {
                let (prev, cur) = (pos(i - 1), pos(i));
                for t in 0..len {
                    let o = at(o0, t, os);
                    let x = src[at(at(s0, t, ss), cur, sa)];
                    out[at(o, cur, oa)] = f(out[at(o, prev, oa)], x);
                }
            }
        }
    });
}

/// The gradient of `y = cumprod(x)` along `axis`, given `g = ∂L/∂y`: per
/// lane, `out_j = Σ_{k≥j} g_k · Π_{i≤k, i≠j} x_i`. `x`, `g` and `out` are
/// C-contiguous of shape `dims`.
///
/// It is computed without division, as the product of the elements before
/// `j` times the Horner sum `r_j = g_j + x_{j+1}·r_{j+1}` from the lane's
/// end, so zeros in `x` give exact results (after the first zero of a lane
/// everything is 0; the first zero gets the sum over the products of the
/// others) and a NaN only spreads where the products really contain it.
///
/// # Panics
/// If `axis` is not an axis of `dims` or a slice's length is not the size
/// of `dims`.
///
/// ```
/// use causing_diff_kernels::cumprod_grad;
/// // y = (2, 2·0, 2·0·3): ∂(y0 + y1 + y2)/∂x = (1, 2 + 2·3, 0)
/// let mut out = [0.0; 3];
/// cumprod_grad(&[2.0, 0.0, 3.0], &[1.0, 1.0, 1.0], &[3], 0, &mut out);
/// assert_eq!(out, [1.0, 8.0, 0.0]);
/// ```
pub fn cumprod_grad<T: Num>(x: &[T], g: &[T], dims: &[usize], axis: usize, out: &mut [T]) {
    check_axis(dims, axis, out.len(), "cumprod_grad");
    assert!(
        x.len() == out.len() && g.len() == out.len(),
        "cumprod_grad: x has {} elements, g {}, out {}",
        x.len(),
        g.len(),
        out.len()
    );
    let n = dims[axis];
    if n == 0 {
        return;
    }
    let strides = contiguous_strides(dims);
    let a = strides[axis];
    let walk = lanes(dims, axis, [&strides]);
    walk.run([0], |[o0], len, [os]| {
        for t in 0..len {
            let o = at(o0, t, os);
            let idx = |i: usize| at(o, i, a);
            // r_j, from the end of the lane.
            let mut r = g[idx(n - 1)];
            out[idx(n - 1)] = r;
            for j in (0..n - 1).rev() {
                r = g[idx(j)].wrapping_add(x[idx(j + 1)].wrapping_mul(r));
                out[idx(j)] = r;
            }
            // Times the product of the elements before j.
            let mut p = T::ONE;
            for j in 0..n {
                out[idx(j)] = p.wrapping_mul(out[idx(j)]);
                p = p.wrapping_mul(x[idx(j)]);
            }
        }
    });
}

#[track_caller]
fn check_axis(dims: &[usize], axis: usize, out_len: usize, what: &str) {
    assert!(
        axis < dims.len(),
        "{what}: axis {axis} of a {}-d layout",
        dims.len()
    );
    let size: usize = dims.iter().product();
    assert_eq!(
        out_len, size,
        "{what}: output has {out_len} elements but the layout has {size}"
    );
}

/// A walk over the start of every lane: the index space of `dims` without
/// `axis`, with each operand's strides along the other axes.
fn lanes<const K: usize>(dims: &[usize], axis: usize, strides: [&[isize]; K]) -> Walk<K> {
    let other = |s: &[isize]| -> Strides {
        s.iter()
            .enumerate()
            .filter(|&(a, _)| a != axis)
            .map(|(_, &x)| x)
            .collect()
    };
    let kept: Dims = dims
        .iter()
        .enumerate()
        .filter(|&(a, _)| a != axis)
        .map(|(_, &d)| d)
        .collect();
    let owned: [Strides; K] = strides.map(other);
    let refs: [&[isize]; K] = core::array::from_fn(|k| &owned[k][..]);
    Walk::new(&kept, refs)
}

/// Offset of element `i` of a run starting at `base` with stride `stride`.
#[inline(always)]
fn at(base: usize, i: usize, stride: isize) -> usize {
    (base as isize + i as isize * stride) as usize
}

//! Reductions over any set of axes: pairwise `sum`, `prod`, `max`/`min` with
//! the first arg-position, and a generic fold.
//!
//! `axes[a] == true` reduces axis `a`. The output is contiguous in C order over
//! the kept axes (equivalently the keepdims shape). Two loop orders, chosen by
//! which side is innermost in memory:
//! - *inner*: for each output, walk its reduced elements (runs along the
//!   reduced axes);
//! - *outer*: for a chunk of up to 64 consecutive outputs, walk the
//!   reduced elements once, updating every lane from one row.
//!
//! Folds (`prod`, `max`, `min`, [`fold_axes`]) apply the same sequence of
//! operations to each output in either order. Sums add runs pairwise
//! (NumPy's scheme) in the inner order and blocks of rows in the outer one,
//! and combine runs or blocks with a binary cascade, so the error grows like
//! `log n`, never `n`. Every result depends only on the input values and
//! layout.

use crate::dims::{Dims, Strides};
use crate::element::{Element, Num};
use crate::layout::{check_fits, contiguous_strides, Layout};
use crate::pairwise::{pairwise, pairwise_by, Cascade};
use crate::par::{min_chunk, Cost};
use crate::walk::Walk;

use core::ops::Range;
use std::borrow::Cow;

/// Outputs handled together by the outer loop order.
const LANES: usize = 64;
/// Rows the outer loop order adds sequentially before cascading.
const LEAF_ROWS: usize = 16;

/// Sums over the axes flagged in `axes` into `out` (length = product of the
/// kept dims). Floats are summed pairwise; integers wrap on overflow.
///
/// # Panics
/// If `axes.len() != layout.ndim()`, `out` has the wrong length, or `layout`
/// reaches outside `src`.
///
/// ```
/// use causing_diff_kernels::{sum_axes, Layout};
/// let x = [1, 2, 3, 4, 5, 6];
/// let mut out = [0; 3];
/// sum_axes(&x, &Layout::contiguous(&[2, 3]), &[true, false], &mut out);
/// assert_eq!(out, [5, 7, 9]);
/// ```
pub fn sum_axes<T: Num>(src: &[T], layout: &Layout, axes: &[bool], out: &mut [T]) {
    let whole = !axes.is_empty() && !axes.contains(&false);
    if whole && out.len() == 1 && layout.size() > 0 && layout.is_contiguous() {
        // A whole contiguous array (the common `sum()`): the one run the
        // general path would sum, without its set-up (350 ns for 16
        // elements, most of it moving walk and split structures).
        check_source(layout, axes, src.len(), "sum_axes");
        let run = &src[layout.offset()..layout.offset() + layout.size()];
        out[0] = T::ZERO.wrapping_add(pairwise(run, 0, run.len(), 1));
        return;
    }
    Split::new(layout, axes, out.len(), src.len(), "sum_axes");
    let outer = sum_order([layout], axes);
    by_kept(layout, axes, out, None, |c, o, _| {
        sum_serial(src, &c.of(layout), None, outer, axes, o)
    });
}

/// [`sum_axes`] of the C-contiguous array holding the values `src` shows
/// through `layout`, without forming it: every output gets the same
/// additions in the same order, and so the same bits, while the values are
/// read in place (a broadcast's stride-0 axes read one value many times).
/// Returns false, leaving `out` alone, when `layout` cannot follow that
/// order: when a run the contiguous array sums in one piece crosses from a
/// stride-0 axis to a real one (see [`Walk::new_as`]).
///
/// # Panics
/// As [`sum_axes`].
///
/// ```
/// use causing_diff_kernels::{sum_axes, sum_axes_as_contiguous, Layout};
/// // A row of 3 broadcast over 500 rows, summed down the rows.
/// let row = [0.1f32, 0.2, 0.3];
/// let spread = Layout::contiguous(&[3]).broadcast_to(&[500, 3]).unwrap();
/// let mut out = [0.0; 3];
/// assert!(sum_axes_as_contiguous(&row, &spread, &[true, false], &mut out));
/// let formed: Vec<f32> = (0..500).flat_map(|_| row).collect();
/// let mut want = [0.0; 3];
/// sum_axes(&formed, &Layout::contiguous(&[500, 3]), &[true, false], &mut want);
/// assert_eq!(out, want);
/// ```
pub fn sum_axes_as_contiguous<T: Num>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    out: &mut [T],
) -> bool {
    Split::new(layout, axes, out.len(), src.len(), "sum_axes");
    let order = Layout::contiguous(layout.dims());
    if !follows(&order, layout, axes) {
        return false;
    }
    let outer = sum_order([&order], axes);
    by_kept(layout, axes, out, None, |c, o, _| {
        sum_serial(src, &c.of(layout), Some(&c.of(&order)), outer, axes, o)
    });
    true
}

/// Whether `read` can follow the runs of `order`'s kept and reduced walks
/// (see [`Walk::new_as`]). The walks of one thread's share of the outputs
/// merge a subset of those axes (a contiguous layout's first kept axis,
/// shortened, merges with nothing it did not merge with whole), so `read`
/// follows them too.
fn follows(order: &Layout, read: &Layout, axes: &[bool]) -> bool {
    let (so, sr) = (Split::of(order, axes), Split::of(read, axes));
    Walk::new_as(&so.kept_dims, [&so.kept_strides], [&sr.kept_strides]).is_some()
        && Walk::new_as(&so.red_dims, [&so.red_strides], [&sr.red_strides]).is_some()
}

/// The kept and reduced walks of `read`, with the merges of `order`'s when
/// given.
fn walks<const K: usize>(read: [&Split; K], order: Option<[&Split; K]>) -> (Walk<K>, Walk<K>) {
    let kept = read.map(|s| &s.kept_strides[..]);
    let red = read.map(|s| &s.red_strides[..]);
    let (kd, rd) = (&read[0].kept_dims, &read[0].red_dims);
    match order {
        None => (Walk::new(kd, kept), Walk::new(rd, red)),
        Some(o) => {
            let follow = "the layouts were checked to follow the order";
            (
                Walk::new_as(kd, o.map(|s| &s.kept_strides[..]), kept).expect(follow),
                Walk::new_as(rd, o.map(|s| &s.red_strides[..]), red).expect(follow),
            )
        }
    }
}

/// Whether a sum over `axes` of the operands read through `layouts` takes
/// the outer loop order ([`outer_order`]). It is decided once for the whole
/// array: a thread's share of the outputs, down to one output per row, must
/// add as the whole array does, so that the result does not depend on the
/// thread count.
fn sum_order<const K: usize>(layouts: [&Layout; K], axes: &[bool]) -> bool {
    let splits = layouts.map(|l| Split::of(l, axes));
    let (kw, rw) = walks(splits.each_ref(), None);
    outer_order(&kw, &rw)
}

/// A sum over `axes` of `src` read through `layout`, in the loop order
/// `outer` (see [`sum_order`]), with the runs of `order` when given.
fn sum_serial<T: Num>(
    src: &[T],
    layout: &Layout,
    order: Option<&Layout>,
    outer: bool,
    axes: &[bool],
    out: &mut [T],
) {
    let sp = Split::new(layout, axes, out.len(), src.len(), "sum_axes");
    if !axes.contains(&true) {
        crate::elementwise::map1(src, layout, out, |x| x);
        return;
    }
    if sp.red_size() == 0 {
        out.fill(T::ZERO);
        return;
    }
    let so = order.map(|o| Split::of(o, axes));
    let (kw, rw) = walks([&sp], so.as_ref().map(|o| [o]));
    if outer {
        sum_outer(src, sp.offset, &kw, &rw, out);
    } else {
        sum_inner(src, sp.offset, &kw, &rw, out);
    }
}

/// Outer loop order: each lane adds [`LEAF_ROWS`] rows sequentially, and the
/// row blocks are combined by a cascade.
fn sum_outer<T: Num>(src: &[T], offset: usize, kw: &Walk<1>, rw: &Walk<1>, out: &mut [T]) {
    // One block of outputs (at most LANES) already reads whole rows.
    if kw.runs() == 1 && kw.inner_strides()[0] == 1 && kw.inner_len() > LANES {
        sum_rows(src, offset, kw.inner_len(), rw, out);
    } else {
        sum_blocks(src, offset, kw, rw, out);
    }
}

/// [`sum_outer`] a block of [`LANES`] outputs at a time, down every row.
fn sum_blocks<T: Num>(src: &[T], offset: usize, kw: &Walk<1>, rw: &Walk<1>, out: &mut [T]) {
    let mut cascade = Cascade::new();
    let mut j = 0;
    kw.run([offset], |[ko], klen, [ks]| {
        for t0 in (0..klen).step_by(LANES) {
            let l = LANES.min(klen - t0);
            let mut acc = [T::ZERO; LANES];
            let acc = &mut acc[..l];
            let mut rows = 0;
            rw.run([at(ko, t0, ks)], |[ro], rlen, [rs]| {
                for i in 0..rlen {
                    let row = at(ro, i, rs);
                    if ks == 1 {
                        for (s, &x) in acc.iter_mut().zip(&src[row..row + l]) {
                            *s = s.wrapping_add(x);
                        }
                    } else {
                        for (t, s) in acc.iter_mut().enumerate() {
                            *s = s.wrapping_add(src[at(row, t, ks)]);
                        }
                    }
                    rows += 1;
                    if rows == LEAF_ROWS {
                        cascade.push(acc);
                        acc.fill(T::ZERO);
                        rows = 0;
                    }
                }
            });
            if rows > 0 {
                cascade.push(acc);
            }
            cascade.finish(&mut out[j..j + l]);
            j += l;
        }
    });
}

/// [`sum_outer`] for outputs that are one contiguous run of `width`
/// elements (a sum over the leading axes of a C-ordered array): the same
/// additions in the same order for every output, with the loops turned
/// round so that each row is read once from end to end. Reading a block of
/// [`LANES`] columns down every row instead read 4096 × 4096 f32 at a third
/// of the memory bandwidth (a 16 KiB stride defeats the prefetchers).
fn sum_rows<T: Num>(src: &[T], offset: usize, width: usize, rw: &Walk<1>, out: &mut [T]) {
    fold_rows(width, [offset], rw, out, |acc, [row]| {
        for (s, &x) in acc.iter_mut().zip(&src[row..row + width]) {
            *s = s.wrapping_add(x);
        }
    });
}

/// The loops of [`sum_rows`]: `add_row(acc, starts)` adds one row (its
/// start in each operand) into the `width` accumulators, which every
/// [`LEAF_ROWS`] rows go, a block of [`LANES`] at a time, into that block's
/// cascade, as [`sum_outer`]'s column blocks do.
fn fold_rows<T: Num, const K: usize>(
    width: usize,
    offsets: [usize; K],
    rw: &Walk<K>,
    out: &mut [T],
    mut add_row: impl FnMut(&mut [T], [usize; K]),
) {
    let mut acc = vec![T::ZERO; width];
    let mut cascades: Vec<Cascade<T>> =
        (0..width.div_ceil(LANES)).map(|_| Cascade::new()).collect();
    let mut rows = 0;
    let mut push = |acc: &mut [T]| {
        for (c, a) in cascades.iter_mut().zip(acc.chunks_mut(LANES)) {
            c.push(a);
            a.fill(T::ZERO);
        }
    };
    rw.run(offsets, |starts, rlen, strides| {
        for i in 0..rlen {
            add_row(
                &mut acc,
                core::array::from_fn(|k| at(starts[k], i, strides[k])),
            );
            rows += 1;
            if rows == LEAF_ROWS {
                push(&mut acc);
                rows = 0;
            }
        }
    });
    if rows > 0 {
        push(&mut acc);
    }
    for (c, o) in cascades.iter_mut().zip(out.chunks_mut(LANES)) {
        c.finish(o);
    }
}

/// Inner loop order: each run is summed pairwise, and the runs of one output
/// (if more than one) are combined by a cascade.
fn sum_inner<T: Num>(src: &[T], offset: usize, kw: &Walk<1>, rw: &Walk<1>, out: &mut [T]) {
    let mut cascade = Cascade::new();
    let single = rw.runs() == 1;
    let mut j = 0;
    kw.run([offset], |[ko], klen, [ks]| {
        for t in 0..klen {
            let base = at(ko, t, ks);
            if single {
                let (len, [rs]) = (rw.inner_len(), rw.inner_strides());
                out[j] = T::ZERO.wrapping_add(pairwise(src, base, len, rs));
            } else {
                rw.run([base], |[ro], rlen, [rs]| {
                    cascade.push(&[pairwise(src, ro, rlen, rs)])
                });
                cascade.finish(&mut out[j..j + 1]);
            }
            j += 1;
        }
    });
}

/// Sums the products `a·b` over the axes flagged in `axes`: the gradient of
/// a product whose other factor was broadcast, without forming the
/// broadcast product. `la` and `lb` have the same dims (broadcast `b` with
/// stride-0 axes); `la` decides the loop order, as it would for the
/// materialised product laid out like `a`. Runs of the joint walk are summed
/// pairwise and combined by a cascade, as in [`sum_axes`]; the result does
/// not depend on the thread count.
///
/// # Panics
/// If the dims differ, `axes.len()` is not their number, `out` has the
/// wrong length, or a layout reaches outside its slice.
///
/// ```
/// use causing_diff_kernels::{sum_prod_axes, Layout};
/// let g = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let b = [10.0, 100.0, 1000.0];
/// let lb = Layout::contiguous(&[3]).broadcast_to(&[2, 3]).unwrap();
/// let mut out = [0.0; 3];
/// sum_prod_axes(&g, &Layout::contiguous(&[2, 3]), &b, &lb, &[true, false], &mut out);
/// assert_eq!(out, [50.0, 700.0, 9000.0]);
/// ```
pub fn sum_prod_axes<T: Num>(
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    axes: &[bool],
    out: &mut [T],
) {
    check_operands(a, la, b, lb, axes, out.len());
    let outer = sum_order([la, lb], axes);
    by_kept(la, axes, out, None, |c, o, _| {
        sum_prod_serial(a, &c.of(la), b, &c.of(lb), None, outer, axes, o)
    });
}

/// [`sum_prod_axes`] with `a` the C-contiguous array holding the values
/// `a` shows through `la`, without forming it, as
/// [`sum_axes_as_contiguous`] is to [`sum_axes`]: the same products added
/// in the same order, read in place. Returns false, leaving `out` alone,
/// when `la` cannot follow the runs of that order.
///
/// # Panics
/// As [`sum_prod_axes`].
///
/// ```
/// use causing_diff_kernels::{sum_prod_axes, sum_prod_axes_as_contiguous, Layout};
/// // A 0-d gradient spread over 300 × 2, times a row spread over the rows.
/// let g = [0.5f64];
/// let lg = Layout::contiguous(&[]).broadcast_to(&[300, 2]).unwrap();
/// let b = [0.1, 0.3];
/// let lb = Layout::contiguous(&[2]).broadcast_to(&[300, 2]).unwrap();
/// let mut out = [0.0; 2];
/// assert!(sum_prod_axes_as_contiguous(&g, &lg, &b, &lb, &[true, false], &mut out));
/// let mut want = [0.0; 2];
/// let formed = [0.5; 600];
/// let lc = Layout::contiguous(&[300, 2]);
/// sum_prod_axes(&formed, &lc, &b, &lb, &[true, false], &mut want);
/// assert_eq!(out, want);
/// ```
pub fn sum_prod_axes_as_contiguous<T: Num>(
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    axes: &[bool],
    out: &mut [T],
) -> bool {
    check_operands(a, la, b, lb, axes, out.len());
    let order = Layout::contiguous(la.dims());
    if !follows_pair(&order, la, lb, axes) {
        return false;
    }
    let outer = sum_order([&order, lb], axes);
    by_kept(la, axes, out, None, |c, o, _| {
        let order = c.of(&order);
        sum_prod_serial(a, &c.of(la), b, &c.of(lb), Some(&order), outer, axes, o)
    });
    true
}

/// The panics [`sum_prod_axes`] documents.
#[track_caller]
fn check_operands<T>(a: &[T], la: &Layout, b: &[T], lb: &Layout, axes: &[bool], n: usize) {
    assert_eq!(
        la.dims(),
        lb.dims(),
        "sum_prod_axes: operand dims {:?} and {:?} differ",
        la.dims(),
        lb.dims()
    );
    Split::new(la, axes, n, a.len(), "sum_prod_axes");
    Split::new(lb, axes, n, b.len(), "sum_prod_axes");
}

/// Whether `la` and `lb` read together can follow the runs that `order`
/// and `lb` make together.
fn follows_pair(order: &Layout, la: &Layout, lb: &Layout, axes: &[bool]) -> bool {
    let (so, sa, sb) = (
        Split::of(order, axes),
        Split::of(la, axes),
        Split::of(lb, axes),
    );
    let (kb, rb) = (&sb.kept_strides[..], &sb.red_strides[..]);
    Walk::new_as(
        &so.kept_dims,
        [&so.kept_strides, kb],
        [&sa.kept_strides, kb],
    )
    .is_some()
        && Walk::new_as(&so.red_dims, [&so.red_strides, rb], [&sa.red_strides, rb]).is_some()
}

/// A sum over `axes` of products read through `la` and `lb`, in the loop
/// order `outer` (see [`sum_order`]), with the runs that `order`
/// makes with `lb` when given.
#[allow(clippy::too_many_arguments)]
fn sum_prod_serial<T: Num>(
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    order: Option<&Layout>,
    outer: bool,
    axes: &[bool],
    out: &mut [T],
) {
    let sa = Split::new(la, axes, out.len(), a.len(), "sum_prod_axes");
    let sb = Split::new(lb, axes, out.len(), b.len(), "sum_prod_axes");
    if !axes.contains(&true) {
        crate::elementwise::map2(a, la, b, lb, out, |x, y| x.wrapping_mul(y));
        return;
    }
    if sa.red_size() == 0 {
        out.fill(T::ZERO);
        return;
    }
    let so = order.map(|o| Split::of(o, axes));
    let (kw, rw) = walks([&sa, &sb], so.as_ref().map(|o| [o, &sb]));
    let offsets = [sa.offset, sb.offset];
    if outer {
        sum_prod_outer(a, b, offsets, &kw, &rw, out);
    } else {
        sum_prod_inner(a, b, offsets, &kw, &rw, out);
    }
}

/// [`sum_outer`] over products.
fn sum_prod_outer<T: Num>(
    a: &[T],
    b: &[T],
    offsets: [usize; 2],
    kw: &Walk<2>,
    rw: &Walk<2>,
    out: &mut [T],
) {
    let [ksa, ksb] = kw.inner_strides();
    let along = |s: isize| s == 1 || s == 0;
    if kw.runs() == 1 && kw.inner_len() > LANES && along(ksa) && along(ksb) {
        sum_prod_rows(a, b, offsets, kw.inner_len(), [ksa == 0, ksb == 0], rw, out);
    } else {
        sum_prod_blocks(a, b, offsets, kw, rw, out);
    }
}

/// [`sum_rows`] over products, for operands each contiguous along the
/// outputs, or one value per row (`per_row`: a stride-0 run).
fn sum_prod_rows<T: Num>(
    a: &[T],
    b: &[T],
    offsets: [usize; 2],
    width: usize,
    per_row: [bool; 2],
    rw: &Walk<2>,
    out: &mut [T],
) {
    fold_rows(width, offsets, rw, out, |acc, [ro, rp]| match per_row {
        [false, false] => {
            let terms = a[ro..ro + width].iter().zip(&b[rp..rp + width]);
            for (s, (&x, &y)) in acc.iter_mut().zip(terms) {
                *s = s.wrapping_add(x.wrapping_mul(y));
            }
        }
        [false, true] => {
            let y = b[rp];
            for (s, &x) in acc.iter_mut().zip(&a[ro..ro + width]) {
                *s = s.wrapping_add(x.wrapping_mul(y));
            }
        }
        [true, false] => {
            let x = a[ro];
            for (s, &y) in acc.iter_mut().zip(&b[rp..rp + width]) {
                *s = s.wrapping_add(x.wrapping_mul(y));
            }
        }
        [true, true] => {
            let p = a[ro].wrapping_mul(b[rp]);
            for s in acc.iter_mut() {
                *s = s.wrapping_add(p);
            }
        }
    });
}

/// [`sum_prod_outer`] a block of [`LANES`] outputs at a time, down every
/// row.
fn sum_prod_blocks<T: Num>(
    a: &[T],
    b: &[T],
    offsets: [usize; 2],
    kw: &Walk<2>,
    rw: &Walk<2>,
    out: &mut [T],
) {
    let mut cascade = Cascade::new();
    let mut j = 0;
    kw.run(offsets, |[ka, kb], klen, [ksa, ksb]| {
        for t0 in (0..klen).step_by(LANES) {
            let l = LANES.min(klen - t0);
            let mut acc = [T::ZERO; LANES];
            let acc = &mut acc[..l];
            let mut rows = 0;
            let starts = [at(ka, t0, ksa), at(kb, t0, ksb)];
            rw.run(starts, |[ra, rb], rlen, [rsa, rsb]| {
                for i in 0..rlen {
                    let (ro, rp) = (at(ra, i, rsa), at(rb, i, rsb));
                    match (ksa, ksb) {
                        (1, 1) => {
                            let terms = a[ro..ro + l].iter().zip(&b[rp..rp + l]);
                            for (s, (&x, &y)) in acc.iter_mut().zip(terms) {
                                *s = s.wrapping_add(x.wrapping_mul(y));
                            }
                        }
                        (1, 0) => {
                            let y = b[rp];
                            for (s, &x) in acc.iter_mut().zip(&a[ro..ro + l]) {
                                *s = s.wrapping_add(x.wrapping_mul(y));
                            }
                        }
                        _ => {
                            for (t, s) in acc.iter_mut().enumerate() {
                                let p = a[at(ro, t, ksa)].wrapping_mul(b[at(rp, t, ksb)]);
                                *s = s.wrapping_add(p);
                            }
                        }
                    }
                    rows += 1;
                    if rows == LEAF_ROWS {
                        cascade.push(acc);
                        acc.fill(T::ZERO);
                        rows = 0;
                    }
                }
            });
            if rows > 0 {
                cascade.push(acc);
            }
            cascade.finish(&mut out[j..j + l]);
            j += l;
        }
    });
}

/// [`sum_inner`] over products.
fn sum_prod_inner<T: Num>(
    a: &[T],
    b: &[T],
    offsets: [usize; 2],
    kw: &Walk<2>,
    rw: &Walk<2>,
    out: &mut [T],
) {
    let mut cascade = Cascade::new();
    let run_sum = |[ra, rb]: [usize; 2], len: usize, [sa, sb]: [isize; 2]| -> T {
        // The same products in every case; contiguous and stride-0 runs
        // read without index arithmetic.
        if sa == 1 && sb == 1 {
            let (x, y) = (&a[ra..ra + len], &b[rb..rb + len]);
            pairwise_by(0, len, &|i| x[i].wrapping_mul(y[i]))
        } else if sa == 0 && sb == 1 {
            let (x, y) = (a[ra], &b[rb..rb + len]);
            pairwise_by(0, len, &|i| x.wrapping_mul(y[i]))
        } else if sa == 1 && sb == 0 {
            let (x, y) = (&a[ra..ra + len], b[rb]);
            pairwise_by(0, len, &|i| x[i].wrapping_mul(y))
        } else {
            pairwise_by(0, len, &|i| a[at(ra, i, sa)].wrapping_mul(b[at(rb, i, sb)]))
        }
    };
    let single = rw.runs() == 1;
    let mut j = 0;
    kw.run(offsets, |[ka, kb], klen, [ksa, ksb]| {
        for t in 0..klen {
            let base = [at(ka, t, ksa), at(kb, t, ksb)];
            if single {
                out[j] = T::ZERO.wrapping_add(run_sum(base, rw.inner_len(), rw.inner_strides()));
            } else {
                rw.run(base, |r, rlen, rs| cascade.push(&[run_sum(r, rlen, rs)]));
                cascade.finish(&mut out[j..j + 1]);
            }
            j += 1;
        }
    });
}

/// Multiplies over the axes flagged in `axes` (integers wrap on overflow).
///
/// # Panics
/// As [`sum_axes`].
pub fn prod_axes<T: Num>(src: &[T], layout: &Layout, axes: &[bool], out: &mut [T]) {
    fold_axes(
        src,
        layout,
        axes,
        T::ONE,
        |p, x| p.wrapping_mul(x),
        |p| p,
        out,
    );
}

/// Maximum over the axes flagged in `axes`. When `arg` is given, `arg[j]`
/// receives the row-major flat index into the whole input (a logical index
/// over `layout.dims()`, not a memory offset) of the first maximum. NaN
/// propagates and the first NaN wins, as in NumPy.
///
/// # Panics
/// As [`sum_axes`], and also if `arg` has the wrong length or a reduced axis
/// has size 0 while `out` is non-empty.
pub fn max_axes<T: Element>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    out: &mut [T],
    arg: Option<&mut [usize]>,
) {
    extreme::<T, true>(src, layout, axes, out, arg, "max_axes");
}

/// Minimum over the axes flagged in `axes`; otherwise as [`max_axes`].
///
/// # Panics
/// As [`max_axes`].
pub fn min_axes<T: Element>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    out: &mut [T],
    arg: Option<&mut [usize]>,
) {
    extreme::<T, false>(src, layout, axes, out, arg, "min_axes");
}

/// Generic reduction: for each output position, `acc = fold(acc, x)` from
/// `init` over its reduced elements in C order, then `out[j] = finish(acc)`.
///
/// # Panics
/// As [`sum_axes`].
///
/// ```
/// use causing_diff_kernels::{fold_axes, Layout};
/// let x = [false, true, false, false];
/// let mut any = [true; 2];
/// fold_axes(&x, &Layout::contiguous(&[2, 2]), &[false, true], false, |a, x| a | x, |a| a, &mut any);
/// assert_eq!(any, [true, false]);
/// ```
pub fn fold_axes<T: Element, A: Copy, U: Element>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    init: A,
    fold: impl Fn(A, T) -> A,
    finish: impl Fn(A) -> U,
    out: &mut [U],
) {
    let sp = Split::new(layout, axes, out.len(), src.len(), "fold_axes");
    fold_core(src, &sp, init, fold, |j, acc| out[j] = finish(acc));
}

fn extreme<T: Element, const MAX: bool>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    out: &mut [T],
    arg: Option<&mut [usize]>,
    what: &str,
) {
    Split::new(layout, axes, out.len(), src.len(), what);
    by_kept(layout, axes, out, arg, |c, o, a| {
        extreme_serial::<T, MAX>(src, &c.of(layout), axes, o, a, what)
    });
}

fn extreme_serial<T: Element, const MAX: bool>(
    src: &[T],
    layout: &Layout,
    axes: &[bool],
    out: &mut [T],
    mut arg: Option<&mut [usize]>,
    what: &str,
) {
    let sp = Split::new(layout, axes, out.len(), src.len(), what);
    if let Some(arg) = &arg {
        assert_eq!(
            arg.len(),
            out.len(),
            "{what}: arg has {} elements, out has {}",
            arg.len(),
            out.len()
        );
    }
    if out.is_empty() {
        return;
    }
    assert!(
        sp.red_size() > 0,
        "{what}: cannot reduce over a zero-size axis (no identity)"
    );
    let kw = Walk::new(&sp.kept_dims, [&sp.kept_strides]);
    let rw = Walk::new(&sp.red_dims, [&sp.red_strides]);
    let mut j = 0;
    if outer_order(&kw, &rw) {
        // Lanes over outputs: one pass for the extremes, one to place them.
        kw.run([sp.offset], |[ko], klen, [ks]| {
            for t0 in (0..klen).step_by(LANES) {
                let l = LANES.min(klen - t0);
                let base = at(ko, t0, ks);
                let mut best = [T::default(); LANES];
                let mut nan = [false; LANES];
                let mut first = true;
                rw.run([base], |[ro], rlen, [rs]| {
                    for i in 0..rlen {
                        let row = at(ro, i, rs);
                        if first {
                            for t in 0..l {
                                best[t] = src[at(row, t, ks)];
                                nan[t] = is_nan(best[t]);
                            }
                            first = false;
                        } else if ks == 1 {
                            // Branch-free, so the compiler vectorises it; a
                            // NaN in `best` stays (comparisons are false).
                            let xs = &src[row..row + l];
                            for ((b, n), &x) in best[..l].iter_mut().zip(&mut nan[..l]).zip(xs) {
                                *n |= is_nan(x);
                                let take = if MAX { x > *b } else { x < *b };
                                *b = if take { x } else { *b };
                            }
                        } else {
                            for t in 0..l {
                                let x = src[at(row, t, ks)];
                                nan[t] |= is_nan(x);
                                let take = if MAX { x > best[t] } else { x < best[t] };
                                best[t] = if take { x } else { best[t] };
                            }
                        }
                    }
                });
                let mut pos = [usize::MAX; LANES];
                let mut left = l;
                let mut p = 0;
                rw.run([base], |[ro], rlen, [rs]| {
                    for i in 0..rlen {
                        if left == 0 {
                            return;
                        }
                        let row = at(ro, i, rs);
                        for t in 0..l {
                            let x = src[at(row, t, ks)];
                            let hit = if nan[t] { is_nan(x) } else { x == best[t] };
                            if pos[t] == usize::MAX && hit {
                                pos[t] = p;
                                best[t] = x;
                                left -= 1;
                            }
                        }
                        p += 1;
                    }
                });
                for t in 0..l {
                    out[j] = best[t];
                    if let Some(arg) = arg.as_deref_mut() {
                        arg[j] = sp.flat_index(j, pos[t]);
                    }
                    j += 1;
                }
            }
        });
    } else {
        kw.run([sp.offset], |[ko], klen, [ks]| {
            for t in 0..klen {
                let base = at(ko, t, ks);
                let (best, pos) = if rw.runs() == 1 && rw.inner_strides()[0] == 1 {
                    first_extreme::<T, MAX>(&src[base..base + rw.inner_len()])
                } else {
                    // General layout: a sequential fold keeping the first extreme.
                    let mut acc: Option<(T, usize)> = None;
                    let mut p = 0;
                    rw.run([base], |[ro], rlen, [rs]| {
                        for i in 0..rlen {
                            let x = src[at(ro, i, rs)];
                            match acc {
                                Some((b, _)) if !better::<T, MAX>(x, b) => {}
                                _ => acc = Some((x, p)),
                            }
                            p += 1;
                        }
                    });
                    acc.expect("a non-empty reduction")
                };
                out[j] = best;
                if let Some(arg) = arg.as_deref_mut() {
                    arg[j] = sp.flat_index(j, pos);
                }
                j += 1;
            }
        });
    }
}

/// Only NaN is unordered with itself (a generic NaN test).
#[inline(always)]
fn is_nan<T: Element>(x: T) -> bool {
    x.partial_cmp(&x).is_none()
}

/// Whether `x` replaces `best` as the running extreme: NaN wins and stays.
#[inline(always)]
fn better<T: Element, const MAX: bool>(x: T, best: T) -> bool {
    if is_nan(best) {
        false
    } else if is_nan(x) {
        true
    } else if MAX {
        x > best
    } else {
        x < best
    }
}

/// The first extreme of a contiguous run and its position, through
/// [`first_extreme_body`] compiled for the widest vectors the machine has.
fn first_extreme<T: Element, const MAX: bool>(run: &[T]) -> (T, usize) {
    #[cfg(target_arch = "x86_64")]
    match crate::simd::isa() {
        // SAFETY: the ISA was detected at run time.
        crate::simd::Isa::Avx512 => return unsafe { first_extreme_avx512::<T, MAX>(run) },
        // SAFETY: as above.
        crate::simd::Isa::Avx2 => return unsafe { first_extreme_avx2::<T, MAX>(run) },
        crate::simd::Isa::Scalar => {}
    }
    first_extreme_body::<T, MAX>(run)
}

/// [`first_extreme_body`] with AVX-512.
///
/// # Safety
/// AVX-512 F, DQ, BW and VL must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")]
unsafe fn first_extreme_avx512<T: Element, const MAX: bool>(run: &[T]) -> (T, usize) {
    first_extreme_body::<T, MAX>(run)
}

/// [`first_extreme_body`] with AVX2.
///
/// # Safety
/// AVX2 and FMA must be available.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn first_extreme_avx2<T: Element, const MAX: bool>(run: &[T]) -> (T, usize) {
    first_extreme_body::<T, MAX>(run)
}

/// The first extreme of a contiguous run and its position: a branch-free
/// pass over [`EXTREME_LANES`] lanes (which the compiler vectorises; that
/// many lanes keep several vectors of comparisons in flight) finds the
/// extreme value and whether there is a NaN, then a scan, a block of lanes
/// at a time, finds the first element equal to it (or the first NaN, which
/// wins). Equal to the sequential fold, ties and signed zeros included.
#[inline(always)]
fn first_extreme_body<T: Element, const MAX: bool>(run: &[T]) -> (T, usize) {
    const W: usize = EXTREME_LANES;
    let mut acc = [run[0]; W];
    let mut nan = [false; W];
    let chunks = run.chunks_exact(W);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..W {
            let x = c[k];
            nan[k] |= is_nan(x);
            let take = if MAX { x > acc[k] } else { x < acc[k] };
            acc[k] = if take { x } else { acc[k] };
        }
    }
    let mut any_nan = nan.iter().any(|&n| n);
    for &x in rest {
        any_nan |= is_nan(x);
        let take = if MAX { x > acc[0] } else { x < acc[0] };
        acc[0] = if take { x } else { acc[0] };
    }
    if any_nan {
        let p = run.iter().position(|&x| is_nan(x)).expect("a NaN was seen");
        return (run[p], p);
    }
    let mut best = acc[0];
    for &x in &acc[1..] {
        if if MAX { x > best } else { x < best } {
            best = x;
        }
    }
    // The block holding the first equal element, found without a branch
    // per element; then its place in the block.
    let blocks = run.chunks_exact(W);
    let tail = blocks.remainder();
    for (b, c) in blocks.enumerate() {
        if c.iter().fold(false, |hit, &x| hit | (x == best)) {
            let p = c.iter().position(|&x| x == best).expect("checked above");
            return (c[p], b * W + p);
        }
    }
    let p = tail
        .iter()
        .position(|&x| x == best)
        .expect("the extreme is in the run");
    (tail[p], run.len() - tail.len() + p)
}

/// Lanes of the first pass of [`first_extreme_body`]: four AVX-512 vectors
/// of `f32`.
const EXTREME_LANES: usize = 64;

/// Runs `fold` over the reduced elements of every output position `j` in C
/// order and hands the accumulator to `emit(j, acc)`, in either loop order.
fn fold_core<T: Element, A: Copy>(
    src: &[T],
    sp: &Split,
    init: A,
    fold: impl Fn(A, T) -> A,
    mut emit: impl FnMut(usize, A),
) {
    let kw = Walk::new(&sp.kept_dims, [&sp.kept_strides]);
    let rw = Walk::new(&sp.red_dims, [&sp.red_strides]);
    let mut j = 0;
    if outer_order(&kw, &rw) {
        kw.run([sp.offset], |[ko], klen, [ks]| {
            for t0 in (0..klen).step_by(LANES) {
                let l = LANES.min(klen - t0);
                let mut acc = [init; LANES];
                let acc = &mut acc[..l];
                rw.run([at(ko, t0, ks)], |[ro], rlen, [rs]| {
                    for i in 0..rlen {
                        let row = at(ro, i, rs);
                        if ks == 1 {
                            for (a, &x) in acc.iter_mut().zip(&src[row..row + l]) {
                                *a = fold(*a, x);
                            }
                        } else {
                            for (t, a) in acc.iter_mut().enumerate() {
                                *a = fold(*a, src[at(row, t, ks)]);
                            }
                        }
                    }
                });
                for &a in acc.iter() {
                    emit(j, a);
                    j += 1;
                }
            }
        });
    } else {
        kw.run([sp.offset], |[ko], klen, [ks]| {
            for t in 0..klen {
                let mut acc = init;
                rw.run([at(ko, t, ks)], |[ro], rlen, [rs]| {
                    if rs == 1 {
                        for &x in &src[ro..ro + rlen] {
                            acc = fold(acc, x);
                        }
                    } else {
                        for i in 0..rlen {
                            acc = fold(acc, src[at(ro, i, rs)]);
                        }
                    }
                });
                emit(j, acc);
                j += 1;
            }
        });
    }
}

/// The part of the inputs one call of a [`by_kept`] body reduces: all of
/// them, or a range of rows of one kept axis.
struct Cut(Option<(usize, Range<usize>)>);

impl Cut {
    /// `layout` cut to this part (same dims as the layout `by_kept` split).
    fn of<'l>(&self, layout: &'l Layout) -> Cow<'l, Layout> {
        match &self.0 {
            None => Cow::Borrowed(layout),
            Some((k, r)) => Cow::Owned(layout.slice_axis(*k, r.start, r.len(), 1)),
        }
    }
}

/// Runs a reduction over chunks of the first kept axis, on several threads
/// when the input is large; each output is computed exactly as in one call.
/// Flat `arg` positions computed within a chunk are mapped back to the whole
/// layout.
fn by_kept<U: Send>(
    layout: &Layout,
    axes: &[bool],
    out: &mut [U],
    arg: Option<&mut [usize]>,
    f: impl Fn(&Cut, &mut [U], Option<&mut [usize]>) + Sync,
) {
    let first_kept = axes.iter().position(|&a| !a);
    let k = match first_kept {
        Some(k) if layout.dims()[k] >= 2 && layout.size() >= 2 * min_chunk(Cost::Cheap) => k,
        _ => return f(&Cut(None), out, arg),
    };
    let dims = layout.dims();
    let rows = dims[k];
    let row_len = out.len() / rows;
    type Piece<'a, U> = (Range<usize>, &'a mut [U], Option<&'a mut [usize]>);
    let mut pairs: Vec<Piece<'_, U>> = Vec::new();
    let per = rows.div_ceil(crate::par::threads().max(1)).max(1);
    let mut rest = out;
    let mut rest_arg = arg;
    for start in (0..rows).step_by(per) {
        let end = (start + per).min(rows);
        let n = (end - start) * row_len;
        let (head, tail) = rest.split_at_mut(n);
        rest = tail;
        let a = match rest_arg.take() {
            Some(a) => {
                let (h, t) = a.split_at_mut(n);
                rest_arg = Some(t);
                Some(h)
            }
            None => None,
        };
        pairs.push((start..end, head, a));
    }
    crate::par::each(pairs, |(r, o, a)| {
        let has_arg = a.is_some();
        let mut a = a;
        f(&Cut(Some((k, r.clone()))), o, a.as_deref_mut());
        if has_arg {
            // Chunk-relative flat indices -> the whole layout's.
            let mut sub_dims = dims.to_vec();
            sub_dims[k] = r.len();
            for p in a.expect("checked").iter_mut() {
                let mut flat = *p;
                let mut idx = vec![0; dims.len()];
                for d in (0..dims.len()).rev() {
                    idx[d] = flat % sub_dims[d];
                    flat /= sub_dims[d];
                }
                idx[k] += r.start;
                *p = idx.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i);
            }
        }
    });
}

/// A layout split into its kept and reduced axes.
struct Split {
    offset: usize,
    kept_dims: Dims,
    kept_strides: Strides,
    red_dims: Dims,
    red_strides: Strides,
    /// Logical C-order strides of the full shape, split the same way (for
    /// turning (output, reduced position) into a flat index).
    kept_logical: Strides,
    red_logical: Strides,
}

/// The panics of a reduction's source: one flag per axis, and a layout
/// within `src_len` elements.
#[track_caller]
fn check_source(layout: &Layout, axes: &[bool], src_len: usize, what: &str) {
    assert_eq!(
        axes.len(),
        layout.ndim(),
        "{what}: {} axis flags for a {}-d layout",
        axes.len(),
        layout.ndim()
    );
    check_fits(layout, src_len, what);
}

/// Whether the outer loop order (lanes over outputs) suits the memory
/// layout of the first operand of the kept and reduced walks: the kept side
/// has a run, and it is tighter than the reduced one.
fn outer_order<const K: usize>(kw: &Walk<K>, rw: &Walk<K>) -> bool {
    kw.inner_len() > 1
        && rw.inner_len() > 1
        && kw.inner_strides()[0].unsigned_abs() < rw.inner_strides()[0].unsigned_abs()
}

impl Split {
    #[track_caller]
    fn new(layout: &Layout, axes: &[bool], out_len: usize, src_len: usize, what: &str) -> Split {
        check_source(layout, axes, src_len, what);
        let sp = Split::of(layout, axes);
        let kept: usize = sp.kept_dims.iter().product();
        assert_eq!(
            out_len, kept,
            "{what}: output has {out_len} elements but the kept axes have {kept}"
        );
        sp
    }

    /// The split of `layout`, whose axis flags the caller has checked.
    fn of(layout: &Layout, axes: &[bool]) -> Split {
        let logical = contiguous_strides(layout.dims());
        let mut sp = Split {
            offset: layout.offset(),
            kept_dims: Dims::new(),
            kept_strides: Strides::new(),
            red_dims: Dims::new(),
            red_strides: Strides::new(),
            kept_logical: Strides::new(),
            red_logical: Strides::new(),
        };
        for (a, &reduce) in axes.iter().enumerate() {
            let (d, s, c) = if reduce {
                (&mut sp.red_dims, &mut sp.red_strides, &mut sp.red_logical)
            } else {
                (
                    &mut sp.kept_dims,
                    &mut sp.kept_strides,
                    &mut sp.kept_logical,
                )
            };
            d.push(layout.dims()[a]);
            s.push(layout.strides()[a]);
            c.push(logical[a]);
        }
        sp
    }

    fn red_size(&self) -> usize {
        self.red_dims.iter().product()
    }

    /// Row-major flat index of the `pos`-th reduced element of output `j`.
    fn flat_index(&self, j: usize, pos: usize) -> usize {
        unravel_dot(j, &self.kept_dims, &self.kept_logical)
            + unravel_dot(pos, &self.red_dims, &self.red_logical)
    }
}

/// `Σ idx_a · weights_a` for the C-order multi-index of `flat` in `dims`.
fn unravel_dot(mut flat: usize, dims: &[usize], weights: &[isize]) -> usize {
    let mut acc = 0;
    for (&d, &w) in dims.iter().zip(weights).rev() {
        acc += (flat % d) * w as usize;
        flat /= d;
    }
    acc
}

/// Offset of element `i` of a run starting at `base` with stride `stride`.
#[inline(always)]
fn at(base: usize, i: usize, stride: isize) -> usize {
    (base as isize + i as isize * stride) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading whole rows adds the same numbers in the same order as
    /// reading a block of columns down every row: bit-identical sums, for
    /// widths with and without a partial last block, row counts around the
    /// leaf size, and rows in several runs (a gap between groups of rows).
    #[test]
    fn whole_rows_sum_like_column_blocks() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for width in [LANES + 1, 2 * LANES, 5 * LANES - 7] {
            for (groups, per) in [
                (1, 1),
                (1, LEAF_ROWS),
                (1, 3 * LEAF_ROWS + 5),
                (3, 7),
                (4, 40),
            ] {
                // Rows of `width`, `per` rows a group, groups a gap apart.
                let (row, group) = (width as isize, (per * width + 3) as isize);
                let len = groups * (per * width + 3);
                let x: Vec<f32> = (0..len)
                    .map(|_| (next() >> 40) as f32 / 3e5 - 20.0)
                    .collect();
                let xi: Vec<i32> = (0..len).map(|_| next() as i32).collect();
                let kw = Walk::new(&[width], [&[1]]);
                let rw = Walk::new(&[groups, per], [&[group, row]]);
                let (mut a, mut b) = (vec![f32::NAN; width], vec![f32::NAN; width]);
                sum_rows(&x, 2, width, &rw, &mut a);
                sum_blocks(&x, 2, &kw, &rw, &mut b);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "width {width}, {groups}×{per} rows");
                let (mut a, mut b) = (vec![7; width], vec![9; width]);
                sum_rows(&xi, 1, width, &rw, &mut a);
                sum_blocks(&xi, 1, &kw, &rw, &mut b);
                assert_eq!(a, b, "width {width}, {groups}×{per} rows (i32)");
                // Products: each operand contiguous along the row, or one
                // value per row (a stride-0 run).
                let y: Vec<f32> = (0..len)
                    .map(|_| (next() >> 40) as f32 / 7e5 - 9.0)
                    .collect();
                for per_row in [[false, false], [false, true], [true, false], [true, true]] {
                    let [ka, kb] = per_row.map(|p| isize::from(!p));
                    let kw2 = Walk::new(&[width], [&[ka], &[kb]]);
                    let rw2 = Walk::new(&[groups, per], [&[group, row], &[group, row]]);
                    let (mut a, mut b) = (vec![f32::NAN; width], vec![f32::NAN; width]);
                    sum_prod_rows(&x, &y, [2, 0], width, per_row, &rw2, &mut a);
                    sum_prod_blocks(&x, &y, [2, 0], &kw2, &rw2, &mut b);
                    assert_eq!(
                        bits(&a),
                        bits(&b),
                        "width {width}, {groups}×{per} rows, products {per_row:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn unravel_dot_weights_each_index() {
        // dims (2, 3), weights (100, 1): flat 4 is (1, 1).
        assert_eq!(unravel_dot(4, &[2, 3], &[100, 1]), 101);
        assert_eq!(unravel_dot(0, &[], &[]), 0);
    }
}

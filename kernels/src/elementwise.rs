//! Elementwise maps (unary, binary, ternary) into a contiguous output, and the
//! in-place `zip_assign` gradients accumulate with.
//!
//! Each kernel has three paths: every operand contiguous (zipped slices, the
//! hot path), an operand that is a broadcast scalar (read once, then the
//! kernel of one arity lower), and the generic strided walk.

use core::ops::Range;

use crate::contig::{update_run, zip2_run};
use crate::element::Element;
use crate::layout::{check_fits, Layout};
use crate::walk::Walk;

/// The single-threaded body of [`map1`].
fn map1_serial<A: Element, U: Element>(a: &[A], al: &Layout, out: &mut [U], f: impl Fn(A) -> U) {
    check_out(out.len(), al.size(), "map1");
    check_fits(al, a.len(), "map1 operand a");
    if out.is_empty() {
        return;
    }
    let f1 = |x: A, _: bool| f(x);
    if al.is_contiguous() {
        let a = &a[al.offset()..al.offset() + out.len()];
        zip2_run(a, &[false], out, &f1);
    } else if al.is_broadcast_scalar() {
        out.fill(f(a[al.offset()]));
    } else {
        let mut j = 0;
        Walk::new(al.dims(), [al.strides()]).run([al.offset()], |[oa], len, [sa]| {
            let out = &mut out[j..j + len];
            j += len;
            if sa == 1 {
                zip2_run(&a[oa..oa + len], &[false], out, &f1);
            } else {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = f(a[at(oa, i, sa)]);
                }
            }
        });
    }
}

/// The single-threaded body of [`map2`].
fn map2_serial<A: Element, B: Element, U: Element>(
    a: &[A],
    al: &Layout,
    b: &[B],
    bl: &Layout,
    out: &mut [U],
    f: impl Fn(A, B) -> U,
) {
    check_dims(al, bl, "map2");
    check_out(out.len(), al.size(), "map2");
    check_fits(al, a.len(), "map2 operand a");
    check_fits(bl, b.len(), "map2 operand b");
    if out.is_empty() {
        return;
    }
    if al.is_contiguous() && bl.is_contiguous() {
        let n = out.len();
        let (a, b) = (
            &a[al.offset()..al.offset() + n],
            &b[bl.offset()..bl.offset() + n],
        );
        zip2_run(a, b, out, &f);
    } else if al.is_broadcast_scalar() {
        let x = a[al.offset()];
        map1_serial(b, bl, out, |y| f(x, y));
    } else if bl.is_broadcast_scalar() {
        let y = b[bl.offset()];
        map1_serial(a, al, out, |x| f(x, y));
    } else {
        let mut j = 0;
        let walk = Walk::new(al.dims(), [al.strides(), bl.strides()]);
        walk.run([al.offset(), bl.offset()], |[oa, ob], len, [sa, sb]| {
            let out = &mut out[j..j + len];
            j += len;
            match (sa, sb) {
                (1, 1) => zip2_run(&a[oa..oa + len], &b[ob..ob + len], out, &f),
                (0, 1) => zip2_run(&a[oa..oa + 1], &b[ob..ob + len], out, &f),
                (1, 0) => zip2_run(&a[oa..oa + len], &b[ob..ob + 1], out, &f),
                _ => {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = f(a[at(oa, i, sa)], b[at(ob, i, sb)]);
                    }
                }
            }
        });
    }
}

/// The single-threaded body of [`map3`].
#[allow(clippy::too_many_arguments)]
fn map3_serial<A: Element, B: Element, C: Element, U: Element>(
    a: &[A],
    al: &Layout,
    b: &[B],
    bl: &Layout,
    c: &[C],
    cl: &Layout,
    out: &mut [U],
    f: impl Fn(A, B, C) -> U,
) {
    check_dims(al, bl, "map3");
    check_dims(al, cl, "map3");
    check_out(out.len(), al.size(), "map3");
    check_fits(al, a.len(), "map3 operand a");
    check_fits(bl, b.len(), "map3 operand b");
    check_fits(cl, c.len(), "map3 operand c");
    if out.is_empty() {
        return;
    }
    if al.is_contiguous() && bl.is_contiguous() && cl.is_contiguous() {
        let n = out.len();
        let a = &a[al.offset()..al.offset() + n];
        let b = &b[bl.offset()..bl.offset() + n];
        let c = &c[cl.offset()..cl.offset() + n];
        for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
            *o = f(x, y, z);
        }
    } else if al.is_broadcast_scalar() {
        let x = a[al.offset()];
        map2_serial(b, bl, c, cl, out, |y, z| f(x, y, z));
    } else if bl.is_broadcast_scalar() {
        let y = b[bl.offset()];
        map2_serial(a, al, c, cl, out, |x, z| f(x, y, z));
    } else if cl.is_broadcast_scalar() {
        let z = c[cl.offset()];
        map2_serial(a, al, b, bl, out, |x, y| f(x, y, z));
    } else {
        let mut j = 0;
        let walk = Walk::new(al.dims(), [al.strides(), bl.strides(), cl.strides()]);
        walk.run(
            [al.offset(), bl.offset(), cl.offset()],
            |[oa, ob, oc], len, [sa, sb, sc]| {
                let out = &mut out[j..j + len];
                j += len;
                if (sa, sb, sc) == (1, 1, 1) {
                    let (a, b, c) = (&a[oa..oa + len], &b[ob..ob + len], &c[oc..oc + len]);
                    for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
                        *o = f(x, y, z);
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = f(a[at(oa, i, sa)], b[at(ob, i, sb)], c[at(oc, i, sc)]);
                    }
                }
            },
        );
    }
}

/// `out[i] = f(a[..])` for every element of `al` in C order; `out` is
/// contiguous with `out.len() == al.size()`. Large maps run on several
/// threads, split along the first axis ([`par`](crate::par)).
///
/// # Panics
/// If `out` has the wrong length or `al` reaches outside `a`.
///
/// ```
/// use causing_diff_kernels::{map1, Layout};
/// let a = [1.0, 2.0, 3.0, 4.0];
/// let t = Layout::contiguous(&[2, 2]).permute(&[1, 0]).unwrap();
/// let mut out = [0.0; 4];
/// map1(&a, &t, &mut out, |x: f64| -x);
/// assert_eq!(out, [-1.0, -3.0, -2.0, -4.0]);
/// ```
pub fn map1<A: Element, U: Element>(
    a: &[A],
    al: &Layout,
    out: &mut [U],
    f: impl Fn(A) -> U + Sync,
) {
    if al.is_contiguous() && out.len() == al.size() && al.offset() + out.len() <= a.len() {
        return crate::contig::zip1(&a[al.offset()..al.offset() + out.len()], out, f);
    }
    by_rows(al, out, |rows, o| {
        map1_serial(a, &slice_rows(al, &rows), o, &f)
    });
}

/// `out[i] = f(a[..], b[..])` over the common shape of `al` and `bl`, in C
/// order. The caller has already broadcast both layouts to the output shape
/// (stride-0 axes), so their dims are identical; `out` is contiguous. Large
/// maps run on several threads.
///
/// # Panics
/// If the dims differ, `out` has the wrong length, or a layout reaches
/// outside its slice.
pub fn map2<A: Element, B: Element, U: Element>(
    a: &[A],
    al: &Layout,
    b: &[B],
    bl: &Layout,
    out: &mut [U],
    f: impl Fn(A, B) -> U + Sync,
) {
    check_dims(al, bl, "map2");
    by_rows(al, out, |rows, o| {
        map2_serial(a, &slice_rows(al, &rows), b, &slice_rows(bl, &rows), o, &f)
    });
}

/// `out[i] = f(a[..], b[..], c[..])`; the same rules as [`map2`].
///
/// # Panics
/// If the dims differ, `out` has the wrong length, or a layout reaches
/// outside its slice.
#[allow(clippy::too_many_arguments)]
pub fn map3<A: Element, B: Element, C: Element, U: Element>(
    a: &[A],
    al: &Layout,
    b: &[B],
    bl: &Layout,
    c: &[C],
    cl: &Layout,
    out: &mut [U],
    f: impl Fn(A, B, C) -> U + Sync,
) {
    check_dims(al, bl, "map3");
    check_dims(al, cl, "map3");
    by_rows(al, out, |rows, o| {
        let (la, lb, lc) = (
            slice_rows(al, &rows),
            slice_rows(bl, &rows),
            slice_rows(cl, &rows),
        );
        map3_serial(a, &la, b, &lb, c, &lc, o, &f)
    });
}

/// Runs `f` over chunks of the first axis of `l` (and the matching rows of
/// `out`), on several threads when the output is large.
fn by_rows<U: Send>(l: &Layout, out: &mut [U], f: impl Fn(Range<usize>, &mut [U]) + Sync) {
    check_out(out.len(), l.size(), "elementwise map");
    let rows = l.dims().first().copied().unwrap_or(1);
    if l.ndim() == 0 || rows < 2 {
        // 0-d, an empty first axis or a single row: the whole layout.
        let all = if l.ndim() == 0 { 0..1 } else { 0..rows };
        return f(all, out);
    }
    crate::par::for_rows(rows, out, crate::par::Cost::Cheap, f);
}

/// The layout restricted to a range of its first axis (the whole layout for
/// a 0-d one).
fn slice_rows(l: &Layout, rows: &Range<usize>) -> Layout {
    if l.ndim() == 0 || (rows.start == 0 && rows.end >= l.dims()[0]) {
        l.clone()
    } else {
        l.slice_axis(0, rows.start, rows.len(), 1)
    }
}

/// In place: `a[i] = f(a[i], b[..])`, where `a` is contiguous with the dims of
/// `bl` (used to accumulate gradients).
///
/// # Panics
/// If `a.len() != bl.size()` or `bl` reaches outside `b`.
pub fn zip_assign<A: Element, B: Element>(
    a: &mut [A],
    b: &[B],
    bl: &Layout,
    f: impl Fn(A, B) -> A + Sync,
) {
    check_out(a.len(), bl.size(), "zip_assign");
    check_fits(bl, b.len(), "zip_assign operand b");
    by_rows(bl, a, |rows, chunk| {
        zip_assign_serial(chunk, b, &slice_rows(bl, &rows), &f)
    });
}

/// The single-threaded body of [`zip_assign`].
fn zip_assign_serial<A: Element, B: Element>(
    a: &mut [A],
    b: &[B],
    bl: &Layout,
    f: impl Fn(A, B) -> A,
) {
    check_out(a.len(), bl.size(), "zip_assign");
    check_fits(bl, b.len(), "zip_assign operand b");
    if a.is_empty() {
        return;
    }
    if bl.is_contiguous() {
        update_run(a, &b[bl.offset()..bl.offset() + bl.size()], &f);
    } else if bl.is_broadcast_scalar() {
        let y = b[bl.offset()];
        for x in a.iter_mut() {
            *x = f(*x, y);
        }
    } else {
        let mut j = 0;
        Walk::new(bl.dims(), [bl.strides()]).run([bl.offset()], |[ob], len, [sb]| {
            let a = &mut a[j..j + len];
            j += len;
            match sb {
                1 => update_run(a, &b[ob..ob + len], &f),
                0 => {
                    let y = b[ob];
                    for x in a.iter_mut() {
                        *x = f(*x, y);
                    }
                }
                _ => {
                    for (i, x) in a.iter_mut().enumerate() {
                        *x = f(*x, b[at(ob, i, sb)]);
                    }
                }
            }
        });
    }
}

/// Offset of element `i` of a run starting at `base` with stride `stride`.
#[inline(always)]
fn at(base: usize, i: usize, stride: isize) -> usize {
    (base as isize + i as isize * stride) as usize
}

#[track_caller]
fn check_out(len: usize, size: usize, what: &str) {
    assert_eq!(
        len, size,
        "{what}: output has {len} elements but the layout has {size}"
    );
}

#[track_caller]
fn check_dims(x: &Layout, y: &Layout, what: &str) {
    assert_eq!(
        x.dims(),
        y.dims(),
        "{what}: operand dims differ (broadcast them first)"
    );
}

//! Elementwise maps (unary, binary, ternary) into a contiguous output, and the
//! in-place `zip_assign` gradients accumulate with.
//!
//! Each kernel has three paths: every operand contiguous (zipped slices, the
//! hot path), an operand that is a broadcast scalar (read once, then the
//! kernel of one arity lower), and the generic strided walk.

use crate::element::Element;
use crate::layout::{check_fits, Layout};
use crate::walk::Walk;

/// `out[i] = f(a[..])` for every element of `al` in C order; `out` is
/// contiguous with `out.len() == al.size()`.
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
pub fn map1<A: Element, U: Element>(a: &[A], al: &Layout, out: &mut [U], f: impl Fn(A) -> U) {
    check_out(out.len(), al.size(), "map1");
    check_fits(al, a.len(), "map1 operand a");
    if out.is_empty() {
        return;
    }
    if al.is_contiguous() {
        let a = &a[al.offset()..al.offset() + out.len()];
        for (o, &x) in out.iter_mut().zip(a) {
            *o = f(x);
        }
    } else if al.is_broadcast_scalar() {
        out.fill(f(a[al.offset()]));
    } else {
        let mut j = 0;
        Walk::new(al.dims(), [al.strides()]).run([al.offset()], |[oa], len, [sa]| {
            let out = &mut out[j..j + len];
            j += len;
            if sa == 1 {
                for (o, &x) in out.iter_mut().zip(&a[oa..oa + len]) {
                    *o = f(x);
                }
            } else {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = f(a[at(oa, i, sa)]);
                }
            }
        });
    }
}

/// `out[i] = f(a[..], b[..])` over the common shape of `al` and `bl`, in C
/// order. The caller has already broadcast both layouts to the output shape
/// (stride-0 axes), so their dims are identical; `out` is contiguous.
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
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
    } else if al.is_broadcast_scalar() {
        let x = a[al.offset()];
        map1(b, bl, out, |y| f(x, y));
    } else if bl.is_broadcast_scalar() {
        let y = b[bl.offset()];
        map1(a, al, out, |x| f(x, y));
    } else {
        let mut j = 0;
        let walk = Walk::new(al.dims(), [al.strides(), bl.strides()]);
        walk.run([al.offset(), bl.offset()], |[oa, ob], len, [sa, sb]| {
            let out = &mut out[j..j + len];
            j += len;
            match (sa, sb) {
                (1, 1) => {
                    for ((o, &x), &y) in out.iter_mut().zip(&a[oa..oa + len]).zip(&b[ob..ob + len])
                    {
                        *o = f(x, y);
                    }
                }
                (0, 1) => {
                    let x = a[oa];
                    for (o, &y) in out.iter_mut().zip(&b[ob..ob + len]) {
                        *o = f(x, y);
                    }
                }
                (1, 0) => {
                    let y = b[ob];
                    for (o, &x) in out.iter_mut().zip(&a[oa..oa + len]) {
                        *o = f(x, y);
                    }
                }
                _ => {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = f(a[at(oa, i, sa)], b[at(ob, i, sb)]);
                    }
                }
            }
        });
    }
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
        map2(b, bl, c, cl, out, |y, z| f(x, y, z));
    } else if bl.is_broadcast_scalar() {
        let y = b[bl.offset()];
        map2(a, al, c, cl, out, |x, z| f(x, y, z));
    } else if cl.is_broadcast_scalar() {
        let z = c[cl.offset()];
        map2(a, al, b, bl, out, |x, y| f(x, y, z));
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

/// In place: `a[i] = f(a[i], b[..])`, where `a` is contiguous with the dims of
/// `bl` (used to accumulate gradients).
///
/// # Panics
/// If `a.len() != bl.size()` or `bl` reaches outside `b`.
pub fn zip_assign<A: Element, B: Element>(
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
        for (x, &y) in a.iter_mut().zip(&b[bl.offset()..bl.offset() + bl.size()]) {
            *x = f(*x, y);
        }
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
                1 => {
                    for (x, &y) in a.iter_mut().zip(&b[ob..ob + len]) {
                        *x = f(*x, y);
                    }
                }
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

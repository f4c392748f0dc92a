//! Elementwise maps over contiguous slices of equal length (or one operand a
//! scalar): the hot path of every array op. Each body is instantiated for the
//! machine's widest vector instruction set (AVX-512, AVX2) so the compiler
//! vectorises it at that width, and split over threads when large
//! ([`par`](crate::par)). The same IEEE operations run on every path (no
//! fused multiply-adds are introduced), so results are identical.

use crate::element::Element;
use crate::par::{for_chunks, min_chunk, Cost};
use crate::simd::{isa, Isa};
use crate::stream;

/// Runs a slice body at the widest instruction set this machine has. An
/// optional `[_, _, _]` prefix gives the body's count of inferred type
/// parameters (before the vector width) when it is not the default four.
macro_rules! multiversion {
    ($body:ident($($arg:expr),*)) => {
        multiversion!([_, _, _, _] $body($($arg),*))
    };
    ([$($t:tt),*] $body:ident($($arg:expr),*)) => {{
        match isa() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: isa() detected the features the instantiation enables.
            Isa::Avx512 => unsafe { x86::$body::<$($t),*, 512>($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx2 => unsafe { x86::$body::<$($t),*, 256>($($arg),*) },
            _ => generic::$body($($arg),*),
        }
    }};
}

mod generic {
    use crate::element::Element;

    #[inline(always)]
    pub(super) fn update<A: Element, B: Element, F: Fn(A, B) -> A>(acc: &mut [A], b: &[B], f: &F) {
        for (x, &y) in acc.iter_mut().zip(b) {
            *x = f(*x, y);
        }
    }

    #[inline(always)]
    pub(super) fn zip2<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
        a: &[A],
        b: &[B],
        out: &mut [U],
        f: &F,
    ) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
    }

    #[inline(always)]
    pub(super) fn zip2_b<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
        a: &[A],
        b: &[B],
        out: &mut [U],
        f: &F,
    ) {
        let y = b[0];
        for (o, &x) in out.iter_mut().zip(a) {
            *o = f(x, y);
        }
    }

    #[inline(always)]
    pub(super) fn zip2_a<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
        a: &[A],
        b: &[B],
        out: &mut [U],
        f: &F,
    ) {
        let x = a[0];
        for (o, &y) in out.iter_mut().zip(b) {
            *o = f(x, y);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use crate::element::Element;

    macro_rules! instantiate {
        ($name:ident) => {
            /// The generic body compiled for AVX-512 (`W = 512`) or AVX2.
            #[inline]
            pub(super) unsafe fn $name<A, B, U, F, const W: usize>(
                a: &[A],
                b: &[B],
                out: &mut [U],
                f: &F,
            ) where
                A: Element,
                B: Element,
                U: Element,
                F: Fn(A, B) -> U,
            {
                if W == 512 {
                    // SAFETY: the caller checked AVX-512 F+DQ.
                    unsafe { wide::$name(a, b, out, f) }
                } else {
                    // SAFETY: the caller checked AVX2+FMA.
                    unsafe { narrow::$name(a, b, out, f) }
                }
            }
        };
    }
    instantiate!(zip2);
    instantiate!(zip2_b);
    instantiate!(zip2_a);

    /// The generic in-place body compiled for AVX-512 (`W = 512`) or AVX2.
    #[inline]
    pub(super) unsafe fn update<A, B, F, const W: usize>(acc: &mut [A], b: &[B], f: &F)
    where
        A: Element,
        B: Element,
        F: Fn(A, B) -> A,
    {
        if W == 512 {
            // SAFETY: the caller checked AVX-512 F+DQ.
            unsafe { wide::update(acc, b, f) }
        } else {
            // SAFETY: the caller checked AVX2+FMA.
            unsafe { narrow::update(acc, b, f) }
        }
    }

    macro_rules! level {
        ($mod:ident, $features:literal) => {
            mod $mod {
                use crate::element::Element;
                #[target_feature(enable = $features)]
                pub(super) fn update<A: Element, B: Element, F: Fn(A, B) -> A>(
                    acc: &mut [A],
                    b: &[B],
                    f: &F,
                ) {
                    super::super::generic::update(acc, b, f)
                }
                #[target_feature(enable = $features)]
                pub(super) fn zip2<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
                    a: &[A],
                    b: &[B],
                    out: &mut [U],
                    f: &F,
                ) {
                    super::super::generic::zip2(a, b, out, f)
                }
                #[target_feature(enable = $features)]
                pub(super) fn zip2_b<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
                    a: &[A],
                    b: &[B],
                    out: &mut [U],
                    f: &F,
                ) {
                    super::super::generic::zip2_b(a, b, out, f)
                }
                #[target_feature(enable = $features)]
                pub(super) fn zip2_a<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
                    a: &[A],
                    b: &[B],
                    out: &mut [U],
                    f: &F,
                ) {
                    super::super::generic::zip2_a(a, b, out, f)
                }
            }
        };
    }
    level!(wide, "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma");
    level!(narrow, "avx2,fma");
}

/// `out[i] = f(a[i], b[i])` where each of `a` and `b` has `out.len()`
/// elements or exactly one (a scalar broadcast).
///
/// # Panics
/// If an operand's length is neither `out.len()` nor 1.
///
/// ```
/// use causing_diff_kernels::contig::zip2;
/// let mut out = [0.0; 3];
/// zip2(&[1.0, 2.0, 3.0], &[10.0], &mut out, |x, y| x * y);
/// assert_eq!(out, [10.0, 20.0, 30.0]);
/// ```
pub fn zip2<A: Element, B: Element, U: Element>(
    a: &[A],
    b: &[B],
    out: &mut [U],
    f: impl Fn(A, B) -> U + Sync,
) {
    let n = out.len();
    let ok = |len: usize| len == n || len == 1;
    assert!(
        ok(a.len()) && ok(b.len()),
        "contig::zip2: operands of {} and {} elements for an output of {n}",
        a.len(),
        b.len()
    );
    if n == 1 {
        // 0-d and one-element tensors: no dispatch, no chunking.
        out[0] = f(a[0], b[0]);
        return;
    }
    let f = &f;
    for_chunks(out, Cost::Cheap, |r, o| {
        let a = if a.len() == n { &a[r.clone()] } else { a };
        let b = if b.len() == n { &b[r] } else { b };
        zip2_run(a, b, o, f)
    });
}

/// The shortest run [`zip2_run`] and [`update_run`] hand to the
/// dispatched kernels; shorter runs stay in the caller's code.
const MIN_DISPATCH: usize = 32;

/// The serial body of [`zip2`], also used for the strided kernels'
/// contiguous runs: each of `a` and `b` has `out.len()` elements or one, a
/// run long enough to pay for the dispatch is compiled for the machine's
/// widest vectors (a generic build targets baseline x86-64 otherwise), and
/// a large one is written through [`stream::write`].
#[inline]
pub(crate) fn zip2_run<A: Element, B: Element, U: Element, F: Fn(A, B) -> U>(
    a: &[A],
    b: &[B],
    out: &mut [U],
    f: &F,
) {
    let n = out.len();
    if n < MIN_DISPATCH {
        for (i, o) in out.iter_mut().enumerate() {
            let x = if a.len() == n { a[i] } else { a[0] };
            let y = if b.len() == n { b[i] } else { b[0] };
            *o = f(x, y);
        }
    } else {
        stream::write(out, |r, o| {
            if a.len() == n && b.len() == n {
                multiversion!(zip2(&a[r.clone()], &b[r], o, f))
            } else if a.len() == n {
                multiversion!(zip2_b(&a[r], b, o, f))
            } else if b.len() == n {
                multiversion!(zip2_a(a, &b[r], o, f))
            } else {
                // Both scalars.
                o.fill(f(a[0], b[0]))
            }
        })
    }
}

/// The serial body of [`update`] for the strided kernels' contiguous runs
/// (`acc` and `b` of equal length): a run long enough to pay for the
/// dispatch is compiled for the machine's widest vectors.
#[inline]
pub(crate) fn update_run<A: Element, B: Element, F: Fn(A, B) -> A>(acc: &mut [A], b: &[B], f: &F) {
    if acc.len() < MIN_DISPATCH {
        generic::update(acc, b, f)
    } else {
        multiversion!([_, _, _] update(acc, b, f))
    }
}

/// `out[i] = f(a[i])` for slices of equal length.
///
/// ```
/// use causing_diff_kernels::contig::zip1;
/// let mut out = [0i64; 2];
/// zip1(&[1i32, -2], &mut out, |x| i64::from(x) * 3);
/// assert_eq!(out, [3, -6]);
/// ```
pub fn zip1<A: Element, U: Element>(a: &[A], out: &mut [U], f: impl Fn(A) -> U + Sync) {
    // A unary map is a binary one with a dummy scalar second operand.
    zip2(a, &[false], out, |x, _| f(x));
}

/// `out[i] = v` for every element, split over threads when large (as the
/// maps are).
///
/// ```
/// use causing_diff_kernels::contig::fill;
/// let mut out = [f32::NAN; 3];
/// fill(&mut out, 1.5);
/// assert_eq!(out, [1.5; 3]);
/// ```
#[inline]
pub fn fill<U: Element>(out: &mut [U], v: U) {
    if out.len() < min_chunk(Cost::Cheap) {
        // Inline, and without the split's bookkeeping: most fills are
        // small (one element for a scalar's backward seed).
        out.fill(v);
        return;
    }
    stream::for_chunks(out, Cost::Cheap, |_, o| o.fill(v));
}

/// `x[i] = x[i] + 0` for every element, in place: what adding a gradient
/// that is zero there does to an accumulated one. Only zeros and NaNs can
/// change (`-0 + 0` is `+0`), so blocks holding neither are read, not
/// written.
///
/// ```
/// use causing_diff_kernels::contig::add_zero;
/// let mut x = [-0.0f32, 1.5, 0.0, -2.0];
/// add_zero(&mut x);
/// assert_eq!(x.map(f32::to_bits), [0.0f32, 1.5, 0.0, -2.0].map(f32::to_bits));
/// ```
pub fn add_zero<T: crate::element::Float>(x: &mut [T]) {
    const BLOCK: usize = 256;
    for_chunks(x, Cost::Cheap, |_, chunk| {
        for b in chunk.chunks_mut(BLOCK) {
            // `|` rather than `||` and `any`: one vectorised pass per block.
            #[allow(clippy::eq_op)] // v != v: NaN
            let touched = b.iter().fold(false, |s, &v| s | (v == T::ZERO) | (v != v));
            if touched {
                for v in b {
                    *v += T::ZERO;
                }
            }
        }
    });
}

/// `acc[i] = f(acc[i], b[i])` in place, for slices of equal length (how
/// gradients accumulate and parameters take steps).
///
/// # Panics
/// If the lengths differ.
///
/// ```
/// use causing_diff_kernels::contig::update;
/// let mut acc = [1.0f32, 2.0];
/// update(&mut acc, &[0.5f32, 4.0], |x, y| x - 0.5 * y);
/// assert_eq!(acc, [0.75, 0.0]);
/// ```
pub fn update<A: Element, B: Element>(acc: &mut [A], b: &[B], f: impl Fn(A, B) -> A + Sync) {
    assert_eq!(
        acc.len(),
        b.len(),
        "contig::update: an accumulator of {} elements and an operand of {}",
        acc.len(),
        b.len()
    );
    if acc.len() == 1 {
        acc[0] = f(acc[0], b[0]);
        return;
    }
    let f = &f;
    for_chunks(acc, Cost::Cheap, |r, acc| {
        let b = &b[r];
        multiversion!([_, _, _] update(acc, b, f))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_zero_has_the_bits_of_adding_zero() {
        for n in [0usize, 1, 300, 3 << 19] {
            let specials = [-0.0f64, 0.0, f64::NAN, -f64::INFINITY, 1e-310, -3.5];
            // Specials only in some blocks: the rest are read, not written.
            let x: Vec<f64> = (0..n)
                .map(|i| {
                    if i % 1000 == 999 {
                        specials[i / 1000 % 6]
                    } else {
                        i as f64 - 7.0
                    }
                })
                .collect();
            let mut got = x.clone();
            add_zero(&mut got);
            for (i, (&g, &v)) in got.iter().zip(&x).enumerate() {
                assert_eq!(g.to_bits(), (v + 0.0).to_bits(), "element {i} of {n}");
            }
        }
    }

    #[test]
    fn every_operand_form_matches_a_naive_loop() {
        for n in [0usize, 1, 7, 64, 1000, 3 << 19] {
            let a: Vec<f32> = (0..n).map(|i| (i % 97) as f32 - 40.0).collect();
            let b: Vec<f32> = (0..n).map(|i| (i % 13) as f32 + 0.5).collect();
            let mut out = vec![f32::NAN; n];
            zip2(&a, &b, &mut out, |x, y| x / y);
            assert!(out
                .iter()
                .zip(a.iter().zip(&b))
                .all(|(o, (x, y))| *o == x / y));
            zip2(&a, &[2.5f32], &mut out, |x, y| x - y);
            assert!(out.iter().zip(&a).all(|(o, x)| *o == x - 2.5));
            zip2(&[2.5f32], &b, &mut out, |x, y| x - y);
            assert!(out.iter().zip(&b).all(|(o, y)| *o == 2.5 - y));
            out.fill(f32::NAN);
            zip2(&[2.5f32], &[0.5f32], &mut out, |x, y| x - y);
            assert!(out.iter().all(|o| *o == 2.0));
            let mut acc = vec![f32::NAN; n];
            acc.copy_from_slice(&a);
            update(&mut acc, &b, |x, y| x * 2.0 - y);
            assert!(acc
                .iter()
                .zip(a.iter().zip(&b))
                .all(|(o, (x, y))| *o == x * 2.0 - y));
            let mut ints = vec![0i64; n];
            zip1(&a, &mut ints, |x| x as i64);
            assert!(ints.iter().zip(&a).all(|(i, x)| *i == *x as i64));
        }
    }

    #[test]
    #[should_panic(expected = "contig::zip2")]
    fn mismatched_lengths_panic() {
        let mut out = [0.0; 3];
        zip2(&[1.0, 2.0], &[1.0, 2.0, 3.0], &mut out, |x, y| x + y);
    }

    #[test]
    #[should_panic(expected = "contig::update")]
    fn update_with_mismatched_lengths_panics() {
        let mut acc = [0.0; 3];
        update(&mut acc, &[1.0, 2.0], |x, y| x + y);
    }
}

//! Matrix products: `gemm` on one strided m×k by k×n pair (matrixmultiply for
//! floats, a wrapping loop for integers) and the batched NumPy `matmul` core.

use crate::element::Num;
use crate::layout::{check_fits, Layout};
use crate::walk::Walk;

/// The signature of matrixmultiply's `sgemm` / `dgemm`.
pub type GemmFn<T> = unsafe fn(
    usize,
    usize,
    usize,
    T,
    *const T,
    isize,
    isize,
    *const T,
    isize,
    isize,
    T,
    *mut T,
    isize,
    isize,
);

/// Element types with a matrix product: `i32`, `i64`, `f32`, `f64`.
pub trait MatElem: Num + sealed::Blocked {
    /// matrixmultiply's routine for this type, or `None` for the plain loop
    /// (integers, whose products wrap on overflow).
    const GEMM: Option<GemmFn<Self>>;
}

impl MatElem for f32 {
    const GEMM: Option<GemmFn<f32>> = Some(matrixmultiply::sgemm);
}
impl MatElem for f64 {
    const GEMM: Option<GemmFn<f64>> = Some(matrixmultiply::dgemm);
}
impl MatElem for i32 {
    const GEMM: Option<GemmFn<i32>> = None;
}
impl MatElem for i64 {
    const GEMM: Option<GemmFn<i64>> = None;
}

/// Float products whose m, k and n are all at least this go to the crate's
/// AVX-512 blocked GEMM where the machine has AVX-512; the rest to
/// matrixmultiply. Measured on W5 and W6 (same binary, alternating runs):
/// at n = 1024 the blocked GEMM ran W5 in 32–34 ms against 35–36 (f32) and
/// 63–69 ms against 101–104 (f64); at n = 256 the two were within noise; W6,
/// whose large products have a dimension of 64, ran 780–810 µs against
/// 700–720 with it, so a thin product stays with matrixmultiply.
const BLOCKED_MIN: usize = 128;

/// Small products (fewer than [`SPLIT_MIN`] multiply-adds) whose m, k and n
/// are all at least this also go to the blocked GEMM, on one thread. At
/// n = 64 it ran W5's three products 0–15% faster than matrixmultiply (one
/// thread, see `blocked`); at n = 48 its edge tiles made f32 slower (88 / 63
/// / 83 against 107 / 95 / 117 GFLOP/s). Two threads at n = 64 made W5
/// slower end to end (f32 26–36 against 18–19 µs), as splitting
/// matrixmultiply's products below `SPLIT_MIN` did.
const SMALL_MIN: usize = 64;

pub(crate) use sealed::{Dst, Src};

/// Items public only inside the crate (the module itself is private), so
/// `MatElem` can require them without exposing them.
pub(crate) mod sealed {
    /// A read-only strided matrix: element (i, j) at `p + i·rs + j·cs`.
    pub struct Src<T> {
        pub p: *const T,
        pub rs: isize,
        pub cs: isize,
    }

    /// A matrix written in place, with unit column stride: element (i, j) at
    /// `p + i·rs + j`.
    pub struct Dst<T> {
        pub p: *mut T,
        pub rs: isize,
    }

    // Copy for every T (a derive would ask T: Copy): these are addresses.
    impl<T> Clone for Src<T> {
        fn clone(&self) -> Self {
            *self
        }
    }
    impl<T> Copy for Src<T> {}
    impl<T> Clone for Dst<T> {
        fn clone(&self) -> Self {
            *self
        }
    }
    impl<T> Copy for Dst<T> {}

    // SAFETY: the pointers are only dereferenced under the blocked GEMM's
    // contract, which makes every addressed element valid for the whole call;
    // the threads of one call write disjoint strips of C and only read A and B.
    unsafe impl<T: Sync> Send for Src<T> {}
    unsafe impl<T: Sync> Sync for Src<T> {}
    unsafe impl<T: Send> Send for Dst<T> {}
    unsafe impl<T: Send> Sync for Dst<T> {}

    impl<T> Src<T> {
        /// The address of element (i, j).
        ///
        /// # Safety
        /// (i, j) must be an element the matrix addresses.
        #[inline(always)]
        pub(crate) unsafe fn at(self, i: usize, j: usize) -> *const T {
            // SAFETY: the caller's contract keeps the offset inside the slice.
            unsafe { self.p.offset(i as isize * self.rs + j as isize * self.cs) }
        }

        /// The matrix from element (i, j) on.
        ///
        /// # Safety
        /// As for [`Src::at`].
        pub(crate) unsafe fn skip(self, i: usize, j: usize) -> Self {
            Src {
                // SAFETY: as for `at`.
                p: unsafe { self.at(i, j) },
                ..self
            }
        }
    }

    impl<T> Dst<T> {
        /// The matrix from element (i, j) on.
        ///
        /// # Safety
        /// (i, j) must be an element of the matrix.
        #[inline(always)]
        pub(crate) unsafe fn skip(self, i: usize, j: usize) -> Self {
            Dst {
                // SAFETY: the caller's contract keeps the offset inside it.
                p: unsafe { self.p.offset(i as isize * self.rs + j as isize) },
                rs: self.rs,
            }
        }
    }

    /// The crate's own GEMM, where it applies.
    pub trait Blocked: Sized {
        /// Computes `C = alpha·A·B + beta·C` and returns true, or returns
        /// false without touching anything when the blocked kernels do not
        /// apply (integers, no AVX-512, a small product).
        ///
        /// # Safety
        /// As for `blocked::gemm`: m, k, n > 0 and every addressed element of
        /// A, B (reads) and C (reads and writes) valid, C's elements pairwise
        /// distinct and apart from A's and B's.
        #[allow(clippy::too_many_arguments)]
        unsafe fn blocked(
            _m: usize,
            _k: usize,
            _n: usize,
            _alpha: Self,
            _a: Src<Self>,
            _b: Src<Self>,
            _beta: Self,
            _c: Dst<Self>,
        ) -> bool {
            false
        }
    }

    impl Blocked for i32 {}
    impl Blocked for i64 {}

    macro_rules! float_blocked {
        ($t:ty) => {
            impl Blocked for $t {
                #[allow(clippy::too_many_arguments)]
                unsafe fn blocked(
                    m: usize,
                    k: usize,
                    n: usize,
                    alpha: Self,
                    a: Src<Self>,
                    b: Src<Self>,
                    beta: Self,
                    c: Dst<Self>,
                ) -> bool {
                    #[cfg(target_arch = "x86_64")]
                    {
                        let least = m.min(k).min(n);
                        let small = m.saturating_mul(k).saturating_mul(n) < super::SPLIT_MIN;
                        if crate::simd::isa() == crate::simd::Isa::Avx512
                            && (least >= super::BLOCKED_MIN || (small && least >= super::SMALL_MIN))
                        {
                            let threads = if small { 1 } else { crate::par::threads() };
                            // SAFETY: AVX-512F was detected; the rest is the
                            // caller's contract.
                            unsafe { crate::blocked::gemm(m, k, n, alpha, a, b, beta, c, threads) };
                            return true;
                        }
                    }
                    let _ = (m, k, n, alpha, a, b, beta, c);
                    false
                }
            }
        };
    }
    float_blocked!(f32);
    float_blocked!(f64);
}

/// `C = alpha·A·B + beta·C` for one m×k by k×n product. Each matrix is given by
/// its slice, the offset of its element (0, 0), and its (row, column) element
/// strides, which may be negative or (for A and B) zero. When `beta` is zero
/// the old contents of C are ignored (NaN there does not propagate). k == 0
/// gives `beta·C`.
///
/// # Panics
/// If any addressed element of A, B or C lies outside its slice, or two
/// elements of C share an offset.
///
/// ```
/// use causing_diff_kernels::gemm;
/// let a = [1.0, 2.0, 3.0, 4.0]; // [[1, 2], [3, 4]]
/// let mut c = [f64::NAN; 4];
/// // A · Aᵀ: Aᵀ is A with its strides swapped.
/// gemm(2, 2, 2, 1.0, &a, 0, 2, 1, &a, 0, 1, 2, 0.0, &mut c, 0, 2, 1);
/// assert_eq!(c, [5.0, 11.0, 11.0, 25.0]);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: MatElem>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    a_off: usize,
    rsa: isize,
    csa: isize,
    b: &[T],
    b_off: usize,
    rsb: isize,
    csb: isize,
    beta: T,
    c: &mut [T],
    c_off: usize,
    rsc: isize,
    csc: isize,
) {
    // Layout::new also rejects negative offsets and isize overflow.
    check_fits(
        &Layout::new(&[m, k], &[rsa, csa], a_off),
        a.len(),
        "gemm matrix A",
    );
    check_fits(
        &Layout::new(&[k, n], &[rsb, csb], b_off),
        b.len(),
        "gemm matrix B",
    );
    check_fits(
        &Layout::new(&[m, n], &[rsc, csc], c_off),
        c.len(),
        "gemm matrix C",
    );
    assert!(
        is_injective(m, n, rsc, csc),
        "gemm: C strides ({rsc}, {csc}) make distinct elements of a {m}×{n} matrix share an offset"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for i in 0..m {
            for j in 0..n {
                let cij = &mut c[at2(c_off, i, rsc, j, csc)];
                *cij = if beta == T::ZERO {
                    T::ZERO
                } else {
                    beta.wrapping_mul(*cij)
                };
            }
        }
        return;
    }
    // C with unit column stride (as `matmul` writes it) may go to the blocked
    // GEMM; C with unit row stride too, as Cᵀ = Bᵀ·Aᵀ.
    let (pa, pb) = (
        a.as_ptr().wrapping_add(a_off),
        b.as_ptr().wrapping_add(b_off),
    );
    let pc = c.as_mut_ptr().wrapping_add(c_off);
    let (a_src, b_src) = (
        Src {
            p: pa,
            rs: rsa,
            cs: csa,
        },
        Src {
            p: pb,
            rs: rsb,
            cs: csb,
        },
    );
    // SAFETY: m, k, n > 0 and the `check_fits` calls above put every
    // addressed element of A, B and C inside its slice, so the offset
    // pointers are in bounds; C's elements are pairwise distinct (rsc ≥ n,
    // resp. csc ≥ m, with the other stride 1), and `c` is an exclusive
    // borrow, so it overlaps neither A nor B.
    let done = unsafe {
        if csc == 1 && rsc >= n as isize {
            T::blocked(m, k, n, alpha, a_src, b_src, beta, Dst { p: pc, rs: rsc })
        } else if rsc == 1 && csc >= m as isize {
            let (bt, at) = (
                Src {
                    p: pb,
                    rs: csb,
                    cs: rsb,
                },
                Src {
                    p: pa,
                    rs: csa,
                    cs: rsa,
                },
            );
            T::blocked(n, k, m, alpha, bt, at, beta, Dst { p: pc, rs: csc })
        } else {
            false
        }
    };
    if done {
        return;
    }
    match T::GEMM {
        Some(kernel) => {
            // SAFETY: m, k, n > 0, so element (0, 0) of each matrix is
            // addressed and the `check_fits` calls above put it (and every
            // other addressed element) inside its slice; the offset pointers
            // are therefore in bounds and every element matrixmultiply
            // reads or writes lies within `a`, `b` or `c`. C's elements are
            // pairwise distinct (checked above), as matrixmultiply requires,
            // and `c` is an exclusive borrow, so it aliases neither A nor B.
            unsafe {
                strips(
                    kernel,
                    [m, k, n],
                    alpha,
                    a_src,
                    b_src,
                    beta,
                    Out {
                        p: pc,
                        rs: rsc,
                        cs: csc,
                    },
                    crate::par::threads(),
                )
            }
        }
        None => {
            // i-p-j order so the innermost loop walks rows of B and C; with
            // wrapping arithmetic alpha·Σ a·b == Σ (alpha·a)·b exactly.
            for i in 0..m {
                for j in 0..n {
                    let cij = &mut c[at2(c_off, i, rsc, j, csc)];
                    *cij = if beta == T::ZERO {
                        T::ZERO
                    } else {
                        beta.wrapping_mul(*cij)
                    };
                }
                for p in 0..k {
                    let aip = alpha.wrapping_mul(a[at2(a_off, i, rsa, p, csa)]);
                    for j in 0..n {
                        let bpj = b[at2(b_off, p, rsb, j, csb)];
                        let cij = &mut c[at2(c_off, i, rsc, j, csc)];
                        *cij = cij.wrapping_add(aip.wrapping_mul(bpj));
                    }
                }
            }
        }
    }
}

/// Products handed to matrixmultiply with at least this many multiply-adds
/// are split into two strips of C computed on two threads (matrixmultiply
/// itself runs single-threaded). Its own thread pool yielded to the
/// scheduler for about a quarter of W6's step (perf); splitting through
/// [`crate::par::join_spinning`] instead took W6's median from 522–717 to
/// 426–592 µs in six alternating runs of the compare bench (W5 at n = 64,
/// which stays on one thread, unchanged at 19–20 µs f32, 34–39 f64).
const SPLIT_MIN: usize = 1 << 20;

/// C for [`strips`]: element (i, j) at `p + i·rs + j·cs`.
struct Out<T> {
    p: *mut T,
    rs: isize,
    cs: isize,
}

impl<T> Clone for Out<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Out<T> {}
// SAFETY: only dereferenced by matrixmultiply under `strips`' contract; the
// two threads of a split write disjoint strips of C.
unsafe impl<T: Send> Send for Out<T> {}
unsafe impl<T: Send> Sync for Out<T> {}

/// `C = alpha·A·B + beta·C` through matrixmultiply's `kernel`, C split in
/// two strips (rows or columns, whichever C has more of) on two threads
/// when the product is large. matrixmultiply sums each element of C in an
/// order that depends on k alone, so the result does not depend on the
/// split.
///
/// # Safety
/// m, k, n > 0; every element of A and B valid for reads and of C for reads
/// and writes for the whole call; C's elements pairwise distinct and apart
/// from A's and B's.
#[allow(clippy::too_many_arguments)]
unsafe fn strips<T: MatElem>(
    kernel: GemmFn<T>,
    [m, k, n]: [usize; 3],
    alpha: T,
    a: Src<T>,
    b: Src<T>,
    beta: T,
    c: Out<T>,
    threads: usize,
) {
    let big = m.saturating_mul(k).saturating_mul(n) >= SPLIT_MIN;
    if threads >= 2 && big && m.max(n) >= 16 {
        // Cut at a multiple of 8 so both strips keep whole micro-tiles.
        let (left, right) = (threads / 2, threads - threads / 2);
        if m >= n {
            let cut = (m / 2).next_multiple_of(8).min(m - 1);
            // SAFETY: row `cut < m` exists; each strip is the caller's
            // contract on its own rows, and the strips of C are disjoint.
            let (a2, c2) = unsafe {
                (
                    a.skip(cut, 0),
                    Out {
                        p: c.p.offset(cut as isize * c.rs),
                        ..c
                    },
                )
            };
            crate::par::join_spinning(
                || unsafe { strips(kernel, [cut, k, n], alpha, a, b, beta, c, left) },
                || unsafe { strips(kernel, [m - cut, k, n], alpha, a2, b, beta, c2, right) },
            );
        } else {
            let cut = (n / 2).next_multiple_of(8).min(n - 1);
            // SAFETY: as above, with columns of B and C.
            let (b2, c2) = unsafe {
                (
                    b.skip(0, cut),
                    Out {
                        p: c.p.offset(cut as isize * c.cs),
                        ..c
                    },
                )
            };
            crate::par::join_spinning(
                || unsafe { strips(kernel, [m, k, cut], alpha, a, b, beta, c, left) },
                || unsafe { strips(kernel, [m, k, n - cut], alpha, a, b2, beta, c2, right) },
            );
        }
        return;
    }
    // SAFETY: the caller's contract, which is matrixmultiply's.
    unsafe {
        kernel(
            m, k, n, alpha, a.p, a.rs, a.cs, b.p, b.rs, b.cs, beta, c.p, c.rs, c.cs,
        )
    }
}

/// NumPy's matmul core on prepared operands: `al` has dims
/// `(batch…, m, k)` and `bl` has dims `(batch…, k, n)` with identical batch
/// dims (already broadcast, possibly with stride 0); `out` is contiguous
/// `(batch…, m, n)`. Transposed operands are read through their strides,
/// never copied.
///
/// # Panics
/// If the dims do not match as described, `out` has the wrong length, or a
/// layout reaches outside its slice.
///
/// ```
/// use causing_diff_kernels::{matmul, Layout};
/// let a = [1, 2, 3, 4, 5, 6]; // 2×3
/// let b = [1, 0, 0, 1, 1, 1]; // 3×2
/// let mut out = [0; 4];
/// matmul(&a, &Layout::contiguous(&[2, 3]), &b, &Layout::contiguous(&[3, 2]), &mut out);
/// assert_eq!(out, [4, 5, 10, 11]);
/// ```
pub fn matmul<T: MatElem>(a: &[T], al: &Layout, b: &[T], bl: &Layout, out: &mut [T]) {
    let nd = al.ndim();
    assert!(
        nd >= 2 && bl.ndim() == nd,
        "matmul: operands must both have the same number (≥ 2) of dims, got {:?} and {:?}",
        al.dims(),
        bl.dims()
    );
    let (ad, bd) = (al.dims(), bl.dims());
    assert!(
        ad[..nd - 2] == bd[..nd - 2] && ad[nd - 1] == bd[nd - 2],
        "matmul: dims {ad:?} and {bd:?} do not form (batch…, m, k) × (batch…, k, n)"
    );
    let (m, k, n) = (ad[nd - 2], ad[nd - 1], bd[nd - 1]);
    let batch = &ad[..nd - 2];
    let expected = batch.iter().product::<usize>() * m * n;
    assert_eq!(
        out.len(),
        expected,
        "matmul: output has {} elements, expected {expected}",
        out.len()
    );
    check_fits(al, a.len(), "matmul operand a");
    check_fits(bl, b.len(), "matmul operand b");
    if out.is_empty() {
        return;
    }
    let (sa, sb) = (al.strides(), bl.strides());
    let walk = Walk::new(batch, [&sa[..nd - 2], &sb[..nd - 2]]);
    let mut c_off = 0;
    walk.run([al.offset(), bl.offset()], |[oa, ob], len, [ia, ib]| {
        for t in 0..len {
            let (a_off, b_off) = (at(oa, t, ia), at(ob, t, ib));
            let (rsa, csa, rsb, csb) = (sa[nd - 2], sa[nd - 1], sb[nd - 2], sb[nd - 1]);
            gemm(
                m,
                k,
                n,
                T::ONE,
                a,
                a_off,
                rsa,
                csa,
                b,
                b_off,
                rsb,
                csb,
                T::ZERO,
                out,
                c_off,
                n as isize,
                1,
            );
            c_off += m * n;
        }
    });
}

/// Whether `(i, j) ↦ i·rs + j·cs` is one-to-one on an m×n grid.
fn is_injective(m: usize, n: usize, rs: isize, cs: isize) -> bool {
    if m == 0 || n == 0 {
        return true;
    }
    let (r, c) = (rs.unsigned_abs(), cs.unsigned_abs());
    match (m > 1 && r == 0, n > 1 && c == 0) {
        (true, _) | (_, true) => return false,
        _ => {}
    }
    if m == 1 || n == 1 {
        return true;
    }
    // Collisions are (di, dj) with di·rs == -dj·cs; the smallest non-zero one
    // is di = c/g, dj = r/g (up to sign), so none fits when either exceeds
    // the grid.
    let g = gcd(r, c);
    c / g >= m || r / g >= n
}

fn gcd(mut x: usize, mut y: usize) -> usize {
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
}

#[inline(always)]
fn at(base: usize, i: usize, stride: isize) -> usize {
    (base as isize + i as isize * stride) as usize
}

#[inline(always)]
fn at2(base: usize, i: usize, si: isize, j: usize, sj: isize) -> usize {
    (base as isize + i as isize * si + j as isize * sj) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unsafe call on slices cut to exactly the elements each matrix
    /// addresses (offsets, negative and zero strides): under Miri this checks
    /// that matrixmultiply stays inside them.
    #[test]
    fn matrixmultiply_stays_inside_tight_slices() {
        let (m, k, n) = (5, 3, 4);
        // A: 5×3 read transposed from a 3×5 buffer, reversed rows, offset 2.
        let a: Vec<f64> = (0..2 + 15).map(|v| v as f64).collect();
        // B: 3×4 with a zero row stride (every row the same) and offset 1.
        let b: Vec<f64> = (0..1 + 4).map(|v| v as f64 - 2.0).collect();
        // C: 5×4 column-major with negative column stride.
        let mut c = vec![f64::NAN; 20];
        let (a_off, rsa, csa) = (2 + 4, -1, 5);
        let (b_off, rsb, csb) = (1, 0, 1);
        let (c_off, rsc, csc) = (15, 1, -5);
        gemm(
            m, k, n, 1.0, &a, a_off, rsa, csa, &b, b_off, rsb, csb, 0.0, &mut c, c_off, rsc, csc,
        );
        let at = |o: usize, i: usize, si: isize, j: usize, sj: isize| at2(o, i, si, j, sj);
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k)
                    .map(|p| a[at(a_off, i, rsa, p, csa)] * b[at(b_off, p, rsb, j, csb)])
                    .sum();
                assert_eq!(c[at(c_off, i, rsc, j, csc)], want);
            }
        }
        let mut c32 = vec![0.0f32; 20];
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        gemm(
            m, k, n, 1.0, &a32, a_off, rsa, csa, &b32, b_off, rsb, csb, 0.0, &mut c32, c_off, rsc,
            csc,
        );
        assert!(c32.iter().zip(&c).all(|(&x, &y)| x as f64 == y));
    }

    #[test]
    fn injectivity_matches_brute_force() {
        for m in 0..5 {
            for n in 0..5 {
                for rs in -7..=7 {
                    for cs in -7..=7 {
                        let mut offs: Vec<isize> = (0..m)
                            .flat_map(|i| (0..n).map(move |j| i as isize * rs + j as isize * cs))
                            .collect();
                        offs.sort();
                        let brute = offs.windows(2).all(|w| w[0] != w[1]);
                        assert_eq!(
                            is_injective(m, n, rs, cs),
                            brute,
                            "m={m} n={n} rs={rs} cs={cs}"
                        );
                    }
                }
            }
        }
    }
}

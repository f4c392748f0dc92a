//! `gemm` and batched `matmul` against a naive triple loop, for every element
//! type, through transposed, reversed, strided and broadcast (stride-0) views.

mod common;

use causing_diff_kernels::{gemm, matmul, Element, Layout, MatElem};
use common::*;
use proptest::prelude::*;

/// Naive `(batch…, m, k) @ (batch…, k, n)` in i64 over the logical elements.
fn naive<T: Element>(a: &[T], al: &Layout, b: &[T], bl: &Layout) -> Vec<i64> {
    let nd = al.ndim();
    let (m, k, n) = (al.dims()[nd - 2], al.dims()[nd - 1], bl.dims()[nd - 1]);
    let mut out = vec![];
    for bi in indices(&al.dims()[..nd - 2]) {
        for i in 0..m {
            for j in 0..n {
                let mut s = 0i64;
                for p in 0..k {
                    let ai = [&bi[..], &[i, p]].concat();
                    let bj = [&bi[..], &[p, j]].concat();
                    s = s.wrapping_add(
                        a[off(al, &ai)]
                            .to_i64()
                            .wrapping_mul(b[off(bl, &bj)].to_i64()),
                    );
                }
                out.push(s);
            }
        }
    }
    out
}

fn check<T: MatElem>(al: &Layout, bl: &Layout) {
    let a: Vec<T> = data(len_for(al));
    let b: Vec<T> = data::<T>(len_for(bl))
        .iter()
        .map(|&v| v.wrapping_add(T::ONE))
        .collect();
    let nd = al.ndim();
    let size =
        al.dims()[..nd - 2].iter().product::<usize>() * al.dims()[nd - 2] * bl.dims()[nd - 1];
    let mut out = vec![T::from_f64(f64::NAN); size];
    matmul(&a, al, &b, bl, &mut out);
    let want: Vec<T> = naive(&a, al, &b, bl).into_iter().map(T::from_i64).collect();
    assert_eq!(out, want, "{al:?} @ {bl:?}");
}

fn check_all_types(al: &Layout, bl: &Layout) {
    check::<f32>(al, bl);
    check::<f64>(al, bl);
    check::<i32>(al, bl);
    check::<i64>(al, bl);
}

/// Every zoo layout of a matrix (or stack of matrices) shape.
fn mats(dims: &[usize]) -> Vec<Layout> {
    zoo(dims).into_iter().map(|(_, l)| l).collect()
}

#[test]
fn single_matrices_in_every_layout() {
    for (m, k, n) in [(3, 4, 5), (1, 4, 1), (4, 1, 3), (2, 3, 1), (1, 1, 1)] {
        for al in mats(&[m, k]) {
            for bl in mats(&[k, n]) {
                check_all_types(&al, &bl);
            }
        }
    }
}

#[test]
fn zero_sizes() {
    for (m, k, n) in [(0, 3, 2), (2, 3, 0), (2, 0, 3), (0, 0, 0)] {
        for al in mats(&[m, k]) {
            for bl in mats(&[k, n]) {
                check_all_types(&al, &bl);
            }
        }
    }
    // k == 0 overwrites a NaN-filled output with zeros.
    let mut out = [f64::NAN; 6];
    matmul(
        &[],
        &Layout::contiguous(&[2, 0]),
        &[],
        &Layout::contiguous(&[0, 3]),
        &mut out,
    );
    assert_eq!(out, [0.0; 6]);
}

#[test]
#[cfg_attr(miri, ignore)] // large; the blocking is covered natively
fn large_enough_for_matrixmultiply_blocking() {
    // Past the micro-kernel tile sizes and (for k) a packing block.
    let (m, k, n) = (37, 300, 29);
    for al in [
        Layout::contiguous(&[m, k]),
        Layout::contiguous(&[k, m]).permute(&[1, 0]).unwrap(),
    ] {
        for bl in [
            Layout::contiguous(&[k, n]),
            build_view(&[k, n], &[1, 0], &[-1, 2], &[1, 1], 3),
        ] {
            check::<f32>(&al, &bl);
            check::<f64>(&al, &bl);
            check::<i64>(&al, &bl);
        }
    }
}

#[test]
fn batches_with_broadcast_and_transposed_operands() {
    let (m, k, n) = (3, 4, 2);
    let batch = [2, 3];
    let full_a = Layout::contiguous(&[2, 3, m, k]);
    // A shared across the first batch axis (stride 0), B shared across all.
    let bcast_a = Layout::contiguous(&[3, m, k])
        .broadcast_to(&[2, 3, m, k])
        .unwrap();
    let bcast_b = Layout::contiguous(&[k, n])
        .broadcast_to(&[2, 3, k, n])
        .unwrap();
    // Batch-transposed and matrix-transposed views.
    let perm_a = Layout::contiguous(&[3, 2, k, m])
        .permute(&[1, 0, 3, 2])
        .unwrap();
    let rev_b = build_view(
        &[2, 3, k, n],
        &[3, 2, 1, 0],
        &[-1, 2, 1, -2],
        &[1, 0, 1, 1],
        2,
    );
    for al in [&full_a, &bcast_a, &perm_a] {
        for bl in [&bcast_b, &rev_b, &Layout::contiguous(&[2, 3, k, n])] {
            assert_eq!(&al.dims()[..2], &batch);
            check_all_types(al, bl);
        }
    }
    // Empty batch.
    check::<f64>(
        &Layout::contiguous(&[0, m, k]),
        &Layout::contiguous(&[0, k, n]),
    );
}

#[test]
fn gemm_scales_and_accumulates() {
    // C = 2·A·B + 3·C with C written through negative strides.
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2×3
    let b = [1.0, 0.0, 2.0, 1.0, 0.0, 3.0]; // 3×2
    let mut c = [1.0, 1.0, 1.0, 1.0];
    // A·B = [[5, 11], [14, 23]]; C stored reversed: c[3 - (2i + j)].
    gemm(
        2, 3, 2, 2.0, &a, 0, 3, 1, &b, 0, 2, 1, 3.0, &mut c, 3, -2, -1,
    );
    assert_eq!(c, [49.0, 31.0, 25.0, 13.0]);
    let mut ci = [10i32; 4];
    gemm(
        2,
        3,
        2,
        -1,
        &[1, 2, 3, 4, 5, 6],
        0,
        3,
        1,
        &[1, 0, 2, 1, 0, 3],
        0,
        2,
        1,
        2,
        &mut ci,
        0,
        2,
        1,
    );
    assert_eq!(ci, [15, 9, 6, -3]);
    // beta == 0 ignores NaN already in C; k == 0 gives beta·C.
    let mut c = [f32::NAN, 5.0];
    gemm(
        1,
        0,
        2,
        1.0,
        &[],
        0,
        1,
        1,
        &[],
        0,
        1,
        1,
        0.0,
        &mut c,
        0,
        2,
        1,
    );
    assert_eq!(c, [0.0, 0.0]);
    let mut c = [4.0f32, 5.0];
    gemm(
        1,
        0,
        2,
        1.0,
        &[],
        0,
        1,
        1,
        &[],
        0,
        1,
        1,
        0.5,
        &mut c,
        0,
        2,
        1,
    );
    assert_eq!(c, [2.0, 2.5]);
}

#[test]
fn integer_products_wrap() {
    let a = [i32::MAX, 2];
    let mut c = [0; 1];
    gemm(1, 2, 1, 1, &a, 0, 2, 1, &a, 0, 1, 1, 0, &mut c, 0, 1, 1);
    assert_eq!(c, [i32::MAX.wrapping_mul(i32::MAX).wrapping_add(4)]);
}

#[test]
#[should_panic(expected = "gemm matrix A")]
fn gemm_rejects_a_past_its_slice() {
    gemm(
        2,
        2,
        2,
        1.0,
        &[0.0; 3],
        0,
        2,
        1,
        &[0.0; 4],
        0,
        2,
        1,
        0.0,
        &mut [0.0; 4],
        0,
        2,
        1,
    );
}

#[test]
#[should_panic(expected = "gemm matrix C")]
fn gemm_rejects_c_past_its_slice() {
    gemm(
        2,
        2,
        2,
        1.0f32,
        &[0.0; 4],
        0,
        2,
        1,
        &[0.0; 4],
        0,
        2,
        1,
        0.0,
        &mut [0.0; 4],
        1,
        2,
        1,
    );
}

#[test]
#[should_panic(expected = "negative offset")]
fn gemm_rejects_negative_reach() {
    gemm(
        2,
        2,
        2,
        1.0f64,
        &[0.0; 4],
        1,
        -2,
        1,
        &[0.0; 4],
        0,
        2,
        1,
        0.0,
        &mut [0.0; 4],
        0,
        2,
        1,
    );
}

#[test]
#[should_panic(expected = "share an offset")]
fn gemm_rejects_aliased_c() {
    gemm(
        2,
        2,
        2,
        1.0f64,
        &[0.0; 4],
        0,
        2,
        1,
        &[0.0; 4],
        0,
        2,
        1,
        0.0,
        &mut [0.0; 4],
        0,
        1,
        1,
    );
}

#[test]
#[should_panic(expected = "do not form")]
fn matmul_rejects_mismatched_inner_dims() {
    matmul(
        &[0.0; 6],
        &Layout::contiguous(&[2, 3]),
        &[0.0; 6],
        &Layout::contiguous(&[2, 3]),
        &mut [0.0; 6],
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn random_batched_layouts(
        (al, bl) in (prop::collection::vec(1..=3usize, 0..=2), 0..=4usize, 0..=4usize, 0..=4usize)
            .prop_flat_map(|(batch, m, k, n)| {
                let a = [&batch[..], &[m, k]].concat();
                let b = [&batch[..], &[k, n]].concat();
                (arb_operand(a), arb_operand(b))
            })
    ) {
        check::<f64>(&al, &bl);
        check::<i32>(&al, &bl);
    }
}

/// `a @ b` for 2-D layouts, as exact i64 sums (a fast loop for big shapes).
fn naive2(a: &[f64], al: &Layout, b: &[f64], bl: &Layout) -> Vec<i64> {
    let (m, k, n) = (al.dims()[0], al.dims()[1], bl.dims()[1]);
    let (sa, sb) = (al.strides(), bl.strides());
    let at = |l: &Layout, s: &[isize], i: usize, j: usize| {
        (l.offset() as isize + i as isize * s[0] + j as isize * s[1]) as usize
    };
    let mut out = Vec::with_capacity(m * n);
    for i in 0..m {
        for j in 0..n {
            let s: i64 = (0..k)
                .map(|p| a[at(al, sa, i, p)] as i64 * b[at(bl, sb, p, j)] as i64)
                .sum();
            out.push(s);
        }
    }
    out
}

/// Shapes for the blocked GEMM (m, k, n ≥ 128, or ≥ 64 for a small product,
/// taken on AVX-512 machines; elsewhere these check matrixmultiply): edge
/// tiles in both directions, several k blocks (k > 256), two threads' row
/// and column strips, more columns than one packed block of B (n > 512), and small
/// products whose row-major B is read in place; A and B row-major,
/// transposed, reversed and one value broadcast. Small integers, so every
/// sum is exact.
#[test]
#[cfg_attr(miri, ignore)] // large
fn large_products_in_every_orientation() {
    // k past KC (several depth blocks), n past NC (several column blocks).
    for (m, k, n) in [
        (130, 300, 140),
        (129, 129, 1050),
        (64, 64, 64),
        (71, 66, 77),
    ] {
        // One value broadcast (a spread gradient, W5's G): packed by a fill.
        let one = |r, c| Layout::contiguous(&[1, 1]).broadcast_to(&[r, c]).unwrap();
        for al in [
            Layout::contiguous(&[m, k]),
            Layout::contiguous(&[k, m]).permute(&[1, 0]).unwrap(),
            one(m, k),
        ] {
            for bl in [
                Layout::contiguous(&[k, n]),
                Layout::contiguous(&[n, k]).permute(&[1, 0]).unwrap(),
                build_view(&[k, n], &[1, 0], &[-1, 2], &[1, 1], 3),
                one(k, n),
            ] {
                let a: Vec<f64> = data(len_for(&al));
                let b: Vec<f64> = data(len_for(&bl));
                let want = naive2(&a, &al, &b, &bl);
                let mut out = vec![f64::NAN; m * n];
                matmul(&a, &al, &b, &bl, &mut out);
                assert!(
                    out.iter().zip(&want).all(|(&x, &w)| x == w as f64),
                    "f64 {al:?} @ {bl:?}"
                );
                let (a32, b32): (Vec<f32>, Vec<f32>) = (
                    a.iter().map(|&v| v as f32).collect(),
                    b.iter().map(|&v| v as f32).collect(),
                );
                let mut out = vec![f32::NAN; m * n];
                matmul(&a32, &al, &b32, &bl, &mut out);
                assert!(
                    out.iter().zip(&want).all(|(&x, &w)| x == w as f32),
                    "f32 {al:?} @ {bl:?}"
                );
            }
        }
    }
}

/// `C = 2·A·B + 3·C` in a buffer wider than C, row-major and (through its
/// strides) column-major: the padding between rows or columns stays as it
/// was, and NaN in C is ignored when beta is 0. A large product and a small
/// one (B read in place), both with edge tiles.
#[test]
#[cfg_attr(miri, ignore)] // large
fn large_gemm_scales_accumulates_and_keeps_to_its_elements() {
    for (m, k, n) in [(150, 300, 140), (71, 66, 77)] {
        scales_accumulates_and_keeps_to_its_elements(m, k, n);
    }
}

/// `gemm` with row-major A (m×k) and B (k×n), both from offset 0, into C
/// at `i·rs + j·cs`.
#[allow(clippy::too_many_arguments)]
fn gemm_row_major<T: MatElem>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    b: &[T],
    beta: T,
    c: &mut [T],
    rs: usize,
    cs: usize,
) {
    gemm(
        m,
        k,
        n,
        alpha,
        a,
        0,
        k as isize,
        1,
        b,
        0,
        n as isize,
        1,
        beta,
        c,
        0,
        rs as isize,
        cs as isize,
    );
}

fn scales_accumulates_and_keeps_to_its_elements(m: usize, k: usize, n: usize) {
    let a: Vec<f64> = data(m * k);
    let b: Vec<f64> = data(k * n);
    let want = |i: usize, j: usize| -> f64 { (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum() };
    for col_major in [false, true] {
        // Element (i, j) of C at i·rs + j·cs, with 5 unused slots per line.
        let (rs, cs, len) = if col_major {
            (1, m + 5, n * (m + 5))
        } else {
            (n + 5, 1, m * (n + 5))
        };
        let mut c: Vec<f64> = (0..len).map(|i| (i % 7) as f64).collect();
        let old = c.clone();
        gemm_row_major(m, k, n, 2.0, &a, &b, 3.0, &mut c, rs, cs);
        let mut live = vec![false; len];
        for i in 0..m {
            for j in 0..n {
                let at = i * rs + j * cs;
                live[at] = true;
                assert_eq!(c[at], 2.0 * want(i, j) + 3.0 * old[at], "({i}, {j})");
            }
        }
        for (at, _) in live.iter().enumerate().filter(|(_, l)| !**l) {
            assert_eq!(c[at], old[at], "padding at {at}");
        }
        let mut c = vec![f64::NAN; len];
        gemm_row_major(m, k, n, 1.0, &a, &b, 0.0, &mut c, rs, cs);
        assert_eq!(c[(m - 1) * rs + (n - 1) * cs], want(m - 1, n - 1));
        assert!(c
            .iter()
            .take(m * rs)
            .step_by(rs.max(1))
            .all(|v| !v.is_nan()));
    }
}

/// An m×k by k×n f32 product (C row- or column-major) on one thread and on
/// two and three: the same bits, and every element within f32 rounding of a
/// float64 reference.
fn check_thread_independence(m: usize, k: usize, n: usize, col_major: bool) {
    let a: Vec<f32> = (0..m * k)
        .map(|i| ((i * 7919) % 1013) as f32 / 1013.0 - 0.5)
        .collect();
    let b: Vec<f32> = (0..k * n)
        .map(|i| ((i * 104_729) % 997) as f32 / 997.0 - 0.5)
        .collect();
    let (rsc, csc) = if col_major { (1, m) } else { (n, 1) };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut c = vec![f32::NAN; m * n];
        pool.install(|| gemm_row_major(m, k, n, 1.0, &a, &b, 0.0, &mut c, rsc, csc));
        c
    };
    let case = format!("{m}×{k}×{n}, C column-major {col_major}");
    let one = run(1);
    for threads in [2, 3] {
        let many = run(threads);
        assert!(
            one.iter()
                .zip(&many)
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{case}, {threads} threads"
        );
    }
    for i in 0..m {
        for j in 0..n {
            let terms = (0..k).map(|p| a[i * k + p] as f64 * b[p * n + j] as f64);
            let exact: f64 = terms.clone().sum();
            let bound: f64 = terms.map(f64::abs).sum();
            let err = (one[i * rsc + j * csc] as f64 - exact).abs();
            assert!(
                err <= bound * k as f64 * f32::EPSILON as f64,
                "{case} ({i}, {j}): {err}"
            );
        }
    }
}

/// Rounding, not only exact integers: a product for the blocked GEMM is the
/// same bits whatever the thread count (each element's sum runs in the same
/// order).
#[test]
#[cfg_attr(miri, ignore)] // large
fn large_products_do_not_depend_on_the_thread_count() {
    for col_major in [false, true] {
        check_thread_independence(130, 700, 200, col_major);
        // Two threads cut 256 rows off the panel grid (126 + 130).
        check_thread_independence(256, 300, 256, col_major);
    }
}

/// Products too thin for the blocked GEMM (a dimension under 128, like
/// W6's) but large enough to be split over threads: the same, for C
/// row-major and column-major, split by rows (m ≥ n) and by columns.
#[test]
#[cfg_attr(miri, ignore)] // large
fn thin_products_do_not_depend_on_the_thread_count() {
    for (m, k, n) in [(64, 784, 256), (784, 64, 256), (50, 300, 90), (300, 64, 61)] {
        for col_major in [false, true] {
            check_thread_independence(m, k, n, col_major);
        }
    }
}

/// `gemm` with A or B one value read through zero strides (a spread
/// gradient): every element against a naive triple loop over integer-valued
/// floats (exact in any order), with the other operand row- or
/// column-major, C pre-filled with NaN where `beta` is zero, `beta` ≠ 0
/// too, and shapes on both sides of the blocking and threading thresholds.
#[test]
fn products_with_a_one_value_operand() {
    let av = |i: usize, p: usize, k: usize| ((i * k + p) * 7 % 13) as f64 - 6.0;
    let bv = |p: usize, j: usize, n: usize| ((p * n + j) * 5 % 11) as f64 - 5.0;
    for &(m, k, n) in &[
        (1, 1, 1),
        (3, 5, 2),
        (17, 33, 9),
        (64, 300, 70),
        (260, 300, 270),
    ] {
        let one = [3.0f64];
        for (alpha, beta) in [(1.0, 0.0), (2.0, 0.0), (-1.0, 0.5)] {
            for (one_is_a, col_major) in
                [(false, false), (false, true), (true, false), (true, true)]
            {
                let start: Vec<f64> = (0..m * n).map(|i| (i % 5) as f64).collect();
                let mut c = if beta == 0.0 {
                    vec![f64::NAN; m * n]
                } else {
                    start.clone()
                };
                // The other operand, stored row- or column-major.
                let (rows, cols) = if one_is_a { (k, n) } else { (m, k) };
                let value = |r: usize, q: usize| if one_is_a { bv(r, q, n) } else { av(r, q, k) };
                let mut other = vec![0.0; rows * cols];
                let (rs, cs) = if col_major {
                    (1, rows as isize)
                } else {
                    (cols as isize, 1)
                };
                for r in 0..rows {
                    for q in 0..cols {
                        other[r * rs as usize + q * cs as usize] = value(r, q);
                    }
                }
                let (x, rsa, csa, y, rsb, csb) = if one_is_a {
                    (&one[..], 0, 0, &other[..], rs, cs)
                } else {
                    (&other[..], rs, cs, &one[..], 0, 0)
                };
                gemm(
                    m, k, n, alpha, x, 0, rsa, csa, y, 0, rsb, csb, beta, &mut c, 0, n as isize, 1,
                );
                for i in 0..m {
                    for j in 0..n {
                        let mut s = 0.0;
                        for p in 0..k {
                            s += if one_is_a {
                                3.0 * bv(p, j, n)
                            } else {
                                av(i, p, k) * 3.0
                            };
                        }
                        let old = if beta == 0.0 {
                            0.0
                        } else {
                            beta * start[i * n + j]
                        };
                        assert_eq!(
                            c[i * n + j],
                            alpha * s + old,
                            "{m}x{k}x{n}, one value as {}, col-major {col_major}, \
                             alpha {alpha}, beta {beta}, ({i}, {j})",
                            if one_is_a { "A" } else { "B" }
                        );
                    }
                }
            }
        }
    }
}

/// An infinity meeting a zero one value gives NaN, as in the full product.
#[test]
fn a_one_value_zero_times_infinity_is_nan() {
    let a = [1.0f32, f32::INFINITY, 2.0, 3.0]; // 2×2
    let zero = [0.0f32];
    let mut c = [f32::NAN; 4];
    gemm(
        2, 2, 2, 1.0, &a, 0, 2, 1, &zero, 0, 0, 0, 0.0, &mut c, 0, 2, 1,
    );
    assert!(c[0].is_nan() && c[1].is_nan(), "{c:?}");
    assert_eq!(&c[2..], &[0.0, 0.0]);
    // Aᵀ · 0 through the one-value-A path: columns of the infinity are NaN.
    let mut c = [f32::NAN; 4];
    gemm(
        2, 2, 2, 1.0, &zero, 0, 0, 0, &a, 0, 2, 1, 0.0, &mut c, 0, 2, 1,
    );
    assert!(c[1].is_nan() && c[3].is_nan(), "{c:?}");
    assert_eq!([c[0], c[2]], [0.0, 0.0]);
}

/// `gemm` with every row of A the same (row stride 0: one value, or a row
/// broadcast down) or every column of B the same (column stride 0) gives the
/// bits of the same product with that operand formed: the repeated row or
/// column of C is summed in the formed product's order. Values that are not
/// integers (so the order of the sums shows), f32 and f64, depths of one and
/// of several `KC` blocks, the other operand row- and column-major, C row-
/// and column-major pre-filled with NaN, alpha 1 and not.
#[test]
#[cfg_attr(miri, ignore)] // large
fn repeated_rows_or_columns_give_the_formed_products_bits() {
    repeated_as_formed::<f32>(|v| v as f32, |v| v.to_bits() as u64);
    repeated_as_formed::<f64>(|v| v, f64::to_bits);
}

fn repeated_as_formed<T: MatElem>(conv: fn(f64) -> T, bits: fn(T) -> u64) {
    let value = |i: usize| conv(((i * 7919 + 13) % 1009) as f64 / 1009.0 - 0.31);
    for (m, k, n) in [(64, 64, 64), (130, 300, 140), (200, 530, 129)] {
        for (repeat_a, one_value) in [(true, true), (true, false), (false, true), (false, false)] {
            // The repeated operand: one stored value or one stored row
            // (column) broadcast, and the same values formed row-major.
            let (rows, cols) = if repeat_a { (m, k) } else { (k, n) };
            let line = if repeat_a { cols } else { rows };
            let stored: Vec<T> = (0..if one_value { 1 } else { line })
                .map(|i| value(i + 5))
                .collect();
            let (rs, cs) = match (repeat_a, one_value) {
                (_, true) => (0, 0),
                (true, false) => (0, 1),
                (false, false) => (1, 0),
            };
            let formed: Vec<T> = (0..rows * cols)
                .map(|e| stored[(e / cols) * rs as usize + (e % cols) * cs as usize])
                .collect();
            // The other operand.
            let (orows, ocols) = if repeat_a { (k, n) } else { (m, k) };
            let other: Vec<T> = (0..orows * ocols).map(value).collect();
            for other_col_major in [false, true] {
                let (ors, ocs) = if other_col_major {
                    (1, orows as isize)
                } else {
                    (ocols as isize, 1)
                };
                for (c_col_major, alpha) in [(false, 1.0), (true, 1.0), (false, 0.7)] {
                    let (rsc, csc) = if c_col_major {
                        (1, m as isize)
                    } else {
                        (n as isize, 1)
                    };
                    let run = |rep: &[T], rrs: isize, rcs: isize| {
                        let mut c = vec![conv(f64::NAN); m * n];
                        if repeat_a {
                            gemm(
                                m,
                                k,
                                n,
                                conv(alpha),
                                rep,
                                0,
                                rrs,
                                rcs,
                                &other,
                                0,
                                ors,
                                ocs,
                                conv(0.0),
                                &mut c,
                                0,
                                rsc,
                                csc,
                            );
                        } else {
                            gemm(
                                m,
                                k,
                                n,
                                conv(alpha),
                                &other,
                                0,
                                ors,
                                ocs,
                                rep,
                                0,
                                rrs,
                                rcs,
                                conv(0.0),
                                &mut c,
                                0,
                                rsc,
                                csc,
                            );
                        }
                        c
                    };
                    let got = run(&stored, rs, cs);
                    let want = run(&formed, cols as isize, 1);
                    let case = format!(
                        "{m}x{k}x{n}, repeated {} ({}), other col-major {other_col_major}, \
                         C col-major {c_col_major}, alpha {alpha}",
                        if repeat_a { "A rows" } else { "B columns" },
                        if one_value {
                            "one value"
                        } else {
                            "broadcast line"
                        },
                    );
                    let differ = got
                        .iter()
                        .zip(&want)
                        .position(|(&x, &y)| bits(x) != bits(y));
                    assert_eq!(differ, None, "{case}: first differing element");
                }
            }
        }
    }
}

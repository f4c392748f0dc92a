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

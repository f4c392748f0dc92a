//! Scans along every axis of every zoo layout, and the cumulative-product
//! gradient, against naive references that walk the multi-indices themselves.

mod common;

use causing_diff_kernels::{cumprod_grad, scan_axis, Element, Layout};
use common::*;
use proptest::prelude::*;

/// The naive inclusive scan along `axis`, in C order over `l.dims()`.
fn naive_scan(x: &[i64], l: &Layout, axis: usize, reverse: bool, mul: bool) -> Vec<i64> {
    let dims = l.dims();
    let n = dims[axis];
    indices(dims)
        .iter()
        .map(|idx| {
            let range: Vec<usize> = if reverse {
                (idx[axis]..n).collect()
            } else {
                (0..=idx[axis]).collect()
            };
            let mut acc = if mul { 1i64 } else { 0 };
            for i in range {
                let mut j = idx.clone();
                j[axis] = i;
                let v = x[off(l, &j)];
                acc = if mul { acc * v } else { acc + v };
            }
            acc
        })
        .collect()
}

fn check_scans<T: Element>(l: &Layout, axis: usize, x: &[T]) {
    let xi: Vec<i64> = x.iter().map(|v| v.to_i64()).collect();
    for reverse in [false, true] {
        let mut out = vec![T::from_f64(f64::NAN); l.size()];
        scan_axis(
            x,
            l,
            axis,
            reverse,
            |a, b| T::from_i64(a.to_i64() + b.to_i64()),
            &mut out,
        );
        let want: Vec<T> = naive_scan(&xi, l, axis, reverse, false)
            .into_iter()
            .map(T::from_i64)
            .collect();
        assert_eq!(out, want, "sum {l:?} axis {axis} reverse {reverse}");
    }
}

#[test]
fn scans_match_naive_on_every_layout() {
    for dims in shapes() {
        for (name, l) in zoo(&dims) {
            let x: Vec<i64> = data(len_for(&l));
            let xf: Vec<f64> = data(len_for(&l));
            for axis in 0..dims.len() {
                check_scans(&l, axis, &x);
                check_scans(&l, axis, &xf);
                let mut out = vec![0i64; l.size()];
                scan_axis(&x, &l, axis, false, |a, b| a * b, &mut out);
                assert_eq!(out, naive_scan(&x, &l, axis, false, true), "prod {name}");
            }
        }
    }
}

#[test]
fn scan_keeps_the_first_element_as_is() {
    // NumPy's accumulate copies the first element: -0.0 stays -0.0.
    let mut out = [1.0f64; 2];
    scan_axis(
        &[-0.0, 1.0],
        &Layout::contiguous(&[2]),
        0,
        false,
        |a, b| a + b,
        &mut out,
    );
    assert!(out[0] == 0.0 && out[0].is_sign_negative());
}

/// `Σ_{k≥j} g_k Π_{i≤k, i≠j} x_i` along `axis`, by brute force.
fn naive_cumprod_grad(x: &[i64], g: &[i64], dims: &[usize], axis: usize) -> Vec<i64> {
    let n = dims[axis];
    let at = |idx: &[usize], i: usize| {
        let mut j = idx.to_vec();
        j[axis] = i;
        flat(dims, &j)
    };
    indices(dims)
        .iter()
        .map(|idx| {
            let j = idx[axis];
            (j..n)
                .map(|k| {
                    let p: i64 = (0..=k).filter(|&i| i != j).map(|i| x[at(idx, i)]).product();
                    g[at(idx, k)] * p
                })
                .sum()
        })
        .collect()
}

#[test]
fn cumprod_grad_is_exact_with_zeros() {
    // Lanes with no zero, one zero, a zero first and two zeros.
    let x = [2, 3, 4, 5, 2, 0, 3, 4, 0, 3, 2, 1, 2, 0, 3, 0];
    let g = [1, -2, 3, 1, 2, 1, -1, 2, 1, 1, 1, 1, 3, 2, 1, -1];
    for (dims, axis) in [
        (vec![4, 4], 1),
        (vec![4, 4], 0),
        (vec![16], 0),
        (vec![2, 4, 2], 1),
    ] {
        let mut out = vec![99; 16];
        cumprod_grad(&x, &g, &dims, axis, &mut out);
        assert_eq!(
            out,
            naive_cumprod_grad(&x, &g, &dims, axis),
            "{dims:?} {axis}"
        );
    }
}

#[test]
fn cumprod_grad_spreads_nan_only_through_products() {
    // x1 = NaN: only ∂/∂x1 avoids it (1·(g1 + x2·g2) = 3).
    let mut out = [0.0; 3];
    cumprod_grad(&[1.0, f64::NAN, 2.0], &[1.0; 3], &[3], 0, &mut out);
    assert!(out[0].is_nan() && out[2].is_nan());
    assert_eq!(out[1], 3.0);
}

proptest! {
    #[test]
    fn scans_on_random_views(
        (l, axis) in arb_dims(4)
            .prop_filter("needs an axis", |d| !d.is_empty())
            .prop_flat_map(|d| (arb_view(d.clone()), 0..d.len()))
    ) {
        let x: Vec<i64> = data(len_for(&l));
        check_scans(&l, axis, &x);
    }

    #[test]
    fn cumprod_grad_on_random_shapes(
        (dims, axis, seed) in arb_dims(4)
            .prop_filter("needs an axis", |d| !d.is_empty())
            .prop_flat_map(|d| { let n = d.len(); (Just(d), 0..n, any::<u64>()) })
    ) {
        let size: usize = dims.iter().product();
        let x: Vec<i64> = (0..size).map(|i| ((i as u64 * 31 + seed) % 5) as i64 - 2).collect();
        let g: Vec<i64> = (0..size).map(|i| ((i as u64 * 17 + seed / 7) % 7) as i64 - 3).collect();
        let mut out = vec![99; size];
        cumprod_grad(&x, &g, &dims, axis, &mut out);
        prop_assert_eq!(out, naive_cumprod_grad(&x, &g, &dims, axis));
    }
}

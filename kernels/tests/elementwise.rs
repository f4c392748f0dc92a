//! Elementwise kernels on every zoo layout against the naive gather reference.
//! Outputs start as NaN so an unwritten element cannot pass.

mod common;

use causing_diff_kernels::{map1, map2, map3, zip_assign, Layout};
use common::*;
use proptest::prelude::*;

fn check_map1(a: &Layout) {
    let x: Vec<f64> = data(len_for(a));
    let mut out = vec![f64::NAN; a.size()];
    map1(&x, a, &mut out, |v| 2.0 * v + 1.0);
    let want: Vec<f64> = gather(&x, a).iter().map(|v| 2.0 * v + 1.0).collect();
    assert_eq!(out, want, "{a:?}");
}

fn check_map2(a: &Layout, b: &Layout) {
    let x: Vec<f64> = data(len_for(a));
    let y: Vec<i64> = data::<i64>(len_for(b)).iter().map(|v| v * 3 + 1).collect();
    let mut out = vec![f64::NAN; a.size()];
    map2(&x, a, &y, b, &mut out, |p, q| p * 10.0 - q as f64);
    let want: Vec<f64> = gather(&x, a)
        .iter()
        .zip(gather(&y, b))
        .map(|(p, q)| p * 10.0 - q as f64)
        .collect();
    assert_eq!(out, want, "{a:?} {b:?}");
}

fn check_map3(a: &Layout, b: &Layout, c: &Layout) {
    let cond: Vec<bool> = data::<i32>(len_for(a)).iter().map(|&v| v > 0).collect();
    let x: Vec<f32> = data(len_for(b));
    let y: Vec<f32> = data::<f32>(len_for(c)).iter().map(|v| v + 100.0).collect();
    let mut out = vec![f32::NAN; a.size()];
    map3(
        &cond,
        a,
        &x,
        b,
        &y,
        c,
        &mut out,
        |t, p, q| if t { p } else { q },
    );
    let want: Vec<f32> = gather(&cond, a)
        .iter()
        .zip(gather(&x, b))
        .zip(gather(&y, c))
        .map(|((&t, p), q)| if t { p } else { q })
        .collect();
    assert_eq!(out, want, "{a:?} {b:?} {c:?}");
}

fn check_zip_assign(b: &Layout) {
    let y: Vec<i32> = data(len_for(b));
    let mut acc: Vec<i32> = (0..b.size() as i32).collect();
    zip_assign(&mut acc, &y, b, |s, v| s * 2 + v);
    let want: Vec<i32> = gather(&y, b)
        .iter()
        .enumerate()
        .map(|(i, v)| i as i32 * 2 + v)
        .collect();
    assert_eq!(acc, want, "{b:?}");
}

#[test]
fn map1_on_every_layout() {
    for dims in shapes() {
        for (_, a) in zoo(&dims) {
            check_map1(&a);
        }
    }
}

#[test]
fn map2_on_every_pair_of_layouts() {
    for dims in shapes() {
        for (_, a) in zoo(&dims) {
            for (_, b) in zoo(&dims) {
                check_map2(&a, &b);
            }
        }
    }
}

#[test]
fn map3_on_every_triple_of_layouts() {
    for dims in [vec![], vec![5], vec![3, 4], vec![2, 1, 3], vec![3, 0]] {
        let z = zoo(&dims);
        for (_, a) in &z {
            for (_, b) in &z {
                for (_, c) in &z {
                    check_map3(a, b, c);
                }
            }
        }
    }
}

/// Contiguous runs of at least 32 elements go through the vector kernels:
/// a whole contiguous operand, and rows of one spread down a matrix (how a
/// mean's gradient is added into an existing one), against a naive loop,
/// bit for bit.
#[test]
fn zip_assign_long_runs_match_a_naive_loop() {
    let f = |s: f32, v: f32| s + v / 3.0;
    for (dims, strides) in [
        (vec![1000usize], vec![1isize]),
        (vec![50, 100], vec![0, 1]),
        (vec![7, 33], vec![33, 1]),
    ] {
        let b = Layout::new(&dims, &strides, 0);
        let y: Vec<f32> = (0..dims.iter().product::<usize>())
            .map(|i| (i as f32 * 0.37).sin())
            .collect();
        let mut acc: Vec<f32> = (0..b.size()).map(|i| (i as f32 * 0.11).cos()).collect();
        let want: Vec<u32> = acc
            .iter()
            .zip(gather(&y, &b))
            .map(|(&s, v)| f(s, v).to_bits())
            .collect();
        zip_assign(&mut acc, &y, &b, f);
        let got: Vec<u32> = acc.iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, want, "{dims:?} {strides:?}");
    }
}

#[test]
fn zip_assign_on_every_layout() {
    for dims in shapes() {
        for (_, b) in zoo(&dims) {
            check_zip_assign(&b);
        }
    }
}

#[test]
fn broadcast_scalar_is_read_once_per_call() {
    // The scalar path may call `f` once and fill; the value must still be right.
    let s = Layout::new(&[2, 3], &[0, 0], 1);
    let mut out = [f64::NAN; 6];
    map1(&[9.0, 4.0], &s, &mut out, |v| v * v);
    assert_eq!(out, [16.0; 6]);
}

#[test]
#[should_panic(expected = "reaches offset")]
fn layouts_past_the_slice_panic() {
    let mut out = [0.0; 4];
    map1(
        &[1.0, 2.0, 3.0],
        &Layout::contiguous(&[4]),
        &mut out,
        |v: f64| v,
    );
}

#[test]
#[should_panic(expected = "reaches offset")]
fn strided_layouts_past_the_slice_panic() {
    let mut out = [0; 2];
    let b = Layout::new(&[2], &[3], 1);
    map2(
        &[1, 2, 3, 4, 5],
        &Layout::contiguous(&[2]),
        &[0i64; 4],
        &b,
        &mut out,
        |x: i32, y| x + y as i32,
    );
}

#[test]
#[should_panic(expected = "output has")]
fn wrong_output_length_panics() {
    let mut out = [0; 3];
    map1(
        &[1, 2, 3, 4],
        &Layout::contiguous(&[4]),
        &mut out,
        |v: i32| v,
    );
}

#[test]
#[should_panic(expected = "dims differ")]
fn unbroadcast_operands_panic() {
    let mut out = [0; 4];
    map2(
        &[1; 4],
        &Layout::contiguous(&[4]),
        &[1; 1],
        &Layout::contiguous(&[1]),
        &mut out,
        |x: i32, y: i32| x + y,
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn random_broadcast_pairs(
        (a, b) in arb_dims(4).prop_flat_map(|d| (arb_operand(d.clone()), arb_operand(d)))
    ) {
        check_map2(&a, &b);
        check_map1(&a);
        check_zip_assign(&b);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn random_broadcast_triples(
        (a, b, c) in arb_dims(4).prop_flat_map(|d| (arb_operand(d.clone()), arb_operand(d.clone()), arb_operand(d)))
    ) {
        check_map3(&a, &b, &c);
    }
}

#[test]
fn large_maps_split_over_threads_agree_with_a_naive_loop() {
    // Big enough that par::for_rows splits them (2M outputs).
    let (rows, cols) = (2048, 1024);
    let a: Vec<f32> = (0..rows).map(|i| (i % 31) as f32).collect();
    let b: Vec<f32> = (0..cols).map(|j| (j % 17) as f32 - 8.0).collect();
    let la = Layout::contiguous(&[rows, 1])
        .broadcast_to(&[rows, cols])
        .unwrap();
    let lb = Layout::contiguous(&[cols])
        .broadcast_to(&[rows, cols])
        .unwrap();
    let mut out = vec![f32::NAN; rows * cols];
    causing_diff_kernels::map2(&a, &la, &b, &lb, &mut out, |x, y| x * y + x);
    for i in 0..rows {
        for j in 0..cols {
            assert_eq!(out[i * cols + j], a[i] * b[j] + a[i], "({i}, {j})");
        }
    }
    // The other broadcast side (runs with a contiguous `a` and one `b`),
    // and runs of a column slice (stride-1 runs of a non-contiguous layout).
    let full: Vec<f32> = (0..rows * cols).map(|k| (k % 997) as f32 * 0.5).collect();
    let lf = Layout::contiguous(&[rows, cols]);
    let la = Layout::contiguous(&[rows, 1])
        .broadcast_to(&[rows, cols])
        .unwrap();
    let mut out = vec![f32::NAN; rows * cols];
    causing_diff_kernels::map2(&full, &lf, &a, &la, &mut out, |x, y| x - y);
    for i in 0..rows {
        for j in 0..cols {
            assert_eq!(out[i * cols + j], full[i * cols + j] - a[i], "({i}, {j})");
        }
    }
    let half = cols / 2;
    let ls = Layout::new(&[rows, half], &[cols as isize, 1], 3);
    let mut out = vec![f32::NAN; rows * half];
    causing_diff_kernels::map2(&full, &ls, &full, &ls, &mut out, |x, y| x * y);
    for i in 0..rows {
        for j in 0..half {
            let v = full[3 + i * cols + j];
            assert_eq!(out[i * half + j], v * v, "({i}, {j})");
        }
    }
    let mut out = vec![f32::NAN; rows * half];
    causing_diff_kernels::map1(&full, &ls, &mut out, |v| v + 1.0);
    for i in 0..rows {
        for j in 0..half {
            assert_eq!(
                out[i * half + j],
                full[3 + i * cols + j] + 1.0,
                "({i}, {j})"
            );
        }
    }
    // A transposed read of the same size through map1.
    let x: Vec<f32> = (0..rows * cols).map(|k| (k % 1000) as f32).collect();
    let t = Layout::contiguous(&[cols, rows]).permute(&[1, 0]).unwrap();
    let mut out = vec![f32::NAN; rows * cols];
    causing_diff_kernels::map1(&x, &t, &mut out, |v| -v);
    for i in (0..rows).step_by(7) {
        for j in (0..cols).step_by(5) {
            assert_eq!(out[i * cols + j], -x[j * rows + i]);
        }
    }
}

/// `contig::fill` writes every element, for lengths on one thread and split
/// over several (the split starts at a few hundred thousand elements).
#[test]
#[cfg_attr(miri, ignore)] // large
fn fill_writes_every_element() {
    for n in [0, 1, 7, 1000, 3_000_001] {
        let mut out = vec![f64::NAN; n];
        causing_diff_kernels::contig::fill(&mut out, -2.5);
        assert!(out.iter().all(|&v| v == -2.5), "n = {n}");
    }
}

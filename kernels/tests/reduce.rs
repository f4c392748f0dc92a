//! Reductions over every subset of axes of every zoo layout, against a naive
//! reference that walks the multi-indices itself.

mod common;

use causing_diff_kernels::{
    fold_axes, max_axes, min_axes, prod_axes, sum_axes, sum_axes_as_contiguous, sum_prod_axes,
    sum_prod_axes_as_contiguous, Element, Layout,
};
use common::*;
use proptest::prelude::*;

/// For each output position (kept axes, C order): the reduced elements in C
/// order, each with its row-major flat index into the whole input.
fn groups<T: Copy>(x: &[T], l: &Layout, axes: &[bool]) -> Vec<Vec<(T, usize)>> {
    let kept: Vec<usize> = (0..l.ndim()).filter(|&a| !axes[a]).collect();
    let red: Vec<usize> = (0..l.ndim()).filter(|&a| axes[a]).collect();
    let kd: Vec<usize> = kept.iter().map(|&a| l.dims()[a]).collect();
    let rd: Vec<usize> = red.iter().map(|&a| l.dims()[a]).collect();
    indices(&kd)
        .iter()
        .map(|ki| {
            indices(&rd)
                .iter()
                .map(|ri| {
                    let mut idx = vec![0; l.ndim()];
                    kept.iter().zip(ki).for_each(|(&a, &i)| idx[a] = i);
                    red.iter().zip(ri).for_each(|(&a, &i)| idx[a] = i);
                    (x[off(l, &idx)], flat(l.dims(), &idx))
                })
                .collect()
        })
        .collect()
}

/// Every subset of the axes of an `nd`-d layout.
fn subsets(nd: usize) -> Vec<Vec<bool>> {
    (0..1u32 << nd)
        .map(|m| (0..nd).map(|a| m >> a & 1 == 1).collect())
        .collect()
}

fn kept_size(l: &Layout, axes: &[bool]) -> usize {
    l.dims()
        .iter()
        .zip(axes)
        .filter(|(_, &r)| !r)
        .map(|(&d, _)| d)
        .product()
}

/// NumPy's max/min with the first position: NaN wins, first among ties.
fn naive_extreme(g: &[(f64, usize)], max: bool) -> (f64, usize) {
    let mut best = g[0];
    for &(v, i) in &g[1..] {
        let better = !best.0.is_nan() && (v.is_nan() || if max { v > best.0 } else { v < best.0 });
        if better {
            best = (v, i);
        }
    }
    best
}

fn check_all<T: Element + causing_diff_kernels::Num>(l: &Layout, axes: &[bool], x: &[T]) {
    let n = kept_size(l, axes);
    let g = groups(x, l, axes);
    let nan = T::from_f64(f64::NAN);

    let mut out = vec![nan; n];
    sum_axes(x, l, axes, &mut out);
    let want: Vec<T> = g
        .iter()
        .map(|g| T::from_i64(g.iter().map(|(v, _)| v.to_i64()).sum()))
        .collect();
    assert_eq!(out, want, "sum {l:?} {axes:?}");

    let mut out = vec![nan; n];
    prod_axes(x, l, axes, &mut out);
    // Floats multiply in f64 in C order (what the kernel does, so the
    // rounding of large products agrees); integers wrap as NumPy's do.
    let is_float = T::from_f64(0.5) != T::ZERO;
    let want: Vec<T> = g
        .iter()
        .map(|g| {
            if is_float {
                T::from_f64(g.iter().fold(1.0f64, |p, (v, _)| p * v.to_f64()))
            } else {
                T::from_i64(g.iter().fold(1i64, |p, (v, _)| p.wrapping_mul(v.to_i64())))
            }
        })
        .collect();
    assert_eq!(out, want, "prod {l:?} {axes:?}");

    let mut out = vec![0i64; n];
    let step = |(c, h): (i64, i64), v: i64| (c + 1, h.wrapping_mul(31).wrapping_add(v));
    let done = |(c, h): (i64, i64)| h.wrapping_add(c * 1_000_003);
    fold_axes(
        x,
        l,
        axes,
        (0, 0),
        |acc, v| step(acc, v.to_i64()),
        done,
        &mut out,
    );
    let want: Vec<i64> = g
        .iter()
        .map(|g| done(g.iter().fold((0, 0), |acc, (v, _)| step(acc, v.to_i64()))))
        .collect();
    assert_eq!(out, want, "fold (order-sensitive) {l:?} {axes:?}");

    if g.iter().all(|g| !g.is_empty()) {
        for max in [true, false] {
            let mut out = vec![nan; n];
            let mut arg = vec![usize::MAX; n];
            if max {
                max_axes(x, l, axes, &mut out, Some(&mut arg));
            } else {
                min_axes(x, l, axes, &mut out, Some(&mut arg));
            }
            let want: Vec<(f64, usize)> = g
                .iter()
                .map(|g| g.iter().map(|&(v, i)| (v.to_f64(), i)).collect::<Vec<_>>())
                .map(|g| naive_extreme(&g, max))
                .collect();
            let got: Vec<(f64, usize)> = out.iter().map(|v| v.to_f64()).zip(arg).collect();
            // Compare NaN-aware: NaN == NaN here.
            let same = got
                .iter()
                .zip(&want)
                .all(|(a, b)| a.1 == b.1 && (a.0 == b.0 || (a.0.is_nan() && b.0.is_nan())));
            assert!(
                same && got.len() == want.len(),
                "{} {l:?} {axes:?}: got {got:?} want {want:?}",
                if max { "max" } else { "min" }
            );
            // Without `arg` the values are the same.
            let mut out2 = vec![nan; n];
            if max {
                max_axes(x, l, axes, &mut out2, None);
            } else {
                min_axes(x, l, axes, &mut out2, None);
            }
            assert!(out2
                .iter()
                .zip(&out)
                .all(|(a, b)| a == b || (a.to_f64().is_nan() && b.to_f64().is_nan())));
        }
    }
}

/// Small integer data (products stay exact) with many ties.
fn small<T: Element>(len: usize) -> Vec<T> {
    (0..len)
        .map(|i| T::from_i64([1, -1, 2, 0, 1, 3, -2, 1, 1][i * 5 % 9]))
        .collect()
}

#[test]
fn every_subset_of_axes_on_every_layout() {
    for dims in shapes() {
        for (_, l) in zoo(&dims) {
            for axes in subsets(dims.len()) {
                check_all::<f64>(&l, &axes, &small(len_for(&l)));
                check_all::<f32>(&l, &axes, &small(len_for(&l)));
                check_all::<i64>(&l, &axes, &small(len_for(&l)));
                check_all::<i32>(&l, &axes, &data(len_for(&l)));
            }
        }
    }
}

#[test]
fn longer_axes_exercise_lanes_and_leaves() {
    // Runs longer than the pairwise leaf (128) and kept runs longer than one
    // chunk of lanes (64), in both loop orders.
    for dims in [
        vec![300, 3],
        vec![3, 300],
        vec![70, 40],
        vec![2, 150, 2],
        vec![17, 5],
        vec![3, 17, 2],
    ] {
        for (_, l) in zoo(&dims) {
            let x: Vec<f64> = data(len_for(&l));
            for axes in subsets(dims.len()) {
                let g = groups(&x, &l, &axes);
                let mut out = vec![f64::NAN; g.len()];
                sum_axes(&x, &l, &axes, &mut out);
                let want: Vec<f64> = g.iter().map(|g| g.iter().map(|(v, _)| v).sum()).collect();
                assert_eq!(out, want, "{l:?} {axes:?}");
                let mut arg = vec![0; g.len()];
                max_axes(&x, &l, &axes, &mut out, Some(&mut arg));
                let want: Vec<usize> = g.iter().map(|g| naive_extreme(g, true).1).collect();
                assert_eq!(arg, want);
            }
        }
    }
}

#[test]
fn nan_propagates_and_the_first_nan_wins() {
    let mut x = vec![1.0, 5.0, 2.0, 3.0, 5.0, 0.0];
    x[2] = f64::NAN;
    x[4] = f64::NAN;
    let l = Layout::contiguous(&[2, 3]);
    let (mut out, mut arg) = ([0.0; 1], [0; 1]);
    max_axes(&x, &l, &[true, true], &mut out, Some(&mut arg));
    assert!(out[0].is_nan());
    assert_eq!(arg, [2]);
    min_axes(
        &x,
        &l.permute(&[1, 0]).unwrap(),
        &[true, true],
        &mut out,
        Some(&mut arg),
    );
    // Transposed, C order visits 1, 3, 5, 5→NaN at flat 3 of the (3, 2) view.
    assert_eq!(arg, [3]);
    let (mut out, mut arg) = ([0.0; 3], [9; 3]);
    max_axes(&x, &l, &[true, false], &mut out, Some(&mut arg));
    assert_eq!(&arg, &[3, 4, 2]);
    assert_eq!(out[0], 3.0);
    assert!(out[1].is_nan() && out[2].is_nan());
    let mut s = [0.0; 2];
    sum_axes(&x, &l, &[false, true], &mut s);
    assert!(s[0].is_nan() && s[1].is_nan());
}

/// Contiguous runs go through a vectorised first pass over 64 lanes and a
/// block-wise scan for the first extreme: runs of every length up to 300
/// (whole blocks, partial tails, runs shorter than a block) made of few
/// values, so that ties, signed zeros and NaNs fall in every block and
/// lane, give the sequential answer bit for bit.
#[test]
fn contiguous_runs_find_the_first_extreme_in_every_lane_and_block() {
    let values = [-0.0, 0.0, 1.0, -1.0, 2.0, -2.0];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for len in 1..=300usize {
        let rows = 3;
        let x: Vec<f64> = (0..rows * len)
            .map(|_| {
                let r = next();
                if r % 997 == 0 {
                    f64::NAN
                } else {
                    values[(r % values.len() as u64) as usize]
                }
            })
            .collect();
        let l = Layout::contiguous(&[rows, len]);
        for max in [true, false] {
            let mut out = vec![f64::NAN; rows];
            let mut arg = vec![usize::MAX; rows];
            if max {
                max_axes(&x, &l, &[false, true], &mut out, Some(&mut arg));
            } else {
                min_axes(&x, &l, &[false, true], &mut out, Some(&mut arg));
            }
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut out32 = vec![f32::NAN; rows];
            let mut arg32 = vec![usize::MAX; rows];
            if max {
                max_axes(&x32, &l, &[false, true], &mut out32, Some(&mut arg32));
            } else {
                min_axes(&x32, &l, &[false, true], &mut out32, Some(&mut arg32));
            }
            for r in 0..rows {
                let g: Vec<(f64, usize)> =
                    (0..len).map(|i| (x[r * len + i], r * len + i)).collect();
                let (v, i) = naive_extreme(&g, max);
                let what = format!("len {len}, row {r}, max {max}");
                assert_eq!(arg[r], i, "{what}");
                assert_eq!(out[r].to_bits(), v.to_bits(), "{what}");
                assert_eq!(arg32[r], i, "{what} (f32)");
                assert_eq!(out32[r].to_bits(), (v as f32).to_bits(), "{what} (f32)");
            }
        }
    }
}

#[test]
fn ties_pick_the_first_index() {
    let x = [2, 7, 7, 1, 7, 2];
    let l = Layout::contiguous(&[2, 3]);
    let (mut out, mut arg) = ([0; 1], [0; 1]);
    max_axes(&x, &l, &[true, true], &mut out, Some(&mut arg));
    assert_eq!((out, arg), ([7], [1]));
    // The same data reversed: the first 7 in C order is now the old index 4.
    max_axes(
        &x,
        &Layout::contiguous(&[6]).slice_axis(0, 5, 6, -1),
        &[true],
        &mut out,
        Some(&mut arg),
    );
    assert_eq!(arg, [1]);
    min_axes(
        &[true, false, false],
        &Layout::contiguous(&[3]),
        &[true],
        &mut [true],
        Some(&mut arg),
    );
    assert_eq!(arg, [1]);
}

#[test]
fn keepdims_and_size_one_axes_change_nothing() {
    let x: Vec<f64> = data(40);
    let l = Layout::contiguous(&[2, 3, 4]).slice_axis(2, 3, 4, -1);
    for axes in subsets(3) {
        let n = kept_size(&l, &axes);
        let mut a = vec![f64::NAN; n];
        sum_axes(&x, &l, &axes, &mut a);
        // Insert size-1 axes, reduced or kept: same output.
        for (pos, reduce) in [(0, true), (1, false), (3, true)] {
            let k = l.insert_axis(pos);
            let mut ax = axes.clone();
            ax.insert(pos, reduce);
            let mut b = vec![f64::NAN; n];
            sum_axes(&x, &k, &ax, &mut b);
            assert_eq!(a, b);
        }
    }
}

#[test]
fn empty_reductions() {
    let l = Layout::contiguous(&[3, 0]);
    let mut s = [f64::NAN; 3];
    sum_axes(&[0.0; 0], &l, &[false, true], &mut s);
    assert_eq!(s, [0.0; 3]);
    let mut p = [-1i32; 3];
    prod_axes(&[], &l, &[false, true], &mut p);
    assert_eq!(p, [1; 3]);
    // Nothing kept, nothing to do.
    max_axes(&[0.0; 0], &l, &[true, false], &mut [], None);
}

#[test]
#[should_panic(expected = "zero-size")]
fn max_over_an_empty_axis_panics() {
    max_axes(
        &[0.0; 0],
        &Layout::contiguous(&[3, 0]),
        &[false, true],
        &mut [0.0; 3],
        None,
    );
}

#[test]
fn integer_sums_wrap() {
    let x = [i32::MAX, 1, i32::MAX, 1];
    let mut out = [0; 1];
    sum_axes(&x, &Layout::contiguous(&[4]), &[true], &mut out);
    assert_eq!(
        out,
        [i32::MAX
            .wrapping_add(1)
            .wrapping_add(i32::MAX)
            .wrapping_add(1)]
    );
    prod_axes(&x, &Layout::contiguous(&[4]), &[true], &mut out);
    assert_eq!(out, [i32::MAX.wrapping_mul(i32::MAX)]);
}

/// 1e6 × 0.1f32 must sum to 1e5 within 1e-3 relative in every loop order,
/// which naive sequential f32 accumulation misses by about 1%.
#[test]
#[cfg_attr(miri, ignore)] // 1e6 elements
fn pairwise_sums_are_accurate() {
    let n = 1_000_000;
    let x = vec![0.1f32; n];
    let naive = x.iter().fold(0.0f32, |a, &b| a + b);
    assert!(
        ((naive - 1e5) / 1e5).abs() > 1e-3,
        "the test needs a case naive summation gets wrong"
    );
    let close = |v: f32| ((v - 1e5) / 1e5).abs() < 1e-3;
    let mut one = [0.0f32];
    sum_axes(&x, &Layout::contiguous(&[n]), &[true], &mut one);
    assert!(close(one[0]), "contiguous: {}", one[0]);
    sum_axes(&x, &Layout::new(&[n / 2], &[2], 1), &[true], &mut one);
    assert!(((one[0] - 5e4) / 5e4).abs() < 1e-3, "strided: {}", one[0]);
    let t = Layout::contiguous(&[n / 2, 2]).permute(&[1, 0]).unwrap();
    sum_axes(&x, &t, &[true, true], &mut one);
    assert!(close(one[0]), "transposed, inner order: {}", one[0]);
    let mut two = [0.0f32; 2];
    sum_axes(
        &x,
        &Layout::contiguous(&[n / 2, 2]),
        &[true, false],
        &mut two,
    );
    assert!(
        two.iter().all(|&v| ((v - 5e4) / 5e4).abs() < 1e-3),
        "outer order: {two:?}"
    );
    sum_axes(&x, &t, &[false, true], &mut two);
    assert!(
        two.iter().all(|&v| ((v - 5e4) / 5e4).abs() < 1e-3),
        "outer order, transposed: {two:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn random_layouts_and_axes(
        (l, axes) in arb_dims(4).prop_flat_map(|d| {
            let nd = d.len();
            (arb_operand(d), prop::collection::vec(any::<bool>(), nd))
        })
    ) {
        check_all::<f64>(&l, &axes, &small(len_for(&l)));
        check_all::<i64>(&l, &axes, &data(len_for(&l)));
    }
}

#[test]
fn large_reductions_split_over_threads_agree_with_naive_loops() {
    // Big enough that reductions split over the first kept axis (2M elements).
    let (rows, cols) = (2048usize, 1024usize);
    let x: Vec<f64> = (0..rows * cols)
        .map(|k| ((k * 7919) % 1013) as f64)
        .collect();
    let l = Layout::contiguous(&[rows, cols]);
    let t = l.permute(&[1, 0]).unwrap(); // (cols, rows), transposed strides
    for (layout, (r, c)) in [(&l, (rows, cols)), (&t, (cols, rows))] {
        let get = |i: usize, j: usize| {
            if r == rows {
                x[i * cols + j]
            } else {
                x[j * cols + i]
            }
        };
        for axes in [[true, false], [false, true]] {
            let n_out = if axes[0] { c } else { r };
            let mut sum = vec![f64::NAN; n_out];
            sum_axes(&x, layout, &axes, &mut sum);
            let mut max = vec![f64::NAN; n_out];
            let mut arg = vec![usize::MAX; n_out];
            max_axes(&x, layout, &axes, &mut max, Some(&mut arg));
            for o in 0..n_out {
                let (mut s, mut m, mut at) = (0.0, f64::NEG_INFINITY, 0);
                let len = if axes[0] { r } else { c };
                for p in 0..len {
                    let (i, j) = if axes[0] { (p, o) } else { (o, p) };
                    let v = get(i, j);
                    s += v;
                    if v > m {
                        m = v;
                        at = i * c + j;
                    }
                }
                assert_eq!(sum[o], s, "sum {axes:?} output {o}");
                assert_eq!((max[o], arg[o]), (m, at), "max {axes:?} output {o}");
            }
        }
    }
}

/// Naive `Σ a·b` over the reduced elements of each output, C order, in f64.
fn naive_prod_sums(a: &[f64], la: &Layout, b: &[f64], lb: &Layout, axes: &[bool]) -> Vec<f64> {
    let ga = groups(a, la, axes);
    let gb = groups(b, lb, axes);
    ga.iter()
        .zip(&gb)
        .map(|(x, y)| x.iter().zip(y).map(|((p, _), (q, _))| p * q).sum())
        .collect()
}

#[test]
fn sums_of_products_on_every_pair_of_layouts() {
    // Small integers: every sum is exact, so any order must match exactly.
    for dims in shapes()
        .into_iter()
        .chain([vec![300, 3], vec![3, 300], vec![70, 40]])
    {
        for (na, la) in zoo(&dims) {
            for (nb, lb) in zoo(&dims) {
                let a: Vec<f64> = small(len_for(&la));
                let b: Vec<f64> = data(len_for(&lb));
                for axes in subsets(dims.len()) {
                    let want = naive_prod_sums(&a, &la, &b, &lb, &axes);
                    let mut out = vec![f64::NAN; want.len()];
                    sum_prod_axes(&a, &la, &b, &lb, &axes, &mut out);
                    assert_eq!(out, want, "{na} x {nb} {dims:?} {axes:?}");
                    let (a32, b32): (Vec<f32>, Vec<f32>) = (
                        a.iter().map(|&v| v as f32).collect(),
                        b.iter().map(|&v| v as f32).collect(),
                    );
                    let mut out32 = vec![f32::NAN; want.len()];
                    sum_prod_axes(&a32, &la, &b32, &lb, &axes, &mut out32);
                    let want32: Vec<f32> = want.iter().map(|&v| v as f32).collect();
                    assert_eq!(out32, want32, "f32 {na} x {nb} {dims:?} {axes:?}");
                }
            }
        }
    }
}

#[test]
fn large_sums_of_products_split_over_threads_agree_with_naive_loops() {
    // W3's two gradients: (n, n) gradient times a broadcast row or column.
    let n = 1536usize;
    let g: Vec<f64> = (0..n * n).map(|k| ((k * 7919) % 1013) as f64).collect();
    let v: Vec<f64> = (0..n).map(|k| (k % 7) as f64 - 3.0).collect();
    let lg = Layout::contiguous(&[n, n]);
    let row = Layout::contiguous(&[n]).broadcast_to(&[n, n]).unwrap();
    let col = Layout::contiguous(&[n, 1]).broadcast_to(&[n, n]).unwrap();
    for (lv, axes) in [(&row, [false, true]), (&col, [true, false])] {
        let mut out = vec![f64::NAN; n];
        sum_prod_axes(&g, &lg, &v, lv, &axes, &mut out);
        for (o, got) in out.iter().enumerate() {
            let want: f64 = (0..n)
                .map(|p| {
                    let (i, j) = if axes[0] { (p, o) } else { (o, p) };
                    g[i * n + j] * if axes[0] { v[i] } else { v[j] }
                })
                .sum();
            assert_eq!(*got, want, "{axes:?} output {o}");
        }
    }
}

#[test]
#[should_panic(expected = "sum_prod_axes: operand dims")]
fn sums_of_products_need_equal_dims() {
    let mut out = [0.0; 2];
    sum_prod_axes(
        &[1.0; 6],
        &Layout::contiguous(&[2, 3]),
        &[1.0; 6],
        &Layout::contiguous(&[3, 2]),
        &[false, true],
        &mut out,
    );
}

/// Values in [0, 1) with full mantissas, so that a change in the order of
/// additions shows in the bits.
fn fractions(len: usize, seed: u64) -> Vec<f64> {
    let mut st = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            (st >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Every broadcast source of `dims`: each axis kept or stretched from 1,
/// with and without the stretched leading axes dropped; as (name, source
/// dims, layout reading it as `dims`).
fn spreads(dims: &[usize]) -> Vec<(Vec<usize>, Layout)> {
    let nd = dims.len();
    let mut out = vec![];
    for mask in 0..1usize << nd {
        let src: Vec<usize> = (0..nd)
            .map(|a| if mask >> a & 1 == 1 { 1 } else { dims[a] })
            .collect();
        let lead = src.iter().take_while(|&&d| d == 1).count();
        for from in [0, lead] {
            let l = Layout::contiguous(&src[from..]).broadcast_to(dims).unwrap();
            out.push((src[from..].to_vec(), l));
        }
    }
    out
}

/// The `*_as_contiguous` sums against the plain ones over the formed
/// (gathered, contiguous) array: where they accept the layout, the same
/// bits, in f64 and f32; and they decline exactly when a reduced or kept
/// run of the contiguous array crosses from a stretched axis to a real one.
#[test]
fn spread_reads_sum_as_the_formed_array_does() {
    let (mut took, mut declined) = (0, 0);
    for dims in shapes().into_iter().chain([
        vec![300, 3],
        vec![3, 300],
        vec![70, 40],
        vec![5, 200, 3],
        vec![4, 3, 150],
        vec![2, 3, 4, 5],
    ]) {
        let lc = Layout::contiguous(&dims);
        let (other_src, lo) = (fractions(dims.iter().product(), 2), &lc);
        for (src_dims, l) in spreads(&dims) {
            let src = fractions(src_dims.iter().product::<usize>().max(1), 1);
            let formed = gather(&src, &l);
            let (src32, formed32, other32): (Vec<f32>, Vec<f32>, Vec<f32>) = (
                src.iter().map(|&v| v as f32).collect(),
                formed.iter().map(|&v| v as f32).collect(),
                other_src.iter().map(|&v| v as f32).collect(),
            );
            for axes in subsets(dims.len()) {
                let n = kept_size(&lc, &axes);
                let case = format!("{dims:?} from {src_dims:?} over {axes:?}");
                let mut want = vec![f64::NAN; n];
                sum_axes(&formed, &lc, &axes, &mut want);
                let mut got = vec![f64::NAN; n];
                let took_sum = sum_axes_as_contiguous(&src, &l, &axes, &mut got);
                if took_sum {
                    assert_eq!(bits(&got), bits(&want), "sum {case}");
                    let mut want32 = vec![f32::NAN; n];
                    sum_axes(&formed32, &lc, &axes, &mut want32);
                    let mut got32 = vec![f32::NAN; n];
                    assert!(sum_axes_as_contiguous(&src32, &l, &axes, &mut got32));
                    assert_eq!(bits32(&got32), bits32(&want32), "f32 sum {case}");
                } else {
                    assert!(got.iter().all(|v| v.is_nan()), "declined, wrote: {case}");
                }
                assert_eq!(took_sum, crossing_free(&dims, &l, &axes), "{case}");
                // The spread array times a real one of the same dims.
                let mut want = vec![f64::NAN; n];
                sum_prod_axes(&formed, &lc, &other_src, lo, &axes, &mut want);
                let mut got = vec![f64::NAN; n];
                if sum_prod_axes_as_contiguous(&src, &l, &other_src, lo, &axes, &mut got) {
                    took += 1;
                    assert_eq!(bits(&got), bits(&want), "product {case}");
                    let mut want32 = vec![f32::NAN; n];
                    sum_prod_axes(&formed32, &lc, &other32, lo, &axes, &mut want32);
                    let mut got32 = vec![f32::NAN; n];
                    assert!(sum_prod_axes_as_contiguous(
                        &src32, &l, &other32, lo, &axes, &mut got32
                    ));
                    assert_eq!(bits32(&got32), bits32(&want32), "f32 product {case}");
                } else {
                    declined += 1;
                    assert!(got.iter().all(|v| v.is_nan()), "declined, wrote: {case}");
                }
            }
        }
    }
    assert!(
        took > 500 && declined > 100,
        "took {took}, declined {declined}"
    );
}

/// Whether every run of the contiguous array's kept and reduced walks
/// steps evenly through `l`: adjacent axes of one side (size-1 axes
/// skipped) are both stretched or both real and contiguous in the source.
/// A side with an empty axis has no runs.
fn crossing_free(dims: &[usize], l: &Layout, axes: &[bool]) -> bool {
    let cs = causing_diff_kernels::contiguous_strides(dims);
    [false, true].iter().all(|&side| {
        let ax: Vec<usize> = (0..dims.len())
            .filter(|&a| axes[a] == side && dims[a] != 1)
            .collect();
        ax.iter().any(|&a| dims[a] == 0)
            || ax.windows(2).all(|w| {
                let (p, a) = (w[0], w[1]);
                let merges = cs[p] == cs[a] * dims[a] as isize;
                !merges || l.strides()[p] == l.strides()[a] * dims[a] as isize
            })
    })
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn bits32(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// W3's shapes at a size that splits the outputs over threads and sums long
/// runs pairwise: a value spread over everything (the seed of `sum`), and a
/// row or a column spread down the other axis, summed alone and times a
/// broadcast row or column, bit for bit against the formed array.
#[test]
fn large_spread_reads_split_over_threads_sum_as_the_formed_array_does() {
    let n = 1536usize;
    let d = [n, n];
    let lc = Layout::contiguous(&d);
    let one = [0.1f64];
    let v = fractions(n, 3);
    let w = fractions(n, 4);
    let row = Layout::contiguous(&[n]).broadcast_to(&d).unwrap();
    let col = Layout::contiguous(&[n, 1]).broadcast_to(&d).unwrap();
    let all = Layout::contiguous(&[]).broadcast_to(&d).unwrap();
    for (src, l) in [(&one[..], &all), (&v[..], &row), (&v[..], &col)] {
        let formed = gather(src, l);
        for axes in [[true, false], [false, true], [true, true]] {
            let k = if axes == [true, true] { 1 } else { n };
            let mut want = vec![f64::NAN; k];
            sum_axes(&formed, &lc, &axes, &mut want);
            // Over both axes, only the value spread over everything
            // follows the one run of the formed array.
            let follows = axes == [true, false] || axes == [false, true] || l == &all;
            let mut got = vec![f64::NAN; k];
            assert_eq!(sum_axes_as_contiguous(src, l, &axes, &mut got), follows);
            if follows {
                assert_eq!(bits(&got), bits(&want), "sum {:?} {axes:?}", l.strides());
            }
            for lw in [&row, &col] {
                let mut want = vec![f64::NAN; k];
                sum_prod_axes(&formed, &lc, &w, lw, &axes, &mut want);
                let mut got = vec![f64::NAN; k];
                let took = sum_prod_axes_as_contiguous(src, l, &w, lw, &axes, &mut got);
                // (Over both axes it depends on `lw` too: not checked here.)
                if axes != [true, true] {
                    assert!(took, "product {:?} {axes:?}", l.strides());
                }
                if took {
                    assert_eq!(
                        bits(&got),
                        bits(&want),
                        "product {:?} {axes:?}",
                        l.strides()
                    );
                }
            }
        }
    }
    // Long and odd runs of one repeated value, summed pairwise.
    for len in [127, 128, 129, 1000, 4096, 100_003] {
        let x = vec![0.1f32; len];
        let mut want = [f32::NAN];
        sum_axes(&x, &Layout::contiguous(&[len]), &[true], &mut want);
        let spread = Layout::contiguous(&[]).broadcast_to(&[len]).unwrap();
        let mut got = [f32::NAN];
        assert!(sum_axes_as_contiguous(
            &[0.1f32],
            &spread,
            &[true],
            &mut got
        ));
        assert_eq!(got[0].to_bits(), want[0].to_bits(), "{len} copies");
    }
}

/// Sums (and folds) whose outputs split over threads give the bits of one
/// thread, also when a thread's share of the first kept axis is a single
/// index (a share of one output per row must still add in the whole
/// array's loop order).
#[test]
fn reductions_do_not_depend_on_the_thread_count() {
    let rows = 1 << 18;
    let x: Vec<f32> = fractions(rows * 3, 5).iter().map(|&v| v as f32).collect();
    let w: Vec<f32> = fractions(rows * 3, 6).iter().map(|&v| v as f32).collect();
    let cases: Vec<(Layout, Vec<bool>)> = vec![
        (Layout::contiguous(&[rows, 3]), vec![true, false]),
        (Layout::contiguous(&[rows, 3]), vec![false, true]),
        (Layout::contiguous(&[3, rows]), vec![false, true]),
        (Layout::contiguous(&[3, rows]), vec![true, false]),
        (
            Layout::contiguous(&[rows / 2, 2, 3]),
            vec![true, false, false],
        ),
        (
            Layout::contiguous(&[rows / 2, 3, 2]),
            vec![true, false, true],
        ),
    ];
    for (l, axes) in &cases {
        let n = kept_size(l, axes);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (mut s, mut p) = (vec![f32::NAN; n], vec![f32::NAN; n]);
            let (mut m, mut at) = (vec![f32::NAN; n], vec![usize::MAX; n]);
            let mut q = vec![f32::NAN; n];
            pool.install(|| {
                sum_axes(&x, l, axes, &mut s);
                sum_prod_axes(&x, l, &w, l, axes, &mut p);
                max_axes(&x, l, axes, &mut m, Some(&mut at));
                prod_axes(&w, l, axes, &mut q);
            });
            (bits32(&s), bits32(&p), bits32(&m), at, bits32(&q))
        };
        let one = run(1);
        for threads in [2, 3] {
            assert!(
                run(threads) == one,
                "{:?} over {axes:?}, {threads} threads",
                l.dims()
            );
        }
    }
}

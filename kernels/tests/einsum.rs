//! `sum_of_products` against a naive loop over the index space, for every
//! element type: operands that broadcast (stride 0), read diagonals (summed
//! strides) or are strided/reversed/transposed views; outputs that sum some
//! axes and that write a diagonal of a larger array (accumulating).

mod common;

use causing_diff_kernels::{contiguous_strides, sum_of_products, Element, Layout, Num};
use common::*;
use proptest::prelude::*;

/// `out[o(i)] += Π_k in_k[l_k(i)]` by brute force, in wrapping i64.
fn naive<T: Element>(ins: &[(Vec<T>, Layout)], out: &mut [i64], ol: &Layout) {
    for i in indices(ol.dims()) {
        let p = ins
            .iter()
            .fold(1i64, |p, (d, l)| p.wrapping_mul(d[off(l, &i)].to_i64()));
        let o = off(ol, &i);
        out[o] = out[o].wrapping_add(p);
    }
}

/// Reads the diagonal of axis `a` and an extra trailing axis of the same
/// length: the layout of `dims` whose axis `a` strides by both.
fn diagonal(parent: &Layout, a: usize) -> Layout {
    let nd = parent.ndim() - 1;
    let mut strides = parent.strides()[..nd].to_vec();
    strides[a] += parent.strides()[nd];
    Layout::new(&parent.dims()[..nd], &strides, parent.offset())
}

fn check<T: Num>(ins: &[Layout], ol: &Layout, out_len: usize) {
    let operands: Vec<(Vec<T>, Layout)> = ins
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let d: Vec<T> = data::<T>(len_for(l) + k)
                .iter()
                .map(|&v| T::from_i64(v.to_i64() % 4))
                .collect();
            (d, l.clone())
        })
        .collect();
    let start: Vec<T> = data::<T>(out_len);
    let mut want: Vec<i64> = start.iter().map(|v| v.to_i64()).collect();
    naive(&operands, &mut want, ol);
    let mut got = start.clone();
    let refs: Vec<(&[T], &Layout)> = operands.iter().map(|(d, l)| (&d[..], l)).collect();
    sum_of_products(&refs, &mut got, ol);
    let want: Vec<T> = want.into_iter().map(T::from_i64).collect();
    assert_eq!(got, want, "ins {ins:?}, out {ol:?}");
}

fn check_all_types(ins: &[Layout], ol: &Layout, out_len: usize) {
    check::<f32>(ins, ol, out_len);
    check::<f64>(ins, ol, out_len);
    check::<i32>(ins, ol, out_len);
    check::<i64>(ins, ol, out_len);
}

/// An output layout over `dims` that keeps the axes flagged in `keep`
/// (contiguously, at offset `base`) and sums the rest.
fn output(dims: &[usize], keep: &[bool], base: usize) -> (Layout, usize) {
    let kept: Vec<usize> = dims
        .iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .map(|(&d, _)| d)
        .collect();
    let cs = contiguous_strides(&kept);
    let mut strides = vec![0isize; dims.len()];
    let mut j = 0;
    for (a, &k) in keep.iter().enumerate() {
        if k {
            strides[a] = cs[j];
            j += 1;
        }
    }
    let len = base + kept.iter().product::<usize>();
    (Layout::new(dims, &strides, base), len)
}

#[test]
fn trace_diagonal_and_matrix_product() {
    // trace: 'ii->'
    let a = Layout::contiguous(&[3, 3]);
    check_all_types(&[diagonal(&a.clone(), 0)], &Layout::new(&[3], &[0], 0), 1);
    // diagonal: 'ii->i'
    check_all_types(&[diagonal(&a, 0)], &Layout::contiguous(&[3]), 3);
    // 'ij,jk->ik' over the index space (i, k, j)
    let l = Layout::new(&[2, 4, 3], &[3, 0, 1], 0);
    let r = Layout::new(&[2, 4, 3], &[0, 1, 4], 0);
    check_all_types(&[l, r], &Layout::new(&[2, 4, 3], &[4, 1, 0], 0), 8);
}

#[test]
fn scatter_onto_a_diagonal_accumulates() {
    // out[i, i] += g[i], twice over a broadcast axis j.
    let g = Layout::new(&[3, 2], &[1, 0], 0);
    check_all_types(&[g], &Layout::new(&[3, 2], &[4, 0], 0), 9);
}

#[test]
fn empty_spaces_and_no_operands() {
    let (ol, n) = output(&[2, 0, 3], &[true, false, true], 0);
    check_all_types(&[Layout::contiguous(&[2, 0, 3])], &ol, n);
    // No operands: adds the number of summed positions.
    let (ol, n) = output(&[2, 3], &[true, false], 1);
    check_all_types(&[], &ol, n);
    check_all_types(&[], &Layout::contiguous(&[]), 1);
}

fn arb_case() -> impl Strategy<Value = (Vec<Layout>, Layout, usize)> {
    (arb_dims(4), 1..=3usize)
        .prop_flat_map(|(dims, n)| {
            let nd = dims.len();
            let one = {
                let dims = dims.clone();
                (any::<bool>(), 0..nd.max(1)).prop_flat_map(move |(diag, a)| {
                    if diag && nd > 0 {
                        let mut parent = dims.clone();
                        parent.push(dims[a]);
                        arb_view(parent).prop_map(move |p| diagonal(&p, a)).boxed()
                    } else {
                        arb_operand(dims.clone()).boxed()
                    }
                })
            };
            let ins = prop::collection::vec(one, n);
            let keep = prop::collection::vec(any::<bool>(), nd);
            (ins, keep, 0..3usize, Just(dims))
        })
        .prop_map(|(ins, keep, base, dims)| {
            let (ol, len) = output(&dims, &keep, base);
            (ins, ol, len)
        })
}

proptest! {
    #[test]
    fn matches_the_naive_loop((ins, ol, len) in arb_case()) {
        check_all_types(&ins, &ol, len);
    }
}

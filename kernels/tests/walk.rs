//! The strided walker against the naive C-order offset sequence.

mod common;

use causing_diff_kernels::{for_each_run, Layout, Walk};
use common::*;
use proptest::prelude::*;

/// Expands the walker's runs into the full sequence of offset pairs.
fn walked(a: &Layout, b: &Layout) -> (Vec<[usize; 2]>, usize) {
    let mut seen = vec![];
    let mut calls = 0;
    for_each_run(
        a.dims(),
        [a.strides(), b.strides()],
        [a.offset(), b.offset()],
        |[oa, ob], len, [sa, sb]| {
            calls += 1;
            assert!(len > 0);
            for i in 0..len as isize {
                seen.push([
                    (oa as isize + i * sa) as usize,
                    (ob as isize + i * sb) as usize,
                ]);
            }
        },
    );
    (seen, calls)
}

fn naive(a: &Layout, b: &Layout) -> Vec<[usize; 2]> {
    indices(a.dims())
        .iter()
        .map(|i| [off(a, i), off(b, i)])
        .collect()
}

#[test]
fn contiguous_is_one_run() {
    let l = Layout::contiguous(&[2, 1, 3, 4]);
    let mut calls = vec![];
    for_each_run(l.dims(), [l.strides()], [5], |o, len, s| {
        calls.push((o, len, s))
    });
    assert_eq!(calls, vec![([5], 24, [1])]);
}

#[test]
fn zero_size_makes_no_calls_and_0d_makes_one() {
    let mut n = 0;
    for_each_run(&[3, 0, 2], [&[0, 0, 0]], [0], |_, _, _| n += 1);
    assert_eq!(n, 0);
    let mut calls = vec![];
    for_each_run(&[], [&[], &[]], [4, 7], |o, len, s| calls.push((o, len, s)));
    assert_eq!(calls, vec![([4, 7], 1, [0, 0])]);
    // All size-1 axes behave like 0-d.
    let mut calls = vec![];
    for_each_run(&[1, 1], [&[9, 9]], [2], |o, len, _| calls.push((o, len)));
    assert_eq!(calls, vec![([2], 1)]);
}

#[test]
fn merges_only_what_every_operand_allows() {
    // a is contiguous 2×3×4, b broadcasts its last axis: the first two axes
    // merge (6 rows), the last cannot merge with them for b.
    let a = Layout::contiguous(&[2, 3, 4]);
    let b = Layout::contiguous(&[2, 3, 1])
        .broadcast_to(&[2, 3, 4])
        .unwrap();
    let w = Walk::new(a.dims(), [a.strides(), b.strides()]);
    assert_eq!((w.runs(), w.inner_len(), w.inner_strides()), (6, 4, [1, 0]));
    assert_eq!(walked(&a, &b).0, naive(&a, &b));
}

#[test]
fn every_zoo_pair_walks_in_c_order() {
    for dims in shapes() {
        for (na, a) in zoo(&dims) {
            for (nb, b) in zoo(&dims) {
                assert_eq!(walked(&a, &b).0, naive(&a, &b), "{dims:?} {na} × {nb}");
            }
        }
    }
}

#[test]
fn a_walk_can_be_replayed_from_other_offsets() {
    let l = Layout::contiguous(&[3, 4]).permute(&[1, 0]).unwrap();
    let w = Walk::new(l.dims(), [l.strides()]);
    for base in [0, 5] {
        let mut seen = vec![];
        w.run([base], |[o], len, [s]| {
            seen.extend((0..len).map(|i| o + i * s as usize))
        });
        let want: Vec<usize> = indices(l.dims())
            .iter()
            .map(|i| base + off(&l, i))
            .collect();
        assert_eq!(seen, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn random_pairs_walk_in_c_order(
        (a, b) in arb_dims(5).prop_flat_map(|d| (arb_operand(d.clone()), arb_operand(d)))
    ) {
        let (seen, calls) = walked(&a, &b);
        prop_assert_eq!(seen, naive(&a, &b));
        if a.is_contiguous() && b.is_contiguous() && a.size() > 0 {
            prop_assert_eq!(calls, 1);
        }
    }
}

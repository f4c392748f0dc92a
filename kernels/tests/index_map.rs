//! Gathers and scatters through index maps against a naive triple loop.

mod common;

use causing_diff_kernels::index_map::{gather, scatter, scatter_add};
use causing_diff_kernels::{IndexMap, Layout};
use common::*;
use proptest::prelude::*;

/// The offsets of an index map, from scratch: `(p, b, q)` in C order.
fn naive_offsets(base: &Layout, split: usize, adv: &[usize]) -> Vec<usize> {
    let dims = base.dims();
    let mut out = vec![];
    for p in indices(&dims[..split]) {
        for &a in adv {
            for q in indices(&dims[split..]) {
                let idx: Vec<usize> = p.iter().chain(&q).copied().collect();
                out.push(off(base, &idx) + a);
            }
        }
    }
    out
}

fn arb_map() -> impl Strategy<Value = (Layout, usize, Vec<usize>)> {
    arb_dims(3).prop_flat_map(|dims| {
        let nd = dims.len();
        (
            arb_view(dims),
            0..=nd,
            prop::collection::vec(0..6usize, 0..=4),
        )
    })
}

proptest! {
    #[test]
    fn gather_and_scatters_match_naive((base, split, adv) in arb_map()) {
        let map = IndexMap::new(&base, split, &adv);
        let offsets = naive_offsets(&base, split, &adv);
        prop_assert_eq!(map.len(), offsets.len());
        let len = len_for(&base) + 6;
        let src: Vec<i64> = data(len);

        let mut out = vec![i64::MIN; map.len()];
        gather(&src, &map, &mut out);
        let expected: Vec<i64> = offsets.iter().map(|&o| src[o]).collect();
        prop_assert_eq!(&out, &expected);

        let vals: Vec<i64> = (0..map.len() as i64).map(|i| i * 10 + 1).collect();
        let mut dst = vec![0i64; len];
        scatter_add(&mut dst, &map, &vals);
        let mut want = vec![0i64; len];
        for (i, &o) in offsets.iter().enumerate() {
            want[o] += vals[i];
        }
        prop_assert_eq!(&dst, &want);

        let mut dst = vec![-1i64; len];
        scatter(&mut dst, &map, &vals);
        let mut want = vec![-1i64; len];
        for (i, &o) in offsets.iter().enumerate() {
            want[o] = vals[i]; // the last write wins
        }
        prop_assert_eq!(&dst, &want);
    }
}

#[test]
fn repeated_positions_accumulate_and_last_write_wins() {
    let base = Layout::contiguous(&[]);
    let map = IndexMap::new(&base, 0, &[0, 0, 2]);
    let mut acc = [0.0; 3];
    scatter_add(&mut acc, &map, &[1.0, 2.0, 4.0]);
    assert_eq!(acc, [3.0, 0.0, 4.0]);
    let mut set = [9.0; 3];
    scatter(&mut set, &map, &[1.0, 2.0, 4.0]);
    assert_eq!(set, [2.0, 9.0, 4.0]);
}

#[test]
#[should_panic(expected = "offsets reach")]
fn a_map_outside_the_source_panics() {
    let base = Layout::contiguous(&[2]);
    let map = IndexMap::new(&base, 1, &[0, 5]);
    let mut out = [0; 4];
    gather(&[1, 2, 3], &map, &mut out);
}

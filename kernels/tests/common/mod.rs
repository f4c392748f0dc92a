//! Shared test helpers: a naive index→offset reference, a zoo of adversarial
//! layouts (strided, reversed, transposed, broadcast), and proptest strategies.
#![allow(dead_code)]

use causing_diff_kernels::{contiguous_strides, Element, Layout};
use proptest::prelude::*;

/// Every multi-index of `dims` in C order, by a plain odometer.
pub fn indices(dims: &[usize]) -> Vec<Vec<usize>> {
    if dims.contains(&0) {
        return vec![];
    }
    let mut out = vec![];
    let mut idx = vec![0; dims.len()];
    loop {
        out.push(idx.clone());
        let mut a = dims.len();
        loop {
            if a == 0 {
                return out;
            }
            a -= 1;
            idx[a] += 1;
            if idx[a] < dims[a] {
                break;
            }
            idx[a] = 0;
        }
    }
}

/// The offset of multi-index `idx` in `l`, computed from scratch.
pub fn off(l: &Layout, idx: &[usize]) -> usize {
    let o = l.offset() as isize
        + idx
            .iter()
            .zip(l.strides())
            .map(|(&i, &s)| i as isize * s)
            .sum::<isize>();
    usize::try_from(o).expect("negative offset")
}

/// The row-major flat index of `idx` in `dims`.
pub fn flat(dims: &[usize], idx: &[usize]) -> usize {
    idx.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// The elements `l` addresses in `data`, in C order.
pub fn gather<T: Copy>(data: &[T], l: &Layout) -> Vec<T> {
    indices(l.dims()).iter().map(|i| data[off(l, i)]).collect()
}

/// Integer-valued test data with plenty of ties, so float results are exact.
pub fn data<T: Element>(len: usize) -> Vec<T> {
    (0..len)
        .map(|i| T::from_i64((i as i64 * 7919 + 3) % 23 - 11))
        .collect()
}

/// Slice length needed for `l`, plus a little slack.
pub fn len_for(l: &Layout) -> usize {
    l.min_max_offset().map_or(0, |(_, hi)| hi + 1) + 2
}

/// A view with logical shape `dims`, cut from a larger C-contiguous parent:
/// parent axis `i` holds logical axis `perm[i]` and is sliced with `steps[i]`
/// (±1, ±2, …) after `pads[i]` spare elements; the parent starts at `base`.
pub fn build_view(
    dims: &[usize],
    perm: &[usize],
    steps: &[isize],
    pads: &[usize],
    base: usize,
) -> Layout {
    let nd = dims.len();
    let parent: Vec<usize> = (0..nd)
        .map(|i| dims[perm[i]] * steps[i].unsigned_abs() + pads[i])
        .collect();
    let mut v = Layout::new(&parent, &contiguous_strides(&parent), base);
    for i in 0..nd {
        let d = dims[perm[i]];
        let start = if steps[i] > 0 {
            pads[i] / 2
        } else {
            parent[i].saturating_sub(1 + pads[i] / 2)
        };
        v = v.slice_axis(i, start, d, steps[i]);
    }
    let mut inv = vec![0; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    let v = v.permute(&inv).unwrap();
    assert_eq!(v.dims(), dims);
    v
}

/// A named zoo of layouts with logical shape `dims`: contiguous (with and
/// without offset), broadcast scalar, stride-0 inner and outer axes, step 2,
/// reversed, transposed, and a mix.
pub fn zoo(dims: &[usize]) -> Vec<(&'static str, Layout)> {
    let nd = dims.len();
    let id: Vec<usize> = (0..nd).collect();
    let rev: Vec<usize> = (0..nd).rev().collect();
    let rot: Vec<usize> = (0..nd).map(|i| (i + 1) % nd.max(1)).collect();
    let ones = vec![1isize; nd];
    let pads = vec![1usize; nd];
    let mut z = vec![
        ("contiguous", Layout::contiguous(dims)),
        ("offset", build_view(dims, &id, &ones, &vec![0; nd], 3)),
        ("scalar", Layout::new(dims, &vec![0; nd], 2)),
        ("step2", build_view(dims, &id, &vec![2; nd], &pads, 1)),
        ("reversed", build_view(dims, &id, &vec![-1; nd], &pads, 0)),
        ("transposed", build_view(dims, &rev, &ones, &vec![0; nd], 0)),
        (
            "mixed",
            build_view(
                dims,
                &rot,
                &(0..nd).map(|i| [-2, 1, -1, 2][i % 4]).collect::<Vec<_>>(),
                &pads,
                2,
            ),
        ),
    ];
    if nd >= 1 {
        let mut inner = dims.to_vec();
        inner[nd - 1] = 1;
        z.push((
            "bcast-inner",
            build_view(&inner, &id, &ones, &pads, 1)
                .broadcast_to(dims)
                .unwrap(),
        ));
        let outer = &dims[1..];
        let v = build_view(
            outer,
            &(0..nd - 1).collect::<Vec<_>>(),
            &vec![-1; nd - 1],
            &vec![1; nd - 1],
            0,
        );
        z.push(("bcast-outer", v.broadcast_to(dims).unwrap()));
    }
    z
}

/// Shapes every kernel is tried on: 0-d, 1-d, 2-d, 3-d, and empty ones.
pub fn shapes() -> Vec<Vec<usize>> {
    vec![
        vec![],
        vec![1],
        vec![5],
        vec![3, 4],
        vec![1, 4],
        vec![2, 1, 3],
        vec![2, 3, 4],
        vec![0],
        vec![3, 0],
        vec![0, 2, 3],
    ]
}

/// Random dims: up to `max_nd` axes of size 0..=4 (zeros rarer).
pub fn arb_dims(max_nd: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1 => Just(0usize), 12 => 1..=4usize], 0..=max_nd)
}

/// A random strided/permuted/reversed view with logical shape `dims`.
pub fn arb_view(dims: Vec<usize>) -> impl Strategy<Value = Layout> {
    let nd = dims.len();
    let perm = Just((0..nd).collect::<Vec<_>>()).prop_shuffle();
    let steps = prop::collection::vec(prop_oneof![Just(1isize), Just(2), Just(-1), Just(-2)], nd);
    let pads = prop::collection::vec(0..3usize, nd);
    (perm, steps, pads, 0..4usize).prop_map(move |(p, s, pd, b)| build_view(&dims, &p, &s, &pd, b))
}

/// A random operand of logical shape `dims`: a view of a shape that
/// broadcasts to `dims` (some axes stretched from 1, some leading axes new).
pub fn arb_operand(dims: Vec<usize>) -> impl Strategy<Value = Layout> {
    let nd = dims.len();
    (prop::collection::vec(prop::bool::weighted(0.3), nd), 0..=nd).prop_flat_map(
        move |(stretch, drop)| {
            let drop = drop.min(nd) * usize::from(drop % 2 == 0);
            let base: Vec<usize> = (drop..nd)
                .map(|a| if stretch[a] { 1 } else { dims[a] })
                .collect();
            let target = dims.clone();
            arb_view(base).prop_map(move |v| v.broadcast_to(&target).unwrap())
        },
    )
}

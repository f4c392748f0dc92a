//! `Layout` against hand-worked NumPy answers and the naive offset reference.

mod common;

use causing_diff_kernels::{broadcast_shapes, checked_size, contiguous_strides, Layout};
use common::*;
use proptest::prelude::*;

#[test]
fn contiguous_strides_and_size() {
    let l = Layout::contiguous(&[2, 3, 4]);
    assert_eq!(l.strides(), &[12, 4, 1]);
    assert_eq!((l.size(), l.ndim(), l.offset()), (24, 3, 0));
    let s = Layout::contiguous(&[]);
    assert_eq!((s.size(), s.ndim()), (1, 0));
    assert_eq!(contiguous_strides(&[3, 0, 2]).as_slice(), &[2, 2, 1]);
    assert_eq!(Layout::contiguous(&[3, 0]).size(), 0);
}

#[test]
fn contiguity() {
    assert!(Layout::contiguous(&[2, 3]).is_contiguous());
    assert!(
        Layout::new(&[2, 3], &[3, 1], 7).is_contiguous(),
        "offset does not matter"
    );
    assert!(
        Layout::new(&[2, 1, 3], &[3, 99, 1], 0).is_contiguous(),
        "size-1 strides are ignored"
    );
    assert!(Layout::new(&[1, 1], &[-5, 0], 0).is_contiguous());
    assert!(
        Layout::new(&[0, 3], &[0, 7], 0).is_contiguous(),
        "empty counts as contiguous"
    );
    assert!(!Layout::contiguous(&[2, 3])
        .permute(&[1, 0])
        .unwrap()
        .is_contiguous());
    assert!(!Layout::contiguous(&[4])
        .slice_axis(0, 0, 2, 2)
        .is_contiguous());
    assert!(!Layout::contiguous(&[3])
        .broadcast_to(&[2, 3])
        .unwrap()
        .is_contiguous());
    assert!(Layout::contiguous(&[4])
        .slice_axis(0, 1, 2, 1)
        .is_contiguous());
}

#[test]
fn broadcasting() {
    let l = Layout::new(&[3, 1], &[5, 1], 2)
        .broadcast_to(&[2, 3, 4])
        .unwrap();
    assert_eq!(
        (l.dims(), l.strides(), l.offset()),
        (&[2, 3, 4][..], &[0, 5, 0][..], 2)
    );
    assert!(Layout::contiguous(&[3]).broadcast_to(&[4]).is_none());
    assert!(Layout::contiguous(&[2, 3]).broadcast_to(&[3]).is_none());
    assert!(
        Layout::contiguous(&[0]).broadcast_to(&[1]).is_none(),
        "one-way: 0 does not stretch"
    );
    assert_eq!(
        Layout::contiguous(&[1]).broadcast_to(&[0]).unwrap().dims(),
        &[0]
    );
    assert!(Layout::contiguous(&[2])
        .broadcast_to(&[2])
        .unwrap()
        .is_contiguous());
    assert!(Layout::new(&[1], &[1], 4)
        .broadcast_to(&[3, 5])
        .unwrap()
        .is_broadcast_scalar());

    let b = |a: &[usize], b: &[usize]| broadcast_shapes(a, b).map(|d| d.to_vec());
    assert_eq!(b(&[2, 1, 3], &[4, 1]), Some(vec![2, 4, 3]));
    assert_eq!(b(&[], &[2, 3]), Some(vec![2, 3]));
    assert_eq!(b(&[0], &[1]), Some(vec![0]));
    assert_eq!(b(&[1, 0], &[3, 1]), Some(vec![3, 0]));
    assert_eq!(b(&[2], &[3]), None);
    assert_eq!(b(&[0], &[2]), None);
}

#[test]
fn permute_and_axes() {
    let l = Layout::new(&[2, 3, 4], &[12, 4, 1], 1);
    let p = l.permute(&[2, 0, 1]).unwrap();
    assert_eq!(
        (p.dims(), p.strides(), p.offset()),
        (&[4, 2, 3][..], &[1, 12, 4][..], 1)
    );
    assert!(l.permute(&[0, 1]).is_none());
    assert!(l.permute(&[0, 1, 1]).is_none());
    assert!(l.permute(&[0, 1, 3]).is_none());
    let i = l.index_axis(1, 2);
    assert_eq!(
        (i.dims(), i.strides(), i.offset()),
        (&[2, 4][..], &[12, 1][..], 9)
    );
    let e = l.insert_axis(3).insert_axis(0);
    assert_eq!(e.dims(), &[1, 2, 3, 4, 1]);
    assert_eq!(
        gather(&(0..30).collect::<Vec<_>>(), &e),
        gather(&(0..30).collect::<Vec<_>>(), &l)
    );
    assert!(Layout::contiguous(&[2, 3]).insert_axis(1).is_contiguous());
}

#[test]
fn slicing_matches_python() {
    let x: Vec<usize> = (0..10).collect();
    let l = Layout::contiguous(&[10]);
    assert_eq!(gather(&x, &l.slice_axis(0, 1, 4, 2)), vec![1, 3, 5, 7]); // x[1:8:2]
    assert_eq!(
        gather(&x, &l.slice_axis(0, 9, 10, -1)),
        (0..10).rev().collect::<Vec<_>>()
    ); // x[::-1]
    assert_eq!(gather(&x, &l.slice_axis(0, 8, 3, -3)), vec![8, 5, 2]); // x[8::-3]
    assert_eq!(l.slice_axis(0, 10, 0, 1).size(), 0); // x[10:]
    let r = l.slice_axis(0, 9, 5, -2).slice_axis(0, 4, 2, -3); // x[::-2][4::-3]
    assert_eq!(gather(&x, &r), vec![1, 7]);
    let m = Layout::contiguous(&[3, 4]).slice_axis(1, 3, 2, -2); // m[:, 3::-2]
    assert_eq!(
        gather(&(0..12).collect::<Vec<_>>(), &m),
        vec![3, 1, 7, 5, 11, 9]
    );
}

#[test]
#[should_panic(expected = "out of range")]
fn slicing_past_the_end_panics() {
    Layout::contiguous(&[4]).slice_axis(0, 1, 2, 3);
}

#[test]
#[should_panic(expected = "out of range")]
fn indexing_past_the_end_panics() {
    Layout::contiguous(&[2, 3]).index_axis(1, 3);
}

#[test]
#[should_panic(expected = "negative offset")]
fn layouts_reaching_below_zero_are_rejected() {
    Layout::new(&[3], &[-1], 1);
}

#[test]
fn reshape_without_copy() {
    let c = Layout::contiguous(&[2, 3, 4]);
    let r = c.reshape(&[6, 4]).unwrap();
    assert_eq!(r.strides(), &[4, 1]);
    assert_eq!(c.reshape(&[4, 6]).unwrap().strides(), &[6, 1]);
    assert_eq!(c.reshape(&[1, 24, 1]).unwrap().dims(), &[1, 24, 1]);
    assert!(c.reshape(&[5, 5]).is_none(), "size mismatch");
    let t = Layout::contiguous(&[2, 3]).permute(&[1, 0]).unwrap();
    assert!(t.reshape(&[6]).is_none());
    assert_eq!(t.reshape(&[3, 1, 2]).unwrap().strides()[0], 1);
    // A view sliced along the last axis keeps its outer axes mergeable.
    let s = Layout::contiguous(&[4, 6]).slice_axis(1, 0, 2, 2); // x[:, :4:2]
    assert!(s.reshape(&[8]).is_none());
    assert_eq!(s.reshape(&[2, 2, 2]).unwrap().strides(), &[12, 6, 2]);
    // ... but x[:, ::2] is evenly spaced, so it flattens.
    assert_eq!(
        Layout::contiguous(&[4, 6])
            .slice_axis(1, 0, 3, 2)
            .reshape(&[12])
            .unwrap()
            .strides(),
        &[2]
    );
    // Broadcast axes split but never merge with real ones.
    let b = Layout::contiguous(&[3]).broadcast_to(&[2, 3]).unwrap();
    assert!(b.reshape(&[6]).is_none());
    assert_eq!(b.reshape(&[2, 3, 1]).unwrap().strides()[..2], [0, 1]);
    let z = Layout::new(&[1, 1], &[0, 0], 5).reshape(&[]).unwrap();
    assert_eq!((z.ndim(), z.offset()), (0, 5));
    assert_eq!(
        Layout::contiguous(&[0, 3])
            .reshape(&[3, 0, 5])
            .unwrap()
            .size(),
        0
    );
}

#[test]
fn extents() {
    assert_eq!(Layout::contiguous(&[2, 3]).min_max_offset(), Some((0, 5)));
    assert_eq!(Layout::contiguous(&[2, 0]).min_max_offset(), None);
    assert_eq!(
        Layout::new(&[3, 2], &[-4, 1], 9).min_max_offset(),
        Some((1, 10))
    );
    assert_eq!(Layout::new(&[], &[], 4).min_max_offset(), Some((4, 4)));
    assert_eq!(checked_size(&[usize::MAX, 2]), None);
    // As NumPy, a zero does not excuse non-zero dims that overflow `isize`.
    assert_eq!(checked_size(&[usize::MAX, 0]), None);
    assert_eq!(checked_size(&[1 << 40, 0, 1 << 20]), Some(0));
    assert_eq!(
        checked_size(&[isize::MAX as usize]),
        Some(isize::MAX as usize)
    );
    assert_eq!(checked_size(&[isize::MAX as usize, 2, 0]), None);
    assert_eq!(checked_size(&[]), Some(1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A reshape that succeeds addresses the same elements in the same C order.
    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn reshape_preserves_c_order(v in arb_dims(4).prop_flat_map(arb_operand), split in 0usize..4) {
        let size = v.size();
        let targets: Vec<Vec<usize>> = vec![
            vec![size],
            vec![1, size, 1],
            (1..=size.max(1)).rev().find(|d| size % d == 0 && *d <= split + 1).map(|d| vec![d, size / d]).unwrap_or(vec![size]),
            v.dims().iter().rev().copied().collect(),
            v.dims().iter().copied().filter(|&d| d != 1).collect(),
        ];
        for t in targets {
            if let Some(r) = v.reshape(&t) {
                prop_assert_eq!(r.dims(), &t[..]);
                let a: Vec<usize> = indices(v.dims()).iter().map(|i| off(&v, i)).collect();
                let b: Vec<usize> = indices(r.dims()).iter().map(|i| off(&r, i)).collect();
                prop_assert_eq!(a, b);
            } else {
                prop_assert!(!v.is_contiguous() || checked_size(&t) != Some(size), "contiguous layouts always reshape");
            }
        }
        // Squeezing size-1 axes and re-inserting them never needs a copy.
        prop_assert!(v.reshape(&v.dims().iter().copied().filter(|&d| d != 1).collect::<Vec<_>>()).is_some());
    }

    /// min_max_offset bounds every addressed offset, and both ends are reached.
    #[test]
    #[cfg_attr(miri, ignore)] // proptest persists failures to disk
    fn extent_is_tight(v in arb_dims(4).prop_flat_map(arb_operand)) {
        let offs: Vec<usize> = indices(v.dims()).iter().map(|i| off(&v, i)).collect();
        let want = offs.iter().min().zip(offs.iter().max()).map(|(&a, &b)| (a, b));
        prop_assert_eq!(v.min_max_offset(), want);
        prop_assert_eq!(v.is_contiguous(), offs.windows(2).all(|w| w[1] == w[0] + 1));
    }
}

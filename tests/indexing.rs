//! Scenario tests of indexing (SPEC §3 "Views and in-place updates", §4
//! "Indexing"): NumPy's placement rules, repeated-index accumulation, the
//! functional `x[index] = value` and its gradients, last-write-wins, the
//! augmented operators, `where`, views, and typed errors.

use causing_diff::prelude::*;
use causing_diff::{Ellipsis, IndexItem};

fn grad(x: Tensor<'_>) -> Vec<f64> {
    x.grad().expect("a gradient").to_f64_vec()
}

#[test]
fn repeated_indices_accumulate_gradients() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0, 3.0]);
    let y = x.index(s![[0, 0, 2]]);
    assert_eq!(y.data().to_f64_vec(), [1.0, 1.0, 3.0]);
    y.backward_with([1.0, 10.0, 100.0]);
    assert_eq!(grad(x), [11.0, 0.0, 100.0]);

    // Two arrays broadcast together; (1, 1) is picked four times.
    let x = g.arange(6.0).reshape(&[2, 3]);
    let rows = Array::from_shape_vec(&[2, 1], vec![1i64, 1]).unwrap();
    let y = x.index(s![rows, [1, -2]]);
    assert_eq!(y.shape(), vec![2, 2]);
    y.backward();
    assert_eq!(grad(x), [0.0, 0.0, 0.0, 0.0, 4.0, 0.0]);

    // A mask and an integer array with a repeat, and int32 entries.
    let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    let cols = Array::from_vec(vec![0i32, 0]);
    let y = x.index(s![[true, false], cols]);
    assert_eq!(y.data().to_f64_vec(), [1.0, 1.0]);
    y.backward();
    assert_eq!(grad(x), [2.0, 0.0, 0.0, 0.0]);
}

#[test]
fn advanced_dimensions_replace_adjacent_axes_in_place() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3, 4]);
    assert_eq!(x.index(s![.., [0, 1, 2], [1, 2, 3]]).shape(), vec![2, 3]);
    assert_eq!(
        x.index(s![.., [[0], [1]], [1, 2, 3]]).shape(),
        vec![2, 2, 3]
    );
    assert_eq!(x.index(s![..., [0, 1, 2], [1, 2, 3]]).shape(), vec![2, 3]);
    // With arrays present an integer is an advanced index too, adjacent here.
    assert_eq!(x.index(s![.., 0, [1, 2]]).shape(), vec![2, 2]);
    // A multi-axis mask is adjacent advanced indices.
    let m = Array::from_shape_vec(&[3, 4], vec![true; 12]).unwrap();
    assert_eq!(x.index(s![.., m]).shape(), vec![2, 12]);
}

#[test]
fn separated_advanced_dimensions_go_first() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3, 4]);
    // Separated by a slice.
    assert_eq!(x.index(s![[0, 1], .., [1, 2]]).shape(), vec![2, 3]);
    assert_eq!(x.index(s![0, .., [1, 2, 3]]).shape(), vec![3, 3]);
    // Separated by a new axis.
    assert_eq!(x.index(s![[0, 1], NEW, [1, 2]]).shape(), vec![2, 1, 4]);
    // Separated by an ellipsis, even one that covers no axis.
    assert_eq!(
        x.index(s![.., [0, 1, 2], ..., [1, 2, 3]]).shape(),
        vec![3, 2]
    );
    // The values follow: x[i, :, j] for each broadcast (i, j).
    let x = g.arange(24.0).reshape(&[2, 3, 4]);
    let y = x.index(s![[1, 0], .., [3, 0]]);
    assert_eq!(
        y.data().to_f64_vec(),
        [15.0, 19.0, 23.0, 0.0, 4.0, 8.0],
        "rows are x[1, :, 3] and x[0, :, 0]"
    );
}

#[test]
fn masks_index_by_nonzero_and_zero_d_masks_add_an_axis() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let m = [[true, false, true], [false, true, false]].into_array();
    assert_eq!(x.index(s![&m]).data().to_f64_vec(), [1.0, 3.0, 5.0]);
    assert_eq!(x.index(s![[false, true]]).shape(), vec![1, 3]);
    // A bool tensor works as a mask too, and an int tensor as an array.
    let mt = g.tensor([false, true]);
    assert_eq!(
        x.index(s![mt, g.tensor([2, 0])]).data().to_f64_vec(),
        [6.0, 4.0]
    );

    // 0-d masks: true gives a new axis of length 1, false of length 0.
    let s0 = g.tensor(3.0);
    assert_eq!(s0.index(s![true]).shape(), vec![1]);
    assert_eq!(s0.index(s![false]).shape(), vec![0]);
    assert_eq!(x.index(s![true]).shape(), vec![1, 2, 3]);
    assert_eq!(
        x.index(s![true, .., [1, 2]]).shape(),
        vec![2, 2],
        "separated: B first"
    );
    assert_eq!(
        x.index(s![.., true, [1, 2]]).shape(),
        vec![2, 2],
        "adjacent: in place"
    );
    let y = s0.index(s![true]);
    y.backward_with([5.0]);
    assert_eq!(grad(s0), [5.0]);
}

#[test]
fn basic_items_ellipsis_and_new_axes() {
    let g = Graph::new();
    let x = g.arange(24.0).reshape(&[2, 3, 4]);
    assert_eq!(x.index(s![-1, ..., NEW]).shape(), vec![3, 4, 1]);
    assert_eq!(x.index(s![NewAxis, .., NEW, 1]).shape(), vec![1, 2, 1, 4]);
    assert_eq!(x.index(s![...]).shape(), vec![2, 3, 4]);
    assert_eq!(x.index(s![]).shape(), vec![2, 3, 4]);
    assert_eq!(x.index(s![Ellipsis, 0]).shape(), vec![2, 3]);
    // Python's slice rules: negative steps, clamped bounds, empty results.
    let v = g.arange(6.0);
    let items = |i: Index| v.index(i).data().to_f64_vec();
    assert_eq!(items(s![..;-1]), [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]);
    assert_eq!(items(s![4..0;-2]), [4.0, 2.0]);
    assert_eq!(items(s![-1..-7;-1]), [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]);
    assert_eq!(items(s![-100..100;2]), [0.0, 2.0, 4.0]);
    assert!(items(s![4..1]).is_empty());
    assert_eq!(items(s![1..=3]), [1.0, 2.0, 3.0]);
    assert_eq!(items(s![3..=0;-1]), [3.0, 2.0, 1.0, 0.0]);
    assert_eq!(items(s![..=-1]), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    // A 0-d integer array (or tensor) is an integer: basic indexing.
    assert_eq!(x.index(s![Array::scalar(1i64)]).shape(), vec![3, 4]);
    assert_eq!(x.index(s![g.tensor(1), .., g.tensor(2)]).shape(), vec![3]);
}

#[test]
fn basic_indexing_is_a_view_and_advanced_indexing_a_copy() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0, 3.0]);
    (x * 2.0).sum().backward();
    let _view = x.index(s![1..]);
    assert!(x.grad().is_some(), "basic indexing keeps the gradient");
    let _copy = x.index(s![[0, 1]]);
    assert!(x.grad().is_none(), "advanced indexing nulls it");
}

#[test]
fn set_index_sends_gradients_to_the_old_tensor_and_the_value() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0, 3.0, 4.0]);
    let v = g.tensor([10.0]);
    let y = x.set_index(s![1..3], v);
    assert_eq!(y.data().to_f64_vec(), [1.0, 10.0, 10.0, 4.0]);
    assert_eq!(
        x.data().to_f64_vec(),
        [1.0, 2.0, 3.0, 4.0],
        "x is unchanged"
    );
    y.backward_with([1.0, 2.0, 3.0, 4.0]);
    assert_eq!(
        grad(x),
        [1.0, 0.0, 0.0, 4.0],
        "zeros where x was overwritten"
    );
    assert_eq!(grad(v), [5.0], "summed over the broadcast");

    // The value is cast to x's dtype; its gradient keeps its own dtype.
    let x = g.tensor([1.0f32, 2.0]);
    let v = g.tensor(0.25f64);
    let y = x.set_index(s![0], v);
    assert_eq!(y.dtype(), DType::Float32);
    y.backward();
    assert_eq!(v.grad().unwrap().dtype(), DType::Float64);
    assert_eq!(
        x.grad().unwrap().to_string(),
        "array([0., 1.], dtype=float32)"
    );

    // Scalars and arrays are constants; a value with extra leading 1s works.
    let x = g.zeros(&[2, 3]);
    let y = x
        .set_index(s![.., 1], 7.0)
        .set_index(s![0], [[1.0, 2.0, 3.0]].into_array());
    assert_eq!(y.data().to_f64_vec(), [1.0, 2.0, 3.0, 0.0, 7.0, 0.0]);
}

#[test]
fn the_last_write_wins_and_overwritten_writes_get_no_gradient() {
    let g = Graph::new();
    let x = g.tensor([0.0; 4]);
    let v = g.tensor([10.0, 20.0, 30.0]);
    let y = x.set_index(s![[0, 2, 0]], v);
    assert_eq!(y.data().to_f64_vec(), [30.0, 0.0, 20.0, 0.0]);
    y.backward_with([1.0, 2.0, 3.0, 4.0]);
    assert_eq!(grad(v), [0.0, 3.0, 1.0]);
    assert_eq!(grad(x), [0.0, 2.0, 0.0, 4.0]);

    // With broadcasting: v (2,) is written to x[[1, 1], 0] twice over rows.
    let x = g.tensor([[0.0; 2]; 3]);
    let v = g.tensor([5.0, 6.0]);
    let y = x.set_index(s![[1, 1], [0, 0]], v);
    assert_eq!(y.data().to_f64_vec(), [0.0, 0.0, 6.0, 0.0, 0.0, 0.0]);
    y.backward();
    assert_eq!(grad(v), [0.0, 1.0]);

    // A mask assigns each position once.
    let x = g.tensor([1.0, 2.0, 3.0]);
    let v = g.tensor([8.0, 9.0]);
    let y = x.set_index(s![[true, false, true]], v);
    assert_eq!(y.data().to_f64_vec(), [8.0, 2.0, 9.0]);
}

#[test]
fn set_index_mut_rebinds_and_earlier_consumers_keep_the_old_value() {
    let g = Graph::new();
    let w = g.tensor([1.0, 2.0, 3.0]);
    let mut x = w;
    let before = x * 2.0;
    x.set_index_mut(s![-1], 0.0);
    assert_eq!(x.data().to_f64_vec(), [1.0, 2.0, 0.0]);
    assert_eq!(before.data().to_f64_vec(), [2.0, 4.0, 6.0]);
    (x.sum() + before.sum()).backward();
    assert_eq!(grad(w), [3.0, 3.0, 2.0]);

    // A failed assignment leaves the handle as it was.
    let old = x;
    let err = x.try_set_index_mut(s![5], 1.0).unwrap_err();
    assert!(matches!(
        err,
        Error::IndexOutOfRange {
            index: 5,
            len: 3,
            ..
        }
    ));
    assert_eq!(x.data(), old.data());
}

#[test]
fn augmented_operators_record_a_new_node_and_keep_earlier_consumers() {
    let g = Graph::new();
    let w = g.tensor([1.0, 2.0]);
    let mut x = w;
    let y = x * 3.0; // consumes the old value
    x += 1.0;
    x *= g.tensor([2.0, 10.0]);
    x -= &[1.0, 1.0].into_array();
    x /= 2.0;
    assert_eq!(x.data().to_f64_vec(), [1.5, 14.5]);
    assert_eq!(y.data().to_f64_vec(), [3.0, 6.0], "y saw the old x");
    (x + y).sum().backward();
    // d/dw [((w + 1) * c - 1) / 2 + 3w] = c/2 + 3
    assert_eq!(grad(w), [4.0, 8.0]);
}

#[test]
fn where_picks_and_routes_gradients() {
    let g = Graph::new();
    let a = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    let b = g.tensor([-1.0, -2.0]);
    let cond = [[true, false], [false, true]].into_array();
    let y = a.where_(&cond, b);
    assert_eq!(y.data().to_f64_vec(), [1.0, -2.0, -1.0, 4.0]);
    y.backward();
    assert_eq!(grad(a), [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(grad(b), [1.0, 1.0], "summed over the broadcast");

    // A constant bool tensor as the condition, scalars on either side.
    let x = g.tensor([1.0f32, -2.0, 3.0]);
    let c = g.tensor([true, false, true]);
    let y = causing_diff::where_(c, 0.0, x).unwrap();
    assert_eq!(y.dtype(), DType::Float32, "a scalar is weak");
    assert_eq!(y.data().to_f64_vec(), [0.0, -2.0, 0.0]);
    y.backward();
    assert_eq!(grad(x), [0.0, 1.0, 0.0]);

    assert!(matches!(
        causing_diff::where_([true, false, true].into_array(), x, g.tensor([1.0, 2.0])),
        Err(Error::ShapeMismatch { op: "where", .. })
    ));
    assert!(causing_diff::where_([true].into_array(), 1.0, 2.0).is_err());
}

#[test]
fn bad_indices_are_typed_errors() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    let two = g.tensor([1.0, 2.0]);
    let len_before = g.len();
    assert!(matches!(
        x.try_index(s![0, 3]),
        Err(Error::IndexOutOfRange {
            op: "getitem",
            index: 3,
            axis: 1,
            len: 3
        })
    ));
    assert!(matches!(
        x.try_index(s![[0, -3]]),
        Err(Error::IndexOutOfRange {
            index: -3,
            axis: 0,
            len: 2,
            ..
        })
    ));
    assert!(matches!(
        x.try_index(s![0, 0, 0]),
        Err(Error::TooManyIndices {
            ndim: 2,
            indexed: 3,
            ..
        })
    ));
    assert!(matches!(
        x.try_index(s![[true, false, true]]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        x.try_index(s![[0, 1], [0, 1, 2]]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        x.try_index(s![..., 0, ...]),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        x.try_index(s![..;0]),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        x.try_index(s![[0.5, 1.0].into_array()]),
        Err(Error::UnsupportedDType {
            dtype: DType::Float64,
            ..
        })
    ));
    assert!(matches!(
        x.try_set_index(s![0], two),
        Err(Error::ShapeMismatch { op: "setitem", .. })
    ));
    assert!(matches!(
        x.try_set_index(s![0, 9], 1.0),
        Err(Error::IndexOutOfRange { op: "setitem", .. })
    ));
    assert_eq!(
        g.len(),
        len_before,
        "failed calls leave the graph as it was"
    );
    let err = x.try_index(s![0, 0, 0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "getitem: too many indices for array: array is 2-dimensional, but 3 were indexed"
    );

    // Entries of arrays that select nothing are not checked (NumPy).
    let empty = Array::from_vec(Vec::<i64>::new());
    assert_eq!(x.index(s![empty, [9]]).shape(), vec![0]);
    // The operator-like form panics with the same message.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| x.index(s![7])));
    assert!(caught.is_err());
}

#[test]
fn index_items_build_by_hand() {
    let g = Graph::new();
    let x = g.arange(12.0).reshape(&[3, 4]);
    let idx = Index::new()
        .push(IndexItem::slice(Some(-1), None, Some(-2)))
        .push(vec![0i64, 3]);
    assert_eq!(x.index(idx).data().to_f64_vec(), [8.0, 11.0, 0.0, 3.0]);
    let from_vec: Index = vec![IndexItem::Int(1), IndexItem::Ellipsis].into();
    assert_eq!(x.index(from_vec).shape(), vec![4]);
    assert_eq!(x.index(-1).data().to_f64_vec(), [8.0, 9.0, 10.0, 11.0]);
    assert_eq!(x.index(1..).shape(), vec![2, 4]);
}

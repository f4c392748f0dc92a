//! The bad-input catalogue (SPEC §5): every input a user can get wrong gives
//! its exact typed error through the `try_` form, with a message naming the
//! op and the offending shapes or values, and the panicking form (operator
//! sugar, plain methods) panics with that same message. Nothing aborts,
//! overflows or allocates without asking. NaN and infinities flowing
//! through every op family live in `bad_inputs/nonfinite.rs`.

#[path = "bad_inputs/nonfinite.rs"]
mod nonfinite;

use std::panic::{catch_unwind, AssertUnwindSafe};

use causing_diff::prelude::*;

/// The message `f` panics with.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let payload = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(p) => p,
    };
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        panic!("a panic without a message")
    }
}

/// Asserts that `f` panics with exactly `err`'s message.
fn panics_with<R>(err: &Error, f: impl FnOnce() -> R) {
    assert_eq!(panic_message(f), err.to_string());
}

#[test]
fn incompatible_broadcast_shapes() {
    let g = Graph::new();
    let a = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let b = g.tensor([1.0, 2.0]);
    let len = g.len();
    for (err, op) in [
        (a.try_add(b).unwrap_err(), "add"),
        (a.try_sub(b).unwrap_err(), "subtract"),
        (a.try_mul(b).unwrap_err(), "multiply"),
        (a.try_div(b).unwrap_err(), "divide"),
        (a.try_pow(b).unwrap_err(), "power"),
        (causing_diff::maximum(a, b).unwrap_err(), "maximum"),
    ] {
        assert_eq!(
            err,
            Error::ShapeMismatch {
                op,
                shapes: vec![vec![2, 3], vec![2]],
                detail: "operands could not be broadcast together with shapes",
            }
        );
        assert_eq!(
            err.to_string(),
            format!("{op}: operands could not be broadcast together with shapes (2, 3) (2,)")
        );
    }
    assert_eq!(g.len(), len, "a failed op records nothing");
    // Operator sugar panics with the same message.
    panics_with(&a.try_add(b).unwrap_err(), || a + b);
    panics_with(&a.try_sub(b).unwrap_err(), || a - b);
    panics_with(&a.try_mul(b).unwrap_err(), || a * b);
    panics_with(&a.try_div(b).unwrap_err(), || a / b);
    panics_with(&a.try_pow(b).unwrap_err(), || a.pow(b));
    // A plain array operand is checked the same way.
    let arr = [1.0, 2.0, 3.0, 4.0].into_array();
    let err = a.try_add(&arr).unwrap_err();
    assert!(err.to_string().contains("(2, 3) (4,)"), "{err}");
    // broadcast_to checks one way only.
    let err = a.try_broadcast_to(&[3, 3]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                op: "broadcast_to",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("(2, 3)") && err.to_string().contains("(3, 3)"),
        "{err}"
    );
    panics_with(&err, || a.broadcast_to(&[3, 3]));
}

#[test]
fn matmul_core_dimension_mismatch() {
    let g = Graph::new();
    let a = g.zeros(&[2, 3]);
    let b = g.zeros(&[4, 5]);
    let err = a.try_matmul(b).unwrap_err();
    assert!(
        matches!(&err, Error::ShapeMismatch { op: "matmul", shapes, .. } if *shapes == vec![vec![2, 3], vec![4, 5]]),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("matmul: "), "{err}");
    assert!(err.to_string().contains("(2, 3) (4, 5)"), "{err}");
    panics_with(&err, || a.matmul(b));
    // 1-D promotion and batch dims that do not broadcast.
    let v = g.zeros(&[2]);
    let err = a.try_matmul(v).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "matmul", .. }));
    assert!(err.to_string().contains("(2, 3) (2,)"), "{err}");
    let err = g
        .zeros(&[2, 2, 3])
        .try_matmul(g.zeros(&[3, 3, 1]))
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "matmul", .. }));
    assert!(err.to_string().contains("(2, 2, 3) (3, 3, 1)"), "{err}");
}

#[test]
fn axis_out_of_range_positive_and_negative() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    let expect = |op, axis| Error::AxisOutOfRange { op, axis, ndim: 2 };
    assert_eq!(
        x.try_sum_with(Some(&[2]), false).unwrap_err(),
        expect("sum", 2)
    );
    assert_eq!(
        x.try_sum_with(Some(&[-3]), false).unwrap_err(),
        expect("sum", -3)
    );
    assert_eq!(
        x.try_max_with(Some(&[5]), true).unwrap_err(),
        expect("max", 5)
    );
    assert_eq!(
        x.try_cumsum_with(Some(-3)).unwrap_err(),
        expect("cumsum", -3)
    );
    assert_eq!(x.try_argmax_with(Some(2)).unwrap_err(), expect("argmax", 2));
    assert_eq!(x.try_swapaxes(0, -3).unwrap_err(), expect("swapaxes", -3));
    assert_eq!(x.try_flip_with(Some(&[2])).unwrap_err(), expect("flip", 2));
    assert_eq!(
        causing_diff::concatenate(&[x, x], Some(2)).unwrap_err(),
        expect("concatenate", 2)
    );
    // expand_dims and stack check against ndim + 1.
    assert_eq!(
        x.try_expand_dims(-4).unwrap_err(),
        Error::AxisOutOfRange {
            op: "expand_dims",
            axis: -4,
            ndim: 3
        }
    );
    assert_eq!(
        causing_diff::stack(&[x, x], 3).unwrap_err(),
        Error::AxisOutOfRange {
            op: "stack",
            axis: 3,
            ndim: 3
        }
    );
    let err = x.try_sum_with(Some(&[-3]), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sum: axis -3 is out of bounds for array of dimension 2"
    );
    panics_with(&err, || x.sum_axis(-3));
    panics_with(&x.try_mean_with(Some(&[2]), false).unwrap_err(), || {
        x.mean_axis(2)
    });
    // Axes far outside isize's middle do not overflow while normalising.
    assert_eq!(
        x.try_sum_with(Some(&[isize::MIN]), false).unwrap_err(),
        expect("sum", isize::MIN)
    );
    assert_eq!(
        x.try_sum_with(Some(&[isize::MAX]), false).unwrap_err(),
        expect("sum", isize::MAX)
    );
}

#[test]
fn duplicate_axes() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3, 4]);
    let err = x.try_sum_with(Some(&[0, -3]), false).unwrap_err();
    assert_eq!(err, Error::DuplicateAxis { op: "sum", axis: 0 });
    assert_eq!(err.to_string(), "sum: repeated axis 0");
    panics_with(&err, || x.sum_with(Some(&[0, -3]), false));
    assert_eq!(
        x.try_transpose_axes(&[0, 2, 2]).unwrap_err(),
        Error::DuplicateAxis {
            op: "transpose",
            axis: 2
        }
    );
    assert!(matches!(
        x.try_moveaxis(&[0, 0], &[1, 2]).unwrap_err(),
        Error::DuplicateAxis {
            op: "moveaxis",
            axis: 0
        }
    ));
    assert!(matches!(
        x.try_prod_with(Some(&[1, 1]), true).unwrap_err(),
        Error::DuplicateAxis {
            op: "prod",
            axis: 1
        }
    ));
}

#[test]
fn bad_reshape() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    let err = x.try_reshape(&[4, 2]).unwrap_err();
    assert_eq!(
        err,
        Error::BadReshape {
            from: vec![2, 3],
            to: vec![4, 2]
        }
    );
    assert_eq!(
        err.to_string(),
        "reshape: cannot reshape array of shape (2, 3) into shape (4, 2)"
    );
    panics_with(&err, || x.reshape(&[4, 2]));
    // Two unknowns, an unresolvable unknown, a negative size.
    for to in [&[-1, -1][..], &[4, -1], &[-2, -3], &[0, -1]] {
        assert_eq!(
            x.try_reshape(to).unwrap_err(),
            Error::BadReshape {
                from: vec![2, 3],
                to: to.to_vec()
            },
            "{to:?}"
        );
    }
}

#[test]
fn index_out_of_range() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    let err = x.try_index(s![1, 3]).unwrap_err();
    assert_eq!(
        err,
        Error::IndexOutOfRange {
            op: "getitem",
            index: 3,
            axis: 1,
            len: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "getitem: index 3 is out of bounds for axis 1 with size 3"
    );
    panics_with(&err, || x.index(s![1, 3]));
    assert_eq!(
        x.try_index(s![-3]).unwrap_err(),
        Error::IndexOutOfRange {
            op: "getitem",
            index: -3,
            axis: 0,
            len: 2
        }
    );
    // An entry of an index array, and an index far outside isize's middle.
    assert!(matches!(
        x.try_index(s![.., [0, 1, 7]]).unwrap_err(),
        Error::IndexOutOfRange {
            index: 7,
            axis: 1,
            len: 3,
            ..
        }
    ));
    assert!(matches!(
        x.try_index(s![[i64::MIN]]).unwrap_err(),
        Error::IndexOutOfRange {
            index: i64::MIN,
            axis: 0,
            len: 2,
            ..
        }
    ));
    assert!(matches!(
        x.try_index(s![usize::MAX]).unwrap_err(),
        Error::IndexOutOfRange {
            axis: 0,
            len: 2,
            ..
        }
    ));
    // Assignment checks the same way.
    assert!(matches!(
        x.try_set_index(s![2], 1.0).unwrap_err(),
        Error::IndexOutOfRange {
            op: "setitem",
            index: 2,
            axis: 0,
            len: 2
        }
    ));
    // An empty axis has no valid integer index at all.
    let e = g.zeros(&[0]);
    assert!(matches!(
        e.try_index(s![0]).unwrap_err(),
        Error::IndexOutOfRange {
            index: 0,
            len: 0,
            ..
        }
    ));
}

#[test]
fn boolean_mask_of_the_wrong_shape() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    let err = x.try_index(s![[true, false, true]]).unwrap_err();
    assert!(
        matches!(&err, Error::ShapeMismatch { op: "getitem", shapes, .. } if *shapes == vec![vec![3], vec![2]]),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("getitem: "), "{err}");
    assert!(err.to_string().contains("(3,) (2,)"), "{err}");
    panics_with(&err, || x.index(s![[true, false, true]]));
    // A 2-D mask must match both axes it covers.
    let mask = Array::from_shape_vec(&[3, 2], vec![true; 6]).unwrap();
    let err = x.try_index(s![mask]).unwrap_err();
    assert!(err.to_string().contains("(3, 2) (2, 3)"), "{err}");
    // The right shape works.
    assert_eq!(x.index(s![.., [true, false, true]]).shape(), vec![2, 2]);
    // Assignment through a wrong mask fails the same way.
    assert!(matches!(
        x.try_set_index(s![[true, false, true]], 1.0).unwrap_err(),
        Error::ShapeMismatch { op: "setitem", .. }
    ));
}

#[test]
fn integer_tensor_asked_to_be_a_variable() {
    let g = Graph::new();
    let var = TensorOptions::new().constant(false);
    for (err, dtype) in [
        (
            g.try_tensor_with([1, 2], var.clone()).unwrap_err(),
            DType::Int64,
        ),
        (
            g.try_tensor_with(Array::from_vec(vec![1i32, 2]), var.clone())
                .unwrap_err(),
            DType::Int32,
        ),
        (
            g.try_tensor_with([true], var.clone()).unwrap_err(),
            DType::Bool,
        ),
        (
            g.try_tensor_with([1.5], var.clone().dtype(DType::Int64))
                .unwrap_err(),
            DType::Int64,
        ),
        (
            g.try_zeros_with(&[2], var.clone().dtype(DType::Int32))
                .unwrap_err(),
            DType::Int32,
        ),
        (
            g.try_arange_with(0, 3, 1, var.clone()).unwrap_err(),
            DType::Int64,
        ),
    ] {
        assert_eq!(err, Error::IntNonConstant { dtype });
        assert!(
            err.to_string()
                .contains("Integer-valued tensors must be treated as constants"),
            "{err}"
        );
        assert!(err.to_string().contains(&dtype.to_string()), "{err}");
    }
    // Without the option, integer data is simply a constant.
    assert!(g.tensor([1, 2]).is_constant());
}

#[test]
fn backward_with_a_gradient_of_an_incompatible_shape() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let y = x * 2.0;
    let err = y.try_backward_with([1.0, 2.0]).unwrap_err();
    assert_eq!(
        err,
        Error::BadBackwardGradShape {
            grad: vec![2],
            tensor: vec![2, 3]
        }
    );
    assert_eq!(
        err.to_string(),
        "backward: the gradient's shape (2,) does not broadcast to the tensor's shape (2, 3)"
    );
    panics_with(&err, || y.backward_with([1.0, 2.0]));
    // A failed backward leaves the graph live: a good one still works.
    assert!(x.grad().is_none());
    y.backward_with([1.0, 10.0, 100.0]);
    assert_eq!(
        x.grad().unwrap().to_f64_vec(),
        [2.0, 20.0, 200.0, 2.0, 20.0, 200.0]
    );
}

#[test]
fn backward_through_a_cleared_graph() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = x * 2.0;
    let z = y * 3.0;
    y.backward();
    let err = z.try_backward().unwrap_err();
    assert!(matches!(err, Error::InvalidBackprop { .. }), "{err:?}");
    assert!(err.to_string().starts_with("backward: "), "{err}");
    assert!(err.to_string().contains("InvalidBackprop"), "{err}");
    panics_with(&err, || z.backward());
    // clear_graph has the same effect.
    let a = g.tensor(1.0);
    let b = a.exp();
    let c = b * a;
    b.clear_graph();
    assert!(matches!(
        c.try_backward().unwrap_err(),
        Error::InvalidBackprop { .. }
    ));
}

#[test]
fn changing_locked_data() {
    let g = Graph::new();
    let w = g.tensor([1.0, 2.0]);
    let out = w.sin();
    let err = w.try_set_data([0.0, 0.0]).unwrap_err();
    assert_eq!(
        err,
        Error::DataLocked {
            op: "set_data",
            users: 1,
            live_output: false
        }
    );
    assert!(err.to_string().starts_with("set_data: "), "{err}");
    panics_with(&err, || w.set_data([0.0, 0.0]));
    assert!(matches!(
        out.try_set_data([0.0, 0.0]).unwrap_err(),
        Error::DataLocked {
            live_output: true,
            ..
        }
    ));
    // A gradient step is a data change as well.
    out.backward();
    // A view keeps the gradient but is a live use of the data.
    let again = w.reshape(&[2, 1]);
    assert!(w.grad().is_some());
    assert!(matches!(
        w.try_gradient_step(0.1).unwrap_err(),
        Error::DataLocked {
            op: "gradient_step",
            ..
        }
    ));
    again.clear_graph();
    assert_eq!(w.try_gradient_step(0.1), Ok(true));
    assert_eq!(
        w.data().to_f64_vec(),
        [1.0 - 0.1 * 1f64.cos(), 2.0 - 0.1 * 2f64.cos()]
    );
}

#[test]
fn a_handle_whose_node_was_reclaimed() {
    let g = Graph::new();
    let w = g.tensor(1.0);
    let mark = g.mark();
    let tmp = w * 2.0;
    g.rewind(mark);
    let _reuses_the_slot = w * 5.0;
    let err = tmp.try_data().unwrap_err();
    assert!(matches!(err, Error::StaleTensor { .. }), "{err:?}");
    assert!(err.to_string().contains("reclaimed"), "{err}");
    for e in [
        tmp.try_add(1.0).unwrap_err(),
        w.try_add(tmp).unwrap_err(),
        tmp.try_backward().unwrap_err(),
        tmp.try_set_data(3.0).unwrap_err(),
        tmp.try_grad().unwrap_err(),
        tmp.try_sum_with(None, false).unwrap_err(),
        tmp.try_index(s![..]).unwrap_err(),
    ] {
        assert_eq!(e, err);
    }
    panics_with(&err, || tmp + 1.0);
    panics_with(&err, || w * tmp);
    panics_with(&err, || -tmp);
    panics_with(&err, || tmp.item());
}

#[test]
fn a_handle_from_another_graph() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let a = g1.tensor([1.0, 2.0]);
    let b = g2.tensor([3.0, 4.0]);
    let err = a.try_mul(b).unwrap_err();
    assert_eq!(err, Error::GraphMismatch { op: "multiply" });
    assert_eq!(
        err.to_string(),
        "multiply: the tensors belong to different graphs"
    );
    panics_with(&err, || a * b);
    assert_eq!(
        a.try_matmul(b).unwrap_err(),
        Error::GraphMismatch { op: "matmul" }
    );
    assert_eq!(
        causing_diff::concatenate(&[a, b], None).unwrap_err(),
        Error::GraphMismatch { op: "concatenate" }
    );
    assert_eq!(
        causing_diff::einsum("i,i->", &[a, b]).unwrap_err(),
        Error::GraphMismatch { op: "einsum" }
    );
    assert!(matches!(
        causing_diff::where_(a.greater(2.0), a, b).unwrap_err(),
        Error::GraphMismatch { .. }
    ));
    assert!(matches!(
        a.try_set_index(s![0], b.index(s![0])).unwrap_err(),
        Error::GraphMismatch { .. }
    ));
    let idx = g2.tensor([0, 1]);
    assert!(matches!(
        a.try_index(s![idx]).unwrap_err(),
        Error::GraphMismatch { .. }
    ));
    assert_eq!((g1.len(), g2.len()), (1, 3), "failed ops record nothing");
}

#[test]
fn shape_products_that_overflow_usize() {
    let g = Graph::new();
    let huge = [usize::MAX / 2, 3];
    let too_large = |op| Error::TooLarge {
        op,
        shape: huge.to_vec(),
    };
    assert_eq!(
        g.try_zeros_with(&huge, TensorOptions::new()).unwrap_err(),
        too_large("zeros")
    );
    assert_eq!(
        g.try_ones_with(&huge, TensorOptions::new()).unwrap_err(),
        too_large("ones")
    );
    assert_eq!(
        g.try_full_with(&huge, 1.0, TensorOptions::new())
            .unwrap_err(),
        too_large("full")
    );
    assert_eq!(
        Array::zeros(&huge, DType::Float64).unwrap_err(),
        too_large("zeros")
    );
    assert!(matches!(
        g.try_random(&huge, TensorOptions::new(), false)
            .unwrap_err(),
        Error::TooLarge { .. }
    ));
    let err = g.try_zeros_with(&huge, TensorOptions::new()).unwrap_err();
    assert!(err.to_string().starts_with("zeros: "), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("({}, 3)", usize::MAX / 2)),
        "{err}"
    );
    panics_with(&err, || g.zeros(&huge));

    let x = g.tensor(1.0);
    let err = x.try_broadcast_to(&huge).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                op: "broadcast_to",
                ..
            }
        ),
        "{err:?}"
    );
    panics_with(&err, || x.broadcast_to(&huge));
    // reshape takes isize sizes: their product overflows too.
    let e = g.zeros(&[0]);
    let err = e.try_reshape(&[isize::MAX, 4, 0]).unwrap_err();
    assert!(
        matches!(err, Error::BadReshape { .. } | Error::TooLarge { .. }),
        "{err:?}"
    );
    // A zero among the dims does not excuse an overflowing product (NumPy
    // refuses such shapes as "array is too big").
    let zero_huge = [usize::MAX / 2, 0, 3];
    assert!(matches!(
        g.try_zeros_with(&zero_huge, TensorOptions::new())
            .unwrap_err(),
        Error::TooLarge { op: "zeros", .. }
    ));
    assert!(matches!(
        g.zeros(&[0, 1]).try_broadcast_to(&zero_huge).unwrap_err(),
        Error::TooLarge { .. }
    ));
    let err = e.try_reshape(&[isize::MAX, 2, 0]).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { op: "reshape", .. }),
        "{err:?}"
    );
    // Size-0 operands whose broadcast result would overflow.
    let n = 1usize << 40;
    let a = g.zeros(&[n, 0, 1]);
    let b = g.zeros(&[1, 0, n]);
    assert!(matches!(
        a.try_add(b).unwrap_err(),
        Error::TooLarge { op: "add", .. }
    ));
    // Joining empty tensors sums axis lengths past usize.
    let big = g.zeros(&[1 << 62, 0]);
    assert!(matches!(
        causing_diff::concatenate(&[big, big, big, big], Some(0)).unwrap_err(),
        Error::TooLarge {
            op: "concatenate",
            ..
        }
    ));
    // The size of an operation's result overflows.
    let a = g.zeros(&[1, 2]);
    assert!(matches!(
        a.try_tile(&[usize::MAX, 1]).unwrap_err(),
        Error::TooLarge { op: "tile", .. }
    ));
    assert!(matches!(
        a.try_repeat(&[usize::MAX], Some(1)).unwrap_err(),
        Error::TooLarge { op: "repeat", .. }
    ));
    assert!(matches!(
        g.try_eye_with(usize::MAX / 2, None, 0, TensorOptions::new())
            .unwrap_err(),
        Error::TooLarge { op: "eye", .. }
    ));
}

/// Far more than this machine's memory (8 TiB of float64), but a shape
/// whose element count fits comfortably in `usize`.
const HUGE: usize = 1 << 40;

#[test]
fn allocations_too_large_for_memory_are_errors() {
    let g = Graph::new();
    let f64s = TensorOptions::new().dtype(DType::Float64);
    let err = g.try_zeros_with(&[HUGE], f64s.clone()).unwrap_err();
    assert_eq!(
        err,
        Error::TooLarge {
            op: "zeros",
            shape: vec![HUGE]
        }
    );
    assert_eq!(
        err.to_string(),
        format!("zeros: an array of shape ({HUGE},) is too large for this machine")
    );
    panics_with(&err, || g.zeros(&[HUGE]));
    let is_too_large = |r: Result<Tensor<'_>>| matches!(r, Err(Error::TooLarge { .. }));
    assert!(is_too_large(g.try_full_with(&[HUGE], 2.0, f64s.clone())));
    assert!(is_too_large(
        g.try_ones_with(&[1 << 20, 1 << 20], TensorOptions::new())
    ));
    assert!(is_too_large(g.try_random(
        &[HUGE],
        TensorOptions::new(),
        true
    )));
    assert!(is_too_large(g.try_eye_with(
        1 << 21,
        None,
        0,
        TensorOptions::new()
    )));
    assert!(is_too_large(g.try_linspace_with(
        0.0,
        1.0,
        HUGE,
        true,
        TensorOptions::new()
    )));
    assert!(is_too_large(g.try_arange_with(
        0,
        HUGE as i64,
        1,
        TensorOptions::new()
    )));
    assert!(matches!(
        Array::zeros(&[HUGE], DType::Int64),
        Err(Error::TooLarge { .. })
    ));
    // Results of operations whose inputs are small.
    let n = 1 << 20;
    let col = g.zeros(&[n, 1]);
    let row = g.zeros(&[1, n]);
    assert!(is_too_large(col.try_add(row)), "outer sum (2^40 elements)");
    assert!(is_too_large(col.try_matmul(row)), "outer product");
    assert!(is_too_large(causing_diff::einsum(
        "ij,kl->ijkl",
        &[col, row]
    )));
    assert!(is_too_large(g.tensor(1.0).try_broadcast_to(&[HUGE])));
    assert!(is_too_large(row.try_tile(&[n, 1])));
    assert!(is_too_large(row.try_repeat(&[n], Some(0))));
    // Index arrays that broadcast to 2^40 entries.
    let x = g.zeros(&[2, 2]);
    let i = Array::zeros(&[n, 1], DType::Int64).unwrap();
    let j = Array::zeros(&[1, n], DType::Int64).unwrap();
    assert!(is_too_large(x.try_index(s![i.clone(), j.clone()])));
    assert!(is_too_large(x.try_set_index(s![i, j], 1.0)));
    // The graph is still usable afterwards.
    assert_eq!((col.sum() + 1.0).item(), 1.0);
}

#[test]
fn more_dimensions_than_numpy_allows() {
    // NumPy caps arrays at 64 dimensions; past that, printing (which recurses
    // per axis) overflowed the stack and aborted.
    let g = Graph::new();
    let err = g
        .try_zeros_with(&[1; 65], TensorOptions::new())
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidArgument {
            op: "zeros",
            message: "maximum supported dimension for an ndarray is currently 64, found 65".into()
        }
    );
    panics_with(&err, || g.zeros(&[1; 65]));
    assert!(Array::from_shape_vec(&[1; 100_000], vec![1.0]).is_err());
    let t = g.ones(&[1; 64]);
    // NumPy moves the dtype to its own line past 75 columns.
    let want = format!(
        "Tensor({}1.{},\n       dtype=float32)",
        "[".repeat(64),
        "]".repeat(64)
    );
    assert_eq!(t.to_string(), want);
    assert!(matches!(
        t.try_expand_dims(0),
        Err(Error::InvalidArgument {
            op: "expand_dims",
            ..
        })
    ));
    assert!(matches!(
        t.try_reshape(&[1; 65]),
        Err(Error::InvalidArgument { op: "reshape", .. })
    ));
    assert!(matches!(
        t.try_broadcast_to(&[1; 65]),
        Err(Error::InvalidArgument { .. })
    ));
    let many_new_axes = Index::from_items(vec![IndexItem::NewAxis; 100_000]);
    assert!(matches!(
        t.try_index(many_new_axes),
        Err(Error::InvalidArgument { op: "getitem", .. })
    ));
    assert_eq!(t.sum().item(), 1.0);
}

#[test]
fn extreme_shifts_and_slice_bounds_do_not_overflow() {
    // Python's slice rules with bounds and steps at the ends of isize;
    // np.roll shifts by the shift modulo the length (-2^63 % 5 == 2).
    let g = Graph::new();
    let x = g.arange(5.0);
    let v = |t: Tensor<'_>| t.data().to_f64_vec();
    assert_eq!(v(x.roll(isize::MIN)), [3.0, 4.0, 0.0, 1.0, 2.0]);
    assert_eq!(v(x.roll(isize::MAX)), [3.0, 4.0, 0.0, 1.0, 2.0]);
    assert_eq!(v(x.index(s![..;isize::MIN])), [4.0]);
    assert_eq!(v(x.index(s![..;isize::MAX])), [0.0]);
    let slice = |a, b, c| IndexItem::slice(Some(a), Some(b), Some(c));
    assert_eq!(
        v(x.index(s![slice(isize::MAX, isize::MIN, isize::MIN)])),
        [4.0]
    );
    assert_eq!(
        v(x.index(s![slice(isize::MIN, isize::MAX, isize::MAX)])),
        [0.0]
    );
    assert_eq!(v(x.index(s![slice(isize::MIN, isize::MIN, 1)])), [0.0; 0]);
}

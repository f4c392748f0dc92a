//! Scenario tests of MyGrad's graph semantics (SPEC §3): gradient nulling,
//! clearing after backward, InvalidBackprop, the memory guard, constants,
//! weak scalars, dtypes of gradients, stale handles and graph mismatches.

use causing_diff::prelude::*;

#[test]
fn non_view_ops_null_the_inputs_gradient_and_view_ops_do_not() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0, 3.0, 4.0]);
    (x * 2.0).sum().backward();
    assert!(x.grad().is_some());
    let _view = x.reshape(&[2, 2]);
    assert!(x.grad().is_some(), "reshape is a view: grad kept");
    let _t = x.transpose();
    assert!(x.grad().is_some(), "transpose is a view: grad kept");
    let _y = x.exp();
    assert!(x.grad().is_none(), "exp nulls the grad");
}

#[test]
fn a_second_backward_resets_only_its_own_gradient() {
    let g = Graph::new();
    let x = g.tensor(3.0);
    let y = x * 2.0;
    y.backward_with(5.0);
    assert_eq!(x.grad().unwrap().item(), Some(10.0));
    y.backward();
    assert_eq!(y.grad().unwrap().to_string(), "array(1.)");
    assert_eq!(
        x.grad().unwrap().item(),
        Some(10.0),
        "x untouched by the second pass"
    );
}

#[test]
fn backward_through_a_cleared_graph_is_invalid_backprop() {
    let g = Graph::new();
    // Two graphs sharing a leaf: the first backward clears the leaf.
    let x = g.tensor(2.0);
    let a = x * 2.0;
    let b = x * 3.0;
    a.backward();
    assert!(matches!(
        b.try_backward(),
        Err(Error::InvalidBackprop { .. })
    ));

    // Backward from an upstream node first.
    let x = g.tensor(2.0);
    let y = x * 2.0;
    let z = y * 3.0;
    y.backward();
    assert_eq!(x.grad().unwrap().item(), Some(2.0));
    let err = z.try_backward().unwrap_err();
    assert!(matches!(err, Error::InvalidBackprop { .. }));
    assert!(err.to_string().contains("InvalidBackprop"));

    // A failed pass changes nothing: x keeps the gradient it had.
    assert_eq!(x.grad().unwrap().item(), Some(2.0));
}

#[test]
fn a_leaf_reused_in_a_new_graph_after_backward_is_fine() {
    let g = Graph::new();
    let x = g.tensor(2.5);
    (x * x).backward();
    assert_eq!(x.grad().unwrap().item(), Some(5.0));
    x.exp().backward();
    assert_eq!(x.grad().unwrap().item(), Some(2.5f64.exp()));
}

#[test]
fn the_memory_guard_locks_data_a_live_graph_needs() {
    let g = Graph::new();
    let w = g.tensor(1.0);
    let loss = w.pow(3.0);
    let err = w.try_set_data(5.0).unwrap_err();
    assert!(matches!(
        err,
        Error::DataLocked {
            op: "set_data",
            users: 1,
            ..
        }
    ));
    assert!(
        matches!(w.try_gradient_step(0.1), Ok(false)),
        "no grad yet: nothing to do"
    );
    // The output of a live op is locked too.
    assert!(matches!(
        loss.try_set_data(0.0),
        Err(Error::DataLocked {
            live_output: true,
            ..
        })
    ));
    loss.backward();
    w.set_data(5.0);
    assert_eq!(w.item(), 5.0);
    assert_eq!(w.grad().unwrap().item(), Some(3.0), "same shape: grad kept");

    // clear_graph releases the lock as well.
    let v = g.tensor([1.0, 2.0]);
    let out = v.sin();
    assert!(v.try_set_data([0.0, 0.0]).is_err());
    out.clear_graph();
    v.set_data([3.0, 4.0]);
    assert!(
        matches!(out.try_backward(), Ok(())),
        "a cleared output is a leaf"
    );
    assert!(v.grad().is_none());
}

#[test]
fn set_data_casts_and_nulls_a_reshaped_gradient() {
    let g = Graph::new();
    let w = g.tensor([1.0f32, 2.0]);
    (w * 2.0).sum().backward();
    w.set_data([1.5, 2.5, 3.5]);
    assert_eq!(w.dtype(), DType::Float32);
    assert_eq!(w.to_string(), "Tensor([1.5, 2.5, 3.5], dtype=float32)");
    assert!(w.grad().is_none());
}

#[test]
fn constants_propagate_and_integer_variables_are_refused() {
    let g = Graph::new();
    let c = g.constant([1.0, 2.0]);
    let v = g.tensor([3.0, 4.0]);
    assert!((c * c).is_constant());
    assert!(!(c * v).is_constant());
    assert!(
        g.tensor([1, 2]).exp().is_constant(),
        "ops on int constants are constants"
    );
    let err = g
        .try_tensor_with([1, 2], TensorOptions::new().constant(false))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::IntNonConstant {
            dtype: DType::Int64
        }
    ));
    assert!(err
        .to_string()
        .contains("Integer-valued tensors must be treated as constants"));
    let f = g
        .try_tensor_with([1, 2], TensorOptions::new().dtype(DType::Float32))
        .unwrap();
    assert!(!f.is_constant(), "float results are variables");
}

#[test]
fn rust_scalars_are_weak_and_promotion_follows_numpy() {
    let g = Graph::new();
    let x32 = g.tensor([1.0f32, 2.0]);
    assert_eq!((x32 * 2.0).dtype(), DType::Float32);
    assert_eq!((2.0 - x32).dtype(), DType::Float32);
    let i32s = g.tensor(Array::from_vec(vec![1i32, 2]));
    assert_eq!((i32s + 1).dtype(), DType::Int32);
    assert_eq!((i32s * 0.5).dtype(), DType::Float64);
    assert_eq!(
        (i32s / 2).dtype(),
        DType::Float64,
        "integer division gives float64"
    );
    let x64 = g.tensor([1.0, 2.0]);
    assert_eq!((x32 + x64).dtype(), DType::Float64);
    assert_eq!(
        (g.tensor([1, 2]) + x32).dtype(),
        DType::Float64,
        "int64 with f32 is f64"
    );
    // An integer scalar that does not fit int32 is an error, not a wrap.
    assert!(matches!(
        i32s.try_add(1i64 << 40),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn a_gradient_has_its_tensors_dtype() {
    let g = Graph::new();
    let a = g.tensor([1.0f32, 2.0]);
    let b = g.tensor([3.0, 4.0]);
    let out = a * b;
    assert_eq!(out.dtype(), DType::Float64);
    out.sum().backward();
    assert_eq!(a.grad().unwrap().dtype(), DType::Float32);
    assert_eq!(b.grad().unwrap().dtype(), DType::Float64);
    assert_eq!(
        a.grad().unwrap().to_string(),
        "array([3., 4.], dtype=float32)"
    );
}

#[test]
fn backward_with_an_explicit_gradient() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
    let y = x * 2.0;
    // A gradient that broadcasts one way is accepted.
    y.backward_with([1.0, 10.0]);
    assert_eq!(
        x.grad().unwrap().to_string(),
        "array([[ 2., 20.],\n       [ 2., 20.]])"
    );
    let y = x * 2.0;
    let err = y.try_backward_with([1.0, 2.0, 3.0]).unwrap_err();
    assert_eq!(
        err,
        Error::BadBackwardGradShape {
            grad: vec![3],
            tensor: vec![2, 2]
        }
    );
    // A gradient of a larger shape does not broadcast one way either.
    let err = y.try_backward_with(Array::zeros(&[3, 2, 2], DType::Float64).unwrap());
    assert!(matches!(err, Err(Error::BadBackwardGradShape { .. })));
}

#[test]
fn gradients_accumulate_over_every_use() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0]);
    let y = x * x + x.sin() * x;
    y.sum().backward();
    let got = x.grad().unwrap().to_f64_vec();
    for (i, xv) in [1.0f64, 2.0].into_iter().enumerate() {
        let want = 2.0 * xv + xv.cos() * xv + xv.sin();
        assert!((got[i] - want).abs() < 1e-12);
    }
}

/// Several uses of one tensor whose gradients the engine adds into the
/// existing gradient without forming them (`2 - x`, `x / 7`, `x * 3`, a mean;
/// the tensor is large enough for that route) and one it forms (a max): the
/// result is the f32 sum of the contributions in the order the sweep meets
/// them (the newest use first), to the bit.
#[test]
fn gradients_added_in_place_keep_the_order_and_the_bits() {
    let g = Graph::new();
    let (rows, cols) = (40, 32);
    let vals: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 7919) % 1013) as f32 / 101.0 - 5.0)
        .collect();
    let x = g.tensor(Array::from_shape_vec(&[rows, cols], vals.clone()).unwrap());
    let u1 = x.max_with(Some(&[1]), false).sum();
    let u2 = x.mean_axis(0).sum();
    let u3 = (x * 3.0).sum();
    let u4 = (x / 7.0).sum();
    let u5 = (2.0 - x).sum();
    (u1 + u2 + u3 + u4 + u5).backward();
    let got = x.grad().unwrap().to_f64_vec();
    let mean = 1.0 / rows as f32;
    for (i, &got) in got.iter().enumerate() {
        let row = &vals[i / cols * cols..(i / cols + 1) * cols];
        let first_max = row
            .iter()
            .position(|&v| v == row.iter().copied().fold(f32::MIN, f32::max));
        let max_grad = if first_max == Some(i % cols) {
            1.0
        } else {
            0.0
        };
        let want = (((-1.0f32 + 1.0 / 7.0) + 3.0) + mean) + max_grad;
        assert_eq!(got, want as f64, "element {i}");
    }
}

/// A max's gradient added to an existing one (in place when the max has at
/// least 1024 elements, formed for a small one) has the bits of the f32 sum `acc + d`, `d` being
/// the upstream gradient at each row's first maximum and +0 elsewhere: with
/// `acc` all -0 (from `x * -0.0`), the zeros of `d` turn it to +0, and at a
/// maximum `-0 + -0` stays -0.
#[test]
fn extreme_gradients_add_signed_zeros_as_a_sum_does() {
    for (rows, cols) in [(4, 3), (1030, 3)] {
        for upstream in [1.0f32, -0.0] {
            let g = Graph::new();
            let vals: Vec<f32> = (0..rows * cols)
                .map(|i| ((i * 7919) % 1013) as f32 / 101.0 - 5.0)
                .collect();
            let x = g.tensor(Array::from_shape_vec(&[rows, cols], vals.clone()).unwrap());
            // The older use is added last, into the -0s of the newer one.
            let u1 = (x.max_with(Some(&[1]), false) * upstream).sum();
            let u2 = (x * -0.0).sum();
            (u1 + u2).backward();
            let got = x.grad().unwrap().to_f64_vec();
            for (i, &got) in got.iter().enumerate() {
                let row = &vals[i / cols * cols..(i / cols + 1) * cols];
                let top = row.iter().copied().fold(f32::MIN, f32::max);
                let d = if row.iter().position(|&v| v == top) == Some(i % cols) {
                    upstream
                } else {
                    0.0
                };
                let want = -0.0f32 + d;
                assert_eq!(
                    got.to_bits(),
                    (want as f64).to_bits(),
                    "{rows}x{cols}, upstream {upstream}, element {i}: {got} against {want}"
                );
            }
        }
    }
}

#[test]
fn rewound_handles_are_stale_and_marks_are_checked() {
    let g = Graph::new();
    let w = g.tensor(1.0);
    let mark = g.mark();
    let tmp = w * 2.0;
    g.rewind(mark);
    assert_eq!(g.len(), 1);
    assert!(matches!(tmp.try_shape(), Err(Error::StaleTensor { .. })));
    assert!(matches!(tmp.try_add(1.0), Err(Error::StaleTensor { .. })));
    assert!(tmp.to_string().contains("reclaimed"));
    // A new node reuses the slot; the stale handle still refuses to read it.
    let fresh = w * 3.0;
    assert_eq!(fresh.item(), 3.0);
    assert!(tmp.try_data().is_err());
    // A mark whose nodes were reclaimed cannot be rewound to.
    let inner_mark = g.mark();
    g.rewind(mark);
    assert!(matches!(
        g.try_rewind(inner_mark),
        Err(Error::InvalidArgument { .. })
    ));
    // Rewinding releases the data locks of the reclaimed ops.
    let _locked = w.exp();
    assert!(w.try_set_data(2.0).is_err());
    g.rewind(mark);
    w.set_data(2.0);
}

#[test]
fn nodes_in_reclaimed_slots_start_clean() {
    // Rewinding keeps the reclaimed nodes' slots for the next nodes: a new
    // node must not inherit a slot's gradient, users, lock or constancy.
    let g = Graph::new();
    let w = g.tensor(2.0);
    let mark = g.mark();
    for round in 0..3 {
        // Slot 1: a constant leaf (3.0), slot 2: `a`, with a gradient and a
        // live user, slot 3: that user.
        let a = w * 3.0;
        let b = a.exp();
        let keep = b.exp();
        b.backward();
        assert!(a.grad().is_some());
        assert!(keep.grad().is_none());
        g.rewind(mark);
        // Slot 1 now holds a variable leaf, slot 2 a product of it.
        let c = g.tensor(7.0);
        assert!(c.grad().is_none() && !c.is_constant(), "round {round}");
        let d = c * w;
        assert!(d.grad().is_none(), "round {round}");
        d.backward();
        assert_eq!(c.grad().unwrap().item(), Some(2.0));
        assert_eq!(w.grad().unwrap().item(), Some(7.0));
        // `c`'s only user was cleared by the pass: its data is writable.
        c.set_data(1.0);
        g.rewind(mark);
        assert_eq!(g.len(), 1);
        if round == 1 {
            g.release_memory();
        }
    }
}

#[test]
fn tensors_of_different_graphs_do_not_mix() {
    let g1 = Graph::new();
    let g2 = Graph::new();
    let a = g1.tensor(1.0);
    let b = g2.tensor(2.0);
    assert_eq!(
        a.try_add(b).unwrap_err(),
        Error::GraphMismatch { op: "add" }
    );
    assert_eq!(g1.len(), 1, "a failed op leaves no trace");
}

#[test]
fn operators_panic_with_the_typed_errors_message() {
    let g = Graph::new();
    let a = g.tensor([1.0, 2.0, 3.0]);
    let b = g.tensor([1.0, 2.0]);
    let expected = a.try_add(b).unwrap_err().to_string();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a + b)).unwrap_err();
    let msg = caught.downcast_ref::<String>().unwrap();
    assert_eq!(msg, &expected);
    assert_eq!(
        expected,
        "add: operands could not be broadcast together with shapes (3,) (2,)"
    );
}

#[test]
fn reductions_validate_axes() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    assert_eq!(
        x.try_sum_with(Some(&[2]), false).unwrap_err(),
        Error::AxisOutOfRange {
            op: "sum",
            axis: 2,
            ndim: 2
        }
    );
    assert_eq!(
        x.try_mean_with(Some(&[-3]), false).unwrap_err(),
        Error::AxisOutOfRange {
            op: "mean",
            axis: -3,
            ndim: 2
        }
    );
    assert_eq!(
        x.try_sum_with(Some(&[1, -1]), false).unwrap_err(),
        Error::DuplicateAxis { op: "sum", axis: 1 }
    );
    assert_eq!(x.sum_with(Some(&[-1]), true).shape(), vec![2, 1]);
}

#[test]
fn reshape_and_matmul_errors_name_the_shapes() {
    let g = Graph::new();
    let x = g.zeros(&[2, 3]);
    assert_eq!(
        x.try_reshape(&[4, -1]).unwrap_err(),
        Error::BadReshape {
            from: vec![2, 3],
            to: vec![4, -1]
        }
    );
    assert!(x.try_reshape(&[-1, -1]).is_err());
    assert_eq!(x.reshape(&[3, -1]).shape(), vec![3, 2]);
    let err = x.try_matmul(g.zeros(&[2, 3])).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "matmul", .. }));
    assert!(err.to_string().contains("(2, 3) (2, 3)"));
    assert!(
        g.tensor(1.0).try_matmul(g.tensor(2.0)).is_err(),
        "0-d operands are refused"
    );
}

#[test]
fn comparisons_return_plain_arrays_and_record_nothing() {
    let g = Graph::new();
    let x = g.tensor([1.0, -2.0, f64::NAN]);
    let c = g.constant([[0.0], [5.0]]);
    (x * 2.0).sum().backward();
    let len = g.len();
    let above = x.greater(0.0);
    assert_eq!(above.to_string(), "array([ True, False, False])");
    assert_eq!(x.isnan().to_string(), "array([False, False,  True])");
    assert_eq!(x.sign().to_string(), "array([ 1., -1., nan])");
    assert_eq!(causing_diff::less(c, x).unwrap().shape(), &[2, 3]);
    assert_eq!(g.len(), len, "no node recorded");
    assert!(
        x.grad().is_some(),
        "reading a tensor does not null its grad"
    );
    // Integer promotion and weak scalars, as NumPy: int64 vs 0.5 compares in float64.
    let i = g.tensor([0, 1]);
    assert_eq!(i.less(0.5).to_string(), "array([ True, False])");
    assert_eq!(i.floor_divide(0.5).to_string(), "array([0., 2.])");
    // Shapes that do not broadcast are the usual error.
    let err = x.try_equal(g.tensor([1.0, 2.0])).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "equal", .. }));
    // Two plain values need no graph.
    assert_eq!(causing_diff::fmod(-7, 3).unwrap().to_string(), "array(-1)");
}

#[test]
fn a_scalar_operand_with_an_empty_tensor_gives_an_empty_result() {
    let g = Graph::new();
    let empty = g.tensor(Array::zeros(&[0, 3], DType::Float64).unwrap());
    let s = g.tensor(2.0);
    for out in [empty * s, s * empty, empty + 1.0, 1.0 - empty] {
        assert_eq!(out.shape(), vec![0, 3]);
        assert_eq!(out.to_string(), "Tensor([], shape=(0, 3), dtype=float64)");
    }
    (empty * s).sum().backward();
    assert_eq!(s.grad().unwrap().item(), Some(0.0));
}

#[test]
fn arange_fills_in_the_target_dtype_as_numpy_does() {
    // Expected values printed by NumPy 2.4 (np.arange with these arguments).
    let g = Graph::new();
    let f32s = g
        .try_arange_with(1.5, 2.4, 0.2, TensorOptions::new().dtype(DType::Float32))
        .unwrap();
    assert_eq!(
        f32s.to_string(),
        "Tensor([1.5      , 1.7      , 1.9000001, 2.1000001, 2.3000002],\n       dtype=float32)"
    );
    let ints = g
        .try_arange_with(0, 5, 0.5, TensorOptions::new().dtype(DType::Int64))
        .unwrap();
    assert_eq!(ints.to_string(), "Tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])");
    let f64s = g
        .try_arange_with(0.1, 1.0, 0.1, TensorOptions::new())
        .unwrap();
    assert_eq!(
        f64s.to_string(),
        "Tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])"
    );
}

//! Scenario tests of the manipulation ops beyond the golden cases: which are
//! views (MyGrad keeps the input's gradient) and which copy (it nulls it),
//! `astype` and `copy` as new leaves, `flip`/`tile` (not in MyGrad 2.5, so not
//! in the conformance vectors) and the errors.

use causing_diff::prelude::*;
use causing_diff::{concatenate, stack};

/// Whether applying `f` to a tensor that holds a gradient keeps it.
fn keeps_grad(f: impl for<'g> Fn(Tensor<'g>) -> Tensor<'g>) -> bool {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    (x * 2.0).backward();
    assert!(x.grad().is_some());
    let _ = f(x);
    x.grad().is_some()
}

#[test]
fn views_keep_the_inputs_gradient_and_copies_null_it() {
    assert!(keeps_grad(|x| x.ravel()));
    assert!(keeps_grad(|x| x.squeeze()));
    assert!(keeps_grad(|x| x.expand_dims(0)));
    assert!(keeps_grad(|x| x.broadcast_to(&[2, 2, 3])));
    assert!(keeps_grad(|x| x.atleast_1d()));
    assert!(keeps_grad(|x| x.atleast_2d()));
    assert!(keeps_grad(|x| x.atleast_3d()));
    assert!(keeps_grad(|x| x.moveaxis(&[0], &[1])));
    assert!(keeps_grad(|x| x.swapaxes(0, 1)));
    assert!(!keeps_grad(|x| x.flatten()));
    assert!(!keeps_grad(|x| x.roll(1)));
    assert!(!keeps_grad(|x| x.flip()));
    assert!(!keeps_grad(|x| x.repeat(&[2], None)));
    assert!(!keeps_grad(|x| x.tile(&[2])));
    assert!(!keeps_grad(|x| concatenate(&[x, x], Some(0)).unwrap()));
    assert!(!keeps_grad(|x| stack(&[x], 0).unwrap()));
    // astype and copy make leaves: the input takes no part in a new op.
    assert!(keeps_grad(|x| x.astype(DType::Float32)));
    assert!(keeps_grad(|x| x.copy()));
}

#[test]
fn astype_is_a_new_leaf() {
    let g = Graph::new();
    let x = g.tensor([1.5, -2.5, f64::NAN]);
    let y = x.astype(DType::Float32);
    assert!(!y.is_constant());
    assert_eq!(y.to_string(), "Tensor([ 1.5, -2.5,  nan], dtype=float32)");
    (y * 2.0f32).backward();
    assert!(x.grad().is_none(), "no gradient reaches the input");
    assert_eq!(
        y.grad().unwrap().to_string(),
        "array([2., 2., 2.], dtype=float32)"
    );

    let b = x.astype(DType::Bool);
    assert!(b.is_constant());
    assert_eq!(b.to_string(), "Tensor([ True,  True,  True])");
    let i = x.astype(DType::Int32);
    assert!(i.is_constant());
    assert_eq!(i.data().as_slice::<i32>().unwrap()[..2], [1, -2]);
    // A float result is a variable even from an integer (constant) tensor.
    assert!(!g.tensor([1, 2]).astype(DType::Float64).is_constant());
    assert!(!g.constant([1.0]).astype(DType::Float64).is_constant());
}

#[test]
fn flip_tile_and_copy_values_and_gradients() {
    let g = Graph::new();
    let x = g.arange(6.0).reshape(&[2, 3]);
    assert_eq!(
        x.flip().to_string(),
        "Tensor([[5., 4., 3.],\n        [2., 1., 0.]])"
    );
    assert_eq!(
        x.flip_axes(&[-1]).to_string(),
        "Tensor([[2., 1., 0.],\n        [5., 4., 3.]])"
    );
    let t = x.tile(&[2, 1, 2]);
    assert_eq!(
        t.to_string(),
        "Tensor([[[0., 1., 2., 0., 1., 2.],\n         [3., 4., 5., 3., 4., 5.]],\n\n        \
         [[0., 1., 2., 0., 1., 2.],\n         [3., 4., 5., 3., 4., 5.]]])"
    );
    let w = g.arange(24.0).reshape(&[2, 2, 6]);
    (t * w).backward();
    assert_eq!(
        x.grad().unwrap().to_f64_vec(),
        [30.0, 34.0, 38.0, 54.0, 58.0, 62.0]
    );
    assert_eq!(x.tile(&[]).shape(), vec![2, 3]);
    assert_eq!(x.tile(&[0]).shape(), vec![2, 0]);
    assert_eq!(g.tensor(1.0).tile(&[3]).shape(), vec![3]);

    let f = g.tensor([1.0, 2.0, 3.0]);
    let y = f.flip();
    y.backward_with(Array::from_vec(vec![1.0, 10.0, 100.0]));
    assert_eq!(f.grad().unwrap().to_f64_vec(), [100.0, 10.0, 1.0]);

    let c = g.tensor([1.0f32, 2.0]);
    let d = c.copy();
    assert_eq!(d.to_string(), "Tensor([1., 2.], dtype=float32)");
    assert!(!d.is_constant());
    assert!(g.constant([1.0]).copy().is_constant());
    // MyGrad's Tensor.copy: a leaf with the data and gradient copied.
    let x = g.tensor([1.0, 2.0]);
    (x * 5.0).backward();
    let c = x.copy();
    assert_eq!(c.grad().unwrap().to_f64_vec(), [5.0, 5.0]);
    (c * 2.0).backward();
    assert_eq!(
        x.grad().unwrap().to_f64_vec(),
        [5.0, 5.0],
        "no gradient reaches the original"
    );
}

#[test]
fn joins_promote_dtypes_and_accept_many_inputs() {
    let g = Graph::new();
    let parts: Vec<Tensor<'_>> = (0..10).map(|i| g.tensor([f64::from(i)])).collect();
    let c = concatenate(&parts, Some(0)).unwrap();
    assert_eq!(c.size(), 10);
    c.backward_with(Array::from_vec((0..10).map(f64::from).collect()));
    assert_eq!(parts[9].grad().unwrap().to_f64_vec(), [9.0]);

    let a = g.tensor([1.0f32, 2.0]);
    let b = g.tensor([3, 4]);
    let s = stack(&[a, b], 1).unwrap();
    assert_eq!(s.dtype(), DType::Float64);
    s.backward();
    assert_eq!(a.grad().unwrap().dtype(), DType::Float32);
    let ints = concatenate(&[b, g.tensor([true])], None).unwrap();
    assert_eq!(ints.to_string(), "Tensor([3, 4, 1])");
    assert!(ints.is_constant());
}

#[test]
fn manipulation_errors_are_typed() {
    let g = Graph::new();
    let x = g.zeros(&[1, 3]);
    assert!(matches!(
        x.try_squeeze_with(Some(&[1])).unwrap_err(),
        Error::InvalidArgument { op: "squeeze", .. }
    ));
    assert_eq!(
        x.try_squeeze_with(Some(&[0, -2])).unwrap_err(),
        Error::DuplicateAxis {
            op: "squeeze",
            axis: 0
        }
    );
    assert_eq!(
        x.try_expand_dims(3).unwrap_err(),
        Error::AxisOutOfRange {
            op: "expand_dims",
            axis: 3,
            ndim: 3
        }
    );
    assert!(matches!(
        x.try_broadcast_to(&[2, 2]).unwrap_err(),
        Error::ShapeMismatch {
            op: "broadcast_to",
            ..
        }
    ));
    assert!(matches!(
        x.try_moveaxis(&[0, 1], &[0]).unwrap_err(),
        Error::InvalidArgument { op: "moveaxis", .. }
    ));
    assert!(matches!(
        x.try_roll_axes(&[1, 2], &[0, 1, 1]).unwrap_err(),
        Error::ShapeMismatch { op: "roll", .. }
    ));
    assert!(matches!(
        x.try_repeat(&[1, 2], Some(1)).unwrap_err(),
        Error::ShapeMismatch { op: "repeat", .. }
    ));
    assert!(matches!(
        x.try_tile(&[usize::MAX, 2]).unwrap_err(),
        Error::TooLarge { op: "tile", .. }
    ));
    // An empty result can still need an impossibly long index map.
    assert!(matches!(
        x.try_tile(&[0, 1 << 50]).unwrap_err(),
        Error::TooLarge { op: "tile", .. }
    ));
    assert!(matches!(
        x.try_repeat(&[usize::MAX], None).unwrap_err(),
        Error::TooLarge { op: "repeat", .. }
    ));
    assert!(matches!(
        concatenate(&[], Some(0)).unwrap_err(),
        Error::InvalidArgument {
            op: "concatenate",
            ..
        }
    ));
    assert!(matches!(
        concatenate(&[g.tensor(1.0), g.tensor(2.0)], Some(0)).unwrap_err(),
        Error::ShapeMismatch {
            op: "concatenate",
            ..
        }
    ));
    assert!(matches!(
        concatenate(&[x, g.zeros(&[3])], Some(0)).unwrap_err(),
        Error::ShapeMismatch {
            op: "concatenate",
            ..
        }
    ));
    assert_eq!(
        stack(&[x, x], -4).unwrap_err(),
        Error::AxisOutOfRange {
            op: "stack",
            axis: -4,
            ndim: 3
        }
    );
    let other = Graph::new();
    assert!(matches!(
        stack(&[x, other.zeros(&[1, 3])], 0).unwrap_err(),
        Error::GraphMismatch { op: "stack" }
    ));
}

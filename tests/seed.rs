//! The seed tutorial in Rust: every row of SPEC §2, with the exact strings
//! and values the tutorial (MyGrad 2.5) prints. Expected values come from
//! the spec, never from this crate.

use causing_diff::prelude::*;

fn s(t: impl std::fmt::Display) -> String {
    t.to_string()
}

#[test]
fn autodiff_at_a_glance() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = g.tensor(4.0);
    let f = x * y + x.pow(2.0);
    assert_eq!(s(f), "Tensor(12.)");
    f.backward();
    assert_eq!(s(x.grad().unwrap()), "array(8.)");
    assert_eq!(s(y.grad().unwrap()), "array(2.)");
}

#[test]
fn f_at_3_5_and_10_1() {
    let g = Graph::new();
    let x = g.tensor(3.5);
    let y = g.tensor(10.1);
    let f = x * y + x.pow(2.0);
    f.backward();
    assert_eq!(s(f), "Tensor(47.6)");
    assert_eq!(s(x.grad().unwrap()), "array(17.1)");
    assert_eq!(s(y.grad().unwrap()), "array(3.5)");
}

#[test]
fn creating_tensors() {
    let g = Graph::new();
    assert_eq!(s(g.tensor(2.3)), "Tensor(2.3)");
    assert_eq!(
        s(g.tensor([1.0f32, 2.0, 3.0])),
        "Tensor([1., 2., 3.], dtype=float32)"
    );
    let explicit = g
        .try_tensor_with([1.0, 2.0, 3.0], TensorOptions::new().dtype(DType::Float32))
        .unwrap();
    assert_eq!(s(explicit), "Tensor([1., 2., 3.], dtype=float32)");
    let ones = Array::ones(&[3, 3], DType::Float64).unwrap();
    assert_eq!(
        s(g.tensor(ones)),
        "Tensor([[1., 1., 1.],\n        [1., 1., 1.],\n        [1., 1., 1.]])"
    );
    let x = g.arange(9.0);
    assert_eq!(s(x), "Tensor([0., 1., 2., 3., 4., 5., 6., 7., 8.])");
    assert_eq!(
        s(x.reshape(&[3, 3])),
        "Tensor([[0., 1., 2.],\n        [3., 4., 5.],\n        [6., 7., 8.]])"
    );
}

#[test]
fn creation_functions() {
    let g = Graph::new();
    assert_eq!(
        s(g.arange(10.0)),
        "Tensor([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.])"
    );
    assert_eq!(
        s(g.zeros(&[2, 3, 4])),
        "Tensor([[[0., 0., 0., 0.],\n         [0., 0., 0., 0.],\n         [0., 0., 0., 0.]],\n\n        \
         [[0., 0., 0., 0.],\n         [0., 0., 0., 0.],\n         [0., 0., 0., 0.]]], dtype=float32)"
    );
    g.seed(42);
    let r = g.rand(&[3, 4]);
    assert_eq!(r.shape(), vec![3, 4]);
    let values = r.data().to_f64_vec();
    assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
    assert!(
        values.windows(2).any(|w| w[0] != w[1]),
        "draws are not constant"
    );
    g.seed(42);
    assert_eq!(
        g.rand(&[3, 4]).data(),
        r.data(),
        "a seed reproduces the draws"
    );
    let l = g.linspace(0.0, PI, 15);
    assert_eq!(l.shape(), vec![15]);
    let v = l.data().to_f64_vec();
    assert_eq!((v[0], v[14]), (0.0, PI));
}

#[test]
fn accessing_the_underlying_array() {
    let g = Graph::new();
    let t = g.tensor([1.2, 2.4]);
    assert_eq!(s(t.data()), "array([1.2, 2.4])");
}

#[test]
fn standard_mathematical_operations() {
    let g = Graph::new();
    let x = g.tensor([0.0, 0.25, 0.5, 0.75, 1.0]);
    let y = g.tensor([[0.0], [1.0], [2.0]]);
    assert_eq!(
        s(x.sin()),
        "Tensor([0.        , 0.24740396, 0.47942554, 0.68163876, 0.84147098])"
    );
    assert_eq!(
        s(x * y),
        "Tensor([[0.  , 0.  , 0.  , 0.  , 0.  ],\n        [0.  , 0.25, 0.5 , 0.75, 1.  ],\n        \
         [0.  , 0.5 , 1.  , 1.5 , 2.  ]])"
    );
    assert_eq!(
        s((x * y).sum_axis(0)),
        "Tensor([0.  , 0.75, 1.5 , 2.25, 3.  ])"
    );
    let a = g.tensor([1.0, 2.0]);
    let b = g.tensor([-3.0, -4.0]);
    assert_eq!(s(a.matmul(b)), "Tensor(-11.)");
}

#[test]
fn all_operations_differentiate() {
    let g = Graph::new();
    let x = g.tensor([0.0, 0.25, 0.5, 0.75, 1.0]);
    let y = g.tensor([[0.0], [1.0], [2.0]]);
    let f = (x * y).sum();
    f.backward();
    assert_eq!(s(x.grad().unwrap()), "array([3., 3., 3., 3., 3.])");
    assert_eq!(
        s(y.grad().unwrap()),
        "array([[2.5],\n       [2.5],\n       [2.5]])"
    );
}

/// The "drop-in" example: code written once over [`Numeric`].
fn square_it<T: Numeric>(x: &T) -> T {
    x.square()
}

#[test]
fn drop_in_generic_code() {
    let plain = square_it(&Array::scalar(3.0));
    assert_eq!(s(plain), "array(9.)");
    let g = Graph::new();
    let x = g.tensor(3.0);
    let y = square_it(&x);
    assert_eq!(s(y), "Tensor(9.)");
    y.backward();
    assert_eq!(s(x.grad().unwrap()), "array(6.)");
}

#[test]
fn intermediates_keep_their_gradients() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = g.tensor(3.0);
    let f = x * y;
    let loss = f + x - 2.0;
    loss.backward();
    assert_eq!(s(f.grad().unwrap()), "array(1.)");
    assert_eq!(s(y.grad().unwrap()), "array(2.)");
    assert_eq!(s(x.grad().unwrap()), "array(4.)");

    // Involving x in a new operation nulls its gradient.
    assert_eq!(s(x + 2.0), "Tensor(4.)");
    assert!(x.grad().is_none());

    // null_grad returns the tensor itself.
    assert_eq!(s(y.grad().unwrap()), "array(2.)");
    assert_eq!(s(y.null_grad()), "Tensor(3.)");
    assert!(y.grad().is_none());
}

#[test]
fn basic_autodiff_exercises() {
    let g = Graph::new();
    let x = g.tensor(2.5);
    let loss = 2.0 + 3.0 * x - 5.0 * x.pow(2.0);
    loss.backward();
    assert_eq!(s(x.grad().unwrap()), "array(-22.)");

    let loss = x.sqrt().cos();
    loss.backward();
    assert_eq!(s(x.grad().unwrap()), "array(-0.31621085)");

    let f = x.pow(2.0);
    let loss = (2.0 * x * f).pow(2.0) - f;
    loss.backward();
    assert_eq!(s(x.grad().unwrap()), "array(2338.75)");

    (x * x).backward();
    assert_eq!(s(x.grad().unwrap()), "array(5.)");
    x.pow(2.0).backward();
    assert_eq!(s(x.grad().unwrap()), "array(5.)");
    x.log().exp().backward();
    assert_eq!(s(x.grad().unwrap()), "array(1.)");
    x.backward();
    assert_eq!(s(x.grad().unwrap()), "array(1.)");
}

#[test]
fn constants_and_mixed_operations() {
    let g = Graph::new();
    // A plain array acts as a constant.
    let x = g.tensor([1.0, 2.0]);
    let y = Array::from_vec(vec![3.0, 4.0]);
    let loss = x * &y;
    loss.backward();
    assert_eq!(s(x.grad().unwrap()), "array([3., 4.])");

    // A constant tensor.
    let x = g.tensor([1.0, 2.0]);
    let y = g.constant([3.0, 4.0]);
    assert!(!x.is_constant());
    assert!(y.is_constant());
    let loss = x * y;
    loss.backward();
    assert_eq!(s(x.grad().unwrap()), "array([3., 4.])");
    assert!(y.grad().is_none());

    // Integer and bool tensors are constants.
    assert!(g.tensor([1, 2, 3]).is_constant());
    assert!(g.tensor([true, false]).is_constant());

    // Operations on constants give constants; backward on one does nothing.
    let out = g.constant([1.0, 2.0]) + g.constant([3.0, 4.0]);
    assert!(out.is_constant());
    out.backward();
    assert!(out.grad().is_none());

    // Scalars are constants too.
    let z = g.tensor(1.0);
    let w = 2.0 * z + 1;
    assert!(!w.is_constant());
}

#[test]
fn gradient_descent_on_w_squared() {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let mut printed = vec![s(w)];
    for _ in 0..10 {
        let loss = w.pow(2.0);
        loss.backward();
        w.set_data(w.data() - 0.3 * w.grad().unwrap());
        printed.push(s(w));
    }
    let expected = [
        "Tensor(10.)",
        "Tensor(4.)",
        "Tensor(1.6)",
        "Tensor(0.64)",
        "Tensor(0.256)",
        "Tensor(0.1024)",
        "Tensor(0.04096)",
        "Tensor(0.016384)",
        "Tensor(0.0065536)",
        "Tensor(0.00262144)",
        "Tensor(0.00104858)",
    ];
    assert_eq!(printed, expected);
}

/// The tutorial's exercise: a gradient step over any number of tensors,
/// skipping those without a gradient.
fn gradient_step(tensors: &[Tensor], learning_rate: f64) {
    for t in tensors {
        if let Some(grad) = t.grad() {
            t.set_data(t.data() - learning_rate * grad);
        }
    }
}

#[test]
fn generic_gradient_step() {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let untouched = g.tensor(5.0);
    for _ in 0..10 {
        let loss = w.pow(2.0);
        loss.backward();
        gradient_step(&[w, untouched], 0.3);
    }
    assert_eq!(s(w), "Tensor(0.00104858)");
    assert_eq!(s(untouched), "Tensor(5.)");
    // The in-place method does the same update.
    let v = g.tensor(10.0);
    for _ in 0..10 {
        v.pow(2.0).backward();
        assert!(v.gradient_step(0.3));
    }
    assert_eq!(v.data(), w.data());
    assert!(!untouched.gradient_step(0.3), "no grad: no step");
}

fn descent_down_2d_parabola(w_start: &Array, learning_rate: f64, num_steps: usize) -> String {
    let g = Graph::new();
    let w = g.tensor(w_start);
    let constant = Array::from_vec(vec![2.0, 3.0]);
    for _ in 0..num_steps {
        let loss = &constant * w.pow(2.0);
        loss.backward();
        gradient_step(&[w], learning_rate);
    }
    s(w)
}

#[test]
fn descent_down_a_parabolic_surface() {
    let start = Array::from_vec(vec![2.0, 4.0]);
    assert_eq!(
        descent_down_2d_parabola(&start, 0.1, 10),
        "Tensor([0.01209324, 0.00041943])"
    );
}

#[test]
fn tensors_as_collections_of_scalars() {
    let g = Graph::new();
    let tensor = g.tensor([2.0, 4.0, 8.0]);
    let arr = Array::from_vec(vec![-1.0, 2.0, 0.0]);
    let loss = (arr * tensor.pow(2.0)).sum();
    loss.backward();
    assert_eq!(s(tensor.grad().unwrap()), "array([-4., 16.,  0.])");
}

#[test]
fn plot_function_and_its_derivative() {
    // f(x) = sin(2x)·cos(x)·exp(-x/3)·100 on linspace(0, 10, 10000): the
    // gradient must match the analytic derivative.
    let g = Graph::new();
    let x = g.linspace(0.0, 10.0, 10000);
    let f = (2.0 * x).sin() * x.cos() * (-x / 3.0).exp() * 100.0;
    f.backward();
    let xs = x.data().to_f64_vec();
    let grad = x.grad().unwrap().to_f64_vec();
    for (&xv, &gv) in xs.iter().zip(&grad) {
        let e = (-xv / 3.0).exp();
        let want = 100.0
            * e
            * (2.0 * (2.0 * xv).cos() * xv.cos()
                - (2.0 * xv).sin() * xv.sin()
                - (2.0 * xv).sin() * xv.cos() / 3.0);
        assert!(
            (gv - want).abs() <= 1e-9 * (1.0 + want.abs()),
            "x={xv}: {gv} vs {want}"
        );
    }
}

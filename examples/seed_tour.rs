//! The seed tutorial ("Automatic Differentiation at a Glance", MyGrad) in
//! Rust: every example in order, with what it prints. The output matches
//! the tutorial's (MyGrad 2.5) character for character.
//!
//! Run: `cargo run --example seed_tour`

use causing_diff::prelude::*;

fn section(title: &str) {
    println!("\n## {title}\n");
}

/// `>>> code` then its printed result, as in the tutorial.
fn show(code: &str, value: impl std::fmt::Display) {
    println!(">>> {code}");
    println!("{value}");
}

/// The tutorial's exercise: a gradient step on every tensor that has a grad.
fn gradient_step(tensors: &[Tensor], learning_rate: f64) {
    for t in tensors {
        if let Some(grad) = t.grad() {
            t.set_data(t.data() - learning_rate * grad);
        }
    }
}

/// Gradient descent on L(w1, w2) = 2 w1² + 3 w2², from `w_start`.
fn descent_down_2d_parabola<'g>(
    g: &'g Graph,
    w_start: &Array,
    lr: f64,
    steps: usize,
) -> Tensor<'g> {
    let w = g.tensor(w_start);
    let weights = Array::from_vec(vec![2.0, 3.0]);
    for _ in 0..steps {
        let loss = &weights * w.pow(2.0);
        loss.backward();
        gradient_step(&[w], lr);
    }
    w
}

/// Numeric code written once: NumPy-style "drop-in" autodiff.
fn square_it<T: Numeric>(x: &T) -> T {
    x.square()
}

fn main() {
    let g = Graph::new();

    section("Automatic differentiation at a glance");
    let x = g.tensor(2.0);
    let y = g.tensor(4.0);
    let f = x * y + x.pow(2.0);
    show("f = x * y + x.pow(2.0)  # x = 2, y = 4", f);
    f.backward();
    show("x.grad()", x.grad().unwrap());
    show("y.grad()", y.grad().unwrap());

    let x = g.tensor(3.5);
    let y = g.tensor(10.1);
    let f = x * y + x.pow(2.0);
    f.backward();
    println!(">>> f, x.grad(), y.grad()  # x = 3.5, y = 10.1");
    println!("{f} {} {}", x.grad().unwrap(), y.grad().unwrap());

    section("Creating tensors");
    show("g.tensor(2.3)", g.tensor(2.3));
    show("g.tensor([1.0f32, 2.0, 3.0])", g.tensor([1.0f32, 2.0, 3.0]));
    show(
        "g.tensor(Array::ones(&[3, 3], DType::Float64)?)",
        g.tensor(Array::ones(&[3, 3], DType::Float64).unwrap()),
    );
    let x = g.arange(9.0);
    show("g.arange(9.0)", x);
    show("x.reshape(&[3, 3])", x.reshape(&[3, 3]));

    section("Accessing the underlying array");
    let t = g.tensor([1.2, 2.4]);
    show("t.data()", t.data());

    section("Tensor-creation functions");
    show("g.arange(10.0)", g.arange(10.0));
    show("g.zeros(&[2, 3, 4])", g.zeros(&[2, 3, 4]));
    g.seed(0);
    show("g.rand(&[3, 4])  # seeded: g.seed(0)", g.rand(&[3, 4]));
    show("g.linspace(0.0, PI, 15)", g.linspace(0.0, PI, 15));

    section("Standard mathematical operations");
    let x = g.tensor([0.0, 0.25, 0.5, 0.75, 1.0]);
    let y = g.tensor([[0.0], [1.0], [2.0]]);
    show("x.sin()", x.sin());
    show("x * y", x * y);
    show("(x * y).sum_axis(0)", (x * y).sum_axis(0));
    let a = g.tensor([1.0, 2.0]);
    let b = g.tensor([-3.0, -4.0]);
    show("a.matmul(b)", a.matmul(b));

    let f = (x * y).sum();
    f.backward();
    show(
        "x.grad()  # after (x * y).sum().backward()",
        x.grad().unwrap(),
    );
    show("y.grad()", y.grad().unwrap());

    section("\"Drop-in\" autodiff: code written once over Numeric");
    let x = g.tensor(3.0);
    let y = square_it(&x);
    show("square_it(&x)  # x = 3", y);
    y.backward();
    show("x.grad()", x.grad().unwrap());
    show(
        "square_it(&Array::scalar(3.0))  # plain values",
        square_it(&Array::scalar(3.0)),
    );

    section("The all-important backward()");
    let x = g.tensor(2.0);
    let y = g.tensor(3.0);
    let f = x * y;
    let loss = f + x - 2.0;
    loss.backward();
    show("f.grad()", f.grad().unwrap());
    show("y.grad()", y.grad().unwrap());
    show("x.grad()", x.grad().unwrap());

    section("Nulling gradients");
    show("x + 2.0  # nulls x's grad", x + 2.0);
    show("x.grad().is_none()", x.grad().is_none());
    show("y.grad()", y.grad().unwrap());
    show("y.null_grad()", y.null_grad());
    show("y.grad().is_none()", y.grad().is_none());

    section("Some basic autodiff exercises at x = 2.5");
    let x = g.tensor(2.5);
    (2.0 + 3.0 * x - 5.0 * x.pow(2.0)).backward();
    show("2 + 3x - 5x²: x.grad()", x.grad().unwrap());
    x.sqrt().cos().backward();
    show("cos(√x): x.grad()", x.grad().unwrap());
    let f = x.pow(2.0);
    ((2.0 * x * f).pow(2.0) - f).backward();
    show("(2x f(x))² - f(x): x.grad()", x.grad().unwrap());
    (x * x).backward();
    show("x * x: x.grad()", x.grad().unwrap());
    x.pow(2.0).backward();
    show("x.pow(2.0): x.grad()", x.grad().unwrap());
    x.log().exp().backward();
    show("exp(log(x)): x.grad()", x.grad().unwrap());
    x.backward();
    show("x: x.grad()", x.grad().unwrap());

    section("Constant tensors and mixed operations with plain arrays");
    let x = g.tensor([1.0, 2.0]);
    let loss = x * Array::from_vec(vec![3.0, 4.0]);
    loss.backward();
    show("x.grad()  # loss = x * array([3., 4.])", x.grad().unwrap());
    let x = g.tensor([1.0, 2.0]);
    let y = g.constant([3.0, 4.0]);
    show("x.is_constant()", x.is_constant());
    show("y.is_constant()", y.is_constant());
    (x * y).backward();
    show("x.grad()", x.grad().unwrap());
    show("y.grad().is_none()", y.grad().is_none());
    show(
        "g.tensor([1, 2, 3]).is_constant()",
        g.tensor([1, 2, 3]).is_constant(),
    );
    let out = g.constant([1.0, 2.0]) + g.constant([3.0, 4.0]);
    show(
        "out.is_constant()  # constant + constant",
        out.is_constant(),
    );
    out.backward();
    show(
        "out.grad().is_none()  # after out.backward()",
        out.grad().is_none(),
    );

    section("Gradient descent with causing-diff");
    let w = g.tensor(10.0);
    println!("{w}");
    for _ in 0..10 {
        let loss = w.pow(2.0);
        loss.backward();
        w.set_data(w.data() - 0.3 * w.grad().unwrap());
        println!("{w}");
    }

    section("Descent down a parabolic surface");
    let start = Array::from_vec(vec![2.0, 4.0]);
    show(
        "descent_down_2d_parabola([2.0, 4.0], 0.1, 10)",
        descent_down_2d_parabola(&g, &start, 0.1, 10),
    );

    section("Tensors as collections of scalar variables");
    let tensor = g.tensor([2.0, 4.0, 8.0]);
    let arr = Array::from_vec(vec![-1.0, 2.0, 0.0]);
    (arr * tensor.pow(2.0)).sum().backward();
    show(
        "tensor.grad()  # (arr * tensor²).sum()",
        tensor.grad().unwrap(),
    );

    println!("\nThe plot of f(x) = sin(2x)·cos(x)·exp(-x/3)·100 and df/dx: cargo run --release --example plot");
}

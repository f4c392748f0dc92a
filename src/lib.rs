//! # causing-diff
//!
//! Reverse-mode automatic differentiation over NumPy-like N-dimensional
//! tensors: a Rust re-creation of [MyGrad](https://mygrad.readthedocs.io)
//! with the same semantics, numbers and printed output.
//!
//! ```
//! use causing_diff::prelude::*;
//!
//! let g = Graph::new();
//! let x = g.tensor(2.0);                  // f64 literal -> float64, a variable
//! let y = g.tensor(4.0);
//! let f = x * y + x.pow(2.0);
//! assert_eq!(f.to_string(), "Tensor(12.)");
//! f.backward();
//! assert_eq!(x.grad().unwrap().to_string(), "array(8.)");
//! assert_eq!(y.grad().unwrap().to_string(), "array(2.)");
//! ```
//!
//! ## The model
//!
//! * A [`Graph`] is an arena that owns every tensor of a computation, in
//!   creation order. A [`Tensor`] is a small `Copy` handle into it, so
//!   operators take tensors by value: `x * y + x`.
//! * [`Tensor::backward`] is a reverse sweep over the arena. Every variable
//!   reached — leaves and intermediates — keeps its gradient
//!   ([`Tensor::grad`]). The swept graph is then cleared, as in MyGrad.
//! * Float tensors are variables unless created with [`Graph::constant`];
//!   integer and bool tensors are always constants. Rust scalars are *weak*:
//!   `f32_tensor * 2.0` stays float32.
//! * Training loops update parameters in place ([`Tensor::gradient_step`],
//!   [`Tensor::set_data`]) and reclaim each step's nodes with
//!   [`Graph::mark`] / [`Graph::rewind`], so memory stays flat.
//! * Every fallible method has a `try_` twin returning [`Result`]; operators
//!   (`+ - * /`, unary `-`) panic with the same message.
//!
//! ## Indexing and in-place updates
//!
//! [`Tensor::index`] takes NumPy's whole indexing grammar, written with
//! [`s!`]: `x.index(s![0, 1..3, ..;2, NEW, ..., [0, 2, 2]])`. Basic indexing
//! is a view in MyGrad's sense (it does not null the input's gradient),
//! advanced indexing a copy; gradients accumulate over repeated indices.
//!
//! MyGrad mutates a tensor in place (`x[index] = v`, `x += y`) and rewires
//! its graph so that earlier consumers keep a placeholder of the old value.
//! Here (◆ a deliberate divergence) a tensor's value never changes under a
//! live graph: an update **records a new node**, and the `&mut` forms
//! ([`Tensor::set_index_mut`], `+= -= *= /=`) **rebind the handle** to it.
//! Earlier consumers keep the old value, gradients flow to both the old
//! tensor and the assigned value, and writes through aliasing views are not
//! reproduced (a view taken before the update keeps the old value).
//! [`Tensor::set_index`] is the functional form.
//!
//! ```
//! use causing_diff::prelude::*;
//! let g = Graph::new();
//! let w = g.tensor([1.0, 2.0, 3.0]);
//! let mut x = w;
//! let before = x * 1.0;           // an earlier consumer
//! x += 10.0;                      // x is now a new node: w + 10
//! x.set_index_mut(s![0], 0.0);    // and now a copy of it with x[0] = 0
//! assert_eq!(before.to_string(), "Tensor([1., 2., 3.])");
//! assert_eq!(x.to_string(), "Tensor([ 0., 12., 13.])");
//! x.backward();
//! assert_eq!(w.grad().unwrap().to_string(), "array([0., 1., 1.])");
//! ```
//!
//! ## Utilities
//!
//! * [`Graph::no_autodiff`] runs a closure with graph tracking off: ops
//!   compute values, record constants and take no data locks.
//! * [`Graph::clear_graph`] / [`Tensor::clear_graph`] release a live graph;
//!   [`Graph::null_gradients`] / [`Tensor::null_gradients`] null gradients
//!   in bulk.
//! * [`Array::save_npy`] / [`Array::load_npy`] (and [`Array::write_npy`] /
//!   [`Array::read_npy`] on streams, [`Tensor::save_npy`] /
//!   [`Graph::load_npy`]) exchange arrays with NumPy's `.npy` files.
//! * [`check_grad`] compares the gradients of your own function with
//!   central differences.
//! * [`Tensor::to_dot`] exports the graph above a tensor to Graphviz DOT.
//!
//! ## Threads
//!
//! A [`Graph`] is `Send` but not `Sync`: it can move to another thread with
//! all of its nodes, but two threads cannot share one. A [`Tensor`] borrows
//! its graph, so it is neither `Send` nor `Sync`; an [`Array`] is both. Use
//! one graph per thread and pass plain arrays between threads. The kernels
//! may use several threads inside one operation; that is invisible here.
//!
//! ```
//! use causing_diff::prelude::*;
//! let g = Graph::new();
//! let x = g.tensor(3.0);
//! (x * x).backward();
//! let grad: Array = x.grad().unwrap();
//! // The graph moves to another thread with its nodes; arrays move freely.
//! let handle = std::thread::spawn(move || {
//!     let y = g.tensor(grad);
//!     y.item()
//! });
//! assert_eq!(handle.join().unwrap(), 6.0);
//! ```
//!
//! Sharing a graph between threads does not compile:
//!
//! ```compile_fail
//! fn shared<T: Sync>(_: &T) {}
//! shared(&causing_diff::Graph::new());
//! ```
//!
//! Neither does sending a tensor to another thread:
//!
//! ```compile_fail
//! let g = causing_diff::Graph::new();
//! let t = g.tensor(1.0);
//! std::thread::scope(|s| {
//!     s.spawn(move || t.item());
//! });
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod array;
mod array_ops;
mod backward;
mod creation;
mod display;
mod dot;
mod dtype;
mod error;
mod eval;
mod functions;
mod grad;
mod gradcheck;
mod graph;
mod index;
mod lane;
mod npy;
mod ops;
mod pool;
mod rng;
mod tensor;
mod tracking;

pub use array::{Array, Elem, IntoArray, LiteralElem};
pub use array_ops::{ArrayScalar, Numeric};
pub use creation::{LikeTemplate, TensorOptions};
pub use dtype::{DType, Scalar};
pub use error::{Error, Result};
pub use functions::{
    add, add_sequence, arctan2, clip, concatenate, divide, einsum, equal, floor_divide, fmod,
    greater, greater_equal, less, less_equal, logaddexp, logaddexp2, logical_and, logical_or,
    logical_xor, matmul, maximum, minimum, multi_matmul, multiply, multiply_sequence, norm,
    not_equal, power, remainder, stack, subtract, where_,
};
pub use gradcheck::{check_grad, GradCheckOptions, GradReport, InputCheck};
pub use graph::{Graph, IntoOperand, Mark, Operand, Tensor};
pub use index::{Ellipsis, Index, IndexItem, NewAxis, SliceRange, NEW};

/// The README's example runs as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// `π`, as MyGrad's `mg.pi`.
pub const PI: f64 = core::f64::consts::PI;

/// Everything a user of the crate typically needs.
pub mod prelude {
    pub use crate::{
        s, Array, DType, Error, Graph, Index, IndexItem, IntoArray, Mark, NewAxis, Numeric, Result,
        Scalar, Tensor, TensorOptions, NEW, PI,
    };
}

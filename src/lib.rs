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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod array;
mod array_ops;
mod backward;
mod creation;
mod display;
mod dtype;
mod error;
mod eval;
mod functions;
mod graph;
mod ops;
mod pool;
mod rng;
mod tensor;

pub use array::{Array, Elem, IntoArray, LiteralElem};
pub use array_ops::{ArrayScalar, Numeric};
pub use creation::{LikeTemplate, TensorOptions};
pub use dtype::{DType, Scalar};
pub use error::{Error, Result};
pub use functions::{add, divide, einsum, matmul, multi_matmul, multiply, norm, power, subtract};
pub use graph::{Graph, IntoOperand, Mark, Operand, Tensor};

/// The README's example runs as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// `π`, as MyGrad's `mg.pi`.
pub const PI: f64 = core::f64::consts::PI;

/// Everything a user of the crate typically needs.
pub mod prelude {
    pub use crate::{
        Array, DType, Error, Graph, IntoArray, Mark, Numeric, Result, Scalar, Tensor,
        TensorOptions, PI,
    };
}

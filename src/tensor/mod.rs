//! The user-facing tensor API: reading values and gradients, backward and
//! the operators here; the differentiable methods by family in the
//! submodules.
//!
//! Every fallible method has a `try_` twin returning [`Result`]; the plain
//! form panics with the error's message (and the caller's location).

mod assign;
mod compare;
mod copies;
mod index;
mod linalg;
mod math;
mod reduce;
mod shape;

use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Sub};

use crate::array::{Array, IntoArray};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval;
use crate::grad::Grad;
use crate::graph::{Graph, Inner, IntoOperand, Operand, Tensor};
use crate::ops::{BinaryOp, Op, UnaryOp};

pub(crate) use compare::compare;

#[track_caller]
#[inline]
pub(crate) fn ok<T>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => fail(e),
    }
}

/// The panic of operator sugar and the other infallible forms, out of line.
#[cold]
#[inline(never)]
#[track_caller]
fn fail(e: Error) -> ! {
    panic!("{e}")
}

impl<'g> Tensor<'g> {
    /// The graph this tensor lives in.
    pub fn graph(self) -> &'g Graph {
        self.graph
    }

    /// Runs `f` on the node, after checking the handle.
    fn read<R>(self, f: impl FnOnce(&crate::graph::Node) -> R) -> Result<R> {
        let inner = self.graph.inner.borrow();
        let i = inner.check(self.idx, self.stamp)?;
        Ok(f(&inner.nodes[i]))
    }

    /// The shape.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.zeros(&[2, 3]).shape(), vec![2, 3]);
    /// ```
    #[track_caller]
    pub fn shape(self) -> Vec<usize> {
        ok(self.try_shape())
    }

    /// [`Tensor::shape`], or [`Error::StaleTensor`].
    pub fn try_shape(self) -> Result<Vec<usize>> {
        self.read(|n| n.value.shape().to_vec())
    }

    /// [`Tensor::dtype`], or [`Error::StaleTensor`].
    pub fn try_dtype(self) -> Result<DType> {
        self.read(|n| n.value.dtype())
    }

    /// [`Tensor::is_constant`], or [`Error::StaleTensor`].
    pub fn try_is_constant(self) -> Result<bool> {
        self.read(|n| n.constant)
    }

    /// The number of dimensions.
    #[track_caller]
    pub fn ndim(self) -> usize {
        ok(self.read(|n| n.value.ndim()))
    }

    /// The number of elements.
    #[track_caller]
    pub fn size(self) -> usize {
        ok(self.read(|n| n.value.size()))
    }

    /// The element type.
    #[track_caller]
    pub fn dtype(self) -> DType {
        ok(self.read(|n| n.value.dtype()))
    }

    /// Whether the tensor is a constant (it never receives a gradient).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert!(!g.tensor([1.0, 2.0]).is_constant());
    /// assert!(g.constant([1.0, 2.0]).is_constant());
    /// assert!(g.tensor([1, 2, 3]).is_constant()); // integers are constants
    /// ```
    #[track_caller]
    pub fn is_constant(self) -> bool {
        ok(self.read(|n| n.constant))
    }

    /// A copy of the tensor's data (MyGrad's `tensor.data`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor([1.2, 2.4]).data().to_string(), "array([1.2, 2.4])");
    /// ```
    #[track_caller]
    pub fn data(self) -> Array {
        ok(self.try_data())
    }

    /// [`Tensor::data`], or [`Error::StaleTensor`].
    pub fn try_data(self) -> Result<Array> {
        self.read(|n| n.value.clone())
    }

    /// Runs `f` on the tensor's data without copying it.
    #[track_caller]
    pub fn with_data<R>(self, f: impl FnOnce(&Array) -> R) -> R {
        ok(self.read(|n| f(&n.value)))
    }

    /// A copy of the gradient, `None` if there is none (MyGrad's `tensor.grad`).
    #[track_caller]
    pub fn grad(self) -> Option<Array> {
        ok(self.try_grad())
    }

    /// [`Tensor::grad`], or [`Error::StaleTensor`].
    pub fn try_grad(self) -> Result<Option<Array>> {
        self.read(|n| n.grad.as_ref().map(Grad::to_array).transpose())?
    }

    /// Runs `f` on the gradient without copying it.
    #[track_caller]
    pub fn with_grad<R>(self, f: impl FnOnce(Option<&Array>) -> R) -> R {
        ok(self.read(|n| match &n.grad {
            None => f(None),
            Some(Grad::Formed(g)) => f(Some(g)),
            Some(g) => f(Some(&ok(g.to_array()))),
        }))
    }

    /// The single element of a size-1 tensor as `f64`. Panics otherwise.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// assert_eq!(g.tensor(2.5f32).item(), 2.5);
    /// ```
    #[track_caller]
    pub fn item(self) -> f64 {
        ok(self.try_item())
    }

    /// [`Tensor::item`], failing with [`Error::InvalidArgument`] unless the
    /// tensor has exactly one element.
    pub fn try_item(self) -> Result<f64> {
        self.read(|n| n.value.item())?
            .ok_or_else(|| Error::InvalidArgument {
                op: "item",
                message: "can only convert a tensor of size 1 to a scalar".into(),
            })
    }

    /// Back-propagates from this tensor: every variable it depends on gets
    /// `d self / d variable` as its gradient, intermediates included. A
    /// non-scalar tensor is seeded with ones (as if it were summed). The
    /// graph that was swept is cleared afterwards; calling `backward` on a
    /// constant does nothing.
    ///
    /// Panics with the message of [`Tensor::try_backward`]'s error.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor(2.0);
    /// let y = g.tensor(3.0);
    /// let f = x * y;
    /// let loss = f + x - 2.0;
    /// loss.backward();
    /// assert_eq!(f.grad().unwrap().to_string(), "array(1.)");
    /// assert_eq!(y.grad().unwrap().to_string(), "array(2.)");
    /// assert_eq!(x.grad().unwrap().to_string(), "array(4.)");
    /// ```
    #[track_caller]
    #[inline]
    pub fn backward(self) {
        ok(self.try_backward())
    }

    /// [`Tensor::backward`], failing with [`Error::InvalidBackprop`] when the
    /// pass needs a part of the graph an earlier pass already cleared.
    #[inline]
    pub fn try_backward(self) -> Result<()> {
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        inner.backward(i, None)
    }

    /// Back-propagates with an explicit gradient for this tensor, which must
    /// broadcast one way to its shape (MyGrad's `backward(grad)`).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// let y = x * 3.0;
    /// y.backward_with([1.0, -1.0]);
    /// assert_eq!(x.grad().unwrap().to_string(), "array([ 3., -3.])");
    /// ```
    #[track_caller]
    pub fn backward_with(self, grad: impl IntoArray) {
        ok(self.try_backward_with(grad))
    }

    /// [`Tensor::backward_with`], failing with
    /// [`Error::BadBackwardGradShape`] when the gradient does not broadcast.
    pub fn try_backward_with(self, grad: impl IntoArray) -> Result<()> {
        let grad = grad.into_array();
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        inner.backward(i, Some(&grad))
    }

    /// Sets the gradient to `None` and returns the tensor (MyGrad's `null_grad`).
    #[track_caller]
    pub fn null_grad(self) -> Tensor<'g> {
        let mut inner = self.graph.inner.borrow_mut();
        let i = ok(inner.check(self.idx, self.stamp));
        if let Some(g) = inner.nodes[i].grad.take() {
            g.give(&mut inner.pool);
        }
        self
    }

    /// Removes this tensor and the tensors above it from their graph
    /// (MyGrad's `clear_graph`): their data becomes writable again, and a
    /// later backward through them is an [`Error::InvalidBackprop`].
    #[track_caller]
    pub fn clear_graph(self) {
        let mut inner = self.graph.inner.borrow_mut();
        let i = ok(inner.check(self.idx, self.stamp));
        inner.clear_graph(i);
    }

    /// Replaces the tensor's data (cast to its dtype). The gradient is kept
    /// when the shape is unchanged, else nulled.
    ///
    /// Panics with the message of [`Tensor::try_set_data`]'s error.
    #[track_caller]
    pub fn set_data(self, data: impl IntoArray) {
        ok(self.try_set_data(data))
    }

    /// [`Tensor::set_data`], failing with [`Error::DataLocked`] while a live
    /// graph depends on the data (MyGrad's memory guard): back-propagate or
    /// clear that graph first.
    pub fn try_set_data(self, data: impl IntoArray) -> Result<()> {
        let data = data.into_array();
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        unlocked(&inner.nodes[i], "set_data")?;
        let dtype = inner.nodes[i].value.dtype();
        let value = eval::cast(&data, dtype, &mut inner.pool)?;
        let node = &mut inner.nodes[i];
        let old = core::mem::replace(&mut node.value, value);
        let reshaped = old.shape() != node.value.shape();
        let old_grad = if reshaped { node.grad.take() } else { None };
        inner.pool.give(old.buf);
        if let Some(g) = old_grad {
            g.give(&mut inner.pool);
        }
        Ok(())
    }

    /// The seed's update `w.data -= lr * w.grad`, in place: returns `false`
    /// (and does nothing) when the tensor has no gradient.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let w = g.tensor(10.0);
    /// w.pow(2.0).backward();
    /// assert!(w.gradient_step(0.3));
    /// assert_eq!(w.to_string(), "Tensor(4.)");
    /// ```
    #[track_caller]
    #[inline]
    pub fn gradient_step(self, lr: f64) -> bool {
        ok(self.try_gradient_step(lr))
    }

    /// [`Tensor::gradient_step`], failing with [`Error::DataLocked`] while a
    /// live graph depends on the data.
    #[inline]
    pub fn try_gradient_step(self, lr: f64) -> Result<bool> {
        let mut inner = self.graph.inner.borrow_mut();
        let i = inner.check(self.idx, self.stamp)?;
        let Inner { nodes, pool, .. } = &mut *inner;
        let node = &mut nodes[i];
        if node.grad.is_none() {
            return Ok(false);
        }
        unlocked(node, "gradient_step")?;
        node.grad.as_mut().expect("checked").form_in_place(pool)?;
        let Some(Grad::Formed(grad)) = &node.grad else {
            unreachable!("formed above")
        };
        eval::sub_scaled_assign(&mut node.value, grad, lr);
        Ok(true)
    }

    #[inline]
    fn unary(self, op: UnaryOp) -> Result<Tensor<'g>> {
        self.graph
            .apply(Op::Unary(op), &[Operand::Tensor(self)], &[])
    }

    #[inline]
    fn binary(self, op: BinaryOp, rhs: Operand<'g>) -> Result<Tensor<'g>> {
        self.graph
            .apply(Op::Binary(op), &[Operand::Tensor(self), rhs], &[])
    }

    /// `other op self`, for scalars and arrays on the left of an operator.
    fn binary_rev(self, op: BinaryOp, lhs: Operand<'g>) -> Result<Tensor<'g>> {
        self.graph
            .apply(Op::Binary(op), &[lhs, Operand::Tensor(self)], &[])
    }
}

fn unlocked(node: &crate::graph::Node, op: &'static str) -> Result<()> {
    if node.n_ops > 0 || node.live {
        return Err(Error::DataLocked {
            op,
            users: node.n_ops,
            live_output: node.live,
        });
    }
    Ok(())
}

impl fmt::Display for Tensor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.graph.inner.borrow();
        match inner.check(self.idx, self.stamp) {
            Ok(i) => {
                let v = &inner.nodes[i].value;
                f.write_str(&crate::display::repr(&v.buf, v.shape(), true))
            }
            Err(e) => write!(f, "<{e}>"),
        }
    }
}

impl fmt::Debug for Tensor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Operator impls: `Tensor op X`, and `X op Tensor` for scalars and arrays.
macro_rules! operators {
    ($($Trait:ident, $method:ident, $op:ident;)*) => {$(
        impl<'g, R: IntoOperand<'g>> $Trait<R> for Tensor<'g> {
            type Output = Tensor<'g>;
            #[doc = concat!("Panics with the message of the error [`Tensor::try_", stringify!($method), "`] returns.")]
            #[track_caller]
            fn $method(self, rhs: R) -> Tensor<'g> {
                ok(self.binary(BinaryOp::$op, rhs.into_operand()))
            }
        }
        // Only f64 and i64 on the left, so that `2.0 * x` and `2 * x` infer
        // without annotations (a second float impl would make them ambiguous).
        operators!(@rev $Trait, $method, $op; f64, i64, Array);
        impl<'g> $Trait<Tensor<'g>> for &Array {
            type Output = Tensor<'g>;
            #[track_caller]
            fn $method(self, rhs: Tensor<'g>) -> Tensor<'g> {
                ok(rhs.binary_rev(BinaryOp::$op, self.into_operand()))
            }
        }
    )*};
    (@rev $Trait:ident, $method:ident, $op:ident; $($t:ty),*) => {$(
        impl<'g> $Trait<Tensor<'g>> for $t {
            type Output = Tensor<'g>;
            #[track_caller]
            fn $method(self, rhs: Tensor<'g>) -> Tensor<'g> {
                ok(rhs.binary_rev(BinaryOp::$op, self.into_operand()))
            }
        }
    )*};
}

operators! {
    Add, add, Add;
    Sub, sub, Subtract;
    Mul, mul, Multiply;
    Div, div, Divide;
}

impl<'g> Neg for Tensor<'g> {
    type Output = Tensor<'g>;
    /// Panics only on a stale handle.
    #[track_caller]
    fn neg(self) -> Tensor<'g> {
        ok(self.unary(UnaryOp::Negative))
    }
}

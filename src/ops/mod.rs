//! The op records of the graph and their dispatch to the op families. Each
//! family file holds its ops' forward and backward rules side by side.

pub(crate) mod binary;
pub(crate) mod compare;
pub(crate) mod einsum;
pub(crate) mod index;
pub(crate) mod index_plan;
pub(crate) mod join;
pub(crate) mod linalg;
pub(crate) mod norm;
pub(crate) mod reduce;
pub(crate) mod sequence;
pub(crate) mod shape;
pub(crate) mod unary;

use causing_diff_kernels::Float;

use crate::array::Array;
use crate::error::Result;
use crate::grad::Grad;
use crate::graph::Node;
use crate::pool::Pool;

pub(crate) use binary::BinaryOp;
pub(crate) use compare::{CompareOp, CompareUnaryOp};
pub(crate) use index::IndexOp;
pub(crate) use join::JoinOp;
pub(crate) use norm::NormOp;
pub(crate) use reduce::ReduceOp;
pub(crate) use sequence::SequenceOp;
pub(crate) use shape::ShapeOp;
pub(crate) use unary::UnaryOp;

/// What made a node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    /// A tensor created from data (or a node whose record was cleared).
    Leaf,
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// A fold over two or more inputs.
    Sequence(SequenceOp),
    Reduce(ReduceOp),
    MatMul,
    /// Its params are the parsed subscripts; `view` when NumPy returns a
    /// view (one operand, nothing summed), which MyGrad treats as a view op.
    Einsum {
        view: bool,
    },
    Norm(NormOp),
    Shape(ShapeOp),
    Join(JoinOp),
    Index(IndexOp),
}

/// An op's view of its inputs: the parents' values and the op's parameters.
pub(crate) struct Inputs<'a> {
    pub(crate) nodes: &'a [Node],
    pub(crate) parents: &'a [u32],
    pub(crate) params: &'a [isize],
}

impl<'a> Inputs<'a> {
    /// The value of input `k`.
    #[inline]
    pub(crate) fn get(&self, k: usize) -> &'a Array {
        &self.nodes[self.parents[k] as usize].value
    }

    /// The number of inputs.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.parents.len()
    }
}

impl Op {
    /// The op's name (MyGrad's function name).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Leaf => "tensor",
            Op::Unary(u) => u.name(),
            Op::Binary(b) => b.name(),
            Op::Sequence(s) => s.name(),
            Op::Reduce(r) => r.name(),
            Op::MatMul => "matmul",
            Op::Einsum { .. } => "einsum",
            Op::Norm(_) => "norm",
            Op::Shape(s) => s.name(),
            Op::Join(j) => j.name(),
            Op::Index(i) => i.name(),
        }
    }

    /// View ops (reshape, transpose, basic indexing, ...) do not null their
    /// input's gradient.
    pub(crate) fn is_view(&self) -> bool {
        match self {
            Op::Shape(s) => s.is_view(),
            Op::Index(IndexOp::GetItem { view }) => *view,
            Op::Einsum { view } => *view,
            _ => false,
        }
    }

    /// Computes the op's value.
    /// Computes the op's value. A forward may push data its backward rule
    /// needs onto `saved`; the engine appends it to the node's params.
    pub(crate) fn forward(
        &self,
        ins: &Inputs,
        pool: &mut Pool,
        saved: &mut Vec<usize>,
    ) -> Result<Array> {
        match self {
            Op::Leaf => unreachable!("leaves are not computed"),
            Op::Unary(u) => u.forward(ins.get(0), pool),
            Op::Binary(b) => b.forward(ins.get(0), ins.get(1), pool),
            Op::Sequence(s) => s.forward(ins, pool),
            Op::Reduce(r) => r.forward(ins.get(0), ins.params, pool, saved),
            Op::MatMul => linalg::matmul(ins.get(0), ins.get(1), pool),
            Op::Einsum { .. } => einsum::forward(ins, pool),
            Op::Norm(n) => n.forward(ins.get(0), ins.params, pool),
            Op::Shape(s) => s.forward(ins.get(0), ins.params, pool),
            Op::Join(j) => j.forward(ins, pool),
            Op::Index(i) => i.forward(ins, pool),
        }
    }

    /// How many inputs the op takes in the scalar lane (`lane.rs`); 0 for
    /// ops outside it.
    #[inline]
    pub(crate) fn lane_arity(&self) -> usize {
        match self {
            Op::Unary(_) => 1,
            Op::Binary(_) => 2,
            _ => 0,
        }
    }

    /// The op's value from 0-d inputs (`xs[..lane_arity]`), computed as
    /// its array kernel computes each element; `None` outside the lane.
    #[inline]
    pub(crate) fn lane_forward<T: Float>(&self, xs: [T; 2]) -> Option<T> {
        match self {
            Op::Unary(u) => u.lane_forward(xs[0]),
            Op::Binary(b) => b.lane_forward(xs[0], xs[1]),
            _ => None,
        }
    }

    /// The gradient for input `k` from 0-d inputs `xs`, the output `y` and
    /// its gradient `g`, computed as [`Op::backward`] computes each
    /// element; `None` outside the lane.
    #[inline]
    pub(crate) fn lane_backward<T: Float>(&self, k: usize, g: T, xs: [T; 2], y: T) -> Option<T> {
        match self {
            Op::Unary(u) => u.lane_backward(g, xs[0], y),
            Op::Binary(b) => b.lane_backward(k, g, xs[0], xs[1]),
            _ => None,
        }
    }

    /// Whether [`Op::backward`] and [`Op::backward_into`] take a gradient
    /// spread (see `grad.rs`); the engine forms it first when not. Products
    /// read it through its layout; `+`, `-` and elementwise rules for an
    /// input of the output's shape keep or read it spread; and a rule
    /// summing it down to a broadcast input reads it in place, with the
    /// additions of the formed route, or forms it for itself in the rare
    /// layouts where those additions cannot be followed
    /// (`eval::sum_grad_to`).
    #[inline]
    pub(crate) fn takes_spread(&self) -> bool {
        matches!(self, Op::MatMul | Op::Binary(_))
    }

    /// Adds the gradient [`Op::backward`] would give input `k` into `acc`,
    /// that input's gradient so far (of its shape, and of `grad`'s dtype),
    /// without forming it, and returns true; or returns false and leaves
    /// `acc` alone when the op has no such path for this input. Each element
    /// becomes `acc + g` with `g` computed exactly as `backward` computes it,
    /// so the two routes give the same bits.
    pub(crate) fn backward_into(
        &self,
        ins: &Inputs,
        grad: &Grad,
        k: usize,
        acc: &mut Array,
        pool: &mut Pool,
    ) -> Result<bool> {
        match (self, grad) {
            (Op::Binary(b), _) => b.backward_into(ins.get(0), ins.get(1), grad, k, acc, pool),
            (Op::Reduce(r), Grad::Formed(g)) => Ok(r.backward_into(ins.get(0), g, ins.params, acc)),
            _ => Ok(false),
        }
    }

    /// The gradient for input `k`, given the gradient `grad` of the output
    /// `out`. It may have the output's shape and dtype: the engine reduces
    /// it to the input's.
    pub(crate) fn backward(
        &self,
        ins: &Inputs,
        out: &Array,
        grad: &Grad,
        k: usize,
        to: &[usize],
        pool: &mut Pool,
    ) -> Result<Grad> {
        let formed = |r: Result<Array>| r.map(Grad::Formed);
        match (self, grad) {
            (Op::Unary(u), Grad::Formed(g)) => formed(u.backward(ins.get(0), out, g, pool)),
            (Op::Binary(b), _) => b.backward(ins.get(0), ins.get(1), grad, k, to, pool),
            (Op::MatMul, _) => formed(linalg::matmul_backward(
                ins.get(0),
                ins.get(1),
                grad,
                k,
                pool,
            )),
            (Op::Reduce(r), Grad::Formed(g)) => r.backward(ins.get(0), out, g, ins.params, pool),
            (Op::Sequence(s), Grad::Formed(g)) => formed(s.backward(ins, out, g, k, pool)),
            (Op::Einsum { .. }, Grad::Formed(g)) => formed(einsum::backward(ins, g, k, pool)),
            (Op::Norm(n), Grad::Formed(g)) => {
                formed(n.backward(ins.get(0), out, g, ins.params, pool))
            }
            (Op::Shape(s), Grad::Formed(g)) => formed(s.backward(ins.get(0), g, ins.params, pool)),
            (Op::Join(j), Grad::Formed(g)) => formed(j.backward(ins, g, k, pool)),
            (Op::Index(i), Grad::Formed(g)) => formed(i.backward(ins, g, k, pool)),
            (Op::Leaf, _) => unreachable!("leaves have no backward"),
            (_, Grad::Spread(_)) => self.backward_spread(ins, out, grad, k, to, pool),
        }
    }

    /// [`Op::backward`] of a rule that reads its gradient formed, given it
    /// spread (the engine forms it first, so only a direct caller gets
    /// here).
    #[cold]
    #[inline(never)]
    fn backward_spread(
        &self,
        ins: &Inputs,
        out: &Array,
        grad: &Grad,
        k: usize,
        to: &[usize],
        pool: &mut Pool,
    ) -> Result<Grad> {
        let formed = Grad::Formed(grad.materialize(pool)?);
        let r = self.backward(ins, out, &formed, k, to, pool);
        formed.give(pool);
        r
    }
}

//! MyGrad's free functions. Those of two operands (`mg.add(2, x)`) take a
//! tensor, a Rust scalar or a plain array on either side, as long as one of
//! them is a tensor; `einsum` and `multi_matmul` take any number of
//! tensors. They return [`Result`]; the operators (`+ - * /`) are the
//! panicking sugar.

use crate::error::{Error, Result};
use crate::graph::{IntoOperand, Operand, Tensor};
use crate::ops::einsum::Spec;
use crate::ops::{BinaryOp, Op};

impl<'g> IntoOperand<'g> for Operand<'g> {
    fn into_operand(self) -> Operand<'g> {
        self
    }
}

/// Applies `op` to two operands in the graph of whichever is a tensor.
pub(crate) fn apply2<'g>(op: Op, a: Operand<'g>, b: Operand<'g>) -> Result<Tensor<'g>> {
    let graph = match (&a, &b) {
        (Operand::Tensor(t), _) | (_, Operand::Tensor(t)) => t.graph,
        _ => {
            return Err(Error::InvalidArgument {
                op: op.name(),
                message: "at least one operand must be a tensor".into(),
            })
        }
    };
    graph.apply(op, &[a, b], &[])
}

macro_rules! binary_functions {
    ($($(#[$doc:meta])* $name:ident => $op:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name<'g>(a: impl IntoOperand<'g>, b: impl IntoOperand<'g>) -> Result<Tensor<'g>> {
            apply2($op, a.into_operand(), b.into_operand())
        }
    )*};
}

binary_functions! {
    /// `a + b` with broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(causing_diff::add(2.0, x).unwrap().to_string(), "Tensor([3., 4.])");
    /// assert!(causing_diff::add(1.0, 2.0).is_err(), "one operand must be a tensor");
    /// ```
    add => Op::Binary(BinaryOp::Add);
    /// `a - b` with broadcasting.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// assert_eq!(causing_diff::subtract(2.0, x).unwrap().to_string(), "Tensor([1., 0.])");
    /// ```
    subtract => Op::Binary(BinaryOp::Subtract);
    /// `a * b` with broadcasting.
    multiply => Op::Binary(BinaryOp::Multiply);
    /// `a / b` with broadcasting (integer division gives float64).
    divide => Op::Binary(BinaryOp::Divide);
    /// `a ** b` with broadcasting; the gradients at `0 ** 0` are 0.
    power => Op::Binary(BinaryOp::Power);
    /// The matrix product with NumPy's `matmul` semantics.
    matmul => Op::MatMul;
}

/// The graph the tensors share, or the error for an empty list or tensors
/// of different graphs.
fn common_graph<'g>(op: &'static str, tensors: &[Tensor<'g>]) -> Result<&'g crate::Graph> {
    let first = tensors.first().ok_or_else(|| Error::InvalidArgument {
        op,
        message: "at least one tensor is required".into(),
    })?;
    if tensors.iter().any(|t| !core::ptr::eq(t.graph, first.graph)) {
        return Err(Error::GraphMismatch { op });
    }
    Ok(first.graph)
}

/// Einstein summation over `operands` with NumPy's `subscripts` grammar
/// (MyGrad's `einsum`).
///
/// Letters label axes; a label shared by operands is multiplied along, and
/// one missing from the output is summed. `"ij,jk->ik"` is a matrix
/// product, `"ii"` a trace, `"ii->i"` a diagonal, `"i,j->ij"` an outer
/// product, `",i->i"` scales by a 0-d operand. Without `->` the output is
/// the labels used exactly once, in ASCII order. `...` stands for the
/// leading (broadcast) axes. Labels of length 1 broadcast against longer
/// ones. Gradients flow to every operand, scattered back onto diagonals.
///
/// Fails with [`Error::InvalidArgument`] for malformed subscripts (or no
/// operands) and with [`Error::ShapeMismatch`] when the operands' shapes
/// disagree with the subscripts or with each other.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let a = g.tensor([[1.0, 2.0], [3.0, 4.0]]);
/// let b = g.tensor([1.0, -1.0]);
/// assert_eq!(causing_diff::einsum("ii", &[a]).unwrap().to_string(), "Tensor(5.)");
/// let y = causing_diff::einsum("ij,j->i", &[a, b]).unwrap();
/// assert_eq!(y.to_string(), "Tensor([-1., -1.])");
/// y.backward();
/// assert_eq!(b.grad().unwrap().to_string(), "array([4., 6.])");
/// assert!(causing_diff::einsum("ij,jk", &[a, b]).is_err());
/// ```
pub fn einsum<'g>(subscripts: &str, operands: &[Tensor<'g>]) -> Result<Tensor<'g>> {
    let graph = common_graph("einsum", operands)?;
    let shapes = operands
        .iter()
        .map(|t| t.try_shape())
        .collect::<Result<Vec<_>>>()?;
    let shapes: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
    let spec = Spec::parse(subscripts, &shapes)?;
    let operands: Vec<Operand<'g>> = operands.iter().map(|&t| Operand::Tensor(t)).collect();
    let op = Op::Einsum {
        view: spec.is_view(),
    };
    graph.apply(op, &operands, &spec.params())
}

/// The matrix product of two or more tensors, `t₀ @ t₁ @ …`, multiplied in
/// the cheapest order (the matrix-chain dynamic program over their shapes,
/// as MyGrad's `multi_matmul` and NumPy's `multi_dot`). The first and last
/// tensors may be 1-D (a row and a column vector); the others are 2-D. It
/// is a composition of `matmul` nodes, so gradients come for free.
///
/// Fails with [`Error::InvalidArgument`] for fewer than two tensors and
/// with [`Error::ShapeMismatch`] for other dimensionalities or mismatched
/// inner dimensions.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let v = g.tensor([1.0, 2.0]);
/// let m = g.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]]);
/// let w = g.tensor([1.0, 1.0, 1.0]);
/// let y = causing_diff::multi_matmul(&[v, m, w]).unwrap();
/// assert_eq!(y.to_string(), "Tensor(7.)");
/// y.backward();
/// assert_eq!(v.grad().unwrap().to_string(), "array([3., 2.])");
/// ```
pub fn multi_matmul<'g>(tensors: &[Tensor<'g>]) -> Result<Tensor<'g>> {
    let n = tensors.len();
    if n < 2 {
        return Err(Error::InvalidArgument {
            op: "multi_matmul",
            message: format!("at least two tensors are required, got {n}"),
        });
    }
    common_graph("multi_matmul", tensors)?;
    let shapes = tensors
        .iter()
        .map(|t| t.try_shape())
        .collect::<Result<Vec<_>>>()?;
    let mismatch = |detail| Error::ShapeMismatch {
        op: "multi_matmul",
        shapes: shapes.clone(),
        detail,
    };
    let ends = |i: usize| i == 0 || i == n - 1;
    if shapes
        .iter()
        .enumerate()
        .any(|(i, s)| s.len() != 2 && !(ends(i) && s.len() == 1))
    {
        return Err(mismatch(
            "the first and last operands must be 1-D or 2-D and the others 2-D; got shapes",
        ));
    }
    // The chain's dimensions: operand i is p[i] × p[i + 1].
    let (first_vec, last_vec) = (shapes[0].len() == 1, shapes[n - 1].len() == 1);
    let rows = |i: usize| if i == 0 && first_vec { 1 } else { shapes[i][0] };
    let cols = |i: usize| {
        if i == n - 1 && last_vec {
            1
        } else {
            *shapes[i].last().expect("1-D or 2-D")
        }
    };
    if (0..n - 1).any(|i| cols(i) != rows(i + 1)) {
        return Err(mismatch("mismatch in the core dimension of shapes"));
    }
    if n == 2 {
        return tensors[0].try_matmul(tensors[1]);
    }
    let p: Vec<usize> = (0..n).map(rows).chain([cols(n - 1)]).collect();
    let split = chain_order(&p);
    let mut ts = tensors.to_vec();
    if first_vec {
        ts[0] = ts[0].try_reshape(&[1, -1])?;
    }
    if last_vec {
        ts[n - 1] = ts[n - 1].try_reshape(&[-1, 1])?;
    }
    let product = chain_product(&ts, &split, 0, n - 1)?;
    match (first_vec, last_vec) {
        (true, true) => product.try_reshape(&[]),
        (true, false) | (false, true) => product.try_reshape(&[-1]),
        (false, false) => Ok(product),
    }
}

/// The matrix-chain dynamic program (Cormen §15.2) for matrices
/// `p[i] × p[i + 1]`: `split[i][j]` is where the cheapest product of
/// matrices `i..=j` splits. Ties keep the first split, as NumPy's.
fn chain_order(p: &[usize]) -> Vec<Vec<usize>> {
    let n = p.len() - 1;
    let mut cost = vec![vec![0u128; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 1..n {
        for i in 0..n - len {
            let j = i + len;
            cost[i][j] = u128::MAX;
            for k in i..j {
                let q = cost[i][k]
                    .saturating_add(cost[k + 1][j])
                    .saturating_add(p[i] as u128 * p[k + 1] as u128 * p[j + 1] as u128);
                if q < cost[i][j] {
                    cost[i][j] = q;
                    split[i][j] = k;
                }
            }
        }
    }
    split
}

fn chain_product<'g>(
    ts: &[Tensor<'g>],
    split: &[Vec<usize>],
    i: usize,
    j: usize,
) -> Result<Tensor<'g>> {
    if i == j {
        return Ok(ts[i]);
    }
    let k = split[i][j];
    let left = chain_product(ts, split, i, k)?;
    let right = chain_product(ts, split, k + 1, j)?;
    left.try_matmul(right)
}

/// Vector norms (MyGrad's `norm(x, ord, axis, keepdims, nan_to_num=...)`);
/// see [`Tensor::norm_with`].
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.tensor([[3.0, 4.0], [1.0, 0.0]]);
/// let n = causing_diff::norm(x, None, Some(-1), false, true).unwrap();
/// assert_eq!(n.to_string(), "Tensor([5., 1.])");
/// ```
pub fn norm<'g>(
    x: Tensor<'g>,
    ord: Option<f64>,
    axis: Option<isize>,
    keepdims: bool,
    nan_to_num: bool,
) -> Result<Tensor<'g>> {
    x.try_norm_with(ord, axis, keepdims, nan_to_num)
}

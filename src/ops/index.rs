//! Indexing ops: `x[index]`, the functional `x[index] = value`, and
//! `where(cond, a, b)`: forward and backward side by side. The index is in
//! the params and the index arrays are (constant) inputs; see
//! [`index_plan`](super::index_plan) for the encoding and NumPy's rules.

use std::borrow::Cow;

use causing_diff_kernels::index_map::{gather, scatter, scatter_add};
use causing_diff_kernels::{Dims, Element, Layout};

use crate::array::{Array, Storage};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch, dispatch_float, dispatch_num};
use crate::ops::index_plan::Plan;
use crate::ops::Inputs;
use crate::pool::Pool;

/// An indexing op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexOp {
    /// `x[index]`; inputs `[x, arrays...]`. Basic indexing is a view.
    GetItem { view: bool },
    /// A copy of `x` with `out[index] = value`; inputs `[x, value, arrays...]`.
    SetItem,
    /// `cond ? a : b` elementwise; inputs `[cond, a, b]`.
    Where,
}

impl IndexOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            IndexOp::GetItem { .. } => "getitem",
            IndexOp::SetItem => "setitem",
            IndexOp::Where => "where",
        }
    }

    /// The index plan of a getitem/setitem node over `x`.
    fn plan(self, ins: &Inputs) -> Result<Plan> {
        let first = if self == IndexOp::SetItem { 2 } else { 1 };
        Plan::new(
            ins.get(0).shape(),
            ins.params,
            |k| ins.get(first + k),
            self.name(),
        )
    }

    pub(crate) fn forward(self, ins: &Inputs, pool: &mut Pool) -> Result<Array> {
        match self {
            IndexOp::GetItem { .. } => {
                let x = ins.get(0);
                let plan = self.plan(ins)?;
                let n = eval::size(&plan.shape, "getitem")?;
                dispatch!(x.dtype(), T => {
                    let mut out: Vec<T> = pool.take(n, "getitem")?;
                    gather(eval::slice::<T>(x), &plan.map(), &mut out);
                    Ok(eval::wrap(out, &plan.shape))
                })
            }
            IndexOp::SetItem => {
                let (x, value) = (ins.get(0), ins.get(1));
                let plan = self.plan(ins)?;
                let layout = value_layout(value.shape(), &plan.shape)?;
                let v = eval::materialize(value, &layout, x.dtype(), pool)?;
                let mut out = eval::cast(x, x.dtype(), pool)?;
                dispatch!(x.dtype(), T => {
                    let dst = T::slice_mut(&mut out.buf).expect("x's dtype");
                    scatter(dst, &plan.map(), eval::slice::<T>(&v));
                });
                pool.give(v.buf);
                Ok(out)
            }
            IndexOp::Where => {
                let (a, b) = (ins.get(1), ins.get(2));
                let dtype = DType::promote(a.dtype(), b.dtype());
                let (c, a, b) = (
                    condition(ins.get(0), dtype, pool)?,
                    eval::as_dtype(a, dtype, pool)?,
                    eval::as_dtype(b, dtype, pool)?,
                );
                dispatch!(dtype, T => eval::map3::<T, T>(&c, &a, &b, pool, "where", |c, a, b| {
                    if c != T::ZERO { a } else { b }
                }))
            }
        }
    }

    /// The gradient for input `k`, in the output's shape (or the input's).
    pub(crate) fn backward(
        self,
        ins: &Inputs,
        g: &Array,
        k: usize,
        pool: &mut Pool,
    ) -> Result<Array> {
        match (self, k) {
            // d x[index] / dx: g scattered back, accumulating repeated indices
            (IndexOp::GetItem { .. }, _) => {
                let x = ins.get(0);
                let plan = self.plan(ins)?;
                let mut out = eval::full(x.shape(), 0.0, g.dtype(), pool, "getitem")?;
                dispatch_num!(g.dtype(), T => {
                    let dst = T::slice_mut(&mut out.buf).expect("g's dtype");
                    scatter_add(dst, &plan.map(), eval::slice::<T>(g));
                }, bool => unreachable!("gradients are floats"));
                Ok(out)
            }
            // d out / dx: 1 where x was kept, 0 where it was overwritten
            (IndexOp::SetItem, 0) => {
                let plan = self.plan(ins)?;
                let mut out = eval::cast(g, g.dtype(), pool)?;
                let zeros = eval::full(&plan.shape, 0.0, g.dtype(), pool, "setitem")?;
                dispatch!(g.dtype(), T => {
                    let dst = T::slice_mut(&mut out.buf).expect("g's dtype");
                    scatter(dst, &plan.map(), eval::slice::<T>(&zeros));
                });
                pool.give(zeros.buf);
                Ok(out)
            }
            // d out / dvalue: g at the positions the value was finally
            // written to (the last of repeated writes), in x[index]'s shape
            (IndexOp::SetItem, _) => {
                let plan = self.plan(ins)?;
                let n = eval::size(&plan.shape, "setitem")?;
                let map = plan.map();
                let mut out = dispatch_float!(g.dtype(), T => {
                    let src = eval::slice::<T>(g);
                    let mut out: Vec<T> = pool.take(n, "setitem")?;
                    if plan.advanced {
                        // Who wrote each position last.
                        let mut owner = vec![usize::MAX; src.len()];
                        map.for_each(src.len(), |i, o| owner[o] = i);
                        map.for_each(src.len(), |i, o| {
                            out[i] = if owner[o] == i { src[o] } else { T::ZERO };
                        });
                    } else {
                        gather(src, &map, &mut out);
                    }
                    eval::wrap(out, &plan.shape)
                }, other => unreachable!("gradients are floats"));
                // A value with extra leading 1s ("projecting down").
                let v = ins.get(1).shape();
                if v.len() > plan.shape.len() {
                    let mut shape = Dims::filled(1, v.len() - plan.shape.len());
                    plan.shape.iter().for_each(|&d| shape.push(d));
                    out.shape = shape;
                }
                Ok(out)
            }
            // d where(c, a, b) / da = c, / db = !c
            (IndexOp::Where, _) => {
                let c = condition(ins.get(0), g.dtype(), pool)?;
                let pick_a = k == 1;
                dispatch_float!(g.dtype(), T => eval::map2::<T, T>(&c, g, pool, "where", |c, g| {
                    if (c != T::ZERO) == pick_a { g } else { T::ZERO }
                }), other => unreachable!("gradients are floats"))
            }
        }
    }
}

/// `where`'s condition as 0/1 in `dtype`. It is read as bool first, as
/// NumPy does: a direct cast to an integer dtype would truncate NaN and
/// 0.5 to 0 (false), and one to float32 would flush a tiny float64 to 0.
fn condition<'a>(c: &'a Array, dtype: DType, pool: &mut Pool) -> Result<Cow<'a, Array>> {
    if c.dtype() == DType::Bool {
        return eval::as_dtype(c, dtype, pool);
    }
    let truth = eval::cast(c, DType::Bool, pool)?;
    eval::cast_owned(truth, dtype, pool).map(Cow::Owned)
}

/// The layout that broadcasts a value of shape `value` to `target` (the
/// shape of `x[index]`), as NumPy's assignment does: leading 1s beyond the
/// target's dimensions are dropped.
fn value_layout(value: &[usize], target: &[usize]) -> Result<Layout> {
    let extra = value.len().saturating_sub(target.len());
    let trimmed = if value[..extra].iter().all(|&d| d == 1) {
        &value[extra..]
    } else {
        value
    };
    Layout::contiguous(trimmed)
        .broadcast_to(target)
        .ok_or_else(|| Error::ShapeMismatch {
            op: "setitem",
            shapes: vec![value.to_vec(), target.to_vec()],
            detail: "could not broadcast the value to the indexed shape: shapes",
        })
}

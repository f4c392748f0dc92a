//! The scalar lane: elementwise arithmetic on 0-d float tensors, forward
//! and backward, computed on plain numbers instead of through the array
//! machinery.
//!
//! DESIGN. A scalar program (the tutorial's `x * y + x**2`, a gradient
//! descent on one weight: W1, W7) spends its time in the general path's
//! set-up: dtype casts as borrowed-or-owned arrays, broadcast shapes, a
//! strided walk, a gradient enum and a reduction back to each input's shape,
//! all for one number. Here an op whose inputs are 0-d tensors of one float
//! dtype (and weak Rust scalars that keep it) is computed from the numbers
//! directly, and a node whose gradient and inputs are 0-d of one float dtype
//! sends its inputs their gradients the same way. Everything the graph
//! records is unchanged: the same nodes, constant leaves for scalar
//! operands, edges, user counts, nulled gradients, and 0-d arrays for values
//! and gradients.
//!
//! The numbers are the general path's: each op's lane rule
//! ([`Op::lane_forward`], [`Op::lane_backward`]) is the expression its
//! array kernel applies per element, written next to it in its family file;
//! a gradient adds into an existing one as `acc + g`, as accumulation does;
//! and contributions to an input reached twice (`x * x`) add in input
//! order. A test compares every lane op with the general path on 1-element
//! arrays, bit for bit (`tests/scalar_lane.rs`). Anything the lane does not
//! cover (another op, dtype or shape, a spread gradient) takes the general
//! path, node by node.
//!
//! Measured (callgrind, 100k calls): W1 6,378 -> 4,130 instructions per
//! call, W7 about 1,900 -> 1,617 per step; wall-clock, W1 620-629 -> 351-386
//! ns and W7 180-182 -> 140-163 ns on the compare bench. What is left is
//! spread over the graph's bookkeeping (recording and reclaiming 288-byte
//! nodes, the sweep's marks, the buffer pool), no piece above 18%.

use causing_diff_kernels::{Dims, Float};

use crate::array::{Array, Buf, Elem};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval;
use crate::grad::Grad;
use crate::graph::{Graph, Inner, Operand};
use crate::ops::Op;
use crate::pool::Pool;

/// The element types of the lane.
trait LaneElem: Elem + Float {}
impl LaneElem for f32 {}
impl LaneElem for f64 {}

/// The number a 0-d array of `T` holds.
#[inline(always)]
fn number<T: Elem>(a: &Array) -> Option<T> {
    if a.shape.is_empty() {
        T::slice(&a.buf).map(|v| v[0])
    } else {
        None
    }
}

/// A 0-d array holding `v`, in a pooled buffer. The op's name is looked
/// up only for the error (it is a match over every op: 2% of W1's
/// instructions when looked up eagerly).
#[inline(always)]
fn array<T: Elem>(v: T, pool: &mut Pool, op: Op) -> Result<Array> {
    let mut b: Vec<T> = pool.take(1, "").map_err(|_| Error::TooLarge {
        op: op.name(),
        shape: vec![1],
    })?;
    b[0] = v;
    Ok(eval::wrap_dims(b, Dims::new()))
}

impl Inner {
    /// `op` applied in the lane and recorded, as the general path would
    /// record it; `None`, with nothing changed, when the lane does not
    /// cover it (errors such as a stale handle are left to the general
    /// path to report).
    #[inline]
    pub(crate) fn apply_lane(
        &mut self,
        graph: &Graph,
        op: Op,
        operands: &[Operand<'_>],
    ) -> Option<Result<(u32, u64)>> {
        let arity = op.lane_arity();
        if arity == 0 || operands.len() != arity {
            return None;
        }
        let mut dtype = None;
        for o in operands {
            match o {
                Operand::Tensor(t) => {
                    if !core::ptr::eq(t.graph, graph) {
                        return None;
                    }
                    let node = self.nodes.get(t.idx as usize)?;
                    if node.stamp != t.stamp || !node.value.shape.is_empty() {
                        return None;
                    }
                    let d = node.value.dtype();
                    if dtype.is_some_and(|e| e != d) {
                        return None;
                    }
                    dtype = Some(d);
                }
                Operand::Scalar(_) => {}
                Operand::Array(_) => return None,
            }
        }
        match dtype? {
            DType::Float32 => self.apply_in::<f32>(op, operands, DType::Float32),
            DType::Float64 => self.apply_in::<f64>(op, operands, DType::Float64),
            _ => None,
        }
    }

    #[inline(always)]
    fn apply_in<T: LaneElem>(
        &mut self,
        op: Op,
        operands: &[Operand<'_>],
        dtype: DType,
    ) -> Option<Result<(u32, u64)>> {
        let mut xs = [T::ZERO; 2];
        for (x, o) in xs.iter_mut().zip(operands) {
            *x = match o {
                Operand::Tensor(t) => number::<T>(&self.nodes[t.idx as usize].value)?,
                // A weak scalar that keeps the dtype, cast as the general
                // path casts it into its constant leaf.
                Operand::Scalar(s) if dtype.promote_weak(*s) == dtype => T::from_f64(s.to_f64()),
                _ => return None,
            };
        }
        let y = op.lane_forward(xs)?;
        Some(self.record_lane(op, operands, xs, y))
    }

    /// Records the lane's result `y` of `op` on `xs`: constant leaves for
    /// scalar operands, then the node.
    fn record_lane<T: LaneElem>(
        &mut self,
        op: Op,
        operands: &[Operand<'_>],
        xs: [T; 2],
        y: T,
    ) -> Result<(u32, u64)> {
        let mut ids = [0u32; 2];
        for ((id, o), &x) in ids.iter_mut().zip(operands).zip(&xs) {
            *id = match o {
                Operand::Tensor(t) => t.idx,
                _ => {
                    let value = array(x, &mut self.pool, op)?;
                    self.leaf(value, true)?.0
                }
            };
        }
        let edges_start = self.edges.len();
        for &id in &ids[..operands.len()] {
            self.edges.push(id);
        }
        let value = array(y, &mut self.pool, op)?;
        let params_start = self.params.len();
        self.record(op, value, edges_start, params_start)
    }

    /// Node `i` (live, a variable, reached by the sweep) gives its variable
    /// inputs their gradients in the lane and returns true; or returns
    /// false, with nothing changed, when the lane does not cover it.
    #[inline]
    pub(crate) fn node_grads_lane(&mut self, i: usize) -> Result<bool> {
        // A gradient has its node's dtype; `grads_in` checks both are 0-d.
        match self.nodes[i].value.buf {
            Buf::F32(_) => self.grads_in::<f32>(i),
            Buf::F64(_) => self.grads_in::<f64>(i),
            _ => Ok(false),
        }
    }

    #[inline(always)]
    fn grads_in<T: LaneElem>(&mut self, i: usize) -> Result<bool> {
        let Inner {
            nodes, edges, pool, ..
        } = self;
        let node = &nodes[i];
        let arity = node.op.lane_arity();
        let (at, n) = node.edges_at;
        if arity == 0 || n as usize != arity {
            return Ok(false);
        }
        let Some(g) = (match &node.grad {
            Some(Grad::Formed(g)) => number::<T>(g),
            _ => None,
        }) else {
            return Ok(false);
        };
        let Some(y) = number::<T>(&node.value) else {
            return Ok(false);
        };
        let parents = &edges[at as usize..(at + n) as usize];
        let mut xs = [T::ZERO; 2];
        for (x, &p) in xs.iter_mut().zip(parents) {
            match number::<T>(&nodes[p as usize].value) {
                Some(v) => *x = v,
                None => return Ok(false),
            }
        }
        // Every contribution first (they read values, not gradients), and
        // every existing gradient checked to be a 0-d one of `T`: past this
        // point nothing declines.
        let mut gs = [T::ZERO; 2];
        for (k, (gk, &p)) in gs.iter_mut().zip(parents).enumerate() {
            let parent = &nodes[p as usize];
            if parent.constant {
                continue;
            }
            match &parent.grad {
                None => {}
                Some(Grad::Formed(acc)) if number::<T>(acc).is_some() => {}
                Some(_) => return Ok(false),
            }
            match node.op.lane_backward(k, g, xs, y) {
                Some(v) => *gk = v,
                None => return Ok(false),
            }
        }
        let op = node.op;
        for (&gk, &p) in gs.iter().zip(parents) {
            let parent = &mut nodes[p as usize];
            if parent.constant {
                continue;
            }
            match &mut parent.grad {
                Some(Grad::Formed(acc)) => {
                    let v = T::slice_mut(&mut acc.buf).expect("checked above");
                    v[0] += gk;
                }
                slot => *slot = Some(Grad::Formed(array(gk, pool, op)?)),
            }
        }
        Ok(true)
    }
}

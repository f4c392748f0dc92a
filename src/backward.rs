//! The reverse sweep: seeding, the per-node backward rules, reducing a
//! gradient to its input's shape and dtype, accumulation, and clearing the
//! swept graph. Done once here, never in an op.
//!
//! DESIGN. Creation order is a topological order, so a backward pass is two
//! linear sweeps from the root down to the lowest node it reaches — no
//! recursion, no hash map, no sort:
//!
//! 1. *Reach*: mark every ancestor of the root with this sweep's number.
//!    Check MyGrad's `InvalidBackprop` condition before anything changes: a
//!    variable parent of a live op that no live op uses any more (an earlier
//!    backward or `clear_graph` cleared it). Null the stale gradients of the
//!    reached variables.
//! 2. *Propagate*: from the root down, each reached variable with a live op
//!    gives its parents their gradients; then the node is cleared (its op
//!    record dropped, its user count zeroed) as MyGrad's `clear_graph` does.
//!    A contribution to a parent that already has a gradient is added into
//!    it in place when the op can (`Op::backward_into`: sums, means, `±`,
//!    and scaling by a scalar), in the same order and with the same bits as
//!    forming it and adding it; every other one is formed, then added.
//!    Large gradients of sums and means travel spread, not formed, while the
//!    rules they meet allow it (`grad.rs`).
//!
//! A node's user count (`n_ops`) is MyGrad's `_ops` set as a number. A clear
//! zeroes it; `Graph::rewind` decrements it, saturating, for each reclaimed
//! live user. Saturation is exact: reclaimed nodes are always the newest, so
//! if some reclaimed user's share had been wiped by a clear, every surviving
//! user was created before that clear too, and the true count is zero.

use causing_diff_kernels::{broadcast_shapes, Dims};

use crate::array::Array;
use crate::error::{Error, Result};
use crate::eval;
use crate::grad::Grad;
use crate::graph::{Inner, Node};
use crate::ops::Inputs;
use crate::pool::Pool;

/// Gradients of fewer elements are always formed, then added: for them the
/// formed route's one-element fast paths are quicker than the in-place one
/// (W1, whose `x·y` adds a scalar into `x`'s gradient, took 681–707 ns with
/// every size in place against 593–622 without).
const IN_PLACE_MIN: usize = 1024;

impl Inner {
    /// Back-propagates from node `root`, seeded with ones or with `seed`.
    pub(crate) fn backward(&mut self, root: usize, seed: Option<&Array>) -> Result<()> {
        if self.no_autodiff > 0 {
            // MyGrad: backward inside `no_autodiff` does nothing.
            return Ok(());
        }
        if self.nodes[root].constant {
            let lo = self.reach(root);
            self.clear_reached(root, lo);
            return Ok(());
        }
        // Validate and build the seed before touching the graph.
        let seed = match seed {
            None => {
                let Inner { nodes, pool, .. } = self;
                eval::full_like(&nodes[root].value, 1.0, pool, "backward")?
            }
            Some(g) => {
                let shape = Dims::from(self.nodes[root].value.shape());
                let dtype = self.nodes[root].value.dtype();
                let ok = broadcast_shapes(g.shape(), &shape).is_some_and(|b| b[..] == shape[..]);
                if !ok {
                    return Err(Error::BadBackwardGradShape {
                        grad: g.shape().to_vec(),
                        tensor: shape.to_vec(),
                    });
                }
                eval::broadcast_cast(g, &shape, dtype, &mut self.pool)?
            }
        };
        let lo = match self.reach_checked(root) {
            Ok(lo) => lo,
            Err(e) => {
                self.pool.give(seed.buf);
                return Err(e);
            }
        };
        if let Some(old) = self.nodes[root].grad.replace(Grad::Formed(seed)) {
            old.give(&mut self.pool);
        }
        self.propagate(root, lo)
    }

    /// Clears the graph above `root` (MyGrad's `Tensor.clear_graph`).
    pub(crate) fn clear_graph(&mut self, root: usize) {
        let lo = self.reach(root);
        self.clear_reached(root, lo);
    }

    fn next_sweep(&mut self) -> u32 {
        self.sweep = self.sweep.wrapping_add(1);
        if self.sweep == 0 {
            // After 2^32 sweeps, restart numbering with no stale marks.
            for n in self.nodes.iter_mut() {
                n.reach = 0;
            }
            self.sweep = 1;
        }
        self.sweep
    }

    /// Marks every ancestor of `root`; returns the lowest index reached.
    fn reach(&mut self, root: usize) -> usize {
        self.mark_ancestors(root, false)
            .expect("no checks, no errors")
    }

    /// `reach`, plus MyGrad's `InvalidBackprop` check and the nulling of the
    /// reached variables' stale gradients.
    fn reach_checked(&mut self, root: usize) -> Result<usize> {
        let lo = self.mark_ancestors(root, true)?;
        let s = self.sweep;
        for i in lo..root {
            let node = &mut self.nodes[i];
            if node.reach == s && !node.constant {
                if let Some(g) = node.grad.take() {
                    g.give(&mut self.pool);
                }
            }
        }
        Ok(lo)
    }

    /// One downward sweep marking the ancestors of `root`; with `check`, a
    /// variable parent of a reached live variable that no live op uses any
    /// more is an `InvalidBackprop` (found in the same order as a separate
    /// scan from the root down would find it; marks change nothing else).
    fn mark_ancestors(&mut self, root: usize, check: bool) -> Result<usize> {
        let s = self.next_sweep();
        self.nodes[root].reach = s;
        let mut lo = root;
        for i in (0..=root).rev() {
            if i < lo {
                break;
            }
            let node = &self.nodes[i];
            if node.reach != s || !node.live {
                continue;
            }
            let check = check && !node.constant;
            let (a, n) = node.edges_at;
            for k in a..a + n {
                let p = self.edges[k as usize] as usize;
                let parent = &mut self.nodes[p];
                if check && !parent.constant && parent.n_ops == 0 {
                    return Err(Error::InvalidBackprop { node: p });
                }
                parent.reach = s;
                lo = lo.min(p);
            }
        }
        Ok(lo)
    }

    fn clear_reached(&mut self, root: usize, lo: usize) {
        let s = self.sweep;
        for node in &mut self.nodes[lo..=root] {
            if node.reach == s {
                node.n_ops = 0;
                node.live = false;
            }
        }
    }

    /// Step 2 of the DESIGN note.
    fn propagate(&mut self, root: usize, lo: usize) -> Result<()> {
        let s = self.sweep;
        let mut scratch = core::mem::take(&mut self.scratch);
        let mut result = Ok(());
        for i in (lo..=root).rev() {
            if self.nodes[i].reach != s {
                continue;
            }
            if result.is_ok() && self.nodes[i].live && !self.nodes[i].constant {
                result = match self.node_grads_lane(i) {
                    Ok(true) => Ok(()),
                    Ok(false) => self.node_grads(i, &mut scratch),
                    Err(e) => Err(e),
                };
                if result.is_ok() {
                    for (p, g) in scratch.drain(..) {
                        if let Err(e) = self.accumulate(p as usize, g) {
                            result = Err(e);
                        }
                    }
                }
            }
            let node = &mut self.nodes[i];
            node.n_ops = 0;
            node.live = false;
        }
        for (_, g) in scratch.drain(..) {
            g.give(&mut self.pool);
        }
        self.scratch = scratch;
        result
    }

    /// The gradients node `i` sends to its variable parents, reduced to each
    /// parent's shape and dtype. Gradients of at least [`IN_PLACE_MIN`]
    /// elements go through [`Inner::node_grads_in_place`] instead.
    fn node_grads(&mut self, i: usize, out: &mut Vec<(u32, Grad)>) -> Result<()> {
        let node = &self.nodes[i];
        if node.grad.as_ref().is_some_and(|g| g.size() >= IN_PLACE_MIN) {
            return self.node_grads_in_place(i, out);
        }
        let Inner {
            nodes,
            edges,
            params,
            pool,
            ..
        } = self;
        let node: &Node = &nodes[i];
        let Some(grad) = node.grad.as_ref() else {
            return Ok(());
        };
        let (a, n) = node.edges_at;
        let parents = &edges[a as usize..(a + n) as usize];
        let (pa, pn) = node.params_at;
        let ins = Inputs {
            nodes,
            parents,
            params: &params[pa as usize..(pa + pn) as usize],
        };
        for (k, &p) in parents.iter().enumerate() {
            let parent = &nodes[p as usize];
            if parent.constant {
                continue;
            }
            let g = node
                .op
                .backward(&ins, &node.value, grad, k, parent.value.shape(), pool)?;
            let g = eval::reduce_to(g, parent.value.shape(), parent.value.dtype(), pool)?;
            out.push((p, g));
        }
        Ok(())
    }

    /// [`Inner::node_grads`] for a large gradient (its formed route repeats
    /// `node_grads`' loop body on purpose: sharing it through a helper, even
    /// an always-inlined one, cost W1 115–163 more instructions per call in
    /// callgrind): one the op can add
    /// straight into a parent's existing gradient (same dtype, and no
    /// contribution of this node to that parent still pending in `out`, so
    /// the order of additions is the one [`Inner::accumulate`] would give)
    /// goes there without being formed.
    #[inline(never)]
    fn node_grads_in_place(&mut self, i: usize, out: &mut Vec<(u32, Grad)>) -> Result<()> {
        let Inner {
            nodes,
            edges,
            params,
            pool,
            ..
        } = self;
        // Parents come before their child in creation order.
        let (below, rest) = nodes.split_at_mut(i);
        let (a, n) = rest[0].edges_at;
        let parents = &edges[a as usize..(a + n) as usize];
        let (pa, pn) = rest[0].params_at;
        let params = &params[pa as usize..(pa + pn) as usize];
        if let Some(grad @ Grad::Spread(_)) = rest[0].grad.as_mut() {
            if !rest[0].op.takes_spread() {
                // Formed once for all the inputs (see grad.rs).
                grad.form_in_place(pool)?;
            }
        }
        let node: &Node = &rest[0];
        let Some(grad) = node.grad.as_ref() else {
            return Ok(());
        };
        for (k, &p) in parents.iter().enumerate() {
            if below[p as usize].constant {
                continue;
            }
            if !out.iter().any(|&(q, _)| q == p)
                && add_in_place(node, grad, below, parents, params, k, pool)?
            {
                continue;
            }
            let ins = Inputs {
                nodes: below,
                parents,
                params,
            };
            let parent = &below[p as usize];
            let g = node
                .op
                .backward(&ins, &node.value, grad, k, parent.value.shape(), pool)?;
            let g = eval::reduce_to(g, parent.value.shape(), parent.value.dtype(), pool)?;
            out.push((p, g));
        }
        Ok(())
    }

    #[inline(always)]
    fn accumulate(&mut self, p: usize, g: Grad) -> Result<()> {
        let node = &mut self.nodes[p];
        if node.grad.is_none() {
            node.grad = Some(g);
            return Ok(());
        }
        self.add_to_grad(p, g)
    }

    /// [`Inner::accumulate`] into an existing gradient.
    #[inline(never)]
    fn add_to_grad(&mut self, p: usize, g: Grad) -> Result<()> {
        let node = &mut self.nodes[p];
        match node.grad.as_mut() {
            None => node.grad = Some(g),
            Some(Grad::Spread(s)) if matches!(&g, Grad::Spread(t) if t.src.shape() == s.src.shape()) =>
            {
                // Two spreads of one source shape: the sum stays spread,
                // each element the same `acc + g` as formed.
                eval::add_assign(&mut s.src, g.data());
                g.give(&mut self.pool);
            }
            Some(acc) => {
                acc.form_in_place(&mut self.pool)?;
                let Grad::Formed(acc) = acc else {
                    unreachable!("formed above")
                };
                eval::add_grad(acc, &g);
                g.give(&mut self.pool);
            }
        }
        Ok(())
    }
}

/// Adds `node`'s gradient for its input `k` into that input's existing
/// gradient when it has one of `grad`'s dtype and the op can
/// (`Op::backward_into`); false if not. A spread existing gradient is formed first.
fn add_in_place(
    node: &Node,
    grad: &Grad,
    below: &mut [Node],
    parents: &[u32],
    params: &[isize],
    k: usize,
    pool: &mut Pool,
) -> Result<bool> {
    let p = parents[k] as usize;
    let Some(mut acc) = below[p].grad.take_if(|acc| acc.dtype() == grad.dtype()) else {
        return Ok(false);
    };
    let ins = Inputs {
        nodes: below,
        parents,
        params,
    };
    let added = match acc.form_in_place(pool) {
        Ok(()) => {
            let Grad::Formed(formed) = &mut acc else {
                unreachable!("formed above")
            };
            node.op.backward_into(&ins, grad, k, formed, pool)
        }
        Err(e) => Err(e),
    };
    below[p].grad = Some(acc);
    added
}

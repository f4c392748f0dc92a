//! The arena: a [`Graph`] owns every node of one computation (value, dtype,
//! shape, the op that made it, its parents, its gradient) in creation order,
//! which is a topological order; a [`Tensor`] is a small `Copy` handle into it.
//!
//! Why not `typed-arena`: it cannot free or reset part of an arena, and its
//! references borrow the arena. A training loop must reclaim each step's nodes
//! and reuse their buffers ([`Graph::rewind`]), so nodes live in a plain `Vec`
//! whose buffers go back to a [`Pool`](crate::pool::Pool).

use core::cell::RefCell;

use crate::array::Array;
use crate::error::{Error, Result};
use crate::ops::Op;
use crate::pool::Pool;
use crate::rng::Rng;

/// One computation's arena of tensors.
///
/// Create tensors with [`Graph::tensor`] and the other creation methods;
/// combine them with operators and methods; call
/// [`Tensor::backward`](crate::Tensor::backward) on a result.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let x = g.tensor(2.0);
/// let y = g.tensor(4.0);
/// let f = x * y + x.pow(2.0);
/// assert_eq!(f.to_string(), "Tensor(12.)");
/// f.backward();
/// assert_eq!(x.grad().unwrap().to_string(), "array(8.)");
/// assert_eq!(y.grad().unwrap().to_string(), "array(2.)");
/// ```
///
/// # Threads
///
/// A `Graph` is `Send` (it can move to another thread with all its nodes) but
/// not `Sync`, and a [`Tensor`] borrows its graph, so tensors never cross
/// threads. Use one graph per thread.
pub struct Graph {
    pub(crate) inner: RefCell<Inner>,
}

/// A position in a graph's history, to [`Graph::rewind`] to.
///
/// ```
/// use causing_diff::prelude::*;
/// let g = Graph::new();
/// let w = g.tensor(10.0);
/// let mark = g.mark();
/// for _ in 0..3 {
///     let loss = w.pow(2.0);
///     loss.backward();
///     w.gradient_step(0.3);
///     g.rewind(mark); // reclaims `loss`; `w` and its grad stay
/// }
/// assert_eq!(g.len(), 1);
/// assert!((w.item() - 0.64).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    len: u32,
    last_stamp: u64,
}

/// A tensor: a handle to one node of a [`Graph`].
///
/// Small and `Copy`, so operators take it by value (`x * y + x`). The handle
/// carries the node's creation stamp: after [`Graph::rewind`] reclaims the
/// node, using the handle is an [`Error::StaleTensor`], never another
/// tensor's data.
#[derive(Clone, Copy)]
pub struct Tensor<'g> {
    pub(crate) graph: &'g Graph,
    pub(crate) idx: u32,
    pub(crate) stamp: u64,
}

pub(crate) struct Node {
    pub(crate) stamp: u64,
    pub(crate) value: Array,
    pub(crate) grad: Option<crate::grad::Grad>,
    /// The op that made the node; `Op::Leaf` for leaves.
    pub(crate) op: Op,
    /// False for leaves and for nodes whose op record a backward pass or
    /// `clear_graph` cleared.
    pub(crate) live: bool,
    pub(crate) constant: bool,
    /// Parents: `edges[edges_at.0 .. edges_at.0 + edges_at.1]`.
    pub(crate) edges_at: (u32, u32),
    /// Op parameters (axes, permutations): a range of `params`.
    pub(crate) params_at: (u32, u32),
    /// How many live ops use this node (MyGrad's `_ops`). Zero means no
    /// live graph depends on its data.
    pub(crate) n_ops: u32,
    /// The last sweep that reached this node.
    pub(crate) reach: u32,
}

/// The arena's nodes: the live ones, which the type derefs to (creation
/// order, so `nodes[i]` is node `i`), then the slots of reclaimed ones.
///
/// Why keep reclaimed slots: a training loop records and reclaims the same
/// few nodes every step, and a node is large (288 bytes). Pushing one built
/// it on the stack and copied it in with `memcpy`; dropping it ran its drop
/// glue. A reused slot is written field by field and never dropped; its
/// buffers went back to the pool when it was reclaimed ([`Inner::truncate`]).
#[derive(Default)]
pub(crate) struct Nodes {
    slots: Vec<Node>,
    live: usize,
}

impl core::ops::Deref for Nodes {
    type Target = [Node];
    #[inline(always)]
    fn deref(&self) -> &[Node] {
        &self.slots[..self.live]
    }
}

impl core::ops::DerefMut for Nodes {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Node] {
        &mut self.slots[..self.live]
    }
}

impl Nodes {
    /// Appends a node, in a reclaimed slot when there is one. An op node
    /// starts live; a leaf has no op record to be live.
    #[inline(always)]
    fn push(
        &mut self,
        stamp: u64,
        value: Array,
        op: Op,
        constant: bool,
        edges_at: (u32, u32),
        params_at: (u32, u32),
    ) {
        let live = !matches!(op, Op::Leaf);
        if let Some(n) = self.slots.get_mut(self.live) {
            // Reclaimed: its value holds no buffer and its gradient was
            // taken (`Inner::truncate`).
            debug_assert!(n.grad.is_none(), "a reclaimed slot keeps its gradient");
            n.stamp = stamp;
            n.value = value;
            n.op = op;
            n.live = live;
            n.constant = constant;
            n.edges_at = edges_at;
            n.params_at = params_at;
            n.n_ops = 0;
            n.reach = 0;
        } else {
            self.slots.push(Node {
                stamp,
                value,
                grad: None,
                op,
                live,
                constant,
                edges_at,
                params_at,
                n_ops: 0,
                reach: 0,
            });
        }
        self.live += 1;
    }

    /// Marks the nodes from `len` on reclaimed (their buffers must already
    /// be released).
    #[inline(always)]
    fn truncate(&mut self, len: usize) {
        self.live = self.live.min(len);
    }

    /// Drops the slots of reclaimed nodes.
    fn shrink(&mut self) {
        self.slots.truncate(self.live);
    }
}

pub(crate) struct Inner {
    pub(crate) nodes: Nodes,
    pub(crate) edges: Vec<u32>,
    pub(crate) params: Vec<isize>,
    pub(crate) pool: Pool,
    pub(crate) next_stamp: u64,
    pub(crate) sweep: u32,
    pub(crate) rng: Rng,
    /// Gradients computed for one node's parents, before accumulation.
    pub(crate) scratch: Vec<(u32, crate::grad::Grad)>,
    /// What an op's forward saves for its backward (appended to its params).
    pub(crate) saved: Vec<usize>,
    /// How many `Graph::no_autodiff` scopes are open (tracking.rs): while
    /// non-zero, ops record constant leaves instead of graph nodes.
    pub(crate) no_autodiff: u32,
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl Graph {
    /// An empty graph. Its random generator starts from fresh entropy; see
    /// [`Graph::seed`].
    pub fn new() -> Graph {
        Graph {
            inner: RefCell::new(Inner {
                nodes: Nodes::default(),
                edges: Vec::new(),
                params: Vec::new(),
                pool: Pool::default(),
                next_stamp: 1,
                sweep: 0,
                rng: Rng::from_entropy(),
                scratch: Vec::new(),
                saved: Vec::new(),
                no_autodiff: 0,
            }),
        }
    }

    /// The number of nodes currently in the arena.
    pub fn len(&self) -> usize {
        self.inner.borrow().nodes.len()
    }

    /// Whether the arena holds no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The current end of the graph's history, for [`Graph::rewind`].
    pub fn mark(&self) -> Mark {
        let inner = self.inner.borrow();
        Mark {
            len: inner.nodes.len() as u32,
            last_stamp: inner.nodes.last().map_or(0, |n| n.stamp),
        }
    }

    /// Reclaims every node created after `mark`, keeping their buffers for
    /// reuse. Tensors created before the mark — parameters, typically — keep
    /// their data and gradients; handles to reclaimed nodes become stale.
    ///
    /// Panics with the message of [`Graph::try_rewind`]'s error.
    #[track_caller]
    #[inline]
    pub fn rewind(&self, mark: Mark) {
        if let Err(e) = self.try_rewind(mark) {
            panic!("{e}")
        }
    }

    /// [`Graph::rewind`], failing with [`Error::InvalidArgument`] when the
    /// mark's nodes were themselves already reclaimed.
    #[inline]
    pub fn try_rewind(&self, mark: Mark) -> Result<()> {
        let mut inner = self.inner.borrow_mut();
        let len = mark.len as usize;
        let valid =
            len <= inner.nodes.len() && (len == 0 || inner.nodes[len - 1].stamp == mark.last_stamp);
        if !valid {
            return Err(Error::InvalidArgument {
                op: "rewind",
                message: "the mark refers to nodes that were already reclaimed".into(),
            });
        }
        inner.truncate(len);
        Ok(())
    }

    /// Sets the seed of the graph's random generator (used by
    /// [`Graph::rand`] and [`Graph::randn`]), for reproducible draws.
    pub fn seed(&self, seed: u64) {
        self.inner.borrow_mut().rng = Rng::new(seed);
    }

    /// Drops the idle buffers the graph keeps for reuse.
    pub fn release_memory(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.pool.clear();
        inner.nodes.shrink();
    }

    pub(crate) fn handle(&self, (idx, stamp): (u32, u64)) -> Tensor<'_> {
        Tensor {
            graph: self,
            idx,
            stamp,
        }
    }
}

impl Inner {
    /// The node index of a handle, or `StaleTensor`.
    #[inline]
    pub(crate) fn check(&self, idx: u32, stamp: u64) -> Result<usize> {
        match self.nodes.get(idx as usize) {
            Some(n) if n.stamp == stamp => Ok(idx as usize),
            _ => Err(Error::StaleTensor { node: idx as usize }),
        }
    }

    fn next_ids(&mut self) -> Result<(u32, u64)> {
        let idx = u32::try_from(self.nodes.len()).map_err(|_| Error::TooLarge {
            op: "graph",
            shape: vec![self.nodes.len()],
        })?;
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        Ok((idx, stamp))
    }

    /// Appends a leaf.
    pub(crate) fn leaf(&mut self, value: Array, constant: bool) -> Result<(u32, u64)> {
        let (idx, stamp) = self.next_ids()?;
        let at = self.edges.len() as u32;
        let pat = self.params.len() as u32;
        self.nodes
            .push(stamp, value, Op::Leaf, constant, (at, 0), (pat, 0));
        Ok((idx, stamp))
    }

    /// Records an op node whose parents and params were pushed onto `edges`
    /// and `params` from `edges_start` / `params_start`.
    ///
    /// The output is a constant iff every parent is (or its dtype cannot
    /// carry a gradient). Every parent gains a live user; unless the op is a
    /// view, involving a parent nulls its gradient (MyGrad).
    pub(crate) fn record(
        &mut self,
        op: Op,
        value: Array,
        edges_start: usize,
        params_start: usize,
    ) -> Result<(u32, u64)> {
        if self.no_autodiff > 0 {
            // Inside `Graph::no_autodiff` (tracking.rs): keep the value as a
            // constant leaf; no edges, no data locks, no nulled gradients.
            self.edges.truncate(edges_start);
            self.params.truncate(params_start);
            return self.leaf(value, true);
        }
        let (idx, stamp) = self.next_ids()?;
        let mut constant = !value.dtype().is_float();
        let mut all_const = true;
        let nulls = !op.is_view();
        for k in edges_start..self.edges.len() {
            let p = &mut self.nodes[self.edges[k] as usize];
            all_const &= p.constant;
            p.n_ops = p.n_ops.saturating_add(1);
            if nulls {
                if let Some(g) = p.grad.take() {
                    g.give(&mut self.pool);
                }
            }
        }
        constant |= all_const;
        self.nodes.push(
            stamp,
            value,
            op,
            constant,
            (edges_start as u32, (self.edges.len() - edges_start) as u32),
            (
                params_start as u32,
                (self.params.len() - params_start) as u32,
            ),
        );
        Ok((idx, stamp))
    }

    /// Pops nodes down to `len`, returning their buffers to the pool and
    /// releasing the data locks their live ops held.
    pub(crate) fn truncate(&mut self, len: usize) {
        // Released in place; the slots stay for the next nodes (`Nodes`).
        for i in (len..self.nodes.len()).rev() {
            let node = &mut self.nodes[i];
            if node.live {
                let (s, n) = node.edges_at;
                for k in s..s + n {
                    let p = self.edges[k as usize] as usize;
                    if p < i {
                        // Saturating: a clear of `p` may already have zeroed
                        // this op's share, in which case `p` has no older
                        // live users left either (see DESIGN in backward.rs).
                        self.nodes[p].n_ops = self.nodes[p].n_ops.saturating_sub(1);
                    }
                }
            }
            let node = &mut self.nodes[i];
            let value =
                core::mem::replace(&mut node.value.buf, crate::array::Buf::Bool(Vec::new()));
            let grad = node.grad.take();
            self.pool.give(value);
            if let Some(g) = grad {
                g.give(&mut self.pool);
            }
        }
        self.nodes.truncate(len);
        let (edges_end, params_end) = match self.nodes.last() {
            Some(n) => (n.edges_at.0 + n.edges_at.1, n.params_at.0 + n.params_at.1),
            None => (0, 0),
        };
        self.edges.truncate(edges_end as usize);
        self.params.truncate(params_end as usize);
    }
}

/// An operand of a binary operation: a tensor of the same graph, a Rust
/// scalar (weak: it takes the tensor's float dtype) or a plain array (a
/// constant).
#[derive(Clone)]
pub enum Operand<'g> {
    /// A tensor.
    Tensor(Tensor<'g>),
    /// A Rust number.
    Scalar(crate::dtype::Scalar),
    /// A plain array, used as a constant.
    Array(Array),
}

/// Values usable as an [`Operand`]: tensors, `f64`, `f32`, `i64`, `i32`,
/// `bool`, [`Array`] and `&Array`.
pub trait IntoOperand<'g> {
    /// Converts into an operand.
    fn into_operand(self) -> Operand<'g>;
}

impl<'g> IntoOperand<'g> for Tensor<'g> {
    fn into_operand(self) -> Operand<'g> {
        Operand::Tensor(self)
    }
}

impl<'g> IntoOperand<'g> for Array {
    fn into_operand(self) -> Operand<'g> {
        Operand::Array(self)
    }
}

impl<'g> IntoOperand<'g> for &Array {
    fn into_operand(self) -> Operand<'g> {
        Operand::Array(self.clone())
    }
}

macro_rules! scalar_operand {
    ($($t:ty),*) => {$(
        impl<'g> IntoOperand<'g> for $t {
            fn into_operand(self) -> Operand<'g> {
                Operand::Scalar(self.into())
            }
        }
    )*};
}
scalar_operand!(f64, f32, i64, i32, bool);

impl Graph {
    /// Applies `op` to `operands` and records the result: resolves scalars
    /// and arrays into constant leaves, computes the value, appends the node.
    /// On error the graph is left as it was.
    pub(crate) fn apply<'g>(
        &'g self,
        op: Op,
        operands: &[Operand<'g>],
        params: &[isize],
    ) -> Result<Tensor<'g>> {
        let mut inner = self.inner.borrow_mut();
        let len_before = inner.nodes.len();
        let result = inner.apply(self, op, operands, params);
        match result {
            Ok(ids) => Ok(self.handle(ids)),
            Err(e) => {
                inner.truncate(len_before);
                Err(e)
            }
        }
    }
}

impl Inner {
    fn apply(
        &mut self,
        graph: &Graph,
        op: Op,
        operands: &[Operand<'_>],
        params: &[isize],
    ) -> Result<(u32, u64)> {
        if params.is_empty() {
            if let Some(r) = self.apply_lane(graph, op, operands) {
                return r;
            }
        }
        // The dtype weak scalars adapt to: that of the tensor operands.
        let mut tensor_dtype = None;
        for o in operands {
            let d = match o {
                Operand::Tensor(t) => {
                    if !core::ptr::eq(t.graph, graph) {
                        return Err(Error::GraphMismatch { op: op.name() });
                    }
                    let i = self.check(t.idx, t.stamp)?;
                    self.nodes[i].value.dtype()
                }
                Operand::Array(a) => a.dtype(),
                Operand::Scalar(_) => continue,
            };
            tensor_dtype = Some(tensor_dtype.map_or(d, |t| crate::dtype::DType::promote(t, d)));
        }
        let mut ids: [u32; 8] = [0; 8];
        let mut extra: Vec<u32> = Vec::new();
        for (k, o) in operands.iter().enumerate() {
            let id = match o {
                Operand::Tensor(t) => t.idx,
                Operand::Array(a) => self.leaf(a.clone(), true)?.0,
                Operand::Scalar(s) => {
                    let dtype = tensor_dtype
                        .map_or_else(|| crate::eval::scalar_dtype(*s), |d| d.promote_weak(*s));
                    let value = crate::eval::scalar_array(*s, dtype, &mut self.pool, op.name())?;
                    self.leaf(value, true)?.0
                }
            };
            if k < ids.len() {
                ids[k] = id;
            } else {
                extra.push(id);
            }
        }
        let edges_start = self.edges.len();
        let params_start = self.params.len();
        // Pushed one by one: `extend_from_slice` called `memmove` for each
        // of these few ids (1.8% of W1's samples).
        for &id in ids[..operands.len().min(ids.len())].iter().chain(&extra) {
            self.edges.push(id);
        }
        for &p in params {
            self.params.push(p);
        }
        let Inner {
            nodes,
            edges,
            params: all_params,
            pool,
            saved,
            ..
        } = self;
        let ins = crate::ops::Inputs {
            nodes,
            parents: &edges[edges_start..],
            params: &all_params[params_start..],
        };
        saved.clear();
        let value = op.forward(&ins, pool, saved)?;
        // What the forward saved for its backward rule follows the params.
        all_params.extend(saved.iter().map(|&s| s as isize));
        self.record(op, value, edges_start, params_start)
    }
}

//! Whole-graph utilities: suspending graph tracking ([`Graph::no_autodiff`]),
//! clearing every live op ([`Graph::clear_graph`]) and nulling gradients in
//! bulk (MyGrad's `null_gradients`). The only state they need, the count of
//! open `no_autodiff` scopes, is a field of the arena (`graph.rs`).

use crate::graph::{Graph, Inner, Tensor};
use crate::tensor::ok;

/// Closes a `no_autodiff` scope when dropped, so that a panic inside the
/// closure does not leave the graph untracked.
struct Scope<'a>(&'a Graph);

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        let mut inner = self.0.inner.borrow_mut();
        inner.no_autodiff = inner.no_autodiff.saturating_sub(1);
    }
}

impl Graph {
    /// Runs `f` with graph tracking suspended (MyGrad's `no_autodiff`) and
    /// returns its value.
    ///
    /// Inside the scope, operations compute their values but record no
    /// graph: each result is a new *constant* leaf, its inputs gain no
    /// users (their data stays writable) and keep their gradients, and
    /// [`Tensor::backward`] does nothing. Creation functions make tensors as
    /// usual. Scopes nest; tracking resumes when the outermost one ends,
    /// even if `f` panics.
    ///
    /// One difference from MyGrad: MyGrad makes a float result a variable
    /// leaf with no history; here it is a constant, like PyTorch's
    /// `no_grad`, so no gradient can reach it later by accident.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let w = g.tensor([1.0, 2.0]);
    /// (w * w).sum().backward();
    /// let norm = g.no_autodiff(|| (w * w).sum().sqrt());
    /// assert!(norm.is_constant());
    /// assert_eq!(w.grad().unwrap().to_string(), "array([2., 4.])"); // not nulled
    /// w.set_data([3.0, 4.0]); // not locked by the untracked ops
    /// assert!(g.is_tracking());
    /// ```
    pub fn no_autodiff<R>(&self, f: impl FnOnce() -> R) -> R {
        {
            let mut inner = self.inner.borrow_mut();
            inner.no_autodiff = inner.no_autodiff.saturating_add(1);
        }
        let _scope = Scope(self);
        f()
    }

    /// Whether operations record graph nodes: `false` inside
    /// [`Graph::no_autodiff`].
    pub fn is_tracking(&self) -> bool {
        self.inner.borrow().no_autodiff == 0
    }

    /// Clears every live op of the graph (MyGrad's `clear_graph`, for all
    /// tensors at once): all data locks are released, gradients and values
    /// stay, and a later backward through a cleared op is an
    /// [`Error::InvalidBackprop`](crate::Error::InvalidBackprop).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let w = g.tensor(1.0);
    /// let _a = w * 2.0;
    /// let _b = w + 1.0;
    /// assert!(w.try_set_data(5.0).is_err()); // two live ops use `w`
    /// g.clear_graph();
    /// w.set_data(5.0);
    /// ```
    pub fn clear_graph(&self) {
        for node in self.inner.borrow_mut().nodes.iter_mut() {
            node.n_ops = 0;
            node.live = false;
        }
    }

    /// Nulls the gradient of every tensor in the graph, then clears every
    /// live op if `clear_graph` (see [`Graph::clear_graph`]).
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor(2.0);
    /// let y = x * x;
    /// y.backward();
    /// g.null_gradients(true);
    /// assert!(x.grad().is_none() && y.grad().is_none());
    /// ```
    pub fn null_gradients(&self, clear_graph: bool) {
        {
            let mut inner = self.inner.borrow_mut();
            let Inner { nodes, pool, .. } = &mut *inner;
            for node in nodes.iter_mut() {
                if let Some(g) = node.grad.take() {
                    g.give(pool);
                }
            }
        }
        if clear_graph {
            self.clear_graph();
        }
    }
}

impl<'g> Tensor<'g> {
    /// Nulls the gradient of this tensor and of every tensor it was computed
    /// from, then clears the graph above it if `clear_graph` (see
    /// [`Tensor::clear_graph`]). MyGrad's `null_gradients(clear_graph)`,
    /// with its documented meaning: MyGrad 2.5 deprecates the method and
    /// makes it do nothing but warn.
    ///
    /// The ancestry followed is the one the ops recorded, so it still
    /// reaches the inputs after a backward pass has cleared the graph.
    /// Panics only on a stale handle.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let (x, y) = (g.tensor(2.0), g.tensor(3.0));
    /// let w = x * y;
    /// let f = 2.0 * w;
    /// let other = g.tensor(1.0);
    /// (other * 2.0).backward();
    /// f.backward();
    /// f.null_gradients(true);
    /// assert!([f, w, x, y].iter().all(|t| t.grad().is_none()));
    /// assert!(other.grad().is_some()); // not upstream of `f`
    /// ```
    #[track_caller]
    pub fn null_gradients(self, clear_graph: bool) -> Tensor<'g> {
        {
            let mut inner = self.graph.inner.borrow_mut();
            let root = ok(inner.check(self.idx, self.stamp));
            let upstream = inner.upstream(root);
            let Inner { nodes, pool, .. } = &mut *inner;
            for (node, _) in nodes.iter_mut().zip(&upstream).filter(|(_, &up)| up) {
                if let Some(g) = node.grad.take() {
                    g.give(pool);
                }
            }
        }
        if clear_graph {
            self.clear_graph();
        }
        self
    }
}

impl Inner {
    /// Which nodes `root` was computed from (itself included), following
    /// every recorded edge, live or cleared: `upstream[i]` for `i <= root`.
    /// Creation order is topological, so one downward sweep suffices.
    pub(crate) fn upstream(&self, root: usize) -> Vec<bool> {
        let mut up = vec![false; root + 1];
        up[root] = true;
        for i in (0..=root).rev() {
            if !up[i] {
                continue;
            }
            let (a, n) = self.nodes[i].edges_at;
            for &p in &self.edges[a as usize..(a + n) as usize] {
                up[p as usize] = true;
            }
        }
        up
    }
}

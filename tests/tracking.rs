//! Scenario tests of the whole-graph utilities: `no_autodiff` scopes,
//! `Graph::clear_graph` and `null_gradients`.

use causing_diff::prelude::*;

#[test]
fn no_autodiff_computes_values_and_records_constants() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0]);
    let y = g.no_autodiff(|| {
        assert!(!g.is_tracking());
        (x * 3.0 + x.exp()).sum()
    });
    assert!(g.is_tracking());
    let expected = 3.0 + 6.0 + 1f64.exp() + 2f64.exp();
    assert!((y.item() - expected).abs() < 1e-12);
    assert!(y.is_constant());
    // No live graph: x's data is writable, and backward from y reaches nothing.
    x.set_data([5.0, 6.0]);
    y.backward();
    assert!(x.grad().is_none() && y.grad().is_none());
    // Tracking is back: the same expression now records a graph.
    let z = (x * 3.0).sum();
    assert!(!z.is_constant());
    assert!(x.try_set_data([0.0, 0.0]).is_err());
}

#[test]
fn no_autodiff_keeps_gradients_and_takes_no_locks() {
    let g = Graph::new();
    let w = g.tensor([1.0, -2.0]);
    let loss = (w * w).sum();
    // A live graph holds w; untracked ops neither add users nor clear it.
    let _ = g.no_autodiff(|| w.exp());
    loss.backward();
    assert_eq!(w.grad().unwrap().to_string(), "array([ 2., -4.])");
    // A non-view op would null w's gradient; an untracked one does not.
    let before = g.len();
    let m = g.no_autodiff(|| w.abs().mean());
    assert_eq!(m.item(), 1.5);
    assert_eq!(g.len(), before + 2, "one leaf per op, no op nodes");
    assert!(w.grad().is_some());
    assert!(w.gradient_step(0.5));
    assert_eq!(w.data().to_f64_vec(), vec![0.0, 0.0]);
}

#[test]
fn no_autodiff_backward_inside_the_scope_does_nothing() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = x * x; // tracked
    g.no_autodiff(|| y.backward());
    assert!(x.grad().is_none());
    // The graph is still live: a tracked backward works afterwards.
    y.backward();
    assert_eq!(x.grad().unwrap().item(), Some(4.0));
}

#[test]
fn no_autodiff_nests_and_returns_the_closures_value() {
    let g = Graph::new();
    let x = g.tensor(1.5);
    let (a, b) = g.no_autodiff(|| {
        let inner = g.no_autodiff(|| {
            assert!(!g.is_tracking());
            x * 2.0
        });
        assert!(!g.is_tracking(), "still inside the outer scope");
        (inner, inner + x)
    });
    assert!(g.is_tracking());
    assert!(a.is_constant() && b.is_constant());
    assert_eq!((a.item(), b.item()), (3.0, 4.5));
    // Creation functions are unaffected by the scope.
    let v = g.no_autodiff(|| g.tensor(1.0));
    assert!(!v.is_constant());
}

#[test]
fn no_autodiff_ends_even_when_the_closure_panics() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0]);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        g.no_autodiff(|| {
            let _ = x + g.tensor([1.0, 2.0, 3.0]); // shape mismatch: panics
        })
    }));
    assert!(caught.is_err());
    assert!(g.is_tracking());
    assert!(!(x * 2.0).is_constant());
}

#[test]
fn no_autodiff_errors_are_the_same_and_leave_nothing_behind() {
    let g = Graph::new();
    let x = g.tensor([1.0, 2.0]);
    let before = g.len();
    let err = g.no_autodiff(|| x.try_add(g.constant([1.0, 2.0, 3.0])).unwrap_err());
    assert!(matches!(err, Error::ShapeMismatch { op: "add", .. }));
    assert_eq!(g.len(), before + 1, "only the constant operand");
}

#[test]
fn graph_clear_graph_releases_every_lock() {
    let g = Graph::new();
    let w = g.tensor([1.0, 2.0]);
    let b = g.tensor(0.5);
    let y = w * 2.0 + b;
    let z = (w - b).sum();
    assert!(w.try_set_data([0.0, 0.0]).is_err());
    assert!(b.try_set_data(1.0).is_err());
    assert!(y.try_set_data([0.0, 0.0]).is_err(), "a live op's output");
    g.clear_graph();
    w.set_data([3.0, 4.0]);
    b.set_data(1.0);
    y.set_data([0.0, 0.0]);
    // Values stay readable; z's op record is gone, so a backward from z
    // reaches nothing above it.
    assert_eq!(z.item(), 2.0);
    z.backward();
    assert!(w.grad().is_none());
    // New graphs work as usual.
    let f = (w * w).sum();
    f.backward();
    assert_eq!(w.grad().unwrap().to_string(), "array([6., 8.])");
}

#[test]
fn graph_clear_graph_keeps_gradients() {
    let g = Graph::new();
    let x = g.tensor(3.0);
    (x * x).backward();
    let _pending = x * 2.0;
    g.clear_graph();
    assert!(
        x.grad().is_none(),
        "the multiply nulled it before the clear"
    );
    (x * x).backward();
    let _pending = x.reshape(&[1]); // a view keeps the gradient
    g.clear_graph();
    assert_eq!(x.grad().unwrap().item(), Some(6.0));
}

#[test]
fn tensor_null_gradients_reaches_everything_upstream_only() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = g.tensor(3.0);
    let w = x * y;
    let f = 2.0 * w;
    f.backward();
    let other = g.tensor(1.0);
    (other * other).backward();
    assert!([f, w, x, y, other].iter().all(|t| t.grad().is_some()));
    let same = f.null_gradients(false);
    assert!(same.grad().is_none());
    assert!([f, w, x, y].iter().all(|t| t.grad().is_none()));
    assert_eq!(other.grad().unwrap().item(), Some(2.0));
}

#[test]
fn tensor_null_gradients_can_clear_the_live_graph() {
    let g = Graph::new();
    let x = g.tensor(2.0);
    let y = x * 3.0;
    let z = y.exp();
    // Not back-propagated: the graph is live and x is locked.
    assert!(x.try_set_data(1.0).is_err());
    z.null_gradients(false);
    assert!(x.try_set_data(1.0).is_err(), "no clear: still locked");
    z.null_gradients(true);
    x.set_data(1.0);
    z.backward(); // z's op record is gone: nothing upstream to reach
    assert!(x.grad().is_none());
}

#[test]
fn graph_null_gradients_nulls_every_gradient() {
    let g = Graph::new();
    let a = g.tensor([1.0, 2.0]);
    let b = g.tensor(4.0);
    (a * 2.0).sum().backward();
    (b * b).backward();
    let live = a * b; // a live graph (the multiply nulled a's and b's grads)
    (a.sum() * 1.0).backward();
    assert!(a.grad().is_some());
    g.null_gradients(false);
    assert!(a.grad().is_none() && b.grad().is_none());
    assert!(b.try_set_data(0.0).is_err(), "`live` still holds b");
    g.null_gradients(true);
    b.set_data(0.0);
    assert!(live.grad().is_none());
}

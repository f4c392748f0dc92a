//! The seed's gradient-descent loop on L(w) = w²: one persistent `w`, the
//! loss rebuilt every step, `w`'s data updated in place.
//!
//! The first part is the tutorial's loop as written. The second runs it a
//! million times the way a Rust training loop should: `Graph::mark` before
//! the loop and `Graph::rewind` after each step reclaim the step's nodes,
//! so memory stays flat and no step allocates.
//!
//! Run: `cargo run --release --example gradient_descent`

use std::time::Instant;

use causing_diff::prelude::*;

fn main() {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let learning_rate = 0.3;
    println!("{w}");
    for _ in 0..10 {
        let loss = w.pow(2.0); // compute L(w)
        loss.backward(); // compute dL/dw
        w.gradient_step(learning_rate); // w.data -= lr * w.grad
        println!("{w}");
    }

    let w = g.tensor(10.0);
    let mark = g.mark();
    let nodes = g.len();
    let steps = 1_000_000;
    let start = Instant::now();
    for _ in 0..steps {
        let loss = w.pow(2.0);
        loss.backward();
        w.gradient_step(learning_rate);
        g.rewind(mark);
    }
    let per_step = start.elapsed().as_secs_f64() / steps as f64;
    println!(
        "\n{steps} steps: w = {w}, {:.0} ns per step; graph size {nodes} nodes before, {} after",
        per_step * 1e9,
        g.len()
    );
}

//! The seed's gradient-descent loop (SPEC §5): one persistent `w`, the loss
//! rebuilt every step, `w` updated in place. A million steps must run with
//! flat memory and zero heap allocations per step after warm-up, which a
//! counting global allocator checks here.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use causing_diff::prelude::*;

/// Counts this thread's allocations and live bytes (tests run on several
/// threads; each counts only its own).
struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        let _ = LIVE.try_with(|c| c.set(c.get() + layout.size() as i64));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|c| c.set(c.get() - layout.size() as i64));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        let _ = LIVE.try_with(|c| c.set(c.get() + new_size as i64 - layout.size() as i64));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(|c| c.get())
}

fn live() -> i64 {
    LIVE.with(|c| c.get())
}

/// One step of the tutorial's loop, with the step's nodes reclaimed.
fn step(g: &Graph, w: Tensor, mark: Mark) {
    let loss = w.pow(2.0);
    loss.backward();
    w.gradient_step(0.3);
    g.rewind(mark);
}

#[test]
fn a_million_steps_with_flat_memory_and_no_allocation() {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let mark = g.mark();
    for _ in 0..1000 {
        step(&g, w, mark);
    }
    let (a0, l0) = (allocs(), live());
    let nodes = g.len();
    for i in 0..1_000_000u32 {
        step(&g, w, mark);
        if i % 100_000 == 0 {
            assert_eq!(live(), l0, "live heap bytes changed at step {i}");
            assert_eq!(g.len(), nodes);
        }
    }
    assert_eq!(allocs() - a0, 0, "heap allocations in 1,000,000 steps");
    assert_eq!(live(), l0);
    // w shrinks by 0.4x per step and underflows to exactly 0.
    assert_eq!(w.item(), 0.0);
}

#[test]
fn the_tutorial_trace_through_the_allocation_free_path() {
    let g = Graph::new();
    let w = g.tensor(10.0);
    let mark = g.mark();
    let mut printed = vec![w.to_string()];
    for _ in 0..10 {
        step(&g, w, mark);
        printed.push(w.to_string());
    }
    assert_eq!(printed[1..4], ["Tensor(4.)", "Tensor(1.6)", "Tensor(0.64)"]);
    assert_eq!(printed[10], "Tensor(0.00104858)");
}

#[test]
fn a_vector_parameter_loop_is_allocation_free_too() {
    // The 2-D parabola with a shape-(2,) parameter and a constant weight.
    let g = Graph::new();
    let w = g.tensor([2.0, 4.0]);
    let c = g.constant([2.0, 3.0]);
    let mark = g.mark();
    let run = |n: usize| {
        for _ in 0..n {
            let loss = (c * w.pow(2.0)).sum();
            loss.backward();
            w.gradient_step(0.1);
            g.rewind(mark);
        }
    };
    run(100);
    let (a0, l0) = (allocs(), live());
    run(10_000);
    assert_eq!(allocs() - a0, 0);
    assert_eq!(live(), l0);
}

//! The one place that knows threads: when a kernel is worth splitting over
//! rayon's pool, and how. Everything else calls these helpers.
//!
//! Starting parallel work costs tens of microseconds on these machines, and
//! two threads on small arrays ran many times slower than one
//! (`../shared/bench/BASELINE.md`), so a kernel runs serially unless each
//! thread gets at least [`min_chunk`] elements, which depends on how much work
//! an element costs. Splits are contiguous and deterministic; elementwise
//! results do not depend on the thread count.

use core::ops::Range;

use rayon::prelude::*;

/// How much work one element of a kernel costs, for the split threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// Arithmetic, copies and casts: memory bound, well under a nanosecond.
    Cheap,
    /// Transcendental functions: about a nanosecond per element.
    Heavy,
}

/// The fewest elements a thread must get before splitting pays.
///
/// For cheap work, 2^18: an autodiff graph keeps every intermediate value
/// and gradient alive until it is rewound, so at a million elements the
/// arrays stream from L3 and memory, where two threads move more data than
/// one. Measured on W2 at N = 10^6 (24 passes over 4 MB arrays): 2^18 took
/// 10–14 ms a call against 21–30 ms for 2^19 (serial at that size), in
/// interleaved runs on the same machine.
#[inline]
pub fn min_chunk(cost: Cost) -> usize {
    match cost {
        Cost::Cheap => 1 << 18,
        Cost::Heavy => 1 << 15,
    }
}

/// How many pieces `n` elements of `cost` are split into (1: serial).
fn pieces(n: usize, cost: Cost) -> usize {
    let k = n / min_chunk(cost);
    if k < 2 {
        return 1; // no thread-pool call at all for small work
    }
    k.min(rayon::current_num_threads().max(1))
}

/// The ranges `0..n` is split into for `cost` (a single range when small),
/// each a multiple of 64 long but the last.
pub fn ranges(n: usize, cost: Cost) -> Vec<Range<usize>> {
    let k = pieces(n, cost);
    let step = n.div_ceil(k).div_ceil(64) * 64;
    (0..k)
        .map(|i| (i * step).min(n)..((i + 1) * step).min(n))
        .filter(|r| !r.is_empty() || n == 0)
        .collect()
}

/// Runs `f(range, out_chunk)` over the chunks of `out` given by
/// [`ranges`], in parallel when there is more than one.
pub fn for_chunks<U: Send>(out: &mut [U], cost: Cost, f: impl Fn(Range<usize>, &mut [U]) + Sync) {
    if pieces(out.len(), cost) == 1 {
        // The common case allocates nothing (training loops rely on it).
        f(0..out.len(), out);
        return;
    }
    let parts = ranges(out.len(), cost);
    let mut chunks: Vec<(Range<usize>, &mut [U])> = Vec::with_capacity(parts.len());
    let mut rest = out;
    let mut at = 0;
    for r in parts {
        let (head, tail) = rest.split_at_mut(r.end - at);
        at = r.end;
        chunks.push((r, head));
        rest = tail;
    }
    run_all(chunks, |(r, c)| f(r, c));
}

/// Runs `f` on every item, in parallel: two items from a user's thread go
/// through [`join_spinning`], anything else to rayon.
fn run_all<I: Send>(mut items: Vec<I>, f: impl Fn(I) + Sync + Send) {
    if items.len() == 2 && rayon::current_thread_index().is_none() {
        let (b, a) = (items.pop(), items.pop());
        join_spinning(|| a.map(&f), || b.map(&f));
    } else {
        items.into_par_iter().for_each(f);
    }
}

/// Runs `f(rows, out_chunk)` over chunks of whole rows: `out` holds `rows`
/// rows of equal length, and each chunk gets a range of them. Serial unless
/// the work is large enough for [`min_chunk`] elements per thread.
pub fn for_rows<U: Send>(
    rows: usize,
    out: &mut [U],
    cost: Cost,
    f: impl Fn(Range<usize>, &mut [U]) + Sync,
) {
    let k = pieces(out.len(), cost).min(rows);
    if k <= 1 || rows == 0 {
        f(0..rows, out);
        return;
    }
    let row_len = out.len() / rows;
    let per = rows.div_ceil(k);
    let mut chunks = Vec::with_capacity(k);
    let mut rest = out;
    for start in (0..rows).step_by(per) {
        let end = (start + per).min(rows);
        let (head, tail) = rest.split_at_mut((end - start) * row_len);
        chunks.push((start..end, head));
        rest = tail;
    }
    run_all(chunks, |(r, c)| f(r, c));
}

/// The size of the thread pool.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `f` on every item, in parallel.
pub fn each<I: Send>(items: Vec<I>, f: impl Fn(I) + Sync + Send) {
    run_all(items, f);
}

/// `(a(), b())`, run on two threads when `n` elements of `cost` are worth
/// it. Used at the top of recursive reductions, whose tree (and so whose
/// result) stays the same either way.
pub fn join<A: Send, B: Send>(
    n: usize,
    cost: Cost,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if pieces(n, cost) >= 2 {
        join_spinning(a, b)
    } else {
        (a(), b())
    }
}

/// `(a(), b())` for work already known to be worth two threads: `a` runs on
/// the calling thread and `b` on a helper thread that spins between jobs.
/// Every two-way split of this module goes through it.
///
/// Why not `rayon::join`: called from outside the pool (a user's thread), it
/// hands both halves to the pool and puts the caller to sleep, and waking a
/// sleeping thread costs tens to hundreds of microseconds on these virtual
/// machines. At n = 256 that is as long as half of a matrix product, so two
/// threads barely beat one. BLAS libraries keep their threads spinning for
/// the same reason. The helper spins for [`SPIN`] after each job, then
/// sleeps; the caller spins while it waits. From inside the pool, or while
/// another thread holds the helper, this is `rayon::join`.
pub fn join_spinning<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    match helper::get() {
        Some(h) if rayon::current_thread_index().is_none() => h.join(a, b),
        _ => rayon::join(a, b),
    }
}

/// How long the helper of [`join_spinning`] spins for the next job before
/// it sleeps: long enough to span the serial work between the products of
/// one backward pass, short enough not to hold a core from other work.
pub const SPIN: std::time::Duration = std::time::Duration::from_micros(200);

mod helper {
    use std::any::Any;
    use std::hint::spin_loop;
    use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::*};
    use std::sync::{Mutex, OnceLock};
    use std::thread::{self, Thread};
    use std::time::Instant;

    const IDLE: u8 = 0;
    const SLEEPING: u8 = 1;
    const POSTED: u8 = 2;
    const DONE: u8 = 3;

    /// A job: a closure on the poster's stack, lifetime erased.
    struct Job(*mut (dyn FnMut() + Send));
    // SAFETY: the closure is Send; the poster keeps it alive until DONE.
    unsafe impl Send for Job {}

    pub(super) struct Helper {
        /// Held by the one poster using the helper.
        busy: AtomicBool,
        state: AtomicU8,
        job: Mutex<Option<Job>>,
        panic: Mutex<Option<Box<dyn Any + Send>>>,
        thread: OnceLock<Thread>,
    }

    /// The helper thread, started on first use (`None` if it could not be).
    pub(super) fn get() -> Option<&'static Helper> {
        static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();
        *HELPER.get_or_init(|| {
            let h: &'static Helper = Box::leak(Box::new(Helper {
                busy: AtomicBool::new(false),
                state: AtomicU8::new(IDLE),
                job: Mutex::new(None),
                panic: Mutex::new(None),
                thread: OnceLock::new(),
            }));
            let handle = thread::Builder::new()
                .name("causing-diff-helper".into())
                .spawn(move || h.serve())
                .ok()?;
            h.thread.set(handle.thread().clone()).ok()?;
            Some(h)
        })
    }

    impl Helper {
        /// The helper thread's loop: spin for a job, sleep when none comes.
        fn serve(&self) {
            loop {
                let start = Instant::now();
                let mut spins = 0u32;
                while self.state.load(Acquire) != POSTED {
                    spin_loop();
                    spins = spins.wrapping_add(1);
                    if spins.is_multiple_of(256)
                        && start.elapsed() > super::SPIN
                        && self
                            .state
                            .compare_exchange(IDLE, SLEEPING, AcqRel, Acquire)
                            .is_ok()
                    {
                        while self.state.load(Acquire) == SLEEPING {
                            thread::park();
                        }
                    }
                }
                let job = self.job.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(Job(f)) = job {
                    // SAFETY: the poster keeps the closure alive and does not
                    // touch it until it sees DONE, stored below.
                    let f = unsafe { &mut *f };
                    if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
                        *self.panic.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
                    }
                }
                self.state.store(DONE, Release);
            }
        }

        pub(super) fn join<A: Send, B: Send>(
            &self,
            a: impl FnOnce() -> A + Send,
            b: impl FnOnce() -> B + Send,
        ) -> (A, B) {
            if self.busy.swap(true, Acquire) {
                return rayon::join(a, b);
            }
            // A panic of `b` left over from a call whose `a` panicked too.
            drop(self.panic.lock().unwrap_or_else(|e| e.into_inner()).take());
            let mut b = Some(b);
            let mut rb = None;
            let mut run_b = || rb = b.take().map(|b| b());
            let job: &mut (dyn FnMut() + Send + '_) = &mut run_b;
            // SAFETY: only the lifetime changes; `Wait` below does not return
            // (or unwind) before the helper is done with the closure.
            let job: *mut (dyn FnMut() + Send + 'static) = unsafe { core::mem::transmute(job) };
            *self.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(Job(job));
            if self.state.swap(POSTED, AcqRel) == SLEEPING {
                if let Some(t) = self.thread.get() {
                    t.unpark();
                }
            }
            let wait = Wait(self);
            let ra = a();
            drop(wait);
            if let Some(p) = self.panic.lock().unwrap_or_else(|e| e.into_inner()).take() {
                resume_unwind(p);
            }
            (ra, rb.expect("the helper ran the job"))
        }
    }

    /// Waits for the helper to finish the posted job, then frees it (also
    /// when the caller's half panics).
    struct Wait<'h>(&'h Helper);

    impl Drop for Wait<'_> {
        fn drop(&mut self) {
            let mut spins = 0u32;
            while self.0.state.load(Acquire) != DONE {
                spins = spins.wrapping_add(1);
                if spins < 1 << 16 {
                    spin_loop();
                } else {
                    thread::yield_now();
                }
            }
            self.0.state.store(IDLE, Release);
            self.0.busy.store(false, Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_element_once() {
        for n in [0, 1, 63, 64, 1000, (1 << 19) + 5, 3 << 20] {
            for cost in [Cost::Cheap, Cost::Heavy] {
                let rs = ranges(n, cost);
                assert_eq!(rs.first().map_or(0, |r| r.start), 0);
                assert_eq!(rs.last().map_or(0, |r| r.end), n);
                for w in rs.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                    assert_eq!(w[0].len() % 64, 0);
                }
            }
        }
        assert_eq!(
            ranges(1000, Cost::Cheap).len(),
            1,
            "small work stays serial"
        );
    }

    #[test]
    fn join_spinning_runs_both_halves_from_many_threads() {
        // Several user threads at once: one gets the helper, the others fall
        // back to rayon; every call returns both results, many times over.
        std::thread::scope(|s| {
            for t in 0..3u64 {
                s.spawn(move || {
                    for i in 0..2000u64 {
                        let v: Vec<u64> = (0..64).map(|j| j * i + t).collect();
                        let (x, y) = join_spinning(
                            || v[..32].iter().sum::<u64>(),
                            || v[32..].iter().sum::<u64>(),
                        );
                        assert_eq!(x + y, v.iter().sum::<u64>());
                    }
                    // After a pause the helper sleeps; it must wake again.
                    std::thread::sleep(SPIN * 3);
                    assert_eq!(join_spinning(|| 1, || t), (1, t));
                });
            }
        });
    }

    #[test]
    fn join_spinning_passes_on_a_panic_and_stays_usable() {
        let caught =
            std::panic::catch_unwind(|| join_spinning(|| 1, || -> u8 { panic!("half b") }));
        let msg = caught.expect_err("the panic reaches the caller");
        assert_eq!(msg.downcast_ref::<&str>(), Some(&"half b"));
        let caught =
            std::panic::catch_unwind(|| join_spinning(|| -> u8 { panic!("half a") }, || 2));
        assert!(caught.is_err());
        assert_eq!(join_spinning(|| 3, || 4), (3, 4));
    }

    #[test]
    fn for_rows_hands_out_whole_rows() {
        let (rows, len) = (3000, 700);
        let mut out = vec![0usize; rows * len];
        for_rows(rows, &mut out, Cost::Cheap, |r, c| {
            assert_eq!(c.len(), r.len() * len);
            for (i, v) in c.iter_mut().enumerate() {
                *v = r.start * len + i;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i));
    }

    #[test]
    fn for_chunks_hands_out_matching_ranges() {
        let mut out = vec![0usize; 3 << 20];
        for_chunks(&mut out, Cost::Heavy, |r, c| {
            for (o, i) in c.iter_mut().zip(r) {
                *o = i;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i));
    }
}

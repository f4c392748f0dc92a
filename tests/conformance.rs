//! Golden-value conformance against MyGrad: run with
//! `cargo test --test conformance -- --nocapture` to see the report.
//!
//! Reads every `*.jsonl` file in `$CAUSING_DIFF_CONFORMANCE_DIR`, else in
//! `../shared/conformance` if it exists, else in the snapshot of it in
//! `tests/data/conformance` (format: `FORMAT.md` there), runs each case on a
//! fresh graph and prints one line per family:
//! `conformance <family>: <P> passed, <F> failed, <S> skipped`, then the
//! first failures in detail, the cases that pass with a documented rounding
//! divergence (`check::ROUNDED_OPS`: the value is within 4 ulp of NumPy's
//! and MyGrad's own value prints exactly as recorded), and the skipped ops. The test fails iff a case
//! fails; a case skips when its op (or a kwarg or argument form of it) has no
//! crate counterpart yet: see the mapping in `conformance/dispatch.rs`.

#[path = "conformance/check.rs"]
mod check;
#[path = "conformance/dispatch.rs"]
mod dispatch;
#[path = "conformance/json.rs"]
mod json;

use std::path::{Path, PathBuf};

use check::Verdict;

/// At most this many failures are printed in detail.
const MAX_DETAILS: usize = 20;

fn folder() -> PathBuf {
    match std::env::var_os("CAUSING_DIFF_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let shared = root.join("../shared/conformance");
            if shared.is_dir() {
                shared
            } else {
                root.join("tests/data/conformance")
            }
        }
    }
}

/// The `*.jsonl` files of `dir`, in file-name order.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the conformance folder {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading the conformance folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

#[test]
fn conformance() {
    let dir = folder();
    let families: Vec<(String, String)> = case_files(&dir)
        .into_iter()
        .map(|file| {
            let family = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            (family, text)
        })
        .collect();
    assert!(
        !families.is_empty(),
        "no *.jsonl files in {}",
        dir.display()
    );
    // From here until the hook is restored, panics are recorded, not printed.
    let prev_hook = check::quiet_panics();
    let mut failures: Vec<(String, Vec<String>)> = Vec::new();
    let mut skips: Vec<(String, usize)> = Vec::new();
    let mut divergences: Vec<(String, String)> = Vec::new();
    let mut lines = Vec::new();
    for (family, text) in &families {
        let mut tally = Tally::default();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let (id, verdict) = match json::parse_line(line) {
                Ok(rec) => {
                    let id = rec["id"]
                        .as_str()
                        .map_or_else(|| format!("{family}:{}", n + 1), str::to_owned);
                    (id, check::run_case(&rec))
                }
                Err(e) => (
                    format!("{family}:{}", n + 1),
                    Verdict::Fail(vec![format!("bad JSON: {e}")]),
                ),
            };
            match verdict {
                Verdict::Pass => tally.passed += 1,
                Verdict::Diverged(note) => {
                    tally.passed += 1;
                    divergences.push((id, note));
                }
                Verdict::Fail(problems) => {
                    tally.failed += 1;
                    failures.push((id, problems));
                }
                Verdict::Skip(key) => {
                    tally.skipped += 1;
                    match skips.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, count)) => *count += 1,
                        None => skips.push((key, 1)),
                    }
                }
            }
        }
        lines.push(format!(
            "conformance {family}: {} passed, {} failed, {} skipped",
            tally.passed, tally.failed, tally.skipped
        ));
    }
    std::panic::set_hook(prev_hook);

    println!("conformance cases from {}", dir.display());
    for line in &lines {
        println!("{line}");
    }
    for (id, problems) in failures.iter().take(MAX_DETAILS) {
        println!("FAIL {id}");
        for p in problems {
            println!("    {p}");
        }
    }
    if failures.len() > MAX_DETAILS {
        println!("... and {} more failures", failures.len() - MAX_DETAILS);
    }
    if !divergences.is_empty() {
        println!(
            "conformance rounding: {} passed cases print a float result's last digits differently: \
             NumPy's float kernels are not correctly rounded (check::ROUNDED_OPS) or its BLAS \
             sums products in another order (check::REORDERED_OPS):",
            divergences.len()
        );
        for (id, note) in &divergences {
            println!("    {id}: {note}");
        }
    }
    if !skips.is_empty() {
        let total: usize = skips.iter().map(|(_, c)| c).sum();
        let list: Vec<String> = skips.iter().map(|(k, c)| format!("{k} x{c}")).collect();
        println!(
            "conformance skipped {total} (not implemented): {}",
            list.join(", ")
        );
    }
    if !failures.is_empty() {
        let ids: Vec<&str> = failures.iter().map(|(id, _)| id.as_str()).collect();
        panic!(
            "{} conformance cases failed: {}",
            failures.len(),
            ids.join(" ")
        );
    }
}

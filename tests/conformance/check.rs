//! Running one conformance case (FORMAT.md §5, §11, §13) and comparing its
//! results (§9). Part of `cargo test --test conformance -- --nocapture`.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use causing_diff::{Array, DType, Error, Graph, Tensor};
use serde_json::Value;

use crate::dispatch::{call, Arg, Map, Outcome};
use crate::json::{build_arg, typed_array, BuildError};

/// The result of one case.
pub enum Verdict {
    Pass,
    /// Passed, with a documented rounding divergence in the last digits of
    /// a float result (see [`ROUNDED_OPS`]); the note says where.
    Diverged(String),
    /// What differed, one line per problem.
    Fail(Vec<String>),
    /// The skip key: the op, or the op and the missing feature.
    Skip(String),
}

thread_local! {
    /// The last panic's message and location, recorded by the quiet hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the panic hook with one that records instead of printing, so a
/// crate panic becomes one failure line. Returns the previous hook.
pub fn quiet_panics() -> Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send + 'static> {
    let prev = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string().replace('\n', " ")));
    }));
    prev
}

/// Runs one record on a fresh graph; a panic fails the case.
pub fn run_case(rec: &Value) -> Verdict {
    match panic::catch_unwind(AssertUnwindSafe(|| run(rec))) {
        Ok(Ok(None)) => Verdict::Pass,
        Ok(Ok(Some(note))) => Verdict::Diverged(note),
        Ok(Err(Stop::Fail(p))) => Verdict::Fail(p),
        Ok(Err(Stop::Skip(k))) => Verdict::Skip(k),
        Err(_) => {
            let msg = LAST_PANIC.with(|p| p.borrow_mut().take());
            Verdict::Fail(vec![msg.unwrap_or_else(|| "panicked".into())])
        }
    }
}

enum Stop {
    Fail(Vec<String>),
    Skip(String),
}

fn fail<T>(msg: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Fail(vec![msg.into()]))
}

/// Whether `e` is the error kind named in the record (FORMAT.md §11).
fn is_kind(kind: &str, e: &Error) -> bool {
    matches!(
        (kind, e),
        ("shape_mismatch", Error::ShapeMismatch { .. })
            | ("axis_out_of_range", Error::AxisOutOfRange { .. })
            | ("bad_reshape", Error::BadReshape { .. })
            | ("index_out_of_range", Error::IndexOutOfRange { .. })
            | ("int_non_constant", Error::IntNonConstant { .. })
            | (
                "bad_backward_grad_shape",
                Error::BadBackwardGradShape { .. }
            )
            | ("empty_reduction", Error::EmptyReduction { .. })
    )
}

fn expect_kind(kind: &str, e: &Error, when: &str) -> Result<(), Stop> {
    if is_kind(kind, e) {
        Ok(())
    } else {
        fail(format!("{when}: expected error {kind}, got {e:?} ({e})"))
    }
}

/// Ops whose NumPy float kernels are not correctly rounded. On x86-64 with
/// AVX-512, NumPy computes float32 `sin cos exp log tanh` with its own SIMD
/// polynomials and most other transcendentals with Intel SVML, 1–4 ulp from
/// the true value; the crate rounds the exact result once (computing
/// float32 in float64), or for `exp sin cos` stays within 1 ulp of that
/// (native float32 kernels). Their outputs may therefore differ from
/// MyGrad's in the last bits, and then so does the printed form.
///
/// Every entry was checked on this machine's NumPy 2.4: for a primitive,
/// `np.f(x32)` differs from `float32(np.f(x64))` on 0.2–40% of 200 000
/// random float32 inputs (by at most 3 ulp). A MyGrad composite of one such
/// primitive and exact IEEE arithmetic (`cot = 1/tan`) inherits its
/// rounding.
#[rustfmt::skip]
const ROUNDED_OPS: &[&str] = &[
    // NumPy SIMD (sin cos exp log tanh) and SVML (the rest), measured
    "sin", "cos", "tan", "exp", "log", "power", "tanh",
    "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "exp2", "expm1", "log2", "log10", "log1p", "cbrt",
    // composites: 1/tan 1/sin 1/cos; arctan arcsin arccos of 1/x; sin(πx)/(πx)
    "cot", "csc", "sec", "arccot", "arccsc", "arcsec", "sinc",
    // composites: 1/tanh 1/sinh 1/cosh; arctanh arcsinh of 1/x
    "coth", "csch", "sech", "arccoth", "arccsch",
    // NumPy's float32 logaddexp(2) chains libm's expf/exp2f and log1pf in
    // float32: 0.9–1.6% of random inputs differ from the same formula with
    // correctly rounded parts (the crate's), by up to 2 ulp
    "logaddexp", "logaddexp2",
    // NumPy computes `(Σ|x|^ord)^(1/ord)` with its float32 `power` kernel
    // for an `ord` other than 1, 2 and ±inf (1 ulp off for about a fifth of
    // float32 inputs)
    "norm",
];

/// Ops whose float results are sums of products that NumPy adds in BLAS's
/// order (OpenBLAS's `sgemm`/`sgemv`/`sdot` kernels, which depend on the
/// CPU), while the crate adds them in its own GEMM's order. Each element is
/// still within the case's tolerance, which the values check enforces; the
/// printed last digits may differ.
const REORDERED_OPS: &[&str] = &["matmul", "multi_matmul", "einsum"];

/// How far two finite floats of the same dtype are apart, in units in the
/// last place of that dtype.
fn ulps(a: f64, b: f64, f32: bool) -> u64 {
    if f32 {
        let key = |x: f64| {
            let bits = (x as f32).to_bits() as i32;
            i64::from(if bits < 0 { i32::MIN - bits } else { bits })
        };
        key(a).abs_diff(key(b))
    } else {
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            i128::from(if bits < 0 { i64::MIN - bits } else { bits })
        };
        u64::try_from(key(a).abs_diff(key(b))).unwrap_or(u64::MAX)
    }
}

/// When the printed form differs, decides whether that is only a
/// documented rounding divergence: the op is in [`ROUNDED_OPS`], some value
/// differs from MyGrad's, every value is within 4 ulp of it, and this
/// crate prints MyGrad's own values exactly as `out_repr` (so the printer is
/// not at fault). Returns the note, or why it is not such a divergence.
fn rounding_divergence(
    op: &str,
    got: &Array,
    want: &Value,
    want_repr: &str,
) -> Result<String, String> {
    // Summation order: only the case's own tolerance bounds the difference
    // (checked with the values); rounding: at most 4 ulp.
    let reordered = REORDERED_OPS.contains(&op);
    if !ROUNDED_OPS.contains(&op) && !reordered {
        return Err(String::new());
    }
    let want = typed_array(want).map_err(|m| format!(" (harness: {m})"))?;
    if !want.dtype().is_float() || got.dtype() != want.dtype() || got.shape() != want.shape() {
        return Err(String::new());
    }
    let f32 = want.dtype() == DType::Float32;
    let (g, w) = (got.to_f64_vec(), want.to_f64_vec());
    let mut differing = 0;
    let mut worst = 0;
    for (&g, &w) in g.iter().zip(&w) {
        if g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()) {
            continue;
        }
        if !(g.is_finite() && w.is_finite()) {
            return Err(" (a non-finite value differs)".into());
        }
        differing += 1;
        worst = worst.max(ulps(g, w, f32));
    }
    if differing == 0 {
        return Err(" (the values are identical: a printing difference)".into());
    }
    if worst > 4 && !reordered {
        return Err(format!(" (values differ by up to {worst} ulp)"));
    }
    let printed = if want_repr.starts_with("Tensor(") {
        Graph::new().constant(want).to_string()
    } else {
        want.to_string()
    };
    if printed != want_repr {
        return Err(format!(" (MyGrad's own values print as {printed:?})"));
    }
    Ok(format!(
        "{differing} {} value(s) within {worst} ulp of NumPy's{}",
        if f32 { "float32" } else { "float64" },
        if reordered { " (summation order)" } else { "" }
    ))
}

fn run(rec: &Value) -> Result<Option<String>, Stop> {
    let g = Graph::new();
    let Some(op) = rec["op"].as_str() else {
        return fail("record without an op");
    };
    let error = rec.get("error").and_then(Value::as_str);
    // A forward error has no `grad_out` field; `bad_backward_grad_shape` has one.
    let forward_error = error.filter(|_| rec.get("grad_out").is_none());
    let empty = Map::new();
    let kwargs = match rec.get("kwargs") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return fail("kwargs is not an object"),
    };
    let Some(arg_values) = rec["args"].as_array() else {
        return fail("args is not a list");
    };
    let mut args = Vec::with_capacity(arg_values.len());
    for (i, v) in arg_values.iter().enumerate() {
        match build_arg(&g, v) {
            Ok(a) => args.push(a),
            Err(BuildError::Crate(e)) => {
                return match forward_error {
                    Some(kind) => {
                        expect_kind(kind, &e, &format!("building arg {i}")).map(|()| None)
                    }
                    None => fail(format!("building arg {i}: {e:?} ({e})")),
                }
            }
            Err(BuildError::Harness(m)) => return fail(format!("harness: arg {i}: {m}")),
        }
    }
    let out = match call(&g, op, &args, kwargs) {
        Outcome::NotImplemented(key) => return Err(Stop::Skip(key)),
        Outcome::Harness(m) => return fail(format!("harness: {m}")),
        Outcome::Err(e) => {
            return match forward_error {
                Some(kind) => expect_kind(kind, &e, "call").map(|()| None),
                None => fail(format!("call failed: {e:?} ({e})")),
            }
        }
        out => out,
    };
    if let Some(kind) = forward_error {
        let repr = match &out {
            Outcome::Tensor(t) => t.to_string(),
            Outcome::Array(a) => a.to_string(),
            _ => String::new(),
        };
        return fail(format!(
            "expected error {kind}, but the call succeeded: {repr}"
        ));
    }
    let mut problems = Vec::new();
    let (rtol, atol) = (tol(rec, "rtol"), tol(rec, "atol"));
    let (got, repr, constant) = match &out {
        Outcome::Tensor(t) => match t.try_data() {
            Ok(d) => (d, t.to_string(), t.is_constant()),
            Err(e) => return fail(format!("reading the output: {e}")),
        },
        Outcome::Array(a) => (a.clone(), a.to_string(), true),
        _ => unreachable!("handled above"),
    };
    compare("out", Some(&got), &rec["out"], rtol, atol, &mut problems);
    let mut divergence = None;
    match rec["out_repr"].as_str() {
        Some(want) if want != repr => match rounding_divergence(op, &got, &rec["out"], want) {
            Ok(note) => divergence = Some(note),
            Err(why) => problems.push(repr_diff(want, &repr) + &why),
        },
        Some(_) => {}
        None => problems.push("harness: record without out_repr".into()),
    }
    if rec["constant_out"].as_bool() != Some(constant) {
        problems.push(format!(
            "constant_out: expected {}, got {constant}",
            rec["constant_out"]
        ));
    }
    backward(rec, error, &out, &args, rtol, atol, &mut problems)?;
    if problems.is_empty() {
        Ok(divergence)
    } else {
        Err(Stop::Fail(problems))
    }
}

/// Steps 4 and 5 of FORMAT.md §5: backward with `grad_out`, then the grads.
fn backward(
    rec: &Value,
    error: Option<&str>,
    out: &Outcome<'_>,
    args: &[Arg<'_>],
    rtol: f64,
    atol: f64,
    problems: &mut Vec<String>,
) -> Result<(), Stop> {
    let grad_out = match rec.get("grad_out") {
        None | Some(Value::Null) => return Ok(()),
        Some(v) => typed_array(v).or_else(|m| fail(format!("harness: grad_out: {m}")))?,
    };
    let Outcome::Tensor(out) = out else {
        problems.push("a plain-array result, but the record back-propagates".into());
        return Ok(());
    };
    let result = out.try_backward_with(grad_out);
    match (error, result) {
        (Some(kind), Err(e)) => {
            if !is_kind(kind, &e) {
                problems.push(format!("backward: expected error {kind}, got {e:?} ({e})"));
            }
            return Ok(());
        }
        (Some(kind), Ok(())) => {
            problems.push(format!("backward: expected error {kind}, but it succeeded"));
            return Ok(());
        }
        (None, Err(e)) => {
            problems.push(format!("backward failed: {e:?} ({e})"));
            return Ok(());
        }
        (None, Ok(())) => {}
    }
    let Some(grads) = rec["grads"].as_array().filter(|g| g.len() == args.len()) else {
        return fail("harness: grads is not a list with one entry per arg");
    };
    for (i, (arg, want)) in args.iter().zip(grads).enumerate() {
        let got = match arg {
            Arg::Tensor(t) => grad_of(*t).or_else(|e| fail(format!("reading grads[{i}]: {e}")))?,
            _ => None,
        };
        compare(
            &format!("grads[{i}]"),
            got.as_ref(),
            want,
            rtol,
            atol,
            problems,
        );
    }
    Ok(())
}

fn grad_of(t: Tensor<'_>) -> causing_diff::Result<Option<Array>> {
    t.try_grad()
}

/// The case's tolerance. Records without one (`bad_backward_grad_shape`
/// errors, whose forward is still compared) get FORMAT.md §12's default
/// for the output's dtype, not an exact comparison.
fn tol(rec: &Value, name: &str) -> f64 {
    rec.get(name).and_then(Value::as_f64).unwrap_or_else(|| {
        match (rec["out"]["dtype"].as_str(), name) {
            (Some("float64"), "rtol") => 1e-7,
            (Some("float64"), _) => 1e-9,
            (Some("float32"), "rtol") => 1e-4,
            (Some("float32"), _) => 1e-5,
            _ => 0.0,
        }
    })
}

/// Compares an optional result with an expected typed array or `null`.
fn compare(
    what: &str,
    got: Option<&Array>,
    want: &Value,
    rtol: f64,
    atol: f64,
    problems: &mut Vec<String>,
) {
    let want = match (got, want) {
        (None, Value::Null) => return,
        (Some(g), Value::Null) => return problems.push(format!("{what}: expected null, got {g}")),
        (None, _) => return problems.push(format!("{what}: expected an array, got None")),
        (Some(_), w) => match typed_array(w) {
            Ok(w) => w,
            Err(m) => return problems.push(format!("harness: {what}: {m}")),
        },
    };
    let got = got.expect("matched above");
    if got.dtype() != want.dtype() {
        return problems.push(format!(
            "{what}: dtype: expected {}, got {}",
            want.dtype(),
            got.dtype()
        ));
    }
    if got.shape() != want.shape() {
        return problems.push(format!(
            "{what}: shape: expected {:?}, got {:?}",
            want.shape(),
            got.shape()
        ));
    }
    let bad: Vec<(usize, String, String)> = if want.dtype().is_float() {
        let (g, w) = (got.to_f64_vec(), want.to_f64_vec());
        let close = |g: f64, w: f64| {
            if w.is_nan() {
                g.is_nan()
            } else if w.is_infinite() {
                g == w
            } else {
                g.is_finite() && (g - w).abs() <= atol + rtol * w.abs()
            }
        };
        let f32 = want.dtype() == DType::Float32;
        let show = |x: f64| {
            if f32 {
                format!("{:?}", x as f32)
            } else {
                format!("{x:?}")
            }
        };
        (0..w.len())
            .filter(|&i| !close(g[i], w[i]))
            .map(|i| (i, show(w[i]), show(g[i])))
            .collect()
    } else {
        let (g, w) = (exact(got), exact(&want));
        (0..w.len())
            .filter(|&i| g[i] != w[i])
            .map(|i| (i, w[i].to_string(), g[i].to_string()))
            .collect()
    };
    if let Some((i, w, g)) = bad.first() {
        let tol = if want.dtype().is_float() {
            format!(" (rtol {rtol:e}, atol {atol:e})")
        } else {
            String::new()
        };
        problems.push(format!(
            "{what}: {} of {} values differ; first at {:?}: expected {w}, got {g}{tol}",
            bad.len(),
            want.size(),
            unravel(*i, want.shape()),
        ));
    }
}

/// Integer and bool elements, exactly.
fn exact(a: &Array) -> Vec<i64> {
    match a.dtype() {
        DType::Int64 => a.as_slice::<i64>().map(<[i64]>::to_vec),
        DType::Int32 => a
            .as_slice::<i32>()
            .map(|s| s.iter().map(|&x| x.into()).collect()),
        DType::Bool => a
            .as_slice::<bool>()
            .map(|s| s.iter().map(|&x| x.into()).collect()),
        _ => None,
    }
    .unwrap_or_default()
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (k, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            idx[k] = flat % d;
            flat /= d;
        }
    }
    idx
}

/// Both reprs when short; the first differing line when long.
fn repr_diff(want: &str, got: &str) -> String {
    if want.len() + got.len() <= 400 {
        return format!("out_repr:\n      expected {want:?}\n      got      {got:?}");
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let Some(line) = (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)) else {
        return format!(
            "out_repr: long reprs differ only in line ends ({} vs {} bytes)",
            want.len(),
            got.len()
        );
    };
    format!(
        "out_repr: first difference at line {line}:\n      expected {:?}\n      got      {:?}",
        w.get(line).unwrap_or(&"<end>"),
        g.get(line).unwrap_or(&"<end>")
    )
}

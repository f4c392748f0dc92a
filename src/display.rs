//! NumPy 2's `repr` of an array, character for character, and MyGrad's
//! `Tensor(...)` variant of it.
//!
//! The rules follow `numpy/_core/arrayprint.py` with its default options
//! (precision 8, threshold 1000, edge items 3, line width 75, float mode
//! `maxprec`, no suppression, sign `-`) and the digit generation of NumPy's
//! Dragon4: shortest round-trip digits, cut and rounded (half to even) at the
//! precision.

use core::fmt;
use core::str::FromStr;

use causing_diff_kernels::Float;

use crate::array::{with_buf, Array, Buf};
use crate::dtype::DType;

/// Digits after the point (positional) or after the first digit (scientific).
const PRECISION: usize = 8;
/// Arrays with more elements than this are summarised with `...`.
const THRESHOLD: usize = 1000;
/// Items kept at each end of a summarised axis.
const EDGE_ITEMS: usize = 3;
/// NumPy's `linewidth`.
const LINE_WIDTH: usize = 75;
/// What `repr` wraps the data in; wrapping is always measured on this form.
const PREFIX: &str = "array(";

/// NumPy's `repr(ndarray)` of row-major data of the given shape
/// (`array(...)`), or MyGrad's tensor repr when `tensor` is set: `array`
/// becomes `Tensor` and every non-empty continuation line gains one space.
pub(crate) fn repr(buf: &Buf, shape: &[usize], tensor: bool) -> String {
    let mut out = String::new();
    write_repr(&mut out, buf, shape, tensor).expect("writing to a String cannot fail");
    out
}

/// [`repr`] written into any [`fmt::Write`] sink.
pub(crate) fn write_repr(
    f: &mut impl fmt::Write,
    buf: &Buf,
    shape: &[usize],
    tensor: bool,
) -> fmt::Result {
    let text = array_repr(buf, shape);
    if !tensor {
        return f.write_str(&text);
    }
    f.write_str("Tensor")?;
    for (i, line) in text[PREFIX.len() - 1..].split('\n').enumerate() {
        if i > 0 {
            // MyGrad indents with `.replace("\n", "\n ")`; blank lines stay empty here.
            f.write_str(if line.is_empty() { "\n" } else { "\n " })?;
        }
        f.write_str(line)?;
    }
    Ok(())
}

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_repr(f, &self.buf, &self.shape, false)
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_repr(f, &self.buf, &self.shape, false)
    }
}

/// `_array_repr_implementation`: the bracketed body plus the `shape=` and
/// `dtype=` extras NumPy adds when the text alone cannot tell them.
fn array_repr(buf: &Buf, shape: &[usize]) -> String {
    let size = buf.len();
    let summarise = size > THRESHOLD;
    let body = if size > 0 {
        format_body(buf, shape, summarise)
    } else {
        "[]".into()
    };

    let mut extras = Vec::new();
    if (size == 0 && shape != [0]) || summarise {
        extras.push(format!("shape={}", shape_tuple(shape)));
    }
    let dtype = buf.dtype();
    if size == 0 || !matches!(dtype, DType::Float64 | DType::Int64 | DType::Bool) {
        extras.push(format!("dtype={}", dtype.name()));
    }
    if extras.is_empty() {
        return format!("{PREFIX}{body})");
    }
    let head = format!("{PREFIX}{body},");
    let extra = format!("{})", extras.join(", "));
    let last_line = head.len() - head.rfind('\n').map_or(0, |i| i + 1);
    if last_line + extra.len() + 1 > LINE_WIDTH {
        format!("{head}\n{:1$}{extra}", "", PREFIX.len())
    } else {
        format!("{head} {extra}")
    }
}

/// A shape as Python prints a tuple: `(3,)`, `(0, 2)`.
fn shape_tuple(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// The positions shown along an axis of length `n`: all of them, or the
/// edge items at both ends when summarising.
fn shown(n: usize, summarise: bool) -> impl Iterator<Item = usize> {
    let cut = summarise && n > 2 * EDGE_ITEMS;
    let (lead, tail) = if cut {
        (EDGE_ITEMS, n - EDGE_ITEMS)
    } else {
        (n, n)
    };
    (0..lead).chain(tail..n)
}

/// Row-major flat indices of the elements that will be printed, in order.
fn shown_indices(shape: &[usize], summarise: bool) -> Vec<usize> {
    let mut flat = vec![0usize];
    for &n in shape {
        flat = flat
            .iter()
            .flat_map(|&base| shown(n, summarise).map(move |i| base * n + i))
            .collect();
    }
    flat
}

/// `array2string` + `_formatArray` for a non-empty array: formats the shown
/// elements with one shared formatter, then lays them out.
fn format_body(buf: &Buf, shape: &[usize], summarise: bool) -> String {
    let idx = shown_indices(shape, summarise);
    let words = with_buf!(buf, v => ReprElem::format_all(v.as_slice(), &idx, shape.is_empty()));
    let mut layout = Layout {
        shape,
        summarise,
        words: words.into_iter(),
    };
    // `array2string` takes the `)` suffix off the width; the hanging indent
    // skips `array(` and the `[`.
    layout.block(0, PREFIX.len() + 1, LINE_WIDTH - 1)
}

/// The recursive layout of `_formatArray` (non-legacy), fed the formatted
/// elements in row-major order.
struct Layout<'a> {
    shape: &'a [usize],
    summarise: bool,
    words: std::vec::IntoIter<String>,
}

impl Layout<'_> {
    /// The text of the sub-array at `axis`, whose continuation lines start
    /// with `indent` spaces and must fit in `width` columns.
    fn block(&mut self, axis: usize, indent: usize, width: usize) -> String {
        let Some(&n) = self.shape.get(axis) else {
            return self
                .words
                .next()
                .expect("one formatted word per shown element");
        };
        let summary = self.summarise && n > 2 * EDGE_ITEMS;
        let count = if summary { 2 * EDGE_ITEMS } else { n };
        // Nested blocks align one column further in, and one shorter for the `]`.
        let mut items: Vec<String> = (0..count)
            .map(|_| self.block(axis + 1, indent + 1, width.saturating_sub(1)))
            .collect();
        if summary {
            items.insert(EDGE_ITEMS, "...".to_string());
        }
        let hang = " ".repeat(indent);
        let below = self.shape.len() - axis - 1;
        if below > 0 {
            // Sub-blocks go on their own lines, with a blank line per extra axis.
            return format!(
                "[{}]",
                items.join(&format!(",{}{hang}", "\n".repeat(below)))
            );
        }
        // `_extendLine`: a row wraps when the next word would pass the width
        // less one for its `,` or `]`, unless the line holds only the indent.
        let (mut s, mut line) = (String::new(), hang);
        for (k, word) in items.iter().enumerate() {
            if k > 0 {
                line.push_str(", ");
            }
            if line.len() + word.len() + 1 > width && line.len() > indent {
                s.push_str(line.trim_end());
                s.push('\n');
                line.truncate(indent);
            }
            line.push_str(word);
        }
        s.push_str(&line);
        format!("[{}]", &s[indent..])
    }
}

/// Element types NumPy formats: one formatter is fitted to all shown
/// elements (widths, notation), then applied to each.
trait ReprElem: Sized {
    /// The formatted shown elements (`idx` into `data`), padded to a common
    /// width; `scalar` is set for 0-d arrays.
    fn format_all(data: &[Self], idx: &[usize], scalar: bool) -> Vec<String>;
}

impl ReprElem for bool {
    fn format_all(data: &[bool], idx: &[usize], scalar: bool) -> Vec<String> {
        // `BoolFormat` pads `True` to the width of `False`, except in 0-d arrays.
        let t = if scalar { "True" } else { " True" };
        idx.iter()
            .map(|&i| (if data[i] { t } else { "False" }).to_string())
            .collect()
    }
}

macro_rules! int_repr {
    ($t:ty) => {
        impl ReprElem for $t {
            fn format_all(data: &[$t], idx: &[usize], _scalar: bool) -> Vec<String> {
                let strs: Vec<String> = idx.iter().map(|&i| data[i].to_string()).collect();
                let w = strs.iter().map(String::len).max().unwrap_or(0);
                strs.into_iter().map(|s| format!("{s:>w$}")).collect()
            }
        }
    };
}
int_repr!(i32);
int_repr!(i64);

/// The float types: a formatter fitted to the shown values. Comparisons
/// against the notation thresholds happen in the array's own type, as NumPy 2
/// does with Python float operands (NEP 50).
trait ReprFloat: Float + fmt::Display + fmt::LowerExp + FromStr {
    /// `|x|` at or above this switches to scientific notation:
    /// `10 ** min(8, finfo.precision)`.
    const BIG: Self;
}
impl ReprFloat for f32 {
    const BIG: f32 = 1e6;
}
impl ReprFloat for f64 {
    const BIG: f64 = 1e8;
}

impl<F: ReprFloat> ReprElem for F {
    fn format_all(data: &[F], idx: &[usize], _scalar: bool) -> Vec<String> {
        let vals: Vec<F> = idx.iter().map(|&i| data[i]).collect();
        format_floats(&vals)
    }
}

fn is_finite<F: Float>(x: F) -> bool {
    x.abs() < F::INFINITY
}

/// The sign bit as a prefix: `-0.` prints its sign.
fn sign<F: Float>(x: F) -> &'static str {
    ["", "-"][usize::from(x.to_f64().is_sign_negative())]
}

/// `FloatingFormat` in `maxprec` mode: chooses positional or scientific
/// notation from the finite values and pads all values to common widths.
fn format_floats<F: ReprFloat>(vals: &[F]) -> Vec<String> {
    let finite = || vals.iter().copied().filter(|&x| is_finite(x));
    let mut nonzero = finite().map(F::abs).filter(|&a| a != F::ZERO);
    let sci = nonzero.next().is_some_and(|first| {
        let (lo, hi) = nonzero.fold((first, first), |(lo, hi), a| {
            (if a < lo { a } else { lo }, if a > hi { a } else { hi })
        });
        let (small, ratio) = (F::from_f64_lossy(1e-4), F::from_f64_lossy(1e3));
        hi >= F::BIG || lo < small || hi / lo > ratio
    });

    // First pass: each finite value's own digits size the columns.
    let pass: fn(F) -> (String, i32) = if sci { sci_shortest } else { positional };
    let first: Vec<(String, i32)> = finite().map(pass).collect();
    let dot = |m: &str| m.find('.').expect("NumPy keeps the point");
    let widest = |f: &dyn Fn(&(String, i32)) -> usize| first.iter().map(f).max().unwrap_or(0);
    let frac = widest(&|(m, _)| m.len() - dot(m) - 1);
    let exp_size = widest(&|&(_, e)| exp_width(e));
    let pad_right = if sci { exp_size + 2 + frac } else { frac };
    let mut pad_left = widest(&|(m, _)| dot(m));
    if first.len() != vals.len() {
        // Room for `nan` / `inf` / `-inf`, right-aligned in the column.
        let neginf = vals.contains(&F::NEG_INFINITY);
        pad_left = pad_left.max((3 + usize::from(neginf)).saturating_sub(pad_right + 1));
    }
    let width = pad_left + pad_right + 1;

    let mut first = first.into_iter();
    let mut format = |x: F| {
        if x.is_nan() {
            return format!("{:>width$}", "nan");
        } else if !is_finite(x) {
            return format!("{:>width$}", if x < F::ZERO { "-inf" } else { "inf" });
        }
        let (m, _) = first.next().expect("one first-pass entry per finite value");
        if sci {
            // Second pass: every mantissa gets the column's fraction digits.
            let (d, e) = digits(x.abs(), frac + 1);
            let mant = format!("{}{}.{}", sign(x), &d[..1], &d[1..]);
            let (mw, es) = (pad_left + 1 + frac, if e < 0 { '-' } else { '+' });
            format!("{mant:>mw$}e{es}{:0>exp_size$}", e.unsigned_abs())
        } else {
            let int = dot(&m);
            let (lw, rw) = (pad_left + m.len() - int, pad_right + int + 1 - m.len());
            format!("{m:>lw$}{:rw$}", "")
        }
    };
    vals.iter().map(|&x| format(x)).collect()
}

/// Digits in a printed exponent: at least two, as C prints them.
fn exp_width(e: i32) -> usize {
    e.unsigned_abs().to_string().len().max(2)
}

/// `|x|`'s shortest round-trip digits: how many, and the exponent of the first.
fn shortest<F: ReprFloat>(a: F) -> (usize, i32) {
    let s = format!("{a:e}");
    let (m, e) = s.split_once('e').expect("LowerExp writes an exponent");
    let e = e.parse().expect("an integer exponent");
    (m.len() - usize::from(m.contains('.')), e)
}

/// `|x|` to `sig` significant digits as Dragon4 rounds them at or past the
/// shortest length, or when cut off by the precision: the nearest such
/// decimal (ties to even), unless only its neighbour reads back as `x`. That
/// exception matters at powers of two, whose rounding interval is lopsided,
/// and for ties at the shortest length, where Rust's `{}` rounds up. Returns
/// exactly `sig` digits and the exponent of the first.
fn digits<F: ReprFloat>(a: F, sig: usize) -> (String, i32) {
    let frac = sig - 1;
    let s = format!("{a:.frac$e}");
    let (m, e) = s.split_once('e').expect("LowerExp writes an exponent");
    let mut d: u64 = m.replace('.', "").parse().expect("at most 17 digits");
    let mut e: i32 = e.parse().expect("an integer exponent");
    let reads_back = |d: u64, e: i32| format!("{d}e{}", e - frac as i32).parse::<F>().ok();
    let back = reads_back(d, e).expect("Rust parses its own output");
    if back != a {
        let one = 10u64.pow(frac as u32);
        let other = match (back < a, d) {
            (true, d) if d + 1 == 10 * one => (one, e + 1),
            (true, d) => (d + 1, e),
            (false, d) if d == one => (10 * one - 1, e - 1),
            (false, d) => (d - 1, e),
        };
        if reads_back(other.0, other.1) == Some(a) {
            (d, e) = other;
        }
    }
    (format!("{d:0sig$}"), e)
}

/// Dragon4 positional, unique digits, at most [`PRECISION`] after the point,
/// trailing zeros trimmed but the point kept (`"-0."`, `"2.5"`, `"0.33333333"`);
/// paired with 0 to match [`sci_shortest`].
fn positional<F: ReprFloat>(x: F) -> (String, i32) {
    let a = x.abs();
    let (k, e) = shortest(a);
    let text = if k as i32 - 1 - e > PRECISION as i32 {
        // Not unique within the precision: the exact value, rounded half to even.
        format!("{a:.PRECISION$}")
    } else {
        let (d, e) = digits(a, k);
        match usize::try_from(e) {
            Err(_) => format!("0.{}{d}", "0".repeat((-e - 1) as usize)),
            Ok(e) if e + 1 < k => format!("{}.{}", &d[..=e], &d[e + 1..]),
            Ok(e) => format!("{d}{}.", "0".repeat(e + 1 - k)),
        }
    };
    (format!("{}{}", sign(x), text.trim_end_matches('0')), 0)
}

/// Dragon4 scientific, unique digits, at most `PRECISION + 1` significant:
/// the signed mantissa with its point (`"-1.5"`, `"1."`) and the exponent.
fn sci_shortest<F: ReprFloat>(x: F) -> (String, i32) {
    let a = x.abs();
    let (d, e) = digits(a, shortest(a).0.min(PRECISION + 1));
    let frac = d[1..].trim_end_matches('0');
    (format!("{}{}.{frac}", sign(x), &d[..1]), e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Asserts one repr; `Tensor(` or `array(` in `want` picks the form.
    #[track_caller]
    fn check(buf: Buf, shape: &[usize], want: &str) {
        assert_eq!(repr(&buf, shape, want.starts_with("Tensor(")), want);
    }

    /// The `out` array of a conformance record (FORMAT.md §3). The data is
    /// read from the raw text with Rust's parser: serde_json's default float
    /// parsing can be an ulp off.
    fn out_array(line: &str, rec: &Value) -> (Buf, Vec<usize>) {
        let out = &rec["out"];
        let shape = out["shape"].as_array().unwrap().iter();
        let shape: Vec<usize> = shape.map(|d| d.as_u64().unwrap() as usize).collect();
        let raw = &line[line.find("\"out\":").unwrap()..];
        let raw = &raw[raw.find("\"data\":").unwrap()..];
        let raw = &raw[raw.find('[').unwrap() + 1..raw.find(']').unwrap()];
        let tokens = raw.split(',').map(str::trim).filter(|t| !t.is_empty());
        let float = |t: &str| match t.trim_matches('"') {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            num => num.parse().unwrap(),
        };
        let buf = match out["dtype"].as_str().unwrap() {
            "float64" => Buf::F64(tokens.map(float).collect()),
            "float32" => Buf::F32(tokens.map(|t| float(t) as f32).collect()),
            "int64" => Buf::I64(tokens.map(|t| t.parse().unwrap()).collect()),
            "int32" => Buf::I32(tokens.map(|t| t.parse().unwrap()).collect()),
            "bool" => Buf::Bool(tokens.map(|t| t == "true").collect()),
            other => panic!("unknown dtype {other}"),
        };
        assert_eq!(buf.len(), out["data"].as_array().unwrap().len());
        (buf, shape)
    }

    #[test]
    fn golden_reprs_match_mygrad() {
        // The same folder as tests/conformance.rs: the env var, else
        // ../shared/conformance, else the snapshot in tests/data.
        let root = env!("CARGO_MANIFEST_DIR");
        let dir = std::env::var("CAUSING_DIFF_CONFORMANCE_DIR").unwrap_or_else(|_| {
            let shared = format!("{root}/../shared/conformance");
            if std::path::Path::new(&shared).is_dir() {
                shared
            } else {
                format!("{root}/tests/data/conformance")
            }
        });
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("conformance folder {dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        let (mut checked, mut bad) = (0, Vec::new());
        for text in files.iter().map(|p| std::fs::read_to_string(p).unwrap()) {
            for line in text.lines() {
                let rec: Value = serde_json::from_str(line).unwrap();
                let Some(want) = rec["out_repr"].as_str() else {
                    continue;
                };
                let (buf, shape) = out_array(line, &rec);
                let got = repr(&buf, &shape, want.starts_with("Tensor("));
                checked += 1;
                if got != want {
                    bad.push(format!(
                        "{}\n  expected {want:?}\n  got      {got:?}",
                        rec["id"]
                    ));
                }
            }
        }
        assert!(
            checked > 1000,
            "only {checked} records with out_repr in {dir}"
        );
        let first: Vec<_> = bad.iter().take(10).collect();
        assert!(
            bad.is_empty(),
            "{} of {checked} reprs differ:\n{first:#?}",
            bad.len()
        );
    }

    #[test]
    fn spec_examples() {
        check(Buf::F64(vec![4.0]), &[], "Tensor(4.)");
        check(Buf::F64(vec![-0.0]), &[], "Tensor(-0.)");
        check(Buf::F64(vec![f64::NAN]), &[], "Tensor(nan)");
        check(Buf::I64(vec![2]), &[], "Tensor(2)");
        check(Buf::Bool(vec![true]), &[], "Tensor(True)");
        check(Buf::F64(vec![1e-10, 1.0]), &[2], "Tensor([1.e-10, 1.e+00])");
        check(Buf::F64(vec![123456789.0]), &[], "Tensor(1.23456789e+08)");
        check(Buf::F64(vec![1.0 / 3.0]), &[], "Tensor(0.33333333)");
        check(Buf::F64(vec![]), &[0], "Tensor([], dtype=float64)");
        check(
            Buf::F32(vec![]),
            &[0, 2],
            "Tensor([], shape=(0, 2), dtype=float32)",
        );
        let arange = (0..=1000).map(f64::from).collect();
        let want = "Tensor([   0.,    1.,    2., ...,  998.,  999., 1000.], shape=(1001,))";
        check(Buf::F64(arange), &[1001], want);
    }

    #[test]
    fn seed_outputs() {
        let sin = [0.0f64, 0.25, 0.5, 0.75, 1.0].map(f64::sin).to_vec();
        let want = "Tensor([0.        , 0.24740396, 0.47942554, 0.68163876, 0.84147098])";
        check(Buf::F64(sin), &[5], want);
        let want = "Tensor([[[0., 0., 0., 0.],\n         [0., 0., 0., 0.],\n         \
                    [0., 0., 0., 0.]],\n\n        [[0., 0., 0., 0.],\n         \
                    [0., 0., 0., 0.],\n         [0., 0., 0., 0.]]], dtype=float32)";
        check(Buf::F32(vec![0.0; 24]), &[2, 3, 4], want);
    }

    #[test]
    fn plain_arrays_and_display() {
        let a = Array::from_shape_vec(&[2, 2], vec![1i64, 2, 0, 3]).unwrap();
        assert_eq!(a.to_string(), "array([[1, 2],\n       [0, 3]])");
        assert_eq!(format!("{a:?}"), a.to_string());
        assert_eq!(
            Array::from_vec(vec![true, false]).to_string(),
            "array([ True, False])"
        );
        assert_eq!(Array::scalar(5i64).to_string(), "array(5)");
        assert_eq!(
            Array::scalar(0.25f32).to_string(),
            "array(0.25, dtype=float32)"
        );
    }

    /// Cases checked against NumPy 2.4.
    #[test]
    fn numpy_rounding_details() {
        // Cut at 8 fraction digits: the exact value rounded half to even.
        check(Buf::F64(vec![0.001953125]), &[], "array(0.00195312)");
        check(Buf::F64(vec![0.999999999]), &[], "array(1.)");
        // A tie at the shortest length goes to the even digit (Rust rounds up).
        check(
            Buf::F64(vec![67_108_864.0 + 1.0 / 512.0]),
            &[],
            "array(67108864.00195312)",
        );
        check(
            Buf::F32(vec![5.0 + 17.0 / 256.0]),
            &[1],
            "array([5.0664062], dtype=float32)",
        );
        // Padding a power of two keeps to its lopsided rounding interval.
        let pow2 = Buf::F32(vec![1.234_567_8e-9, f32::powi(2.0, -96)]);
        check(
            pow2,
            &[2],
            "array([1.2345678e-09, 1.2621775e-29], dtype=float32)",
        );
        // float32 thresholds are float32 numbers, and its big cutoff is 1e6.
        check(Buf::F32(vec![2e6]), &[], "array(2.e+06, dtype=float32)");
        check(
            Buf::F32(vec![999_999.94]),
            &[],
            "array(999999.94, dtype=float32)",
        );
        check(Buf::F64(vec![2e6]), &[], "array(2000000.)");
        check(Buf::F32(vec![1e-4]), &[], "array(0.0001, dtype=float32)");
        check(
            Buf::F32(vec![1e-4, 0.1]),
            &[2],
            "array([1.e-04, 1.e-01], dtype=float32)",
        );
        // Three-digit exponents widen every exponent in the column.
        check(
            Buf::F64(vec![1e-100, 1.0]),
            &[2],
            "array([1.e-100, 1.e+000])",
        );
        check(
            Buf::F64(vec![f64::NAN, f64::NEG_INFINITY]),
            &[2],
            "array([ nan, -inf])",
        );
        let want =
            "array([[[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.,\n         \
                    12., 13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23.,\n         \
                    24., 25., 26., 27., 28., 29.]]])";
        check(
            Buf::F64((0..30).map(f64::from).collect()),
            &[1, 1, 30],
            want,
        );
    }

    /// A small deterministic generator (xorshift64*).
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed >> 12;
        *seed ^= *seed << 25;
        *seed ^= *seed >> 27;
        seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A printed 0-d value reads back exactly whenever its shortest digits
    /// fit NumPy's precision: 8 fraction digits positional, 9 significant
    /// digits scientific.
    fn check_round_trip<F: ReprFloat>(x: F, printed: &str) {
        let body = printed
            .trim_start_matches("array(")
            .split([',', ')'])
            .next()
            .unwrap();
        let back: F = body.parse().ok().unwrap();
        let (k, e) = shortest(x.abs());
        let fits = if body.contains('e') {
            k <= 9
        } else {
            k as i32 - 1 - e <= 8
        };
        assert!(!fits || back == x, "{x:?} printed as {printed}");
    }

    #[test]
    fn printed_values_read_back() {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let r = rng(&mut seed);
            let scale = 10f64.powi((r % 17) as i32 - 6);
            let x64 = match r % 3 {
                0 => f64::from_bits(rng(&mut seed)),
                1 => (rng(&mut seed) % 100_000) as f64 / 1000.0 * scale,
                _ => (rng(&mut seed) as f64 / u64::MAX as f64 - 0.5) * scale,
            };
            let x32 = if r.is_multiple_of(3) {
                f32::from_bits(rng(&mut seed) as u32)
            } else {
                x64 as f32
            };
            if x64.is_finite() {
                check_round_trip(x64, &repr(&Buf::F64(vec![x64]), &[], false));
            }
            if x32.is_finite() {
                check_round_trip(x32, &repr(&Buf::F32(vec![x32]), &[], false));
            }
        }
    }
}

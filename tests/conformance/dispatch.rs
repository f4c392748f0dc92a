//! The conformance mapping: one match arm per MyGrad op name, turning a
//! case's args and kwargs into one causing-diff call. Run it through
//! `cargo test --test conformance -- --nocapture`.
//!
//! Adding an op to the crate costs one line here. Ops with no arm, and
//! kwargs an arm does not read, make the case *skipped*, not failed.

use std::cell::RefCell;

use causing_diff as cd;
use causing_diff::{Array, DType, Error, Graph, Operand, Result, Scalar, Tensor, TensorOptions};
use serde_json::Value;

/// A case's kwargs.
pub type Map = serde_json::Map<String, Value>;

/// One built positional argument (FORMAT.md §4).
pub enum Arg<'g> {
    /// `{"tensor": T, "constant": c}`
    Tensor(Tensor<'g>),
    /// `{"scalar": x, "dtype": d}`: a weak Rust scalar.
    Scalar(Scalar),
    /// `{"array": T}`: a plain array.
    Array(Array),
    /// `null`: an omitted optional argument.
    Null,
}

/// What a call produced.
pub enum Outcome<'g> {
    /// A tensor result.
    Tensor(Tensor<'g>),
    /// A plain-array result (comparisons, `argmax`, ...).
    Array(Array),
    /// The crate's error.
    Err(Error),
    /// The op, or one of its kwargs or argument forms, has no crate
    /// counterpart yet; the text names it (the skip key).
    NotImplemented(String),
    /// The case is malformed for this op (a harness or data problem).
    Harness(String),
}

/// Early exits of a dispatch arm: `NotImplemented` or `Harness`.
type Step<'g> = core::result::Result<Outcome<'g>, Outcome<'g>>;

/// Runs `$body` with `$tpl` bound to the `*_like` template (arg 0), a
/// tensor or an array.
macro_rules! like {
    ($a:expr, $tpl:ident => $body:expr) => {
        match $a {
            [Arg::Tensor($tpl)] => $body,
            [Arg::Array($tpl)] => $body,
            _ => return Err(harness("expected one tensor or array template")),
        }
    };
}

/// Makes the call of `op`.
pub fn call<'g>(g: &'g Graph, op: &str, a: &[Arg<'g>], kwargs: &Map) -> Outcome<'g> {
    let kw = Kw {
        map: kwargs,
        used: RefCell::new(Vec::new()),
    };
    let kw = &kw;
    #[rustfmt::skip]
    let step = (|| -> Step<'g> { Ok(match op {
        // unary
        "negative" => t(x(a)?.try_neg()),
        "positive" => t(x(a)?.try_positive()),
        "square" => t(x(a)?.try_square()),
        "sqrt" => t(x(a)?.try_sqrt()),
        "exp" => t(x(a)?.try_exp()),
        "log" => t(x(a)?.try_log()),
        "sin" => t(x(a)?.try_sin()),
        "cos" => t(x(a)?.try_cos()),
        "tan" => t(x(a)?.try_tan()),
        "reciprocal" => t(x(a)?.try_reciprocal()),
        "cot" => t(x(a)?.try_cot()),
        "csc" => t(x(a)?.try_csc()),
        "sec" => t(x(a)?.try_sec()),
        "arcsin" => t(x(a)?.try_arcsin()),
        "arccos" => t(x(a)?.try_arccos()),
        "arctan" => t(x(a)?.try_arctan()),
        "arccot" => t(x(a)?.try_arccot()),
        "arccsc" => t(x(a)?.try_arccsc()),
        "arcsec" => t(x(a)?.try_arcsec()),
        "sinc" => t(x(a)?.try_sinc()),
        "sinh" => t(x(a)?.try_sinh()),
        "cosh" => t(x(a)?.try_cosh()),
        "tanh" => t(x(a)?.try_tanh()),
        "coth" => t(x(a)?.try_coth()),
        "csch" => t(x(a)?.try_csch()),
        "sech" => t(x(a)?.try_sech()),
        "arcsinh" => t(x(a)?.try_arcsinh()),
        "arccosh" => t(x(a)?.try_arccosh()),
        "arctanh" => t(x(a)?.try_arctanh()),
        "arccoth" => t(x(a)?.try_arccoth()),
        "arccsch" => t(x(a)?.try_arccsch()),
        "exp2" => t(x(a)?.try_exp2()),
        "expm1" => t(x(a)?.try_expm1()),
        "log2" => t(x(a)?.try_log2()),
        "log10" => t(x(a)?.try_log10()),
        "log1p" => t(x(a)?.try_log1p()),
        "cbrt" => t(x(a)?.try_cbrt()),
        "abs" | "absolute" => t(x(a)?.try_abs_with(kw.bool_or("nan_to_num", true)?)),
        // binary
        "add" => t(cd::add(operand(a, 0)?, operand(a, 1)?)),
        "subtract" => t(cd::subtract(operand(a, 0)?, operand(a, 1)?)),
        "multiply" => t(cd::multiply(operand(a, 0)?, operand(a, 1)?)),
        "divide" | "true_divide" => t(cd::divide(operand(a, 0)?, operand(a, 1)?)),
        "power" => t(cd::power(operand(a, 0)?, operand(a, 1)?)),
        "arctan2" => t(cd::arctan2(operand(a, 0)?, operand(a, 1)?)),
        "logaddexp" => t(cd::logaddexp(operand(a, 0)?, operand(a, 1)?)),
        "logaddexp2" => t(cd::logaddexp2(operand(a, 0)?, operand(a, 1)?)),
        "maximum" => t(cd::maximum(operand(a, 0)?, operand(a, 1)?)),
        "minimum" => t(cd::minimum(operand(a, 0)?, operand(a, 1)?)),
        "add_sequence" => t(cd::add_sequence(operands(a)?)),
        "multiply_sequence" => t(cd::multiply_sequence(operands(a)?)),
        "clip" => t(match a { [x, lo, hi] => cd::clip(any_operand(x)?, opt_operand(lo)?, opt_operand(hi)?), _ => return Err(harness("clip takes [x, lo, hi]")) }),
        // compare (plain-array results)
        "equal" => arr(cd::equal(operand(a, 0)?, operand(a, 1)?)),
        "not_equal" => arr(cd::not_equal(operand(a, 0)?, operand(a, 1)?)),
        "less" => arr(cd::less(operand(a, 0)?, operand(a, 1)?)),
        "less_equal" => arr(cd::less_equal(operand(a, 0)?, operand(a, 1)?)),
        "greater" => arr(cd::greater(operand(a, 0)?, operand(a, 1)?)),
        "greater_equal" => arr(cd::greater_equal(operand(a, 0)?, operand(a, 1)?)),
        "logical_and" => arr(cd::logical_and(operand(a, 0)?, operand(a, 1)?)),
        "logical_or" => arr(cd::logical_or(operand(a, 0)?, operand(a, 1)?)),
        "logical_xor" => arr(cd::logical_xor(operand(a, 0)?, operand(a, 1)?)),
        "floor_divide" => arr(cd::floor_divide(operand(a, 0)?, operand(a, 1)?)),
        "fmod" => arr(cd::fmod(operand(a, 0)?, operand(a, 1)?)),
        "remainder" | "mod" => arr(cd::remainder(operand(a, 0)?, operand(a, 1)?)),
        "logical_not" => arr(x(a)?.try_logical_not()),
        "isnan" => arr(x(a)?.try_isnan()),
        "isinf" => arr(x(a)?.try_isinf()),
        "isfinite" => arr(x(a)?.try_isfinite()),
        "signbit" => arr(x(a)?.try_signbit()),
        "ceil" => arr(x(a)?.try_ceil()),
        "floor" => arr(x(a)?.try_floor()),
        "trunc" => arr(x(a)?.try_trunc()),
        "rint" => arr(x(a)?.try_rint()),
        "sign" => arr(x(a)?.try_sign()),
        // reduce
        "sum" => t(x(a)?.try_sum_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        "mean" => t(x(a)?.try_mean_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        "var" => t(x(a)?.try_var_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?, kw.usize_or("ddof", 0)?)),
        "std" => t(x(a)?.try_std_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?, kw.usize_or("ddof", 0)?)),
        "max" | "amax" => t(x(a)?.try_max_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        "min" | "amin" => t(x(a)?.try_min_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        "prod" => t(x(a)?.try_prod_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        "cumsum" => t(x(a)?.try_cumsum_with(kw.opt_isize("axis")?)),
        "cumprod" => t(x(a)?.try_cumprod_with(kw.opt_isize("axis")?)),
        "argmax" => arr(x(a)?.try_argmax_with(kw.opt_isize("axis")?)),
        "argmin" => arr(x(a)?.try_argmin_with(kw.opt_isize("axis")?)),
        "any" => arr(x(a)?.try_any_with(kw.axes("axis")?.as_deref(), kw.bool_or("keepdims", false)?)),
        // linalg
        "matmul" => t(cd::matmul(operand(a, 0)?, operand(a, 1)?)),
        "multi_matmul" => t(cd::multi_matmul(&tensors(a)?)),
        "einsum" => t(cd::einsum(kw.str("subscripts")?, &tensors(a)?)),
        "norm" => t(cd::norm(x(a)?, kw.opt_f64("ord")?, kw.one_axis("axis")?, kw.bool_or("keepdims", false)?, kw.bool_or("nan_to_num", true)?)),
        // manipulation
        "reshape" => t(x(a)?.try_reshape(&kw.ints("newshape")?)),
        "ravel" => t(x(a)?.try_ravel()),
        "flatten" => t(x(a)?.try_flatten()),
        "squeeze" => t(x(a)?.try_squeeze_with(kw.axes("axis")?.as_deref())),
        "expand_dims" => t(x(a)?.try_expand_dims(kw.isize("axis")?)),
        "broadcast_to" => t(x(a)?.try_broadcast_to(&kw.shape("shape")?)),
        "atleast_1d" => t(x(a)?.try_atleast_1d()),
        "atleast_2d" => t(x(a)?.try_atleast_2d()),
        "atleast_3d" => t(x(a)?.try_atleast_3d()),
        "transpose" => t(match kw.opt_ints("axes")? { None => x(a)?.try_transpose(), Some(ax) => x(a)?.try_transpose_axes(&ax) }),
        "moveaxis" => t(x(a)?.try_moveaxis(&kw.ints("source")?, &kw.ints("destination")?)),
        "swapaxes" => t(x(a)?.try_swapaxes(kw.isize("axis1")?, kw.isize("axis2")?)),
        "roll" => t(match kw.opt_ints("axis")? { None => x(a)?.try_roll(kw.ints("shift")?.iter().sum()), Some(ax) => x(a)?.try_roll_axes(&kw.ints("shift")?, &ax) }),
        "flip" => t(x(a)?.try_flip_with(kw.axes("axis")?.as_deref())),
        "concatenate" => t(cd::concatenate(&tensors(a)?, kw.nullable_isize_or("axis", Some(0))?)),
        "stack" => t(cd::stack(&tensors(a)?, kw.isize_or("axis", 0)?)),
        "repeat" => t(x(a)?.try_repeat(&kw.shape("repeats")?, kw.opt_isize("axis")?)),
        "tile" => t(x(a)?.try_tile(&kw.shape("reps")?)),
        "copy" => t(x(a)?.try_copy()),
        "astype" => t(x(a)?.try_astype(kw.dtype()?.ok_or_else(|| harness("missing kwarg dtype"))?)),
        // indexing
        "getitem" => t(x(a)?.try_index(kw.index()?)),
        "setitem" => t(match a { [Arg::Tensor(x), _] => x.try_set_index(kw.index()?, nth(a, 1, 2)?), _ => return Err(harness("expected a tensor and a value")) }),
        "where" => t(cd::where_(nth(a, 0, 3)?, nth(a, 1, 3)?, nth(a, 2, 3)?)),
        // creation
        "arange" => t(g.try_arange_with(kw.scalar_or("start", Scalar::Int(0))?, kw.scalar("stop")?, kw.scalar_or("step", Scalar::Int(1))?, kw.opts()?)),
        "linspace" => t(g.try_linspace_with(kw.f64("start")?, kw.f64("stop")?, kw.usize_or("num", 50)?, kw.bool_or("endpoint", true)?, kw.opts()?)),
        "logspace" => t(g.try_logspace_with(kw.f64("start")?, kw.f64("stop")?, kw.usize_or("num", 50)?, kw.bool_or("endpoint", true)?, kw.f64_or("base", 10.0)?, kw.opts()?)),
        "geomspace" => t(g.try_geomspace_with(kw.f64("start")?, kw.f64("stop")?, kw.usize_or("num", 50)?, kw.bool_or("endpoint", true)?, kw.opts()?)),
        "dirac" => t(g.try_dirac_with(&kw.shape("shape")?, kw.opts()?)),
        "eye" => t(g.try_eye_with(kw.usize("N")?, kw.opt_usize("M")?, kw.isize_or("k", 0)?, kw.opts()?)),
        "identity" => t(g.try_identity_with(kw.usize("n")?, kw.opts()?)),
        "full" => t(g.try_full_with(&kw.shape("shape")?, kw.scalar("fill_value")?, kw.opts()?)),
        "zeros" => t(g.try_zeros_with(&kw.shape("shape")?, kw.opts()?)),
        "ones" => t(g.try_ones_with(&kw.shape("shape")?, kw.opts()?)),
        "zeros_like" => t(like!(a, tpl => g.try_zeros_like_with(tpl, kw.like_opts()?))),
        "ones_like" => t(like!(a, tpl => g.try_ones_like_with(tpl, kw.like_opts()?))),
        "full_like" => t(like!(a, tpl => g.try_full_like_with(tpl, kw.scalar("fill_value")?, kw.like_opts()?))),
        "tensor" => t(g.try_tensor_with(array(a)?, kw.opts()?)),
        _ => return Err(Outcome::NotImplemented(String::new())),
    }) })();
    let out = step.unwrap_or_else(|early| early);
    match out {
        Outcome::NotImplemented(why) if why.is_empty() => Outcome::NotImplemented(op.to_string()),
        Outcome::NotImplemented(why) => Outcome::NotImplemented(format!("{op} ({why})")),
        Outcome::Harness(_) => out,
        _ => match kw.unused() {
            Some(k) => Outcome::NotImplemented(format!("{op} (kwarg {k})")),
            None => out,
        },
    }
}

fn t<'g>(r: Result<Tensor<'g>>) -> Outcome<'g> {
    match r {
        Ok(t) => Outcome::Tensor(t),
        Err(e) => Outcome::Err(e),
    }
}

fn arr<'g>(r: Result<Array>) -> Outcome<'g> {
    match r {
        Ok(a) => Outcome::Array(a),
        Err(e) => Outcome::Err(e),
    }
}

fn harness<'g>(msg: impl Into<String>) -> Outcome<'g> {
    Outcome::Harness(msg.into())
}

fn skip<'g>(why: &str) -> Outcome<'g> {
    Outcome::NotImplemented(why.to_string())
}

/// The only argument, a tensor.
fn x<'g>(a: &[Arg<'g>]) -> core::result::Result<Tensor<'g>, Outcome<'g>> {
    match a {
        [Arg::Tensor(t)] => Ok(*t),
        _ => Err(harness("expected exactly one tensor argument")),
    }
}

/// Every argument, each a tensor (the joins, `einsum`, `multi_matmul`).
fn tensors<'g>(a: &[Arg<'g>]) -> core::result::Result<Vec<Tensor<'g>>, Outcome<'g>> {
    a.iter()
        .map(|arg| match arg {
            Arg::Tensor(t) => Ok(*t),
            _ => Err(harness("expected tensor arguments only")),
        })
        .collect()
}

/// The only argument, a plain array.
fn array<'g>(a: &[Arg<'g>]) -> core::result::Result<Array, Outcome<'g>> {
    match a {
        [Arg::Array(x)] => Ok(x.clone()),
        _ => Err(harness("expected exactly one array argument")),
    }
}

/// Operand `k` of a two-operand op: a tensor, scalar or array.
fn operand<'g>(a: &[Arg<'g>], k: usize) -> core::result::Result<Operand<'g>, Outcome<'g>> {
    if a.len() != 2 {
        return Err(harness("expected two operands"));
    }
    any_operand(&a[k])
}

/// A tensor, scalar or array argument as an operand.
fn any_operand<'g>(a: &Arg<'g>) -> core::result::Result<Operand<'g>, Outcome<'g>> {
    Ok(match a {
        Arg::Tensor(t) => Operand::Tensor(*t),
        Arg::Scalar(s) => Operand::Scalar(*s),
        Arg::Array(x) => Operand::Array(x.clone()),
        Arg::Null => return Err(harness("expected a tensor, scalar or array operand")),
    })
}

/// An optional operand: `null` is `None`.
fn opt_operand<'g>(a: &Arg<'g>) -> core::result::Result<Option<Operand<'g>>, Outcome<'g>> {
    match a {
        Arg::Null => Ok(None),
        a => any_operand(a).map(Some),
    }
}

/// Every argument as an operand (the n-ary ops).
fn operands<'g>(a: &[Arg<'g>]) -> core::result::Result<Vec<Operand<'g>>, Outcome<'g>> {
    a.iter().map(any_operand).collect()
}

/// Argument `k` of an op with `n` positional arguments, as an operand (a
/// tensor, scalar or array).
fn nth<'g>(a: &[Arg<'g>], k: usize, n: usize) -> core::result::Result<Operand<'g>, Outcome<'g>> {
    if a.len() != n {
        return Err(harness(format!("expected {n} arguments")));
    }
    Ok(match &a[k] {
        Arg::Tensor(t) => Operand::Tensor(*t),
        Arg::Scalar(s) => Operand::Scalar(*s),
        Arg::Array(x) => Operand::Array(x.clone()),
        Arg::Null => return Err(harness("expected a tensor, scalar or array")),
    })
}

/// Typed access to the kwargs, remembering which were read: a kwarg no arm
/// reads would be silently ignored, so it makes the case skip instead.
struct Kw<'a> {
    map: &'a Map,
    used: RefCell<Vec<&'a str>>,
}

type KwResult<'g, T> = core::result::Result<T, Outcome<'g>>;

impl<'a> Kw<'a> {
    /// The kwarg's value; `None` when absent or `null`.
    fn get(&self, name: &str) -> Option<&'a Value> {
        let (k, v) = self.map.get_key_value(name)?;
        self.used.borrow_mut().push(k.as_str());
        (!v.is_null()).then_some(v)
    }

    fn unused(&self) -> Option<&'a str> {
        let used = self.used.borrow();
        self.map
            .keys()
            .map(String::as_str)
            .find(|k| !used.contains(k))
    }

    fn req<'g>(&self, name: &str) -> KwResult<'g, &'a Value> {
        self.get(name)
            .ok_or_else(|| harness(format!("missing kwarg {name}")))
    }

    fn bad<'g>(name: &str, v: &Value) -> Outcome<'g> {
        harness(format!("bad kwarg {name}: {v}"))
    }

    fn bool_or<'g>(&self, name: &str, default: bool) -> KwResult<'g, bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| Self::bad(name, v)),
        }
    }

    fn f64<'g>(&self, name: &str) -> KwResult<'g, f64> {
        let v = self.req(name)?;
        v.as_f64().ok_or_else(|| Self::bad(name, v))
    }

    fn f64_or<'g>(&self, name: &str, default: f64) -> KwResult<'g, f64> {
        match self.get(name) {
            None => Ok(default),
            Some(_) => self.f64(name),
        }
    }

    fn str<'g>(&self, name: &str) -> KwResult<'g, &'a str> {
        let v = self.req(name)?;
        v.as_str().ok_or_else(|| Self::bad(name, v))
    }

    /// A number, or `None` when absent or `null`.
    fn opt_f64<'g>(&self, name: &str) -> KwResult<'g, Option<f64>> {
        self.get(name)
            .map(|v| v.as_f64().ok_or_else(|| Self::bad(name, v)))
            .transpose()
    }

    /// One axis given as an int or a one-element list; `None` when absent.
    /// Several axes (a matrix norm) have no crate counterpart.
    fn one_axis<'g>(&self, name: &str) -> KwResult<'g, Option<isize>> {
        match self.opt_ints(name)?.as_deref() {
            None => Ok(None),
            Some(&[axis]) => Ok(Some(axis)),
            Some(_) => Err(skip("several axes")),
        }
    }

    fn int<'g>(name: &str, v: &Value) -> KwResult<'g, i64> {
        v.as_i64().ok_or_else(|| Self::bad(name, v))
    }

    fn usize<'g>(&self, name: &str) -> KwResult<'g, usize> {
        let v = self.req(name)?;
        usize::try_from(Self::int(name, v)?).map_err(|_| Self::bad(name, v))
    }

    fn opt_usize<'g>(&self, name: &str) -> KwResult<'g, Option<usize>> {
        self.get(name).map(|_| self.usize(name)).transpose()
    }

    fn usize_or<'g>(&self, name: &str, default: usize) -> KwResult<'g, usize> {
        Ok(self.opt_usize(name)?.unwrap_or(default))
    }

    fn isize_or<'g>(&self, name: &str, default: isize) -> KwResult<'g, isize> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => Ok(Self::int(name, v)? as isize),
        }
    }

    fn isize<'g>(&self, name: &str) -> KwResult<'g, isize> {
        let v = self.req(name)?;
        Ok(Self::int(name, v)? as isize)
    }

    fn opt_isize<'g>(&self, name: &str) -> KwResult<'g, Option<isize>> {
        self.get(name).map(|_| self.isize(name)).transpose()
    }

    /// An int, `null` (`None`), or `default` when absent.
    fn nullable_isize_or<'g>(
        &self,
        name: &str,
        default: Option<isize>,
    ) -> KwResult<'g, Option<isize>> {
        match self.map.get(name) {
            None => Ok(default),
            Some(_) => self.opt_isize(name),
        }
    }

    /// A number as a [`Scalar`]: an integer literal is `Int`, any other
    /// number `Float` (FORMAT.md §3).
    fn scalar<'g>(&self, name: &str) -> KwResult<'g, Scalar> {
        let v = self.req(name)?;
        match v {
            Value::Bool(b) => Ok(Scalar::Bool(*b)),
            Value::Number(n) if n.is_i64() => Ok(Scalar::Int(n.as_i64().unwrap_or_default())),
            Value::Number(n) if n.is_f64() => Ok(Scalar::Float(n.as_f64().unwrap_or_default())),
            _ => Err(Self::bad(name, v)),
        }
    }

    fn scalar_or<'g>(&self, name: &str, default: Scalar) -> KwResult<'g, Scalar> {
        match self.get(name) {
            None => Ok(default),
            Some(_) => self.scalar(name),
        }
    }

    /// An int or a list of ints; `None` when absent or `null`.
    fn opt_ints<'g>(&self, name: &str) -> KwResult<'g, Option<Vec<isize>>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let one = |x: &Value| Self::int(name, x).map(|i| i as isize);
        match v {
            Value::Array(xs) => xs.iter().map(one).collect::<KwResult<_>>().map(Some),
            x => Ok(Some(vec![one(x)?])),
        }
    }

    fn ints<'g>(&self, name: &str) -> KwResult<'g, Vec<isize>> {
        self.opt_ints(name)?
            .ok_or_else(|| harness(format!("missing kwarg {name}")))
    }

    /// Reduction axes: `None` (all) when absent or `null`.
    fn axes<'g>(&self, name: &str) -> KwResult<'g, Option<Vec<isize>>> {
        self.opt_ints(name)
    }

    fn shape<'g>(&self, name: &str) -> KwResult<'g, Vec<usize>> {
        self.ints(name)?
            .into_iter()
            .map(|d| {
                usize::try_from(d)
                    .map_err(|_| Self::bad(name, self.map.get(name).unwrap_or(&Value::Null)))
            })
            .collect()
    }

    fn dtype<'g>(&self) -> KwResult<'g, Option<DType>> {
        let Some(v) = self.get("dtype") else {
            return Ok(None);
        };
        let name = v.as_str().ok_or_else(|| Self::bad("dtype", v))?;
        DType::from_name(name)
            .map(Some)
            .ok_or_else(|| skip(&format!("dtype {name}")))
    }

    /// The index expression of `getitem`/`setitem` (FORMAT.md §6): a list
    /// of one-key objects, one per item of NumPy's index tuple.
    fn index<'g>(&self) -> KwResult<'g, cd::Index<'g>> {
        let v = self.req("index")?;
        let bad = || Self::bad("index", v);
        let part = |p: &Value| match p {
            Value::Null => Ok(None),
            p => p.as_i64().map(|i| Some(i as isize)).ok_or_else(bad),
        };
        let items = v.as_array().ok_or_else(bad)?;
        items
            .iter()
            .map(|item| {
                let (key, val) = item
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .ok_or_else(bad)?;
                Ok(match key.as_str() {
                    "int" => cd::IndexItem::Int(val.as_i64().ok_or_else(bad)? as isize),
                    "slice" => match val.as_array().map(Vec::as_slice) {
                        Some([start, stop, step]) => {
                            cd::IndexItem::slice(part(start)?, part(stop)?, part(step)?)
                        }
                        _ => return Err(bad()),
                    },
                    "newaxis" => cd::IndexItem::NewAxis,
                    "ellipsis" => cd::IndexItem::Ellipsis,
                    "array" | "mask" => cd::IndexItem::Array(
                        crate::json::typed_array(val)
                            .map_err(|m| harness(format!("index: {m}")))?,
                    ),
                    _ => return Err(bad()),
                })
            })
            .collect()
    }

    /// `dtype` and `constant`.
    fn opts<'g>(&self) -> KwResult<'g, TensorOptions> {
        let mut opts = TensorOptions::new();
        if let Some(d) = self.dtype()? {
            opts = opts.dtype(d);
        }
        if let Some(v) = self.get("constant") {
            opts = opts.constant(v.as_bool().ok_or_else(|| Self::bad("constant", v))?);
        }
        Ok(opts)
    }

    /// `dtype`, `constant` and `shape` (the `*_like` functions).
    fn like_opts<'g>(&self) -> KwResult<'g, TensorOptions> {
        let opts = self.opts()?;
        match self.get("shape") {
            None => Ok(opts),
            Some(_) => Ok(opts.shape(&self.shape("shape")?)),
        }
    }
}

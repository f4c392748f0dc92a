//! Elementwise arithmetic on two operands with NumPy broadcasting: forward
//! and backward side by side. Rust scalars reach these ops as 0-d constant
//! tensors of the (weakly promoted) result dtype.

use core::cmp::Ordering::{Greater, Less};

use causing_diff_kernels::{Element, Float};

use crate::array::{same_shape, Array};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::eval::{self, dispatch_float, dispatch_num};
use crate::grad::Grad;
use crate::pool::Pool;

/// An elementwise function of two inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
    /// `arctan2(a, b)`: the angle of the point `(b, a)`.
    Arctan2,
    Logaddexp,
    Logaddexp2,
    /// Where `a == b`, neither input gets a gradient (MyGrad).
    Maximum,
    Minimum,
}

impl BinaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Subtract => "subtract",
            BinaryOp::Multiply => "multiply",
            BinaryOp::Divide => "divide",
            BinaryOp::Power => "power",
            BinaryOp::Arctan2 => "arctan2",
            BinaryOp::Logaddexp => "logaddexp",
            BinaryOp::Logaddexp2 => "logaddexp2",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Minimum => "minimum",
        }
    }

    /// NumPy's result dtype for the two input dtypes.
    pub(crate) fn result_dtype(self, a: DType, b: DType) -> DType {
        let d = DType::promote(a, b);
        match self {
            BinaryOp::Divide | BinaryOp::Arctan2 | BinaryOp::Logaddexp | BinaryOp::Logaddexp2 => {
                d.float_result()
            }
            _ => d,
        }
    }

    pub(crate) fn forward(self, a: &Array, b: &Array, pool: &mut Pool) -> Result<Array> {
        let name = self.name();
        let dtype = self.result_dtype(a.dtype(), b.dtype());
        let (a, b) = (
            eval::as_dtype(a, dtype, pool)?,
            eval::as_dtype(b, dtype, pool)?,
        );
        let (a, b) = (&*a, &*b);
        dispatch_float!(dtype, T => match self {
            BinaryOp::Add => eval::map2::<T, T>(a, b, pool, name, |x, y| x + y),
            BinaryOp::Subtract => eval::map2::<T, T>(a, b, pool, name, |x, y| x - y),
            BinaryOp::Multiply => eval::map2::<T, T>(a, b, pool, name, |x, y| x * y),
            BinaryOp::Divide => eval::map2::<T, T>(a, b, pool, name, |x, y| x / y),
            BinaryOp::Power => eval::map2::<T, T>(a, b, pool, name, power),
            BinaryOp::Arctan2 => eval::map2::<T, T>(a, b, pool, name, Float::atan2),
            BinaryOp::Logaddexp => eval::map2::<T, T>(a, b, pool, name, Float::ln_add_exp),
            BinaryOp::Logaddexp2 => eval::map2::<T, T>(a, b, pool, name, Float::log2_add_exp2),
            BinaryOp::Maximum => eval::map2::<T, T>(a, b, pool, name, Float::max_nan),
            BinaryOp::Minimum => eval::map2::<T, T>(a, b, pool, name, Float::min_nan),
        }, other => integer_forward(self, a, b, pool))
    }

    /// The op on one pair of numbers, for the scalar lane (`lane.rs`); `None`
    /// for ops outside it. Each is the expression the array kernels of
    /// [`BinaryOp::forward`] apply per element, so the bits are theirs.
    #[inline(always)]
    pub(crate) fn lane_forward<T: Float>(self, x: T, y: T) -> Option<T> {
        Some(match self {
            BinaryOp::Add => x + y,
            BinaryOp::Subtract => x - y,
            BinaryOp::Multiply => x * y,
            BinaryOp::Divide => x / y,
            BinaryOp::Power => power(x, y),
            _ => return None,
        })
    }

    /// The gradient for input `k` of [`BinaryOp::lane_forward`] at `(a, b)`,
    /// given the output's gradient `g`: the per-element rule of
    /// [`BinaryOp::backward`].
    #[inline(always)]
    pub(crate) fn lane_backward<T: Float>(self, k: usize, g: T, a: T, b: T) -> Option<T> {
        Some(match (self, k) {
            (BinaryOp::Add, _) | (BinaryOp::Subtract, 0) => g,
            (BinaryOp::Subtract, _) => -g,
            (BinaryOp::Multiply, 0) => g * b,
            (BinaryOp::Multiply, _) => g * a,
            (BinaryOp::Divide, 0) => g / b,
            (BinaryOp::Divide, _) => divide_grad_denominator(g, a, b),
            (BinaryOp::Power, _) => power_lane_grad(k, g, a, b),
            _ => return None,
        })
    }

    /// [`BinaryOp::backward`] added into `acc` (see `Op::backward_into`),
    /// for an input of the output's shape: the gradients of `+` and `-`, and
    /// of `*` and `/` (numerator) by a 0-d operand, such as `2 * x`.
    pub(crate) fn backward_into(
        self,
        a: &Array,
        b: &Array,
        g: &Grad,
        k: usize,
        acc: &mut Array,
        pool: &mut Pool,
    ) -> Result<bool> {
        if !same_shape(acc.shape(), g.shape()) {
            return Ok(false);
        }
        let other = if k == 0 { b } else { a };
        let scaled = matches!((self, k), (BinaryOp::Multiply, _) | (BinaryOp::Divide, 0));
        if scaled && other.ndim() != 0 {
            return Ok(false);
        }
        let gl = g.layout();
        dispatch_float!(g.dtype(), T => {
            let gs = eval::slice::<T>(g.data());
            match (self, k) {
                (BinaryOp::Add, _) | (BinaryOp::Subtract, 0) => eval::add_into(acc, gs, &gl, |g: T| g),
                (BinaryOp::Subtract, _) => eval::add_into(acc, gs, &gl, |g: T| -g),
                (BinaryOp::Multiply, _) | (BinaryOp::Divide, 0) => {
                    let s = eval::as_dtype(other, g.dtype(), pool)?;
                    let s: T = eval::slice::<T>(&s)[0];
                    if self == BinaryOp::Multiply {
                        eval::add_into(acc, gs, &gl, move |g| g * s)
                    } else {
                        eval::add_into(acc, gs, &gl, move |g| g / s)
                    }
                }
                _ => return Ok(false),
            }
        }, other => unreachable!("gradients are floats"));
        Ok(true)
    }

    /// The gradient for input `k` (0 = `a`, 1 = `b`) in the output's shape.
    pub(crate) fn backward(
        self,
        a: &Array,
        b: &Array,
        g: &Grad,
        k: usize,
        to: &[usize],
        pool: &mut Pool,
    ) -> Result<Grad> {
        let to_broadcast = !same_shape(g.shape(), to);
        if to_broadcast
            && matches!(
                self,
                BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply
            )
        {
            // To a broadcast input: sum without forming this input's full
            // gradient, reading the upstream one spread where it can.
            return self
                .sum_to_broadcast(a, b, g, k, to, pool)
                .map(Grad::Formed);
        }
        if let (Grad::Spread(s), false) = (g, to_broadcast) {
            if let Some(src) = self.spread_rule(a, b, &s.src, k, pool)? {
                return Ok(Grad::spread(src, &s.shape));
            }
        }
        let name = self.name();
        let dtype = g.dtype();
        let (a, b) = (
            eval::as_dtype(a, dtype, pool)?,
            eval::as_dtype(b, dtype, pool)?,
        );
        let (a, b) = (&*a, &*b);
        dispatch_float!(dtype, T => match (self, k) {
            // d(a ± b)/da = 1, d(a + b)/db = 1
            (BinaryOp::Add, _) | (BinaryOp::Subtract, 0) => {
                eval::map1g::<T, T>(g, pool, name, |g| g)
            }
            // d(a - b)/db = -1
            (BinaryOp::Subtract, _) => eval::map1g::<T, T>(g, pool, name, |g| -g),
            // d(ab)/da = b, d(ab)/db = a
            (BinaryOp::Multiply, 0) => eval::map2g::<T, T>(g, b, pool, name, |g, b| g * b),
            (BinaryOp::Multiply, _) => eval::map2g::<T, T>(g, a, pool, name, |g, a| g * a),
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b²
            (BinaryOp::Divide, 0) => eval::map2g::<T, T>(g, b, pool, name, |g, b| g / b),
            (BinaryOp::Divide, _) => eval::map3g::<T, T>(g, a, b, pool, name, divide_grad_denominator),
            (BinaryOp::Power, 0) => eval::map3g::<T, T>(g, a, b, pool, name, power_grad_base),
            (BinaryOp::Power, _) => eval::map3g::<T, T>(g, a, b, pool, name, power_grad_exponent),
            // d arctan2(a, b)/da = b/(a² + b²), d/db = -a/(a² + b²)
            (BinaryOp::Arctan2, 0) => {
                eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| g * b / (a * a + b * b))
            }
            (BinaryOp::Arctan2, _) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                -T::ONE * g * a / (a * a + b * b)
            }),
            // d ln(eᵃ + eᵇ)/da = 1/(1 + e^(b-a)), and symmetrically
            (BinaryOp::Logaddexp, 0) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                g / (T::ONE + Float::exp(b - a))
            }),
            (BinaryOp::Logaddexp, _) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                g / (T::ONE + Float::exp(a - b))
            }),
            // d log2(2ᵃ + 2ᵇ)/da = 1/(1 + 2^(b-a)), and symmetrically
            (BinaryOp::Logaddexp2, 0) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                g / (T::ONE + Float::exp2(b - a))
            }),
            (BinaryOp::Logaddexp2, _) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                g / (T::ONE + Float::exp2(a - b))
            }),
            // The input that was selected gets g, the other 0·g (MyGrad's
            // `mask * grad`): at a tie neither; where NaN is involved, `b`.
            (BinaryOp::Maximum, 0) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                select(a > b, g)
            }),
            (BinaryOp::Maximum, _) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                select(matches!(a.partial_cmp(&b), Some(Less) | None), g)
            }),
            (BinaryOp::Minimum, 0) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                select(a < b, g)
            }),
            (BinaryOp::Minimum, _) => eval::map3g::<T, T>(g, a, b, pool, name, |g, a, b| {
                select(matches!(a.partial_cmp(&b), Some(Greater) | None), g)
            }),
        }, other => unreachable!("gradients are floats"))
        .map(Grad::Formed)
    }

    /// The gradients of `+` and `-`, and of `*` by a broadcast factor,
    /// summed down to that broadcast input of shape `to` without forming
    /// its full gradient (nor casting inputs they do not involve).
    fn sum_to_broadcast(
        self,
        a: &Array,
        b: &Array,
        g: &Grad,
        k: usize,
        to: &[usize],
        pool: &mut Pool,
    ) -> Result<Array> {
        let name = self.name();
        let dtype = g.dtype();
        match (self, k) {
            (BinaryOp::Add, _) | (BinaryOp::Subtract, 0) => eval::sum_grad_to(g, to, pool),
            (BinaryOp::Subtract, _) => {
                let s = eval::sum_grad_to(g, to, pool)?;
                let r = dispatch_float!(dtype, T => eval::map1::<T, T>(&s, pool, name, |g| -g),
                    other => unreachable!("gradients are floats"));
                pool.give(s.buf);
                r
            }
            _ => {
                let other = eval::as_dtype(if k == 0 { b } else { a }, dtype, pool)?;
                let r = eval::sum_product_to(g, &other, to, pool);
                eval::release(other, pool);
                r
            }
        }
    }

    /// For a spread gradient `src` (see grad.rs) and an input of the
    /// output's shape: the spread source of the input's gradient, where the
    /// rule keeps it spread — `+` and `-`, and `*` and `/` (numerator) by a
    /// 0-d operand — each element computed as the formed rule computes it.
    fn spread_rule(
        self,
        a: &Array,
        b: &Array,
        src: &Array,
        k: usize,
        pool: &mut Pool,
    ) -> Result<Option<Array>> {
        let name = self.name();
        let dtype = src.dtype();
        let other = if k == 0 { b } else { a };
        Ok(Some(match (self, k) {
            (BinaryOp::Add, _) | (BinaryOp::Subtract, 0) => dispatch_float!(dtype, T =>
                eval::map1::<T, T>(src, pool, name, |g| g)?,
                other => unreachable!("gradients are floats")),
            (BinaryOp::Subtract, _) => dispatch_float!(dtype, T =>
                eval::map1::<T, T>(src, pool, name, |g| -g)?,
                other => unreachable!("gradients are floats")),
            (BinaryOp::Multiply, _) | (BinaryOp::Divide, 0) if other.ndim() == 0 => {
                let s = eval::as_dtype(other, dtype, pool)?;
                let r = dispatch_float!(dtype, T => if self == BinaryOp::Multiply {
                    eval::map2::<T, T>(src, &s, pool, name, |g, s| g * s)
                } else {
                    eval::map2::<T, T>(src, &s, pool, name, |g, s| g / s)
                }, other => unreachable!("gradients are floats"));
                eval::release(s, pool);
                r?
            }
            _ => return Ok(None),
        }))
    }
}

/// d(a/b)/db = -a/b², times `g`.
#[inline(always)]
fn divide_grad_denominator<T: Float>(g: T, a: T, b: T) -> T {
    -g * a / (b * b)
}

/// `a` to the power `b`, as NumPy's `power` computes it for a broadcast
/// exponent (and `ndarray ** scalar`): the exponents -1, 0, ½, 1 and 2 are
/// `1/a`, `1`, `√a`, `a` and `a·a`, and the rest go to `powf`. The C
/// library's `pow` and these formulas differ in the last bit now and then
/// (`pow(a, 2)` and `a·a` in about 1 in 1,200 random `f64`s), and in sign
/// at `(-0)^½` (√ gives -0). Applied per element whatever the exponent's
/// shape: where NumPy's exponent is a full array it uses its own
/// vectorised `pow`, which neither reproduces bit for bit, and these are
/// the correctly rounded results (`tests/power_parity.rs`).
#[inline(always)]
fn power<T: Float>(a: T, b: T) -> T {
    if b == T::from_f64(2.0) {
        a * a
    } else if b == T::ONE {
        a
    } else if b == T::ZERO {
        T::ONE
    } else if b == T::from_f64(0.5) {
        Float::sqrt(a)
    } else if b == -T::ONE {
        T::ONE / a
    } else {
        Float::powf(a, b)
    }
}

/// d(aᵇ)/da = b·a^(b-1), with a^1 where b = 0 so that 0⁰ gives 0; times `g`.
#[inline(always)]
fn power_grad_base<T: Float>(g: T, a: T, b: T) -> T {
    g * b * power(a, if b != T::ZERO { b - T::ONE } else { T::ONE })
}

/// d(aᵇ)/db = aᵇ·ln a, with ln 1 where a = 0; times `g`.
#[inline(always)]
fn power_grad_exponent<T: Float>(g: T, a: T, b: T) -> T {
    g * power(a, b) * Float::ln(if a != T::ZERO { a } else { T::ONE })
}

/// The lane's power gradients, out of line: inlined, LLVM evaluated both
/// `powf` calls for every lane node whatever its op (treating them as
/// speculatable), which took 14% of W1's instructions.
#[inline(never)]
fn power_lane_grad<T: Float>(k: usize, g: T, a: T, b: T) -> T {
    if k == 0 {
        power_grad_base(g, a, b)
    } else {
        power_grad_exponent(g, a, b)
    }
}

/// `g` where `selected`, else `0·g` (NaN for an infinite or NaN `g`).
#[inline(always)]
fn select<T: Float>(selected: bool, g: T) -> T {
    if selected {
        g
    } else {
        T::ZERO * g
    }
}

/// Integer and bool arithmetic (always constant: no backward).
fn integer_forward(op: BinaryOp, a: &Array, b: &Array, pool: &mut Pool) -> Result<Array> {
    let name = op.name();
    let dtype = a.dtype();
    dispatch_num!(dtype, T => {
        match op {
            BinaryOp::Add => eval::map2::<T, T>(a, b, pool, name, |x, y| {
                T::from_i64(x.to_i64().wrapping_add(y.to_i64()))
            }),
            BinaryOp::Subtract => eval::map2::<T, T>(a, b, pool, name, |x, y| {
                T::from_i64(x.to_i64().wrapping_sub(y.to_i64()))
            }),
            BinaryOp::Multiply => eval::map2::<T, T>(a, b, pool, name, |x, y| {
                T::from_i64(x.to_i64().wrapping_mul(y.to_i64()))
            }),
            BinaryOp::Power => {
                if let Some(&neg) = eval::slice::<T>(b).iter().find(|&&y| y.to_i64() < 0) {
                    return Err(Error::InvalidArgument {
                        op: name,
                        message: format!(
                            "Integers to negative integer powers are not allowed (exponent {})",
                            neg.to_i64()
                        ),
                    });
                }
                eval::map2::<T, T>(a, b, pool, name, |x, y| {
                    T::from_i64(ipow(x.to_i64(), y.to_i64() as u64))
                })
            }
            BinaryOp::Maximum => eval::map2::<T, T>(a, b, pool, name, |x, y| if x >= y { x } else { y }),
            BinaryOp::Minimum => eval::map2::<T, T>(a, b, pool, name, |x, y| if x <= y { x } else { y }),
            BinaryOp::Divide | BinaryOp::Arctan2 | BinaryOp::Logaddexp | BinaryOp::Logaddexp2 => {
                unreachable!("integer inputs compute these in float64")
            }
        }
    }, bool => match op {
        BinaryOp::Add | BinaryOp::Maximum => eval::map2::<bool, bool>(a, b, pool, name, |x, y| x | y),
        BinaryOp::Multiply | BinaryOp::Minimum => {
            eval::map2::<bool, bool>(a, b, pool, name, |x, y| x & y)
        }
        _ => Err(Error::UnsupportedDType { op: name, dtype: DType::Bool }),
    })
}

/// `base^exp` with wrapping, by squaring.
fn ipow(mut base: i64, mut exp: u64) -> i64 {
    let mut acc: i64 = 1;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exp >>= 1;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::ipow;

    #[test]
    fn integer_power_wraps_like_numpy() {
        assert_eq!(ipow(3, 4), 81);
        assert_eq!(ipow(-2, 3), -8);
        assert_eq!(ipow(7, 0), 1);
        assert_eq!(ipow(2, 64), 0);
    }
}

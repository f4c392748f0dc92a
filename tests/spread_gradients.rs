//! Gradients that the backward sweep keeps spread (a sum's or a mean's
//! gradient, at least 1024 elements, read as if broadcast; see
//! `src/grad.rs`) give the same bits as the formed route, which seeding the
//! same expression with a formed gradient takes (`backward_with`), and read
//! formed from outside.

use causing_diff::prelude::*;
use causing_diff::Array;

/// Deterministic values in [-1, 1) that are not round numbers.
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

fn array(shape: &[usize], seed: u64, dtype: DType) -> Array {
    let v = values(shape.iter().product(), seed);
    match dtype {
        DType::Float32 => Array::from_shape_vec(shape, v.iter().map(|&x| x as f32).collect()),
        _ => Array::from_shape_vec(shape, v),
    }
    .unwrap()
}

fn bits(a: &Array) -> Vec<u64> {
    match a.dtype() {
        DType::Float32 => a
            .as_slice::<f32>()
            .unwrap()
            .iter()
            .map(|x| x.to_bits() as u64)
            .collect(),
        _ => a
            .as_slice::<f64>()
            .unwrap()
            .iter()
            .map(|x| x.to_bits())
            .collect(),
    }
}

/// The gradients of `leaves` from `sum(expr)` or `mean(expr)` (the spread
/// route) and from `expr` seeded with the gradient those give it, formed
/// (ones, or `1 / n` rounded once in the dtype as the mean's rule computes
/// it), compared bit for bit.
fn same_both_ways<'g>(
    leaves: &[Tensor<'g>],
    expr: &dyn Fn() -> Tensor<'g>,
    mean: bool,
    case: &str,
) {
    let out = expr();
    let n = out.size();
    assert!(n >= 1024, "{case}: too small to be spread");
    if mean {
        out.mean().backward();
    } else {
        out.sum().backward();
    }
    let spread: Vec<Option<Array>> = leaves.iter().map(|t| t.grad()).collect();
    assert!(spread.iter().any(Option::is_some), "{case}: no gradient");
    let dtype = out.dtype();
    let fill = match (mean, dtype) {
        (false, _) => 1.0,
        (true, DType::Float32) => (1.0f32 / n as f32) as f64,
        (true, _) => 1.0 / n as f64,
    };
    let out = expr();
    out.backward_with(Array::full(&out.shape(), fill, dtype).unwrap());
    for (k, (t, s)) in leaves.iter().zip(&spread).enumerate() {
        let formed = t.grad();
        match (s, &formed) {
            (Some(s), Some(f)) => {
                assert_eq!(s.shape(), f.shape(), "{case}: input {k}");
                assert!(bits(s) == bits(f), "{case}: input {k} differs");
            }
            (None, None) => {}
            _ => panic!("{case}: input {k} has a gradient one way only"),
        }
    }
}

#[test]
fn elementwise_rules_read_a_spread_gradient_as_the_formed_one() {
    for dtype in [DType::Float32, DType::Float64] {
        let g = Graph::new();
        let x = g.tensor(array(&[64, 40], 1, dtype));
        let y = g.tensor(array(&[64, 40], 2, dtype));
        let r = g.tensor(array(&[40], 3, dtype));
        let c = g.tensor(array(&[64, 1], 4, dtype));
        type Expr<'a> = Box<dyn Fn() -> Tensor<'a> + 'a>;
        let cases: Vec<(&str, Expr)> = vec![
            ("x * y", Box::new(|| x * y)),
            ("x / y", Box::new(|| x / y)),
            ("(x - y) * 3 / 2", Box::new(|| (x - y) * 3.0 / 2.0)),
            ("x + y - x", Box::new(|| x + y - x)),
            ("x ** y", Box::new(|| x.abs().pow(y))),
            ("x * r (broadcast)", Box::new(|| x * r)),
            ("c * r + c (broadcast, W3)", Box::new(|| c * r + c)),
            ("sin(x) (formed by the engine)", Box::new(|| x.sin())),
            (
                "x.T * y.T (a view)",
                Box::new(|| x.transpose() * y.transpose()),
            ),
        ];
        for (name, expr) in &cases {
            for mean in [false, true] {
                let case = format!("{name}, {dtype:?}, mean {mean}");
                same_both_ways(&[x, y, r, c], expr, mean, &case);
                for t in [x, y, r, c] {
                    t.null_grad();
                }
            }
        }
    }
}

#[test]
fn products_read_a_spread_gradient_as_the_formed_one() {
    for dtype in [DType::Float32, DType::Float64] {
        let g = Graph::new();
        // The blocked GEMM (all sides ≥ 128), matrixmultiply's (small), a
        // matrix-vector product (the promoted axis), and a batch.
        for (ash, bsh) in [
            (&[130, 150][..], &[150, 140][..]),
            (&[40, 30][..], &[30, 50][..]),
            (&[1100, 20][..], &[20][..]),
            (&[3, 20, 30][..], &[30, 40][..]),
        ] {
            let a = g.tensor(array(ash, 5, dtype));
            let b = g.tensor(array(bsh, 6, dtype));
            let case = format!("{ash:?} @ {bsh:?}, {dtype:?}");
            same_both_ways(&[a, b], &|| a.matmul(b), false, &case);
        }
    }
}

#[test]
fn spread_gradients_accumulate_and_read_formed() {
    let g = Graph::new();
    let x = g.tensor(array(&[50, 30], 7, DType::Float64));
    let y = g.tensor(array(&[50, 30], 8, DType::Float64));
    let xs = x.data();
    let ys = y.data();
    let (xv, yv) = (xs.as_slice::<f64>().unwrap(), ys.as_slice::<f64>().unwrap());

    // Spread plus spread: 1 + 2.
    (x.sum() + (x * 2.0).sum()).backward();
    let gx = x.grad().unwrap();
    assert!(gx.as_slice::<f64>().unwrap().iter().all(|&v| v == 3.0));
    assert_eq!(gx.shape(), &[50, 30]);

    // Spread plus formed, in either order: 1 + y.
    for first in [true, false] {
        x.null_grad();
        let f = if first {
            x.sum() + (x * y).sum()
        } else {
            (x * y).sum() + x.sum()
        };
        f.backward();
        let gx = x.grad().unwrap();
        let want: Vec<f64> = yv.iter().map(|&y| 1.0 + y).collect();
        assert_eq!(
            gx.as_slice::<f64>().unwrap(),
            &want[..],
            "sum first: {first}"
        );
    }

    // An intermediate tensor's spread gradient reads formed, both ways.
    let p = x * y;
    p.mean().backward();
    let n = 1500.0;
    let ones_over_n = vec![1.0 / n; 1500];
    assert_eq!(
        p.grad().unwrap().as_slice::<f64>().unwrap(),
        &ones_over_n[..]
    );
    p.with_grad(|gr| assert_eq!(gr.unwrap().as_slice::<f64>().unwrap(), &ones_over_n[..]));
    // ...and a copy of the tensor carries it formed.
    assert_eq!(
        p.copy().grad().unwrap().as_slice::<f64>().unwrap(),
        &ones_over_n[..]
    );

    // A gradient step with a spread gradient: w - lr·1 per element.
    let w = g.tensor(array(&[50, 30], 9, DType::Float64));
    let before = w.data();
    w.sum().backward();
    assert!(w.gradient_step(0.25));
    let want: Vec<f64> = before
        .as_slice::<f64>()
        .unwrap()
        .iter()
        .map(|&v| v - 0.25 * 1.0)
        .collect();
    assert_eq!(w.data().as_slice::<f64>().unwrap(), &want[..]);
    let _ = xv;
}

/// A sum or mean over some axes spreads the upstream gradient's values over
/// them: each element gets its group's value (divided by the count for a
/// mean), as the formed rule gives it.
#[test]
fn sums_over_axes_spread_their_gradient() {
    let g = Graph::new();
    let x = g.tensor(array(&[40, 30], 10, DType::Float32));
    let v = g.tensor(array(&[30], 11, DType::Float32));
    (x.sum_axis(0) * v).sum().backward();
    let vs = v.data();
    let vv = vs.as_slice::<f32>().unwrap();
    let gx = x.grad().unwrap();
    let gv = gx.as_slice::<f32>().unwrap();
    assert!((0..40 * 30).all(|i| gv[i] == vv[i % 30]));

    x.null_grad();
    (x.mean_axis(1) * 3.0).sum().backward();
    let gx = x.grad().unwrap();
    let want = 3.0f32 / 30.0;
    assert!(gx.as_slice::<f32>().unwrap().iter().all(|&e| e == want));
}

/// `v` (C-contiguous, of `shape` without `axis`) repeated along a new axis `axis` of length `n`: the
/// gradient a sum over that axis spreads, formed.
fn repeat_along(v: &Array, axis: usize, shape: &[usize]) -> Array {
    let inner: usize = shape[axis + 1..].iter().product();
    let n = shape[axis];
    let pick = |i: usize| (i / (n * inner)) * inner + i % inner;
    let len: usize = shape.iter().product();
    match v.dtype() {
        DType::Float32 => {
            let s = v.as_slice::<f32>().unwrap();
            Array::from_shape_vec(shape, (0..len).map(|i| s[pick(i)]).collect())
        }
        _ => {
            let s = v.as_slice::<f64>().unwrap();
            Array::from_shape_vec(shape, (0..len).map(|i| s[pick(i)]).collect())
        }
    }
    .unwrap()
}

/// A sum over one axis spreads a row or a column (not a single value) over
/// the product below it. Summing that gradient down to the product's
/// broadcast factors reads it in place where its layout follows the formed
/// gradient's additions (the 2-d cases), and forms it where it does not (a
/// 3-d case whose reduced run would cross from a spread axis into a real
/// one); both give the bits of the same product seeded with the formed
/// gradient.
#[test]
fn broadcast_factors_sum_a_spread_row_as_the_formed_one() {
    for dtype in [DType::Float32, DType::Float64] {
        let g = Graph::new();
        let c = g.tensor(array(&[64, 1], 1, dtype));
        let r = g.tensor(array(&[40], 2, dtype));
        let p = g.tensor(array(&[8, 10, 16], 3, dtype));
        let q = g.tensor(array(&[8, 1, 1], 4, dtype));
        type Expr<'a> = Box<dyn Fn() -> Tensor<'a> + 'a>;
        let cases: Vec<(&str, Expr, usize, Vec<usize>)> = vec![
            (
                "c * r + c, over rows",
                Box::new(|| c * r + c),
                0,
                vec![64, 40],
            ),
            (
                "c * r - r, over columns",
                Box::new(|| c * r - r),
                1,
                vec![64, 40],
            ),
            ("p * q, 3-d", Box::new(|| p * q), 2, vec![8, 10, 16]),
        ];
        for (k, (name, expr, axis, shape)) in cases.iter().enumerate() {
            let case = format!("{name}, {dtype:?}");
            let kept: Vec<usize> = (0..shape.len())
                .filter(|&a| a != *axis)
                .map(|a| shape[a])
                .collect();
            let v = g.tensor(array(&kept, 10 + k as u64, dtype));
            // (e·v) summed: the gradient of `e` is `v` spread along `axis`.
            (expr().sum_axis(*axis as isize) * v).sum().backward();
            let leaves = [c, r, p, q];
            let spread: Vec<Option<Array>> = leaves.iter().map(|t| t.grad()).collect();
            for t in leaves {
                t.null_grad();
            }
            let e = expr();
            e.backward_with(repeat_along(&v.data(), *axis, shape));
            for (t, s) in leaves.iter().zip(&spread) {
                match (s, t.grad()) {
                    (Some(s), Some(f)) => assert!(bits(s) == bits(&f), "{case}: differs"),
                    (None, None) => {}
                    _ => panic!("{case}: a gradient one way only"),
                }
                t.null_grad();
            }
        }
    }
}

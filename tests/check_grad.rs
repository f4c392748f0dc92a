//! The public numerical-gradient checker on users' own functions: it passes
//! correct gradients, catches wrong ones, and reports clearly.

use causing_diff::prelude::*;
use causing_diff::{check_grad, GradCheckOptions};

fn arr(shape: &[usize], values: &[f64]) -> Array {
    Array::from_shape_vec(shape, values.to_vec()).unwrap()
}

fn opts() -> GradCheckOptions {
    GradCheckOptions::new()
}

#[test]
fn correct_gradients_pass() {
    let x = arr(&[2, 3], &[0.5, -1.0, 2.0, 0.1, 0.2, -0.3]);
    let y = arr(&[3], &[1.0, 2.0, 3.0]);
    let m = arr(&[3, 2], &[0.3, -0.7, 1.1, 0.4, -0.2, 0.9]);
    // A small network: broadcasting, matmul, a nonlinearity, a reduction.
    let report = check_grad(
        |_, t| {
            let h = (t[0] * t[1] + 1.0).matmul(t[2]);
            (h.exp() / (h.exp() + 1.0)).mean_with(Some(&[0]), false)
        },
        &[x.clone(), y.clone(), m],
        &opts(),
    )
    .unwrap();
    report.assert_passed();
    assert_eq!(report.inputs.len(), 3);
    for c in &report.inputs {
        assert!(c.max_abs_err < 1e-8, "{report}");
        assert_eq!(c.worst, None);
    }
    // The analytic gradient of a scalar result is the true gradient.
    let report = check_grad(
        |_, t| (t[0] * t[0]).sum(),
        std::slice::from_ref(&x),
        &opts(),
    )
    .unwrap();
    let expected: Vec<f64> = x.to_f64_vec().iter().map(|v| 2.0 * v).collect();
    assert_eq!(
        report.inputs[0].analytic.as_ref().unwrap().to_f64_vec(),
        expected
    );
    // Inputs used twice, and a 0-d input.
    let s = Array::scalar(0.7);
    let report = check_grad(|_, t| t[0].pow(t[1]) * t[1], &[y, s], &opts()).unwrap();
    report.assert_passed();
}

#[test]
fn float32_inputs_are_checked_at_their_own_precision() {
    let x = Array::from_shape_vec(&[4], vec![0.5f32, 1.5, -2.0, 3.25]).unwrap();
    let report = check_grad(|_, t| (t[0] * t[0] * t[0]).sum(), &[x], &opts()).unwrap();
    report.assert_passed();
    let c = &report.inputs[0];
    assert_eq!(c.analytic.as_ref().unwrap().dtype(), DType::Float32);
    assert_eq!(c.numerical.as_ref().unwrap().dtype(), DType::Float64);
    assert_eq!((c.rtol, c.atol), (1e-3, 1e-4));
}

#[test]
fn integer_inputs_are_constants_and_skipped() {
    let x = arr(&[3], &[1.0, 2.0, 3.0]);
    let k = Array::from_vec(vec![2i64, 0, 1]);
    let report = check_grad(|_, t| (t[0] * t[1]).sum(), &[x, k], &opts()).unwrap();
    report.assert_passed();
    assert!(report.inputs[1].analytic.is_none() && report.inputs[1].numerical.is_none());
    assert_eq!(
        report.inputs[0].analytic.as_ref().unwrap().to_f64_vec(),
        vec![2.0, 0.0, 1.0]
    );
    assert!(report.to_string().contains("input 1: not a float input"));
}

#[test]
fn a_detached_factor_is_caught() {
    // d/dx (x * x) = 2x, but backward sees `x * const` and finds x.
    let x = arr(&[2, 2], &[1.0, -2.0, 3.0, 0.5]);
    let report = check_grad(|_, t| (t[0] * t[0].data()).sum(), &[x], &opts()).unwrap();
    assert!(!report.passed());
    let c = &report.inputs[0];
    assert!(!c.passed);
    assert!((c.max_abs_err - 3.0).abs() < 1e-6, "{report}");
    assert!((c.max_rel_err - 0.5).abs() < 1e-6, "{report}");
    assert_eq!(c.worst, Some(2), "x = 3 is furthest off");
    let text = report.to_string();
    assert!(text.starts_with("check_grad FAILED"), "{text}");
    assert!(
        text.contains("worst at flat index 2: analytic 3.0, numerical 6.0"),
        "{text}"
    );
    let caught = std::panic::catch_unwind(|| report.assert_passed());
    assert!(caught.is_err());
}

#[test]
fn a_gradient_of_a_different_function_is_caught() {
    // A stand-in for a buggy op: the tracked computation (whose gradient
    // backward takes) is sin(x), the untracked one (the numerical
    // reference) sin(x) + 0.1 x: the derivatives differ by 0.1 everywhere.
    let x = arr(&[5], &[-1.0, -0.5, 0.0, 0.5, 1.0]);
    let slope = |g: &Graph| -> f64 {
        if g.is_tracking() {
            0.0
        } else {
            0.1
        }
    };
    let report = check_grad(
        |g, t| (t[0].sin() + t[0] * slope(g)).sum(),
        std::slice::from_ref(&x),
        &opts(),
    )
    .unwrap();
    assert!(!report.passed());
    assert!(
        (report.inputs[0].max_abs_err - 0.1).abs() < 1e-6,
        "{report}"
    );
    // The same difference hidden below a loose tolerance passes.
    let loose = opts().tolerances(0.0, 0.2);
    let report = check_grad(|g, t| (t[0].sin() + t[0] * slope(g)).sum(), &[x], &loose).unwrap();
    report.assert_passed();
}

#[test]
fn random_ops_inside_the_function_draw_the_same_values_each_time() {
    let x = arr(
        &[3, 4],
        &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2],
    );
    // Dropout-like: a random mask and scale.
    let report = check_grad(
        |g, t| (t[0] * g.rand(&[3, 4]) * g.randn(&[4])).sum(),
        &[x],
        &opts().seed(9),
    )
    .unwrap();
    report.assert_passed();
}

#[test]
fn results_that_are_not_float_tensors_are_errors() {
    let x = arr(&[2], &[1.0, 2.0]);
    let err = check_grad(|g, _| g.tensor([1, 2]), std::slice::from_ref(&x), &opts()).unwrap_err();
    assert!(matches!(
        err,
        Error::UnsupportedDType {
            op: "check_grad",
            dtype: DType::Int64
        }
    ));
    // A result whose shape depends on the values cannot be differenced.
    let err = check_grad(
        |g, t| {
            if g.is_tracking() {
                t[0].sum()
            } else {
                t[0] * 1.0
            }
        },
        &[x],
        &opts(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidArgument {
            op: "check_grad",
            ..
        }
    ));
    assert!(err.to_string().contains("from () to (2,)"), "{err}");
}

#[test]
fn no_inputs_and_constant_results_pass_trivially() {
    let report = check_grad(|g, _| g.tensor(1.0), &[], &opts()).unwrap();
    report.assert_passed();
    assert!(report.inputs.is_empty());
    let x = arr(&[2], &[1.0, 2.0]);
    let report = check_grad(|g, _| g.tensor([3.0, 4.0]).sum(), &[x], &opts()).unwrap();
    report.assert_passed();
    assert_eq!(
        report.inputs[0].analytic.as_ref().unwrap().to_f64_vec(),
        vec![0.0, 0.0]
    );
}

//! Inputs the fuzz targets (`fuzz/`) found, replayed through the public API.
//! Expected values follow NumPy/MyGrad semantics, worked out by hand.

use causing_diff::prelude::*;

/// graph_programs: `where` cast its condition straight to the result's
/// dtype, so for integer results a NaN or fractional condition truncated to
/// 0 and picked `b`. NumPy reads the condition as bool:
/// `np.where([nan, .5, -.25, 0.], [1, 2, 3, 4], [10, 20, 30, 40])` is
/// `[1, 2, 3, 40]`.
#[test]
fn where_reads_a_float_condition_as_bool_for_integer_results() {
    let g = Graph::new();
    let cond = g.tensor([f64::NAN, 0.5, -0.25, 0.0]);
    let a = g.tensor([1, 2, 3, 4]);
    let b = g.tensor([10, 20, 30, 40]);
    let y = causing_diff::where_(cond, a, b).unwrap();
    assert_eq!(y.dtype(), DType::Int64);
    assert_eq!(y.data().to_f64_vec(), vec![1.0, 2.0, 3.0, 40.0]);
}

/// The same rule for a float32 result and a float64 condition too small
/// for float32: `1e-50` is true, so `a` is picked and gets the gradient.
#[test]
fn where_reads_a_tiny_float64_condition_as_true_for_float32_results() {
    let g = Graph::new();
    let cond = g.constant([1e-50, 0.0]);
    let a = g.tensor([1.0f32, 2.0]);
    let b = g.tensor([10.0f32, 20.0]);
    let y = causing_diff::where_(cond, a, b).unwrap();
    assert_eq!(y.dtype(), DType::Float32);
    assert_eq!(y.data().to_f64_vec(), vec![1.0, 20.0]);
    y.backward();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![1.0, 0.0]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![0.0, 1.0]);
}

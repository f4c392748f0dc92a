//! Printing arbitrary arrays: every dtype, NaN/inf/-0.0, extreme magnitudes,
//! empty and summarised shapes. Invariants: formatting never panics, the
//! text is a well-formed NumPy repr (balanced brackets, the right prefix,
//! a dtype suffix exactly when NumPy shows one), and a 0-d float whose
//! shortest form fits NumPy's 8 fraction digits parses back to the value.
#![no_main]

use causing_diff::{Array, DType};
use libfuzzer_sys::fuzz_target;

/// Reads a small shape (0–4 dims of 0–7, or one long axis) and the values.
fn decode(data: &[u8]) -> Option<Array> {
    let (&head, rest) = data.split_first()?;
    let dtype = match head % 5 {
        0 => DType::Bool,
        1 => DType::Int32,
        2 => DType::Int64,
        3 => DType::Float32,
        _ => DType::Float64,
    };
    let (&dims_byte, rest) = rest.split_first()?;
    let ndim = (dims_byte % 5) as usize;
    let mut shape = Vec::with_capacity(ndim);
    let mut rest = rest;
    let mut long_axis = false;
    for _ in 0..ndim {
        let (&d, r) = rest.split_first()?;
        rest = r;
        // At most one long axis, so that summarisation is exercised without
        // huge inputs.
        let long = d == 255 && !long_axis;
        long_axis |= long;
        shape.push(if long { 1001 } else { (d % 8) as usize });
    }
    let n: usize = shape.iter().product();
    let width = match dtype {
        DType::Bool => 1,
        DType::Int32 | DType::Float32 => 4,
        _ => 8,
    };
    let bytes = |i: usize| -> [u8; 8] {
        let mut b = [0u8; 8];
        for (k, slot) in b.iter_mut().enumerate().take(width) {
            *slot = rest
                .get((i * width + k) % rest.len().max(1))
                .copied()
                .unwrap_or(0);
        }
        b
    };
    Some(
        match dtype {
            DType::Bool => {
                Array::from_shape_vec(&shape, (0..n).map(|i| bytes(i)[0] & 1 == 1).collect())
            }
            DType::Int32 => Array::from_shape_vec(
                &shape,
                (0..n)
                    .map(|i| i32::from_le_bytes(bytes(i)[..4].try_into().unwrap()))
                    .collect(),
            ),
            DType::Int64 => Array::from_shape_vec(
                &shape,
                (0..n).map(|i| i64::from_le_bytes(bytes(i))).collect(),
            ),
            DType::Float32 => Array::from_shape_vec(
                &shape,
                (0..n)
                    .map(|i| f32::from_le_bytes(bytes(i)[..4].try_into().unwrap()))
                    .collect(),
            ),
            DType::Float64 => Array::from_shape_vec(
                &shape,
                (0..n).map(|i| f64::from_le_bytes(bytes(i))).collect(),
            ),
        }
        .expect("shape and data agree by construction"),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some(a) = decode(data) else { return };
    let text = a.to_string();
    assert!(text.starts_with("array(") && text.ends_with(')'), "{text}");
    let opens = text.matches('[').count();
    assert_eq!(opens, text.matches(']').count(), "unbalanced: {text}");
    let suffix = text.contains("dtype=");
    let implied = matches!(a.dtype(), DType::Float64 | DType::Int64 | DType::Bool);
    if a.size() > 0 {
        assert_eq!(suffix, !implied, "dtype suffix of {:?}: {text}", a.dtype());
    } else {
        assert!(suffix, "an empty array always shows its dtype: {text}");
    }
    if a.ndim() == 0 && a.dtype() == DType::Float64 {
        // A value whose shortest round-trip form has at most 8 fraction
        // digits, printed positionally, is shown in full: it must parse back.
        let x = a.as_slice::<f64>().unwrap()[0];
        let shortest = x.abs().to_string();
        let frac = shortest.split('.').nth(1).map_or(0, str::len);
        let positional = x == 0.0 || (1e-4..1e8).contains(&x.abs());
        if x.is_finite() && positional && frac <= 8 {
            let inner = &text["array(".len()..text.len() - 1];
            let back: f64 = inner.trim_end_matches('.').parse().expect("a number");
            assert_eq!(back, x, "{inner} does not round-trip");
        }
    }
});

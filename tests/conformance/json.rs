//! Reading conformance records: JSON lines with exact floats, typed arrays
//! (FORMAT.md §3) and arguments (§4). Part of `cargo test --test conformance`.

use causing_diff::{Array, DType, Error, Graph, Scalar, TensorOptions};
use serde_json::Value;

use crate::dispatch::Arg;

/// Parses one JSON line. serde_json's `float_roundtrip` feature (enabled
/// in Cargo.toml) reads every float literal bit-exactly, which the inputs
/// need (`out_repr`); `Number::is_f64` still tells `3.0` from `3`.
pub fn parse_line(line: &str) -> Result<Value, String> {
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// A float element: a number, or `"nan"`, `"inf"`, `"-inf"`.
pub fn float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("bad float {v}")),
        Value::String(s) => match s.as_str() {
            "nan" => Ok(f64::NAN),
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            _ => Err(format!("bad float {v}")),
        },
        _ => Err(format!("bad float {v}")),
    }
}

fn int(v: &Value) -> Result<i64, String> {
    v.as_i64().ok_or_else(|| format!("bad integer {v}"))
}

fn dtype(v: &Value) -> Result<DType, String> {
    let name = v.as_str().ok_or_else(|| format!("bad dtype {v}"))?;
    DType::from_name(name).ok_or_else(|| format!("unknown dtype {name}"))
}

/// A typed array `{"dtype", "shape", "data"}` as an [`Array`].
pub fn typed_array(v: &Value) -> Result<Array, String> {
    let dtype = dtype(&v["dtype"])?;
    let shape = v["shape"]
        .as_array()
        .ok_or("typed array without a shape")?
        .iter()
        .map(|d| {
            d.as_u64()
                .map(|d| d as usize)
                .ok_or_else(|| format!("bad dim {d}"))
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let data = v["data"].as_array().ok_or("typed array without data")?;
    let size: usize = shape.iter().product();
    if data.len() != size {
        return Err(format!("{} data elements for shape {shape:?}", data.len()));
    }
    fn vec<T>(data: &[Value], f: impl Fn(&Value) -> Result<T, String>) -> Result<Vec<T>, String> {
        data.iter().map(f).collect()
    }
    let built = match dtype {
        DType::Float64 => Array::from_shape_vec(&shape, vec(data, float)?),
        DType::Float32 => Array::from_shape_vec(&shape, vec(data, |x| float(x).map(|x| x as f32))?),
        DType::Int64 => Array::from_shape_vec(&shape, vec(data, int)?),
        DType::Int32 => Array::from_shape_vec(
            &shape,
            vec(data, |x| {
                i32::try_from(int(x)?).map_err(|_| format!("int32 out of range: {x}"))
            })?,
        ),
        DType::Bool => Array::from_shape_vec(
            &shape,
            vec(data, |x| x.as_bool().ok_or_else(|| format!("bad bool {x}")))?,
        ),
    };
    built.map_err(|e| e.to_string())
}

/// Why building an argument failed.
pub enum BuildError {
    /// The crate refused (e.g. `int_non_constant`).
    Crate(Error),
    /// The record is malformed.
    Harness(String),
}

impl From<String> for BuildError {
    fn from(s: String) -> Self {
        BuildError::Harness(s)
    }
}

/// Builds one argument (FORMAT.md §4) in `g`.
pub fn build_arg<'g>(g: &'g Graph, v: &Value) -> Result<Arg<'g>, BuildError> {
    if v.is_null() {
        return Ok(Arg::Null);
    }
    if let Some(t) = v.get("tensor") {
        let constant = v["constant"]
            .as_bool()
            .ok_or_else(|| "tensor arg without a constant flag".to_string())?;
        let opts = TensorOptions::new().constant(constant);
        return g
            .try_tensor_with(typed_array(t)?, opts)
            .map(Arg::Tensor)
            .map_err(BuildError::Crate);
    }
    if let Some(x) = v.get("scalar") {
        let s = match dtype(&v["dtype"])? {
            DType::Float64 => Scalar::from(float(x)?),
            DType::Float32 => Scalar::from(float(x)? as f32),
            DType::Int64 => Scalar::from(int(x)?),
            d => return Err(format!("unsupported scalar dtype {d}").into()),
        };
        return Ok(Arg::Scalar(s));
    }
    if let Some(a) = v.get("array") {
        return Ok(Arg::Array(typed_array(a)?));
    }
    Err(format!("unknown argument form {v}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_exact_and_ints_stay_ints() {
        let v = parse_line(r#"{"a":[0.1,3,3.0,-2.5e-3,"x.5"],"s":"\u00e9 1.5"}"#).unwrap();
        assert_eq!(v["a"][0].as_f64(), Some(0.1));
        assert!(v["a"][1].is_i64());
        assert!(v["a"][2].is_f64());
        assert_eq!(v["a"][3].as_f64(), Some(-2.5e-3));
        assert_eq!(v["a"][4], "x.5");
        assert_eq!(v["s"], "\u{e9} 1.5");
    }
}

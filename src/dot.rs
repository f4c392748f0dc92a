//! Exporting the computational graph above a tensor to Graphviz DOT.

use core::fmt::Write;

use crate::array::Array;
use crate::dtype::DType;
use crate::error::{shape_str, Result};
use crate::graph::{Node, Tensor};
use crate::ops::Op;
use crate::tensor::ok;

impl Tensor<'_> {
    /// The computational graph this tensor was computed from, in Graphviz
    /// DOT (render it with `dot -Tsvg`).
    ///
    /// One node per tensor upstream of this one (itself included), named
    /// `n<index>` after its place in the graph and labelled with the op
    /// that made it (`leaf` for a variable leaf, `constant` for a constant
    /// one), its shape and dtype; a 0-d constant shows its value. Edges run
    /// from each input to the op's output, labelled with the input's
    /// position when the op has several. Shapes and styles tell the kinds
    /// apart: leaves are boxes (variables filled), ops ellipses, constants
    /// dashed, ops already cleared by a backward pass or `clear_graph`
    /// grey, and this tensor drawn bold. The export follows the recorded
    /// edges, so it still shows a graph after backward.
    ///
    /// Panics only on a stale handle.
    ///
    /// ```
    /// use causing_diff::prelude::*;
    /// let g = Graph::new();
    /// let x = g.tensor([1.0, 2.0]);
    /// let y = (x * 2.0).sum();
    /// let dot = y.to_dot();
    /// assert!(dot.starts_with("digraph causing_diff {"));
    /// assert!(dot.contains(r#"n0 [label="leaf\n(2,) float64""#));
    /// assert!(dot.contains(r#"n1 [label="constant\n() float64 = 2.0""#));
    /// assert!(dot.contains(r#"n2 [label="multiply\n(2,) float64""#));
    /// assert!(dot.contains("n0 -> n2"));
    /// ```
    #[track_caller]
    pub fn to_dot(self) -> String {
        ok(self.try_to_dot())
    }

    /// [`Tensor::to_dot`], or [`Error::StaleTensor`](crate::Error::StaleTensor).
    pub fn try_to_dot(self) -> Result<String> {
        let inner = self.graph.inner.borrow();
        let root = inner.check(self.idx, self.stamp)?;
        let upstream = inner.upstream(root);
        let ids = || (0..=root).filter(|&i| upstream[i]);
        let mut s = String::from("digraph causing_diff {\n  node [fontsize=12];\n");
        for i in ids() {
            let node = &inner.nodes[i];
            let _ = writeln!(s, "  n{i} [{}];", attributes(node, i == root));
        }
        for i in ids() {
            let (a, n) = inner.nodes[i].edges_at;
            let parents = &inner.edges[a as usize..(a + n) as usize];
            for (k, p) in parents.iter().enumerate() {
                let _ = match parents.len() {
                    1 => writeln!(s, "  n{p} -> n{i};"),
                    _ => writeln!(s, "  n{p} -> n{i} [label=\"{k}\"];"),
                };
            }
        }
        s.push_str("}\n");
        Ok(s)
    }
}

/// A node's DOT attributes: label, shape and style.
fn attributes(node: &Node, is_root: bool) -> String {
    let v = &node.value;
    let kind = match (node.op, node.constant) {
        (Op::Leaf, false) => "leaf",
        (Op::Leaf, true) => "constant",
        (op, _) => op.name(),
    };
    let mut label = format!("{}\\n{} {}", escape(kind), shape_str(v.shape()), v.dtype());
    if node.constant && v.ndim() == 0 {
        let _ = write!(label, " = {}", escape(&scalar(v)));
    }
    let mut styles = Vec::new();
    let shape = if node.op == Op::Leaf {
        if !node.constant {
            styles.push("filled");
        }
        "box"
    } else {
        "ellipse"
    };
    if node.constant {
        styles.push("dashed");
    }
    if is_root {
        styles.push("bold");
    }
    let mut attrs = format!("label=\"{label}\", shape={shape}");
    if !node.constant && node.op == Op::Leaf {
        attrs.push_str(", fillcolor=lightblue");
    }
    if node.op != Op::Leaf && !node.live {
        attrs.push_str(", color=gray50");
    }
    if !styles.is_empty() {
        let _ = write!(attrs, ", style=\"{}\"", styles.join(","));
    }
    attrs
}

/// The value of a 0-d array, as Rust prints it (`2.0`, `-3`, `true`).
fn scalar(v: &Array) -> String {
    let first = |s: Option<String>| s.unwrap_or_default();
    match v.dtype() {
        DType::Bool => first(v.as_slice::<bool>().map(|s| s[0].to_string())),
        DType::Int32 => first(v.as_slice::<i32>().map(|s| s[0].to_string())),
        DType::Int64 => first(v.as_slice::<i64>().map(|s| s[0].to_string())),
        DType::Float32 => first(v.as_slice::<f32>().map(|s| format!("{:?}", s[0]))),
        DType::Float64 => first(v.as_slice::<f64>().map(|s| format!("{:?}", s[0]))),
    }
}

/// `text` made safe inside a double-quoted DOT string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

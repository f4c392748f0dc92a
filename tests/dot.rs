//! Graphviz export: the DOT text is parsed back into nodes and edges and
//! checked against the graph that was built.

use std::collections::{BTreeMap, BTreeSet};

use causing_diff::prelude::*;

/// A parsed DOT graph: node id → attributes, and (from, to, label) edges.
#[derive(Debug)]
struct Dot {
    nodes: BTreeMap<String, BTreeMap<String, String>>,
    edges: Vec<(String, String, Option<String>)>,
}

/// `key=value, key="quoted, value"` → a map.
fn parse_attrs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').expect("key=value");
        let key = rest[..eq].trim().to_string();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut end = 0;
            let bytes = quoted.as_bytes();
            while bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            value = quoted[..end].to_string();
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        out.insert(key, value);
        rest = rest.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

fn parse(dot: &str) -> Dot {
    let mut lines = dot.lines();
    assert_eq!(lines.next(), Some("digraph causing_diff {"));
    assert_eq!(dot.lines().last(), Some("}"));
    let mut graph = Dot {
        nodes: BTreeMap::new(),
        edges: Vec::new(),
    };
    for line in lines {
        let line = line.trim();
        if line == "}" || line.starts_with("node [") {
            continue;
        }
        let line = line.strip_suffix(';').expect("statements end with ;");
        let (head, attrs) = match line.find(" [") {
            Some(at) => (
                &line[..at],
                parse_attrs(line[at + 2..].strip_suffix(']').unwrap()),
            ),
            None => (line, BTreeMap::new()),
        };
        match head.split_once(" -> ") {
            Some((from, to)) => graph.edges.push((
                from.to_string(),
                to.to_string(),
                attrs.get("label").cloned(),
            )),
            None => {
                assert!(
                    graph.nodes.insert(head.to_string(), attrs).is_none(),
                    "{head} twice"
                );
            }
        }
    }
    for (from, to, _) in &graph.edges {
        assert!(graph.nodes.contains_key(from) && graph.nodes.contains_key(to));
    }
    graph
}

fn label(d: &Dot, id: &str) -> String {
    d.nodes[id]["label"].clone()
}

fn styles(d: &Dot, id: &str) -> BTreeSet<String> {
    d.nodes[id]
        .get("style")
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn the_graph_upstream_of_a_tensor_is_exported() {
    let g = Graph::new();
    let x = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]); // n0
    let b = g.constant([0.5f32, 1.0, 1.5]); // n1
    let unrelated = g.tensor(7.0); // n2
    let h = x + b; // n3
    let y = (h * h).sum(); // n4, n5
    let _later = unrelated * 2.0;
    let d = parse(&y.to_dot());

    let ids: Vec<&str> = d.nodes.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        ["n0", "n1", "n3", "n4", "n5"],
        "only what y depends on"
    );
    assert_eq!(label(&d, "n0"), r"leaf\n(2, 3) float64");
    assert_eq!(label(&d, "n1"), r"constant\n(3,) float32");
    assert_eq!(label(&d, "n3"), r"add\n(2, 3) float64");
    assert_eq!(label(&d, "n4"), r"multiply\n(2, 3) float64");
    assert_eq!(label(&d, "n5"), r"sum\n() float64");
    // Leaves are boxes, ops ellipses; constants dashed; variables filled.
    assert_eq!(d.nodes["n0"]["shape"], "box");
    assert_eq!(d.nodes["n3"]["shape"], "ellipse");
    assert!(styles(&d, "n0").contains("filled") && !styles(&d, "n0").contains("dashed"));
    assert!(styles(&d, "n1").contains("dashed") && !styles(&d, "n1").contains("filled"));
    assert!(styles(&d, "n5").contains("bold"), "the exported tensor");
    assert!(!styles(&d, "n4").contains("bold"));

    let edges: BTreeSet<(&str, &str, Option<&str>)> = d
        .edges
        .iter()
        .map(|(a, b, l)| (a.as_str(), b.as_str(), l.as_deref()))
        .collect();
    let expected = BTreeSet::from([
        ("n0", "n3", Some("0")),
        ("n1", "n3", Some("1")),
        ("n3", "n4", Some("0")),
        ("n3", "n4", Some("1")),
        ("n4", "n5", None),
    ]);
    assert_eq!(edges, expected);
}

#[test]
fn scalars_constant_ops_and_cleared_ops_are_distinguishable() {
    let g = Graph::new();
    let k = g.constant([1.0, 2.0]); // n0
    let c = k * 3; // n1 (the scalar), n2: an op on constants is a constant
    let w = g.tensor(2.0f32); // n3
    let y = w * c.sum(); // n4 sum, n5 multiply
    let d = parse(&y.to_dot());
    assert_eq!(label(&d, "n1"), r"constant\n() float64 = 3.0");
    assert_eq!(label(&d, "n2"), r"multiply\n(2,) float64");
    assert!(styles(&d, "n2").contains("dashed"), "a constant op output");
    assert!(!styles(&d, "n5").contains("dashed"));
    assert_eq!(label(&d, "n3"), r"leaf\n() float32");
    assert!(!d.nodes["n5"].contains_key("color"), "live before backward");

    // After backward the structure is still exported, cleared ops greyed.
    y.backward();
    let after = parse(&y.to_dot());
    assert_eq!(
        after.nodes.keys().collect::<Vec<_>>(),
        d.nodes.keys().collect::<Vec<_>>()
    );
    assert_eq!(after.edges, d.edges);
    assert_eq!(after.nodes["n5"]["color"], "gray50");
    assert!(
        !after.nodes["n3"].contains_key("color"),
        "leaves are never greyed"
    );
}

#[test]
fn a_leaf_exports_alone_and_stale_handles_are_errors() {
    let g = Graph::new();
    let mark = g.mark();
    let x = g.tensor([true, false]);
    let d = parse(&x.to_dot());
    assert_eq!(d.nodes.len(), 1);
    assert!(d.edges.is_empty());
    assert_eq!(label(&d, "n0"), r"constant\n(2,) bool");
    let s = g.constant(-4);
    assert_eq!(label(&parse(&s.to_dot()), "n1"), r"constant\n() int64 = -4");
    // Untracked results are constant leaves with no history.
    let u = g.no_autodiff(|| g.tensor(1.0) + 1.0);
    let d = parse(&u.to_dot());
    assert_eq!(d.nodes.len(), 1);
    assert!(label(&d, &format!("n{}", g.len() - 1)).starts_with("constant"));
    g.rewind(mark);
    assert!(matches!(x.try_to_dot(), Err(Error::StaleTensor { .. })));
}

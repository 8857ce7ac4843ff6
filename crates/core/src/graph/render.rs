//! The graph as text for the CLI's `graph` command: a table and a Graphviz digraph.

use std::fmt::Write as _;

use crate::graph::Dag;

impl Dag {
    /// A table of the releases in install order, like Helmfile's `show-dag`: the group
    /// (level, from 1), the release and what it needs. Columns are aligned; no trailing spaces.
    pub fn to_text(&self) -> String {
        let mut rows = vec![["GROUP".to_owned(), "RELEASE".to_owned(), "NEEDS".to_owned()]];
        for (level, ids) in self.levels().iter().enumerate() {
            for id in ids {
                let needs: Vec<String> = self.needs(id).iter().map(ToString::to_string).collect();
                rows.push([(level + 1).to_string(), id.to_string(), needs.join(", ")]);
            }
        }
        let width = |column: usize| rows.iter().map(|row| row[column].len()).max().unwrap_or(0);
        let (group, release) = (width(0), width(1));
        let mut text = String::new();
        for [level, id, needs] in &rows {
            let line = format!("{level:<group$}  {id:<release$}  {needs}");
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }

    /// A Graphviz digraph: one node per release (its definition as tooltip) and an edge from
    /// each release to each release it needs, in sorted order so the output is stable.
    pub fn to_dot(&self) -> String {
        let mut dot = String::from("digraph releases {\n  node [shape=box];\n");
        for id in self.ids() {
            let location = self
                .location(id)
                .map(ToString::to_string)
                .unwrap_or_default();
            // Writing to a String cannot fail.
            let _ = writeln!(
                dot,
                "  {} [tooltip={}];",
                quote(&id.to_string()),
                quote(&location)
            );
        }
        for id in self.ids() {
            for need in self.needs(id) {
                let _ = writeln!(
                    dot,
                    "  {} -> {};",
                    quote(&id.to_string()),
                    quote(&need.to_string())
                );
            }
        }
        dot.push_str("}\n");
        dot
    }
}

/// A Graphviz quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use crate::graph::Dag;
    use crate::graph::dag::tests::{docs_example, node};

    #[test]
    fn text_lists_releases_by_group_with_their_needs() {
        insta::assert_snapshot!(docs_example().to_text(), @"
        GROUP  RELEASE              NEEDS
        1      default/logging
        2      default/servicemesh  default/logging
        3      default/myapp1       default/logging, default/servicemesh
        3      default/myapp2       default/logging, default/servicemesh
        ");
    }

    #[test]
    fn dot_is_a_stable_digraph() {
        insta::assert_snapshot!(docs_example().to_dot(), @r#"
        digraph releases {
          node [shape=box];
          "default/logging" [tooltip="helmfile.yaml:30:3"];
          "default/myapp1" [tooltip="helmfile.yaml:1:3"];
          "default/myapp2" [tooltip="helmfile.yaml:10:3"];
          "default/servicemesh" [tooltip="helmfile.yaml:20:3"];
          "default/myapp1" -> "default/logging";
          "default/myapp1" -> "default/servicemesh";
          "default/myapp2" -> "default/logging";
          "default/myapp2" -> "default/servicemesh";
          "default/servicemesh" -> "default/logging";
        }
        "#);
    }

    #[test]
    fn dot_escapes_quotes_and_backslashes() {
        let dag = Dag::new([node(r#"ctx"a\b/ns/web"#, 1, &[])]);
        let dot = dag.map(|dag| dag.to_dot()).map_err(|e| e.to_string());
        insta::assert_snapshot!(dot.unwrap_or_else(|e| e), @r#"
        digraph releases {
          node [shape=box];
          "ctx\"a\\b/ns/web" [tooltip="helmfile.yaml:1:3"];
        }
        "#);
    }

    #[test]
    fn an_empty_graph_renders_headers_only() {
        let dag = Dag::new([]).map_err(|e| e.to_string());
        let texts = dag.map(|dag| dag.to_text() + &dag.to_dot());
        insta::assert_snapshot!(texts.unwrap_or_else(|e| e), @"
        GROUP  RELEASE  NEEDS
        digraph releases {
          node [shape=box];
        }
        ");
    }
}

//! The text of an object diff: both sides written as YAML, compared line by line with `similar`
//! (Myers' algorithm in linear space), with `context` unchanged lines around each change or the
//! whole object.

use serde::Serialize;
use serde_json::Value as Json;
use similar::{Algorithm, ChangeTag, TextDiff};

/// What a line of diff output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LineKind {
    /// Unchanged, shown for context.
    Context,
    /// Only in the desired object.
    Added,
    /// Only in the current object.
    Removed,
    /// Unchanged lines left out (`--context N`).
    Elided,
}

/// One line of an object's diff, without its newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// What the line is.
    pub kind: LineKind,
    /// The YAML line.
    pub text: String,
}

/// An object as YAML text, as the diff shows it.
pub fn yaml_text(value: &Json) -> String {
    serde_yaml::to_string(value).unwrap_or_default()
}

/// The lines of `before` → `after`; with `context`, only that many unchanged lines around each
/// change (and an elided marker between groups), else every line.
pub fn line_diff(before: &str, after: &str, context: Option<usize>) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_lines(before, after);
    let groups = match context {
        Some(n) => diff.grouped_ops(n),
        None => vec![diff.ops().to_vec()],
    };
    let mut lines = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        if index > 0 || group.first().is_some_and(|op| op.old_range().start > 0) {
            lines.push(DiffLine {
                kind: LineKind::Elided,
                text: "...".into(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Context,
                    ChangeTag::Insert => LineKind::Added,
                    ChangeTag::Delete => LineKind::Removed,
                };
                lines.push(DiffLine {
                    kind,
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                });
            }
        }
    }
    let last_old = groups
        .last()
        .and_then(|g| g.last())
        .map(|op| op.old_range().end);
    if context.is_some() && last_old.is_some_and(|end| end < diff.old_slices().len()) {
        lines.push(DiffLine {
            kind: LineKind::Elided,
            text: "...".into(),
        });
    }
    lines
}

/// Every line of `text` as `kind` (an object added or removed whole).
pub fn whole(text: &str, kind: LineKind) -> Vec<DiffLine> {
    text.lines()
        .map(|line| DiffLine {
            kind,
            text: line.to_string(),
        })
        .collect()
}

/// Lines as a unified diff marks them (`~` for elided lines), for tests.
#[cfg(test)]
pub(crate) fn show(lines: &[DiffLine]) -> String {
    lines
        .iter()
        .map(|l| {
            let mark = match l.kind {
                LineKind::Context => ' ',
                LineKind::Added => '+',
                LineKind::Removed => '-',
                LineKind::Elided => '~',
            };
            format!("{mark}{}\n", l.text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_object_by_default_and_context_on_request() {
        let before = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\n";
        let after = "a: 1\nb: 2\nc: 30\nd: 4\ne: 5\nf: 6\n";
        assert_eq!(
            show(&line_diff(before, after, None)),
            " a: 1\n b: 2\n-c: 3\n+c: 30\n d: 4\n e: 5\n f: 6\n"
        );
        assert_eq!(
            show(&line_diff(before, after, Some(1))),
            "~...\n b: 2\n-c: 3\n+c: 30\n d: 4\n~...\n"
        );
        assert_eq!(
            show(&line_diff(before, after, Some(0))),
            "~...\n-c: 3\n+c: 30\n~...\n"
        );
    }

    #[test]
    fn objects_are_written_as_yaml() {
        let value =
            serde_json::json!({"kind": "ConfigMap", "data": {"script": "line 1\nline 2\n"}});
        assert_eq!(
            yaml_text(&value),
            "kind: ConfigMap\ndata:\n  script: |\n    line 1\n    line 2\n"
        );
    }
}

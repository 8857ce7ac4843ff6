//! The native renderer (`windlass::chart`) against the chart corpus
//! (`tests/fixtures/chart-corpus/`): every chart × values case rendered in process and compared
//! byte for byte with what real helm 3.17 printed (masking only what `cases.tsv` marks as
//! changing from run to run). A failing helm run must fail natively with the same `Error:` text.
//!
//! Every case that does not match is listed, with its cause, in
//! `tests/fixtures/chart-corpus-known-differences.txt`; the list is kept honest both ways: an
//! unlisted difference fails, and so does a listed case that now matches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use windlass::chart::{Chart, TemplateCommand};
use windlass_tests::repo_root;

/// The release name, namespace and Kubernetes version every corpus case uses, as `regen.py`
/// defines them (`RELEASE = "corpus"`).
fn regen_constant(name: &str) -> String {
    let path = repo_root().join("tests/fixtures/chart-corpus/regen.py");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .find_map(|l| {
            l.strip_prefix(name)?
                .trim_start()
                .strip_prefix('=')?
                .trim()
                .strip_prefix('"')?
                .strip_suffix('"')
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("{path:?} defines no {name}"))
}

/// The share of cases that must match.
const REQUIRED_SHARE: f64 = 0.98;

struct Case {
    id: String,
    chart: String,
    values: Option<String>,
    flags: Vec<String>,
    ok: bool,
    marks: Marks,
}

/// Non-deterministic parts of helm's output: per document (numbered from 1), `None` for the
/// whole document, or the line numbers (the `---` line is line 1).
type Marks = BTreeMap<usize, Option<Vec<usize>>>;

/// The corpus: the committed one, or another folder of the same layout named by
/// `WINDLASS_CHART_CORPUS` (the public charts kept out of the repository).
fn corpus() -> PathBuf {
    std::env::var_os("WINDLASS_CHART_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("tests/fixtures/chart-corpus"))
}

/// The known differences: the committed list, or the file `WINDLASS_CHART_CORPUS_KNOWN` names
/// (for the corpus `WINDLASS_CHART_CORPUS` names).
fn known_differences_file() -> PathBuf {
    std::env::var_os("WINDLASS_CHART_CORPUS_KNOWN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("tests/fixtures/chart-corpus-known-differences.txt"))
}

fn parse_marks(text: &str) -> Marks {
    let mut marks = Marks::new();
    if text == "-" {
        return marks;
    }
    for mark in text.split(';').filter(|m| !m.is_empty()) {
        match mark.split_once(':') {
            Some((doc, lines)) => {
                let lines = lines.split(',').filter_map(|l| l.parse().ok()).collect();
                marks.insert(doc.parse().unwrap_or(0), Some(lines));
            }
            None => {
                marks.insert(mark.parse().unwrap_or(0), None);
            }
        }
    }
    marks
}

fn cases() -> Vec<Case> {
    let path = corpus().join("cases.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "{path:?}: malformed line {line:?}");
            Case {
                id: f[0].to_owned(),
                chart: f[1].to_owned(),
                values: (f[2] != "-").then(|| f[2].to_owned()),
                flags: if f[3] == "-" {
                    Vec::new()
                } else {
                    f[3].split(' ').map(str::to_owned).collect()
                },
                ok: f[4] == "ok",
                marks: parse_marks(f[5]),
            }
        })
        .collect()
}

/// helm's stdout split before every line that is exactly `---` (regen.py's `documents`).
fn documents(output: &str) -> Vec<Vec<&str>> {
    let mut docs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in output.split_inclusive('\n') {
        if line.trim_end_matches('\n') == "---" && docs.last().is_some_and(|d| !d.is_empty()) {
            docs.push(Vec::new());
        }
        if let Some(d) = docs.last_mut() {
            d.push(line);
        }
    }
    if docs[0].is_empty() { Vec::new() } else { docs }
}

/// regen.py's `masked`: listed lines and whole documents replaced on both sides.
fn masked(output: &str, marks: &Marks) -> String {
    let mut out = String::new();
    for (i, doc) in documents(output).iter().enumerate() {
        match marks.get(&(i + 1)) {
            Some(None) => {
                for line in doc.iter().take(2) {
                    out.push_str(line);
                }
                out.push_str("<nondeterministic document>\n");
            }
            Some(Some(lines)) => {
                for (n, line) in doc.iter().enumerate() {
                    if lines.contains(&(n + 1)) {
                        out.push_str("<nondeterministic>\n");
                    } else {
                        out.push_str(line);
                    }
                }
            }
            None => doc.iter().for_each(|l| out.push_str(l)),
        }
    }
    out
}

/// The `Error: ...` text of a failed helm run's stderr, without warnings before it and the
/// `Use --debug` advice after it.
fn helm_error(stderr: &str) -> String {
    let start = stderr.find("Error: ").unwrap_or(0);
    let text = &stderr[start..];
    let end = text
        .find("\n\nUse --debug flag to render out invalid YAML")
        .unwrap_or(text.len());
    text[..end].trim_end().to_owned()
}

/// The case's `helm template` arguments, as its manifest line spells them.
fn argv(case: &Case) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "template".to_owned(),
        regen_constant("RELEASE"),
        case.chart.clone(),
        "--namespace".to_owned(),
        regen_constant("NAMESPACE"),
        "--kube-version".to_owned(),
        regen_constant("KUBE_VERSION"),
    ];
    if let Some(v) = &case.values {
        args.extend(["--values".to_owned(), v.clone()]);
    }
    args.extend(case.flags.iter().cloned());
    args
}

/// Renders a case natively: its stdout, or its `Error: ...` line.
fn native(case: &Case, dir: &Path) -> Result<String, String> {
    let command = TemplateCommand::parse(&argv(case), dir).map_err(|e| format!("Error: {e}"))?;
    let chart = Chart::load(&command.chart).map_err(|e| format!("Error: {e}"))?;
    command
        .render(&chart, dir)
        .map(|r| r.manifests)
        .map_err(|e| format!("Error: {e}"))
}

/// `None` when the native render is what helm printed, else what differs.
fn compare(case: &Case, dir: &Path) -> Option<String> {
    let expected_dir = dir.join("expected");
    let result = native(case, dir);
    if case.ok {
        let file = expected_dir.join(format!("{}.yaml", case.id));
        let expected = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        match result {
            Err(e) => Some(format!("helm succeeds, native fails: {e}")),
            Ok(out) => {
                let (want, got) = (masked(&expected, &case.marks), masked(&out, &case.marks));
                (want != got).then(|| first_difference(&want, &got))
            }
        }
    } else {
        let file = expected_dir.join(format!("{}.err", case.id));
        let stderr = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        let want = helm_error(&stderr);
        match result {
            Ok(_) => Some(format!("helm fails ({want}), native succeeds")),
            // helm walks Go maps in random order when it lists schema errors: compare the lines
            // as a multiset, as the corpus' README says.
            Err(got) => (sorted_lines(got.trim_end()) != sorted_lines(&want))
                .then(|| format!("errors differ:\n  helm:   {want}\n  native: {got}")),
        }
    }
}

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let show = |lines: &[&str]| -> String {
        lines
            .iter()
            .skip(at.saturating_sub(2))
            .take(5)
            .map(|l| format!("    {l}\n"))
            .collect()
    };
    format!(
        "output differs at line {} ({} lines from helm, {} natively)\n  helm:\n{}  native:\n{}",
        at + 1,
        w.len(),
        g.len(),
        show(&w),
        show(&g)
    )
}

/// `id<TAB>cause` lines; `#` starts a comment.
fn known_differences() -> BTreeMap<String, String> {
    let path = known_differences_file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((id, cause)) => (id.to_owned(), cause.trim().to_owned()),
            None => panic!("{path:?}: {l:?} is not `case-id<TAB>cause`"),
        })
        .collect()
}

#[test]
fn native_renderer_prints_what_helm_prints_on_the_corpus() {
    let dir = corpus();
    let cases = cases();
    assert!(cases.len() >= 70, "only {} corpus cases", cases.len());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(workers);
    let outcomes: Vec<(String, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let dir = &dir;
                // Deeply nested charts recurse deeply; debug builds use big frames.
                std::thread::Builder::new()
                    .stack_size(256 << 20)
                    .spawn_scoped(s, move || {
                        part.iter()
                            .map(|c| (c.id.clone(), compare(c, dir)))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_else(|e| panic!("cannot start a worker: {e}"))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| panic!("a worker panicked")))
            .collect()
    });
    let known = known_differences();
    let mut problems = Vec::new();
    for (id, difference) in &outcomes {
        match (difference, known.get(id)) {
            (Some(d), None) => problems.push(format!("{id}: {d}")),
            (None, Some(cause)) => problems.push(format!(
                "{id} now matches helm: remove it from the known differences ({cause})"
            )),
            _ => {}
        }
    }
    for id in known.keys() {
        if !outcomes.iter().any(|(c, _)| c == id) {
            problems.push(format!(
                "{id} is listed as a known difference but is not a case"
            ));
        }
    }
    let identical = outcomes.iter().filter(|(_, d)| d.is_none()).count();
    let share = identical as f64 / outcomes.len() as f64;
    if share < REQUIRED_SHARE {
        problems.push(format!(
            "{identical} of {} cases identical ({:.1}%), below {:.0}%",
            outcomes.len(),
            share * 100.0,
            REQUIRED_SHARE * 100.0
        ));
    }
    assert!(
        problems.is_empty(),
        "{identical} of {} corpus cases identical; problems:\n{}",
        outcomes.len(),
        problems.join("\n")
    );
}

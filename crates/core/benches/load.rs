//! How long loading and validating a project takes, and loading plus building its plan (values
//! rendered and written for helm): a 1,000-release helmfile (every release with needs, labels, a
//! template and a values file) and the same releases in layout A. Target for load + plan: < 50 ms.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use windlass::plan::{Plan, PlanOptions, Selection};
use windlass::project::{LoadOptions, Project};

const RELEASES: usize = 1_000;

fn write(dir: &std::path::Path, path: &str, content: &str) {
    let full = dir.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(full, content).unwrap_or_else(|e| panic!("{e}"));
}

fn helmfile_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut text =
        String::from("templates:\n  default:\n    namespace: apps\n    wait: true\nreleases:\n");
    for i in 0..RELEASES {
        let _ = write!(
            text,
            "- name: r{i}\n  chart: ./charts/app\n  inherit: [{{template: default}}]\n  labels: {{tier: t{}}}\n  values: [values/common.yaml]\n",
            i % 7
        );
        if i > 0 {
            let _ = writeln!(text, "  needs: [apps/r{}]", i / 2);
        }
    }
    write(dir.path(), "helmfile.yaml", &text);
    write(dir.path(), "values/common.yaml", "replicas: 1\n");
    dir
}

fn layout_a_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut catalog = String::from("releases:\n");
    let mut cluster = String::from("environment:\n  kubeContext: prod\nreleases:\n");
    for i in 0..RELEASES {
        let _ = write!(
            catalog,
            "  r{i}:\n    chart: ./charts/app\n    namespace: apps\n    labels: {{tier: t{}}}\n",
            i % 7
        );
        if i > 0 {
            let _ = writeln!(catalog, "    needs: [apps/r{}]", i / 2);
        }
        let _ = writeln!(cluster, "  r{i}:\n    wait: true");
    }
    write(dir.path(), "charts.yaml", &catalog);
    write(dir.path(), "environments/prod/cluster.yaml", &cluster);
    dir
}

/// Loads the project, then builds its plan with every value written.
fn load_and_plan(options: &LoadOptions) -> Option<usize> {
    let project = Project::load(options).ok()?;
    let plan = Plan::build(&project, &Selection::default(), &PlanOptions::default()).ok()?;
    Some(plan.releases.len())
}

fn load(c: &mut Criterion) {
    let helmfile = helmfile_project();
    let options = LoadOptions {
        dir: helmfile.path().to_path_buf(),
        environment: "default".into(),
        ..Default::default()
    };
    assert_eq!(load_and_plan(&options), Some(RELEASES));
    c.bench_function("load helmfile, 1000 releases", |b| {
        b.iter(|| black_box(Project::load(&options).map(|p| p.releases.len())))
    });
    c.bench_function("load + plan helmfile, 1000 releases", |b| {
        b.iter(|| black_box(load_and_plan(&options)))
    });
    let layout_a = layout_a_project();
    let options = LoadOptions {
        dir: layout_a.path().to_path_buf(),
        environment: "prod".into(),
        ..Default::default()
    };
    assert_eq!(load_and_plan(&options), Some(RELEASES));
    c.bench_function("load charts.yaml + cluster.yaml, 1000 releases", |b| {
        b.iter(|| black_box(Project::load(&options).map(|p| p.releases.len())))
    });
    c.bench_function(
        "load + plan charts.yaml + cluster.yaml, 1000 releases",
        |b| b.iter(|| black_box(load_and_plan(&options))),
    );
}

criterion_group!(benches, load);
criterion_main!(benches);

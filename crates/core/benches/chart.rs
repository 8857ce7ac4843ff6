//! In-process `helm template` of one chart: loading it (archives and subcharts included) and
//! rendering it with its default values, as `windlass template --renderer native` does per
//! release. The chart is `WINDLASS_BENCH_CHART` when set (e.g. kube-prometheus-stack from the
//! public corpus, which is not committed), else the committed corpus' largest chart.
#![allow(missing_docs)] // criterion_group! defines an undocumented public function.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use windlass::chart::{Chart, TemplateCommand};

fn chart_dir() -> PathBuf {
    std::env::var_os("WINDLASS_BENCH_CHART")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/chart-corpus/charts/globals-subcharts")
        })
}

fn bench(c: &mut Criterion) {
    let dir = chart_dir();
    let args: Vec<String> = [
        "template",
        "bench",
        &dir.to_string_lossy(),
        "--namespace",
        "bench",
    ]
    .map(str::to_owned)
    .to_vec();
    let base = Path::new(".");
    let command = TemplateCommand::parse(&args, base).unwrap_or_else(|e| panic!("{e}"));
    let chart = Chart::load(&command.chart).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let lines = command
        .render(&chart, base)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .manifests
        .lines()
        .count();
    eprintln!("{name}: {lines} lines of manifests");
    c.bench_function(&format!("load {name}"), |b| {
        b.iter(|| Chart::load(&command.chart).unwrap_or_else(|e| panic!("{e}")))
    });
    c.bench_function(&format!("render {name}"), |b| {
        b.iter(|| {
            command
                .render(&chart, base)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The release diff of one large CustomResourceDefinition (about 10,000 lines of YAML) whose
//! schema changed in many places: parse both sides, compare, and write the whole-object text diff.
//! Peak memory of the same work: `bash benches/diff-crd-rss.sh`.
#![allow(missing_docs)] // criterion_group! defines an undocumented public function.

use criterion::{Criterion, criterion_group, criterion_main};
use windlass::diff::{DeployedRelease, DiffOptions, KnownScopes, ReleaseInput, parse_release};

/// A CRD of `properties` schema properties, 8 lines each; `generation` changes every 10th
/// description.
fn crd(properties: usize, generation: u32) -> String {
    let mut text = String::from(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n",
    );
    for i in 0..properties {
        let revision = if i % 10 == 0 { generation } else { 1 };
        text.push_str(&format!(
            "          field{i}:\n            type: object\n            description: Field {i}, revision {revision}.\n            properties:\n              value:\n                type: string\n              count:\n                type: integer\n"
        ));
    }
    text
}

fn bench(c: &mut Criterion) {
    let before = crd(1250, 1);
    let after = crd(1250, 2);
    let deployed = DeployedRelease {
        revision: 1,
        status: "deployed".into(),
        chart: "crds".into(),
        chart_version: "1.0.0".into(),
        app_version: String::new(),
        last_deployed: String::new(),
        baseline_revision: 1,
        manifest: before,
        hooks: Vec::new(),
    };
    let options = DiffOptions::default();
    c.bench_function("release diff of a 10,000-line CRD", |b| {
        b.iter(|| {
            let input = ReleaseInput {
                name: "crds",
                namespace: "default",
                kube_context: None,
                chart: "crds",
                chart_version: None,
                desired: Some(&after),
                deployed: Some(&deployed),
            };
            let parsed = parse_release(input, &KnownScopes::default(), &options);
            parsed.map(|p| p.finish(None, &options).resources.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

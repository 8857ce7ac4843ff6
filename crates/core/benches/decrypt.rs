//! Decrypting a ~1 MB sops file (tests/fixtures/sops/large.enc.yaml, 8,000 values) end to end:
//! parse, unwrap the age data key, open every value, verify the MAC.

#![allow(missing_docs, clippy::expect_used)]

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use windlass::secrets::{AgeIdentities, DecryptOptions, Format, decrypt_bytes};

fn decrypt_large_file(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sops");
    let file = dir.join("large.enc.yaml");
    let bytes = std::fs::read(&file).expect("large.enc.yaml (run tests/fixtures/sops/regen.sh)");
    let opts = DecryptOptions {
        identities: AgeIdentities::read_file(&dir.join("keys/age-ours.txt")).expect("test key"),
        ..DecryptOptions::default()
    };
    let mut group = c.benchmark_group("secrets");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("decrypt 1 MB sops file", |b| {
        b.iter(|| decrypt_bytes(&bytes, Format::Yaml, &file, &opts).expect("decrypts"));
    });
    group.finish();
}

criterion_group!(benches, decrypt_large_file);
criterion_main!(benches);

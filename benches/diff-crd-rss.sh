#!/usr/bin/env bash
# Peak memory (RSS) of the release diff of a 10,000-line CustomResourceDefinition whose schema
# changed in 125 places: the criterion bench `crates/core/benches/diff.rs` run for a few seconds
# under GNU time. The bound the diff issue sets is 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked -p windlass --bench diff --no-run 2>/dev/null
bench=$(ls -t target/release/deps/diff-* | grep -v '\.d$' | head -1)
/usr/bin/time -v "$bench" --bench --profile-time 3 2>&1 |
    sed -n 's/^\tMaximum resident set size (kbytes): \(.*\)/peak RSS: \1 kB/p'

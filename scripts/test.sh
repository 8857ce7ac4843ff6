#!/usr/bin/env bash
# Runs every test: installs the test toolchain (helm 3 and 4, kubectl, sops, age) into .tools/ if
# missing, builds the windlass binary and the library's examples the end-to-end tests run, then the
# whole test suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install-tools.sh
export PATH="$root/.tools/bin:$PATH"
export WINDLASS_TEST_HELM3="$root/.tools/helm3/helm"
export WINDLASS_TEST_HELM4="$root/.tools/helm4/helm"
cargo build --locked --workspace --bins --examples
cargo test --locked --workspace "$@"

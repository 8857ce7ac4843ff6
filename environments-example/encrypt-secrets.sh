#!/usr/bin/env bash
# Encrypts plaintext YAML read from stdin into environments-example/ENV/secrets/RELEASE.yaml with
# sops and the creation rule of the root .sops.yaml (the committed test age key). Plaintext is
# never written to disk. Usage, from anywhere:
#   environments-example/encrypt-secrets.sh production postgres <<'YAML'
#   auth:
#     password: example-production-password
#   YAML
# To change one value of an existing file instead, use `sops edit` (see README.md here).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 ENVIRONMENT RELEASE < plaintext.yaml" >&2
  exit 1
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
sops="${SOPS:-$root/.tools/bin/sops}"
target="environments-example/$1/secrets/$2.yaml"
mkdir -p "$root/environments-example/$1/secrets"
cd "$root"
"$sops" --disable-version-check encrypt --filename-override "$target" --output "$target"
echo "wrote $target" >&2

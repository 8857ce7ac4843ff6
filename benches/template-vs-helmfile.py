#!/usr/bin/env python3
"""Whole-process benchmark of `template` on a project of N releases of one local chart (with a
values file and an inline value each, and one library dependency), run interleaved so machine
noise hits all contenders alike:

  windlass   windlass template --renderer helm (dependency build included), one `helm template`
             per release
  native     windlass template --renderer native: the same run, every chart rendered in process
             (`auto`, the default, renders in process too with helm 3.17)
             (its output is checked to be windlass's helm output, byte for byte, before timing)
  helmfile   helmfile template (the reference, default invocation, dependency builds included)
  bare-helm  the lower bound: the same N `helm template` calls (plus one dependency build),
             spread over the cores with no orchestrator at all

usage: benches/template-vs-helmfile.py [--releases N] [--runs R] [--helm PATH] [--helmfile PATH]
       [--windlass PATH]
Defaults: 100 releases, 5 runs, .tools/helm3/helm, .tools/ref/helmfile (scripts/
install-reference-tools.sh), target/release/windlass. Prints the median of each, the ratios,
how far windlass is above the bare-helm bound, and how much faster the native renderer is."""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_project(dir, releases):
    chart = os.path.join(dir, "charts", "app")
    lib = os.path.join(dir, "charts", "lib")
    os.makedirs(os.path.join(chart, "templates"))
    os.makedirs(os.path.join(lib, "templates"))
    with open(os.path.join(lib, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: app\nversion: 0.1.0\n"
                "dependencies:\n- name: lib\n  version: 0.1.0\n  repository: file://../lib\n")
    with open(os.path.join(chart, "templates", "deployment.yaml"), "w") as f:
        f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
                "spec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n"
                "      - name: app\n        image: {{ .Values.image }}\n")
    os.makedirs(os.path.join(dir, "values"))
    with open(os.path.join(dir, "values", "common.yaml"), "w") as f:
        f.write("image: example/app:1.0\nreplicas: 1\n")
    with open(os.path.join(dir, "helmfile.yaml"), "w") as f:
        f.write("releases:\n")
        for i in range(releases):
            f.write(f"- name: app{i}\n  namespace: ns{i % 5}\n  chart: ./charts/app\n"
                    f"  values:\n  - values/common.yaml\n  - replicas: {i % 3 + 1}\n")


def bare_helm(helm, dir, releases):
    """The N helm calls a perfect orchestrator would make, over all cores."""
    def one(i):
        subprocess.run([helm, "template", f"app{i}", "charts/app", "--namespace", f"ns{i % 5}",
                        "--values", "values/common.yaml", "--set", f"replicas={i % 3 + 1}"],
                       cwd=dir, check=True, capture_output=True)
    subprocess.run([helm, "dependency", "build", "charts/app"], cwd=dir, check=True, capture_output=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(one, range(releases)))


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--releases", type=int, default=100)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--helm", default=os.path.join(ROOT, ".tools/helm3/helm"))
    p.add_argument("--helmfile", default=os.path.join(ROOT, ".tools/ref/helmfile"))
    p.add_argument("--windlass", default=os.path.join(ROOT, "target/release/windlass"))
    a = p.parse_args()
    dir = tempfile.mkdtemp(prefix="windlass-bench-")
    try:
        make_project(dir, a.releases)
        windlass = [a.windlass, "--helm-binary", a.helm, "template", "--renderer", "helm"]
        run = lambda argv: subprocess.run(argv, cwd=dir, check=True, capture_output=True).stdout
        native = windlass[:-1] + ["native"]
        if run(windlass) != run(native):
            sys.exit("the native renderer's output differs from helm's")
        contenders = {
            "windlass": lambda: run(windlass),
            "native": lambda: run(native),
            "bare-helm": lambda: bare_helm(a.helm, dir, a.releases),
        }
        if os.path.exists(a.helmfile):
            contenders["helmfile"] = lambda: subprocess.run([a.helmfile, "--helm-binary", a.helm, "template"],
                                                            cwd=dir, check=True, capture_output=True)
        else:
            print(f"(no helmfile at {a.helmfile}: run scripts/install-reference-tools.sh to compare)")
        times = {name: [] for name in contenders}
        for _ in range(a.runs):
            for name, fn in contenders.items():
                times[name].append(timed(fn))
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"{a.releases} releases, {a.runs} interleaved runs, {os.cpu_count()} cores, median seconds:")
        for name, value in med.items():
            print(f"  {name:10} {value:7.3f}   (runs: {', '.join(f'{t:.2f}' for t in times[name])})")
        if "helmfile" in med:
            print(f"  helmfile / windlass = {med['helmfile'] / med['windlass']:.2f}x")
            print(f"  helmfile / native   = {med['helmfile'] / med['native']:.2f}x")
        print(f"  windlass / native   = {med['windlass'] / med['native']:.2f}x "
              "(the helm path over the native renderer)")
        print(f"  windlass / bare-helm = {med['windlass'] / med['bare-helm']:.2f} "
              f"({(med['windlass'] / med['bare-helm'] - 1) * 100:+.0f}% over the bound)")
    finally:
        shutil.rmtree(dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Whole-process benchmark of `sync` against the local Kubernetes API (tests/kube-sim): a
project of N releases of the example `web` chart (in 5 namespaces, each release after the one 5
before it, so 5 chains of needs), synced with the real helm on a fresh server each run:

  windlass   windlass sync (helm upgrade --install --wait per release, in needs order)
  bare-helm  the lower bound: the same N `helm upgrade --install` calls, spread over the cores
             with no orchestrator and no order

usage: benches/sync-kube-sim.py [--releases N] [--runs R] [--helm PATH] [--windlass PATH]
       [--kube-sim PATH]
Defaults: 50 releases, 3 runs, .tools/helm3/helm, target/release/windlass,
target/release/windlass-kube-sim (cargo build --release -p windlass-cli -p windlass-kube-sim).
Prints the median wall time of each."""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_project(dir, releases):
    shutil.copytree(os.path.join(ROOT, "charts", "web"), os.path.join(dir, "charts", "web"))
    with open(os.path.join(dir, "helmfile.yaml"), "w") as f:
        f.write("helmDefaults:\n  wait: true\n  timeout: 120\n  createNamespace: true\nreleases:\n")
        for i in range(releases):
            f.write(f"- name: web{i}\n  namespace: ns{i % 5}\n  chart: ./charts/web\n"
                    f"  values:\n  - replicaCount: {i % 3 + 1}\n")
            if i >= 5:
                f.write(f"  needs: [ns{(i - 5) % 5}/web{i - 5}]\n")


class Server:
    """A fresh windlass-kube-sim on a free port, with its kubeconfig in `dir`."""

    def __init__(self, binary, dir):
        self.kubeconfig = os.path.join(dir, "kubeconfig")
        self.process = subprocess.Popen([binary, "--kubeconfig", self.kubeconfig],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.process.stdout.readline()  # "serving http://...": the kubeconfig is written first
        while not os.path.exists(self.kubeconfig):
            time.sleep(0.01)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def env(dir, kubeconfig):
    e = dict(os.environ, KUBECONFIG=kubeconfig, HELM_CACHE_HOME=os.path.join(dir, "hc"),
             HELM_CONFIG_HOME=os.path.join(dir, "hf"), HELM_DATA_HOME=os.path.join(dir, "hd"))
    e.pop("HELM_DRIVER", None)
    return e


def run_windlass(args, dir, releases):
    server = Server(args.kube_sim, dir)
    try:
        start = time.perf_counter()
        subprocess.run([args.windlass, "--helm-binary", args.helm, "sync"], cwd=dir, check=True,
                       capture_output=True, env=env(dir, server.kubeconfig))
        return time.perf_counter() - start
    finally:
        server.stop()


def run_bare_helm(args, dir, releases):
    server = Server(args.kube_sim, dir)
    e = env(dir, server.kubeconfig)

    def one(i):
        subprocess.run([args.helm, "upgrade", "--install", f"web{i}", "charts/web", "--namespace", f"ns{i % 5}",
                        "--create-namespace", "--wait", "--timeout", "120s", "--set", f"replicaCount={i % 3 + 1}"],
                       cwd=dir, check=True, capture_output=True, env=e)
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(one, range(releases)))
        return time.perf_counter() - start
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--helm", default=os.path.join(ROOT, ".tools/helm3/helm"))
    parser.add_argument("--windlass", default=os.path.join(ROOT, "target/release/windlass"))
    parser.add_argument("--kube-sim", default=os.path.join(ROOT, "target/release/windlass-kube-sim"))
    args = parser.parse_args()
    for path in (args.helm, args.windlass, args.kube_sim):
        if not os.path.isfile(path):
            sys.exit(f"missing {path} (see the usage in this script's docstring)")
    times = {"windlass": [], "bare-helm": []}
    for _ in range(args.runs):
        for name, run in (("windlass", run_windlass), ("bare-helm", run_bare_helm)):
            with tempfile.TemporaryDirectory(prefix="windlass-bench-") as dir:
                make_project(dir, args.releases)
                times[name].append(run(args, dir, args.releases))
    print(f"{args.releases} releases, {args.runs} runs, {os.cpu_count()} cores, {args.helm}")
    for name, values in times.items():
        print(f"  {name:10} median {statistics.median(values):6.2f} s   (runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()

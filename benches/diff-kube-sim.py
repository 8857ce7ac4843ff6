#!/usr/bin/env python3
"""Whole-process benchmark of `diff` against the local Kubernetes API (tests/kube-sim): a project
of N releases of the example `web` chart (in 5 namespaces), installed once with `windlass sync`,
then C of them given a new image tag. Each run times:

  windlass       windlass diff --detailed-exitcode (release comparison; must exit 2)
  windlass-live  windlass diff --detailed-exitcode --live (live objects too)
  bound          the N `helm template` calls alone, spread over the cores with no orchestrator:
                 the lower bound the issue measures `diff` against (target: within 20%)

and, with GNU time, the peak RSS of each windlass process (helm's own memory is not in it:
helm runs as child processes, which GNU time does not add to the maximum).

usage: benches/diff-kube-sim.py [--releases N] [--changed C] [--runs R] [--helm PATH]
       [--windlass PATH] [--kube-sim PATH]
Defaults: 200 releases, 10 changed, 3 runs, .tools/helm3/helm, target/release/windlass,
target/release/windlass-kube-sim (cargo build --release -p windlass-cli -p windlass-kube-sim).
Prints the median wall time of each and the largest peak RSS."""
import argparse, importlib.util, os, re, shutil, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The local API server and the helm environment are the sync benchmark's.
_spec = importlib.util.spec_from_file_location("sync_kube_sim", os.path.join(ROOT, "benches", "sync-kube-sim.py"))
sync_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_bench)


def tag(i, changed):
    return "2.0" if i < changed else "1.0"


def write_project(dir, releases, changed):
    with open(os.path.join(dir, "helmfile.yaml"), "w") as f:
        f.write("releases:\n")
        for i in range(releases):
            f.write(f"- name: web{i}\n  namespace: ns{i % 5}\n  chart: ./charts/web\n"
                    f"  createNamespace: true\n  values:\n  - image: {{tag: '{tag(i, changed)}'}}\n")


def timed(argv, dir, env, expect):
    """Wall time and peak RSS (kB) of `argv` under GNU time; its exit code must be `expect`."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *argv], cwd=dir, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != expect:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}, not {expect}:\n{done.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return wall, rss


def bound(args, dir, env):
    def one(i):
        subprocess.run([args.helm, "template", f"web{i}", "charts/web", "--namespace", f"ns{i % 5}",
                        "--is-upgrade", "--set", f"image.tag={tag(i, args.changed)}"],
                       cwd=dir, check=True, capture_output=True, env=env)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(one, range(args.releases)))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=200)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--helm", default=os.path.join(ROOT, ".tools/helm3/helm"))
    parser.add_argument("--windlass", default=os.path.join(ROOT, "target/release/windlass"))
    parser.add_argument("--kube-sim", default=os.path.join(ROOT, "target/release/windlass-kube-sim"))
    args = parser.parse_args()
    for path in (args.helm, args.windlass, args.kube_sim):
        if not os.path.isfile(path):
            sys.exit(f"missing {path} (see the usage in this script's docstring)")
    times = {"windlass": [], "windlass-live": [], "bound": []}
    rss = {"windlass": 0, "windlass-live": 0}
    with tempfile.TemporaryDirectory(prefix="windlass-bench-") as dir:
        shutil.copytree(os.path.join(ROOT, "charts", "web"), os.path.join(dir, "charts", "web"))
        server = sync_bench.Server(args.kube_sim, dir)
        try:
            env = sync_bench.env(dir, server.kubeconfig)
            write_project(dir, args.releases, 0)
            subprocess.run([args.windlass, "--helm-binary", args.helm, "sync"], cwd=dir, check=True,
                           capture_output=True, env=env)
            write_project(dir, args.releases, args.changed)
            diff = [args.windlass, "--helm-binary", args.helm, "diff", "--detailed-exitcode"]
            for _ in range(args.runs):
                for name, argv in (("windlass", diff), ("windlass-live", [*diff, "--live"])):
                    wall, peak = timed(argv, dir, env, expect=2)
                    times[name].append(wall)
                    rss[name] = max(rss[name], peak)
                times["bound"].append(bound(args, dir, env))
        finally:
            server.stop()
    print(f"{args.releases} releases ({args.changed} changed), {args.runs} runs, {os.cpu_count()} cores, {args.helm}")
    for name, values in times.items():
        peak = f"   peak RSS {rss[name] / 1024:.0f} MB" if name in rss else ""
        print(f"  {name:14} median {statistics.median(values):6.2f} s   "
              f"(runs: {', '.join(f'{v:.2f}' for v in values)}){peak}")


if __name__ == "__main__":
    main()

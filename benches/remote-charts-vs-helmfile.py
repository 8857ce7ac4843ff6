#!/usr/bin/env python3
"""Whole-process benchmark of `template` on 50 releases of 5 remote charts (10 releases each) from
a chart repository on 127.0.0.1 (charts packaged with helm, indexed with `helm repo index`, served
by Python's http.server), run interleaved so machine noise hits all contenders alike:

  windlass        windlass template, empty chart cache (adds the repository, fetches each chart once)
  windlass-warm   windlass template, chart cache kept from earlier runs (adds the repository)
  windlass-offline windlass template --skip-deps, cache kept (no network at all)
  helmfile        helmfile template (the reference: helm downloads the chart for every release)

Each run gets a fresh helm home; the chart downloads (GET *.tgz) of each run are counted from the
server's log. usage: benches/remote-charts-vs-helmfile.py [--runs R] [--helm PATH]
[--helmfile PATH] [--windlass PATH]. Defaults: 5 runs, .tools/helm3/helm, .tools/ref/helmfile
(scripts/install-reference-tools.sh), target/release/windlass."""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHARTS, PER_CHART = 5, 10


def package_charts(helm, dir):
    repo = os.path.join(dir, "repo")
    os.makedirs(repo)
    for c in range(CHARTS):
        src = os.path.join(dir, "src", f"chart{c}")
        os.makedirs(os.path.join(src, "templates"))
        with open(os.path.join(src, "Chart.yaml"), "w") as f:
            f.write(f"apiVersion: v2\nname: chart{c}\nversion: 1.{c}.0\n")
        with open(os.path.join(src, "templates", "deployment.yaml"), "w") as f:
            f.write("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
                    "spec:\n  replicas: {{ .Values.replicas | default 1 }}\n")
        subprocess.run([helm, "package", src, "-d", repo], check=True, capture_output=True)
    subprocess.run([helm, "repo", "index", repo], check=True, capture_output=True)
    return repo


def make_project(dir, url):
    os.makedirs(dir)
    with open(os.path.join(dir, "helmfile.yaml"), "w") as f:
        f.write(f"repositories:\n- name: charts\n  url: {url}\nreleases:\n")
        for c in range(CHARTS):
            for r in range(PER_CHART):
                f.write(f"- name: app{c}-{r}\n  namespace: ns{r}\n  chart: charts/chart{c}\n"
                        f"  version: ~1.{c}.0\n  values:\n  - replicas: {r + 1}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--helm", default=os.path.join(ROOT, ".tools/helm3/helm"))
    p.add_argument("--helmfile", default=os.path.join(ROOT, ".tools/ref/helmfile"))
    p.add_argument("--windlass", default=os.path.join(ROOT, "target/release/windlass"))
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="remote-bench-")
    repo = package_charts(a.helm, work)
    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", repo], stdout=log, stderr=log)
    try:
        port = None
        for _ in range(100):
            log.seek(0)
            m = re.search(r"port (\d+)", log.read())
            if m:
                port = m.group(1); break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        project = os.path.join(work, "project")
        make_project(project, url)
        warm_cache = os.path.join(work, "warm-cache")
        contenders = {
            "windlass": lambda c: [a.windlass, "--helm-binary", a.helm, "template"],
            "windlass-warm": lambda c: [a.windlass, "--helm-binary", a.helm, "template"],
            "windlass-offline": lambda c: [a.windlass, "--helm-binary", a.helm, "template", "--skip-deps"],
            "helmfile": lambda c: [a.helmfile, "--helm-binary", a.helm, "template"],
        }
        times = {k: [] for k in contenders}
        downloads = {k: [] for k in contenders}
        warm_home = os.path.join(work, "warm-helm")
        # Prime the warm cache and the warm helm home once.
        env = dict(os.environ, WINDLASS_CACHE_DIR=warm_cache, HELM_CONFIG_HOME=warm_home + "/c",
                   HELM_CACHE_HOME=warm_home + "/k", HELM_DATA_HOME=warm_home + "/d")
        subprocess.run(contenders["windlass"](0), cwd=project, env=env, check=True, capture_output=True)
        for run in range(a.runs):
            for name, argv in contenders.items():
                warm = name != "windlass" and name != "helmfile"
                home = warm_home if warm else os.path.join(work, f"helm-{name}-{run}")
                cache = warm_cache if warm else os.path.join(work, f"cache-{name}-{run}")
                env = dict(os.environ, WINDLASS_CACHE_DIR=cache, HELM_CONFIG_HOME=home + "/c",
                           HELM_CACHE_HOME=home + "/k", HELM_DATA_HOME=home + "/d")
                log.seek(0, 2); before = log.tell()
                t0 = time.perf_counter()
                out = subprocess.run(argv(run), cwd=project, env=env, capture_output=True, text=True)
                elapsed = time.perf_counter() - t0
                if out.returncode != 0:
                    sys.exit(f"{name} failed: {out.stderr[-2000:]}")
                time.sleep(0.1)
                log.seek(before)
                downloads[name].append(len(re.findall(r'"GET /[^ ]*\.tgz', log.read())))
                times[name].append(elapsed)
        base = statistics.median(times["helmfile"])
        print(f"template of {CHARTS * PER_CHART} releases of {CHARTS} remote charts, {a.runs} runs, median:")
        for name in contenders:
            med = statistics.median(times[name])
            print(f"  {name:17} {med:7.2f} s  ({base / med:5.1f}x helmfile)  chart downloads per run: "
                  f"{sorted(set(downloads[name]))}")
    finally:
        server.terminate(); server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

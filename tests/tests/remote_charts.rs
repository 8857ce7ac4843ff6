//! Remote charts end to end with real helm 3 and 4 against real servers on 127.0.0.1: an HTTP
//! chart repository behind basic auth and an OCI registry behind htpasswd, both filled with
//! charts packaged by helm. Covers `repos`, `template`, `deps` and `helmfile.lock`, fetching each
//! chart once, working offline after a first run, and the errors of unreachable repositories,
//! wrong credentials and ranges that match nothing, and `sync` against the local Kubernetes API.

use std::path::{Path, PathBuf};

use insta::assert_snapshot;
use windlass_tests::chart_repo::{
    ChartRepoServer, ChartSpec, Credentials, helm_ok_in, index_charts, package_charts,
};
use windlass_tests::cluster::Cluster;
use windlass_tests::registry::Registry;
use windlass_tests::{TestProject, helm_home_env, real_helm};

const REPO_PASSWORD: &str = "repo-pa55-Zq7";
const REGISTRY_PASSWORD: &str = "reg-pa55-Wk3";

/// The chart repository serving `webapp` and the registry `ociapp`, each 0.1.3, 0.1.10 and
/// 0.2.0, a helm home and a chart cache of
/// the test's own, and the helm under test.
struct Remote {
    helm: PathBuf,
    work: tempfile::TempDir,
    repo: Option<ChartRepoServer>,
    registry: Option<Registry>,
}

impl Remote {
    fn start(major: u32) -> Self {
        let helm = real_helm(major);
        let work = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let versions = ["0.1.3", "0.1.10", "0.2.0"];
        let packages = work.path().join("packages");
        let src = work.path().join("src");
        package_charts(
            &helm,
            &versions.map(|v| ChartSpec::new("webapp", v)),
            &src,
            &packages,
        );
        index_charts(&helm, &packages);
        // Another name in the registry: helm's resolver keys repositories by chart name, so one
        // state with webapp from both would not lock under Helmfile (helm dependency update).
        let oci = work.path().join("oci");
        let archives = package_charts(
            &helm,
            &versions.map(|v| ChartSpec::new("ociapp", v)),
            &src,
            &oci,
        );
        let repo =
            ChartRepoServer::serve(&packages, Some(Credentials::new("reader", REPO_PASSWORD)));
        let registry = Registry::start(Some(Credentials::new("pusher", REGISTRY_PASSWORD)));
        registry.push(&helm, &work.path().join("pusher-helm"), "charts", &archives);
        Self {
            helm,
            work,
            repo: Some(repo),
            registry: Some(registry),
        }
    }

    fn repo(&self) -> &ChartRepoServer {
        self.repo
            .as_ref()
            .unwrap_or_else(|| panic!("the repository was stopped"))
    }

    fn registry_host(&self) -> &str {
        self.registry
            .as_ref()
            .map(Registry::host)
            .unwrap_or_else(|| panic!("the registry was stopped"))
    }

    /// Stops both servers: from now on nothing answers on their ports.
    fn stop(&mut self) {
        self.repo = None;
        self.registry = None;
    }

    /// Adds `webapp` 0.1.11 to the chart repository and re-indexes it.
    fn publish_patch(&self) {
        let packages = self.work.path().join("packages");
        package_charts(
            &self.helm,
            &[ChartSpec::new("webapp", "0.1.11")],
            &self.work.path().join("src"),
            &packages,
        );
        index_charts(&self.helm, &packages);
    }

    /// A helmfile whose repositories point at the servers, credentials from the environment.
    fn helmfile(&self, releases: &str) -> String {
        format!(
            "repositories:\n- name: local\n  url: {}\n  username: reader\n  password: {{{{ requiredEnv \"REPO_PASSWORD\" }}}}\n- name: registry\n  url: {}/charts\n  oci: true\n  plainHttp: true\n  username: pusher\n  password: {{{{ requiredEnv \"REGISTRY_PASSWORD\" }}}}\nreleases:\n{}",
            self.repo_url_or_last(),
            self.host_or_last(),
            windlass_tests::unindent(releases)
        )
    }

    fn repo_url_or_last(&self) -> String {
        self.repo
            .as_ref()
            .map(|r| r.url().to_string())
            .unwrap_or_default()
    }

    fn host_or_last(&self) -> String {
        self.registry
            .as_ref()
            .map(|r| r.host().to_string())
            .unwrap_or_default()
    }

    /// Runs `windlass --helm-binary HELM ARGS` in `project` with this test's helm home, chart cache
    /// and credentials; returns the snapshot text with the servers' addresses masked, after
    /// checking that no password appears in it.
    fn run(&self, project: &TestProject, args: &[&str], masks: &[(String, &str)]) -> String {
        let mut command = windlass_tests::windlass();
        command
            .arg("--helm-binary")
            .arg(&self.helm)
            .args(args)
            .current_dir(project.path())
            .env("WINDLASS_CACHE_DIR", self.work.path().join("cache"))
            .env("REPO_PASSWORD", REPO_PASSWORD)
            .env("REGISTRY_PASSWORD", REGISTRY_PASSWORD);
        for (name, value) in helm_home_env(&self.work.path().join("helm")) {
            command.env(name, value);
        }
        let mut text = windlass_tests::render(command, project.path());
        for secret in [REPO_PASSWORD, REGISTRY_PASSWORD] {
            assert!(!text.contains(secret), "a password was printed:\n{text}");
        }
        for (from, to) in masks {
            if !from.is_empty() {
                text = text.replace(from.as_str(), to);
            }
        }
        mask_archive_names(&text.replace(&self.work.path().display().to_string(), "[WORK]"))
    }

    /// The masks for both servers' addresses.
    fn masks(&self) -> Vec<(String, &'static str)> {
        vec![
            (self.repo_url_or_last(), "[REPO]"),
            (self.host_or_last(), "[REGISTRY]"),
        ]
    }

    /// Runs real helm with this test's helm home in `dir`.
    fn helm_in(&self, dir: &Path, args: &[&str]) {
        let env = helm_home_env(&self.work.path().join("helm"));
        let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        helm_ok_in(&self.helm, dir, &env, &args);
    }
}

/// Archives in the chart cache are named by their SHA-256, which changes with every `helm
/// package` (it records the time): `sha256/<digest>.tgz` becomes `sha256/[DIGEST].tgz`.
fn mask_archive_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sha256/") {
        let (before, after) = rest.split_at(at + "sha256/".len());
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_hexdigit).count();
        if digits == 64 {
            out.push_str("[DIGEST]");
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

const RELEASES: &str = "
    - name: pinned
      namespace: a
      chart: local/webapp
      version: 0.1.3
    - name: ranged
      namespace: a
      chart: local/webapp
      version: ~0.1.0
      values:
      - message: from-release
    - name: twin
      namespace: b
      chart: local/webapp
      version: ~0.1.0
    - name: oci-exact
      namespace: a
      chart: registry/ociapp
      version: 0.2.0
    - name: oci-range
      namespace: a
      chart: registry/ociapp
      version: '>=0.1.0 <0.2.0'
    ";

fn template_renders_remote_charts(major: u32) -> String {
    let remote = Remote::start(major);
    let project = TestProject::new().file("helmfile.yaml", &remote.helmfile(RELEASES));
    let text = remote.run(&project, &["template"], &remote.masks());
    // Each archive was downloaded once, although three releases use webapp 0.1.10's range.
    let downloads: Vec<(String, usize)> = remote
        .repo()
        .requests()
        .into_iter()
        .filter(|(path, _)| path.ends_with(".tgz"))
        .collect();
    format!("{text}----- archive downloads -----\n{downloads:?}\n")
}

#[test]
fn e2e_template_resolves_and_fetches_remote_charts_once_helm3() {
    assert_snapshot!(template_renders_remote_charts(3));
}

#[test]
fn e2e_template_resolves_and_fetches_remote_charts_once_helm4() {
    assert_snapshot!(template_renders_remote_charts(4));
}

fn offline_after_first_run(major: u32) -> (String, String) {
    let mut remote = Remote::start(major);
    let project = TestProject::new().file("helmfile.yaml", &remote.helmfile(RELEASES));
    let masks = remote.masks();
    let online = remote.run(&project, &["template"], &masks);
    remote.stop();
    let mut offline = remote.run(&project, &["template", "--skip-deps"], &masks);
    // lint reads the same archives.
    offline.push_str(&remote.run(&project, &["-q", "lint", "--skip-deps"], &masks));
    (online, offline)
}

#[test]
fn e2e_template_skip_deps_works_offline_after_one_run_helm3() {
    let (online, offline) = offline_after_first_run(3);
    assert!(online.starts_with("exit: 0\n"), "{online}");
    assert_eq!(stdout_of(&online), stdout_of(&offline), "{offline}");
    assert_snapshot!(offline);
}

#[test]
fn e2e_template_skip_deps_works_offline_after_one_run_helm4() {
    let (online, offline) = offline_after_first_run(4);
    assert!(online.starts_with("exit: 0\n"), "{online}");
    assert_eq!(stdout_of(&online), stdout_of(&offline), "{offline}");
    assert_snapshot!(offline);
}

/// The first run's stdout in a snapshot text.
fn stdout_of(text: &str) -> &str {
    let start = text.find("----- stdout -----\n").map_or(0, |i| i + 19);
    let end = text.find("----- stderr -----").unwrap_or(text.len());
    &text[start..end]
}

/// `deps` writes the lock; helm's own `dependency update` of Helmfile's temporary chart computes
/// the same digest; later runs use the locked versions until `deps` runs again.
fn deps_locks_versions(major: u32) -> String {
    let remote = Remote::start(major);
    let project = TestProject::new().file("helmfile.yaml", &remote.helmfile(RELEASES));
    let masks = remote.masks();
    let mut report = remote.run(&project, &["deps"], &masks);
    let lock = std::fs::read_to_string(project.path().join("helmfile.lock")).unwrap_or_default();
    let digest = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("digest: "))
            .unwrap_or_default()
            .to_string()
    };
    // Helmfile's temporary chart for the same state, resolved by helm itself.
    let chart = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let oci = format!("oci://{}/charts", remote.registry_host());
    let dependencies = format!(
        "name: helmfile\nversion: 1.0.0\napiVersion: v2\ndependencies:\n{}",
        // Sorted by name, as windlass lists them (Helmfile's order comes from a Go map).
        [
            ("ociapp", "0.2.0", oci.clone(), "a-oci-exact"),
            ("ociapp", ">=0.1.0 <0.2.0", oci.clone(), "a-oci-range"),
            ("webapp", "0.1.3", remote.repo_url_or_last(), "a-pinned"),
            ("webapp", "~0.1.0", remote.repo_url_or_last(), "a-ranged"),
            ("webapp", "~0.1.0", remote.repo_url_or_last(), "b-twin"),
        ]
        .iter()
        .map(|(n, v, r, a)| format!(
            "- name: {n}\n  repository: {r}\n  version: '{v}'\n  alias: {a}\n"
        ))
        .collect::<String>()
    );
    std::fs::write(chart.path().join("Chart.yaml"), dependencies).unwrap_or_else(|e| panic!("{e}"));
    remote.helm_in(
        chart.path(),
        &[
            "dependency",
            "update",
            ".",
            "--skip-refresh",
            "--plain-http",
        ],
    );
    let helm_lock = std::fs::read_to_string(chart.path().join("Chart.lock")).unwrap_or_default();
    assert_eq!(
        digest(&lock),
        digest(&helm_lock),
        "windlass:\n{lock}\nhelm:\n{helm_lock}"
    );
    let masked = lock
        .replace(&digest(&lock), "[DIGEST]")
        .lines()
        .map(|l| {
            if l.starts_with("generated: ") {
                "generated: [TIME]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    report.push_str(&format!("----- helmfile.lock -----\n{masked}\n"));
    report = masks
        .iter()
        .fold(report, |t, (from, to)| t.replace(from.as_str(), to));
    // A newer patch release appears; the locked versions still render until deps runs again.
    remote.publish_patch();
    let locked = remote.run(&project, &["-l", "name=ranged", "template"], &masks);
    report.push_str(&format!("----- template with the lock -----\n{locked}"));
    // `list` shows the locked versions too, as Helmfile's resolves the lock.
    let listed = remote.run(&project, &["list"], &masks);
    report.push_str(&format!("----- list with the lock -----\n{listed}"));
    let relocked = remote.run(&project, &["deps"], &masks);
    let lock = std::fs::read_to_string(project.path().join("helmfile.lock")).unwrap_or_default();
    let versions: Vec<&str> = lock
        .lines()
        .filter(|l| l.trim_start().starts_with("version: 0"))
        .collect();
    report.push_str(&format!(
        "----- deps again -----\n{relocked}versions: {versions:?}\n"
    ));
    report
}

#[test]
fn e2e_deps_writes_helmfile_lock_that_later_runs_use_helm3() {
    assert_snapshot!(deps_locks_versions(3));
}

#[test]
fn e2e_deps_writes_helmfile_lock_that_later_runs_use_helm4() {
    assert_snapshot!(deps_locks_versions(4));
}

/// Errors: a stale lock, a range that matches nothing, wrong credentials, an unreachable
/// repository.
fn errors(major: u32) -> String {
    let remote = Remote::start(major);
    let masks = remote.masks();
    let mut report = String::new();
    let stale = TestProject::new()
        .file("helmfile.yaml", &remote.helmfile("- name: ranged\n  chart: local/webapp\n  version: ~0.2.0\n"))
        .file(
            "helmfile.lock",
            &format!(
                "version: 1.1.2\ndependencies:\n  - name: webapp\n    repository: {}\n    version: 0.1.3\ndigest: sha256:0\ngenerated: \"2026-01-01T00:00:00Z\"\n",
                remote.repo_url_or_last()
            ),
        );
    report.push_str(&remote.run(&stale, &["template"], &masks));
    let no_match = TestProject::new().file(
        "helmfile.yaml",
        &remote.helmfile("- name: ranged\n  chart: local/webapp\n  version: ~9.0\n"),
    );
    report.push_str(&remote.run(&no_match, &["template"], &masks));
    let wrong = TestProject::new().file(
        "helmfile.yaml",
        &remote
            .helmfile("- name: pinned\n  chart: local/webapp\n  version: 0.1.3\n")
            .replace("requiredEnv \"REPO_PASSWORD\"", "\"not-the-password\""),
    );
    report.push_str(&remote.run(&wrong, &["template"], &masks));
    let wrong_registry = TestProject::new().file(
        "helmfile.yaml",
        &remote
            .helmfile("- name: oci\n  chart: registry/ociapp\n  version: 0.2.0\n")
            .replace("requiredEnv \"REGISTRY_PASSWORD\"", "\"not-the-password\""),
    );
    report.push_str(&remote.run(&wrong_registry, &["template"], &masks));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| format!("http://{a}"))
        .unwrap_or_default();
    let unreachable = TestProject::new().file(
        "helmfile.yaml",
        &format!("repositories:\n- name: gone\n  url: {closed}\nreleases:\n- name: x\n  chart: gone/webapp\n"),
    );
    let mut masks = masks;
    masks.push((closed.clone(), "[CLOSED]"));
    masks.push((
        closed.trim_start_matches("http://").to_string(),
        "[CLOSED-ADDRESS]",
    ));
    report.push_str(&remote.run(&unreachable, &["template"], &masks));
    report
}

#[test]
fn e2e_remote_chart_errors_name_the_cause_helm3() {
    assert_snapshot!(errors(3));
}

#[test]
fn e2e_remote_chart_errors_name_the_cause_helm4() {
    assert_snapshot!(errors(4));
}

/// A local chart whose Chart.yaml depends on a chart of the repository: `helm dependency build`
/// from its Chart.lock, after windlass added the repository.
fn local_chart_with_repository_dependency(major: u32) -> String {
    let remote = Remote::start(major);
    let chart_yaml = format!(
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n- name: webapp\n  version: ~0.1.0\n  repository: {}\n",
        remote.repo().url()
    );
    let project = TestProject::new()
        .file(
            "helmfile.yaml",
            &remote.helmfile("- name: umbrella\n  namespace: u\n  chart: ./charts/umbrella\n"),
        )
        .file("charts/umbrella/Chart.yaml", &chart_yaml)
        .file(
            "charts/umbrella/values.yaml",
            "webapp:\n  message: from-umbrella\n",
        );
    // The chart's author locked the dependency (helm dependency update), then published only
    // Chart.yaml and Chart.lock.
    let masks = remote.masks();
    let added = remote.run(&project, &["repos"], &masks);
    assert!(added.starts_with("exit: 0"), "{added}");
    remote.helm_in(
        &project.path().join("charts/umbrella"),
        &["dependency", "update", "."],
    );
    std::fs::remove_dir_all(project.path().join("charts/umbrella/charts"))
        .unwrap_or_else(|e| panic!("{e}"));
    remote.run(&project, &["template"], &masks)
}

#[test]
fn e2e_local_chart_depending_on_a_repository_chart_helm3() {
    assert_snapshot!(local_chart_with_repository_dependency(3));
}

#[test]
fn e2e_local_chart_depending_on_a_repository_chart_helm4() {
    assert_snapshot!(local_chart_with_repository_dependency(4));
}

/// `sync` against the local Kubernetes API: chart-repository charts by name with their version
/// range, an OCI chart pulled first; the ConfigMaps in the cluster name the versions installed.
/// Then `diff` renders each chart as the upgrade installed it (exit 0: in sync), and after a
/// values change to the OCI release `apply` upgrades that release alone, from the archive.
fn sync_installs_remote_charts(major: u32) -> String {
    let remote = Remote::start(major);
    let cluster = Cluster::start();
    let releases = |oci_values: &str| {
        remote.helmfile(&format!(
            "
            - name: ranged
              namespace: a
              chart: local/webapp
              version: ~0.1.0
            - name: oci-range
              namespace: a
              chart: registry/ociapp
              version: '>=0.1.0 <0.2.0'
              needs: [a/ranged]{oci_values}
            "
        ))
    };
    let project = TestProject::new().file("helmfile.yaml", &releases(""));
    let cache = remote.work.path().join("cache");
    let env: [(&str, &Path); 3] = [
        ("WINDLASS_CACHE_DIR", &cache),
        ("REPO_PASSWORD", Path::new(REPO_PASSWORD)),
        ("REGISTRY_PASSWORD", Path::new(REGISTRY_PASSWORD)),
    ];
    let run = |project: &TestProject, args: &[&str]| {
        let text = cluster.windlass(
            project,
            major,
            &[&["--concurrency", "1"], args].concat(),
            &env,
        );
        for secret in [REPO_PASSWORD, REGISTRY_PASSWORD] {
            assert!(!text.contains(secret), "a password was printed:\n{text}");
        }
        let text = remote
            .masks()
            .iter()
            .fold(text, |t, (from, to)| t.replace(from.as_str(), to));
        mask_archive_names(&text.replace(&remote.work.path().display().to_string(), "[WORK]"))
    };
    let mut text = run(&project, &["sync"]);
    text.push_str("----- release records -----\n");
    text.push_str(&cluster.release_records());
    text.push_str(&cluster.kubectl_transcript(
        &[
            "get",
            "configmap",
            "-n",
            "a",
            "-o",
            "custom-columns=NAME:.metadata.name,CHART:.data.chart",
        ],
        &[],
    ));
    text.push_str("----- diff -----\n");
    text.push_str(&run(&project, &["diff", "--detailed-exitcode"]));
    let changed = "\n              values: [{message: changed}]";
    let project = project.file("helmfile.yaml", &releases(changed));
    text.push_str("----- apply -----\n");
    text.push_str(&run(&project, &["apply", "--detailed-exitcode"]));
    text.push_str("----- release records -----\n");
    text.push_str(&cluster.release_records());
    text
}

#[test]
fn e2e_sync_installs_remote_charts_helm3() {
    assert_snapshot!(sync_installs_remote_charts(3));
}

#[test]
fn e2e_sync_installs_remote_charts_helm4() {
    assert_snapshot!(sync_installs_remote_charts(4));
}

//! Runs Helmfile's own end-to-end snapshot suite (`test/e2e/template/helmfile` of a Helmfile
//! checkout: `testdata/snapshot/<case>/{config.yaml,input.yaml.gotmpl,output*.yaml}`) against
//! windlass, the way Helmfile's `snapshot_test.go` runs it against `helmfile`: per case a fresh
//! helm home, the chart repository and OCI registry the case's `config.yaml` asks for on
//! loopback, the case's arguments, and the test's own output normalisations; with helm 3 and
//! helm 4 (`output-helm4.yaml` where the case has one).
//!
//! What is compared: the output Helmfile prints on stdout (manifests, `build`, `list`) byte for
//! byte; Helmfile's and helm's log lines (`Adding repo`, `Templating release=`, `Pulling`...)
//! are left out, since windlass logs in its own words. For `fetch`, the charts Helmfile's log
//! says it pulled must be in the output folder.
//!
//! Usage: `helmfile-conformance [--suite DIR] [--helm 3|4] [--case NAME]... [--verbose]`;
//! the suite folder also comes from `$HELMFILE_E2E_SUITE`. See `tests/conformance/README.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;
use serde::Deserialize;
use windlass_tests::chart_repo::{ChartRepoServer, helm_ok, index_charts};
use windlass_tests::registry::Registry;

/// A case's `config.yaml` (the fields `snapshot_test.go` reads).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Config {
    local_docker_registry: Server,
    local_chart_repo_server: Server,
    helmfile_args: Vec<String>,
}

/// A server a case asks for.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Server {
    enabled: bool,
    port: u16,
}

/// How one case ended.
enum Verdict {
    Passed,
    Failed(String),
    Skipped(&'static str),
}

/// The command line.
struct Options {
    suite: PathBuf,
    helms: Vec<u32>,
    cases: Vec<String>,
    verbose: bool,
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("helmfile-conformance: {message}");
            eprintln!(
                "usage: helmfile-conformance [--suite DIR] [--helm 3|4] [--case NAME]... [--verbose]\n  DIR: test/e2e/template/helmfile of a Helmfile checkout (or $HELMFILE_E2E_SUITE); see tests/conformance/README.md"
            );
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for major in &options.helms {
        let helm = windlass_tests::real_helm(*major);
        let version = helm_version(&helm);
        println!("== helm {version}");
        let (mut passed, mut failures, mut skipped) = (0, 0, 0);
        for case in case_names(&options) {
            match run_case(&options.suite, &case, &helm, *major) {
                Verdict::Passed => {
                    passed += 1;
                    println!("PASS {case}");
                }
                Verdict::Failed(why) => {
                    failures += 1;
                    println!("FAIL {case}");
                    if options.verbose {
                        println!("{why}");
                    } else {
                        println!("{}", why.lines().take(40).collect::<Vec<_>>().join("\n"));
                    }
                }
                Verdict::Skipped(reason) => {
                    skipped += 1;
                    println!("SKIP {case}: {reason}");
                }
            }
        }
        println!("helm {version}: {passed} passed, {failures} failed, {skipped} skipped");
        failed += failures;
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn parse_options() -> Result<Options, String> {
    let mut suite = std::env::var_os("HELMFILE_E2E_SUITE").map(PathBuf::from);
    let mut helms = Vec::new();
    let mut cases = Vec::new();
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--suite" => suite = Some(PathBuf::from(value()?)),
            "--helm" => helms.push(match value()?.as_str() {
                "3" => 3,
                "4" => 4,
                other => return Err(format!("--helm takes 3 or 4, not {other}")),
            }),
            "--case" => cases.push(value()?),
            "--verbose" => verbose = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let suite = suite.ok_or("no suite folder: pass --suite DIR or set HELMFILE_E2E_SUITE")?;
    if !suite.join("testdata/snapshot").is_dir() {
        return Err(format!(
            "{} has no testdata/snapshot folder: point at test/e2e/template/helmfile of a Helmfile checkout",
            suite.display()
        ));
    }
    let suite = suite
        .canonicalize()
        .map_err(|e| format!("{}: {e}", suite.display()))?;
    if helms.is_empty() {
        helms = vec![3, 4];
    }
    Ok(Options {
        suite,
        helms,
        cases,
        verbose,
    })
}

fn helm_version(helm: &Path) -> String {
    let output = Command::new(helm)
        .args(["version", "--short"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {helm:?}: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The minor version of `helm` (`v4.1.4+g05fa379` → 1).
fn helm_minor(helm: &Path) -> u32 {
    helm_version(helm)
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// The cases to run: those named with `--case`, else every folder of `testdata/snapshot`.
fn case_names(options: &Options) -> Vec<String> {
    if !options.cases.is_empty() {
        return options.cases.clone();
    }
    windlass_tests::folder_names(&options.suite.join("testdata/snapshot"))
}

/// Runs one case with one helm.
fn run_case(suite: &Path, case: &str, helm: &Path, major: u32) -> Verdict {
    let dir = suite.join("testdata/snapshot").join(case);
    let config: Config = match std::fs::read_to_string(dir.join("config.yaml")) {
        Ok(text) => match serde_yaml::from_str(&text) {
            Ok(config) => config,
            Err(e) => return Verdict::Failed(format!("config.yaml: {e}")),
        },
        Err(_) => Config::default(),
    };
    let input = dir.join("input.yaml.gotmpl");
    let text = std::fs::read_to_string(&input).unwrap_or_default();
    // A chart behind go-getter must come from GitHub; go-getter values files a case marks
    // optional (`missingFileHandler`) are not needed.
    let go_getter_chart =
        Regex::new(r"(?m)^\s*(-\s*)?chart:\s*git::").unwrap_or_else(|e| panic!("{e}"));
    if go_getter_chart.is_match(&text) {
        return Verdict::Skipped("needs the internet (a go-getter chart from GitHub)");
    }
    let Some(expected) = expected_output(&dir, major) else {
        return Verdict::Skipped("the case has no expected output");
    };
    let home = tempfile::Builder::new()
        .prefix("helmfile-conformance-")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
    let servers = Servers::start(suite, &config, helm, home.path());
    let mut args = config.helmfile_args.clone();
    if args.is_empty() {
        args.push("build".into());
    }
    let input = match servers.registry_port() {
        Some(port) => {
            // As `prepareInputFile` does: the registry's port in, the suite's chart (and, for
            // helm 3, post-renderer) paths made absolute, since the copy lives elsewhere.
            let testdata = suite.join("testdata");
            let mut text = text.replace("$REGISTRY_PORT", port).replace(
                "../../charts/",
                &format!("{}/", testdata.join("charts").display()),
            );
            if major == 3 {
                let postrenderers = testdata.join("postrenderers");
                text = text.replace(
                    "../../postrenderers/",
                    &format!("{}/", postrenderers.display()),
                );
            }
            let copy = home.path().join("input.yaml.gotmpl");
            std::fs::write(&copy, text).unwrap_or_else(|e| panic!("write {copy:?}: {e}"));
            args.insert(0, "--oci-plain-http".to_string());
            copy
        }
        None => input,
    };
    if major == 4 && case == "postrenderer" {
        let plugins = home.path().join("helm_data/plugins");
        for plugin in ["add-cm1", "add-cm2"] {
            let from = suite.join("testdata/helm-plugins").join(plugin);
            copy_dir(&from, &plugins.join(plugin));
        }
    }
    let fetch_dir = home.path().join("fetched");
    let fetching = args.iter().any(|a| a == "fetch");
    if fetching {
        args.extend(["--output-dir".into(), fetch_dir.display().to_string()]);
    }
    let mut command = windlass_tests::windlass();
    command.current_dir(suite).arg("-f").arg(&input).args(&args);
    command.env("PATH", with_helm_on_path(helm));
    for (name, folder) in [
        ("HELM_CACHE_HOME", "helm_cache"),
        ("HELM_CONFIG_HOME", "helm_config"),
        ("HELM_DATA_HOME", "helm_data"),
        ("HELM_PLUGINS", "helm_data/plugins"),
        ("WINDLASS_CACHE_DIR", "windlass_cache"),
    ] {
        command.env(name, home.path().join(folder));
    }
    let output = match run_with_timeout(command, Duration::from_secs(180)) {
        Ok(output) => output,
        Err(why) => return Verdict::Failed(why),
    };
    let stdout = normalise(
        &String::from_utf8_lossy(&output.stdout),
        suite,
        servers.registry_port(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Verdict::Failed(format!(
            "windlass {} exited with {:?}\n--- stderr\n{stderr}--- stdout\n{stdout}",
            args.join(" "),
            output.status.code()
        ));
    }
    let mut wanted = without_log_lines(&expected);
    let mut stdout = stdout;
    if major == 4 && helm_minor(helm) < 2 {
        // The suite's helm 4 snapshots come from helm 4.2, which ends a subchart's documents
        // and a post-renderer's with empty lines; helm 4.0 and 4.1 do not.
        let blank_lines = Regex::new(r"\n{2,}---\n").unwrap_or_else(|e| panic!("{e}"));
        wanted = blank_lines.replace_all(&wanted, "\n---\n").into_owned();
        stdout = blank_lines.replace_all(&stdout, "\n---\n").into_owned();
    }
    if stdout != wanted {
        return Verdict::Failed(diff(&wanted, &stdout));
    }
    if fetching {
        return check_fetched(&expected, &fetch_dir);
    }
    Verdict::Passed
}

/// The chart repository and OCI registry a case asks for, filled with the suite's charts
/// (`testdata/charts`); they stop when dropped.
struct Servers {
    _chart_repo: Option<ChartRepoServer>,
    registry: Option<Registry>,
}

impl Servers {
    /// Starts what `config` enables: the chart repository on its configured port of 127.0.0.1,
    /// the registry on an ephemeral one with the charts pushed to `myrepo`.
    fn start(suite: &Path, config: &Config, helm: &Path, home: &Path) -> Self {
        let wanted = config.local_chart_repo_server.enabled || config.local_docker_registry.enabled;
        let archives = if wanted {
            package_charts(helm, &suite.join("testdata/charts"), &home.join("repo"))
        } else {
            Vec::new()
        };
        let chart_repo = config.local_chart_repo_server.enabled.then(|| {
            index_charts(helm, &home.join("repo"));
            let address = format!("127.0.0.1:{}", config.local_chart_repo_server.port);
            ChartRepoServer::serve_at(&home.join("repo"), &address, None)
        });
        let registry = config.local_docker_registry.enabled.then(|| {
            let registry = Registry::start(None);
            registry.push(helm, &home.join("pusher"), "myrepo", &archives);
            registry
        });
        Self {
            _chart_repo: chart_repo,
            registry,
        }
    }

    /// The registry's port, when there is one.
    fn registry_port(&self) -> Option<&str> {
        let host = self.registry.as_ref()?.host();
        host.rsplit(':').next()
    }
}

/// `helm package` of every chart folder under `charts` into `out`; the archives.
fn package_charts(helm: &Path, charts: &Path, out: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(charts)
        .unwrap_or_else(|e| panic!("cannot list {charts:?}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in &folders {
        helm_ok(
            helm,
            &[],
            &[
                "package".as_ref(),
                folder.as_os_str(),
                "--destination".as_ref(),
                out.as_os_str(),
            ],
        );
    }
    let mut archives: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("cannot list {out:?}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    archives.sort();
    archives
}

/// Copies the folder `from` to `to`, as `installTestPlugin` installs a helm plugin.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {to:?}: {e}"));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {from:?}: {e}")) {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {from:?}: {e}"))
            .path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("cannot copy {path:?} to {target:?}: {e}"));
        }
    }
}

/// The expected output for helm `major`: `output-helm4.yaml` for helm 4 when there is one, then
/// Helmfile 1.x's (go-yaml v3) output, then `output.yaml`.
fn expected_output(dir: &Path, major: u32) -> Option<String> {
    let mut names = Vec::new();
    if major == 4 {
        names.push("output-helm4.yaml");
    }
    names.extend(["gopkg.in-yaml.v3-output.yaml", "output.yaml"]);
    names
        .into_iter()
        .find_map(|name| std::fs::read_to_string(dir.join(name)).ok())
}

/// `PATH` with `helm`'s folder first, so windlass and what it starts find that helm.
fn with_helm_on_path(helm: &Path) -> std::ffi::OsString {
    let folder = helm.parent().unwrap_or(Path::new("."));
    let mut paths = vec![folder.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap_or_default()
}

/// Runs `command` to the end, killing it after `limit`.
fn run_with_timeout(mut command: Command, limit: Duration) -> Result<std::process::Output, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run windlass: {e}"))?;
    let deadline = Instant::now() + limit;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("windlass took longer than {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().map_err(|e| e.to_string())
}

/// `snapshot_test.go`'s replacements: the working directory, the registry's port, helm's short
/// version.
fn normalise(text: &str, suite: &Path, registry_port: Option<&str>) -> String {
    let suite = suite.display().to_string();
    let mut text = text
        .replace(&format!("chart={suite}"), "chart=$WD")
        .replace(&suite, "__workingdir__");
    if let Some(port) = registry_port {
        text = text
            .replace(&format!("localhost:{port}"), "localhost:$REGISTRY_PORT")
            .replace(
                &format!("oci__localhost_{port}"),
                "oci__localhost_$REGISTRY_PORT",
            );
    }
    let version = Regex::new(r"v\d+\.\d+\.\d+\+[a-z0-9]+").unwrap_or_else(|e| panic!("{e}"));
    version.replace_all(&text, "$$HelmVersion").into_owned()
}

/// Lines Helmfile and helm log: windlass says these things in its own words.
const LOG_LINES: &[&str] = &[
    r#"^Adding repo \S+ \S+$"#,
    r#"^".+" has been added to your repositories$"#,
    r#"^Building dependency release=.*$"#,
    r#"^Templating release=.*$"#,
    r#"^Live output is enabled$"#,
    r#"^Pulling \S+$"#,
    r#"^Pulled: \S+$"#,
    r#"^Digest: \S+$"#,
    r#"^Hang tight while we grab the latest from your chart repositories\.\.\.$"#,
    r#"^\.\.\.Successfully got an update from the ".+" chart repository$"#,
    r#"^Update Complete\. ⎈Happy Helming!⎈$"#,
    r#"^Saving \d+ charts$"#,
    r#"^Downloading \S+ from repo \S+$"#,
    r#"^Deleting outdated charts$"#,
];

/// `expected` without Helmfile's and helm's log lines.
fn without_log_lines(expected: &str) -> String {
    let patterns: Vec<Regex> = LOG_LINES
        .iter()
        .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    expected
        .split_inclusive('\n')
        .filter(|line| {
            let line = line.trim_end_matches('\n');
            !patterns.iter().any(|p| p.is_match(line))
        })
        .collect()
}

/// For `fetch`: every `Pulling HOST/PATH/NAME:VERSION` of Helmfile's log is a chart folder under
/// `fetched` whose `Chart.yaml` has that name and version.
fn check_fetched(expected: &str, fetched: &Path) -> Verdict {
    let pulled =
        Regex::new(r"(?m)^Pulling \S+/([^/:\s]+):(\S+)$").unwrap_or_else(|e| panic!("{e}"));
    let charts = chart_files(fetched);
    for found in pulled.captures_iter(expected) {
        let (name, version) = (&found[1], &found[2]);
        let present = charts.iter().any(|text| {
            text.lines().any(|l| l.trim() == format!("name: {name}"))
                && text
                    .lines()
                    .any(|l| l.trim() == format!("version: {version}"))
        });
        if !present {
            return Verdict::Failed(format!(
                "chart {name} {version} is not in the --output-dir folder {}",
                fetched.display()
            ));
        }
    }
    Verdict::Passed
}

/// The contents of every `Chart.yaml` below `dir`.
fn chart_files(dir: &Path) -> Vec<String> {
    windlass_tests::files_below(dir)
        .iter()
        .filter(|path| path.file_name().is_some_and(|name| name == "Chart.yaml"))
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

/// A unified diff of what Helmfile printed and what windlass printed.
fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("helmfile (expected)", "windlass")
        .to_string()
}

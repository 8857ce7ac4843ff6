//! Support for the end-to-end tests of the `windlass` binary: temporary projects, running the
//! binary, and a stable rendering of its exit code and output for snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod chart_repo;
pub mod cluster;
pub mod registry;
pub mod schema;

/// A project in a temporary folder, written file by file.
pub struct TestProject {
    dir: tempfile::TempDir,
}

impl Default for TestProject {
    fn default() -> Self {
        Self::new()
    }
}

/// Where [`TestProject::helm_repositories`] writes helm's repository file.
const HELM_REPOSITORIES: &str = ".helm/repositories.yaml";

impl TestProject {
    /// An empty project folder.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("windlass-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        Self { dir }
    }

    /// A copy of a fixture folder under `tests/fixtures/`.
    pub fn fixture(name: &str) -> Self {
        let project = Self::new();
        copy_dir(
            &repo_root().join("tests/fixtures").join(name),
            project.path(),
        );
        project
    }

    /// A copy of the repository's example project (`charts.yaml`, `charts/`,
    /// `environments-example/`).
    pub fn example() -> Self {
        let project = Self::new();
        for entry in ["charts.yaml", "charts", "environments-example"] {
            let from = repo_root().join(entry);
            let to = project.path().join(entry);
            if from.is_dir() {
                std::fs::create_dir_all(&to).unwrap_or_else(|e| panic!("mkdir {to:?}: {e}"));
                copy_dir(&from, &to);
            } else {
                std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {to:?}: {e}"));
            }
        }
        project
    }

    /// Writes `content` to `path` (relative to the project), creating folders; returns `self` so
    /// calls chain.
    pub fn file(self, path: &str, content: &str) -> Self {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {parent:?}: {e}"));
        }
        std::fs::write(&full, unindent(content)).unwrap_or_else(|e| panic!("write {full:?}: {e}"));
        self
    }

    /// Writes a helm repository file naming `names` (what `helm repo add` would have left);
    /// recorded runs hand it to windlass as `HELM_REPOSITORY_CONFIG`.
    pub fn helm_repositories(self, names: &[&str]) -> Self {
        let entries: String = names
            .iter()
            .map(|name| format!("- {{name: {name}, url: https://{name}.example}}\n"))
            .collect();
        self.file(HELM_REPOSITORIES, &format!("repositories:\n{entries}"))
    }

    /// The project folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `windlass --helm-binary <recording helm> ARGS` and returns the snapshot text followed
    /// by the helm calls it made, one `helm ARGV` line each (`--values` files listed with their
    /// content, temporary paths replaced by `[TMP]`).
    pub fn run_recorded(&self, args: &[&str]) -> String {
        self.run_recorded_with_env(args, &[])
    }

    /// [`TestProject::run_recorded`] with extra environment variables.
    pub fn run_recorded_with_env(&self, args: &[&str], env: &[(&str, &Path)]) -> String {
        let log = self.path().join(".helm-calls.jsonl");
        let mut command = windlass();
        command
            .arg("--helm-binary")
            .arg(sibling_binary("recording-helm"))
            .args(args)
            .current_dir(self.path())
            .env("RECORDING_HELM_LOG", &log);
        let repositories = self.path().join(HELM_REPOSITORIES);
        if repositories.exists() {
            command.env("HELM_REPOSITORY_CONFIG", repositories);
        }
        command.envs(env.iter().copied());
        let mut text = render(command, self.path());
        text.push_str("----- helm calls -----\n");
        let log_text = mask_private_dirs(&std::fs::read_to_string(&log).unwrap_or_default());
        for line in log_text.lines() {
            let call: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("bad recording {line}: {e}"));
            let argv: Vec<&str> = call["argv"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str())
                .collect();
            text.push_str(&format!("helm {}\n", argv.join(" ")));
            if let Some(kubeconfig) = call["kubeconfig"].as_str().filter(|s| !s.is_empty()) {
                text.push_str(&format!("  KUBECONFIG={kubeconfig}\n"));
            }
            if let Some(stdin) = call["stdin"].as_str().filter(|s| !s.is_empty()) {
                text.push_str(&format!("  stdin: {stdin}\n"));
            }
            for (path, content) in call["values"].as_object().into_iter().flatten() {
                text.push_str(&format!("  {path}:\n"));
                for content_line in content.as_str().unwrap_or_default().lines() {
                    text.push_str(&format!("    {content_line}\n"));
                }
            }
        }
        text
    }

    /// `windlass --helm-binary <real helm major> ARGS`, to run in the project folder.
    pub fn windlass_with_helm(&self, major: u32, args: &[&str]) -> Command {
        let mut command = windlass();
        command
            .arg("--helm-binary")
            .arg(real_helm(major))
            .args(args)
            .current_dir(self.path());
        command
    }

    /// Runs `windlass ARGS` in the project folder with a clean environment and returns the
    /// snapshot text: exit code, stdout and stderr, with the folder's path replaced by `[PROJECT]`.
    pub fn run(&self, args: &[&str]) -> String {
        let mut command = windlass();
        command.args(args).current_dir(self.path());
        render(command, self.path())
    }
}

/// The `windlass` binary under test (built beside the test executables by `cargo test
/// --workspace`, or `cargo build -p windlass-cli`), with variables that change its behaviour
/// removed.
pub fn windlass() -> Command {
    let mut command = Command::new(binary());
    for name in [
        "WINDLASS_ENVIRONMENT",
        "HELMFILE_ENVIRONMENT",
        "NO_COLOR",
        "SOPS_AGE_KEY",
        "SOPS_AGE_KEY_FILE",
        "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
        "HELM_REPOSITORY_CONFIG",
        "HELM_CONFIG_HOME",
    ] {
        command.env_remove(name);
    }
    // No user age keys from ~/.config/sops either.
    command.env("XDG_CONFIG_HOME", "/nonexistent");
    command
}

/// The path of the `windlass` binary: `$WINDLASS_BIN`, else the one in this build's target folder.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("WINDLASS_BIN") {
        return PathBuf::from(path);
    }
    sibling_binary("windlass")
}

/// A binary built into the same target folder as the running test.
pub fn sibling_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("no current executable: {e}"));
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    // Tests run from target/debug/deps, binaries (the conformance runner) from target/debug.
    let candidates: Vec<PathBuf> = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join(&file))
        .collect();
    candidates
        .iter()
        .find(|binary| binary.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "the {name} binary is missing at {:?}: run `cargo build --workspace --bins` (scripts/test.sh does)",
                candidates.last()
            )
        })
}

/// Runs `command` (windlass) and renders its outcome for a snapshot, replacing `dir` with
/// `[PROJECT]` and durations with `[DURATION]`.
pub fn render(command: Command, dir: &Path) -> String {
    mask_durations(&render_raw(command, dir))
}

/// Runs `command` (any program) and renders its outcome for a snapshot, replacing `dir` with
/// `[PROJECT]`.
pub fn render_raw(mut command: Command, dir: &Path) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run windlass: {e}"));
    let clean = |bytes: &[u8]| {
        mask_private_dirs(
            &String::from_utf8_lossy(bytes).replace(&dir.display().to_string(), "[PROJECT]"),
        )
    };
    format!(
        "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output
            .status
            .code()
            .map_or_else(|| "signal".to_string(), |c| c.to_string()),
        clean(&output.stdout),
        clean(&output.stderr),
    )
}

static DURATIONS: std::sync::LazyLock<[(regex::Regex, &'static str); 2]> =
    std::sync::LazyLock::new(|| {
        let duration = r"(\d+\.\d|\d+m\d\d|\d+|\d+m\d+|\d+h\d+m\d+)s";
        let regex = |pattern: String| {
            regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("bad mask {pattern}: {e}"))
        };
        [
            // Progress lines: `upgraded (1.2s)`.
            (regex(format!(r"\({duration}\)")), "([DURATION])"),
            // The last column of the run summary and of Helmfile's blocks, aligned right.
            (regex(format!(r"(?m) {{3,}}{duration}$")), "   [DURATION]"),
        ]
    });

/// Replaces the durations of progress lines and run summaries with `[DURATION]`.
pub fn mask_durations(text: &str) -> String {
    DURATIONS
        .iter()
        .fold(text.to_string(), |text, (regex, replacement)| {
            regex.replace_all(&text, *replacement).into_owned()
        })
}

/// The names of the entries of `tmp` (a run's temporary folder: its private values folders).
pub fn private_dirs_left(tmp: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(tmp)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Starts `command` (stdout and stderr captured), waits (up to 10 s) until `ready` holds, sends
/// it `signal` (`-INT`, `-TERM`) with `kill`, and returns how it ended.
pub fn interrupt_when(
    mut command: Command,
    ready: impl Fn() -> bool,
    signal: &str,
) -> std::process::Output {
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("spawn windlass: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(ready(), "the run never got to the point to interrupt it");
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success());
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

/// Runs `command` and returns its stdout; the test fails, with stderr, when it cannot start or
/// exits non-zero. `what` names the program in the failure.
pub fn stdout_of(command: &mut Command, what: &str) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The real helm of `major` version 3 or 4: `$WINDLASS_TEST_HELM3`/`4`, else the one
/// `scripts/install-tools.sh` put in `.tools/`. Panics with what to do when it is missing: a test
/// that needs helm never passes without it.
pub fn real_helm(major: u32) -> PathBuf {
    let path = std::env::var_os(format!("WINDLASS_TEST_HELM{major}"))
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(format!(".tools/helm{major}/helm")));
    assert!(
        path.is_file(),
        "helm {major} is missing at {path:?}: run `bash scripts/install-tools.sh` (scripts/test.sh does)"
    );
    path
}

/// The variables that give helm its own configuration, cache and data folders under `home`, so a
/// test's repositories and registry logins are its own.
pub fn helm_home_env(home: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HELM_CONFIG_HOME", home.join("config")),
        ("HELM_CACHE_HOME", home.join("cache")),
        ("HELM_DATA_HOME", home.join("data")),
    ]
}

/// Replaces each run's private values folder (`<tmp>/windlass-XXXXXX`) with `[VALUES]`, and the
/// random part of one in another temporary folder with `[RANDOM]`.
pub fn mask_private_dirs(text: &str) -> String {
    let text = mask_after(
        text,
        &std::env::temp_dir().join("windlass-").display().to_string(),
        "[VALUES]",
    );
    mask_after(&text, "/windlass-", "/windlass-[RANDOM]")
}

/// Replaces `prefix` and the letters and digits after it with `replacement`.
fn mask_after(text: &str, prefix: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str(replacement);
        let after = &rest[at + prefix.len()..];
        let skip = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// The sorted names of the folders in `tests/fixtures/<group>`.
pub fn fixture_names(group: &str) -> Vec<String> {
    folder_names(&repo_root().join("tests/fixtures").join(group))
}

/// The sorted names of the folders in `dir`.
pub fn folder_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file below `dir` (folders walked), sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The repository root (the workspace folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("the tests package has no parent folder"))
}

/// Removes the common leading indentation of a raw string literal and a leading newline, so
/// files can be written indented in test code.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

fn copy_dir(from: &Path, to: &Path) {
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {from:?}: {e}"));
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("mkdir {target:?}: {e}"));
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("copy {target:?}: {e}"));
        }
    }
}

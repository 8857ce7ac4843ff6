//! End-to-end tests against a local Kubernetes API (`windlass-kube-sim`): start one per test,
//! run the real helm 3 or 4, kubectl and windlass against it, read objects back, and render
//! outputs with what changes from run to run (ports, uids, times) masked for snapshots.
//!
//! Other suites (diff, apply, destroy, status) build on this: [`Cluster::start`] (or
//! [`Cluster::for_example`] for the example project's kube contexts), [`Cluster::kubeconfig`],
//! [`Cluster::read_only_context`], [`Cluster::helm`], [`Cluster::kubectl`],
//! [`Cluster::windlass`], [`Cluster::helm_transcript`], [`Cluster::kubectl_transcript`],
//! [`Cluster::release_records`], and [`Cluster::sim`] to read objects directly.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use windlass_kube_sim::{ChangeKind, KubeSim, Options};

use crate::{TestProject, real_helm, render, render_raw, repo_root};

/// The kube contexts the example project's environments name.
pub const EXAMPLE_CONTEXTS: &[&str] = &["kind-dev", "staging-eu", "prod-eu"];

/// A local API server for one test, with private helm and kubectl caches.
pub struct Cluster {
    sim: KubeSim,
    home: tempfile::TempDir,
}

impl Cluster {
    /// A server whose kubeconfig has the admin and read-only contexts only.
    pub fn start() -> Self {
        Self::with_contexts(&[])
    }

    /// A server whose kubeconfig also has the example project's contexts (`prod-eu`...).
    pub fn for_example() -> Self {
        Self::with_contexts(EXAMPLE_CONTEXTS)
    }

    /// A server whose kubeconfig also has `contexts` (all the admin user, same server).
    pub fn with_contexts(contexts: &[&str]) -> Self {
        let sim = KubeSim::start_with(Options {
            contexts: contexts.iter().map(|c| c.to_string()).collect(),
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("cannot start the local Kubernetes API: {e}"));
        let home = tempfile::Builder::new()
            .prefix("windlass-e2e-home-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        Self { sim, home }
    }

    /// The kubeconfig file the server wrote.
    pub fn kubeconfig(&self) -> &Path {
        self.sim.kubeconfig()
    }

    /// The read-only user's context (get, list and watch only).
    pub fn read_only_context(&self) -> &'static str {
        self.sim.read_only_context()
    }

    /// The admin context (the kubeconfig's current one).
    pub fn admin_context(&self) -> &'static str {
        self.sim.admin_context()
    }

    /// The server itself, for direct reads.
    pub fn sim(&self) -> &KubeSim {
        &self.sim
    }

    /// Environment variables pointing a client at this server, with private caches.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let home = self.home.path();
        vec![
            ("KUBECONFIG", self.kubeconfig().to_path_buf()),
            ("KUBECACHEDIR", home.join("kube-cache")),
            ("HELM_CACHE_HOME", home.join("helm-cache")),
            ("HELM_CONFIG_HOME", home.join("helm-config")),
            ("HELM_DATA_HOME", home.join("helm-data")),
            ("HOME", home.to_path_buf()),
        ]
    }

    /// `helm` of `major` version 3 or 4, pointed at this server.
    pub fn helm(&self, major: u32) -> Command {
        let mut command = Command::new(real_helm(major));
        command.envs(self.env()).env_remove("HELM_DRIVER");
        command
    }

    /// `kubectl` from `.tools/bin`, pointed at this server.
    pub fn kubectl(&self) -> Command {
        let mut command = Command::new(kubectl_binary());
        command.envs(self.env()).env_remove("KUBECTL_EXTERNAL_DIFF");
        command
    }

    /// Runs `helm ARGS` (helm `major`, in the repository root, with `env`) and renders it as a
    /// transcript entry.
    pub fn helm_transcript(&self, major: u32, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut command = self.helm(major);
        command
            .args(args)
            .current_dir(repo_root())
            .envs(env.iter().copied());
        transcript(&format!("helm{major} {}", args.join(" ")), command)
    }

    /// Runs `kubectl ARGS` (in the repository root, with `env`) and renders it as a transcript
    /// entry.
    pub fn kubectl_transcript(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut command = self.kubectl();
        command
            .args(args)
            .current_dir(repo_root())
            .envs(env.iter().copied());
        transcript(&format!("kubectl {}", args.join(" ")), command)
    }

    /// Runs `windlass --helm-binary <helm major> ARGS` in `project` against this server (with
    /// `extra_env`), and renders the outcome for a snapshot.
    pub fn windlass(
        &self,
        project: &TestProject,
        major: u32,
        args: &[&str],
        extra_env: &[(&str, &Path)],
    ) -> String {
        let mut command = project.windlass_with_helm(major, args);
        command.envs(self.env()).envs(extra_env.iter().copied());
        mask_cluster(&render(command, project.path()))
    }

    /// Edits the example project's production web Deployment out of band (`kubectl set image`,
    /// as someone fixing production by hand would) and returns the transcript.
    pub fn edit_example_web_image(&self) -> String {
        self.kubectl_transcript(
            &[
                "--context",
                "prod-eu",
                "-n",
                "frontend",
                "set",
                "image",
                "deployment/web",
                "web=ghcr.io/example/web:2.1.0",
            ],
            &[],
        )
    }

    /// Runs `windlass -e production --concurrency 1 ARGS` in the example project (its age key
    /// given to SOPS) with helm `major` against this server: [`Cluster::windlass`] for the
    /// example's environment.
    pub fn windlass_production(&self, project: &TestProject, major: u32, args: &[&str]) -> String {
        let key = project.path().join("environments-example/age-test-key.txt");
        let env: [(&str, &Path); 1] = [("SOPS_AGE_KEY_FILE", &key)];
        self.windlass(
            project,
            major,
            &[&["-e", "production", "--concurrency", "1"], args].concat(),
            &env,
        )
    }

    /// The helm release records written so far, in order: `ADDED|MODIFIED|DELETED
    /// namespace/release.vN status`, one line each (from the release Secrets or ConfigMaps).
    pub fn release_records(&self) -> String {
        self.sim
            .changes()
            .iter()
            .filter(|c| matches!(c.resource.as_str(), "secrets" | "configmaps"))
            .filter(|c| c.object["metadata"]["labels"]["owner"] == "helm")
            .map(|c| {
                let labels = &c.object["metadata"]["labels"];
                let kind = match c.kind {
                    ChangeKind::Added => "ADDED",
                    ChangeKind::Modified => "MODIFIED",
                    ChangeKind::Deleted => "DELETED",
                };
                format!(
                    "{kind} {}/{}.v{} {}\n",
                    c.namespace,
                    labels["name"].as_str().unwrap_or_default(),
                    labels["version"].as_str().unwrap_or_default(),
                    labels["status"].as_str().unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// Runs `command` (helm, kubectl...) and renders it like [`render`], with `$ LABEL` first and
/// what changes between runs masked (the temporary folder reads `[TMP]`).
pub fn transcript(label: &str, command: Command) -> String {
    let text = render_raw(command, &std::env::temp_dir()).replace("[PROJECT]", "[TMP]");
    format!("$ {label}\n{}", mask_cluster(&text))
}

/// kubectl, installed by `scripts/install-tools.sh`; panics with what to do when it is missing.
pub fn kubectl_binary() -> PathBuf {
    let path = repo_root().join(".tools/bin/kubectl");
    assert!(
        path.is_file(),
        "kubectl is missing at {path:?}: run `bash scripts/install-tools.sh` (scripts/test.sh does)"
    );
    path
}

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UID]",
        ),
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            "[TIME]",
        ),
        (
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}( [A-Z]+)?",
            "[TIME]",
        ),
        // kubectl diff's temporary folders, klog's line headers.
        (r"/(LIVE|MERGED)-\d+/", "/$1-[N]/"),
        (r"(?m)^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ ", "[KLOG] "),
        // helm 4's client-go warns when helm cancels a watch at the end of a wait while an event
        // is in flight: a race of the two, not something the run did; the line comes and goes.
        (
            r#"(?m)^\[KLOG\] reflector\.go:\d+\] "Warning: watch ended with error".*context canceled.*\n"#,
            "",
        ),
        (
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}",
            "[TIME]",
        ),
        (r"(?m) +\d+[smhd]$", " [AGE]"),
    ]
    .into_iter()
    .map(|(pattern, replacement)| {
        let regex = Regex::new(pattern).unwrap_or_else(|e| panic!("bad mask {pattern}: {e}"));
        (regex, replacement)
    })
    .collect()
});

/// Masks ports, uids, times and kubectl ages.
pub fn mask_cluster(text: &str) -> String {
    MASKS
        .iter()
        .fold(text.to_string(), |text, (regex, replacement)| {
            regex.replace_all(&text, *replacement).into_owned()
        })
}

/// Writes to `path` a kubeconfig whose only context, `gone`, names a server on 127.0.0.1 that
/// nothing listens on; returns its port.
pub fn unreachable_kubeconfig(path: &Path) -> u16 {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters:\n- name: gone\n  cluster: {{server: 'http://127.0.0.1:{port}'}}\ncontexts:\n- name: gone\n  context: {{cluster: gone, user: gone}}\nusers:\n- name: gone\n  user: {{token: t}}\n"
    );
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
    port
}

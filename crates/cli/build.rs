//! Sets `WINDLASS_VERSION` for `windlass --version`: the package version, followed by the short
//! commit when the source is a Git checkout (`0.1.0 (1a2b3c4)`), else the version alone (a
//! source archive, or no `git` on PATH).

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let commit = if root.join(".git").exists() {
        git(&root, &["rev-parse", "--short", "HEAD"])
    } else {
        None
    };
    match commit {
        Some(commit) => {
            println!("cargo:rustc-env=WINDLASS_VERSION={version} ({commit})");
            // Build again when HEAD moves: a checkout changes HEAD, a commit changes the ref.
            for path in ["HEAD", "packed-refs"] {
                rerun_if_changed(&root, path);
            }
            if let Some(branch) = git(&root, &["symbolic-ref", "-q", "HEAD"]) {
                rerun_if_changed(&root, &branch);
            }
        }
        None => println!("cargo:rustc-env=WINDLASS_VERSION={version}"),
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// The trimmed output of `git ARGS` in `root`, if it succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

/// Asks cargo to run this script again when the Git file `name` (under the Git folder, which
/// a worktree keeps elsewhere) changes; a file that does not exist is not watched (cargo would
/// run the script on every build).
fn rerun_if_changed(root: &Path, name: &str) {
    let path = git(
        root,
        &["rev-parse", "--path-format=absolute", "--git-path", name],
    );
    if let Some(path) = path.filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}

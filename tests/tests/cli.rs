//! What a person meets before any project: `--help`, `--version`, and the completion scripts,
//! loaded by the real bash, zsh and fish and asked for completions as the shells ask.

use std::path::PathBuf;
use std::process::Command;

use insta::assert_snapshot;
use windlass_tests::{TestProject, binary, render, repo_root, stdout_of, windlass};

/// `name` from `PATH`; the test fails, saying what to do, when it is missing.
fn shell(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is missing: run `bash scripts/install-tools.sh` (scripts/test.sh does)")
        })
}

/// Runs `script` in shell `name` (`-c`), with the `windlass` under test first on `PATH` and a
/// fresh home folder; returns stdout, failing on a non-zero exit.
fn run_in(name: &str, script: &str) -> String {
    let home = TestProject::new();
    let bin_dir = binary()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("the windlass binary has no folder"));
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap_or_else(|e| panic!("PATH: {e}"));
    stdout_of(
        Command::new(shell(name))
            .arg("-c")
            .arg(script)
            .env("PATH", path)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_DATA_HOME", home.path().join(".local/share")),
        &format!("{name} -c"),
    )
}

/// Bash: the script registers `_windlass`, which completes commands, flags and flag values.
#[test]
fn bash_loads_the_completion_script_and_completes() {
    let asks = [
        "windlass sy",
        "windlass -e production te",
        "windlass sync --include",
        "windlass --log-level ",
        "windlass schema c",
    ];
    let mut script = String::from("source <(windlass completion bash)\ncomplete -p windlass\n");
    for ask in asks {
        // What bash sets before it calls a completion function for the line `ask`.
        script.push_str(&format!(
            "COMP_LINE='{ask}'; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< \"$COMP_LINE\"\n\
             [[ \"$COMP_LINE\" == *' ' ]] && COMP_WORDS+=('')\n\
             COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             _windlass windlass \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             echo \"{ask}| ${{COMPREPLY[*]}}\"\n"
        ));
    }
    assert_snapshot!(run_in("bash", &script), @r"
    complete -o bashdefault -o default -o nosort -F _windlass windlass
    windlass sy| sync
    windlass -e production te| template
    windlass sync --include| --include-needs --include-transitive-needs
    windlass --log-level | error warn info debug
    windlass schema c| charts cluster
    ");
}

/// Zsh: the script parses, and compinit's registry maps `windlass` to its function.
#[test]
fn zsh_loads_the_completion_script() {
    let script = "windlass completion zsh > \"$HOME/_windlass\"\n\
                  zsh -n \"$HOME/_windlass\" && echo 'syntax ok'\n\
                  fpath=(\"$HOME\" $fpath)\n\
                  autoload -U compinit && compinit -u -d \"$HOME/.zcompdump\"\n\
                  echo \"windlass -> ${_comps[windlass]}\"";
    assert_snapshot!(run_in("zsh", script), @r"
    syntax ok
    windlass -> _windlass
    ");
}

/// Fish: completions as fish computes them for a command line (`complete -C`).
#[test]
fn fish_loads_the_completion_script_and_completes() {
    let script = "windlass completion fish | source\n\
                  complete -C 'windlass sy'\n\
                  complete -C 'windlass sync --include'\n\
                  complete -C 'windlass list --output '";
    assert_snapshot!(run_in("fish", script), @r"
    sync	Install or upgrade every selected release
    --include-needs	Also run what the selected releases need (Helmfile pulls in needs of needs too)
    --include-transitive-needs	Also run everything the selected releases need, directly or not
    json	A JSON array, one object per release
    table	Aligned columns, as Helmfile prints them
    ");
}

/// `--version` names the commit the binary was built from, when built from a Git checkout.
#[test]
fn version_names_the_commit() {
    let version = env!("CARGO_PKG_VERSION");
    let expected = if repo_root().join(".git").exists() {
        let commit = Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(repo_root())
            .output()
            .unwrap_or_else(|e| panic!("git: {e}"));
        format!(
            "windlass {version} ({})\n",
            String::from_utf8_lossy(&commit.stdout).trim()
        )
    } else {
        format!("windlass {version}\n")
    };
    let output = windlass()
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("windlass --version: {e}"));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}

/// `windlass --help`: every command with a line, then examples, environment and exit statuses.
#[test]
fn help_describes_every_command() {
    let mut command = windlass();
    command.args(["--help"]);
    assert_snapshot!(render(command, &repo_root()));
}

/// A command's help ends with examples.
#[test]
fn sync_help_ends_with_examples() {
    let mut command = windlass();
    command.args(["sync", "--help"]);
    let text = render(command, &repo_root());
    let examples = text
        .split_once("Examples:")
        .map(|(_, examples)| examples)
        .unwrap_or_else(|| panic!("no examples in:\n{text}"));
    assert_snapshot!(examples, @r"

      windlass -e production sync
      windlass -e production -l name=api sync --include-needs   # api and what it needs
      windlass -e staging sync --set image.tag=1.4.2 --concurrency 4
    ----- stderr -----
    ");
}

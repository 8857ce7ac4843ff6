//! The text `--help` prints after the flags: examples, environment variables and exit statuses.
//! Headings are styled like clap's own (`Usage:`, `Options:`); clap strips the styles when the
//! output is not a terminal.

use anstyle::Style;

/// `windlass --version`: the package version and, when built from a Git checkout, the commit
/// (`build.rs` finds it).
pub const VERSION: &str = env!("WINDLASS_VERSION");

const HEADING: Style = Style::new().bold().underline();

/// Sections of `heading` + lines, one blank line apart.
fn sections(sections: &[(&str, &[&str])]) -> String {
    sections
        .iter()
        .map(|(heading, lines)| {
            let mut text = format!("{HEADING}{heading}:{HEADING:#}\n");
            for line in *lines {
                text.push_str(&format!("  {line}\n"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `windlass --help`.
pub fn main() -> String {
    sections(&[
        (
            "Examples",
            &[
                "windlass -e production list           # the releases production runs",
                "windlass -e production template       # their manifests, secrets decrypted in memory",
                "windlass -e production sync           # install or upgrade each, after what it needs",
                "windlass -e production -l tier=web sync",
                "windlass -f helmfile.d/ -e staging build",
            ],
        ),
        (
            "Environment",
            &[
                "WINDLASS_ENVIRONMENT, HELMFILE_ENVIRONMENT   the environment when -e is not given",
                "SOPS_AGE_KEY, SOPS_AGE_KEY_FILE              age keys for SOPS secrets, as sops reads them",
                "NO_COLOR                                     never colour the output",
            ],
        ),
        (
            "Exit status",
            &[
                "0 success, 1 error, 2 changes found (with --detailed-exitcode),",
                "3 the selector matched no release, 130 and 143 interrupted (SIGINT, SIGTERM)",
            ],
        ),
    ])
}

/// `windlass sync --help`.
pub fn sync() -> String {
    examples(&[
        "windlass -e production sync",
        "windlass -e production -l name=api sync --include-needs   # api and what it needs",
        "windlass -e staging sync --set image.tag=1.4.2 --concurrency 4",
    ])
}

/// `windlass template --help`.
pub fn template() -> String {
    examples(&[
        "windlass -e production template",
        "windlass -e production -l name=web template --show-only templates/deployment.yaml",
        "windlass -e production template --output-dir manifests/",
    ])
}

/// `windlass lint --help`.
pub fn lint() -> String {
    examples(&[
        "windlass -e production lint",
        "windlass -e production -l tier=web lint",
    ])
}

/// `windlass list --help`.
pub fn list() -> String {
    examples(&[
        "windlass -e production list",
        "windlass -e production list --output json | jq -r '.[].name'",
    ])
}

/// `windlass build --help`.
pub fn build() -> String {
    examples(&[
        "windlass -e production build",
        "windlass -e production build --embed-values   # values files inlined, secrets masked",
    ])
}

/// `windlass graph --help`.
pub fn graph() -> String {
    examples(&[
        "windlass -e production graph",
        "windlass -e production graph --output dot | dot -Tsvg > releases.svg",
    ])
}

/// `windlass write-values --help`.
pub fn write_values() -> String {
    examples(&[
        "windlass -e production write-values",
        "windlass -e production write-values --output-file-template 'out/{{ .Release.Name }}.yaml'",
    ])
}

/// `windlass completion --help`.
pub fn completion() -> String {
    examples(&[
        "windlass completion bash > ~/.local/share/bash-completion/completions/windlass",
        "windlass completion zsh > \"${fpath[1]}/_windlass\"",
        "windlass completion fish > ~/.config/fish/completions/windlass.fish",
    ])
}

/// `windlass schema --help`.
pub fn schema() -> String {
    sections(&[
        (
            "Examples",
            &[
                "windlass schema charts > .schemas/charts.schema.json",
                "windlass schema --output-dir .schemas",
            ],
        ),
        (
            "Use in an editor",
            &[
                "Editors with the YAML language server (VS Code's YAML extension, Neovim, Helix...)",
                "validate and complete a file that starts with a line such as",
                "# yaml-language-server: $schema=.schemas/charts.schema.json",
            ],
        ),
    ])
}

/// An `Examples:` section.
fn examples(lines: &[&str]) -> String {
    sections(&[("Examples", lines)])
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use crate::args::Cli;

    /// Every command and every flag a person can see, with what its help says.
    fn described(command: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
        for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            out.push((format!("{path} {}", arg.get_id()), help));
        }
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
            let name = format!("{path} {}", sub.get_name());
            let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
            out.push((name.clone(), about));
            described(sub, &name, out);
        }
    }

    #[test]
    fn every_command_and_flag_has_a_one_line_description() {
        let command = Cli::command();
        command.clone().debug_assert();
        let mut all = Vec::new();
        described(&command, "windlass", &mut all);
        let bad: Vec<String> = all
            .iter()
            .filter(|(_, help)| help.trim().is_empty() || help.contains("\n\n"))
            .map(|(name, help)| format!("{name}: {help:?}"))
            .collect();
        assert!(
            all.len() > 50,
            "only {} commands and flags found",
            all.len()
        );
        assert!(
            bad.is_empty(),
            "without a one-line description:\n{}",
            bad.join("\n")
        );
    }
}

//! The `windlass` command: parse flags, run one command, exit with its status.

mod args;
mod progress;
mod render;
mod run;
mod settings;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    let cwd = std::env::current_dir().unwrap_or_default();
    let settings = settings::Settings::new(cli.global, |name| std::env::var(name).ok(), cwd);
    run::run(cli.command, &settings).into()
}

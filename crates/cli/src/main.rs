//! The `windlass` command: parse flags, run one command, exit with its status.

mod args;
mod completion;
mod help;
mod progress;
mod render;
mod run;
mod schema;
mod settings;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    let cwd = std::env::current_dir().unwrap_or_default();
    let settings = settings::Settings::new(cli.global, |name| std::env::var(name).ok(), cwd);
    match cli.command {
        args::TopLevel::Project(command) => run::run(command, &settings),
        args::TopLevel::Tool(tool) => run::tool(tool, &settings),
    }
    .into()
}

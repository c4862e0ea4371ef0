//! The `minpriv` command: audits container configurations for least privilege.
//!
//! This crate only parses arguments ([`args`]), calls the libraries (`minpriv-scan` and the
//! crates below it) from one file per subcommand ([`commands`]), and maps results to exit
//! codes. `minpriv-report` writes every output.

mod args;
mod atomic;
mod commands;
mod status;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap exits with 2 on a usage error and 0 for --help and --version, as the contract wants.
    let cli = args::Cli::parse();
    let status = match &cli.command {
        args::Command::Scan(args) => commands::scan::run(args),
        args::Command::Rules(args) => commands::rules::run(args),
        args::Command::Explain(args) => commands::explain::run(&args.rule),
        args::Command::Diff(args) => commands::diff::run(args),
        args::Command::Init(args) => commands::init::run(args),
        args::Command::Report(args) => commands::report::run(args),
        args::Command::Verify(args) => return commands::verify::verify(args),
        args::Command::Minimize(args) => return commands::verify::minimize(args),
        args::Command::Fix(args) => commands::fix::run(args),
        args::Command::Risk(args) => commands::risk::run(args),
        args::Command::Export(args) => commands::export::run(args),
        args::Command::Completions(args) => commands::completions::completions(args),
        args::Command::Man(args) => commands::completions::man(args),
    };
    status.into()
}

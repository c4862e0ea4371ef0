//! `minpriv risk --vulns REPORT... [PATH...|--docker]`: the containers ranked by the harm a known
//! vulnerability in their image can do, given the privileges they run with.
//!
//! [`minpriv_scan::risk`] reads the reports and the containers and ranks them,
//! [`minpriv_report::risk`] writes the ranking; this module maps the flags to them and the
//! result to an exit code.

use crate::args::{RiskArgs, RiskBand, RiskFormat};
use crate::status::{ExitStatus, error, write_stdout};
use minpriv_model::Severity;
use minpriv_model::risk;
use minpriv_report::risk::RankingOptions;
use minpriv_scan::risk::{RiskOptions, RiskOutcome, rank_containers};
use minpriv_scan::walk::describe_io_error;
use std::path::Path;

/// Runs `minpriv risk` and returns the exit status.
pub fn run(args: &RiskArgs) -> ExitStatus {
    let RiskOutcome { ranking, errors } = rank_containers(RiskOptions {
        vulns: &args.vulns,
        paths: &args.paths,
        docker: args.docker,
        all: args.all,
        no_ignore: args.no_ignore,
    });
    for message in &errors {
        error(message);
    }

    let fail_on: Severity = args.fail_on.unwrap_or(RiskBand::Low).into();
    let fails = ranking
        .rows
        .iter()
        .any(|r| risk::score_level(r.assessment.score).is_some_and(|band| band >= fail_on));

    let options = RankingOptions {
        top: args.top,
        quiet: args.quiet,
    };
    let text = match args.format {
        RiskFormat::Text => ranking.text(options),
        RiskFormat::Json => match ranking.json(options) {
            Ok(text) => text,
            Err(e) => {
                error(&format!("cannot render the JSON ranking: {e}"));
                return ExitStatus::Error;
            }
        },
        RiskFormat::Markdown => ranking.markdown(options),
    };
    if let Err(message) = write_out(&text, args.output.as_deref()) {
        error(&message);
        return ExitStatus::Error;
    }
    if !errors.is_empty() {
        ExitStatus::Error
    } else if fails && !args.exit_zero {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// Writes to `--output` or standard output; a pipe closed early is not an error.
fn write_out(text: &str, output: Option<&Path>) -> Result<(), String> {
    match output {
        // Atomically, like every other --output: never half a file.
        Some(path) => crate::atomic::write(path, text.as_bytes()).map_err(|e| {
            format!(
                "cannot write the ranking to {}: {}",
                path.display(),
                describe_io_error(&e)
            )
        }),
        None => write_stdout(text)
            .map_err(|e| format!("cannot write the ranking: {}", describe_io_error(&e))),
    }
}

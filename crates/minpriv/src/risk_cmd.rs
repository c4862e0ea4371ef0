//! `minpriv risk --vulns REPORT... [PATH...|--docker]`: the containers ranked by the harm a known
//! vulnerability in their image can do, given the privileges they run with.
//!
//! [`minpriv_scan::risk`] reads the reports and the containers and ranks them,
//! [`minpriv_report::risk`] writes the ranking; this module maps the flags to them and the
//! result to an exit code.

use crate::args::FailOn;
use crate::{ExitStatus, error};
use clap::{Args, ValueEnum};
use minpriv_model::Severity;
use minpriv_model::risk;
use minpriv_report::risk::RankingOptions;
use minpriv_scan::risk::{RiskOptions, RiskOutcome, rank_containers};
use minpriv_scan::walk::describe_io_error;
use std::io::Write;
use std::path::{Path, PathBuf};

const RISK_AFTER_HELP: &str = "\
Examples:
  trivy image -f json -o web.json nginx:1.25
  grype -o json ghcr.io/org/api:2.1 > api.json
  minpriv risk --vulns web.json api.json deploy/ compose.yaml
  minpriv risk --vulns web.json --docker         the running containers of the local engine
  minpriv risk --vulns app:1.0=scout.sarif .     a report that names no image (Docker Scout)
  minpriv explain risk                           the scoring model

Which argument is which: every value after --vulns that is a vulnerability report (Trivy JSON,
Grype JSON, SARIF) is one; the others (folders, Compose files, manifests, `docker inspect`
output) are PATHs to scan, as are arguments before --vulns or after `--`.

Exit codes:
  0  no container scores in the --fail-on band or above
  1  at least one does (the default band, low, is any known vulnerability: a score of 1 or more)
  2  a usage error, or a report or input could not be read or parsed (the rest is still ranked)";

/// Options of `minpriv risk`.
#[derive(Debug, Args)]
#[command(after_long_help = RISK_AFTER_HELP)]
pub struct RiskArgs {
    /// Vulnerability reports: Trivy JSON (`trivy image -f json`), Grype JSON (`grype -o json`)
    /// or SARIF from any scanner (`docker scout cves --format sarif`, `trivy -f sarif`,
    /// `grype -o sarif`); `-` reads one from standard input. Each is matched to the containers
    /// whose image it names (`nginx` = `docker.io/library/nginx:latest`; digests must agree
    /// when both sides pin one). IMAGE=REPORT names the image of a report that names none, or
    /// overrides the one it names.
    #[arg(long = "vulns", value_name = "REPORT", num_args = 1.., required = true)]
    pub vulns: Vec<String>,

    /// Files and folders to read containers from, as `minpriv scan` reads them (default: the
    /// current folder). With --docker: the containers to rank (names, ids or id prefixes).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Rank the containers of the Docker Engine instead of files: the running ones, every one
    /// with --all, or those named as PATHs. Their image ids match reports too.
    #[arg(long)]
    pub docker: bool,

    /// With --docker: stopped and created containers too.
    #[arg(long, requires = "docker")]
    pub all: bool,

    /// How to print the ranking: a text table, JSON (`ranking`, worst first), or a Markdown
    /// table for a pull-request comment.
    #[arg(long, value_enum, default_value_t = RiskFormat::Text, value_name = "FORMAT")]
    pub format: RiskFormat,

    /// Write the ranking to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a container scores in this band or above: critical from 70, high from
    /// 40, medium from 15, low from 1. Default: low.
    #[arg(long, value_enum, value_name = "BAND")]
    pub fail_on: Option<FailOn>,

    /// Print only the N worst containers (all are still counted for the exit code).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Also read files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Text format: the ranking only, no notes about unmatched containers and reports.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `minpriv risk --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RiskFormat {
    /// A table, worst first, each row with why and the best single change.
    Text,
    /// One JSON object; `ranking` is the list, worst first.
    Json,
    /// A Markdown table.
    Markdown,
}

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

    let fail_on: Severity = args.fail_on.unwrap_or(FailOn::Low).into();
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
    } else if fails {
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
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!(
                    "cannot write the ranking: {}",
                    describe_io_error(&e)
                )),
            }
        }
    }
}

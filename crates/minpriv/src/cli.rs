//! The command line, as clap derives it. The help text here is the tool's first manual: every
//! command and option says what it does, what it defaults to, and how it changes the exit code.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use minpriv_model::Severity;
use minpriv_rules::Profile;
use std::path::PathBuf;

const ROOT_AFTER_HELP: &str = "\
Examples:
  minpriv scan                       scan the current folder
  minpriv scan deploy/ compose.yaml  scan a folder and a file
  helm template chart | minpriv scan -
                                     scan rendered Helm output from standard input
  minpriv scan --format json . > minpriv.json
  minpriv rules                      list every rule
  minpriv explain docker-socket-mount

Exit codes:
  0  nothing at or above --fail-on was found
  1  findings at or above --fail-on
  2  a usage error, or some input could not be read or parsed (the rest is still reported)";

/// minpriv audits container configurations for least privilege.
///
/// It reads Dockerfiles, Compose files, Kubernetes manifests and `docker run` command lines (in
/// shell scripts, Makefiles and CI workflows), works out what each container is allowed to do —
/// which user it runs as, which capabilities it holds, which host namespaces, paths and devices
/// it reaches — and reports every privilege it holds beyond what it needs, with the line to fix.
#[derive(Debug, Parser)]
#[command(name = "minpriv", version, after_long_help = ROOT_AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit files and folders for containers that hold more privilege than they need.
    ///
    /// Folders are walked in parallel. Files are recognised by name (Dockerfile, Containerfile,
    /// compose.yaml, docker-compose*.yml, *.sh, Makefile, Justfile, Jenkinsfile,
    /// .github/workflows/*.yml, .gitlab-ci.yml) and, for other YAML and JSON files, by content
    /// (a top-level `services` mapping is Compose; `apiVersion` and `kind` are Kubernetes; a
    /// JSON array of containers is `docker inspect` output).
    /// Files excluded by .gitignore (and .ignore) files are skipped unless --no-ignore is given;
    /// `.git` folders are always skipped; other hidden folders such as `.github` are read. A file
    /// named on the command line is always read, whatever its name.
    ///
    /// Helm chart templates (files with `{{ }}` under a chart's templates/ folder) are not YAML
    /// until rendered: they are skipped with a note. Render them and pipe the result in:
    /// `helm template CHART | minpriv scan -`.
    #[command(after_long_help = SCAN_AFTER_HELP)]
    Scan(ScanArgs),

    /// List every rule: its id, default severity and what it checks.
    ///
    /// Use an id with `minpriv explain ID` for the rationale, examples and fixes, or in a
    /// `# minpriv:ignore ID -- reason` comment to suppress one finding.
    Rules,

    /// Explain one rule: what it checks, why it matters, bad and good examples, and how to fix it
    /// in Docker, Compose and Kubernetes.
    ///
    /// Exits with 2 when no rule has that id, and suggests the closest one.
    Explain(ExplainArgs),
}

const SCAN_AFTER_HELP: &str = "\
Suppressing a finding:
  Put `# minpriv:ignore RULE[,RULE...] [-- reason]` at the end of the line the finding points at,
  or alone on the line above it. `# minpriv:ignore-file RULE[,RULE...] [-- reason]` anywhere in a
  file suppresses those rules in the whole file. Suppressed findings never fail the scan; see them
  with --show-suppressed.

Exit codes:
  0  no finding at or above --fail-on (among those shown: --min-severity hides the rest)
  1  at least one such finding
  2  a usage error, or some input could not be read or parsed; every other input is still
     scanned and reported, and parse errors are reported as `invalid-input` findings";

/// Options of `minpriv scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan; `-` reads standard input (its format is recognised from its
    /// content). Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub format: OutputFormat,

    /// Write the results to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The policy profile: which rules run, and at which severity. Default: restricted.
    #[arg(long, value_name = "NAME", value_parser = profile_names())]
    pub profile: Option<String>,

    /// Exit with 1 when a finding of this severity or worse is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Report only findings of this severity or worse. Findings below it are neither printed nor
    /// counted for the exit code; `info` shows everything.
    #[arg(long, value_enum, default_value_t = MinSeverity::Low, value_name = "SEVERITY")]
    pub min_severity: MinSeverity,

    /// Also scan files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Print only the findings: no notes, no summary line (text format). Errors still go to
    /// standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour the text output. `auto` colours a terminal unless NO_COLOR is set
    /// (CLICOLOR and CLICOLOR_FORCE are honoured too).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// After the findings, print what an attacker gets in each container: the user (root,
    /// non-root, or may be root and why), the capabilities it holds, those it can regain through
    /// setuid binaries, the host namespaces it shares, and the known escape paths to the host.
    /// The JSON format always includes this, under `workloads`.
    #[arg(long)]
    pub posture: bool,

    /// Also report findings suppressed by `minpriv:ignore` comments, with the reason given.
    /// They still never fail the scan.
    #[arg(long)]
    pub show_suppressed: bool,
}

/// The built-in profiles, each with a line for `--help`.
fn profile_names() -> PossibleValuesParser {
    PossibleValuesParser::new(Profile::names().iter().map(|&name| {
        let help = match name {
            "restricted" => Some(
                "every rule at its default severity; a Kubernetes container without a seccomp \
                 profile counts as unconfined",
            ),
            "baseline" => Some(
                "only what the Kubernetes Pod Security Standards baseline level forbids: \
                 privileged mode, host namespaces, ports, paths and devices, added capabilities, \
                 explicitly unconfined profiles, unsafe sysctls",
            ),
            _ => None,
        };
        PossibleValue::new(name).help(help)
    }))
}

/// Options of `minpriv explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, as `minpriv rules` lists it (e.g. `privileged`, `docker-socket-mount`).
    #[arg(value_name = "RULE")]
    pub rule: String,
}

/// Output formats. Only `text` and `json` exist yet; the others are accepted so that the
/// contract's names are reserved, and refused with a clear message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Findings like compiler diagnostics, with the source line and a fix.
    Text,
    /// One JSON object: findings, summary, and each container's effective privileges.
    Json,
    /// SARIF 2.1.0 for code-scanning tools (not yet supported).
    Sarif,
    /// JUnit XML for CI test reports (not yet supported).
    Junit,
    /// A Markdown table for pull-request comments (not yet supported).
    Markdown,
    /// GitHub Actions workflow annotations (not yet supported).
    Github,
}

impl OutputFormat {
    /// The name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Junit => "junit",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Github => "github",
        }
    }
}

/// `--fail-on`: there is no `info`, since info-level findings are remarks, never failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail only on critical findings.
    Critical,
    /// Fail on high or critical findings.
    High,
    /// Fail on medium findings or worse.
    Medium,
    /// Fail on any finding but info (the default).
    Low,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Severity {
        match value {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

/// `--min-severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Everything, including remarks such as images not pinned by digest.
    Info,
    /// Everything but info (the default).
    Low,
    /// Medium and worse.
    Medium,
    /// High and critical.
    High,
    /// Critical only.
    Critical,
}

impl From<MinSeverity> for Severity {
    fn from(value: MinSeverity) -> Severity {
        match value {
            MinSeverity::Info => Severity::Info,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::High => Severity::High,
            MinSeverity::Critical => Severity::Critical,
        }
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour, even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_follow_the_contract() {
        let cli = Cli::try_parse_from(["minpriv", "scan"]);
        let Ok(Cli {
            command: Command::Scan(args),
        }) = cli
        else {
            panic!("`minpriv scan` must parse: {cli:?}");
        };
        assert_eq!(args.format, OutputFormat::Text);
        assert_eq!(Severity::from(args.fail_on), Severity::Low);
        assert_eq!(Severity::from(args.min_severity), Severity::Low);
        assert_eq!(args.color, ColorWhen::Auto);
        assert!(args.paths.is_empty());
    }

    #[test]
    fn profiles_are_the_built_in_ones() {
        for name in Profile::names() {
            assert!(
                Cli::try_parse_from(["minpriv", "scan", "--profile", name]).is_ok(),
                "{name}"
            );
        }
        assert!(Cli::try_parse_from(["minpriv", "scan", "--profile", "lenient"]).is_err());
    }

    #[test]
    fn fail_on_has_no_info_level() {
        assert!(Cli::try_parse_from(["minpriv", "scan", "--fail-on", "info"]).is_err());
        assert!(Cli::try_parse_from(["minpriv", "scan", "--min-severity", "info"]).is_ok());
    }
}

//! minpriv's reporters: they turn a finished [`ScanReport`] into text for people ([`text`]),
//! JSON for programs ([`json`]), SARIF for code-scanning tools ([`sarif`]), JUnit XML for CI test
//! reports ([`junit`]), Markdown for pull-request comments ([`markdown`]) and GitHub Actions
//! workflow commands ([`github`]). [`fleet`] and [`html`] summarise many repositories at once.
//!
//! Reporters only format. Deciding what to show (the minimum severity, which files) is the CLI's
//! job; the one filter a reporter applies itself is leaving out suppressed findings unless
//! [`ReportOptions::show_suppressed`] asks for them, because every format must still count them.
//! SARIF is the exception: its consumers understand suppressions, so it always carries them.

#![warn(missing_docs)]

pub mod fleet;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use minpriv_model::{Finding, Severity, Workload};
use std::collections::BTreeMap;

/// Everything one `minpriv scan` found, ready to be formatted.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    /// One entry per file that was read (with or without findings), sorted by path.
    pub files: Vec<FileResult>,
    /// Remarks for the user that are not findings (skipped Helm templates, non-UTF-8 files, ...).
    pub notes: Vec<Note>,
    /// How many inputs were read as one of minpriv's formats.
    pub files_scanned: usize,
    /// Inputs that could not be read at all (`path`, and the reason as `message`): the scan is
    /// incomplete. The text and JSON formats leave them to the CLI's error messages; SARIF marks
    /// the run unsuccessful, JUnit reports them as errors.
    pub errors: Vec<Note>,
}

/// What was found in one input.
#[derive(Clone, Debug, Default)]
pub struct FileResult {
    /// The path as the user named it (relative paths stay relative, joined with the walked
    /// folder); `-` for standard input.
    pub path: String,
    /// The text that was read, for source snippets. Spans in findings index into it.
    pub source_text: String,
    /// The findings, in the order they should be shown.
    pub findings: Vec<Finding>,
    /// The workloads read from the file, for `--posture` and the JSON `workloads` list.
    pub workloads: Vec<Workload>,
    /// The Compose project and service of each workload that Compose started (live containers
    /// carry Compose's labels), by the workload's `resource`. The text format groups their
    /// findings under `project/service`; JSON adds `"compose"` to those workloads.
    pub compose: BTreeMap<String, ComposeService>,
}

/// The Compose project and service a container was started for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ComposeService {
    /// `com.docker.compose.project`.
    pub project: String,
    /// `com.docker.compose.service`.
    pub service: String,
}

/// A remark about the scan that is not a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The file or folder the note is about, when it is about one.
    pub path: Option<String>,
    /// The 1-based line it is about, when it is about one.
    pub line: Option<u32>,
    /// The 1-based column (in characters) it is about, when it is about one.
    pub column: Option<u32>,
    /// What happened and what to do about it.
    pub message: String,
}

impl Note {
    /// A note about a whole file or folder (or about nothing in particular when `path` is
    /// `None`).
    pub fn about(path: Option<String>, message: impl Into<String>) -> Note {
        Note {
            path,
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// Choices that change what a reporter prints.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Include suppressed findings, marked with their reason.
    pub show_suppressed: bool,
    /// Text: print each container's effective privileges after the findings.
    pub posture: bool,
    /// Text: leave out notes and the summary line.
    pub quiet: bool,
    /// Text: style the output with ANSI colours.
    pub color: bool,
}

/// Counts of findings by severity, the way both formats summarise a scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Unsuppressed findings of each severity, indexed like [`Severity::ALL`].
    pub by_severity: [usize; Severity::ALL.len()],
    /// Suppressed findings (of any severity).
    pub suppressed: usize,
}

impl Summary {
    /// Counts the findings of every file in `report`.
    pub fn of(report: &ScanReport) -> Summary {
        let mut summary = Summary::default();
        for finding in report.files.iter().flat_map(|f| &f.findings) {
            if finding.suppressed.is_some() {
                summary.suppressed += 1;
            } else {
                summary.by_severity[severity_index(finding.severity)] += 1;
            }
        }
        summary
    }

    /// Unsuppressed findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity[severity_index(severity)]
    }

    /// All unsuppressed findings.
    pub fn total(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// The non-zero counts, worst severity first: how people read a summary.
    pub fn worst_first(&self) -> impl Iterator<Item = (Severity, usize)> + '_ {
        Severity::ALL
            .iter()
            .rev()
            .map(|&s| (s, self.count(s)))
            .filter(|&(_, n)| n > 0)
    }
}

fn severity_index(severity: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|&s| s == severity)
        .unwrap_or_default()
}

/// Whether a finding is printed under `options`.
fn is_shown(finding: &Finding, options: &ReportOptions) -> bool {
    options.show_suppressed || finding.suppressed.is_none()
}

/// `19 findings (4 critical, 6 high, 5 medium, 4 low) in 6 files; 1 suppressed`: the summary
/// line of the text format, unstyled, for the formats that print one.
fn summary_line(report: &ScanReport) -> String {
    let summary = Summary::of(report);
    let total = summary.total();
    let mut line = if total == 0 {
        "no findings".to_string()
    } else {
        let counts: Vec<String> = summary
            .worst_first()
            .map(|(severity, n)| format!("{n} {severity}"))
            .collect();
        format!(
            "{} ({})",
            plural(total, "finding", "findings"),
            counts.join(", ")
        )
    };
    line.push_str(&format!(
        " in {}",
        plural(report.files_scanned, "file", "files")
    ));
    if summary.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", summary.suppressed));
    }
    line
}

/// `1 file`, `2 files`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
pub(crate) mod test_support;

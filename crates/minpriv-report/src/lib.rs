//! minpriv's reporters: they turn a finished [`ScanReport`] into text for people ([`text`]) or
//! JSON for programs ([`json`]).
//!
//! Reporters only format. Deciding what to show (the minimum severity, which files) is the CLI's
//! job; the one filter a reporter applies itself is leaving out suppressed findings unless
//! [`ReportOptions::show_suppressed`] asks for them, because both formats must still count them.

#![warn(missing_docs)]

pub mod json;
pub mod text;

use minpriv_model::{Finding, Severity, Workload};

/// Everything one `minpriv scan` found, ready to be formatted.
#[derive(Clone, Debug, Default)]
pub struct ScanReport {
    /// One entry per file that was read (with or without findings), sorted by path.
    pub files: Vec<FileResult>,
    /// Remarks for the user that are not findings (skipped Helm templates, non-UTF-8 files, ...).
    pub notes: Vec<Note>,
    /// How many inputs were read as one of minpriv's formats.
    pub files_scanned: usize,
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

#[cfg(test)]
pub(crate) mod test_support;

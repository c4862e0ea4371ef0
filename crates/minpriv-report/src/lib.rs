//! minpriv's reporters: they turn a finished [`ScanReport`] into text for people ([`text`]),
//! JSON for programs ([`json`]), SARIF for code-scanning tools ([`sarif`]), JUnit XML for CI test
//! reports ([`junit`]), Markdown for pull-request comments ([`markdown`]) and GitHub Actions
//! workflow commands ([`github`]). [`fleet`] and [`html`] summarise many repositories at once;
//! [`risk`] writes the ranking of `minpriv risk`.
//!
//! Reporters only format. Deciding what to show (the minimum severity, which files) is the CLI's
//! job; the one filter a reporter applies itself is leaving out suppressed findings unless
//! [`ReportOptions::show_suppressed`] asks for them, because every format must still count them.
//! SARIF is the exception: its consumers understand suppressions, so it always carries them.
//!
//! The text, JSON, SARIF and GitHub formats are also [`ReportWriter`]s: they write each file's
//! part as soon as it is checked and keep only counts until the [`Ending`], so a scan of a
//! hundred thousand files holds one batch of them at a time, not the whole report. JUnit and
//! Markdown open with totals and are rendered from a finished [`ScanReport`].

#![deny(missing_docs)]

pub mod diff;
pub mod fleet;
pub mod github;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod risk;
pub mod rules;
pub mod sarif;
pub mod text;
pub mod verify;

use minpriv_model::{Finding, Severity, Workload};
use std::collections::BTreeMap;
use std::io;

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
    /// The Kustomize overlay each workload was rendered in, by the index of `workloads`
    /// (as [`Finding::overlays`](minpriv_model::Finding) names overlays); empty for files read
    /// as they are. A finding that overlays share belongs to the containers of each.
    pub workload_overlays: Vec<String>,
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

impl ScanReport {
    /// What the report says after its files.
    pub fn ending(&self) -> Ending<'_> {
        Ending {
            notes: &self.notes,
            errors: &self.errors,
            files_scanned: self.files_scanned,
            summary: Summary::of(self),
        }
    }
}

/// What a report says after its files: known only once every input has been read.
#[derive(Clone, Copy, Debug)]
pub struct Ending<'a> {
    /// The scan's notes.
    pub notes: &'a [Note],
    /// The inputs that could not be read.
    pub errors: &'a [Note],
    /// How many inputs were read as one of minpriv's formats.
    pub files_scanned: usize,
    /// The findings of every file, counted.
    pub summary: Summary,
}

/// A report written while the scan goes on: each file's part in file order as soon as it is
/// checked, then the [`Ending`]. The output is the same as rendering the finished report.
pub trait ReportWriter {
    /// Writes the part of the report about `files`, which come after those written before.
    ///
    /// # Errors
    /// When the output cannot be written.
    fn write_files(&mut self, files: &[FileResult]) -> io::Result<()>;

    /// Writes what comes after the files and flushes the output.
    ///
    /// # Errors
    /// When the output cannot be written.
    fn finish(&mut self, ending: &Ending<'_>) -> io::Result<()>;
}

/// Writes a finished `report` through `writer`.
///
/// # Errors
/// When the output cannot be written.
pub fn write_report(report: &ScanReport, writer: &mut dyn ReportWriter) -> io::Result<()> {
    writer.write_files(&report.files)?;
    writer.finish(&report.ending())
}

/// `value` pretty-printed as it stands `depth` levels deep in a document `serde_json` pretty-prints
/// (two spaces a level). JSON strings hold no raw line breaks, so every line break in the text is
/// one of the printer's.
fn pretty<T: serde::Serialize>(value: &T, depth: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    Ok(text.replace('\n', &format!("\n{}", "  ".repeat(depth))))
}

/// Turns what a writer wrote into a string (every writer writes UTF-8).
fn into_string(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
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
        for file in &report.files {
            summary.add(file);
        }
        summary
    }

    /// Counts the findings of `file` too.
    pub fn add(&mut self, file: &FileResult) {
        for finding in &file.findings {
            if finding.suppressed.is_some() {
                self.suppressed += 1;
            } else {
                self.by_severity[severity_index(finding.severity)] += 1;
            }
        }
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
    ending_line(&report.ending())
}

/// [`summary_line`] from the ending of a report.
fn ending_line(ending: &Ending<'_>) -> String {
    let summary = ending.summary;
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
        plural(ending.files_scanned, "file", "files")
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

/// `text` cut at its backticks: `(part, is_code)` pairs, the quoted parts code. With an odd
/// number of backticks nothing is code (the text is not quoting).
pub(crate) fn code_parts(text: &str) -> Vec<(&str, bool)> {
    if !text.matches('`').count().is_multiple_of(2) {
        return vec![(text, false)];
    }
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| (part, i % 2 == 1))
        .collect()
}

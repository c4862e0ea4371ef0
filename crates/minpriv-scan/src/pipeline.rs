//! A whole scan: the walked files checked in parallel, batch by batch, under a policy, and
//! handed to a reporter in path order as they are done, so that memory holds one batch however
//! many files a scan reads.
//!
//! The command line's `scan` is this module plus argument handling and a report writer; a
//! program that wants the findings in memory gathers the batches (see the crate's example).

use crate::analyze::{self, INVALID_INPUT, Outcome, Prepare};
use crate::baseline::BaselineRun;
use crate::config::settings::{PolicyRun, Settings};
use crate::resolver::Access;
use crate::walk::{Candidate, describe_io_error};
use minpriv_model::Severity;
use minpriv_report::{FileResult, Note, ScanReport, Summary};
use minpriv_rules::Profile;
use rayon::prelude::*;
use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::path::PathBuf;

/// Walked files are checked in batches of this many: each batch on every core, then reported
/// and dropped.
const BATCH: usize = 256;

/// How each file is read and judged.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    /// The rules and their settings.
    pub profile: &'a Profile,
    /// Work done on each input's workloads before the rules ([`analyze::as_read`]: none).
    pub prepare: Prepare<'a>,
    /// Larger files are reported, not read.
    pub max_file_size: u64,
    /// Which files a reader may open beside the one it reads.
    pub access: &'a Access,
}

/// Where a scan's results go as they are ready.
pub trait Sink {
    /// A batch of checked files, in path order, after the policy.
    ///
    /// # Errors
    /// When the files could not be written; the scan goes on and returns the first error.
    fn files(&mut self, files: &[FileResult]) -> std::io::Result<()>;

    /// An input that could not be read, as soon as it is known (it is also in
    /// [`Scanned::errors`] at the end).
    fn unreadable(&mut self, _path: &str, _reason: &str) {}
}

/// What a finished scan leaves for the report's ending and the exit code.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Remarks: readers' notes, skipped inputs, Helm charts, the policy's notes.
    pub notes: Vec<Note>,
    /// Inputs that could not be read or walked.
    pub errors: Vec<Note>,
    /// How many files were checked.
    pub files_scanned: usize,
    /// Counts of the findings reported.
    pub summary: Summary,
    /// Findings hidden because the baseline already records them.
    pub known: usize,
    /// An input could not be read.
    pub unreadable: bool,
    /// An input could not be parsed (an `invalid-input` finding not suppressed).
    pub unparsed: bool,
    /// A finding reported is at or above `fail-on`.
    pub failing: bool,
}

/// The inputs of one scan beside the walked files.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The walked files, sorted by their displayed path.
    pub files: Vec<Candidate>,
    /// Inputs read before the walk (standard input, live containers): few, merged into the
    /// walked files' order by path.
    pub others: Vec<Outcome>,
    /// Paths that could not be walked: `(path, reason)`.
    pub errors: Vec<(String, String)>,
    /// Remarks from the walk: `(path, message)`.
    pub warnings: Vec<(String, String)>,
    /// The roots named, for the policy's notes (unused waivers and exclusions are judged
    /// against them).
    pub roots: Vec<PathBuf>,
}

/// Checks every input under `settings` (and `baseline`), handing the files to `sink` in path
/// order as they are done. Returns what the report's ending and the exit code need, and the
/// first error `sink` gave.
pub fn run(
    settings: &Settings,
    baseline: Option<BaselineRun>,
    inputs: Inputs,
    reading: Reading<'_>,
    sink: &mut dyn Sink,
) -> (Scanned, std::io::Result<()>) {
    let mut scan = Scan {
        policy: settings.start(),
        baseline,
        min_severity: settings.min_severity,
        fail_on: settings.fail_on,
        helm_templates: BTreeMap::new(),
        done: Scanned {
            notes: inputs
                .warnings
                .into_iter()
                .map(|(path, message)| Note::about(Some(path), message))
                .collect(),
            ..Scanned::default()
        },
    };

    // Standard input and live containers: their files merged into the walked files' order by
    // path; their notes and errors follow the walked files'.
    let mut other_files = VecDeque::new();
    let mut later = Vec::new();
    for outcome in inputs.others {
        match outcome {
            Outcome::Scanned { file, notes } => {
                other_files.push_back(file);
                later.push(Later::Notes(notes));
            }
            other => later.push(Later::Outcome(other)),
        }
    }
    other_files
        .make_contiguous()
        .sort_by(|a: &FileResult, b: &FileResult| a.path.cmp(&b.path));

    let mut written: std::io::Result<()> = Ok(());
    for batch in inputs.files.chunks(BATCH) {
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|candidate| {
                let outcome = analyze::analyze_file_with(
                    candidate,
                    reading.profile,
                    reading.prepare,
                    reading.max_file_size,
                    reading.access,
                );
                scan.trim(outcome)
            })
            .collect();
        // A standard input or container goes before the first walked file whose path sorts
        // after its own (after one of the same name).
        let mut files = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            match outcome {
                Outcome::Scanned { file, notes } => {
                    while other_files.front().is_some_and(|o| o.path < file.path) {
                        if let Some(other) = other_files.pop_front() {
                            files.push(scan.check(other, Vec::new()));
                        }
                    }
                    files.push(scan.check(file, notes));
                }
                other => scan.take(other, sink),
            }
        }
        written = written.and_then(|()| sink.files(&files));
    }
    let rest: Vec<FileResult> = other_files
        .into_iter()
        .map(|file| scan.check(file, Vec::new()))
        .collect();
    written = written.and_then(|()| sink.files(&rest));
    for item in later {
        match item {
            Later::Notes(notes) => scan.done.notes.extend(notes),
            Later::Outcome(outcome) => scan.take(outcome, sink),
        }
    }

    for (path, reason) in inputs.errors {
        scan.done.errors.push(Note::about(Some(path), reason));
    }
    let mut done = scan.done;
    for (chart, count) in &scan.helm_templates {
        done.notes.push(helm_note(chart, *count));
    }
    done.notes.extend(scan.policy.finish(&inputs.roots));
    (done, written)
}

/// Reads and checks standard input, at most one byte more than `max_file_size` (enough to
/// know it is too large).
pub fn read_stdin(reading: Reading<'_>) -> Outcome {
    let mut bytes = Vec::new();
    match std::io::stdin()
        .lock()
        .take(reading.max_file_size + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => analyze::analyze_stdin_with(
            bytes,
            reading.profile,
            reading.prepare,
            reading.max_file_size,
            reading.access,
        ),
        Err(err) => Outcome::Unreadable {
            path: "-".to_string(),
            reason: describe_io_error(&err),
        },
    }
}

/// Gathers outcomes into one report without a policy (the fleet report, `risk`): files sorted
/// by path, one note per skipped Helm chart. Also returns the inputs that could not be read, as
/// `(path, reason)`, which are in the report's `errors` too.
pub fn assemble(outcomes: Vec<Outcome>, notes: Vec<Note>) -> (ScanReport, Vec<(String, String)>) {
    let mut report = ScanReport {
        notes,
        ..ScanReport::default()
    };
    let mut unreadable = Vec::new();
    let mut helm_templates: BTreeMap<String, usize> = BTreeMap::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Scanned { file, notes } => {
                report.files.push(file);
                report.notes.extend(notes);
            }
            Outcome::NotRecognised => {}
            Outcome::Skipped(note) => report.notes.push(note),
            Outcome::HelmTemplate { chart } => *helm_templates.entry(chart).or_default() += 1,
            Outcome::Unreadable { path, reason } => {
                report
                    .errors
                    .push(Note::about(Some(path.clone()), reason.clone()));
                unreadable.push((path, reason));
            }
        }
    }
    for (chart, count) in &helm_templates {
        report.notes.push(helm_note(chart, *count));
    }
    report.files_scanned = report.files.len();
    // Standard input joins the walked files last; one order by path, for people and diffs.
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    (report, unreadable)
}

/// What standard input and live containers leave for after the walked files: the notes of a
/// checked one (its file went into the report in path order), or an outcome without a file.
enum Later {
    Notes(Vec<Note>),
    Outcome(Outcome),
}

/// A scan under way: the policy being applied file by file, and what the report's ending and
/// the exit code need.
struct Scan<'s> {
    policy: PolicyRun<'s>,
    baseline: Option<BaselineRun>,
    min_severity: Severity,
    fail_on: Severity,
    /// Helm templates are counted per chart: one note a chart, not one a template.
    helm_templates: BTreeMap<String, usize>,
    done: Scanned,
}

impl Scan<'_> {
    /// Done on every core as each file is checked: `report-unused = false` and, when nothing
    /// will quote it, dropping the file's text.
    fn trim(&self, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Scanned {
                mut file,
                mut notes,
            } => {
                self.policy.drop_unused_suppression_notes(&file, &mut notes);
                // Reporters quote the text only around findings.
                if file.findings.is_empty() {
                    file.source_text = String::new();
                }
                Outcome::Scanned { file, notes }
            }
            other => other,
        }
    }

    /// Takes in an outcome that is not a checked file: it is kept for the ending (an
    /// unreadable input is also given to the sink at once). A checked file goes through
    /// [`Scan::check`] instead; its notes are kept here.
    fn take(&mut self, outcome: Outcome, sink: &mut dyn Sink) {
        match outcome {
            Outcome::Scanned { notes, .. } => self.done.notes.extend(notes),
            Outcome::NotRecognised => {}
            Outcome::Skipped(note) => self.done.notes.push(note),
            Outcome::HelmTemplate { chart } => *self.helm_templates.entry(chart).or_default() += 1,
            Outcome::Unreadable { path, reason } => {
                sink.unreadable(&path, &reason);
                self.done.errors.push(Note::about(Some(path), reason));
                self.done.unreadable = true;
            }
        }
    }

    /// Applies the policy to a checked file, in report order, and counts what is left; keeps
    /// its notes.
    fn check(&mut self, mut file: FileResult, notes: Vec<Note>) -> FileResult {
        self.done.notes.extend(notes);
        self.policy.apply(&mut file);
        // A parse error fails the scan like a missing file, whatever the severity filters say:
        // the input was not checked. A suppressed one was accepted.
        self.done.unparsed |= file
            .findings
            .iter()
            .any(|f| f.rule == INVALID_INPUT && f.suppressed.is_none());
        if let Some(baseline) = &mut self.baseline {
            self.done.known += baseline.remove_known(&mut file);
        }
        let min_severity = self.min_severity;
        file.findings.retain(|f| f.severity >= min_severity);
        self.done.failing |= file
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= self.fail_on);
        self.done.files_scanned += 1;
        self.done.summary.add(&file);
        file
    }
}

/// The note about the `count` templates skipped in the Helm chart `chart`.
fn helm_note(chart: &str, count: usize) -> Note {
    Note::about(
        Some(chart.to_string()),
        format!(
            "skipped {count} Helm template file{}: templates are not YAML until rendered; \
             scan the rendered output with `helm template <chart> | minpriv scan -`",
            if count == 1 { "" } else { "s" }
        ),
    )
}

//! `minpriv scan`: collect the inputs, check them in parallel, report, and decide the exit code.

use crate::atomic::AtomicFile;
use crate::cli::{ColorWhen, OutputFormat, ScanArgs};
use crate::{ExitStatus, error, live};
use minpriv_model::{Severity, Workload};
use minpriv_report::github::GithubWriter;
use minpriv_report::json::JsonWriter;
use minpriv_report::sarif::SarifWriter;
use minpriv_report::text::TextWriter;
use minpriv_report::{Ending, FileResult, Note, ReportOptions, ReportWriter, ScanReport, Summary};
use minpriv_rules::Profile;
use minpriv_scan::analyze::{self, INVALID_INPUT, Outcome};
use minpriv_scan::baseline::{Baseline, BaselineRun};
use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, PolicyRun, Settings};
use minpriv_scan::resolver::Access;
use minpriv_scan::walk::{self, WalkOptions, describe_io_error};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Walked files are checked in batches of this many: each batch on every core, then reported
/// and dropped, so that memory holds one batch however many files a scan reads.
const BATCH: usize = 256;

/// Runs `minpriv scan` and returns the exit status.
/// The policy of `minpriv scan ARGS`: `--config`, `--no-config` or discovery from the first
/// path, then `--profile`, `--fail-on` and `--min-severity` over the file's values.
///
/// # Errors
/// As `Settings::load`.
fn settings_for_scan(args: &ScanArgs) -> Result<Settings, Vec<String>> {
    let current = PathBuf::from(".");
    let first = args
        .paths
        .first()
        .filter(|p| p.as_os_str() != "-")
        .unwrap_or(&current);
    let source = match (&args.config, args.no_config) {
        (_, true) => ConfigSource::Ignore,
        (Some(file), false) => ConfigSource::File(file),
        (None, false) => ConfigSource::Discover(first),
    };
    let flags = PolicyFlags {
        profile: args.profile.as_deref(),
        pss_version: args.selection.pss_version,
        only: &args.selection.rules,
        skip: &args.selection.skip,
        fail_on: args.fail_on.map(Severity::from),
        min_severity: args.min_severity.map(Severity::from),
    };
    Settings::load(source, flags)
}

pub fn run(args: &ScanArgs) -> ExitStatus {
    let settings = match settings_for_scan(args) {
        Ok(settings) => settings,
        Err(errors) => {
            for message in &errors {
                error(message);
            }
            return ExitStatus::Error;
        }
    };
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            error(&message);
            return ExitStatus::Error;
        }
    };
    let profile = &settings.profile;

    // --docker, --image and --resolve-images share one engine connection.
    let live = live::Live::new(args);
    let prepare = |workloads: &mut [Workload]| live.resolve_image_users(workloads);
    let mut inputs = match live::paths_to_walk(args) {
        Some(paths) => walk::collect(
            paths,
            WalkOptions {
                no_ignore: args.no_ignore,
                follow: args.follow,
                readable_names_only: true,
            },
        ),
        None => walk::Inputs::default(),
    };
    settings.exclude(&mut inputs.files);
    for (path, reason) in &inputs.errors {
        error(&format!("{path}: {reason}"));
    }
    let access = Access::for_paths(&args.paths, args.follow, !args.no_compose_env);
    let max_file_size = args
        .max_file_size
        .or(settings.config.as_ref().and_then(|c| c.max_file_size))
        .unwrap_or(analyze::DEFAULT_MAX_FILE_SIZE);

    let (mut output, color) = match Output::open(args) {
        Ok(opened) => opened,
        Err(message) => {
            error(&message);
            return ExitStatus::Error;
        }
    };
    let options = ReportOptions {
        show_suppressed: args.show_suppressed,
        posture: args.posture,
        quiet: args.quiet,
        color,
    };
    let mut report = report_writer(args.format, &mut output, options);
    let warnings = std::mem::take(&mut inputs.warnings)
        .into_iter()
        .map(|(path, message)| Note::about(Some(path), message));
    let mut scan = Scan {
        policy: settings.start(),
        baseline: baseline.as_ref().map(Baseline::start),
        min_severity: settings.min_severity,
        fail_on: settings.fail_on,
        notes: warnings.collect(),
        errors: Vec::new(),
        helm_templates: BTreeMap::new(),
        files_scanned: 0,
        summary: Summary::default(),
        known: 0,
        unreadable: false,
        unparsed: false,
        failing: false,
    };

    // Standard input and live containers are few: read first, their files merged into the
    // walked files' order by path; their notes and errors follow the walked files' (as they
    // did when the report was assembled at the end).
    let mut others = Vec::new();
    if inputs.stdin {
        others.push(read_stdin(profile, &prepare, max_file_size, &access));
    }
    others.extend(live.outcomes(profile, inputs.stdin));
    let mut other_files = std::collections::VecDeque::new();
    let mut later = Vec::new();
    for outcome in others {
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
                    profile,
                    &prepare,
                    max_file_size,
                    &access,
                );
                scan.trim(outcome)
            })
            .collect();
        // Walked files come sorted by path; a standard input or container goes before the
        // first walked file whose path sorts after its own (after one of the same name).
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
                other => scan.take(other),
            }
        }
        written = written.and_then(|()| report.write_files(&files));
    }
    let rest: Vec<FileResult> = other_files
        .into_iter()
        .map(|file| scan.check(file, Vec::new()))
        .collect();
    written = written.and_then(|()| report.write_files(&rest));
    for item in later {
        match item {
            Later::Notes(notes) => scan.notes.extend(notes),
            Later::Outcome(outcome) => scan.take(outcome),
        }
    }

    for (path, reason) in &inputs.errors {
        scan.errors
            .push(Note::about(Some(path.clone()), reason.clone()));
    }
    let mut notes = std::mem::take(&mut scan.notes);
    scan.notes_of_helm_charts(&mut notes);
    notes.extend(scan.policy.finish(&args.paths));
    if let (Some(path), known @ 1..) = (&args.baseline, scan.known) {
        notes.push(Note::about(
            None,
            format!(
                "{known} finding{} already in the baseline {} {} not shown",
                if known == 1 { "" } else { "s" },
                path.display(),
                if known == 1 { "is" } else { "are" },
            ),
        ));
    }
    let ending = Ending {
        notes: &notes,
        errors: &scan.errors,
        files_scanned: scan.files_scanned,
        summary: scan.summary,
    };
    let written = written.and_then(|()| report.finish(&ending));
    drop(report);
    if let Err(message) = written
        .map_err(|err| cannot_write(args.output.as_deref(), &err))
        .and_then(|()| output.commit(args))
    {
        error(&message);
        return ExitStatus::Error;
    }
    if !inputs.errors.is_empty() || scan.unreadable || scan.unparsed {
        ExitStatus::Error
    } else if scan.failing && !args.exit_zero {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
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
    notes: Vec<Note>,
    errors: Vec<Note>,
    /// Helm templates are counted per chart: one note a chart, not one a template.
    helm_templates: BTreeMap<String, usize>,
    files_scanned: usize,
    summary: Summary,
    known: usize,
    unreadable: bool,
    unparsed: bool,
    failing: bool,
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
    /// unreadable input is also reported at once). A checked file goes through
    /// [`Scan::check`] instead; its notes are kept here.
    fn take(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Scanned { notes, .. } => self.notes.extend(notes),
            Outcome::NotRecognised => {}
            Outcome::Skipped(note) => self.notes.push(note),
            Outcome::HelmTemplate { chart } => *self.helm_templates.entry(chart).or_default() += 1,
            Outcome::Unreadable { path, reason } => {
                error(&format!("{path}: {reason}"));
                self.errors.push(Note::about(Some(path), reason));
                self.unreadable = true;
            }
        }
    }

    /// Applies the policy to a checked file, in report order, and counts what is left; keeps
    /// its notes.
    fn check(&mut self, mut file: FileResult, notes: Vec<Note>) -> FileResult {
        self.notes.extend(notes);
        self.policy.apply(&mut file);
        // A parse error fails the scan like a missing file, whatever the severity filters say:
        // the input was not checked. A suppressed one was accepted.
        self.unparsed |= file
            .findings
            .iter()
            .any(|f| f.rule == INVALID_INPUT && f.suppressed.is_none());
        if let Some(baseline) = &mut self.baseline {
            self.known += baseline.remove_known(&mut file);
        }
        let min_severity = self.min_severity;
        file.findings.retain(|f| f.severity >= min_severity);
        self.failing |= file
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= self.fail_on);
        self.files_scanned += 1;
        self.summary.add(&file);
        file
    }

    /// One note for each Helm chart whose templates were skipped.
    fn notes_of_helm_charts(&self, notes: &mut Vec<Note>) {
        for (chart, count) in &self.helm_templates {
            notes.push(helm_note(chart, *count));
        }
    }
}

/// Where the report's bytes go: standard output, or a file that appears whole at the end.
enum Output {
    /// `broken` once the reader went away: `minpriv scan | head` closing the pipe early is
    /// not an error, and the scan still decides the exit code.
    Stdout {
        out: std::io::BufWriter<std::io::Stdout>,
        broken: bool,
    },
    File(AtomicFile),
}

impl Output {
    /// Opens `--output` or standard output, and says whether to colour.
    fn open(args: &ScanArgs) -> Result<(Output, bool), String> {
        match &args.output {
            Some(path) => {
                // The report is written while the scan goes on: Ctrl-C or a TERM signal must
                // not leave the half-written temporary file behind (the target is untouched).
                // The handler is in place before the file exists and removes it once its path
                // is recorded, an instant after it is created.
                static TEMPORARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
                let _ = ctrlc::set_handler(|| {
                    if let Some(temporary) = TEMPORARY.get() {
                        let _ = std::fs::remove_file(temporary);
                    }
                    std::process::exit(130);
                });
                let file =
                    AtomicFile::create(path).map_err(|err| cannot_write(Some(path), &err))?;
                let _ = TEMPORARY.set(file.temporary_path().to_path_buf());
                Ok((Output::File(file), use_color(args.color, false)))
            }
            None => {
                let stdout = std::io::stdout();
                let color = use_color(args.color, stdout.is_terminal());
                let out = std::io::BufWriter::with_capacity(1 << 16, stdout);
                Ok((Output::Stdout { out, broken: false }, color))
            }
        }
    }

    /// Puts a finished `--output` file in place.
    fn commit(self, args: &ScanArgs) -> Result<(), String> {
        match self {
            Output::Stdout { .. } => Ok(()),
            Output::File(file) => file
                .commit()
                .map_err(|err| cannot_write(args.output.as_deref(), &err)),
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout { broken: true, .. } => Ok(bytes.len()),
            Output::Stdout { out, broken } => match out.write(bytes) {
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    *broken = true;
                    Ok(bytes.len())
                }
                written => written,
            },
            Output::File(file) => file.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout { broken: true, .. } => Ok(()),
            Output::Stdout { out, broken } => match out.flush() {
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    *broken = true;
                    Ok(())
                }
                flushed => flushed,
            },
            Output::File(file) => file.flush(),
        }
    }
}

/// The report writer of `format`: the formats that open with totals gather the files and are
/// rendered at the end.
fn report_writer<'w>(
    format: OutputFormat,
    out: &'w mut Output,
    options: ReportOptions,
) -> Box<dyn ReportWriter + 'w> {
    match format {
        OutputFormat::Text => Box::new(TextWriter::new(out, options)),
        OutputFormat::Json => Box::new(JsonWriter::new(out, options)),
        OutputFormat::Sarif => Box::new(SarifWriter::new(out)),
        OutputFormat::Github => Box::new(GithubWriter::new(out, options)),
        OutputFormat::Junit | OutputFormat::Markdown => Box::new(Gathered {
            format,
            out,
            options,
            files: Vec::new(),
        }),
    }
}

/// JUnit and Markdown, which open with totals: the files are kept and rendered at the end.
struct Gathered<'w> {
    format: OutputFormat,
    out: &'w mut Output,
    options: ReportOptions,
    files: Vec<FileResult>,
}

impl ReportWriter for Gathered<'_> {
    fn write_files(&mut self, files: &[FileResult]) -> std::io::Result<()> {
        self.files.extend_from_slice(files);
        Ok(())
    }

    fn finish(&mut self, ending: &Ending<'_>) -> std::io::Result<()> {
        let report = ScanReport {
            files: std::mem::take(&mut self.files),
            notes: ending.notes.to_vec(),
            files_scanned: ending.files_scanned,
            errors: ending.errors.to_vec(),
        };
        let text = match self.format {
            OutputFormat::Junit => minpriv_report::junit::to_string(&report, &self.options)
                .map_err(std::io::Error::other)?,
            _ => minpriv_report::markdown::render(&report, &self.options),
        };
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

/// The message for a report that could not be written to `path` (standard output for none).
fn cannot_write(path: Option<&Path>, err: &std::io::Error) -> String {
    match path {
        Some(path) => format!(
            "cannot write the report to {}: {}",
            path.display(),
            describe_io_error(err)
        ),
        None => format!("cannot write the report: {}", describe_io_error(err)),
    }
}

/// Reads standard input, at most one byte more than `max_bytes` (enough to know it is too large).
fn read_stdin(
    profile: &Profile,
    prepare: analyze::Prepare<'_>,
    max_bytes: u64,
    access: &Access,
) -> Outcome {
    let mut bytes = Vec::new();
    match std::io::stdin()
        .lock()
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => analyze::analyze_stdin_with(bytes, profile, prepare, max_bytes, access),
        Err(err) => Outcome::Unreadable {
            path: "-".to_string(),
            reason: describe_io_error(&err),
        },
    }
}

/// Gathers the outcomes into one report, printing an error for each input that could not be
/// read (and keeping it in the report's `errors`); the flag says whether there was one.
pub(crate) fn assemble(outcomes: Vec<Outcome>, notes: Vec<Note>) -> (ScanReport, bool) {
    let mut report = ScanReport {
        notes,
        ..ScanReport::default()
    };
    let mut unreadable = false;
    // Helm templates are counted per chart: one note a chart, not one a template.
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
                error(&format!("{path}: {reason}"));
                report.errors.push(Note::about(Some(path), reason));
                unreadable = true;
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

/// Whether to colour: `--color` decides, and under `auto` the conventions anstream follows
/// (NO_COLOR, CLICOLOR, CLICOLOR_FORCE, a terminal).
fn use_color(when: ColorWhen, is_terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => auto_color(is_terminal, &|name| std::env::var_os(name)),
    }
}

/// `auto` under the given environment, as <https://no-color.org> and
/// <https://bixense.com/clicolors/> describe it.
fn auto_color(is_terminal: bool, env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    if env("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    is_terminal && env("TERM").is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn colour_follows_no_color_and_clicolor() {
        assert!(auto_color(true, &env_of(&[])));
        assert!(!auto_color(false, &env_of(&[])));
        assert!(!auto_color(true, &env_of(&[("NO_COLOR", "1")])));
        assert!(
            auto_color(true, &env_of(&[("NO_COLOR", "")])),
            "an empty NO_COLOR is unset"
        );
        assert!(auto_color(false, &env_of(&[("CLICOLOR_FORCE", "1")])));
        assert!(!auto_color(true, &env_of(&[("CLICOLOR", "0")])));
        assert!(!auto_color(true, &env_of(&[("TERM", "dumb")])));
        assert!(use_color(ColorWhen::Always, false));
        assert!(!use_color(ColorWhen::Never, true));
    }
}

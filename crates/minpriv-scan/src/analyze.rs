//! One input, start to finish: read it once, decide its format, read its workloads, run the
//! rules, turn parse errors into `invalid-input` findings, and apply inline suppressions.

use crate::resolver::{Access, FsResolver};
use crate::walk::{Candidate, describe_io_error};
use minpriv_model::{Finding, Severity, Source, Workload};
use minpriv_readers::detect::SNIFF_BYTES;
use minpriv_readers::{Format, InputError, Resolver, detect_format};
use minpriv_report::{FileResult, Note};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The id of the rule parse errors are reported under.
pub const INVALID_INPUT: &str = "invalid-input";

/// The largest file read unless `--max-file-size` or `max-file-size` says otherwise. A larger
/// one is reported as an `invalid-input` finding, not read: configuration files are kilobytes,
/// and a hostile or mistaken one must not cost unbounded memory and time.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Test hook, honoured only in debug builds: a file with this name makes its reading panic, so
/// that tests can check that one file's failure loses no other file's results.
#[cfg(debug_assertions)]
pub const TEST_PANIC_ON: &str = "MINPRIV_TEST_PANIC_ON";

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// Read and checked.
    Scanned {
        /// Its findings and workloads.
        file: FileResult,
        /// Remarks from the reader.
        notes: Vec<Note>,
    },
    /// Not a format minpriv reads (only for files found by walking a folder).
    NotRecognised,
    /// Recognised but not read, for the reason in the note.
    Skipped(Note),
    /// A Helm chart template: not YAML until rendered. Holds the chart's folder as shown.
    HelmTemplate {
        /// The chart's folder, as paths are shown.
        chart: String,
    },
    /// Could not be read at all.
    Unreadable {
        /// The path as shown.
        path: String,
        /// Why, for people.
        reason: String,
    },
}

/// Work done on an input's workloads after reading and before the rules (`--resolve-images`
/// looks up the users of their images); returns remarks about the input.
pub type Prepare<'a> = &'a (dyn Fn(&mut [Workload]) -> Vec<String> + Sync);

/// The [`Prepare`] that leaves the workloads as read.
pub fn as_read(_: &mut [Workload]) -> Vec<String> {
    Vec::new()
}

/// Reads and checks the file `candidate` names.
pub fn analyze_file(candidate: &Candidate, profile: &Profile, access: &Access) -> Outcome {
    analyze_file_with(candidate, profile, &as_read, DEFAULT_MAX_FILE_SIZE, access)
}

/// Like [`analyze_file`], with `prepare` run on the workloads before the rules, and files larger
/// than `max_bytes` reported instead of read.
///
/// Each file is read in isolation: a panic while reading or checking it (a bug) becomes an
/// `invalid-input` finding saying "internal error", and the other files are not affected.
pub fn analyze_file_with(
    candidate: &Candidate,
    profile: &Profile,
    prepare: Prepare<'_>,
    max_bytes: u64,
    access: &Access,
) -> Outcome {
    isolated(&candidate.display, &candidate.path, profile, || {
        read_and_check(candidate, profile, prepare, max_bytes, access)
    })
}

/// Runs `analyze`, turning a panic into an `invalid-input` finding about `shown`.
fn isolated(
    shown: &str,
    path: &Path,
    profile: &Profile,
    analyze: impl FnOnce() -> Outcome,
) -> Outcome {
    // Nothing `analyze` borrows is used after a panic: the outcome is built from `shown` alone.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(analyze)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            let format = detect_format(path, b"").unwrap_or(Format::Yaml);
            file_finding(
                shown,
                format,
                profile,
                format!(
                    "internal error: minpriv failed on this file ({what}); its findings are \
                     unknown, the other files were checked"
                ),
                "report this as a bug in minpriv, with the file if you can share it".to_string(),
            )
        }
    }
}

/// An outcome holding one `invalid-input` finding about the whole file `shown`, which was not
/// (or not completely) read.
fn file_finding(
    shown: &str,
    format: Format,
    profile: &Profile,
    message: String,
    remediation: String,
) -> Outcome {
    let finding = Finding {
        rule: INVALID_INPUT,
        severity: profile.severity(INVALID_INPUT).unwrap_or(Severity::High),
        message,
        span: None,
        source: source_of(format, ""),
        resource: "file".to_string(),
        container: None,
        remediation,
        suppressed: None,
        pss_control: None,
        overlays: Vec::new(),
    };
    Outcome::Scanned {
        file: FileResult {
            path: shown.to_string(),
            findings: vec![finding],
            ..FileResult::default()
        },
        notes: Vec::new(),
    }
}

/// The finding for a file over the limit of `max_bytes`: of `size` bytes when known (standard
/// input and a file that grows while it is read are only read to one byte past the limit).
fn too_large(
    shown: &str,
    format: Format,
    profile: &Profile,
    size: Option<u64>,
    max_bytes: u64,
) -> Outcome {
    let size = match size {
        Some(size) => format!("the file is {}", human_size(size)),
        None => "the input is larger than that".to_string(),
    };
    file_finding(
        shown,
        format,
        profile,
        format!(
            "not read: minpriv reads at most {} from one file, and {size}",
            human_size(max_bytes)
        ),
        "if it really is one configuration file, raise the limit with --max-file-size (or \
         max-file-size in minpriv.toml)"
            .to_string(),
    )
}

/// `10 MiB`, `1.5 GiB`, `512 bytes`.
fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if bytes >= size {
            let tenths = (u128::from(bytes) * 10 / u128::from(size)) as u64;
            return if tenths.is_multiple_of(10) {
                format!("{} {unit}", tenths / 10)
            } else {
                format!("{}.{} {unit}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} bytes")
}

/// The whole reading of one file, see [`analyze_file_with`].
fn read_and_check(
    candidate: &Candidate,
    profile: &Profile,
    prepare: Prepare<'_>,
    max_bytes: u64,
    access: &Access,
) -> Outcome {
    #[cfg(debug_assertions)]
    if std::env::var_os(TEST_PANIC_ON)
        .is_some_and(|name| candidate.path.file_name() == Some(name.as_os_str()))
    {
        panic!("{TEST_PANIC_ON} names this file");
    }
    let unreadable = |err: std::io::Error| Outcome::Unreadable {
        path: candidate.display.clone(),
        reason: describe_io_error(&err),
    };
    // Most files of a repository (source code, docs) are ruled out by their name alone: they
    // are not even opened.
    let known = candidate.explicit || candidate.format.is_some();
    if !known && !minpriv_readers::detect::name_may_be_read(&candidate.path) {
        return Outcome::NotRecognised;
    }
    // A FIFO or a device may block or never end: only regular files are opened. The walk
    // passes no other kind; this catches one swapped in since.
    match std::fs::metadata(&candidate.path) {
        Ok(meta) if !meta.is_file() => {
            return Outcome::Unreadable {
                path: candidate.display.clone(),
                reason: "not a regular file: not read".to_string(),
            };
        }
        Ok(_) => {}
        Err(err) => return unreadable(err),
    }
    let mut file = match File::open(&candidate.path) {
        Ok(file) => file,
        Err(err) => return unreadable(err),
    };

    // The first bytes decide most formats; the rest is read into the same buffer only when
    // the file turns out to be one minpriv reads.
    let mut bytes = Vec::with_capacity(SNIFF_BYTES);
    if let Err(err) = (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut bytes) {
        return unreadable(err);
    }
    let detected = candidate
        .format
        .or_else(|| detect_format(&candidate.path, &bytes));
    if detected.is_none() && !known {
        return Outcome::NotRecognised;
    }
    let format_of_name = || detected.unwrap_or(Format::Yaml);
    match file.metadata() {
        Ok(meta) if meta.len() > max_bytes => {
            return too_large(
                &candidate.display,
                format_of_name(),
                profile,
                Some(meta.len()),
                max_bytes,
            );
        }
        // The rest goes into the same buffer, grown once to the file's size rather than
        // doubled (and copied) step by step as the reading goes.
        Ok(meta) => bytes.reserve_exact(
            usize::try_from(meta.len())
                .unwrap_or(usize::MAX)
                .saturating_sub(bytes.len()),
        ),
        Err(err) => return unreadable(err),
    }
    // The size said by the metadata is not trusted: a file may grow while it is read.
    let room = (max_bytes + 1).saturating_sub(bytes.len() as u64);
    if let Err(err) = (&mut file).take(room).read_to_end(&mut bytes) {
        return unreadable(err);
    }
    if bytes.len() as u64 > max_bytes {
        return too_large(
            &candidate.display,
            format_of_name(),
            profile,
            None,
            max_bytes,
        );
    }

    let text = match into_text(bytes, &candidate.display) {
        Ok(text) => text,
        Err(note) => return Outcome::Skipped(note),
    };
    if let Some(chart) = helm_chart_of_template(&candidate.path)
        && text.contains("{{")
    {
        return Outcome::HelmTemplate {
            chart: shown_ancestor(&candidate.display, &candidate.path, &chart),
        };
    }
    let format = detected.unwrap_or_else(|| minpriv_readers::detect::sniff_content(&text));
    let folder = candidate
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let name = candidate
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let resolver = FsResolver::for_file(folder, name, access);
    let (file, notes) = analyze_text_with(
        candidate.display.clone(),
        text,
        format,
        &resolver,
        profile,
        prepare,
    );
    Outcome::Scanned { file, notes }
}

/// A file held in memory rather than on disk: a blob of a git commit.
pub struct Blob<'a> {
    /// The path to show.
    pub shown: &'a str,
    /// Its path in the commit, for recognising its format by name.
    pub path: &'a Path,
    /// Its size in bytes, known before it is read.
    pub size: u64,
    /// Read as this format whatever its name and content say (a file another one names).
    pub format: Option<Format>,
    /// The Helm chart folder (as shown) when the file is a chart's template.
    pub helm_chart: Option<String>,
}

/// Reads and checks the file `blob` describes, whose bytes `read` gives, as
/// [`analyze_file_with`] reads one on disk: recognised by name and content, larger than
/// `max_bytes` reported, binary files skipped, Helm templates set aside. Isolated likewise.
pub fn analyze_blob(
    blob: &Blob<'_>,
    read: impl FnOnce() -> Result<Vec<u8>, String>,
    resolver: &dyn minpriv_readers::Resolver,
    profile: &Profile,
    prepare: Prepare<'_>,
    max_bytes: u64,
) -> Outcome {
    isolated(blob.shown, blob.path, profile, || {
        if blob.format.is_none() && !minpriv_readers::detect::name_may_be_read(blob.path) {
            return Outcome::NotRecognised;
        }
        if blob.size > max_bytes {
            // Too large to read for its content: only a name that says its format counts.
            return match blob.format.or_else(|| detect_format(blob.path, b"")) {
                Some(format) => too_large(blob.shown, format, profile, Some(blob.size), max_bytes),
                None => Outcome::NotRecognised,
            };
        }
        let bytes = match read() {
            Ok(bytes) => bytes,
            Err(reason) => {
                return Outcome::Unreadable {
                    path: blob.shown.to_string(),
                    reason,
                };
            }
        };
        let detected = blob
            .format
            .or_else(|| detect_format(blob.path, &bytes[..bytes.len().min(SNIFF_BYTES)]));
        let Some(format) = detected else {
            return Outcome::NotRecognised;
        };
        let text = match into_text(bytes, blob.shown) {
            Ok(text) => text,
            Err(note) => return Outcome::Skipped(note),
        };
        if let Some(chart) = &blob.helm_chart
            && text.contains("{{")
        {
            return Outcome::HelmTemplate {
                chart: chart.clone(),
            };
        }
        let (file, notes) = analyze_text_with(
            blob.shown.to_string(),
            text,
            format,
            resolver,
            profile,
            prepare,
        );
        Outcome::Scanned { file, notes }
    })
}

/// Reads and checks standard input, whose format only its content can tell, with `prepare` run
/// on the workloads before the rules. `bytes` longer than `max_bytes` are reported, not read
/// (read at most one byte more than that). Isolated like [`analyze_file_with`].
pub fn analyze_stdin_with(
    bytes: Vec<u8>,
    profile: &Profile,
    prepare: Prepare<'_>,
    max_bytes: u64,
    access: &Access,
) -> Outcome {
    const SHOWN_AS: &str = "-";
    if bytes.len() as u64 > max_bytes {
        return too_large(SHOWN_AS, Format::Yaml, profile, None, max_bytes);
    }
    isolated(SHOWN_AS, Path::new(SHOWN_AS), profile, || {
        read_stdin_text(bytes, profile, prepare, access)
    })
}

fn read_stdin_text(
    bytes: Vec<u8>,
    profile: &Profile,
    prepare: Prepare<'_>,
    access: &Access,
) -> Outcome {
    const SHOWN_AS: &str = "-";
    let text = match into_text(bytes, SHOWN_AS) {
        Ok(text) => text,
        Err(note) => return Outcome::Skipped(note),
    };
    let format = minpriv_readers::detect::sniff_content(&text);
    // Relative names in piped input (a Compose `.env`) mean what they mean to `docker compose -f -`:
    // relative to the current folder.
    let resolver = FsResolver::new(PathBuf::from("."), access);
    let (file, notes) = analyze_text_with(
        SHOWN_AS.to_string(),
        text,
        format,
        &resolver,
        profile,
        prepare,
    );
    Outcome::Scanned { file, notes }
}

/// Bytes to text, or a note saying why not. A leading byte-order mark is dropped: no reader
/// expects one, and it is invisible to the user. A NUL byte marks a binary file (as it does for
/// git and grep): no configuration format minpriv reads holds one, so it is not misread as one.
fn into_text(bytes: Vec<u8>, shown: &str) -> Result<String, Note> {
    if bytes.contains(&0) {
        return Err(Note::about(
            Some(shown.to_string()),
            "skipped: a binary file (it holds NUL bytes)",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(_) => Err(Note::about(
            Some(shown.to_string()),
            "skipped: not UTF-8 text",
        )),
    }
}

/// Reads `text` as `format` and checks it: the whole pipeline after the bytes are in memory.
pub fn analyze_text(
    path: String,
    text: String,
    format: Format,
    resolver: &dyn Resolver,
    profile: &Profile,
) -> (FileResult, Vec<Note>) {
    analyze_text_with(path, text, format, resolver, profile, &as_read)
}

/// Like [`analyze_text`], with `prepare` run on the workloads before the rules.
pub fn analyze_text_with(
    path: String,
    text: String,
    format: Format,
    resolver: &dyn Resolver,
    profile: &Profile,
    prepare: Prepare<'_>,
) -> (FileResult, Vec<Note>) {
    let mut output = minpriv_readers::read(format, &text, resolver);
    let prepared = prepare(&mut output.workloads);
    output.notes.extend(prepared);
    let mut findings = minpriv_rules::check_workloads(&output.workloads, profile);
    if !output.errors.is_empty() {
        // Only parse errors need the source; working it out may read the whole text.
        let source = output
            .workloads
            .first()
            .map(|w| w.source)
            .unwrap_or_else(|| source_of(format, &text));
        let invalid_severity = profile.severity(INVALID_INPUT).unwrap_or(Severity::High);
        findings.extend(
            output
                .errors
                .iter()
                .map(|err| invalid_input(err, format, source, invalid_severity)),
        );
    }
    let suppressions = Suppressions::parse(&text);
    suppressions.apply(&mut findings);
    // By location, worst first on one line; the sort is stable, so findings on the same spot
    // keep the rules' own order (the contract's rule table).
    findings.sort_by_key(|f| {
        (
            f.span.is_none(),
            f.span.map(|s| (s.line, s.column)),
            std::cmp::Reverse(f.severity),
        )
    });
    let mut notes: Vec<Note> = output
        .notes
        .into_iter()
        .map(|message| Note::about(Some(path.clone()), message))
        .collect();
    notes.extend(suppression_notes(&suppressions, &path, profile));
    // The text is kept for what reporters and the policy read from it: source lines of
    // findings, and the directives of files that have some. Without either, dropping it here
    // keeps the report from holding every byte scanned until the end.
    let source_text = if findings.is_empty() && suppressions.is_empty() {
        String::new()
    } else {
        // Read with room to spare (at least the sniff window); kept, it takes only its size.
        let mut text = text;
        text.shrink_to_fit();
        text
    };
    let file = FileResult {
        path,
        source_text,
        findings,
        workloads: output.workloads,
        ..FileResult::default()
    };
    (file, notes)
}

/// Directives that do nothing: they name no rule, a rule that does not exist, or a rule that
/// found nothing there. Left alone, they hide the next real finding on that line.
fn suppression_notes(suppressions: &Suppressions, path: &str, profile: &Profile) -> Vec<Note> {
    let at = |line: u32, column: u32, message: String| Note {
        path: Some(path.to_string()),
        line: Some(line),
        column: Some(column),
        message,
    };
    let mut notes = Vec::new();
    for malformed in suppressions.malformed() {
        notes.push(at(
            malformed.line,
            malformed.column,
            format!("minpriv:ignore comment ignored: {}", malformed.message),
        ));
    }
    for unknown in suppressions.unknown_rules() {
        let hint = unknown.help().map(|h| format!("; {h}")).unwrap_or_default();
        notes.push(at(
            unknown.line,
            unknown.column,
            format!(
                "'{}' in a minpriv:ignore comment is no rule id{hint}",
                unknown.rule
            ),
        ));
    }
    // A rule the profile does not run cannot find anything, so its suppression is not stale.
    for unused in suppressions
        .unused()
        .into_iter()
        .filter(|u| profile.is_enabled(&u.rule))
    {
        notes.push(at(
            unused.line,
            unused.column,
            format!(
                "the minpriv:ignore of '{}' suppresses nothing here; remove it",
                unused.rule
            ),
        ));
    }
    notes.sort_by_key(|n| (n.line, n.column));
    notes
}

/// A parse error as a finding, so that it is reported (and located) like everything else.
fn invalid_input(err: &InputError, format: Format, source: Source, severity: Severity) -> Finding {
    Finding {
        rule: INVALID_INPUT,
        severity,
        message: format!("could not parse {}: {}", format_name(format), err.message),
        span: err.span,
        source,
        resource: "file".to_string(),
        container: None,
        remediation: "fix the syntax error".to_string(),
        suppressed: None,
        pss_control: None,
        overlays: Vec::new(),
    }
}

/// The `source` of an input nothing could be read from.
fn source_of(format: Format, text: &str) -> Source {
    match format {
        Format::Compose => Source::Compose,
        Format::Dockerfile => Source::Dockerfile,
        Format::Shell | Format::GithubActions | Format::GitlabCi => Source::DockerRun,
        Format::DockerInspect => Source::DockerInspect,
        Format::Quadlet => Source::Quadlet,
        Format::Yaml if text.lines().any(|l| l.starts_with("services:")) => Source::Compose,
        _ => Source::Kubernetes,
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Kubernetes => "the Kubernetes manifest",
        Format::Compose => "the Compose file",
        Format::Dockerfile => "the Dockerfile",
        Format::Shell => "the script",
        Format::GithubActions => "the GitHub Actions workflow",
        Format::GitlabCi => "the GitLab CI file",
        Format::DockerInspect => "the docker inspect output",
        Format::Quadlet => "the Quadlet unit",
        _ => "the file",
    }
}

/// The chart folder when `path` lies under a Helm chart's `templates/` folder (a folder named
/// `templates` whose parent holds `Chart.yaml`).
pub fn helm_chart_of_template(path: &Path) -> Option<PathBuf> {
    path.ancestors().skip(1).find_map(|folder| {
        if folder.file_name()? != "templates" {
            return None;
        }
        let chart = folder.parent()?;
        chart
            .join("Chart.yaml")
            .is_file()
            .then(|| chart.to_path_buf())
    })
}

/// How `ancestor` (a folder above `path`) is shown, given that `path` is shown as `shown`:
/// the same number of components dropped from the shown path.
fn shown_ancestor(shown: &str, path: &Path, ancestor: &Path) -> String {
    let levels = path
        .components()
        .count()
        .saturating_sub(ancestor.components().count());
    match Path::new(shown).ancestors().nth(levels) {
        Some(p) if !p.as_os_str().is_empty() => p.to_string_lossy().into_owned(),
        _ => ".".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::Span;

    #[test]
    fn a_parse_error_becomes_a_located_invalid_input_finding() {
        let span = Span {
            start: 10,
            end: 11,
            line: 2,
            column: 5,
            end_line: 2,
            end_column: 6,
        };
        let err = InputError {
            message: "expected ':'".into(),
            span: Some(span),
        };
        let finding = invalid_input(&err, Format::Kubernetes, Source::Kubernetes, Severity::High);
        assert_eq!(finding.rule, "invalid-input");
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.span, Some(span));
        assert_eq!(finding.remediation, "fix the syntax error");
        assert!(
            finding.message.contains("expected ':'"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn helm_templates_are_recognised_by_their_chart() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let chart = dir.path().join("web");
        std::fs::create_dir_all(chart.join("templates/tests")).unwrap_or_default();
        std::fs::create_dir_all(dir.path().join("other/templates")).unwrap_or_default();
        std::fs::write(chart.join("Chart.yaml"), "name: web\n").unwrap_or_default();

        let nested = chart.join("templates/tests/test.yaml");
        assert_eq!(helm_chart_of_template(&nested), Some(chart.clone()));
        assert_eq!(
            helm_chart_of_template(&dir.path().join("other/templates/x.yaml")),
            None,
            "a templates folder outside a chart is ordinary"
        );
        assert_eq!(
            shown_ancestor("charts/web/templates/tests/test.yaml", &nested, &chart),
            "charts/web"
        );
    }

    #[test]
    fn non_utf8_is_a_note_and_a_bom_is_dropped() {
        assert!(into_text(vec![0xff, 0xfe, 0x00], "x").is_err());
        assert_eq!(
            into_text("\u{feff}FROM alpine\n".as_bytes().to_vec(), "x").ok(),
            Some("FROM alpine\n".to_string())
        );
        let binary = into_text(b"FROM alpine\0\n".to_vec(), "x");
        assert!(binary.is_err_and(|note| note.message.contains("binary")));
    }

    #[test]
    fn a_file_that_vanished_since_the_walk_is_unreadable() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM alpine\n").unwrap_or_default();
        let candidate = Candidate {
            display: "Dockerfile".to_string(),
            path: path.clone(),
            explicit: false,
            format: None,
        };
        std::fs::remove_file(&path).unwrap_or_default();
        match analyze_file(&candidate, &Profile::default(), &Access::default()) {
            Outcome::Unreadable { path, reason } => {
                assert_eq!(path, "Dockerfile");
                assert_eq!(reason, "No such file or directory");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_panic_becomes_an_internal_error_finding_about_that_file() {
        let outcome = isolated(
            "deploy/web.yaml",
            Path::new("web.yaml"),
            &Profile::default(),
            || panic!("a bug"),
        );
        let Outcome::Scanned { file, .. } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(file.path, "deploy/web.yaml");
        assert_eq!(file.findings.len(), 1);
        assert_eq!(file.findings[0].rule, INVALID_INPUT);
        assert!(
            file.findings[0].message.starts_with("internal error")
                && file.findings[0].message.contains("a bug"),
            "{}",
            file.findings[0].message
        );
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_size(12_000_012), "11.4 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(512), "512 bytes");
    }
}

//! `minpriv scan`: collect the inputs, check them in parallel, report, and decide the exit code.

use crate::args::{ColorWhen, OutputFormat, ScanArgs};
use crate::atomic::AtomicFile;
use crate::status::{ExitStatus, error};
use minpriv_model::{Severity, Workload};
use minpriv_report::github::GithubWriter;
use minpriv_report::json::JsonWriter;
use minpriv_report::sarif::SarifWriter;
use minpriv_report::text::TextWriter;
use minpriv_report::{Ending, FileResult, Note, ReportOptions, ReportWriter, ScanReport};
use minpriv_scan::analyze;
use minpriv_scan::baseline::Baseline;
use minpriv_scan::config::settings::{PolicyFlags, Settings};
use minpriv_scan::kustomize;
use minpriv_scan::live::{Live, LiveOptions};
use minpriv_scan::pipeline::{self, Reading, Sink};
use minpriv_scan::resolver::Access;
use minpriv_scan::revision::{self, ReadOptions, RevisionPath};
use minpriv_scan::walk::{self, WalkOptions, describe_io_error};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The policy of `minpriv scan ARGS`: `--config`, `--no-config` or discovery from the first
/// path, then `--profile`, `--fail-on` and `--min-severity` over the file's values.
///
/// # Errors
/// As `Settings::load`.
fn settings_for_scan(args: &ScanArgs) -> Result<Settings, Vec<String>> {
    let current = PathBuf::from(".");
    // `PATH@REV` is looked up from PATH: a revision is judged by today's policy.
    let first = args
        .paths
        .first()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| revision::split_revision(p).map_or_else(|| p.clone(), |r| r.path))
        .unwrap_or(current);
    let source = args.configuration.source(&first);
    let flags = PolicyFlags {
        profile: args.profile.as_deref(),
        pss_version: args.selection.pss_version,
        only: &args.selection.choice.rules,
        skip: &args.selection.choice.skip,
        fail_on: args.fail_on.map(Severity::from),
        min_severity: args.min_severity.map(Severity::from),
    };
    Settings::load(source, flags)
}

/// The flags of `minpriv scan` that ask for live inputs.
fn live_options(args: &ScanArgs) -> LiveOptions {
    LiveOptions {
        docker: args.docker || args.podman,
        podman: args.podman,
        all: args.all,
        images: args.images.clone(),
        image_archives: args.image_archives.clone(),
        resolve_images: args.resolve_images,
        paths: args.paths.clone(),
    }
}

/// Runs `minpriv scan` and returns the exit status.
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
    let live = Live::new(live_options(args));
    let prepare = |workloads: &mut [Workload]| live.resolve_image_users(workloads);
    // Paths read at a git revision are not walked: their files come from git's objects.
    let (at_revision, on_disk) = split_revision_paths(args);
    let walk_paths = live.paths_to_walk().map(|paths| {
        if at_revision.is_empty() {
            paths.to_vec()
        } else {
            on_disk.clone()
        }
    });
    let nothing_on_disk = !at_revision.is_empty() && on_disk.is_empty();
    let mut walked = match walk_paths.filter(|_| !nothing_on_disk) {
        Some(paths) => walk::collect(
            &paths,
            WalkOptions {
                no_ignore: args.no_ignore,
                follow: args.follow,
                readable_names_only: true,
                find_repositories: false,
            },
        ),
        None => walk::Inputs::default(),
    };
    settings.exclude(&mut walked.files);
    for (path, reason) in &walked.errors {
        error(&format!("{path}: {reason}"));
    }
    let access = Access::for_paths(&args.paths, args.follow, !args.no_compose_env);
    let reading = Reading {
        profile,
        prepare: &prepare,
        max_file_size: args
            .max_file_size
            .or(settings.config.as_ref().and_then(|c| c.max_file_size))
            .unwrap_or(analyze::DEFAULT_MAX_FILE_SIZE),
        access: &access,
    };

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

    // Kustomize trees: overlays rendered, their findings placed in the files that set them.
    let mut kustomized = kustomize::take(
        &mut walked.files,
        &access,
        &args.kustomize.options(),
        profile,
        &prepare,
    );
    // Standard input and live containers are few: read first.
    let mut others = std::mem::take(&mut kustomized.outcomes);
    let implicit = args.paths.is_empty();
    for named in &at_revision {
        let keep = |path: &Path| !settings.excludes(path);
        let read = revision::read_path(
            named,
            implicit,
            &keep,
            profile,
            &prepare,
            ReadOptions {
                no_ignore: args.no_ignore,
                environment: !args.no_compose_env,
                max_file_size: reading.max_file_size,
            },
        );
        match read {
            Ok(read) => {
                others.extend(read.outcomes);
                walked.warnings.extend(read.warnings);
            }
            Err(message) => {
                let shown = walk::display(&named.path, false);
                error(&format!("{shown}: {message}"));
                walked.errors.push((shown, message));
            }
        }
    }
    if walked.stdin {
        others.push(pipeline::read_stdin(reading));
    }
    others.extend(live.outcomes(profile, walked.stdin));
    let inputs = pipeline::Inputs {
        files: walked.files,
        others,
        errors: walked.errors.clone(),
        warnings: walked
            .warnings
            .into_iter()
            .chain(
                kustomized
                    .notes
                    .into_iter()
                    .map(|n| (n.path.unwrap_or_default(), n.message)),
            )
            .collect(),
        roots: args.paths.clone(),
    };
    let (scanned, written) = pipeline::run(
        &settings,
        baseline.as_ref().map(Baseline::start),
        inputs,
        reading,
        &mut ReportSink(report.as_mut()),
    );
    let mut notes = scanned.notes;
    if let (Some(path), known @ 1..) = (&args.baseline, scanned.known) {
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
        errors: &scanned.errors,
        files_scanned: scanned.files_scanned,
        summary: scanned.summary,
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
    if !walked.errors.is_empty() || scanned.unreadable || scanned.unparsed {
        ExitStatus::Error
    } else if scanned.failing && !args.exit_zero {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// The PATHs to read at a git revision (all of them with `--rev`, each `PATH@REV`), and the
/// others. With `--rev` and no PATH, the current folder is read at the revision.
fn split_revision_paths(args: &ScanArgs) -> (Vec<RevisionPath>, Vec<PathBuf>) {
    if let Some(revision) = &args.rev {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        // Standard input has no revision: it is read as it comes.
        let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) =
            paths.into_iter().partition(|p| p.as_os_str() == "-");
        let named = paths
            .into_iter()
            .map(|path| RevisionPath {
                path,
                revision: revision.clone(),
            })
            .collect();
        return (named, stdin);
    }
    let mut at_revision = Vec::new();
    let mut on_disk = Vec::new();
    for path in &args.paths {
        match revision::split_revision(path) {
            Some(named) => at_revision.push(named),
            None => on_disk.push(path.clone()),
        }
    }
    (at_revision, on_disk)
}

/// The report writer as the pipeline's sink: an unreadable input is an error at once.
struct ReportSink<'r, 'w>(&'r mut (dyn ReportWriter + 'w));

impl Sink for ReportSink<'_, '_> {
    fn files(&mut self, files: &[FileResult]) -> std::io::Result<()> {
        self.0.write_files(files)
    }

    fn unreadable(&mut self, path: &str, reason: &str) {
        error(&format!("{path}: {reason}"));
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
                if let Some(temporary) = file.temporary_path() {
                    let _ = TEMPORARY.set(temporary.to_path_buf());
                }
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

    fn scan_args(argv: &[&str]) -> ScanArgs {
        use crate::args::{Cli, Command};
        use clap::Parser;
        let mut full = vec!["minpriv", "scan"];
        full.extend_from_slice(argv);
        match Cli::try_parse_from(full) {
            Ok(Cli {
                command: Command::Scan(args),
            }) => args,
            other => panic!("{argv:?} must parse as scan: {other:?}"),
        }
    }

    #[test]
    fn docker_arguments_are_containers_and_images_alone_walk_nothing() {
        let walked = |argv: &[&str]| {
            live_options(&scan_args(argv))
                .paths_to_walk()
                .map(<[_]>::to_vec)
        };
        assert_eq!(walked(&[]), Some(vec![]));
        assert_eq!(walked(&["--docker", "web"]), None);
        assert_eq!(walked(&["--image", "app:1"]), None);
        assert_eq!(
            walked(&["--image-archive", "a.tar", "deploy"]),
            Some(vec![PathBuf::from("deploy")])
        );
        assert_eq!(
            walked(&["--resolve-images", "k8s"]),
            Some(vec![PathBuf::from("k8s")])
        );
    }

    #[test]
    fn all_needs_docker() {
        use crate::args::Cli;
        use clap::Parser;
        let refused = Cli::try_parse_from(["minpriv", "scan", "--all"]);
        assert!(refused.is_err(), "{refused:?}");
        let options = live_options(&scan_args(&["--docker", "--all"]));
        assert!(options.docker && options.all);
        let args = scan_args(&["--image", "a", "--image", "b", "--image-archive", "-"]);
        let options = live_options(&args);
        assert_eq!(options.images, ["a", "b"]);
        assert_eq!(options.image_archives, [PathBuf::from("-")]);
    }
}

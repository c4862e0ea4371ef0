//! `minpriv scan`: collect the inputs, check them in parallel, report, and decide the exit code.

use crate::analyze::{self, INVALID_INPUT, Outcome};
use crate::baseline::Baseline;
use crate::cli::{ColorWhen, OutputFormat, ScanArgs};
use crate::config::settings::Settings;
use crate::walk::{self, WalkOptions, describe_io_error};
use crate::{ExitStatus, error, live};
use minpriv_model::Workload;
use minpriv_report::{Note, ReportOptions, ScanReport};
use minpriv_rules::Profile;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};

/// Runs `minpriv scan` and returns the exit status.
pub fn run(args: &ScanArgs) -> ExitStatus {
    let settings = match Settings::for_scan(args) {
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
    let max_file_size = args
        .max_file_size
        .or(settings.config.as_ref().and_then(|c| c.max_file_size))
        .unwrap_or(analyze::DEFAULT_MAX_FILE_SIZE);
    let mut outcomes: Vec<Outcome> = inputs
        .files
        .par_iter()
        .map(|candidate| analyze::analyze_file_with(candidate, profile, &prepare, max_file_size))
        .collect();
    if inputs.stdin {
        outcomes.push(read_stdin(profile, &prepare, max_file_size));
    }
    outcomes.extend(live.outcomes(profile, inputs.stdin));
    let warnings = inputs
        .warnings
        .into_iter()
        .map(|(path, message)| Note::about(Some(path), message));
    let (mut report, unreadable) = assemble(outcomes, warnings.collect());
    report.errors.extend(
        inputs
            .errors
            .iter()
            .map(|(path, reason)| Note::about(Some(path.clone()), reason.clone())),
    );
    settings.apply(&mut report, &args.paths);

    // A parse error fails the scan like a missing file, whatever the severity filters say:
    // the input was not checked. A suppressed one was accepted by the user.
    let unparsed = report
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|f| f.rule == INVALID_INPUT && f.suppressed.is_none());

    if let (Some(baseline), Some(path)) = (&baseline, &args.baseline) {
        let known = baseline.remove_known(&mut report);
        if known > 0 {
            report.notes.push(Note::about(
                None,
                format!(
                    "{known} finding{} already in the baseline {} {} not shown",
                    if known == 1 { "" } else { "s" },
                    path.display(),
                    if known == 1 { "is" } else { "are" },
                ),
            ));
        }
    }

    let min_severity = settings.min_severity;
    for file in &mut report.files {
        file.findings.retain(|f| f.severity >= min_severity);
    }
    let fail_on = settings.fail_on;
    let has_failing_finding = report
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|f| f.suppressed.is_none() && f.severity >= fail_on);

    if let Err(message) = write_report(&report, args) {
        error(&message);
        return ExitStatus::Error;
    }
    if !inputs.errors.is_empty() || unreadable || unparsed {
        ExitStatus::Error
    } else if has_failing_finding {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// Reads standard input, at most one byte more than `max_bytes` (enough to know it is too large).
fn read_stdin(profile: &Profile, prepare: analyze::Prepare<'_>, max_bytes: u64) -> Outcome {
    let mut bytes = Vec::new();
    match std::io::stdin()
        .lock()
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => analyze::analyze_stdin_with(bytes, profile, prepare, max_bytes),
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
    for (chart, count) in helm_templates {
        report.notes.push(Note::about(
            Some(chart),
            format!(
                "skipped {count} Helm template file{}: templates are not YAML until rendered; \
                 scan the rendered output with `helm template <chart> | minpriv scan -`",
                if count == 1 { "" } else { "s" }
            ),
        ));
    }
    report.files_scanned = report.files.len();
    // Standard input joins the walked files last; one order by path, for people and diffs.
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    (report, unreadable)
}

/// Renders the report in the chosen format to standard output or `--output`.
fn write_report(report: &ScanReport, args: &ScanArgs) -> Result<(), String> {
    let mut options = ReportOptions {
        show_suppressed: args.show_suppressed,
        posture: args.posture,
        quiet: args.quiet,
        color: false,
    };
    match &args.output {
        Some(path) => {
            options.color = use_color(args.color, false);
            let text = render(report, args.format, &options)?;
            crate::atomic::write(path, text.as_bytes()).map_err(|err| {
                format!(
                    "cannot write the report to {}: {}",
                    path.display(),
                    describe_io_error(&err)
                )
            })
        }
        None => {
            let stdout = std::io::stdout();
            options.color = use_color(args.color, stdout.is_terminal());
            let text = render(report, args.format, &options)?;
            let mut out = stdout.lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                // `minpriv scan | head` closing the pipe early is not an error.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(err) => Err(format!(
                    "cannot write the report: {}",
                    describe_io_error(&err)
                )),
            }
        }
    }
}

fn render(
    report: &ScanReport,
    format: OutputFormat,
    options: &ReportOptions,
) -> Result<String, String> {
    match format {
        OutputFormat::Text => Ok(minpriv_report::text::render(report, options)),
        OutputFormat::Json => minpriv_report::json::to_string(report, options)
            .map_err(|err| format!("cannot render the JSON report: {err}")),
        OutputFormat::Sarif => minpriv_report::sarif::to_string(report)
            .map_err(|err| format!("cannot render the SARIF report: {err}")),
        OutputFormat::Junit => minpriv_report::junit::to_string(report, options),
        OutputFormat::Markdown => Ok(minpriv_report::markdown::render(report, options)),
        OutputFormat::Github => Ok(minpriv_report::github::render(report, options)),
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
}

//! `minpriv risk --vulns REPORT... [PATH...|--docker]`: the containers ranked by the harm a
//! known vulnerability in their image can do, given the privileges they run with.
//!
//! The workloads come from the same path `scan` takes ([`analyze::analyze_file`] for files,
//! the engine's audit for `--docker`), the reports from [`minpriv_readers::vulns`], the score
//! and the best single change from [`minpriv_model::risk`]. This module only matches the two
//! by image and prints the ranking.

use crate::args::FailOn;
use crate::{ExitStatus, error};
use clap::{Args, ValueEnum};
use minpriv_engine::Engine;
use minpriv_model::risk::{self, Assessment, BestChange, Vulnerability};
use minpriv_model::{ContainerRole, ImageRef, Posture, Severity, Workload};
use minpriv_readers::vulns::{self, ReadError, VulnReport};
use minpriv_report::fleet::RepositoryScan;
use minpriv_report::html::RiskRow;
use minpriv_report::markdown::{code, escape_text};
use minpriv_rules::Profile;
use minpriv_scan::analyze::{self, INVALID_INPUT, Outcome};
use minpriv_scan::resolver::Access;
use minpriv_scan::walk::{self, WalkOptions, describe_io_error};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{Read, Write};
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

/// Larger reports are refused: a Trivy report of a large image is tens of MiB.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Runs `minpriv risk` and returns the exit status.
pub fn run(args: &RiskArgs) -> ExitStatus {
    let Reports {
        reports,
        paths: more_paths,
        stdin_taken,
        mut notes,
        mut failed,
    } = load_reports(&args.vulns, args.docker);
    let mut paths = args.paths.clone();
    paths.extend(more_paths);

    let inputs = if args.docker {
        live_containers(args, &paths)
    } else {
        static_containers(args, &paths, stdin_taken)
    };
    failed |= inputs.failed;
    notes.extend(inputs.notes);

    let (rows, unmatched) = rank(&inputs.containers, &reports);
    let unmatched_reports: Vec<&LoadedReport> = reports
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.names_an_image() && !rows.iter().any(|row| row.report_indexes.contains(i))
        })
        .map(|(_, r)| r)
        .collect();

    let fail_on: Severity = args.fail_on.unwrap_or(FailOn::Low).into();
    let fails = rows
        .iter()
        .any(|r| risk::score_level(r.assessment.score).is_some_and(|band| band >= fail_on));

    let ranking = Ranking {
        rows: &rows,
        shown: args.top.unwrap_or(usize::MAX),
        unmatched: &unmatched,
        unmatched_reports: &unmatched_reports,
        notes: &notes,
        quiet: args.quiet,
    };
    let text = match args.format {
        RiskFormat::Text => ranking.text(),
        RiskFormat::Json => match ranking.json() {
            Ok(text) => text,
            Err(e) => {
                error(&format!("cannot render the JSON ranking: {e}"));
                return ExitStatus::Error;
            }
        },
        RiskFormat::Markdown => ranking.markdown(),
    };
    if let Err(message) = write_out(&text, args.output.as_deref()) {
        error(&message);
        return ExitStatus::Error;
    }
    if failed {
        ExitStatus::Error
    } else if fails {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// The values after `--vulns`, read.
struct Reports {
    reports: Vec<LoadedReport>,
    /// Values that are not reports: paths to scan (or, with --docker, container names).
    paths: Vec<PathBuf>,
    stdin_taken: bool,
    /// The readers' remarks.
    notes: Vec<Note>,
    /// Some value could not be read, or is a report that names no image.
    failed: bool,
}

fn load_reports(values: &[String], docker: bool) -> Reports {
    let mut out = Reports {
        reports: Vec::new(),
        paths: Vec::new(),
        stdin_taken: false,
        notes: Vec::new(),
        failed: false,
    };
    for value in values {
        match classify(value, docker, &mut out.stdin_taken) {
            Ok(Argument::Reports(loaded)) => out.reports.extend(loaded),
            Ok(Argument::Path(path)) => out.paths.push(path),
            Err(message) => {
                error(&message);
                out.failed = true;
            }
        }
    }
    for report in &out.reports {
        for note in &report.report.notes {
            out.notes.push(Note::about(&report.shown, note.clone()));
        }
        if !report.names_an_image() {
            error(&format!(
                "{}: the report names no image; say which it is with --vulns IMAGE={}",
                report.shown, report.shown
            ));
            out.failed = true;
        }
    }
    out
}

/// The risk ranking of the containers `minpriv report` read, for its HTML page; the flag says
/// whether a report could not be read or used (exit 2).
pub fn html_rows(vulns: &[String], scans: &[RepositoryScan]) -> (Vec<RiskRow>, bool) {
    if vulns.is_empty() {
        return (Vec::new(), false);
    }
    let mut loaded = load_reports(vulns, false);
    for path in &loaded.paths {
        error(&format!(
            "--vulns {}: {}",
            path.display(),
            ReadError::NotAReport
        ));
        loaded.failed = true;
    }
    let mut containers = Containers::default();
    for scan in scans {
        for file in &scan.report.files {
            containers.add_workloads(&file.path, file.workloads.clone());
        }
    }
    let (rows, _) = rank(&containers.containers, &loaded.reports);
    let rows = rows
        .iter()
        .map(|r| RiskRow {
            score: r.assessment.score,
            level: level_name(r.assessment.score),
            container: container_label(r.candidate),
            location: format!("{} {}", r.candidate.path, r.candidate.resource),
            image: r.candidate.posture.image.value.clone().unwrap_or_default(),
            why: r.assessment.why.clone(),
            best_change: best_change_text(r),
        })
        .collect();
    (rows, loaded.failed)
}

/// A report as read, with the name it was given on the command line.
struct LoadedReport {
    /// The path as given (`-` for standard input).
    shown: String,
    report: VulnReport,
    /// The images it names (or the one IMAGE=REPORT names), parsed.
    refs: Vec<ImageRef>,
}

impl LoadedReport {
    /// False when nothing could match it (a scan of a folder, Docker Scout's SARIF).
    fn names_an_image(&self) -> bool {
        !self.refs.is_empty() || !self.report.image_ids.is_empty()
    }
}

/// What one value after `--vulns` turned out to be.
enum Argument {
    Reports(Vec<LoadedReport>),
    Path(PathBuf),
}

/// Decides whether a value after `--vulns` is a report (read it) or a path to scan. Only a
/// JSON document in one of the report formats is a report; a file named `.json` or `.sarif`
/// that is no JSON is a broken report, not a path.
fn classify(value: &str, docker: bool, stdin_taken: &mut bool) -> Result<Argument, String> {
    if value == "-" {
        *stdin_taken = true;
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| format!("-: {}", describe_io_error(&e)))?;
        let reports = vulns::read(&text).map_err(|e| format!("-: {e}"))?;
        return Ok(Argument::Reports(loaded("-", reports, None)));
    }
    let as_path = Path::new(value);
    let (image, path) = match value.split_once('=') {
        Some((image, path)) if !as_path.exists() && !image.is_empty() => {
            let parsed = ImageRef::parse(image)
                .ok_or_else(|| format!("--vulns {value}: '{image}' is not an image reference"))?;
            (Some(parsed), Path::new(path))
        }
        _ => (None, as_path),
    };
    if image.is_none() && as_path.is_dir() {
        return Ok(Argument::Path(as_path.to_path_buf()));
    }
    if image.is_none() && docker && !as_path.exists() {
        // With --docker, arguments are container names.
        return Ok(Argument::Path(as_path.to_path_buf()));
    }
    let shown = path.to_string_lossy().into_owned();
    let text = read_report_text(path).map_err(|why| format!("{shown}: {why}"))?;
    match vulns::read(&text) {
        Ok(reports) => Ok(Argument::Reports(loaded(&shown, reports, image))),
        Err(e) => {
            let name = path.to_string_lossy().to_ascii_lowercase();
            let sarif = name.ends_with(".sarif");
            let json = sarif || name.ends_with(".json");
            match e {
                // JSON of another kind (`docker inspect` output) is an input to scan ...
                ReadError::NotAReport if image.is_none() && !sarif => {
                    Ok(Argument::Path(path.into()))
                }
                // ... and so is a file that is no JSON and not named like a report (YAML).
                ReadError::NotJson(_) if image.is_none() && !json => {
                    Ok(Argument::Path(path.into()))
                }
                ReadError::NotJson(why) => Err(format!(
                    "{shown}: not a vulnerability report: not JSON: {why}"
                )),
                ReadError::NotAReport => Err(format!("{shown}: {e}")),
            }
        }
    }
}

fn read_report_text(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| describe_io_error(&e))?;
    let size = file.metadata().map_err(|e| describe_io_error(&e))?.len();
    if size > MAX_REPORT_BYTES {
        return Err(format!(
            "{} MiB is larger than any report minpriv reads ({} MiB at most)",
            size / (1024 * 1024),
            MAX_REPORT_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| describe_io_error(&e))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// The reports of one file; `image` replaces the images they name.
fn loaded(shown: &str, reports: Vec<VulnReport>, image: Option<ImageRef>) -> Vec<LoadedReport> {
    reports
        .into_iter()
        .map(|mut report| {
            let refs = match &image {
                Some(image) => {
                    report.images = vec![image.normalized()];
                    report.image_ids.clear();
                    vec![image.clone()]
                }
                None => report
                    .images
                    .iter()
                    .filter_map(|i| ImageRef::parse(i))
                    .collect(),
            };
            LoadedReport {
                shown: shown.to_string(),
                report,
                refs,
            }
        })
        .collect()
}

/// A remark for the user.
#[derive(Clone, Debug, Serialize)]
struct Note {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    message: String,
}

impl Note {
    fn about(path: &str, message: String) -> Note {
        Note {
            path: Some(path.to_string()),
            message,
        }
    }
}

/// One container to rank, with where it was read.
struct ContainerInput {
    path: String,
    source: &'static str,
    resource: String,
    container: Option<String>,
    role: ContainerRole,
    posture: Posture,
    /// The engine's image id (`sha256:...`), for live containers.
    image_id: Option<String>,
}

#[derive(Default)]
struct Containers {
    containers: Vec<ContainerInput>,
    notes: Vec<Note>,
    failed: bool,
}

impl Containers {
    fn add_workloads(&mut self, path: &str, workloads: Vec<Workload>) {
        for w in workloads {
            for c in w.containers {
                self.containers.push(ContainerInput {
                    path: path.to_string(),
                    source: w.source.as_str(),
                    resource: w.resource.clone(),
                    container: c.name,
                    role: c.role,
                    posture: c.posture,
                    image_id: None,
                });
            }
        }
    }
}

/// The containers of files and folders, read as `minpriv scan` reads them.
fn static_containers(args: &RiskArgs, paths: &[PathBuf], stdin_taken: bool) -> Containers {
    let mut out = Containers::default();
    let inputs = walk::collect(
        paths,
        WalkOptions {
            no_ignore: args.no_ignore,
            ..WalkOptions::default()
        },
    );
    for (path, reason) in &inputs.errors {
        error(&format!("{path}: {reason}"));
        out.failed = true;
    }
    for (path, message) in inputs.warnings {
        out.notes.push(Note::about(&path, message));
    }
    // Rules run too (the scan's path does both); they are cheap beside reading.
    let profile = Profile::restricted();
    let access = Access::for_paths(paths, false, true);
    let mut outcomes: Vec<Outcome> = inputs
        .files
        .par_iter()
        .map(|candidate| analyze::analyze_file(candidate, &profile, &access))
        .collect();
    if inputs.stdin {
        if stdin_taken {
            error("standard input can be read only once: give `-` once, as a PATH or a REPORT");
            out.failed = true;
        } else {
            let mut bytes = Vec::new();
            let max = analyze::DEFAULT_MAX_FILE_SIZE;
            let mut stdin = std::io::stdin().lock().take(max + 1);
            outcomes.push(match stdin.read_to_end(&mut bytes) {
                Ok(_) => {
                    analyze::analyze_stdin_with(bytes, &profile, &analyze::as_read, max, &access)
                }
                Err(e) => Outcome::Unreadable {
                    path: "-".into(),
                    reason: describe_io_error(&e),
                },
            });
        }
    }
    for outcome in outcomes {
        match outcome {
            Outcome::Scanned { file, notes } => {
                for f in file.findings.iter().filter(|f| f.rule == INVALID_INPUT) {
                    let at = f
                        .span
                        .map(|s| format!(":{}:{}", s.line, s.column))
                        .unwrap_or_default();
                    error(&format!("{}{at}: {}", file.path, f.message));
                    out.failed = true;
                }
                out.notes.extend(notes.into_iter().map(|n| Note {
                    path: n.path,
                    message: n.message,
                }));
                out.add_workloads(&file.path, file.workloads);
            }
            Outcome::NotRecognised => {}
            Outcome::Skipped(n) => out.notes.push(Note {
                path: n.path,
                message: n.message,
            }),
            Outcome::HelmTemplate { chart } => out.notes.push(Note::about(
                &chart,
                "skipped Helm templates: render them and pipe the result in with \
                 `helm template <chart> | minpriv risk --vulns REPORT... -- -`"
                    .into(),
            )),
            Outcome::Unreadable { path, reason } => {
                error(&format!("{path}: {reason}"));
                out.failed = true;
            }
        }
    }
    out
}

/// The containers of the Docker Engine.
fn live_containers(args: &RiskArgs, names: &[PathBuf]) -> Containers {
    let mut out = Containers::default();
    let engine = match Engine::connect() {
        Ok(engine) => engine,
        Err(e) => {
            error(&format!("--docker: {e}"));
            out.failed = true;
            return out;
        }
    };
    let names: Vec<String> = names
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let endpoint = engine.endpoint().to_string();
    match engine.audit_containers(args.all, &names) {
        Ok(audit) => {
            for e in audit.errors {
                error(&format!("{endpoint}: {}", e.message));
                out.failed = true;
            }
            out.notes
                .extend(audit.notes.into_iter().map(|n| Note::about(&endpoint, n)));
            for c in audit.containers {
                let first = out.containers.len();
                out.add_workloads(&endpoint, vec![c.workload]);
                for added in &mut out.containers[first..] {
                    added.image_id = c.image_id.clone();
                }
            }
        }
        Err(e) => {
            error(&format!("{endpoint}: {e}"));
            out.failed = true;
        }
    }
    out
}

/// One ranked container.
struct Row<'a> {
    candidate: &'a ContainerInput,
    assessment: Assessment,
    best_change: Option<BestChange>,
    /// The reports that matched, as indexes into the loaded reports.
    report_indexes: Vec<usize>,
    reports: Vec<&'a str>,
}

/// A container no report matched.
#[derive(Serialize)]
struct Unmatched<'a> {
    path: &'a str,
    resource: &'a str,
    container: Option<&'a str>,
    image: Option<&'a str>,
}

/// Matches containers to reports and assesses each matched one, worst first.
fn rank<'a>(
    containers: &'a [ContainerInput],
    reports: &'a [LoadedReport],
) -> (Vec<Row<'a>>, Vec<Unmatched<'a>>) {
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for c in containers {
        let image = c.posture.image.value.as_deref();
        let parsed = image.and_then(ImageRef::parse);
        let matching: Vec<usize> = reports
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                parsed
                    .as_ref()
                    .is_some_and(|p| r.refs.iter().any(|i| i.matches(p)))
                    || names_image_id(r, image, c.image_id.as_deref())
            })
            .map(|(i, _)| i)
            .collect();
        if matching.is_empty() {
            unmatched.push(Unmatched {
                path: &c.path,
                resource: &c.resource,
                container: c.container.as_deref(),
                image,
            });
            continue;
        }
        let vulns: Vec<Vulnerability> = matching
            .iter()
            .flat_map(|&i| reports[i].report.vulnerabilities.iter().cloned())
            .collect();
        let assessment = risk::assess(&c.posture, &vulns);
        let best_change = risk::best_change(&c.posture, &assessment);
        let mut shown: Vec<&str> = matching
            .iter()
            .map(|&i| reports[i].shown.as_str())
            .collect();
        shown.dedup();
        rows.push(Row {
            candidate: c,
            assessment,
            best_change,
            report_indexes: matching,
            reports: shown,
        });
    }
    rows.sort_by(|a, b| {
        b.assessment
            .score
            .cmp(&a.assessment.score)
            .then_with(|| a.candidate.path.cmp(&b.candidate.path))
            .then_with(|| a.candidate.resource.cmp(&b.candidate.resource))
            .then_with(|| a.candidate.container.cmp(&b.candidate.container))
    });
    (rows, unmatched)
}

/// A container created from an image id (`sha256:...`, or the engine's id of a live container)
/// matches the report of that id; a short id matches as a prefix, as `docker` accepts it.
fn names_image_id(report: &LoadedReport, image: Option<&str>, image_id: Option<&str>) -> bool {
    let ids = &report.report.image_ids;
    let matches = |candidate: &str| {
        let candidate = candidate.trim();
        let hex = candidate.strip_prefix("sha256:").unwrap_or(candidate);
        hex.len() >= 12
            && ids.iter().any(|id| {
                let id_hex = id.strip_prefix("sha256:").unwrap_or(id);
                id_hex.starts_with(&hex.to_ascii_lowercase())
            })
    };
    image_id.is_some_and(matches)
        || image.is_some_and(|i| i.trim().starts_with("sha256:") && matches(i))
}

/// Everything to print.
struct Ranking<'a> {
    rows: &'a [Row<'a>],
    shown: usize,
    unmatched: &'a [Unmatched<'a>],
    unmatched_reports: &'a [&'a LoadedReport],
    notes: &'a [Note],
    quiet: bool,
}

/// Two decimals are all a score of a score needs, and keep JSON free of `9.799999999999999`.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn level_name(score: u8) -> &'static str {
    risk::score_level(score).map_or("none", Severity::as_str)
}

fn container_label(c: &ContainerInput) -> String {
    let name = c.container.as_deref().unwrap_or("-");
    match c.role {
        ContainerRole::Regular => name.to_string(),
        ContainerRole::Init => format!("{name} (init)"),
        ContainerRole::Ephemeral => format!("{name} (ephemeral)"),
    }
}

fn best_change_text(row: &Row<'_>) -> String {
    match &row.best_change {
        Some(b) => format!(
            "{}: score {} → {}, impact {} → {}",
            b.change,
            row.assessment.score,
            b.score_after,
            row.assessment.impact.level,
            b.impact_after
        ),
        None if row.assessment.score == 0 => "none needed: no known vulnerability".into(),
        None if row.assessment.impact.level == Severity::Critical => {
            "no single change: it has more than one way out, close them all".into()
        }
        None => "no single hardening lowers the score: update the image".into(),
    }
}

impl Ranking<'_> {
    fn text(&self) -> String {
        let mut out = String::new();
        let rows: Vec<&Row<'_>> = self.rows.iter().take(self.shown).collect();
        if self.rows.is_empty() {
            out.push_str("no container runs an image that a report names\n");
        } else {
            let header = ["SCORE", "LEVEL", "RESOURCE", "CONTAINER", "IMAGE"];
            let cells: Vec<[String; 5]> = rows
                .iter()
                .map(|r| {
                    let c = r.candidate;
                    [
                        r.assessment.score.to_string(),
                        level_name(r.assessment.score).to_string(),
                        format!("{} {}", c.path, c.resource),
                        container_label(c),
                        c.posture.image.value.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            let mut widths = header.map(str::len);
            for row in &cells {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let line = |cells: [&str; 5]| {
                let mut s = format!("{:>w$}", cells[0], w = widths[0]);
                for (i, cell) in cells.iter().enumerate().skip(1) {
                    s.push_str("  ");
                    if i + 1 == cells.len() {
                        s.push_str(cell);
                    } else {
                        s.push_str(&format!("{cell:<w$}", w = widths[i]));
                    }
                }
                s.push('\n');
                s
            };
            out.push_str(&line(header));
            let indent = " ".repeat(widths[0] + 2);
            for (r, cells) in rows.iter().zip(&cells) {
                out.push_str(&line(cells.each_ref().map(String::as_str)));
                out.push_str(&format!("{indent}why: {}\n", r.assessment.why));
                out.push_str(&format!("{indent}best change: {}\n", best_change_text(r)));
            }
            if rows.len() < self.rows.len() {
                out.push_str(&format!(
                    "... and {} more (--top {})\n",
                    self.rows.len() - rows.len(),
                    self.shown
                ));
            }
        }
        if self.quiet {
            return out;
        }
        if !self.unmatched.is_empty() {
            out.push_str(&format!(
                "\n{} container{} that no report matches:\n",
                self.unmatched.len(),
                if self.unmatched.len() == 1 { "" } else { "s" }
            ));
            for u in self.unmatched {
                out.push_str(&format!(
                    "  {} {} {}: image {}\n",
                    u.path,
                    u.resource,
                    u.container.unwrap_or("-"),
                    u.image.unwrap_or("(none)")
                ));
            }
        }
        for r in self.unmatched_reports {
            out.push_str(&format!(
                "note: {}: no container runs {}\n",
                r.shown,
                r.report.images.first().map_or("its image", String::as_str)
            ));
        }
        for n in self.notes {
            match &n.path {
                Some(p) => out.push_str(&format!("note: {p}: {}\n", n.message)),
                None => out.push_str(&format!("note: {}\n", n.message)),
            }
        }
        out
    }

    fn json(&self) -> Result<String, serde_json::Error> {
        #[derive(Serialize)]
        struct JsonBestChange<'a> {
            change: &'a str,
            step: risk::HardeningStep,
            score_after: u8,
            impact_after: Severity,
        }
        #[derive(Serialize)]
        struct JsonRow<'a> {
            resource: &'a str,
            container: Option<&'a str>,
            image: Option<&'a str>,
            score: u8,
            why: &'a str,
            level: &'static str,
            path: &'a str,
            source: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            role: Option<ContainerRole>,
            likelihood: f64,
            impact: &'a risk::Impact,
            exposure: &'a risk::Exposure,
            vulnerabilities: &'a risk::VulnSummary,
            reports: &'a [&'a str],
            best_change: Option<JsonBestChange<'a>>,
        }
        let ranking: Vec<JsonRow<'_>> = self
            .rows
            .iter()
            .take(self.shown)
            .map(|r| {
                let a = &r.assessment;
                let c = r.candidate;
                JsonRow {
                    resource: &c.resource,
                    container: c.container.as_deref(),
                    image: c.posture.image.value.as_deref(),
                    score: a.score,
                    why: &a.why,
                    level: level_name(a.score),
                    path: &c.path,
                    source: c.source,
                    role: (c.role != ContainerRole::Regular).then_some(c.role),
                    likelihood: round2(a.likelihood),
                    impact: &a.impact,
                    exposure: &a.exposure,
                    vulnerabilities: &a.vulnerabilities,
                    reports: &r.reports,
                    best_change: r.best_change.as_ref().map(|b| JsonBestChange {
                        change: b.change,
                        step: b.step.clone(),
                        score_after: b.score_after,
                        impact_after: b.impact_after,
                    }),
                }
            })
            .collect();
        let mut by_level = std::collections::BTreeMap::new();
        for r in self.rows {
            *by_level
                .entry(level_name(r.assessment.score))
                .or_insert(0usize) += 1;
        }
        #[derive(Serialize)]
        struct JsonUnmatchedReport<'a> {
            report: &'a str,
            images: &'a [String],
        }
        #[derive(Serialize)]
        struct Tool {
            name: &'static str,
            version: &'static str,
        }
        #[derive(Serialize)]
        struct Summary {
            ranked: usize,
            by_level: std::collections::BTreeMap<&'static str, usize>,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            tool: Tool,
            model: &'static str,
            ranking: Vec<JsonRow<'a>>,
            unmatched_containers: &'a [Unmatched<'a>],
            unmatched_reports: Vec<JsonUnmatchedReport<'a>>,
            notes: &'a [Note],
            summary: Summary,
        }
        let doc = Doc {
            version: 1,
            tool: Tool {
                name: "minpriv",
                version: env!("CARGO_PKG_VERSION"),
            },
            model: "score = round(likelihood × impact × exposure); see `minpriv explain risk`",
            ranking,
            unmatched_containers: self.unmatched,
            unmatched_reports: self
                .unmatched_reports
                .iter()
                .map(|r| JsonUnmatchedReport {
                    report: &r.shown,
                    images: &r.report.images,
                })
                .collect(),
            notes: self.notes,
            summary: Summary {
                ranked: self.rows.len(),
                by_level,
            },
        };
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        Ok(text)
    }

    fn markdown(&self) -> String {
        let mut out = String::from("### Risk ranking\n\n");
        let rows: Vec<&Row<'_>> = self.rows.iter().take(self.shown).collect();
        if self.rows.is_empty() {
            out.push_str("No container runs an image that a report names.\n");
        } else {
            out.push_str(
                "| Score | Resource | Container | Image | Why | Best single change |\n\
                 |---:|---|---|---|---|---|\n",
            );
            for r in &rows {
                let c = r.candidate;
                out.push_str(&format!(
                    "| **{}** {} | {} {} | {} | {} | {} | {} |\n",
                    r.assessment.score,
                    level_name(r.assessment.score),
                    code(&c.resource),
                    code(&c.path),
                    escape_text(&container_label(c)),
                    c.posture
                        .image
                        .value
                        .as_deref()
                        .map(code)
                        .unwrap_or_default(),
                    escape_text(&r.assessment.why),
                    escape_text(&best_change_text(r)),
                ));
            }
            if rows.len() < self.rows.len() {
                out.push_str(&format!("\n… and {} more.\n", self.rows.len() - rows.len()));
            }
        }
        if !self.quiet && !self.unmatched.is_empty() {
            out.push_str(&format!(
                "\n{} container{} that no report matches.\n",
                self.unmatched.len(),
                if self.unmatched.len() == 1 { "" } else { "s" }
            ));
        }
        out.push_str("\nScore = likelihood × impact × exposure (`minpriv explain risk`).\n");
        out
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

//! The risk ranking behind `minpriv risk --vulns REPORT... [PATH...|--docker]`: containers
//! matched to the vulnerability reports of their images and ranked by the harm a known
//! vulnerability can do, given the privileges they run with.
//!
//! The workloads come from the same path a scan takes ([`analyze::analyze_file`] for files, the
//! engine's audit for live containers), the reports from [`minpriv_readers::vulns`], the score
//! and the best single change from [`minpriv_model::risk`]. This module matches the two by
//! image; [`minpriv_report::risk`] writes the result.
//!
//! Nothing here prints: what the command line reports as errors (an unreadable report, an input
//! that does not parse) is returned in order, as `errors`, and makes the ranking incomplete.

use crate::analyze::{self, INVALID_INPUT, Outcome};
use crate::resolver::Access;
use crate::walk::{self, WalkOptions, describe_io_error};
use minpriv_engine::Engine;
use minpriv_model::risk::{self, Vulnerability};
use minpriv_model::{ImageRef, Workload};
use minpriv_readers::vulns::{self, ReadError, VulnReport};
use minpriv_report::fleet::RepositoryScan;
use minpriv_report::html::RiskRow;
use minpriv_report::risk::{
    RankedContainer, Ranking, RiskContainer, RiskNote, UnmatchedContainer, UnmatchedReport,
};
use minpriv_rules::Profile;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Larger reports are refused: a Trivy report of a large image is tens of MiB.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// What to rank: the arguments of `minpriv risk`.
#[derive(Clone, Copy, Debug)]
pub struct RiskOptions<'a> {
    /// The values after `--vulns`: reports, `IMAGE=REPORT`, `-` for standard input, and
    /// values that turn out to be paths to scan (see [`load_reports`]).
    pub vulns: &'a [String],
    /// The files and folders to read containers from; with `docker`, the containers to rank
    /// (names, ids or id prefixes).
    pub paths: &'a [PathBuf],
    /// Rank the containers of the Docker Engine instead of files.
    pub docker: bool,
    /// With `docker`: stopped and created containers too.
    pub all: bool,
    /// Also read files that `.gitignore` and the like leave out.
    pub no_ignore: bool,
}

/// A ranking and what went wrong on the way to it.
#[derive(Debug, Default)]
pub struct RiskOutcome {
    /// The ranking of what could be read.
    pub ranking: Ranking,
    /// Reports and inputs that could not be read or used, as messages in the order they were
    /// met; any makes the ranking incomplete (the command line exits with 2).
    pub errors: Vec<String>,
}

/// Reads the reports and the containers, matches them and ranks the matched containers.
pub fn rank_containers(options: RiskOptions<'_>) -> RiskOutcome {
    let Reports {
        reports,
        paths: more_paths,
        stdin_taken,
        mut notes,
        mut errors,
    } = load_reports(options.vulns, options.docker);
    let mut paths = options.paths.to_vec();
    paths.extend(more_paths);

    let inputs = if options.docker {
        live_containers(options.all, &paths)
    } else {
        static_containers(&paths, options.no_ignore, stdin_taken)
    };
    errors.extend(inputs.errors);
    notes.extend(inputs.notes);

    let (rows, unmatched_containers, used) = rank(inputs.containers, &reports);
    let unmatched_reports = reports
        .iter()
        .zip(used)
        .filter(|(r, used)| r.names_an_image() && !used)
        .map(|(r, _)| UnmatchedReport {
            report: r.shown.clone(),
            images: r.report.images.clone(),
        })
        .collect();
    RiskOutcome {
        ranking: Ranking {
            rows,
            unmatched_containers,
            unmatched_reports,
            notes,
        },
        errors,
    }
}

/// The values after `--vulns`, read.
#[derive(Debug, Default)]
pub struct Reports {
    /// The reports, in the order given (a file may hold several).
    pub reports: Vec<LoadedReport>,
    /// Values that are not reports: paths to scan (or, with --docker, container names).
    pub paths: Vec<PathBuf>,
    /// A report was read from standard input, so no input can be.
    pub stdin_taken: bool,
    /// The readers' remarks.
    pub notes: Vec<RiskNote>,
    /// Values that could not be read, and reports that name no image, in order.
    pub errors: Vec<String>,
}

/// Reads the values after `--vulns`. Only a JSON document in one of the report formats is a
/// report; a folder, or a file that is neither (YAML, `docker inspect` output), is a path to
/// scan, as is, with `docker`, a value that names no file (a container).
pub fn load_reports(values: &[String], docker: bool) -> Reports {
    let mut out = Reports::default();
    for value in values {
        match classify(value, docker, &mut out.stdin_taken) {
            Ok(Argument::Reports(loaded)) => out.reports.extend(loaded),
            Ok(Argument::Path(path)) => out.paths.push(path),
            Err(message) => out.errors.push(message),
        }
    }
    for report in &out.reports {
        for note in &report.report.notes {
            out.notes.push(RiskNote::about(&report.shown, note.clone()));
        }
        if !report.names_an_image() {
            out.errors.push(format!(
                "{}: the report names no image; say which it is with --vulns IMAGE={}",
                report.shown, report.shown
            ));
        }
    }
    out
}

/// The risk ranking of the containers `minpriv report` read, for its HTML page, and the
/// reports that could not be read or used (the command line exits with 2).
pub fn html_rows(vulns: &[String], scans: &[RepositoryScan]) -> (Vec<RiskRow>, Vec<String>) {
    if vulns.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut loaded = load_reports(vulns, false);
    for path in &loaded.paths {
        loaded.errors.push(format!(
            "--vulns {}: {}",
            path.display(),
            ReadError::NotAReport
        ));
    }
    let mut containers = Containers::default();
    for scan in scans {
        for file in &scan.report.files {
            containers.add_workloads(&file.path, file.workloads.clone());
        }
    }
    let (rows, _, _) = rank(containers.containers, &loaded.reports);
    (minpriv_report::risk::html_rows(&rows), loaded.errors)
}

/// A report as read, with the name it was given on the command line.
#[derive(Clone, Debug)]
pub struct LoadedReport {
    /// The path as given (`-` for standard input).
    pub shown: String,
    /// The report; with `IMAGE=REPORT`, its images are replaced by IMAGE.
    pub report: VulnReport,
    /// The images it names (or the one IMAGE=REPORT names), parsed.
    pub refs: Vec<ImageRef>,
}

impl LoadedReport {
    /// False when nothing could match it (a scan of a folder, Docker Scout's SARIF).
    pub fn names_an_image(&self) -> bool {
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

/// The containers to rank, read from files or an engine.
#[derive(Debug, Default)]
pub struct Containers {
    /// In the order they were read.
    pub containers: Vec<RiskContainer>,
    /// The readers' and the engine's remarks.
    pub notes: Vec<RiskNote>,
    /// Inputs that could not be read or parsed, in order.
    pub errors: Vec<String>,
}

impl Containers {
    fn add_workloads(&mut self, path: &str, workloads: Vec<Workload>) {
        for w in workloads {
            for c in w.containers {
                self.containers.push(RiskContainer {
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

/// The containers of files and folders, read as `minpriv scan` reads them. `-` among the paths
/// reads standard input, unless a report was read from it already (`stdin_taken`).
pub fn static_containers(paths: &[PathBuf], no_ignore: bool, stdin_taken: bool) -> Containers {
    let mut out = Containers::default();
    let inputs = walk::collect(
        paths,
        WalkOptions {
            no_ignore,
            ..WalkOptions::default()
        },
    );
    for (path, reason) in &inputs.errors {
        out.errors.push(format!("{path}: {reason}"));
    }
    for (path, message) in inputs.warnings {
        out.notes.push(RiskNote::about(&path, message));
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
            out.errors.push(
                "standard input can be read only once: give `-` once, as a PATH or a REPORT".into(),
            );
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
                    out.errors.push(format!("{}{at}: {}", file.path, f.message));
                }
                out.notes.extend(notes.into_iter().map(|n| RiskNote {
                    path: n.path,
                    message: n.message,
                }));
                out.add_workloads(&file.path, file.workloads);
            }
            Outcome::NotRecognised => {}
            Outcome::Skipped(n) => out.notes.push(RiskNote {
                path: n.path,
                message: n.message,
            }),
            Outcome::HelmTemplate { chart } => out.notes.push(RiskNote::about(
                &chart,
                "skipped Helm templates: render them and pipe the result in with \
                 `helm template <chart> | minpriv risk --vulns REPORT... -- -`"
                    .into(),
            )),
            Outcome::Unreadable { path, reason } => {
                out.errors.push(format!("{path}: {reason}"));
            }
        }
    }
    out
}

/// The containers of the Docker Engine: the running ones, every one with `all`, or those
/// `names` names. Each carries its image id, which reports may name instead of an image.
pub fn live_containers(all: bool, names: &[PathBuf]) -> Containers {
    let mut out = Containers::default();
    let engine = match Engine::connect() {
        Ok(engine) => engine,
        Err(e) => {
            out.errors.push(format!("--docker: {e}"));
            return out;
        }
    };
    let names: Vec<String> = names
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let endpoint = engine.endpoint().to_string();
    match engine.audit_containers(all, &names) {
        Ok(audit) => {
            for e in audit.errors {
                out.errors.push(format!("{endpoint}: {}", e.message));
            }
            out.notes.extend(
                audit
                    .notes
                    .into_iter()
                    .map(|n| RiskNote::about(&endpoint, n)),
            );
            for c in audit.containers {
                let first = out.containers.len();
                out.add_workloads(&endpoint, vec![c.workload]);
                for added in &mut out.containers[first..] {
                    added.image_id = c.image_id.clone();
                }
            }
        }
        Err(e) => out.errors.push(format!("{endpoint}: {e}")),
    }
    out
}

/// Matches containers to reports and assesses each matched one. Returns the matched ones worst
/// first, the others in the order given, and for each report whether it matched any.
pub fn rank(
    containers: Vec<RiskContainer>,
    reports: &[LoadedReport],
) -> (Vec<RankedContainer>, Vec<UnmatchedContainer>, Vec<bool>) {
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    let mut used = vec![false; reports.len()];
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
            unmatched.push(UnmatchedContainer {
                path: c.path,
                resource: c.resource,
                container: c.container,
                image: c.posture.image.value,
            });
            continue;
        }
        let vulns: Vec<Vulnerability> = matching
            .iter()
            .flat_map(|&i| reports[i].report.vulnerabilities.iter().cloned())
            .collect();
        let assessment = risk::assess(&c.posture, &vulns);
        let best_change = risk::best_change(&c.posture, &assessment);
        let mut shown: Vec<String> = matching.iter().map(|&i| reports[i].shown.clone()).collect();
        shown.dedup();
        for &i in &matching {
            used[i] = true;
        }
        rows.push(RankedContainer {
            container: c,
            assessment,
            best_change,
            reports: shown,
        });
    }
    rows.sort_by(|a, b| {
        b.assessment
            .score
            .cmp(&a.assessment.score)
            .then_with(|| a.container.path.cmp(&b.container.path))
            .then_with(|| a.container.resource.cmp(&b.container.resource))
            .then_with(|| a.container.container.cmp(&b.container.container))
    });
    (rows, unmatched, used)
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

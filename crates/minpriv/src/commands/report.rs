//! `minpriv report`: scan many repositories at once and show how far each has adopted least
//! privilege — as one self-contained HTML page (`--html FILE`) and as numbers on standard output
//! (`--format text|json`).
//!
//! Each folder directly inside a PATH is one repository; files lying directly in a PATH form a
//! repository named after the PATH. Every repository is scanned under its own policy (its
//! nearest minpriv.toml, with its excludes and waivers) unless `--config` or `--no-config` says
//! otherwise, because in an organisation each team owns its exceptions.

use crate::args::{ReportArgs, SummaryFormat};
use crate::atomic;
use crate::status::{ExitStatus, error, write_stdout};
use minpriv_model::Severity;
use minpriv_report::fleet::{self, Fleet, Practice, RepositoryScan};
use minpriv_scan::analyze::{self, Outcome};
use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, Settings};
use minpriv_scan::kustomize;
use minpriv_scan::pipeline::assemble;
use minpriv_scan::resolver::Access;
use minpriv_scan::walk::{self, Candidate, WalkOptions, describe_io_error};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One repository before it is scanned.
struct Repository {
    /// As shown: the PATH joined with the folder's name.
    name: String,
    /// Where its configuration is looked for.
    folder: PathBuf,
    files: Vec<Candidate>,
}

/// Runs `minpriv report` and returns the exit status.
pub fn run(args: &ReportArgs) -> ExitStatus {
    let mut failed = false;
    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut repositories = Vec::new();
    for root in &roots {
        match repositories_in(root, args.no_ignore) {
            Ok(found) => repositories.extend(found),
            Err(message) => {
                error(&message);
                failed = true;
            }
        }
    }

    let flags = PolicyFlags {
        profile: args.profile.as_deref(),
        pss_version: args.selection.pss_version,
        only: &args.selection.choice.rules,
        skip: &args.selection.choice.skip,
        fail_on: None,
        min_severity: args.min_severity.map(Severity::from),
    };
    let mut settings = Vec::with_capacity(repositories.len());
    for repository in &mut repositories {
        let source = args.configuration.source(&repository.folder);
        let loaded = Settings::load(source, flags).or_else(|errors| {
            // A broken minpriv.toml in one repository must not hide the others: report it and
            // scan that repository under the defaults.
            for message in &errors {
                error(&format!("{}: {message}", repository.name));
            }
            failed = true;
            Settings::load(ConfigSource::Ignore, flags)
        });
        match loaded {
            Ok(loaded) => {
                loaded.exclude(&mut repository.files);
                settings.push(loaded);
            }
            // Only an unknown --profile fails here, for every repository alike.
            Err(errors) => {
                for message in &errors {
                    error(message);
                }
                return ExitStatus::Error;
            }
        }
    }

    // Kustomize trees, per repository: their overlays rendered, findings placed in the files
    // that set them.
    let access: Vec<Access> = repositories
        .iter()
        .map(|r| Access::for_paths(std::slice::from_ref(&r.folder), false, true))
        .collect();
    let mut by_repository: Vec<Vec<Outcome>> = Vec::with_capacity(repositories.len());
    let mut kustomize_notes = Vec::new();
    for (i, repository) in repositories.iter_mut().enumerate() {
        let kustomized = kustomize::take(
            &mut repository.files,
            &access[i],
            &args.kustomize.options(),
            &settings[i].profile,
            &analyze::as_read,
        );
        by_repository.push(kustomized.outcomes);
        kustomize_notes.push(kustomized.notes);
    }

    // All files of all repositories in one parallel pass: repositories differ wildly in size.
    let work: Vec<(usize, &Candidate)> = repositories
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.files.iter().map(move |c| (i, c)))
        .collect();
    let outcomes: Vec<(usize, Outcome)> = work
        .par_iter()
        .map(|&(i, candidate)| {
            let outcome = analyze::analyze_file(candidate, &settings[i].profile, &access[i]);
            (i, outcome)
        })
        .collect();
    for (i, outcome) in outcomes {
        by_repository[i].push(outcome);
    }

    let mut scans = Vec::new();
    for (((repository, outcomes), settings), notes) in repositories
        .into_iter()
        .zip(by_repository)
        .zip(&settings)
        .zip(kustomize_notes)
    {
        let (mut report, unreadable) = assemble(outcomes, notes);
        for (path, reason) in &unreadable {
            error(&format!("{path}: {reason}"));
        }
        failed |= !unreadable.is_empty();
        settings.apply(&mut report, std::slice::from_ref(&repository.folder));
        failed |= report
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .any(|f| f.rule == analyze::INVALID_INPUT && f.suppressed.is_none());
        for file in &mut report.files {
            file.findings
                .retain(|f| f.severity >= settings.min_severity);
        }
        // A folder without a single configuration file is no container repository.
        if report.files.is_empty() && report.errors.is_empty() {
            continue;
        }
        scans.push(RepositoryScan {
            name: repository.name,
            report,
        });
    }

    let fleet = fleet::compute(&scans);
    if let Some(path) = &args.html {
        let (risk, risk_errors) = minpriv_scan::risk::html_rows(&args.vulns, &scans);
        for message in &risk_errors {
            error(message);
        }
        failed |= !risk_errors.is_empty();
        let page = minpriv_report::html::render_with_risk(&scans, &fleet, &risk);
        if let Err(err) = atomic::write(path, page.as_bytes()) {
            error(&format!(
                "cannot write the HTML report to {}: {}",
                path.display(),
                describe_io_error(&err)
            ));
            return ExitStatus::Error;
        }
    }
    let summary = match args.format {
        SummaryFormat::Json => match fleet::to_json(&scans, &fleet) {
            Ok(json) => json,
            Err(err) => {
                error(&format!("cannot render the JSON report: {err}"));
                return ExitStatus::Error;
            }
        },
        SummaryFormat::Text => text_summary(&scans, &fleet, args.html.as_deref()),
    };
    let written = match &args.output {
        Some(path) => atomic::write(path, summary.as_bytes()).map_err(|err| {
            format!(
                "cannot write the report to {}: {}",
                path.display(),
                describe_io_error(&err)
            )
        }),
        None => write_stdout(&summary).map_err(|err| {
            format!(
                "cannot write to standard output: {}",
                describe_io_error(&err)
            )
        }),
    };
    if let Err(message) = written {
        error(&message);
        return ExitStatus::Error;
    }
    if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Clean
    }
}

/// The repositories under `root`: its files walked once (so .gitignore files apply as in
/// `minpriv scan`), each in the repository of the nearest folder at or below `root` that holds
/// `.git` (a clone, a work tree, a submodule), else in `root`'s own: one git work tree is one
/// repository, however many folders it has.
fn repositories_in(root: &Path, no_ignore: bool) -> Result<Vec<Repository>, String> {
    let shown_root = walk::display(root, false);
    if let Err(err) = std::fs::metadata(root) {
        return Err(format!("{shown_root}: {}", describe_io_error(&err)));
    }
    let inputs = walk::collect(
        &[root.to_path_buf()],
        WalkOptions {
            no_ignore,
            ..WalkOptions::default()
        },
    );
    for (path, reason) in &inputs.errors {
        error(&format!("{path}: {reason}"));
    }
    let mut is_repository: HashMap<PathBuf, bool> = HashMap::new();
    let mut groups: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    for candidate in inputs.files {
        let folder = repository_of(root, &candidate.path, &mut is_repository);
        groups.entry(folder).or_default().push(candidate);
    }
    Ok(groups
        .into_iter()
        .map(|(folder, files)| Repository {
            name: if folder == root {
                shown_root.clone()
            } else {
                walk::display(&folder, false)
            },
            folder,
            files,
        })
        .collect())
}

/// The nearest folder holding `path`, below `root`, that holds `.git`; else `root`.
fn repository_of(root: &Path, path: &Path, known: &mut HashMap<PathBuf, bool>) -> PathBuf {
    for folder in path.ancestors().skip(1) {
        if folder == root || !folder.starts_with(root) || folder.as_os_str().is_empty() {
            break;
        }
        let holds_git = *known
            .entry(folder.to_path_buf())
            .or_insert_with(|| folder.join(".git").exists());
        if holds_git {
            return folder.to_path_buf();
        }
    }
    root.to_path_buf()
}

/// The text format: one row per repository, then the whole fleet.
fn text_summary(scans: &[RepositoryScan], fleet: &Fleet, html: Option<&Path>) -> String {
    let names: Vec<&str> = scans.iter().map(|s| s.name.as_str()).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .chain(["REPOSITORY".len(), "all repositories".len()])
        .max()
        .unwrap_or_default();
    let headers = [
        "NON-ROOT",
        "DROP-ALL",
        "NO-NEW-PRIV",
        "READ-ONLY",
        "NO-HOST-NS",
    ];
    let mut out = format!(
        "{:<width$}  {:>10}  {:>8}",
        "REPOSITORY", "CONTAINERS", "FINDINGS"
    );
    for header in headers {
        let _ = write!(out, "  {header:>11}");
    }
    out.push('\n');
    let mut row = |name: &str, stats: &fleet::Stats| {
        let _ = write!(
            out,
            "{name:<width$}  {:>10}  {:>8}",
            stats.containers,
            stats.findings.total()
        );
        for practice in Practice::ALL {
            let cell = stats
                .adoption_of(practice)
                .percent()
                .map_or("n/a".to_string(), |p| format!("{p:.1}%"));
            let _ = write!(out, "  {cell:>11}");
        }
        out.push('\n');
    };
    for (name, stats) in names.iter().zip(&fleet.repositories) {
        row(name, stats);
    }
    row("all repositories", &fleet.overall);
    let _ = writeln!(
        out,
        "\n{} in {}.",
        plural_of(fleet.overall.containers, "container", "containers"),
        plural_of(scans.len(), "repository", "repositories")
    );
    if let Some(html) = html {
        let _ = writeln!(out, "HTML report: {}", html.display());
    }
    out
}

fn plural_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_group_the_walked_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |rel: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, "FROM alpine:3.20\n").unwrap_or_else(|e| panic!("{e}"));
        };
        write("shop/Dockerfile");
        write("shop/deploy/Dockerfile");
        write("tools/Dockerfile");
        write("tools/ci/Dockerfile");
        write("Dockerfile");
        // shop is a clone, tools/ci a work tree (a `.git` file); tools is a plain folder.
        std::fs::create_dir_all(dir.path().join("shop/.git")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("tools/ci/.git"),
            "gitdir: ../../.git/worktrees/ci\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let repositories = repositories_in(dir.path(), false).unwrap_or_default();
        let summary: Vec<(String, usize)> = repositories
            .iter()
            .map(|r| {
                let name = Path::new(&r.name)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (name, r.files.len())
            })
            .collect();
        let root_name = dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(
            summary,
            [(root_name, 2), ("shop".into(), 2), ("ci".into(), 1)]
        );
        // One work tree is one repository, whatever its folders.
        let tree = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for rel in [
            ".github/workflows/ci.yml",
            "k8s/deploy.yaml",
            "scripts/run.sh",
        ] {
            let path = tree.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(tree.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, "docker run --privileged img:1\n")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir_all(tree.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
        let repositories = repositories_in(tree.path(), false).unwrap_or_default();
        assert_eq!(repositories.len(), 1);
        assert_eq!(repositories[0].files.len(), 3);
        assert!(repositories_in(&dir.path().join("missing"), false).is_err());
    }
}

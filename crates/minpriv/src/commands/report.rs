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
use crate::status::{ExitStatus, error, warn, write_stdout};
use minpriv_model::Severity;
use minpriv_report::fleet::{self, Fleet, Practice, RepositoryScan};
use minpriv_report::history::History;
use minpriv_scan::analyze::{self, Outcome};
use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, Settings};
use minpriv_scan::pipeline::assemble;
use minpriv_scan::resolver::Access;
use minpriv_scan::revision::{self, ReadOptions, RevisionPath};
use minpriv_scan::walk::{self, Candidate, WalkOptions, describe_io_error};
use minpriv_scan::{git, history, kustomize};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// One repository before it is scanned.
struct Repository {
    /// As shown: the PATH joined with the folder's name.
    name: String,
    /// Where its configuration is looked for.
    folder: PathBuf,
    /// Its files on disk (none for a repository read from git's objects).
    files: Vec<Candidate>,
    /// A git repository (a work tree or a bare mirror): it has a history.
    git: bool,
    /// Read from git's objects at this revision rather than from the disk.
    revision: Option<String>,
    /// The revision the user asked for (`--rev`, `PATH@REV`): the branch its history follows,
    /// instead of the default branch.
    asked: Option<String>,
}

/// Runs `minpriv report` and returns the exit status.
pub fn run(args: &ReportArgs) -> ExitStatus {
    let mut failed = false;
    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // Checked before any work: a history that cannot be sampled is a usage error.
    let points = if args.history {
        match history_points(args) {
            Ok(points) => Some(points),
            Err(message) => {
                error(&message);
                return ExitStatus::Error;
            }
        }
    } else {
        None
    };
    let mut repositories = Vec::new();
    for root in &roots {
        // `PATH@REV`: the repositories under PATH at REV, as --rev reads them all.
        let (root, revision) = match revision::split_revision(root) {
            Some(named) => (named.path, Some(named.revision)),
            None => (root.clone(), args.rev.clone()),
        };
        match repositories_in(&root, args.no_ignore) {
            Ok(mut found) => {
                for repository in &mut found {
                    if let (true, Some(revision)) = (repository.git, &revision) {
                        repository.revision = Some(revision.clone());
                        repository.asked = Some(revision.clone());
                        repository.files.clear();
                    }
                }
                repositories.extend(found);
            }
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

    let progress = Progress::new(
        repositories.iter().filter(|r| r.revision.is_some()).count()
            + points
                .as_ref()
                .map_or(0, |_| repositories.iter().filter(|r| r.git).count()),
    );
    // Repositories read from git's objects, each in parallel inside: a repository that cannot
    // be read is a line of the report, not a failed run.
    let from_objects: Vec<(usize, Result<Vec<Outcome>, String>)> = repositories
        .par_iter()
        .enumerate()
        .filter_map(|(i, repository)| {
            let revision = repository.revision.as_deref()?;
            let read = read_from_objects(repository, revision, &settings[i], args.no_ignore);
            progress.tick(&repository.name);
            Some((i, read))
        })
        .collect();
    let mut unreadable_repositories: HashMap<usize, String> = HashMap::new();
    for (i, read) in from_objects {
        match read {
            Ok(outcomes) => by_repository[i].extend(outcomes),
            Err(reason) => {
                warn(&format!("{}: not read: {reason}", repositories[i].name));
                unreadable_repositories.insert(i, reason);
            }
        }
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

    // The history, before the repositories are consumed.
    let history = points.map(|points| {
        let subjects: Vec<history::Subject<'_>> = repositories
            .iter()
            .enumerate()
            .filter(|(_, r)| r.git)
            .map(|(i, r)| history::Subject {
                name: r.name.clone(),
                folder: r.folder.clone(),
                revision: r.asked.clone(),
                settings: &settings[i],
            })
            .collect();
        let options = ReadOptions {
            no_ignore: args.no_ignore,
            ..ReadOptions::default()
        };
        let tick = |name: &str| progress.tick(name);
        history::sample(&subjects, &points, &args.every, options, &tick)
    });
    progress.finish();
    if let Some(history) = &history {
        for (name, reason) in &history.errors {
            warn(&format!("{name}: no history: {reason}"));
        }
    }

    let mut scans = Vec::new();
    for (i, (((repository, outcomes), settings), notes)) in repositories
        .into_iter()
        .zip(by_repository)
        .zip(&settings)
        .zip(kustomize_notes)
        .enumerate()
    {
        if let Some(reason) = unreadable_repositories.remove(&i) {
            scans.push(RepositoryScan {
                name: repository.name,
                error: Some(reason),
                ..RepositoryScan::default()
            });
            continue;
        }
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
        // A folder without a single configuration file is no container repository, unless
        // its history has some.
        let has_history = history
            .as_ref()
            .is_some_and(|h| h.repositories.iter().any(|r| r.name == repository.name));
        if report.files.is_empty() && report.errors.is_empty() && !has_history {
            continue;
        }
        scans.push(RepositoryScan {
            name: repository.name,
            report,
            error: None,
        });
    }

    let fleet = fleet::compute(&scans);
    if let Some(path) = &args.html {
        let (risk, risk_errors) = minpriv_scan::risk::html_rows(&args.vulns, &scans);
        for message in &risk_errors {
            error(message);
        }
        failed |= !risk_errors.is_empty();
        let page =
            minpriv_report::html::render_with_history(&scans, &fleet, &risk, history.as_ref());
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
        SummaryFormat::Json => match json_summary(&scans, &fleet, history.as_ref()) {
            Ok(json) => json,
            Err(err) => {
                error(&format!("cannot render the JSON report: {err}"));
                return ExitStatus::Error;
            }
        },
        SummaryFormat::Text => {
            let mut text = text_summary(&scans, &fleet, args.html.as_deref());
            if let Some(history) = &history {
                text.push_str(&history_summary(history));
            }
            text
        }
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

/// The points of `--history`, oldest first.
fn history_points(args: &ReportArgs) -> Result<Vec<i64>, String> {
    let now = history::now()?;
    let since = args
        .since
        .as_deref()
        .map(|since| history::parse_since(since, now))
        .transpose()?;
    history::sample_points(now, since, &args.every)
}

/// The files of `repository` as of `revision`, from git's objects, shown as `NAME/path`.
fn read_from_objects(
    repository: &Repository,
    revision: &str,
    settings: &Settings,
    no_ignore: bool,
) -> Result<Vec<Outcome>, String> {
    let named = RevisionPath {
        path: repository.folder.clone(),
        revision: revision.to_string(),
    };
    let keep = |path: &Path| !settings.excludes(path);
    let options = ReadOptions {
        no_ignore,
        ..ReadOptions::default()
    };
    revision::read_path(
        &named,
        false,
        &keep,
        &settings.profile,
        &analyze::as_read,
        options,
    )
    .map(|read| read.outcomes)
}

/// `fleet::to_json`, with the history under `history` when there is one.
fn json_summary(
    scans: &[RepositoryScan],
    fleet: &Fleet,
    history: Option<&History>,
) -> serde_json::Result<String> {
    let json = fleet::to_json(scans, fleet)?;
    let Some(history) = history else {
        return Ok(json);
    };
    // Appended to the object as printed, so that the fleet's keys keep their order.
    let history = serde_json::to_string_pretty(&minpriv_report::history::to_value(history))?;
    let Some(open) = json.trim_end().strip_suffix('}') else {
        return Ok(json);
    };
    let mut text = open.trim_end().to_string();
    text.push_str(",\n  \"history\": ");
    for (i, line) in history.lines().enumerate() {
        if i > 0 {
            text.push_str("\n  ");
        }
        text.push_str(line);
    }
    text.push_str("\n}\n");
    Ok(text)
}

/// The text format's history: the fleet's adoption at each point, then the regressions.
fn history_summary(history: &History) -> String {
    let mut out = format!("\nHistory (every {}):\n", history.every);
    let _ = write!(out, "{:<10}  {:>10}", "DATE", "CONTAINERS");
    for header in PRACTICE_HEADERS {
        let _ = write!(out, "  {header:>11}");
    }
    out.push('\n');
    for (point, stats) in history.points.iter().zip(&history.overall) {
        let _ = write!(out, "{:<10}  {:>10}", point.date, stats.containers);
        out.push_str(&adoption_cells(stats));
    }
    let _ = writeln!(
        out,
        "\n{} gave a container privilege:",
        plural_of(history.regressions.len(), "commit", "commits")
    );
    const SHOWN: usize = 20;
    for event in history.regressions.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "  {} {} {} {} ({})",
            event.date,
            event.repository,
            &event.commit[..event.commit.len().min(12)],
            event.summary,
            event.author
        );
        for container in &event.containers {
            for change in &container.changes {
                let at = container.line.map(|l| format!(":{l}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    + {}{at} {}: {change}",
                    container.path, container.resource
                );
            }
        }
    }
    if history.regressions.len() > SHOWN {
        let _ = writeln!(
            out,
            "  ... and {} more (see --format json or --html)",
            history.regressions.len() - SHOWN
        );
    }
    out
}

/// A progress bar on standard error when it is a terminal: one step per repository read from
/// git's objects or sampled.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(steps: usize) -> Progress {
        if steps < 2 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(steps as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} repositories {wide_bar} {elapsed} {msg}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn tick(&self, name: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(name.to_string());
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The repositories under `root`: its files walked once (so .gitignore files apply as in
/// `minpriv scan`), each in the repository of the nearest folder at or below `root` that holds
/// `.git` (a clone, a work tree, a submodule), else in `root`'s own: one git work tree is one
/// repository, however many folders it has. Bare repositories (mirrors) are not walked: they
/// are read from their objects at HEAD. Every work tree is listed, even one with no file to
/// read today: its history may have some.
fn repositories_in(root: &Path, no_ignore: bool) -> Result<Vec<Repository>, String> {
    let shown_root = walk::display(root, false);
    if let Err(err) = std::fs::metadata(root) {
        return Err(format!("{shown_root}: {}", describe_io_error(&err)));
    }
    if git::is_bare_repository(root) {
        return Ok(vec![Repository {
            name: shown_root,
            folder: root.to_path_buf(),
            files: Vec::new(),
            git: true,
            revision: Some("HEAD".to_string()),
            asked: None,
        }]);
    }
    let inputs = walk::collect(
        &[root.to_path_buf()],
        WalkOptions {
            no_ignore,
            find_repositories: true,
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
    for work_tree in inputs.work_trees {
        groups.entry(work_tree).or_default();
    }
    let mut repositories: Vec<Repository> = groups
        .into_iter()
        .map(|(folder, files)| Repository {
            name: if folder == root {
                shown_root.clone()
            } else {
                walk::display(&folder, false)
            },
            git: folder.join(".git").exists(),
            folder,
            files,
            revision: None,
            asked: None,
        })
        .collect();
    repositories.extend(
        inputs
            .bare_repositories
            .into_iter()
            .map(|folder| Repository {
                name: walk::display(&folder, false),
                folder,
                files: Vec::new(),
                git: true,
                revision: Some("HEAD".to_string()),
                asked: None,
            }),
    );
    repositories.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(repositories)
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
    let headers = PRACTICE_HEADERS;
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
        out.push_str(&adoption_cells(stats));
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

/// The adoption of each practice in `stats`, as the text tables' cells (`66.7%`, `n/a`), and a
/// newline.
fn adoption_cells(stats: &fleet::Stats) -> String {
    let mut cells = String::new();
    for practice in Practice::ALL {
        let cell = stats
            .adoption_of(practice)
            .percent()
            .map_or("n/a".to_string(), |p| format!("{p:.1}%"));
        let _ = write!(cells, "  {cell:>11}");
    }
    cells.push('\n');
    cells
}

/// The practices' column headers, in [`Practice::ALL`]'s order.
const PRACTICE_HEADERS: [&str; 5] = [
    "NON-ROOT",
    "DROP-ALL",
    "NO-NEW-PRIV",
    "READ-ONLY",
    "NO-HOST-NS",
];

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

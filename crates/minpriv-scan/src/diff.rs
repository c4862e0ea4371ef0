//! What `minpriv diff OLD NEW` and `minpriv diff --git REV1 REV2` compare: which containers
//! gained privilege.
//!
//! Both sides are read through the scanner's own analysis path (format detection, readers,
//! the same postures), from two folders or from two git revisions held in memory. Containers
//! are matched by path, resource and container name; each container of NEW is compared with its
//! match in OLD by [`compare`], and a container with no match is compared with nothing,
//! so everything it holds counts as growth.
//!
//! The privilege rules of `scan` also run on both sides, so that "diff passes" never means "scan
//! has a new finding": each growth lists the rules that report it, and a new finding that no
//! growth names is reported as a growth of its own ([`Growth::NewFinding`]). The
//! reporters of `minpriv-report` print the [`DiffOutcome`]..
use crate::analyze::{self, INVALID_INPUT, Outcome};
use crate::git::{self, Repository};
use crate::kustomize::{self, KustomizeOptions};
use crate::resolver::Access;
use crate::revision::{self, ReadOptions};
use crate::walk::{self, WalkOptions};
use minpriv_model::growth::{
    Change, ContainerKey, DiffOutcome, Grown, Growth, PrivilegeView, compare, is_privilege_rule,
};
use minpriv_model::{Container, Finding, Workload};
use minpriv_report::FileResult;
use minpriv_rules::{Profile, all_rules};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One container of one side.
#[derive(Debug)]
pub struct Record {
    key: ContainerKey,
    /// Where the container is written, in its file.
    line: Option<u32>,
    view: PrivilegeView,
    /// Privilege rules with a finding on the container, each with its first message and the
    /// line it points at.
    fired: BTreeMap<&'static str, (String, Option<u32>)>,
    /// Privilege rules that privileged mode silences here and that would fire without it.
    /// Taking privileged mode away does not grow what those findings name, so on the old side
    /// they count as found.
    masked: BTreeMap<&'static str, (String, Option<u32>)>,
}

/// One side, read.
#[derive(Debug, Default)]
pub struct Side {
    /// Its containers.
    pub records: Vec<Record>,
    /// Problems, each a line for `error: ...`.
    pub errors: Vec<String>,
    /// The side could not be read at all (no such folder, no such revision): comparing with it
    /// would report everything on the other side as new, or as removed.
    pub unreadable: bool,
}

/// A profile that runs no rule: `diff` needs the postures, not findings; parse errors are still
/// reported, as `invalid-input`.
fn no_rules() -> Profile {
    let mut profile = Profile::restricted();
    for rule in all_rules() {
        // Every id comes from the registry itself, so this cannot fail.
        let _ = profile.disable(rule.info().id);
    }
    profile
}

/// Reads every file under `root` as `scan` would (no ignore files: both sides alike), Kustomize
/// overlays rendered as `kustomize` says.
pub fn read_folder(root: &Path, kustomize: &KustomizeOptions) -> Side {
    let mut side = Side::default();
    if !root.is_dir() {
        side.errors
            .push(format!("{}: not a folder", root.display()));
        side.unreadable = true;
        return side;
    }
    let mut inputs = walk::collect(&[root.to_path_buf()], WalkOptions::default());
    side.errors.extend(
        inputs
            .errors
            .iter()
            .map(|(path, reason)| format!("{path}: {reason}")),
    );
    let profile = no_rules();
    let access = Access::for_paths(&[root.to_path_buf()], false, true);
    // Rendered overlays: their containers are compared as deployed, in the files that set them.
    let kustomized = kustomize::take(
        &mut inputs.files,
        &access,
        kustomize,
        &profile,
        &analyze::as_read,
    );
    let shown_root = walk::display(root, false);
    let relative_to_root = |shown: &str| {
        shown
            .strip_prefix(&shown_root)
            .map(|rest| rest.trim_start_matches('/').to_string())
            .unwrap_or_else(|| shown.to_string())
    };
    for outcome in kustomized.outcomes {
        if let Outcome::Scanned { file, .. } = outcome {
            add_file(&mut side, &relative_to_root(&file.path), &file);
        }
    }
    let analysed: Vec<(String, Outcome)> = inputs
        .files
        .par_iter()
        .map(|candidate| {
            let relative = candidate
                .path
                .strip_prefix(root)
                .unwrap_or(&candidate.path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (
                relative,
                analyze::analyze_file(candidate, &profile, &access),
            )
        })
        .collect();
    for (relative, outcome) in analysed {
        match outcome {
            Outcome::Scanned { file, .. } => add_file(&mut side, &relative, &file),
            Outcome::Unreadable { path, reason } => side.errors.push(format!("{path}: {reason}")),
            Outcome::NotRecognised | Outcome::Skipped(_) | Outcome::HelmTemplate { .. } => {}
        }
    }
    side
}

/// Reads every file of `revision` in the git repository `repo`, from git's objects, as `scan
/// --rev` reads it. A revision with Kustomize overlays to render is written out to a temporary
/// folder first (Kustomize reads files) and read as a folder.
pub fn read_revision(repo: &Path, revision: &str, kustomize: &KustomizeOptions) -> Side {
    let failed = |message: String| Side {
        errors: vec![message],
        unreadable: true,
        ..Side::default()
    };
    let opened = Repository::open(repo).and_then(|r| r.commit(revision).map(|c| (r, c)));
    let (repository, commit) = match opened {
        Ok(opened) => opened,
        Err(message) => return failed(message),
    };
    let tree = match repository.tree(commit.tree) {
        Ok(tree) => tree,
        Err(message) => return failed(message),
    };
    if kustomize.render
        && tree
            .entries
            .iter()
            .any(|e| kustomize::is_kustomization_file(Path::new(&e.path)))
    {
        return read_revision_as_folder(&repository, revision, &tree, kustomize);
    }
    let profile = no_rules();
    // Shown as `REV:path`, the way git names a file of a revision.
    let shown = |path: &str| format!("{revision}:{path}");
    let read = revision::read_tree(
        &repository,
        &tree,
        &shown,
        &|_| true,
        &profile,
        &analyze::as_read,
        ReadOptions::default(),
        None,
    );
    let mut side = Side::default();
    match read {
        Ok(read) => {
            for file in read.files {
                match file.outcome {
                    Outcome::Scanned { file: result, .. } => {
                        add_file(&mut side, &file.path, &result);
                    }
                    Outcome::Unreadable { path, reason } => {
                        side.errors.push(format!("{path}: {reason}"));
                    }
                    Outcome::NotRecognised | Outcome::Skipped(_) | Outcome::HelmTemplate { .. } => {
                    }
                }
            }
        }
        Err(message) => return failed(message),
    }
    side
}

/// [`read_revision`] of a revision with Kustomize overlays: its files written out under a
/// temporary folder, read with [`read_folder`], errors named `REV:path`.
fn read_revision_as_folder(
    repo: &Repository,
    revision: &str,
    tree: &git::Tree,
    kustomize: &KustomizeOptions,
) -> Side {
    let failed = |message: String| Side {
        errors: vec![message],
        unreadable: true,
        ..Side::default()
    };
    let folder = match tempfile::Builder::new().prefix("minpriv-diff-").tempdir() {
        Ok(folder) => folder,
        Err(e) => return failed(format!("a temporary folder for {revision}: {e}")),
    };
    let blobs = repo.blobs();
    for entry in &tree.entries {
        // Git paths are relative and never climb; one that did would leave the folder.
        let relative = Path::new(&entry.path);
        if !relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            continue;
        }
        let Some(bytes) = blobs.read_at_most(entry.oid, git::MAX_BLOB_BYTES) else {
            continue;
        };
        let path = folder.path().join(relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        if let Err(e) = written {
            return failed(format!("writing {revision}:{} out: {e}", entry.path));
        }
    }
    let mut side = read_folder(folder.path(), kustomize);
    let shown = walk::display(folder.path(), false);
    for message in &mut side.errors {
        if let Some(rest) = message.strip_prefix(&shown) {
            *message = format!("{revision}:{}", rest.trim_start_matches('/'));
        }
    }
    side
}

/// The containers of `file` (at `relative` in its side) as records, its parse errors as
/// messages.
pub fn records_of(relative: &str, file: &FileResult) -> Side {
    let mut side = Side::default();
    add_file(&mut side, relative, file);
    side
}

fn add_file(side: &mut Side, relative: &str, file: &FileResult) {
    for finding in file.findings.iter().filter(|f| f.rule == INVALID_INPUT) {
        let at = finding
            .span
            .map(|s| format!(":{}:{}", s.line, s.column))
            .unwrap_or_default();
        side.errors
            .push(format!("{}{at}: {}", file.path, finding.message));
    }
    // Containers with the same resource and name in one file are told apart by their order.
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    for workload in &file.workloads {
        let findings = privilege_findings(workload);
        for container in &workload.containers {
            let ordinal = seen
                .entry((workload.resource.clone(), container.name.clone()))
                .or_default();
            let key = ContainerKey {
                path: relative.to_string(),
                resource: workload.resource.clone(),
                container: container.name.clone(),
                ordinal: *ordinal,
            };
            side.records
                .push(record(key, workload, container, &findings));
            *ordinal += 1;
        }
    }
}

/// The record of `container` of `workload`; `findings` are the workload's privilege findings
/// ([`privilege_findings`]), computed once for all its containers.
fn record(
    key: ContainerKey,
    workload: &Workload,
    container: &Container,
    findings: &[Finding],
) -> Record {
    let masked = if container.posture.privileged.value {
        // The same workload with this container out of privileged mode.
        let mut lifted = workload.clone();
        for c in &mut lifted.containers {
            if c.name == container.name {
                c.posture.privileged.value = false;
            }
        }
        fired_on(&privilege_findings(&lifted), container)
    } else {
        BTreeMap::new()
    };
    Record {
        key,
        line: container.posture.anchor.or(workload.span).map(|s| s.line),
        view: PrivilegeView::of(workload.source, &container.posture),
        fired: fired_on(findings, container),
        masked,
    }
}

/// The findings of the privilege rules on `workload`, as `scan` runs them with the default
/// profile (without suppressions: a growth is reported whether or not its finding is waived),
/// Pod Security's controls included.
fn privilege_findings(workload: &Workload) -> Vec<Finding> {
    let mut profile = Profile::restricted();
    for rule in all_rules() {
        let id = rule.info().id;
        if !is_privilege_rule(id) {
            let _ = profile.disable(id);
        }
    }
    minpriv_rules::check_workloads(std::slice::from_ref(workload), &profile)
}

/// The rules of `findings` that fired on `container`, with their first message. Pod-level
/// findings of a Kubernetes pod (a hostPath volume nobody mounts) count on each container.
fn fired_on(
    findings: &[Finding],
    container: &Container,
) -> BTreeMap<&'static str, (String, Option<u32>)> {
    let mut fired = BTreeMap::new();
    for finding in findings {
        if finding.container.is_none() || finding.container == container.name {
            fired
                .entry(finding.rule)
                .or_insert_with(|| (finding.message.clone(), finding.span.map(|s| s.line)));
        }
    }
    fired
}

/// Compares the sides container by container.
pub fn diff(old: Vec<Record>, new: Vec<Record>) -> DiffOutcome {
    let mut outcome = DiffOutcome::default();
    let mut before: HashMap<ContainerKey, Record> =
        old.into_iter().map(|r| (r.key.clone(), r)).collect();
    for record in new {
        let was = before.remove(&record.key);
        if was.is_some() {
            outcome.compared += 1;
        } else {
            outcome.added += 1;
        }
        if let Some(was) = &was {
            // What the old side had that the new one has not: privilege taken away.
            let lost: Vec<Change> = compare(Some(&record.view), &was.view)
                .into_iter()
                .map(|growth| Change {
                    growth,
                    rules: Vec::new(),
                    line: None,
                })
                .collect();
            if !lost.is_empty() {
                outcome.shrunk.push(Grown {
                    key: record.key.clone(),
                    line: record.line,
                    is_new: false,
                    growth: lost,
                });
            }
        }
        let growth = changes(was.as_ref(), &record);
        if !growth.is_empty() {
            outcome.grown.push(Grown {
                key: record.key,
                line: record.line,
                is_new: was.is_none(),
                growth,
            });
        }
    }
    outcome.removed = before.len();
    // In file order: by path, then where the container is written.
    let order = |g: &Grown| (g.key.path.clone(), g.line, g.key.clone());
    outcome.grown.sort_by_key(order);
    outcome.shrunk.sort_by_key(order);
    outcome
}

/// The growths of one container, each with the rules that report it, then every new finding
/// no growth names.
fn changes(was: Option<&Record>, now: &Record) -> Vec<Change> {
    let mut changes: Vec<Change> = compare(was.map(|r| &r.view), &now.view)
        .into_iter()
        .map(|growth| {
            let rules: Vec<&'static str> = growth
                .rules()
                .into_iter()
                .filter(|rule| now.fired.contains_key(rule))
                .collect();
            // Where the change is written: the first line its findings point at.
            let line = rules.iter().filter_map(|r| now.fired[r].1).min();
            Change {
                growth,
                rules,
                line,
            }
        })
        .collect();
    let found_before =
        |rule: &str| was.is_some_and(|r| r.fired.contains_key(rule) || r.masked.contains_key(rule));
    for (rule, (message, line)) in &now.fired {
        let named = changes.iter().any(|c| c.rules.contains(rule));
        if !named && !found_before(rule) {
            changes.push(Change {
                growth: Growth::NewFinding {
                    rule,
                    message: message.clone(),
                },
                rules: vec![rule],
                line: *line,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{
        CapSpec, Capability, ContainerRole, Located, Mount, MountKind, Posture, Runtime, Seccomp,
        Source,
    };

    fn docker_run(posture: Posture) -> Record {
        let container = Container {
            name: None,
            role: ContainerRole::Regular,
            posture,
        };
        let workload = Workload {
            source: Source::DockerRun,
            resource: "command".into(),
            span: None,
            containers: vec![container.clone()],
            pod: None,
        };
        let key = ContainerKey {
            path: "run.sh".into(),
            resource: "command".into(),
            container: None,
            ordinal: 0,
        };
        record(key, &workload, &container, &privilege_findings(&workload))
    }

    fn hardened() -> Posture {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = Located::written(Some("1000".into()), None);
        p.cap_drop = vec![Located::written(CapSpec::All, None)];
        p.no_new_privileges = Located::written(true, None);
        p.read_only_rootfs = Located::written(true, None);
        p
    }

    fn kinds(changes: &[Change]) -> Vec<&'static str> {
        changes.iter().map(|c| c.growth.kind()).collect()
    }

    #[test]
    fn each_growth_lists_the_rules_that_report_it_on_the_new_side() {
        let mut wide = hardened();
        wide.cap_add = vec![Located::written(CapSpec::Cap(Capability::SYS_PTRACE), None)];
        wide.mounts = vec![Mount {
            kind: MountKind::Bind,
            host_path: Some("/srv/data".into()),
            container_path: Some("/data".into()),
            read_only: false,
            span: None,
        }];
        let changes = changes(Some(&docker_run(hardened())), &docker_run(wide));
        let listed: Vec<(&str, Vec<&str>)> = changes
            .iter()
            .map(|c| (c.growth.kind(), c.rules.clone()))
            .collect();
        assert_eq!(
            listed,
            [
                ("bounding-capabilities", vec!["dangerous-cap-added"]),
                ("host-mount", vec![]),
            ],
            "caps-not-dropped does not fire (ALL is dropped); /srv/data is no sensitive path"
        );
    }

    #[test]
    fn a_new_finding_no_growth_names_is_a_growth_of_its_own() {
        let old = docker_run(hardened());
        let mut new = docker_run(hardened());
        // Stands for a rule the comparison does not know yet.
        new.fired
            .insert("host-port", ("binds hostPort 80".into(), Some(9)));
        let changes = changes(Some(&old), &new);
        assert_eq!(
            changes[0].growth,
            Growth::NewFinding {
                rule: "host-port",
                message: "binds hostPort 80".into()
            }
        );
        assert_eq!(changes[0].rules, ["host-port"]);
        assert!(changes[0].growth.effective());
    }

    #[test]
    fn findings_of_a_privileged_container_are_not_new_when_privileged_goes() {
        let mut unconfined = hardened();
        unconfined.seccomp = Located::written(Seccomp::Unconfined, None);
        let mut privileged = unconfined.clone();
        privileged.privileged = Located::written(true, None);
        let old = docker_run(privileged);
        let new = docker_run(unconfined);
        assert!(new.fired.contains_key("seccomp-unconfined"));
        // Every control on its own: privileged mode does not silence it.
        assert!(old.fired.contains_key("seccomp-unconfined"));
        assert!(kinds(&changes(Some(&old), &new)).is_empty());
    }
}

//! One commit of a repository read as `scan` reads a checkout of it, straight from git's
//! objects: the same ignore files (as of that commit), the same recognition of files, Compose
//! `.env` files and build contexts resolved inside the commit.
//!
//! A [`Cache`] keeps each file's reading by path and blob id, so that reading many commits of
//! one history costs what changed between them: a file is read again only when its blob, or a
//! file its reader looked up beside it, differs.

use crate::analyze::{self, Blob, Outcome, Prepare};
use crate::git::{self, GitResolver, ObjectId, Repository, TreeEntry, normal_path};
use minpriv_readers::Format;
use minpriv_readers::detect::name_may_be_read;
use minpriv_rules::Profile;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How to read a commit.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    /// Read files that the commit's ignore files exclude too.
    pub no_ignore: bool,
    /// Compose interpolation sees the process environment.
    pub environment: bool,
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            no_ignore: false,
            environment: true,
            max_file_size: analyze::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// One file of a commit, read.
#[derive(Debug)]
pub struct ReadFile {
    /// Its path in the commit.
    pub path: String,
    /// Its blob.
    pub oid: ObjectId,
    /// What came of it.
    pub outcome: Outcome,
}

/// A commit, read.
#[derive(Debug, Default)]
pub struct ReadCommit {
    /// Every file that may be an input, by path.
    pub files: Vec<ReadFile>,
    /// Remarks: ignore files that could not be parsed, as `(path, message)`.
    pub warnings: Vec<(String, String)>,
}

/// Readings of files by path and blob, shared by the commits of one repository (one profile).
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<(String, ObjectId), Arc<Cached>>>,
    hits: std::sync::atomic::AtomicUsize,
}

/// A file's reading, and the files its reader looked up with their blobs then.
struct Cached {
    file: minpriv_report::FileResult,
    notes: Vec<minpriv_report::Note>,
    asked: Vec<(String, Option<ObjectId>)>,
}

impl Cache {
    /// How many readings were reused.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, ObjectId), Arc<Cached>>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(
        &self,
        path: &str,
        oid: ObjectId,
        files: &HashMap<String, ObjectId>,
    ) -> Option<Arc<Cached>> {
        let cached = Arc::clone(self.lock().get(&(path.to_string(), oid))?);
        let unchanged = cached
            .asked
            .iter()
            .all(|(asked, was)| files.get(asked) == was.as_ref());
        if unchanged {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(cached)
        } else {
            None
        }
    }
}

/// Reads the commit whose root tree is `tree`. `shown` turns a path of the commit into the path
/// to show; `keep` says whether a path is read at all (a policy's excludes).
///
/// # Errors
/// When the tree cannot be listed.
#[allow(clippy::too_many_arguments)]
pub fn read_commit(
    repo: &Repository,
    tree: ObjectId,
    shown: &(dyn Fn(&str) -> String + Sync),
    keep: &(dyn Fn(&str) -> bool + Sync),
    profile: &Profile,
    prepare: Prepare<'_>,
    options: ReadOptions,
    cache: Option<&Cache>,
) -> Result<ReadCommit, String> {
    let tree = repo.tree(tree)?;
    read_tree(repo, &tree, shown, keep, profile, prepare, options, cache)
}

/// [`read_commit`] of a tree already listed.
#[allow(clippy::too_many_arguments)]
pub fn read_tree(
    repo: &Repository,
    tree: &git::Tree,
    shown: &(dyn Fn(&str) -> String + Sync),
    keep: &(dyn Fn(&str) -> bool + Sync),
    profile: &Profile,
    prepare: Prepare<'_>,
    options: ReadOptions,
    cache: Option<&Cache>,
) -> Result<ReadCommit, String> {
    let index = GitResolver::index(&tree.entries);
    let all_paths: HashSet<&str> = tree.entries.iter().map(|e| e.path.as_str()).collect();
    let (entries, warnings) = if options.no_ignore {
        (tree.entries.clone(), Vec::new())
    } else {
        let blobs = repo.blobs();
        git::without_ignored(tree.entries.clone(), |entry, limit| {
            blobs.read_at_most(entry.oid, limit)
        })
    };
    let patches = kustomize_patches(repo, &entries);
    let named = named_formats(repo, &entries);
    let wanted: Vec<&TreeEntry> = entries
        .iter()
        .filter(|e| {
            (name_may_be_read(Path::new(&e.path)) || named.contains_key(&e.path))
                && keep(&e.path)
                && !patches.contains(&e.path)
        })
        .collect();
    let files = wanted
        .par_iter()
        .map_init(
            || repo.blobs(),
            |blobs, entry| ReadFile {
                path: entry.path.clone(),
                oid: entry.oid,
                outcome: read_entry(
                    repo,
                    blobs,
                    entry,
                    named.get(&entry.path).copied(),
                    &index,
                    &all_paths,
                    shown,
                    profile,
                    prepare,
                    options,
                    cache,
                ),
            },
        )
        .collect();
    Ok(ReadCommit {
        files,
        warnings: warnings
            .into_iter()
            .map(|(path, message)| (shown(&path), message))
            .collect(),
    })
}

/// The files that the commit's kustomizations name as patches: parts of objects, never objects
/// of their own (as `scan` leaves them out of a checkout's walk). Overlays are not rendered at a
/// revision; this keeps their patches from being read as workloads.
fn kustomize_patches(repo: &Repository, entries: &[TreeEntry]) -> HashSet<String> {
    let blobs = repo.blobs();
    let mut patches = HashSet::new();
    for entry in entries {
        let path = Path::new(&entry.path);
        if !crate::kustomize::is_kustomization_file(path) {
            continue;
        }
        let Some(text) = blobs
            .read_at_most(entry.oid, analyze::DEFAULT_MAX_FILE_SIZE)
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            continue;
        };
        let Ok(kustomization) = crate::kustomize::parse_file(path, entry.path.clone(), text) else {
            continue;
        };
        for patch in kustomization.patch_files() {
            if let Some(normal) = normal_path(patch) {
                patches.insert(normal);
            }
        }
    }
    patches
}

/// The files whose format another file of the commit decides, as the disk walk finds them: the
/// Kubernetes YAML of a Quadlet `.kube` unit (`Yaml=`), and what a `.gitlab-ci.yml` includes
/// locally (`include: local:`, wildcards too, also from included files; at most GitLab's 150).
fn named_formats(repo: &Repository, entries: &[TreeEntry]) -> HashMap<String, Format> {
    use crate::walk::gitlab_includes::{
        MAX_INCLUDES, MAX_PATTERN_BYTES, Wildcard, is_gitlab_ci_root,
    };
    let blobs = repo.blobs();
    let by_path: HashMap<&str, ObjectId> =
        entries.iter().map(|e| (e.path.as_str(), e.oid)).collect();
    let text_of = |path: &str| -> Option<String> {
        let bytes = blobs.read_at_most(*by_path.get(path)?, analyze::DEFAULT_MAX_FILE_SIZE)?;
        String::from_utf8(bytes).ok()
    };
    let folder_of = |path: &str| path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
    let mut named = HashMap::new();
    for entry in entries.iter().filter(|e| e.path.ends_with(".kube")) {
        let Some(text) = text_of(&entry.path) else {
            continue;
        };
        let folder = folder_of(&entry.path);
        for (yaml, _) in minpriv_readers::quadlet::kube_yaml_files(&text) {
            if Path::new(&yaml).is_absolute() {
                continue;
            }
            if let Some(path) = normal_path(&Path::new(&folder).join(&yaml))
                && by_path.contains_key(path.as_str())
            {
                named.insert(path, Format::Kubernetes);
            }
        }
    }
    for root in entries
        .iter()
        .filter(|e| is_gitlab_ci_root(Path::new(&e.path)))
    {
        let folder = folder_of(&root.path);
        let mut seen: HashSet<String> = HashSet::from([root.path.clone()]);
        let mut queue = std::collections::VecDeque::from([root.path.clone()]);
        while let Some(current) = queue.pop_front() {
            let Some(text) = text_of(&current) else {
                continue;
            };
            for include in minpriv_readers::command_line::gitlab_local_includes(&text) {
                if include.path.contains('$') || include.path.len() > MAX_PATTERN_BYTES {
                    continue;
                }
                let pattern = include.path.trim_start_matches('/');
                let in_folder = |relative: &str| normal_path(&Path::new(&folder).join(relative));
                let files: Vec<String> = if pattern.contains('*') {
                    let wildcard = Wildcard::new(pattern);
                    let prefix = if folder.is_empty() {
                        String::new()
                    } else {
                        format!("{folder}/")
                    };
                    entries
                        .iter()
                        .filter_map(|e| e.path.strip_prefix(&prefix))
                        .filter(|relative| wildcard.matches(relative))
                        .filter_map(in_folder)
                        .collect()
                } else {
                    in_folder(pattern).into_iter().collect()
                };
                for path in files {
                    if seen.len() > MAX_INCLUDES {
                        break;
                    }
                    if by_path.contains_key(path.as_str()) && seen.insert(path.clone()) {
                        named.insert(path.clone(), Format::GitlabCi);
                        queue.push_back(path);
                    }
                }
            }
        }
    }
    named
}

#[allow(clippy::too_many_arguments)]
fn read_entry(
    repo: &Repository,
    blobs: &git::Blobs,
    entry: &TreeEntry,
    format: Option<Format>,
    index: &HashMap<String, ObjectId>,
    all_paths: &HashSet<&str>,
    shown: &(dyn Fn(&str) -> String + Sync),
    profile: &Profile,
    prepare: Prepare<'_>,
    options: ReadOptions,
    cache: Option<&Cache>,
) -> Outcome {
    let shown_path = shown(&entry.path);
    // A file whose format another file decides (a `.kube` unit's YAML) is not cached: the same
    // blob may be named in one commit and not in the next.
    let cache = cache.filter(|_| format.is_none());
    if let Some(cached) = cache.and_then(|c| c.get(&entry.path, entry.oid, index)) {
        let mut file = cached.file.clone();
        file.path.clone_from(&shown_path);
        let mut notes = cached.notes.clone();
        for note in &mut notes {
            if note.path.is_some() {
                note.path = Some(shown_path.clone());
            }
        }
        return Outcome::Scanned { file, notes };
    }
    let size = match blobs.size(entry.oid) {
        Ok(size) => size,
        Err(reason) => {
            return Outcome::Unreadable {
                path: shown_path,
                reason,
            };
        }
    };
    let blob = Blob {
        shown: &shown_path,
        path: Path::new(&entry.path),
        size,
        format,
        helm_chart: helm_chart_of(&entry.path, all_paths).map(|chart| {
            if chart.is_empty() {
                shown("").trim_end_matches('/').to_string()
            } else {
                shown(&chart)
            }
        }),
    };
    let resolver = GitResolver::new(repo, index, &entry.path, options.environment);
    let outcome = analyze::analyze_blob(
        &blob,
        || blobs.read(entry.oid),
        &resolver,
        profile,
        prepare,
        options.max_file_size,
    );
    let asked = resolver.asked();
    if let (Some(cache), Outcome::Scanned { file, notes }) = (cache, &outcome)
        // A reader that listed a folder depends on which files are in it, which the paths
        // asked for cannot tell: not kept.
        && !asked.iter().any(|(path, _)| path.ends_with('*'))
    {
        cache.lock().insert(
            (entry.path.clone(), entry.oid),
            Arc::new(Cached {
                file: file.clone(),
                notes: notes.clone(),
                asked,
            }),
        );
    }
    outcome
}

/// A path named with a revision: `PATH@REV`, or PATH with `--rev REV`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionPath {
    /// The repository, or a folder inside its work tree, as named.
    pub path: std::path::PathBuf,
    /// The revision.
    pub revision: String,
}

/// `PATH@REV` split, when PATH is an existing folder and `PATH@REV` itself does not exist: the
/// form of `pip install git+URL@REV`. A file named `a@b` is a file.
pub fn split_revision(path: &Path) -> Option<RevisionPath> {
    if path.exists() {
        return None;
    }
    let text = path.to_str()?;
    let (folder, revision) = text.rsplit_once('@')?;
    let folder = if folder.is_empty() { "." } else { folder };
    (!revision.is_empty() && Path::new(folder).is_dir()).then(|| RevisionPath {
        path: folder.into(),
        revision: revision.to_string(),
    })
}

/// A folder read at a revision for `scan`.
#[derive(Debug)]
pub struct ReadPath {
    /// Its files' outcomes, shown as `scan` shows the same files of a checkout.
    pub outcomes: Vec<Outcome>,
    /// Remarks, as `(path, message)`: which commit was read, ignore files not parsed.
    pub warnings: Vec<(String, String)>,
    /// The commit read.
    pub commit: git::Commit,
}

/// Reads the files under `named.path` (a repository, or a folder of its work tree) as of
/// `named.revision`, shown as `scan` would show them in a checkout: `PATH/file`, or `file` when
/// `implicit` (no path named). `keep` is given the file's place on disk in a checkout (for a
/// policy's excludes).
///
/// # Errors
/// When the folder is in no repository, the revision does not exist, or its tree is damaged.
#[allow(clippy::too_many_arguments)]
pub fn read_path(
    named: &RevisionPath,
    implicit: bool,
    keep: &(dyn Fn(&Path) -> bool + Sync),
    profile: &Profile,
    prepare: Prepare<'_>,
    options: ReadOptions,
) -> Result<ReadPath, String> {
    // A folder that is a repository's top is that repository, even a broken one; only a folder
    // inside a work tree looks upwards.
    let repo = if git::is_repository(&named.path) {
        Repository::open_top(&named.path)?
    } else {
        Repository::open(&named.path)?
    };
    let commit = repo.commit(&named.revision)?;
    // A folder inside a work tree reads only its part of the commit.
    let inside = match repo.work_tree() {
        Some(top) => {
            let top = std::fs::canonicalize(&top).unwrap_or(top);
            let here = std::fs::canonicalize(&named.path).unwrap_or_else(|_| named.path.clone());
            here.strip_prefix(&top)
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default()
        }
        None => String::new(),
    };
    let prefix = if inside.is_empty() {
        String::new()
    } else {
        format!("{inside}/")
    };
    let shown_folder = crate::walk::display(&named.path, false);
    let shown = |path: &str| {
        let rest = path.strip_prefix(&prefix).unwrap_or(path);
        if implicit {
            rest.to_string()
        } else {
            format!("{}/{rest}", shown_folder.trim_end_matches('/'))
        }
    };
    let keep_path = |path: &str| {
        path.starts_with(&prefix)
            && keep(&named.path.join(path.strip_prefix(&prefix).unwrap_or(path)))
    };
    let read = read_commit(
        &repo,
        commit.tree,
        &shown,
        &keep_path,
        profile,
        prepare,
        options,
        None,
    )?;
    let mut warnings = read.warnings;
    warnings.insert(
        0,
        (
            if implicit {
                ".".to_string()
            } else {
                shown_folder.clone()
            },
            format!(
                "read as of {} (commit {}, {}), from git's objects: changes not committed there \
                 are not seen",
                named.revision,
                commit.short(),
                minpriv_report::history::date_of(commit.time)
            ),
        ),
    );
    if read
        .files
        .iter()
        .any(|f| crate::kustomize::is_kustomization_file(Path::new(&f.path)))
    {
        warnings.push((
            if implicit {
                ".".to_string()
            } else {
                shown_folder
            },
            "Kustomize overlays are not rendered when reading a revision: their resources are \
             read as files and their patches left out (scan a checkout to render them)"
                .to_string(),
        ));
    }
    Ok(ReadPath {
        outcomes: read.files.into_iter().map(|f| f.outcome).collect(),
        warnings,
        commit,
    })
}

/// The chart folder (from the top, `""` for the top) when `path` is a Helm chart's template:
/// under a `templates` folder whose parent holds `Chart.yaml`, as the scanner judges files on
/// disk.
pub fn helm_chart_of(path: &str, paths: &HashSet<&str>) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    (0..parts.len().saturating_sub(1)).find_map(|i| {
        if parts[i] != "templates" {
            return None;
        }
        let chart = parts[..i].join("/");
        let chart_yaml = if chart.is_empty() {
            "Chart.yaml".to_string()
        } else {
            format!("{chart}/Chart.yaml")
        };
        paths.contains(chart_yaml.as_str()).then_some(chart)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_support::git;

    /// The users of the Compose services of `tree`, read through `cache`.
    fn users(repo: &Repository, tree: ObjectId, cache: &Cache) -> Vec<String> {
        let read = read_commit(
            repo,
            tree,
            &|p: &str| p.to_string(),
            &|_| true,
            &Profile::restricted(),
            &analyze::as_read,
            ReadOptions {
                environment: false,
                ..ReadOptions::default()
            },
            Some(cache),
        )
        .expect("read");
        read.files
            .iter()
            .filter_map(|f| match &f.outcome {
                Outcome::Scanned { file, .. } => Some(file),
                _ => None,
            })
            .flat_map(|f| &f.workloads)
            .flat_map(|w| &w.containers)
            .map(|c| format!("{:?}", c.posture.user.value))
            .collect()
    }

    #[test]
    fn a_cached_reading_is_reused_only_while_its_file_and_what_it_looked_up_are_unchanged() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let top = dir.path();
        git(top, &["init", "-q", "-b", "main"]);
        std::fs::write(
            top.join("compose.yaml"),
            "services:\n  web:\n    image: nginx:1\n    user: ${WEB_USER}\n",
        )
        .expect("file");
        std::fs::write(top.join(".env"), "WEB_USER=10001\n").expect("file");
        std::fs::write(top.join("Dockerfile"), "FROM scratch\nUSER 10001\n").expect("file");
        // Committed, but ignored by the commit's own .gitignore: a checkout's walk skips it.
        std::fs::write(top.join(".gitignore"), "generated/\n").expect("file");
        std::fs::create_dir(top.join("generated")).expect("folder");
        std::fs::write(top.join("generated/pod.yaml"), "kind: Pod\n").expect("file");
        git(top, &["add", "."]);
        git(top, &["add", "-f", "generated/pod.yaml"]);
        git(top, &["commit", "-q", "-m", "one"]);
        std::fs::write(top.join("README.md"), "docs\n").expect("file");
        git(top, &["add", "."]);
        git(top, &["commit", "-q", "-m", "docs only"]);
        std::fs::write(top.join(".env"), "WEB_USER=0\n").expect("file");
        git(top, &["add", "."]);
        git(top, &["commit", "-q", "-m", "root by .env"]);

        let repo = Repository::open(top).expect("opens");
        let tree = |rev: &str| repo.commit(rev).expect("commit").tree;
        let read = |no_ignore: bool| -> Vec<String> {
            let options = ReadOptions {
                no_ignore,
                ..ReadOptions::default()
            };
            let read = read_commit(
                &repo,
                tree("HEAD"),
                &|p: &str| p.to_string(),
                &|_| true,
                &Profile::restricted(),
                &analyze::as_read,
                options,
                None,
            );
            let files = read.expect("read").files;
            files
                .into_iter()
                .filter(|f| matches!(f.outcome, Outcome::Scanned { .. }))
                .map(|f| f.path)
                .collect()
        };
        assert_eq!(read(false), ["Dockerfile", "compose.yaml"]);
        assert_eq!(
            read(true),
            ["Dockerfile", "compose.yaml", "generated/pod.yaml"]
        );
        let cache = Cache::default();
        let first = users(&repo, tree("HEAD~2"), &cache);
        assert_eq!(cache.hits(), 0);
        // Nothing minpriv reads changed: both files come from the cache, with the same result.
        assert_eq!(users(&repo, tree("HEAD~1"), &cache), first);
        assert_eq!(cache.hits(), 2);
        // The .env the Compose file looked up changed: it is read again, the Dockerfile is not.
        let last = users(&repo, tree("HEAD"), &cache);
        assert_eq!(cache.hits(), 3);
        assert_ne!(last, first, "the new .env decides the user");
    }

    #[test]
    fn files_another_file_names_are_read_as_it_says() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let top = dir.path();
        git(top, &["init", "-q", "-b", "main"]);
        let files = [
            ("units/web.kube", "[Kube]\nYaml=../play/pod.conf\n"),
            (
                "play/pod.conf",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    \
                 - name: c\n      image: x:1\n      securityContext:\n        privileged: true\n",
            ),
            (".gitlab-ci.yml", "include:\n  - local: ci/*.yml\n"),
            ("ci/jobs.yml", "include:\n  - local: /ci/more/deploy.yml\n"),
            (
                "ci/more/deploy.yml",
                "deploy:\n  script:\n    - docker run --privileged alpine:3.20 true\n",
            ),
        ];
        for (path, text) in files {
            let path = top.join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
            std::fs::write(path, text).expect("file");
        }
        git(top, &["add", "."]);
        git(top, &["commit", "-q", "-m", "one"]);
        let repo = Repository::open(top).expect("opens");
        let read = read_commit(
            &repo,
            repo.commit("HEAD").expect("commit").tree,
            &|p: &str| p.to_string(),
            &|_| true,
            &Profile::restricted(),
            &analyze::as_read,
            ReadOptions::default(),
            Some(&Cache::default()),
        )
        .expect("read");
        let privileged: Vec<String> = read
            .files
            .iter()
            .filter_map(|f| match &f.outcome {
                Outcome::Scanned { file, .. } => Some(file),
                _ => None,
            })
            .filter(|file| file.findings.iter().any(|f| f.rule == "privileged"))
            .map(|file| file.path.clone())
            .collect();
        assert_eq!(privileged, ["ci/more/deploy.yml", "play/pod.conf"]);
    }

    #[test]
    fn helm_templates_are_recognised_by_their_chart() {
        let paths: HashSet<&str> = [
            "charts/web/Chart.yaml",
            "Chart.yaml",
            "other/templates/x.yaml",
        ]
        .into_iter()
        .collect();
        assert_eq!(
            helm_chart_of("charts/web/templates/deploy.yaml", &paths).as_deref(),
            Some("charts/web")
        );
        assert_eq!(
            helm_chart_of("templates/pod.yaml", &paths).as_deref(),
            Some("")
        );
        assert_eq!(helm_chart_of("other/templates/x.yaml", &paths), None);
        assert_eq!(helm_chart_of("charts/web/values.yaml", &paths), None);
    }
}

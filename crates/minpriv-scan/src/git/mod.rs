//! Reading a git repository's commits straight from its objects, in-process with gitoxide: no
//! checkout, no temporary folder and no `git` process per file, so a bare mirror reads like a
//! work tree and a hundred commits of a repository cost what their changed files cost.
//!
//! The repository is opened isolated: neither the user's nor the repository's configuration
//! can make reading run a program or reach the network, since nothing here ever does either.

mod ignore_rules;
mod resolver;

pub use ignore_rules::without_ignored;
pub use resolver::GitResolver;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A git object id.
pub type ObjectId = gix::ObjectId;

/// Blobs larger than this are not read: no configuration file is this big (the same bound the
/// scanner uses for files on disk).
pub const MAX_BLOB_BYTES: u64 = 256 * 1024 * 1024;

/// Trees nested deeper than this are refused: no real repository comes near it, and a crafted
/// one must not exhaust the stack of the thread that lists it (git's own `core.maxTreeDepth`
/// is higher, but git does not list trees on a worker thread's small stack).
pub const MAX_TREE_DEPTH: usize = 256;

/// A commit with more files than this is refused: a crafted repository can name one subtree
/// many times at every level, so that a few objects stand for billions of files.
pub const MAX_TREE_FILES: usize = 2_000_000;

/// One regular file of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// The blob's object id.
    pub oid: ObjectId,
    /// Its path from the repository's top, with `/` separators.
    pub path: String,
}

/// The regular files of one commit (not symlinks, not submodules), sorted by path.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// Its files.
    pub entries: Vec<TreeEntry>,
}

/// One commit, as history needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Its id.
    pub id: ObjectId,
    /// Its root tree.
    pub tree: ObjectId,
    /// Its first parent.
    pub parent: Option<ObjectId>,
    /// When it was committed, in seconds since the epoch: what "the branch as of a date" means.
    pub time: i64,
    /// When it was authored, in seconds since the epoch: what people call a change's date.
    pub author_time: i64,
    /// Its author's name.
    pub author: String,
    /// The first line of its message.
    pub summary: String,
}

impl Commit {
    /// The id in full hexadecimal.
    pub fn hex(&self) -> String {
        self.id.to_string()
    }

    /// The first twelve hexadecimal digits, as people quote a commit.
    pub fn short(&self) -> String {
        self.hex().chars().take(12).collect()
    }
}

/// An open repository: a work tree's or a bare one.
pub struct Repository {
    repo: gix::ThreadSafeRepository,
    /// The listing of each tree already walked, by tree id, paths relative to that tree:
    /// commits of one history share most of their subtrees.
    listings: Mutex<HashMap<ObjectId, Arc<Vec<TreeEntry>>>>,
    /// The folder as the user named it, for messages.
    shown: String,
}

/// Whether `folder` is a git repository: a work tree (it holds `.git`) or a bare repository (it
/// holds `HEAD`, `objects/` and `refs/`).
pub fn is_repository(folder: &Path) -> bool {
    folder.join(".git").exists() || is_bare_repository(folder)
}

/// Whether `folder` is a bare git repository (a mirror): `HEAD`, `objects/` and `refs/`.
pub fn is_bare_repository(folder: &Path) -> bool {
    folder.join("HEAD").is_file() && folder.join("objects").is_dir() && folder.join("refs").is_dir()
}

fn error(context: &str, err: impl std::fmt::Display) -> String {
    format!("{context}: {err}")
}

impl Repository {
    /// Opens the repository at `folder`: a work tree, a folder inside one, or a bare mirror.
    ///
    /// # Errors
    /// When `folder` is no git repository, or its objects cannot be read.
    pub fn open(folder: &Path) -> Result<Repository, String> {
        let repo = gix::ThreadSafeRepository::discover_opts(
            folder,
            gix::discover::upwards::Options::default(),
            |_, _| gix::open::Options::isolated(),
        )
        .map_err(|err| error(&folder.display().to_string(), git_message(&err)))?;
        Ok(Repository {
            repo,
            listings: Mutex::new(HashMap::new()),
            shown: folder.display().to_string(),
        })
    }

    /// Opens the repository whose top (work tree or bare repository) is `folder`, and no other:
    /// a clone whose `.git` is broken is an error, not the repository of a folder above it.
    ///
    /// # Errors
    /// When `folder` is not the top of a git repository, or its objects cannot be read.
    pub fn open_top(folder: &Path) -> Result<Repository, String> {
        let repo = gix::ThreadSafeRepository::open_opts(folder, gix::open::Options::isolated())
            .map_err(|err| error(&folder.display().to_string(), git_message(&err)))?;
        Ok(Repository {
            repo,
            listings: Mutex::new(HashMap::new()),
            shown: folder.display().to_string(),
        })
    }

    /// The repository's git folder (`.git`, or the bare repository itself).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.git_dir().to_path_buf()
    }

    /// The top of its work tree; `None` for a bare repository.
    pub fn work_tree(&self) -> Option<PathBuf> {
        self.repo.work_dir().map(Path::to_path_buf)
    }

    /// A handle for the current thread.
    fn local(&self) -> gix::Repository {
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        repo
    }

    /// The commit `revision` names (a branch, a tag, `HEAD~3`, an id).
    ///
    /// # Errors
    /// When it names nothing, or not a commit.
    pub fn commit(&self, revision: &str) -> Result<Commit, String> {
        if revision.is_empty() || revision.starts_with('-') {
            return Err(format!("'{revision}' is not a git revision"));
        }
        let repo = self.local();
        // gitoxide explains how it parsed; people need to know it is not there.
        let id = repo
            .rev_parse_single(revision)
            .map_err(|_| format!("no revision '{revision}' in the repository {}", self.shown))?;
        let commit = id
            .object()
            .map_err(|err| error(revision, err))?
            .peel_to_commit()
            .map_err(|err| error(&format!("revision '{revision}'"), err))?;
        describe(&commit)
    }

    /// The tip of the default branch: `origin/HEAD` when a clone knows it, else `HEAD` (a
    /// mirror's `HEAD` is the default branch of what it mirrors).
    ///
    /// # Errors
    /// When the repository has no commit yet.
    pub fn default_branch(&self) -> Result<Commit, String> {
        let repo = self.local();
        if repo
            .try_find_reference("refs/remotes/origin/HEAD")
            .ok()
            .flatten()
            .is_some()
        {
            return self.commit("refs/remotes/origin/HEAD");
        }
        self.commit("HEAD")
    }

    /// The first-parent history from `tip` back, newest first, down to and including the first
    /// commit made at or before `since` (the branch as it stood then); all of it without `since`.
    ///
    /// # Errors
    /// When a commit cannot be read (a shallow clone's missing parents end the history instead).
    pub fn first_parent_history(
        &self,
        tip: &Commit,
        since: Option<i64>,
    ) -> Result<Vec<Commit>, String> {
        let repo = self.local();
        let mut history = vec![tip.clone()];
        let mut next = tip.parent;
        if since.is_some_and(|since| tip.time <= since) {
            return Ok(history);
        }
        while let Some(id) = next {
            let Ok(object) = repo.find_object(id) else {
                // A shallow clone ends here.
                break;
            };
            let commit = object
                .try_into_commit()
                .map_err(|err| error(&id.to_string(), err))?;
            let commit = describe(&commit)?;
            next = commit.parent;
            let reached = since.is_some_and(|since| commit.time <= since);
            history.push(commit);
            if reached {
                break;
            }
        }
        Ok(history)
    }

    /// The regular files of the tree `tree`, sorted by path.
    ///
    /// # Errors
    /// When a tree object is missing or damaged.
    pub fn tree(&self, tree: ObjectId) -> Result<Tree, String> {
        let repo = self.local();
        let mut entries = self.listing(&repo, tree, 0)?.as_ref().clone();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Tree { entries })
    }

    /// The files below `tree`, paths relative to it; each tree is listed once.
    fn listing(
        &self,
        repo: &gix::Repository,
        tree: ObjectId,
        depth: usize,
    ) -> Result<Arc<Vec<TreeEntry>>, String> {
        if let Some(known) = self.lock().get(&tree) {
            return Ok(Arc::clone(known));
        }
        if depth > MAX_TREE_DEPTH {
            return Err(format!(
                "tree {tree}: folders nested more than {MAX_TREE_DEPTH} deep, not read"
            ));
        }
        let object = repo
            .find_object(tree)
            .map_err(|err| error(&format!("tree {tree}"), err))?;
        let decoded = object
            .try_into_tree()
            .map_err(|err| error(&format!("tree {tree}"), err))?;
        let mut files = Vec::new();
        let mut subtrees = Vec::new();
        for entry in decoded.iter() {
            let entry = entry.map_err(|err| error(&format!("tree {tree}"), err))?;
            let name = String::from_utf8_lossy(entry.filename().as_ref()).into_owned();
            // A name that would climb or nest is no name git writes; such an entry is left out.
            if name.is_empty() || name == "." || name == ".." || name.contains('/') {
                continue;
            }
            let mode = entry.mode();
            if mode.is_tree() {
                subtrees.push((name, entry.oid().to_owned()));
            } else if mode.is_blob() && !mode.is_link() {
                files.push(TreeEntry {
                    oid: entry.oid().to_owned(),
                    path: name,
                });
            }
        }
        for (name, id) in subtrees {
            let below = self.listing(repo, id, depth + 1)?;
            if files.len() + below.len() > MAX_TREE_FILES {
                return Err(format!(
                    "tree {tree}: more than {MAX_TREE_FILES} files, not read"
                ));
            }
            for entry in below.iter() {
                files.push(TreeEntry {
                    oid: entry.oid,
                    path: format!("{name}/{}", entry.path),
                });
            }
        }
        let files = Arc::new(files);
        self.lock().insert(tree, Arc::clone(&files));
        Ok(files)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ObjectId, Arc<Vec<TreeEntry>>>> {
        self.listings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A reader of blobs for one thread.
    pub fn blobs(&self) -> Blobs {
        Blobs { repo: self.local() }
    }
}

/// Reads blobs on one thread.
pub struct Blobs {
    repo: gix::Repository,
}

impl Blobs {
    /// The size of blob `oid`, without inflating it.
    ///
    /// # Errors
    /// When it is missing.
    pub fn size(&self, oid: ObjectId) -> Result<u64, String> {
        self.repo
            .find_header(oid)
            .map(|header| header.size())
            .map_err(|err| error(&format!("blob {oid}"), err))
    }

    /// The bytes of blob `oid`.
    ///
    /// # Errors
    /// When it is missing or damaged.
    pub fn read(&self, oid: ObjectId) -> Result<Vec<u8>, String> {
        self.repo
            .find_object(oid)
            .map(|object| object.detach().data)
            .map_err(|err| error(&format!("blob {oid}"), err))
    }

    /// The bytes of blob `oid` when it is at most `limit` bytes.
    pub fn read_at_most(&self, oid: ObjectId, limit: u64) -> Option<Vec<u8>> {
        (self.size(oid).ok()? <= limit)
            .then(|| self.read(oid).ok())
            .flatten()
    }
}

fn describe(commit: &gix::Commit<'_>) -> Result<Commit, String> {
    let id = commit.id;
    let time = commit
        .time()
        .map_err(|err| error(&format!("commit {id}"), err))?
        .seconds;
    let author = commit
        .author()
        .map_err(|err| error(&format!("commit {id}"), err))?;
    let author_time = author.time().map_or(time, |t| t.seconds);
    let message = commit
        .message_raw()
        .map_err(|err| error(&format!("commit {id}"), err))?;
    let summary = String::from_utf8_lossy(message.as_ref())
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .to_string();
    Ok(Commit {
        id,
        tree: commit
            .tree_id()
            .map_err(|err| error(&format!("commit {id}"), err))?
            .detach(),
        parent: commit.parent_ids().next().map(|p| p.detach()),
        time,
        author_time,
        author: String::from_utf8_lossy(author.name.as_ref()).into_owned(),
        summary,
    })
}

/// `path` with `.` and `..` resolved, `/`-separated; `None` when it climbs above the top.
pub(crate) fn normal_path(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// gitoxide's message with its causes, each said once.
fn git_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// Repositories made with git itself, for this crate's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `folder` as Ann, with fixed dates (author before committer), and returns
    /// what it printed.
    pub(crate) fn git(folder: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(folder)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Ann")
            .env("GIT_AUTHOR_EMAIL", "ann@example.org")
            .env("GIT_COMMITTER_NAME", "Ann")
            .env("GIT_COMMITTER_EMAIL", "ann@example.org")
            .env("GIT_AUTHOR_DATE", "2026-01-02T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-03T10:00:00Z")
            .env_remove("GIT_DIR")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(folder: &Path, args: &[&str]) {
        test_support::git(folder, args);
    }

    #[test]
    fn a_commit_is_read_from_objects_in_a_work_tree_and_in_a_bare_mirror() {
        let top = tempfile::tempdir().expect("temporary folder");
        let work = top.path().join("app");
        std::fs::create_dir_all(work.join("deploy/base")).expect("folders");
        std::fs::write(work.join("deploy/base/web.yaml"), "kind: Pod\n").expect("file");
        std::fs::write(work.join("Dockerfile"), "FROM scratch\n").expect("file");
        git(&work, &["init", "-q", "-b", "main"]);
        git(&work, &["add", "."]);
        git(&work, &["commit", "-q", "-m", "first\n\nbody"]);
        git(top.path(), &["clone", "-q", "--mirror", "app", "app.git"]);
        for folder in [work.clone(), top.path().join("app.git")] {
            assert!(is_repository(&folder));
            let repo = Repository::open(&folder).expect("opens");
            let commit = repo.default_branch().expect("a commit");
            assert_eq!(commit.summary, "first");
            assert_eq!(commit.author, "Ann");
            assert_eq!(commit.parent, None);
            assert!(commit.author_time < commit.time);
            let tree = repo.tree(commit.tree).expect("listed");
            let paths: Vec<&str> = tree.entries.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(paths, ["Dockerfile", "deploy/base/web.yaml"]);
            let bytes = repo.blobs().read(tree.entries[1].oid).expect("read");
            assert_eq!(bytes, b"kind: Pod\n");
        }
        assert!(is_bare_repository(&top.path().join("app.git")));
        assert!(!is_bare_repository(&work));
        let repo = Repository::open(&work).expect("opens");
        assert!(repo.commit("--output=x").is_err());
        assert!(repo.commit("no-such-branch").is_err());
    }

    /// `git mktree` with `lines`, in `folder`; returns the tree id.
    fn mktree(folder: &Path, lines: &str) -> String {
        let mut child = Command::new("git")
            .current_dir(folder)
            .args(["mktree"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git mktree");
        use std::io::Write as _;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(lines.as_bytes())
            .expect("written");
        let output = child.wait_with_output().expect("git mktree");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    #[test]
    fn crafted_trees_that_would_explode_or_nest_too_deep_are_refused() {
        let top = tempfile::tempdir().expect("temporary folder");
        git(top.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(top.path().join("pod.yaml"), "kind: Pod\n").expect("file");
        git(top.path(), &["add", "."]);
        git(top.path(), &["commit", "-q", "-m", "one"]);
        let repo_blob = test_support::git(top.path(), &["rev-parse", "HEAD:pod.yaml"]);
        // Each level names the one below twice: 2^24 files from 25 objects.
        let mut tree = mktree(top.path(), &format!("100644 blob {repo_blob}\tpod.yaml\n"));
        for _ in 0..24 {
            tree = mktree(
                top.path(),
                &format!("040000 tree {tree}\ta\n040000 tree {tree}\tb\n"),
            );
        }
        let repo = Repository::open(top.path()).expect("opens");
        let id = ObjectId::from_hex(tree.as_bytes()).expect("an id");
        let err = repo.tree(id).expect_err("refused");
        assert!(err.contains("files, not read"), "{err}");
        // One folder inside the other, deeper than the limit.
        let mut tree = mktree(top.path(), &format!("100644 blob {repo_blob}\tpod.yaml\n"));
        for _ in 0..=MAX_TREE_DEPTH {
            tree = mktree(top.path(), &format!("040000 tree {tree}\td\n"));
        }
        let repo = Repository::open(top.path()).expect("opens");
        let id = ObjectId::from_hex(tree.as_bytes()).expect("an id");
        let err = repo.tree(id).expect_err("refused");
        assert!(err.contains("deep, not read"), "{err}");
    }
}

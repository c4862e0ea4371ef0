//! What readers may look up beside a file of a commit: other files of the same commit (a
//! Compose `.env`, a build context's Dockerfile, a Quadlet drop-in folder), read on demand from
//! the objects, and the process environment.

use super::{Blobs, ObjectId, Repository, TreeEntry};
use minpriv_readers::Resolver;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Files that readers look up beside a file (a Compose `.env`) are small; this bounds them.
const MAX_RELATIVE_BYTES: u64 = 4 * 1024 * 1024;

/// A [`Resolver`] over the files of one commit. It records what it was asked for, so that a
/// cached reading of the file can be reused only where those files are unchanged.
pub struct GitResolver<'a> {
    repo: &'a Repository,
    files: &'a HashMap<String, ObjectId>,
    /// The folder of the file being read, from the repository's top (`""` for the top).
    folder: String,
    name: String,
    environment: bool,
    /// Every path asked for, with the blob it was then (`None`: not in the commit).
    asked: Mutex<Vec<(String, Option<ObjectId>)>>,
}

impl<'a> GitResolver<'a> {
    /// A resolver for the file at `path` of a commit whose regular files are `files`; with
    /// `environment`, Compose interpolation sees the process environment.
    pub fn new(
        repo: &'a Repository,
        files: &'a HashMap<String, ObjectId>,
        path: &str,
        environment: bool,
    ) -> Self {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        GitResolver {
            repo,
            files,
            folder: folder.to_string(),
            name: name.to_string(),
            environment,
            asked: Mutex::new(Vec::new()),
        }
    }

    /// The files of the commit as `TreeEntry`s, keyed by path, for [`GitResolver::new`].
    pub fn index(entries: &[TreeEntry]) -> HashMap<String, ObjectId> {
        entries.iter().map(|e| (e.path.clone(), e.oid)).collect()
    }

    /// The paths the reader asked for, with their blobs then.
    pub fn asked(self) -> Vec<(String, Option<ObjectId>)> {
        self.asked
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `relative` from the file's folder, as a path from the top; `None` when it climbs out.
    fn path_from_top(&self, relative: &str) -> Option<String> {
        let joined = if self.folder.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.folder)
        };
        super::normal_path(Path::new(&joined))
    }

    fn note(&self, path: &str, oid: Option<ObjectId>) {
        self.asked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((path.to_string(), oid));
    }
}

impl Resolver for GitResolver<'_> {
    fn read_relative(&self, relative: &str) -> Option<String> {
        if Path::new(relative).is_absolute() {
            return None;
        }
        let path = self.path_from_top(relative)?;
        let oid = self.files.get(&path).copied();
        self.note(&path, oid);
        let bytes = Blobs::read_at_most(&self.repo.blobs(), oid?, MAX_RELATIVE_BYTES)?;
        String::from_utf8(bytes).ok()
    }

    fn env(&self, name: &str) -> Option<String> {
        if self.environment {
            std::env::var(name).ok()
        } else {
            None
        }
    }

    fn own_name(&self) -> Option<String> {
        Some(self.name.clone())
    }

    fn list_relative(&self, relative: &str) -> Vec<String> {
        let Some(folder) = self.path_from_top(relative) else {
            return Vec::new();
        };
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let mut names: Vec<String> = self
            .files
            .iter()
            .filter_map(|(path, oid)| {
                let rest = path.strip_prefix(&prefix)?;
                (!rest.contains('/')).then(|| {
                    self.note(path, Some(*oid));
                    rest.to_string()
                })
            })
            .collect();
        // A listing depends on which files are there: a file added later changes it, which the
        // paths asked for cannot say; the folder itself is recorded as asked for, with no blob.
        self.note(&format!("{prefix}*"), None);
        names.sort();
        names
    }
}

//! The ignore files of a commit, applied to its own files: a commit is walked as `scan` walks a
//! checkout of it, so `.gitignore` and `.ignore` files count as they were in that commit.
//!
//! The `ignore` crate's gitignore matcher does the matching; what it cannot do is find the
//! files in a folder on disk, which is all this module adds.

use super::TreeEntry;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The ignore files of a folder, most binding first: `.ignore` overrides `.gitignore`, as in
/// `scan`'s walk.
const IGNORE_FILES: [&str; 2] = [".ignore", ".gitignore"];

/// Ignore files larger than this are not read.
const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;

/// `entries` without the files that the commit's ignore files exclude; `read` gives an ignore
/// file's bytes (`None`: not readable, ignored itself). Returns the remarks on ignore files that
/// could not be parsed, as `(path, message)`.
pub fn without_ignored(
    entries: Vec<TreeEntry>,
    read: impl Fn(&TreeEntry, u64) -> Option<Vec<u8>>,
) -> (Vec<TreeEntry>, Vec<(String, String)>) {
    let mut warnings = Vec::new();
    let mut by_folder: HashMap<&str, Vec<Gitignore>> = HashMap::new();
    for name in IGNORE_FILES {
        for entry in &entries {
            let (folder, file) = entry.path.rsplit_once('/').unwrap_or(("", &entry.path));
            if file != name {
                continue;
            }
            let Some(bytes) = read(entry, MAX_IGNORE_FILE_BYTES) else {
                continue;
            };
            let mut builder = GitignoreBuilder::new(rooted(folder));
            for line in String::from_utf8_lossy(&bytes).lines() {
                if let Err(err) = builder.add_line(None, line) {
                    warnings.push((entry.path.clone(), err.to_string()));
                }
            }
            match builder.build() {
                Ok(matcher) => by_folder.entry(folder).or_default().push(matcher),
                Err(err) => warnings.push((entry.path.clone(), err.to_string())),
            }
        }
    }
    if by_folder.is_empty() {
        return (entries, warnings);
    }
    let kept = entries
        .iter()
        .filter(|entry| !is_ignored(&entry.path, &by_folder))
        .cloned()
        .collect();
    (kept, warnings)
}

/// `path` under a made-up root, so that the top folder is a path like any other.
fn rooted(path: &str) -> PathBuf {
    Path::new("/").join(path)
}

/// Whether the nearest ignore file with an opinion on `path` (or a folder holding it) ignores it.
fn is_ignored(path: &str, by_folder: &HashMap<&str, Vec<Gitignore>>) -> bool {
    let full = rooted(path);
    let mut folder = path;
    loop {
        folder = folder.rsplit_once('/').map_or("", |(f, _)| f);
        if let Some(matchers) = by_folder.get(folder) {
            for matcher in matchers {
                match matcher.matched_path_or_any_parents(&full, false) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        if folder.is_empty() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> TreeEntry {
        TreeEntry {
            oid: gix::ObjectId::null(gix::hash::Kind::Sha1),
            path: path.to_string(),
        }
    }

    #[test]
    fn ignore_files_apply_to_their_folder_and_below_the_nearest_deciding() {
        let files: HashMap<&str, &str> = [
            (".gitignore", "vendor/\n*.generated.yaml\n"),
            ("deploy/.gitignore", "!keep.generated.yaml\nlocal.yaml\n"),
            ("deploy/.ignore", "scratch/\n"),
        ]
        .into_iter()
        .collect();
        let entries: Vec<TreeEntry> = [
            ".gitignore",
            "deploy/.gitignore",
            "deploy/.ignore",
            "deploy/web.yaml",
            "deploy/local.yaml",
            "deploy/x.generated.yaml",
            "deploy/keep.generated.yaml",
            "deploy/scratch/a.yaml",
            "vendor/chart/pod.yaml",
            "local.yaml",
        ]
        .into_iter()
        .map(entry)
        .collect();
        let (kept, warnings) = without_ignored(entries, |e, _| {
            files.get(e.path.as_str()).map(|t| t.as_bytes().to_vec())
        });
        assert!(warnings.is_empty());
        let kept: Vec<&str> = kept.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            kept,
            [
                ".gitignore",
                "deploy/.gitignore",
                "deploy/.ignore",
                "deploy/web.yaml",
                "deploy/keep.generated.yaml",
                "local.yaml",
            ]
        );
    }
}

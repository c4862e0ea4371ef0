//! What readers may look up beside the file they read: files relative to its folder (a Compose
//! file's `.env`, the Dockerfile its `build:` names, the file its `extends:` names) and, when
//! asked, the process environment (Compose `${VAR}` interpolation).
//!
//! A scanned file is untrusted, so both are fenced by [`Access`]: files are read only inside the
//! scanned folders (widened to the git work trees that hold them, where monorepos keep their
//! shared Compose files) unless `--follow` is given, and `--no-compose-env` keeps the
//! environment out, so that `image: ${AWS_SECRET_ACCESS_KEY}` cannot copy a CI secret into a
//! report that is uploaded or posted.

use minpriv_readers::Resolver;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files beside a Compose file are small; anything bigger than this is not what the reader is
/// looking for, and reading it whole would only cost memory.
const MAX_RELATIVE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What the files of one scan may reach beyond themselves.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// Compose interpolation may read this process's environment (unless `--no-compose-env`).
    pub environment: bool,
    /// Files are read only inside these folders (canonical paths); `None` reads anywhere
    /// (`--follow`).
    pub within: Option<Arc<[PathBuf]>>,
}

impl Access {
    /// The access of a scan of `paths` (the current folder when empty; `-` is standard input,
    /// read relative to the current folder): inside the folders named, or holding the files
    /// named, and the git work trees around them.
    pub fn for_paths(paths: &[PathBuf], follow: bool, environment: bool) -> Access {
        if follow {
            return Access {
                environment,
                within: None,
            };
        }
        let current = PathBuf::from(".");
        let mut folders: Vec<PathBuf> = Vec::new();
        let named = if paths.is_empty() {
            std::slice::from_ref(&current)
        } else {
            paths
        };
        for path in named {
            let path = if path.as_os_str() == "-" {
                &current
            } else {
                path
            };
            // A named folder counts where it is; a named file, or a named link (to a file or a
            // folder), by the folder that holds it: a link named on the command line (a pull
            // request's file list) must not carry the fence to where it points.
            let is_real_folder = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
            let anchor = if is_real_folder {
                path.clone()
            } else {
                match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                    _ => current.clone(),
                }
            };
            let Ok(folder) = std::fs::canonicalize(&anchor) else {
                continue;
            };
            folders.push(work_tree_of(&folder).unwrap_or(folder));
        }
        folders.sort();
        folders.dedup();
        Access {
            environment,
            within: Some(folders.into()),
        }
    }

    /// Reads anything and the environment: for inputs the user vouches for (the `verify`
    /// and `fix` commands act on the user's own configuration).
    pub fn trusted() -> Access {
        Access {
            environment: true,
            within: None,
        }
    }
}

/// The git work tree `folder` is in: the nearest folder at or above it that holds `.git`.
fn work_tree_of(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A [`Resolver`] on the real file system, relative to one folder.
#[derive(Clone, Debug)]
pub struct FsResolver {
    folder: PathBuf,
    access: Access,
    /// The scanned file's name, when known.
    name: Option<String>,
}

/// Why a file named by a scanned file is not read.
pub enum NotRead {
    /// It does not exist (or cannot be opened).
    Missing,
    /// It is outside what the scan may read.
    Outside,
    /// It is not a regular file, or not text.
    NotAFile,
}

impl NotRead {
    /// Why, completing "'{path}' …"; `None` for a file that does not exist.
    pub fn why(&self) -> Option<String> {
        match self {
            NotRead::Outside => Some(
                "is outside the scanned folders and their git work trees: not read \
                 (--follow reads it)"
                    .to_string(),
            ),
            NotRead::NotAFile => Some("is not a readable regular file".to_string()),
            NotRead::Missing => None,
        }
    }
}

/// True when the canonical path `canonical` lies where `access` lets the scan read.
fn inside_fence(canonical: &Path, access: &Access) -> bool {
    access
        .within
        .as_ref()
        .is_none_or(|within| within.iter().any(|folder| canonical.starts_with(folder)))
}

/// Reads the file at `path`, named by a scanned file, if `access` allows it: a regular file
/// inside the fence (links resolved first), at most a few megabytes.
pub fn read_fenced(path: &Path, access: &Access) -> Result<String, NotRead> {
    // Links are resolved first: a link inside the tree to a file outside it is outside.
    let canonical = std::fs::canonicalize(path).map_err(|_| NotRead::Missing)?;
    if !inside_fence(&canonical, access) {
        return Err(NotRead::Outside);
    }
    // Only regular files are opened: opening a FIFO (a hostile `.env`) waits for a writer
    // forever, and a device may never end.
    if !std::fs::metadata(&canonical)
        .map_err(|_| NotRead::Missing)?
        .is_file()
    {
        return Err(NotRead::NotAFile);
    }
    let file = std::fs::File::open(&canonical).map_err(|_| NotRead::Missing)?;
    if !file.metadata().map_err(|_| NotRead::Missing)?.is_file() {
        return Err(NotRead::NotAFile);
    }
    let mut text = String::new();
    file.take(MAX_RELATIVE_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|_| NotRead::NotAFile)?;
    Ok(text)
}

impl FsResolver {
    /// Resolves relative names against `folder` (the scanned file's folder; the current folder
    /// for standard input), within `access`.
    pub fn new(folder: PathBuf, access: &Access) -> FsResolver {
        FsResolver {
            folder,
            access: access.clone(),
            name: None,
        }
    }

    /// The same, for the file named `name` in that folder.
    pub fn for_file(folder: PathBuf, name: Option<String>, access: &Access) -> FsResolver {
        FsResolver {
            name,
            ..FsResolver::new(folder, access)
        }
    }

    fn open(&self, relative: &str) -> Result<String, NotRead> {
        read_fenced(&self.folder.join(relative), &self.access)
    }
}

impl Resolver for FsResolver {
    fn read_relative(&self, relative: &str) -> Option<String> {
        self.open(relative).ok()
    }

    fn refused(&self, relative: &str) -> Option<String> {
        self.open(relative)
            .err()
            .and_then(|not_read| not_read.why())
    }

    fn env(&self, name: &str) -> Option<String> {
        if self.access.environment {
            std::env::var(name).ok()
        } else {
            None
        }
    }

    fn own_name(&self) -> Option<String> {
        self.name.clone()
    }

    fn list_relative(&self, relative: &str) -> Vec<String> {
        let dir = self.folder.join(relative);
        let Ok(canonical) = std::fs::canonicalize(&dir) else {
            return Vec::new();
        };
        if !inside_fence(&canonical, &self.access) {
            return Vec::new();
        }
        let mut names: Vec<String> = std::fs::read_dir(&canonical)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
    }

    #[test]
    fn reads_files_beside_the_scanned_file_and_nothing_else() {
        let dir = tempdir();
        std::fs::write(dir.path().join(".env"), "TAG=1.2\n").unwrap_or_default();
        std::fs::create_dir(dir.path().join("sub")).unwrap_or_default();
        let access = Access::for_paths(&[dir.path().to_path_buf()], false, false);
        let resolver = FsResolver::new(dir.path().to_path_buf(), &access);
        assert_eq!(resolver.read_relative(".env").as_deref(), Some("TAG=1.2\n"));
        assert_eq!(resolver.read_relative("missing"), None);
        assert_eq!(resolver.refused("missing"), None, "missing is not refused");
        assert_eq!(
            resolver.read_relative("sub"),
            None,
            "a folder is not a file"
        );
        assert!(resolver.refused("sub").is_some());
    }

    #[test]
    fn files_outside_the_scanned_folders_are_refused_unless_following() {
        let dir = tempdir();
        let scanned = dir.path().join("scanned");
        std::fs::create_dir(&scanned).unwrap_or_default();
        std::fs::write(dir.path().join("secret.env"), "TOKEN=abc\n").unwrap_or_default();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.env"), scanned.join("link.env"))
            .unwrap_or_default();
        let fenced = FsResolver::new(
            scanned.clone(),
            &Access::for_paths(std::slice::from_ref(&scanned), false, false),
        );
        assert_eq!(fenced.read_relative("../secret.env"), None);
        assert!(
            fenced
                .refused("../secret.env")
                .is_some_and(|why| why.contains("outside the scanned folders")),
            "{:?}",
            fenced.refused("../secret.env")
        );
        let absolute = dir.path().join("secret.env");
        assert_eq!(fenced.read_relative(&absolute.to_string_lossy()), None);
        #[cfg(unix)]
        assert_eq!(
            fenced.read_relative("link.env"),
            None,
            "a link out of the tree is outside"
        );

        let following = FsResolver::new(
            scanned.clone(),
            &Access::for_paths(std::slice::from_ref(&scanned), true, false),
        );
        assert_eq!(
            following.read_relative("../secret.env").as_deref(),
            Some("TOKEN=abc\n")
        );
    }

    /// A pull request's file list may name a link it added: the link must not widen the fence
    /// to where it points.
    #[cfg(unix)]
    #[test]
    fn a_link_named_on_the_command_line_does_not_widen_the_fence() {
        let dir = tempdir();
        let scanned = dir.path().join("pr");
        let secret = dir.path().join("secret");
        std::fs::create_dir_all(&scanned).unwrap_or_default();
        std::fs::create_dir_all(&secret).unwrap_or_default();
        std::fs::write(secret.join("credentials"), "KEY=v\n").unwrap_or_default();
        std::os::unix::fs::symlink(secret.join("credentials"), scanned.join("widen.yml"))
            .unwrap_or_default();
        std::os::unix::fs::symlink(&secret, scanned.join("widen-folder")).unwrap_or_default();
        let named = [
            scanned.join("compose.yml"),
            scanned.join("widen.yml"),
            scanned.join("widen-folder"),
        ];
        let resolver = FsResolver::new(scanned.clone(), &Access::for_paths(&named, false, false));
        assert_eq!(resolver.read_relative("../secret/credentials"), None);
        assert_eq!(resolver.read_relative("widen.yml"), None);
    }

    #[test]
    fn a_git_work_tree_widens_the_fence_to_the_repository() {
        let dir = tempdir();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap_or_default();
        std::fs::create_dir_all(dir.path().join("services/api")).unwrap_or_default();
        std::fs::write(dir.path().join("common.yml"), "services: {}\n").unwrap_or_default();
        let api = dir.path().join("services/api");
        let resolver = FsResolver::new(
            api.clone(),
            &Access::for_paths(std::slice::from_ref(&api), false, false),
        );
        assert_eq!(
            resolver.read_relative("../../common.yml").as_deref(),
            Some("services: {}\n")
        );
    }

    #[test]
    fn reads_the_process_environment_only_when_allowed() {
        // PATH is set in every environment the tests run in.
        let closed = FsResolver::new(PathBuf::from("."), &Access::default());
        assert_eq!(closed.env("PATH"), None);
        let open = FsResolver::new(PathBuf::from("."), &Access::for_paths(&[], false, true));
        assert!(open.env("PATH").is_some());
        assert_eq!(open.env("MINPRIV_TEST_SURELY_UNSET_VARIABLE"), None);
    }
}

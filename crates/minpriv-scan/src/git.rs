//! Reading the files of a git revision straight into memory: `git ls-tree` lists them and one
//! `git cat-file --batch` streams their contents, so that no checkout and no temporary folder is
//! needed, and a repository of thousands of files costs two processes, not thousands.
//!
//! git runs with the repository's folder as its working folder and its arguments passed
//! directly, never through a shell; a revision that starts with `-` is refused so that it cannot
//! be read as an option.

use minpriv_readers::Resolver;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Blobs larger than this are not read: no configuration file is this big (the same bound the
/// scanner uses for files on disk).
pub const MAX_BLOB_BYTES: u64 = 256 * 1024 * 1024;

/// Files that readers look up beside a file (a Compose `.env`) are small; this bounds them.
const MAX_RELATIVE_BYTES: u64 = 4 * 1024 * 1024;

/// One file of a revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// The blob's object id.
    pub oid: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its path from the repository's top, with `/` separators.
    pub path: String,
}

/// The files of one revision.
#[derive(Debug)]
pub struct Tree {
    /// Regular files (not symlinks, not submodules), in git's order.
    pub entries: Vec<TreeEntry>,
}

fn git(repo: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(repo)
        // A user's pager or colour settings have no place in plumbing output.
        .env("GIT_PAGER", "cat")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null());
    command
}

fn check_revision(revision: &str) -> Result<(), String> {
    if revision.is_empty() || revision.starts_with('-') {
        Err(format!("'{revision}' is not a git revision"))
    } else {
        Ok(())
    }
}

/// Lists the regular files of `revision` in the repository at `repo`.
///
/// # Errors
/// When git cannot be run, the folder is not a repository, or the revision does not exist;
/// the message carries git's own.
pub fn list_tree(repo: &Path, revision: &str) -> Result<Tree, String> {
    check_revision(revision)?;
    let output = git(repo)
        .args(["ls-tree", "-r", "-z", "-l", "--full-tree", revision])
        .output()
        .map_err(|err| format!("cannot run git: {}", crate::walk::describe_io_error(&err)))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = stderr.trim().trim_start_matches("fatal: ");
        return Err(format!("git ls-tree {revision}: {message}"));
    }
    Ok(Tree {
        entries: parse_ls_tree(&output.stdout),
    })
}

/// Parses `git ls-tree -r -z -l`: `MODE TYPE OID SIZE\tPATH\0` records, keeping blobs that are
/// regular files (mode 100644 or 100755).
fn parse_ls_tree(output: &[u8]) -> Vec<TreeEntry> {
    output
        .split(|&b| b == 0)
        .filter_map(|record| {
            let record = std::str::from_utf8(record).ok()?;
            let (meta, path) = record.split_once('\t')?;
            let mut fields = meta.split_whitespace();
            let mode = fields.next()?;
            let kind = fields.next()?;
            let oid = fields.next()?;
            let size = fields.next()?.parse().ok()?;
            (kind == "blob" && (mode == "100644" || mode == "100755")).then(|| TreeEntry {
                oid: oid.to_string(),
                size,
                path: path.to_string(),
            })
        })
        .collect()
}

/// Streams the contents of `entries` through one `git cat-file --batch`, calling `each` with
/// every entry and its bytes, in order.
///
/// # Errors
/// When git cannot be run or its output is cut short.
pub fn read_blobs(
    repo: &Path,
    entries: &[&TreeEntry],
    mut each: impl FnMut(&TreeEntry, Vec<u8>),
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut child = git(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run git: {}", crate::walk::describe_io_error(&err)))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("cannot talk to git cat-file".into());
    };
    let request: String = entries.iter().map(|e| format!("{}\n", e.oid)).collect();
    let result = std::thread::scope(|scope| {
        // Written from another thread: git answers while it reads, and a full pipe on either
        // side would otherwise stop both.
        scope.spawn(move || {
            let _ = stdin.write_all(request.as_bytes());
        });
        let mut reader = BufReader::new(stdout);
        for entry in entries {
            let content = read_one(&mut reader)
                .map_err(|reason| format!("git cat-file {}: {reason}", entry.oid))?;
            each(entry, content);
        }
        Ok(())
    });
    // Waiting reaps the child whatever happened; its status matters only when reading failed.
    let _ = child.wait();
    result
}

/// Reads one `--batch` answer: `OID TYPE SIZE\n`, SIZE bytes, `\n`.
fn read_one(reader: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut header = String::new();
    reader.read_line(&mut header).map_err(|e| e.to_string())?;
    let mut fields = header.split_whitespace();
    let (_, kind, size) = (fields.next(), fields.next(), fields.next());
    let size: u64 = match (kind, size) {
        (Some(_), Some(size)) => size
            .parse()
            .map_err(|_| format!("unexpected answer '{}'", header.trim()))?,
        _ => return Err(format!("unexpected answer '{}'", header.trim())),
    };
    let mut content = Vec::new();
    reader
        .take(size)
        .read_to_end(&mut content)
        .map_err(|e| e.to_string())?;
    if u64::try_from(content.len()).ok() != Some(size) {
        return Err("the answer was cut short".into());
    }
    let mut newline = [0u8; 1];
    reader.read_exact(&mut newline).map_err(|e| e.to_string())?;
    Ok(content)
}

/// What readers may look up beside a file of a revision: other files of the same revision,
/// read on demand (a Compose `.env` is rarely there, so it is not worth reading every file up
/// front), and the process environment.
pub struct GitResolver<'a> {
    repo: &'a Path,
    blobs: &'a HashMap<String, TreeEntry>,
    /// The folder of the file being read, from the repository's top (`""` for the top).
    folder: String,
}

impl<'a> GitResolver<'a> {
    /// A resolver for the file at `path` of a revision whose regular files are `blobs`.
    pub fn new(repo: &'a Path, blobs: &'a HashMap<String, TreeEntry>, path: &str) -> Self {
        let folder = path.rsplit_once('/').map_or("", |(f, _)| f).to_string();
        GitResolver {
            repo,
            blobs,
            folder,
        }
    }
}

impl Resolver for GitResolver<'_> {
    fn read_relative(&self, relative: &str) -> Option<String> {
        let joined = if self.folder.is_empty() {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.folder)
        };
        let path = crate::config::normalize(Path::new(&joined));
        let entry = self.blobs.get(path.to_str()?)?;
        if entry.size > MAX_RELATIVE_BYTES {
            return None;
        }
        let output = git(self.repo)
            .args(["cat-file", "blob", &entry.oid])
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ls_tree_keeps_regular_files_only() {
        let output = b"100644 blob aaa     120\tdeploy/web.yaml\0\
100755 blob bbb      30\trun.sh\0\
120000 blob ccc       9\tlink.yaml\0\
160000 commit ddd       -\tvendor/sub\0\
100644 blob eee       5\tname with\ttab.yaml\0";
        let entries = parse_ls_tree(output);
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["deploy/web.yaml", "run.sh", "name with\ttab.yaml"]);
        assert_eq!(entries[0].size, 120);
        assert_eq!(entries[1].oid, "bbb");
    }

    #[test]
    fn batch_answers_are_read_one_by_one() {
        let mut answers: &[u8] = b"aaa blob 5\nhello\nbbb blob 0\n\nccc missing\n";
        assert_eq!(read_one(&mut answers), Ok(b"hello".to_vec()));
        assert_eq!(read_one(&mut answers), Ok(Vec::new()));
        assert!(
            read_one(&mut answers).is_err(),
            "a missing object is an error"
        );
        let mut cut: &[u8] = b"aaa blob 10\nshort";
        assert!(read_one(&mut cut).is_err());
    }

    #[test]
    fn options_are_not_revisions() {
        assert!(check_revision("--output=/tmp/x").is_err());
        assert!(check_revision("").is_err());
        assert!(check_revision("origin/main").is_ok());
        assert!(check_revision("HEAD~1").is_ok());
    }
}

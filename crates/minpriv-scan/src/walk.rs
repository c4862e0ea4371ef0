//! Turning the paths on the command line into the list of files to read.
//!
//! Folders are walked in parallel with the `ignore` crate, so .gitignore files are honoured the
//! way git and ripgrep honour them. Hidden files are *not* skipped wholesale: CI files live in
//! `.github/workflows/` and `.gitlab-ci.yml`. Only `.git` folders are left out.

pub(crate) mod gitlab_includes;
mod quadlet_kube;

use crate::resolver::Access;
use ignore::{WalkBuilder, WalkState};
use minpriv_readers::Format;
use minpriv_readers::detect::name_may_be_read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Where the file is.
    pub path: PathBuf,
    /// The path to show: as the user named it, joined with the walked folder.
    pub display: String,
    /// Named on the command line: read it whatever its name says.
    pub explicit: bool,
    /// Read as this format whatever its name and content say: a file that another one
    /// includes (a GitLab CI `include: local:`) is known by what includes it.
    pub format: Option<Format>,
}

/// What the paths on the command line stand for.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The files to read, sorted by their displayed path, without duplicates.
    pub files: Vec<Candidate>,
    /// Whether `-` (standard input) was named.
    pub stdin: bool,
    /// Paths that do not exist or could not be walked: `(path, reason)`.
    pub errors: Vec<(String, String)>,
    /// Remarks from the walk (an ignore file that could not be parsed).
    pub warnings: Vec<(String, String)>,
    /// With [`WalkOptions::find_repositories`]: the bare repositories found, sorted.
    pub bare_repositories: Vec<PathBuf>,
    /// With [`WalkOptions::find_repositories`]: the folders holding `.git`, sorted.
    pub work_trees: Vec<PathBuf>,
}

/// How to walk folders.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// Also walk files that ignore files exclude.
    pub no_ignore: bool,
    /// Follow symbolic links (`--follow`), also to files and folders outside the walked folders.
    /// A link back to a folder being walked (a loop) is noted and not followed again. Without
    /// it, links are not followed; one that leads outside the walked folders gets a note.
    pub follow: bool,
    /// Leave out files whose name alone rules them out as inputs (`main.go`, `README.md`; see
    /// `detect::name_may_be_read`), so that a large repository's source files cost neither
    /// memory nor sorting. Files named on the command line are always kept.
    pub readable_names_only: bool,
    /// List the git repositories found: work trees in [`Inputs::work_trees`], and bare ones
    /// (mirrors) in [`Inputs::bare_repositories`], which are not walked into: they are read
    /// from their objects.
    pub find_repositories: bool,
}

/// Expands `paths` (the current folder when empty) into the files to read, with the files
/// that a `.gitlab-ci.yml` among them includes locally (fenced like the files a Compose file
/// names).
pub fn collect(paths: &[PathBuf], options: WalkOptions) -> Inputs {
    let access = Access::for_paths(paths, options.follow, false);
    let mut inputs = Inputs::default();
    // With no path given, `./` would prefix every path shown; people expect `deploy/web.yaml`.
    let implicit_root = paths.is_empty();
    let default_root = [PathBuf::from(".")];
    let paths = if implicit_root {
        &default_root[..]
    } else {
        paths
    };

    let mut folders = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.stdin = true;
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => folders.push(path.clone()),
            // Opening a FIFO waits for a writer, and a device may never end: never opened.
            Ok(meta) if !meta.is_file() => inputs.errors.push((
                display(path, false),
                format!(
                    "{}, not a regular file: not read (pipe its content into `minpriv scan -`)",
                    special_kind(meta.file_type())
                ),
            )),
            Ok(_) => inputs.files.push(Candidate {
                path: path.clone(),
                display: display(path, false),
                explicit: true,
                format: None,
            }),
            Err(err) => inputs
                .errors
                .push((display(path, false), describe_io_error(&err))),
        }
    }

    if !folders.is_empty() {
        walk_folders(&folders, options, implicit_root, &mut inputs);
    }
    gitlab_includes::add_included(&mut inputs, &access);
    quadlet_kube::add_kube_yaml(&mut inputs, &access);

    inputs.files.sort_by(|a, b| a.display.cmp(&b.display));
    // A file named on its own and again inside a named folder is read once; keep the explicit
    // entry, which reads it whatever its name.
    inputs.files.dedup_by(|later, earlier| {
        if later.display == earlier.display {
            earlier.explicit |= later.explicit;
            true
        } else {
            false
        }
    });
    inputs
}

fn walk_folders(
    folders: &[PathBuf],
    options: WalkOptions,
    implicit_root: bool,
    inputs: &mut Inputs,
) {
    let mut builder = WalkBuilder::new(&folders[0]);
    for folder in &folders[1..] {
        builder.add(folder);
    }
    // Where a symbolic link must lead to count as inside the walked folders.
    let roots: Vec<PathBuf> = folders
        .iter()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .collect();
    let mut honour_ignore_files = !options.no_ignore;
    if honour_ignore_files
        && let Some(blocker) = roots
            .iter()
            .flat_map(|root| root.ancestors())
            .find_map(special_ignore_file)
    {
        inputs.warnings.push((
            display(&blocker, false),
            "not a regular file: no ignore file is read in this scan, since the walk would \
             block opening this one"
                .to_string(),
        ));
        honour_ignore_files = false;
    }
    let blocked = Arc::new(Mutex::new(Vec::new()));
    let blocked_in_filter = Arc::clone(&blocked);
    let bare = Arc::new(Mutex::new(Vec::new()));
    let bare_in_filter = Arc::clone(&bare);
    let work_trees = Arc::new(Mutex::new(Vec::new()));
    let work_trees_in_filter = Arc::clone(&work_trees);
    builder
        .follow_links(options.follow)
        .hidden(false)
        .parents(honour_ignore_files)
        .ignore(honour_ignore_files)
        .git_ignore(honour_ignore_files)
        .git_global(honour_ignore_files)
        .git_exclude(honour_ignore_files)
        // Honour .gitignore in a folder that is not (yet) a git repository too: a freshly
        // unpacked tarball or a CI workspace without `.git` should scan like the repository.
        .require_git(false)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            if entry.file_name() == ".git" {
                if options.find_repositories
                    && let Some(folder) = entry.path().parent()
                {
                    push(&work_trees_in_filter, folder.to_path_buf());
                }
                return false;
            }
            if options.find_repositories
                && entry.file_type().is_some_and(|t| t.is_dir())
                && crate::git::is_bare_repository(entry.path())
            {
                push(&bare_in_filter, entry.path().to_path_buf());
                return false;
            }
            // The walker opens a folder's ignore files as it enters it: a FIFO there would block
            // the walk, so such a folder is left out, with a note.
            if honour_ignore_files
                && entry.file_type().is_some_and(|t| t.is_dir())
                && let Some(blocker) = special_ignore_file(entry.path())
            {
                push(
                    &blocked_in_filter,
                    (
                        display(&blocker, implicit_root),
                        "not a regular file: its folder is not walked, since the walk would \
                         block opening it (--no-ignore walks it)"
                            .to_string(),
                    ),
                );
                return false;
            }
            true
        });

    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(entry) => {
                    if let Some(err) = entry.error() {
                        push(
                            &warnings,
                            (display(entry.path(), implicit_root), err.to_string()),
                        );
                    }
                    match entry.file_type() {
                        Some(t)
                            if t.is_file()
                                && options.readable_names_only
                                && !name_may_be_read(entry.path()) => {}
                        Some(t) if t.is_file() => push(
                            &found,
                            Candidate {
                                display: display(entry.path(), implicit_root),
                                path: entry.into_path(),
                                explicit: false,
                                format: None,
                            },
                        ),
                        Some(t) if t.is_dir() => {}
                        // Only seen when links are not followed.
                        Some(t) if t.is_symlink() => {
                            if let Some(target) = outside(entry.path(), &roots) {
                                push(
                                    &warnings,
                                    (
                                        display(entry.path(), implicit_root),
                                        format!(
                                            "a symbolic link to {}, outside the scanned folders: \
                                             not followed (--follow follows links)",
                                            target.to_string_lossy()
                                        ),
                                    ),
                                );
                            }
                        }
                        // A FIFO, socket or device: never opened. Noted when its name is one
                        // minpriv reads (a `Dockerfile` FIFO), not for every socket in a tree.
                        Some(t) if name_may_be_read(entry.path()) => push(
                            &warnings,
                            (
                                display(entry.path(), implicit_root),
                                format!("{}, not a regular file: not read", special_kind(t)),
                            ),
                        ),
                        Some(_) | None => {}
                    }
                }
                Err(err) => match link_loop(&err) {
                    Some((child, ancestor)) => push(
                        &warnings,
                        (
                            display(child, implicit_root),
                            format!(
                                "a symbolic link back to {}: a loop, not followed again",
                                display(ancestor, implicit_root)
                            ),
                        ),
                    ),
                    None => push(&errors, walk_error(&err, implicit_root)),
                },
            }
            WalkState::Continue
        })
    });
    inputs.files.extend(into_inner(found));
    inputs.errors.extend(into_inner(errors));
    inputs.warnings.extend(into_inner(warnings));
    inputs.warnings.extend(std::mem::take(
        &mut *blocked.lock().unwrap_or_else(|p| p.into_inner()),
    ));
    inputs.bare_repositories.extend(std::mem::take(
        &mut *bare.lock().unwrap_or_else(|p| p.into_inner()),
    ));
    inputs.bare_repositories.sort();
    inputs.work_trees.extend(std::mem::take(
        &mut *work_trees.lock().unwrap_or_else(|p| p.into_inner()),
    ));
    inputs.work_trees.sort();
}

/// The ignore files the walker reads in each folder.
const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".git/info/exclude"];

/// An ignore file of `folder` that is neither a regular file nor a folder (a FIFO, a device):
/// opening it could block forever.
fn special_ignore_file(folder: &Path) -> Option<PathBuf> {
    IGNORE_FILES
        .iter()
        .map(|name| folder.join(name))
        .find(|path| std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir()))
}

/// Adds to a vector shared by the walker's threads. A poisoned lock only means another thread
/// panicked while pushing; the vector itself is still whole.
/// `path` without `.` components, so that `./a/b` and `a/./b` are one key.
fn normalise(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

fn push<T>(shared: &Mutex<Vec<T>>, item: T) {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(item);
}

fn into_inner<T>(shared: Mutex<Vec<T>>) -> Vec<T> {
    shared
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where the symbolic link `link` leads, when that is outside every folder of `roots`
/// (canonical paths) and may hold an input: a folder, or a file whose name minpriv may read.
/// `None` for a link inside them (its target is walked on its own), for a dangling one (there
/// is nothing to read) and for one to a file no scan reads (`README.md`).
fn outside(link: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let target = std::fs::canonicalize(link).ok()?;
    let may_hold_input = target.is_dir() || name_may_be_read(link) || name_may_be_read(&target);
    (may_hold_input && !roots.iter().any(|root| target.starts_with(root))).then_some(target)
}

/// `(link, ancestor)` when `err` is a symbolic link loop met while following links.
fn link_loop(err: &ignore::Error) -> Option<(&Path, &Path)> {
    match err {
        ignore::Error::Loop { ancestor, child } => Some((child.as_path(), ancestor.as_path())),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => link_loop(err),
        _ => None,
    }
}

/// What a file that is neither a regular file nor a folder is, for messages.
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
    }
    if file_type.is_symlink() {
        return "a symbolic link";
    }
    "a special file"
}

/// `(path, reason)` for an error of the walk, with the path pulled out of the error when it has
/// one, so that the message reads like every other `error: PATH: reason` line.
fn walk_error(err: &ignore::Error, implicit_root: bool) -> (String, String) {
    fn find(err: &ignore::Error) -> Option<(&Path, &ignore::Error)> {
        match err {
            ignore::Error::WithPath { path, err } => Some((path, err)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            _ => None,
        }
    }
    match find(err) {
        Some((path, inner)) => (display(path, implicit_root), inner.to_string()),
        None => (String::from("(walk)"), err.to_string()),
    }
}

/// The path to show for `path`. With `implicit_root`, the walk started at `.`, which the user
/// did not write, so its `./` prefix is dropped.
pub fn display(path: &Path, implicit_root: bool) -> String {
    let shown = if implicit_root {
        path.strip_prefix(".").unwrap_or(path)
    } else {
        path
    };
    let text = shown.to_string_lossy();
    if text.is_empty() {
        ".".to_string()
    } else {
        text.into_owned()
    }
}

/// An I/O error as people read it: "No such file or directory", without "(os error 2)".
pub fn describe_io_error(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_default();
        }
        fs::write(path, text).unwrap_or_default();
    }

    fn displayed(inputs: &Inputs) -> Vec<&str> {
        inputs.files.iter().map(|c| c.display.as_str()).collect()
    }

    #[test]
    fn walks_hidden_ci_folders_but_not_git_and_honours_gitignore_without_a_repository() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let root = dir.path();
        write(root, ".github/workflows/ci.yml", "jobs: {}\n");
        write(root, ".git/config", "[core]\n");
        write(root, ".gitignore", "build/\n");
        write(root, "build/Dockerfile", "FROM scratch\n");
        write(root, "Dockerfile", "FROM scratch\n");

        let inputs = collect(&[root.to_path_buf()], WalkOptions::default());
        let shown = displayed(&inputs);
        let under = |rel: &str| root.join(rel).to_string_lossy().into_owned();
        assert!(
            shown.contains(&under(".github/workflows/ci.yml").as_str()),
            "{shown:?}"
        );
        assert!(shown.contains(&under("Dockerfile").as_str()), "{shown:?}");
        assert!(!shown.iter().any(|p| p.contains("/.git/")), "{shown:?}");
        assert!(
            !shown.contains(&under("build/Dockerfile").as_str()),
            "{shown:?}"
        );

        let all = collect(
            &[root.to_path_buf()],
            WalkOptions {
                no_ignore: true,
                ..WalkOptions::default()
            },
        );
        assert!(displayed(&all).contains(&under("build/Dockerfile").as_str()));
        assert!(!displayed(&all).iter().any(|p| p.contains("/.git/")));
    }

    #[test]
    fn named_files_are_explicit_missing_ones_are_errors_and_dash_is_stdin() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let file = dir.path().join("notes.txt");
        write(dir.path(), "notes.txt", "docker run x\n");
        let missing = dir.path().join("missing.yaml");
        let inputs = collect(
            &[
                file.clone(),
                PathBuf::from("-"),
                missing.clone(),
                file.clone(),
            ],
            WalkOptions::default(),
        );
        assert!(inputs.stdin);
        assert_eq!(inputs.files.len(), 1, "a file named twice is read once");
        assert!(inputs.files[0].explicit);
        assert_eq!(inputs.errors.len(), 1);
        assert_eq!(inputs.errors[0].0, missing.to_string_lossy());
        assert_eq!(inputs.errors[0].1, "No such file or directory");
    }

    #[test]
    fn files_ruled_out_by_name_are_left_out_on_request_unless_named() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let root = dir.path();
        write(root, "src/main.go", "package main\n");
        write(root, "README.md", "# x\n");
        write(root, "deploy/web.yaml", "kind: Pod\n");
        write(root, "entrypoint", "#!/bin/sh\n");
        write(root, "Dockerfile", "FROM scratch\n");
        let names = |inputs: &Inputs| -> Vec<String> {
            inputs
                .files
                .iter()
                .map(|c| {
                    c.path
                        .strip_prefix(root)
                        .unwrap_or(&c.path)
                        .display()
                        .to_string()
                })
                .collect()
        };
        let all = collect(&[root.to_path_buf()], WalkOptions::default());
        assert_eq!(all.files.len(), 5, "{:?}", names(&all));
        let options = WalkOptions {
            readable_names_only: true,
            ..WalkOptions::default()
        };
        let some = collect(&[root.to_path_buf()], options);
        assert_eq!(
            names(&some),
            ["Dockerfile", "deploy/web.yaml", "entrypoint"]
        );
        let named = collect(&[root.to_path_buf(), root.join("README.md")], options);
        assert!(
            named
                .files
                .iter()
                .any(|c| c.explicit && c.path.ends_with("README.md"))
        );
    }

    #[test]
    fn an_implicit_root_drops_the_dot_prefix() {
        assert_eq!(
            display(Path::new("./deploy/web.yaml"), true),
            "deploy/web.yaml"
        );
        assert_eq!(
            display(Path::new("./deploy/web.yaml"), false),
            "./deploy/web.yaml"
        );
        assert_eq!(display(Path::new("."), true), ".");
    }
}

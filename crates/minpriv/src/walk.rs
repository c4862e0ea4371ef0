//! Turning the paths on the command line into the list of files to read.
//!
//! Folders are walked in parallel with the `ignore` crate, so .gitignore files are honoured the
//! way git and ripgrep honour them. Hidden files are *not* skipped wholesale: CI files live in
//! `.github/workflows/` and `.gitlab-ci.yml`. Only `.git` folders are left out.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Where the file is.
    pub path: PathBuf,
    /// The path to show: as the user named it, joined with the walked folder.
    pub display: String,
    /// Named on the command line: read it whatever its name says.
    pub explicit: bool,
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
}

/// How to walk folders.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// Also walk files that ignore files exclude.
    pub no_ignore: bool,
}

/// Expands `paths` (the current folder when empty) into the files to read.
pub fn collect(paths: &[PathBuf], options: WalkOptions) -> Inputs {
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
            Ok(_) => inputs.files.push(Candidate {
                path: path.clone(),
                display: display(path, false),
                explicit: true,
            }),
            Err(err) => inputs
                .errors
                .push((display(path, false), describe_io_error(&err))),
        }
    }

    if !folders.is_empty() {
        walk_folders(&folders, options, implicit_root, &mut inputs);
    }

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
    let honour_ignore_files = !options.no_ignore;
    builder
        .hidden(false)
        .parents(honour_ignore_files)
        .ignore(honour_ignore_files)
        .git_ignore(honour_ignore_files)
        .git_global(honour_ignore_files)
        .git_exclude(honour_ignore_files)
        // Honour .gitignore in a folder that is not (yet) a git repository too: a freshly
        // unpacked tarball or a CI workspace without `.git` should scan like the repository.
        .require_git(false)
        .filter_entry(|entry| entry.depth() == 0 || entry.file_name() != ".git");

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
                    if entry.file_type().is_some_and(|t| t.is_file()) {
                        push(
                            &found,
                            Candidate {
                                display: display(entry.path(), implicit_root),
                                path: entry.into_path(),
                                explicit: false,
                            },
                        );
                    }
                }
                Err(err) => push(&errors, walk_error(&err, implicit_root)),
            }
            WalkState::Continue
        })
    });
    inputs.files.extend(into_inner(found));
    inputs.errors.extend(into_inner(errors));
    inputs.warnings.extend(into_inner(warnings));
}

/// Adds to a vector shared by the walker's threads. A poisoned lock only means another thread
/// panicked while pushing; the vector itself is still whole.
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

        let all = collect(&[root.to_path_buf()], WalkOptions { no_ignore: true });
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

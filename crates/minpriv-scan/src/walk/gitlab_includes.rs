//! The files a `.gitlab-ci.yml` includes from its own repository (`include: local:`), added to
//! the files to read, as GitLab CI whatever their name.
//!
//! GitLab reads local includes relative to the repository's root, the folder of
//! `.gitlab-ci.yml`, also those an included file includes. Their names say nothing
//! (`.common-ci.yml`, `ci/jobs.yml`), so a walk alone does not know them for CI files. What an
//! include names is fenced like the files a Compose file names: inside the scanned folders and
//! their git work trees unless `--follow`.

use super::{Candidate, Inputs, normalise};
use crate::resolver::{Access, read_fenced};
use minpriv_readers::Format;
use minpriv_readers::command_line::gitlab_local_includes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

/// GitLab's own limit on the files one pipeline includes (`max_includes`, 150 by default).
pub(crate) const MAX_INCLUDES: usize = 150;

/// Longer wildcard patterns are not expanded: matching costs their length times each path's.
pub(crate) const MAX_PATTERN_BYTES: usize = 256;

/// How many entries a wildcard's expansion looks at before it gives up, so that `**.yml` in a
/// huge repository costs bounded time.
const MAX_GLOB_ENTRIES: usize = 10_000;

/// Adds the files each GitLab CI root file of `inputs` includes locally, marked as GitLab CI. A
/// file that is also walked is marked, not added again: it is read once. Includes that are not
/// read get a note in `inputs.warnings`.
pub(super) fn add_included(inputs: &mut Inputs, access: &Access) {
    let roots: Vec<(PathBuf, String)> = inputs
        .files
        .iter()
        .filter(|c| is_gitlab_ci_root(&c.path))
        .map(|c| (c.path.clone(), c.display.clone()))
        .collect();
    if roots.is_empty() {
        return;
    }
    let mut known: HashMap<PathBuf, usize> = inputs
        .files
        .iter()
        .enumerate()
        .map(|(i, c)| (normalise(&c.path), i))
        .collect();
    for (root, shown) in roots {
        let Ok(text) = read_fenced(&root, access) else {
            // Reading the file itself reports why it cannot be read.
            continue;
        };
        let root_dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        let shown_dir = shown.rsplit_once('/').map(|(dir, _)| dir.to_string());
        let mut follow = Following {
            root_dir: &root_dir,
            shown_dir: shown_dir.as_deref(),
            access,
            seen: HashSet::from([normalise(&root)]),
            count: 0,
            inputs,
            known: &mut known,
        };
        follow.run(text, shown);
    }
}

/// `.gitlab-ci.yml` and its variants: the files GitLab starts a pipeline from.
pub(crate) fn is_gitlab_ci_root(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|n| n.ends_with("gitlab-ci.yml") || n.ends_with("gitlab-ci.yaml"))
}

/// The includes of one root file, followed breadth first.
struct Following<'a> {
    root_dir: &'a Path,
    /// The root's folder as paths are shown; `None` when the root is shown without one.
    shown_dir: Option<&'a str>,
    access: &'a Access,
    /// Files already taken in (normalised), the root among them: an include cycle ends here.
    seen: HashSet<PathBuf>,
    count: usize,
    inputs: &'a mut Inputs,
    known: &'a mut HashMap<PathBuf, usize>,
}

impl Following<'_> {
    fn run(&mut self, root_text: String, root_shown: String) {
        let mut queue = VecDeque::from([(root_text, root_shown)]);
        while let Some((text, shown)) = queue.pop_front() {
            for include in gitlab_local_includes(&text) {
                let note = |message: String| {
                    (
                        shown.clone(),
                        format!(
                            "include '{}' (line {}) {message}",
                            include.path, include.line
                        ),
                    )
                };
                if include.path.contains('$') {
                    let message = "names a CI variable: not followed".to_string();
                    self.inputs.warnings.push(note(message));
                    continue;
                }
                let pattern = include.path.trim_start_matches('/');
                let files = if pattern.contains('*') {
                    match expand(self.root_dir, pattern) {
                        Ok(files) if files.is_empty() => {
                            self.inputs
                                .warnings
                                .push(note("matches no file".to_string()));
                            continue;
                        }
                        Ok(files) => files,
                        Err(why) => {
                            self.inputs.warnings.push(note(why));
                            continue;
                        }
                    }
                } else {
                    vec![pattern.to_string()]
                };
                for relative in files {
                    if self.count >= MAX_INCLUDES {
                        let message = format!(
                            "is past the {MAX_INCLUDES} files GitLab includes at most: not \
                             followed"
                        );
                        self.inputs.warnings.push(note(message));
                        return;
                    }
                    let path = self.root_dir.join(&relative);
                    if !self.seen.insert(normalise(&path)) {
                        continue;
                    }
                    self.count += 1;
                    match read_fenced(&path, self.access) {
                        Ok(included) => {
                            let display = self.display(&relative);
                            self.take(path, display.clone());
                            queue.push_back((included, display));
                        }
                        Err(not_read) => {
                            let why = not_read
                                .why()
                                .unwrap_or_else(|| "does not exist: not read".to_string());
                            self.inputs.warnings.push(note(why));
                        }
                    }
                }
            }
        }
    }

    /// How the included file `relative` (to the root's folder) is shown.
    fn display(&self, relative: &str) -> String {
        let relative = normalise(Path::new(relative));
        let relative = relative.to_string_lossy();
        match self.shown_dir {
            Some(dir) => format!("{dir}/{relative}"),
            None => relative.into_owned(),
        }
    }

    /// Marks the walked file at `path` as GitLab CI, or adds it.
    fn take(&mut self, path: PathBuf, display: String) {
        let key = normalise(&path);
        if let Some(candidate) = self
            .known
            .get(&key)
            .and_then(|&i| self.inputs.files.get_mut(i))
        {
            candidate.format = Some(Format::GitlabCi);
            return;
        }
        self.known.insert(key, self.inputs.files.len());
        self.inputs.files.push(Candidate {
            path,
            display,
            explicit: false,
            format: Some(Format::GitlabCi),
        });
    }
}

/// The files under `root` that the wildcard `pattern` names, relative to `root` with `/`
/// separators, sorted; or why it was not expanded.
fn expand(root: &Path, pattern: &str) -> Result<Vec<String>, String> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(format!(
            "is longer than {MAX_PATTERN_BYTES} bytes: not expanded"
        ));
    }
    let wildcard = Wildcard::new(pattern);
    // Only the folder before the first wildcard can hold matches.
    let literal = &pattern[..pattern.find('*').unwrap_or(pattern.len())];
    let start = literal.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut found = Vec::new();
    let mut budget = MAX_GLOB_ENTRIES;
    let mut pending = vec![(root.join(start), start.to_string())];
    while let Some((dir, relative)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if budget == 0 {
                return Err(format!(
                    "reaches more than {MAX_GLOB_ENTRIES} entries: not expanded"
                ));
            }
            budget -= 1;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            // The entry's own type: links are not followed.
            match entry.file_type() {
                Ok(t) if t.is_dir() && name != ".git" => pending.push((entry.path(), path)),
                Ok(t) if t.is_file() && wildcard.matches(&path) => found.push(path),
                _ => {}
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A wildcard path as GitLab reads one (`Repository#search_files_by_wildcard_path`): `**/` is
/// any run of folders or none, `**` any characters, `*` any characters but `/`; every other
/// character is itself.
pub(crate) struct Wildcard {
    tokens: Vec<Token>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Byte(u8),
    /// `*`
    InName,
    /// `**`
    Anything,
    /// `**/`
    Folders,
}

impl Wildcard {
    pub(crate) fn new(pattern: &str) -> Self {
        let bytes = pattern.as_bytes();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if bytes[i..].starts_with(b"**/") {
                tokens.push(Token::Folders);
                i += 3;
            } else if bytes[i..].starts_with(b"**") {
                tokens.push(Token::Anything);
                i += 2;
            } else if b == b'*' {
                tokens.push(Token::InName);
                i += 1;
            } else {
                tokens.push(Token::Byte(b));
                i += 1;
            }
        }
        Wildcard { tokens }
    }

    /// Whether the whole of `path` matches, in time proportional to the pattern's length
    /// times the path's (no backtracking).
    pub(crate) fn matches(&self, path: &str) -> bool {
        let text = path.as_bytes();
        let m = text.len();
        // `next[j]`: the tokens after the current one match `text[j..]`.
        let mut next = vec![false; m + 1];
        next[m] = true;
        for token in self.tokens.iter().rev() {
            let mut row = vec![false; m + 1];
            // For `**/`: some `/` at or after `j` ends a run of folders that the rest matches.
            let mut folders_end_ahead = false;
            for j in (0..=m).rev() {
                let here = text.get(j).copied();
                let after = next.get(j + 1).copied().unwrap_or(false);
                let rest_here = row.get(j + 1).copied().unwrap_or(false);
                folders_end_ahead |= here == Some(b'/') && after;
                row[j] = match *token {
                    Token::Byte(b) => here == Some(b) && after,
                    Token::InName => next[j] || (here.is_some_and(|c| c != b'/') && rest_here),
                    Token::Anything => next[j] || (here.is_some() && rest_here),
                    Token::Folders => next[j] || folders_end_ahead,
                };
            }
            next = row;
        }
        next[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_as_gitlab_reads_them() {
        let cases = [
            (".gitlab/ci/*.yml", ".gitlab/ci/build.yml", true),
            (".gitlab/ci/*.yml", ".gitlab/ci/sub/build.yml", false),
            (".gitlab/ci/*.yml", ".gitlab/ci/build.yaml", false),
            (".gitlab/ci/**.yml", ".gitlab/ci/sub/build.yml", true),
            (".gitlab/ci/**.yml", ".gitlab/ci/build.yml", true),
            (".gitlab/ci/**/*.yml", ".gitlab/ci/build.yml", true),
            (".gitlab/ci/**/*.yml", ".gitlab/ci/a/b/build.yml", true),
            ("*.yml", "a.yml", true),
            ("*.yml", "dir/a.yml", false),
            ("ci/[ab].yml", "ci/[ab].yml", true),
            ("ci/[ab].yml", "ci/a.yml", false),
            ("ci/?.yml", "ci/a.yml", false),
            ("libs/*/ci.yml", "libs/x/ci.yml", true),
            ("libs/*/ci.yml", "libs/x/y/ci.yml", false),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(
                Wildcard::new(pattern).matches(path),
                want,
                "{pattern} {path}"
            );
        }
    }

    #[test]
    fn a_hostile_pattern_costs_no_backtracking() {
        let pattern = "*a".repeat(100) + "b";
        let path = "a".repeat(200);
        assert!(!Wildcard::new(&pattern).matches(&path));
    }

    #[test]
    fn expansion_starts_at_the_literal_folder_and_skips_git() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for file in [
            ".gitlab/ci/a.yml",
            ".gitlab/ci/sub/b.yml",
            ".git/x.yml",
            "c.yml",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_default();
            std::fs::write(&path, "x: 1\n").unwrap_or_default();
        }
        assert_eq!(
            expand(dir.path(), ".gitlab/ci/**.yml"),
            Ok(vec![
                ".gitlab/ci/a.yml".to_string(),
                ".gitlab/ci/sub/b.yml".to_string()
            ])
        );
        assert_eq!(
            expand(dir.path(), "**.yml").map(|f| f.len()),
            Ok(3),
            ".git is left out"
        );
        assert!(expand(dir.path(), &"*".repeat(300)).is_err());
    }
}

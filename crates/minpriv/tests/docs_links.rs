//! The documentation holds together: README.md, ARCHITECTURE.md, SECURITY.md and every page under
//! docs/.
//!
//! - Every relative Markdown link (`[text](path)`, `[text](path#anchor)`, `[text](#anchor)`,
//!   images, and reference definitions `[ref]: path`; not http(s), mailto or other schemes, not in
//!   fenced code blocks or code spans) leads to a file or folder of this repository, relative to
//!   the linking file. A link that leaves the repository (`../shared/...`) fails too: a fresh
//!   clone does not have it.
//! - When a link has an anchor and leads to a Markdown file, that file has a heading with that
//!   GitHub-style slug (lower case, punctuation other than `-` and `_` removed, each space a
//!   `-`; a repeated heading gets `-1`, `-2`, ...).
//! - No placeholder address a user would copy: neither `example.invalid` nor `OWNER/` in
//!   README.md or docs/.
//! - Every page of docs/ is in the index, docs/README.md, and the snippets that repeat a file of
//!   this repository agree with it (the quick start's test command with `.ci/run`, the local
//!   pre-commit hook's `files` with `.pre-commit-hooks.yaml`).

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.md` file under `dir`, recursively, in name order.
fn markdown_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a listable folder").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            found.extend(markdown_files_under(&path));
        } else if path.extension().is_some_and(|ext| ext == "md") {
            found.push(path);
        }
    }
    found
}

/// The files whose links are checked.
fn documentation() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "SECURITY.md"]
        .iter()
        .map(|name| root.join(name))
        .collect();
    files.extend(markdown_files_under(&root.join("docs")));
    files
}

fn shown(path: &Path) -> String {
    let root = repo_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The text of `markdown` outside fenced code blocks, with each line's number; fenced lines are
/// left out (a fence is three or more backticks or tildes, closed by a like fence at least as
/// long).
fn outside_fences(markdown: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match (fence, marker) {
            (None, Some(m)) if run >= 3 => fence = Some((m, run)),
            (Some((m, len)), Some(c))
                if c == m && run >= len && trimmed[run..].trim().is_empty() =>
            {
                fence = None
            }
            (None, _) => lines.push((index + 1, line)),
            _ => {}
        }
    }
    lines
}

/// `text` with its code spans blanked out (a run of N backticks up to the next run of exactly N),
/// keeping newlines so that line numbers still count.
fn without_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        // The closing run: exactly `run` backticks.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                for c in &chars[i..j + run] {
                    out.push(if *c == '\n' { '\n' } else { ' ' });
                }
                i = j + run;
            }
            None => {
                for _ in 0..run {
                    out.push('`');
                }
                i += run;
            }
        }
    }
    out
}

/// A link found in a file: its line and its destination as written.
struct Link {
    line: usize,
    target: String,
}

/// The links of `markdown`: inline links and images (`[text](dest)`, `![alt](dest "title")`) and
/// reference definitions (`[ref]: dest`), outside fenced code and code spans.
fn links(markdown: &str) -> Vec<Link> {
    let kept = outside_fences(markdown);
    // Rebuild the text with the fenced lines blank, so that offsets map back to line numbers.
    let total = markdown.lines().count();
    let mut text_lines = vec![""; total];
    for (number, line) in &kept {
        text_lines[number - 1] = line;
    }
    let text = without_code_spans(&text_lines.join("\n"));
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;

    let mut found = Vec::new();
    // Inline links and images: `](` then the destination up to whitespace or `)`.
    let mut from = 0;
    while let Some(at) = text[from..].find("](") {
        let start = from + at + 2;
        let rest = &text[start..];
        let target = if let Some(angle) = rest.strip_prefix('<') {
            angle.split('>').next().unwrap_or_default().to_string()
        } else {
            // Balanced parentheses inside the destination, as CommonMark allows.
            let mut depth = 0usize;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    c if c.is_whitespace() => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            rest[..end].to_string()
        };
        found.push(Link {
            line: line_of(start),
            target,
        });
        from = start;
    }
    // Reference definitions: `[ref]: dest` at the start of a line.
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('[')
            && let Some((label, dest)) = rest.split_once("]:")
            && !label.is_empty()
            && !label.contains(']')
        {
            let dest = dest.trim();
            let dest = dest
                .strip_prefix('<')
                .map_or(dest, |d| d.trim_end_matches('>'));
            if let Some(target) = dest.split_whitespace().next() {
                found.push(Link {
                    line: index + 1,
                    target: target.to_string(),
                });
            }
        }
    }
    found
}

/// Whether `target` names a scheme (`https:`, `mailto:`, ...): not a relative link.
fn is_external(target: &str) -> bool {
    let Some((scheme, _)) = target.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
}

/// `%XX` escapes decoded (links to names with spaces are written `%20`).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `path` with `.` and `..` resolved lexically (the file need not exist).
fn normalised(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The GitHub slug of a heading's text.
fn slug(heading: &str) -> String {
    // Links in a heading count by their text.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](") else {
            break;
        };
        let Some(end) = rest[open + close..].find(')') else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..open + close]);
        rest = &rest[open + close + end + 1..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (ATX headings outside fenced code), as GitHub makes
/// them: a slug that repeats gets `-1`, `-2`, ...
fn anchors(markdown: &str) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    for (_, line) in outside_fences(markdown) {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() > 3 {
            continue; // indented code
        }
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&level) {
            continue;
        }
        let after = &trimmed[level..];
        if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
            continue;
        }
        // A closing sequence of `#`s is not part of the heading.
        let title = after.trim().trim_end_matches('#').trim_end();
        let base = slug(title);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

#[test]
fn every_relative_link_resolves() {
    let root = repo_root();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in documentation() {
        let markdown = read(&file);
        let dir = file.parent().expect("a file has a folder");
        for link in links(&markdown) {
            let target = link.target.trim();
            if target.is_empty() || is_external(target) {
                continue;
            }
            checked += 1;
            let here = format!("{}:{}: ({target})", shown(&file), link.line);
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target, None),
            };
            let path = percent_decoded(path.split('?').next().unwrap_or_default());
            let resolved = if path.is_empty() {
                file.clone()
            } else if path.starts_with('/') {
                problems.push(format!(
                    "{here}: an absolute path; write it relative to the file"
                ));
                continue;
            } else {
                normalised(&dir.join(&path))
            };
            if !resolved.starts_with(&root) {
                problems.push(format!(
                    "{here}: leads out of the repository, which a fresh clone does not have"
                ));
                continue;
            }
            if !resolved.exists() {
                problems.push(format!("{here}: {} does not exist", shown(&resolved)));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if resolved.extension().is_none_or(|ext| ext != "md") {
                continue; // anchors of other files (line numbers of source) are not checked
            }
            let anchor = percent_decoded(anchor).to_lowercase();
            if !anchors(&read(&resolved)).contains(&anchor) {
                problems.push(format!(
                    "{here}: {} has no heading with the anchor #{anchor}",
                    shown(&resolved)
                ));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} links were found: is the parser broken?"
    );
    assert!(
        problems.is_empty(),
        "{} broken relative link(s) in the documentation:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn no_placeholder_addresses() {
    let root = repo_root();
    let mut files = vec![root.join("README.md")];
    files.extend(markdown_files_under(&root.join("docs")));
    let mut problems = Vec::new();
    for file in files {
        for (index, line) in read(&file).lines().enumerate() {
            for placeholder in ["example.invalid", "OWNER/"] {
                if line.contains(placeholder) {
                    problems.push(format!(
                        "{}:{}: {placeholder}: {}",
                        shown(&file),
                        index + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "placeholder addresses where a user would copy them (this project has no public \
         address: build from a clone, or take the address from a variable the reader sets, as \
         docs/ci.md does with MINPRIV_GIT):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_index_lists_every_page() {
    let root = repo_root();
    let docs = root.join("docs");
    let index = read(&docs.join("README.md"));
    let linked: HashSet<String> = links(&index)
        .into_iter()
        .map(|link| {
            link.target
                .split('#')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut missing = Vec::new();
    for page in std::fs::read_dir(&docs).expect("docs/ is listable") {
        let path = page.expect("docs/ is listable").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_file() && name.ends_with(".md") && name != "README.md" && !linked.contains(&name)
        {
            missing.push(name);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "docs/README.md does not link these pages: {missing:?}"
    );
    // And the README links the index.
    assert!(
        read(&root.join("README.md")).contains("](docs/README.md)"),
        "README.md links docs/README.md"
    );
}

#[test]
fn the_quick_start_runs_what_ci_runs() {
    let root = repo_root();
    let readme = read(&root.join("README.md"));
    let quick_start = readme
        .split_once("\n## Quick start\n")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or_default())
        .expect("README.md has a Quick start section");
    assert!(
        quick_start
            .contains("```sh\ncargo run --release -- scan examples\ncargo test --workspace\n```"),
        "the quick start gives the two commands"
    );
    let ci = read(&root.join(".ci/run"));
    let last = ci
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    assert_eq!(
        last.trim(),
        "cargo test --workspace",
        ".ci/run ends with the README's test command"
    );
}

/// The lines of the `files: ... |-` block scalar after `after` in `text`, unindented.
fn files_block(text: &str, after: &str, what: &str) -> Vec<String> {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("{what}: no {after:?}"));
    let mut lines = text[start..].lines().skip_while(|l| {
        let l = l.trim();
        !(l.starts_with("files:") && l.ends_with("|-"))
    });
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("{what}: no `files: |-`"));
    let indent = header.len() - header.trim_start().len();
    lines
        .take_while(|l| l.len() - l.trim_start().len() > indent && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_local_pre_commit_hook_matches_the_published_one() {
    let root = repo_root();
    let published = files_block(
        &read(&root.join(".pre-commit-hooks.yaml")),
        "- id: minpriv\n",
        ".pre-commit-hooks.yaml",
    );
    let documented = files_block(
        &read(&root.join("docs/ci.md")),
        "- repo: local",
        "docs/ci.md",
    );
    assert!(published.len() > 3, "{published:?}");
    assert_eq!(
        documented, published,
        "docs/ci.md's local pre-commit hook passes other files than .pre-commit-hooks.yaml's"
    );
}

#[test]
fn the_link_parser_reads_what_it_must() {
    let markdown = "\
# Title: `minpriv scan`
See [a](a.md), [b
c](dir/b.md#some-heading) and ![img](img.png \"title\").
`[not](a link)` and ``[nor](this)``.
[ref]: ref.md
```sh
[not](in/a/fence.md)
```
## Title: `minpriv scan`
[ext](https://example.com) [mail](mailto:x@y) [here](#title-minpriv-scan-1)
";
    let targets: Vec<String> = links(markdown).into_iter().map(|l| l.target).collect();
    assert_eq!(
        targets,
        [
            "a.md",
            "dir/b.md#some-heading",
            "img.png",
            "https://example.com",
            "mailto:x@y",
            "#title-minpriv-scan-1",
            "ref.md"
        ]
    );
    assert!(is_external("https://example.com") && is_external("mailto:x@y"));
    assert!(!is_external("docs/ci.md") && !is_external("#a:b"));
    let found = anchors(markdown);
    assert!(found.contains("title-minpriv-scan") && found.contains("title-minpriv-scan-1"));
    assert_eq!(
        slug("Gating changes: `--baseline` and `minpriv diff`"),
        "gating-changes---baseline-and-minpriv-diff"
    );
    assert_eq!(
        slug("Pod Security Standards, exactly"),
        "pod-security-standards-exactly"
    );
    assert_eq!(slug("SARIF (`--format sarif`)"), "sarif---format-sarif");
    assert_eq!(percent_decoded("a%20b.md"), "a b.md");
}

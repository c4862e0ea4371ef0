//! The shell text of CI files: GitHub Actions `run` steps, GitLab CI `script` sections.
//!
//! A YAML scalar's value is not its source text: quotes are removed, escapes decoded, lines
//! folded, indentation stripped. So that findings land on the right line and column, the shell
//! text is rebuilt from the scalar's *source* with a [`SourceMap`] back to the file:
//! - literal blocks (`|`): the source lines themselves; the indentation kept in front of each
//!   line is only whitespace to the shell;
//! - folded blocks (`>`) and multi-line plain scalars: the source, with each line break that
//!   YAML folds into a space turned into a space (one byte for one byte);
//! - single-quoted scalars: `''` read as `'`, line breaks folded;
//! - double-quoted scalars: escapes decoded, each decoded character mapped to its escape.
//!
//! Every style maps exactly; a scalar whose source does not look as expected (which the parser
//! should never produce) is read from its value, with every offset at the scalar's start.

use super::commands::{Invocation, find_invocations};
use crate::InputError;
use crate::shell::SourceMap;
use crate::yaml::{self, Node};
use granit_parser::ScalarStyle;
use std::collections::HashSet;

/// How deeply GitLab's nested `script` lists are followed (GitLab itself flattens ten levels).
const MAX_SCRIPT_NESTING: usize = 10;

/// GitLab top-level keys that are no jobs.
const GITLAB_GLOBAL_KEYWORDS: &[&str] = &[
    "stages",
    "variables",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "spec",
];

/// The container commands in every `jobs.*.steps[*].run` of a GitHub Actions workflow.
pub(super) fn github_actions(text: &str) -> (Vec<Invocation>, Vec<InputError>) {
    let stream = yaml::parse(text);
    let mut scanner = Scanner::new(text);
    for doc in &stream.documents {
        let Some(jobs) = doc.root().and_then(|r| r.get("jobs")) else {
            continue;
        };
        for (_, job) in jobs.entries() {
            let Some(steps) = job.get("steps") else {
                continue;
            };
            for step in steps.items() {
                if let Some(run) = step.get("run") {
                    scanner.scalar(run);
                }
            }
        }
    }
    (scanner.found, stream.errors)
}

/// The container commands in every job's `script`, `before_script` and `after_script` of a
/// GitLab CI file (also those of `default:` and the old top-level `before_script`).
pub(super) fn gitlab_ci(text: &str) -> (Vec<Invocation>, Vec<InputError>) {
    let stream = yaml::parse(text);
    let mut scanner = Scanner::new(text);
    for doc in &stream.documents {
        let Some(root) = doc.root() else {
            continue;
        };
        for (key, value) in root.entries() {
            let Some(name) = key.as_str() else {
                continue;
            };
            if name == "before_script" || name == "after_script" {
                scanner.script(value, 0);
            } else if !GITLAB_GLOBAL_KEYWORDS.contains(&name) && value.is_mapping() {
                for section in ["before_script", "script", "after_script"] {
                    if let Some(script) = value.get(section) {
                        scanner.script(script, 0);
                    }
                }
            }
        }
    }
    (scanner.found, stream.errors)
}

/// A file a GitLab CI file includes from its own repository (`include: local:`), as written:
/// relative to the repository's root, maybe with `*` and `**` wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalInclude {
    /// The path or pattern, as written.
    pub path: String,
    /// The 1-based line it is written on.
    pub line: u32,
}

/// The local files a GitLab CI file includes: `include: FILE`, `include: [FILE, ...]`,
/// `include: {local: FILE}` and lists of `- local: FILE`. Remote, template, project and
/// component includes are not local, and are left out.
pub(super) fn gitlab_local_includes(text: &str) -> Vec<LocalInclude> {
    let stream = yaml::parse(text);
    let mut out = Vec::new();
    for doc in &stream.documents {
        let Some(include) = doc.root().and_then(|r| r.get("include")) else {
            continue;
        };
        if include.is_sequence() {
            for item in include.items() {
                push_local_include(item, &mut out);
            }
        } else {
            push_local_include(include, &mut out);
        }
    }
    out
}

fn push_local_include(node: Node<'_>, out: &mut Vec<LocalInclude>) {
    if node.is_null() {
        return;
    }
    let (path, at) = if node.is_mapping() {
        let Some(local) = node.get("local").filter(|n| !n.is_null()) else {
            return;
        };
        (local.as_str(), local)
    } else {
        // A bare string is a local file unless it is a URL (then it is `remote:`).
        let path = node
            .as_str()
            .filter(|p| !p.starts_with("https://") && !p.starts_with("http://"));
        (path, node)
    };
    if let Some(path) = path.map(str::trim).filter(|p| !p.is_empty()) {
        out.push(LocalInclude {
            path: path.to_string(),
            line: at.span().line,
        });
    }
}

/// Reads shell text out of scalars, each node once.
struct Scanner<'t> {
    text: &'t str,
    /// Nodes already read: aliases (`script: *setup`) and merge keys reach the same node many
    /// times, and reading it again would only find the same commands, at a cost an alias-heavy
    /// file could multiply.
    seen: HashSet<(usize, usize)>,
    found: Vec<Invocation>,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            seen: HashSet::new(),
            found: Vec::new(),
        }
    }

    fn first_visit(&mut self, node: Node<'_>) -> bool {
        let span = node.span();
        self.seen.insert((span.start, span.end))
    }

    /// A GitLab script: one string, or a list of strings and lists.
    fn script(&mut self, node: Node<'_>, depth: usize) {
        if depth > MAX_SCRIPT_NESTING {
            return;
        }
        if node.is_sequence() {
            if self.first_visit(node) {
                for item in node.items() {
                    self.script(item, depth + 1);
                }
            }
        } else {
            self.scalar(node);
        }
    }

    /// Reads the shell text of a scalar node.
    fn scalar(&mut self, node: Node<'_>) {
        let (Some(value), Some(style)) = (node.as_str(), node.style()) else {
            return;
        };
        if !self.first_visit(node) {
            return;
        }
        let span = node.span();
        let source = self.text.get(span.start..span.end).unwrap_or("");
        let indent = base_indent(self.text, span.start);
        let (shell, map) = match shell_text(source, span.start, style, indent) {
            Some(mapped) => mapped,
            // Point every word at the scalar's start rather than somewhere wrong.
            None => (value.to_string(), collapsed(value.len(), span.start)),
        };
        self.found.extend(find_invocations(&shell, &map));
    }
}

/// A map that sends every offset of a `len`-byte text to `at`.
fn collapsed(len: usize, at: usize) -> SourceMap {
    let mut map = SourceMap::empty_at(at);
    map.push(0..len, at..at, false);
    map
}

/// The indentation of the line holding `offset`: where a block scalar's lines start.
fn base_indent(text: &str, offset: usize) -> usize {
    let line_start = text
        .get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |n| n + 1);
    text.get(line_start..offset).map_or(0, |prefix| {
        prefix.len() - prefix.trim_start_matches(' ').len()
    })
}

/// The shell text of a scalar whose source is `source`, at `offset` in the file, and its map.
fn shell_text(
    source: &str,
    offset: usize,
    style: ScalarStyle,
    indent: usize,
) -> Option<(String, SourceMap)> {
    match style {
        ScalarStyle::Literal => Some((
            source.to_string(),
            SourceMap::identity(offset, source.len()),
        )),
        ScalarStyle::Folded => Some((
            fold_lines(source, Some(indent)),
            SourceMap::identity(offset, source.len()),
        )),
        ScalarStyle::Plain => Some((
            fold_lines(source, None),
            SourceMap::identity(offset, source.len()),
        )),
        ScalarStyle::SingleQuoted => {
            let inner = source.strip_prefix('\'')?.strip_suffix('\'')?;
            Some(single_quoted(inner, offset + 1))
        }
        ScalarStyle::DoubleQuoted => {
            let inner = source.strip_prefix('"')?.strip_suffix('"')?;
            Some(double_quoted(inner, offset + 1))
        }
    }
}

/// `source` with the line breaks YAML folds into spaces turned into spaces. `block_indent`:
/// for a folded block, the indentation of its lines (lines indented more keep their breaks).
fn fold_lines(source: &str, block_indent: Option<usize>) -> String {
    let more_indented = |line: &str| {
        block_indent
            .is_some_and(|indent| line.len() - line.trim_start_matches([' ', '\t']).len() > indent)
    };
    let mut out = String::with_capacity(source.len());
    let mut line_start = 0;
    for (at, _) in source.match_indices('\n') {
        let line = &source[line_start..at];
        let next = next_line(source, at);
        // The first line's indentation is before `source`: it is never "more indented".
        let folds = line_break_folds(source, at)
            && !more_indented(next)
            && !(line_start > 0 && more_indented(line));
        out.push_str(line);
        out.push(if folds { ' ' } else { '\n' });
        line_start = at + 1;
    }
    out.push_str(&source[line_start..]);
    out
}

/// The line after the line break at `at`.
fn next_line(source: &str, at: usize) -> &str {
    let rest = source.get(at + 1..).unwrap_or("");
    rest.split('\n').next().unwrap_or("")
}

/// True when the line break at `at` joins two lines with text: YAML folds it into a space.
/// (Breaks next to empty lines become the empty lines' newlines: to the shell, newlines.)
fn line_break_folds(source: &str, at: usize) -> bool {
    let before = source.get(..at).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    !line.trim().is_empty() && !next_line(source, at).trim().is_empty()
}

/// A single-quoted scalar's content: `''` is `'`, line breaks fold.
fn single_quoted(inner: &str, offset: usize) -> (String, SourceMap) {
    let folded = fold_lines(inner, None);
    let mut text = String::with_capacity(folded.len());
    let mut map = SourceMap::default();
    let mut run_start = 0;
    let mut i = 0;
    let bytes = folded.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
            push_run(&mut text, &mut map, &folded, run_start..i, offset);
            let at = text.len();
            text.push('\'');
            map.push(at..at + 1, offset + i..offset + i + 2, false);
            i += 2;
            run_start = i;
        } else {
            i += 1;
        }
    }
    push_run(&mut text, &mut map, &folded, run_start..bytes.len(), offset);
    (text, map)
}

/// A double-quoted scalar's content: escapes decoded, line breaks folded; an escaped line break
/// joins the lines without a space.
fn double_quoted(inner: &str, offset: usize) -> (String, SourceMap) {
    let bytes = inner.as_bytes();
    let mut text = String::with_capacity(inner.len());
    let mut map = SourceMap::default();
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                push_run(&mut text, &mut map, inner, run_start..i, offset);
                let at = text.len();
                text.push(if line_break_folds(inner, i) {
                    ' '
                } else {
                    '\n'
                });
                map.push(at..at + 1, offset + i..offset + i + 1, true);
                i += 1;
                run_start = i;
            }
            b'\\' => {
                push_run(&mut text, &mut map, inner, run_start..i, offset);
                let mut end = i + 1;
                let at = text.len();
                if bytes.get(i + 1) == Some(&b'\n') {
                    // The escaped break and the next line's indentation produce nothing.
                    end = i + 2;
                    while matches!(bytes.get(end), Some(b' ' | b'\t')) {
                        end += 1;
                    }
                } else {
                    let (produced, len) = yaml_escape(bytes.get(i + 1..).unwrap_or(&[]));
                    end = (end + len).min(bytes.len());
                    while end < bytes.len() && !inner.is_char_boundary(end) {
                        end += 1;
                    }
                    text.push(produced);
                }
                map.push(at..text.len(), offset + i..offset + end, false);
                i = end;
                run_start = i;
            }
            _ => i += 1,
        }
    }
    push_run(&mut text, &mut map, inner, run_start..bytes.len(), offset);
    (text, map)
}

/// Appends `source[range]` unchanged, mapped one byte for one byte.
fn push_run(
    text: &mut String,
    map: &mut SourceMap,
    source: &str,
    range: std::ops::Range<usize>,
    offset: usize,
) {
    if let Some(part) = source.get(range.clone()) {
        let at = text.len();
        text.push_str(part);
        map.push(
            at..text.len(),
            offset + range.start..offset + range.end,
            true,
        );
    }
}

/// A YAML double-quoted escape after its backslash (not a line break): the character and how
/// many bytes after the backslash it spans. An unknown escape stands for its own character.
fn yaml_escape(rest: &[u8]) -> (char, usize) {
    let Some(&first) = rest.first() else {
        return ('\\', 0);
    };
    let simple = match first {
        b'0' => '\0',
        b'a' => '\u{7}',
        b'b' => '\u{8}',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\u{b}',
        b'f' => '\u{c}',
        b'r' => '\r',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(rest, 2),
        b'u' => return hex_escape(rest, 4),
        b'U' => return hex_escape(rest, 8),
        other if other.is_ascii() => other as char,
        // The first byte of a multi-byte character: the caller skips to its end.
        _ => '\u{FFFD}',
    };
    (simple, 1)
}

fn hex_escape(rest: &[u8], digits: usize) -> (char, usize) {
    let hex: String = rest
        .iter()
        .skip(1)
        .take(digits)
        .take_while(|b| b.is_ascii_hexdigit())
        .map(|&b| b as char)
        .collect();
    let c = u32::from_str_radix(&hex, 16)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    (c, 1 + hex.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_includes_in_every_form() {
        let paths = |text: &str| -> Vec<(String, u32)> {
            gitlab_local_includes(text)
                .into_iter()
                .map(|i| (i.path, i.line))
                .collect()
        };
        let one = |p: &str, line: u32| (p.to_string(), line);
        assert_eq!(
            paths("include: '.common-ci.yml'\n"),
            [one(".common-ci.yml", 1)]
        );
        assert_eq!(
            paths("include:\n  local: .gitlab/ci/*.yml\n"),
            [one(".gitlab/ci/*.yml", 2)]
        );
        assert_eq!(
            paths("include: [{local: a.yml}, 'b.yml', 'https://x/c.yml']\n"),
            [one("a.yml", 1), one("b.yml", 1)]
        );
        assert_eq!(
            paths(
                "stages: [test]\ninclude:\n  - local: /ci/a.yml\n    rules:\n      - if: $X\n  \
                 - remote: https://x/y.yml\n  - template: Auto-DevOps.gitlab-ci.yml\n  \
                 - project: g/p\n    file: /t.yml\n  - component: $CI_SERVER_FQDN/c@1\n  \
                 - ci/**.yml\n"
            ),
            [one("/ci/a.yml", 3), one("ci/**.yml", 11)]
        );
        assert!(paths("job:\n  script: [x]\n").is_empty());
        assert!(paths("include:\n").is_empty());
    }

    /// The shell text of the `i`th item of a YAML sequence, and its map to the file.
    fn shell_of(yaml_text: &str, i: usize) -> (String, SourceMap) {
        let stream = yaml::parse(yaml_text);
        let node = stream.documents[0].root().unwrap().items().nth(i).unwrap();
        let span = node.span();
        shell_text(
            &yaml_text[span.start..span.end],
            span.start,
            node.style().unwrap(),
            base_indent(yaml_text, span.start),
        )
        .unwrap()
    }

    /// What the part `needle` of the shell text maps to in the file.
    fn source_of<'y>(yaml_text: &'y str, shell: &(String, SourceMap), needle: &str) -> &'y str {
        let at = shell.0.find(needle).expect("needle in shell text");
        &yaml_text[shell.1.range(at..at + needle.len())]
    }

    #[test]
    fn every_style_maps_back_to_its_source() {
        let text = "- |\n  docker run\n  x\n- >\n  docker run\n  --privileged\n\n  next\n- 'it''s here'\n- \"tab\\there \\\"q\\\"\"\n- plain\n  words\n";
        let literal = shell_of(text, 0);
        assert!(literal.0.starts_with("docker run\n  x"), "{:?}", literal.0);
        assert_eq!(source_of(text, &literal, "x"), "x");
        let folded = shell_of(text, 1);
        assert!(
            folded.0.starts_with("docker run   --privileged\n\n  next"),
            "{:?}",
            folded.0
        );
        assert_eq!(source_of(text, &folded, "--privileged"), "--privileged");
        let single = shell_of(text, 2);
        assert_eq!(single.0, "it's here");
        assert_eq!(source_of(text, &single, "it's"), "it''s");
        assert_eq!(source_of(text, &single, "here"), "here");
        let double = shell_of(text, 3);
        assert_eq!(double.0, "tab\there \"q\"");
        assert_eq!(source_of(text, &double, "\"q\""), "\\\"q\\\"");
        let plain = shell_of(text, 4);
        assert_eq!(plain.0, "plain   words");
        assert_eq!(source_of(text, &plain, "words"), "words");
    }

    #[test]
    fn folded_more_indented_lines_keep_their_breaks() {
        let text = "k: >\n  a\n    b\n  c\n";
        let stream = yaml::parse(text);
        let node = stream.documents[0].root().unwrap().get("k").unwrap();
        let span = node.span();
        let folded = fold_lines(
            &text[span.start..span.end],
            Some(base_indent(text, span.start)),
        );
        assert!(folded.starts_with("a\n    b\n  c"), "{folded:?}");
    }

    #[test]
    fn double_quoted_escapes_decode() {
        let (t, map) = double_quoted("a\\\"b\\x41\\u00e9\\\n   c\nd", 10);
        assert_eq!(t, "a\"bAéc d");
        assert_eq!(map.range(1..2), 11..13);
        assert_eq!(map.range(3..4), 14..18);
    }
}

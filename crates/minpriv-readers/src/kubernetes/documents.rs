//! Telling the documents of a YAML stream apart by their text, so that only those that may be
//! workloads (or lists of them) are parsed.

use super::kinds::{is_workload_kind, may_carry_pod_template};
use minpriv_model::LineIndex;
use std::ops::Range;

/// The byte ranges of `text` to parse: its YAML documents, less those that plainly are no
/// workload and no list, with adjacent ranges merged. `None` when the stream has to be parsed
/// whole (it uses directives or `...` document ends, or holds a byte-order mark).
///
/// Most bytes of real manifests are CRDs, RBAC objects and Services, and parsing is what reading
/// costs, so documents are first told apart by their text. This is exact, not a heuristic:
///
/// - A line starting with `---` followed by a space, a tab or the end of the line is always a
///   document start: YAML forbids such a line inside a document's content (`c-forbidden`, YAML
///   1.2 section 9.1.4), even inside block scalars and quoted scalars. Anchors and tags are
///   scoped to their document, so a document parsed alone reads as it does in the stream.
/// - A document is skipped only if it is a block mapping at column 0 whose column-0 lines are
///   all simple `key:` lines, `- ` sequence entries, comments and blank lines, and exactly one of
///   them is `kind: VALUE` with a plain or quoted alphanumeric value on that line that is no
///   workload kind and no list. In such a mapping every root key stands at column 0 (its flow
///   and multi-line scalars must be indented), so that line is the one `kind` the reader would
///   look up. Anything else (JSON, flow mappings, `? kind`, `"kind":`, `<<:` merges, a `kind`
///   given on the next line, tags, anchors, aliases) is parsed, and decided as before.
///
/// Syntax errors in skipped documents are not reported: they are objects minpriv does not read,
/// and cannot hide a workload (their `kind` is fixed by that column-0 line unless the document
/// is broken, and then the API server rejects it too). Checking them anyway was measured
/// (2026-11-28, the corpus's k8s/ folder, one core): an event-only parse of the skipped
/// documents takes the scan from 0.12 s to 0.48 s of CPU, four times the cost of reading what
/// minpriv does read.
pub(super) fn split_documents(text: &str, index: &LineIndex) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_some() {
        return None;
    }
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut keep = |range: Range<usize>| match parts.last_mut() {
        Some(last) if last.end == range.start => last.end = range.end,
        _ => parts.push(range),
    };
    let mut doc = DocumentScan::new(0);
    // The line index already knows where every line starts: no second search for newlines.
    let starts = index.line_starts();
    let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
    for (&line_start, line_end) in starts.iter().zip(ends) {
        let line = &bytes[line_start..line_end];
        match line.first() {
            Some(b'%') => return None,
            Some(b'.') if is_marker(line, b'.') => return None,
            Some(b'-') if is_marker(line, b'-') => {
                if doc.must_parse(text, line_start) {
                    keep(doc.start..line_start);
                }
                doc = DocumentScan::new(line_start);
                doc.marker_line(&line[3..]);
            }
            _ => doc.line(line, line_start),
        }
    }
    if doc.must_parse(text, bytes.len()) {
        keep(doc.start..bytes.len());
    }
    Some(parts)
}

/// True for `---` or `...` (three of `c`) followed by a space, a tab or the end of the line.
fn is_marker(line: &[u8], c: u8) -> bool {
    line.len() >= 3
        && line[..3].iter().all(|&b| b == c)
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// What the column-0 lines of one document say about it.
struct DocumentScan {
    /// Where the document starts (its `---` line, or the start of the text).
    start: usize,
    /// Something was seen that only a parser can read.
    undecided: bool,
    /// Some line holds more than blanks and comments; without one the document is empty.
    content: bool,
    /// How many `kind:` lines there are.
    kinds: usize,
    /// Where the value of the last `kind:` line is, in the text.
    kind: Range<usize>,
}

impl DocumentScan {
    fn new(start: usize) -> DocumentScan {
        DocumentScan {
            start,
            undecided: false,
            content: false,
            kinds: 0,
            kind: 0..0,
        }
    }

    /// The rest of a `---` line: nothing, or a comment.
    fn marker_line(&mut self, rest: &[u8]) {
        let rest = trim_blanks(rest);
        if !(rest.is_empty() || rest[0] == b'#') {
            self.content = true;
            self.undecided = true;
        }
    }

    /// One line of the document (not its `---` line), which starts at byte `at` of the text.
    fn line(&mut self, line: &[u8], at: usize) {
        if self.undecided {
            return;
        }
        match line.first() {
            // Blank lines and comments say nothing.
            Some(b'#' | b'\n' | b'\r') | None => {}
            // Indented: inside some root value, or a root that is not at column 0 (which has
            // no `kind:` line at column 0, so it is parsed).
            Some(b' ') if !self.content => self.content = !trim_blanks(line).is_empty(),
            Some(b' ') => {}
            // A tab is not indentation in YAML; only a blank line may start with one.
            Some(b'\t') => {
                self.undecided = !trim_blanks(line).is_empty();
                self.content |= self.undecided;
            }
            // A compact sequence, the value of the key above.
            Some(b'-') => {
                self.content = true;
                self.undecided = !matches!(line.get(1), Some(b' ' | b'\n' | b'\r') | None);
            }
            Some(_) => {
                self.content = true;
                match simple_key(line) {
                    Some((b"kind", rest)) => {
                        self.kinds += 1;
                        match plain_word(rest) {
                            Some(value) => {
                                // `value` lies inside `line`, which starts at `at`.
                                let from = at + (value.as_ptr() as usize - line.as_ptr() as usize);
                                self.kind = from..from + value.len();
                            }
                            None => self.undecided = true,
                        }
                    }
                    Some(_) => {}
                    None => self.undecided = true,
                }
            }
        }
    }

    /// Whether the document, which ends at byte `end` of `text` (the whole stream), has to be
    /// parsed: it may be a workload or a list, or its text does not tell.
    fn must_parse(&self, text: &str, end: usize) -> bool {
        if !self.content {
            // Only blanks and comments: an empty document or none, read as nothing.
            return false;
        }
        if self.undecided || self.kinds != 1 {
            return true;
        }
        match text.get(self.kind.clone()) {
            // ServiceAccounts are read too: their automountServiceAccountToken applies to the
            // pods of the same file that use them. They are small and few.
            Some(kind) => {
                is_workload_kind(kind)
                    || kind.ends_with("List")
                    || kind == "ServiceAccount"
                    || (may_carry_pod_template(kind)
                        && may_hold_containers(text.get(self.start..end).unwrap_or(text)))
            }
            None => true,
        }
    }
}

/// Whether a document of a kind minpriv does not know may hold a pod template: only if the
/// word `containers` is in its text (a pod template's `containers` key), or a backslash (an
/// escape in a double-quoted key could spell it otherwise). Anchors and aliases are scoped to
/// their document, so nothing outside the text can add the key. Most such documents (Services,
/// Istio and Gateway API objects, operator configuration) hold neither, and are not parsed.
fn may_hold_containers(document: &str) -> bool {
    let bytes = document.as_bytes();
    memchr::memmem::find(bytes, b"containers").is_some() || memchr::memchr(b'\\', bytes).is_some()
}

/// `line` without its leading and trailing spaces, tabs and line end.
fn trim_blanks(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &line[start..end]
}

/// A line `key:` with a plain key of letters, digits, `_`, `-`, `.` and `/` (starting with a
/// letter, a digit or `_`), followed by a space, a tab or the end of the line: the key and the
/// rest of the line after the colon.
fn simple_key(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *line.first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let len = line
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')))?;
    if line[len] != b':' {
        return None;
    }
    let rest = &line[len + 1..];
    matches!(rest.first(), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
        .then_some((&line[..len], rest))
}

/// The value after `kind:` when it is one alphanumeric word, plain or in single or double
/// quotes, followed by nothing but blanks and perhaps a comment.
fn plain_word(rest: &[u8]) -> Option<&[u8]> {
    let rest = trim_blanks(rest);
    let (quote, body) = match rest.first()? {
        q @ (b'"' | b'\'') => (Some(*q), &rest[1..]),
        _ => (None, rest),
    };
    let len = body
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    if len == 0 {
        return None;
    }
    let mut after = &body[len..];
    if let Some(q) = quote {
        after = after.strip_prefix(&[q])?;
    }
    // A comment needs a blank before it; anything else after the word makes another scalar.
    let after_trimmed = trim_blanks(after);
    let ok = after_trimmed.is_empty()
        || (after_trimmed[0] == b'#' && after.first().is_some_and(|b| matches!(b, b' ' | b'\t')));
    ok.then_some(&body[..len])
}

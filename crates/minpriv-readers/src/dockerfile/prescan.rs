//! BuildKit's here-document rules, applied before `parse-dockerfile` sees the text.
//!
//! `parse-dockerfile` only knows a here-document when `<<` opens the arguments of `RUN` (and only
//! one), so `RUN cat <<EOF > /etc/motd` or `RUN python3 <<EOF` make it read the body lines as
//! instructions and fail. BuildKit finds every `<<WORD` among the words of a `RUN`, `COPY` or `ADD`
//! line (also behind `ONBUILD`, never in the JSON form) and reads the bodies, in order, from the
//! following lines. This module does the same, hands the parser a copy of the text in which each
//! body and each `<<` is blanked out (same length, same byte offsets, newlines kept), and
//! remembers where the bodies are.

use super::shell::{Cursor, HereDoc};
use super::substitution::{Budget, expand};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// The text to give the parser, and the here-documents taken out of it.
#[derive(Debug)]
pub(crate) struct Prescan<'t> {
    /// The text with here-document bodies and `<<` operators blanked out.
    pub text_for_parser: Cow<'t, str>,
    /// Every here-document, in source order.
    pub here_docs: Vec<HereDoc>,
}

/// A here-document whose terminating line never comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrescanError {
    /// What is wrong.
    pub message: String,
    /// The `<<WORD` that opened it.
    pub at: Range<usize>,
}

/// Characters BuildKit counts as white space inside a line.
fn is_line_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

/// The escape character set by an `# escape=` parser directive, read the way `parse-dockerfile`
/// reads directives (so that both agree on where lines continue).
pub(crate) fn directive_escape(text: &str) -> char {
    let mut escape = '\\';
    let mut seen: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let rest = rest.trim_start_matches(|c: char| c.is_ascii() && is_line_space(c as u8));
        let key_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (key, after) = rest.split_at(key_len);
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "check" | "escape") {
            break;
        }
        let after = after.trim_start_matches(|c: char| c.is_ascii() && is_line_space(c as u8));
        let Some(value) = after.strip_prefix('=') else {
            break;
        };
        if seen.contains(&key) {
            // A repeated directive invalidates all of them.
            return '\\';
        }
        if key == "escape" {
            let value = value.trim_start_matches(|c: char| c.is_ascii() && is_line_space(c as u8));
            let value = value
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            if value == "`" {
                escape = '`';
            }
        }
        seen.push(key);
    }
    escape
}

/// The end of the line content at `pos` and the start of the next line.
fn line_bounds(text: &str, pos: usize) -> (usize, usize) {
    match text.get(pos..).and_then(|rest| rest.find('\n')) {
        Some(i) => (pos + i, pos + i + 1),
        None => (text.len(), text.len()),
    }
}

/// The first byte of the line `pos..end` that is not white space.
fn first_non_space(bytes: &[u8], pos: usize, end: usize) -> usize {
    let mut p = pos;
    while p < end && bytes.get(p).copied().is_some_and(is_line_space) {
        p += 1;
    }
    p
}

/// True when the line `start..end` ends with the escape character (white space may follow it).
fn continues(text: &str, start: usize, end: usize, escape: char) -> bool {
    text.get(start..end)
        .map(|line| line.trim_end_matches(|c: char| c.is_ascii() && is_line_space(c as u8)))
        .is_some_and(|line| line.ends_with(escape))
}

/// True for a blank line or a comment line.
fn is_skipped_line(bytes: &[u8], pos: usize, end: usize) -> bool {
    let first = first_non_space(bytes, pos, end);
    first >= end || bytes.get(first) == Some(&b'#')
}

/// Finds the here-documents of `text` and blanks them out for the parser.
pub(crate) fn prescan(text: &str) -> Result<Prescan<'_>, PrescanError> {
    let escape = directive_escape(text);
    let bytes = text.as_bytes();
    let len = text.len();
    let mut blanked: Option<Vec<u8>> = None;
    let mut here_docs = Vec::new();
    let mut pos = 0;
    while pos < len {
        let (line_end, next) = line_bounds(text, pos);
        if is_skipped_line(bytes, pos, line_end) {
            pos = next;
            continue;
        }
        let start = first_non_space(bytes, pos, line_end);
        // Extend over continuation lines, skipping the blank and comment lines between them.
        let mut physical_start = pos;
        let mut logical_end = line_end;
        let mut after = next;
        while continues(text, physical_start, logical_end, escape) {
            let mut p = after;
            let mut found = None;
            while p < len {
                let (e, n) = line_bounds(text, p);
                if !is_skipped_line(bytes, p, e) {
                    found = Some((p, e, n));
                    break;
                }
                p = n;
            }
            match found {
                Some((p, e, n)) => {
                    physical_start = p;
                    logical_end = e;
                    after = n;
                }
                None => {
                    after = len;
                    break;
                }
            }
        }
        pos = after;
        if !text
            .get(start..logical_end)
            .is_some_and(|l| l.contains("<<"))
        {
            continue;
        }
        for marker in markers(text, start..logical_end, escape) {
            let body_start = pos;
            let mut terminator = None;
            while pos < len {
                let (e, n) = line_bounds(text, pos);
                let mut candidate = text.get(pos..e).unwrap_or("").trim_end_matches('\r');
                if marker.strip_tabs {
                    candidate = candidate.trim_start_matches('\t');
                }
                let line_start = pos;
                pos = n;
                if candidate == marker.name {
                    terminator = Some(line_start..e);
                    break;
                }
            }
            let Some(terminator) = terminator else {
                return Err(PrescanError {
                    message: format!(
                        "unterminated here-document: no line '{}' ends it",
                        marker.name
                    ),
                    at: marker.word,
                });
            };
            let out = blanked.get_or_insert_with(|| bytes.to_vec());
            for b in out.get_mut(body_start..terminator.end).unwrap_or_default() {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            for &offset in &marker.operator {
                if let Some(b) = out.get_mut(offset) {
                    *b = b' ';
                }
            }
            here_docs.push(HereDoc {
                marker: marker.marker,
                body: body_start..terminator.start,
            });
        }
    }
    // The caller removed one byte-order mark; the parser would drop a second one too and then
    // count its offsets from after it. Blanked, it keeps the offsets aligned.
    if text.starts_with('\u{feff}') {
        let out = blanked.get_or_insert_with(|| bytes.to_vec());
        for b in out.iter_mut().take('\u{feff}'.len_utf8()) {
            *b = b' ';
        }
    }
    let text_for_parser = match blanked {
        // Only ASCII bytes were replaced by spaces, byte for byte, so this cannot fail; if it
        // somehow did, the parser gets the original text and reports what it finds.
        Some(out) => String::from_utf8(out).map_or(Cow::Borrowed(text), Cow::Owned),
        None => Cow::Borrowed(text),
    };
    Ok(Prescan {
        text_for_parser,
        here_docs,
    })
}

/// A `<<WORD` found on an instruction line.
#[derive(Debug)]
struct Marker {
    /// Offset of the first `<`.
    marker: usize,
    /// Offsets of `<`, `<` and `-` (when present): what the parser must not see.
    operator: Vec<usize>,
    /// The terminating word, quotes removed.
    name: String,
    /// `<<-`: leading tabs are ignored on the terminating line.
    strip_tabs: bool,
    /// The whole `<<WORD`.
    word: Range<usize>,
}

/// A word as BuildKit's heredoc detector splits lines: every character with its offset.
struct RawWord {
    chars: Vec<(usize, char)>,
    end: usize,
}

/// The here-document markers of the instruction `range`, if it is `RUN`, `COPY` or `ADD` (maybe
/// behind `ONBUILD`) in shell form.
fn markers(text: &str, range: Range<usize>, escape: char) -> Vec<Marker> {
    let words = raw_words(Cursor::new(text, range, Some(escape)));
    let mut rest = words.iter().peekable();
    let keyword = |w: &RawWord| w.chars.iter().map(|&(_, c)| c).collect::<String>();
    let Some(mut instruction) = rest.next().map(keyword) else {
        return Vec::new();
    };
    if instruction.eq_ignore_ascii_case("ONBUILD") {
        let Some(inner) = rest.next().map(keyword) else {
            return Vec::new();
        };
        instruction = inner;
    }
    if !["RUN", "COPY", "ADD"]
        .iter()
        .any(|k| instruction.eq_ignore_ascii_case(k))
    {
        return Vec::new();
    }
    while rest
        .peek()
        .is_some_and(|w| w.chars.first().map(|&(_, c)| c) == Some('-'))
    {
        rest.next();
    }
    let arguments: Vec<&RawWord> = rest.collect();
    if is_json_array(text, &arguments) {
        return Vec::new();
    }
    arguments.into_iter().filter_map(marker).collect()
}

/// True when the arguments are a JSON array of strings (the exec form, which has no
/// here-documents).
fn is_json_array(text: &str, arguments: &[&RawWord]) -> bool {
    let (Some(first), Some(last)) = (arguments.first(), arguments.last()) else {
        return false;
    };
    let Some(&(start, '[')) = first.chars.first() else {
        return false;
    };
    text.get(start..last.end)
        .is_some_and(|json| serde_json::from_str::<Vec<String>>(json).is_ok())
}

/// Reads `<<`, `<<-` and `3<<` words as `^(\d*)<<(-?)\s*([^<]*)$`.
fn marker(word: &RawWord) -> Option<Marker> {
    let mut chars = word
        .chars
        .iter()
        .copied()
        .skip_while(|&(_, c)| c.is_ascii_digit());
    let (first, '<') = chars.next()? else {
        return None;
    };
    let (second, '<') = chars.next()? else {
        return None;
    };
    let mut operator = vec![first, second];
    let mut chars = chars.peekable();
    let mut strip_tabs = false;
    if let Some((dash, _)) = chars.next_if(|&(_, c)| c == '-') {
        operator.push(dash);
        strip_tabs = true;
    }
    let rest: String = chars
        .skip_while(|&(_, c)| c.is_whitespace())
        .map(|(_, c)| c)
        .collect();
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let no_vars: HashMap<String, String> = HashMap::new();
    let name = expand(&rest, '\\', &no_vars, &mut Budget::for_text(&rest)).ok()?;
    if name.is_empty() {
        return None;
    }
    Some(Marker {
        marker: first,
        operator,
        name,
        strip_tabs,
        word: word.chars.first().map_or(first, |&(o, _)| o)..word.end,
    })
}

/// Splits a line into words as BuildKit's heredoc detector does: on white space outside
/// quotes, quotes and escapes kept, and the white space after a `<<` kept in its word.
fn raw_words(mut cur: Cursor<'_>) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut current: Vec<(usize, char)> = Vec::new();
    let mut quote: Option<char> = None;
    let finish = |current: &mut Vec<(usize, char)>, words: &mut Vec<RawWord>, end: usize| {
        if !current.is_empty() {
            words.push(RawWord {
                chars: std::mem::take(current),
                end,
            });
        }
    };
    while let Some((offset, c)) = cur.bump() {
        match quote {
            Some(q) => {
                current.push((offset, c));
                if c == q {
                    quote = None;
                } else if c == '\\'
                    && q == '"'
                    && let Some(escaped) = cur.bump()
                {
                    current.push(escaped);
                }
            }
            None if c.is_whitespace() => {
                finish(&mut current, &mut words, offset);
            }
            None => {
                current.push((offset, c));
                match c {
                    '\'' | '"' => quote = Some(c),
                    '\\' => {
                        if let Some(escaped) = cur.bump() {
                            current.push(escaped);
                        }
                    }
                    '<' => {
                        if let Some(second) = cur.peek().filter(|&(_, n)| n == '<') {
                            cur.bump();
                            current.push(second);
                            while let Some(space) =
                                cur.peek().filter(|&(_, n)| n == ' ' || n == '\t')
                            {
                                cur.bump();
                                current.push(space);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let end = cur.offset();
    finish(&mut current, &mut words, end);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(text: &str) -> Vec<&str> {
        let scan = prescan(text).expect("terminated");
        scan.here_docs
            .iter()
            .map(|h| &text[h.body.clone()])
            .collect()
    }

    #[test]
    fn heredocs_anywhere_on_run_copy_add() {
        let text =
            "FROM a\nRUN cat <<EOF > /x\nhello\nEOF\nCOPY <<A <<-B /d/\na\nA\n\tb\n\tB\nUSER app\n";
        assert_eq!(bodies(text), vec!["hello\n", "a\n", "\tb\n"]);
        let scan = prescan(text).expect("terminated");
        let masked = scan.text_for_parser;
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("RUN cat   EOF > /x\n     \n   \n"));
        assert!(masked.contains("COPY   A    B /d/\n"));
        assert!(masked.ends_with("USER app\n"));
    }

    #[test]
    fn not_heredocs() {
        for text in [
            "FROM a\nRUN echo \"<<EOF\"\n",
            "FROM a\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\n",
            "FROM a\nLABEL x=<<EOF\n",
            "FROM a\nRUN cat <<< word\n",
            "FROM a\n# RUN cat <<EOF\n",
        ] {
            let scan = prescan(text).expect("no heredoc");
            assert!(scan.here_docs.is_empty(), "{text}");
            assert_eq!(scan.text_for_parser, text);
        }
    }

    #[test]
    fn quoted_names_spaces_and_continued_lines() {
        let text = "FROM a\nRUN --mount=type=cache,target=/c \\\n  # note\n  python3 << 'PY'\nprint(1)\nPY\n";
        assert_eq!(bodies(text), vec!["print(1)\n"]);
        let text = "FROM a\nONBUILD RUN <<\"E O\"\nx\nE O\n";
        assert_eq!(bodies(text), vec!["x\n"]);
    }

    #[test]
    fn unterminated_is_an_error_at_the_marker() {
        let text = "FROM a\nRUN <<EOF\nchmod u+s /x\n";
        let err = prescan(text).expect_err("unterminated");
        assert_eq!(&text[err.at.clone()], "<<EOF");
    }

    #[test]
    fn escape_directive() {
        assert_eq!(directive_escape("# escape=`\nFROM a\n"), '`');
        assert_eq!(directive_escape("#escape = \\\nFROM a\n"), '\\');
        assert_eq!(directive_escape("# comment\n# escape=`\n"), '\\');
        assert_eq!(directive_escape("# escape=`\n# escape=`\n"), '\\');
        assert_eq!(
            directive_escape("# syntax=docker/dockerfile:1\n# escape=`\n"),
            '`'
        );
    }
}

//! systemd unit file syntax (systemd.syntax(7)), with every value mapped back to the file.
//!
//! Written by hand: the unit-file crates on crates.io (`systemd-parser`, `unit-file`) keep no
//! byte positions, and every finding needs one. What is read: `[Section]` headers; `Key=Value`
//! lines, whitespace around the key and before the value dropped; empty lines and lines starting
//! with `#` or `;` ignored; a line ending in `\` continued on the next (the backslash becomes a
//! space, comment lines in between are skipped); repeated keys kept in order (what a repeat
//! means is the key's business).

use crate::shell::SourceMap;
use std::ops::Range;

/// One `Key=Value` assignment.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The key, as written.
    pub key: String,
    /// Where the key is.
    pub key_range: Range<usize>,
    /// The value, continuations joined.
    pub value: String,
    /// Maps offsets of `value` to offsets of the file.
    pub map: SourceMap,
    /// From the key to the end of the value's last line.
    pub whole: Range<usize>,
}

impl Entry {
    /// Where the whole value is in the file (the key's end for an empty value).
    pub fn value_range(&self) -> Range<usize> {
        self.map.range(0..self.value.len())
    }
}

/// One `[Section]` and its assignments.
#[derive(Clone, Debug)]
pub(crate) struct Section {
    /// The name between the brackets.
    pub name: String,
    /// Where the header line is, brackets included.
    pub header: Range<usize>,
    /// The assignments, in file order.
    pub entries: Vec<Entry>,
}

/// A line the syntax does not allow, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// The lines of `text` with their start offsets, line ends left out.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push((start, body));
        start += line.len();
    }
    out
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with(';')
}

/// Parses a unit file. Lines that cannot be read are errors; the rest is still read.
pub(crate) fn parse(text: &str) -> (Vec<Section>, Vec<SyntaxError>) {
    let lines = lines(text);
    let mut sections: Vec<Section> = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        i += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || is_comment(line) {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        if trimmed.starts_with('[') {
            if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                sections.push(Section {
                    name: name.to_string(),
                    header: start + lead..start + lead + trimmed.len(),
                    entries: Vec::new(),
                });
            } else {
                errors.push(SyntaxError {
                    range: start + lead..start + line.trim_end().len(),
                    message: "a section header must end with `]`".into(),
                });
            }
            continue;
        }
        let Some(eq) = line.find('=') else {
            errors.push(SyntaxError {
                range: start + lead..start + line.trim_end().len(),
                message: "expected `Key=Value`, a `[Section]` header or a comment".into(),
            });
            continue;
        };
        let key = line[..eq].trim();
        let key_start = start + lead;
        let key_range = key_start..key_start + key.len();
        // The value: after `=` and the blanks that follow, up to trailing blanks.
        let mut value = String::new();
        let mut map = SourceMap::default();
        let mut piece_start = start + eq + 1;
        let mut piece = &line[eq + 1..];
        let skipped = piece.len() - piece.trim_start().len();
        piece_start += skipped;
        piece = piece.trim_start();
        let mut end;
        loop {
            let body = piece.trim_end();
            end = piece_start + body.len();
            match body.strip_suffix('\\') {
                Some(before) => {
                    map.push(
                        value.len()..value.len() + before.len(),
                        piece_start..piece_start + before.len(),
                        true,
                    );
                    value.push_str(before);
                    // The backslash becomes a space.
                    let at = piece_start + before.len();
                    map.push(value.len()..value.len() + 1, at..at + 1, false);
                    value.push(' ');
                    // The next line that is no comment continues the value.
                    while i < lines.len() && is_comment(lines[i].1) {
                        i += 1;
                    }
                    let Some(&(next_start, next)) = lines.get(i) else {
                        break;
                    };
                    i += 1;
                    piece_start = next_start;
                    piece = next;
                }
                None => {
                    map.push(
                        value.len()..value.len() + body.len(),
                        piece_start..piece_start + body.len(),
                        true,
                    );
                    value.push_str(body);
                    break;
                }
            }
        }
        if value.is_empty() {
            map = SourceMap::empty_at(start + eq + 1);
        }
        let entry = Entry {
            key: key.to_string(),
            key_range: key_range.clone(),
            value,
            map,
            whole: key_range.start..end.max(key_range.end),
        };
        match sections.last_mut() {
            Some(s) => s.entries.push(entry),
            None => errors.push(SyntaxError {
                range: entry.whole.clone(),
                message: format!("`{}=` is outside any `[Section]`", entry.key),
            }),
        }
    }
    (sections, errors)
}

/// Splits a value into words the way systemd's `ExtractFirstWord` does for list keys: blanks
/// separate, `"` and `'` quote (quotes removed), `\` escapes the next character. Each word with
/// the range of the value it came from.
pub(crate) fn split_words(value: &str) -> Vec<(String, Range<usize>)> {
    let mut words = Vec::new();
    let mut chars = value.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut end = start;
        while let Some(&(at, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            end = at + c.len_utf8();
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => {
                    if let Some((at, next)) = chars.next() {
                        word.push(next);
                        end = at + next.len_utf8();
                    }
                }
                (_, c) => word.push(c),
            }
        }
        words.push((word, start..end));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_comments_and_continuations() {
        let text = "# a comment\n[Unit]\nDescription = web \n\n[Container]\n; another\n\
                    Image=nginx:1.27\nPodmanArgs=--pid host \\\n# skipped\n  --ipc host\n\
                    AddCapability=\n";
        let (sections, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].name, "Unit");
        assert_eq!(sections[0].entries[0].key, "Description");
        assert_eq!(sections[0].entries[0].value, "web");
        let c = &sections[1];
        assert_eq!(&text[c.header.clone()], "[Container]");
        assert_eq!(c.entries[0].value, "nginx:1.27");
        assert_eq!(&text[c.entries[0].value_range()], "nginx:1.27");
        let args = &c.entries[1];
        assert_eq!(args.value, "--pid host    --ipc host");
        // `--ipc` maps to its place on the continued line.
        let at = args.value.find("--ipc").unwrap();
        let r = args.map.range(at..at + 5);
        assert_eq!(&text[r], "--ipc");
        assert!(text[args.whole.clone()].ends_with("--ipc host"));
        assert_eq!(c.entries[2].value, "");
    }

    #[test]
    fn bad_lines_are_errors_and_the_rest_is_read() {
        let (sections, errors) = parse("Image=x\n[Container\n[Container]\nnonsense\nUser=1000\n");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].entries[0].key, "User");
    }

    #[test]
    fn words_split_like_systemd() {
        let w: Vec<String> = split_words(r#"CHOWN  "NET ADMIN" 'x y' a\ b"#)
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(w, vec!["CHOWN", "NET ADMIN", "x y", "a b"]);
        let v = "  SETUID SETGID";
        let words = split_words(v);
        assert_eq!(&v[words[1].1.clone()], "SETGID");
    }
}

/// What systemd's specifiers (systemd.unit(5), "Specifiers") stand for in a unit that the
/// system manager runs: systemd expands them in the command line Quadlet generates, so
/// `Volume=%t/podman/podman.sock:/sock` mounts `/run/podman/podman.sock`. A user's unit
/// (`~/.config/containers/systemd/`) gets their home and runtime folder instead, which a file
/// does not say; specifiers that depend on the instance or the file's place (`%i`, `%y`) are left
/// as written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Specifiers {
    /// The unit file's name without its extension (`web` for `web.container`).
    pub stem: Option<String>,
}

impl Specifiers {
    fn value(&self, specifier: char) -> Option<String> {
        let fixed = match specifier {
            '%' => "%",
            't' => "/run",
            'S' => "/var/lib",
            'C' => "/var/cache",
            'L' => "/var/log",
            'E' => "/etc",
            'T' => "/tmp",
            'V' => "/var/tmp",
            'h' => "/root",
            'u' | 'g' => "root",
            'U' | 'G' => "0",
            'n' => return self.stem.as_ref().map(|s| format!("{s}.service")),
            'N' => return self.stem.clone(),
            'p' | 'P' => return self.stem.as_ref().map(|s| prefix(s).to_string()),
            _ => return None,
        };
        Some(fixed.to_string())
    }

    /// Expands the specifiers of `entry`'s value; each expansion maps to its `%X` in the file.
    pub(crate) fn expand(&self, entry: &mut Entry) {
        if !entry.value.contains('%') {
            return;
        }
        let mut value = String::new();
        let mut map = SourceMap::empty_at(entry.map.start_of(0));
        let mut chars = entry.value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let expansion = match (c, chars.peek()) {
                ('%', Some(&(_, s))) => self.value(s).map(|v| (v, i + 1 + s.len_utf8())),
                _ => None,
            };
            let (text, end, exact) = match expansion {
                Some((text, end)) => {
                    chars.next();
                    (text, end, false)
                }
                None => (c.to_string(), i + c.len_utf8(), true),
            };
            let from = value.len();
            value.push_str(&text);
            map.push(from..value.len(), entry.map.range(i..end), exact);
        }
        entry.value = value;
        entry.map = map;
    }
}

/// A template's prefix (`web` of `web@1`), the name itself otherwise.
fn prefix(stem: &str) -> &str {
    stem.split_once('@').map_or(stem, |(p, _)| p)
}

//! The shell text of `RUN` instructions, read with the readers' one shell lexer
//! ([`crate::shell`]): simple commands and their words, each word with the byte range it
//! occupies in the Dockerfile and its text as written (quotes kept), which the Dockerfile's own
//! `ARG`/`ENV` substitution then reads.
//!
//! Dockerfile line continuations (the escape character at the end of a line, and the comment and
//! blank lines BuildKit drops after it) are removed before the lexer sees the text, by
//! [`Cursor`], with a [`SourceMap`] back to the Dockerfile, so a word split over several lines is
//! still one word. In raw shell text (a here-document script, a `sh -c` string) the lexer also
//! takes the bodies of the script's own here-documents out of the command stream, as the shell
//! does.

use crate::shell::{Dialect, SourceMap, simple_commands, tokenize_as};
use std::ops::Range;

/// Characters BuildKit counts as white space inside a line.
fn is_line_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

/// Walks a range of a text character by character, skipping Dockerfile line continuations.
pub(crate) struct Cursor<'t> {
    text: &'t str,
    pos: usize,
    end: usize,
    /// The Dockerfile escape character when continuations are to be skipped; `None` for raw
    /// shell text (here-document bodies, which BuildKit passes through untouched, and
    /// `sh -c` strings).
    continuation: Option<char>,
}

impl<'t> Cursor<'t> {
    /// A cursor over `range` of `text` (clamped to the text; empty when the range does not fall
    /// on character boundaries).
    pub(crate) fn new(text: &'t str, range: Range<usize>, continuation: Option<char>) -> Self {
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        let (pos, end) = if text.is_char_boundary(start) && text.is_char_boundary(end) {
            (start, end)
        } else {
            (0, 0)
        };
        Cursor {
            text,
            pos,
            end,
            continuation,
        }
    }

    /// Moves past any line continuations at the current position.
    fn skip_continuations(&mut self) {
        let Some(escape) = self.continuation else {
            return;
        };
        let bytes = self.text.as_bytes();
        let end = self.end;
        loop {
            let at_escape = self
                .text
                .get(self.pos..end)
                .is_some_and(|rest| rest.starts_with(escape));
            if !at_escape {
                return;
            }
            let mut p = self.pos + escape.len_utf8();
            while p < end && bytes.get(p).copied().is_some_and(is_line_space) {
                p += 1;
            }
            if bytes.get(p) != Some(&b'\n') || p >= end {
                return;
            }
            p += 1;
            // After a continuation BuildKit drops blank lines and comment lines.
            loop {
                let mut q = p;
                while q < end && bytes.get(q).copied().is_some_and(is_line_space) {
                    q += 1;
                }
                match bytes.get(q) {
                    Some(b'\n') if q < end => p = q + 1,
                    Some(b'#') if q < end => {
                        let mut r = q;
                        while r < end && bytes.get(r) != Some(&b'\n') {
                            r += 1;
                        }
                        p = (r + 1).min(end);
                    }
                    _ => break,
                }
            }
            self.pos = p;
        }
    }

    /// The next character and its byte offset, without consuming it.
    pub(crate) fn peek(&mut self) -> Option<(usize, char)> {
        self.skip_continuations();
        let c = self.text.get(self.pos..self.end)?.chars().next()?;
        Some((self.pos, c))
    }

    /// Consumes and returns the next character and its byte offset.
    pub(crate) fn bump(&mut self) -> Option<(usize, char)> {
        let (offset, c) = self.peek()?;
        self.pos = offset + c.len_utf8();
        Some((offset, c))
    }

    /// The byte offset just past the last consumed character.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }
}

/// The characters of `range` of `text` with the Dockerfile line continuations of `escape`
/// removed (none when `escape` is `None`), and where each came from.
fn join_lines(text: &str, range: Range<usize>, escape: Option<char>) -> (String, SourceMap) {
    let mut cur = Cursor::new(text, range, escape);
    let mut joined = String::new();
    let mut map = SourceMap::empty_at(cur.offset());
    while let Some((offset, c)) = cur.bump() {
        let local = joined.len();
        joined.push(c);
        map.push(local..joined.len(), offset..offset + c.len_utf8(), true);
    }
    (joined, map)
}

/// A here-document: the `<<` that opens it and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HereDoc {
    /// Byte offset of the `<<` that opens it.
    pub marker: usize,
    /// The body lines (without the terminating line).
    pub body: Range<usize>,
}

/// One shell word: where it is and its text as written (quotes kept, continuations removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShellWord {
    /// Byte range in the text that was read.
    pub span: Range<usize>,
    /// The word's characters, quotes and escapes kept.
    pub raw: String,
}

/// A simple command: its words (without redirections), and the here-documents fed to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SimpleCommand {
    /// The words, command name first (assignments and wrappers included).
    pub words: Vec<ShellWord>,
    /// Byte offsets of the `<<` of each here-document redirected into this command.
    pub here_docs: Vec<usize>,
}

/// A script read as shell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Script {
    /// The simple commands, in order.
    pub commands: Vec<SimpleCommand>,
    /// The bodies of here-documents written in the script itself (only read in raw shell text,
    /// where `continuation` is `None`; a Dockerfile's own here-documents come from the prescan).
    pub here_docs: Vec<HereDoc>,
}

/// Reads `range` of `text` as shell, with Dockerfile line continuations (escape character
/// `continuation`) removed, or as raw shell when `continuation` is `None`.
pub(crate) fn read_script(text: &str, range: Range<usize>, continuation: Option<char>) -> Script {
    let (joined, map) = join_lines(text, range, continuation);
    let dialect = match continuation {
        Some(_) => Dialect::DOCKERFILE,
        None => Dialect::DOCKERFILE_SCRIPT,
    };
    let tokens = tokenize_as(&joined, dialect);
    let mut script = Script::default();
    for command in simple_commands(&tokens) {
        if command.is_empty() {
            continue;
        }
        let words = command
            .words
            .iter()
            .map(|w| ShellWord {
                span: map.range(w.span.clone()),
                raw: w.raw(&joined).into_owned(),
            })
            .collect();
        let mut here_docs = Vec::with_capacity(command.here_docs.len());
        for here_doc in &command.here_docs {
            let marker = map.start_of(here_doc.operator.start);
            here_docs.push(marker);
            if let Some(body) = &here_doc.body {
                script.here_docs.push(HereDoc {
                    marker,
                    body: map.range(body.clone()),
                });
            }
        }
        script.commands.push(SimpleCommand { words, here_docs });
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str, continuation: Option<char>) -> Vec<Vec<String>> {
        read_script(text, 0..text.len(), continuation)
            .commands
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.raw).collect())
            .collect()
    }

    #[test]
    fn operators_split_commands() {
        assert_eq!(
            words_of("a b && c 'd e';f|g || h & i\nj", Some('\\')),
            vec![
                vec!["a", "b"],
                vec!["c", "'d e'"],
                vec!["f"],
                vec!["g"],
                vec!["h"],
                vec!["i"],
                vec!["j"],
            ]
        );
    }

    #[test]
    fn redirections_are_not_arguments() {
        assert_eq!(
            words_of("chmod u+s /x 2>/dev/null >> log < in", Some('\\')),
            vec![vec!["chmod", "u+s", "/x"]]
        );
        let commands = read_script("cat <<EOF > /etc/x", 0..18, Some('\\')).commands;
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].here_docs, vec![4]);
        assert_eq!(commands[0].words.len(), 1);
    }

    #[test]
    fn continuations_and_comments_inside_them_are_skipped() {
        let text = "chmod \\\n  # a comment\n\n  u+s /x";
        let commands = read_script(text, 0..text.len(), Some('\\')).commands;
        let words: Vec<_> = commands[0].words.iter().map(|w| w.raw.as_str()).collect();
        assert_eq!(words, vec!["chmod", "u+s", "/x"]);
        let x = &commands[0].words[2];
        assert_eq!(&text[x.span.clone()], "/x");
    }

    #[test]
    fn backtick_continuation() {
        let text = "chmod u+s `\n  /x";
        assert_eq!(words_of(text, Some('`')), vec![vec!["chmod", "u+s", "/x"]]);
    }

    #[test]
    fn substitutions_stay_one_word() {
        assert_eq!(
            words_of(
                "chmod u+s $(command -v ping) ${X:-a b} `which su`",
                Some('\\')
            ),
            vec![vec![
                "chmod",
                "u+s",
                "$(command -v ping)",
                "${X:-a b}",
                "`which su`"
            ]]
        );
    }

    #[test]
    fn unterminated_quotes_end_at_the_end() {
        assert_eq!(
            words_of("echo 'open", Some('\\')),
            vec![vec!["echo", "'open"]]
        );
        assert_eq!(
            words_of("echo \"open\\", Some('\\')),
            vec![vec!["echo", "\"open\\"]]
        );
    }

    #[test]
    fn raw_shell_skips_its_own_here_document_bodies() {
        let text = "cat <<'X' > /etc/motd; echo a\nchmod u+s /not\n\tX\nX\ncat <<-Y\n\tbody\n\tY\nchmod u+s /yes";
        let script = read_script(text, 0..text.len(), None);
        let words: Vec<Vec<&str>> = script
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.raw.as_str()).collect())
            .collect();
        assert_eq!(
            words,
            vec![
                vec!["cat"],
                vec!["echo", "a"],
                vec!["cat"],
                vec!["chmod", "u+s", "/yes"]
            ]
        );
        let bodies: Vec<&str> = script
            .here_docs
            .iter()
            .map(|h| &text[h.body.clone()])
            .collect();
        assert_eq!(bodies, vec!["chmod u+s /not\n\tX\n", "\tbody\n"]);
        assert_eq!(script.here_docs[0].marker, 4);
        // In Dockerfile text the prescan owns the bodies: nothing is skipped here.
        let dockerfile_level = read_script(text, 0..text.len(), Some('\\'));
        assert!(dockerfile_level.here_docs.is_empty());
        assert_eq!(dockerfile_level.commands.len(), 9);
    }

    #[test]
    fn cursor_clamps_bad_ranges() {
        let text = "é";
        assert!(read_script(text, 1..2, None).commands.is_empty());
        assert!(read_script(text, 5..9, None).commands.is_empty());
    }
}

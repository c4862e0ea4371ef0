//! A span-aware reader of the shell text in `RUN` instructions: enough of POSIX sh to find simple
//! commands and their words (quotes, escapes, `&&`, `||`, `;`, `|`, newlines, redirections,
//! here-documents, `$(...)`), each word with the byte range it occupies in the Dockerfile.
//!
//! Dockerfile line continuations (the escape character at the end of a line, and the comment and
//! blank lines BuildKit drops after it) are removed underneath the shell reader by [`Cursor`], so
//! a word split over several lines is still one word. In raw shell text (a here-document script,
//! a `sh -c` string) the reader also takes the bodies of the script's own here-documents out of
//! the command stream, as the shell does.

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

    /// Consumes the rest of the current line, as written, and returns its range (without the
    /// newline). Used for here-document bodies, where no continuation applies.
    fn take_line(&mut self) -> Option<Range<usize>> {
        let rest = self
            .text
            .get(self.pos..self.end)
            .filter(|r| !r.is_empty())?;
        let start = self.pos;
        let (content_end, next) = match rest.find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (self.end, self.end),
        };
        self.pos = next;
        Some(start..content_end)
    }
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

/// What the shell reader found.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(ShellWord),
    /// `;`, `&&`, `||`, `|`, `&`, `(`, `)` or a newline: the current simple command ends.
    CommandEnd,
    /// A redirection: the next word is its target, not an argument.
    Redirect,
    /// `<<` or `<<-` at this byte offset: the next word is the delimiter.
    HereDoc(usize),
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
    let (tokens, here_docs) = tokenize(Cursor::new(text, range, continuation));
    Script {
        commands: simple_commands(tokens),
        here_docs,
    }
}

/// Groups tokens into simple commands.
fn simple_commands(tokens: Vec<Token>) -> Vec<SimpleCommand> {
    let mut commands = Vec::new();
    let mut current = SimpleCommand::default();
    let mut next_word_is_operand_of_redirect = false;
    for token in tokens {
        match token {
            Token::Word(word) => {
                if next_word_is_operand_of_redirect {
                    next_word_is_operand_of_redirect = false;
                } else {
                    current.words.push(word);
                }
            }
            Token::CommandEnd => {
                next_word_is_operand_of_redirect = false;
                if !current.words.is_empty() || !current.here_docs.is_empty() {
                    commands.push(std::mem::take(&mut current));
                }
            }
            Token::Redirect => next_word_is_operand_of_redirect = true,
            Token::HereDoc(marker) => {
                current.here_docs.push(marker);
                next_word_is_operand_of_redirect = true;
            }
        }
    }
    if !current.words.is_empty() || !current.here_docs.is_empty() {
        commands.push(current);
    }
    commands
}

/// A here-document operator seen on the current line, waiting for its body.
struct PendingHereDoc {
    marker: usize,
    strip_tabs: bool,
    /// The delimiter, once its word has been read.
    delimiter: Option<String>,
}

/// Splits the cursor's text into tokens; in raw shell text also reads the bodies of the
/// here-documents it opens (they start after the newline that ends the opening line).
fn tokenize(mut cur: Cursor<'_>) -> (Vec<Token>, Vec<HereDoc>) {
    let read_bodies = cur.continuation.is_none();
    let mut tokens = Vec::new();
    let mut pending: Vec<PendingHereDoc> = Vec::new();
    let mut bodies = Vec::new();
    while let Some((offset, c)) = cur.peek() {
        match c {
            ' ' | '\t' | '\r' | '\x0b' | '\x0c' => {
                cur.bump();
            }
            '\n' => {
                cur.bump();
                tokens.push(Token::CommandEnd);
                if read_bodies {
                    for here_doc in pending.drain(..) {
                        if let Some(delimiter) = here_doc.delimiter {
                            let body = body(&mut cur, &delimiter, here_doc.strip_tabs);
                            bodies.push(HereDoc {
                                marker: here_doc.marker,
                                body,
                            });
                        }
                    }
                }
            }
            ';' | '(' | ')' => {
                cur.bump();
                tokens.push(Token::CommandEnd);
            }
            '&' | '|' => {
                cur.bump();
                if matches!(cur.peek(), Some((_, n)) if n == c || (c == '|' && n == '&')) {
                    cur.bump();
                }
                tokens.push(Token::CommandEnd);
            }
            '#' => {
                // A comment runs to the end of the line; the newline still ends the command.
                while matches!(cur.peek(), Some((_, n)) if n != '\n') {
                    cur.bump();
                }
            }
            '<' | '>' => {
                let token = redirection(&mut cur, offset, c);
                if let Token::HereDoc(marker) = token
                    && read_bodies
                {
                    pending.push(PendingHereDoc {
                        marker,
                        strip_tabs: cur.text.get(offset..).is_some_and(|r| r.starts_with("<<-")),
                        delimiter: None,
                    });
                }
                tokens.push(token);
            }
            _ => {
                if let Some(word) = word(&mut cur) {
                    if matches!(tokens.last(), Some(Token::HereDoc(_)))
                        && let Some(here_doc) = pending.last_mut()
                    {
                        // Quoting the delimiter only turns expansion off; the quotes are not
                        // part of it.
                        here_doc.delimiter = Some(
                            word.raw
                                .chars()
                                .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                                .collect(),
                        );
                    }
                    tokens.push(Token::Word(word));
                }
            }
        }
    }
    (tokens, bodies)
}

/// Consumes a here-document body up to and including its delimiter line (or to the end of the
/// text, as a shell does), and returns the body's range.
fn body(cur: &mut Cursor<'_>, delimiter: &str, strip_tabs: bool) -> Range<usize> {
    let start = cur.offset();
    while let Some(line) = cur.take_line() {
        let mut content = cur
            .text
            .get(line.clone())
            .unwrap_or("")
            .trim_end_matches('\r');
        if strip_tabs {
            content = content.trim_start_matches('\t');
        }
        if content == delimiter {
            return start..line.start;
        }
    }
    start..cur.offset()
}

/// Reads a redirection operator that starts with `first` at `offset`.
fn redirection(cur: &mut Cursor<'_>, offset: usize, first: char) -> Token {
    cur.bump();
    let second = cur.peek().map(|(_, c)| c);
    match (first, second) {
        ('<', Some('<')) => {
            cur.bump();
            match cur.peek().map(|(_, c)| c) {
                Some('-') => {
                    cur.bump();
                    Token::HereDoc(offset)
                }
                // `<<<` is a here-string: its word is data, not a delimiter.
                Some('<') => {
                    cur.bump();
                    Token::Redirect
                }
                _ => Token::HereDoc(offset),
            }
        }
        ('<', Some('&' | '>')) | ('>', Some('>' | '|' | '&')) => {
            cur.bump();
            Token::Redirect
        }
        _ => Token::Redirect,
    }
}

/// Reads one word. Returns `None` when what looked like a word was a file descriptor number in
/// front of a redirection (`2>/dev/null`).
fn word(cur: &mut Cursor<'_>) -> Option<ShellWord> {
    let start = cur.peek()?.0;
    let mut raw = String::new();
    let mut quoted = false;
    while let Some((_, c)) = cur.peek() {
        match c {
            ' ' | '\t' | '\r' | '\x0b' | '\x0c' | '\n' | ';' | '&' | '|' | '(' | ')' => break,
            '<' | '>' => {
                if !quoted && !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                break;
            }
            '\'' => {
                quoted = true;
                push_bump(cur, &mut raw);
                while let Some((_, n)) = cur.bump() {
                    raw.push(n);
                    if n == '\'' {
                        break;
                    }
                }
            }
            '"' => {
                quoted = true;
                push_bump(cur, &mut raw);
                double_quoted_rest(cur, &mut raw);
            }
            '`' => {
                push_bump(cur, &mut raw);
                while let Some((_, n)) = cur.bump() {
                    raw.push(n);
                    if n == '\\' {
                        push_bump(cur, &mut raw);
                    } else if n == '`' {
                        break;
                    }
                }
            }
            '\\' => {
                cur.bump();
                match cur.peek() {
                    // A shell line continuation (only seen where Dockerfile continuations are
                    // not skipped, in here-document bodies).
                    Some((_, '\n')) => {
                        cur.bump();
                    }
                    Some(_) => {
                        quoted = true;
                        raw.push('\\');
                        push_bump(cur, &mut raw);
                    }
                    None => raw.push('\\'),
                }
            }
            '$' => {
                push_bump(cur, &mut raw);
                match cur.peek().map(|(_, n)| n) {
                    Some('(') => balanced(cur, &mut raw, '(', ')'),
                    Some('{') => balanced(cur, &mut raw, '{', '}'),
                    _ => {}
                }
            }
            _ => push_bump(cur, &mut raw),
        }
    }
    Some(ShellWord {
        span: start..cur.offset(),
        raw,
    })
}

/// Consumes the next character into `raw`.
fn push_bump(cur: &mut Cursor<'_>, raw: &mut String) {
    if let Some((_, c)) = cur.bump() {
        raw.push(c);
    }
}

/// The rest of a double-quoted string after its opening quote.
fn double_quoted_rest(cur: &mut Cursor<'_>, raw: &mut String) {
    while let Some((_, n)) = cur.bump() {
        raw.push(n);
        match n {
            '\\' => push_bump(cur, raw),
            '"' => return,
            _ => {}
        }
    }
}

/// `$(...)` or `${...}`: everything up to the matching close, nested pairs and quotes included.
fn balanced(cur: &mut Cursor<'_>, raw: &mut String, open: char, close: char) {
    let mut depth = 0usize;
    while let Some((_, c)) = cur.bump() {
        raw.push(c);
        match c {
            '\\' => push_bump(cur, raw),
            '\'' => {
                while let Some((_, n)) = cur.bump() {
                    raw.push(n);
                    if n == '\'' {
                        break;
                    }
                }
            }
            '"' => double_quoted_rest(cur, raw),
            _ if c == open => depth += 1,
            _ if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
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

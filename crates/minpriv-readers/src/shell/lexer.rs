//! The shell lexer: splits shell text into words, separators and redirections, keeping byte
//! spans.
//!
//! Written by hand because no crate gives word offsets: `shell-words` and `shlex` return bare
//! strings (see `research/crates.md`), and every finding must point at the exact flag or path in
//! the file. The lexer follows POSIX sh closely enough to find `docker run` lines and `chmod`
//! commands: quotes, escapes, `\`+newline continuations, `$'...'`, comments, command
//! separators, redirections and here-documents. `$(...)`, backticks, `${...}` and (where the
//! [`Dialect`] asks for them) `{{ ... }}` templates stay inside the word that holds them; the
//! bodies of command substitutions are reported so that callers can look inside them too.
//!
//! It never fails: an unterminated quote or substitution is taken literally, as far as that is
//! possible, and the rest of the text is still read. Every construct is scanned at most a fixed
//! number of times, so the work stays linear in the length of the text.

use super::source_map::SourceMap;
use std::ops::Range;

/// How deeply `$(`, `${` and quotes may nest inside one another before the lexer gives up on
/// the construct and takes it literally (hostile input must not exhaust the stack).
const MAX_NESTING: usize = 64;

/// One shell word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    /// The word after quote removal (variables and substitutions are kept as written).
    pub value: String,
    /// Where the word is in the lexed text, quotes included.
    pub span: Range<usize>,
    /// Maps offsets of `value` to offsets of the lexed text.
    pub map: SourceMap,
    /// Some part of the word was quoted or escaped.
    pub quoted: bool,
    /// The word begins with a quote (`'...'`, `"..."`): a string literal in Groovy too.
    pub starts_quoted: bool,
    /// The bodies of `$(...)` and backtick command substitutions in the word, as ranges of the
    /// lexed text.
    pub substitutions: Vec<Range<usize>>,
    /// The `\`+newline continuations inside the word's span (removed from its value).
    pub continuations: Vec<Range<usize>>,
}

impl Word {
    /// The word as written in `text` (the lexed text): quotes and escapes kept, line
    /// continuations removed.
    pub(crate) fn raw<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let written = text.get(self.span.clone()).unwrap_or("");
        if self.continuations.is_empty() {
            return written.into();
        }
        let mut raw = String::with_capacity(written.len());
        let mut from = self.span.start;
        for c in &self.continuations {
            raw.push_str(text.get(from..c.start).unwrap_or(""));
            from = c.end;
        }
        raw.push_str(text.get(from..self.span.end).unwrap_or(""));
        raw.into()
    }
}

/// One token of shell text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A word.
    Word(Word),
    /// Something that ends a simple command: `;`, `&`, `&&`, `||`, `|`, `|&`, `;;`, `(`, `)`,
    /// a newline.
    Separator(Range<usize>),
    /// A redirection operator (`>`, `2>&1`'s `>&`, `<<`, ...). The next word is its target.
    Redirect {
        /// The operator.
        span: Range<usize>,
        /// The operator is `<<` or `<<-`: the next word is a here-document's delimiter.
        here_doc: bool,
        /// For `<<` and `<<-`, when the [`Dialect`] reads bodies: the lines of the
        /// here-document.
        heredoc_body: Option<Range<usize>>,
    },
}

/// What differs between the places shell text is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Vertical tabs and form feeds separate words, as BuildKit's reading of `RUN` lines has
    /// it (a POSIX shell only splits on spaces and tabs).
    pub vertical_blanks: bool,
    /// `{{ ... }}` is one word part: the templates of CI files (GitHub Actions `${{ }}`,
    /// Jinja, Go templates), where the spaces inside are no word breaks.
    pub templates: bool,
    /// Here-document bodies are read out of the text and not lexed as commands. Off for a
    /// Dockerfile's own lines, whose here-documents BuildKit cuts out before the shell runs.
    pub here_doc_bodies: bool,
}

impl Dialect {
    /// Shell scripts, CI `run:`/`script:` text and command lines found in them.
    pub(crate) const COMMAND_LINE: Dialect = Dialect {
        vertical_blanks: false,
        templates: true,
        here_doc_bodies: true,
    };
    /// The shell text of a Dockerfile `RUN` instruction (continuations already removed).
    pub(crate) const DOCKERFILE: Dialect = Dialect {
        vertical_blanks: true,
        templates: false,
        here_doc_bodies: false,
    };
    /// A script a Dockerfile runs: a here-document body, an `sh -c` string.
    pub(crate) const DOCKERFILE_SCRIPT: Dialect = Dialect {
        here_doc_bodies: true,
        ..Dialect::DOCKERFILE
    };
}

/// Splits shell text into tokens, as command lines are read.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    tokenize_as(text, Dialect::COMMAND_LINE)
}

/// Splits shell text into tokens, read as `dialect` says.
pub(crate) fn tokenize_as(text: &str, dialect: Dialect) -> Vec<Token> {
    let mut lexer = Lexer {
        dialect,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        poisoned: Poisoned::default(),
        heredoc_delimiter_expected: None,
        pending_heredocs: Vec::new(),
    };
    lexer.run();
    lexer.tokens
}

/// The words of shell text, separators and redirections left out.
#[cfg(test)]
pub(crate) fn split_words(text: &str) -> Vec<Word> {
    tokenize(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            _ => None,
        })
        .collect()
}

/// Constructs found unterminated: from then on they are taken literally, so that no construct
/// is scanned to the end of the text more than once (which would make the lexer quadratic).
#[derive(Default)]
struct Poisoned {
    single: bool,
    double: bool,
    ansi: bool,
    paren: bool,
    brace: bool,
    backtick: bool,
    template: bool,
}

struct PendingHeredoc {
    redirect_token: usize,
    delimiter: String,
    strip_tabs: bool,
}

struct Lexer<'t> {
    dialect: Dialect,
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    tokens: Vec<Token>,
    poisoned: Poisoned,
    /// Set after `<<`/`<<-`: the index of the redirect token and whether tabs are stripped.
    heredoc_delimiter_expected: Option<(usize, bool)>,
    pending_heredocs: Vec<PendingHeredoc>,
}

/// A word being built: its value and where each part of the value came from.
#[derive(Default)]
struct WordBuilder {
    value: String,
    map: SourceMap,
    quoted: bool,
    substitutions: Vec<Range<usize>>,
    continuations: Vec<Range<usize>>,
}

/// A point a [`WordBuilder`] can be rolled back to.
struct Checkpoint {
    value_len: usize,
    pieces: usize,
    substitutions: usize,
    continuations: usize,
}

impl WordBuilder {
    /// Appends `text[range]` as it is.
    fn push_source(&mut self, text: &str, range: Range<usize>) {
        let Some(part) = text.get(range.clone()) else {
            return;
        };
        let start = self.value.len();
        self.value.push_str(part);
        self.map.push(start..self.value.len(), range, true);
    }

    /// Appends `produced`, which the escape at `source` stands for.
    fn push_produced(&mut self, produced: &str, source: Range<usize>) {
        let start = self.value.len();
        self.value.push_str(produced);
        self.map.push(start..self.value.len(), source, false);
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            value_len: self.value.len(),
            pieces: self.map.runs(),
            substitutions: self.substitutions.len(),
            continuations: self.continuations.len(),
        }
    }

    fn restore(&mut self, c: Checkpoint) {
        self.value.truncate(c.value_len);
        self.map.truncate(c.pieces);
        self.substitutions.truncate(c.substitutions);
        self.continuations.truncate(c.continuations);
    }
}

fn is_operator_start(b: u8) -> bool {
    matches!(b, b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
}

impl Lexer<'_> {
    /// A byte that separates words (`\r` too: CRLF files).
    fn is_blank(&self, b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\r')
            || (self.dialect.vertical_blanks && matches!(b, b'\x0b' | b'\x0c'))
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// The length of a `\`+newline continuation at `i` (also `\`+CRLF), or 0.
    fn continuation_len(&self, i: usize) -> usize {
        if self.at(i) != Some(b'\\') {
            0
        } else if self.at(i + 1) == Some(b'\n') {
            2
        } else if self.at(i + 1) == Some(b'\r') && self.at(i + 2) == Some(b'\n') {
            3
        } else {
            0
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if self.is_blank(b) {
                self.pos += 1;
            } else if self.continuation_len(self.pos) > 0 {
                self.pos += self.continuation_len(self.pos);
            } else if b == b'\n' {
                let newline = self.pos..self.pos + 1;
                self.heredoc_delimiter_expected = None;
                self.pos += 1;
                self.read_heredoc_bodies();
                self.tokens.push(Token::Separator(newline));
            } else if b == b'#' {
                while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else if is_operator_start(b) {
                self.lex_operator();
            } else {
                self.lex_word();
            }
        }
        // Here-documents cut off by the end of the text still get their (empty) bodies.
        self.read_heredoc_bodies();
    }

    fn lex_operator(&mut self) {
        let start = self.pos;
        let rest = &self.bytes[start..];
        const SEPARATORS: [&[u8]; 10] = [
            b";;&", b";;", b";&", b"&&", b"||", b"|&", b";", b"&", b"|", b"(",
        ];
        const REDIRECTS: [&[u8]; 12] = [
            b"<<<", b"<<-", b"&>>", b"<<", b"<&", b"<>", b">>", b">&", b">|", b"&>", b"<", b">",
        ];
        if rest.first() == Some(&b')') {
            self.heredoc_delimiter_expected = None;
            self.pos += 1;
            self.tokens.push(Token::Separator(start..self.pos));
            return;
        }
        // Redirections first: `&>` must not be read as `&` then `>`.
        for op in REDIRECTS {
            if rest.starts_with(op) {
                self.pos += op.len();
                if (op == b"<<" || op == b"<<-") && self.dialect.here_doc_bodies {
                    self.heredoc_delimiter_expected = Some((self.tokens.len(), op == b"<<-"));
                }
                self.tokens.push(Token::Redirect {
                    span: start..self.pos,
                    here_doc: op == b"<<" || op == b"<<-",
                    heredoc_body: None,
                });
                return;
            }
        }
        for op in SEPARATORS {
            if rest.starts_with(op) {
                // A here-document needs a delimiter word before the command ends.
                self.heredoc_delimiter_expected = None;
                self.pos += op.len();
                self.tokens.push(Token::Separator(start..self.pos));
                return;
            }
        }
        // Unreachable for the bytes `is_operator_start` accepts; step over it all the same.
        self.pos += 1;
    }

    /// After a newline: the bodies of the here-documents opened on the line just ended.
    fn read_heredoc_bodies(&mut self) {
        for heredoc in std::mem::take(&mut self.pending_heredocs) {
            let body_start = self.pos;
            let mut body_end = self.bytes.len();
            let mut after = self.bytes.len();
            let mut line_start = self.pos;
            while line_start < self.bytes.len() {
                let line_end = self.bytes[line_start..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.bytes.len(), |i| line_start + i);
                let mut line = self.text.get(line_start..line_end).unwrap_or("");
                line = line.strip_suffix('\r').unwrap_or(line);
                if heredoc.strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line == heredoc.delimiter {
                    body_end = line_start;
                    after = (line_end + 1).min(self.bytes.len());
                    break;
                }
                line_start = line_end + 1;
            }
            if let Some(Token::Redirect { heredoc_body, .. }) =
                self.tokens.get_mut(heredoc.redirect_token)
            {
                *heredoc_body = Some(body_start..body_end);
            }
            self.pos = after;
        }
    }

    fn lex_word(&mut self) {
        let start = self.pos;
        let mut word = WordBuilder::default();
        let mut end = start;
        let starts_quoted = matches!(self.at(start), Some(b'\'' | b'"'));
        while let Some(b) = self.at(self.pos) {
            let i = self.pos;
            match b {
                _ if self.is_blank(b) || b == b'\n' || is_operator_start(b) => break,
                b'\\' => {
                    let cont = self.continuation_len(i);
                    if cont > 0 {
                        // A continuation joins the lines; it is no part of the word.
                        word.continuations.push(i..i + cont);
                        self.pos += cont;
                        continue;
                    }
                    match self.text.get(i + 1..).and_then(|r| r.chars().next()) {
                        Some(c) => {
                            word.push_source(self.text, i + 1..i + 1 + c.len_utf8());
                            word.quoted = true;
                            self.pos = i + 1 + c.len_utf8();
                        }
                        None => {
                            word.push_source(self.text, i..i + 1);
                            self.pos = i + 1;
                        }
                    }
                }
                b'\'' => match self.skip_single(i + 1) {
                    Some(after) => {
                        word.push_source(self.text, i + 1..after - 1);
                        word.quoted = true;
                        self.pos = after;
                    }
                    None => {
                        self.poisoned.single = true;
                        word.push_source(self.text, i..i + 1);
                        self.pos = i + 1;
                    }
                },
                b'"' => self.lex_double_quoted(&mut word, i, i + 1),
                b'$' => self.lex_dollar(&mut word, i),
                b'`' => match self.skip_backtick(i + 1) {
                    Some(after) => {
                        word.substitutions.push(i + 1..after - 1);
                        word.push_source(self.text, i..after);
                        self.pos = after;
                    }
                    None => {
                        self.poisoned.backtick = true;
                        word.push_source(self.text, i..i + 1);
                        self.pos = i + 1;
                    }
                },
                b'{' if self.dialect.templates && self.at(i + 1) == Some(b'{') => {
                    match self.skip_template(i + 2) {
                        Some(after) => {
                            word.push_source(self.text, i..after);
                            self.pos = after;
                        }
                        None => {
                            self.poisoned.template = true;
                            word.push_source(self.text, i..i + 2);
                            self.pos = i + 2;
                        }
                    }
                }
                _ => {
                    let mut j = i + 1;
                    while let Some(c) = self.at(j) {
                        if self.is_blank(c)
                            || c == b'\n'
                            || is_operator_start(c)
                            || matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`' | b'{')
                        {
                            break;
                        }
                        j += 1;
                    }
                    word.push_source(self.text, i..j);
                    self.pos = j;
                }
            }
            end = self.pos;
        }
        if self.pos == start {
            // Defensive: never loop without progress.
            self.pos += 1;
            return;
        }
        if word.value.is_empty() && !word.quoted {
            // Only continuations: nothing the shell would see.
            return;
        }
        // A continuation right after the word joins it to nothing: it is outside the span.
        word.continuations.retain(|c| c.end <= end);
        let value = word.value;
        let mut map = word.map;
        if value.is_empty() {
            // `''`: the empty value stands just inside its quotes.
            map = SourceMap::empty_at((start + 1).min(end));
        }
        if let Some((token, strip_tabs)) = self.heredoc_delimiter_expected.take() {
            self.pending_heredocs.push(PendingHeredoc {
                redirect_token: token,
                delimiter: value.clone(),
                strip_tabs,
            });
        }
        self.tokens.push(Token::Word(Word {
            value,
            span: start..end,
            map,
            quoted: word.quoted,
            starts_quoted,
            substitutions: word.substitutions,
            continuations: word.continuations,
        }));
    }

    /// `"..."` starting at `quote` (content at `content`), or the `"` taken literally when it
    /// is never closed.
    fn lex_double_quoted(&mut self, word: &mut WordBuilder, quote: usize, content: usize) {
        if self.poisoned.double {
            word.push_source(self.text, quote..content);
            self.pos = content;
            return;
        }
        let checkpoint = word.checkpoint();
        let mut j = content;
        loop {
            let Some(b) = self.at(j) else {
                word.restore(checkpoint);
                self.poisoned.double = true;
                word.push_source(self.text, quote..content);
                self.pos = content;
                return;
            };
            match b {
                b'"' => {
                    word.quoted = true;
                    self.pos = j + 1;
                    return;
                }
                b'\\' => {
                    let cont = self.continuation_len(j);
                    if cont > 0 {
                        word.continuations.push(j..j + cont);
                        j += cont;
                    } else if matches!(self.at(j + 1), Some(b'$' | b'`' | b'"' | b'\\')) {
                        word.push_source(self.text, j + 1..j + 2);
                        j += 2;
                    } else {
                        word.push_source(self.text, j..j + 1);
                        j += 1;
                    }
                }
                b'$' if self.at(j + 1) == Some(b'(') && !self.poisoned.paren => {
                    match self.skip_paren(j + 2, 0) {
                        Some(after) => {
                            word.substitutions.push(j + 2..after - 1);
                            word.push_source(self.text, j..after);
                            j = after;
                        }
                        None => {
                            self.poisoned.paren = true;
                            word.push_source(self.text, j..j + 2);
                            j += 2;
                        }
                    }
                }
                b'$' if self.at(j + 1) == Some(b'{') && !self.poisoned.brace => {
                    match self.skip_brace(j + 2, 0) {
                        Some(after) => {
                            word.push_source(self.text, j..after);
                            j = after;
                        }
                        None => {
                            self.poisoned.brace = true;
                            word.push_source(self.text, j..j + 2);
                            j += 2;
                        }
                    }
                }
                b'`' if !self.poisoned.backtick => match self.skip_backtick(j + 1) {
                    Some(after) => {
                        word.substitutions.push(j + 1..after - 1);
                        word.push_source(self.text, j..after);
                        j = after;
                    }
                    None => {
                        self.poisoned.backtick = true;
                        word.push_source(self.text, j..j + 1);
                        j += 1;
                    }
                },
                _ => {
                    let mut k = j + 1;
                    while let Some(c) = self.at(k) {
                        if matches!(c, b'"' | b'\\' | b'$' | b'`') {
                            break;
                        }
                        k += 1;
                    }
                    word.push_source(self.text, j..k);
                    j = k;
                }
            }
        }
    }

    /// A word part starting with `$` at `i`.
    fn lex_dollar(&mut self, word: &mut WordBuilder, i: usize) {
        match self.at(i + 1) {
            Some(b'\'') if !self.poisoned.ansi => self.lex_ansi_c(word, i),
            Some(b'"') => {
                // `$"..."` (a locale-translated string) reads like `"..."`.
                self.lex_double_quoted(word, i, i + 2);
            }
            Some(b'(') if !self.poisoned.paren => match self.skip_paren(i + 2, 0) {
                Some(after) => {
                    word.substitutions.push(i + 2..after - 1);
                    word.push_source(self.text, i..after);
                    self.pos = after;
                }
                None => {
                    // `$(` stays one word part: `(` alone would end the word.
                    self.poisoned.paren = true;
                    word.push_source(self.text, i..i + 2);
                    self.pos = i + 2;
                }
            },
            Some(b'{') if !self.poisoned.brace => match self.skip_brace(i + 2, 0) {
                Some(after) => {
                    word.push_source(self.text, i..after);
                    self.pos = after;
                }
                None => {
                    self.poisoned.brace = true;
                    word.push_source(self.text, i..i + 2);
                    self.pos = i + 2;
                }
            },
            // After an unterminated `$(`, later ones are literal too, and `(` stays in the word
            // as it did for the first one.
            Some(b'(') => {
                word.push_source(self.text, i..i + 2);
                self.pos = i + 2;
            }
            _ => {
                word.push_source(self.text, i..i + 1);
                self.pos = i + 1;
            }
        }
    }

    /// `$'...'` with its C-style escapes; the `$` taken literally when it is never closed.
    fn lex_ansi_c(&mut self, word: &mut WordBuilder, dollar: usize) {
        let checkpoint = word.checkpoint();
        let mut j = dollar + 2;
        loop {
            let Some(b) = self.at(j) else {
                word.restore(checkpoint);
                self.poisoned.ansi = true;
                word.push_source(self.text, dollar..dollar + 1);
                self.pos = dollar + 1;
                return;
            };
            match b {
                b'\'' => {
                    word.quoted = true;
                    self.pos = j + 1;
                    return;
                }
                b'\\' => {
                    let (produced, len) = ansi_c_escape(self.bytes.get(j + 1..).unwrap_or(&[]));
                    let end = (j + 1 + len).min(self.bytes.len());
                    match produced {
                        Some(c) => word.push_produced(c.encode_utf8(&mut [0; 4]), j..end),
                        // Not an escape: the backslash and what follows stay.
                        None => word.push_source(self.text, j..end),
                    }
                    j = end.max(j + 1);
                    while j < self.bytes.len() && !self.text.is_char_boundary(j) {
                        j += 1;
                    }
                }
                _ => {
                    let mut k = j + 1;
                    while let Some(c) = self.at(k) {
                        if matches!(c, b'\'' | b'\\') {
                            break;
                        }
                        k += 1;
                    }
                    word.push_source(self.text, j..k);
                    j = k;
                }
            }
        }
    }

    /// Past the `'` closing a single-quoted string whose content starts at `from`.
    fn skip_single(&self, from: usize) -> Option<usize> {
        if self.poisoned.single {
            return None;
        }
        let rest = self.bytes.get(from..)?;
        rest.iter().position(|&b| b == b'\'').map(|i| from + i + 1)
    }

    /// Past the `"` closing a double-quoted string whose content starts at `from`.
    fn skip_double(&self, from: usize, depth: usize) -> Option<usize> {
        if self.poisoned.double || depth > MAX_NESTING {
            return None;
        }
        let mut j = from;
        while let Some(b) = self.at(j) {
            match b {
                b'"' => return Some(j + 1),
                b'\\' => j += 2,
                b'$' if self.at(j + 1) == Some(b'(') => j = self.skip_paren(j + 2, depth + 1)?,
                b'$' if self.at(j + 1) == Some(b'{') => j = self.skip_brace(j + 2, depth + 1)?,
                b'`' => j = self.skip_backtick(j + 1)?,
                _ => j += 1,
            }
        }
        None
    }

    /// Past the `)` closing a `$(` whose content starts at `from`.
    fn skip_paren(&self, from: usize, depth: usize) -> Option<usize> {
        if self.poisoned.paren {
            return None;
        }
        self.skip_nested(from, depth, b'(', b')')
    }

    /// Past the `}` closing a `${` whose content starts at `from`.
    fn skip_brace(&self, from: usize, depth: usize) -> Option<usize> {
        if self.poisoned.brace {
            return None;
        }
        self.skip_nested(from, depth, b'{', b'}')
    }

    /// Past the `close` that ends a group opened just before `from`, counting nested `open`s.
    /// Quotes, escapes, `$(…)`, `${…}` and backticks inside are skipped whole: a `)` or `}` in
    /// them closes nothing.
    fn skip_nested(&self, from: usize, depth: usize, open: u8, close: u8) -> Option<usize> {
        if depth > MAX_NESTING {
            return None;
        }
        let mut nesting = 1usize;
        let mut j = from;
        while let Some(b) = self.at(j) {
            match b {
                b'\\' => j += 2,
                b'\'' => j = self.skip_single(j + 1)?,
                b'"' => j = self.skip_double(j + 1, depth + 1)?,
                b'`' => j = self.skip_backtick(j + 1)?,
                b'$' if self.at(j + 1) == Some(b'(') => j = self.skip_paren(j + 2, depth + 1)?,
                b'$' if self.at(j + 1) == Some(b'{') => j = self.skip_brace(j + 2, depth + 1)?,
                _ if b == open => {
                    nesting += 1;
                    j += 1;
                }
                _ if b == close => {
                    nesting -= 1;
                    j += 1;
                    if nesting == 0 {
                        return Some(j);
                    }
                }
                _ => j += 1,
            }
        }
        None
    }

    /// Past the backtick closing a command substitution whose content starts at `from`.
    fn skip_backtick(&self, from: usize) -> Option<usize> {
        if self.poisoned.backtick {
            return None;
        }
        let mut j = from;
        while let Some(b) = self.at(j) {
            match b {
                b'\\' => j += 2,
                b'`' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    }

    /// Past the `}}` closing a `{{` template whose content starts at `from`.
    fn skip_template(&self, from: usize) -> Option<usize> {
        if self.poisoned.template {
            return None;
        }
        let rest = self.bytes.get(from..)?;
        rest.windows(2)
            .position(|w| w == b"}}")
            .map(|i| from + i + 2)
    }
}

/// Decodes the escape after a backslash in `$'...'`: the character it stands for, and how many
/// bytes after the backslash it spans. `None` when the backslash is no escape.
fn ansi_c_escape(rest: &[u8]) -> (Option<char>, usize) {
    let Some(&first) = rest.first() else {
        return (None, 0);
    };
    let simple = match first {
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b'e' | b'E' => Some('\u{1b}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\u{b}'),
        b'\\' => Some('\\'),
        b'\'' => Some('\''),
        b'"' => Some('"'),
        b'?' => Some('?'),
        _ => None,
    };
    if simple.is_some() {
        return (simple, 1);
    }
    let digits = |radix: u32, skip: usize, max: usize| -> (Option<char>, usize) {
        let taken: Vec<u8> = rest
            .iter()
            .skip(skip)
            .take(max)
            .take_while(|b| (**b as char).is_digit(radix))
            .copied()
            .collect();
        if taken.is_empty() {
            return (None, 0);
        }
        let text = String::from_utf8_lossy(&taken);
        let code = u32::from_str_radix(&text, radix).unwrap_or(0xFFFD);
        (
            Some(char::from_u32(code).unwrap_or('\u{FFFD}')),
            skip + taken.len(),
        )
    };
    match first {
        b'0'..=b'7' => digits(8, 0, 3),
        b'x' => digits(16, 1, 2),
        b'u' => digits(16, 1, 4),
        b'U' => digits(16, 1, 8),
        b'c' => match rest.get(1) {
            Some(&c) if c.is_ascii() => (Some(char::from(c & 0x1f)), 2),
            _ => (None, 0),
        },
        _ => (None, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(text: &str) -> Vec<String> {
        split_words(text).into_iter().map(|w| w.value).collect()
    }

    fn spans(text: &str) -> Vec<&str> {
        split_words(text)
            .into_iter()
            .map(|w| &text[w.span])
            .collect()
    }

    #[test]
    fn quotes_and_escapes_are_removed_and_spans_keep_them() {
        let text = r#"docker run -v "/a b:/c" 'it''s' \$HOME x\ y"#;
        assert_eq!(
            values(text),
            ["docker", "run", "-v", "/a b:/c", "its", "$HOME", "x y"]
        );
        assert_eq!(
            spans(text),
            [
                "docker",
                "run",
                "-v",
                "\"/a b:/c\"",
                "'it''s'",
                "\\$HOME",
                "x\\ y"
            ]
        );
    }

    #[test]
    fn continuations_join_lines_and_words_keep_their_own_lines() {
        let text = "docker run \\\n  --privileged \\\n  alpine";
        let words = split_words(text);
        let values: Vec<_> = words.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(values, ["docker", "run", "--privileged", "alpine"]);
        assert_eq!(&text[words[2].span.clone()], "--privileged");
        // A continuation inside a word is removed from the value, and the value still maps back.
        let text = "--cap-add=SYS_\\\nADMIN";
        let w = &split_words(text)[0];
        assert_eq!(w.value, "--cap-add=SYS_ADMIN");
        let admin = w.value.find("ADMIN").unwrap();
        assert_eq!(&text[w.map.range(admin..w.value.len())], "ADMIN");
        assert_eq!(w.map.range(10..w.value.len()), 10..21);
    }

    #[test]
    fn separators_end_commands() {
        let tokens = tokenize("a && b || c; d | e & f\ng");
        let seps: Vec<_> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Separator(r) => Some(r.len()),
                _ => None,
            })
            .collect();
        assert_eq!(seps, [2, 2, 1, 1, 1, 1]);
        assert_eq!(
            values("a && b || c; d | e & f\ng"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
    }

    #[test]
    fn comments_start_only_at_word_start() {
        assert_eq!(values("a#b # c d\ne"), ["a#b", "e"]);
        assert_eq!(values("'#x' \"#y\""), ["#x", "#y"]);
    }

    #[test]
    fn substitutions_stay_in_their_word_and_their_bodies_are_reported() {
        let text = r#"CID=$(docker run -d "x)" img) `echo a` "$(b c)""#;
        let words = split_words(text);
        assert_eq!(words.len(), 3);
        assert_eq!(words[0].value, "CID=$(docker run -d \"x)\" img)");
        assert_eq!(
            &text[words[0].substitutions[0].clone()],
            "docker run -d \"x)\" img"
        );
        assert_eq!(&text[words[1].substitutions[0].clone()], "echo a");
        assert_eq!(&text[words[2].substitutions[0].clone()], "b c");
    }

    #[test]
    fn parameter_and_template_expressions_keep_their_spaces() {
        assert_eq!(
            values("run ${{ matrix.image }} {{ image }} ${X:-a b}"),
            ["run", "${{ matrix.image }}", "{{ image }}", "${X:-a b}"]
        );
        // A `}` in a command substitution inside `${...}` closes nothing, as in `$(...)`.
        assert_eq!(
            values("run --user ${U:-`echo }`} -e X=${X:-$(echo })} img $(echo ')' `echo )`)"),
            [
                "run",
                "--user",
                "${U:-`echo }`}",
                "-e",
                "X=${X:-$(echo })}",
                "img",
                "$(echo ')' `echo )`)"
            ]
        );
    }

    #[test]
    fn ansi_c_strings_decode_and_map_to_their_escapes() {
        let text = r"$'a\tb\x41\'' c";
        let words = split_words(text);
        assert_eq!(words[0].value, "a\tbA'");
        // The tab comes from `\t`, bytes 3..5.
        assert_eq!(words[0].map.range(1..2), 3..5);
        assert_eq!(words[1].value, "c");
    }

    #[test]
    fn redirections_and_heredocs() {
        let text = "cat <<EOF > out\ndocker run x\nEOF\necho done 2>&1\n";
        let tokens = tokenize(text);
        let body = tokens.iter().find_map(|t| match t {
            Token::Redirect {
                heredoc_body: Some(b),
                ..
            } => Some(b.clone()),
            _ => None,
        });
        assert_eq!(body.map(|b| &text[b]), Some("docker run x\n"));
        // The body is not lexed as commands of the script.
        assert_eq!(
            values(text),
            ["cat", "EOF", "out", "echo", "done", "2", "1"]
        );
        let tabbed = "cat <<-END\n\tline\n\tEND\nnext";
        assert_eq!(values(tabbed), ["cat", "END", "next"]);
    }

    #[test]
    fn unterminated_constructs_are_taken_literally() {
        assert_eq!(values("it's here"), ["it's", "here"]);
        assert_eq!(values("say \"hi there"), ["say", "\"hi", "there"]);
        assert_eq!(values("a $(b c"), ["a", "$(b", "c"]);
        assert_eq!(values("$(a $(b"), ["$(a", "$(b"]);
        assert_eq!(values("x `y"), ["x", "`y"]);
        assert_eq!(values("$'abc"), ["$'abc"]);
        // Quotes pair forwards as in the shell; only the last one is left open.
        assert_eq!(values("don't stop 'me' now"), ["dont stop me'", "now"]);
        assert_eq!(values("a 'b' c '"), ["a", "b", "c", "'"]);
    }

    #[test]
    fn empty_quoted_words_are_words() {
        assert_eq!(values("a '' \"\" b"), ["a", "", "", "b"]);
        assert_eq!(values("\\\n"), Vec::<String>::new());
    }

    #[test]
    fn composed_maps_point_into_the_original_text() {
        let text = "sh -c 'docker run  --privileged img'";
        let outer = &split_words(text)[2];
        let inner_words = split_words(&outer.value);
        let to_file = SourceMap::identity(0, text.len()).compose(&outer.map);
        let privileged = &inner_words[2];
        let span = to_file
            .compose(&privileged.map)
            .range(0..privileged.value.len());
        assert_eq!(&text[span], "--privileged");
        let sliced = to_file.slice(7..10);
        assert_eq!(&text[sliced.range(0..3)], "run");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = "$(".repeat(100_000) + &")".repeat(100_000);
        let _ = tokenize(&text);
        let text = "\"$(".repeat(50_000);
        let _ = tokenize(&text);
    }

    fn oracle_alphabet() -> impl Strategy<Value = String> {
        // No `$`, backticks or `{`: shell-words does not know substitutions. No `\r`: we treat
        // it as a blank (CRLF files), shell-words as a letter. No operators: shell-words does
        // not know them.
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('b'),
                Just('-'),
                Just('='),
                Just('/'),
                Just(':'),
                Just('é'),
                Just(' '),
                Just('\t'),
                Just('\n'),
                Just('\''),
                Just('"'),
                Just('\\'),
                Just('#'),
            ],
            0..40,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    /// Text made mostly of the bytes the lexer treats specially.
    fn hostile_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(vec![
                    "'", "\"", "\\", "$", "(", ")", "{", "}", "`", "#", "<<", "<<-", ";", "&",
                    "|", ">", "<", "\n", " ", "\r", "EOF", "a", "é", "$'", "${", "$(", "{{", "}}",
                ]),
                1 => proptest::sample::select(vec!["\\x4", "\\u12", "\\c", "\\0", "\t"]),
            ],
            0..80,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        // Failures are reported with their minimal input; no regression files in the tree.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn words_match_shell_words(text in oracle_alphabet()) {
            if let Ok(expected) = shell_words::split(&text) {
                prop_assert_eq!(values(&text), expected);
            }
        }

        #[test]
        fn spans_are_char_boundaries_and_plain_words_are_their_own_text(text in oracle_alphabet()) {
            for w in split_words(&text) {
                prop_assert!(text.is_char_boundary(w.span.start));
                prop_assert!(text.is_char_boundary(w.span.end));
                if !w.quoted && !text[w.span.clone()].contains("\\\n") {
                    prop_assert_eq!(&text[w.span.clone()], w.value.as_str());
                }
                let r = w.map.range(0..w.value.len());
                prop_assert!(w.span.start <= r.start && r.end <= w.span.end);
            }
        }

        #[test]
        fn never_panics_on_any_text(text in hostile_text()) {
            for token in tokenize(&text) {
                if let Token::Word(w) = token {
                    let _ = w.map.range(0..w.value.len());
                    for s in w.substitutions {
                        prop_assert!(text.get(s).is_some());
                    }
                }
            }
        }
    }
}

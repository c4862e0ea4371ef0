//! Variable substitution and word splitting the way BuildKit's Dockerfile frontend does them
//! (`frontend/dockerfile/shell/lex.go` and `parser/line_parsers.go`).
//!
//! One deliberate difference: a plain reference (`$NAME`, `${NAME}`) to a variable the Dockerfile
//! gives no value is kept as written instead of becoming empty. Such a variable is either an
//! `ARG` without a default, filled in by a build argument we do not see, or an `ENV` of a base
//! image we cannot read; keeping `$NAME` lets the model say "not resolved here" rather than
//! pretend the value is empty. The operators (`${NAME:-default}`, `${NAME:+alt}`, ...) treat such a
//! variable as unset, which is what a build without build arguments does.

use std::collections::HashMap;

/// How deeply `${A:-${B:-...}}` may nest before the word is given up on.
const MAX_NESTING: usize = 32;

/// The variables in scope at one point of a Dockerfile.
pub(crate) trait Vars {
    /// The value of `name`, or `None` when the Dockerfile gives it none here.
    fn get(&self, name: &str) -> Option<&str>;
}

impl Vars for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

/// How many bytes expansions may still insert. Values can reference values (`ENV B=$A$A`), so
/// without a cap a few lines could double a string into gigabytes; the budget keeps the whole
/// read linear in the input size.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Bytes still allowed.
    remaining: usize,
}

impl Budget {
    /// A budget proportional to the size of the text being read.
    pub(crate) fn for_text(text: &str) -> Budget {
        Budget {
            remaining: text.len().saturating_mul(8).saturating_add(64 * 1024),
        }
    }

    /// Takes `bytes` from the budget, or fails when it would run out.
    fn take(&mut self, bytes: usize) -> Result<(), ExpandError> {
        self.remaining = self
            .remaining
            .checked_sub(bytes)
            .ok_or(ExpandError::TooLarge)?;
        Ok(())
    }
}

/// Why a word could not be expanded. Callers keep the word as written, which the model then
/// reports as unresolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// A quote or `${` is never closed.
    Unterminated,
    /// `${}`, `${:x}`, `${{x}` and the like.
    BadSubstitution,
    /// `${NAME:=x}` and other operators BuildKit rejects.
    UnsupportedModifier,
    /// `${A:-${B:-...}}` nested too deeply.
    TooDeep,
    /// The expansion budget is used up.
    TooLarge,
}

/// Expands `word` as BuildKit's `ProcessWord` does: quotes are removed, the `escape` character
/// escapes the next character, and variables are substituted from `vars`.
pub(crate) fn expand(
    word: &str,
    escape: char,
    vars: &dyn Vars,
    budget: &mut Budget,
) -> Result<String, ExpandError> {
    let mut lexer = WordLexer {
        src: word,
        pos: 0,
        escape,
        raw_escapes: false,
        depth: 0,
        vars,
        budget,
    };
    lexer.process_until(None, false)
}

/// Like [`expand`], but a word that cannot be expanded is returned as written.
pub(crate) fn expand_or_keep(
    word: &str,
    escape: char,
    vars: &dyn Vars,
    budget: &mut Budget,
) -> String {
    expand(word, escape, vars, budget).unwrap_or_else(|_| word.to_owned())
}

/// The state of one expansion.
struct WordLexer<'w, 'v> {
    src: &'w str,
    pos: usize,
    escape: char,
    /// Inside `${X#pattern}` and `${X%pattern}` BuildKit keeps escapes for the pattern matcher.
    raw_escapes: bool,
    depth: usize,
    vars: &'v dyn Vars,
    budget: &'v mut Budget,
}

impl WordLexer<'_, '_> {
    /// The next character, not consumed.
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    /// Consumes the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// The text from `start` to the current position, as written.
    fn written_since(&self, start: usize) -> String {
        self.src.get(start..self.pos).unwrap_or("").to_owned()
    }

    /// Processes characters until `stop` (consumed) or the end of the word.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<String, ExpandError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_until_inner(stop);
        self.raw_escapes = saved;
        result
    }

    /// [`Self::process_until`] with the escape mode already set.
    fn process_until_inner(&mut self, stop: Option<char>) -> Result<String, ExpandError> {
        let mut out = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.bump();
                return Ok(out);
            }
            match ch {
                '$' => out.push_str(&self.dollar()?),
                '\'' => out.push_str(&self.single_quoted()?),
                '"' => out.push_str(&self.double_quoted()?),
                _ => {
                    self.bump();
                    if ch == self.escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.bump() {
                            Some(escaped) => out.push(escaped),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
            }
        }
        match stop {
            Some(_) => Err(ExpandError::Unterminated),
            None => Ok(out),
        }
    }

    /// `'...'`: every character as written.
    fn single_quoted(&mut self) -> Result<String, ExpandError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(ExpandError::Unterminated),
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    /// `"..."`: variables substituted; the escape character only escapes `"`, `$` and itself.
    fn double_quoted(&mut self) -> Result<String, ExpandError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(ExpandError::Unterminated),
                Some('"') => {
                    self.bump();
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(_) => {
                    let Some(mut ch) = self.bump() else {
                        return Err(ExpandError::Unterminated);
                    };
                    if ch == self.escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            // An escape at the very end: the loop reports the missing quote.
                            None => continue,
                            // Only these are escapable inside double quotes; otherwise the
                            // escape character stays.
                            Some(next) if next == '"' || next == '$' || next == self.escape => {
                                ch = next;
                                self.bump();
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    /// A variable name after `$`: digits, one special parameter, or letters, digits and `_`.
    fn name(&mut self) -> &str {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            }
            Some('@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') => {
                self.bump();
            }
            _ => {
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.bump();
                }
            }
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    /// The value of `name`, charged to the budget.
    fn lookup(&mut self, name: &str) -> Result<Option<String>, ExpandError> {
        match self.vars.get(name) {
            Some(value) => {
                self.budget.take(value.len())?;
                Ok(Some(value.to_owned()))
            }
            None => Ok(None),
        }
    }

    /// A `$` and what follows it: `$NAME`, `${NAME}`, `${NAME<op>word}`, or a lone `$`.
    fn dollar(&mut self) -> Result<String, ExpandError> {
        let start = self.pos;
        self.bump();
        if self.peek() != Some('{') {
            let name = self.name().to_owned();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.lookup(&name)? {
                Some(value) => value,
                None => self.written_since(start),
            });
        }
        self.bump();
        match self.peek() {
            None => return Err(ExpandError::Unterminated),
            Some('{' | '}' | ':') => return Err(ExpandError::BadSubstitution),
            Some(_) => {}
        }
        let name = self.name().to_owned();
        match self.bump() {
            Some('}') => Ok(match self.lookup(&name)? {
                Some(value) => value,
                None => self.written_since(start),
            }),
            Some(':') => {
                let operator = self.bump();
                self.modifier(start, &name, operator, true)
            }
            operator @ Some('+' | '-' | '?' | '#' | '%') => {
                self.modifier(start, &name, operator, false)
            }
            Some('/') => {
                // Pattern replacement is not evaluated: consume it and keep it as written.
                if self.peek() == Some('/') {
                    self.bump();
                }
                self.nested(|lexer| lexer.process_until(Some('/'), true))?;
                self.nested(|lexer| lexer.process_until(Some('}'), true))?;
                Ok(self.written_since(start))
            }
            None => Err(ExpandError::Unterminated),
            Some(_) => Err(ExpandError::UnsupportedModifier),
        }
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_NESTING`].
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<String, ExpandError>,
    ) -> Result<String, ExpandError> {
        if self.depth >= MAX_NESTING {
            return Err(ExpandError::TooDeep);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// `${NAME<op>word}` and `${NAME:<op>word}` after the operator.
    fn modifier(
        &mut self,
        start: usize,
        name: &str,
        operator: Option<char>,
        null_is_unset: bool,
    ) -> Result<String, ExpandError> {
        let operator = match operator {
            Some(op @ ('+' | '-' | '?' | '#' | '%')) => op,
            None => return Err(ExpandError::Unterminated),
            Some(_) => return Err(ExpandError::UnsupportedModifier),
        };
        let raw_escapes = operator == '#' || operator == '%';
        let word = self.nested(|lexer| lexer.process_until(Some('}'), raw_escapes))?;
        let value = self.vars.get(name).map(str::to_owned);
        let unset = match &value {
            None => true,
            Some(v) => null_is_unset && v.is_empty(),
        };
        Ok(match operator {
            '-' if unset => word,
            '+' if unset => String::new(),
            '+' => word,
            // `${NAME?message}` fails the build when unset; a build argument may still set it,
            // so the reference stays unresolved. Pattern removal (`#`, `%`) is not evaluated.
            '?' if unset => self.written_since(start),
            '#' | '%' => self.written_since(start),
            _ => {
                let value = value.unwrap_or_default();
                self.budget.take(value.len())?;
                value
            }
        })
    }
}

/// Splits instruction arguments into words as BuildKit's `parseWords` does: on white space
/// outside quotes, keeping quotes and escapes in the words (they are removed by [`expand`]).
pub(crate) fn split_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut blank_ok = false;
    let mut word = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        if phase == Phase::Spaces {
            if ch.is_whitespace() {
                continue;
            }
            phase = Phase::Word;
        }
        match phase {
            Phase::Word => {
                if ch.is_whitespace() {
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    phase = Phase::Spaces;
                    blank_ok = false;
                    continue;
                }
                let mut ch = ch;
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                } else if ch == escape {
                    // An escape at the very end is dropped; otherwise the escape and the
                    // character it escapes both stay in the word.
                    let Some(next) = chars.next() else { continue };
                    word.push(ch);
                    ch = next;
                }
                word.push(ch);
            }
            Phase::Quote(quote) => {
                let mut ch = ch;
                if ch == quote {
                    phase = Phase::Word;
                } else if ch == escape && quote != '\'' {
                    let Some(next) = chars.next() else {
                        phase = Phase::Word;
                        continue;
                    };
                    word.push(ch);
                    ch = next;
                }
                word.push(ch);
            }
            Phase::Spaces => {}
        }
    }
    if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// One `NAME[=value]` of an `ARG` or `ENV` instruction, with the value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value as written (quotes and escapes not yet processed), when given.
    pub value: Option<String>,
}

/// The declarations of an `ARG` instruction: `NAME` or `NAME=default`, several per line.
pub(crate) fn arg_declarations(arguments: &str, escape: char) -> Vec<Assignment> {
    split_words(arguments, escape)
        .into_iter()
        .map(|word| match word.split_once('=') {
            Some((name, value)) => Assignment {
                name: name.to_owned(),
                value: Some(value.to_owned()),
            },
            None => Assignment {
                name: word,
                value: None,
            },
        })
        .collect()
}

/// The assignments of an `ENV` instruction, in the `NAME=value ...` form or the legacy
/// `NAME value with spaces` form (decided, as BuildKit does, by whether the first word holds `=`).
/// Malformed parts (a word without `=`, a legacy form without a value) are left out; BuildKit
/// rejects them, and the parser already reported nothing, so they simply set nothing here.
pub(crate) fn env_assignments(arguments: &str, escape: char) -> Vec<Assignment> {
    let words = split_words(arguments, escape);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.contains('=') {
        let is_separator = |c: char| matches!(c, ' ' | '\t' | '\r' | '\x0b' | '\x0c');
        let trimmed = arguments.trim_start_matches(is_separator);
        let Some((name, value)) = trimmed.split_once(is_separator) else {
            return Vec::new();
        };
        return vec![Assignment {
            name: name.to_owned(),
            value: Some(value.trim_start_matches(is_separator).to_owned()),
        }];
    }
    words
        .into_iter()
        .filter_map(|word| {
            let (name, value) = word.split_once('=')?;
            Some(Assignment {
                name: name.to_owned(),
                value: Some(value.to_owned()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn run(
        word: &str,
        escape: char,
        scope: &HashMap<String, String>,
    ) -> Result<String, ExpandError> {
        expand(word, escape, scope, &mut Budget::for_text(word))
    }

    #[test]
    fn substitution_table() {
        let scope = vars(&[("SET", "v"), ("EMPTY", ""), ("UID", "10001")]);
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("$SET", "v"),
            ("${SET}", "v"),
            ("a${SET}b", "avb"),
            ("$SET$SET", "vv"),
            // Unknown plain references stay as written.
            ("$UNSET", "$UNSET"),
            ("${UNSET}", "${UNSET}"),
            ("${UID}:${GID}", "10001:${GID}"),
            // Defaults.
            ("${UNSET:-d}", "d"),
            ("${UNSET-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${SET:-d}", "v"),
            ("${UNSET:-}", ""),
            // Alternatives.
            ("${SET:+alt}", "alt"),
            ("${SET+alt}", "alt"),
            ("${UNSET:+alt}", ""),
            ("${UNSET+alt}", ""),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            // Nested defaults and variables in defaults.
            ("${UNSET:-${SET}}", "v"),
            ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
            // Required variables: value when set, unresolved otherwise.
            ("${SET:?must}", "v"),
            ("${UNSET:?must}", "${UNSET:?must}"),
            // Pattern operators are kept as written.
            ("${SET#v}", "${SET#v}"),
            ("${SET/v/w}", "${SET/v/w}"),
            // Quotes.
            ("'$SET'", "$SET"),
            ("\"$SET\"", "v"),
            ("\"a b\"", "a b"),
            ("\"a\\\"b\"", "a\"b"),
            ("\"a\\xb\"", "a\\xb"),
            // The escape character.
            ("\\$SET", "$SET"),
            ("a\\ b", "a b"),
            ("$", "$"),
            ("$1", "$1"),
            ("$$", "$$"),
            ("${UNSET:-'a b'}", "a b"),
        ];
        for (input, want) in cases {
            assert_eq!(run(input, '\\', &scope).as_deref(), Ok(*want), "{input}");
        }
    }

    #[test]
    fn backtick_escape_leaves_backslash_alone() {
        let scope = vars(&[("SET", "v")]);
        assert_eq!(run("`$SET", '`', &scope).as_deref(), Ok("$SET"));
        assert_eq!(
            run("c:\\dir\\$SET", '`', &scope).as_deref(),
            Ok("c:\\dir\\v")
        );
        assert_eq!(run("\"`\"\"", '`', &scope).as_deref(), Ok("\""));
    }

    #[test]
    fn malformed_words_are_errors() {
        let scope = vars(&[]);
        assert_eq!(run("${", '\\', &scope), Err(ExpandError::Unterminated));
        assert_eq!(run("${}", '\\', &scope), Err(ExpandError::BadSubstitution));
        assert_eq!(
            run("${:-x}", '\\', &scope),
            Err(ExpandError::BadSubstitution)
        );
        assert_eq!(
            run("${X:=y}", '\\', &scope),
            Err(ExpandError::UnsupportedModifier)
        );
        assert_eq!(run("${X:-y", '\\', &scope), Err(ExpandError::Unterminated));
        assert_eq!(run("'open", '\\', &scope), Err(ExpandError::Unterminated));
        assert_eq!(run("\"open", '\\', &scope), Err(ExpandError::Unterminated));
        assert_eq!(
            expand_or_keep("${", '\\', &scope, &mut Budget::for_text("")),
            "${"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let depth = 10_000;
        let word = format!("{}x{}", "${A:-".repeat(depth), "}".repeat(depth));
        assert_eq!(run(&word, '\\', &vars(&[])), Err(ExpandError::TooDeep));
    }

    #[test]
    fn the_budget_stops_doubling() {
        let scope = vars(&[("A", &"x".repeat(1000))]);
        let mut budget = Budget { remaining: 2500 };
        assert!(expand("$A$A", '\\', &scope, &mut budget).is_ok());
        assert_eq!(
            expand("$A", '\\', &scope, &mut budget),
            Err(ExpandError::TooLarge)
        );
    }

    #[test]
    fn words_keep_quotes_until_expanded() {
        assert_eq!(
            split_words(r#"a="x y" b=c\ d 'e f'"#, '\\'),
            vec![r#"a="x y""#, r"b=c\ d", "'e f'"]
        );
        assert_eq!(split_words("  ", '\\'), Vec::<String>::new());
        assert_eq!(split_words("\"\"", '\\'), vec!["\"\""]);
    }

    #[test]
    fn arg_and_env_forms() {
        assert_eq!(
            arg_declarations("A B=1 C=", '\\'),
            vec![
                Assignment {
                    name: "A".into(),
                    value: None
                },
                Assignment {
                    name: "B".into(),
                    value: Some("1".into())
                },
                Assignment {
                    name: "C".into(),
                    value: Some(String::new())
                },
            ]
        );
        assert_eq!(
            env_assignments("K=v K2=\"two words\"", '\\'),
            vec![
                Assignment {
                    name: "K".into(),
                    value: Some("v".into())
                },
                Assignment {
                    name: "K2".into(),
                    value: Some("\"two words\"".into())
                },
            ]
        );
        assert_eq!(
            env_assignments("LEGACY a value  with=spaces", '\\'),
            vec![Assignment {
                name: "LEGACY".into(),
                value: Some("a value  with=spaces".into())
            }]
        );
        assert_eq!(env_assignments("LONELY", '\\'), Vec::new());
    }
}

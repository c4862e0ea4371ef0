//! Compose variable interpolation (`$VAR`, `${VAR:-default}`, ...) and the `.env` file.
//!
//! Written as a single left-to-right pass rather than compose-go's regex-and-rescan, so that
//! nested forms (`${A:-${B:-${C}}}`) cost time linear in the text: a branch that is not taken is
//! still scanned (to find its closing brace) but never evaluated.

use crate::Resolver;
use std::borrow::Cow;
use std::collections::HashMap;

/// How deep `${...}` may nest inside defaults before the text is called invalid. Real files nest
/// two or three levels; the limit only keeps recursion bounded on hostile input.
const MAX_NESTING: usize = 32;

/// Something worth telling the user about one interpolation that still produced a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A variable with no value and no default: Compose substitutes an empty string (and warns).
    Unset(String),
    /// `${VAR:?message}` / `${VAR?message}` with `VAR` missing: Compose refuses to start, we read
    /// the value as empty and say so.
    Required {
        /// The variable.
        name: String,
        /// The message written after `?`.
        message: String,
    },
}

/// Where variable values come from, in Compose's order: the environment, then the `.env` file.
pub(crate) struct Env<'r> {
    resolver: &'r dyn Resolver,
    dotenv: HashMap<String, String>,
}

impl<'r> Env<'r> {
    /// An environment that asks `resolver` first and then looks in `dotenv` (the parsed `.env`).
    pub(crate) fn new(resolver: &'r dyn Resolver, dotenv: HashMap<String, String>) -> Self {
        Env { resolver, dotenv }
    }

    /// The value of `name`, `None` when it is unset everywhere.
    pub(crate) fn lookup(&self, name: &str) -> Option<String> {
        self.resolver
            .env(name)
            .or_else(|| self.dotenv.get(name).cloned())
    }
}

/// What becomes of a variable that is unset and has no default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unset {
    /// An empty string, as Compose substitutes.
    Empty,
    /// `${NAME}` as written: for host paths, where an empty prefix would turn `${PWD}/etc`
    /// into `/etc`, a path the deployment never mounts.
    Keep,
}

/// Substitutes variables in `text`. `Err` carries a description of a malformed template (Compose
/// rejects those); the caller keeps the raw text then.
pub(crate) fn interpolate<'t>(
    text: &'t str,
    lookup: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
    unset: Unset,
) -> Result<Cow<'t, str>, String> {
    if !text.contains('$') {
        return Ok(Cow::Borrowed(text));
    }
    let mut parser = Parser {
        text,
        pos: 0,
        depth: 0,
        lookup,
        problems,
        unset,
    };
    let mut out = String::with_capacity(text.len());
    parser.sequence(&mut out, true, false)?;
    Ok(Cow::Owned(out))
}

struct Parser<'t, 'l> {
    text: &'t str,
    pos: usize,
    depth: usize,
    lookup: &'l dyn Fn(&str) -> Option<String>,
    problems: &'l mut Vec<Problem>,
    unset: Unset,
}

fn is_name_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_name_char(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

impl Parser<'_, '_> {
    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// Text up to the end, or, when `nested`, up to the `}` that closes the enclosing `${`
    /// (left for the caller). Output is produced only when `eval`.
    fn sequence(&mut self, out: &mut String, eval: bool, nested: bool) -> Result<(), String> {
        let mut literal = self.pos;
        while let Some(&b) = self.bytes().get(self.pos) {
            match b {
                b'}' if nested => break,
                b'$' => {
                    if eval {
                        // `$`, `{` and `}` are ASCII, so these offsets are char boundaries.
                        out.push_str(&self.text[literal..self.pos]);
                    }
                    self.dollar(out, eval)?;
                    literal = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        if eval {
            out.push_str(&self.text[literal..self.pos]);
        }
        Ok(())
    }

    fn name(&mut self) -> &str {
        let start = self.pos;
        if self
            .bytes()
            .get(self.pos)
            .copied()
            .is_some_and(is_name_start)
        {
            self.pos += 1;
            while self
                .bytes()
                .get(self.pos)
                .copied()
                .is_some_and(is_name_char)
            {
                self.pos += 1;
            }
        }
        &self.text[start..self.pos]
    }

    fn value_of(&mut self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    fn unset_variable(&mut self, out: &mut String, name: String) {
        if self.unset == Unset::Keep {
            out.push_str("${");
            out.push_str(&name);
            out.push('}');
        }
        self.problems.push(Problem::Unset(name));
    }

    fn dollar(&mut self, out: &mut String, eval: bool) -> Result<(), String> {
        match self.bytes().get(self.pos + 1).copied() {
            Some(b'$') => {
                if eval {
                    out.push('$');
                }
                self.pos += 2;
            }
            Some(b'{') => {
                self.pos += 2;
                self.braced(out, eval)?;
            }
            Some(b) if is_name_start(b) => {
                self.pos += 1;
                let name = self.name().to_string();
                if eval {
                    match self.value_of(&name) {
                        Some(v) => out.push_str(&v),
                        None => self.unset_variable(out, name),
                    }
                }
            }
            // Compose leaves a `$` that starts no variable (`$1`, `$ `, a final `$`) as it is.
            _ => {
                if eval {
                    out.push('$');
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    /// After `${`: `NAME}`, or `NAME` then `-`, `:-`, `?`, `:?`, `+` or `:+` and a word.
    fn braced(&mut self, out: &mut String, eval: bool) -> Result<(), String> {
        let start = self.pos.saturating_sub(2);
        let name = self.name().to_string();
        if name.is_empty() {
            return Err(format!("invalid interpolation format in '{}'", self.text));
        }
        let colon = self.bytes().get(self.pos) == Some(&b':');
        let op_at = self.pos + usize::from(colon);
        let op = match self.bytes().get(op_at).copied() {
            Some(b'}') if !colon => {
                self.pos += 1;
                if eval {
                    match self.value_of(&name) {
                        Some(v) => out.push_str(&v),
                        None => self.unset_variable(out, name),
                    }
                }
                return Ok(());
            }
            Some(op @ (b'-' | b'?' | b'+')) => op,
            _ => {
                return Err(format!(
                    "invalid interpolation format in '{}'",
                    &self.text[start..]
                ));
            }
        };
        self.pos = op_at + 1;
        let value = if eval { self.value_of(&name) } else { None };
        let missing = match (colon, &value) {
            (_, None) => true,
            (true, Some(v)) => v.is_empty(),
            (false, Some(_)) => false,
        };
        // `+` uses its word when the variable is present; `-` and `?` when it is missing.
        let use_word = if op == b'+' { !missing } else { missing };
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "interpolation nested more than {MAX_NESTING} levels deep"
            ));
        }
        self.depth += 1;
        let mut word = String::new();
        let result = self.sequence(&mut word, eval && use_word, true);
        self.depth -= 1;
        result?;
        if self.bytes().get(self.pos) != Some(&b'}') {
            return Err(format!("unterminated '${{' in '{}'", &self.text[start..]));
        }
        self.pos += 1;
        if !eval {
            return Ok(());
        }
        match (op, use_word) {
            (b'?', true) => {
                if self.unset == Unset::Keep {
                    out.push_str(&format!("${{{name}}}"));
                }
                self.problems.push(Problem::Required {
                    name,
                    message: word,
                });
            }
            (b'+', false) => {}
            (_, true) => out.push_str(&word),
            (_, false) => out.push_str(value.as_deref().unwrap_or("")),
        }
        Ok(())
    }
}

/// Parses a `.env` file as Compose does: `KEY=value` or `export KEY=value` lines, `#` comments,
/// single quotes (literal), double quotes (escapes and variables), unquoted values (trimmed,
/// ` #` starts a comment, variables expanded). Variables in values are looked up with `env`
/// first, then among the keys defined earlier in the file. Returns the pairs (later wins) and
/// warnings about lines that are not assignments.
pub(crate) fn parse_dotenv(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> (HashMap<String, String>, Vec<String>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut warnings = Vec::new();
    let mut rest = text;
    let mut line_no = 1usize;
    while !rest.is_empty() {
        // One logical line; a quoted value may extend it over several physical lines.
        let trimmed = rest.trim_start_matches([' ', '\t', '\r']);
        if let Some(after) = trimmed.strip_prefix('\n') {
            line_no += 1;
            rest = after;
            continue;
        }
        if trimmed.is_empty() {
            break;
        }
        let (line_end, _) = split_line(trimmed);
        if trimmed.starts_with('#') {
            rest = &trimmed[line_end..];
            continue;
        }
        let body = trimmed
            .strip_prefix("export")
            .filter(|r| r.starts_with([' ', '\t']))
            .map_or(trimmed, |r| r.trim_start_matches([' ', '\t']));
        let key_len = body
            .find(['=', ':', ' ', '\t', '\n', '\r'])
            .unwrap_or(body.len());
        let key = &body[..key_len];
        let after_key = body[key_len..].trim_start_matches([' ', '\t']);
        let Some(value_text) = after_key
            .strip_prefix('=')
            .or_else(|| after_key.strip_prefix(':'))
            .filter(|_| !key.is_empty())
        else {
            warnings.push(format!(
                ".env line {line_no}: not a KEY=value assignment; ignored"
            ));
            rest = &trimmed[line_end..];
            continue;
        };
        let value_text = value_text.trim_start_matches([' ', '\t']);
        let lookup = |name: &str| env(name).or_else(|| vars.get(name).cloned());
        let (value, consumed) = match value_text.as_bytes().first() {
            Some(b'\'') => match value_text[1..].find('\'') {
                Some(close) => (value_text[1..1 + close].to_string(), close + 2),
                None => unquoted(value_text, &lookup),
            },
            Some(b'"') => match double_quoted(&value_text[1..]) {
                Some((raw, len)) => (expand(&raw, &lookup), len + 1),
                None => unquoted(value_text, &lookup),
            },
            _ => unquoted(value_text, &lookup),
        };
        line_no += value_text[..consumed].matches('\n').count();
        let key = key.to_string();
        vars.insert(key, value);
        // Whatever follows the value on its line is a comment.
        let after_value = &value_text[consumed..];
        let (end, _) = split_line(after_value);
        rest = &after_value[end..];
    }
    (vars, warnings)
}

/// Byte length of the first line of `s` without its newline, and whether a newline follows.
fn split_line(s: &str) -> (usize, bool) {
    match s.find('\n') {
        Some(i) => (i, true),
        None => (s.len(), false),
    }
}

fn expand(raw: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut ignored = Vec::new();
    match interpolate(raw, lookup, &mut ignored, Unset::Empty) {
        Ok(v) => v.into_owned(),
        Err(_) => raw.to_string(),
    }
}

fn unquoted(value_text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> (String, usize) {
    let (end, _) = split_line(value_text);
    let line = &value_text[..end];
    // A `#` starts a comment only after whitespace, so `pa#ss` stays a value.
    let cut = line
        .char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
        .map_or(line.len(), |(i, _)| i);
    let value = line[..cut].trim_matches([' ', '\t', '\r']);
    (expand(value, lookup), end)
}

/// The body of a double-quoted value with its escapes processed, and the bytes consumed
/// including the closing quote; `None` when the quote is never closed.
fn double_quoted(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 't')) => out.push('\t'),
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                // `\$` is a literal dollar: `$$` is how interpolation, which runs next, says so.
                Some((_, '$')) => out.push_str("$$"),
                // Other escapes mean nothing special and stay as written.
                Some((_, other)) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, vars: &[(&str, &str)]) -> (String, Vec<Problem>) {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |n: &str| map.get(n).cloned();
        let mut problems = Vec::new();
        let v = interpolate(text, &lookup, &mut problems, Unset::Empty).expect("valid template");
        (v.into_owned(), problems)
    }

    #[test]
    fn operators_follow_compose() {
        let vars = [("SET", "v"), ("EMPTY", "")];
        assert_eq!(run("$SET-${SET}", &vars).0, "v-v");
        assert_eq!(run("${EMPTY:-d}|${EMPTY-d}", &vars).0, "d|");
        assert_eq!(run("${NOPE:-d}|${NOPE-d}", &vars).0, "d|d");
        assert_eq!(
            run("${SET:+r}|${EMPTY:+r}|${EMPTY+r}|${NOPE+r}", &vars).0,
            "r||r|"
        );
        assert_eq!(run("${SET:?boom}", &vars).0, "v");
        assert_eq!(run("a$$b $$$SET", &vars).0, "a$b $v");
        assert_eq!(run("${NOPE:-${EMPTY:-${SET}}}x", &vars).0, "vx");
        assert_eq!(run("$1 $ end$", &vars).0, "$1 $ end$");
    }

    #[test]
    fn unset_and_required_are_reported() {
        let (v, p) = run(
            "[$NOPE][${EMPTY:?must be set}][${GONE?gone}]",
            &[("EMPTY", "")],
        );
        assert_eq!(v, "[][][]");
        assert_eq!(
            p,
            vec![
                Problem::Unset("NOPE".into()),
                Problem::Required {
                    name: "EMPTY".into(),
                    message: "must be set".into()
                },
                Problem::Required {
                    name: "GONE".into(),
                    message: "gone".into()
                },
            ]
        );
    }

    #[test]
    fn branches_not_taken_are_not_evaluated() {
        // The default of a set variable mentions an unset one: no warning for it.
        let (v, p) = run("${SET:-$NOPE}", &[("SET", "v")]);
        assert_eq!(v, "v");
        assert!(p.is_empty(), "{p:?}");
    }

    fn interpolate_empty<'t>(
        text: &'t str,
        lookup: &dyn Fn(&str) -> Option<String>,
        problems: &mut Vec<Problem>,
    ) -> Result<Cow<'t, str>, String> {
        interpolate(text, lookup, problems, Unset::Empty)
    }

    #[test]
    fn unset_variables_can_be_kept_as_written() {
        let lookup = |n: &str| (n == "SET").then(|| "v".to_string());
        let mut p = Vec::new();
        let v = interpolate("$PWD/${A:?x}/${B:-d}/$SET", &lookup, &mut p, Unset::Keep).unwrap();
        assert_eq!(v, "${PWD}/${A}/d/v");
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn malformed_templates_are_errors() {
        let lookup = |_: &str| None;
        let mut p = Vec::new();
        assert!(interpolate_empty("${}", &lookup, &mut p).is_err());
        assert!(interpolate_empty("${A", &lookup, &mut p).is_err());
        assert!(interpolate_empty("${A:-x", &lookup, &mut p).is_err());
        assert!(interpolate_empty("${A B}", &lookup, &mut p).is_err());
        let deep = format!("{}x{}", "${A:-".repeat(100), "}".repeat(100));
        assert!(interpolate_empty(&deep, &lookup, &mut p).is_err());
    }

    #[test]
    fn deep_nesting_within_the_limit_is_linear() {
        let n = MAX_NESTING - 1;
        let text = format!("{}x{}", "${A:-".repeat(n), "}".repeat(n)).repeat(5_000);
        let start = std::time::Instant::now();
        let (v, _) = run(&text, &[]);
        assert_eq!(v, "x".repeat(5_000));
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn dotenv_forms() {
        let text = "# comment\n\
                    A=1\n\
                    export B = two words  # trailing\n\
                    C='lit $A # not a comment'\n\
                    D=\"q\\\"$A\\n\\$A\"\n\
                    E=${A}x\n\
                    F=pa#ss\n\
                    G: colon\n\
                    H='multi\nline'\n\
                    not an assignment\n\
                    I=\n";
        let env = |n: &str| (n == "OUTER").then(|| "o".to_string());
        let (vars, warnings) = parse_dotenv(text, &env);
        let get = |k: &str| vars.get(k).map(String::as_str);
        assert_eq!(get("A"), Some("1"));
        assert_eq!(get("B"), Some("two words"));
        assert_eq!(get("C"), Some("lit $A # not a comment"));
        assert_eq!(get("D"), Some("q\"1\n$A"));
        assert_eq!(get("E"), Some("1x"));
        assert_eq!(get("F"), Some("pa#ss"));
        assert_eq!(get("G"), Some("colon"));
        assert_eq!(get("H"), Some("multi\nline"));
        assert_eq!(get("I"), Some(""));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("line 11"), "{warnings:?}");
    }
}

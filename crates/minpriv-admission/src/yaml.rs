//! A small YAML writer for the exported objects.
//!
//! Written by hand because the export needs only block mappings, sequences and scalars, in a
//! fixed key order, with CEL as readable block literals; the YAML crates the project avoids for
//! reading (DESIGN.md) are not worth a dependency for that. The tests read every exported
//! document back with minpriv's own YAML reader.

/// A YAML value, keys in the order they are written.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// A mapping.
    Map(Vec<(String, Yaml)>),
    /// A sequence.
    List(Vec<Yaml>),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl Yaml {
    /// A mapping from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Yaml)>) -> Yaml {
        Yaml::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string.
    pub fn str(text: impl Into<String>) -> Yaml {
        Yaml::Str(text.into())
    }

    /// A sequence of strings.
    pub fn strs<S: AsRef<str>>(items: &[S]) -> Yaml {
        Yaml::List(items.iter().map(|s| Yaml::str(s.as_ref())).collect())
    }
}

/// One document, ending in a newline.
pub fn document(value: &Yaml) -> String {
    let mut out = String::new();
    match value {
        Yaml::Map(entries) if !entries.is_empty() => write_map(entries, 0, &mut out),
        other => {
            write_inline(other, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

fn pad(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(entries: &[(String, Yaml)], indent: usize, out: &mut String) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            pad(indent, out);
        }
        out.push_str(&scalar(key));
        out.push(':');
        write_value(value, indent, out);
    }
}

/// Writes `value` after `key:` (or `- `) at `indent`.
fn write_value(value: &Yaml, indent: usize, out: &mut String) {
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            pad(indent + 2, out);
            write_map(entries, indent + 2, out);
        }
        Yaml::List(items) if !items.is_empty() => {
            out.push('\n');
            write_list(items, indent, out);
        }
        other => {
            out.push(' ');
            write_inline(other, indent, out);
            out.push('\n');
        }
    }
}

fn write_list(items: &[Yaml], indent: usize, out: &mut String) {
    for item in items {
        pad(indent, out);
        out.push_str("- ");
        match item {
            Yaml::Map(entries) if !entries.is_empty() => write_map(entries, indent + 2, out),
            Yaml::List(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(inner, indent + 2, out);
            }
            other => {
                write_inline(other, indent + 2, out);
                out.push('\n');
            }
        }
    }
}

fn write_inline(value: &Yaml, indent: usize, out: &mut String) {
    match value {
        Yaml::Map(_) => out.push_str("{}"),
        Yaml::List(_) => out.push_str("[]"),
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Yaml::Str(text) if text.contains('\n') && block_safe(text) => {
            out.push_str(if text.ends_with('\n') { "|\n" } else { "|-\n" });
            for line in text.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    pad(indent + 2, out);
                    out.push_str(line);
                }
                out.push('\n');
            }
            // The caller ends the line; a block scalar already did.
            out.pop();
        }
        Yaml::Str(text) => out.push_str(&scalar(text)),
    }
}

/// A literal block keeps `text` as is when its first line does not start with a space (which
/// would need an indentation indicator) and it has no trailing spaces or control characters.
fn block_safe(text: &str) -> bool {
    !text.starts_with([' ', '\t'])
        && !text.ends_with("\n\n")
        && text
            .split('\n')
            .all(|l| !l.ends_with([' ', '\t']) && !l.chars().any(|c| c.is_control() && c != '\t'))
}

/// A scalar, plain when that reads back as the same string, else double-quoted.
fn scalar(text: &str) -> String {
    let plain_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
    let keyword = minpriv_readers::yaml::parse_yaml11_bool(text).is_some()
        || matches!(text, "null" | "Null" | "NULL" | "~");
    if plain_chars && starts_well && !keyword {
        return text.to_string();
    }
    minpriv_readers::yaml::double_quoted(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_mappings_lists_and_literals() {
        let doc = Yaml::map([
            ("apiVersion", Yaml::str("v1")),
            (
                "items",
                Yaml::List(vec![
                    Yaml::map([("name", Yaml::str("a b")), ("on", Yaml::Bool(true))]),
                    Yaml::str("yes"),
                ]),
            ),
            ("empty", Yaml::List(vec![])),
            ("cel", Yaml::str("a ||\n  b")),
        ]);
        assert_eq!(
            document(&doc),
            "apiVersion: v1\nitems:\n- name: \"a b\"\n  \"on\": true\n- \"yes\"\nempty: []\ncel: |-\n  a ||\n    b\n"
        );
    }
}

//! Small builders for CEL text: literals and the `has()` chains that keep an expression from
//! failing on a field the object does not set.
//!
//! The expressions use only what every engine the export targets evaluates: the CEL standard
//! library, macros (`all`, `exists`, `filter`, `map`) and Kubernetes' string extensions
//! (`lowerAscii`, `trim`, `indexOf`, `lastIndexOf`, `substring`, `split`, `join`). No optional
//! types, `cel.bind` or `type()`: the `cel` crate the tests evaluate with lacks them, and a
//! feature the proof cannot run is a feature the proof does not cover.

/// A single-quoted CEL string literal.
pub(crate) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

/// A CEL list of string literals.
pub(crate) fn strings<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| string(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// `has(base.a) && has(base.a.b) && ...` for `path` under `base`.
pub(crate) fn has(base: &str, path: &[&str]) -> String {
    let mut current = base.to_string();
    let mut parts = Vec::with_capacity(path.len());
    for field in path {
        current.push('.');
        current.push_str(field);
        parts.push(format!("has({current})"));
    }
    parts.join(" && ")
}

/// `base.a.b`.
pub(crate) fn field(base: &str, path: &[&str]) -> String {
    let mut current = base.to_string();
    for field in path {
        current.push('.');
        current.push_str(field);
    }
    current
}

/// True when `base.path` is set and `== value` (a CEL literal). A value of another type
/// compares unequal, as a field the API server would not decode is absent for the scan.
pub(crate) fn equals(base: &str, path: &[&str], value: &str) -> String {
    format!("({} && {} == {value})", has(base, path), field(base, path))
}

/// `base.path` when set, else `fallback`.
pub(crate) fn or_else(base: &str, path: &[&str], fallback: &str) -> String {
    format!("({} ? {} : {fallback})", has(base, path), field(base, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(string("it's a\\b"), r"'it\'s a\\b'");
        assert_eq!(strings(&["a", "b"]), "['a', 'b']");
    }

    #[test]
    fn has_chains_guard_every_level() {
        assert_eq!(has("c", &["a", "b"]), "has(c.a) && has(c.a.b)");
        assert_eq!(equals("c", &["a"], "true"), "(has(c.a) && c.a == true)");
        assert_eq!(or_else("c", &["a"], "[]"), "(has(c.a) ? c.a : [])");
    }
}

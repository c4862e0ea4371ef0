//! Just enough Groovy to read a Jenkinsfile as shell text: its comments are blanked out.
//!
//! A Jenkinsfile is read by the shell lexer so that the strings of `sh '...'` steps are found
//! with their quotes handled. Groovy comments are no shell comments, though: an apostrophe in
//! `// don't` would open a shell quote and swallow the steps that follow. Blanking comments
//! (every byte but newlines becomes a space) keeps every offset, so spans stay exact.

/// True when `text` looks like a Jenkins pipeline rather than a shell script.
pub(super) fn looks_like_groovy(text: &str) -> bool {
    text.lines().any(|line| {
        let t = line.trim_start();
        t.starts_with("pipeline {")
            || t.starts_with("pipeline{")
            || t.starts_with("node {")
            || t.starts_with("node(")
            || t.starts_with("node (")
            || t.starts_with("stage(")
            || t.starts_with("stage (")
            || t.starts_with("@Library(")
    })
}

/// `text` with `//` and `/* */` comments outside Groovy strings replaced by spaces.
pub(super) fn blank_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"'''") || rest.starts_with(b"\"\"\"") {
            i = skip_string(bytes, i + 3, &rest[..3]);
        } else if rest[0] == b'\'' || rest[0] == b'"' {
            i = skip_string(bytes, i + 1, &rest[..1]);
        } else if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| i + n);
            blank(&mut out, i..end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = rest[2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            blank(&mut out, i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    // Only whole comments were blanked, and each ends at an ASCII byte or the end of the text,
    // so the bytes are still UTF-8; fall back to the text itself should that ever not hold.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Past the string closed by `quote` (one or three quote characters) whose content starts at
/// `from`; backslashes escape. An unclosed single-line string ends at the end of its line.
fn skip_string(bytes: &[u8], from: usize, quote: &[u8]) -> usize {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i..].starts_with(quote) {
            return i + quote.len();
        } else if bytes[i] == b'\n' && quote.len() == 1 {
            return i;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

fn blank(out: &mut [u8], range: std::ops::Range<usize>) {
    for b in out.get_mut(range).unwrap_or(&mut []) {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_and_strings_kept() {
        let text = "node {\n  // don't\n  sh 'curl http://x' /* it's */\n}";
        let blanked = blank_comments(text);
        assert_eq!(blanked.len(), text.len());
        assert!(!blanked.contains("don't"));
        assert!(blanked.contains("sh 'curl http://x'"));
        assert!(!blanked.contains("it's"));
        assert!(looks_like_groovy(text));
        assert!(!looks_like_groovy("#!/bin/sh\ndocker run x\n"));
    }

    #[test]
    fn unterminated_comments_and_strings_end_cleanly() {
        assert_eq!(blank_comments("a /* b"), "a     ");
        assert_eq!(blank_comments("x = 'abc\n// c"), "x = 'abc\n    ");
        assert_eq!(blank_comments("é// ü"), "é     ");
    }
}

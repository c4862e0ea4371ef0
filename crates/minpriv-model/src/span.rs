//! Source positions.

use serde::Serialize;

/// A region of a source file: byte offsets for editing, 1-based lines and columns for people.
///
/// Columns count Unicode scalar values (characters), not bytes, so that they match what editors
/// show and what SARIF calls `unicodeCodePoints`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column (in characters) of `start`.
    pub column: u32,
    /// 1-based line of `end`.
    pub end_line: u32,
    /// 1-based column (in characters) of `end`, exclusive.
    pub end_column: u32,
}

impl Span {
    /// True when this span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// Maps byte offsets of one text to lines and columns. Built once per file.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Per line: true when it holds only ASCII, so a column is a byte difference. Without this a
    /// minified one-line JSON file would cost quadratic time (a character count per lookup).
    /// Left empty when the whole text is ASCII (the usual case), which `all_ascii` says.
    ascii_lines: Vec<bool>,
    /// The whole text is ASCII: every column is a byte difference.
    all_ascii: bool,
}

impl LineIndex {
    /// Indexes the line starts of `text` (a line ends at `\n`; a preceding `\r` belongs to it).
    pub fn new(text: &str) -> Self {
        // Every file read is indexed, so this is a hot loop: newlines are found with memchr
        // (SIMD) and ASCII is checked a word at a time, not byte by byte.
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let all_ascii = bytes.is_ascii();
        let ascii_lines = if all_ascii {
            Vec::new()
        } else {
            let ends = line_starts[1..].iter().copied().chain([bytes.len()]);
            line_starts
                .iter()
                .zip(ends)
                .map(|(&start, end)| bytes[start..end].is_ascii())
                .collect()
        };
        LineIndex {
            line_starts,
            ascii_lines,
            all_ascii,
        }
    }

    /// The byte offset where each line starts, in order (the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// Number of lines (a text without a final newline still counts its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where the 1-based `line` starts, if it exists.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts
            .get((line as usize).checked_sub(1)?)
            .copied()
    }

    /// 1-based line and character column of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        if self.all_ascii || self.ascii_lines.get(line_idx).copied().unwrap_or(false) {
            return (line_idx as u32 + 1, (offset - start) as u32 + 1);
        }
        let prefix = text.get(start..offset).unwrap_or_else(|| {
            // Not on a char boundary: count up to the previous boundary.
            let mut o = offset;
            while o > start && !text.is_char_boundary(o) {
                o -= 1;
            }
            &text[start..o]
        });
        (line_idx as u32 + 1, prefix.chars().count() as u32 + 1)
    }

    /// A [`Span`] for the byte range `start..end` of `text`.
    pub fn span(&self, text: &str, start: usize, end: usize) -> Span {
        let (line, column) = self.position(text, start);
        let (end_line, end_column) = self.position(text, end.max(start));
        Span {
            start,
            end: end.max(start),
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The text of the 1-based `line`, without its line terminator.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let start = self.line_start(line)?;
        let end = self
            .line_start(line + 1)
            .unwrap_or(text.len())
            .min(text.len());
        let s = text.get(start..end)?;
        Some(s.trim_end_matches('\n').trim_end_matches('\r'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a: 1\nné: é2\r\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        assert_eq!(idx.position(text, 0), (1, 1));
        let off = text.find("é2").unwrap();
        assert_eq!(idx.position(text, off), (2, 5));
        let last = text.find("last").unwrap();
        assert_eq!(idx.position(text, last), (3, 1));
        assert_eq!(idx.line_text(text, 2), Some("né: é2"));
        assert_eq!(idx.line_text(text, 3), Some("last"));
        let span = idx.span(text, off, off + "é2".len());
        assert_eq!(
            (span.line, span.column, span.end_line, span.end_column),
            (2, 5, 2, 7)
        );
    }

    #[test]
    fn long_ascii_lines_are_constant_time_per_lookup() {
        let text = "x".repeat(2_000_000);
        let idx = LineIndex::new(&text);
        let start = std::time::Instant::now();
        for off in (0..text.len()).step_by(97) {
            assert_eq!(idx.position(&text, off), (1, off as u32 + 1));
        }
        // 20k lookups on a 2 MB line: a character count per lookup would take minutes.
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let text = "ab";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 99), (1, 3));
    }
}

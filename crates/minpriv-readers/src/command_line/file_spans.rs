//! Byte ranges of a file turned into [`Span`]s, in time independent of the line's length.
//!
//! `LineIndex::span` counts the characters from the start of the line on every call, so a
//! generated script with thousands of flags on one line would cost quadratic time. This index
//! also records how many characters start before each block of [`BLOCK`] bytes, so that a
//! column costs at most two blocks of counting. It gives the same spans as `LineIndex` (a unit
//! test checks that).

use minpriv_model::Span;
use std::ops::Range;

/// Bytes per block of the character-count table.
const BLOCK: usize = 256;

/// Turns byte ranges of one file into [`Span`]s.
pub(crate) struct FileSpans<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// `chars_before_block[k]`: how many characters start before byte `k * BLOCK`.
    chars_before_block: Vec<usize>,
}

/// True for the bytes that continue a UTF-8 character rather than start one.
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

impl<'t> FileSpans<'t> {
    /// Indexes `text`, the whole file.
    pub(crate) fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0;
        chars_before_block.push(0);
        for block in bytes.chunks(BLOCK) {
            count += block.iter().filter(|&&b| !is_continuation(b)).count();
            chars_before_block.push(count);
        }
        FileSpans {
            text,
            line_starts,
            chars_before_block,
        }
    }

    /// How many characters start before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let block = offset / BLOCK;
        let counted = self.chars_before_block.get(block).copied().unwrap_or(0);
        let rest = bytes.get(block * BLOCK..offset).unwrap_or(&[]);
        counted + rest.iter().filter(|&&b| !is_continuation(b)).count()
    }

    /// 1-based line and character column of `offset`.
    fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.chars_before(offset) - self.chars_before(line_start) + 1;
        (to_u32(line), to_u32(column))
    }

    /// The span of `range`.
    pub(crate) fn span(&self, range: Range<usize>) -> Span {
        let end = range.end.max(range.start);
        let (line, column) = self.position(range.start);
        let (end_line, end_column) = self.position(end);
        Span {
            start: range.start,
            end,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::LineIndex;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn spans_agree_with_the_line_index(
            text in "[a\u{e9}\u{1F600}\n ]{0,700}",
            picks in proptest::collection::vec((0usize..800, 0usize..800), 1..8),
        ) {
            let index = LineIndex::new(&text);
            let spans = FileSpans::new(&text);
            let boundary = |o: usize| {
                let mut o = o.min(text.len());
                while !text.is_char_boundary(o) {
                    o -= 1;
                }
                o
            };
            for (a, b) in picks {
                let (a, b) = (boundary(a.min(b)), boundary(a.max(b)));
                prop_assert_eq!(spans.span(a..b), index.span(&text, a, b));
            }
        }
    }
}

//! Offsets of a derived text (a word's unquoted value, a re-split `sh -c` string, a `RUN` line
//! with its continuations removed) mapped back to the text it came from, so that every finding
//! still points at the exact bytes of the file.

use std::ops::Range;

/// One run of a [`SourceMap`]: `local` offsets come from `source` offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    local_start: usize,
    local_end: usize,
    source_start: usize,
    source_end: usize,
    /// Byte `i` of the local run is byte `i` of the source run. When false, the whole local
    /// run was produced from the whole source run (an escape such as `$'\x41'`).
    exact: bool,
}

/// Maps byte offsets of a derived text (a word's unquoted value, a re-split `sh -c` string) to
/// byte offsets of the text it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SourceMap {
    /// Sorted by `local_start`, covering the local text without gaps.
    pieces: Vec<Piece>,
    /// Where an empty text (`''`) is: the only position a map without pieces can give.
    empty_at: usize,
}

impl SourceMap {
    /// The map of a text that is `len` bytes of its source starting at `base`.
    pub(crate) fn identity(base: usize, len: usize) -> SourceMap {
        let mut map = SourceMap::default();
        map.push(0..len, base..base + len, true);
        map
    }

    /// The map of an empty text standing at `at` in its source.
    pub(crate) fn empty_at(at: usize) -> SourceMap {
        SourceMap {
            pieces: Vec::new(),
            empty_at: at,
        }
    }

    /// Appends a run: `local` came from `source`, byte for byte when `exact`, else as a whole.
    /// Merges it into the previous run when both are exact and contiguous.
    pub(crate) fn push(&mut self, local: Range<usize>, source: Range<usize>, exact: bool) {
        if local.is_empty() {
            return;
        }
        if let Some(last) = self.pieces.last_mut()
            && exact
            && last.exact
            && last.local_end == local.start
            && last.source_end == source.start
        {
            last.local_end = local.end;
            last.source_end = source.end;
            return;
        }
        self.pieces.push(Piece {
            local_start: local.start,
            local_end: local.end,
            source_start: source.start,
            source_end: source.end,
            exact,
        });
    }

    /// The index of the piece holding local byte `local`, or of the last piece before it.
    fn piece_at(&self, local: usize) -> Option<usize> {
        self.pieces
            .partition_point(|p| p.local_start <= local)
            .checked_sub(1)
    }

    /// The source offset of local byte `local` (one past the end when `local` is the length).
    pub(crate) fn start_of(&self, local: usize) -> usize {
        let Some(i) = self.piece_at(local) else {
            return self
                .pieces
                .first()
                .map_or(self.empty_at, |p| p.source_start);
        };
        let p = self.pieces[i];
        if local >= p.local_end {
            p.source_end
        } else if p.exact {
            p.source_start + (local - p.local_start)
        } else {
            p.source_start
        }
    }

    /// The source offset just past local byte `local_end - 1`.
    pub(crate) fn end_of(&self, local_end: usize) -> usize {
        let Some(last) = local_end.checked_sub(1) else {
            return self.start_of(0);
        };
        let Some(i) = self.piece_at(last) else {
            return self.start_of(0);
        };
        let p = self.pieces[i];
        if last >= p.local_end {
            p.source_end
        } else if p.exact {
            p.source_start + (local_end - p.local_start)
        } else {
            p.source_end
        }
    }

    /// The source range of a local range.
    pub(crate) fn range(&self, local: Range<usize>) -> Range<usize> {
        let start = self.start_of(local.start);
        if local.end <= local.start {
            return start..start;
        }
        start..self.end_of(local.end).max(start)
    }

    /// The map of `inner` followed by `self`: `inner` maps a text derived from this map's local
    /// text; the result maps that derived text straight to this map's source.
    pub(crate) fn compose(&self, inner: &SourceMap) -> SourceMap {
        let mut out = SourceMap::empty_at(self.start_of(inner.empty_at));
        for ip in &inner.pieces {
            if !ip.exact {
                let source = self.range(ip.source_start..ip.source_end);
                out.push(ip.local_start..ip.local_end, source, false);
                continue;
            }
            // Walk this map's pieces under the inner piece's source range.
            let (from, to) = (ip.source_start, ip.source_end);
            let mut i = self.piece_at(from).unwrap_or(0);
            while let Some(p) = self.pieces.get(i) {
                if p.local_start >= to {
                    break;
                }
                let lo = from.max(p.local_start);
                let hi = to.min(p.local_end);
                if lo < hi {
                    let local = ip.local_start + (lo - from)..ip.local_start + (hi - from);
                    if p.exact {
                        let s = p.source_start + (lo - p.local_start);
                        out.push(local, s..s + (hi - lo), true);
                    } else {
                        out.push(local, p.source_start..p.source_end, false);
                    }
                }
                i += 1;
            }
        }
        out
    }

    /// How many runs the map has: a point [`SourceMap::truncate`] can roll back to.
    pub(crate) fn runs(&self) -> usize {
        self.pieces.len()
    }

    /// Drops the runs after the first `runs`.
    pub(crate) fn truncate(&mut self, runs: usize) {
        self.pieces.truncate(runs);
    }

    /// The map of the local sub-range `local`, re-based so that it starts at 0.
    pub(crate) fn slice(&self, local: Range<usize>) -> SourceMap {
        let len = local.end.saturating_sub(local.start);
        self.compose(&SourceMap::identity(local.start, len))
    }
}

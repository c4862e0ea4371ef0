//! A small spanned YAML tree on top of granit-parser's event stream.
//!
//! Written here rather than taken from a DOM crate because none gives all of: byte spans for keys
//! and values, every document of a stream, recovery after a broken document, and aliases that are
//! never expanded (so an alias bomb costs nothing). Aliases stay references to their anchor and
//! are followed one hop at a time on lookup; merge keys (`<<`) are expanded on lookup under a
//! visit budget.

use crate::InputError;
use granit_parser::{Event, Parser, ScalarStyle, ScanError};
use minpriv_model::{LineIndex, Span};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// How many nodes one merge-key expansion may visit before it stops: merges of merges of
/// merges can otherwise grow exponentially (the merge-key form of the billion-laughs attack).
const MERGE_VISIT_BUDGET: usize = 10_000;
/// How deep merge keys may nest.
const MERGE_DEPTH_LIMIT: usize = 32;

/// The documents of a YAML stream, and what could not be parsed.
#[derive(Debug, Default)]
pub struct YamlStream<'src> {
    /// Every document that parsed, in order.
    pub documents: Vec<Document<'src>>,
    /// Errors; each broken document is skipped and parsing resumes at the next `---`.
    pub errors: Vec<InputError>,
}

#[derive(Debug)]
enum Kind<'src> {
    Scalar {
        text: Cow<'src, str>,
        style: ScalarStyle,
        tagged: bool,
    },
    Mapping(Vec<(u32, u32)>),
    Sequence(Vec<u32>),
    Alias(usize),
    /// An alias to an anchor that does not exist (or a recursive one): treated as null.
    Broken,
}

#[derive(Debug)]
struct NodeData<'src> {
    kind: Kind<'src>,
    span: Span,
    flow: bool,
}

/// One YAML document: an arena of nodes.
#[derive(Debug)]
pub struct Document<'src> {
    nodes: Vec<NodeData<'src>>,
    anchors: HashMap<usize, u32>,
    root: Option<u32>,
    span: Span,
}

impl<'src> Document<'src> {
    /// The root node, or `None` for an empty document.
    pub fn root(&self) -> Option<Node<'_>> {
        self.root.map(|id| Node::new(self, id))
    }

    /// The span of the whole document.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// A node of a [`Document`]. Aliases are resolved transparently: a node reached through `*x`
/// behaves like the anchored node, and [`Node::use_span`] still tells where the alias stands.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    doc: &'a Document<'a>,
    id: u32,
    alias_span: Option<Span>,
}

impl<'a> Node<'a> {
    fn new(doc: &'a Document<'a>, id: u32) -> Node<'a> {
        let data = &doc.nodes[id as usize];
        if let Kind::Alias(anchor) = data.kind
            && let Some(&target) = doc.anchors.get(&anchor)
        {
            return Node {
                doc,
                id: target,
                alias_span: Some(data.span),
            };
        }
        Node {
            doc,
            id,
            alias_span: None,
        }
    }

    fn data(&self) -> &'a NodeData<'a> {
        &self.doc.nodes[self.id as usize]
    }

    /// The span of the value (for a node reached through an alias: the anchored node).
    pub fn span(&self) -> Span {
        self.data().span
    }

    /// Where this node is used: the alias `*x` when reached through one, else [`Node::span`].
    pub fn use_span(&self) -> Span {
        self.alias_span.unwrap_or_else(|| self.span())
    }

    /// True when this node was reached through an alias.
    pub fn is_alias(&self) -> bool {
        self.alias_span.is_some()
    }

    /// True for a mapping.
    pub fn is_mapping(&self) -> bool {
        matches!(self.data().kind, Kind::Mapping(_))
    }

    /// True for a sequence.
    pub fn is_sequence(&self) -> bool {
        matches!(self.data().kind, Kind::Sequence(_))
    }

    /// True for a scalar.
    pub fn is_scalar(&self) -> bool {
        matches!(self.data().kind, Kind::Scalar { .. })
    }

    /// True for a flow-style collection (`{a: 1}`, `[a, b]`).
    pub fn is_flow(&self) -> bool {
        self.data().flow
    }

    /// The scalar's text (after unquoting and escapes), any style; `None` for collections.
    pub fn as_str(&self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The scalar's style, `None` for collections.
    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.data().kind {
            Kind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    fn plain_untagged(&self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Scalar {
                text,
                style: ScalarStyle::Plain,
                tagged: false,
            } => Some(text),
            _ => None,
        }
    }

    /// True for null: a plain `~`, `null`, `Null`, `NULL` or empty scalar, or a broken alias.
    pub fn is_null(&self) -> bool {
        if matches!(self.data().kind, Kind::Broken | Kind::Alias(_)) {
            return true;
        }
        matches!(
            self.plain_untagged(),
            Some("" | "~" | "null" | "Null" | "NULL")
        )
    }

    /// A boolean under YAML 1.1 and 1.2 rules together, as Kubernetes and Compose read
    /// security-relevant fields: `true/false`, `yes/no`, `on/off`, `y/n` in lower, title or
    /// upper case. Quoted scalars are strings, not booleans.
    pub fn as_bool(&self) -> Option<bool> {
        parse_yaml11_bool(self.plain_untagged()?)
    }

    /// A plain integer: decimal with optional sign, `0x` hexadecimal or `0o` octal.
    pub fn as_i64(&self) -> Option<i64> {
        let t = self.plain_untagged()?;
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let value = if let Some(hex) = digits.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()?
        } else if let Some(oct) = digits.strip_prefix("0o") {
            i64::from_str_radix(oct, 8).ok()?
        } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()?
        } else {
            return None;
        };
        Some(if neg { -value } else { value })
    }

    /// An integer as the Kubernetes API server reads one: its YAML 1.1 decoder (yaml.v2) and
    /// a trip through JSON. Besides [`Node::as_i64`]'s forms: `_` separators, `0b` binary, a
    /// leading `0` for octal, and a float whose value is whole (`80.0`, `1e3`), which JSON
    /// writes as an integer.
    pub fn as_yaml11_i64(&self) -> Option<i64> {
        let text = self.plain_untagged()?;
        let unsigned = text.trim_start_matches(['-', '+']);
        let octal = unsigned.len() > 1
            && unsigned.starts_with('0')
            && !unsigned.contains(['x', 'o', 'b', '.', 'e', 'E']);
        if !octal && let Some(n) = self.as_i64() {
            return Some(n);
        }
        let text = self.plain_untagged()?.replace('_', "");
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let value = if let Some(bin) = digits.strip_prefix("0b") {
            i64::from_str_radix(bin, 2).ok()
        } else if digits.len() > 1
            && digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            i64::from_str_radix(&digits[1..], 8).ok()
        } else if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() {
            digits.parse().ok()
        } else if digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            && digits.contains(['.', 'e', 'E'])
        {
            let float: f64 = digits.parse().ok()?;
            // Whole and within range: JSON carries it as an integer.
            (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
        } else {
            None
        };
        value.map(|v| if neg { -v } else { v })
    }

    /// Looks up `key` in a mapping. Explicit keys win over keys merged with `<<`; of duplicate
    /// keys the last wins (as JSON and PyYAML read them).
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let Kind::Mapping(entries) = &self.data().kind else {
            return None;
        };
        let explicit = entries.iter().rev().find(|(k, _)| {
            let k = Node::new(self.doc, *k);
            k.as_str() == Some(key) && !k.is_merge_key()
        });
        if let Some((_, v)) = explicit {
            return Some(Node::new(self.doc, *v));
        }
        if !entries
            .iter()
            .any(|(k, _)| Node::new(self.doc, *k).is_merge_key())
        {
            return None;
        }
        self.entries()
            .filter(|(k, _)| k.as_str() == Some(key))
            .last()
            .map(|(_, v)| v)
    }

    /// The key node of `key` in a mapping (explicit keys only), for spans of keys.
    pub fn key_node(&self, key: &str) -> Option<Node<'a>> {
        let Kind::Mapping(entries) = &self.data().kind else {
            return None;
        };
        entries
            .iter()
            .rev()
            .map(|(k, _)| Node::new(self.doc, *k))
            .find(|k| k.as_str() == Some(key))
    }

    fn is_merge_key(&self) -> bool {
        matches!(
            &self.data().kind,
            Kind::Scalar { text, style: ScalarStyle::Plain, .. } if text == "<<"
        )
    }

    /// The (key, value) pairs of a mapping in source order, with `<<` merge keys expanded: merged
    /// pairs whose key is also written explicitly are left out, as are later duplicates among
    /// merged mappings (the first merged mapping wins, as YAML's merge key specifies).
    pub fn entries(&self) -> impl Iterator<Item = (Node<'a>, Node<'a>)> + use<'a> {
        let mut out = Vec::new();
        let mut budget = MERGE_VISIT_BUDGET;
        collect_entries(*self, &mut out, &mut budget, 0);
        out.into_iter()
    }

    /// The mappings merged into this mapping with `<<` (in merge order), without expanding them.
    pub fn merge_sources(&self) -> Vec<Node<'a>> {
        let Kind::Mapping(entries) = &self.data().kind else {
            return Vec::new();
        };
        let mut sources = Vec::new();
        for (k, v) in entries {
            if Node::new(self.doc, *k).is_merge_key() {
                let value = Node::new(self.doc, *v);
                if value.is_sequence() {
                    sources.extend(value.items());
                } else {
                    sources.push(value);
                }
            }
        }
        sources
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> impl Iterator<Item = Node<'a>> + use<'a> {
        let doc = self.doc;
        let ids: &'a [u32] = match &self.data().kind {
            Kind::Sequence(items) => items,
            _ => &[],
        };
        ids.iter().map(move |id| Node::new(doc, *id))
    }

    /// Number of entries of a mapping or items of a sequence (merge keys not expanded).
    pub fn len(&self) -> usize {
        match &self.data().kind {
            Kind::Mapping(e) => e.len(),
            Kind::Sequence(i) => i.len(),
            _ => 0,
        }
    }

    /// True for an empty collection or any scalar.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects the entries of `node` into `out` (which starts empty). Explicit keys come first, a
/// later duplicate replacing the earlier one in place; merged keys follow unless already present.
/// Keys are indexed in a map so that a mapping with n keys costs O(n), not O(n²). Only nodes
/// visited inside merged mappings count against `budget`: an ordinary mapping is never cut short.
fn collect_entries<'a>(
    node: Node<'a>,
    out: &mut Vec<(Node<'a>, Node<'a>)>,
    budget: &mut usize,
    depth: usize,
) {
    let Kind::Mapping(entries) = &node.data().kind else {
        return;
    };
    let doc = node.doc;
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    let mut merges = Vec::new();
    for (k, v) in entries {
        if depth > 0 {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
        }
        let key = Node::new(doc, *k);
        let value = Node::new(doc, *v);
        if key.is_merge_key() {
            merges.push(value);
            continue;
        }
        match key.as_str() {
            Some(name) => match index.get(name) {
                Some(&slot) => out[slot] = (key, value),
                None => {
                    index.insert(name, out.len());
                    out.push((key, value));
                }
            },
            None => out.push((key, value)),
        }
    }
    if depth >= MERGE_DEPTH_LIMIT {
        return;
    }
    for merge in merges {
        let sources: Vec<Node<'a>> = if merge.is_sequence() {
            merge.items().collect()
        } else {
            vec![merge]
        };
        for source in sources {
            let mut merged = Vec::new();
            collect_entries(source, &mut merged, budget, depth + 1);
            for (k, v) in merged {
                match k.as_str() {
                    Some(name) if index.contains_key(name) => {}
                    Some(name) => {
                        index.insert(name, out.len());
                        out.push((k, v));
                    }
                    None => out.push((k, v)),
                }
            }
        }
    }
}

/// `text` as a YAML double-quoted scalar that reads back as exactly `text`: what the writers of
/// YAML (`fix`'s patches, `export`'s policies) use when a plain scalar would not.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// YAML 1.1 and 1.2 booleans.
pub fn parse_yaml11_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

struct Builder<'src> {
    nodes: Vec<NodeData<'src>>,
    anchors: HashMap<usize, u32>,
    /// Open collections: (node id, pending mapping key).
    stack: Vec<(u32, Option<u32>)>,
    root: Option<u32>,
    doc_start: usize,
}

impl<'src> Builder<'src> {
    fn new(doc_start: usize) -> Self {
        Builder {
            nodes: Vec::new(),
            anchors: HashMap::new(),
            stack: Vec::new(),
            root: None,
            doc_start,
        }
    }

    fn push(&mut self, data: NodeData<'src>, anchor: Option<usize>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(data);
        if let Some(a) = anchor {
            self.anchors.insert(a, id);
        }
        self.attach(id);
        id
    }

    fn attach(&mut self, id: u32) {
        let Some((parent, pending_key)) = self.stack.last_mut() else {
            self.root = Some(id);
            return;
        };
        let parent = *parent as usize;
        match &mut self.nodes[parent].kind {
            Kind::Sequence(items) => items.push(id),
            Kind::Mapping(entries) => match pending_key.take() {
                Some(key) => entries.push((key, id)),
                None => *pending_key = Some(id),
            },
            _ => {}
        }
    }

    fn finish(self, end: usize, text: &str, index: &LineIndex) -> Document<'src> {
        Document {
            nodes: self.nodes,
            anchors: self.anchors,
            root: self.root,
            span: index.span(text, self.doc_start, end),
        }
    }
}

fn byte(marker: &granit_parser::Marker, text: &str) -> usize {
    // Parsing from a &str always records byte offsets; fall back to the char index made safe.
    marker
        .byte_offset()
        .unwrap_or_else(|| {
            text.char_indices()
                .nth(marker.index())
                .map_or(text.len(), |(b, _)| b)
        })
        .min(text.len())
}

/// An error of the parser that read `part`, which starts at byte `base` of `text`.
fn scan_error(
    err: &ScanError,
    text: &str,
    part: &str,
    base: usize,
    index: &LineIndex,
) -> InputError {
    let at = base + byte(err.marker(), part);
    let message = err.to_string();
    // ScanError's Display appends its own position; keep only the description.
    let message = message
        .split(" at char ")
        .next()
        .unwrap_or(&message)
        .to_string();
    InputError {
        message: format!("invalid YAML: {message}"),
        span: Some(index.span(text, at, at)),
    }
}

/// Parses every document of `text`. Never panics, never expands aliases; nesting deeper than
/// 255 levels is an error (granit-parser's limit).
pub fn parse(text: &str) -> YamlStream<'_> {
    let index = LineIndex::new(text);
    parse_with_index(text, &index)
}

/// [`parse`] with a [`LineIndex`] the caller already built for `text`.
pub fn parse_with_index<'src>(text: &'src str, index: &LineIndex) -> YamlStream<'src> {
    parse_range(text, 0..text.len(), index)
}

/// Where a block scalar (`|`, `>`) really ends: its event ends at the next token, past the
/// blank lines after it and the comments less indented than its content, none of which is
/// part of it.
fn block_scalar_end(text: &str, start: usize, end: usize) -> usize {
    let Some(region) = text.get(start..end) else {
        return end;
    };
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    // The content's indentation: the first non-blank line after the indicator's, or, when the
    // span starts at the content, how far in it starts.
    let content_indent = if region.starts_with(['|', '>']) {
        region
            .split('\n')
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .map(indent)
    } else {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        Some(start - line_start)
    };
    let mut kept = region.len();
    for line in region.rsplit('\n') {
        let trimmed = line.trim();
        let comment_outside = trimmed.starts_with('#')
            && content_indent.is_some_and(|content| indent(line) < content);
        if !trimmed.is_empty() && !comment_outside {
            break;
        }
        kept = kept.saturating_sub(line.len() + 1);
    }
    let body = region.get(..kept.min(region.len())).unwrap_or(region);
    start + body.trim_end().len()
}

/// Parses only `text[range]`, as a YAML stream of its own, with every span (of nodes, documents
/// and errors) in the coordinates of the whole `text`, which `index` indexes. For readers that
/// split a stream into documents themselves and parse only those they need: YAML anchors are
/// scoped to their document, so a document parsed alone reads as it does in its stream.
/// A range that is out of bounds or not on character boundaries parses as empty.
pub fn parse_range<'src>(
    text: &'src str,
    range: Range<usize>,
    index: &LineIndex,
) -> YamlStream<'src> {
    let base = range.start;
    let part = text.get(range).unwrap_or("");
    let mut options = granit_parser::Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(part, options);
    let mut stream = YamlStream::default();
    let mut builder: Option<Builder<'src>> = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ev) => ev,
            Err(err) => {
                stream
                    .errors
                    .push(scan_error(&err, text, part, base, index));
                builder = None;
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        stream
                            .errors
                            .push(scan_error(&err, text, part, base, index));
                        break;
                    }
                }
            }
        };
        let start = base + byte(&span.start, part);
        let end = (base + byte(&span.end, part)).max(start);
        match event {
            Event::DocumentStart(..) => builder = Some(Builder::new(start)),
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    stream.documents.push(b.finish(end, text, index));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if let Some(b) = builder.as_mut() {
                    let anchor = (anchor != 0).then_some(anchor);
                    let end = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        block_scalar_end(text, start, end)
                    } else {
                        end
                    };
                    b.push(
                        NodeData {
                            kind: Kind::Scalar {
                                text: value,
                                style,
                                tagged: tag.is_some(),
                            },
                            span: index.span(text, start, end),
                            flow: false,
                        },
                        anchor,
                    );
                }
            }
            Event::SequenceStart(style, anchor, _) | Event::MappingStart(style, anchor, _) => {
                if let Some(b) = builder.as_mut() {
                    let anchor = (anchor != 0).then_some(anchor);
                    let kind = if matches!(event, Event::SequenceStart(..)) {
                        Kind::Sequence(Vec::new())
                    } else {
                        Kind::Mapping(Vec::new())
                    };
                    let id = b.push(
                        NodeData {
                            kind,
                            span: index.span(text, start, end),
                            flow: matches!(style, granit_parser::StructureStyle::Flow),
                        },
                        anchor,
                    );
                    b.stack.push((id, None));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(b) = builder.as_mut()
                    && let Some((id, _)) = b.stack.pop()
                {
                    // A block collection ends where its last entry ends: the event ends at the
                    // next token, past blank lines and comments that belong to nothing here.
                    let node = &b.nodes[id as usize];
                    let last_child = match &node.kind {
                        Kind::Mapping(entries) if !node.flow => entries.last().map(|&(_, v)| v),
                        Kind::Sequence(items) if !node.flow => items.last().copied(),
                        _ => None,
                    };
                    let end = last_child
                        .map(|child| b.nodes[child as usize].span.end)
                        .unwrap_or(end);
                    let node = &mut b.nodes[id as usize];
                    let node_start = node.span.start;
                    node.span = index.span(text, node_start, end.max(node_start));
                }
            }
            Event::Alias(anchor) => {
                if let Some(b) = builder.as_mut() {
                    // An alias to an anchor whose node is still open (a recursive alias) would
                    // make walkers loop: it becomes a broken (null) node instead.
                    let open = b
                        .anchors
                        .get(&anchor)
                        .is_some_and(|id| b.stack.iter().any(|(s, _)| s == id));
                    let kind = if b.anchors.contains_key(&anchor) && !open {
                        Kind::Alias(anchor)
                    } else {
                        Kind::Broken
                    };
                    b.push(
                        NodeData {
                            kind,
                            span: index.span(text, start, end),
                            flow: false,
                        },
                        None,
                    );
                }
            }
            Event::UnresolvedAlias(_) => {
                if let Some(b) = builder.as_mut() {
                    b.push(
                        NodeData {
                            kind: Kind::Broken,
                            span: index.span(text, start, end),
                            flow: false,
                        },
                        None,
                    );
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_quoted_scalars_read_back_as_written() {
        for text in ["yes", "a \"b\" \\ c", "line\nnext\ttab", "bell\u{7}", ""] {
            let doc = format!("k: {}\n", double_quoted(text));
            let stream = parse(&doc);
            let root = stream.documents[0].root().expect("a root");
            assert_eq!(root.get("k").and_then(|n| n.as_str()), Some(text), "{doc}");
        }
    }

    fn root<'a>(s: &'a YamlStream<'a>, i: usize) -> Node<'a> {
        s.documents[i].root().expect("root")
    }

    #[test]
    fn block_collections_and_block_scalars_end_at_their_last_content() {
        let text = "c:\n  sc:\n    runAsUser: 0\n\n  # next\n  cmd: >-\n    run\n\n  # after\nvolumes: []\n";
        let stream = parse(text);
        let root = stream.documents[0].root().unwrap();
        let c = root.get("c").unwrap();
        let sc = c.get("sc").unwrap();
        assert_eq!(&text[sc.span().start..sc.span().end], "runAsUser: 0");
        let cmd = c.get("cmd").unwrap();
        assert_eq!(&text[cmd.span().start..cmd.span().end], "run");
        assert_eq!((c.span().end_line, cmd.as_str()), (7, Some("run")));
    }

    #[test]
    fn spans_of_keys_and_values_are_exact() {
        let text = "a:\n  b: \"x\"   # c\n  é: yes\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = root(&s, 0);
        let b = r.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.as_str(), Some("x"));
        assert_eq!((b.span().line, b.span().column), (2, 6));
        let e = r.get("a").unwrap().get("é").unwrap();
        assert_eq!(e.as_bool(), Some(true));
        assert_eq!((e.span().line, e.span().column), (3, 6));
        let key = r.get("a").unwrap().key_node("é").unwrap();
        assert_eq!((key.span().line, key.span().column), (3, 3));
    }

    #[test]
    fn kubernetes_integers_read_as_the_api_server_reads_them() {
        let doc =
            parse("a: [0.0, 80.0, 1e3, 0b1010000, 0_0, 0755, 1_000, -7, '0', 0.5, x, 1e40]\n");
        let root = doc.documents[0].root().expect("a root");
        let got: Vec<Option<i64>> = root
            .get("a")
            .expect("a")
            .items()
            .map(|n| n.as_yaml11_i64())
            .collect();
        assert_eq!(
            got,
            [
                Some(0),
                Some(80),
                Some(1000),
                Some(80),
                Some(0),
                Some(493),
                Some(1000),
                Some(-7),
                None,
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn yaml11_booleans_only_when_plain() {
        let s = parse("a: on\nb: 'on'\nc: Off\nd: true\ne: maybe\nf: !!str yes\n");
        let r = root(&s, 0);
        assert_eq!(r.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(r.get("b").unwrap().as_bool(), None);
        assert_eq!(r.get("c").unwrap().as_bool(), Some(false));
        assert_eq!(r.get("d").unwrap().as_bool(), Some(true));
        assert_eq!(r.get("e").unwrap().as_bool(), None);
        assert_eq!(r.get("f").unwrap().as_bool(), None);
    }

    #[test]
    fn integers_and_nulls() {
        let s = parse("a: 1000\nb: -1\nc: 0x10\nd: '5'\ne: ~\nf:\ng: 1.5\n");
        let r = root(&s, 0);
        assert_eq!(r.get("a").unwrap().as_i64(), Some(1000));
        assert_eq!(r.get("b").unwrap().as_i64(), Some(-1));
        assert_eq!(r.get("c").unwrap().as_i64(), Some(16));
        assert_eq!(r.get("d").unwrap().as_i64(), None);
        assert!(r.get("e").unwrap().is_null());
        assert!(r.get("f").unwrap().is_null());
        assert_eq!(r.get("g").unwrap().as_i64(), None);
    }

    #[test]
    fn every_document_and_recovery_after_a_broken_one() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let s = parse(text);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        let err = &s.errors[0];
        assert!(err.span.unwrap().line >= 3, "{err:?}");
        let keys: Vec<_> = s
            .documents
            .iter()
            .filter_map(|d| d.root())
            .flat_map(|r| {
                r.entries()
                    .map(|(k, _)| k.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(keys, vec!["a", "c"]);
    }

    #[test]
    fn aliases_resolve_and_merge_keys_expand() {
        let text = "base: &b\n  x: 1\n  y: 2\nsvc:\n  <<: *b\n  y: 3\nref: *b\n";
        let s = parse(text);
        let r = root(&s, 0);
        let svc = r.get("svc").unwrap();
        assert_eq!(svc.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(svc.get("y").unwrap().as_i64(), Some(3));
        let keys: Vec<_> = svc.entries().map(|(k, _)| k.as_str().unwrap()).collect();
        assert_eq!(keys, vec!["y", "x"]);
        let reference = r.get("ref").unwrap();
        assert!(reference.is_alias());
        assert_eq!(reference.use_span().line, 7);
        assert_eq!(reference.span().line, 2);
        assert_eq!(reference.get("x").unwrap().as_i64(), Some(1));
    }

    #[test]
    fn merge_key_sequences_first_wins() {
        let text = "a: &a {k: 1}\nb: &b {k: 2, m: 3}\nc:\n  <<: [*a, *b]\n";
        let s = parse(text);
        let c = root(&s, 0).get("c").unwrap();
        assert_eq!(c.get("k").unwrap().as_i64(), Some(1));
        assert_eq!(c.get("m").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn alias_bomb_is_cheap() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let start = std::time::Instant::now();
        let s = parse(&text);
        assert!(s.errors.is_empty());
        let r = root(&s, 0);
        // Walking one level of the top alias touches 10 nodes, not 10^9.
        assert_eq!(r.get("a9").unwrap().items().count(), 10);
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn merge_bomb_is_bounded() {
        let mut text = String::from("m0: &m0 {k0: 0}\n");
        for i in 1..30 {
            let prev = format!("*m{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("m{i}: &m{i} {{<<: [{items}], k{i}: {i}}}\n"));
        }
        let s = parse(&text);
        let r = root(&s, 0);
        // Terminates quickly with a bounded number of entries.
        let n = r.get("m29").unwrap().entries().count();
        assert!(n <= MERGE_VISIT_BUDGET);
        assert_eq!(r.get("m29").unwrap().get("k29").unwrap().as_i64(), Some(29));
    }

    #[test]
    fn large_mappings_are_complete_and_linear() {
        let mut text = String::new();
        for i in 0..50_000 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("k7: last\n");
        let s = parse(&text);
        let r = root(&s, 0);
        let start = std::time::Instant::now();
        let entries: Vec<_> = r.entries().collect();
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(entries.len(), 50_000);
        assert_eq!(entries[7].1.as_str(), Some("last"));
        assert_eq!(r.get("k49999").unwrap().as_i64(), Some(49_999));
    }

    #[test]
    fn merge_sources_are_listed() {
        let s = parse("a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b], z: 3}\n");
        let c = root(&s, 0).get("c").unwrap();
        let sources = c.merge_sources();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[1].get("y").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let s = parse(&text);
        assert!(!s.errors.is_empty());
    }

    #[test]
    fn json_parses_with_spans() {
        let text = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\"hostPID\": true}\n}\n";
        let s = parse(text);
        let r = root(&s, 0);
        assert_eq!(r.get("kind").unwrap().as_str(), Some("Pod"));
        let pid = r.get("spec").unwrap().get("hostPID").unwrap();
        assert_eq!(pid.as_bool(), Some(true));
        assert_eq!(pid.span().line, 3);
    }
}

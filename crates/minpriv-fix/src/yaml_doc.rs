//! A parsed YAML file seen the way the fixes need it: every node's path from its document's
//! root, how often each anchor is used, the file's indentation habits, and a canonical tree
//! for checking that an edit changed nothing but what it meant to.
//!
//! Everything here comes from `minpriv_readers::yaml`, the parser the readers use, so a fix is
//! located and validated by the same parser that found the problem.

use crate::edit::{column, line_start, newline_of};
use minpriv_readers::yaml::{self, Node, YamlStream};
use std::collections::{HashMap, HashSet};

/// How many nodes one file may have for fixing. Readers accept bigger files; a fix that has to
/// walk (twice) a file this large is better refused than slow.
const NODE_BUDGET: usize = 4_000_000;

/// One step of a path from a document's root.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// The n-th document of the stream.
    Doc(usize),
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Where a node is: `Doc(n)` then keys and indexes.
pub type Path = Vec<Seg>;

/// Shows a path as `doc 1: spec.template.spec.containers[0]`.
pub fn show_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Doc(n) => out.push_str(&format!("document {}:", n + 1)),
            Seg::Key(k) => {
                if !out.ends_with(':') {
                    out.push('.');
                } else {
                    out.push(' ');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A node's identity within one parse: its span and kind. Aliases resolve to the anchored
/// node, so every use of an anchor has the anchor's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(usize, usize, u8);

impl NodeId {
    /// The identity of `node`.
    pub fn of(node: Node<'_>) -> NodeId {
        let kind = if node.is_mapping() {
            1
        } else if node.is_sequence() {
            2
        } else {
            0
        };
        let span = node.span();
        NodeId(span.start, span.end, kind)
    }
}

/// A document as a plain tree: what the file means, without its layout. Merge keys are kept
/// as written (a `<<` entry holding aliases), never expanded, and an alias is the path of its
/// anchor, so an edit inside an anchor shows up once, where it is made.
#[derive(Clone, Debug, PartialEq)]
pub enum Canon {
    /// A null, however written.
    Null,
    /// A scalar: its text, and whether it was plain (`true` is a boolean, `"true"` a string).
    Scalar {
        /// The text after unquoting.
        text: String,
        /// Plain (untagged and unquoted) style.
        plain: bool,
    },
    /// A mapping, entries in source order.
    Map(Vec<(String, Canon)>),
    /// A sequence.
    Seq(Vec<Canon>),
    /// An alias: the path of its anchor, when known.
    Alias(Option<Path>),
}

/// The indentation habits of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Spaces a nested block mapping is indented by.
    pub indent: usize,
    /// Spaces a block sequence's `-` stands right of the key holding it (0: `key:\n- a`).
    pub seq_offset: usize,
    /// `\n` or `\r\n`.
    pub newline: &'static str,
}

/// A parsed YAML file with paths, anchor use counts, style and canonical trees.
pub struct YamlDoc<'t> {
    /// The text.
    pub text: &'t str,
    /// The parse.
    pub stream: YamlStream<'t>,
    /// Path of every node not reached through an alias.
    paths: HashMap<NodeId, Path>,
    /// How many aliases (and merge keys) refer to each anchored node.
    alias_uses: HashMap<NodeId, usize>,
    /// One canonical tree per document.
    pub canon: Vec<Option<Canon>>,
    /// The file's indentation habits.
    pub style: Style,
}

impl<'t> YamlDoc<'t> {
    /// Parses `text`. Fails when it does not parse cleanly or is too large: a fix is only
    /// safe on a file whose every byte is understood.
    pub fn parse(text: &'t str) -> Result<YamlDoc<'t>, String> {
        let stream = yaml::parse(text);
        if let Some(err) = stream.errors.first() {
            let at = err
                .span
                .map(|s| format!(" (line {}, column {})", s.line, s.column))
                .unwrap_or_default();
            return Err(format!("the file does not parse{at}: {}", err.message));
        }
        let mut walker = Walker {
            text,
            paths: HashMap::new(),
            alias_uses: HashMap::new(),
            budget: NODE_BUDGET,
            indent: None,
            seq_offset: None,
        };
        let mut canon = Vec::with_capacity(stream.documents.len());
        for (i, doc) in stream.documents.iter().enumerate() {
            let tree = match doc.root() {
                Some(root) => Some(walker.canon(root, &mut vec![Seg::Doc(i)])?),
                None => None,
            };
            canon.push(tree);
        }
        let style = Style {
            indent: walker.indent.unwrap_or(2),
            seq_offset: walker.seq_offset.unwrap_or(walker.indent.unwrap_or(2)),
            newline: newline_of(text),
        };
        Ok(YamlDoc {
            text,
            paths: walker.paths,
            alias_uses: walker.alias_uses,
            canon,
            stream,
            style,
        })
    }

    /// The path of `node` (of its anchor, for an alias).
    pub fn path_of(&self, node: Node<'_>) -> Option<&Path> {
        self.paths.get(&NodeId::of(node))
    }

    /// How many aliases and merge keys in the file use `node`'s anchor (0 for a node without
    /// one).
    pub fn alias_uses(&self, node: Node<'_>) -> usize {
        self.alias_uses.get(&NodeId::of(node)).copied().unwrap_or(0)
    }
}

impl YamlDoc<'_> {
    /// The path of the scalar whose text holds byte `offset` (a `run:` script holding a
    /// command line).
    pub fn scalar_path_at(&self, offset: usize) -> Option<Path> {
        fn find(node: Node<'_>, offset: usize, path: &mut Path, depth: usize) -> Option<Path> {
            if node.is_alias() || depth > 256 {
                return None;
            }
            let span = node.span();
            if node.is_scalar() {
                return (span.start <= offset && offset <= span.end).then(|| path.clone());
            }
            if offset < span.start || offset > span.end {
                return None;
            }
            if node.is_mapping() {
                for (k, v) in explicit_entries(node) {
                    path.push(Seg::Key(k.as_str().unwrap_or("<complex key>").to_string()));
                    let found = find(v, offset, path, depth + 1);
                    path.pop();
                    if found.is_some() {
                        return found;
                    }
                }
            } else if node.is_sequence() {
                for (i, item) in node.items().enumerate() {
                    path.push(Seg::Index(i));
                    let found = find(item, offset, path, depth + 1);
                    path.pop();
                    if found.is_some() {
                        return found;
                    }
                }
            }
            None
        }
        for (i, document) in self.stream.documents.iter().enumerate() {
            if let Some(root) = document.root()
                && let Some(path) = find(root, offset, &mut vec![Seg::Doc(i)], 0)
            {
                return Some(path);
            }
        }
        None
    }
}

struct Walker<'t> {
    text: &'t str,
    paths: HashMap<NodeId, Path>,
    alias_uses: HashMap<NodeId, usize>,
    budget: usize,
    indent: Option<usize>,
    seq_offset: Option<usize>,
}

impl Walker<'_> {
    fn canon(&mut self, node: Node<'_>, path: &mut Path) -> Result<Canon, String> {
        if self.budget == 0 {
            return Err("the file is too large to fix".into());
        }
        self.budget -= 1;
        if node.is_alias() {
            let id = NodeId::of(node);
            *self.alias_uses.entry(id).or_default() += 1;
            return Ok(Canon::Alias(self.paths.get(&id).cloned()));
        }
        self.paths
            .entry(NodeId::of(node))
            .or_insert_with(|| path.clone());
        if node.is_mapping() {
            let mut entries = Vec::new();
            for (key, value) in explicit_entries(node) {
                let name = key.as_str().unwrap_or("<complex key>").to_string();
                self.learn_style(node, key, value);
                path.push(Seg::Key(name.clone()));
                let v = self.canon(value, path);
                path.pop();
                entries.push((name, v?));
            }
            let sources = node.merge_sources();
            if !sources.is_empty() {
                let mut merged = Vec::new();
                for source in sources {
                    let id = NodeId::of(source);
                    *self.alias_uses.entry(id).or_default() += 1;
                    merged.push(Canon::Alias(self.paths.get(&id).cloned()));
                }
                entries.push(("<<".to_string(), Canon::Seq(merged)));
            }
            return Ok(Canon::Map(entries));
        }
        if node.is_sequence() {
            let mut items = Vec::new();
            for (i, item) in node.items().enumerate() {
                path.push(Seg::Index(i));
                let v = self.canon(item, path);
                path.pop();
                items.push(v?);
            }
            return Ok(Canon::Seq(items));
        }
        if node.is_null() {
            return Ok(Canon::Null);
        }
        Ok(Canon::Scalar {
            text: node.as_str().unwrap_or("").to_string(),
            plain: node.style() == Some(granit_parser::ScalarStyle::Plain),
        })
    }

    /// Learns the indentation width and the sequence offset from the first block collections
    /// nested in a block mapping.
    fn learn_style(&mut self, map: Node<'_>, key: Node<'_>, value: Node<'_>) {
        if map.is_flow() || value.is_flow() || value.is_alias() {
            return;
        }
        let key_col = column(self.text, key.span().start);
        if self.indent.is_none()
            && value.is_mapping()
            && let Some((child, _)) = explicit_entries(value).next()
        {
            let child_col = column(self.text, child.span().start);
            if child_col > key_col
                && line_start(self.text, child.span().start)
                    != line_start(self.text, key.span().start)
            {
                self.indent = Some(child_col - key_col);
            }
        }
        if self.seq_offset.is_none()
            && value.is_sequence()
            && let Some(item) = value.items().next()
            && let Some(dash) = dash_column(self.text, item.use_span().start)
            && dash >= key_col
        {
            self.seq_offset = Some(dash - key_col);
        }
    }
}

/// The column of the `-` that introduces the block sequence item starting at `item_start`.
pub fn dash_column(text: &str, item_start: usize) -> Option<usize> {
    let start = line_start(text, item_start);
    let before = text.get(start..item_start)?;
    let dash = before.rfind('-')?;
    // Only spaces (and further dashes of nested items) may stand around it.
    if before[dash + 1..].bytes().all(|b| b == b' ') {
        Some(dash)
    } else {
        None
    }
}

/// The entries written in `map` itself, in source order: merged ones left out. (The merge key
/// is not among them; see [`Node::merge_sources`].)
pub fn explicit_entries<'a>(map: Node<'a>) -> impl Iterator<Item = (Node<'a>, Node<'a>)> + use<'a> {
    // Only a mapping with a merge key has entries from elsewhere; checking for it first keeps
    // ordinary mappings linear.
    let merged = map.key_node("<<").is_some();
    map.entries().filter(move |(key, _)| {
        if !merged {
            return true;
        }
        match key.as_str() {
            Some(name) => map
                .key_node(name)
                .is_some_and(|own| own.span() == key.span()),
            None => true,
        }
    })
}

/// `canon` with the entries at `masks` left out.
fn masked(canon: &Canon, path: &mut Path, masks: &HashSet<Path>) -> Canon {
    match canon {
        Canon::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                path.push(Seg::Key(key.clone()));
                if !masks.contains(path) {
                    out.push((key.clone(), masked(value, path, masks)));
                }
                path.pop();
            }
            Canon::Map(out)
        }
        Canon::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                // A masked item keeps its place, so that the items after it still line up.
                if masks.contains(path) {
                    out.push(Canon::Null);
                } else {
                    out.push(masked(item, path, masks));
                }
                path.pop();
            }
            Canon::Seq(out)
        }
        other => other.clone(),
    }
}

/// Checks that `after` means what `before` meant except at `masks` (paths of entries the fixes
/// set, added or removed). The error names the first place where they differ.
pub fn same_except(
    before: &YamlDoc<'_>,
    after: &YamlDoc<'_>,
    masks: &HashSet<Path>,
) -> Result<(), String> {
    if before.canon.len() != after.canon.len() {
        return Err(format!(
            "the number of YAML documents changed from {} to {}",
            before.canon.len(),
            after.canon.len()
        ));
    }
    for (i, (b, a)) in before.canon.iter().zip(&after.canon).enumerate() {
        let (b, a) = match (b, a) {
            (None, None) => continue,
            (Some(b), Some(a)) => (b, a),
            _ => return Err(format!("document {} appeared or vanished", i + 1)),
        };
        let mut path = vec![Seg::Doc(i)];
        let b = masked(b, &mut path, masks);
        let a = masked(a, &mut path, masks);
        if b != a {
            let mut at = vec![Seg::Doc(i)];
            first_difference(&b, &a, &mut at);
            return Err(format!("the YAML tree changed at {}", show_path(&at)));
        }
    }
    Ok(())
}

/// Extends `at` to the first place where `a` and `b` differ.
fn first_difference(a: &Canon, b: &Canon, at: &mut Path) {
    match (a, b) {
        (Canon::Map(x), Canon::Map(y)) => {
            for (i, (ex, ey)) in x.iter().zip(y).enumerate() {
                if ex != ey {
                    if ex.0 == ey.0 {
                        at.push(Seg::Key(ex.0.clone()));
                        first_difference(&ex.1, &ey.1, at);
                    } else {
                        at.push(Seg::Index(i));
                    }
                    return;
                }
            }
            if let Some((k, _)) = x.get(y.len()).or_else(|| y.get(x.len())) {
                at.push(Seg::Key(k.clone()));
            }
        }
        (Canon::Seq(x), Canon::Seq(y)) => {
            for (i, (ix, iy)) in x.iter().zip(y).enumerate() {
                if ix != iy {
                    at.push(Seg::Index(i));
                    first_difference(ix, iy, at);
                    return;
                }
            }
            at.push(Seg::Index(x.len().min(y.len())));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_anchors_and_style() {
        let text = "x: &c\n    a: 1\ns:\n    one:\n        <<: *c\n        b: [1]\n    two: *c\n    l:\n    - q\n";
        let doc = YamlDoc::parse(text).unwrap();
        assert_eq!(doc.style.indent, 4);
        assert_eq!(doc.style.seq_offset, 0);
        let root = doc.stream.documents[0].root().unwrap();
        let anchor = root.get("x").unwrap();
        assert_eq!(doc.alias_uses(anchor), 2);
        let one = root.get("s").unwrap().get("one").unwrap();
        assert_eq!(
            doc.path_of(one).unwrap(),
            &vec![Seg::Doc(0), Seg::Key("s".into()), Seg::Key("one".into())]
        );
        let keys: Vec<_> = explicit_entries(one)
            .map(|(k, _)| k.as_str().unwrap())
            .collect();
        assert_eq!(keys, vec!["b"]);
    }

    #[test]
    fn masks_hide_only_the_fixed_entries() {
        let before = YamlDoc::parse("a:\n  b: 1\n  c: 2\n").unwrap();
        let after = YamlDoc::parse("a:\n  b: 1\n  c: 3\n  d: 4\n").unwrap();
        let mut masks = HashSet::new();
        assert!(same_except(&before, &after, &masks).is_err());
        masks.insert(vec![
            Seg::Doc(0),
            Seg::Key("a".into()),
            Seg::Key("c".into()),
        ]);
        let err = same_except(&before, &after, &masks).unwrap_err();
        assert!(err.contains("a.d") || err.contains("[2]"), "{err}");
        masks.insert(vec![
            Seg::Doc(0),
            Seg::Key("a".into()),
            Seg::Key("d".into()),
        ]);
        assert_eq!(same_except(&before, &after, &masks), Ok(()));
    }

    #[test]
    fn quoting_is_meaning_but_layout_is_not() {
        let a = YamlDoc::parse("k: true # c\nl: [1, 2]\n").unwrap();
        let b = YamlDoc::parse("k:   true\nl:\n- 1\n- 2\n").unwrap();
        let c = YamlDoc::parse("k: 'true'\nl: [1, 2]\n").unwrap();
        assert_eq!(same_except(&a, &b, &HashSet::new()), Ok(()));
        assert!(same_except(&a, &c, &HashSet::new()).is_err());
    }

    #[test]
    fn broken_files_are_refused() {
        assert!(YamlDoc::parse("a: [1\n").is_err());
    }
}

//! Where a value of a rendered object was written: the base resource, a patch (strategic merge
//! or JSON 6902, in a file or inline in a kustomization), or an `images` entry.
//!
//! Kustomize's origin annotation names the resource file an object came from, not the patch
//! that set a field (its transformer annotation names only the kustomization). So the field's
//! path in the rendered object (`spec.template.spec.containers[app].securityContext.privileged`)
//! is looked up in what could have set it, in the reverse of the order Kustomize applies them:
//! the overlay's own patches last to first, its components, then the kustomizations it builds
//! on, down to the resource file. A value is reported where it was last set; a setting that is
//! missing (a finding at a container or a `securityContext`) where the resource defines the
//! object, since that is where it would be added for every overlay.

use super::tree::{Kustomization, PatchText};
use minpriv_model::Span;
use minpriv_model::span::LineIndex;
use minpriv_readers::yaml::{self, Node};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One step of a path into a YAML object: a key, or a list item (by name where it has one,
/// as strategic merge patches match containers and volumes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Item { index: usize, name: Option<String> },
}

/// The path from `root` to the deepest node holding byte `offset`.
pub(crate) fn path_to(root: Node<'_>, offset: usize) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut node = root;
    'descend: loop {
        if node.is_mapping() {
            for (key, value) in node.entries() {
                if key.span().start <= offset && offset < value.span().end.max(key.span().end) {
                    steps.push(Step::Key(key.as_str().unwrap_or_default().to_string()));
                    node = value;
                    continue 'descend;
                }
            }
        } else if node.is_sequence() {
            for (index, item) in node.items().enumerate() {
                let s = item.span();
                if s.start <= offset && offset < s.end.max(s.start + 1) {
                    let name = item
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string);
                    steps.push(Step::Item { index, name });
                    node = item;
                    continue 'descend;
                }
            }
        }
        return steps;
    }
}

/// The node at exactly `steps` below `root`.
pub(crate) fn node_at<'a>(root: Node<'a>, steps: &[Step]) -> Option<Node<'a>> {
    let (node, n) = follow(root, steps);
    (n == steps.len()).then_some(node)
}

/// The node at `steps` below `root`, list items matched by name where the step has one; with
/// how many steps were followed.
fn follow<'a>(root: Node<'a>, steps: &[Step]) -> (Node<'a>, usize) {
    let mut node = root;
    for (i, step) in steps.iter().enumerate() {
        let next = match step {
            Step::Key(key) => node.get(key),
            Step::Item { index, name } if node.is_sequence() => match name {
                Some(name) => node
                    .items()
                    .find(|item| item.get("name").and_then(|n| n.as_str()) == Some(name)),
                None => node.items().nth(*index),
            },
            Step::Item { .. } => None,
        };
        match next {
            Some(n) => node = n,
            None => return (node, i),
        }
    }
    (node, steps.len())
}

/// A text that patches or resources are read from: a file, or an inline patch inside a
/// kustomization file (its block scalar's lines, unindented, with the way back to the file).
struct Source {
    file: PathBuf,
    /// The text parsed.
    text: String,
    /// For an inline patch: per line of `text`, the file offset its first byte came from.
    inline_lines: Option<Vec<usize>>,
    /// The file's text, for spans.
    file_text: std::sync::Arc<str>,
}

impl Source {
    /// The file span of a span of `text`.
    fn file_span(&self, inner: Span) -> Span {
        let index = LineIndex::new(&self.file_text);
        let offset = |o: usize| match &self.inline_lines {
            None => o,
            Some(lines) => {
                let local = LineIndex::new(&self.text);
                let (line, _) = local.position(&self.text, o);
                let line_start = local.line_start(line).unwrap_or(0);
                lines
                    .get(line as usize - 1)
                    .map_or(o, |file_start| file_start + (o - line_start))
            }
        };
        let (start, end) = (offset(inner.start), offset(inner.end));
        let end = end.max(start).min(self.file_text.len());
        index.span(&self.file_text, start.min(end), end)
    }
}

/// The place a rendered value was written, found as described in the module's documentation.
pub(crate) struct Finder<'k> {
    /// The overlay's kustomizations, the overlay first, in the order they are searched.
    pub chain: Vec<&'k Kustomization>,
    /// Texts of files already read.
    files: HashMap<PathBuf, std::sync::Arc<str>>,
}

/// What is known of the rendered object a value belongs to.
pub(crate) struct Object<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The resource file Kustomize's origin annotation names.
    pub origin: &'a Path,
}

impl<'k> Finder<'k> {
    pub fn new(chain: Vec<&'k Kustomization>) -> Finder<'k> {
        Finder {
            chain,
            files: HashMap::new(),
        }
    }

    fn file_text(&mut self, path: &Path) -> Option<std::sync::Arc<str>> {
        if let Some(text) = self.files.get(path) {
            return Some(text.clone());
        }
        // The files were read by Kustomize a moment ago; one that cannot be read now is
        // simply not a candidate.
        let text: std::sync::Arc<str> = std::fs::read_to_string(path).ok()?.into();
        self.files.insert(path.to_path_buf(), text.clone());
        Some(text)
    }

    fn file_source(&mut self, path: &Path) -> Option<Source> {
        let text = self.file_text(path)?;
        Some(Source {
            file: path.to_path_buf(),
            text: text.to_string(),
            inline_lines: None,
            file_text: text,
        })
    }

    fn inline_source(&mut self, k: &Kustomization, scalar: Span) -> Option<Source> {
        let file_text: std::sync::Arc<str> = k.text.as_str().into();
        let (text, inline_lines) = block_scalar_lines(&file_text, scalar)?;
        Some(Source {
            file: k.file.clone(),
            text,
            inline_lines: Some(inline_lines),
            file_text,
        })
    }

    /// The object's name as its resource file writes it (before an overlay's prefix or
    /// suffix), when the resource file holds it.
    pub fn base_name(&mut self, object: &Object<'_>) -> Option<String> {
        let base = self.file_source(object.origin)?;
        let stream = yaml::parse(&base.text);
        object_in(&stream, object).map(|(_, name)| name)
    }

    /// Where the value at `steps` of `object` was written; `scalar` says whether the rendered
    /// node is a value (else a mapping or list, found where a missing setting belongs).
    pub fn locate(
        &mut self,
        object: &Object<'_>,
        steps: &[Step],
        scalar: bool,
    ) -> Option<(PathBuf, Span)> {
        let base = self.file_source(object.origin);
        let base_name = base.as_ref().and_then(|b| {
            let stream = yaml::parse(&b.text);
            object_in(&stream, object).map(|(_, name)| name)
        });
        if scalar {
            if let Some(found) = self.in_images(object, steps, base.as_ref()) {
                return Some(found);
            }
            if let Some(found) = self.in_patches(object, base_name.as_deref(), steps) {
                return Some(found);
            }
            base.as_ref().and_then(|b| exact(b, object, steps))
        } else {
            base.as_ref()
                .and_then(|b| exact(b, object, steps))
                .or_else(|| self.in_patches(object, base_name.as_deref(), steps))
                .or_else(|| base.as_ref().and_then(|b| nearest(b, object, steps)))
        }
    }

    /// An `images` entry of the chain that rewrites the image at `steps`.
    fn in_images(
        &self,
        object: &Object<'_>,
        steps: &[Step],
        base: Option<&Source>,
    ) -> Option<(PathBuf, Span)> {
        if steps.last() != Some(&Step::Key("image".into())) {
            return None;
        }
        let written = base.and_then(|b| {
            let stream = yaml::parse(&b.text);
            let (root, _) = object_in(&stream, object)?;
            let (node, n) = follow(root, steps);
            (n == steps.len()).then(|| node.as_str().map(str::to_string))?
        })?;
        let name = image_name(&written);
        self.chain.iter().find_map(|k| {
            k.images
                .iter()
                .find(|i| i.name == name)
                .map(|i| (k.file.clone(), i.at))
        })
    }

    /// The last patch of the chain that sets `steps` of the object.
    fn in_patches(
        &mut self,
        object: &Object<'_>,
        base_name: Option<&str>,
        steps: &[Step],
    ) -> Option<(PathBuf, Span)> {
        let chain = self.chain.clone();
        for k in chain {
            for patch in k.patches.iter().rev() {
                if let Some(kind) = &patch.target_kind
                    && kind != object.kind
                {
                    continue;
                }
                if let Some(name) = &patch.target_name
                    && !names_match(name, object.name, base_name)
                {
                    continue;
                }
                let source = match &patch.text {
                    PatchText::File(path) => self.file_source(path),
                    PatchText::Inline(scalar) => self.inline_source(k, *scalar),
                };
                let Some(source) = source else { continue };
                if let Some(found) = set_by(&source, object, base_name, steps) {
                    return Some(found);
                }
            }
        }
        None
    }
}

/// The image's name without its tag or digest, as `images` entries name it.
fn image_name(reference: &str) -> &str {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    match without_digest.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => without_digest,
    }
}

/// A patch or resource name matches the object: its name before this overlay's prefix or
/// suffix, or as rendered.
fn names_match(name: &str, rendered: &str, base: Option<&str>) -> bool {
    name == rendered || Some(name) == base
}

/// The document of `stream` that is the object (by kind, then by name), and its name.
fn object_in<'s>(
    stream: &'s yaml::YamlStream<'_>,
    object: &Object<'_>,
) -> Option<(Node<'s>, String)> {
    let mut best: Option<(Node<'s>, String, usize)> = None;
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        if let Some(kind) = root.get("kind").and_then(|k| k.as_str())
            && kind != object.kind
        {
            continue;
        }
        let name = root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        // The rendered name holds the written one (a prefix or suffix added): the longest
        // such name is the object; any other document of the kind is a weaker guess.
        let score = if name == object.name {
            usize::MAX
        } else if !name.is_empty() && object.name.contains(&name) {
            name.len() + 1
        } else {
            0
        };
        if best.as_ref().is_none_or(|(_, _, s)| score > *s) {
            best = Some((root, name, score));
        }
    }
    best.map(|(root, name, _)| (root, name))
}

/// The node at exactly `steps` in the object's document of `source`.
fn exact(source: &Source, object: &Object<'_>, steps: &[Step]) -> Option<(PathBuf, Span)> {
    let stream = yaml::parse(&source.text);
    let (root, _) = object_in(&stream, object)?;
    let (node, n) = follow(root, steps);
    (n == steps.len()).then(|| (source.file.clone(), source.file_span(node.span())))
}

/// The deepest node on the way to `steps` in the object's document of `source`.
fn nearest(source: &Source, object: &Object<'_>, steps: &[Step]) -> Option<(PathBuf, Span)> {
    let stream = yaml::parse(&source.text);
    let (root, _) = object_in(&stream, object)?;
    let (node, _) = follow(root, steps);
    Some((source.file.clone(), source.file_span(node.span())))
}

/// Where the patch in `source` sets `steps` of the object: a strategic merge patch that holds
/// the path, or a JSON 6902 operation that adds or replaces it (or a parent of it).
fn set_by(
    source: &Source,
    object: &Object<'_>,
    base_name: Option<&str>,
    steps: &[Step],
) -> Option<(PathBuf, Span)> {
    let stream = yaml::parse(&source.text);
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        if root.is_sequence() {
            if let Some(span) = json6902(root, steps) {
                return Some((source.file.clone(), source.file_span(span)));
            }
            continue;
        }
        if let Some(kind) = root.get("kind").and_then(|k| k.as_str())
            && kind != object.kind
        {
            continue;
        }
        if let Some(name) = root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.as_str())
            && !names_match(name, object.name, base_name)
        {
            continue;
        }
        let (node, n) = follow(root, steps);
        if n == steps.len() {
            return Some((source.file.clone(), source.file_span(node.span())));
        }
    }
    None
}

/// The value of the last `add`/`replace` operation whose path is `steps` or a parent of it
/// (then the node inside its value, when there).
fn json6902(ops: Node<'_>, steps: &[Step]) -> Option<Span> {
    let wanted: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Item { index, .. } => index.to_string(),
        })
        .collect();
    let mut found = None;
    for op in ops.items() {
        let kind = op.get("op").and_then(|o| o.as_str()).unwrap_or_default();
        if kind != "add" && kind != "replace" {
            continue;
        }
        let (Some(path), Some(value)) = (op.get("path").and_then(|p| p.as_str()), op.get("value"))
        else {
            continue;
        };
        let pointer: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        if pointer.len() > wanted.len()
            || !pointer
                .iter()
                .zip(&wanted)
                .all(|(p, w)| p == w || (p == "-" && w.chars().all(|c| c.is_ascii_digit())))
        {
            continue;
        }
        let rest = &steps[pointer.len()..];
        let (node, n) = follow(value, rest);
        found = Some(if n == rest.len() {
            node.span()
        } else {
            value.span()
        });
    }
    found
}

/// The lines of the block scalar at `scalar` (`|`, `|-`, `>`...), unindented, and the file
/// offset each line starts at; `None` for other scalars.
fn block_scalar_lines(file_text: &str, scalar: Span) -> Option<(String, Vec<usize>)> {
    // The scalar's span starts at its indicator (`|-`) or at its first line; the indicator
    // ends the line before that.
    let head = file_text.get(scalar.start..)?;
    let indicator_line_end = if head.starts_with('|') || head.starts_with('>') {
        scalar.start + head.find('\n')?
    } else {
        let before = file_text.get(..scalar.start)?.trim_end();
        let token = before.rsplit([' ', ':', '\t']).next().unwrap_or_default();
        if !token.starts_with('|') && !token.starts_with('>') {
            return None;
        }
        before.len() + file_text.get(before.len()..)?.find('\n')?
    };
    let first_line = indicator_line_end + 1;
    let body = file_text.get(first_line..scalar.end.max(first_line))?;
    // Indentation is spaces (YAML allows no tabs there); counted in bytes, all ASCII.
    let leading = |line: &str| line.bytes().take_while(|b| *b == b' ').count();
    let indent = body.lines().find(|l| !l.trim().is_empty()).map(leading)?;
    let mut text = String::new();
    let mut starts = Vec::new();
    let mut offset = first_line;
    for line in body.split_inclusive('\n') {
        let cut = indent.min(leading(line));
        starts.push(offset + cut);
        text.push_str(&line[cut..]);
        offset += line.len();
    }
    Some((text, starts))
}

//! Format-preserving edits of a YAML file, expressed as a patch tree applied to nodes of our
//! own parse.
//!
//! A patch says what a mapping must hold afterwards (`securityContext.capabilities.drop` must
//! contain `ALL`); applying it to a node yields the smallest text edits that make it so:
//! existing values are replaced in place, missing keys are inserted after the mapping's last
//! entry with the mapping's own indentation (block) or separator style (flow, JSON), lists get
//! items in the style of their existing items. Several changes to one mapping are inserted
//! together, so a key is never written twice. Every entry a patch touches is recorded as a
//! mask path for the semantic check in [`crate::yaml_doc::same_except`].
//!
//! Why not a CST editor such as yaml-edit: the fixes need nodes located by the same parser the
//! readers use (spans, anchors, merge keys), and the check after editing must use that parser
//! too; editing with a second parser would add a second, disagreeing view of the same file.

use crate::edit::{TextEdit, after_line, column, line_content_end, line_start};
use crate::yaml_doc::{Path, Seg, YamlDoc, dash_column, explicit_entries};
use minpriv_model::{CapSet, CapSpec};
use minpriv_readers::yaml::{Node, double_quoted};
use std::collections::HashSet;
use std::rc::Rc;

/// A value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string, quoted when YAML would read it as something else.
    Str(String),
    /// A mapping.
    Map(Vec<(String, Value)>),
    /// A sequence.
    Seq(Vec<Value>),
}

/// Decides whether an existing list item (its text) is to be removed.
pub type ItemFilter = Rc<dyn Fn(&str) -> bool>;

/// What a list must hold afterwards.
#[derive(Clone)]
pub struct SeqPatch {
    /// Items to add unless an equal one is there.
    pub add: Vec<Value>,
    /// Existing scalar items to remove.
    pub remove: Option<ItemFilter>,
    /// Whether an existing item's text and a new scalar's text mean the same item.
    pub same: fn(&str, &str) -> bool,
}

impl SeqPatch {
    /// Adds `items`, comparing texts exactly.
    pub fn add(items: Vec<Value>) -> SeqPatch {
        SeqPatch {
            add: items,
            remove: None,
            same: |a, b| a == b,
        }
    }
}

/// What an entry must be afterwards.
#[derive(Clone)]
pub enum Patch {
    /// A mapping holding these entries (created when missing).
    Map(Vec<(String, Patch)>),
    /// This value.
    Set(Value),
    /// A list holding these items.
    Seq(SeqPatch),
    /// No such entry; where the entry cannot be cut out cleanly (it shares its line with a
    /// `- ` or a comment), `fallback` is written instead.
    Remove {
        /// The value meaning "off".
        fallback: Value,
    },
}

impl Patch {
    /// The value to write where the entry is missing; `None` when nothing needs writing.
    fn to_value(&self) -> Option<Value> {
        match self {
            Patch::Map(entries) => {
                let children: Vec<(String, Value)> = entries
                    .iter()
                    .filter_map(|(k, p)| Some((k.clone(), p.to_value()?)))
                    .collect();
                (!children.is_empty()).then_some(Value::Map(children))
            }
            Patch::Set(v) => Some(v.clone()),
            Patch::Seq(s) if s.add.is_empty() => None,
            Patch::Seq(s) => Some(Value::Seq(s.add.clone())),
            Patch::Remove { .. } => None,
        }
    }
}

/// How a scalar is quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    /// Plain unless YAML would misread it.
    Plain,
    /// Always `'...'`.
    Single,
    /// Always `"..."`.
    Double,
}

/// Collects the edits and mask paths of patches applied to one [`YamlDoc`].
pub struct Editor<'d, 't> {
    doc: &'d YamlDoc<'t>,
    /// The edits so far.
    pub edits: Vec<TextEdit>,
    /// Paths of the entries changed.
    pub masks: HashSet<Path>,
}

impl<'d, 't> Editor<'d, 't> {
    /// An editor of `doc`.
    pub fn new(doc: &'d YamlDoc<'t>) -> Self {
        Editor {
            doc,
            edits: Vec::new(),
            masks: HashSet::new(),
        }
    }

    fn text(&self) -> &'t str {
        self.doc.text
    }

    fn mask(&mut self, map: Node<'_>, key: &str) -> Result<(), String> {
        let mut path = self
            .doc
            .path_of(map)
            .cloned()
            .ok_or("a node outside the parsed tree")?;
        path.push(Seg::Key(key.to_string()));
        self.masks.insert(path);
        Ok(())
    }

    /// Applies the entries of a [`Patch::Map`] to the mapping `map`.
    pub fn apply_map(&mut self, map: Node<'_>, entries: &[(String, Patch)]) -> Result<(), String> {
        if !map.is_mapping() {
            return Err("expected a mapping".into());
        }
        let mut missing = Vec::new();
        for (key, patch) in entries {
            let own = explicit_entries(map).find(|(k, _)| k.as_str() == Some(key.as_str()));
            match own {
                Some((key_node, value)) => self.apply_entry(map, key_node, value, key, patch)?,
                None if map.get(key).is_some() => {
                    // A key merged in with `<<`: writing it here would replace the merged
                    // value as a whole, dropping what else it holds.
                    return Err(format!(
                        "`{key}` comes from a YAML merge key (`<<`); edit it where it is written"
                    ));
                }
                None => {
                    if let Some(value) = patch.to_value() {
                        self.mask(map, key)?;
                        missing.push((key.clone(), value));
                    }
                }
            }
        }
        if !missing.is_empty() {
            self.insert_entries(map, &missing)?;
        }
        Ok(())
    }

    /// Applies `patch` to the existing entry `key_node: value` of `map`.
    fn apply_entry(
        &mut self,
        map: Node<'_>,
        key_node: Node<'_>,
        value: Node<'_>,
        key: &str,
        patch: &Patch,
    ) -> Result<(), String> {
        match patch {
            Patch::Map(children) => {
                if value.is_mapping() {
                    if value.is_alias() {
                        return Err(format!(
                            "`{key}` is a YAML alias shared with other places; not edited"
                        ));
                    }
                    self.apply_map(value, children)
                } else if value.is_null() {
                    match patch.to_value() {
                        Some(v) => self.set_value(map, key_node, value, key, &v),
                        None => Ok(()),
                    }
                } else {
                    Err(format!("`{key}` is not a mapping"))
                }
            }
            Patch::Set(v) => self.set_value(map, key_node, value, key, v),
            Patch::Seq(s) => self.patch_seq(map, key_node, value, key, s),
            Patch::Remove { fallback } => self.remove_entry(map, key_node, value, key, fallback),
        }
    }

    /// Writes `entries` into `map` itself although they may reach it through a merge key (`<<`)
    /// or `extends`: the written value then overrides the inherited one. Fails when `map`
    /// already writes one of the keys.
    pub fn override_entries(
        &mut self,
        map: Node<'_>,
        entries: &[(String, Value)],
    ) -> Result<(), String> {
        for (key, _) in entries {
            if explicit_entries(map).any(|(k, _)| k.as_str() == Some(key.as_str())) {
                return Err(format!("`{key}` is already written here"));
            }
            self.mask(map, key)?;
        }
        self.insert_entries(map, entries)
    }

    /// Inserts `entries` (all missing from `map`) after its last entry.
    pub fn insert_entries(
        &mut self,
        map: Node<'_>,
        entries: &[(String, Value)],
    ) -> Result<(), String> {
        let text = self.text();
        let nl = self.doc.style.newline;
        if map.is_flow() {
            let json = is_json_mapping(text, map);
            let rendered: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, json), flow(v, json, Quote::Plain)))
                .collect();
            let last_key = explicit_entries(map).last().map(|(k, _)| k);
            let edit = match last_key {
                None if map.merge_sources().is_empty() => {
                    TextEdit::insert(map.span().start + 1, rendered.join(", "), 0)
                }
                _ => {
                    let end = deep_end(text, map, true);
                    let multi_line = last_key.is_some_and(|k| {
                        line_start(text, k.span().start) != line_start(text, map.span().start)
                    });
                    let joined = if multi_line {
                        let col = last_key.map_or(0, |k| column(text, k.span().start));
                        let pad = " ".repeat(col);
                        rendered
                            .iter()
                            .map(|r| format!(",{nl}{pad}{r}"))
                            .collect::<String>()
                    } else {
                        rendered
                            .iter()
                            .map(|r| format!(", {r}"))
                            .collect::<String>()
                    };
                    TextEdit::insert(end, joined, 0)
                }
            };
            self.edits.push(edit);
            return Ok(());
        }
        let first_key = explicit_entries(map)
            .next()
            .map(|(k, _)| k)
            .or_else(|| map.key_node("<<"))
            .ok_or("an empty block mapping")?;
        let col = column(text, first_key.span().start);
        let mut lines = Vec::new();
        for (k, v) in entries {
            block_entry(k, v, col, &self.doc.style, &mut lines);
        }
        let at = after_line(text, deep_end(text, map, false));
        let insertion = if at == text.len() && !text.ends_with('\n') {
            format!("{nl}{}", lines.join(nl))
        } else {
            format!("{}{nl}", lines.join(nl))
        };
        self.edits.push(TextEdit::insert(at, insertion, col + 1));
        Ok(())
    }

    /// Writes `new` as the value of the existing entry `key_node: value`.
    fn set_value(
        &mut self,
        map: Node<'_>,
        key_node: Node<'_>,
        value: Node<'_>,
        key: &str,
        new: &Value,
    ) -> Result<(), String> {
        let text = self.text();
        let json = map.is_flow() && is_json_mapping(text, map);
        if value.is_alias() {
            self.mask(map, key)?;
            let span = value.use_span();
            self.edits.push(TextEdit::replace(
                span.start,
                span.end,
                flow(new, json, Quote::Plain),
            ));
            return Ok(());
        }
        if !(value.is_scalar() || value.is_null()) {
            return Err(format!("`{key}` holds a collection where a scalar belongs"));
        }
        let collection = matches!(new, Value::Map(_) | Value::Seq(_));
        if !collection && same_scalar(value, new) {
            return Ok(());
        }
        self.mask(map, key)?;
        let span = value.span();
        if span.is_empty() {
            if collection && !map.is_flow() {
                // `key:` with nothing after it: the block goes on the lines below.
                let col = column(text, key_node.span().start);
                let nl = self.doc.style.newline;
                let mut lines = Vec::new();
                block_value(new, col, &self.doc.style, &mut lines);
                let at = line_content_end(text, key_node.span().end);
                self.edits.push(TextEdit::insert(
                    at,
                    format!("{nl}{}", lines.join(nl)),
                    col + 1,
                ));
            } else {
                // After the colon: at the end of the text, the empty value's span may stand
                // before it.
                let at = colon_after(text, key_node.span().end).map_or(span.start, |c| {
                    if text.as_bytes().get(c + 1) == Some(&b' ') {
                        c + 2
                    } else {
                        c + 1
                    }
                });
                let sep = if text[..at].ends_with([' ', '\t']) {
                    ""
                } else {
                    " "
                };
                self.edits.push(TextEdit::insert(
                    at,
                    format!("{sep}{}", flow(new, json, Quote::Plain)),
                    0,
                ));
            }
            return Ok(());
        }
        self.edits.push(TextEdit::replace(
            span.start,
            span.end,
            flow(new, json, quote_of(text, value)),
        ));
        Ok(())
    }

    /// Makes the list at `key_node: value` hold what `patch` says.
    fn patch_seq(
        &mut self,
        map: Node<'_>,
        key_node: Node<'_>,
        value: Node<'_>,
        key: &str,
        patch: &SeqPatch,
    ) -> Result<(), String> {
        let text = self.text();
        if value.is_null() {
            return match patch.to_value_seq() {
                Some(v) => self.set_value(map, key_node, value, key, &v),
                None => Ok(()),
            };
        }
        let json = map.is_flow() && is_json_mapping(text, map);
        if value.is_scalar() {
            // `tmpfs: /run`: one string where a list may stand; it becomes a list.
            let mut items = vec![raw(text, value).to_string()];
            let existing = value.as_str().unwrap_or("");
            if patch.remove.as_ref().is_some_and(|r| r(existing)) {
                items.clear();
            }
            let added = new_items(patch, &[existing.to_string()]);
            if added.is_empty() && items.len() == 1 {
                return Ok(());
            }
            items.extend(added.iter().map(|v| flow(v, json, quote_of(text, value))));
            self.mask(map, key)?;
            let span = value.span();
            self.edits.push(TextEdit::replace(
                span.start,
                span.end,
                format!("[{}]", items.join(", ")),
            ));
            return Ok(());
        }
        if !value.is_sequence() {
            return Err(format!("`{key}` is not a list"));
        }
        let items: Vec<Node<'_>> = value.items().collect();
        let texts: Vec<String> = items
            .iter()
            .map(|i| i.as_str().unwrap_or("").to_string())
            .collect();
        let removed: Vec<bool> = items
            .iter()
            .zip(&texts)
            .map(|(i, t)| i.is_scalar() && patch.remove.as_ref().is_some_and(|r| r(t)))
            .collect();
        let kept: Vec<String> = texts
            .iter()
            .zip(&removed)
            .filter(|(_, r)| !**r)
            .map(|(t, _)| t.clone())
            .collect();
        let added = new_items(patch, &kept);
        if added.is_empty() && !removed.contains(&true) {
            return Ok(());
        }
        self.mask(map, key)?;
        let quote = items.last().map_or(Quote::Plain, |i| quote_of(text, *i));
        let rewrite_whole = value.is_alias() || (value.is_flow() && removed.contains(&true));
        if rewrite_whole {
            // A shared list cannot be edited in place, and a flow list losing items is
            // rewritten on its line.
            let mut parts: Vec<String> = items
                .iter()
                .zip(&removed)
                .filter(|(_, r)| !**r)
                .map(|(i, _)| raw(text, *i).to_string())
                .collect();
            parts.extend(added.iter().map(|v| flow(v, json, quote)));
            let span = value.use_span();
            self.edits.push(TextEdit::replace(
                span.start,
                span.end,
                format!("[{}]", parts.join(", ")),
            ));
            return Ok(());
        }
        let nl = self.doc.style.newline;
        if value.is_flow() {
            if added.is_empty() {
                return Ok(());
            }
            let rendered: Vec<String> = added.iter().map(|v| flow(v, json, quote)).collect();
            let edit = match items.last() {
                None => TextEdit::insert(value.span().start + 1, rendered.join(", "), 0),
                Some(last) => {
                    let multi_line = line_start(text, last.use_span().start)
                        != line_start(text, value.span().start);
                    let joined = if multi_line {
                        let pad = " ".repeat(column(text, last.use_span().start));
                        rendered.iter().map(|r| format!(",{nl}{pad}{r}")).collect()
                    } else {
                        rendered.iter().map(|r| format!(", {r}")).collect()
                    };
                    TextEdit::insert(deep_end(text, *last, true), joined, 0)
                }
            };
            self.edits.push(edit);
            return Ok(());
        }
        // A block list: removed items lose their lines, new ones follow the last item.
        let first = items.first().ok_or("an empty block list")?;
        let dash =
            dash_column(text, first.use_span().start).ok_or("a list item without its dash")?;
        for (item, gone) in items.iter().zip(&removed) {
            if !*gone {
                continue;
            }
            let start = item.use_span().start;
            let line = line_start(text, start);
            if dash_column(text, start) != Some(dash)
                || !text[line..line + dash].bytes().all(|b| b == b' ')
            {
                return Err(format!(
                    "an item of `{key}` shares its line with other content"
                ));
            }
            self.edits.push(TextEdit::replace(
                line,
                after_line(text, deep_end(text, *item, false)),
                String::new(),
            ));
        }
        if added.is_empty() {
            if removed.iter().all(|r| *r) {
                // Every item removed: an explicit empty list rather than a null.
                let colon =
                    colon_after(text, key_node.span().end).ok_or("a key without its colon")?;
                self.edits
                    .push(TextEdit::insert(colon + 1, " []".into(), 0));
            }
            return Ok(());
        }
        let mut lines = Vec::new();
        for v in &added {
            block_item(v, dash, &self.doc.style, quote, &mut lines);
        }
        let last = items.last().ok_or("an empty block list")?;
        let at = after_line(text, deep_end(text, *last, false));
        let insertion = if at == text.len() && !text.ends_with('\n') {
            format!("{nl}{}", lines.join(nl))
        } else {
            format!("{}{nl}", lines.join(nl))
        };
        self.edits.push(TextEdit::insert(at, insertion, dash + 1));
        Ok(())
    }

    /// Removes the entry `key_node: value` of `map`, or writes `fallback` where it cannot be cut
    /// out cleanly.
    fn remove_entry(
        &mut self,
        map: Node<'_>,
        key_node: Node<'_>,
        value: Node<'_>,
        key: &str,
        fallback: &Value,
    ) -> Result<(), String> {
        let text = self.text();
        let start = key_node.span().start;
        let line = line_start(text, start);
        let end = after_line(text, deep_end(text, value, false));
        let alone_on_its_lines = text[line..start].bytes().all(|b| b == b' ')
            && !text[start..end].contains('#')
            && !value.is_alias()
            && (value.is_scalar() || value.is_null());
        let others = explicit_entries(map).count() + map.merge_sources().len();
        if map.is_flow() || !alone_on_its_lines || others < 2 {
            return self.set_value(map, key_node, value, key, fallback);
        }
        self.mask(map, key)?;
        self.edits.push(TextEdit::replace(line, end, String::new()));
        Ok(())
    }
}

impl SeqPatch {
    fn to_value_seq(&self) -> Option<Value> {
        (!self.add.is_empty()).then(|| Value::Seq(self.add.clone()))
    }
}

/// The value `patch` makes of `node`, a value written elsewhere (in an anchor merged with `<<`),
/// for writing it in full where it is used. `None` when that cannot be expressed (a list of
/// collections, a mapping).
pub fn patched_value(node: Node<'_>, patch: &Patch) -> Option<Value> {
    match patch {
        Patch::Set(v) => Some(v.clone()),
        Patch::Remove { fallback } => Some(fallback.clone()),
        Patch::Map(_) => None,
        Patch::Seq(sp) => {
            let mut kept = Vec::new();
            let existing: Vec<Node<'_>> = if node.is_sequence() {
                node.items().collect()
            } else if node.is_null() {
                Vec::new()
            } else {
                vec![node]
            };
            for item in existing {
                let text = item.as_str()?;
                if !item.is_scalar() || item.is_null() {
                    return None;
                }
                if !sp.remove.as_ref().is_some_and(|r| r(text)) {
                    kept.push(text.to_string());
                }
            }
            let added = new_items(sp, &kept);
            let mut items: Vec<Value> = kept.into_iter().map(Value::Str).collect();
            items.extend(added);
            Some(Value::Seq(items))
        }
    }
}

/// The items of `patch.add` not already among `existing`.
fn new_items(patch: &SeqPatch, existing: &[String]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in &patch.add {
        let present = match v {
            Value::Str(s) => existing.iter().any(|e| (patch.same)(e, s)),
            _ => false,
        };
        if !present && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// The offset of the `:` after a block key ending at `key_end`.
fn colon_after(text: &str, key_end: usize) -> Option<usize> {
    let rest = text.get(key_end..)?;
    let i = rest.find(':')?;
    rest[..i].bytes().all(|b| b == b' ').then_some(key_end + i)
}

/// The source text of a node (of the alias, for one reached through an alias).
fn raw<'t>(text: &'t str, node: Node<'_>) -> &'t str {
    let span = node.use_span();
    text.get(span.start..span.end).unwrap_or("")
}

/// Where the last thing written in `node` ends: for a block collection, the end of its last
/// value (its span runs on over trailing comments and blank lines, which belong to what
/// follows). With `flow_inner`, a flow collection's own end is not used: the end of its last
/// entry or item is, so that text can be inserted before the closing bracket.
fn deep_end(text: &str, node: Node<'_>, flow_inner: bool) -> usize {
    if node.is_alias() {
        return node.use_span().end;
    }
    let own_end = node.span().end;
    if node.is_scalar() || node.is_null() {
        // A scalar's span that runs on over the indentation of the next key (the tree ends
        // block scalars at their content, so only a plain scalar's odd end gets here): its
        // content ended at the start of that line.
        let line = line_start(text, own_end);
        if line < own_end && text[line..own_end].bytes().all(|b| b == b' ' || b == b'\t') {
            return line;
        }
        return own_end;
    }
    if node.is_flow() && !flow_inner {
        return own_end;
    }
    let mut end = None::<usize>;
    if node.is_mapping() {
        for (k, v) in explicit_entries(node) {
            let e = deep_end(text, v, false).max(k.span().end);
            end = Some(end.map_or(e, |x| x.max(e)));
        }
        for source in node.merge_sources() {
            let e = source.use_span().end;
            end = Some(end.map_or(e, |x| x.max(e)));
        }
    } else if node.is_sequence()
        && let Some(last) = node.items().last()
    {
        end = Some(deep_end(text, last, false));
    }
    end.unwrap_or(if node.is_flow() {
        node.span().start + 1
    } else {
        own_end
    })
}

/// True when a flow mapping is written as JSON: its keys are double-quoted (or, empty, it is
/// in a file that starts like JSON).
fn is_json_mapping(text: &str, map: Node<'_>) -> bool {
    match explicit_entries(map).next() {
        Some((k, _)) => text[k.span().start..].starts_with('"'),
        None => text.trim_start().starts_with(['{', '[']),
    }
}

/// The quoting of an existing scalar, for writing its neighbours alike.
fn quote_of(text: &str, node: Node<'_>) -> Quote {
    match text[node.use_span().start..].chars().next() {
        Some('"') => Quote::Double,
        Some('\'') => Quote::Single,
        _ => Quote::Plain,
    }
}

/// True when the scalar `node` already says `value`.
fn same_scalar(node: Node<'_>, value: &Value) -> bool {
    match value {
        Value::Bool(b) => node.as_bool() == Some(*b),
        Value::Int(n) => node.as_i64() == Some(*n),
        Value::Str(s) => !node.is_null() && node.as_str() == Some(s.as_str()),
        _ => false,
    }
}

fn key_text(key: &str, json: bool) -> String {
    if json {
        double_quoted(key)
    } else {
        scalar_text(&Value::Str(key.to_string()), Quote::Plain)
    }
}

/// A value in flow style (`{a: 1, b: [x]}`), JSON when `json`.
fn flow(value: &Value, json: bool, quote: Quote) -> String {
    match value {
        Value::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, json), flow(v, json, Quote::Plain)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Seq(items) => {
            let parts: Vec<String> = items.iter().map(|v| flow(v, json, quote)).collect();
            format!("[{}]", parts.join(", "))
        }
        scalar if json => scalar_text(scalar, Quote::Double),
        scalar => scalar_text(scalar, quote),
    }
}

/// A scalar's text.
fn scalar_text(value: &Value, quote: Quote) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(s) => match quote {
            Quote::Double => double_quoted(s),
            Quote::Single if !s.contains(['\n', '\r']) => format!("'{}'", s.replace('\'', "''")),
            _ if needs_quotes(s) => double_quoted(s),
            _ => s.clone(),
        },
        Value::Map(_) | Value::Seq(_) => flow(value, false, quote),
    }
}

/// True when a plain scalar would not read back as this string: YAML 1.1 booleans and nulls,
/// numbers (and sexagesimal `10001:10001`), and anything with indicator characters.
fn needs_quotes(s: &str) -> bool {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-' | b':'))
        || s.starts_with(['-', '.', ':'])
        || s.ends_with(':')
        || s.as_bytes()[0].is_ascii_digit()
    {
        return true;
    }
    minpriv_readers::yaml::parse_yaml11_bool(s).is_some()
        || matches!(s, "null" | "Null" | "NULL" | "~")
}

/// Lines for `key: value` at column `col`.
fn block_entry(
    key: &str,
    value: &Value,
    col: usize,
    style: &crate::yaml_doc::Style,
    lines: &mut Vec<String>,
) {
    let pad = " ".repeat(col);
    let key = scalar_text(&Value::Str(key.to_string()), Quote::Plain);
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            lines.push(format!("{pad}{key}:"));
            block_value(value, col, style, lines);
        }
        Value::Seq(items) if !items.is_empty() => {
            lines.push(format!("{pad}{key}:"));
            block_value(value, col, style, lines);
        }
        scalar => lines.push(format!("{pad}{key}: {}", flow(scalar, false, Quote::Plain))),
    }
}

/// Lines for the collection `value` held by a key at column `key_col`.
fn block_value(
    value: &Value,
    key_col: usize,
    style: &crate::yaml_doc::Style,
    lines: &mut Vec<String>,
) {
    match value {
        Value::Map(entries) => {
            for (k, v) in entries {
                block_entry(k, v, key_col + style.indent, style, lines);
            }
        }
        Value::Seq(items) => {
            for item in items {
                block_item(item, key_col + style.seq_offset, style, Quote::Plain, lines);
            }
        }
        scalar => lines.push(format!(
            "{}{}",
            " ".repeat(key_col + style.indent),
            flow(scalar, false, Quote::Plain)
        )),
    }
}

/// Lines for one `- item` with its dash at column `dash`.
fn block_item(
    item: &Value,
    dash: usize,
    style: &crate::yaml_doc::Style,
    quote: Quote,
    lines: &mut Vec<String>,
) {
    let pad = " ".repeat(dash);
    match item {
        Value::Map(entries) if !entries.is_empty() => {
            let first = lines.len();
            for (k, v) in entries {
                block_entry(k, v, dash + 2, style, lines);
            }
            if let Some(line) = lines.get_mut(first) {
                *line = format!("{pad}- {}", &line[dash + 2..]);
            }
        }
        other => lines.push(format!("{pad}- {}", flow(other, false, quote))),
    }
}

/// Two capability list entries name the same capability (`CAP_NET_ADMIN` is `net_admin`).
fn same_capability(a: &str, b: &str) -> bool {
    CapSpec::parse(a) == CapSpec::parse(b)
}

/// A capability list (Compose `cap_add`, Kubernetes `capabilities.add`) patched to add the
/// capabilities of `set` and remove the others it names; entries that name no capability stay.
pub fn capability_list(set: CapSet) -> Patch {
    Patch::Seq(SeqPatch {
        add: set
            .sorted_names()
            .into_iter()
            .map(|n| Value::Str(n.to_string()))
            .collect(),
        remove: Some(Rc::new(move |t: &str| match CapSpec::parse(t) {
            CapSpec::Cap(c) => !set.contains(c),
            _ => true,
        })),
        same: same_capability,
    })
}

/// A capability drop list (Compose `cap_drop`, Kubernetes `capabilities.drop`) patched to hold
/// `ALL`.
pub fn drop_all_list() -> Patch {
    Patch::Seq(SeqPatch {
        add: vec![Value::Str("ALL".into())],
        remove: None,
        same: same_capability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    fn patched(text: &str, patch: &[(String, Patch)], at: &[&str]) -> String {
        let doc = YamlDoc::parse(text).unwrap();
        let mut node = doc.stream.documents[0].root().unwrap();
        for key in at {
            node = node.get(key).unwrap();
        }
        let mut editor = Editor::new(&doc);
        editor.apply_map(node, patch).unwrap();
        let out = apply(text, &editor.edits).unwrap();
        let after = YamlDoc::parse(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
        crate::yaml_doc::same_except(&doc, &after, &editor.masks)
            .unwrap_or_else(|e| panic!("{e}\n{out}"));
        out
    }

    fn caps() -> Vec<(String, Patch)> {
        vec![(
            "securityContext".into(),
            Patch::Map(vec![
                (
                    "allowPrivilegeEscalation".into(),
                    Patch::Set(Value::Bool(false)),
                ),
                (
                    "capabilities".into(),
                    Patch::Map(vec![(
                        "drop".into(),
                        Patch::Seq(SeqPatch::add(vec![Value::Str("ALL".into())])),
                    )]),
                ),
            ]),
        )]
    }

    #[test]
    fn a_missing_mapping_is_created_in_block_style() {
        let out = patched(
            "c:\n    name: a # keep\n    image: x\nz: 1\n",
            &caps(),
            &["c"],
        );
        assert_eq!(
            out,
            "c:\n    name: a # keep\n    image: x\n    securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n            drop:\n                - ALL\nz: 1\n"
        );
    }

    #[test]
    fn existing_entries_are_edited_in_place() {
        let text = "c:\n  securityContext:\n    allowPrivilegeEscalation: true  # was\n    capabilities:\n      drop: [\"NET_RAW\"]\n";
        let out = patched(text, &caps(), &["c"]);
        assert_eq!(
            out,
            "c:\n  securityContext:\n    allowPrivilegeEscalation: false  # was\n    capabilities:\n      drop: [\"NET_RAW\", \"ALL\"]\n"
        );
    }

    #[test]
    fn flow_and_json_mappings_stay_flow() {
        let out = patched("c: {name: a}\n", &caps(), &["c"]);
        assert_eq!(
            out,
            "c: {name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}\n"
        );
        let json = "{\n  \"c\": {\n    \"name\": \"a\"\n  }\n}";
        let out = patched(json, &caps(), &["c"]);
        assert_eq!(
            out,
            "{\n  \"c\": {\n    \"name\": \"a\",\n    \"securityContext\": {\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"]}}\n  }\n}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_kept() {
        let out = patched("c:\r\n  name: a", &caps(), &["c"]);
        assert_eq!(
            out,
            "c:\r\n  name: a\r\n  securityContext:\r\n    allowPrivilegeEscalation: false\r\n    capabilities:\r\n      drop:\r\n        - ALL"
        );
    }

    #[test]
    fn empty_values_and_block_lists() {
        let out = patched("c:\n  securityContext:\n  x: 1\n", &caps(), &["c"]);
        assert_eq!(
            out,
            "c:\n  securityContext:\n    allowPrivilegeEscalation: false\n    capabilities:\n      drop:\n        - ALL\n  x: 1\n"
        );
        let text = "s:\n  cap_drop:\n    - NET_RAW # why\n  image: x\n";
        let patch = vec![(
            "cap_drop".into(),
            Patch::Seq(SeqPatch::add(vec![Value::Str("ALL".into())])),
        )];
        assert_eq!(
            patched(text, &patch, &["s"]),
            "s:\n  cap_drop:\n    - NET_RAW # why\n    - ALL\n  image: x\n"
        );
    }

    #[test]
    fn a_block_scalar_ends_before_the_next_key() {
        let text = "services:\n  a:\n    entrypoint: >\n      sh -c \"x\"\n\n  b:\n    image: y\n";
        let patch = vec![("read_only".into(), Patch::Set(Value::Bool(true)))];
        assert_eq!(
            patched(text, &patch, &["services", "a"]),
            "services:\n  a:\n    entrypoint: >\n      sh -c \"x\"\n    read_only: true\n\n  b:\n    image: y\n"
        );
    }

    #[test]
    fn an_empty_value_at_the_end_of_the_text() {
        let patch = vec![("runAsUser".into(), Patch::Set(Value::Int(10001)))];
        assert_eq!(
            patched("c:\n  runAsUser:", &patch, &["c"]),
            "c:\n  runAsUser: 10001"
        );
        assert_eq!(
            patched("c:\n  runAsUser: ", &patch, &["c"]),
            "c:\n  runAsUser: 10001"
        );
    }

    #[test]
    fn removal_cuts_the_line_or_falls_back() {
        let patch = vec![(
            "privileged".into(),
            Patch::Remove {
                fallback: Value::Bool(false),
            },
        )];
        assert_eq!(
            patched("s:\n  privileged: true\n  image: x\n", &patch, &["s"]),
            "s:\n  image: x\n"
        );
        assert_eq!(
            patched("s:\n  privileged: true # lab\n  image: x\n", &patch, &["s"]),
            "s:\n  privileged: false # lab\n  image: x\n"
        );
        assert_eq!(
            patched("s: {privileged: yes}\n", &patch, &["s"]),
            "s: {privileged: false}\n"
        );
    }

    #[test]
    fn removing_items_from_lists() {
        let remove = |items: &[&str]| {
            let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
            Patch::Seq(SeqPatch {
                add: vec![],
                remove: Some(Rc::new(move |t: &str| items.iter().any(|i| i == t))),
                same: |a, b| a == b,
            })
        };
        let text = "s:\n  o:\n  - seccomp:unconfined\n  - label=disable\n  i: x\n";
        let patch = vec![("o".into(), remove(&["seccomp:unconfined"]))];
        assert_eq!(
            patched(text, &patch, &["s"]),
            "s:\n  o:\n  - label=disable\n  i: x\n"
        );
        let patch = vec![("o".into(), remove(&["seccomp:unconfined", "label=disable"]))];
        assert_eq!(patched(text, &patch, &["s"]), "s:\n  o: []\n  i: x\n");
        let patch = vec![("o".into(), remove(&["b"]))];
        assert_eq!(
            patched("s: {o: [a, b, c]}\n", &patch, &["s"]),
            "s: {o: [a, c]}\n"
        );
    }

    #[test]
    fn quoting_keeps_meaning() {
        assert!(needs_quotes("10001:10001"));
        assert!(needs_quotes("yes"));
        assert!(!needs_quotes("no-new-privileges:true"));
        assert!(needs_quotes("key:"));
        assert!(needs_quotes("1.5"));
        assert!(!needs_quotes("ALL"));
        assert!(!needs_quotes("/tmp"));
        assert_eq!(
            scalar_text(&Value::Str("a\"b".into()), Quote::Plain),
            "\"a\\\"b\""
        );
    }
}

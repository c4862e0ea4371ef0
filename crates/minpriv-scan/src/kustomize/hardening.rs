//! What `fix` needs to override a value a kustomization sets in an inline patch: a strategic
//! merge patch that holds the value (which `fix` then hardens like any Kubernetes object), and
//! the kustomization with that patch added last to its `patches`, where it applies after the
//! inline one. A patch file is made only for this: values set in a resource or a patch file are
//! edited where they are written.

use super::InlineValue;
use minpriv_readers::yaml;
use std::fmt::Write as _;

/// The patch file `fix` adds to an overlay's folder.
pub const OVERRIDE_FILE: &str = "minpriv-hardening.yaml";

/// One step of the path to a value in a patch: a key, or the list item with this `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A mapping key.
    Key(String),
    /// The list item whose `name` is this.
    Named(String),
}

/// A tree of the values to write, in the order first met.
#[derive(Default)]
struct Tree {
    entries: Vec<(PathStep, Node)>,
}

enum Node {
    Value(String),
    Tree(Tree),
}

impl Tree {
    fn insert(&mut self, path: &[PathStep], value: &str) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let at = match self.entries.iter().position(|(k, _)| k == first) {
            Some(i) => i,
            None => {
                let node = if rest.is_empty() {
                    Node::Value(value.to_string())
                } else {
                    Node::Tree(Tree::default())
                };
                self.entries.push((first.clone(), node));
                self.entries.len() - 1
            }
        };
        if let Node::Tree(tree) = &mut self.entries[at].1 {
            tree.insert(rest, value);
        }
    }

    /// Writes the entries at `indent` spaces. Keys that are lists of named items are written
    /// as block sequences of mappings starting with `name:`.
    fn write(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for (step, node) in &self.entries {
            match (step, node) {
                (PathStep::Key(key), Node::Value(v)) => {
                    let _ = writeln!(out, "{pad}{}: {}", scalar(key), scalar(v));
                }
                (PathStep::Key(key), Node::Tree(tree)) => {
                    let _ = writeln!(out, "{pad}{}:", scalar(key));
                    tree.write(out, indent + 2);
                }
                (PathStep::Named(name), node) => {
                    let _ = writeln!(out, "{pad}- name: {}", scalar(name));
                    if let Node::Tree(tree) = node {
                        tree.write(out, indent + 2);
                    }
                }
            }
        }
    }
}

/// A plain scalar when it reads back as the same string, else double-quoted. Booleans and
/// numbers stay plain: they are the values' own text as rendered.
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if plain {
        text.to_string()
    } else {
        yaml::double_quoted(text)
    }
}

/// The strategic merge patch that sets `values` (all of one kustomization) as rendered: one
/// document per object, the objects in the order first met.
pub fn override_patch(values: &[&InlineValue]) -> String {
    let mut objects: Vec<(String, String, String, Tree)> = Vec::new();
    for v in values {
        let at = match objects
            .iter()
            .position(|(a, k, n, _)| (a, k, n) == (&v.api_version, &v.kind, &v.name))
        {
            Some(i) => i,
            None => {
                objects.push((
                    v.api_version.clone(),
                    v.kind.clone(),
                    v.name.clone(),
                    Tree::default(),
                ));
                objects.len() - 1
            }
        };
        objects[at].3.insert(&v.path, &v.value);
    }
    let mut out = String::from(
        "# Written by `minpriv fix`: overrides values this kustomization's inline patches set.\n",
    );
    for (i, (api_version, kind, name, tree)) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        let _ = writeln!(out, "apiVersion: {}", scalar(api_version));
        let _ = writeln!(out, "kind: {}", scalar(kind));
        let _ = writeln!(out, "metadata:\n  name: {}", scalar(name));
        tree.write(&mut out, 0);
    }
    out
}

/// `text`, a kustomization, with `- path: FILE` added last to its `patches` (the key made when
/// missing). `Err` when the patches are not a block list this can add to.
pub fn add_patch(text: &str, file: &str) -> Result<String, String> {
    let stream = yaml::parse(text);
    if let Some(e) = stream.errors.first() {
        return Err(format!("the kustomization does not parse: {}", e.message));
    }
    let root = stream
        .documents
        .first()
        .and_then(|d| d.root())
        .filter(|r| r.is_mapping())
        .ok_or("the kustomization is not a mapping")?;
    let entry = format!("- path: {file}");
    let Some(patches) = root.get("patches").filter(|p| !p.is_null()) else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        let _ = writeln!(out, "patches:\n  {entry}");
        return Ok(out);
    };
    if !patches.is_sequence() || patches.is_flow() {
        return Err("its `patches` is not a block list".into());
    }
    let last = patches.items().last().ok_or("its `patches` is empty")?;
    let first = patches.items().next().ok_or("its `patches` is empty")?;
    // Items are written `- ` at the column of the first item's dash.
    let first_line_start = text[..first.span().start].rfind('\n').map_or(0, |i| i + 1);
    let dash = text[first_line_start..first.span().start]
        .rfind('-')
        .ok_or("its `patches` items have no dash")?;
    let indent = " ".repeat(dash);
    let end = last.span().end;
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let mut out = String::with_capacity(text.len() + entry.len() + indent.len() + 1);
    out.push_str(&text[..line_end]);
    let _ = write!(out, "\n{indent}{entry}");
    out.push_str(&text[line_end..]);
    if line_end == text.len() {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn value(path: &[&str], v: &str) -> InlineValue {
        InlineValue {
            kustomization: PathBuf::from("k/kustomization.yaml"),
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "web".into(),
            path: path
                .iter()
                .map(|p| match p.strip_prefix('=') {
                    Some(name) => PathStep::Named(name.into()),
                    None => PathStep::Key((*p).into()),
                })
                .collect(),
            value: v.into(),
            rule: "privileged",
            container: Some("app".into()),
        }
    }

    #[test]
    fn values_become_one_patch_per_object() {
        let a = value(
            &[
                "spec",
                "template",
                "spec",
                "containers",
                "=app",
                "securityContext",
                "privileged",
            ],
            "true",
        );
        let b = value(&["spec", "template", "spec", "hostPID"], "true");
        assert_eq!(
            override_patch(&[&a, &b]),
            "# Written by `minpriv fix`: overrides values this kustomization's inline patches set.\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    \
             spec:\n      containers:\n        - name: app\n          securityContext:\n            \
             privileged: true\n      hostPID: true\n"
        );
    }

    #[test]
    fn the_patch_goes_last_in_patches_or_in_a_new_key() {
        let text = "resources:\n  - ../base\npatches:\n  - path: a.yaml\n  - patch: |-\n      x: 1\n# end\n";
        assert_eq!(
            add_patch(text, OVERRIDE_FILE).unwrap(),
            "resources:\n  - ../base\npatches:\n  - path: a.yaml\n  - patch: |-\n      x: 1\n  - path: minpriv-hardening.yaml\n# end\n"
        );
        assert_eq!(
            add_patch("resources: [../base]", OVERRIDE_FILE).unwrap(),
            "resources: [../base]\npatches:\n  - path: minpriv-hardening.yaml\n"
        );
        assert!(add_patch("patches: [{path: a.yaml}]\n", OVERRIDE_FILE).is_err());
    }
}

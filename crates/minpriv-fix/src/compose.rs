//! Compose fixes: service keys (`privileged`, `cap_drop`, `cap_add`, `security_opt`,
//! `read_only`, `tmpfs`, `user`).
//!
//! Where a key's value is written decides where it is edited:
//! - written in the service itself: edited there;
//! - merged in from an anchor (`<<: *common`) that no other place uses: edited in the anchor,
//!   which keeps the file's sharing structure;
//! - merged in from an anchor other services share: the service gets its own key with the
//!   fixed value in full, which overrides the merged one for this service only;
//! - inherited through `extends` (or not written at all): the service gets its own key.
//!   Compose merges `cap_drop`, `cap_add` and `security_opt` of an extended service with the
//!   extending one's, so an added item works, but an item cannot be taken away that way.

use crate::plan::Renders;
use crate::yaml_doc::{NodeId, YamlDoc, explicit_entries};
use crate::yaml_patch::{
    Editor, Patch, SeqPatch, Value, capability_list, drop_all_list, patched_value,
};
use minpriv_model::Step;
use minpriv_model::{CapSpec, Posture, Seccomp};
use minpriv_readers::yaml::Node;
use std::rc::Rc;

/// `no-new-privileges`, `no-new-privileges:true` and `no-new-privileges=true` are one option.
fn opt_key_value(opt: &str) -> (&str, &str) {
    let opt = opt.trim();
    match opt.split_once([':', '=']) {
        Some((k, v)) => (k.trim(), v.trim()),
        None => (opt, "true"),
    }
}

fn opt_eq(a: &str, b: &str) -> bool {
    let (ka, va) = opt_key_value(a);
    let (kb, vb) = opt_key_value(b);
    ka == kb && (va == vb || (ka == "no-new-privileges" && parse_bool(va) == parse_bool(vb)))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Whether this renderer writes `step`.
pub(crate) fn renders(step: &Step) -> Renders {
    crate::plan::renders_runtime_step(step)
}

/// What `step` does, in Compose words: `security_opt` and `user` read as `docker run`'s flags.
pub(crate) fn summary(step: &Step) -> String {
    crate::command_line::summary(step)
}

/// The key patches of a service for `changes`, in a fixed order.
fn key_patches(changes: &[Step]) -> Vec<(String, Patch)> {
    let mut out = Vec::new();
    let has = |f: &dyn Fn(&Step) -> bool| changes.iter().any(f);
    if has(&|c| matches!(c, Step::DropPrivileged)) {
        out.push((
            "privileged".to_string(),
            Patch::Remove {
                fallback: Value::Bool(false),
            },
        ));
    }
    if let Some(set) = changes.iter().rev().find_map(|c| match c {
        Step::Capabilities { add: Some(set), .. } => Some(*set),
        _ => None,
    }) {
        out.push(("cap_add".to_string(), capability_list(set)));
    }
    if has(&|c| matches!(c, Step::Capabilities { drop_all: true, .. })) {
        out.push(("cap_drop".to_string(), drop_all_list()));
    }
    let nnp = has(&|c| matches!(c, Step::NoNewPrivileges));
    let seccomp = has(&|c| matches!(c, Step::SeccompDefault));
    if nnp || seccomp {
        out.push((
            "security_opt".to_string(),
            Patch::Seq(SeqPatch {
                add: if nnp {
                    vec![Value::Str("no-new-privileges:true".into())]
                } else {
                    vec![]
                },
                remove: Some(Rc::new(move |t: &str| {
                    let (k, v) = opt_key_value(t);
                    (nnp && k == "no-new-privileges" && parse_bool(v) == Some(false))
                        || (seccomp && k == "seccomp" && v == "unconfined")
                })),
                same: opt_eq,
            }),
        ));
    }
    if let Some(tmpfs) = changes.iter().find_map(|c| match c {
        Step::ReadOnlyRootfs { tmpfs } => Some(tmpfs),
        _ => None,
    }) {
        out.push(("read_only".to_string(), Patch::Set(Value::Bool(true))));
        if !tmpfs.is_empty() {
            out.push((
                "tmpfs".to_string(),
                Patch::Seq(SeqPatch::add(
                    tmpfs.iter().cloned().map(Value::Str).collect(),
                )),
            ));
        }
    }
    if let Some(spec) = changes.iter().find_map(|c| match c {
        Step::RunAsNonRoot { user: spec, .. } => Some(spec),
        _ => None,
    }) {
        out.push(("user".to_string(), Patch::Set(Value::Str(spec.clone()))));
    }
    out
}

/// Where one key of a service is edited.
enum Target<'a> {
    /// In this mapping, which writes the key.
    InPlace(Node<'a>),
    /// As a new key of the service, with this full value.
    Override(Value),
}

/// Renders `changes` of service `name` into `editor`. All or nothing: an error leaves `editor`
/// as it was.
pub fn render_service(
    doc: &YamlDoc<'_>,
    editor: &mut Editor<'_, '_>,
    name: &str,
    changes: &[Step],
    posture: &Posture,
) -> Result<(), String> {
    // Every definition of the service: a later document redefining it merges over the first.
    let mut defs: Vec<(Node<'_>, Node<'_>)> = Vec::new();
    for document in &doc.stream.documents {
        let Some(services) = document.root().and_then(|r| r.get("services")) else {
            continue;
        };
        if !services.is_mapping() {
            continue;
        }
        if let Some((_, value)) = explicit_entries(services).find(|(k, _)| k.as_str() == Some(name))
        {
            if value.is_alias() {
                return Err(format!(
                    "service '{name}' is a YAML alias of another; not edited"
                ));
            }
            defs.push((services, value));
        }
    }
    let Some(&(last_services, last)) = defs.last() else {
        return Err(format!("service '{name}' is not written in this file"));
    };
    let mut scratch = Editor::new(doc);
    let patches = key_patches(changes);
    if last.is_null() {
        // `name:` with nothing under it.
        scratch.apply_map(last_services, &[(name.to_string(), Patch::Map(patches))])?;
        editor.edits.append(&mut scratch.edits);
        editor.masks.extend(scratch.masks);
        return Ok(());
    }
    if !last.is_mapping() {
        return Err(format!("service '{name}' is not a mapping"));
    }
    let mut in_place: Vec<(Node<'_>, Vec<(String, Patch)>)> = Vec::new();
    let mut overrides: Vec<(String, Value)> = Vec::new();
    for (key, patch) in patches {
        let mut targets = Vec::new();
        for (_, def) in &defs {
            if def.is_mapping()
                && explicit_entries(*def).any(|(k, _)| k.as_str() == Some(key.as_str()))
            {
                targets.push(Target::InPlace(*def));
            }
        }
        if targets.is_empty() {
            targets.push(match last.get(&key) {
                Some(merged_value) => match merge_source(last, &key) {
                    Some(source) if doc.alias_uses(source) <= 1 => Target::InPlace(source),
                    _ => Target::Override(
                        patched_value(merged_value, &patch)
                            .ok_or_else(|| format!("`{key}` of service '{name}' comes from a shared anchor and cannot be rewritten here"))?,
                    ),
                },
                None => match &patch {
                    // The service inherits the value through `extends`, or nobody wrote it.
                    Patch::Remove { fallback } => Target::Override(fallback.clone()),
                    Patch::Set(v) => Target::Override(v.clone()),
                    Patch::Seq(sp) if inherited_items(&key, changes, posture) => {
                        let _ = sp;
                        return Err(format!(
                            "the `{key}` items to remove are inherited through `extends`; remove them in the extended service"
                        ));
                    }
                    Patch::Seq(sp) if sp.add.is_empty() => continue,
                    Patch::Seq(sp) => Target::Override(Value::Seq(sp.add.clone())),
                    Patch::Map(_) => continue,
                },
            });
        }
        for target in targets {
            match target {
                Target::InPlace(map) => {
                    match in_place
                        .iter_mut()
                        .find(|(m, _)| NodeId::of(*m) == NodeId::of(map))
                    {
                        Some((_, entries)) => entries.push((key.clone(), patch.clone())),
                        None => in_place.push((map, vec![(key.clone(), patch.clone())])),
                    }
                }
                Target::Override(value) => overrides.push((key.clone(), value)),
            }
        }
    }
    for (map, entries) in &in_place {
        scratch.apply_map(*map, entries)?;
    }
    if !overrides.is_empty() {
        scratch.override_entries(last, &overrides)?;
    }
    editor.edits.append(&mut scratch.edits);
    editor.masks.extend(scratch.masks);
    Ok(())
}

/// True when a list key absent from the file has items the fix must take away: they come
/// from an extended service, where only that service's file can drop them.
fn inherited_items(key: &str, changes: &[Step], posture: &Posture) -> bool {
    match key {
        "security_opt" => {
            changes.iter().any(|c| matches!(c, Step::SeccompDefault))
                && posture.seccomp.value == Seccomp::Unconfined
        }
        "cap_add" => changes.iter().any(|c| match c {
            Step::Capabilities { add: Some(set), .. } => {
                posture.cap_add.iter().any(|a| match &a.value {
                    CapSpec::Cap(cap) => !set.contains(*cap),
                    _ => true,
                })
            }
            _ => false,
        }),
        _ => false,
    }
}

/// The mapping merged into `service` with `<<` that writes `key` itself: the one whose value
/// the service gets (the first, as YAML's merge key specifies). `None` when the key comes from
/// a merge of a merge.
fn merge_source<'a>(service: Node<'a>, key: &str) -> Option<Node<'a>> {
    let source = service
        .merge_sources()
        .into_iter()
        .find(|s| s.get(key).is_some())?;
    explicit_entries(source)
        .any(|(k, _)| k.as_str() == Some(key))
        .then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_options_compare_by_meaning() {
        assert!(opt_eq("no-new-privileges", "no-new-privileges:true"));
        assert!(opt_eq("no-new-privileges=true", "no-new-privileges:true"));
        assert!(!opt_eq("no-new-privileges:false", "no-new-privileges:true"));
        assert!(!opt_eq("seccomp:unconfined", "no-new-privileges:true"));
    }
}

//! Kubernetes fixes: fields of the container's own `securityContext`, created where missing.
//!
//! Fixes go to the container: a container-level field overrides the pod's for that container
//! only, while a pod-level edit would change every container of the pod, including those that
//! were already fine or have fixes withheld. One exception is the smaller edit with the same
//! meaning: the seccomp profile goes to the pod's `securityContext` when every container that
//! sets no profile of its own gets `RuntimeDefault` (a container's own profile wins over the
//! pod's, so the others are unchanged), and the pod has a `securityContext` already or more than
//! one container needs it. What the pod already gives
//! is respected because planning works on the posture the reader built with the pod's values
//! inherited: a container that inherits `runAsNonRoot: true` gets no user fix at all.
//! tmpfs paths become `emptyDir` volumes of the pod, mounted into the container.

use crate::plan::Renders;
use crate::yaml_doc::{NodeId, YamlDoc};
use crate::yaml_patch::{Editor, Patch, SeqPatch, Value, capability_list, drop_all_list};
use minpriv_model::Span;
use minpriv_model::Step;
use minpriv_readers::kubernetes::{list_item_kind, pod_template_of};
use minpriv_readers::yaml::Node;
use std::collections::{HashMap, HashSet};

/// How deep `List`s may nest; kubectl never nests them.
const LIST_DEPTH_LIMIT: usize = 4;

/// A pod template found in the file, with its containers.
pub struct Pod<'a> {
    /// The pod spec mapping.
    pub spec: Node<'a>,
    /// Each container mapping with the span the reader anchors it at.
    pub containers: Vec<(Span, Node<'a>)>,
}

/// Finds every pod spec of the file, as the reader does.
pub fn pods<'a>(doc: &'a YamlDoc<'_>) -> Vec<Pod<'a>> {
    let mut out = Vec::new();
    for document in &doc.stream.documents {
        if let Some(root) = document.root() {
            object(root, None, 0, &mut out);
        }
    }
    out
}

fn object<'a>(node: Node<'a>, implied: Option<&str>, depth: usize, out: &mut Vec<Pod<'a>>) {
    let Some(kind) = node.get("kind").and_then(|k| k.as_str()).or(implied) else {
        return;
    };
    // The reader's own rules for lists and pod templates, so that every pod it read is found.
    if let Some(item_kind) = list_item_kind(kind) {
        if depth >= LIST_DEPTH_LIMIT {
            return;
        }
        if let Some(items) = node.get("items") {
            for item in items.items() {
                object(item, item_kind, depth + 1, out);
            }
        }
        return;
    }
    let get = |n: Option<Node<'a>>, key: &str| n.and_then(|n| n.get(key));
    let template = pod_template_of(node, kind);
    let Some(spec) = get(template, "spec").filter(|s| s.is_mapping()) else {
        return;
    };
    let mut containers = Vec::new();
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        for c in spec
            .get(key)
            .into_iter()
            .flat_map(|l| l.items().collect::<Vec<_>>())
        {
            if !c.is_mapping() {
                continue;
            }
            let name = c
                .get("name")
                .filter(|n| !n.is_null() && n.as_str().is_some_and(|s| !s.is_empty()));
            containers.push((name.unwrap_or(c).use_span(), c));
        }
    }
    out.push(Pod { spec, containers });
}

/// A volume name for a tmpfs at `path` of `container`, unused in the pod: a DNS label, as
/// volume names must be.
fn volume_name(container: Option<&str>, path: &str, taken: &mut HashSet<String>) -> String {
    let named = format!("{}-{}", container.unwrap_or(""), path.trim_matches('/'));
    let mut base: String = named
        .trim_matches(['/', '-'])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    base = base.trim_matches('-').to_string();
    base.truncate(50);
    if base.is_empty() {
        base = "tmpfs".into();
    }
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// Whether this renderer writes `step`.
pub(crate) fn renders(step: &Step) -> Renders {
    crate::plan::renders_runtime_step(step)
}

/// What `step` does, in Kubernetes words.
pub(crate) fn summary(step: &Step) -> String {
    match step {
        Step::NoNewPrivileges => "set allowPrivilegeEscalation: false".into(),
        Step::RunAsNonRoot { uid, .. } => format!(
            "run as non-root uid {}",
            uid.unwrap_or(minpriv_model::hardening::DEFAULT_UID)
        ),
        Step::SeccompDefault => "set seccompProfile RuntimeDefault".into(),
        other => crate::plan::summary(other),
    }
}

/// The securityContext entries and other container entries for `changes`; tmpfs volumes the
/// pod must get are added to `volumes`.
fn container_patch(
    container: Option<&str>,
    changes: &[Step],
    taken: &mut HashSet<String>,
    volumes: &mut Vec<Value>,
) -> Vec<(String, Patch)> {
    let mut sc: Vec<(String, Patch)> = Vec::new();
    let mut mounts = Vec::new();
    let has = |f: &dyn Fn(&Step) -> bool| changes.iter().any(f);
    if has(&|c| matches!(c, Step::DropPrivileged)) {
        sc.push(("privileged".into(), Patch::Set(Value::Bool(false))));
    }
    if has(&|c| matches!(c, Step::NoNewPrivileges)) {
        sc.push((
            "allowPrivilegeEscalation".into(),
            Patch::Set(Value::Bool(false)),
        ));
    }
    let drop_all = has(&|c| matches!(c, Step::Capabilities { drop_all: true, .. }));
    let add = changes.iter().rev().find_map(|c| match c {
        Step::Capabilities { add: Some(set), .. } => Some(*set),
        _ => None,
    });
    let mut caps = Vec::new();
    if let Some(set) = add {
        caps.push(("add".to_string(), capability_list(set)));
    }
    if drop_all {
        caps.push(("drop".to_string(), drop_all_list()));
    }
    if !caps.is_empty() {
        sc.push(("capabilities".into(), Patch::Map(caps)));
    }
    // A fixed order, whatever order planning found the fixes in.
    if let Some(tmpfs) = changes.iter().find_map(|c| match c {
        Step::ReadOnlyRootfs { tmpfs } => Some(tmpfs),
        _ => None,
    }) {
        sc.push((
            "readOnlyRootFilesystem".into(),
            Patch::Set(Value::Bool(true)),
        ));
        for path in tmpfs {
            let name = volume_name(container, path, taken);
            mounts.push(Value::Map(vec![
                ("name".into(), Value::Str(name.clone())),
                ("mountPath".into(), Value::Str(path.clone())),
            ]));
            volumes.push(Value::Map(vec![
                ("name".into(), Value::Str(name)),
                ("emptyDir".into(), Value::Map(vec![])),
            ]));
        }
    }
    if let Some(uid) = changes.iter().find_map(|c| match c {
        Step::RunAsNonRoot { uid, .. } => Some(uid),
        _ => None,
    }) {
        sc.push(("runAsNonRoot".into(), Patch::Set(Value::Bool(true))));
        if let Some(uid) = uid {
            sc.push(("runAsUser".into(), Patch::Set(Value::Int(i64::from(*uid)))));
        }
    }
    if has(&|c| matches!(c, Step::SeccompDefault)) {
        sc.push(runtime_default());
    }
    let mut entries = Vec::new();
    if !sc.is_empty() {
        entries.push(("securityContext".to_string(), Patch::Map(sc)));
    }
    if !mounts.is_empty() {
        entries.push((
            "volumeMounts".to_string(),
            Patch::Seq(SeqPatch::add(mounts)),
        ));
    }
    entries
}

/// `seccompProfile: {type: RuntimeDefault}`.
fn runtime_default() -> (String, Patch) {
    (
        "seccompProfile".into(),
        Patch::Map(vec![(
            "type".into(),
            Patch::Set(Value::Str("RuntimeDefault".into())),
        )]),
    )
}

/// Whether the seccomp fix goes to the pod (see the module's documentation): every container
/// without a profile of its own gets it, the pod sets none, and the pod has a
/// `securityContext` or more than one container needs it.
fn seccomp_at_pod(pod: &Pod<'_>, changes: &[(Span, Vec<Step>)]) -> bool {
    let pod_context = pod.spec.get("securityContext").filter(|c| c.is_mapping());
    if pod_context.is_some_and(|c| c.get("seccompProfile").is_some())
        || pod
            .spec
            .get("securityContext")
            .is_some_and(|c| !c.is_mapping() && !c.is_null())
    {
        return false;
    }
    let needing: HashSet<(usize, usize)> = changes
        .iter()
        .filter(|(_, steps)| steps.iter().any(|s| matches!(s, Step::SeccompDefault)))
        .map(|(anchor, _)| (anchor.start, anchor.end))
        .collect();
    let without_own: Vec<&(Span, Node<'_>)> = pod
        .containers
        .iter()
        .filter(|(_, c)| own_seccomp(*c).is_none())
        .collect();
    !without_own.is_empty()
        && without_own
            .iter()
            .all(|(span, _)| needing.contains(&(span.start, span.end)))
        && (without_own.len() > 1 || pod_context.is_some())
}

/// The container's own `securityContext.seccompProfile`.
fn own_seccomp(container: Node<'_>) -> Option<Node<'_>> {
    container
        .get("securityContext")
        .and_then(|sc| sc.get("seccompProfile"))
}

/// Renders the changes of the containers of one pod (containers named by their anchors) into
/// `editor`. All or nothing: an error leaves `editor` as it was.
pub fn render_pod(
    doc: &YamlDoc<'_>,
    editor: &mut Editor<'_, '_>,
    pod: &Pod<'_>,
    changes: &[(Span, Vec<Step>)],
) -> Result<(), String> {
    if pod.spec.is_alias() {
        return Err("the pod spec is a YAML alias shared with other places; not edited".into());
    }
    let mut taken: HashSet<String> = pod
        .spec
        .get("volumes")
        .into_iter()
        .flat_map(|v| v.items().collect::<Vec<_>>())
        .filter_map(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .collect();
    let by_anchor: HashMap<(usize, usize), Node<'_>> = pod
        .containers
        .iter()
        .map(|(span, node)| ((span.start, span.end), *node))
        .collect();
    let mut scratch = Editor::new(doc);
    let mut volumes = Vec::new();
    let mut done: HashSet<NodeId> = HashSet::new();
    let seccomp_at_pod = seccomp_at_pod(pod, changes);
    for (anchor, container_changes) in changes {
        let node = by_anchor
            .get(&(anchor.start, anchor.end))
            .ok_or("the container was not found again in the file")?;
        // The pod's profile serves the containers without one of their own.
        let served_by_pod = seccomp_at_pod && own_seccomp(*node).is_none();
        let container_changes: Vec<Step> = container_changes
            .iter()
            .filter(|s| !(served_by_pod && matches!(s, Step::SeccompDefault)))
            .cloned()
            .collect();
        if container_changes.is_empty() {
            continue;
        }
        let container_changes = &container_changes;
        if node.is_alias() || !done.insert(NodeId::of(*node)) {
            return Err(
                "the container is a YAML alias shared with other places; not edited".into(),
            );
        }
        let name = node.get("name").and_then(|n| n.as_str());
        let patch = container_patch(name, container_changes, &mut taken, &mut volumes);
        scratch.apply_map(*node, &patch)?;
    }
    let mut pod_patch = Vec::new();
    if seccomp_at_pod {
        pod_patch.push((
            "securityContext".to_string(),
            Patch::Map(vec![runtime_default()]),
        ));
    }
    if !volumes.is_empty() {
        pod_patch.push(("volumes".into(), Patch::Seq(SeqPatch::add(volumes))));
    }
    if !pod_patch.is_empty() {
        scratch.apply_map(pod.spec, &pod_patch)?;
    }
    editor.edits.append(&mut scratch.edits);
    editor.masks.extend(scratch.masks);
    Ok(())
}

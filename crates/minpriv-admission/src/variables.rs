//! The policy's variables: where an object keeps its pod template, and the lists the
//! validations walk (containers, volumes, host paths, images), each computed once per request.
//!
//! They find the pod template exactly where minpriv's Kubernetes reader finds it
//! (`minpriv_readers::kubernetes::pod_template_of`): a Pod is its own template, a PodTemplate
//! holds it in `template`, a CronJob in `spec.jobTemplate.spec.template`, the other built-in
//! workloads in `spec.template`, and any other kind (DeploymentConfig, Rollout, an operator's
//! resource) in `spec.template` or `spec.jobTemplate.spec.template` when that holds a
//! `containers` list. An object without one gets an empty template, which no validation
//! rejects.

use crate::cel::{has, strings};
use minpriv_model::host_paths::{HostPathKind, RUNTIME_SOCKET_NAMES, host_paths};
use minpriv_readers::kubernetes::{NO_POD_TEMPLATE_KINDS, VOLUME_SOURCES, WORKLOAD_KINDS};

/// One `variables` entry of a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Its name, used as `variables.NAME`.
    pub name: &'static str,
    /// Its CEL expression.
    pub expression: String,
}

fn var(name: &'static str, expression: String) -> Variable {
    Variable { name, expression }
}

/// Every variable, in the order they must be declared (each may use those before it).
pub fn all() -> Vec<Variable> {
    let template_of = |path: &[&str]| -> String {
        format!(
            "({} ? {} : {{}})",
            has("object", path),
            crate::cel::field("object", path)
        )
    };
    let generic = |path: &[&str]| -> String {
        let mut with_containers: Vec<&str> = path.to_vec();
        with_containers.extend(["spec", "containers"]);
        has("object", &with_containers)
    };
    let built_in: Vec<&str> = WORKLOAD_KINDS
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "Pod" | "PodTemplate" | "CronJob"))
        .collect();
    // An object without a kind is no workload (`may_carry_pod_template`).
    let no_template: Vec<&str> = NO_POD_TEMPLATE_KINDS.iter().copied().chain([""]).collect();
    let template = format!(
        "object.kind == 'Pod' ? object\n\
         : object.kind == 'PodTemplate' ? {}\n\
         : object.kind == 'CronJob' ? {}\n\
         : object.kind in {} ? {}\n\
         : object.kind in {} ? {{}}\n\
         : {} ? object.spec.template\n\
         : {} ? object.spec.jobTemplate.spec.template\n\
         : {{}}",
        template_of(&["template"]),
        template_of(&["spec", "jobTemplate", "spec", "template"]),
        strings(&built_in),
        template_of(&["spec", "template"]),
        strings(&no_template),
        generic(&["spec", "template"]),
        generic(&["spec", "jobTemplate", "spec", "template"]),
    );
    let sc_of = "has(c.securityContext) ? c.securityContext : {}";
    vec![
        var("template", template),
        var(
            "spec",
            "has(variables.template.spec) ? variables.template.spec : {}".into(),
        ),
        var(
            "annotations",
            format!(
                "{} ? variables.template.metadata.annotations : {{}}",
                has("variables.template", &["metadata", "annotations"])
            ),
        ),
        var(
            "containers",
            ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .map(|key| format!("(has(variables.spec.{key}) ? variables.spec.{key} : [])"))
                .collect::<Vec<_>>()
                .join(" + "),
        ),
        var(
            "podSecurityContext",
            "has(variables.spec.securityContext) ? variables.spec.securityContext : {}".into(),
        ),
        // The pod's securityContext, then each container's: where the controls that accept a
        // value at either level look.
        var(
            "securityContexts",
            format!("[variables.podSecurityContext] + variables.containers.map(c, {sc_of})"),
        ),
        var(
            "windows",
            format!(
                "{} && variables.spec.os.name == 'windows'",
                has("variables.spec", &["os", "name"])
            ),
        ),
        // `hostUsers: false`: the pod runs in a user namespace.
        var(
            "userNamespace",
            "has(variables.spec.hostUsers) && variables.spec.hostUsers == false".into(),
        ),
        var(
            "volumes",
            "has(variables.spec.volumes) ? variables.spec.volumes : []".into(),
        ),
        var(
            "volumeSources",
            format!(
                "variables.volumes.map(v, v.filter(k, k in {}))",
                strings(VOLUME_SOURCES)
            ),
        ),
        var("hostPathsWritten", host_paths_written()),
        var(
            "hostPathSegments",
            "variables.hostPathsWritten.map(h, [h[0], h[1], \
             h[1].split('/').filter(s, s != '' && s != '.').join('/')])"
                .into(),
        ),
        var("hostPaths", host_paths_normalized()),
        var(
            "runtimeSocketVolumes",
            format!(
                "variables.hostPaths.filter(h, {}).map(h, h[0])",
                runtime_socket("h[1]")
            ),
        ),
        var(
            "sensitiveVolumes",
            format!(
                "variables.hostPaths.filter(h, !({}) && {}).map(h, h[0])",
                runtime_socket("h[1]"),
                sensitive("h[1]", false)
            ),
        ),
        var(
            "sensitiveReadOnlyVolumes",
            format!(
                "variables.hostPaths.filter(h, !({}) && {}).map(h, h[0])",
                runtime_socket("h[1]"),
                sensitive("h[1]", true)
            ),
        ),
        // hostPath volumes of a device type: what the reader calls a container's devices.
        var(
            "deviceVolumes",
            format!(
                "variables.volumes.filter(v, {} && v.name != '' && {} && v.hostPath.path != '' \
                 && {} && v.hostPath.type in ['CharDevice', 'BlockDevice']).map(v, v.name)",
                has("v", &["name"]),
                has("v", &["hostPath", "path"]),
                has("v", &["hostPath", "type"]),
            ),
        ),
        var("imagesWritten", images_written()),
        var(
            "imagesSplit",
            // [container, reference, before '@', '@' present, last path segment]
            "variables.imagesWritten.map(i, i[1].indexOf('@') >= 0 \
             ? [i[0], i[1], i[1].substring(0, i[1].indexOf('@')), 'digest'] \
             : [i[0], i[1], i[1], ''])\
             .map(i, [i[0], i[1], i[2], i[3], i[2].substring(i[2].lastIndexOf('/') + 1)])"
                .into(),
        ),
        var(
            "images",
            // [container, reference, digest flag, name, tag flag, tag]: ImageRef::parse.
            "variables.imagesSplit.map(i, i[4].lastIndexOf(':') >= 0 \
             ? [i[0], i[1], i[3], i[2].substring(0, size(i[2]) - size(i[4]) + i[4].lastIndexOf(':')), 'tag', i[4].substring(i[4].lastIndexOf(':') + 1)] \
             : [i[0], i[1], i[3], i[2], '', ''])\
             .filter(i, i[3] != '')"
                .into(),
        ),
        var("imageRegistryPaths", image_registry_paths()),
    ]
}

/// `[volume name, host path as written]` of every hostPath volume with a path, `$HOME` and
/// `${HOME}` written `~` (`normalize_host_path`'s first step).
fn host_paths_written() -> String {
    let trimmed = "v.hostPath.path.trim()";
    format!(
        "variables.volumes.filter(v, {} && v.name != '' && {} && v.hostPath.path != '')\
         .map(v, [v.name, {trimmed}.startsWith('${{HOME}}') ? '~' + {trimmed}.substring(7) \
         : {trimmed}.startsWith('$HOME') ? '~' + {trimmed}.substring(5) : {trimmed}])",
        has("v", &["name"]),
        has("v", &["hostPath", "path"]),
    )
}

/// `[volume name, host path]` normalised as `normalize_host_path` writes it: no repeated or
/// trailing `/`, no `.` segments but a leading one of a relative path.
fn host_paths_normalized() -> String {
    "variables.hostPathSegments.map(h, [h[0], h[1].startsWith('/') ? '/' + h[2] \
     : (h[1] == '.' || h[1].startsWith('./')) ? (h[2] == '' ? '.' : './' + h[2]) \
     : (h[2] == '' ? h[1] : h[2])])"
        .into()
}

/// `is_runtime_socket_path(p)` for a normalised path `p`.
fn runtime_socket(p: &str) -> String {
    let folders: Vec<&str> = host_paths(HostPathKind::RuntimeSocketFolder).collect();
    format!(
        "{p}.substring({p}.lastIndexOf('/') + 1) in {} || {p} in {}",
        strings(RUNTIME_SOCKET_NAMES),
        strings(&folders)
    )
}

/// `is_sensitive_host_path(p, read_only)` for a normalised path `p`.
fn sensitive(p: &str, read_only: bool) -> String {
    let trees: Vec<&str> = host_paths(HostPathKind::SensitiveTree).collect();
    let benign: Vec<&str> = host_paths(HostPathKind::BenignReadOnly).collect();
    let listed = format!(
        "({p} == '/' || {p} == '~' || {}.exists(t, {p} == t || {p}.startsWith(t + '/') || t.startsWith({p} + '/')) \
         || ({p}.startsWith('/home') && (size({p}) == 5 || ({p}.substring(5).startsWith('/') && !{p}.substring(6).contains('/')))))",
        strings(&trees)
    );
    if read_only {
        format!(
            "!{}.exists(b, {p} == b || {p}.startsWith(b + '/')) && {listed}",
            strings(&benign)
        )
    } else {
        listed
    }
}

/// `[container name, trimmed reference]` of every container whose image `ImageRef::parse`
/// reads (not `scratch`, no unexpanded variable or template, no space).
fn images_written() -> String {
    format!(
        "variables.containers.filter(c, {} && c.image != '')\
         .map(c, [{}, c.image.trim()])\
         .filter(i, i[1] != '' && i[1].lowerAscii() != 'scratch' \
         && !i[1].contains('$') && !i[1].contains('{{') && !i[1].contains('}}') && !i[1].contains(' '))",
        has("c", &["image"]),
        container_name("c"),
    )
}

/// `[container name, registry/repository in lower case]` (`ImageRef::registry_path`) of every
/// parsed image.
fn image_registry_paths() -> String {
    let first = "i[3].substring(0, i[3].indexOf('/'))";
    format!(
        "variables.images.map(i, i[3].indexOf('/') >= 0 && ({first}.contains('.') || {first}.contains(':') || {first} == 'localhost') \
         ? [i[0], {first}, i[3].substring(i[3].indexOf('/') + 1)] : [i[0], 'docker.io', i[3]])\
         .map(i, [i[0], i[1] == 'index.docker.io' || i[1] == 'registry-1.docker.io' ? 'docker.io' : i[1], i[2]])\
         .map(i, [i[0], (i[1] + '/' + (i[1] == 'docker.io' && !i[2].contains('/') ? 'library/' + i[2] : i[2])).lowerAscii()])"
    )
}

/// The name of container `c` as findings carry it (`''` for none).
pub(crate) fn container_name(c: &str) -> String {
    format!("({} ? {c}.name : '')", has(c, &["name"]))
}

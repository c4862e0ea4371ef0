//! The written pod spec ([`PodFacts`]) that the Pod Security controls judge.
//!
//! Values are read as the API server decodes them before admission sees the pod: a field of
//! the wrong YAML type (a quoted `"true"`, a mapping where a string belongs) fails decoding and
//! never reaches admission, so it is read as absent. Everything else is kept as written: no
//! inheritance, no normalisation of names.

use super::security_context::{
    APPARMOR_CONTAINER_ANNOTATION_PREFIX, SECCOMP_CONTAINER_ANNOTATION_PREFIX,
    SECCOMP_POD_ANNOTATION,
};
use crate::yaml::Node;
use minpriv_model::{
    ContainerFacts, PodFacts, SecurityContextFacts, SelinuxOptionsFacts, VolumeFacts, Written,
};

/// Reads the pod-level facts of `spec` (a mapping) and the template's `annotations`;
/// containers are added with [`container_facts`] as the reader meets them.
pub(crate) fn pod_facts(spec: Node<'_>, annotations: Option<Node<'_>>) -> PodFacts {
    let sc = spec.get("securityContext").filter(|s| s.is_mapping());
    let mut facts = PodFacts {
        security_context: security_context_facts(sc),
        host_network: bool_field(Some(spec), "hostNetwork"),
        host_pid: bool_field(Some(spec), "hostPID"),
        host_ipc: bool_field(Some(spec), "hostIPC"),
        host_users: bool_field(Some(spec), "hostUsers"),
        windows: spec
            .get("os")
            .and_then(|os| os.get("name"))
            .and_then(|n| n.as_str())
            == Some("windows"),
        ..PodFacts::default()
    };
    if let Some(sysctls) = sc.and_then(|s| s.get("sysctls")) {
        for item in sysctls.items() {
            if let Some(name) = item.get("name").and_then(|n| n.as_str()) {
                // At the item, where the posture's sysctl is located too.
                facts
                    .sysctls
                    .push(Written::new(name.to_string(), Some(item.use_span())));
            }
        }
    }
    if let Some(volumes) = spec.get("volumes") {
        for volume in volumes.items().filter(|v| v.is_mapping()) {
            facts.volumes.push(volume_facts(volume));
        }
    }
    if let Some(annotations) = annotations.filter(|a| a.is_mapping()) {
        for (key, value) in annotations.entries() {
            // A null value decodes to the empty string of a map[string]string.
            let value_text = if value.is_null() {
                Some("")
            } else {
                value.as_str()
            };
            let (Some(key_text), Some(value_text)) = (key.as_str(), value_text) else {
                continue;
            };
            if key_text == SECCOMP_POD_ANNOTATION
                || key_text.starts_with(SECCOMP_CONTAINER_ANNOTATION_PREFIX)
                || key_text.starts_with(APPARMOR_CONTAINER_ANNOTATION_PREFIX)
            {
                facts.annotations.push(Written::new(
                    (key_text.to_string(), value_text.to_string()),
                    Some(value.use_span()),
                ));
            }
        }
    }
    facts
}

/// The volume types of the API's `VolumeSource`: a key of a volume entry that is none of these
/// is dropped when the API server decodes the pod.
pub const VOLUME_SOURCES: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "hostPath",
    "image",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageos",
    "vsphereVolume",
];

/// One `spec.volumes` entry: its name and the volume sources it sets. A null source
/// (`emptyDir:` with nothing after it) decodes to no source at all, like an unknown key; a
/// volume left with none is defaulted to an emptyDir.
fn volume_facts(volume: Node<'_>) -> VolumeFacts {
    let name = volume
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default()
        .to_string();
    let mut sources = Vec::new();
    let mut span = None;
    for (key, value) in volume.entries() {
        if let Some(k) = key.as_str().filter(|k| VOLUME_SOURCES.contains(k))
            && !value.is_null()
        {
            span = span.or(Some(key.use_span()));
            sources.push(k.to_string());
        }
    }
    VolumeFacts {
        name,
        sources,
        span: span.or(Some(volume.use_span())),
    }
}

/// The facts of one container `c` (a mapping).
pub(crate) fn container_facts(c: Node<'_>) -> ContainerFacts {
    let sc = c.get("securityContext").filter(|s| s.is_mapping());
    let caps = sc
        .and_then(|s| s.get("capabilities"))
        .filter(|c| c.is_mapping());
    let names = |key: &str| -> Vec<Written<String>> {
        caps.and_then(|c| c.get(key))
            .map(|list| {
                list.items()
                    .filter_map(|item| {
                        Some(Written::new(
                            item.as_str()?.to_string(),
                            Some(item.use_span()),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut facts = ContainerFacts {
        name: c
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string(),
        security_context: security_context_facts(sc),
        has_security_context: sc.is_some(),
        has_capabilities: caps.is_some(),
        privileged: bool_field(sc, "privileged"),
        allow_privilege_escalation: bool_field(sc, "allowPrivilegeEscalation"),
        proc_mount: string_field(sc, "procMount"),
        cap_add: names("add"),
        cap_drop: names("drop"),
        ..ContainerFacts::default()
    };
    if let Some(ports) = c.get("ports") {
        for port in ports.items() {
            if let Some(node) = port.get("hostPort")
                && let Some(n) = node.as_yaml11_i64().filter(|&n| n != 0)
            {
                facts
                    .host_ports
                    .push(Written::new(n, Some(node.use_span())));
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        handler_hosts(c.get(probe), &mut facts.probe_hosts);
    }
    let lifecycle = c.get("lifecycle");
    for hook in ["postStart", "preStop"] {
        handler_hosts(lifecycle.and_then(|l| l.get(hook)), &mut facts.probe_hosts);
    }
    facts
}

/// The non-empty `httpGet.host` and `tcpSocket.host` of a probe or lifecycle handler.
fn handler_hosts(handler: Option<Node<'_>>, out: &mut Vec<Written<String>>) {
    for action in ["httpGet", "tcpSocket"] {
        if let Some(host) = handler
            .and_then(|h| h.get(action))
            .and_then(|a| a.get("host"))
            && let Some(text) = host.as_str().filter(|t| !t.is_empty())
            && !host.is_null()
        {
            out.push(Written::new(text.to_string(), Some(host.use_span())));
        }
    }
}

fn security_context_facts(sc: Option<Node<'_>>) -> SecurityContextFacts {
    let selinux = sc
        .and_then(|s| s.get("seLinuxOptions"))
        .filter(|o| o.is_mapping())
        .map(|options| {
            let part = |key: &str| {
                options
                    .get(key)
                    .filter(|n| !n.is_null())
                    .and_then(|n| n.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            Written::new(
                SelinuxOptionsFacts {
                    type_: part("type"),
                    user: part("user"),
                    role: part("role"),
                },
                Some(options.use_span()),
            )
        });
    let windows = sc.and_then(|s| s.get("windowsOptions"));
    SecurityContextFacts {
        run_as_non_root: bool_field(sc, "runAsNonRoot"),
        run_as_user: sc
            .and_then(|s| s.get("runAsUser"))
            .and_then(|n| Some(Written::new(n.as_yaml11_i64()?, Some(n.use_span())))),
        seccomp_type: profile_type(sc, "seccompProfile"),
        apparmor_type: profile_type(sc, "appArmorProfile"),
        selinux,
        windows_host_process: bool_field(windows, "hostProcess"),
    }
}

/// `KEY.type` of a profile mapping (`seccompProfile`, `appArmorProfile`), as written. A present
/// profile without a type decodes to the empty type, which no control allows.
fn profile_type(sc: Option<Node<'_>>, key: &str) -> Option<Written<String>> {
    let profile = sc?.get(key).filter(|p| p.is_mapping())?;
    match profile.get("type").filter(|t| !t.is_null()) {
        Some(ty) => Some(Written::new(ty.as_str()?.to_string(), Some(ty.use_span()))),
        None => Some(Written::new(String::new(), Some(profile.use_span()))),
    }
}

fn bool_field(map: Option<Node<'_>>, key: &str) -> Option<Written<bool>> {
    let node = map?.get(key)?;
    Some(Written::new(node.as_bool()?, Some(node.use_span())))
}

fn string_field(map: Option<Node<'_>>, key: &str) -> Option<Written<String>> {
    let node = map?.get(key).filter(|n| !n.is_null())?;
    Some(Written::new(
        node.as_str()?.to_string(),
        Some(node.use_span()),
    ))
}

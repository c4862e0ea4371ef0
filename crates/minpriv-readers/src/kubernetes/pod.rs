//! What a pod gives each of its containers: the pod-level `securityContext` they inherit, the
//! host namespaces, sysctls and the volumes they may mount.

use super::security_context::{
    SECCOMP_POD_ANNOTATION, apparmor_field, seccomp_annotation, seccomp_field, selinux_field,
};
use super::values::{at, bool_at, inherited, int_at, items_of, non_empty_str};
use crate::yaml::Node;
use minpriv_model::{AppArmor, Located, Seccomp, Selinux};
use std::collections::HashMap;

/// What the pod gives each of its containers, read once per pod.
pub(super) struct PodLevel<'a> {
    pub(super) run_as_user: Option<Located<Option<i64>>>,
    pub(super) run_as_group: Option<Located<Option<i64>>>,
    pub(super) run_as_non_root: Option<Located<Option<bool>>>,
    pub(super) seccomp: Option<Located<Seccomp>>,
    pub(super) seccomp_pod_annotation: Option<Located<Seccomp>>,
    /// The pod's annotations, for the legacy per-container seccomp and AppArmor ones.
    pub(super) annotations: Option<Node<'a>>,
    pub(super) apparmor: Option<Located<AppArmor>>,
    pub(super) selinux: Option<Located<Selinux>>,
    pub(super) host_pid: Option<Located<bool>>,
    pub(super) host_ipc: Option<Located<bool>>,
    pub(super) host_network: Option<Located<bool>>,
    pub(super) sysctls: Vec<Located<(String, String)>>,
    pub(super) automount_token: Option<Located<Option<bool>>>,
    /// Volume name → what a mount of it gives.
    pub(super) volumes: HashMap<&'a str, Volume<'a>>,
    /// Budget units that copying these values into one container costs.
    pub(super) copy_cost: usize,
}

/// The parts of a pod volume that matter to a container mounting it.
#[derive(Clone, Copy)]
pub(super) struct Volume<'a> {
    /// `hostPath.path`, when the volume is a host path with a path.
    pub(super) host_path: Option<(&'a str, Node<'a>)>,
    /// `hostPath.type` is `CharDevice` or `BlockDevice`: a host device.
    pub(super) device: bool,
    /// `emptyDir.medium: Memory`: a tmpfs.
    pub(super) in_memory: bool,
}

impl<'a> Volume<'a> {
    fn read(volume: Node<'a>) -> Volume<'a> {
        let host = volume.get("hostPath");
        let host_path = host
            .and_then(|h| h.get("path"))
            .and_then(|p| Some((non_empty_str(p)?, p)));
        let device = matches!(
            host.and_then(|h| h.get("type")).and_then(|t| t.as_str()),
            Some("CharDevice" | "BlockDevice")
        );
        let in_memory = volume
            .get("emptyDir")
            .and_then(|e| e.get("medium"))
            .and_then(|m| m.as_str())
            == Some("Memory");
        Volume {
            host_path,
            device,
            in_memory,
        }
    }
}

impl<'a> PodLevel<'a> {
    pub(super) fn read(spec: Node<'a>, annotations: Option<Node<'a>>) -> PodLevel<'a> {
        let sc = spec.get("securityContext").filter(|s| s.is_mapping());
        let seccomp_pod_annotation = annotations
            .and_then(|a| a.get(SECCOMP_POD_ANNOTATION))
            .and_then(seccomp_annotation)
            .map(inherited);
        let mut volumes = HashMap::new();
        for volume in items_of(spec.get("volumes")) {
            if let Some(name) = volume.get("name").and_then(non_empty_str) {
                volumes.insert(name, Volume::read(volume));
            }
        }
        let sysctls: Vec<_> = items_of(sc.and_then(|s| s.get("sysctls")))
            .into_iter()
            .filter_map(|item| {
                let name = item.get("name").and_then(non_empty_str)?;
                let value = item.get("value").and_then(|v| v.as_str()).unwrap_or("");
                Some(Located::written(
                    (name.to_string(), value.to_string()),
                    at(item),
                ))
            })
            .collect();
        let seccomp = seccomp_field(sc).map(inherited);
        let apparmor = apparmor_field(sc).map(inherited);
        let selinux = selinux_field(sc).map(inherited);
        // Each container gets its own copy of the pod-level strings.
        let copied_bytes = sysctls
            .iter()
            .map(|s| s.value.0.len() + s.value.1.len())
            .sum::<usize>()
            + [&seccomp, &seccomp_pod_annotation]
                .into_iter()
                .flatten()
                .map(|s| match &s.value {
                    Seccomp::Custom(p) => p.len(),
                    _ => 0,
                })
                .sum::<usize>()
            + apparmor.as_ref().map_or(0, |a| match &a.value {
                AppArmor::Custom(p) => p.len(),
                _ => 0,
            })
            + selinux.as_ref().map_or(0, |s| {
                let v = &s.value;
                [&v.type_, &v.user, &v.role, &v.level]
                    .into_iter()
                    .flatten()
                    .map(String::len)
                    .sum()
            });
        let copy_cost = 1 + sysctls.len() + copied_bytes / 64;
        PodLevel {
            run_as_user: int_at(sc, "runAsUser").map(inherited),
            run_as_group: int_at(sc, "runAsGroup").map(inherited),
            run_as_non_root: bool_at(sc, "runAsNonRoot")
                .map(|b| inherited(Located::new(Some(b.value), b.origin, b.span))),
            seccomp,
            seccomp_pod_annotation,
            annotations,
            apparmor,
            selinux,
            // These live on the pod spec only; the value is written right there, so they are
            // Written, not Inherited.
            host_pid: bool_at(Some(spec), "hostPID"),
            host_ipc: bool_at(Some(spec), "hostIPC"),
            host_network: bool_at(Some(spec), "hostNetwork"),
            sysctls,
            automount_token: bool_at(Some(spec), "automountServiceAccountToken")
                .map(|b| Located::new(Some(b.value), b.origin, b.span)),
            volumes,
            copy_cost,
        }
    }
}

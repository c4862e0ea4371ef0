//! One container's [`Posture`]: its own `securityContext` over what the pod gives it.

use super::pod::PodLevel;
use super::security_context::{
    APPARMOR_CONTAINER_ANNOTATION_PREFIX, SECCOMP_CONTAINER_ANNOTATION_PREFIX, annotation_for,
    apparmor_annotation, apparmor_field, seccomp_annotation, seccomp_field, selinux_field,
};
use super::values::{at, bool_at, int_at, items_of, non_empty_str, pick};
use crate::yaml::Node;
use minpriv_model::{
    AppArmor, CapSpec, Container, ContainerRole, Located, Mount, MountKind, Posture, ProcMount,
    Runtime, Seccomp, Selinux,
};

/// Reads one container (`c` is a mapping) of a pod.
pub(super) fn container(c: Node<'_>, role: ContainerRole, pod: &PodLevel<'_>) -> Container {
    let name_node = c.get("name");
    let name = name_node.and_then(non_empty_str);
    let anchor = Some(name_node.filter(|_| name.is_some()).unwrap_or(c).use_span());
    let sc = c.get("securityContext").filter(|s| s.is_mapping());
    let mut p = Posture::defaults(Runtime::Containerd, anchor);

    p.run_as_user = pick(int_at(sc, "runAsUser"), &pod.run_as_user, None, anchor);
    p.run_as_group = pick(int_at(sc, "runAsGroup"), &pod.run_as_group, None, anchor);
    let own_non_root =
        bool_at(sc, "runAsNonRoot").map(|b| Located::new(Some(b.value), b.origin, b.span));
    p.run_as_non_root = pick(own_non_root, &pod.run_as_non_root, None, anchor);

    // The kubelet's order: container field, container annotation, pod field, pod annotation
    // (kuberuntime's getSeccompProfile). "Fields win over annotations" holds at each level.
    let seccomp = seccomp_field(sc)
        .or_else(|| {
            annotation_for(pod.annotations, SECCOMP_CONTAINER_ANNOTATION_PREFIX, name)
                .and_then(seccomp_annotation)
        })
        .or_else(|| pod.seccomp.clone())
        .or_else(|| pod.seccomp_pod_annotation.clone());
    p.seccomp = seccomp.unwrap_or_else(|| Located::default_at(Seccomp::KubernetesUnset, anchor));
    // Same order for AppArmor (the kubelet's apparmor.GetProfile); there is no pod annotation.
    let apparmor = apparmor_field(sc)
        .or_else(|| {
            annotation_for(pod.annotations, APPARMOR_CONTAINER_ANNOTATION_PREFIX, name)
                .and_then(apparmor_annotation)
        })
        .or_else(|| pod.apparmor.clone());
    p.apparmor = apparmor.unwrap_or_else(|| Located::default_at(AppArmor::RuntimeDefault, anchor));
    p.selinux = pick(selinux_field(sc), &pod.selinux, Selinux::default(), anchor);

    if let Some(v) = bool_at(sc, "privileged") {
        p.privileged = v;
    }
    if let Some(v) = bool_at(sc, "allowPrivilegeEscalation") {
        p.no_new_privileges = Located::new(!v.value, v.origin, v.span);
    }
    if let Some(v) = bool_at(sc, "readOnlyRootFilesystem") {
        p.read_only_rootfs = v;
    }
    if let Some(node) = sc.and_then(|s| s.get("procMount")) {
        match node.as_str() {
            Some("Unmasked") => p.proc_mount = Located::written(ProcMount::Unmasked, at(node)),
            Some("Default") => p.proc_mount = Located::written(ProcMount::Default, at(node)),
            _ => {}
        }
    }
    let caps = sc.and_then(|s| s.get("capabilities"));
    p.capabilities_span = caps.or(sc).map(|n| n.use_span()).or(anchor);
    let cap_list = |key: &str| -> Vec<Located<CapSpec>> {
        items_of(caps.and_then(|c| c.get(key)))
            .into_iter()
            .filter_map(|item| {
                let name = non_empty_str(item)?;
                Some(Located::written(CapSpec::parse(name), at(item)))
            })
            .collect()
    };
    p.cap_add = cap_list("add");
    p.cap_drop = cap_list("drop");

    p.host_pid = pod.host_pid.clone().unwrap_or(p.host_pid);
    p.host_ipc = pod.host_ipc.clone().unwrap_or(p.host_ipc);
    p.host_network = pod.host_network.clone().unwrap_or(p.host_network);
    // `hostUsers: false` turns a user namespace on; absent or true means none, which is
    // Kubernetes' default. The host-userns rule is about Docker daemons that remap users and a
    // container opting out (`--userns=host`), which has no Kubernetes counterpart, so
    // host_userns keeps its default (false) here.
    p.sysctls = pod.sysctls.clone();
    if let Some(v) = &pod.automount_token {
        p.automount_service_account_token = v.clone();
    }

    if let Some(image) = c.get("image")
        && let Some(s) = non_empty_str(image)
    {
        p.image = Located::written(Some(s.to_string()), at(image));
    }
    for port in items_of(c.get("ports")) {
        let Some(node) = port.get("hostPort") else {
            continue;
        };
        // hostPort 0 means "none"; anything outside 1..=65535 is rejected by the API server.
        if let Some(n) = node
            .as_i64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|&n| n != 0)
        {
            p.host_ports.push(Located::written(n, at(node)));
        }
    }
    // Only volumes some container mounts are recorded: a hostPath volume nobody mounts is
    // still handed to the pod, but no process in it can reach the path.
    for vm in items_of(c.get("volumeMounts")) {
        read_volume_mount(vm, pod, &mut p);
    }

    Container {
        name: name.map(str::to_string),
        role,
        posture: p,
    }
}

/// Adds what one `volumeMounts` entry gives the container: a bind mount (and a device) for a
/// hostPath volume, a tmpfs for a memory-backed emptyDir, an opaque mount for anything else.
fn read_volume_mount(vm: Node<'_>, pod: &PodLevel<'_>, p: &mut Posture) {
    let mount_path = vm.get("mountPath");
    let container_path = mount_path.and_then(non_empty_str).map(str::to_string);
    let read_only = vm.get("readOnly").and_then(|r| r.as_bool()) == Some(true);
    let volume = vm
        .get("name")
        .and_then(non_empty_str)
        .and_then(|n| pod.volumes.get(n).copied());
    // A mount of a volume the pod does not declare is rejected by the API server; it is kept
    // as an opaque mount rather than dropped, so that the container path is still known.
    let Some(volume) = volume else {
        p.mounts.push(Mount {
            kind: MountKind::Other,
            host_path: None,
            container_path,
            read_only,
            span: at(mount_path.unwrap_or(vm)),
        });
        return;
    };
    if let Some((path, path_node)) = volume.host_path {
        if volume.device {
            p.devices
                .push(Located::written(path.to_string(), at(path_node)));
        }
        p.mounts.push(Mount {
            kind: MountKind::Bind,
            host_path: Some(path.to_string()),
            container_path,
            read_only,
            span: at(path_node),
        });
        return;
    }
    p.mounts.push(Mount {
        kind: if volume.in_memory {
            MountKind::Tmpfs
        } else {
            MountKind::Other
        },
        host_path: None,
        container_path,
        read_only,
        span: at(mount_path.unwrap_or(vm)),
    });
}

//! From a resolved service to its [`Posture`].

use super::service::ServiceSpec;
use super::volumes::tmpfs_path;
use minpriv_model::{
    AppArmor, CapSpec, Located, Mount, MountKind, Posture, ProcMount, Runtime, Seccomp, Selinux,
    Span,
};
use std::collections::HashMap;

/// The posture of a service whose key is at `anchor`. `bind_volumes` maps names of top-level
/// volumes that are host binds to their host path. Remarks go to `notes`.
pub(crate) fn posture(
    spec: &ServiceSpec,
    anchor: Span,
    bind_volumes: &HashMap<String, String>,
    notes: &mut Vec<String>,
) -> Posture {
    let anchor = Some(anchor);
    let mut p = Posture::defaults(Runtime::Docker, anchor);
    if let Some(image) = spec.image.as_ref().filter(|i| !i.value.trim().is_empty()) {
        p.image = Located::new(
            Some(image.value.trim().to_string()),
            image.origin,
            image.span,
        );
    }
    // An empty user (a variable that is not set) leaves the image's user in force, as Docker
    // does with an empty `User`.
    if let Some(user) = spec.user.as_ref().filter(|u| !u.value.trim().is_empty()) {
        p.user = Located::new(Some(user.value.trim().to_string()), user.origin, user.span);
    }
    if let Some(b) = &spec.privileged {
        p.privileged = b.clone();
    }
    if let Some(b) = &spec.read_only {
        p.read_only_rootfs = b.clone();
    }
    let caps = |field: &Option<super::service::ListField>| -> Vec<Located<CapSpec>> {
        field.as_ref().map_or_else(Vec::new, |f| {
            f.items
                .iter()
                .map(|l| Located::new(CapSpec::parse(&l.value), l.origin, l.span))
                .collect()
        })
    };
    p.cap_add = caps(&spec.cap_add);
    p.cap_drop = caps(&spec.cap_drop);
    p.capabilities_span = spec
        .cap_drop
        .as_ref()
        .or(spec.cap_add.as_ref())
        .map(|f| f.key)
        .or(anchor);
    let mut selinux_rank = 0;
    for opt in &spec.security_opt {
        apply_security_opt(&mut p, opt, &mut selinux_rank, notes);
    }
    let host = |field: &Option<Located<String>>, p_field: &mut Located<bool>| {
        if let Some(l) = field {
            *p_field = Located::new(l.value.trim() == "host", l.origin, l.span);
        }
    };
    host(&spec.pid, &mut p.host_pid);
    host(&spec.ipc, &mut p.host_ipc);
    host(&spec.network_mode, &mut p.host_network);
    host(&spec.uts, &mut p.host_uts);
    host(&spec.userns_mode, &mut p.host_userns);
    for v in &spec.volumes {
        let parts = &v.parts;
        let (kind, host_path) = match (parts.kind, &parts.source) {
            (MountKind::Bind, source) => (MountKind::Bind, source.clone()),
            (MountKind::Volume, Some(name)) => match bind_volumes.get(name) {
                Some(device) => (MountKind::Bind, Some(device.clone())),
                None => (MountKind::Volume, None),
            },
            (kind, _) => (kind, None),
        };
        p.mounts.push(Mount {
            kind,
            host_path,
            container_path: parts.target.clone(),
            read_only: parts.read_only,
            span: Some(v.span),
        });
    }
    for t in &spec.tmpfs {
        p.mounts.push(Mount {
            kind: MountKind::Tmpfs,
            host_path: None,
            container_path: Some(tmpfs_path(&t.value).to_string()),
            read_only: false,
            span: t.span,
        });
    }
    p.devices = spec.devices.clone();
    p.sysctls = spec.sysctls.clone();
    p.published_ports = spec.ports.clone();
    p
}

/// Go's `strconv.ParseBool`, which the Docker daemon uses for `no-new-privileges:VALUE`.
fn go_parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Applies one `security_opt` entry the way the Docker daemon parses it: `no-new-privileges`
/// and `disable` alone, else `key=value` or the older `key:value`.
fn apply_security_opt(
    p: &mut Posture,
    opt: &Located<String>,
    selinux_rank: &mut u8,
    notes: &mut Vec<String>,
) {
    let text = opt.value.trim();
    let at = |l: &Located<String>| {
        l.span
            .map_or_else(String::new, |s| format!(" (line {})", s.line))
    };
    fn located<T>(opt: &Located<String>, value: T) -> Located<T> {
        Located::new(value, opt.origin, opt.span)
    }
    if text == "no-new-privileges" {
        p.no_new_privileges = located(opt, true);
        return;
    }
    let (key, value) = if text == "disable" {
        ("label", "disable")
    } else if let Some(kv) = text.split_once('=') {
        kv
    } else if let Some(kv) = text.split_once(':') {
        kv
    } else {
        (text, "")
    };
    match key {
        "no-new-privileges" => match go_parse_bool(value) {
            Some(b) => p.no_new_privileges = located(opt, b),
            None => notes.push(format!(
                "security_opt '{text}'{}: no-new-privileges takes true or false; ignored",
                at(opt)
            )),
        },
        "seccomp" => {
            p.seccomp = located(
                opt,
                match value {
                    "unconfined" => Seccomp::Unconfined,
                    "" | "builtin" => Seccomp::RuntimeDefault,
                    profile => Seccomp::Custom(profile.to_string()),
                },
            );
        }
        "apparmor" => {
            p.apparmor = located(
                opt,
                match value {
                    "unconfined" => AppArmor::Unconfined,
                    "" | "docker-default" => AppArmor::RuntimeDefault,
                    profile => AppArmor::Custom(profile.to_string()),
                },
            );
        }
        "label" => apply_label(p, opt, value, selinux_rank, notes),
        "systempaths" if value == "unconfined" => p.proc_mount = located(opt, ProcMount::Unmasked),
        // Allowed by Docker; it changes no privilege the model tracks.
        "writable-cgroups" => {}
        _ => notes.push(format!(
            "security_opt '{text}'{} is not an option Docker knows; ignored",
            at(opt)
        )),
    }
}

/// `label=disable`, `label=type:T`, `label=user:U`, `label=role:R`, `label=level:L`. Several
/// label entries build one SELinux setting; its span is the entry that weakens it most
/// (disable, then type, then user or role, then level), which is where a finding belongs.
fn apply_label(
    p: &mut Posture,
    opt: &Located<String>,
    value: &str,
    rank: &mut u8,
    notes: &mut Vec<String>,
) {
    let mut selinux: Selinux = p.selinux.value.clone();
    let this_rank = if value == "disable" {
        selinux.disabled = true;
        4
    } else {
        let (slot, rank) = match value.split_once(':') {
            Some(("type", v)) => (&mut selinux.type_, (3, v)),
            Some(("user", v)) => (&mut selinux.user, (2, v)),
            Some(("role", v)) => (&mut selinux.role, (2, v)),
            Some(("level", v)) => (&mut selinux.level, (1, v)),
            _ => {
                notes.push(format!(
                    "security_opt label '{value}' is not understood; ignored"
                ));
                return;
            }
        };
        *slot = Some(rank.1.to_string());
        rank.0
    };
    let (origin, span) = if this_rank >= *rank {
        *rank = this_rank;
        (opt.origin, opt.span)
    } else {
        (p.selinux.origin, p.selinux.span)
    };
    p.selinux = Located::new(selinux, origin, span);
}

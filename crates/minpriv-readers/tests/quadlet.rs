//! Quadlet reader: hand-written units (see `fixtures/quadlet/README.md`), every key with the
//! line and text it is reported at.

use minpriv_model::{
    CapSpec, Capability, MountKind, Origin, Posture, ProcMount, Runtime, Seccomp, Source, Span,
};
use minpriv_readers::{Format, ReadOutput, Resolver, detect_format, quadlet};
use std::path::{Path, PathBuf};

/// The fixtures folder, reading the file `.1` (for its drop-ins).
struct Folder(PathBuf, Option<String>);

impl Resolver for Folder {
    fn read_relative(&self, relative: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(relative)).ok()
    }
    fn env(&self, _name: &str) -> Option<String> {
        None
    }
    fn own_name(&self) -> Option<String> {
        self.1.clone()
    }
    fn list_relative(&self, relative: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.0.join(relative))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quadlet")
}

fn read(name: &str) -> (String, ReadOutput) {
    let text = std::fs::read_to_string(folder().join(name)).unwrap();
    let out = quadlet::read(&text, &Folder(folder(), Some(name.to_string())));
    (text, out)
}

fn only(out: &ReadOutput) -> &Posture {
    assert_eq!(out.workloads.len(), 1, "{:?}", out.errors);
    assert_eq!(out.workloads[0].source, Source::Quadlet);
    &out.workloads[0].containers[0].posture
}

/// The text a span covers, and its line.
fn at(text: &str, span: Option<Span>) -> (u32, &str) {
    let s = span.expect("a span");
    (s.line, &text[s.start..s.end])
}

#[test]
fn units_are_recognised_by_their_names() {
    for name in ["web.container", "shop.pod", "web.kube"] {
        assert_eq!(
            detect_format(Path::new(name), b""),
            Some(Format::Quadlet),
            "{name}"
        );
    }
    assert_eq!(detect_format(Path::new("web.service"), b"[Unit]\n"), None);
}

#[test]
fn every_key_is_read_with_its_line() {
    let (text, out) = read("every_key.container");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let p = only(&out);
    assert_eq!(p.runtime, Runtime::Podman);
    assert_eq!(
        at(&text, p.image.span),
        (6, "registry.example.com/shop/web:2.1")
    );
    assert_eq!(p.user.value.as_deref(), Some("1000:1000"));
    assert_eq!(at(&text, p.user.span), (7, "1000"));
    // AddCapability continued on the next line: each name where it is written.
    let added: Vec<(u32, &str)> = p.cap_add.iter().map(|c| at(&text, c.span)).collect();
    assert_eq!(added, vec![(10, "NET_ADMIN"), (11, "SYS_TIME")]);
    assert_eq!(p.cap_add[0].value, CapSpec::Cap(Capability::NET_ADMIN));
    assert_eq!(p.cap_drop[0].value, CapSpec::Cap(Capability::MKNOD));
    assert_eq!(at(&text, p.cap_drop[0].span), (12, "MKNOD"));
    assert!(!p.no_new_privileges.value);
    assert_eq!(p.no_new_privileges.origin, Origin::Written);
    assert_eq!(
        at(&text, p.no_new_privileges.span),
        (13, "NoNewPrivileges=false")
    );
    assert!(!p.read_only_rootfs.value && p.read_only_rootfs.origin == Origin::Written);
    assert_eq!(p.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(&text, p.seccomp.span).0, 16);
    assert!(p.selinux.value.disabled);
    assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
    assert_eq!(p.proc_mount.value, ProcMount::Unmasked);
    assert_eq!(at(&text, p.proc_mount.span), (20, "Unmask=ALL"));
    let docker_sock = &p.mounts[0];
    assert_eq!(docker_sock.kind, MountKind::Bind);
    assert_eq!(
        docker_sock.host_path.as_deref(),
        Some("/var/run/docker.sock")
    );
    assert_eq!(at(&text, docker_sock.span).0, 21);
    let etc = &p.mounts[1];
    assert_eq!(etc.host_path.as_deref(), Some("/etc"));
    assert!(etc.read_only);
    assert_eq!(at(&text, etc.span).0, 22);
    assert_eq!(p.devices[0].value, "/dev/fuse");
    assert_eq!(at(&text, p.devices[0].span), (23, "/dev/fuse"));
    assert!(p.host_network.value);
    assert_eq!(at(&text, p.host_network.span), (24, "host"));
    assert_eq!(at(&text, p.published_ports[0].span).0, 25);
    let sysctls: Vec<(&str, &str)> = p
        .sysctls
        .iter()
        .map(|s| (s.value.0.as_str(), s.value.1.as_str()))
        .collect();
    assert_eq!(
        sysctls,
        vec![("kernel.msgmax", "65536"), ("net.ipv4.ip_forward", "1")]
    );
    assert!(p.host_userns.value);
    assert_eq!(at(&text, p.host_userns.span), (27, "host"));
    // PodmanArgs, read as podman run flags with their places.
    assert!(p.host_pid.value && p.host_ipc.value);
    assert_eq!(at(&text, p.host_pid.span), (29, "host"));
    assert_eq!(at(&text, p.host_ipc.span), (29, "host"));
}

#[test]
fn a_hardened_unit_reads_hardened() {
    let (text, out) = read("hardened.container");
    let p = only(&out);
    assert_eq!(p.cap_drop[0].value, CapSpec::All);
    assert_eq!(at(&text, p.cap_drop[0].span), (5, "all"));
    assert_eq!(
        p.cap_add[0].value,
        CapSpec::Cap(Capability::NET_BIND_SERVICE)
    );
    assert!(p.no_new_privileges.value && p.read_only_rootfs.value);
    assert_eq!(p.user.value.as_deref(), Some("10001:10001"));
    assert_eq!(p.seccomp.value, Seccomp::RuntimeDefault);
    assert!(!p.host_network.value && p.mounts.is_empty());
}

#[test]
fn an_empty_assignment_empties_a_list_and_the_last_value_wins() {
    let (text, out) = read("repeated_and_reset.container");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let p = only(&out);
    let added: Vec<&CapSpec> = p.cap_add.iter().map(|c| &c.value).collect();
    assert_eq!(added, vec![&CapSpec::Cap(Capability::CHOWN)]);
    assert_eq!(at(&text, p.cap_add[0].span), (6, "CHOWN"));
    assert!(!p.read_only_rootfs.value);
    assert_eq!(at(&text, p.read_only_rootfs.span), (9, "ReadOnly=no"));
    // The second [Container] section's User.
    assert_eq!(p.user.value.as_deref(), Some("0"));
}

#[test]
fn a_container_in_a_pod_gets_the_pods_host_namespaces() {
    let (text, out) = read("member.container");
    let p = only(&out);
    assert!(p.host_network.value && p.host_userns.value);
    assert_eq!(at(&text, p.host_network.span), (3, "shop.pod"));
    // Without the pod unit, a note says its settings are unknown.
    let text = std::fs::read_to_string(folder().join("member.container")).unwrap();
    let out = quadlet::read(&text, &minpriv_readers::NoResolver);
    assert!(!only(&out).host_network.value);
    assert!(
        out.notes.iter().any(|n| n.contains("shop.pod")),
        "{:?}",
        out.notes
    );
    // The pod unit alone holds no container.
    let (_, out) = read("shop.pod");
    assert!(out.workloads.is_empty() && out.errors.is_empty());
}

#[test]
fn a_kube_unit_points_at_its_yaml() {
    let (_, out) = read("web.kube");
    assert!(out.workloads.is_empty());
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("web.yaml") && n.contains("podman kube play")),
        "{:?}",
        out.notes
    );
}

#[test]
fn bad_lines_are_errors_with_lines_and_the_rest_is_read() {
    let (_, out) = read("broken.container");
    let lines: Vec<u32> = out
        .errors
        .iter()
        .map(|e| e.span.expect("a span").line)
        .collect();
    assert_eq!(lines, vec![1, 2, 4], "{:?}", out.errors);
    let p = only(&out);
    assert!(p.privileged.value);
    let (_, out) = read("no_image.container");
    assert!(out.workloads.is_empty());
    assert!(out.errors[0].message.contains("Image="), "{:?}", out.errors);
}

#[test]
fn hostile_units_never_panic() {
    for text in [
        "",
        "[",
        "[Container]\nImage=",
        "[Container]\nAddCapability=\"unterminated\nImage=x\n",
        "[Container]\nPodmanArgs=\\\n",
        "[Container]\nImage=x\nUser=\nGroup=1\n",
        "[Container]\n=\nImage=\u{1F600}\nPodmanArgs='\u{e9}' --cap-add \"\\\n",
        "[Container]\nImage=%\nVolume=%%%\u{e9}%t\\\n%h:/x\nRootfs=%\n",
    ] {
        let _ = quadlet::read(text, &minpriv_readers::NoResolver);
        let named = Folder(folder(), Some("%n@%i.container".into()));
        let _ = quadlet::read(text, &named);
    }
}

#[test]
fn drop_ins_override_the_unit_in_name_order() {
    let (text, out) = read("overridden.container");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let p = only(&out);
    let added: Vec<&CapSpec> = p.cap_add.iter().map(|c| &c.value).collect();
    assert_eq!(added, vec![&CapSpec::Cap(Capability::SYS_ADMIN)]);
    assert!(!p.read_only_rootfs.value, "10-caps.conf turns it off");
    assert_eq!(
        p.user.value.as_deref(),
        Some("0"),
        "20-user.conf comes last"
    );
    // Findings from a drop-in point at the unit's [Container] header.
    assert_eq!(at(&text, p.cap_add[0].span), (1, "[Container]"));
    assert!(!p.privileged.value, "notes.txt is no drop-in");
    let notes = out.notes.join("\n");
    assert!(
        notes.contains("overridden.container.d/10-caps.conf sets AddCapability, ReadOnly")
            && notes.contains("overridden.container.d/20-user.conf sets User"),
        "{notes}"
    );
    // Without knowing its own name, the unit is read alone.
    let alone = quadlet::read(&text, &Folder(folder(), None));
    assert!(only(&alone).read_only_rootfs.value);
}

/// Specifiers are expanded as the system manager expands them, and a finding still points at
/// the text as written.
#[test]
fn specifiers_are_expanded_and_point_at_what_is_written() {
    let (text, out) = read("specifiers.container");
    let p = only(&out);
    let hosts: Vec<&str> = p
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Bind)
        .filter_map(|m| m.host_path.as_deref())
        .collect();
    assert_eq!(
        hosts,
        [
            "/run/podman/podman.sock",
            "/root/.ssh",
            "/var/lib/specifiers"
        ]
    );
    let socket = &p.mounts[0];
    let (line, covered) = at(&text, socket.span);
    assert_eq!(line, 5);
    assert!(covered.starts_with("%t/podman/podman.sock"), "{covered}");
    assert_eq!(
        out.workloads[0].containers[0].name.as_deref(),
        Some("specifiers-agent")
    );
}

#[test]
fn a_rootfs_unit_is_read_without_an_image() {
    let (_, out) = read("rootfs.container");
    let p = only(&out);
    assert_eq!(p.image.value, None);
    assert_eq!(p.cap_add[0].value, CapSpec::Cap(Capability::NET_ADMIN));
    assert!(
        out.notes.iter().any(|n| n.contains("/srv/agent-root")),
        "{:?}",
        out.notes
    );
}

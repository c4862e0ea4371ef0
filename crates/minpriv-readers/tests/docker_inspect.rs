//! `docker inspect` reader: fixtures captured from a real Docker Engine (see
//! `fixtures/docker_inspect/README.md`), one hand-written dump, and hostile input.

use minpriv_model::{
    AppArmor, CapSpec, Capability, MountKind, Origin, Posture, ProcMount, Runtime, Seccomp, Source,
    Span, Workload,
};
use minpriv_readers::ReadOutput;
use minpriv_readers::docker_inspect::{self, ComposeGroup};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/docker_inspect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_fixture(name: &str) -> (String, ReadOutput) {
    let text = fixture(name);
    let out = docker_inspect::read(&text);
    assert!(out.errors.is_empty(), "{name}: {:?}", out.errors);
    (text, out)
}

fn only(out: &ReadOutput) -> (&Workload, &Posture) {
    assert_eq!(out.workloads.len(), 1);
    let w = &out.workloads[0];
    assert_eq!(w.containers.len(), 1);
    (w, &w.containers[0].posture)
}

/// Line and column where a span starts.
fn at(span: Option<Span>) -> (u32, u32) {
    let s = span.expect("a span");
    (s.line, s.column)
}

/// The text a span covers.
fn covered(text: &str, span: Option<Span>) -> &str {
    let s = span.expect("a span");
    &text[s.start..s.end]
}

#[test]
fn privileged_container() {
    let (text, out) = read_fixture("privileged.json");
    let (w, p) = only(&out);
    assert_eq!(w.source, Source::DockerInspect);
    assert_eq!(w.resource, "container/fx-privileged");
    assert_eq!(w.containers[0].name.as_deref(), Some("fx-privileged"));
    assert!(p.privileged.value);
    assert_eq!(p.privileged.origin, Origin::Written);
    assert_eq!(at(p.privileged.span), (37, 27));
    assert_eq!(covered(&text, p.privileged.span), "true");
    // The anchor is the Name value.
    assert_eq!(at(p.anchor), (18, 17));
    assert!(covered(&text, p.anchor).contains("/fx-privileged"));
    // Docker adds label=disable itself for privileged containers.
    assert!(p.selinux.value.disabled);
    assert_eq!(p.selinux.origin, Origin::RuntimeDefault);
    assert_eq!(at(p.selinux.span), (41, 17));
    // Null mask lists belong to privileged containers: no separate /proc finding.
    assert_eq!(p.proc_mount.value, ProcMount::Default);
    assert_eq!(p.runtime, Runtime::Docker);
    // Config.User is empty: neither the container nor the image sets a user.
    assert_eq!(p.user.value, None);
    assert_eq!(p.image_user.value, None);
    assert_eq!(p.image_user.origin, Origin::Image);
    assert!(p.root_status().may_be_root());
    assert_eq!(p.image.value.as_deref(), Some("minpriv-engine-fixture:1"));
    assert_eq!(p.image.origin, Origin::Written);
    // Defaults point at the anchor.
    assert_eq!(p.read_only_rootfs.origin, Origin::RuntimeDefault);
    assert_eq!(p.read_only_rootfs.span, p.anchor);
    assert_eq!(p.seccomp.value, Seccomp::RuntimeDefault);
    assert!(p.mounts.is_empty() && p.devices.is_empty() && p.cap_add.is_empty());
}

#[test]
fn cap_add_sys_admin_with_the_cap_prefix() {
    let (text, out) = read_fixture("cap_add_sys_admin.json");
    let (w, p) = only(&out);
    assert_eq!(w.resource, "container/fx-capadd");
    assert_eq!(p.cap_add.len(), 1);
    assert_eq!(p.cap_add[0].value, CapSpec::Cap(Capability::SYS_ADMIN));
    assert_eq!(p.cap_add[0].origin, Origin::Written);
    assert_eq!(at(p.cap_add[0].span), (33, 17));
    assert_eq!(covered(&text, p.cap_add[0].span), "\"CAP_SYS_ADMIN\"");
    assert_eq!(at(p.capabilities_span), (32, 23));
    assert!(p.cap_drop.is_empty());
    assert!(!p.privileged.value);
    assert_eq!(p.privileged.origin, Origin::RuntimeDefault);
    assert!(
        p.effective_privileges()
            .bounding
            .contains(Capability::SYS_ADMIN)
    );
}

#[test]
fn docker_socket_bind_from_the_mounts_list() {
    let (text, out) = read_fixture("docker_sock.json");
    let (_, p) = only(&out);
    // Binds and Mounts both name the socket; it is counted once.
    assert_eq!(p.mounts.len(), 1, "{:?}", p.mounts);
    let m = &p.mounts[0];
    assert_eq!(m.kind, MountKind::Bind);
    assert_eq!(m.host_path.as_deref(), Some("/var/run/docker.sock"));
    assert_eq!(m.container_path.as_deref(), Some("/var/run/docker.sock"));
    assert!(!m.read_only);
    let line = text
        .lines()
        .position(|l| l.contains("\"Source\": \"/var/run/docker.sock\""))
        .unwrap() as u32
        + 1;
    assert_eq!(at(m.span), (line, 27));
    assert!(p.effective_privileges().escape_paths.iter().any(|e| {
        let d = e.describe();
        d.contains("docker.sock") || d.contains("socket")
    }));
}

#[test]
fn host_pid() {
    let (text, out) = read_fixture("pid_host.json");
    let (_, p) = only(&out);
    assert!(p.host_pid.value);
    assert_eq!(p.host_pid.origin, Origin::Written);
    assert_eq!(covered(&text, p.host_pid.span), "\"host\"");
    assert_eq!(at(p.host_pid.span), (36, 24));
    assert!(!p.host_ipc.value && !p.host_network.value && !p.host_uts.value);
}

#[test]
fn selinux_labels_docker_adds_are_not_the_users() {
    // `--pid host`, `--ipc host` and `--privileged`: Docker's own `label=disable`.
    for name in [
        "pid_host.json",
        "ipc_host_label_from_docker.json",
        "privileged.json",
    ] {
        let (_, out) = read_fixture(name);
        let (_, p) = only(&out);
        assert!(p.selinux.value.disabled, "{name}");
        assert_eq!(p.selinux.origin, Origin::RuntimeDefault, "{name}");
        assert!(!p.selinux.is_written(), "{name}");
    }
    // `--pid container:ID`: Docker's copy of the other container's label.
    let (text, out) = read_fixture("pid_container_label_copied.json");
    let (_, p) = only(&out);
    assert_eq!(p.selinux.value.user.as_deref(), Some("system_u"));
    assert_eq!(p.selinux.value.level.as_deref(), Some("s0:c120,c354"));
    assert_eq!(p.selinux.origin, Origin::RuntimeDefault);
    assert!(covered(&text, p.selinux.span).starts_with("\"label="));
    assert!(!p.host_pid.value);
    // The user's own label, with `--pid host`: Docker then adds none, and it is the user's.
    let (text, out) = read_fixture("user_labels_with_pid_host.json");
    let (_, p) = only(&out);
    assert!(p.host_pid.value);
    assert!(!p.selinux.value.disabled);
    assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
    assert_eq!(p.selinux.origin, Origin::Written);
    assert_eq!(covered(&text, p.selinux.span), "\"label=type:spc_t\"");
    assert_eq!(p.apparmor.value, AppArmor::Unconfined);
    assert_eq!(p.apparmor.origin, Origin::Written);
}

#[test]
fn label_origin_follows_what_docker_adds() {
    use docker_inspect::label_origin;
    let origin = |opts: &[&str], privileged: bool, pid: &str, ipc: &str| {
        label_origin(opts.iter().copied(), privileged, [pid, ipc])
    };
    assert_eq!(
        origin(&["label=disable"], false, "host", ""),
        Origin::RuntimeDefault
    );
    assert_eq!(
        origin(&["label:disable"], false, "", " host"),
        Origin::RuntimeDefault
    );
    assert_eq!(
        origin(&["label=disable"], true, "", ""),
        Origin::RuntimeDefault
    );
    // Without a cause, `label=disable` is the user's.
    assert_eq!(
        origin(&["label=disable"], false, "", "private"),
        Origin::Written
    );
    assert_eq!(
        origin(&["label=disable", "label=type:spc_t"], false, "host", ""),
        Origin::Written
    );
    let copied = ["label=user:u", "label=role:r", "label=type:container_t"];
    assert_eq!(
        origin(&copied, false, "container:x", ""),
        Origin::RuntimeDefault
    );
    assert_eq!(
        origin(&copied, false, "", "container:x"),
        Origin::RuntimeDefault
    );
    assert_eq!(origin(&copied, false, "", ""), Origin::Written);
    assert_eq!(
        origin(&["label=type:spc_t"], false, "container:x", ""),
        Origin::Written
    );
}

#[test]
fn hardened_container() {
    let (text, out) = read_fixture("hardened.json");
    let (_, p) = only(&out);
    assert!(p.read_only_rootfs.value);
    assert_eq!(at(p.read_only_rootfs.span), (41, 31));
    assert_eq!(p.user.value.as_deref(), Some("1000"));
    assert_eq!(p.user.origin, Origin::Written);
    assert_eq!(at(p.user.span), (72, 21));
    assert!(!p.root_status().may_be_root());
    assert_eq!(p.cap_drop.len(), 1);
    assert_eq!(p.cap_drop[0].value, CapSpec::All);
    assert_eq!(at(p.cap_drop[0].span), (34, 17));
    assert_eq!(at(p.capabilities_span), (33, 24));
    assert!(p.no_new_privileges.value);
    assert_eq!(
        covered(&text, p.no_new_privileges.span),
        "\"no-new-privileges\""
    );
    assert_eq!(at(p.no_new_privileges.span), (43, 17));
    assert_eq!(p.proc_mount.value, ProcMount::Default);
    assert!(p.effective_privileges().bounding.is_empty());
}

#[test]
fn compose_labelled_container_and_many_options() {
    let text = fixture("compose_labelled.json");
    let mut out = ReadOutput::default();
    let containers = docker_inspect::read_containers(&text, &mut out);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(c.workload.resource, "container/shop-web-1");
    assert_eq!(c.workload.containers[0].name.as_deref(), Some("web"));
    assert_eq!(
        c.compose,
        Some(ComposeGroup {
            project: "shop".into(),
            service: "web".into()
        })
    );
    assert_eq!(c.state.as_deref(), Some("running"));
    assert!(c.image_id.as_deref().unwrap().starts_with("sha256:"));
    assert_eq!(c.labels.get("minpriv.test").map(String::as_str), Some("1"));

    let p = &c.workload.containers[0].posture;
    assert_eq!(p.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(p.seccomp.span), (43, 17));
    assert_eq!(p.apparmor.value, AppArmor::Unconfined);
    assert_eq!(p.apparmor.origin, Origin::Written);
    assert_eq!(at(p.apparmor.span), (44, 17));
    // `label=disable` was given with `--ipc host`, for which Docker adds exactly that label
    // itself: the dump cannot tell them apart, and either way it is what `--ipc host` does.
    assert!(p.selinux.value.disabled);
    assert_eq!(p.selinux.origin, Origin::RuntimeDefault);
    assert_eq!(at(p.selinux.span), (45, 17));
    // systempaths=unconfined shows only as empty mask lists.
    assert_eq!(p.proc_mount.value, ProcMount::Unmasked);
    assert_eq!(at(p.proc_mount.span), (72, 28));
    assert!(p.host_ipc.value && p.host_uts.value && p.host_network.value);
    assert!(p.host_userns.value);
    assert_eq!(at(p.host_network.span), (28, 28));
    assert!(!p.host_pid.value);
    assert_eq!(p.devices.len(), 1);
    assert_eq!(p.devices[0].value, "/dev/null:/dev/xnull");
    assert_eq!(at(p.devices[0].span), (55, 35));

    // Volume, bind and tmpfs from the Mounts list, the --tmpfs one from HostConfig.Tmpfs.
    let kinds: Vec<_> = p
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.host_path.as_deref(),
                m.container_path.as_deref(),
                m.read_only,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (MountKind::Volume, None, Some("/data"), false),
            (MountKind::Bind, Some("/etc"), Some("/hostetc"), true),
            (MountKind::Tmpfs, None, Some("/scratch"), false),
            (MountKind::Tmpfs, None, Some("/run"), false),
        ]
    );
    assert_eq!(at(p.mounts[1].span), (88, 27));
    assert_eq!(at(p.mounts[3].span), (48, 17));
}

#[test]
fn inline_seccomp_profile_and_selinux_type() {
    let (_, out) = read_fixture("seccomp_profile.json");
    let (_, p) = only(&out);
    assert_eq!(
        p.seccomp.value,
        Seccomp::Custom("inline profile (defaultAction SCMP_ACT_ALLOW)".into())
    );
    assert_eq!(p.seccomp.origin, Origin::Written);
    assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
    assert!(!p.selinux.value.disabled);
}

#[test]
fn published_ports_and_sysctls() {
    let (text, out) = read_fixture("ports_sysctls.json");
    let (_, p) = only(&out);
    let ports: Vec<&str> = p.published_ports.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(
        ports,
        vec![
            "127.0.0.1:8080:80",
            "9090:90/udp",
            "all exposed ports (--publish-all)"
        ]
    );
    assert!(
        p.published_ports
            .iter()
            .all(|l| l.origin == Origin::Written)
    );
    let sysctls: Vec<(&str, &str)> = p
        .sysctls
        .iter()
        .map(|l| (l.value.0.as_str(), l.value.1.as_str()))
        .collect();
    assert_eq!(
        sysctls,
        vec![
            ("kernel.msgmax", "65536"),
            ("net.ipv4.ip_unprivileged_port_start", "0")
        ]
    );
    assert_eq!(covered(&text, p.sysctls[0].span), "\"kernel.msgmax\"");
}

#[test]
fn the_images_user_is_merged_into_config_user() {
    let (_, out) = read_fixture("image_user.json");
    let (_, p) = only(&out);
    assert_eq!(p.user.value.as_deref(), Some("1234"));
    assert!(!p.root_status().may_be_root());
}

#[test]
fn several_containers_in_one_array() {
    let (_, out) = read_fixture("several.json");
    let resources: Vec<&str> = out.workloads.iter().map(|w| w.resource.as_str()).collect();
    assert_eq!(
        resources,
        vec!["container/fx-capadd", "container/fx-hardened"]
    );
    let second = &out.workloads[1].containers[0].posture;
    assert!(
        second.anchor.unwrap().line > out.workloads[0].containers[0].posture.anchor.unwrap().line
    );
}

#[test]
fn a_single_object_with_binds_and_legacy_option_spelling() {
    let (text, out) = read_fixture("hand_written_binds.json");
    let (w, p) = only(&out);
    assert_eq!(w.resource, "container/legacy");
    // No top-level Mounts: Binds, HostConfig.Mounts and Tmpfs are read.
    let mounts: Vec<_> = p
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.host_path.as_deref(),
                m.container_path.as_deref(),
                m.read_only,
            )
        })
        .collect();
    assert_eq!(
        mounts,
        vec![
            (
                MountKind::Bind,
                Some("/var/run/docker.sock"),
                Some("/var/run/docker.sock"),
                true
            ),
            (MountKind::Volume, None, Some("/data"), false),
            (MountKind::Bind, Some("/srv/app"), Some("/app"), false),
            (MountKind::Bind, Some("/etc"), Some("/host/etc"), true),
            (MountKind::Tmpfs, None, Some("/tmp"), true),
        ]
    );
    assert_eq!(at(p.mounts[0].span), (8, 13));
    assert_eq!(
        p.cap_add
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>(),
        vec![CapSpec::Cap(Capability::NET_ADMIN), CapSpec::All]
    );
    assert!(p.no_new_privileges.value);
    assert_eq!(p.apparmor.value, AppArmor::Unconfined);
    assert_eq!(covered(&text, p.apparmor.span), "\"apparmor:unconfined\"");
    assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
    assert_eq!(p.seccomp.value, Seccomp::Unconfined);
    assert_eq!(
        p.image.value.as_deref(),
        Some("registry.example.com/team/legacy:2.1")
    );
    // No Config.User at all: the image's user is unknown here.
    assert_eq!(p.image_user.origin, Origin::Unknown);
    assert!(p.root_status().may_be_root());
}

#[test]
fn the_live_mapping_matches_the_file_mapping_on_every_fixture() {
    for name in [
        "privileged.json",
        "cap_add_sys_admin.json",
        "docker_sock.json",
        "pid_host.json",
        "hardened.json",
        "compose_labelled.json",
        "seccomp_profile.json",
        "ports_sysctls.json",
        "image_user.json",
        "hand_written_binds.json",
        "ipc_host_label_from_docker.json",
        "pid_container_label_copied.json",
        "user_labels_with_pid_host.json",
    ] {
        let text = fixture(name);
        let file = docker_inspect::read(&text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first = if value.is_array() { &value[0] } else { &value };
        let live =
            docker_inspect::container_from_inspect(first, Source::DockerEngine, Runtime::Docker)
                .unwrap();
        let mut a = serde_json::to_value(&file.workloads[0]).unwrap();
        let mut b = serde_json::to_value(&live.workload).unwrap();
        // Only the source and the spans may differ.
        strip_spans(&mut a);
        strip_spans(&mut b);
        a["source"] = serde_json::Value::Null;
        b["source"] = serde_json::Value::Null;
        assert_eq!(a, b, "{name}");
        assert!(
            serde_json::to_string(&live.workload)
                .unwrap()
                .find("\"span\"")
                .is_none()
        );
    }
}

fn strip_spans(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            o.remove("span");
            o.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

#[test]
fn podman_dumps_get_podmans_defaults() {
    let text = r#"[{"Id": "abc", "Name": "web", "OCIRuntime": "crun", "ImageName": "quay.io/x/y:1",
        "HostConfig": {"CapAdd": [], "CapDrop": ["CAP_AUDIT_WRITE"]}, "Config": {"User": ""}}]"#;
    let out = docker_inspect::read(text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        out.workloads[0].containers[0].posture.runtime,
        Runtime::Podman
    );
    assert_eq!(out.workloads[0].resource, "container/web");
}

#[test]
fn not_containers_and_broken_json_are_errors_not_panics() {
    let image = r#"[{"Id": "sha256:1", "RepoTags": ["x:1"], "Config": {"User": ""}}]"#;
    let out = docker_inspect::read(image);
    assert!(out.workloads.is_empty());
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].message.contains("image"), "{:?}", out.errors);
    assert_eq!(out.errors[0].span.unwrap().line, 1);

    let broken = "[{\"Name\": \"/x\", \"HostConfig\": {\"Privileged\": tru";
    let out = docker_inspect::read(broken);
    assert!(!out.errors.is_empty());
    assert!(out.errors[0].message.starts_with("invalid JSON"));

    for hostile in [
        "",
        "[]",
        "42",
        "\"text\"",
        "[1, null, \"x\", []]",
        "[{\"HostConfig\": {\"CapAdd\": \"SYS_ADMIN\", \"Binds\": {\"a\": 1}, \"Devices\": [1, {}], \
         \"PortBindings\": {\"80/tcp\": null, \"x\": [{}]}, \"Sysctls\": [\"a\"], \"Tmpfs\": [], \
         \"SecurityOpt\": [\"\", \":\", \"=\", \"label=\", \"seccomp={\", null]}, \
         \"Mounts\": [null, {}, {\"Type\": 5}], \"Config\": {\"User\": 5, \"Labels\": []}, \
         \"Name\": null}]",
        "[{\"HostConfig\": {\"Binds\": [\"::::\", \":\", \"\"]}}]",
        &"[".repeat(10_000),
    ] {
        let out = docker_inspect::read(hostile);
        for w in &out.workloads {
            assert!(w.resource.starts_with("container/"));
        }
    }
}

proptest::proptest! {
    /// Any mix of JSON tokens and inspect keys: the reader returns, never panics, and every
    /// workload it returns is a container.
    #[test]
    fn arbitrary_token_soup_never_panics(tokens in proptest::collection::vec(
        proptest::sample::select(vec![
            "[", "]", "{", "}", ",", ":", "null", "true", "false", "0", "-1", "\"\"",
            "\"HostConfig\"", "\"Config\"", "\"Name\"", "\"/x\"", "\"Mounts\"", "\"Binds\"",
            "\"SecurityOpt\"", "\"label:type\"", "\"seccomp={\"", "\"CapAdd\"", "\"ALL\"",
            "\"Devices\"", "\"PathOnHost\"", "\"Sysctls\"", "\"PortBindings\"", "\"Tmpfs\"",
            "\"User\"", "\"Labels\"", "\"State\"", "\"MaskedPaths\"", "\"ReadonlyPaths\"",
            "\"Type\"", "\"bind\"", "\"Source\"", "\"RW\"", "\n", " ", "\"é\"",
        ]),
        0..80,
    )) {
        let text: String = tokens.concat();
        let out = docker_inspect::read(&text);
        for w in &out.workloads {
            proptest::prop_assert!(w.resource.starts_with("container/"));
            proptest::prop_assert_eq!(w.containers.len(), 1);
        }
    }
}

/// `podman inspect` writes `HostConfig` last, beyond the window a format is sniffed from: the
/// dump must still be recognised (it once gave "no findings") and read with Podman's defaults.
#[test]
fn podman_inspect_dump_is_recognised_and_read() {
    let name = "podman_cap_add_pid_host.json";
    let text = fixture(name);
    let head_end = text.floor_char_boundary(minpriv_readers::detect::SNIFF_BYTES);
    assert!(
        !text[..head_end].contains("\"HostConfig\""),
        "the fixture no longer shows it"
    );
    let path = std::path::Path::new("inspect.json");
    assert_eq!(
        minpriv_readers::detect_format(path, text.as_bytes()),
        Some(minpriv_readers::Format::DockerInspect)
    );
    assert_eq!(
        minpriv_readers::detect::sniff_content(&text),
        minpriv_readers::Format::DockerInspect
    );
    let (text, out) = read_fixture(name);
    let (w, p) = only(&out);
    assert_eq!(w.resource, "container/fx-podman-capadd");
    assert_eq!(p.runtime, Runtime::Podman);
    assert_eq!(p.cap_add.len(), 1);
    assert_eq!(p.cap_add[0].value, CapSpec::Cap(Capability::NET_ADMIN));
    assert_eq!(covered(&text, p.cap_add[0].span), "\"CAP_NET_ADMIN\"");
    assert!(p.host_pid.value);
    assert_eq!(covered(&text, p.host_pid.span), "\"host\"");
}

/// Podman's `CapAdd`/`CapDrop` do not say what its containers start from: containers.conf does.
/// The set it reports (`BoundingCaps`) is the truth, and its `ProcessLabel` says which SELinux
/// type runs.
#[test]
fn podman_reported_capabilities_and_process_label_are_read() {
    let (text, out) = read_fixture("podman_conf_caps_spc_t.json");
    let (_, p) = only(&out);
    assert_eq!(p.runtime, Runtime::Podman);
    let bounding = p.bounding_capabilities();
    assert_eq!(bounding.len(), 14, "{:?}", bounding.sorted_names());
    assert!(bounding.contains(Capability::NET_RAW));
    assert_ne!(bounding, Runtime::Podman.default_capabilities());
    assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
    assert!(p.selinux.is_written());
    assert_eq!(
        covered(&text, p.selinux.span),
        "\"system_u:system_r:spc_t:s0:c12,c345\""
    );

    // The adds and drops the dump shows still apply to the reported set.
    let (_, out) = read_fixture("podman_cap_add_pid_host.json");
    let (_, p) = only(&out);
    let reported: minpriv_model::CapSet = [
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "NET_ADMIN",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
    .iter()
    .filter_map(|n| Capability::parse(n))
    .collect();
    assert_eq!(p.bounding_capabilities(), reported);
    assert!(p.selinux.value.type_.is_none(), "no SELinux on that host");
}

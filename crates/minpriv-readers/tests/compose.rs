//! The Compose reader, on hand-written fixtures in `tests/fixtures/compose/` (one file or folder
//! per feature) and, when it is present, on the shared corpus of real Compose files.

use minpriv_model::{
    AppArmor, CapSpec, Capability, Located, MountKind, Origin, Posture, ProcMount, RootStatus,
    Seccomp, Source, Span,
};
use minpriv_readers::compose::{looks_like_compose, read};
use minpriv_readers::{ReadOutput, Resolver};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads files of one folder and answers variables from a fixed map.
struct FolderResolver {
    dir: PathBuf,
    env: HashMap<String, String>,
}

impl FolderResolver {
    fn new(dir: impl Into<PathBuf>, env: &[(&str, &str)]) -> Self {
        FolderResolver {
            dir: dir.into(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

impl Resolver for FolderResolver {
    fn read_relative(&self, relative: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.join(relative)).ok()
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose")
}

/// Reads `path` (under the fixtures folder) with its folder as the resolver's root.
fn read_with(path: &str, env: &[(&str, &str)]) -> ReadOutput {
    let file = fixtures().join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    let resolver = FolderResolver::new(file.parent().expect("a folder"), env);
    read(&text, &resolver)
}

/// Reads a fixture and checks that it has no errors.
fn read_clean(path: &str, env: &[(&str, &str)]) -> ReadOutput {
    let out = read_with(path, env);
    assert!(out.errors.is_empty(), "{path}: {:?}", out.errors);
    out
}

fn service<'a>(out: &'a ReadOutput, name: &str) -> &'a Posture {
    let resource = format!("service/{name}");
    let w = out
        .workloads
        .iter()
        .find(|w| w.resource == resource)
        .unwrap_or_else(|| panic!("no {resource} in {:?}", resources(out)));
    assert_eq!(w.source, Source::Compose);
    assert_eq!(w.containers.len(), 1);
    assert_eq!(w.containers[0].name.as_deref(), Some(name));
    &w.containers[0].posture
}

fn resources(out: &ReadOutput) -> Vec<&str> {
    out.workloads.iter().map(|w| w.resource.as_str()).collect()
}

/// Line and column where a span starts.
fn at(span: Option<Span>) -> (u32, u32) {
    let s = span.expect("a span");
    (s.line, s.column)
}

fn loc<T>(l: &Located<T>) -> (Origin, (u32, u32)) {
    (l.origin, at(l.span))
}

fn caps(list: &[Located<CapSpec>]) -> Vec<String> {
    list.iter().map(|c| c.value.to_string()).collect()
}

#[test]
fn every_service_is_a_workload_anchored_at_its_key() {
    let out = read_clean("host_namespaces.yaml", &[]);
    assert_eq!(
        resources(&out),
        ["service/all_host", "service/shared", "service/none"]
    );
    let none = service(&out, "none");
    assert_eq!(at(none.anchor), (14, 3));
    assert_eq!(at(out.workloads[2].span), (14, 3));
    // Absent settings are Docker's defaults, pointing at the service's key.
    assert_eq!(loc(&none.host_pid), (Origin::RuntimeDefault, (14, 3)));
    assert_eq!(at(none.capabilities_span), (14, 3));
    assert_eq!(none.seccomp.value, Seccomp::RuntimeDefault);
    assert_eq!(none.image.value.as_deref(), Some("alpine:3.20"));
    assert_eq!(loc(&none.image), (Origin::Written, (15, 12)));
}

#[test]
fn host_namespaces() {
    let out = read_clean("host_namespaces.yaml", &[]);
    let p = service(&out, "all_host");
    let written_true = |l: &Located<bool>| {
        assert!(l.value);
        loc(l)
    };
    assert_eq!(written_true(&p.host_pid), (Origin::Written, (4, 10)));
    assert_eq!(written_true(&p.host_ipc), (Origin::Written, (5, 10)));
    assert_eq!(written_true(&p.host_network), (Origin::Written, (6, 19)));
    assert_eq!(written_true(&p.host_uts), (Origin::Written, (7, 10)));
    assert_eq!(written_true(&p.host_userns), (Origin::Written, (8, 18)));

    // Sharing another service's namespace, or a non-host mode, is not the host's.
    let shared = service(&out, "shared");
    assert!(!shared.host_pid.value && !shared.host_ipc.value && !shared.host_network.value);
    assert_eq!(loc(&shared.host_pid), (Origin::Written, (11, 10)));
}

#[test]
fn short_and_long_volumes() {
    let out = read_clean("short_and_long_volumes.yaml", &[]);
    let p = service(&out, "app");
    let mounts: Vec<_> = p
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.host_path.as_deref(),
                m.container_path.as_deref(),
                m.read_only,
                at(m.span),
            )
        })
        .collect();
    use MountKind::*;
    assert_eq!(
        mounts,
        [
            (
                Bind,
                Some("/var/run/docker.sock"),
                Some("/var/run/docker.sock"),
                true,
                (5, 9)
            ),
            (Volume, None, Some("/data"), false, (6, 9)),
            (
                Bind,
                Some("./conf"),
                Some("/etc/nginx/conf.d"),
                true,
                (7, 9)
            ),
            (Volume, None, Some("/cache"), false, (8, 9)),
            (Bind, Some("C:\\Users\\me"), Some("/win"), false, (9, 9)),
            // The long syntax points at its source.
            (Bind, Some("/etc"), Some("/host-etc"), true, (11, 17)),
            (Volume, None, Some("/logs"), false, (14, 9)),
            (Tmpfs, None, Some("/run"), false, (17, 9)),
            // A named volume declared as a bind of the host's `/`.
            (Bind, Some("/"), Some("/host"), false, (19, 9)),
            (Tmpfs, None, Some("/tmp"), false, (21, 9)),
        ]
    );
}

#[test]
fn anchors_and_merge_keys() {
    let out = read_clean("anchors_and_merge_keys.yaml", &[]);
    // `x-` keys are extensions, at the top level and among services.
    assert_eq!(resources(&out), ["service/first", "service/second"]);

    let first = service(&out, "first");
    assert_eq!(caps(&first.cap_add), ["SYS_ADMIN"]);
    // Merged values point where they are written: in the anchored mapping.
    assert_eq!(loc(&first.cap_add[0]), (Origin::Written, (2, 13)));
    assert_eq!(at(first.capabilities_span), (2, 3));
    assert!(first.no_new_privileges.value);
    assert_eq!(loc(&first.no_new_privileges), (Origin::Written, (4, 7)));
    assert_eq!(first.user.value.as_deref(), Some("1000"));
    assert_eq!(first.user.span.map(|s| s.line), Some(5));
    assert_eq!(
        first.root_status(),
        RootStatus::NonRoot {
            user: "1000".into()
        }
    );

    // An explicit key wins over the merged one.
    let second = service(&out, "second");
    assert_eq!(caps(&second.cap_add), ["NET_BIND_SERVICE"]);
    assert_eq!(loc(&second.cap_add[0]), (Origin::Written, (14, 15)));
    assert_eq!(at(second.capabilities_span), (14, 5));
    assert!(second.no_new_privileges.value);
    assert!(matches!(second.root_status(), RootStatus::MayBeRoot { .. }));
}

#[test]
fn extends_in_the_same_file() {
    let out = read_clean("extends_same_file.yaml", &[]);
    let web = service(&out, "web");
    assert_eq!(web.user.value.as_deref(), Some("1000"));
    assert_eq!(loc(&web.user), (Origin::Inherited, (4, 11)));
    assert_eq!(loc(&web.image), (Origin::Inherited, (3, 12)));
    // Sequences are unioned: the base's entries first.
    assert_eq!(caps(&web.cap_add), ["CHOWN", "NET_BIND_SERVICE"]);
    assert_eq!(loc(&web.cap_add[0]), (Origin::Inherited, (6, 15)));
    assert_eq!(loc(&web.cap_add[1]), (Origin::Written, (11, 15)));
    assert_eq!(caps(&web.cap_drop), ["ALL"]);
    assert_eq!(at(web.capabilities_span), (5, 5));
    // Volumes are merged by their container path: the extending service's wins.
    assert_eq!(web.mounts.len(), 1);
    assert_eq!(web.mounts[0].host_path.as_deref(), Some("./b"));
    assert!(web.mounts[0].read_only);
    assert_eq!(at(web.mounts[0].span), (13, 9));
    assert!(!web.root_status().may_be_root());

    // Two levels: worker extends web extends base; its own user wins.
    let worker = service(&out, "worker");
    assert_eq!(caps(&worker.cap_add), ["CHOWN", "NET_BIND_SERVICE"]);
    assert_eq!(loc(&worker.cap_add[1]), (Origin::Inherited, (11, 15)));
    assert_eq!(loc(&worker.user), (Origin::Written, (17, 11)));
    assert!(matches!(worker.root_status(), RootStatus::Root { .. }));

    // The base itself is unchanged.
    let base = service(&out, "base");
    assert_eq!(caps(&base.cap_add), ["CHOWN"]);
    assert_eq!(loc(&base.user), (Origin::Written, (4, 11)));
}

#[test]
fn extends_cycles_and_missing_services_are_errors() {
    let out = read_with("extends_cycle.yaml", &[]);
    assert_eq!(resources(&out), ["service/a", "service/b", "service/c"]);
    let mut errors: Vec<_> = out
        .errors
        .iter()
        .map(|e| (at(e.span), e.message.as_str()))
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, (5, 5));
    assert!(errors[0].1.contains("extends itself"), "{errors:?}");
    assert_eq!(errors[1].0, (8, 5));
    assert!(
        errors[1].1.contains("'missing' is not defined"),
        "{errors:?}"
    );
    // The rest of the service is still read.
    assert_eq!(
        service(&out, "c").image.value.as_deref(),
        Some("alpine:3.20")
    );
}

#[test]
fn extends_chains_longer_than_16_stop_with_an_error() {
    let mut text = String::from("services:\n");
    for i in 0..40 {
        text.push_str(&format!("  s{i}:\n    extends: s{}\n", i + 1));
    }
    text.push_str("  s40:\n    privileged: true\n");
    let out = read(&text, &minpriv_readers::NoResolver);
    assert_eq!(out.workloads.len(), 41);
    assert!(!out.errors.is_empty());
    assert!(
        out.errors
            .iter()
            .all(|e| e.message.contains("deeper than 16")),
        "{:?}",
        out.errors
    );
    // Near the end of the chain, the base is within reach and inherited.
    let near = out.workloads[39].containers[0].posture.privileged.clone();
    assert!(near.value);
    assert_eq!(near.origin, Origin::Inherited);
}

#[test]
fn extends_from_another_file() {
    let out = read_clean("extends_other_file/compose.yaml", &[]);
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let web = service(&out, "web");
    // Values from common.yml are located at the `extends` key that brings them in.
    assert_eq!(web.user.value.as_deref(), Some("10001"));
    assert_eq!(loc(&web.user), (Origin::Inherited, (3, 5)));
    assert!(web.read_only_rootfs.value);
    assert_eq!(loc(&web.read_only_rootfs), (Origin::Inherited, (3, 5)));
    assert_eq!(caps(&web.cap_drop), ["ALL"]);
    assert_eq!(loc(&web.cap_drop[0]), (Origin::Inherited, (3, 5)));
    assert_eq!(at(web.capabilities_span), (3, 5));
    assert!(web.no_new_privileges.value);
    assert_eq!(caps(&web.cap_add), ["NET_BIND_SERVICE"]);
    assert_eq!(loc(&web.cap_add[0]), (Origin::Written, (8, 9)));
    assert_eq!(loc(&web.image), (Origin::Written, (6, 12)));

    // common.yml's debug extends hardened inside common.yml.
    let debug = service(&out, "debug");
    assert!(debug.privileged.value && debug.host_pid.value);
    assert_eq!(loc(&debug.privileged), (Origin::Inherited, (10, 5)));
    assert_eq!(loc(&debug.user), (Origin::Inherited, (10, 5)));
    assert!(!debug.root_status().may_be_root());
}

#[test]
fn extends_of_an_unreadable_file_is_a_note() {
    let text = "services:\n  web:\n    extends: {file: gone.yml, service: x}\n    user: '1'\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.notes.len(), 1);
    assert!(out.notes[0].contains("gone.yml"), "{:?}", out.notes);
    assert_eq!(
        out.workloads[0].containers[0].posture.user.value.as_deref(),
        Some("1")
    );
}

#[test]
fn interpolation_from_env_then_env_file() {
    let out = read_clean(
        "interpolation_env_file/compose.yaml",
        &[("APP_USER", "2000")],
    );
    let p = service(&out, "app");
    assert_eq!(p.image.value.as_deref(), Some("example/app:1.2.3"));
    // The environment wins over .env; the unset group takes its default.
    assert_eq!(p.user.value.as_deref(), Some("2000:1000"));
    assert_eq!(loc(&p.user), (Origin::Written, (4, 11)));
    // `yes` from .env is a boolean after interpolation.
    assert!(p.privileged.value);
    assert_eq!(loc(&p.privileged), (Origin::Written, (5, 17)));
    assert_eq!(p.mounts[0].kind, MountKind::Bind);
    assert_eq!(
        p.mounts[0].host_path.as_deref(),
        Some("/var/run/docker.sock")
    );
    // READ_ONLY is set nowhere: empty, with a note, and the default stays.
    assert!(!p.read_only_rootfs.value);
    assert_eq!(p.read_only_rootfs.origin, Origin::RuntimeDefault);
    assert!(
        out.notes.iter().any(|n| n.contains("READ_ONLY")),
        "{:?}",
        out.notes
    );

    let from_file = read_clean("interpolation_env_file/compose.yaml", &[]);
    assert_eq!(
        service(&from_file, "app").user.value.as_deref(),
        Some("1000:1000")
    );
}

#[test]
fn interpolation_operator_forms() {
    let env = [
        ("TAG", ""),
        ("RO", "yes"),
        ("PID_MODE", ""),
        ("UTS", "host"),
        ("USERNS", "host"),
        ("NET", ""),
    ];
    let out = read_clean("interpolation_defaults.yaml", &env);
    let p = service(&out, "forms");
    assert_eq!(
        p.image.value.as_deref(),
        Some("docker.io/library/nginx:1.27")
    );
    // `${UID:?...}` with UID unset: read as empty (so not set), and said.
    assert_eq!(p.user.value, None);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("UID") && n.contains("set UID")),
        "{:?}",
        out.notes
    );
    assert_eq!(
        (p.privileged.value, p.privileged.origin),
        (false, Origin::Written)
    );
    assert!(p.read_only_rootfs.value);
    assert!(p.host_pid.value, "${{PID_MODE+host}} with PID_MODE set");
    assert!(p.host_ipc.value, "nested default");
    assert!(p.host_uts.value && p.host_userns.value);
    // `${NET-bridge}` with NET set to empty: empty, not the default.
    assert_eq!(
        (p.host_network.value, p.host_network.origin),
        (false, Origin::Written)
    );
    // `$$` is a literal dollar: the source is a path, so a bind mount.
    assert_eq!(p.mounts[0].kind, MountKind::Bind);
    assert_eq!(p.mounts[0].host_path.as_deref(), Some("$HOME/cache"));
    assert_eq!(
        p.sysctls[0].value,
        ("net.core.somaxconn".to_string(), String::new())
    );
    assert!(out.notes.iter().any(|n| n.contains("SOMAXCONN")));

    // Without those variables, the defaults decide.
    let bare = read_clean("interpolation_defaults.yaml", &[]);
    let p = service(&bare, "forms");
    assert!(!p.read_only_rootfs.value && !p.host_pid.value && !p.host_uts.value);
    assert!(p.host_ipc.value);
    assert_eq!(p.host_network.origin, Origin::Written);
}

#[test]
fn malformed_interpolation_is_an_error_at_the_value() {
    let text = "services:\n  app:\n    image: alpine:${TAG\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(at(out.errors[0].span), (3, 12));
    assert_eq!(out.workloads.len(), 1);
}

#[test]
fn yaml11_booleans_in_any_style() {
    let out = read_with("yaml11_booleans.yaml", &[]);
    let flags = |name: &str| {
        let p = service(&out, name);
        (p.privileged.value, p.read_only_rootfs.value)
    };
    assert_eq!(flags("plain"), (true, true));
    assert_eq!(flags("quoted"), (true, false));
    assert_eq!(flags("upper"), (true, false));
    assert_eq!(flags("interpolated"), (true, false));
    assert_eq!(
        loc(&service(&out, "plain").privileged),
        (Origin::Written, (4, 17))
    );
    assert_eq!(
        loc(&service(&out, "quoted").read_only_rootfs),
        (Origin::Written, (9, 16))
    );
    // Not a boolean: an error at the value; the setting keeps its default.
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(at(out.errors[0].span), (19, 17));
    assert!(out.errors[0].message.contains("maybe"));
    assert_eq!(flags("bad"), (false, false));
}

#[test]
fn security_opt_forms() {
    let out = read_with("security_opt_forms.yaml", &[]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);

    let colon = service(&out, "colon");
    assert_eq!(loc(&colon.no_new_privileges), (Origin::Written, (5, 9)));
    assert!(colon.no_new_privileges.value);
    assert_eq!(colon.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(colon.seccomp.span), (6, 9));
    assert_eq!(colon.apparmor.value, AppArmor::Unconfined);
    assert!(colon.selinux.value.disabled);
    assert_eq!(at(colon.selinux.span), (8, 9));

    let equals = service(&out, "equals");
    assert!(equals.no_new_privileges.value);
    assert_eq!(
        equals.seccomp.value,
        Seccomp::Custom("./profile.json".into())
    );
    assert_eq!(
        loc(&equals.apparmor),
        (Origin::Written, (14, 9)),
        "docker-default is written even though it is the default"
    );
    assert_eq!(equals.apparmor.value, AppArmor::RuntimeDefault);
    let selinux = &equals.selinux.value;
    assert_eq!(selinux.type_.as_deref(), Some("spc_t"));
    assert_eq!(selinux.level.as_deref(), Some("s0:c100,c200"));
    assert!(!selinux.disabled);
    // The type outranks the level: the finding belongs on the type.
    assert_eq!(at(equals.selinux.span), (16, 9));
    assert_eq!(equals.proc_mount.value, ProcMount::Unmasked);
    assert_eq!(at(equals.proc_mount.span), (17, 9));

    let bare = service(&out, "bare");
    assert!(bare.no_new_privileges.value);
    assert_eq!(at(bare.no_new_privileges.span), (20, 20));
    assert_eq!(bare.selinux.value.user.as_deref(), Some("system_u"));
    assert_eq!(bare.selinux.value.role.as_deref(), Some("system_r"));
    assert_eq!(at(bare.selinux.span), (20, 62));

    let off = service(&out, "off");
    assert_eq!(
        (off.no_new_privileges.value, off.no_new_privileges.origin),
        (false, Origin::Written)
    );
    assert_eq!(
        (off.seccomp.value.clone(), off.seccomp.origin),
        (Seccomp::RuntimeDefault, Origin::Written)
    );
    assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
    assert!(out.notes[0].contains("bogus=1"));
}

#[test]
fn capabilities_are_parsed_and_located() {
    let text = "services:\n  app:\n    image: a:1\n    cap_add: [CAP_SYS_ADMIN, all, NOT_A_CAP]\n    cap_drop:\n      - ALL\n";
    let out = read(text, &minpriv_readers::NoResolver);
    let p = &out.workloads[0].containers[0].posture;
    let values: Vec<_> = p.cap_add.iter().map(|c| c.value.clone()).collect();
    assert_eq!(
        values,
        [
            CapSpec::Cap(Capability::SYS_ADMIN),
            CapSpec::All,
            CapSpec::Unknown("NOT_A_CAP".into())
        ]
    );
    assert_eq!(at(p.cap_add[1].span), (4, 30));
    assert_eq!(at(p.cap_drop[0].span), (6, 9));
    // cap_drop decides where capability settings are.
    assert_eq!(at(p.capabilities_span), (5, 5));
}

#[test]
fn devices_sysctls_and_ports() {
    let out = read_clean("devices_and_sysctls.yaml", &[]);
    let dev = service(&out, "dev");
    let devices: Vec<_> = dev
        .devices
        .iter()
        .map(|d| (d.value.as_str(), at(d.span)))
        .collect();
    assert_eq!(
        devices,
        [
            ("/dev/fuse", (5, 9)),
            ("/dev/sda:/dev/xvda:rwm", (6, 9)),
            ("/dev/kvm:/dev/kvm:rw", (7, 9)),
            ("nvidia.com/gpu=all", (10, 9)),
        ]
    );
    let sysctl = &dev.sysctls[0];
    assert_eq!(
        sysctl.value,
        ("net.core.somaxconn".to_string(), "1024".to_string())
    );
    let span = sysctl.span.expect("span");
    assert_eq!((span.line, span.column, span.end_column), (12, 7, 31));
    assert_eq!(dev.sysctls[1].value.1, "1");

    let listed = service(&out, "listed");
    let sysctls: Vec<_> = listed
        .sysctls
        .iter()
        .map(|s| (s.value.0.as_str(), s.value.1.as_str(), at(s.span)))
        .collect();
    assert_eq!(
        sysctls,
        [
            ("net.ipv4.ip_forward", "1", (17, 9)),
            ("kernel.msgmax", "65536", (18, 9))
        ]
    );
    let ports: Vec<_> = listed
        .published_ports
        .iter()
        .map(|p| (p.value.as_str(), at(p.span)))
        .collect();
    assert_eq!(
        ports,
        [
            ("8080:80", (20, 9)),
            ("127.0.0.1:9000:9000/udp", (21, 9)),
            ("0.0.0.0:8443:443/tcp", (22, 9)),
        ]
    );
}

#[test]
fn several_documents_merge_into_one_service() {
    let text = "services:\n  app:\n    image: a:1\n---\nservices:\n  app:\n    privileged: true\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert_eq!(resources(&out), ["service/app"]);
    let p = &out.workloads[0].containers[0].posture;
    assert_eq!(p.image.value.as_deref(), Some("a:1"));
    assert_eq!(loc(&p.privileged), (Origin::Written, (7, 17)));
}

#[test]
fn yaml_errors_are_reported_and_other_documents_read() {
    let text = "services:\n  a:\n    image: [unclosed\n---\nservices:\n  b:\n    image: b:1\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(out.errors[0].message.contains("invalid YAML"));
    assert_eq!(resources(&out), ["service/b"]);
}

#[test]
fn malformed_shapes_do_not_stop_the_rest() {
    let text = "services:\n  list: [a, b]\n  empty:\n  ok:\n    cap_add: SYS_ADMIN\n    volumes: {a: b}\n    user: 1000\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert_eq!(resources(&out), ["service/empty", "service/ok"]);
    assert_eq!(out.errors.len(), 3, "{:?}", out.errors);
    let ok = service(&out, "ok");
    assert_eq!(ok.user.value.as_deref(), Some("1000"));
}

#[test]
fn hostile_inputs_are_cheap() {
    // An alias bomb named by many services' cap_add.
    let mut text =
        String::from("x-a0: &a0 [CHOWN, CHOWN, CHOWN, CHOWN, CHOWN, CHOWN, CHOWN, CHOWN]\n");
    for i in 1..8 {
        text.push_str(&format!(
            "x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    text.push_str("services:\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "  s{i}:\n    cap_add: *a7\n    image: \"${{A:-${{B:-${{C:-x}}}}}}\"\n"
        ));
    }
    let start = std::time::Instant::now();
    let out = read(&text, &minpriv_readers::NoResolver);
    assert_eq!(out.workloads.len(), 2000);
    // Every service names lists where strings belong; the errors stop at a bound.
    assert!(out.errors.len() <= 201, "{}", out.errors.len());
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

#[test]
fn looks_like_compose_is_right_on_the_edges() {
    assert!(looks_like_compose("services:\n  web:\n    image: nginx\n"));
    assert!(looks_like_compose(
        "# comment\nversion: '3.8'\nname: demo\nx-common: &c\n  a: 1\n\nservices:\n\n  # a comment\n  web: {}\n"
    ));
    assert!(looks_like_compose("\u{feff}services: {web: {image: a}}\n"));
    assert!(looks_like_compose("services: &s\n  web:\n    image: a\n"));
    assert!(looks_like_compose("services: &s {web: {image: a}}\n"));
    assert!(looks_like_compose(
        "apiVersion: v1\nkind: ConfigMap\n---\nservices:\n  web:\n    image: a\n"
    ));
    assert!(looks_like_compose(
        "{\"services\": {\"web\": {\"image\": \"a\"}}}"
    ));
    // Not a mapping of services, not at the top level, or a Kubernetes object.
    assert!(!looks_like_compose("services:\n- web\n"));
    assert!(!looks_like_compose("services: []\n"));
    assert!(!looks_like_compose("spec:\n  services:\n    web: {}\n"));
    assert!(!looks_like_compose(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: services\n"
    ));
    assert!(!looks_like_compose(
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"services\": {}}"
    ));
    assert!(!looks_like_compose(
        "apiVersion: x/v1\nkind: Group\nservices:\n  a: 1\n---\nmetadata:\n  name: x\n"
    ));
    assert!(!looks_like_compose(""));
}

#[test]
fn fixtures_are_compose_except_the_kubernetes_one() {
    let k8s = std::fs::read_to_string(fixtures().join("not_compose_kubernetes.yaml")).unwrap();
    assert!(!looks_like_compose(&k8s));
    let mut seen = 0;
    for entry in walk(&fixtures()) {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !is_yaml || name == "not_compose_kubernetes.yaml" {
            continue;
        }
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(looks_like_compose(&text), "{}", entry.display());
        seen += 1;
    }
    assert!(seen >= 12, "{seen}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The number of services in the shared corpus, as its README states.
const CORPUS_SERVICES: usize = 638;

#[test]
fn the_shared_corpus_reads_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/compose");
    if !root.is_dir() {
        eprintln!(
            "SKIPPED: the shared Compose corpus is not at {}; nothing checked",
            root.display()
        );
        return;
    }
    let mut services = 0;
    let mut files = 0;
    for path in walk(&root) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        let resolver = FolderResolver::new(path.parent().unwrap(), &[]);
        let out = read(&text, &resolver);
        assert!(
            out.errors.is_empty(),
            "{}: {:?}",
            path.display(),
            out.errors
        );
        assert!(looks_like_compose(&text), "{}", path.display());
        services += out.workloads.len();
    }
    assert!(files > 0);
    assert_eq!(services, CORPUS_SERVICES);
}

#[test]
fn build_reads_the_dockerfile_user() {
    let out = read_clean("build_with_dockerfile/compose.yaml", &[]);
    // `args` override the Dockerfile's `ARG UID=0`.
    let app = service(&out, "app");
    assert_eq!(app.image_user.value.as_deref(), Some("10001"));
    assert_eq!(loc(&app.image_user), (Origin::Image, (3, 5)));
    assert_eq!(
        app.root_status(),
        RootStatus::NonRoot {
            user: "10001".into()
        }
    );
    assert_eq!(app.image.value, None);

    // Without the argument, the default: root.
    let default_arg = service(&out, "default_arg");
    assert_eq!(default_arg.image_user.value.as_deref(), Some("0"));
    match default_arg.root_status() {
        RootStatus::Root { span, .. } => assert_eq!(at(span), (8, 5)),
        other => panic!("{other:?}"),
    }

    // The service's own user wins over the image's.
    assert!(!service(&out, "pinned_user").root_status().may_be_root());

    // No Dockerfile: not known, and said.
    let missing = service(&out, "missing");
    assert_eq!(loc(&missing.image_user), (Origin::Unknown, (14, 5)));
    assert!(matches!(
        missing.root_status(),
        RootStatus::MayBeRoot { .. }
    ));
    assert!(
        out.notes.iter().any(|n| n.contains("nowhere/Dockerfile")),
        "{:?}",
        out.notes
    );

    // An inline Dockerfile from scratch with no USER runs as root.
    let inline = service(&out, "inline");
    assert_eq!(loc(&inline.image_user), (Origin::Image, (18, 5)));
    assert!(matches!(inline.root_status(), RootStatus::Root { .. }));
    assert_eq!(inline.image.value.as_deref(), Some("example/inline:1.0"));

    // A target stage without USER: the base image decides, and it becomes the image.
    let staged = service(&out, "target_stage");
    assert_eq!(staged.image_user.origin, Origin::Unknown);
    assert_eq!(staged.image.value.as_deref(), Some("python:3.12-slim"));
    assert_eq!(loc(&staged.image), (Origin::Image, (23, 5)));
    match staged.root_status() {
        RootStatus::MayBeRoot { reason, .. } => assert!(reason.contains("python:3.12-slim")),
        other => panic!("{other:?}"),
    }
    assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
}

#[test]
fn unset_variables_in_host_paths_stay_as_written() {
    let text = "services:\n  app:\n    image: a:1\n    volumes:\n      - ${PWD}/etc:/etc\n      - type: bind\n        source: ${ROOT:?}/x\n        target: /x\n";
    let out = read(text, &minpriv_readers::NoResolver);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let hosts: Vec<_> = out.workloads[0].containers[0]
        .posture
        .mounts
        .iter()
        .map(|m| (m.kind, m.host_path.as_deref()))
        .collect();
    // Not `/etc` and `/x`: the deployment's PWD and ROOT are not known here.
    assert_eq!(
        hosts,
        [
            (MountKind::Bind, Some("${PWD}/etc")),
            (MountKind::Bind, Some("${ROOT}/x"))
        ]
    );
    assert!(out.notes.iter().any(|n| n.contains("PWD")));
}

#[test]
fn every_prefix_of_every_fixture_reads_without_panicking() {
    let mut texts: Vec<(PathBuf, String)> = walk(&fixtures())
        .into_iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    texts.push((
        PathBuf::from("inline"),
        "services:\n  ünï:\n    image: \"é${A:-${B:-ß}}\"\n    volumes: ['C:\\é:/x:ro']\n".into(),
    ));
    for (path, text) in &texts {
        let resolver = FolderResolver::new(path.parent().unwrap_or(Path::new(".")), &[]);
        for end in 0..=text.len() {
            let Some(prefix) = text.get(..end) else {
                continue;
            };
            let out = read(prefix, &resolver);
            for w in &out.workloads {
                let name = w.resource.strip_prefix("service/").expect("service/NAME");
                assert_eq!(w.containers.len(), 1);
                assert_eq!(w.containers[0].name.as_deref(), Some(name));
            }
        }
    }
}

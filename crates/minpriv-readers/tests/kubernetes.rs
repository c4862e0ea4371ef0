//! The Kubernetes reader against hand-written fixtures (one syntax form each) and, when present,
//! the shared real-world corpus.

use minpriv_model::{
    AppArmor, CapSpec, Capability, Container, ContainerRole, Located, MountKind, Origin, ProcMount,
    RootStatus, Runtime, Seccomp, Selinux, Source, Span, Workload,
};
use minpriv_readers::{ReadOutput, kubernetes};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> ReadOutput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kubernetes")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let out = kubernetes::read(&text);
    // Every span a reader hands out must lie within the text.
    for w in &out.workloads {
        for c in &w.containers {
            if let Some(a) = c.posture.anchor {
                assert!(a.end <= text.len(), "{name}: anchor past the end");
            }
        }
    }
    out
}

/// The one workload of a fixture that holds exactly one.
fn only(out: &ReadOutput) -> &Workload {
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.workloads.len(), 1, "{:#?}", out.workloads);
    &out.workloads[0]
}

fn container<'w>(w: &'w Workload, name: &str) -> &'w Container {
    w.containers
        .iter()
        .find(|c| c.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no container {name} in {}", w.resource))
}

fn lc(span: Option<Span>) -> (u32, u32) {
    let s = span.expect("a span");
    (s.line, s.column)
}

/// Value, origin and (line, column) of a located value.
fn vol<T: Clone>(l: &Located<T>) -> (T, Origin, (u32, u32)) {
    (l.value.clone(), l.origin, lc(l.span))
}

fn resources(out: &ReadOutput) -> Vec<&str> {
    out.workloads.iter().map(|w| w.resource.as_str()).collect()
}

#[test]
fn pod_level_security_context_is_inherited_unless_overridden() {
    let out = fixture("pod_level_run_as_non_root_inherited.yaml");
    let w = only(&out);
    assert_eq!(w.resource, "Pod/web");
    assert_eq!(w.source, Source::Kubernetes);

    let app = &container(w, "app").posture;
    assert_eq!(app.runtime, Runtime::Containerd);
    assert_eq!(lc(app.anchor), (10, 13));
    assert_eq!(
        vol(&app.run_as_user),
        (Some(1000), Origin::Inherited, (8, 16))
    );
    assert_eq!(
        vol(&app.run_as_non_root),
        (Some(true), Origin::Inherited, (7, 19))
    );
    assert_eq!(
        vol(&app.run_as_group),
        (None, Origin::RuntimeDefault, (10, 13))
    );
    assert_eq!(
        vol(&app.image),
        (Some("nginx:1.27".to_string()), Origin::Written, (11, 14))
    );
    assert_eq!(
        app.root_status(),
        RootStatus::NonRoot {
            user: "1000".into()
        }
    );

    let over = &container(w, "root-override").posture;
    assert_eq!(vol(&over.run_as_user), (Some(0), Origin::Written, (15, 20)));
    // runAsNonRoot is still inherited: only the field the container sets is overridden.
    assert_eq!(
        vol(&over.run_as_non_root),
        (Some(true), Origin::Inherited, (7, 19))
    );
    match over.root_status() {
        RootStatus::Root { span, .. } => assert_eq!(lc(span), (15, 20)),
        other => panic!("expected root, got {other:?}"),
    }
}

#[test]
fn deployment_privileged_container() {
    let out = fixture("deployment_privileged.yaml");
    let w = only(&out);
    assert_eq!(w.resource, "Deployment/web");
    assert_eq!(lc(w.span), (1, 1));
    assert_eq!(w.containers.len(), 1);
    let c = &w.containers[0];
    assert_eq!(c.role, ContainerRole::Regular);
    let p = &c.posture;
    assert_eq!(lc(p.anchor), (14, 17));
    assert_eq!(vol(&p.privileged), (true, Origin::Written, (17, 25)));
    assert_eq!(
        vol(&p.no_new_privileges),
        (false, Origin::RuntimeDefault, (14, 17))
    );
    assert_eq!(
        vol(&p.seccomp),
        (Seccomp::KubernetesUnset, Origin::RuntimeDefault, (14, 17))
    );
    // No capabilities key: they would be written in the securityContext.
    assert_eq!(lc(p.capabilities_span), (17, 13));
    assert!(matches!(p.root_status(), RootStatus::MayBeRoot { .. }));
}

#[test]
fn cronjob_reads_the_pod_template_inside_the_job_template() {
    let out = fixture("cronjob_nested_template.yaml");
    let w = only(&out);
    assert_eq!(w.resource, "CronJob/nightly");
    let p = &container(w, "backup").posture;
    assert_eq!(lc(p.anchor), (21, 21));
    assert_eq!(
        vol(&p.run_as_user),
        (Some(65534), Origin::Inherited, (19, 24))
    );
    // The pod template's annotation applies, not the one on the job template's metadata.
    assert_eq!(
        vol(&p.seccomp),
        (Seccomp::RuntimeDefault, Origin::Inherited, (15, 55))
    );
}

#[test]
fn every_controller_kind_in_one_stream() {
    let out = fixture("statefulset_daemonset_job_replicaset_rc.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        resources(&out),
        [
            "StatefulSet/db",
            "DaemonSet/agent",
            "Job/migrate",
            "ReplicaSet/frontend",
            "ReplicationController/legacy"
        ]
    );
    let names: Vec<_> = out
        .workloads
        .iter()
        .map(|w| w.containers[0].name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["postgres", "agent", "migrate", "php", "old"]);
    // Each workload starts at its own document.
    let starts: Vec<_> = out.workloads.iter().map(|w| lc(w.span).0).collect();
    assert_eq!(starts, [1, 11, 23, 35, 46]);
    let agent = &out.workloads[1].containers[0].posture;
    assert_eq!(vol(&agent.host_network), (true, Origin::Written, (19, 20)));
    let old = &out.workloads[4].containers[0].posture;
    assert_eq!(
        vol(&old.read_only_rootfs),
        (true, Origin::Written, (58, 37))
    );
    assert_eq!(lc(old.anchor), (55, 17));
}

#[test]
fn init_and_ephemeral_containers_have_their_roles() {
    let out = fixture("init_and_ephemeral_containers.yaml");
    let w = only(&out);
    let roles: Vec<_> = w
        .containers
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("app", ContainerRole::Regular),
            ("setup", ContainerRole::Init),
            ("debugger", ContainerRole::Ephemeral),
        ]
    );
    let setup = &container(w, "setup").posture;
    assert_eq!(vol(&setup.privileged), (true, Origin::Written, (16, 21)));
    let debugger = &container(w, "debugger").posture;
    assert_eq!(debugger.cap_add.len(), 1);
    assert_eq!(
        vol(&debugger.cap_add[0]),
        (
            CapSpec::Cap(Capability::SYS_PTRACE),
            Origin::Written,
            (11, 17)
        )
    );
    assert_eq!(lc(debugger.capabilities_span), (11, 11));
    assert!(!container(w, "app").posture.privileged.value);
}

#[test]
fn kubectl_list_in_json() {
    let out = fixture("list_from_kubectl.json");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(resources(&out), ["Deployment/api", "Pod/probe"]);
    // An item's workload starts at the item, not at the List.
    assert_eq!(lc(out.workloads[0].span), (5, 5));
    assert_eq!(lc(out.workloads[1].span), (19, 5));
    let api = &out.workloads[0].containers[0].posture;
    assert_eq!(
        vol(&api.no_new_privileges),
        (true, Origin::Written, (13, 97))
    );
    let probe = &out.workloads[1].containers[0].posture;
    assert_eq!(vol(&probe.host_pid), (true, Origin::Written, (24, 20)));
    assert_eq!(lc(probe.anchor), (25, 33));
}

#[test]
fn typed_list_items_take_the_list_kind() {
    let out = fixture("deployment_list.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(resources(&out), ["Deployment/first", "Deployment/second"]);
    assert_eq!(lc(out.workloads[0].containers[0].posture.anchor), (10, 21));
    assert_eq!(lc(out.workloads[1].containers[0].posture.anchor), (18, 21));
}

#[test]
fn seccomp_fields_and_legacy_annotations_follow_the_kubelet_order() {
    let out = fixture("seccomp_field_and_annotation.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(resources(&out), ["Pod/annotated", "Pod/mixed", "Pod/bare"]);

    // The container's field wins over the annotation naming the container.
    let app = &container(&out.workloads[0], "app").posture;
    assert_eq!(
        vol(&app.seccomp),
        (Seccomp::RuntimeDefault, Origin::Written, (14, 17))
    );
    // Nothing for the sidecar but the pod annotation.
    let sidecar = &container(&out.workloads[0], "sidecar").posture;
    assert_eq!(
        vol(&sidecar.seccomp),
        (
            Seccomp::Custom("profiles/audit.json".into()),
            Origin::Inherited,
            (7, 47)
        )
    );

    // A container annotation still beats the pod-level field (kubelet: container field,
    // container annotation, pod field, pod annotation).
    let legacy = &container(&out.workloads[1], "legacy").posture;
    assert_eq!(
        vol(&legacy.seccomp),
        (Seccomp::Unconfined, Origin::Written, (23, 60))
    );
    let modern = &container(&out.workloads[1], "modern").posture;
    assert_eq!(
        vol(&modern.seccomp),
        (Seccomp::RuntimeDefault, Origin::Inherited, (27, 13))
    );

    let bare = &out.workloads[2].containers[0].posture;
    assert_eq!(
        vol(&bare.seccomp),
        (Seccomp::KubernetesUnset, Origin::RuntimeDefault, (40, 13))
    );
}

#[test]
fn apparmor_fields_and_annotations() {
    let out = fixture("apparmor_annotation_and_field.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let w = &out.workloads[0];
    assert_eq!(
        vol(&container(w, "app").posture.apparmor),
        (
            AppArmor::Custom("k8s-nginx".into()),
            Origin::Written,
            (17, 17)
        )
    );
    assert_eq!(
        vol(&container(w, "sidecar").posture.apparmor),
        (
            AppArmor::Custom("k8s-deny-write".into()),
            Origin::Written,
            (7, 61)
        )
    );
    assert_eq!(
        vol(&container(w, "plain").posture.apparmor),
        (AppArmor::Unconfined, Origin::Inherited, (11, 13))
    );
    let default = &out.workloads[1].containers[0].posture;
    assert_eq!(
        vol(&default.apparmor),
        (AppArmor::RuntimeDefault, Origin::RuntimeDefault, (30, 13))
    );
}

#[test]
fn hostpath_volumes_become_bind_mounts_and_devices() {
    let out = fixture("hostpath_volumes.yaml");
    let w = only(&out);
    let p = &w.containers[0].posture;
    let mounts: Vec<_> = p
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.host_path.as_deref(),
                m.container_path.as_deref(),
                m.read_only,
                lc(m.span),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            (
                MountKind::Bind,
                Some("/var/run/docker.sock"),
                Some("/var/run/docker.sock"),
                false,
                (25, 15)
            ),
            (
                MountKind::Bind,
                Some("/etc"),
                Some("/host/etc"),
                true,
                (29, 15)
            ),
            (
                MountKind::Bind,
                Some("/dev/fuse"),
                Some("/dev/fuse"),
                false,
                (32, 15)
            ),
            (MountKind::Tmpfs, None, Some("/scratch"), false, (18, 22)),
            (MountKind::Other, None, Some("/config"), true, (20, 22)),
        ]
    );
    // The unmounted /root volume is not in any container.
    assert!(
        p.mounts
            .iter()
            .all(|m| m.host_path.as_deref() != Some("/root"))
    );
    assert_eq!(p.devices.len(), 1);
    assert_eq!(
        vol(&p.devices[0]),
        ("/dev/fuse".to_string(), Origin::Written, (32, 15))
    );
}

#[test]
fn capabilities_added_and_dropped() {
    let out = fixture("capabilities_add_drop.yaml");
    let w = only(&out);
    let net = &container(w, "net").posture;
    let added: Vec<_> = net.cap_add.iter().map(vol).collect();
    assert_eq!(
        added,
        [
            (
                CapSpec::Cap(Capability::NET_ADMIN),
                Origin::Written,
                (12, 15)
            ),
            (
                CapSpec::Cap(Capability::SYS_TIME),
                Origin::Written,
                (13, 15)
            ),
        ]
    );
    let dropped: Vec<_> = net.cap_drop.iter().map(vol).collect();
    assert_eq!(dropped, [(CapSpec::All, Origin::Written, (14, 18))]);
    assert_eq!(lc(net.capabilities_span), (11, 11));

    let no_caps = &container(w, "no-caps").posture;
    assert!(no_caps.cap_add.is_empty() && no_caps.cap_drop.is_empty());
    assert_eq!(lc(no_caps.capabilities_span), (18, 9));
    let bare = &container(w, "bare").posture;
    assert_eq!(lc(bare.capabilities_span), (19, 13));
}

#[test]
fn yaml11_booleans_count_and_quoted_ones_do_not() {
    let out = fixture("yaml11_booleans.yaml");
    let p = &only(&out).containers[0].posture;
    assert_eq!(vol(&p.privileged), (true, Origin::Written, (10, 21)));
    assert_eq!(vol(&p.no_new_privileges), (true, Origin::Written, (11, 35)));
    // Quoted strings are rejected by the API server: not set.
    assert_eq!(
        vol(&p.read_only_rootfs),
        (false, Origin::RuntimeDefault, (7, 13))
    );
    assert_eq!(
        vol(&p.run_as_non_root),
        (None, Origin::RuntimeDefault, (7, 13))
    );
}

#[test]
fn flow_style_security_context() {
    let out = fixture("flow_style_security_context.yaml");
    let w = only(&out);
    assert_eq!(w.resource, "Pod/flow");
    let p = &container(w, "app").posture;
    assert_eq!(lc(p.anchor), (5, 23));
    assert_eq!(
        vol(&p.image),
        (Some("app:1".to_string()), Origin::Written, (5, 35))
    );
    assert_eq!(vol(&p.run_as_user), (Some(1000), Origin::Written, (5, 73)));
    assert_eq!(vol(&p.no_new_privileges), (true, Origin::Written, (5, 105)));
    assert_eq!(
        p.cap_drop.iter().map(vol).collect::<Vec<_>>(),
        [(CapSpec::All, Origin::Written, (5, 134))]
    );
    assert_eq!(lc(p.capabilities_span), (5, 126));
}

#[test]
fn other_kinds_and_objects_without_api_version_are_skipped() {
    let out = fixture("non_workload_kinds_skipped.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert!(out.workloads.is_empty(), "{:#?}", out.workloads);
    assert!(out.notes.is_empty());
}

#[test]
fn a_broken_document_is_an_error_and_the_others_are_read() {
    let out = fixture("broken_second_document.yaml");
    assert_eq!(resources(&out), ["Pod/first", "Deployment/third"]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let err = &out.errors[0];
    assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    eprintln!("{}", err.message);
    // At the flow mapping that is never closed.
    assert_eq!(lc(err.span), (15, 16));
}

#[test]
fn sysctls_and_host_namespaces_reach_every_container() {
    let out = fixture("sysctls_and_host_namespaces.yaml");
    let w = only(&out);
    assert_eq!(w.containers.len(), 2);
    for c in &w.containers {
        let p = &c.posture;
        assert_eq!(vol(&p.host_pid), (true, Origin::Written, (6, 12)));
        assert_eq!(vol(&p.host_ipc), (true, Origin::Written, (7, 12)));
        assert_eq!(vol(&p.host_network), (true, Origin::Written, (8, 16)));
        // hostUsers is not the contract's host-userns setting.
        assert!(!p.host_userns.value);
        assert_eq!(p.host_userns.origin, Origin::RuntimeDefault);
        let sysctls: Vec<_> = p.sysctls.iter().map(vol).collect();
        assert_eq!(
            sysctls,
            [
                (
                    ("kernel.shm_rmid_forced".to_string(), "0".to_string()),
                    Origin::Written,
                    (12, 9)
                ),
                (
                    ("net.core.somaxconn".to_string(), "1024".to_string()),
                    Origin::Written,
                    (14, 9)
                ),
            ]
        );
    }
}

#[test]
fn host_ports_only_when_set_and_not_zero() {
    let out = fixture("host_ports.yaml");
    let p = &only(&out).containers[0].posture;
    let ports: Vec<_> = p.host_ports.iter().map(vol).collect();
    assert_eq!(ports, [(8080, Origin::Written, (11, 21))]);
}

#[test]
fn automount_token_written_or_default() {
    let out = fixture("automount_token.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(resources(&out), ["Pod/no-token", "Pod/default-token"]);
    let off = &out.workloads[0].containers[0].posture;
    assert_eq!(
        vol(&off.automount_service_account_token),
        (Some(false), Origin::Written, (6, 33))
    );
    let default = &out.workloads[1].containers[0].posture;
    assert_eq!(
        vol(&default.automount_service_account_token),
        (None, Origin::RuntimeDefault, (17, 13))
    );
}

#[test]
fn generate_name_unnamed_objects_and_pod_templates() {
    let out = fixture("generate_name_unnamed_and_pod_template.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        resources(&out),
        ["Pod/worker-", "Job/<unnamed>", "PodTemplate/tmpl"]
    );
    // A container without a name is anchored at its mapping.
    let nameless = &out.workloads[0].containers[0];
    assert_eq!(nameless.name, None);
    assert_eq!(lc(nameless.posture.anchor), (7, 7));
    let main = &container(&out.workloads[2], "main").posture;
    assert_eq!(
        vol(&main.apparmor),
        (AppArmor::Unconfined, Origin::Written, (25, 60))
    );
}

#[test]
fn selinux_options_and_proc_mount() {
    let out = fixture("selinux_and_proc_mount.yaml");
    let w = only(&out);
    let inherits = &container(w, "inherits").posture;
    assert_eq!(
        vol(&inherits.selinux),
        (
            Selinux {
                type_: Some("spc_t".into()),
                ..Selinux::default()
            },
            Origin::Inherited,
            (8, 7)
        )
    );
    assert_eq!(
        vol(&inherits.proc_mount),
        (ProcMount::Default, Origin::RuntimeDefault, (10, 13))
    );
    // The container's own seLinuxOptions replace the pod's whole (the kubelet merges field by
    // field, but a container that sets any option is reported for what it wrote).
    let own = &container(w, "own").posture;
    assert_eq!(
        vol(&own.selinux),
        (
            Selinux {
                level: Some("s0:c123,c456".into()),
                ..Selinux::default()
            },
            Origin::Written,
            (17, 11)
        )
    );
    assert_eq!(
        vol(&own.proc_mount),
        (ProcMount::Unmasked, Origin::Written, (15, 20))
    );
}

#[test]
fn anchors_aliases_and_merge_keys_are_followed() {
    let out = fixture("anchors_and_merge_keys.yaml");
    let w = only(&out);
    let app = &container(w, "app").posture;
    assert_eq!(
        vol(&app.no_new_privileges),
        (true, Origin::Written, (11, 35))
    );
    // Merged keys apply, explicit keys beside the merge win.
    let sidecar = &container(w, "sidecar").posture;
    assert_eq!(
        vol(&sidecar.run_as_non_root),
        (Some(true), Origin::Written, (10, 23))
    );
    assert_eq!(
        vol(&sidecar.no_new_privileges),
        (false, Origin::Written, (16, 35))
    );
    // A whole securityContext through an alias: its values are where they are written.
    let copy = &container(w, "copy").posture;
    assert_eq!(
        vol(&copy.no_new_privileges),
        (true, Origin::Written, (11, 35))
    );
    assert_eq!(lc(copy.capabilities_span), (19, 24));
}

#[test]
fn aliased_containers_cannot_make_reading_quadratic() {
    // One container mapping with many keys, named a few thousand times through an alias.
    let mut text = String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\nx: &c\n");
    text.push_str("  name: c\n");
    for i in 0..5000 {
        text.push_str(&format!("  k{i}: v\n"));
    }
    text.push_str("spec:\n  containers: [");
    text.push_str(&vec!["*c"; 20_000].join(", "));
    text.push_str("]\n");
    let start = std::time::Instant::now();
    let out = kubernetes::read(&text);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(out.errors[0].message.contains("aliases"));
    // It stopped long before reading 20,000 containers of 5,000 keys each.
    assert!(out.workloads.is_empty() || out.workloads[0].containers.len() < 20_000);
}

#[test]
fn odd_shapes_do_not_panic() {
    for text in [
        "",
        "---\n---\n",
        "kind: Pod\napiVersion: v1\n",
        "kind: Pod\napiVersion: v1\nspec: []\n",
        "kind: Pod\napiVersion: v1\nspec: {containers: [~, 1, [], {}]}\n",
        "kind: Pod\napiVersion: v1\nspec: {containers: {a: b}, volumes: 3}\n",
        "kind: List\napiVersion: v1\nitems: [{kind: List, items: [{kind: List}]}, 3]\n",
        "kind: Pod\napiVersion: v1\nspec: {containers: [{securityContext: {capabilities: {add: [{}]}}}]}\n",
        "kind: Pod\napiVersion: v1\nspec: {containers: [{ports: [{hostPort: 70000}, {hostPort: -1}]}]}\n",
        "[1, 2]\n",
        "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}",
    ] {
        let out = kubernetes::read(text);
        for w in &out.workloads {
            assert!(w.resource.starts_with("Pod/") || w.resource.starts_with("List"));
        }
    }
    // A container with no name and nothing else is still a container, anchored at its mapping.
    let out = kubernetes::read("kind: Pod\napiVersion: v1\nspec: {containers: [{}]}\n");
    assert_eq!(out.workloads[0].containers.len(), 1);
    assert_eq!(lc(out.workloads[0].containers[0].posture.anchor), (3, 21));
    let out = kubernetes::read(
        "kind: Pod\napiVersion: v1\nspec: {containers: [{ports: [{hostPort: 70000}]}]}\n",
    );
    assert!(out.workloads[0].containers[0].posture.host_ports.is_empty());
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ty) = entry.file_type() else { continue };
        if ty.is_dir() {
            yaml_files(&path, out);
        } else if ty.is_file() {
            out.push(path);
        }
    }
}

/// The corpus README counts 889 workload objects in 722 files: top-level documents only. Three
/// more Deployments sit inside two `kind: List` documents
/// (`istio+istio/pkg/kube/inject/testdata/inject/list.yaml` holds two,
/// `.../list-frontend.yaml` one), and the contract reads `List` items, so 892 are found.
#[test]
fn shared_corpus_reads_without_panics_and_finds_every_workload() {
    let root = Path::new("/work/shared/corpus/k8s");
    if !root.is_dir() {
        eprintln!(
            "!!! SKIPPED: {} does not exist; corpus test not run",
            root.display()
        );
        return;
    }
    let mut files = Vec::new();
    yaml_files(root, &mut files);
    files.sort();
    let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
    let mut files_with_workloads = 0;
    let mut in_lists = 0;
    let mut errors = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let out = kubernetes::read(&text);
        errors += out.errors.len();
        if !out.workloads.is_empty() {
            files_with_workloads += 1;
        }
        for w in &out.workloads {
            let kind = w.resource.split('/').next().unwrap().to_string();
            *by_kind.entry(kind).or_default() += 1;
            // A top-level object's span starts at the top of its document; a List item's is
            // indented.
            if w.span.is_some_and(|s| s.column > 1) {
                in_lists += 1;
            }
        }
    }
    let total: usize = by_kind.values().sum();
    eprintln!(
        "corpus: {} files, {total} workloads ({in_lists} in Lists) in {files_with_workloads} \
         files, {errors} YAML errors, by kind: {by_kind:?}",
        files.len()
    );
    let expected: std::collections::BTreeMap<String, usize> = [
        // Kinds found by their pod template, not by name (issue 14): OpenKruise's BroadcastJob
        // and CloneSet, OpenShift's DeploymentConfig, Kubeflow's Notebook, Argo's Rollout,
        // Spot's SpotDeployment.
        ("BroadcastJob", 4),
        ("CloneSet", 4),
        ("DeploymentConfig", 8),
        ("Notebook", 4),
        ("Rollout", 43),
        ("SpotDeployment", 3),
        ("CronJob", 11),
        ("DaemonSet", 29),
        ("Deployment", 602 + 3),
        ("Job", 25),
        ("Pod", 149),
        ("ReplicaSet", 1),
        ("ReplicationController", 34),
        ("StatefulSet", 38),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(by_kind, expected);
    assert_eq!(total - in_lists, 954);
    assert_eq!(in_lists, 4);
    // The README's 722 files, the two List files, which hold no top-level workload, and 66
    // files whose workloads are found by their pod template (Rollouts, DeploymentConfigs, ...).
    assert_eq!(files_with_workloads, 722 + 2 + 66);
    assert_eq!(errors, 0, "every corpus file is valid YAML");
}

#[test]
fn any_object_with_a_pod_template_is_a_workload_named_by_its_kind() {
    let out = fixture("any_object_with_a_pod_template.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        resources(&out),
        [
            "DeploymentConfig/legacy",
            "Rollout/canary",
            "Service/hello",
            "NightlyReport/report"
        ]
    );
    let legacy = &out.workloads[0].containers[0].posture;
    assert_eq!(vol(&legacy.privileged), (true, Origin::Written, (13, 25)));
    let canary = &out.workloads[1].containers[0].posture;
    assert_eq!(vol(&canary.host_pid), (true, Origin::Written, (22, 16)));
    // The CronJob-like place: spec.jobTemplate.spec.template.
    assert_eq!(
        out.workloads[3].containers[0].name.as_deref(),
        Some("report")
    );
    // Every one keeps its pod spec for the Pod Security controls.
    assert!(out.workloads.iter().all(|w| w.pod.is_some()));
}

#[test]
fn pod_facts_keep_the_pod_spec_as_written() {
    let out = fixture("pod_facts_as_written.yaml");
    let w = only(&out);
    let pod = w.pod.as_deref().expect("pod facts");
    assert!(pod.windows);
    assert!(pod.in_user_namespace());
    let sc = &pod.security_context;
    assert_eq!(sc.run_as_non_root.as_ref().map(|f| f.value), Some(false));
    assert_eq!(
        sc.seccomp_type.as_ref().map(|f| f.value.as_str()),
        Some("Unconfined")
    );
    let sysctls: Vec<&str> = pod.sysctls.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(sysctls, ["net.ipv4.tcp_notsent_lowat"]);
    // Only the annotations Pod Security reads, as written.
    let annotations: Vec<(&str, &str)> = pod
        .annotations
        .iter()
        .map(|a| (a.value.0.as_str(), a.value.1.as_str()))
        .collect();
    assert_eq!(
        annotations,
        [
            (
                "container.apparmor.security.beta.kubernetes.io/app",
                "unconfined"
            ),
            (
                "seccomp.security.alpha.kubernetes.io/pod",
                "runtime/default"
            ),
        ]
    );
    // A volume without a source keeps none; the API server makes it an emptyDir.
    let volumes: Vec<(&str, Vec<&str>)> = pod
        .volumes
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.sources.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        volumes,
        [
            ("logs", vec!["hostPath"]),
            ("scratch", vec![]),
            ("share", vec!["nfs"]),
            // A null source is no source; an unknown key is dropped by the API server.
            ("disguised", vec!["hostPath"]),
        ]
    );
    assert_eq!(lc(pod.volumes[0].span), (44, 7));

    assert_eq!(pod.containers.len(), 1);
    let app = &pod.containers[0];
    assert_eq!(app.name, "app");
    // The container's own value, not the pod's: admission judges both.
    assert_eq!(
        app.security_context
            .run_as_non_root
            .as_ref()
            .map(|f| f.value),
        Some(true)
    );
    let names = |list: &[minpriv_model::Written<String>]| -> Vec<String> {
        list.iter().map(|c| c.value.clone()).collect()
    };
    assert_eq!(names(&app.cap_add), ["chown", "CAP_NET_RAW"]);
    assert_eq!(names(&app.cap_drop), ["all"]);
    assert_eq!(
        app.proc_mount.as_ref().map(|p| p.value.as_str()),
        Some("Unmasked")
    );
    assert_eq!(
        app.host_ports.iter().map(|p| p.value).collect::<Vec<_>>(),
        [8080]
    );
    // An empty host is no host.
    assert_eq!(names(&app.probe_hosts), ["169.254.169.254"]);
    assert_eq!(lc(app.probe_hosts[0].span), (35, 17));
    // The posture still normalises: chown is CHOWN to the runtime.
    let posture = &w.containers[0].posture;
    assert_eq!(
        posture.cap_add[0].value,
        CapSpec::Cap(Capability::CHOWN),
        "the runtime accepts either spelling"
    );
}

#[test]
fn a_service_account_in_the_same_file_decides_an_unset_token() {
    let out = fixture("service_account_decides_the_token.yaml");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        resources(&out),
        ["Pod/uses-quiet", "Pod/overrides-it", "Pod/uses-default"]
    );
    let token = |i: usize| {
        let p = &out.workloads[i].containers[0].posture;
        (
            p.automount_service_account_token.value,
            p.automount_service_account_token.origin,
        )
    };
    assert_eq!(token(0), (Some(false), Origin::Inherited));
    assert_eq!(
        lc(out.workloads[0].containers[0]
            .posture
            .automount_service_account_token
            .span),
        (6, 31)
    );
    assert_eq!(token(1), (Some(true), Origin::Written));
    assert_eq!(token(2), (None, Origin::RuntimeDefault));
}

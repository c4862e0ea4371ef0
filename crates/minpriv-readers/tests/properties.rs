//! Properties of the readers and of the privilege model, over generated postures.
//!
//! - Round trips: a generated posture is rendered, by the small renderers below, as a Compose
//!   service, a `docker run` command line and a Kubernetes Pod, in varied but valid spellings
//!   (YAML 1.1 booleans, `CAP_` prefixes and lower case, `--flag value` and `--flag=value`,
//!   quoting, line continuations, short and long Compose syntax); reading it back gives the same
//!   security-relevant fields. Spans are not compared.
//! - Monotonicity: adding a capability never takes an effective (or bounding, or reachable)
//!   capability away, and dropping one never grants one, whatever the runtime, user,
//!   privileged mode and no-new-privileges.

use minpriv_model::{CapSet, CapSpec, Capability, Located, MountKind, Posture, Runtime};
use minpriv_readers::{NoResolver, ReadOutput, command_line, compose, kubernetes};
use proptest::prelude::*;
use std::collections::BTreeSet;

// --- what is generated ---------------------------------------------------------------------------

/// A bind mount: host path, container path, read-only.
type Bind = (String, String, bool);

/// The security-relevant settings of one container, as a user would write them.
#[derive(Clone, Debug)]
struct Spec {
    privileged: bool,
    /// Capability names as written (any spelling Docker accepts), unique by meaning.
    cap_add: Vec<String>,
    cap_drop: Vec<String>,
    /// `uid[:gid]`.
    user: Option<(u32, Option<u32>)>,
    read_only: bool,
    no_new_privileges: bool,
    host_pid: bool,
    host_ipc: bool,
    host_network: bool,
    host_uts: bool,
    host_userns: bool,
    /// Unique by container path.
    binds: Vec<Bind>,
    devices: Vec<String>,
    /// Unique by name.
    sysctls: Vec<(String, String)>,
    /// Picks among equivalent spellings while rendering.
    spelling: u64,
}

/// A capability name in one of the spellings Docker, Compose and Kubernetes accept.
fn cap_name() -> impl Strategy<Value = String> {
    (prop::sample::select(Capability::ALL), 0..4u8).prop_map(|(cap, style)| {
        let name = cap.name();
        match style {
            0 => name.to_string(),
            1 => format!("CAP_{name}"),
            2 => name.to_ascii_lowercase(),
            _ => format!("cap_{}", name.to_ascii_lowercase()),
        }
    })
}

/// Capability names, unique by the capability they name, sometimes with `ALL`.
fn cap_list() -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec(cap_name(), 0..5),
        any::<bool>(),
        0..4u8,
    )
        .prop_map(|(names, all, all_style)| {
            let mut seen = BTreeSet::new();
            let mut out: Vec<String> = names
                .into_iter()
                .filter(|n| seen.insert(canonical_cap(n)))
                .collect();
            if all {
                out.push(["ALL", "all", "All", "CAP_ALL"][usize::from(all_style)].to_string());
            }
            out
        })
}

fn path_segment() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,7}"
}

fn bind() -> impl Strategy<Value = Bind> {
    (
        prop::collection::vec(path_segment(), 1..4),
        path_segment(),
        any::<bool>(),
    )
        .prop_map(|(host, target, read_only)| {
            (
                format!("/{}", host.join("/")),
                format!("/mnt/{target}"),
                read_only,
            )
        })
}

fn sysctl() -> impl Strategy<Value = (String, String)> {
    ("[a-z]{2,6}(\\.[a-z][a-z_]{1,8}){1,3}", "[a-z0-9]{1,6}")
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            any::<bool>(),
            cap_list(),
            cap_list(),
            prop::option::of((0..70_000u32, prop::option::of(0..70_000u32))),
            any::<bool>(),
            any::<bool>(),
        ),
        prop::array::uniform5(any::<bool>()),
        (
            prop::collection::vec(bind(), 0..4),
            prop::collection::vec("[a-z]{2,6}", 0..3),
            prop::collection::vec(sysctl(), 0..4),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (privileged, cap_add, cap_drop, user, read_only, no_new_privileges),
                [host_pid, host_ipc, host_network, host_uts, host_userns],
                (binds, devices, sysctls, spelling),
            )| {
                let mut targets = BTreeSet::new();
                let binds = binds
                    .into_iter()
                    .filter(|b| targets.insert(b.1.clone()))
                    .collect();
                let mut names = BTreeSet::new();
                let sysctls = sysctls
                    .into_iter()
                    .filter(|s| names.insert(s.0.clone()))
                    .collect();
                let devices: BTreeSet<String> =
                    devices.into_iter().map(|d| format!("/dev/{d}")).collect();
                Spec {
                    privileged,
                    cap_add,
                    cap_drop,
                    user,
                    read_only,
                    no_new_privileges,
                    host_pid,
                    host_ipc,
                    host_network,
                    host_uts,
                    host_userns,
                    binds,
                    devices: devices.into_iter().collect(),
                    sysctls,
                    spelling,
                }
            },
        )
}

// --- what is compared ----------------------------------------------------------------------------

/// The security-relevant fields of a posture, without spans and origins.
#[derive(Debug, PartialEq, Eq)]
struct View {
    privileged: bool,
    cap_add: BTreeSet<String>,
    cap_drop: BTreeSet<String>,
    user: Option<String>,
    run_as_user: Option<i64>,
    run_as_group: Option<i64>,
    read_only: bool,
    no_new_privileges: bool,
    host: [bool; 5],
    binds: BTreeSet<Bind>,
    devices: BTreeSet<String>,
    sysctls: BTreeSet<(String, String)>,
}

fn canonical_cap(written: &str) -> String {
    CapSpec::parse(written).to_string()
}

fn view(p: &Posture) -> View {
    let caps = |list: &[Located<CapSpec>]| list.iter().map(|c| c.value.to_string()).collect();
    View {
        privileged: p.privileged.value,
        cap_add: caps(&p.cap_add),
        cap_drop: caps(&p.cap_drop),
        user: p.user.value.clone(),
        run_as_user: p.run_as_user.value,
        run_as_group: p.run_as_group.value,
        read_only: p.read_only_rootfs.value,
        no_new_privileges: p.no_new_privileges.value,
        host: [
            p.host_pid.value,
            p.host_ipc.value,
            p.host_network.value,
            p.host_uts.value,
            p.host_userns.value,
        ],
        binds: p
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Bind)
            .map(|m| {
                (
                    m.host_path.clone().unwrap_or_default(),
                    m.container_path.clone().unwrap_or_default(),
                    m.read_only,
                )
            })
            .collect(),
        devices: p.devices.iter().map(|d| d.value.clone()).collect(),
        sysctls: p.sysctls.iter().map(|s| s.value.clone()).collect(),
    }
}

/// What reading `spec` back must give. Kubernetes writes the user as `runAsUser`/`runAsGroup`
/// and has no UTS or user namespace sharing and no Docker-style devices.
fn expected(spec: &Spec, kubernetes: bool) -> View {
    let caps = |list: &[String]| list.iter().map(|c| canonical_cap(c)).collect();
    let user = spec.user.map(|(uid, gid)| match gid {
        Some(gid) => format!("{uid}:{gid}"),
        None => uid.to_string(),
    });
    View {
        privileged: spec.privileged,
        cap_add: caps(&spec.cap_add),
        cap_drop: caps(&spec.cap_drop),
        user: if kubernetes { None } else { user },
        run_as_user: if kubernetes {
            spec.user.map(|(uid, _)| i64::from(uid))
        } else {
            None
        },
        run_as_group: if kubernetes {
            spec.user.and_then(|(_, gid)| gid.map(i64::from))
        } else {
            None
        },
        read_only: spec.read_only,
        no_new_privileges: spec.no_new_privileges,
        host: [
            spec.host_pid,
            spec.host_ipc,
            spec.host_network,
            spec.host_uts && !kubernetes,
            spec.host_userns && !kubernetes,
        ],
        binds: spec.binds.iter().cloned().collect(),
        devices: if kubernetes {
            BTreeSet::new()
        } else {
            spec.devices.iter().cloned().collect()
        },
        sysctls: spec.sysctls.iter().cloned().collect(),
    }
}

/// The one posture read from `text`, or why there is not exactly one.
fn only_posture(out: &ReadOutput, text: &str) -> Result<Posture, TestCaseError> {
    prop_assert!(out.errors.is_empty(), "{:?} in\n{text}", out.errors);
    prop_assert_eq!(out.workloads.len(), 1, "in\n{}", text);
    prop_assert_eq!(out.workloads[0].containers.len(), 1, "in\n{}", text);
    Ok(out.workloads[0].containers[0].posture.clone())
}

// --- renderers -----------------------------------------------------------------------------------

/// Takes the next choice among `n` from the spelling bits.
fn pick(bits: &mut u64, n: u64) -> usize {
    let choice = *bits % n;
    *bits = bits.rotate_right(7) ^ 0x9e37_79b9_7f4a_7c15;
    choice as usize
}

/// A YAML boolean in one of the spellings Kubernetes and Compose read (YAML 1.1). Compose also
/// takes a quoted one (its booleans may be interpolated strings); the Kubernetes API server
/// rejects a string where it wants a boolean, so `quoted` is false there.
fn yaml_bool(value: bool, quoted: bool, bits: &mut u64) -> &'static str {
    const TRUE: [&str; 6] = ["true", "True", "TRUE", "yes", "on", "\"true\""];
    const FALSE: [&str; 5] = ["false", "False", "no", "off", "\"false\""];
    let unquoted = u64::from(!quoted);
    if value {
        TRUE[pick(bits, 6 - unquoted)]
    } else {
        FALSE[pick(bits, 5 - unquoted)]
    }
}

/// A YAML list of plain scalars, in block or flow style, at `indent`.
fn yaml_list(items: &[String], indent: usize, bits: &mut u64) -> String {
    if items.is_empty() || pick(bits, 2) == 0 {
        format!(" [{}]\n", items.join(", "))
    } else {
        let pad = " ".repeat(indent);
        let mut out = String::from("\n");
        for item in items {
            out.push_str(&format!("{pad}- {item}\n"));
        }
        out
    }
}

fn render_compose(spec: &Spec) -> String {
    let mut bits = spec.spelling;
    let b = &mut bits;
    let mut out = String::from("services:\n  app:\n    image: alpine:3.20\n");
    if spec.privileged || pick(b, 3) == 0 {
        out.push_str(&format!(
            "    privileged: {}\n",
            yaml_bool(spec.privileged, true, b)
        ));
    }
    if !spec.cap_add.is_empty() {
        out.push_str(&format!("    cap_add:{}", yaml_list(&spec.cap_add, 6, b)));
    }
    if !spec.cap_drop.is_empty() {
        out.push_str(&format!("    cap_drop:{}", yaml_list(&spec.cap_drop, 6, b)));
    }
    if let Some((uid, gid)) = spec.user {
        match gid {
            Some(gid) => out.push_str(&format!("    user: \"{uid}:{gid}\"\n")),
            None if pick(b, 2) == 0 => out.push_str(&format!("    user: \"{uid}\"\n")),
            None => out.push_str(&format!("    user: {uid}\n")),
        }
    }
    if spec.read_only || pick(b, 3) == 0 {
        out.push_str(&format!(
            "    read_only: {}\n",
            yaml_bool(spec.read_only, true, b)
        ));
    }
    if spec.no_new_privileges {
        let opt = [
            "no-new-privileges:true",
            "\"no-new-privileges=true\"",
            "no-new-privileges",
        ][pick(b, 3)];
        out.push_str(&format!("    security_opt:\n      - {opt}\n"));
    }
    for (on, key) in [
        (spec.host_pid, "pid"),
        (spec.host_ipc, "ipc"),
        (spec.host_network, "network_mode"),
        (spec.host_uts, "uts"),
        (spec.host_userns, "userns_mode"),
    ] {
        if on {
            out.push_str(&format!("    {key}: host\n"));
        }
    }
    if !spec.binds.is_empty() {
        out.push_str("    volumes:\n");
        for (host, target, read_only) in &spec.binds {
            if pick(b, 2) == 0 {
                let mode = match (read_only, pick(b, 2)) {
                    (true, _) => ":ro",
                    (false, 0) => ":rw",
                    (false, _) => "",
                };
                out.push_str(&format!("      - {host}:{target}{mode}\n"));
            } else {
                out.push_str(&format!(
                    "      - type: bind\n        source: {host}\n        target: {target}\n"
                ));
                if *read_only || pick(b, 2) == 0 {
                    out.push_str(&format!(
                        "        read_only: {}\n",
                        yaml_bool(*read_only, true, b)
                    ));
                }
            }
        }
    }
    if !spec.devices.is_empty() {
        out.push_str("    devices:\n");
        for device in &spec.devices {
            out.push_str(&format!("      - {device}\n"));
        }
    }
    if !spec.sysctls.is_empty() {
        if pick(b, 2) == 0 {
            out.push_str("    sysctls:\n");
            for (name, value) in &spec.sysctls {
                out.push_str(&format!("      {name}: \"{value}\"\n"));
            }
        } else {
            out.push_str("    sysctls:\n");
            for (name, value) in &spec.sysctls {
                out.push_str(&format!("      - {name}={value}\n"));
            }
        }
    }
    out
}

/// `--name value`, `--name=value`, quoted or not.
fn flag(name: &str, value: &str, bits: &mut u64) -> String {
    match pick(bits, 4) {
        0 => format!("--{name} {value}"),
        1 => format!("--{name}={value}"),
        2 => format!("--{name} '{value}'"),
        _ => format!("--{name}=\"{value}\""),
    }
}

fn render_docker_run(spec: &Spec) -> String {
    let mut bits = spec.spelling;
    let b = &mut bits;
    let mut args: Vec<String> = Vec::new();
    if spec.privileged {
        args.push(["--privileged", "--privileged=true"][pick(b, 2)].to_string());
    }
    for cap in &spec.cap_add {
        args.push(flag("cap-add", cap, b));
    }
    for cap in &spec.cap_drop {
        args.push(flag("cap-drop", cap, b));
    }
    if let Some((uid, gid)) = spec.user {
        let user = gid.map_or(uid.to_string(), |gid| format!("{uid}:{gid}"));
        args.push(match pick(b, 3) {
            0 => format!("-u {user}"),
            1 => format!("-u{user}"),
            _ => flag("user", &user, b),
        });
    }
    if spec.read_only {
        args.push(["--read-only", "--read-only=true"][pick(b, 2)].to_string());
    }
    if spec.no_new_privileges {
        let opt = [
            "no-new-privileges",
            "no-new-privileges:true",
            "no-new-privileges=true",
        ][pick(b, 3)];
        args.push(flag("security-opt", opt, b));
    }
    for (on, name) in [
        (spec.host_pid, "pid"),
        (spec.host_ipc, "ipc"),
        (spec.host_network, ["network", "net"][pick(b, 2)]),
        (spec.host_uts, "uts"),
        (spec.host_userns, "userns"),
    ] {
        if on {
            args.push(flag(name, "host", b));
        }
    }
    for (host, target, read_only) in &spec.binds {
        let mode = if *read_only { ":ro" } else { "" };
        let mount = format!("{host}:{target}{mode}");
        args.push(match pick(b, 2) {
            0 => format!("-v {mount}"),
            _ => flag("volume", &mount, b),
        });
    }
    for device in &spec.devices {
        args.push(flag("device", device, b));
    }
    for (name, value) in &spec.sysctls {
        args.push(flag("sysctl", &format!("{name}={value}"), b));
    }
    let mut out = String::from("#!/bin/sh\nset -eu\ndocker run --rm");
    for arg in args {
        // Some arguments on a continuation line.
        out.push_str(if pick(b, 3) == 0 { " \\\n    " } else { " " });
        out.push_str(&arg);
    }
    out.push_str(" alpine:3.20 sh -c 'echo done'\n");
    out
}

fn render_kubernetes(spec: &Spec) -> String {
    let mut bits = spec.spelling;
    let b = &mut bits;
    let mut out = String::from("apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n");
    for (on, key) in [
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
        (spec.host_network, "hostNetwork"),
    ] {
        if on || pick(b, 4) == 0 {
            out.push_str(&format!("  {key}: {}\n", yaml_bool(on, false, b)));
        }
    }
    if !spec.sysctls.is_empty() {
        out.push_str("  securityContext:\n    sysctls:\n");
        for (name, value) in &spec.sysctls {
            out.push_str(&format!(
                "      - name: {name}\n        value: \"{value}\"\n"
            ));
        }
    }
    out.push_str("  containers:\n    - name: app\n      image: alpine:3.20\n");
    out.push_str("      securityContext:\n");
    if spec.privileged || pick(b, 3) == 0 {
        out.push_str(&format!(
            "        privileged: {}\n",
            yaml_bool(spec.privileged, false, b)
        ));
    }
    if spec.no_new_privileges {
        out.push_str(&format!(
            "        allowPrivilegeEscalation: {}\n",
            yaml_bool(false, false, b)
        ));
    }
    if spec.read_only || pick(b, 3) == 0 {
        out.push_str(&format!(
            "        readOnlyRootFilesystem: {}\n",
            yaml_bool(spec.read_only, false, b)
        ));
    }
    if let Some((uid, gid)) = spec.user {
        out.push_str(&format!("        runAsUser: {uid}\n"));
        if let Some(gid) = gid {
            out.push_str(&format!("        runAsGroup: {gid}\n"));
        }
    }
    if !spec.cap_add.is_empty() || !spec.cap_drop.is_empty() {
        out.push_str("        capabilities:\n");
        if !spec.cap_add.is_empty() {
            out.push_str(&format!(
                "          add:{}",
                yaml_list(&spec.cap_add, 12, b)
            ));
        }
        if !spec.cap_drop.is_empty() {
            out.push_str(&format!(
                "          drop:{}",
                yaml_list(&spec.cap_drop, 12, b)
            ));
        }
    }
    if !spec.binds.is_empty() {
        out.push_str("      volumeMounts:\n");
        for (i, (_, target, read_only)) in spec.binds.iter().enumerate() {
            out.push_str(&format!(
                "        - name: v{i}\n          mountPath: {target}\n"
            ));
            if *read_only || pick(b, 3) == 0 {
                out.push_str(&format!(
                    "          readOnly: {}\n",
                    yaml_bool(*read_only, false, b)
                ));
            }
        }
        out.push_str("  volumes:\n");
        for (i, (host, _, _)) in spec.binds.iter().enumerate() {
            out.push_str(&format!(
                "    - name: v{i}\n      hostPath:\n        path: {host}\n"
            ));
        }
    }
    out
}

// --- the properties ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn compose_round_trip(spec in spec()) {
        let text = render_compose(&spec);
        let out = compose::read(&text, &NoResolver);
        let posture = only_posture(&out, &text)?;
        prop_assert_eq!(view(&posture), expected(&spec, false), "in\n{}", text);
    }

    #[test]
    fn docker_run_round_trip(spec in spec()) {
        let text = render_docker_run(&spec);
        let out = command_line::read_shell(&text);
        let posture = only_posture(&out, &text)?;
        prop_assert_eq!(view(&posture), expected(&spec, false), "in\n{}", text);
    }

    #[test]
    fn kubernetes_round_trip(spec in spec()) {
        let text = render_kubernetes(&spec);
        let out = kubernetes::read(&text);
        let posture = only_posture(&out, &text)?;
        prop_assert_eq!(view(&posture), expected(&spec, true), "in\n{}", text);
    }
}

// --- monotonicity of the effective capabilities ---------------------------------------------------

fn runtime() -> impl Strategy<Value = Runtime> {
    prop::sample::select(vec![
        Runtime::Docker,
        Runtime::Podman,
        Runtime::Containerd,
        Runtime::Crio,
    ])
}

fn cap_spec() -> impl Strategy<Value = CapSpec> {
    prop_oneof![
        8 => prop::sample::select(Capability::ALL).prop_map(CapSpec::Cap),
        1 => Just(CapSpec::All),
        1 => Just(CapSpec::Unknown("NOT_A_CAPABILITY".to_string())),
    ]
}

/// A posture with the fields that decide the capabilities generated; `user` is root, a
/// non-root uid, or unknown (the image decides).
fn cap_posture() -> impl Strategy<Value = Posture> {
    (
        runtime(),
        prop::collection::vec(cap_spec(), 0..6),
        prop::collection::vec(cap_spec(), 0..6),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![None, Some("0"), Some("1000:1000"), Some("root")]),
    )
        .prop_map(|(runtime, add, drop, privileged, nnp, user)| {
            let mut p = Posture::defaults(runtime, None);
            p.cap_add = add.into_iter().map(|c| Located::written(c, None)).collect();
            p.cap_drop = drop
                .into_iter()
                .map(|c| Located::written(c, None))
                .collect();
            p.privileged = Located::written(privileged, None);
            p.no_new_privileges = Located::written(nnp, None);
            p.user = Located::written(user.map(str::to_string), None);
            p
        })
}

fn docker_like(runtime: Runtime) -> bool {
    matches!(runtime, Runtime::Docker | Runtime::Podman)
}

/// Some capability is both added and dropped by name.
fn added_and_dropped(p: &Posture) -> bool {
    p.cap_add.iter().any(|a| {
        matches!(a.value, CapSpec::Cap(_)) && p.cap_drop.iter().any(|d| d.value == a.value)
    })
}

/// The exception to monotonicity, and it is Docker's, which the model follows: moby's
/// `TweakCapabilities` lets a named add win over a named drop of the same capability, but
/// `--cap-add ALL` means "every capability except the dropped ones". So adding ALL to
/// `--cap-add X --cap-drop X` takes X away.
#[test]
fn docker_add_all_honours_named_drops() {
    let mut p = Posture::defaults(Runtime::Docker, None);
    p.user = Located::written(Some("0".to_string()), None);
    p.cap_add = vec![Located::written(CapSpec::Cap(Capability::SYS_PTRACE), None)];
    p.cap_drop = vec![Located::written(CapSpec::Cap(Capability::SYS_PTRACE), None)];
    assert!(capabilities(&p).1.contains(Capability::SYS_PTRACE));
    p.cap_add.push(Located::written(CapSpec::All, None));
    let (_, effective, _) = capabilities(&p);
    assert!(!effective.contains(Capability::SYS_PTRACE));
    assert_eq!(effective.len(), CapSet::all().len() - 1);
}

/// `(bounding, effective, reachable)`.
fn capabilities(p: &Posture) -> (CapSet, CapSet, CapSet) {
    let e = p.effective_privileges();
    (e.bounding, e.effective, e.reachable)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn adding_a_capability_never_removes_one(p in cap_posture(), extra in cap_spec()) {
        // The one exception is the engine's own: see `docker_add_all_honours_named_drops`.
        prop_assume!(!(extra == CapSpec::All && docker_like(p.runtime) && added_and_dropped(&p)));
        let before = capabilities(&p);
        let mut more = p.clone();
        more.cap_add.push(Located::written(extra.clone(), None));
        let after = capabilities(&more);
        prop_assert!(before.0.is_subset(after.0), "bounding lost with +{}: {:?}", extra, p);
        prop_assert!(before.1.is_subset(after.1), "effective lost with +{}: {:?}", extra, p);
        prop_assert!(before.2.is_subset(after.2), "reachable lost with +{}: {:?}", extra, p);
    }

    #[test]
    fn dropping_a_capability_never_adds_one(p in cap_posture(), extra in cap_spec()) {
        let before = capabilities(&p);
        let mut fewer = p.clone();
        fewer.cap_drop.push(Located::written(extra.clone(), None));
        let after = capabilities(&fewer);
        prop_assert!(after.0.is_subset(before.0), "bounding gained with -{}: {:?}", extra, p);
        prop_assert!(after.1.is_subset(before.1), "effective gained with -{}: {:?}", extra, p);
        prop_assert!(after.2.is_subset(before.2), "reachable gained with -{}: {:?}", extra, p);
    }

    #[test]
    fn privileged_mode_holds_every_capability_a_posture_can_give(p in cap_posture()) {
        let mut privileged = p.clone();
        privileged.privileged = Located::written(true, None);
        let (all, _, _) = capabilities(&privileged);
        prop_assert_eq!(all, CapSet::all());
        prop_assert!(capabilities(&p).0.is_subset(all));
    }
}

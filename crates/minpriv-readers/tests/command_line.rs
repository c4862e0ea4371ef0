//! The command-line reader on hand-written fixtures: every posture field a command sets, and
//! the exact line and column each one points at.

use minpriv_model::{
    AppArmor, CapSpec, Capability, MountKind, Origin, Posture, ProcMount, Runtime, Seccomp,
    Selinux, Source, Span,
};
use minpriv_readers::ReadOutput;
use minpriv_readers::command_line::{read_github_actions, read_gitlab_ci, read_shell};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/command_line/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The one posture of each workload, checking what every command-line workload shares.
fn postures(out: &ReadOutput) -> Vec<&Posture> {
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.workloads
        .iter()
        .map(|w| {
            assert_eq!(w.source, Source::DockerRun);
            assert_eq!(w.resource, "command");
            assert_eq!(w.containers.len(), 1);
            &w.containers[0].posture
        })
        .collect()
}

fn names(out: &ReadOutput) -> Vec<Option<&str>> {
    out.workloads
        .iter()
        .map(|w| w.containers[0].name.as_deref())
        .collect()
}

/// Line, column and text of a span.
fn at(text: &str, span: Option<Span>) -> (u32, u32, &str) {
    let s = span.expect("a span");
    (s.line, s.column, &text[s.start..s.end])
}

fn image(p: &Posture) -> Option<&str> {
    p.image.value.as_deref()
}

fn caps(list: &[minpriv_model::Located<CapSpec>]) -> Vec<String> {
    list.iter().map(|c| c.value.to_string()).collect()
}

#[test]
fn continuations_keep_each_flag_on_its_own_line() {
    let text = fixture("continuations.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 2);
    assert_eq!(names(&out), [Some("agent"), None]);

    let agent = p[0];
    assert_eq!(agent.runtime, Runtime::Docker);
    assert_eq!(at(&text, agent.anchor), (3, 8, "run"));
    assert!(agent.privileged.value);
    assert_eq!(at(&text, agent.privileged.span), (5, 3, "--privileged"));
    assert!(agent.host_pid.value);
    assert_eq!(at(&text, agent.host_pid.span), (6, 9, "host"));
    let m = &agent.mounts[0];
    assert_eq!(m.kind, MountKind::Bind);
    assert_eq!(m.host_path.as_deref(), Some("/"));
    assert_eq!(m.container_path.as_deref(), Some("/host"));
    assert!(m.read_only);
    assert_eq!(at(&text, m.span), (7, 6, "/:/host:ro"));
    assert_eq!(image(agent), Some("registry.example.com/agent:1.4"));
    assert_eq!(
        at(&text, agent.image.span),
        (8, 3, "registry.example.com/agent:1.4")
    );
    // `--verbose` comes after the image: the container's argument, not a docker flag.
    assert_eq!(agent.user.value, None);
    let whole = out.workloads[0].span.unwrap();
    assert_eq!((whole.line, whole.column, whole.end_line), (3, 1, 9));

    let web = p[1];
    assert_eq!(web.user.value.as_deref(), Some("1000:1000"));
    assert_eq!(at(&text, web.user.span), (12, 9, "1000:1000"));
    assert_eq!(caps(&web.cap_drop), ["ALL"]);
    assert_eq!(at(&text, web.cap_drop[0].span), (13, 13, "ALL"));
    assert_eq!(caps(&web.cap_add), ["NET_BIND_SERVICE"]);
    assert_eq!(at(&text, web.cap_add[0].span), (13, 27, "NET_BIND_SERVICE"));
    assert_eq!(at(&text, web.image.span), (14, 2, "nginx:1.25"));
    // Nothing written: runtime defaults, pointing at the `run` word.
    assert_eq!(web.privileged.origin, Origin::RuntimeDefault);
    assert_eq!(at(&text, web.privileged.span), (11, 8, "run"));
}

#[test]
fn quoted_values_are_unquoted_and_point_inside_their_quotes() {
    let text = fixture("quoted_values.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 2);
    assert_eq!(names(&out), [Some("web app"), None]);

    let app = p[0];
    let m = &app.mounts[0];
    assert_eq!(m.kind, MountKind::Bind);
    assert_eq!(m.host_path.as_deref(), Some("$HOME/.config/app"));
    assert_eq!(at(&text, m.span), (4, 33, "$HOME/.config/app:/config"));
    assert_eq!(app.user.value.as_deref(), Some("nobody"));
    assert_eq!(at(&text, app.user.span), (4, 68, "nobody"));
    assert_eq!(app.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(&text, app.seccomp.span), (5, 19, "seccomp=unconfined"));
    // A variable image is kept as written.
    assert_eq!(image(app), Some("$IMAGE"));
    assert_eq!(at(&text, app.image.span), (5, 66, "$IMAGE"));

    let alpine = p[1];
    assert_eq!(caps(&alpine.cap_add), ["SYS_ADMIN"]);
    assert_eq!(at(&text, alpine.cap_add[0].span), (6, 24, "SYS_ADMIN"));
    assert_eq!(alpine.devices[0].value, "/dev/fuse");
    assert_eq!(at(&text, alpine.devices[0].span), (6, 45, "/dev/fuse"));
    assert_eq!(at(&text, alpine.image.span), (6, 57, "alpine:3.19"));
}

#[test]
fn commands_inside_sh_c_substitutions_and_ssh_map_to_the_file() {
    let text = fixture("sh_c_wrapped.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 4);
    assert_eq!(names(&out), [Some("probe"), None, None, None]);

    assert_eq!(at(&text, p[0].anchor), (2, 15, "run"));
    assert!(p[0].host_network.value);
    assert_eq!(at(&text, p[0].host_network.span), (2, 29, "host"));
    assert_eq!(at(&text, p[0].image.span), (2, 47, "busybox:1.36"));

    // Inside single quotes, across a continuation, after sudo.
    assert_eq!(at(&text, p[1].anchor), (3, 23, "run"));
    assert_eq!(at(&text, p[1].host_ipc.span), (3, 33, "host"));
    assert_eq!(caps(&p[1].cap_add), ["SYS_PTRACE"]);
    assert_eq!(at(&text, p[1].cap_add[0].span), (4, 13, "SYS_PTRACE"));
    assert_eq!(at(&text, p[1].image.span), (4, 24, "debian:12"));

    // `docker create` in a command substitution.
    assert_eq!(at(&text, p[2].anchor), (5, 14, "create"));
    assert!(p[2].read_only_rootfs.value);
    assert_eq!(
        at(&text, p[2].read_only_rootfs.span),
        (5, 21, "--read-only")
    );
    let tmp = &p[2].mounts[0];
    assert_eq!(tmp.kind, MountKind::Tmpfs);
    assert_eq!(tmp.container_path.as_deref(), Some("/tmp"));
    assert_eq!(at(&text, tmp.span), (5, 41, "/tmp:rw,noexec"));

    // The remote command of ssh.
    assert_eq!(at(&text, p[3].anchor), (6, 25, "run"));
    assert_eq!(p[3].published_ports[0].value, "8080:80");
    assert_eq!(at(&text, p[3].published_ports[0].span), (6, 35, "8080:80"));
}

#[test]
fn makefile_recipes_variables_and_definitions() {
    let text = fixture("Makefile");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 3);

    // `@$(DOCKER) run`: a recipe prefix and the CLI in a make variable.
    assert_eq!(at(&text, p[0].anchor), (6, 13, "run"));
    let m = &p[0].mounts[0];
    assert_eq!(m.kind, MountKind::Bind);
    assert_eq!(m.host_path.as_deref(), Some("$(CURDIR)"));
    assert_eq!(at(&text, m.span), (6, 25, "$(CURDIR):/src"));
    assert_eq!(at(&text, p[0].image.span), (6, 48, "$(IMAGE)"));

    // `-docker run`, continued on a tab-indented line.
    assert_eq!(at(&text, p[1].anchor), (9, 10, "run"));
    assert_eq!(at(&text, p[1].privileged.span), (9, 14, "--privileged"));
    assert!(p[1].host_userns.value);
    assert_eq!(at(&text, p[1].host_userns.span), (9, 36, "host"));

    // A variable that holds a command line.
    assert_eq!(at(&text, p[2].anchor), (12, 21, "run"));
    assert_eq!(at(&text, p[2].host_pid.span), (12, 35, "host"));
    assert_eq!(at(&text, p[2].cap_add[0].span), (12, 50, "SYS_PTRACE"));
}

#[test]
fn a_variable_before_the_flags_loses_none_of_them() {
    let text = fixture("variable_before_flags.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 7);

    // `${EXTRA_OPTS}` on the first line: the flags on the lines after it are read.
    assert!(p[0].privileged.value);
    assert_eq!(at(&text, p[0].privileged.span), (4, 3, "--privileged"));
    assert!(p[0].host_pid.value);
    assert_eq!(
        p[0].mounts[0].host_path.as_deref(),
        Some("/var/run/docker.sock")
    );
    assert_eq!(image(p[0]), Some("registry.example.com/agent:2.0"));
    assert_eq!(image(p[1]), Some("ghcr.io/acme/tool:1"));
    assert_eq!(p[1].mounts[0].host_path.as_deref(), Some("/"));
    assert_eq!(caps(&p[2].cap_add), ["SYS_ADMIN"]);
    assert_eq!(image(p[2]), Some("$IMAGE_WITH_DEFAULT_NAME"));
    // Each variable read as flags is named in a note with its line.
    assert_eq!(out.notes.len(), 3, "{:?}", out.notes);
    assert!(out.notes[0].contains("'${EXTRA_OPTS}' (line 3)"));
    assert!(out.notes[1].contains("'$EXTRA' (line 8)"));
    assert!(out.notes[2].contains("'$NETWORK_MODE' (line 9)"));
    assert!(out.notes.iter().all(|n| n.contains("may add more flags")));

    // A variable that is the image, followed by the command or by nothing.
    assert_eq!(at(&text, p[3].image.span), (11, 18, "$IMAGE"));
    assert_eq!(image(p[4]), Some("$IMAGE"));
    assert_eq!(image(p[5]), Some("$TOOL"));
    assert_eq!(image(p[6]), Some("$TOOL"));
    assert!(p[3..].iter().all(|p| !p.privileged.value));
}

#[test]
fn a_make_variable_before_the_flags_loses_none_of_them() {
    let text = fixture("variable_before_flags.mk");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 2);
    assert!(p[0].privileged.value);
    assert_eq!(
        p[0].mounts[0].host_path.as_deref(),
        Some("/var/run/docker.sock")
    );
    assert_eq!(at(&text, p[0].image.span), (5, 92, "$(IMAGE)"));
    assert!(p[1].host_pid.value);
    assert_eq!(at(&text, p[1].host_pid.span), (8, 39, "host"));
    assert_eq!(image(p[1]), Some("$(IMAGE)"));
    assert_eq!(out.notes.len(), 2, "{:?}", out.notes);
    assert!(out.notes[0].contains("'$(DOCKER_FLAGS)' (line 5)"));
    assert!(out.notes[1].contains("'$$FLAGS' (line 8)"));
}

#[test]
fn justfile_templates_stay_one_word() {
    let text = fixture("justfile");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 2);
    assert_eq!(at(&text, p[0].anchor), (4, 12, "run"));
    assert_eq!(
        at(&text, p[0].published_ports[0].span),
        (4, 24, "8080:8080")
    );
    assert_eq!(at(&text, p[0].image.span), (4, 34, "{{image}}"));

    assert_eq!(at(&text, p[1].anchor), (7, 13, "run"));
    assert_eq!(at(&text, p[1].cap_add[0].span), (7, 27, "SYS_PTRACE"));
    assert_eq!(p[1].apparmor.value, AppArmor::Unconfined);
    assert_eq!(
        at(&text, p[1].apparmor.span),
        (7, 53, "apparmor=unconfined")
    );
    assert_eq!(
        at(&text, p[1].published_ports[0].span),
        (7, 76, "{{ port }}:{{ port }}")
    );
    assert_eq!(at(&text, p[1].image.span), (7, 98, "{{ image }}"));
}

#[test]
fn jenkinsfile_sh_steps_in_every_quoting() {
    let text = fixture("Jenkinsfile");
    let out = read_shell(&text);
    let p = postures(&out);
    // The apostrophe in `// Don't ...` must not swallow the steps after it.
    assert_eq!(p.len(), 3);
    assert_eq!(names(&out), [None, Some("db"), None]);

    assert_eq!(at(&text, p[0].anchor), (7, 28, "run"));
    assert_eq!(at(&text, p[0].user.span), (7, 40, "1000"));
    assert_eq!(p[0].mounts[0].host_path.as_deref(), Some("$WORKSPACE"));
    assert_eq!(at(&text, p[0].image.span), (7, 64, "golang:1.22"));

    // `sh """..."""` with a Groovy-escaped continuation.
    assert_eq!(at(&text, p[1].anchor), (13, 28, "run"));
    assert_eq!(p[1].cap_add[0].value, CapSpec::All);
    assert_eq!(at(&text, p[1].cap_add[0].span), (14, 35, "ALL"));
    assert_eq!(at(&text, p[1].image.span), (14, 39, "postgres:16"));

    // `sh(script: "...", returnStdout: true)`.
    assert_eq!(at(&text, p[2].anchor), (17, 50, "run"));
    assert_eq!(at(&text, p[2].host_network.span), (17, 65, "host"));
    assert_eq!(image(p[2]), Some("curlimages/curl:8.7.1"));
}

#[test]
fn github_workflow_run_steps_in_every_scalar_style() {
    let text = fixture("github_workflow.yml");
    let out = read_github_actions(&text);
    let p = postures(&out);
    // `container.options: --privileged` is no command line.
    assert_eq!(p.len(), 4);
    assert!(p.iter().all(|p| !p.privileged.value));
    assert_eq!(names(&out), [None, Some("api"), None, None]);

    assert_eq!(at(&text, p[0].anchor), (15, 21, "run"));
    assert_eq!(
        at(&text, p[0].mounts[0].span),
        (15, 33, "${{ github.workspace }}:/w")
    );
    assert_eq!(image(p[0]), Some("node:20"));

    // A literal block.
    assert_eq!(at(&text, p[1].anchor), (19, 18, "run"));
    assert_eq!(at(&text, p[1].host_network.span), (20, 23, "host"));
    assert!(p[1].no_new_privileges.value);
    assert_eq!(
        at(&text, p[1].no_new_privileges.span),
        (21, 28, "no-new-privileges")
    );
    assert_eq!(
        at(&text, p[1].image.span),
        (22, 13, "ghcr.io/acme/api:${{ github.sha }}")
    );

    // A folded block: its lines are one command.
    assert_eq!(at(&text, p[2].anchor), (25, 18, "run"));
    assert_eq!(at(&text, p[2].cap_add[0].span), (26, 21, "NET_ADMIN"));
    assert_eq!(at(&text, p[2].image.span), (27, 11, "alpine:3.19"));

    // A double-quoted scalar with YAML escapes around a shell-quoted image.
    assert_eq!(at(&text, p[3].anchor), (29, 22, "run"));
    assert_eq!(at(&text, p[3].user.span), (29, 33, "root"));
    assert_eq!(image(p[3]), Some("busybox:1.36"));
    assert_eq!(at(&text, p[3].image.span), (29, 40, "busybox:1.36"));
}

#[test]
fn gitlab_scripts_of_jobs_defaults_and_nested_lists() {
    let text = fixture("gitlab_ci.yml");
    let out = read_gitlab_ci(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 4);
    assert_eq!(names(&out), [None, None, Some("unit tests"), None]);

    // `default: before_script`.
    assert_eq!(at(&text, p[0].anchor), (8, 14, "run"));
    assert_eq!(at(&text, p[0].image.span), (8, 23, "alpine:3.19"));

    // A folded list item.
    assert_eq!(at(&text, p[1].anchor), (20, 14, "run"));
    let socket = &p[1].mounts[0];
    assert_eq!(socket.host_path.as_deref(), Some("/var/run/docker.sock"));
    assert_eq!(
        at(&text, socket.span),
        (21, 10, "/var/run/docker.sock:/var/run/docker.sock")
    );
    assert_eq!(
        at(&text, p[1].image.span),
        (22, 7, "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA")
    );

    // `script:` as one plain string.
    assert_eq!(at(&text, p[2].anchor), (26, 18, "run"));
    assert_eq!(at(&text, p[2].privileged.span), (26, 22, "--privileged"));

    // A single-quoted string in a nested list of `after_script`.
    assert_eq!(at(&text, p[3].anchor), (29, 17, "run"));
    assert_eq!(at(&text, p[3].host_network.span), (29, 27, "host"));
}

#[test]
fn podman_and_nerdctl_commands() {
    let text = fixture("podman_and_nerdctl.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 4);
    let runtimes: Vec<_> = p.iter().map(|p| p.runtime).collect();
    assert_eq!(
        runtimes,
        [
            Runtime::Podman,
            Runtime::Podman,
            Runtime::Docker,
            Runtime::Docker
        ]
    );
    assert_eq!(names(&out), [None, Some("builder"), None, None]);

    assert!(p[0].selinux.value.disabled);
    assert_eq!(at(&text, p[0].selinux.span), (2, 49, "label=disable"));
    assert!(!p[0].host_userns.value, "keep-id is not the host namespace");
    assert_eq!(p[0].mounts[0].host_path.as_deref(), Some("./data"));
    assert_eq!(image(p[0]), Some("fedora:40"));

    assert_eq!(at(&text, p[1].anchor), (3, 18, "create"));
    assert_eq!(p[1].selinux.value.type_.as_deref(), Some("spc_t"));

    assert_eq!(caps(&p[2].cap_add), ["SYS_ADMIN", "NET_ADMIN"]);
    assert_eq!(at(&text, p[2].cap_add[0].span), (4, 26, "SYS_ADMIN"));
    assert_eq!(at(&text, p[2].cap_add[1].span), (4, 36, "NET_ADMIN"));
    assert_eq!(
        p[2].sysctls[0].value,
        ("net.ipv4.ip_forward".to_string(), "1".to_string())
    );
    assert_eq!(
        at(&text, p[2].sysctls[0].span),
        (4, 55, "net.ipv4.ip_forward=1")
    );

    // `sudo nerdctl --namespace k8s.io run`: a global option with its value skipped.
    assert_eq!(at(&text, p[3].anchor), (5, 33, "run"));
    assert!(p[3].host_network.value);
    assert_eq!(image(p[3]), Some("busybox"));
}

#[test]
fn mount_flag_forms() {
    let text = fixture("mount_flag_forms.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 1);
    let mounts: Vec<_> = p[0]
        .mounts
        .iter()
        .map(|m| {
            (
                m.kind,
                m.host_path.as_deref(),
                m.container_path.as_deref(),
                m.read_only,
                m.span.map(|s| s.line),
            )
        })
        .collect();
    assert_eq!(
        mounts,
        [
            (
                MountKind::Bind,
                Some("/etc"),
                Some("/host/etc"),
                true,
                Some(3)
            ),
            (
                MountKind::Bind,
                Some("/var/run/docker.sock"),
                Some("/var/run/docker.sock"),
                false,
                Some(4)
            ),
            (MountKind::Volume, None, Some("/cache"), false, Some(5)),
            (MountKind::Tmpfs, None, Some("/scratch"), false, Some(6)),
            (
                MountKind::Bind,
                Some("/srv/a,b"),
                Some("/data"),
                true,
                Some(7)
            ),
            (MountKind::Tmpfs, None, Some("/run"), false, Some(8)),
            (MountKind::Volume, None, Some("/named"), true, Some(9)),
            (
                MountKind::Bind,
                Some("/home"),
                Some("/home"),
                false,
                Some(10)
            ),
        ]
    );
    assert_eq!(
        at(&text, p[0].mounts[0].span),
        (3, 11, "type=bind,source=/etc,target=/host/etc,readonly")
    );
    assert_eq!(
        at(&text, p[0].mounts[4].span),
        (7, 12, "type=bind,\"source=/srv/a,b\",target=/data,ro=true")
    );
    assert_eq!(at(&text, p[0].mounts[7].span), (10, 12, "/home:/home"));
}

#[test]
fn security_opt_forms() {
    let text = fixture("security_opt_forms.sh");
    let out = read_shell(&text);
    let p = postures(&out);
    assert_eq!(p.len(), 8);

    assert!(p[0].no_new_privileges.value);
    assert_eq!(
        at(&text, p[0].no_new_privileges.span),
        (2, 27, "no-new-privileges")
    );

    assert!(p[1].no_new_privileges.value);
    assert_eq!(
        p[1].seccomp.value,
        Seccomp::Custom("/etc/docker/seccomp.json".into())
    );
    assert_eq!(
        at(&text, p[1].seccomp.span),
        (3, 65, "seccomp=/etc/docker/seccomp.json")
    );

    assert!(!p[2].no_new_privileges.value);
    assert_eq!(p[2].no_new_privileges.origin, Origin::Written);
    assert_eq!(p[2].apparmor.value, AppArmor::Unconfined);

    assert_eq!(p[3].seccomp.value, Seccomp::Unconfined);
    assert_eq!(p[3].apparmor.value, AppArmor::Custom("my-profile".into()));

    assert_eq!(
        p[4].selinux.value,
        Selinux {
            disabled: true,
            type_: Some("spc_t".into()),
            ..Selinux::default()
        }
    );
    assert_eq!(at(&text, p[4].selinux.span), (6, 56, "label:type:spc_t"));

    assert_eq!(
        p[5].selinux.value,
        Selinux {
            user: Some("system_u".into()),
            role: Some("system_r".into()),
            level: Some("s0:c1".into()),
            ..Selinux::default()
        }
    );

    assert_eq!(p[6].proc_mount.value, ProcMount::Unmasked);
    assert_eq!(
        at(&text, p[6].proc_mount.span),
        (8, 27, "systempaths=unconfined")
    );
    assert_eq!(p[7].runtime, Runtime::Podman);
    assert_eq!(p[7].proc_mount.value, ProcMount::Unmasked);
}

#[test]
fn lines_that_run_no_container_give_no_workload() {
    let text = fixture("not_docker_run.sh");
    let out = read_shell(&text);
    assert!(out.errors.is_empty());
    assert!(
        out.workloads.is_empty(),
        "{:?}",
        out.workloads.iter().map(|w| w.span).collect::<Vec<_>>()
    );
}

#[test]
fn effective_capabilities_follow_from_the_flags() {
    let out = read_shell("docker run --cap-drop=ALL --cap-add=NET_BIND_SERVICE -u 1000 nginx");
    let p = postures(&out)[0];
    let caps = p.bounding_capabilities();
    assert!(caps.contains(Capability::NET_BIND_SERVICE));
    assert!(!caps.contains(Capability::CHOWN));
}

#[test]
fn a_script_reached_through_aliases_is_read_once_at_its_anchor() {
    let text = "\
.setup: &setup
  - docker run --privileged alpine:3.19
a:
  script: *setup
b:
  before_script: *setup
  script:
    - *setup
";
    let out = read_gitlab_ci(text);
    let p = postures(&out);
    assert_eq!(p.len(), 1);
    assert_eq!(at(text, p[0].privileged.span), (2, 16, "--privileged"));
}

#[test]
fn broken_yaml_is_an_error_with_a_line() {
    let text = "jobs:\n  a:\n    steps:\n      - run: docker run --privileged x\n  b: [\n";
    let out = read_github_actions(text);
    assert!(!out.errors.is_empty());
    assert!(out.errors[0].span.is_some_and(|s| s.line >= 5));
}

fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            "docker ",
            "run ",
            "--privileged ",
            "-v ",
            "/a:/b ",
            "sh -c ",
            "'",
            "\"",
            "\\",
            "\n",
            "$(",
            ")",
            "`",
            "${",
            "}",
            "{{",
            "}}",
            "<<EOF\n",
            "EOF\n",
            "#",
            ";",
            "|",
            "jobs:\n",
            "  steps:\n",
            "    - run: |\n",
            "script:\n",
            "  - ",
            "é",
            "--mount ",
            "type=bind,",
            "-itu",
            "=",
            ",",
            "--",
            "--security-opt ",
            "label:",
            "ssh h ",
            "eval ",
        ]),
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_input_makes_a_reader_panic_and_every_span_is_in_the_text(text in hostile_text()) {
        for out in [read_shell(&text), read_github_actions(&text), read_gitlab_ci(&text)] {
            for w in &out.workloads {
                let p = &w.containers[0].posture;
                for span in [w.span, p.anchor, p.image.span, p.privileged.span]
                    .into_iter()
                    .chain(p.mounts.iter().map(|m| m.span))
                    .flatten()
                {
                    prop_assert!(span.start <= span.end && span.end <= text.len());
                    prop_assert!(text.is_char_boundary(span.start));
                    prop_assert!(text.is_char_boundary(span.end));
                }
            }
        }
    }
}

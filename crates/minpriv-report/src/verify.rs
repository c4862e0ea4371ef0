//! The reports of `minpriv verify` and `minpriv minimize`, as text and JSON: each run with its
//! settings, what broke the hardened run, and the least privilege that passes as a `docker run`
//! line, a Compose fragment and a Kubernetes securityContext.

use minpriv_engine::verify::{self, Minimization, RunOutcome, RunSpec, Verification};
use serde_json::{Value, json};
use std::time::Duration;

/// What was run: the image, the command given after `--`, and the Compose service or Kubernetes
/// container it came from (the renderings use its name).
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The image.
    pub image: &'a str,
    /// The command run in it; empty for the image's own.
    pub command: &'a [String],
    /// The Compose service or Kubernetes container name.
    pub name: Option<&'a str>,
}

/// One run as JSON: the engine's outcome plus its settings and its `docker run` line.
fn outcome_json(o: &RunOutcome, spec: &RunSpec, image_user: Option<&str>) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("settings".into(), json!(spec.summary(image_user)));
        map.insert(
            "docker_run".into(),
            json!(format!(
                "docker run {}",
                shell_join(&spec.docker_run_args())
            )),
        );
    }
    v
}

/// The JSON report of `minpriv verify` (`version` 1); `run_id` labels its containers.
pub fn verify_json(
    v: &Verification,
    subject: &Subject<'_>,
    run_id: &str,
    elapsed: Duration,
) -> Value {
    let iu = v.image_user.as_deref();
    json!({
        "version": 1,
        "command": "verify",
        "image": subject.image,
        "cmd": subject.command,
        "run_id": run_id,
        "baseline": outcome_json(&v.baseline.outcome, &v.baseline.spec, iu),
        "hardened": outcome_json(&v.hardened.outcome, &v.hardened.spec, iu),
        "restrictions": v.restrictions,
        "broken_by": v.broken_by,
        "broken_together": v.together,
        "relaxed": v.relaxed.iter().map(|(r, o)| json!({
            "restriction": r,
            "exit_code": o.exit_code,
            "passed": o.passed,
            "timed_out": o.timed_out,
        })).collect::<Vec<_>>(),
        "notes": v.notes,
        "runs": v.runs,
        "duration_ms": elapsed.as_millis() as u64,
    })
}

/// The output lines of a run (and its error), each behind `indent| `.
fn push_output(s: &mut String, o: &RunOutcome, indent: &str) {
    if let Some(e) = &o.error {
        s.push_str(&format!("{indent}| {e}\n"));
    }
    for line in &o.output {
        s.push_str(&format!("{indent}| {line}\n"));
    }
}

/// What `minpriv minimize` prints as text when the command fails as written: its output.
pub fn baseline_failed_text(outcome: &RunOutcome) -> String {
    let mut s = String::new();
    push_output(&mut s, outcome, "  ");
    s
}

/// The JSON report of `minpriv minimize` when the command fails as written: the error and the
/// baseline run, nothing to minimize.
pub fn baseline_failed_json(
    outcome: &RunOutcome,
    spec: &RunSpec,
    subject: &Subject<'_>,
    error: &str,
    runs: usize,
) -> Value {
    json!({
        "version": 1,
        "command": "minimize",
        "image": subject.image,
        "cmd": subject.command,
        "error": error,
        "baseline": outcome_json(outcome, spec, None),
        "runs": runs,
    })
}

/// The text report of `minpriv verify`.
pub fn verify_text(v: &Verification, subject: &Subject<'_>, elapsed: Duration) -> String {
    let iu = v.image_user.as_deref();
    let mut s = format!(
        "verify {}\n",
        describe_command(subject.image, subject.command)
    );
    for (name, p) in [("baseline", &v.baseline), ("hardened", &v.hardened)] {
        s.push_str(&format!(
            "  {name:<9} {}\n            {}\n",
            p.outcome.status_line(),
            p.spec.summary(iu)
        ));
        if !p.outcome.passed || name == "baseline" && !v.hardened.outcome.passed {
            push_output(&mut s, &p.outcome, "            ");
        }
    }
    if !v.relaxed.is_empty() {
        s.push_str("  relaxing one restriction at a time:\n");
        for (r, o) in &v.relaxed {
            s.push_str(&format!("    {:<20} {}\n", r.name(), o.status_line()));
        }
    }
    if !v.hardened.outcome.passed && v.baseline.outcome.passed {
        let names: Vec<&str> = v.broken_by.iter().map(|r| r.name()).collect();
        if names.is_empty() {
            s.push_str("broken by: no restriction could be blamed\n");
        } else if v.together {
            s.push_str(&format!(
                "broken by: {} (no single one: the command passes only with all of them \
                 relaxed together)\n",
                names.join(" + ")
            ));
        } else {
            s.push_str(&format!("broken by: {}\n", names.join(", ")));
        }
    } else if v.hardened.outcome.passed {
        s.push_str("the hardened configuration passes\n");
    }
    for n in &v.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s.push_str(&format!(
        "{}, {:.1} s\n",
        runs(v.runs),
        elapsed.as_secs_f64()
    ));
    s
}

/// `IMAGE -- CMD...`, or `IMAGE (its own command)`.
fn describe_command(image: &str, command: &[String]) -> String {
    if command.is_empty() {
        format!("{image} (its own command)")
    } else {
        format!("{image} -- {}", shell_join(command))
    }
}

/// The result as a `docker run` line, a Compose fragment and a Kubernetes securityContext.
struct Renderings {
    docker_run: String,
    compose: String,
    kubernetes: String,
}

impl Renderings {
    fn of(m: &Minimization, subject: &Subject<'_>) -> Renderings {
        let r = &m.result;
        let mut flags = r.privilege_flags();
        flags.push(subject.image.to_string());
        flags.extend(subject.command.iter().cloned());
        let docker_run = format!("docker run {}", shell_join(&flags));

        let name = subject.name.unwrap_or("app");
        let mut c = format!(
            "services:\n  {name}:\n    image: {}\n",
            yaml_str(subject.image)
        );
        if let Some(u) = &r.user {
            c.push_str(&format!("    user: {}\n", yaml_str(u)));
        }
        c.push_str("    cap_drop:\n      - ALL\n");
        if !m.capabilities.is_empty() {
            c.push_str("    cap_add:\n");
            for cap in m.capabilities.sorted_names() {
                c.push_str(&format!("      - {cap}\n"));
            }
        }
        let profile = m.seccomp.as_ref().filter(|p| p.passed);
        if m.no_new_privileges || profile.is_some() {
            c.push_str("    security_opt:\n");
            if m.no_new_privileges {
                c.push_str("      - no-new-privileges:true\n");
            }
            if let Some(p) = profile {
                c.push_str(&format!(
                    "      - {}\n",
                    yaml_str(&format!("seccomp={}", p.file))
                ));
            }
        }
        if m.read_only_rootfs {
            c.push_str("    read_only: true\n");
        }
        if !m.tmpfs.is_empty() {
            let tmpfs_options = verify::spec::tmpfs_options(r.user.as_deref());
            c.push_str("    tmpfs:\n");
            for t in &m.tmpfs {
                if tmpfs_options.is_empty() {
                    c.push_str(&format!("      - {t}\n"));
                } else {
                    c.push_str(&format!("      - {t}:{tmpfs_options}\n"));
                }
            }
        }

        let mut k = String::from("securityContext:\n");
        let (uid, gid) = split_user(&m.user);
        match uid.parse::<u32>() {
            Ok(0) => k.push_str("  runAsUser: 0  # the app needs root (see notes)\n"),
            Ok(n) => {
                k.push_str(&format!("  runAsUser: {n}\n"));
                if let Some(g) = gid.and_then(|g| g.parse::<u32>().ok()) {
                    k.push_str(&format!("  runAsGroup: {g}\n"));
                }
                k.push_str("  runAsNonRoot: true\n");
            }
            Err(_) if m.user_is_root => {
                k.push_str("  runAsUser: 0  # the app needs root (see notes)\n")
            }
            Err(_) => k.push_str(&format!(
                "  runAsNonRoot: true  # the image's user {uid}: set runAsUser to its uid, the \
                 kubelet cannot check a name\n"
            )),
        }
        k.push_str(&format!(
            "  allowPrivilegeEscalation: {}\n",
            !m.no_new_privileges
        ));
        k.push_str(&format!(
            "  readOnlyRootFilesystem: {}\n",
            m.read_only_rootfs
        ));
        k.push_str("  capabilities:\n    drop: [\"ALL\"]\n");
        if !m.capabilities.is_empty() {
            let names: Vec<String> = m
                .capabilities
                .sorted_names()
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect();
            k.push_str(&format!("    add: [{}]\n", names.join(", ")));
        }
        match profile {
            Some(p) => k.push_str(&format!(
                "  seccompProfile:\n    type: Localhost\n    # the file on each node, under the \
                 kubelet's seccomp folder (/var/lib/kubelet/seccomp/)\n    localhostProfile: {}\n",
                yaml_str(&format!("minpriv/{}", file_name(&p.file)))
            )),
            None => k.push_str("  seccompProfile:\n    type: RuntimeDefault\n"),
        }
        if !m.tmpfs.is_empty() {
            k.push_str("# in the container, beside securityContext:\nvolumeMounts:\n");
            for t in &m.tmpfs {
                k.push_str(&format!(
                    "  - name: {}\n    mountPath: {t}\n",
                    volume_name(t)
                ));
            }
            k.push_str("# in the pod spec:\nvolumes:\n");
            for t in &m.tmpfs {
                k.push_str(&format!(
                    "  - name: {}\n    emptyDir:\n      medium: Memory\n",
                    volume_name(t)
                ));
            }
        }
        Renderings {
            docker_run,
            compose: c,
            kubernetes: k,
        }
    }
}

/// The last component of a path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The Dockerfile line Podman reads the container's default capabilities from.
pub fn capability_label(m: &Minimization) -> String {
    format!(
        "LABEL io.containers.capabilities=\"{}\"",
        m.capabilities.sorted_names().join(",")
    )
}

/// The profile as a Security Profiles Operator `SeccompProfile` (the operator installs it on
/// every node as `operator/<namespace>/<name>.json`).
fn security_profiles_operator(p: &verify::SeccompProof, name: &str) -> String {
    let mut s = format!(
        "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n\
         metadata:\n  name: {name}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  architectures:\n    \
         - {}\n  syscalls:\n    - action: SCMP_ACT_ALLOW\n      names:\n",
        if cfg!(target_arch = "aarch64") {
            "SCMP_ARCH_AARCH64"
        } else {
            "SCMP_ARCH_X86_64"
        }
    );
    for n in &p.syscalls {
        s.push_str(&format!("        - {n}\n"));
    }
    s
}

/// `uid:gid` split at the colon.
fn split_user(user: &str) -> (&str, Option<&str>) {
    match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    }
}

/// The Kubernetes volume name of a tmpfs path: `/var/cache` is `tmp-var-cache`.
fn volume_name(path: &str) -> String {
    let mut name: String = path
        .trim_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(50);
    format!("tmp-{}", name.trim_matches('-'))
}

/// A YAML double-quoted string.
fn yaml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Joins words for a POSIX shell, quoting those that need it.
pub fn shell_join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JSON report of `minpriv minimize` (`version` 1): the search, the result as a `docker
/// run` line, a Compose fragment and a Kubernetes securityContext, and what it proved in the
/// shape `fix --from` reads back ([`minpriv_model::hardening::Minimized`]).
pub fn minimize_json(
    m: &Minimization,
    subject: &Subject<'_>,
    repeat: u32,
    jobs: u32,
    elapsed: Duration,
) -> Value {
    let r = &Renderings::of(m, subject);
    let iu = m.image_user.as_deref();
    let mut value = json!({
        "version": 1,
        "command": "minimize",
        "image": subject.image,
        "cmd": subject.command,
        "seccomp": if m.seccomp.as_ref().is_some_and(|p| p.passed) { "profile" } else { "default" },
        "seccomp_profile": m.seccomp,
        "trace": m.trace,
        "capability_label": (!m.capabilities.is_empty()).then(|| capability_label(m)),
        "binds_low_port": m.binds_low_port,
        "kept_privileges": m.kept_privileges,
        "capability_search": m.capability_search,
        "runs": m.runs,
        "repeat": repeat,
        "jobs": jobs,
        "duration_ms": elapsed.as_millis() as u64,
        "docker_run": r.docker_run,
        "compose": r.compose,
        "kubernetes": r.kubernetes,
        "baseline": outcome_json(&m.baseline.outcome, &m.baseline.spec, iu),
        "result": outcome_json(&m.outcome, &m.result, iu),
        "steps": m.steps,
        "flaky": m.flaky,
        "notes": m.notes,
    });
    // What it proved, in the shape `fix --from` reads back.
    if let (Value::Object(map), Ok(Value::Object(proven))) =
        (&mut value, serde_json::to_value(m.proven()))
    {
        map.extend(proven);
    }
    value
}

/// The text report of `minpriv minimize`: each hypothesis tried, then the least privilege that
/// passes in three syntaxes.
pub fn minimize_text(m: &Minimization, subject: &Subject<'_>, elapsed: Duration) -> String {
    let r = &Renderings::of(m, subject);
    let mut s = format!(
        "minimize {}\n",
        describe_command(subject.image, subject.command)
    );
    let width = m
        .steps
        .iter()
        .map(|st| st.hypothesis.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for st in &m.steps {
        let mark = if st.passed { "+" } else { "-" };
        s.push_str(&format!(
            "  {mark} {:<width$}  {}\n",
            st.hypothesis, st.status
        ));
    }
    s.push_str(&format!(
        "\nleast privilege that passes ({}, {:.1} s):\n",
        runs(m.runs),
        elapsed.as_secs_f64()
    ));
    let user = if m.user_is_root {
        format!("{} (root: the app fails as non-root)", m.user)
    } else {
        m.user.clone()
    };
    let caps = if m.capabilities.is_empty() {
        "none".to_string()
    } else {
        m.capabilities.sorted_names().join(", ")
    };
    let rootfs = match (m.read_only_rootfs, m.tmpfs.is_empty()) {
        (true, true) => "read-only".to_string(),
        (true, false) => format!("read-only, tmpfs {}", m.tmpfs.join(", ")),
        (false, _) => "writable (see notes)".to_string(),
    };
    for (k, v) in [
        ("user", user),
        ("capabilities", caps),
        ("root filesystem", rootfs),
        (
            "no-new-privileges",
            if m.no_new_privileges {
                "on"
            } else {
                "off (see notes)"
            }
            .to_string(),
        ),
        ("seccomp", seccomp_line(m)),
    ] {
        s.push_str(&format!("  {k:<18} {v}\n"));
    }
    if let Some(ev) = m.trace.evidence.as_ref() {
        let used: Vec<String> = ev
            .capabilities
            .iter()
            .map(|u| match (u.granted, u.denied) {
                (g, 0) => format!("{} ({g} granted)", u.capability),
                (0, d) => format!("{} ({d} denied)", u.capability),
                (g, d) => format!("{} ({g} granted, {d} denied)", u.capability),
            })
            .collect();
        s.push_str(&format!(
            "\ntrace of the baseline: {} event(s){}\n  capabilities checked  {}\n  system calls          {} after the seccomp filter\n",
            ev.events,
            if ev.lost > 0 {
                format!(", {} lost", ev.lost)
            } else {
                String::new()
            },
            if used.is_empty() {
                "none".to_string()
            } else {
                used.join(", ")
            },
            ev.syscalls.len()
        ));
    }
    if !m.capabilities.is_empty() {
        s.push_str(&format!(
            "\nDockerfile (Podman's default capabilities for the image):\n  {}\n",
            capability_label(m)
        ));
    }
    s.push_str(&format!("\ndocker run:\n  {}\n", r.docker_run));
    s.push_str("\ncompose:\n");
    for line in r.compose.lines() {
        s.push_str(&format!("  {line}\n"));
    }
    s.push_str("\nkubernetes:\n");
    for line in r.kubernetes.lines() {
        s.push_str(&format!("  {line}\n"));
    }
    if let Some(p) = m.seccomp.as_ref().filter(|p| p.passed) {
        let name = file_name(&p.file)
            .trim_end_matches(".json")
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        s.push_str(&format!(
            "\nseccomp profile ({} written; Kubernetes: copy it to each node's \
             /var/lib/kubelet/seccomp/minpriv/, or let the Security Profiles Operator install \
             it and use localhostProfile: operator/<namespace>/{name}.json):\n",
            p.file
        ));
        for line in security_profiles_operator(p, &name).lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if !m.flaky.is_empty() {
        s.push_str("\nflaky:\n");
        for f in &m.flaky {
            s.push_str(&format!("  - {f}\n"));
        }
    }
    if !m.notes.is_empty() {
        s.push('\n');
        for n in &m.notes {
            s.push_str(&format!("note: {n}\n"));
        }
    }
    s
}

/// The seccomp line of the result.
fn seccomp_line(m: &Minimization) -> String {
    let against = |p: &verify::SeccompProof| match p.docker_default {
        Some(d) => format!(
            "{} system calls; Docker's default allows {d}",
            p.syscalls.len()
        ),
        None => format!("{} system calls", p.syscalls.len()),
    };
    match &m.seccomp {
        Some(p) if p.passed => format!("profile {} ({})", p.file, against(p)),
        Some(p) => format!(
            "default (the profile asked for was not written: {})",
            p.status
        ),
        None => match m.result.seccomp {
            verify::SeccompRun::Unconfined => "unconfined (see notes)".to_string(),
            _ => "default".to_string(),
        },
    }
}

/// `1 run`, `2 runs`.
fn runs(n: usize) -> String {
    if n == 1 {
        "1 run".to_string()
    } else {
        format!("{n} runs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        let w: Vec<String> = ["sh", "-c", "echo 'hi' > /tmp/x", "--cap-add=CHOWN"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            shell_join(&w),
            r#"sh -c 'echo '\''hi'\'' > /tmp/x' --cap-add=CHOWN"#
        );
        assert_eq!(volume_name("/var/cache/app"), "tmp-var-cache-app");
    }
}

//! Deciding the fixes of one container on its [`Posture`]: which settings the hardened posture
//! changes, and whether each change is safe.
//!
//! The rules decide what is wrong: a fix is planned only for a finding the profile's rules
//! report and no `minpriv:ignore` comment suppresses. Planning repeats on the hardened posture
//! until no new finding appears, because one fix can make another finding visible (rules stay
//! silent about a privileged container's capabilities); fixing only the first would make a
//! second `minpriv fix` change the file again.

use crate::Minimized;
use minpriv_model::{
    CapSet, CapSpec, Container, Located, Mount, MountKind, Posture, RootStatus, Seccomp, Source,
    Workload,
};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use serde::Serialize;

/// How many times planning looks again after a fix; each round can only add fixes for rules
/// not fixed yet, so this is never reached by more than a handful.
const MAX_ROUNDS: usize = 8;

/// The uid (and gid) used for a non-root user when minimize proved none: high enough to clash
/// with no distribution's system or login users.
pub const DEFAULT_UID: u32 = 10001;

/// Whether a fix can change what a correct app does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Safety {
    /// It cannot break an app that works as configured (see the crate documentation).
    Safe,
    /// It may break the app; applied only with `--unsafe`.
    Unsafe,
}

/// A change of the posture, in the model's terms; each format renders it as text edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Privileged mode off.
    Unprivileged,
    /// Drop ALL capabilities, and/or make the added capabilities exactly `add`.
    Capabilities {
        /// Add `ALL` to the dropped capabilities.
        drop_all: bool,
        /// The capabilities to add back (minimize's proven set); `None` leaves them.
        add: Option<CapSet>,
    },
    /// no-new-privileges / `allowPrivilegeEscalation: false`.
    NoNewPrivileges,
    /// A read-only root filesystem with a tmpfs at each path.
    ReadOnlyRootfs {
        /// Paths that get a tmpfs (Kubernetes: an `emptyDir`).
        tmpfs: Vec<String>,
    },
    /// A non-root user.
    NonRootUser {
        /// `uid[:gid]` or a user name, as Docker, Compose and Dockerfiles write it.
        spec: String,
        /// The uid, for Kubernetes' `runAsUser`.
        uid: Option<u32>,
    },
    /// The runtime's default seccomp profile.
    SeccompDefault,
}

/// One planned fix.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The rule whose finding it removes.
    pub rule: &'static str,
    /// What changes.
    pub change: Change,
    /// Safe or not.
    pub safety: Safety,
    /// Why it may break the app (unsafe fixes).
    pub risk: Option<String>,
    /// What the fix does, for people.
    pub summary: String,
}

/// The plan for one container.
#[derive(Debug, Default)]
pub struct ContainerPlan {
    /// Fixes to apply.
    pub apply: Vec<Planned>,
    /// Unsafe fixes not applied (no `--unsafe`).
    pub withheld: Vec<Planned>,
    /// Findings that get no fix, and why.
    pub declined: Vec<(&'static str, String)>,
}

/// What planning needs besides the container.
pub struct PlanContext<'a> {
    /// The rules in force (after `--rule`/`--skip`).
    pub profile: &'a Profile,
    /// The file's `minpriv:ignore` comments.
    pub suppressions: &'a Suppressions,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Minimize's proven configuration for this container.
    pub minimized: Option<&'a Minimized>,
    /// The options of the run, for their waivers.
    pub options: &'a crate::FixOptions<'a>,
}

/// The rules that have a fix in some format.
pub const FIXABLE_RULES: &[&str] = &[
    "privileged",
    "caps-not-dropped",
    "dangerous-cap-added",
    "privilege-escalation-allowed",
    "writable-rootfs",
    "runs-as-root",
    "seccomp-unconfined",
];

/// Plans the fixes of `container` of `workload`.
pub fn plan_container(
    workload: &Workload,
    container: &Container,
    cx: &PlanContext<'_>,
) -> ContainerPlan {
    let mut plan = ContainerPlan::default();
    let original = &container.posture;
    let mut hardened = container.clone();
    let mut seen: Vec<&'static str> = Vec::new();
    let context = cx.profile.context();
    for _ in 0..MAX_ROUNDS {
        let mut findings = Vec::new();
        for (rule, _) in cx.profile.enabled_rules() {
            rule.check_with(&context, workload, &hardened, &mut findings);
        }
        cx.suppressions.apply(&mut findings);
        cx.options.waive(&mut findings);
        let mut progressed = false;
        for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
            if seen.contains(&finding.rule) {
                continue;
            }
            seen.push(finding.rule);
            match propose(
                finding.rule,
                workload.source,
                &hardened.posture,
                original,
                cx.minimized,
            ) {
                Proposal::None => {}
                Proposal::Declined(why) => plan.declined.push((finding.rule, why)),
                Proposal::Fix(fix) => {
                    if fix.safety == Safety::Safe || cx.unsafe_fixes {
                        apply_change(&mut hardened.posture, &fix.change, workload.source);
                        plan.apply.push(fix);
                        progressed = true;
                    } else {
                        plan.withheld.push(fix);
                    }
                }
            }
        }
        if !progressed {
            break;
        }
    }
    plan
}

enum Proposal {
    None,
    Declined(String),
    Fix(Planned),
}

fn fix(
    rule: &'static str,
    change: Change,
    safety: Safety,
    risk: Option<String>,
    summary: String,
) -> Proposal {
    Proposal::Fix(Planned {
        rule,
        change,
        safety,
        risk,
        summary,
    })
}

/// The fix for a finding of `rule` on `posture` (the hardened one so far); `original` is the
/// container as written, on which safety is judged.
fn propose(
    rule: &'static str,
    source: Source,
    posture: &Posture,
    original: &Posture,
    minimized: Option<&Minimized>,
) -> Proposal {
    let runtime = matches!(
        source,
        Source::Kubernetes | Source::Compose | Source::DockerRun
    );
    match rule {
        "privileged" if runtime => fix(
            rule,
            Change::Unprivileged,
            Safety::Unsafe,
            Some(
                "privileged mode gives every capability, every host device and no seccomp or \
                 AppArmor confinement; an app that uses any of them fails without it"
                    .into(),
            ),
            "turn privileged mode off".into(),
        ),
        // A privileged container that already drops ALL is reported because privileged mode
        // ignores the drop: leaving privileged mode is the fix, and privileged proposes it.
        "caps-not-dropped"
            if runtime && minimized.is_none() && posture.drops_all_capabilities() =>
        {
            Proposal::None
        }
        "caps-not-dropped" if runtime => match minimized {
            Some(m) => fix(
                rule,
                Change::Capabilities {
                    drop_all: true,
                    add: Some(m.capabilities),
                },
                Safety::Unsafe,
                Some(format!(
                    "minimize proved {} enough for the command it ran; code paths that command \
                     did not reach may need more",
                    caps_text(m.capabilities)
                )),
                format!(
                    "drop ALL capabilities and add back {}",
                    caps_text(m.capabilities)
                ),
            ),
            None => fix(
                rule,
                Change::Capabilities {
                    drop_all: true,
                    add: None,
                },
                Safety::Unsafe,
                Some(
                    "the process loses the runtime's default capabilities: as root it can no \
                     longer change file owners (CHOWN), switch users (SETUID, SETGID) or bind \
                     ports below 1024 (NET_BIND_SERVICE)"
                        .into(),
                ),
                "drop ALL capabilities".into(),
            ),
        },
        "dangerous-cap-added" if runtime => match minimized {
            Some(_) if source == Source::DockerRun => Proposal::Declined(
                "remove the --cap-add flags minimize did not prove by hand: flags are only added, \
                 never removed"
                    .into(),
            ),
            Some(m) => fix(
                rule,
                Change::Capabilities {
                    drop_all: false,
                    add: Some(m.capabilities),
                },
                Safety::Unsafe,
                Some(format!(
                    "minimize proved {} enough for the command it ran; code paths that command \
                     did not reach may need more",
                    caps_text(m.capabilities)
                )),
                format!("add back only {}", caps_text(m.capabilities)),
            ),
            None => Proposal::None,
        },
        "privilege-escalation-allowed" if runtime => {
            if minimized.is_some_and(|m| !m.no_new_privileges) {
                return Proposal::Declined(
                    "minimize found that the app needs to gain privileges (no-new-privileges broke it)".into(),
                );
            }
            // A process that already is root gains nothing from setuid binaries or file
            // capabilities, so the flag cannot take away anything it uses.
            let (safety, risk) = if matches!(original.root_status(), RootStatus::Root { .. }) {
                (Safety::Safe, None)
            } else {
                (
                    Safety::Unsafe,
                    Some(
                        "a process running as a non-root user can no longer gain privileges \
                         through setuid binaries (sudo, su, ping in older images) or file \
                         capabilities"
                            .into(),
                    ),
                )
            };
            let summary = match source {
                Source::Kubernetes => "set allowPrivilegeEscalation: false",
                _ => "turn no-new-privileges on",
            };
            fix(rule, Change::NoNewPrivileges, safety, risk, summary.into())
        }
        "writable-rootfs" if runtime => {
            if minimized.is_some_and(|m| !m.read_only_rootfs) {
                return Proposal::Declined(
                    "minimize found that the app needs a writable root filesystem".into(),
                );
            }
            let wanted: Vec<String> = match minimized {
                Some(m) => m.tmpfs.clone(),
                None => vec!["/tmp".to_string()],
            };
            let tmpfs: Vec<String> = wanted
                .into_iter()
                .filter(|p| {
                    !posture.mounts.iter().any(|m| {
                        m.container_path.as_deref().map(|c| c.trim_end_matches('/'))
                            == Some(p.trim_end_matches('/'))
                    })
                })
                .collect();
            let mounts = if tmpfs.is_empty() {
                String::new()
            } else {
                format!(" with a tmpfs at {}", tmpfs.join(", "))
            };
            let risk = match minimized {
                Some(_) => format!(
                    "minimize found writes only under {} for the command it ran; writes elsewhere \
                     fail",
                    if tmpfs.is_empty() {
                        "the existing mounts".to_string()
                    } else {
                        tmpfs.join(", ")
                    }
                ),
                None => "the app can no longer write outside its volumes and /tmp; writes \
                         anywhere else in its filesystem fail"
                    .to_string(),
            };
            fix(
                rule,
                Change::ReadOnlyRootfs { tmpfs },
                Safety::Unsafe,
                Some(risk),
                format!("make the root filesystem read-only{mounts}"),
            )
        }
        "runs-as-root" if runtime || source == Source::Dockerfile => {
            let written_user = match source {
                Source::Dockerfile => &original.image_user,
                _ => &original.user,
            };
            if written_user
                .value
                .as_deref()
                .is_some_and(|u| u.contains('$'))
            {
                return Proposal::Declined(
                    "the user is set through a variable; set its value instead".into(),
                );
            }
            let (spec, uid, proven) = match minimized {
                Some(m) if m.user_is_root => {
                    return Proposal::Declined(
                        "minimize found that the app needs to run as root".into(),
                    );
                }
                Some(m) => match m.user.as_deref().map(numeric_user) {
                    Some(Some((spec, uid))) => (spec, Some(uid), true),
                    Some(None) if matches!(source, Source::Kubernetes | Source::Dockerfile) => {
                        return Proposal::Declined(format!(
                            "minimize proved user '{}', a name: a numeric uid is needed here",
                            m.user.as_deref().unwrap_or("")
                        ));
                    }
                    Some(None) => (m.user.clone().unwrap_or_default(), None, true),
                    None => (
                        format!("{DEFAULT_UID}:{DEFAULT_UID}"),
                        Some(DEFAULT_UID),
                        false,
                    ),
                },
                None => (
                    format!("{DEFAULT_UID}:{DEFAULT_UID}"),
                    Some(DEFAULT_UID),
                    false,
                ),
            };
            let risk = if proven {
                format!(
                    "minimize proved user {spec} works for the command it ran; other code paths may write files only root may"
                )
            } else {
                format!(
                    "files and volumes the image gives to root may not be writable by uid {}, \
                     and ports below 1024 cannot be bound",
                    uid.map_or(spec.clone(), |u| u.to_string())
                )
            };
            let summary = match source {
                Source::Kubernetes => format!("run as non-root uid {}", uid.unwrap_or(DEFAULT_UID)),
                Source::Dockerfile => format!("add USER {spec} before the command"),
                _ => format!("run as user {spec}"),
            };
            fix(
                rule,
                Change::NonRootUser { spec, uid },
                Safety::Unsafe,
                Some(risk),
                summary,
            )
        }
        "seccomp-unconfined" if runtime => {
            if !posture.seccomp.is_written() && posture.seccomp.value != Seccomp::KubernetesUnset {
                return Proposal::None;
            }
            match (&posture.seccomp.value, source) {
                (Seccomp::KubernetesUnset, Source::Kubernetes) => fix(
                    rule,
                    Change::SeccompDefault,
                    Safety::Safe,
                    None,
                    "set seccompProfile RuntimeDefault".into(),
                ),
                (Seccomp::Unconfined, Source::DockerRun) => Proposal::Declined(
                    "remove `--security-opt seccomp=unconfined` by hand: flags are only added, never removed".into(),
                ),
                (Seccomp::Unconfined, _) => fix(
                    rule,
                    Change::SeccompDefault,
                    Safety::Unsafe,
                    Some(
                        "seccomp was turned off on purpose: an app that uses a system call the \
                         default profile blocks (mount, unshare, keyctl, ptrace on older \
                         kernels, ...) fails"
                            .into(),
                    ),
                    match source {
                        Source::Kubernetes => "set seccompProfile RuntimeDefault",
                        _ => "remove seccomp:unconfined",
                    }
                    .into(),
                ),
                _ => Proposal::None,
            }
        }
        _ => Proposal::None,
    }
}

/// `uid[:gid]` when `user` is numeric and not root.
fn numeric_user(user: &str) -> Option<(String, u32)> {
    let spec = minpriv_model::UserSpec::parse(user);
    let uid: u32 = spec.user.parse().ok()?;
    if uid == 0 {
        return None;
    }
    if let Some(group) = spec.group
        && group.parse::<u32>().is_err()
    {
        return None;
    }
    Some((user.trim().to_string(), uid))
}

fn caps_text(caps: CapSet) -> String {
    if caps.is_empty() {
        "no capability".into()
    } else {
        caps.sorted_names().join(", ")
    }
}

/// Makes `posture` what it is after `change`.
pub fn apply_change(posture: &mut Posture, change: &Change, source: Source) {
    let at = posture.anchor;
    match change {
        Change::Unprivileged => posture.privileged = Located::written(false, at),
        Change::Capabilities { drop_all, add } => {
            if *drop_all && !posture.drops_all_capabilities() {
                posture.cap_drop.push(Located::written(CapSpec::All, at));
            }
            if let Some(add) = add {
                posture.cap_add = add
                    .iter()
                    .map(|c| Located::written(CapSpec::Cap(c), at))
                    .collect();
            }
        }
        Change::NoNewPrivileges => posture.no_new_privileges = Located::written(true, at),
        Change::ReadOnlyRootfs { tmpfs } => {
            posture.read_only_rootfs = Located::written(true, at);
            for path in tmpfs {
                posture.mounts.push(Mount {
                    kind: MountKind::Tmpfs,
                    host_path: None,
                    container_path: Some(path.clone()),
                    read_only: false,
                    span: at,
                });
            }
        }
        Change::NonRootUser { spec, uid } => match source {
            Source::Kubernetes => {
                posture.run_as_user = Located::written(uid.map(i64::from), at);
                posture.run_as_non_root = Located::written(Some(true), at);
            }
            Source::Dockerfile => posture.image_user = Located::written(Some(spec.clone()), at),
            _ => posture.user = Located::written(Some(spec.clone()), at),
        },
        Change::SeccompDefault => posture.seccomp = Located::written(Seccomp::RuntimeDefault, at),
    }
}

/// The fields of [`Posture`] (as serialized) that `change` may alter.
pub fn changed_fields(change: &Change) -> &'static [&'static str] {
    match change {
        Change::Unprivileged => &["privileged"],
        Change::Capabilities { .. } => &["cap_drop", "cap_add"],
        Change::NoNewPrivileges => &["no_new_privileges"],
        Change::ReadOnlyRootfs { .. } => &["read_only_rootfs", "mounts"],
        Change::NonRootUser { .. } => &["user", "image_user", "run_as_user", "run_as_non_root"],
        Change::SeccompDefault => &["seccomp"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{ContainerRole, Runtime};

    fn kube_container(f: impl FnOnce(&mut Posture)) -> (Workload, Container) {
        let mut p = Posture::defaults(Runtime::Containerd, None);
        f(&mut p);
        let c = Container {
            name: Some("app".into()),
            role: ContainerRole::Regular,
            posture: p,
        };
        let w = Workload {
            source: Source::Kubernetes,
            resource: "Pod/x".into(),
            span: None,
            containers: vec![c.clone()],
            pod: None,
        };
        (w, c)
    }

    fn plan(w: &Workload, c: &Container, unsafe_fixes: bool) -> ContainerPlan {
        let profile = Profile::restricted();
        let suppressions = Suppressions::parse("");
        let options = crate::FixOptions {
            profile: &profile,
            unsafe_fixes,
            minimized: None,
            container: None,
            waived: None,
        };
        plan_container(
            w,
            c,
            &PlanContext {
                profile: &profile,
                suppressions: &suppressions,
                unsafe_fixes,
                minimized: None,
                options: &options,
            },
        )
    }

    #[test]
    fn only_safe_fixes_by_default() {
        let (w, c) = kube_container(|_| {});
        let p = plan(&w, &c, false);
        let applied: Vec<_> = p.apply.iter().map(|f| f.rule).collect();
        assert_eq!(applied, vec!["seccomp-unconfined"]);
        assert!(p.withheld.iter().any(|f| f.rule == "caps-not-dropped"));
        assert!(p.withheld.iter().all(|f| f.risk.is_some()));
    }

    #[test]
    fn no_new_privileges_is_safe_for_a_root_process_only() {
        let (w, c) = kube_container(|p| p.run_as_user = Located::written(Some(0), None));
        let p = plan(&w, &c, false);
        assert!(
            p.apply
                .iter()
                .any(|f| f.rule == "privilege-escalation-allowed")
        );
    }

    #[test]
    fn fixing_privileged_plans_what_it_hid() {
        let (w, c) = kube_container(|p| p.privileged = Located::written(true, None));
        let p = plan(&w, &c, true);
        let applied: Vec<_> = p.apply.iter().map(|f| f.rule).collect();
        for rule in [
            "privileged",
            "caps-not-dropped",
            "privilege-escalation-allowed",
            "seccomp-unconfined",
        ] {
            assert!(applied.contains(&rule), "{rule} in {applied:?}");
        }
    }

    #[test]
    fn numeric_users() {
        assert_eq!(numeric_user("1000:1000"), Some(("1000:1000".into(), 1000)));
        assert_eq!(numeric_user("0"), None);
        assert_eq!(numeric_user("app"), None);
        assert_eq!(numeric_user("1000:app"), None);
    }
}

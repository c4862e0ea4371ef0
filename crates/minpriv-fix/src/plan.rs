//! Deciding the fixes of one container on its [`Posture`]: which settings the hardened posture
//! changes, and whether each change is safe.
//!
//! The rules decide what is wrong: a fix is planned only for a finding the profile's rules
//! report and no `minpriv:ignore` comment suppresses. Planning repeats on the hardened posture
//! until no new finding appears, because one fix can make another finding visible (rules stay
//! silent about a privileged container's capabilities); fixing only the first would make a
//! second `minpriv fix` change the file again.

use crate::Minimized;
use minpriv_model::{CapSet, Container, Posture, Seccomp, Source, Step, Workload};
pub use minpriv_model::{Safety, hardening::DEFAULT_UID};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use std::sync::LazyLock;

/// How many times planning looks again after a fix; each round can only add fixes for rules
/// not fixed yet, so this is never reached by more than a handful.
const MAX_ROUNDS: usize = 8;

/// Whether a format's renderer writes a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Renders {
    /// It writes it.
    Yes,
    /// It has no edit for it.
    No,
    /// People must make the edit: why.
    ByHand(&'static str),
}

/// The steps the runtime formats (Kubernetes, Compose, command lines) write.
pub(crate) fn renders_runtime_step(step: &Step) -> Renders {
    match step {
        Step::DropPrivileged
        | Step::Capabilities { .. }
        | Step::NoNewPrivileges
        | Step::ReadOnlyRootfs { .. }
        | Step::RunAsNonRoot { .. }
        | Step::SeccompDefault => Renders::Yes,
        _ => Renders::No,
    }
}

/// Whether the renderer of `source` writes `step` for a container with `posture`.
fn renders(source: Source, step: &Step, posture: &Posture) -> Renders {
    match source {
        Source::Kubernetes => crate::kubernetes::renders(step),
        Source::Compose => crate::compose::renders(step),
        Source::DockerRun => crate::command_line::renders(step, posture),
        Source::Dockerfile => crate::dockerfile::renders(step),
        Source::Quadlet => crate::quadlet::renders(step),
        _ => Renders::No,
    }
}

/// What `step` does, for people, in the words of `source`.
fn summary_in(source: Source, step: &Step) -> String {
    match source {
        Source::Kubernetes => crate::kubernetes::summary(step),
        Source::Dockerfile => crate::dockerfile::summary(step),
        Source::Compose => crate::compose::summary(step),
        Source::Quadlet => crate::quadlet::summary(step),
        _ => crate::command_line::summary(step),
    }
}

/// What `step` does, for people, where every format says it alike.
pub(crate) fn summary(step: &Step) -> String {
    match step {
        Step::Capabilities {
            drop_all: true,
            add: None,
        } => "drop ALL capabilities".into(),
        Step::Capabilities {
            drop_all: true,
            add: Some(add),
        } => format!("drop ALL capabilities and add back {}", caps_text(*add)),
        // No proven set (without --from): the added capabilities go; with one, they are cut
        // to it.
        Step::Capabilities {
            drop_all: false,
            add: Some(add),
        } if add.is_empty() => "remove added capabilities beyond minimize's proven set".into(),
        Step::Capabilities {
            drop_all: false,
            add: Some(add),
        } => format!("add back only {}", caps_text(*add)),
        Step::ReadOnlyRootfs { tmpfs } if !tmpfs.is_empty() => format!(
            "make the root filesystem read-only with a tmpfs at {}",
            tmpfs.join(", ")
        ),
        Step::RunAsNonRoot { user, .. } => format!("run as user {user}"),
        other => other.describe().to_string(),
    }
}

/// One planned fix.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The rule whose finding it removes.
    pub rule: &'static str,
    /// What changes.
    pub step: Step,
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

/// The rules that have a fix in some format: those that name a step some format's renderer
/// writes, in the registry's order.
pub static FIXABLE_RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let anything = Posture::defaults(minpriv_model::Runtime::Docker, None);
    minpriv_rules::all_rules()
        .iter()
        .filter(|rule| {
            rule.fixes().iter().any(|step| {
                [
                    Source::Kubernetes,
                    Source::Compose,
                    Source::DockerRun,
                    Source::Dockerfile,
                ]
                .into_iter()
                .any(|source| renders(source, step, &anything) == Renders::Yes)
            })
        })
        .map(|rule| rule.info().id)
        .collect()
});

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
            let Some(rule) = minpriv_rules::find_rule(finding.rule) else {
                continue;
            };
            for step in rule.fixes() {
                match propose(
                    finding.rule,
                    step,
                    workload.source,
                    &hardened.posture,
                    original,
                    cx.minimized,
                ) {
                    Proposal::None => {}
                    Proposal::Declined(why) => plan.declined.push((finding.rule, why)),
                    Proposal::Fix(fix) => {
                        if fix.safety == Safety::Safe || cx.unsafe_fixes {
                            hardened.posture = fix.step.apply(&hardened.posture);
                            plan.apply.push(fix);
                            progressed = true;
                        } else {
                            plan.withheld.push(fix);
                        }
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

/// The fix of `rule`'s finding by `step` on `posture` (the hardened one so far): the step as
/// the rule names it, its values replaced by what minimize proved, if the format's renderer
/// writes it and it changes something. Safety is judged on `original`, the container as
/// written.
fn propose(
    rule: &'static str,
    step: Step,
    source: Source,
    posture: &Posture,
    original: &Posture,
    minimized: Option<&Minimized>,
) -> Proposal {
    if renders(source, &step, posture) == Renders::No {
        return Proposal::None;
    }
    let (step, proven_risk) = match tailor(step, source, posture, original, minimized) {
        Tailored::Step(step, proven_risk) => (step, proven_risk),
        Tailored::None => return Proposal::None,
        Tailored::Declined(why) => return Proposal::Declined(why),
    };
    if !step.applies_to(posture) {
        return Proposal::None;
    }
    if let Renders::ByHand(why) = renders(source, &step, posture) {
        return Proposal::Declined(why.into());
    }
    let (safety, risk) = step.safety(original);
    Proposal::Fix(Planned {
        rule,
        summary: summary_in(source, &step),
        step,
        safety,
        risk: proven_risk.or(risk),
    })
}

/// A step with its values decided.
enum Tailored {
    /// The step, and why it may break the app when minimize's proof says so.
    Step(Step, Option<String>),
    /// Nothing to do.
    None,
    /// Not fixed, and why.
    Declined(String),
}

/// `step` with minimize's proven values in place of the rule's defaults, or why it is not
/// proposed.
fn tailor(
    step: Step,
    source: Source,
    posture: &Posture,
    original: &Posture,
    minimized: Option<&Minimized>,
) -> Tailored {
    let proven_caps = |caps: CapSet| {
        Some(format!(
            "minimize proved {} enough for the command it ran; code paths that command did not \
             reach may need more",
            caps_text(caps)
        ))
    };
    match step {
        Step::Capabilities { drop_all, .. } => match minimized {
            Some(m) => Tailored::Step(
                Step::Capabilities {
                    drop_all,
                    add: Some(m.capabilities),
                },
                proven_caps(m.capabilities),
            ),
            // Replacing what is added back needs a proven set.
            None if !drop_all => Tailored::None,
            None => Tailored::Step(
                Step::Capabilities {
                    drop_all,
                    add: None,
                },
                None,
            ),
        },
        Step::NoNewPrivileges if minimized.is_some_and(|m| !m.no_new_privileges) => {
            Tailored::Declined(
                "minimize found that the app needs to gain privileges (no-new-privileges broke it)"
                    .into(),
            )
        }
        Step::ReadOnlyRootfs { tmpfs } => {
            if minimized.is_some_and(|m| !m.read_only_rootfs) {
                return Tailored::Declined(
                    "minimize found that the app needs a writable root filesystem".into(),
                );
            }
            let wanted = minimized.map_or(tmpfs, |m| m.tmpfs.clone());
            let tmpfs: Vec<String> = wanted
                .into_iter()
                .filter(|p| !posture.mounts_at(p))
                .collect();
            let risk = minimized.map(|_| {
                format!(
                    "minimize found writes only under {} for the command it ran; writes elsewhere \
                     fail",
                    if tmpfs.is_empty() {
                        "the existing mounts".to_string()
                    } else {
                        tmpfs.join(", ")
                    }
                )
            });
            Tailored::Step(Step::ReadOnlyRootfs { tmpfs }, risk)
        }
        Step::RunAsNonRoot { user, uid } => {
            let written_user = match source {
                Source::Dockerfile => &original.image_user,
                _ => &original.user,
            };
            if written_user
                .value
                .as_deref()
                .is_some_and(|u| u.contains('$'))
            {
                return Tailored::Declined(
                    "the user is set through a variable; set its value instead".into(),
                );
            }
            let Some(m) = minimized else {
                return Tailored::Step(Step::RunAsNonRoot { user, uid }, None);
            };
            if m.user_is_root() {
                return Tailored::Declined(
                    "minimize found that the app needs to run as root".into(),
                );
            }
            let (user, uid) = match m.user.as_deref().map(numeric_user) {
                Some(Some((spec, uid))) => (spec, Some(uid)),
                Some(None) if matches!(source, Source::Kubernetes | Source::Dockerfile) => {
                    return Tailored::Declined(format!(
                        "minimize proved user '{}', a name: a numeric uid is needed here",
                        m.user.as_deref().unwrap_or("")
                    ));
                }
                Some(None) => (m.user.clone().unwrap_or_default(), None),
                None => return Tailored::Step(Step::RunAsNonRoot { user, uid }, None),
            };
            let risk = format!(
                "minimize proved user {user} works for the command it ran; other code paths may write files only root may"
            );
            Tailored::Step(Step::RunAsNonRoot { user, uid }, Some(risk))
        }
        // A setting nobody wrote cannot be edited away.
        Step::SeccompDefault
            if !posture.seccomp.is_written()
                && posture.seccomp.value != Seccomp::KubernetesUnset =>
        {
            Tailored::None
        }
        step => Tailored::Step(step, None),
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

/// The fields of [`Posture`] (as serialized) that `step` may alter.
pub fn changed_fields(step: &Step) -> &'static [&'static str] {
    match step {
        Step::DropPrivileged => &["privileged"],
        Step::RemoveRuntimeSocket | Step::RemoveHostPathMounts => &["mounts"],
        Step::RemoveDevices => &["devices"],
        Step::Capabilities { .. } => &["cap_drop", "cap_add"],
        Step::NoNewPrivileges => &["no_new_privileges"],
        Step::NoHostNamespaces => &[
            "host_pid",
            "host_ipc",
            "host_network",
            "host_uts",
            "host_userns",
        ],
        Step::ReadOnlyRootfs { .. } => &["read_only_rootfs", "mounts"],
        Step::RunAsNonRoot { .. } => &["user", "image_user", "run_as_user", "run_as_non_root"],
        Step::SeccompDefault => &["seccomp"],
        Step::AppArmorDefault => &["apparmor"],
        Step::SelinuxLabels => &["selinux"],
        Step::MaskedProc => &["proc_mount"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{ContainerRole, Located, Runtime};

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
    fn the_fixable_rules_are_those_with_a_rendered_step() {
        let mut fixable = FIXABLE_RULES.clone();
        fixable.sort_unstable();
        assert_eq!(
            fixable,
            [
                "caps-not-dropped",
                "dangerous-cap-added",
                "privilege-escalation-allowed",
                "privileged",
                "runs-as-root",
                "seccomp-unconfined",
                "writable-rootfs",
            ]
        );
    }

    #[test]
    fn numeric_users() {
        assert_eq!(numeric_user("1000:1000"), Some(("1000:1000".into(), 1000)));
        assert_eq!(numeric_user("0"), None);
        assert_eq!(numeric_user("app"), None);
        assert_eq!(numeric_user("1000:app"), None);
    }
}

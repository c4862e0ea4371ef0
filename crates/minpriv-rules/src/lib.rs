//! minpriv's rules: one file a rule under [`rules`], the [`registry`] that lists them in the
//! contract's order, the [`Profile`]s that pick and grade them, and inline [`suppression`]s.
//!
//! A rule looks at one container's [`Posture`](minpriv_model::Posture) and appends
//! [`Finding`]s. Its documentation (`minpriv explain`, the rule reference) is the rule's own doc
//! comment, captured at compile time by `declare_rule!`, so docs and code cannot drift.

#![deny(missing_docs)]

pub mod pod_security;
pub mod profile;
pub mod registry;
mod remediation;
pub mod rules;
pub mod suppression;

pub use pod_security::{Level as PssLevel, PssVersion};
pub use profile::Profile;
pub use registry::{all_rules, find_rule};

use minpriv_model::{Container, Finding, Severity, Source, Workload};

/// Static facts about a rule, generated from its file.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The kebab-case id from CONTRACT.md's rule table; never reused.
    pub id: &'static str,
    /// The severity findings get unless a profile or the configuration changes it.
    pub default_severity: Severity,
    /// One line for `minpriv rules`.
    pub summary: &'static str,
    /// The rule's doc comment as markdown (`## What it checks` ... `## References`), for
    /// `minpriv explain` and the generated rule reference.
    pub doc: &'static str,
    /// The input formats where the rule can fire.
    pub applies_to: &'static [Source],
}

/// The policy settings a rule may consult, taken from the [`Profile`] in force.
///
/// Most rules decide from the posture alone; the few whose meaning depends on the policy
/// (seccomp under PSS baseline, the registry allow-list) read it from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckContext<'a> {
    /// Whether a Kubernetes container with no seccomp profile counts as unconfined.
    /// See [`Profile::unset_seccomp_is_unconfined`].
    pub unset_seccomp_is_unconfined: bool,
    /// Registries (or registry path prefixes) images may come from; empty = no allow-list.
    /// See [`Profile::allowed_registries`].
    pub allowed_registries: &'a [String],
    /// The Pod Security level Kubernetes pods are judged at. See [`Profile::pss_level`].
    pub pss_level: PssLevel,
    /// The Pod Security version. See [`Profile::pss_version`].
    pub pss_version: PssVersion,
}

impl CheckContext<'static> {
    /// The context of [`Profile::restricted`] with no registry allow-list: what
    /// [`Rule::check`] uses.
    pub const RESTRICTED: CheckContext<'static> = CheckContext {
        unset_seccomp_is_unconfined: true,
        allowed_registries: &[],
        pss_level: PssLevel::Restricted,
        pss_version: PssVersion::LATEST,
    };
}

/// One rule: static facts plus a check over one container.
pub trait Rule: Send + Sync {
    /// The rule's id, severity, summary and documentation.
    fn info(&self) -> &'static RuleInfo;

    /// Appends findings for one container, as under [`Profile::restricted`] with no registry
    /// allow-list. `severity` is filled with the default; the caller applies profiles.
    fn check(&self, workload: &Workload, container: &Container, out: &mut Vec<Finding>);

    /// The hardening steps that remove this rule's findings, as the rule proposes them (the
    /// values a step carries, such as a uid or tmpfs paths, are defaults a minimize result
    /// may replace). `minpriv fix` renders those its formats can write; empty for a rule no
    /// step fixes (an image tag, a sysctl).
    fn fixes(&self) -> Vec<minpriv_model::Step> {
        Vec::new()
    }

    /// Like [`Rule::check`], under the policy settings of `context`. Rules whose meaning does
    /// not depend on the policy keep this default, which ignores the context.
    fn check_with(
        &self,
        context: &CheckContext<'_>,
        workload: &Workload,
        container: &Container,
        out: &mut Vec<Finding>,
    ) {
        let _ = context;
        self.check(workload, container, out);
    }
}

/// Runs every rule the profile enables over the workloads; severities per profile; findings in
/// rule-table order per container (containers in workload order, init and ephemeral containers
/// exactly like regular ones).
///
/// A Kubernetes pod is then judged by the Pod Security controls of the profile's level and
/// version ([`pod_security`]): a finding that stands for a violated control carries its id, a
/// violation no finding reports becomes a finding of the rule that owns it, and a finding of a
/// rule whose control is in force but not violated is dropped, so that every Pod Security
/// verdict is the API server's.
pub fn check_workloads(workloads: &[Workload], profile: &Profile) -> Vec<Finding> {
    let context = profile.context();
    let mut findings = Vec::new();
    for workload in workloads {
        let first_of_workload = findings.len();
        // The container (index) each finding of this workload is about.
        let mut owners: Vec<usize> = Vec::new();
        for (index, container) in workload.containers.iter().enumerate() {
            for (rule, severity) in profile.enabled_rules() {
                let first_new = findings.len();
                rule.check_with(&context, workload, container, &mut findings);
                for finding in &mut findings[first_new..] {
                    finding.severity = severity;
                }
            }
            owners.resize(findings.len() - first_of_workload, index);
        }
        if let Some(pod) = workload.pod.as_deref() {
            let mut own = findings.split_off(first_of_workload);
            pod_security::reconcile(pod, workload, profile, &mut own, &owners);
            findings.append(&mut own);
        }
    }
    findings
}

/// The rendered documentation of rule `id` for `minpriv explain`: a title with the id, the
/// default severity, the formats it applies to, the summary, then the doc markdown.
/// `None` when no rule has that id.
pub fn explain(id: &str) -> Option<String> {
    let rule = find_rule(id)?;
    let info = rule.info();
    let formats: Vec<&str> = info.applies_to.iter().map(|s| s.as_str()).collect();
    // Summaries are lower-case fragments for `minpriv rules`; here they stand as a sentence.
    let mut summary = info.summary.chars();
    let summary: String = summary
        .next()
        .map(|first| first.to_uppercase().chain(summary).collect())
        .unwrap_or_default();
    let mut text = format!(
        "# {}\n\nDefault severity: {}. Applies to: {}.\n\n{summary}.\n\n{}\n",
        info.id,
        info.default_severity,
        formats.join(", "),
        info.doc.trim_end(),
    );
    // The hardening steps the rule declares, with their safety, from the same vocabulary
    // `minpriv fix`, `verify` and `risk` speak.
    let steps = rule.fixes();
    if !steps.is_empty() {
        text.push_str("\n## Hardening steps that remove it\n\n");
        for step in &steps {
            let safety = match step.safe_when() {
                Some(condition) => format!("safe {condition}, else unsafe"),
                None => "unsafe".to_string(),
            };
            text.push_str(&format!(
                "- {} ({safety}: {})\n",
                step.describe(),
                step.risk()
            ));
        }
        text.push_str(
            "\n`minpriv fix` writes the ones it can in the file (`minpriv fix --help` lists \
             them); `minpriv verify` shows whether the app still passes without the privilege.\n",
        );
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{ContainerRole, Located, Posture, Runtime, Span};

    fn span_at(line: u32) -> Option<Span> {
        Some(Span {
            start: line as usize * 100,
            end: line as usize * 100 + 4,
            line,
            column: 3,
            end_line: line,
            end_column: 7,
        })
    }

    fn container(name: &str, role: ContainerRole, posture: Posture) -> Container {
        Container {
            name: Some(name.into()),
            role,
            posture,
        }
    }

    /// A Kubernetes pod whose only problem is privileged mode (everything else hardened).
    fn hardened_kubernetes_posture(line: u32) -> Posture {
        let mut p = Posture::defaults(Runtime::Containerd, span_at(line));
        p.run_as_non_root = Located::written(Some(true), span_at(line + 1));
        p.cap_drop = vec![Located::written(
            minpriv_model::CapSpec::All,
            span_at(line + 2),
        )];
        p.no_new_privileges = Located::written(true, span_at(line + 3));
        p.read_only_rootfs = Located::written(true, span_at(line + 4));
        p.seccomp = Located::written(minpriv_model::Seccomp::RuntimeDefault, span_at(line + 5));
        p.image = Located::written(Some("nginx:1.27@sha256:abc".into()), span_at(line + 6));
        p.automount_service_account_token = Located::written(Some(false), span_at(line + 7));
        p
    }

    fn pod(containers: Vec<Container>) -> Workload {
        Workload {
            source: Source::Kubernetes,
            resource: "Pod/web".into(),
            span: span_at(1),
            containers,
            pod: None,
        }
    }

    #[test]
    fn a_privileged_container_is_reported_for_every_control_on_its_own() {
        let mut p = Posture::defaults(Runtime::Containerd, span_at(5));
        p.privileged = Located::written(true, span_at(9));
        p.cap_add = vec![Located::written(
            minpriv_model::CapSpec::Cap(minpriv_model::Capability::SYS_ADMIN),
            span_at(10),
        )];
        p.seccomp = Located::written(minpriv_model::Seccomp::Unconfined, span_at(11));
        p.apparmor = Located::written(minpriv_model::AppArmor::Unconfined, span_at(12));
        p.proc_mount = Located::written(minpriv_model::ProcMount::Unmasked, span_at(13));
        p.devices = vec![Located::written("/dev/sda".into(), span_at(14))];
        p.selinux = Located::written(
            minpriv_model::Selinux {
                disabled: true,
                ..Default::default()
            },
            span_at(15),
        );
        let findings = check_workloads(
            &[pod(vec![container("app", ContainerRole::Regular, p)])],
            &Profile::restricted(),
        );
        let ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert!(ids.contains(&"privileged"));
        for own in [
            "caps-not-dropped",
            "dangerous-cap-added",
            "privilege-escalation-allowed",
            "seccomp-unconfined",
            "apparmor-unconfined",
            "proc-mount-unmasked",
            "host-devices",
            "selinux-disabled",
        ] {
            assert!(ids.contains(&own), "{own} is a fix of its own: {ids:?}");
        }
        let privileged_why = |rule: &str| {
            findings
                .iter()
                .find(|f| f.rule == rule)
                .is_some_and(|f| f.message.contains("privileged"))
        };
        assert!(privileged_why("caps-not-dropped"));
        assert!(privileged_why("privilege-escalation-allowed"));
        assert!(ids.contains(&"writable-rootfs"));
        assert!(ids.contains(&"runs-as-root"));
    }

    #[test]
    fn findings_come_in_rule_table_order_per_container_with_profile_severities() {
        let mut init = hardened_kubernetes_posture(20);
        init.privileged = Located::written(true, span_at(29));
        init.host_pid = Located::written(true, span_at(30));
        let mut app = hardened_kubernetes_posture(40);
        app.host_network = Located::written(true, span_at(49));
        app.read_only_rootfs = Located::default_at(false, span_at(40));
        let mut debug = hardened_kubernetes_posture(60);
        debug.apparmor = Located::written(minpriv_model::AppArmor::Unconfined, span_at(69));
        let workload = pod(vec![
            container("init", ContainerRole::Init, init),
            container("app", ContainerRole::Regular, app),
            container("debug", ContainerRole::Ephemeral, debug),
        ]);

        let mut profile = Profile::restricted();
        profile
            .set_severity("writable-rootfs", Severity::High)
            .expect("writable-rootfs exists");
        let findings = check_workloads(std::slice::from_ref(&workload), &profile);
        let got: Vec<(&str, Option<&str>, Severity)> = findings
            .iter()
            .map(|f| (f.rule, f.container.as_deref(), f.severity))
            .collect();
        assert_eq!(
            got,
            vec![
                ("privileged", Some("init"), Severity::Critical),
                ("host-pid", Some("init"), Severity::High),
                // Privileged ignores the drop of ALL and the seccomp profile: each is reported.
                ("caps-not-dropped", Some("init"), Severity::Medium),
                ("seccomp-unconfined", Some("init"), Severity::High),
                ("host-network", Some("app"), Severity::High),
                ("writable-rootfs", Some("app"), Severity::High),
                ("apparmor-unconfined", Some("debug"), Severity::High),
            ]
        );
        assert!(findings.iter().all(|f| f.resource == "Pod/web"));
    }

    #[test]
    fn the_profile_filters_rules() {
        let mut p = hardened_kubernetes_posture(10);
        p.run_as_non_root = Located::default_at(None, span_at(10));
        p.host_ipc = Located::written(true, span_at(30));
        let workloads = [pod(vec![container("app", ContainerRole::Regular, p)])];

        let restricted: Vec<&str> = check_workloads(&workloads, &Profile::restricted())
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(restricted, vec!["host-ipc", "runs-as-root"]);

        let baseline: Vec<&str> = check_workloads(&workloads, &Profile::baseline())
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(baseline, vec!["host-ipc"]);

        let mut custom = Profile::restricted();
        custom.disable("host-ipc").expect("host-ipc exists");
        let custom: Vec<&str> = check_workloads(&workloads, &custom)
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(custom, vec!["runs-as-root"]);
    }

    #[test]
    fn baseline_reports_only_explicitly_unconfined_seccomp() {
        let unset = hardened_kubernetes_posture(10);
        let mut unset = unset;
        unset.seccomp = Located::default_at(minpriv_model::Seccomp::KubernetesUnset, span_at(10));
        let mut explicit = hardened_kubernetes_posture(30);
        explicit.seccomp = Located::written(minpriv_model::Seccomp::Unconfined, span_at(35));
        let workloads = [pod(vec![
            container("unset", ContainerRole::Regular, unset),
            container("explicit", ContainerRole::Regular, explicit),
        ])];
        let containers_with = |profile: &Profile| -> Vec<Option<String>> {
            check_workloads(&workloads, profile)
                .into_iter()
                .filter(|f| f.rule == "seccomp-unconfined")
                .map(|f| f.container)
                .collect()
        };
        assert_eq!(
            containers_with(&Profile::restricted()),
            vec![Some("unset".to_string()), Some("explicit".to_string())]
        );
        assert_eq!(
            containers_with(&Profile::baseline()),
            vec![Some("explicit".to_string())]
        );
    }

    #[test]
    fn explain_renders_id_severity_summary_and_doc() {
        let text = explain("privileged").expect("privileged exists");
        assert!(text.starts_with("# privileged\n\nDefault severity: critical."));
        assert!(text.contains("Applies to: kubernetes, compose, docker-run"));
        assert!(text.contains("\n\nPrivileged mode is on.\n\n## What it checks\n"));
        assert!(text.contains("\n## References\n"));
        assert!(
            text.contains(
                "\n## Hardening steps that remove it\n\n- turn privileged mode off (unsafe: "
            ),
            "{text}"
        );
        assert!(
            !explain("image-latest-tag")
                .unwrap_or_default()
                .contains("## Hardening")
        );
        assert_eq!(explain("no-such-rule"), None);
    }
}

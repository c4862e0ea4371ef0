//! The registry: every rule, in the order of CONTRACT.md's rule table.

use crate::Rule;
use crate::rules::*;

/// Every rule in rule-table order. Findings of one container come out in this order.
static RULES: [&dyn Rule; 33] = [
    &Privileged,
    &DockerSocketMount,
    &HostPid,
    &HostIpc,
    &HostNetwork,
    &HostUts,
    &HostUserns,
    &DangerousCapAdded,
    &CapsNotDropped,
    &RunsAsRoot,
    &NonNumericImageUser,
    &PrivilegeEscalationAllowed,
    &WritableRootfs,
    &SeccompUnconfined,
    &ApparmorUnconfined,
    &SelinuxDisabled,
    &ProcMountUnmasked,
    &UnsafeSysctls,
    &HostDevices,
    &SensitiveHostpath,
    &HostPort,
    &HostpathVolume,
    &RestrictedVolumeType,
    &ProbeHost,
    &WindowsHostProcess,
    &RestrictedCapAdded,
    &ImageLatestTag,
    &ImageNotPinned,
    &ImageUntrustedRegistry,
    &SetuidFiles,
    &ServiceAccountToken,
    &DangerousCapLabel,
    &InvalidInput,
];

/// Every rule, in the order of the contract's rule table.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    &RULES
}

/// The rule with id `id` (exact, kebab-case), if any.
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.info().id == id)
}

/// Position of rule `id` in [`all_rules`].
pub(crate) fn rule_index(id: &str) -> Option<usize> {
    RULES.iter().position(|r| r.info().id == id)
}

/// The existing rule id closest to `id`, when it is close enough to be a likely typo (a wrong
/// case, `_` for `-`, or up to two edits away). For "did you mean" hints.
pub fn closest_rule_id(id: &str) -> Option<&'static str> {
    let wanted: String = id
        .trim()
        .chars()
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    RULES
        .iter()
        .map(|r| r.info().id)
        .map(|known| (edit_distance(&wanted, known), known))
        .filter(|&(distance, _)| distance <= 2)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, known)| known)
}

/// Levenshtein distance over bytes (rule ids are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{
        ALL_SOURCES, assert_finding_names_container, run_with, worst_postures,
    };
    use crate::{CheckContext, RuleInfo};
    use minpriv_model::Severity;

    /// CONTRACT.md's rule table, in order, with default severities. Hard-coded on purpose: a
    /// rule added, renamed or regraded without updating the contract fails here.
    const CONTRACT_RULES: &[(&str, Severity)] = &[
        ("privileged", Severity::Critical),
        ("docker-socket-mount", Severity::Critical),
        ("host-pid", Severity::High),
        ("host-ipc", Severity::High),
        ("host-network", Severity::High),
        ("host-uts", Severity::Medium),
        ("host-userns", Severity::High),
        ("dangerous-cap-added", Severity::High),
        ("caps-not-dropped", Severity::Medium),
        ("runs-as-root", Severity::High),
        ("non-numeric-image-user", Severity::Medium),
        ("privilege-escalation-allowed", Severity::Medium),
        ("writable-rootfs", Severity::Low),
        ("seccomp-unconfined", Severity::High),
        ("apparmor-unconfined", Severity::High),
        ("selinux-disabled", Severity::High),
        ("proc-mount-unmasked", Severity::High),
        ("unsafe-sysctls", Severity::Medium),
        ("host-devices", Severity::High),
        ("sensitive-hostpath", Severity::High),
        ("host-port", Severity::Medium),
        ("hostpath-volume", Severity::Medium),
        ("restricted-volume-type", Severity::Medium),
        ("probe-host", Severity::Medium),
        ("windows-host-process", Severity::Critical),
        ("restricted-cap-added", Severity::Low),
        ("image-latest-tag", Severity::Medium),
        ("image-not-pinned", Severity::Info),
        ("image-untrusted-registry", Severity::High),
        ("setuid-files", Severity::Medium),
        ("service-account-token", Severity::Info),
        ("dangerous-cap-label", Severity::High),
        ("invalid-input", Severity::High),
    ];

    #[test]
    fn ids_and_severities_match_the_contract_in_order() {
        let got: Vec<(&str, Severity)> = all_rules()
            .iter()
            .map(|r| (r.info().id, r.info().default_severity))
            .collect();
        assert_eq!(got, CONTRACT_RULES);
    }

    #[test]
    fn every_rule_is_found_by_its_id_only() {
        for (id, _) in CONTRACT_RULES {
            assert_eq!(find_rule(id).map(|r| r.info().id), Some(*id));
        }
        assert!(find_rule("Privileged").is_none());
        assert!(find_rule("host_pid").is_none());
    }

    fn headings(info: &RuleInfo) -> Vec<&str> {
        info.doc.lines().filter(|l| l.starts_with("## ")).collect()
    }

    #[test]
    fn every_doc_has_the_five_headings_in_order() {
        for rule in all_rules() {
            let info = rule.info();
            assert_eq!(
                headings(info),
                [
                    "## What it checks",
                    "## Why it matters",
                    "## Example",
                    "## Use instead",
                    "## References"
                ],
                "{}",
                info.id
            );
        }
    }

    #[test]
    fn docs_are_markdown_without_the_doc_comment_indent() {
        for rule in all_rules() {
            let info = rule.info();
            assert!(info.doc.starts_with("## What it checks\n"), "{}", info.id);
            assert!(!info.doc.ends_with('\n'), "{}", info.id);
            // Fences are balanced, so every example renders as code.
            assert_eq!(info.doc.matches("```").count() % 2, 0, "{}", info.id);
            assert!(
                !info.summary.is_empty() && !info.summary.ends_with('.'),
                "{}",
                info.id
            );
            assert!(!info.applies_to.is_empty(), "{}", info.id);
        }
    }

    #[test]
    fn examples_cover_each_format_the_rule_applies_to() {
        use minpriv_model::Source;
        for rule in all_rules() {
            let info = rule.info();
            let example = section(info.doc, "## Example");
            let instead = section(info.doc, "## Use instead");
            for (source, label) in [
                (Source::DockerRun, "Docker run:"),
                (Source::Quadlet, "Quadlet:"),
                (Source::Compose, "Compose:"),
                (Source::Kubernetes, "Kubernetes:"),
                (Source::Dockerfile, "Dockerfile:"),
            ] {
                if info.applies_to.contains(&source) && info.id != "invalid-input" {
                    assert!(
                        example.contains(label),
                        "{}: Example lacks {label}",
                        info.id
                    );
                    assert!(
                        instead.contains(label),
                        "{}: Use instead lacks {label}",
                        info.id
                    );
                }
            }
        }
    }

    fn section<'d>(doc: &'d str, heading: &str) -> &'d str {
        let start = doc.find(heading).map_or(doc.len(), |i| i + heading.len());
        let rest = &doc[start..];
        // Headings are at line starts; code in fences never starts a line with "## ".
        let end = rest.find("\n## ").unwrap_or(rest.len());
        &rest[..end]
    }

    /// A rule's `applies_to` is honest: on the worst posture each format's reader can produce,
    /// the rule fires for exactly the formats it lists.
    #[test]
    fn rules_fire_exactly_in_the_formats_they_list() {
        let allow_list = vec!["ghcr.io/acme".to_string()];
        let context = CheckContext {
            allowed_registries: &allow_list,
            ..CheckContext::RESTRICTED
        };
        for rule in all_rules() {
            let info = rule.info();
            // Decided from the pod spec alone (crate::pod_security): tested there and in the
            // conformance test, which read real pod specs.
            if crate::pod_security::POD_SPEC_ONLY_RULES.contains(&info.id) {
                continue;
            }
            for source in ALL_SOURCES {
                let findings: Vec<_> = worst_postures(source)
                    .into_iter()
                    .flat_map(|p| run_with(*rule, &context, source, p))
                    .collect();
                for f in &findings {
                    assert_eq!(f.rule, info.id);
                    assert_eq!(f.severity, info.default_severity);
                    assert!(!f.remediation.is_empty(), "{}", info.id);
                    assert_finding_names_container(f);
                }
                let expected = info.applies_to.contains(&source) && info.id != "invalid-input";
                assert_eq!(
                    !findings.is_empty(),
                    expected,
                    "{} on {source}: {findings:#?}",
                    info.id
                );
            }
        }
    }

    #[test]
    fn typos_get_suggestions() {
        assert_eq!(closest_rule_id("host_pid"), Some("host-pid"));
        assert_eq!(closest_rule_id("PRIVILEGED"), Some("privileged"));
        assert_eq!(closest_rule_id("runs-as-rot"), Some("runs-as-root"));
        assert_eq!(closest_rule_id("all"), None);
        assert_eq!(closest_rule_id("completely-unrelated"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}

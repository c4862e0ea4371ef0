//! Profiles: which rules run, at which severity, under which policy settings.

use crate::registry::{all_rules, closest_rule_id, rule_index};
use crate::{CheckContext, PssLevel, PssVersion, Rule};
use minpriv_model::Severity;
use std::fmt;

/// A named policy: for every rule, whether it runs and the severity its findings get, plus the
/// policy settings rules consult (see [`CheckContext`]).
///
/// Two profiles are built in: [`Profile::restricted`] (the default: every rule at its default
/// severity) and [`Profile::baseline`] (what the Kubernetes Pod Security Standards *baseline*
/// level forbids). The configuration file tunes a profile with [`Profile::enable`],
/// [`Profile::disable`] and [`Profile::set_severity`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    name: String,
    /// One entry per rule, in [`all_rules`] order.
    settings: Vec<RuleSetting>,
    /// Registries (`ghcr.io`) or registry path prefixes (`ghcr.io/acme`, `docker.io/library`)
    /// images may come from. Empty means no allow-list is configured, and then
    /// `image-untrusted-registry` stays silent: without a policy there is nothing to be
    /// untrusted against. Filled from the configuration file.
    pub allowed_registries: Vec<String>,
    /// Whether a Kubernetes container with no seccomp profile counts as unconfined (the kubelet
    /// runs it `Unconfined` unless the cluster turned on `SeccompDefault`). True in
    /// `restricted`, which, like PSS restricted, wants a profile set; false in `baseline`,
    /// which, like PSS baseline, only forbids an explicit `Unconfined`.
    pub unset_seccomp_is_unconfined: bool,
    /// The Pod Security Standards level Kubernetes pods are judged at: `restricted` for the
    /// restricted profile, `baseline` for the baseline one.
    pub pss_level: PssLevel,
    /// The Pod Security Standards version (`--pss-version`, `pss-version` in minpriv.toml):
    /// the controls as that Kubernetes version defines them. Latest by default.
    pub pss_version: PssVersion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RuleSetting {
    enabled: bool,
    severity: Severity,
}

/// A rule id that no rule has, as given to a [`Profile`] method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoSuchRule {
    /// The id as given.
    pub id: String,
    /// The closest existing id, when one is close enough to be a likely typo.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for NoSuchRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule '{}'", self.id)?;
        if let Some(s) = self.suggestion {
            write!(f, " (did you mean '{s}'?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for NoSuchRule {}

/// Rules of [`Profile::baseline`]: those whose findings the Pod Security Standards baseline
/// level forbids. host-uts, host-userns and host-devices have no Kubernetes field (they judge
/// Docker and Compose inputs) but share the host just like the baseline controls' fields.
const BASELINE_RULES: &[&str] = &[
    "privileged",
    "docker-socket-mount",
    "host-pid",
    "host-ipc",
    "host-network",
    "host-uts",
    "host-userns",
    "dangerous-cap-added",
    "seccomp-unconfined",
    "apparmor-unconfined",
    "selinux-disabled",
    "proc-mount-unmasked",
    "unsafe-sysctls",
    "host-devices",
    "sensitive-hostpath",
    "host-port",
    "hostpath-volume",
    "probe-host",
    "windows-host-process",
    "invalid-input",
];

impl Profile {
    /// The names [`Profile::by_name`] accepts, the default first.
    pub fn names() -> &'static [&'static str] {
        &["restricted", "baseline"]
    }

    /// The default profile: every rule at its default severity; a Kubernetes container without
    /// a seccomp profile counts as unconfined.
    pub fn restricted() -> Profile {
        Profile {
            name: "restricted".into(),
            settings: all_rules()
                .iter()
                .map(|rule| RuleSetting {
                    enabled: true,
                    severity: rule.info().default_severity,
                })
                .collect(),
            allowed_registries: Vec::new(),
            unset_seccomp_is_unconfined: true,
            pss_level: PssLevel::Restricted,
            pss_version: PssVersion::LATEST,
        }
    }

    /// Kubernetes Pod Security Standards *baseline* semantics: only the rules whose findings
    /// baseline forbids (privileged, host namespaces, capabilities beyond the baseline list,
    /// host ports, sensitive host paths and runtime sockets, explicitly unconfined seccomp,
    /// AppArmor, SELinux, /proc, sysctls, devices) and invalid-input. Running as root, dropping
    /// capabilities, privilege escalation, a writable root filesystem and the image rules are
    /// off, as baseline allows them.
    pub fn baseline() -> Profile {
        let mut profile = Profile::restricted();
        profile.name = "baseline".into();
        profile.unset_seccomp_is_unconfined = false;
        profile.pss_level = PssLevel::Baseline;
        for (rule, setting) in all_rules().iter().zip(&mut profile.settings) {
            setting.enabled = BASELINE_RULES.contains(&rule.info().id);
        }
        profile
    }

    /// The built-in profile called `name` (case-insensitive), if any.
    pub fn by_name(name: &str) -> Option<Profile> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("restricted") {
            Some(Profile::restricted())
        } else if name.eq_ignore_ascii_case("baseline") {
            Some(Profile::baseline())
        } else {
            None
        }
    }

    /// The profile's name (`restricted`, `baseline`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when rule `id` runs under this profile (false for an unknown id).
    pub fn is_enabled(&self, id: &str) -> bool {
        self.setting(id).is_some_and(|s| s.enabled)
    }

    /// The severity findings of rule `id` get, or `None` when the rule is off or unknown.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.setting(id).filter(|s| s.enabled).map(|s| s.severity)
    }

    /// Turns rule `id` on (keeping any severity set for it).
    pub fn enable(&mut self, id: &str) -> Result<(), NoSuchRule> {
        self.setting_mut(id)?.enabled = true;
        Ok(())
    }

    /// Turns rule `id` off.
    pub fn disable(&mut self, id: &str) -> Result<(), NoSuchRule> {
        self.setting_mut(id)?.enabled = false;
        Ok(())
    }

    /// Sets the severity of rule `id`'s findings. Does not turn the rule on.
    pub fn set_severity(&mut self, id: &str, severity: Severity) -> Result<(), NoSuchRule> {
        self.setting_mut(id)?.severity = severity;
        Ok(())
    }

    /// Narrows the profile from the command line (`--rule`, `--skip`): with `only` non-empty,
    /// exactly those rules run (turned on if the profile had them off); every rule in `skip`
    /// is off. Every id is checked before anything changes.
    ///
    /// # Errors
    /// The first id no rule has, with a suggestion when it looks like a typo.
    pub fn select(&mut self, only: &[String], skip: &[String]) -> Result<(), NoSuchRule> {
        for id in only.iter().chain(skip) {
            if rule_index(id).is_none() {
                return Err(NoSuchRule {
                    id: id.clone(),
                    suggestion: closest_rule_id(id),
                });
            }
        }
        if !only.is_empty() {
            for rule in all_rules() {
                let id = rule.info().id;
                if only.iter().any(|o| o == id) {
                    self.enable(id)?;
                } else {
                    self.disable(id)?;
                }
            }
        }
        for id in skip {
            self.disable(id)?;
        }
        Ok(())
    }

    /// The rules that run, in rule-table order, with the severity their findings get.
    pub fn enabled_rules(&self) -> impl Iterator<Item = (&'static dyn Rule, Severity)> + '_ {
        all_rules()
            .iter()
            .zip(&self.settings)
            .filter(|(_, s)| s.enabled)
            .map(|(rule, s)| (*rule, s.severity))
    }

    /// The policy settings rules consult.
    pub fn context(&self) -> CheckContext<'_> {
        CheckContext {
            unset_seccomp_is_unconfined: self.unset_seccomp_is_unconfined,
            allowed_registries: &self.allowed_registries,
            pss_level: self.pss_level,
            pss_version: self.pss_version,
        }
    }

    fn setting(&self, id: &str) -> Option<&RuleSetting> {
        self.settings.get(rule_index(id)?)
    }

    fn setting_mut(&mut self, id: &str) -> Result<&mut RuleSetting, NoSuchRule> {
        rule_index(id)
            .and_then(|i| self.settings.get_mut(i))
            .ok_or_else(|| NoSuchRule {
                id: id.to_string(),
                suggestion: closest_rule_id(id),
            })
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::restricted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_runs_every_rule_at_its_default_severity() {
        let p = Profile::restricted();
        assert_eq!(p.enabled_rules().count(), all_rules().len());
        for rule in all_rules() {
            let info = rule.info();
            assert_eq!(
                p.severity(info.id),
                Some(info.default_severity),
                "{}",
                info.id
            );
        }
        assert!(p.unset_seccomp_is_unconfined);
        assert!(p.allowed_registries.is_empty());
        assert_eq!(Profile::default(), p);
    }

    #[test]
    fn baseline_runs_exactly_what_pss_baseline_forbids() {
        let p = Profile::baseline();
        let enabled: Vec<&str> = p.enabled_rules().map(|(r, _)| r.info().id).collect();
        assert_eq!(enabled, BASELINE_RULES);
        for off in [
            "runs-as-root",
            "non-numeric-image-user",
            "caps-not-dropped",
            "privilege-escalation-allowed",
            "writable-rootfs",
            "image-latest-tag",
            "image-not-pinned",
            "image-untrusted-registry",
            "setuid-files",
            "service-account-token",
        ] {
            assert!(!p.is_enabled(off), "{off}");
            assert_eq!(p.severity(off), None, "{off}");
        }
        assert!(!p.unset_seccomp_is_unconfined);
    }

    #[test]
    fn selection_narrows_and_checks_every_id_first() {
        let mut p = Profile::baseline();
        p.select(
            &["runs-as-root".into(), "privileged".into()],
            &["privileged".into()],
        )
        .expect("known ids");
        let enabled: Vec<&str> = p.enabled_rules().map(|(r, _)| r.info().id).collect();
        assert_eq!(enabled, ["runs-as-root"], "selected turns on, skip wins");
        let mut q = Profile::restricted();
        let err = q
            .select(&[], &["host-pid".into(), "runs-as-rot".into()])
            .expect_err("a typo");
        assert_eq!(err.suggestion, Some("runs-as-root"));
        assert!(q.is_enabled("host-pid"), "nothing changed before the check");
    }

    #[test]
    fn names_resolve() {
        for name in Profile::names() {
            assert_eq!(
                Profile::by_name(name).map(|p| p.name().to_string()),
                Some(name.to_string())
            );
        }
        assert_eq!(
            Profile::by_name(" Baseline ").map(|p| p.name().to_string()),
            Some("baseline".into())
        );
        assert_eq!(Profile::by_name("privileged"), None);
    }

    #[test]
    fn rules_can_be_toggled_and_regraded() {
        let mut p = Profile::baseline();
        p.set_severity("runs-as-root", Severity::Critical).unwrap();
        assert!(
            !p.is_enabled("runs-as-root"),
            "a severity does not turn a rule on"
        );
        p.enable("runs-as-root").unwrap();
        assert_eq!(p.severity("runs-as-root"), Some(Severity::Critical));
        p.disable("privileged").unwrap();
        assert_eq!(p.severity("privileged"), None);
        assert!(!p.enabled_rules().any(|(r, _)| r.info().id == "privileged"));
    }

    #[test]
    fn unknown_ids_are_errors_with_a_suggestion() {
        let mut p = Profile::restricted();
        let err = p.disable("privilegd").unwrap_err();
        assert_eq!(err.suggestion, Some("privileged"));
        assert_eq!(
            err.to_string(),
            "unknown rule 'privilegd' (did you mean 'privileged'?)"
        );
        let err = p.enable("completely-different").unwrap_err();
        assert_eq!(err.suggestion, None);
        assert!(!p.is_enabled("completely-different"));
    }
}

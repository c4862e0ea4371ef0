//! The export plan: which rules become validations, in which policy (Deny or Warn), with which
//! waivers, and which rules stay out and why. The targets (`vap`, `kyverno`, `gatekeeper`) only
//! write this plan in their syntax.

use crate::checks::{Check, checks_of};
use crate::variables::{self, Variable};
use crate::waivers::{Waiver, matches_resource};
use minpriv_model::{Severity, Source};
use minpriv_rules::Profile;

/// What the export is asked for.
#[derive(Clone, Debug)]
pub struct Settings<'a> {
    /// Rules, severities, level and version: the same profile `minpriv scan` resolves.
    pub profile: &'a Profile,
    /// Rules at this severity or worse are denied; the others warned about and audited.
    pub fail_on: Severity,
    /// False to deny nothing: every validation warns and audits (`--warn-only`).
    pub deny: bool,
    /// Rules below this severity are not reported by the scan, so not exported.
    pub min_severity: Severity,
    /// The configuration's waivers.
    pub waivers: &'a [Waiver],
    /// The prefix of every object's name (`minpriv-restricted`).
    pub name: String,
}

/// One CEL validation: the rule it stands for, true when the object passes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// The rule's id.
    pub rule: &'static str,
    /// True when the object does not violate the rule (or a waiver exempts it).
    pub expression: String,
    /// The message when it does: the rule, who violates it, what it means.
    pub message_expression: String,
}

/// What a policy does with a failed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Reject the request (`fail-on` severity and worse).
    Deny,
    /// Admit it with a warning to the client and an audit annotation.
    Warn,
}

impl Action {
    /// `deny` or `warn`, as names and Gatekeeper's `enforcementAction` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
        }
    }
}

/// One policy: the validations that share an action.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Its name (`minpriv-restricted-deny`).
    pub name: String,
    /// What a failed validation does.
    pub action: Action,
    /// One per exported rule.
    pub validations: Vec<Validation>,
}

/// A waiver as exported, or why it is not.
#[derive(Clone, Debug)]
pub struct WaiverOutcome {
    /// The waiver.
    pub waiver: Waiver,
    /// `None` when exported; else why not.
    pub skipped: Option<String>,
}

/// The export: policies, variables, and what stayed out.
#[derive(Clone, Debug)]
pub struct Export {
    /// The profile's name, level and version, for annotations.
    pub profile: String,
    /// The Pod Security level (`restricted`).
    pub level: &'static str,
    /// The Pod Security version (`v1.37`).
    pub version: String,
    /// The variables every policy declares.
    pub variables: Vec<Variable>,
    /// The Deny policy, then the Warn one; empty ones are left out.
    pub policies: Vec<Policy>,
    /// Enabled rules that are not exported, with the reason.
    pub not_exported: Vec<(&'static str, String)>,
    /// Every waiver of the configuration and what became of it.
    pub waivers: Vec<WaiverOutcome>,
}

impl Export {
    /// Waivers exported that expire within `days` days.
    pub fn expiring_within(&self, days: i64) -> impl Iterator<Item = &Waiver> {
        self.waivers
            .iter()
            .filter(|w| w.skipped.is_none())
            .map(|w| &w.waiver)
            .filter(move |w| w.days_left.is_some_and(|d| (0..=days).contains(&d)))
    }
}

/// Plans the export of `settings`.
pub fn plan(settings: &Settings<'_>) -> Export {
    let profile = settings.profile;
    let mut not_exported = Vec::new();
    let mut deny = Vec::new();
    let mut warn = Vec::new();
    let mut waivers: Vec<WaiverOutcome> = settings
        .waivers
        .iter()
        .map(|w| WaiverOutcome {
            waiver: w.clone(),
            skipped: None,
        })
        .collect();
    for w in &mut waivers {
        w.skipped = waiver_skip_reason(&w.waiver, profile);
    }
    for (rule, severity) in profile.enabled_rules() {
        let info = rule.info();
        if !info.applies_to.contains(&Source::Kubernetes) && info.id != "invalid-input" {
            continue;
        }
        if severity < settings.min_severity {
            not_exported.push((
                info.id,
                format!("its severity ({severity}) is below min-severity, so the scan does not report it"),
            ));
            continue;
        }
        let checks = match checks_of(info.id, profile) {
            Ok(checks) if !checks.is_empty() => checks,
            Ok(_) => {
                not_exported.push((info.id, "nothing to check at this level and version".into()));
                continue;
            }
            Err(reason) => {
                not_exported.push((info.id, reason));
                continue;
            }
        };
        let mine: Vec<&mut WaiverOutcome> = waivers
            .iter_mut()
            .filter(|w| w.skipped.is_none() && w.waiver.rule == info.id)
            .collect();
        let all_per_container = checks.iter().all(|c| matches!(c, Check::Each { .. }));
        let mut whole = Vec::new();
        let mut per_container = Vec::new();
        for outcome in mine {
            let Some(matcher) = outcome
                .waiver
                .resource
                .as_deref()
                .and_then(matches_resource)
            else {
                continue;
            };
            match &outcome.waiver.container {
                None => whole.push(matcher),
                Some(_) if !all_per_container => {
                    outcome.skipped = Some(format!(
                        "{} is decided for the whole pod at admission, so a waiver for one container cannot be exported; waive the resource",
                        info.id
                    ));
                }
                Some(container) => per_container.push((matcher, container.clone())),
            }
        }
        let validation = validation(info.id, info.summary, &checks, &whole, &per_container);
        if settings.deny && severity >= settings.fail_on {
            deny.push(validation);
        } else {
            warn.push(validation);
        }
    }
    let mut policies = Vec::new();
    for (action, validations) in [(Action::Deny, deny), (Action::Warn, warn)] {
        if !validations.is_empty() {
            policies.push(Policy {
                name: format!("{}-{}", settings.name, action.as_str()),
                action,
                validations,
            });
        }
    }
    Export {
        profile: profile.name().to_string(),
        level: profile.pss_level.as_str(),
        version: profile.pss_version.to_string(),
        variables: variables::all(),
        policies,
        not_exported,
        waivers,
    }
}

fn waiver_skip_reason(w: &Waiver, profile: &Profile) -> Option<String> {
    if w.is_expired() {
        return Some(format!(
            "expired on {}: the scan reports the finding again",
            w.expires.as_deref().unwrap_or("?")
        ));
    }
    if !profile.is_enabled(&w.rule) {
        return Some(format!("rule {} is not exported", w.rule));
    }
    match w.resource.as_deref() {
        None => Some(
            "names no resource: the cluster has no files, so it would exempt every object; add resource = \"Kind/name\""
                .into(),
        ),
        Some(r) if matches_resource(r).is_none() => {
            Some(format!("resource '{r}' is not Kind/name"))
        }
        Some(_) => None,
    }
}

fn validation(
    rule: &'static str,
    summary: &str,
    checks: &[Check],
    whole: &[String],
    per_container: &[(String, String)],
) -> Validation {
    let mut violations = Vec::new();
    let mut who = Vec::new();
    for check in checks {
        match check {
            Check::Pod(violates) => {
                violations.push(format!("({violates})"));
                who.push(format!("(({violates}) ? ['the pod'] : [])"));
            }
            Check::Each {
                list,
                var,
                name,
                violates,
            } => {
                let waived: Vec<String> = per_container
                    .iter()
                    .map(|(matcher, container)| {
                        format!("({matcher} && {name} == {})", crate::cel::string(container))
                    })
                    .collect();
                let kept = if waived.is_empty() {
                    format!("({violates})")
                } else {
                    format!("!({}) && ({violates})", waived.join(" || "))
                };
                violations.push(format!("{list}.exists({var}, {kept})"));
                who.push(format!(
                    "{list}.filter({var}, {kept}).map({var}, {name} == '' ? 'a container' : 'container \\'' + {name} + '\\'')"
                ));
            }
        }
    }
    let passes = format!("!({})", violations.join("\n  || "));
    let expression = if whole.is_empty() {
        passes
    } else {
        format!("{}\n|| {passes}", whole.join("\n|| "))
    };
    let message_expression = format!(
        "{} + ({}).join(', ') + {}",
        crate::cel::string(&format!("minpriv {rule}: ")),
        who.join(" + "),
        crate::cel::string(&format!(": {summary} (minpriv explain {rule})"))
    );
    Validation {
        rule,
        expression,
        message_expression,
    }
}

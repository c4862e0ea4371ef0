//! Risk: a container's known vulnerabilities weighed against what an attacker gets by
//! exploiting one of them.
//!
//! A vulnerability in a hardened container is a foothold in a box; the same vulnerability in a
//! privileged container is the host. This module turns the two into one number so that a fleet
//! can be fixed worst first, and names the single hardening that lowers the number most.
//!
//! The model is deliberately small enough to check by hand ([`EXPLANATION`] is the reference,
//! printed by `minpriv explain risk`):
//!
//! ```text
//! score = round(likelihood × impact × exposure)      likelihood, impact: 0–10; exposure: 0.6–1.0
//! ```
//!
//! Everything here is a pure function of a [`Posture`] and a list of [`Vulnerability`]s: no I/O,
//! no clock, no randomness, so the same inputs always give the same ranking.

use crate::capability::Capability;
use crate::effective::{EffectivePrivileges, EscapePath};
use crate::finding::Severity;
use crate::hardening::Step;
use crate::posture::Posture;
use crate::user::RootStatus;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// How a scanner rated a vulnerability. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VulnSeverity {
    /// Not rated (Trivy's `UNKNOWN`, Docker Scout's `UNSPECIFIED`).
    #[default]
    Unknown,
    /// Rated as not worth fixing (Grype's `Negligible`, CVSS `NONE`).
    Negligible,
    /// Low.
    Low,
    /// Medium (GitHub's `moderate`).
    Medium,
    /// High (Red Hat's `important`).
    High,
    /// Critical.
    Critical,
}

impl VulnSeverity {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            VulnSeverity::Unknown => "unknown",
            VulnSeverity::Negligible => "negligible",
            VulnSeverity::Low => "low",
            VulnSeverity::Medium => "medium",
            VulnSeverity::High => "high",
            VulnSeverity::Critical => "critical",
        }
    }

    /// Reads the spellings scanners use, in any case: Trivy (`CRITICAL`), Grype (`Negligible`),
    /// Docker Scout (`UNSPECIFIED`), GitHub (`moderate`), Red Hat (`important`). `None` for
    /// anything else.
    pub fn parse(text: &str) -> Option<VulnSeverity> {
        let t = text.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "critical" => VulnSeverity::Critical,
            "high" | "important" => VulnSeverity::High,
            "medium" | "moderate" => VulnSeverity::Medium,
            "low" => VulnSeverity::Low,
            "negligible" | "none" | "info" | "informational" => VulnSeverity::Negligible,
            "unknown" | "unspecified" | "unrated" => VulnSeverity::Unknown,
            _ => return None,
        })
    }

    /// The rating CVSS v3 gives a base score (9.0 and up critical, 7.0 high, 4.0 medium, above 0
    /// low, 0 none).
    pub fn from_cvss(score: f64) -> VulnSeverity {
        if score >= 9.0 {
            VulnSeverity::Critical
        } else if score >= 7.0 {
            VulnSeverity::High
        } else if score >= 4.0 {
            VulnSeverity::Medium
        } else if score > 0.0 {
            VulnSeverity::Low
        } else {
            VulnSeverity::Negligible
        }
    }

    /// The score a vulnerability without a CVSS score counts with: Trivy's own stand-ins for
    /// SARIF's `security-severity` (9.5, 8.0, 5.5, 2.0), and 4.0 for an unrated one, which is
    /// more often not yet rated than harmless.
    pub fn default_score(self) -> f64 {
        match self {
            VulnSeverity::Critical => 9.5,
            VulnSeverity::High => 8.0,
            VulnSeverity::Medium => 5.5,
            VulnSeverity::Low => 2.0,
            VulnSeverity::Negligible => 0.5,
            VulnSeverity::Unknown => 4.0,
        }
    }
}

impl fmt::Display for VulnSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One vulnerability a scanner found in an image.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Vulnerability {
    /// `CVE-2024-3094`, `GHSA-...`, as the scanner names it.
    pub id: String,
    /// The affected package, when the report names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The installed version of the package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// The version that fixes it; `None` when there is no fix (yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The scanner's rating.
    pub severity: VulnSeverity,
    /// The CVSS base score (0–10), when the report carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
}

impl Vulnerability {
    /// The score it weighs with: its CVSS score, else its severity's stand-in, lowered by
    /// [`UNFIXED_FACTOR`] when no fix exists.
    pub fn weight(&self) -> f64 {
        let base = self.weight_if_fixed();
        if self.fixed_version.is_some() {
            base
        } else {
            base * UNFIXED_FACTOR
        }
    }

    /// The score it weighs with if it had a fix.
    fn weight_if_fixed(&self) -> f64 {
        self.cvss
            .filter(|s| s.is_finite())
            .map_or_else(|| self.severity.default_score(), |s| s.clamp(0.0, 10.0))
    }

    /// The severity it counts with: the scanner's rating, else the one its CVSS score implies.
    pub fn effective_severity(&self) -> VulnSeverity {
        match (self.severity, self.cvss) {
            (VulnSeverity::Unknown, Some(score)) if score.is_finite() => {
                VulnSeverity::from_cvss(score)
            }
            (severity, _) => severity,
        }
    }
}

/// A vulnerability with no published fix weighs this much of its score. A fix being out means
/// the patch is public (attackers diff it to find the bug) and that the risk can be removed
/// today, so those rank first.
pub const UNFIXED_FACTOR: f64 = 0.9;

/// Each further critical or high vulnerability adds this much likelihood: more ways in.
pub const MORE_SEVERE_BONUS: f64 = 0.25;

/// ... up to this much in all.
pub const MORE_SEVERE_BONUS_CAP: f64 = 1.0;

/// The vulnerabilities of one container, de-duplicated and counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VulnSummary {
    /// Distinct vulnerabilities (one id counts once, however many packages it affects).
    pub total: usize,
    /// How many of them are critical, high, medium, low, negligible and unknown.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// How many of them have a fix.
    pub fixable: usize,
    /// The worst ones, worst first (at most [`VulnSummary::TOP`]).
    pub top: Vec<Vulnerability>,
    /// The likelihood they give (0–10); serialized as the assessment's.
    #[serde(skip)]
    pub likelihood: f64,
}

impl VulnSummary {
    /// How many vulnerabilities [`VulnSummary::top`] keeps.
    pub const TOP: usize = 3;

    /// Counts and weighs `vulns`.
    ///
    /// One id reported for several packages (Trivy lists libssl and libcrypto separately) is
    /// one bug: it keeps its worst rating, and counts as fixed only when every package has a
    /// fix, since the hole stays open until the last one is patched.
    pub fn of(vulns: &[Vulnerability]) -> VulnSummary {
        let mut by_id: BTreeMap<&str, Vulnerability> = BTreeMap::new();
        for v in vulns {
            let key = v.id.trim();
            if key.is_empty() {
                continue;
            }
            match by_id.get_mut(key) {
                None => {
                    by_id.insert(key, v.clone());
                }
                Some(kept) => {
                    let unfixed = kept.fixed_version.is_none() || v.fixed_version.is_none();
                    if v.weight_if_fixed() > kept.weight_if_fixed() {
                        *kept = v.clone();
                    }
                    if unfixed {
                        kept.fixed_version = None;
                    }
                }
            }
        }
        let mut distinct: Vec<Vulnerability> = by_id.into_values().collect();
        // Worst first; ties by id so that the order never depends on the report's order.
        distinct.sort_by(|a, b| {
            b.weight()
                .total_cmp(&a.weight())
                .then_with(|| b.effective_severity().cmp(&a.effective_severity()))
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut by_severity = BTreeMap::new();
        for v in &distinct {
            *by_severity
                .entry(v.effective_severity().as_str())
                .or_insert(0) += 1;
        }
        let worst = distinct.first().map_or(0.0, Vulnerability::weight);
        let more_severe = distinct
            .iter()
            .skip(1)
            .filter(|v| v.effective_severity() >= VulnSeverity::High)
            .count();
        let bonus = (more_severe as f64 * MORE_SEVERE_BONUS).min(MORE_SEVERE_BONUS_CAP);
        VulnSummary {
            total: distinct.len(),
            by_severity,
            fixable: distinct
                .iter()
                .filter(|v| v.fixed_version.is_some())
                .count(),
            likelihood: if distinct.is_empty() {
                0.0
            } else {
                (worst + bonus).min(10.0)
            },
            top: distinct.into_iter().take(Self::TOP).collect(),
        }
    }
}

/// How reachable the container is from outside, as far as its configuration shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exposure {
    /// `host-network`, `published` or `internal`.
    pub kind: &'static str,
    /// What shows it: `"8080:80, 8443:443"`, or `None` for `internal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The factor the score is multiplied by.
    pub factor: f64,
}

/// Exposure factors: the host's network (every host interface, and the host's own
/// `localhost` services), published ports, and neither.
pub const EXPOSURE_HOST_NETWORK: f64 = 1.0;
/// See [`EXPOSURE_HOST_NETWORK`].
pub const EXPOSURE_PUBLISHED: f64 = 0.9;
/// See [`EXPOSURE_HOST_NETWORK`]. Not lower: a Kubernetes Service or another compromised
/// container still reaches it, and minpriv does not read Services.
pub const EXPOSURE_INTERNAL: f64 = 0.6;
/// The least exposure of a container with a way to take over the host (an escape path: the
/// runtime socket, privileged mode, SYS_ADMIN as root, a writable sensitive host path, ...):
/// whoever gets into any neighbour, or feeds it input, reaches it, and the prize is the whole
/// host, so being internal must not make it rank below an exposed container without one.
pub const EXPOSURE_TAKEOVER: f64 = 0.9;

impl Exposure {
    /// The exposure of `p`. Ports published on a loopback address only are internal: nothing
    /// off the host reaches them.
    pub fn of(p: &Posture) -> Exposure {
        if p.host_network.value {
            return Exposure {
                kind: "host-network",
                detail: None,
                factor: EXPOSURE_HOST_NETWORK,
            };
        }
        let mut shown: Vec<String> = p
            .host_ports
            .iter()
            .map(|port| format!("hostPort {}", port.value))
            .collect();
        shown.extend(
            p.published_ports
                .iter()
                .map(|port| port.value.trim().to_string())
                .filter(|port| !port.is_empty() && !is_loopback_only(port)),
        );
        if shown.is_empty() {
            Exposure {
                kind: "internal",
                detail: None,
                factor: EXPOSURE_INTERNAL,
            }
        } else {
            Exposure {
                kind: "published",
                detail: Some(shown.join(", ")),
                factor: EXPOSURE_PUBLISHED,
            }
        }
    }
}

/// `127.0.0.1:8080:80`, `[::1]:8080:80`, `localhost:8080:80`.
fn is_loopback_only(port: &str) -> bool {
    ["127.", "[::1]:", "::1:", "localhost:"]
        .iter()
        .any(|prefix| port.starts_with(prefix))
}

/// Impact points of a container with no escape path. It starts at [`IMPACT_BASE`]; escape
/// paths set it to [`IMPACT_ESCAPE`] (one step) or [`IMPACT_ESCAPE_REGAINED`] (a setuid binary
/// first); without one it stays below [`IMPACT_NO_ESCAPE_CAP`].
pub const IMPACT_BASE: f64 = 2.0;
/// The process runs as root, or may (its image's user is not known).
pub const IMPACT_ROOT: f64 = 3.0;
/// Each capability held beyond the runtime's defaults ...
pub const IMPACT_EXTRA_CAP: f64 = 1.0;
/// ... counting at most this much in all.
pub const IMPACT_EXTRA_CAPS_CAP: f64 = 2.0;
/// A non-root process that can regain capabilities through setuid binaries (no
/// no-new-privileges).
pub const IMPACT_REGAIN: f64 = 0.5;
/// The host's PID or user namespace.
pub const IMPACT_HOST_PID_OR_USER: f64 = 1.5;
/// The host's IPC or network namespace (the network: the host's `localhost` services, such as
/// an unauthenticated Docker API or the cloud's metadata service).
pub const IMPACT_HOST_IPC_OR_NETWORK: f64 = 1.0;
/// The host's UTS namespace.
pub const IMPACT_HOST_UTS: f64 = 0.5;
/// A writable root filesystem: an attacker can drop tools and change the application.
pub const IMPACT_WRITABLE_ROOTFS: f64 = 0.5;
/// Without an escape path, impact stays at or below this.
pub const IMPACT_NO_ESCAPE_CAP: f64 = 9.0;
/// An escape path the process can take at once.
pub const IMPACT_ESCAPE: f64 = 10.0;
/// An escape path a non-root process reaches by regaining a capability through a setuid
/// binary first.
pub const IMPACT_ESCAPE_REGAINED: f64 = 8.0;

/// What an attacker gets inside one container, weighed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    /// 0–10.
    pub value: f64,
    /// `critical` (an escape is one step), `high` (7 and up), `medium` (4 and up), `low`.
    pub level: Severity,
    /// What decides it, for people: "runs as root with SYS_ADMIN: a container escape is one
    /// step".
    pub reason: String,
}

/// The level of an impact value.
pub fn impact_level(value: f64) -> Severity {
    if value >= IMPACT_ESCAPE {
        Severity::Critical
    } else if value >= 7.0 {
        Severity::High
    } else if value >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

impl Impact {
    /// The impact of a compromise of `p`.
    pub fn of(p: &Posture) -> Impact {
        let e = p.effective_privileges();
        if let Some((value, reason)) = worst_escape(&e) {
            return Impact {
                value,
                level: impact_level(value),
                reason,
            };
        }

        let mut value = IMPACT_BASE;
        // "runs as root with NET_ADMIN, the host's PID namespace and a writable root filesystem"
        let mut head = String::new();
        let mut with: Vec<String> = Vec::new();
        let extra = e
            .reachable
            .difference(p.runtime_default_capabilities())
            .sorted_names();
        if e.user.may_be_root() {
            value += IMPACT_ROOT;
            head.push_str(match e.user {
                RootStatus::Root { .. } => "runs as root",
                _ => "may run as root (its user is not known here)",
            });
            with.extend(extra.iter().map(|c| c.to_string()));
        } else {
            head.push_str("runs as non-root");
            if !e.reachable.is_empty() {
                head.push_str(&format!(
                    " (setuid binaries can regain {})",
                    if extra.is_empty() {
                        "its capabilities".to_string()
                    } else {
                        extra.join(", ")
                    }
                ));
            }
        }
        if !extra.is_empty() {
            value += (extra.len() as f64 * IMPACT_EXTRA_CAP).min(IMPACT_EXTRA_CAPS_CAP);
        } else if !e.user.may_be_root() && !e.reachable.is_empty() {
            value += IMPACT_REGAIN;
        }
        let mut shared = Vec::new();
        for ns in &e.host_namespaces {
            value += match *ns {
                "pid" | "user" => IMPACT_HOST_PID_OR_USER,
                "ipc" | "network" => IMPACT_HOST_IPC_OR_NETWORK,
                _ => IMPACT_HOST_UTS,
            };
            shared.push(match *ns {
                "pid" => "PID",
                "ipc" => "IPC",
                "uts" => "UTS",
                other => other,
            });
        }
        if !shared.is_empty() {
            let plural = if shared.len() == 1 { "" } else { "s" };
            with.push(format!(
                "the host's {} namespace{plural}",
                join_list(&shared)
            ));
        }
        if !p.read_only_rootfs.value {
            value += IMPACT_WRITABLE_ROOTFS;
            with.push("a writable root filesystem".into());
        }
        if !with.is_empty() {
            head.push_str(" with ");
            head.push_str(&join_list(&with));
        }
        let value = value.min(IMPACT_NO_ESCAPE_CAP);
        let level = impact_level(value);
        Impact {
            value,
            level,
            reason: format!("{head}: impact {level}"),
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { " and " } else { ", " });
        }
        out.push_str(item.as_ref());
    }
    out
}

/// The worst escape path, weighed, with what it means for people.
fn worst_escape(e: &EffectivePrivileges) -> Option<(f64, String)> {
    let one_step = ": a container escape is one step";
    let regained = |cap: Capability, what: &str| {
        if e.effective.contains(cap) {
            (IMPACT_ESCAPE, format!("{what}{one_step}"))
        } else {
            (
                IMPACT_ESCAPE_REGAINED,
                format!(
                    "can regain {} through a setuid binary: a container escape is two steps",
                    cap.name()
                ),
            )
        }
    };
    e.escape_paths
        .iter()
        .map(|path| match path {
            EscapePath::Privileged => (IMPACT_ESCAPE, format!("runs privileged{one_step}")),
            EscapePath::RuntimeSocket { host_path } => (
                IMPACT_ESCAPE,
                format!("mounts the runtime socket {host_path}{one_step}"),
            ),
            EscapePath::WritableHostPath { host_path } => (
                IMPACT_ESCAPE,
                format!("mounts the host's {host_path} writable{one_step}"),
            ),
            EscapePath::SysAdmin => regained(Capability::SYS_ADMIN, "runs as root with SYS_ADMIN"),
            EscapePath::SysModule => {
                regained(Capability::SYS_MODULE, "runs as root with SYS_MODULE")
            }
            EscapePath::DacReadSearch => regained(
                Capability::DAC_READ_SEARCH,
                "runs as root with DAC_READ_SEARCH",
            ),
            EscapePath::HostPidPtrace => regained(
                Capability::SYS_PTRACE,
                "shares the host's PID namespace with SYS_PTRACE",
            ),
            EscapePath::HostDevices => (IMPACT_ESCAPE, format!("has host devices{one_step}")),
        })
        // The first of the worst: `escape_paths` is already worst first.
        .fold(None, |best: Option<(f64, String)>, next| match best {
            Some(b) if b.0 >= next.0 => Some(b),
            _ => Some(next),
        })
}

/// The risk of one container.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// 0–100: `round(likelihood × impact × exposure)`.
    pub score: u8,
    /// 0–10, from the vulnerabilities.
    pub likelihood: f64,
    /// What a compromise gives.
    pub impact: Impact,
    /// How reachable it is.
    pub exposure: Exposure,
    /// The vulnerabilities, counted.
    pub vulnerabilities: VulnSummary,
    /// One line that explains the score: the worst vulnerability, the impact, the exposure.
    pub why: String,
}

/// The score of a likelihood, an impact and an exposure factor.
pub fn score(likelihood: f64, impact: f64, exposure: f64) -> u8 {
    let raw = likelihood.clamp(0.0, 10.0) * impact.clamp(0.0, 10.0) * exposure.clamp(0.0, 1.0);
    if !raw.is_finite() {
        return 0;
    }
    // In 0..=100 by the clamps above, so the cast cannot truncate.
    raw.round().clamp(0.0, 100.0) as u8
}

/// The band of a score: `critical` from 70, `high` from 40, `medium` from 15, `low` from 1;
/// `None` for 0 (no known vulnerability).
pub fn score_level(score: u8) -> Option<Severity> {
    match score {
        70.. => Some(Severity::Critical),
        40..=69 => Some(Severity::High),
        15..=39 => Some(Severity::Medium),
        1..=14 => Some(Severity::Low),
        0 => None,
    }
}

/// Assesses the container of posture `p` holding `vulns`.
pub fn assess(p: &Posture, vulns: &[Vulnerability]) -> Assessment {
    assess_summary(p, VulnSummary::of(vulns))
}

/// [`assess`] with the vulnerabilities already counted (the hardening steps reuse one count).
pub fn assess_summary(p: &Posture, vulnerabilities: VulnSummary) -> Assessment {
    let impact = Impact::of(p);
    let mut exposure = Exposure::of(p);
    let takeover = impact.value >= IMPACT_ESCAPE_REGAINED;
    let raised = takeover && exposure.factor < EXPOSURE_TAKEOVER;
    if raised {
        exposure.factor = EXPOSURE_TAKEOVER;
    }
    let likelihood = vulnerabilities.likelihood;
    let mut why = Vec::new();
    match vulnerabilities.top.first() {
        Some(worst) => {
            let mut s = format!("{} {}", worst.effective_severity(), worst.id);
            if let Some(package) = &worst.package {
                s.push_str(&format!(" in {package}"));
            }
            if worst.fixed_version.is_none() {
                s.push_str(" (no fix yet)");
            }
            if vulnerabilities.total > 1 {
                s.push_str(&format!(" and {} more", vulnerabilities.total - 1));
            }
            why.push(s);
        }
        None => why.push("no known vulnerability".into()),
    }
    why.push(impact.reason.clone());
    match (exposure.kind, &exposure.detail) {
        ("host-network", _) => why.push("on the host's network".into()),
        (_, Some(ports)) => why.push(format!("publishes {ports}")),
        _ => {}
    }
    if raised {
        why.push("a way to take over the host counts as exposed".into());
    }
    Assessment {
        score: score(likelihood, impact.value, exposure.factor),
        likelihood,
        impact,
        exposure,
        vulnerabilities,
        why: why.join("; "),
    }
}

/// The hardening steps `minpriv risk` tries: [`Step`], kept under its former name.
pub type HardeningStep = Step;

/// Every hardening step [`best_change`] tries, the most decisive first (ties go to the
/// earlier): [`crate::hardening::single_steps`].
pub fn hardening_steps() -> Vec<Step> {
    crate::hardening::single_steps()
}

/// The single hardening that lowers a score most.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestChange {
    /// The step.
    pub step: Step,
    /// What to do, for people ([`Step::describe`]).
    pub change: &'static str,
    /// The score after it.
    pub score_after: u8,
    /// The impact level after it.
    pub impact_after: Severity,
}

/// Tries every [`hardening_steps`] step that applies to `p`, one at a time, and returns the
/// one that lowers `assessment`'s score most; `None` when no single step lowers it (there are
/// no vulnerabilities, the container is already hardened, or it has two independent ways out).
pub fn best_change(p: &Posture, assessment: &Assessment) -> Option<BestChange> {
    let mut best: Option<BestChange> = None;
    for step in hardening_steps() {
        if !step.applies_to(p) {
            continue;
        }
        let after = assess_summary(&step.apply(p), assessment.vulnerabilities.clone());
        let better_than_best = best.as_ref().is_none_or(|b| after.score < b.score_after);
        if after.score < assessment.score && better_than_best {
            best = Some(BestChange {
                change: step.describe(),
                step,
                score_after: after.score,
                impact_after: after.impact.level,
            });
        }
    }
    best
}

/// The model, for people: what `minpriv explain risk` prints and docs/risk.md repeats.
pub const EXPLANATION: &str = "\
# risk

`minpriv risk --vulns REPORT... [PATH...|--docker]` ranks containers by the harm a known
vulnerability in their image can do, given the privileges they run with. It reads Trivy JSON
(`trivy image -f json`), Grype JSON (`grype -o json`) and SARIF from any scanner (`docker scout
cves --format sarif`, `trivy -f sarif`, `grype -o sarif`), and matches each report to the
containers whose image it names: `nginx`, `docker.io/library/nginx:latest` and
`index.docker.io/library/nginx:latest` are one image; digests must agree when both sides pin one.
Name the image of a report that names none (a scan of an archive, most SARIF) as
`--vulns IMAGE=REPORT`.

## The score

    score = round(likelihood × impact × exposure)        0–100

Likelihood (0–10) comes from the vulnerabilities. Each weighs its CVSS base score, or without
one its severity's stand-in (critical 9.5, high 8.0, medium 5.5, low 2.0, negligible 0.5,
unknown 4.0); one without a fix weighs 0.9 of that (a published fix tells attackers where the
bug is, and means the risk can be removed today). Likelihood is the heaviest vulnerability,
plus 0.25 for every further critical or high one, up to +1.0, at most 10. An id reported for
several packages counts once. No vulnerability: likelihood 0, score 0.

Impact (0–10) is what a compromise of the process gives, from its effective privileges:
  10   an escape path it can take at once: privileged, a container runtime socket, a writable
       sensitive host path, host devices, root with SYS_ADMIN, SYS_MODULE or DAC_READ_SEARCH,
       the host's PID namespace with SYS_PTRACE
   8   such a capability only after regaining it through a setuid binary (non-root without
       no-new-privileges)
  otherwise 2, plus: root or unknown user +3; each capability beyond the runtime's defaults
  +1 (at most +2); non-root able to regain capabilities +0.5; the host's PID or user
  namespace +1.5, IPC or network +1, UTS +0.5; writable root filesystem +0.5; at most 9.
  Levels: critical 10, high from 7, medium from 4, low below.

Exposure is what the configuration shows of the container's reachability: the host's network
1.0, published ports or hostPorts 0.9 (ports bound to 127.0.0.1 or ::1 only do not count),
neither 0.6 (other containers and Kubernetes Services still reach it; minpriv does not read
Services). A container with a way to take over the host (impact 8 or 10) counts as exposed,
at least 0.9, whatever it publishes: whoever gets into any neighbour, or feeds it input,
reaches it, and the prize is the whole host. Host takeover paths dominate exposure.

Bands: critical from 70, high from 40, medium from 15, low from 1. `--fail-on` uses them.

## The best single change

For each container, minpriv applies one hardening at a time to a copy of its posture — turn
privileged mode off, remove the runtime socket mount, remove writable host path mounts, remove
host devices, drop all capabilities, run as non-root, stop sharing host namespaces, set
no-new-privileges, make the root filesystem read-only — recomputes the score, and reports the
step that lowers it most as `best_change` (`null` when no single step lowers it: a container
with two independent ways out needs both closed).

## Example

A critical CVE (CVSS 9.8, fixed) in a privileged container that publishes a port:
likelihood 9.8, impact 10, exposure 0.9: score 88. Turning privileged mode off leaves root with
a writable root filesystem, impact 5.5: score 49. The same CVE in a non-root, read-only
container that publishes nothing: 9.8 × 2 × 0.6 = 12.

Takeover before exposure: an agent with the Docker socket, SYS_ADMIN and the host's PID
namespace, publishing nothing, with one high CVE (8.0): 8.0 × 10 × 0.9 = 72, critical (it
would be 48 at the internal 0.6). `redis:7` as root with a published port, a critical CVE without a
fix (9.8) and a high one: (9.8 × 0.9 + 0.25) × 5.5 × 0.9 = 45, high. The agent ranks first: one bug in it
is the host.
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::{CapSpec, Runtime};
    use crate::posture::{Located, Mount, MountKind, Origin};

    fn vuln(id: &str, severity: VulnSeverity, cvss: Option<f64>, fixed: bool) -> Vulnerability {
        Vulnerability {
            id: id.into(),
            package: Some("openssl".into()),
            installed_version: Some("3.0.11-1".into()),
            fixed_version: fixed.then(|| "3.0.13-1".into()),
            severity,
            cvss,
        }
    }

    fn w<T>(value: T) -> Located<T> {
        Located::written(value, None)
    }

    /// Docker defaults, as root (the image says nothing about a user).
    fn root() -> Posture {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.image_user = Located::new(None, Origin::Image, None);
        p
    }

    fn hardened() -> Posture {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = w(Some("1000".into()));
        p.cap_drop = vec![w(CapSpec::All)];
        p.no_new_privileges = w(true);
        p.read_only_rootfs = w(true);
        p
    }

    fn bind(host: &str, read_only: bool) -> Mount {
        Mount {
            kind: MountKind::Bind,
            host_path: Some(host.into()),
            container_path: Some("/x".into()),
            read_only,
            span: None,
        }
    }

    /// The two cases of `explain risk`: a host takeover path outranks an exposed container
    /// without one, whatever the exposure.
    #[test]
    fn a_host_takeover_path_outranks_exposure() {
        let mut agent = root();
        agent.mounts = vec![bind("/var/run/docker.sock", false)];
        agent.cap_add = vec![cap("SYS_ADMIN")];
        agent.host_pid = w(true);
        let high = [vuln("CVE-2026-1", VulnSeverity::High, None, true)];
        let agent_risk = assess(&agent, &high);
        assert_eq!(agent_risk.score, 72, "{}", agent_risk.why);
        assert!(
            agent_risk.why.contains("counts as exposed"),
            "{}",
            agent_risk.why
        );

        let mut redis = root();
        redis.published_ports = vec![w("6379:6379".to_string())];
        let cves = [
            vuln("CVE-2026-2", VulnSeverity::Critical, Some(9.8), false),
            vuln("CVE-2026-3", VulnSeverity::High, None, true),
        ];
        let redis_risk = assess(&redis, &cves);
        assert_eq!(redis_risk.score, 45, "{}", redis_risk.why);
        assert!(agent_risk.score > redis_risk.score);
        assert!(EXPLANATION.contains("= 72") && EXPLANATION.contains("= 45"));
    }

    fn cap(name: &str) -> Located<CapSpec> {
        w(CapSpec::parse(name))
    }

    #[test]
    fn likelihood_table() {
        use VulnSeverity::*;
        let cases: &[(&str, Vec<Vulnerability>, f64)] = &[
            ("nothing", vec![], 0.0),
            (
                "cvss wins over severity",
                vec![vuln("A", Critical, Some(9.8), true)],
                9.8,
            ),
            ("severity stand-in", vec![vuln("A", High, None, true)], 8.0),
            ("no fix weighs 0.9", vec![vuln("A", High, None, false)], 7.2),
            ("unknown is 4", vec![vuln("A", Unknown, None, true)], 4.0),
            (
                "further highs add 0.25 each",
                vec![
                    vuln("A", Critical, Some(9.0), true),
                    vuln("B", High, None, true),
                    vuln("C", High, None, true),
                    vuln("D", Medium, None, true),
                ],
                9.5,
            ),
            (
                "the bonus is capped and the total too",
                (0..10)
                    .map(|i| vuln(&format!("V{i}"), Critical, Some(9.8), true))
                    .collect(),
                10.0,
            ),
            (
                "one id in two packages counts once",
                vec![
                    vuln("A", High, Some(7.5), true),
                    vuln("A", High, Some(7.5), true),
                ],
                7.5,
            ),
            (
                "unfixed in one package is unfixed",
                vec![
                    vuln("A", High, Some(8.0), true),
                    vuln("A", High, Some(8.0), false),
                ],
                7.2,
            ),
            (
                "an unrated one with a CVSS score is rated by it",
                vec![
                    vuln("A", Unknown, Some(9.1), true),
                    vuln("B", Unknown, Some(7.0), true),
                ],
                9.35,
            ),
        ];
        for (name, vulns, want) in cases {
            let got = VulnSummary::of(vulns).likelihood;
            assert!((got - want).abs() < 1e-9, "{name}: got {got}, want {want}");
        }
    }

    #[test]
    fn impact_table() {
        let mut privileged = root();
        privileged.privileged = w(true);
        let mut socket = hardened();
        socket.mounts = vec![bind("/var/run/docker.sock", true)];
        let mut sys_admin = root();
        sys_admin.cap_add = vec![cap("SYS_ADMIN")];
        let mut regain_sys_admin = Posture::defaults(Runtime::Docker, None);
        regain_sys_admin.user = w(Some("1000".into()));
        regain_sys_admin.cap_add = vec![cap("SYS_ADMIN")];
        let mut etc = root();
        etc.mounts = vec![bind("/etc", false)];
        let mut etc_read_only = root();
        etc_read_only.mounts = vec![bind("/etc", true)];
        let mut host_ns = root();
        host_ns.host_pid = w(true);
        host_ns.host_network = w(true);
        let mut net_admin = root();
        net_admin.cap_add = vec![cap("NET_ADMIN"), cap("SYS_TIME"), cap("BPF")];
        let mut non_root_default = Posture::defaults(Runtime::Docker, None);
        non_root_default.user = w(Some("1000".into()));
        let mut unknown_user = Posture::defaults(Runtime::Docker, None);
        unknown_user.read_only_rootfs = w(true);

        let cases: &[(&str, &Posture, f64, Severity, &str)] = &[
            (
                "privileged",
                &privileged,
                10.0,
                Severity::Critical,
                "runs privileged: a container escape is one step",
            ),
            (
                "runtime socket, even read-only and hardened",
                &socket,
                10.0,
                Severity::Critical,
                "mounts the runtime socket /var/run/docker.sock: a container escape is one step",
            ),
            (
                "root with SYS_ADMIN",
                &sys_admin,
                10.0,
                Severity::Critical,
                "runs as root with SYS_ADMIN: a container escape is one step",
            ),
            (
                "non-root that can regain SYS_ADMIN",
                &regain_sys_admin,
                8.0,
                Severity::High,
                "can regain SYS_ADMIN through a setuid binary: a container escape is two steps",
            ),
            (
                "writable /etc",
                &etc,
                10.0,
                Severity::Critical,
                "mounts the host's /etc writable: a container escape is one step",
            ),
            (
                "read-only /etc is no escape",
                &etc_read_only,
                5.5,
                Severity::Medium,
                "runs as root with a writable root filesystem: impact medium",
            ),
            (
                "Docker defaults as root",
                &root(),
                5.5,
                Severity::Medium,
                "runs as root with a writable root filesystem: impact medium",
            ),
            (
                "host PID and network",
                &host_ns,
                8.0,
                Severity::High,
                "runs as root with the host's PID and network namespaces and a writable root filesystem: impact high",
            ),
            (
                "three extra capabilities count two",
                &net_admin,
                7.5,
                Severity::High,
                "runs as root with BPF, NET_ADMIN, SYS_TIME and a writable root filesystem: impact high",
            ),
            (
                "non-root without no-new-privileges",
                &non_root_default,
                3.0,
                Severity::Low,
                "runs as non-root (setuid binaries can regain its capabilities) with a writable root filesystem: impact low",
            ),
            (
                "hardened",
                &hardened(),
                2.0,
                Severity::Low,
                "runs as non-root: impact low",
            ),
            (
                "unknown user counts as root",
                &unknown_user,
                5.0,
                Severity::Medium,
                "may run as root (its user is not known here): impact medium",
            ),
        ];
        for (name, posture, value, level, reason) in cases {
            let impact = Impact::of(posture);
            assert!((impact.value - value).abs() < 1e-9, "{name}: {impact:?}");
            assert_eq!(impact.level, *level, "{name}");
            assert_eq!(impact.reason, *reason, "{name}");
        }
    }

    #[test]
    fn exposure_table() {
        let mut host = root();
        host.host_network = w(true);
        host.published_ports = vec![w("8080:80".into())];
        let mut published = root();
        published.published_ports = vec![w("8080:80".into()), w("127.0.0.1:9000:9000".into())];
        let mut loopback = root();
        loopback.published_ports =
            vec![w("127.0.0.1:9000:9000".into()), w("[::1]:9000:9000".into())];
        let mut host_port = Posture::defaults(Runtime::Containerd, None);
        host_port.host_ports = vec![w(8443)];
        let cases: &[(&Posture, &str, Option<&str>, f64)] = &[
            (&host, "host-network", None, 1.0),
            (&published, "published", Some("8080:80"), 0.9),
            (&loopback, "internal", None, 0.6),
            (&host_port, "published", Some("hostPort 8443"), 0.9),
            (&root(), "internal", None, 0.6),
        ];
        for (posture, kind, detail, factor) in cases {
            let e = Exposure::of(posture);
            assert_eq!(
                (e.kind, e.detail.as_deref(), e.factor),
                (*kind, *detail, *factor)
            );
        }
    }

    #[test]
    fn score_table() {
        // (likelihood, impact, exposure) -> score, and the band.
        let cases: &[(f64, f64, f64, u8, Option<Severity>)] = &[
            (9.8, 10.0, 0.9, 88, Some(Severity::Critical)),
            (9.8, 5.5, 0.9, 49, Some(Severity::High)),
            (9.8, 2.0, 0.6, 12, Some(Severity::Low)),
            (5.5, 5.5, 0.6, 18, Some(Severity::Medium)),
            (10.0, 10.0, 1.0, 100, Some(Severity::Critical)),
            (0.0, 10.0, 1.0, 0, None),
            // Out-of-range inputs are clamped, never wrapped.
            (50.0, 50.0, 5.0, 100, Some(Severity::Critical)),
            (-1.0, 10.0, 1.0, 0, None),
            (f64::NAN, 10.0, 1.0, 0, None),
        ];
        for (l, i, e, want, band) in cases {
            let got = score(*l, *i, *e);
            assert_eq!(got, *want, "{l} × {i} × {e}");
            assert_eq!(score_level(got), *band, "{got}");
        }
    }

    #[test]
    fn assessments_explain_themselves() {
        let critical = vec![
            vuln("CVE-2024-0001", VulnSeverity::Critical, Some(9.8), true),
            vuln("CVE-2024-0002", VulnSeverity::Medium, None, false),
        ];
        let mut p = root();
        p.cap_add = vec![cap("SYS_ADMIN")];
        p.published_ports = vec![w("8080:80".into())];
        let a = assess(&p, &critical);
        assert_eq!(a.score, 88);
        assert_eq!(
            a.why,
            "critical CVE-2024-0001 in openssl and 1 more; runs as root with SYS_ADMIN: a \
             container escape is one step; publishes 8080:80"
        );
        let none = assess(&p, &[]);
        assert_eq!(none.score, 0);
        assert!(
            none.why.starts_with("no known vulnerability; "),
            "{}",
            none.why
        );
    }

    #[test]
    fn best_change_table() {
        let critical = vec![vuln(
            "CVE-2024-0001",
            VulnSeverity::Critical,
            Some(9.8),
            true,
        )];
        let mut privileged = root();
        privileged.privileged = w(true);
        privileged.published_ports = vec![w("8080:80".into())];
        let mut two_ways_out = privileged.clone();
        two_ways_out.mounts = vec![bind("/var/run/docker.sock", false)];
        let mut sys_admin = root();
        sys_admin.cap_add = vec![cap("SYS_ADMIN")];
        let mut host_net = hardened();
        host_net.host_network = w(true);

        type Want = Option<(Step, u8, Severity)>;
        let cases: &[(&str, &Posture, Want)] = &[
            (
                "privileged: turn it off",
                &privileged,
                Some((Step::DropPrivileged, 49, Severity::Medium)),
            ),
            // Either escape alone still gets out: no single change helps.
            ("privileged and the socket", &two_ways_out, None),
            (
                // Dropping all capabilities and running as non-root both remove the escape;
                // dropping capabilities leaves root (5.5), non-root leaves a writable rootfs
                // and setuid regain of SYS_ADMIN (8): dropping capabilities wins.
                "root with SYS_ADMIN",
                &sys_admin,
                Some((Step::DROP_ALL_CAPABILITIES, 32, Severity::Medium)),
            ),
            (
                "host network: leave it, which also lowers the exposure",
                &host_net,
                Some((Step::NoHostNamespaces, 12, Severity::Low)),
            ),
            ("already hardened", &hardened(), None),
        ];
        for (name, posture, want) in cases {
            let a = assess(posture, &critical);
            let got = best_change(posture, &a).map(|b| (b.step, b.score_after, b.impact_after));
            assert_eq!(got, *want, "{name}: from {}", a.score);
        }
        // Nothing to exploit: nothing to lower.
        let a = assess(&privileged, &[]);
        assert_eq!(best_change(&privileged, &a), None);
    }

    #[test]
    fn severities_parse_as_scanners_write_them() {
        for (text, want) in [
            ("CRITICAL", VulnSeverity::Critical),
            ("Negligible", VulnSeverity::Negligible),
            ("UNSPECIFIED", VulnSeverity::Unknown),
            ("moderate", VulnSeverity::Medium),
            ("Important", VulnSeverity::High),
            (" low ", VulnSeverity::Low),
        ] {
            assert_eq!(VulnSeverity::parse(text), Some(want), "{text}");
        }
        assert_eq!(VulnSeverity::parse("severe"), None);
        assert_eq!(VulnSeverity::from_cvss(9.0), VulnSeverity::Critical);
        assert_eq!(VulnSeverity::from_cvss(6.9), VulnSeverity::Medium);
        assert_eq!(VulnSeverity::from_cvss(0.0), VulnSeverity::Negligible);
    }
}

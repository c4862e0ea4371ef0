//! Findings: what a rule reports about a container.

use crate::span::Span;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; shown only when asked for.
    Info,
    /// Hardening that costs little.
    Low,
    /// A real weakening of isolation.
    Medium,
    /// A large step towards the host.
    High,
    /// The container is as good as the host.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected info, low, medium, high or critical)")
            })
    }
}

/// The input format a workload was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A Kubernetes manifest.
    Kubernetes,
    /// A Compose file.
    Compose,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A `docker|podman|nerdctl run|create` command line.
    DockerRun,
    /// `docker inspect` output.
    DockerInspect,
    /// A Podman Quadlet unit (`.container`).
    Quadlet,
    /// A live container through the Docker Engine API.
    DockerEngine,
    /// An image (its config and layers).
    Image,
}

impl Source {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Kubernetes => "kubernetes",
            Source::Compose => "compose",
            Source::Dockerfile => "dockerfile",
            Source::DockerRun => "docker-run",
            Source::DockerInspect => "docker-inspect",
            Source::Quadlet => "quadlet",
            Source::DockerEngine => "docker-engine",
            Source::Image => "image",
        }
    }

    /// True when this input sets runtime options (capabilities, namespaces, mounts, ...).
    /// A Dockerfile or an image only decides the user, the image and the files.
    pub fn sets_runtime_options(self) -> bool {
        !matches!(self, Source::Dockerfile | Source::Image)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one container.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule id (kebab-case, see `minpriv rules`).
    pub rule: &'static str,
    /// The severity in force (after profile and configuration).
    pub severity: Severity,
    /// What is wrong, in terms of what an attacker gets.
    pub message: String,
    /// Where: the value that causes it, or the anchor where the missing setting belongs.
    pub span: Option<Span>,
    /// The input format.
    pub source: Source,
    /// `Kind/name`, `service/NAME`, `stage/N`, `command`, `container/NAME`.
    pub resource: String,
    /// The container or service name.
    pub container: Option<String>,
    /// How to fix it.
    pub remediation: String,
    /// When suppressed: the reason given (empty when none was given).
    pub suppressed: Option<String>,
    /// The Kubernetes Pod Security control this finding stands for, as the admission library
    /// names its check (`privileged`, `hostPathVolumes`, ...); `None` for minpriv's own rules
    /// and for inputs Pod Security does not judge.
    pub pss_control: Option<&'static str>,
    /// The Kustomize overlays (their kustomization folders, as shown) whose rendered output has
    /// this finding; empty for files read as they are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overlays: Vec<String>,
}

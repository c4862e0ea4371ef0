//! The numbers of `minpriv report`: how far each repository of a fleet has adopted the
//! least-privilege practices, and which containers are worst.
//!
//! A *practice* is one setting that removes a class of attacks. Adoption is counted per container
//! from the model — the same [`Posture`] the rules read — and only where the practice can be
//! written: a Dockerfile decides the user but not capabilities or namespaces, so a Dockerfile's
//! container counts for "runs as non-root" and for nothing else. A repository where no container
//! can adopt a practice has no percentage for it (`null`), not 0% or 100%.
//!
//! This module computes; [`crate::html`] draws and [`to_json`] prints the same values, so that
//! the page and `minpriv report --format json` cannot disagree.

use crate::{FileResult, ScanReport, Summary, severity_index};
use minpriv_model::{Container, Finding, Posture, RootStatus, Severity, Source, Workload};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::collections::HashMap;

/// The schema version of `minpriv report --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// Weight of one finding of each severity in a container's score, indexed like
/// [`Severity::ALL`]: each level counts twice the one below, and info nothing.
pub const SEVERITY_WEIGHTS: [u32; 5] = [0, 1, 2, 4, 8];

/// A least-privilege practice whose adoption the fleet report measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Practice {
    /// The process runs as a known non-root user.
    NonRoot,
    /// Capabilities are dropped with `ALL` (and the container is not privileged, which would
    /// give them all back).
    DropAllCapabilities,
    /// no-new-privileges is set (Kubernetes: `allowPrivilegeEscalation: false`).
    NoNewPrivileges,
    /// The root filesystem is read-only.
    ReadOnlyRootfs,
    /// No host namespace (PID, IPC, network, UTS, user) is shared.
    NoHostNamespaces,
}

impl Practice {
    /// Every practice, in the order reports show them.
    pub const ALL: [Practice; 5] = [
        Practice::NonRoot,
        Practice::DropAllCapabilities,
        Practice::NoNewPrivileges,
        Practice::ReadOnlyRootfs,
        Practice::NoHostNamespaces,
    ];

    /// The kebab-case id used in JSON and in the page's `data-practice` attributes.
    pub fn id(self) -> &'static str {
        match self {
            Practice::NonRoot => "non-root",
            Practice::DropAllCapabilities => "drop-all-capabilities",
            Practice::NoNewPrivileges => "no-new-privileges",
            Practice::ReadOnlyRootfs => "read-only-rootfs",
            Practice::NoHostNamespaces => "no-host-namespaces",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Practice::NonRoot => "Runs as non-root",
            Practice::DropAllCapabilities => "Drops ALL capabilities",
            Practice::NoNewPrivileges => "no-new-privileges",
            Practice::ReadOnlyRootfs => "Read-only root filesystem",
            Practice::NoHostNamespaces => "No host namespaces",
        }
    }

    /// Whether a container read from `source` can adopt the practice at all. Only the user can
    /// be set in a Dockerfile or an image; every other practice is a runtime option.
    pub fn applies_to(self, source: Source) -> bool {
        match self {
            Practice::NonRoot => true,
            _ => source.sets_runtime_options(),
        }
    }

    /// Whether `posture` follows the practice.
    pub fn followed_by(self, posture: &Posture) -> bool {
        match self {
            Practice::NonRoot => matches!(posture.root_status(), RootStatus::NonRoot { .. }),
            Practice::DropAllCapabilities => {
                !posture.privileged.value && posture.drops_all_capabilities()
            }
            Practice::NoNewPrivileges => posture.no_new_privileges.value,
            Practice::ReadOnlyRootfs => posture.read_only_rootfs.value,
            Practice::NoHostNamespaces => posture.effective_privileges().host_namespaces.is_empty(),
        }
    }
}

/// How many containers follow a practice, of those where it applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Adoption {
    /// Containers that follow the practice.
    pub adopted: usize,
    /// Containers where the practice can be written.
    pub applicable: usize,
}

impl Adoption {
    /// The share in percent, rounded to one decimal; `None` when no container can adopt it.
    pub fn percent(&self) -> Option<f64> {
        (self.applicable > 0).then(|| {
            let tenths = (self.adopted as f64 * 1000.0 / self.applicable as f64).round();
            tenths / 10.0
        })
    }

    fn add(&mut self, other: Adoption) {
        self.adopted += other.adopted;
        self.applicable += other.applicable;
    }
}

/// The numbers of one repository, or of the whole fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Files read as one of minpriv's formats.
    pub files: usize,
    /// Containers found in them.
    pub containers: usize,
    /// Unsuppressed findings by severity, and the suppressed count.
    pub findings: Summary,
    /// Adoption of each practice, indexed like [`Practice::ALL`].
    pub adoption: [Adoption; 5],
}

impl Stats {
    /// The adoption of `practice`.
    pub fn adoption_of(&self, practice: Practice) -> Adoption {
        Practice::ALL
            .iter()
            .position(|&p| p == practice)
            .map(|i| self.adoption[i])
            .unwrap_or_default()
    }

    /// Adds `other`'s numbers to these.
    pub fn add(&mut self, other: &Stats) {
        self.files += other.files;
        self.containers += other.containers;
        for (mine, theirs) in self
            .findings
            .by_severity
            .iter_mut()
            .zip(other.findings.by_severity)
        {
            *mine += theirs;
        }
        self.findings.suppressed += other.findings.suppressed;
        for (mine, theirs) in self.adoption.iter_mut().zip(other.adoption) {
            mine.add(theirs);
        }
    }
}

/// One repository's scan, as `minpriv report` gathered it.
#[derive(Clone, Debug, Default)]
pub struct RepositoryScan {
    /// The repository's folder, as the user named it.
    pub name: String,
    /// What the scan of its files found.
    pub report: ScanReport,
    /// Why the repository could not be read at all (its git objects), when it could not: it is
    /// a line of the report with no numbers.
    pub error: Option<String>,
}

/// One container of the fleet with the findings that concern it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerEntry {
    /// Index of its repository in the scans.
    pub repository: usize,
    /// Index of its file in the repository's report.
    pub file: usize,
    /// Index of its workload in the file.
    pub workload: usize,
    /// Index of the container in the workload.
    pub container: usize,
    /// Its unsuppressed findings, as (file, finding) indices in the repository's report: in
    /// its own file, and for a container of a rendered Kustomize overlay also in the patches
    /// and kustomizations that set its values.
    pub findings: Vec<(usize, usize)>,
    /// Its unsuppressed findings by severity.
    pub by_severity: [usize; 5],
    /// The severity-weighted finding count ([`SEVERITY_WEIGHTS`]).
    pub score: u32,
    /// The known ways out to the host, as the model describes them, worst first.
    pub escape_paths: Vec<String>,
}

impl ContainerEntry {
    /// Counts finding `index` of file `self.file` (or of `file` via [`ContainerEntry::count_in`]).
    fn count(&mut self, index: usize, finding: &Finding) {
        self.count_in(self.file, index, finding);
    }

    fn count_in(&mut self, file: usize, index: usize, finding: &Finding) {
        let severity = severity_index(finding.severity);
        self.findings.push((file, index));
        self.by_severity[severity] += 1;
        self.score += SEVERITY_WEIGHTS[severity];
    }
}

/// The fleet's numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fleet {
    /// Each repository's numbers, in the order of the scans.
    pub repositories: Vec<Stats>,
    /// The numbers over every repository.
    pub overall: Stats,
    /// Every container, worst first: by score, then by the number of escape paths.
    pub containers: Vec<ContainerEntry>,
}

/// Computes the fleet's numbers from the repositories' scans.
pub fn compute(scans: &[RepositoryScan]) -> Fleet {
    let mut fleet = Fleet::default();
    for (repository, scan) in scans.iter().enumerate() {
        let mut stats = Stats {
            files: scan.report.files_scanned,
            findings: Summary::of(&scan.report),
            ..Stats::default()
        };
        let first = fleet.containers.len();
        for (file_index, file) in scan.report.files.iter().enumerate() {
            for mut entry in container_entries(file) {
                entry.repository = repository;
                entry.file = file_index;
                let workload = &file.workloads[entry.workload];
                let container = &workload.containers[entry.container];
                stats.containers += 1;
                for (i, practice) in Practice::ALL.into_iter().enumerate() {
                    if practice.applies_to(workload.source) {
                        stats.adoption[i].applicable += 1;
                        if practice.followed_by(&container.posture) {
                            stats.adoption[i].adopted += 1;
                        }
                    }
                }
                fleet.containers.push(entry);
            }
        }
        overlay_findings(&scan.report.files, &mut fleet.containers[first..]);
        fleet.overall.add(&stats);
        fleet.repositories.push(stats);
    }
    fleet.containers.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.escape_paths.len().cmp(&a.escape_paths.len()))
            .then_with(|| scans[a.repository].name.cmp(&scans[b.repository].name))
            .then((a.file, a.workload, a.container).cmp(&(b.file, b.workload, b.container)))
    });
    fleet
}

/// The containers of one file, each with the unsuppressed findings that name it.
///
/// A finding names its container by resource and container name. When two containers share
/// both (two unnamed `docker run` lines in one script are both `command`), the finding belongs
/// to the last of them that starts before it.
fn container_entries(file: &FileResult) -> Vec<ContainerEntry> {
    let mut entries = Vec::new();
    // (resource, container name) → (entry, where the container starts) of each container.
    type Key<'a> = (&'a str, Option<&'a str>);
    let mut by_key: HashMap<Key<'_>, Vec<(usize, usize)>> = HashMap::new();
    for (w, workload) in file.workloads.iter().enumerate() {
        for (c, container) in workload.containers.iter().enumerate() {
            by_key
                .entry((workload.resource.as_str(), container.name.as_deref()))
                .or_default()
                .push((entries.len(), start_of(workload, container)));
            let privileges = container.posture.effective_privileges();
            entries.push(ContainerEntry {
                repository: 0,
                file: 0,
                workload: w,
                container: c,
                findings: Vec::new(),
                by_severity: [0; 5],
                score: 0,
                escape_paths: privileges
                    .escape_paths
                    .iter()
                    .map(|e| e.describe())
                    .collect(),
            });
        }
    }
    for (index, finding) in file.findings.iter().enumerate() {
        if finding.suppressed.is_some() {
            continue;
        }
        // Findings of rendered Kustomize overlays are placed across files (see `compute`).
        if !finding.overlays.is_empty() {
            continue;
        }
        let key = (finding.resource.as_str(), finding.container.as_deref());
        let Some(candidates) = by_key.get(&key) else {
            continue;
        };
        let at = finding.span.map_or(0, |s| s.start);
        let chosen = candidates
            .iter()
            .filter(|(_, start)| *start <= at)
            .max_by_key(|(_, start)| *start)
            .or(candidates.first())
            .map(|(entry, _)| *entry);
        if let Some(entry) = chosen.and_then(|e| entries.get_mut(e)) {
            entry.count(index, finding);
        }
    }
    entries
}

/// Gives each finding of rendered Kustomize overlays to its container in each overlay it
/// names: the finding sits where its value is written (a base, a patch), the container where
/// its object is defined, often another file.
fn overlay_findings(files: &[FileResult], entries: &mut [ContainerEntry]) {
    for (file_index, file) in files.iter().enumerate() {
        for (index, finding) in file.findings.iter().enumerate() {
            if finding.suppressed.is_some() || finding.overlays.is_empty() {
                continue;
            }
            for entry in entries.iter_mut() {
                let home = &files[entry.file];
                let in_overlay = home
                    .workload_overlays
                    .get(entry.workload)
                    .is_some_and(|o| finding.overlays.contains(o));
                if in_overlay
                    && home.workloads[entry.workload].containers[entry.container].name
                        == finding.container
                {
                    entry.count_in(file_index, index, finding);
                }
            }
        }
    }
}

/// Where a container starts in its file, for telling apart containers with the same key.
fn start_of(workload: &Workload, container: &Container) -> usize {
    container
        .posture
        .anchor
        .or(workload.span)
        .map_or(0, |s| s.start)
}

/// Renders the fleet's numbers as pretty-printed JSON, ending with a newline.
///
/// # Errors
/// Only if serde_json fails, which these plain structures do not make it do.
pub fn to_json(scans: &[RepositoryScan], fleet: &Fleet) -> serde_json::Result<String> {
    let json = JsonFleet {
        version: SCHEMA_VERSION,
        tool: JsonTool {
            name: "minpriv",
            version: env!("CARGO_PKG_VERSION"),
        },
        practices: Practice::ALL
            .iter()
            .map(|p| JsonPractice {
                id: p.id(),
                label: p.label(),
            })
            .collect(),
        overall: JsonStats::new(None, &fleet.overall),
        repositories: scans
            .iter()
            .zip(&fleet.repositories)
            .map(|(scan, stats)| JsonStats {
                error: scan.error.as_deref(),
                ..JsonStats::new(Some(&scan.name), stats)
            })
            .collect(),
        containers: fleet
            .containers
            .iter()
            .filter_map(|entry| JsonContainer::new(scans, entry))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    Ok(text)
}

#[derive(Serialize)]
struct JsonFleet<'a> {
    version: u32,
    tool: JsonTool,
    practices: Vec<JsonPractice>,
    overall: JsonStats<'a>,
    repositories: Vec<JsonStats<'a>>,
    containers: Vec<JsonContainer<'a>>,
}

#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonPractice {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct JsonStats<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// Why the repository could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    files: usize,
    containers: usize,
    findings: usize,
    by_severity: BySeverity,
    suppressed: usize,
    adoption: JsonAdoption,
}

impl<'a> JsonStats<'a> {
    fn new(name: Option<&'a str>, stats: &Stats) -> Self {
        JsonStats {
            name,
            error: None,
            files: stats.files,
            containers: stats.containers,
            findings: stats.findings.total(),
            by_severity: BySeverity(stats.findings.by_severity),
            suppressed: stats.findings.suppressed,
            adoption: JsonAdoption(stats.adoption),
        }
    }
}

/// Every severity, worst first, zeros included: a consumer (and the page test) reads the same
/// keys from every repository.
struct BySeverity([usize; 5]);

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Severity::ALL.len()))?;
        for (i, severity) in Severity::ALL.iter().enumerate().rev() {
            map.serialize_entry(severity.as_str(), &self.0[i])?;
        }
        map.end()
    }
}

/// `{"non-root": {"adopted": 3, "applicable": 4, "percent": 75.0}, ...}` in practice order.
pub(crate) struct JsonAdoption(pub(crate) [Adoption; 5]);

impl Serialize for JsonAdoption {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry {
            adopted: usize,
            applicable: usize,
            percent: Option<f64>,
        }
        let mut map = serializer.serialize_map(Some(Practice::ALL.len()))?;
        for (practice, adoption) in Practice::ALL.iter().zip(self.0) {
            map.serialize_entry(
                practice.id(),
                &Entry {
                    adopted: adoption.adopted,
                    applicable: adoption.applicable,
                    percent: adoption.percent(),
                },
            )?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonContainer<'a> {
    repository: &'a str,
    path: &'a str,
    line: Option<u32>,
    source: Source,
    resource: &'a str,
    container: Option<&'a str>,
    score: u32,
    findings: usize,
    by_severity: BySeverity,
    escape_paths: &'a [String],
}

impl<'a> JsonContainer<'a> {
    fn new(scans: &'a [RepositoryScan], entry: &'a ContainerEntry) -> Option<Self> {
        let scan = scans.get(entry.repository)?;
        let file = scan.report.files.get(entry.file)?;
        let workload = file.workloads.get(entry.workload)?;
        let container = workload.containers.get(entry.container)?;
        Some(JsonContainer {
            repository: &scan.name,
            path: &file.path,
            line: container.posture.anchor.or(workload.span).map(|s| s.line),
            source: workload.source,
            resource: &workload.resource,
            container: container.name.as_deref(),
            score: entry.score,
            findings: entry.findings.len(),
            by_severity: BySeverity(entry.by_severity),
            escape_paths: &entry.escape_paths,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_support::sample_report;
    use minpriv_model::{CapSpec, ContainerRole, Finding, Located, Runtime, Span};

    fn container(name: &str, posture: Posture) -> Container {
        Container {
            name: Some(name.into()),
            role: ContainerRole::Regular,
            posture,
        }
    }

    fn span_at(start: usize, line: u32) -> Option<Span> {
        Some(Span {
            start,
            end: start + 1,
            line,
            column: 1,
            end_line: line,
            end_column: 2,
        })
    }

    /// A Compose service that follows every practice.
    fn hardened(anchor: Option<Span>) -> Posture {
        let mut posture = Posture::defaults(Runtime::Docker, anchor);
        posture.user = Located::written(Some("10001".into()), anchor);
        posture.cap_drop = vec![Located::written(CapSpec::All, anchor)];
        posture.no_new_privileges = Located::written(true, anchor);
        posture.read_only_rootfs = Located::written(true, anchor);
        posture
    }

    fn finding(
        rule: &'static str,
        severity: Severity,
        resource: &str,
        name: &str,
        at: usize,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message: format!("{rule} in {name}"),
            span: span_at(at, 1),
            source: Source::Compose,
            resource: resource.into(),
            container: Some(name.into()),
            remediation: format!("fix `{rule}` in <{name}>"),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        }
    }

    /// Two repositories: `shop` (the reporters' sample: a privileged Deployment and a Compose
    /// service with the Docker socket) and `tools` (a hardened service, a Dockerfile with a
    /// non-root USER, and a service on the host network).
    pub(crate) fn sample_fleet() -> Vec<RepositoryScan> {
        let mut hostnet = Posture::defaults(Runtime::Docker, span_at(40, 5));
        hostnet.host_network = Located::written(true, span_at(50, 6));
        let mut dockerfile = Posture::defaults(Runtime::Docker, span_at(0, 1));
        dockerfile.image_user = Located::written(Some("app".into()), span_at(20, 3));
        let tools = ScanReport {
            files: vec![
                FileResult {
                    path: "tools/compose.yaml".into(),
                    findings: vec![
                        finding("host-network", Severity::High, "service/agent", "agent", 50),
                        finding(
                            "caps-not-dropped",
                            Severity::Medium,
                            "service/agent",
                            "agent",
                            40,
                        ),
                    ],
                    workloads: vec![
                        Workload {
                            source: Source::Compose,
                            resource: "service/api".into(),
                            span: span_at(10, 2),
                            containers: vec![container("api", hardened(span_at(10, 2)))],
                            pod: None,
                        },
                        Workload {
                            source: Source::Compose,
                            resource: "service/agent".into(),
                            span: span_at(40, 5),
                            containers: vec![container("agent", hostnet)],
                            pod: None,
                        },
                    ],
                    ..FileResult::default()
                },
                FileResult {
                    path: "tools/Dockerfile".into(),
                    workloads: vec![Workload {
                        source: Source::Dockerfile,
                        resource: "stage/0".into(),
                        span: span_at(0, 1),
                        containers: vec![Container {
                            name: None,
                            role: ContainerRole::Regular,
                            posture: dockerfile,
                        }],
                        pod: None,
                    }],
                    ..FileResult::default()
                },
            ],
            files_scanned: 2,
            ..ScanReport::default()
        };
        vec![
            RepositoryScan {
                name: "repos/shop".into(),
                report: sample_report(),
                error: None,
            },
            RepositoryScan {
                name: "repos/tools".into(),
                report: tools,
                error: None,
            },
        ]
    }

    #[test]
    fn adoption_counts_only_containers_where_the_practice_applies() {
        let fleet = compute(&sample_fleet());
        let tools = &fleet.repositories[1];
        assert_eq!(tools.containers, 3);
        // The Dockerfile's USER app counts for non-root; it cannot drop capabilities.
        assert_eq!(
            tools.adoption_of(Practice::NonRoot),
            Adoption {
                adopted: 2,
                applicable: 3
            }
        );
        for practice in [
            Practice::DropAllCapabilities,
            Practice::NoNewPrivileges,
            Practice::ReadOnlyRootfs,
        ] {
            assert_eq!(
                tools.adoption_of(practice),
                Adoption {
                    adopted: 1,
                    applicable: 2
                },
                "{practice:?}"
            );
        }
        assert_eq!(
            tools.adoption_of(Practice::NoHostNamespaces),
            Adoption {
                adopted: 1,
                applicable: 2
            }
        );

        let shop = &fleet.repositories[0];
        assert_eq!(shop.containers, 2);
        assert_eq!(shop.adoption_of(Practice::NonRoot).adopted, 0);
        assert_eq!(shop.adoption_of(Practice::NoHostNamespaces).adopted, 2);

        assert_eq!(fleet.overall.containers, 5);
        assert_eq!(
            fleet.overall.adoption_of(Practice::NonRoot),
            Adoption {
                adopted: 2,
                applicable: 5
            }
        );
        assert_eq!(fleet.overall.files, 4);
        assert_eq!(fleet.overall.findings.total(), 5);
        assert_eq!(fleet.overall.findings.suppressed, 1);
    }

    #[test]
    fn percentages_round_to_one_decimal_and_are_absent_without_containers() {
        let third = Adoption {
            adopted: 1,
            applicable: 3,
        };
        assert_eq!(third.percent(), Some(33.3));
        let two_thirds = Adoption {
            adopted: 2,
            applicable: 3,
        };
        assert_eq!(two_thirds.percent(), Some(66.7));
        assert_eq!(Adoption::default().percent(), None);
    }

    #[test]
    fn a_privileged_container_does_not_count_as_dropping_capabilities() {
        let mut posture = hardened(None);
        assert!(Practice::DropAllCapabilities.followed_by(&posture));
        posture.privileged = Located::written(true, None);
        assert!(!Practice::DropAllCapabilities.followed_by(&posture));
        posture.host_pid = Located::written(true, None);
        assert!(!Practice::NoHostNamespaces.followed_by(&posture));
    }

    #[test]
    fn containers_are_ranked_by_weighted_findings_then_escape_paths() {
        let scans = sample_fleet();
        let fleet = compute(&scans);
        let ranked: Vec<(String, u32, usize)> = fleet
            .containers
            .iter()
            .map(|e| {
                let file = &scans[e.repository].report.files[e.file];
                let name = file.workloads[e.workload].containers[e.container]
                    .name
                    .clone()
                    .unwrap_or_default();
                (name, e.score, e.escape_paths.len())
            })
            .collect();
        assert_eq!(
            ranked,
            [
                // privileged (critical 8) + runs-as-root (high 4); the suppressed low is left out
                ("app".to_string(), 12, 1),
                ("agent".to_string(), 6, 0),
                // image-latest-tag (medium 2), with the Docker socket as an escape path
                ("web".to_string(), 2, 1),
                ("api".to_string(), 0, 0),
                (String::new(), 0, 0),
            ]
        );
    }

    #[test]
    fn findings_of_containers_with_the_same_key_go_to_the_nearest_one_above() {
        let first = Posture::defaults(Runtime::Docker, span_at(0, 1));
        let second = Posture::defaults(Runtime::Docker, span_at(100, 5));
        let file = FileResult {
            path: "deploy.sh".into(),
            findings: vec![
                finding("privileged", Severity::Critical, "command", "x", 120),
                finding("host-pid", Severity::High, "command", "x", 10),
            ],
            workloads: vec![Workload {
                source: Source::DockerRun,
                resource: "command".into(),
                span: span_at(0, 1),
                containers: vec![container("x", first), container("x", second)],
                pod: None,
            }],
            ..FileResult::default()
        };
        let entries = container_entries(&file);
        assert_eq!(entries[0].findings, [(0, 1)]);
        assert_eq!(entries[1].findings, [(0, 0)]);
    }

    #[test]
    fn json_carries_the_same_numbers() {
        let scans = sample_fleet();
        let fleet = compute(&scans);
        let text = to_json(&scans, &fleet).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(json["overall"]["containers"], 5);
        assert_eq!(json["overall"]["adoption"]["non-root"]["percent"], 40.0);
        assert_eq!(json["repositories"][1]["name"], "repos/tools");
        assert_eq!(
            json["repositories"][1]["adoption"]["drop-all-capabilities"],
            serde_json::json!({"adopted": 1, "applicable": 2, "percent": 50.0})
        );
        assert_eq!(json["repositories"][0]["by_severity"]["critical"], 1);
        assert_eq!(json["repositories"][0]["by_severity"]["low"], 0);
        assert_eq!(json["containers"][0]["container"], "app");
        assert_eq!(json["containers"][0]["score"], 12);
        assert_eq!(json["containers"][0]["line"], 9);
        let keys: Vec<_> = json["practices"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["id"].clone())
            .collect();
        assert_eq!(keys.len(), 5);
        insta::assert_snapshot!(text);
    }
}

//! `--format json`: the schema of CONTRACT.md, plus the `workloads` each file holds with what an
//! attacker gets in each container, plus the scan's `notes`.
//!
//! Programs parse this output, so field names and their order never change without a new
//! `version`. Absent values are `null`, never left out, so that consumers need no defaults — the
//! exceptions are `suppressed`, which the contract shows only on suppressed findings, and a
//! workload's `compose`, present only on live containers that Compose started.

use crate::{
    ComposeService, Ending, FileResult, Note, ReportOptions, ReportWriter, ScanReport, Summary,
    is_shown, pretty,
};
use minpriv_model::{
    Container, ContainerRole, EffectivePrivileges, EscapePath, Finding, RootStatus, Severity,
    Source, Span, Workload,
};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::io::{self, Seek, Write};

/// The schema version in the `version` field.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders `report` as pretty-printed JSON, ending with a newline.
///
/// # Errors
/// Only if serde_json fails, which these plain structures do not make it do; the `Result` keeps a
/// future field from turning into a panic.
pub fn to_string(report: &ScanReport, options: &ReportOptions) -> serde_json::Result<String> {
    let mut bytes = Vec::new();
    crate::write_report(report, &mut JsonWriter::new(&mut bytes, *options))
        .and_then(|()| crate::into_string(bytes))
        .map_err(serde_json::Error::io)
}

/// The JSON format as a [`ReportWriter`]. The findings are written as they come; the
/// workloads, which the schema puts after the summary, wait in a temporary file (in memory when
/// none can be made) until the end.
///
/// The text is what `serde_json::to_string_pretty` makes of the whole document: each element is
/// pretty-printed on its own and indented to its depth (JSON strings hold no raw line breaks, so
/// every line break in an element's text is one of the printer's).
pub struct JsonWriter<W: Write> {
    out: W,
    options: ReportOptions,
    started: bool,
    findings: usize,
    workloads: Spill,
    workload_count: usize,
}

impl<W: Write> JsonWriter<W> {
    /// A writer of the JSON format to `out`.
    pub fn new(out: W, options: ReportOptions) -> Self {
        JsonWriter {
            out,
            options,
            started: false,
            findings: 0,
            workloads: Spill::new(),
            workload_count: 0,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let tool = Tool {
                name: "minpriv",
                version: env!("CARGO_PKG_VERSION"),
            };
            write!(
                self.out,
                "{{\n  \"version\": {SCHEMA_VERSION},\n  \"tool\": {},\n  \"findings\": [",
                pretty(&tool, 1)?
            )?;
        }
        Ok(())
    }
}

impl<W: Write> ReportWriter for JsonWriter<W> {
    fn write_files(&mut self, files: &[FileResult]) -> io::Result<()> {
        self.start()?;
        for file in files {
            for finding in file.findings.iter().filter(|f| is_shown(f, &self.options)) {
                let separator = if self.findings == 0 {
                    "\n    "
                } else {
                    ",\n    "
                };
                self.findings += 1;
                let text = pretty(&JsonFinding::new(&file.path, finding), 2)?;
                self.out.write_all(separator.as_bytes())?;
                self.out.write_all(text.as_bytes())?;
            }
            for workload in &file.workloads {
                let compose = file.compose.get(&workload.resource);
                let text = pretty(&JsonWorkload::new(&file.path, workload, compose), 2)?;
                let separator = if self.workload_count == 0 {
                    ""
                } else {
                    ",\n    "
                };
                self.workload_count += 1;
                self.workloads.write_all(separator.as_bytes())?;
                self.workloads.write_all(text.as_bytes())?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, ending: &Ending<'_>) -> io::Result<()> {
        self.start()?;
        let summary = JsonSummary {
            files: ending.files_scanned,
            findings: ending.summary.total(),
            by_severity: BySeverity(ending.summary),
        };
        let notes: Vec<JsonNote<'_>> = ending.notes.iter().map(JsonNote::from).collect();
        let close = if self.findings == 0 { "]" } else { "\n  ]" };
        write!(
            self.out,
            "{close},\n  \"summary\": {},\n  \"workloads\": [",
            pretty(&summary, 1)?
        )?;
        if self.workload_count > 0 {
            self.out.write_all(b"\n    ")?;
            self.workloads.copy_to(&mut self.out)?;
            self.out.write_all(b"\n  ")?;
        }
        write!(self.out, "],\n  \"notes\": {}\n}}\n", pretty(&notes, 1)?)?;
        self.out.flush()
    }
}

/// Bytes kept for later: in a temporary file, or in memory when no temporary file can be made.
enum Spill {
    File(io::BufWriter<std::fs::File>),
    Memory(Vec<u8>),
}

impl Spill {
    fn new() -> Spill {
        match tempfile::tempfile() {
            Ok(file) => Spill::File(io::BufWriter::new(file)),
            Err(_) => Spill::Memory(Vec::new()),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Spill::File(file) => file.write_all(bytes),
            Spill::Memory(memory) => memory.write_all(bytes),
        }
    }

    /// Copies what was kept to `out`.
    fn copy_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Spill::File(file) => {
                file.flush()?;
                let file = file.get_mut();
                file.seek(io::SeekFrom::Start(0))?;
                io::copy(file, out)?;
                Ok(())
            }
            Spill::Memory(memory) => out.write_all(memory),
        }
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    source: Source,
    resource: &'a str,
    container: Option<&'a str>,
    remediation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a str>,
    /// Only on findings that stand for a Pod Security control, like `suppressed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pss_control: Option<&'static str>,
    /// Only on findings of rendered Kustomize overlays: the overlays that have it.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    overlays: &'a [String],
}

impl<'a> JsonFinding<'a> {
    fn new(path: &'a str, finding: &'a Finding) -> Self {
        let span = finding.span;
        JsonFinding {
            rule: finding.rule,
            severity: finding.severity,
            message: &finding.message,
            path,
            line: span.map(|s| s.line),
            column: span.map(|s| s.column),
            end_line: span.map(|s| s.end_line),
            end_column: span.map(|s| s.end_column),
            source: finding.source,
            resource: &finding.resource,
            container: finding.container.as_deref(),
            remediation: &finding.remediation,
            suppressed: finding.suppressed.as_deref(),
            pss_control: finding.pss_control,
            overlays: &finding.overlays,
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    findings: usize,
    by_severity: BySeverity,
}

/// The non-zero counts, worst first: a `BTreeMap` would sort them alphabetically, which reads
/// as nonsense (`critical, high, info, low, medium`).
struct BySeverity(Summary);

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let counts: Vec<_> = self.0.worst_first().collect();
        let mut map = serializer.serialize_map(Some(counts.len()))?;
        for (severity, count) in counts {
            map.serialize_entry(severity.as_str(), &count)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonWorkload<'a> {
    path: &'a str,
    source: Source,
    resource: &'a str,
    /// Only on containers Compose started: `{"project": .., "service": ..}`. Left out
    /// elsewhere (like `suppressed`), so that every other workload keeps its exact shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    compose: Option<&'a ComposeService>,
    line: Option<u32>,
    column: Option<u32>,
    containers: Vec<JsonContainer<'a>>,
}

impl<'a> JsonWorkload<'a> {
    fn new(path: &'a str, workload: &'a Workload, compose: Option<&'a ComposeService>) -> Self {
        JsonWorkload {
            path,
            source: workload.source,
            resource: &workload.resource,
            compose,
            line: workload.span.map(|s| s.line),
            column: workload.span.map(|s| s.column),
            containers: workload.containers.iter().map(JsonContainer::new).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonContainer<'a> {
    container: Option<&'a str>,
    role: ContainerRole,
    line: Option<u32>,
    column: Option<u32>,
    image: Option<&'a str>,
    user: RootStatus,
    privileged: bool,
    effective_capabilities: Vec<&'static str>,
    bounding_capabilities: Vec<&'static str>,
    reachable_capabilities: Vec<&'static str>,
    host_namespaces: Vec<&'static str>,
    escape_paths: Vec<JsonEscapePath>,
}

impl<'a> JsonContainer<'a> {
    fn new(container: &'a Container) -> Self {
        let posture = &container.posture;
        let anchor: Option<Span> = posture.anchor;
        let EffectivePrivileges {
            user,
            bounding,
            effective,
            reachable,
            host_namespaces,
            escape_paths,
        } = posture.effective_privileges();
        JsonContainer {
            container: container.name.as_deref(),
            role: container.role,
            line: anchor.map(|s| s.line),
            column: anchor.map(|s| s.column),
            image: posture.image.value.as_deref(),
            user,
            privileged: posture.privileged.value,
            effective_capabilities: effective.sorted_names(),
            bounding_capabilities: bounding.sorted_names(),
            reachable_capabilities: reachable.sorted_names(),
            host_namespaces,
            escape_paths: escape_paths.iter().map(JsonEscapePath::from).collect(),
        }
    }
}

/// One escape path: `{"kind": "runtime-socket", "host_path": "/var/run/docker.sock",
/// "description": "..."}`.
#[derive(Serialize)]
struct JsonEscapePath {
    kind: serde_json::Value,
    /// The variant's own fields, taken from the model's serialisation so that a new escape path
    /// or field shows up here without a change to this file.
    #[serde(flatten)]
    details: serde_json::Map<String, serde_json::Value>,
    description: String,
}

impl From<&EscapePath> for JsonEscapePath {
    fn from(escape: &EscapePath) -> Self {
        let mut details = match serde_json::to_value(escape) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        // The model tags the variant `path`, which beside a file's `path` would mislead.
        let kind = details
            .remove("path")
            .unwrap_or(serde_json::Value::String("unknown".into()));
        JsonEscapePath {
            kind,
            details,
            description: escape.describe(),
        }
    }
}

#[derive(Serialize)]
struct JsonNote<'a> {
    path: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

impl<'a> From<&'a Note> for JsonNote<'a> {
    fn from(note: &'a Note) -> Self {
        JsonNote {
            path: note.path.as_deref(),
            line: note.line,
            column: note.column,
            message: &note.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_report;

    fn render(options: ReportOptions) -> serde_json::Value {
        let text = to_string(&sample_report(), &options).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or_default()
    }

    #[test]
    fn matches_the_snapshot() {
        let text = to_string(&sample_report(), &ReportOptions::default()).unwrap_or_default();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn suppressed_findings_appear_only_when_asked_for_and_carry_their_reason() {
        let hidden = render(ReportOptions::default());
        let rules: Vec<_> = hidden["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(!rules.contains(&"writable-rootfs".to_string()), "{rules:?}");
        assert!(
            hidden["findings"][0].get("suppressed").is_none(),
            "unsuppressed findings carry no `suppressed` key"
        );

        let shown = render(ReportOptions {
            show_suppressed: true,
            ..ReportOptions::default()
        });
        let suppressed: Vec<_> = shown["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f.get("suppressed").is_some())
            .collect();
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0]["rule"], "writable-rootfs");
        assert_eq!(suppressed[0]["suppressed"], "scratch space is a tmpfs");
        // The summary counts what fails a build, which a suppressed finding never does.
        assert_eq!(shown["summary"]["findings"], hidden["summary"]["findings"]);
    }

    #[test]
    fn summary_counts_by_severity_worst_first() {
        let json = to_string(&sample_report(), &ReportOptions::default()).unwrap_or_default();
        let critical = json.find("\"critical\": 1").unwrap_or(usize::MAX);
        let high = json.find("\"high\": 1").unwrap_or(0);
        assert!(critical < high, "critical must come before high:\n{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(value["summary"]["files"], 2);
        assert_eq!(value["summary"]["findings"], 3);
        assert!(value["summary"]["by_severity"].get("low").is_none());
    }

    #[test]
    fn compose_appears_only_on_workloads_compose_started() {
        let mut report = sample_report();
        let service = ComposeService {
            project: "shop".into(),
            service: "web".into(),
        };
        report.files[0]
            .compose
            .insert("service/web".into(), service.clone());
        let text = to_string(&report, &ReportOptions::default()).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let workloads = value["workloads"].as_array().cloned().unwrap_or_default();
        let with: Vec<_> = workloads
            .iter()
            .filter(|w| w.get("compose").is_some())
            .collect();
        assert_eq!(with.len(), 1, "{text}");
        assert_eq!(with[0]["resource"], "service/web");
        assert_eq!(
            with[0]["compose"],
            serde_json::json!({"project": "shop", "service": "web"})
        );
    }
}

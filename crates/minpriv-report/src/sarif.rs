//! `--format sarif`: one SARIF 2.1.0 log for code-scanning tools (GitHub code scanning, GitLab,
//! Azure DevOps, the SARIF viewers of editors).
//!
//! The log is built with the `serde-sarif` types, which are generated from the OASIS schema, so
//! a misspelt property cannot compile. What GitHub reads from it, and why each choice was made:
//! - `run.tool.driver.rules` holds a descriptor for every rule with a result (in the order of
//!   their first results, so that the log can be written while the scan goes on), with the rule's
//!   own documentation as `help` and a `security-severity` GitHub turns into its
//!   critical/high/medium/low scale. GitHub reads the severity from the rule, not the result,
//!   so it reflects the severity in force (after `--profile`), not the rule's default.
//! - Locations are the paths as the user named them, relative to `%SRCROOT%`, with forward
//!   slashes; columns count characters (`run.columnKind: unicodeCodePoints`), as ours do.
//! - `partialFingerprints` hash the rule, path, resource and container — not the line — so an
//!   alert survives lines being added above it.
//! - Suppressed findings are always included, with a `suppressions` entry: code scanning shows
//!   them as dismissed instead of opening (or silently closing) alerts.

use crate::{Ending, FileResult, Note, ReportWriter, ScanReport, pretty};
use minpriv_model::{Finding, Severity, Span};
use minpriv_rules::suppression::Suppressions;
use minpriv_rules::{RuleInfo, find_rule};
use serde_json::Value;
use serde_sarif::sarif;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// The `$schema` of the log: SchemaStore's copy of the OASIS schema, the URI GitHub's own
/// documentation and most producers use.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `partialFingerprints` key of minpriv's own fingerprint; the version changes whenever
/// what is hashed does, so that consumers never compare hashes of different recipes.
pub const FINGERPRINT_KEY: &str = "minprivFindingHash/v1";

/// Where the tool and its rules are documented.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Renders `report` as a pretty-printed SARIF 2.1.0 log, ending with a newline.
///
/// Every finding is included, suppressed or not (see the module documentation).
///
/// # Errors
/// Only if serde_json fails, which these plain structures do not make it do.
pub fn to_string(report: &ScanReport) -> serde_json::Result<String> {
    let mut bytes = Vec::new();
    crate::write_report(report, &mut SarifWriter::new(&mut bytes))
        .and_then(|()| crate::into_string(bytes))
        .map_err(serde_json::Error::io)
}

/// The SARIF format as a [`ReportWriter`]: the results are written as they come, and the run's
/// invocation and tool (whose rule descriptors need every result's severity) after them. The
/// text is what `serde_json::to_string_pretty` makes of the whole log.
pub struct SarifWriter<W: Write> {
    out: W,
    rules: RuleTable,
    started: bool,
    results: usize,
}

impl<W: Write> SarifWriter<W> {
    /// A writer of a SARIF log to `out`.
    pub fn new(out: W) -> Self {
        SarifWriter {
            out,
            rules: RuleTable::default(),
            started: false,
            results: 0,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                self.out,
                "{{\n  \"$schema\": {},\n  \"runs\": [\n    {{\n      \"columnKind\": {},\n      \"results\": [",
                pretty(&SCHEMA_URI, 0)?,
                pretty(&sarif::ResultColumnKind::UnicodeCodePoints, 0)?,
            )?;
        }
        Ok(())
    }
}

impl<W: Write> ReportWriter for SarifWriter<W> {
    fn write_files(&mut self, files: &[FileResult]) -> io::Result<()> {
        self.start()?;
        for file in files {
            for result in file_results(file, &mut self.rules) {
                let separator = if self.results == 0 {
                    "\n        "
                } else {
                    ",\n        "
                };
                self.results += 1;
                self.out.write_all(separator.as_bytes())?;
                self.out.write_all(pretty(&result, 4)?.as_bytes())?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, ending: &Ending<'_>) -> io::Result<()> {
        self.start()?;
        let driver = sarif::ToolComponent::builder()
            .name("minpriv")
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .information_uri(REPOSITORY)
            .rules(self.rules.descriptors())
            .build();
        let tool = sarif::Tool::builder().driver(driver).build();
        let close = if self.results == 0 { "]" } else { "\n      ]" };
        write!(
            self.out,
            "{close},\n      \"invocations\": {},\n      \"tool\": {}\n    }}\n  ],\n  \"version\": {}\n}}\n",
            pretty(&[invocation(ending)], 3)?,
            pretty(&tool, 3)?,
            pretty(&sarif::Version::V2_1_0, 0)?,
        )?;
        self.out.flush()
    }
}

/// A serde-sarif enum as the JSON value its untyped fields expect.
fn enum_value<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The result level of a severity: what decides whether code scanning fails a pull request.
pub fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score: above 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium,
/// 0.1–3.9 low. Each value sits inside its band, so GitHub shows the severity minpriv gave.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The rules with results, in the order of their first results, each with the worst severity
/// its results carry; `ruleIndex` points into this order. (The order cannot be the registry's:
/// a result's index is written before later results show which other rules have any.)
#[derive(Default)]
struct RuleTable {
    rules: Vec<(&'static str, Severity)>,
    index: HashMap<&'static str, usize>,
}

impl RuleTable {
    /// The index of `finding`'s rule, which now carries at least its severity.
    fn index_of(&mut self, finding: &Finding) -> usize {
        let rules = &mut self.rules;
        let i = *self.index.entry(finding.rule).or_insert_with(|| {
            rules.push((finding.rule, finding.severity));
            rules.len() - 1
        });
        let worst = &mut self.rules[i].1;
        *worst = (*worst).max(finding.severity);
        i
    }

    fn descriptors(&self) -> Vec<sarif::ReportingDescriptor> {
        self.rules
            .iter()
            .map(|&(id, in_force)| match find_rule(id) {
                Some(rule) => descriptor(rule.info(), in_force),
                None => sarif::ReportingDescriptor::builder()
                    .id(id)
                    .default_configuration(configuration(in_force))
                    .properties(rule_properties(in_force, &[]))
                    .build(),
            })
            .collect()
    }
}

/// A rule's descriptor: its documentation, default level and GitHub's severity score.
fn descriptor(info: &RuleInfo, in_force: Severity) -> sarif::ReportingDescriptor {
    let summary = sentence(info.summary);
    let formats: Vec<&str> = info.applies_to.iter().map(|s| s.as_str()).collect();
    sarif::ReportingDescriptor::builder()
        .id(info.id)
        .name(pascal_case(info.id))
        .short_description(plain(summary.clone()))
        .full_description(plain(
            doc_section(info.doc, "What it checks").unwrap_or(summary),
        ))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(info.doc.trim_end())
                .markdown(info.doc.trim_end())
                .build(),
        )
        .help_uri(help_uri(info.id))
        .default_configuration(configuration(info.default_severity))
        .properties(rule_properties(in_force, &formats))
        .build()
}

fn plain(text: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text.into())
        .build()
}

fn configuration(severity: Severity) -> sarif::ReportingConfiguration {
    sarif::ReportingConfiguration::builder()
        .level(enum_value(level(severity)))
        .build()
}

/// `tags` (GitHub files a rule under "security" only with that tag, and only then reads
/// `security-severity`) and the severity score.
fn rule_properties(severity: Severity, formats: &[&str]) -> sarif::PropertyBag {
    let mut tags = vec!["security".to_string(), "least-privilege".to_string()];
    tags.extend(formats.iter().map(|f| f.to_string()));
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_string(),
        Value::from(security_severity(severity)),
    );
    extra.insert("severity".to_string(), Value::from(severity.as_str()));
    sarif::PropertyBag::builder()
        .tags(tags)
        .additional_properties(extra)
        .build()
}

/// The rule's source file, whose doc comment is its documentation (`minpriv explain` prints
/// the same text).
fn help_uri(id: &str) -> String {
    format!(
        "{REPOSITORY}/blob/main/crates/minpriv-rules/src/rules/{}.rs",
        id.replace('-', "_")
    )
}

/// `docker-socket-mount` → `DockerSocketMount`: SARIF's human-readable rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// A lower-case summary fragment as a sentence: capitalised, with a full stop.
fn sentence(fragment: &str) -> String {
    let mut chars = fragment.trim().chars();
    let mut text: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// The text of `## title` in a rule's doc, as one paragraph (its line breaks are only
/// wrapping).
fn doc_section(doc: &str, title: &str) -> Option<String> {
    let heading = format!("## {title}");
    let start = doc.find(&heading)? + heading.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let text = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The results of one file, in the file's order.
fn file_results(file: &FileResult, rules: &mut RuleTable) -> Vec<sarif::Result> {
    let mut occurrences: HashMap<(&str, &str, Option<&str>), usize> = HashMap::new();
    file.findings
        .iter()
        .map(|finding| {
            let key = (
                finding.rule,
                finding.resource.as_str(),
                finding.container.as_deref(),
            );
            let occurrence = occurrences.entry(key).or_default();
            let fingerprint = fingerprint(finding, &file.path, *occurrence);
            *occurrence += 1;
            result(file, finding, rules, fingerprint)
        })
        .collect()
}

fn result(
    file: &FileResult,
    finding: &Finding,
    rules: &mut RuleTable,
    fingerprint: String,
) -> sarif::Result {
    let mut text = finding.message.clone();
    if !finding.remediation.is_empty() {
        text.push_str("\nFix: ");
        text.push_str(&finding.remediation);
    }
    let mut properties = BTreeMap::new();
    properties.insert("severity".into(), Value::from(finding.severity.as_str()));
    properties.insert("source".into(), Value::from(finding.source.as_str()));
    properties.insert("resource".into(), Value::from(finding.resource.as_str()));
    properties.insert(
        "container".into(),
        finding
            .container
            .as_deref()
            .map_or(Value::Null, Value::from),
    );
    properties.insert(
        "remediation".into(),
        Value::from(finding.remediation.as_str()),
    );
    if !finding.overlays.is_empty() {
        properties.insert("overlays".into(), Value::from(finding.overlays.clone()));
    }
    if let Some(control) = finding.pss_control {
        properties.insert("pss_control".into(), Value::from(control));
    }
    let builder = sarif::Result::builder()
        .rule_id(finding.rule)
        .level(level(finding.severity))
        .message(sarif::Message::builder().text(text).build())
        .locations(vec![location(&file.path, finding.span)])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), fingerprint)]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    let mut result = match finding.suppressed.as_deref() {
        Some(reason) => builder
            .suppressions(vec![suppression(file, finding, reason)])
            .build(),
        None => builder.build(),
    };
    result.rule_index = Some(rules.index_of(finding) as i64);
    result
}

/// A suppressed finding's suppression. `Finding` keeps only the reason, not where it was given,
/// so the kind is read back from the source: a `minpriv:ignore` directive that covers the
/// finding, as the scan applies them ([`Suppressions`]), is `inSource`; anything else (a waiver
/// in minpriv.toml) is `external`.
fn suppression(file: &FileResult, finding: &Finding, reason: &str) -> sarif::Suppression {
    let kind = if suppressed_in_source(file, finding) {
        sarif::SupressionKind::InSource
    } else {
        sarif::SupressionKind::External
    };
    let builder = sarif::Suppression::builder().kind(enum_value(kind));
    if reason.is_empty() {
        builder.build()
    } else {
        builder.justification(reason).build()
    }
}

fn suppressed_in_source(file: &FileResult, finding: &Finding) -> bool {
    let mut probe = [Finding {
        suppressed: None,
        ..finding.clone()
    }];
    Suppressions::parse(&file.source_text).apply(&mut probe);
    probe[0].suppressed.is_some()
}

/// A location in `path`, with a region when the span is usable.
fn location(path: &str, span: Option<Span>) -> sarif::Location {
    let physical = sarif::PhysicalLocation::builder().artifact_location(artifact(path));
    let physical = match span.and_then(region) {
        Some(region) => physical.region(region).build(),
        None => physical.build(),
    };
    sarif::Location::builder()
        .physical_location(physical)
        .build()
}

/// SARIF's regions are 1-based with an exclusive end column, like our spans; a span with no
/// line (a reader's placeholder) has no region.
fn region(span: Span) -> Option<sarif::Region> {
    if span.line == 0 || span.column == 0 {
        return None;
    }
    let end_line = span.end_line.max(span.line);
    let end_column = if end_line == span.line {
        span.end_column.max(span.column)
    } else {
        span.end_column.max(1)
    };
    Some(
        sarif::Region::builder()
            .start_line(i64::from(span.line))
            .start_column(i64::from(span.column))
            .end_line(i64::from(end_line))
            .end_column(i64::from(end_column))
            .build(),
    )
}

/// The artifact of a path as the user named it: a relative URI against `%SRCROOT%` for a
/// relative path, a `file:` URI for an absolute one.
fn artifact(path: &str) -> sarif::ArtifactLocation {
    let slashed = path.replace('\\', "/");
    let bytes = slashed.as_bytes();
    let is_windows_absolute =
        bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if slashed.starts_with('/') || is_windows_absolute {
        let rooted = if is_windows_absolute {
            format!("/{slashed}")
        } else {
            slashed
        };
        // Keep the drive's colon: `file:///C:/x` is how Windows paths are written as URIs.
        let uri = format!("file://{}", percent_encode(&rooted, true));
        sarif::ArtifactLocation::builder().uri(uri).build()
    } else {
        sarif::ArtifactLocation::builder()
            .uri(percent_encode(&slashed, false))
            .uri_base_id("%SRCROOT%")
            .build()
    }
}

/// Percent-encodes what may not stand in a URI path. A colon is encoded in relative paths,
/// where `a:b/c.yaml` would otherwise read as a URI with the scheme `a`.
fn percent_encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&byte)
            || (keep_colon && byte == b':');
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A hash of what identifies a finding apart from its line: the rule, the path, the resource
/// and container, and which of several identical findings it is (two sensitive mounts in one
/// container). FNV-1a, written out because the value must never change between Rust releases
/// or platforms, which `std`'s hashers do not promise.
fn fingerprint(finding: &Finding, path: &str, occurrence: usize) -> String {
    let occurrence = occurrence.to_string();
    let parts = [
        finding.rule,
        path,
        finding.resource.as_str(),
        finding.container.as_deref().unwrap_or_default(),
        occurrence.as_str(),
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        // A separator no UTF-8 text contains keeps ("ab","c") and ("a","bc") apart.
        for &byte in part.as_bytes().iter().chain(&[0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The one invocation: whether every input could be read, and the notes and read errors as
/// notifications.
fn invocation(ending: &Ending<'_>) -> sarif::Invocation {
    let mut notifications: Vec<_> = ending
        .errors
        .iter()
        .map(|note| notification(note, "error"))
        .collect();
    notifications.extend(ending.notes.iter().map(|note| notification(note, "note")));
    let builder = sarif::Invocation::builder().execution_successful(ending.errors.is_empty());
    if notifications.is_empty() {
        builder.build()
    } else {
        builder.tool_execution_notifications(notifications).build()
    }
}

fn notification(note: &Note, level: &str) -> sarif::Notification {
    let builder = sarif::Notification::builder()
        .message(
            sarif::Message::builder()
                .text(note.message.as_str())
                .build(),
        )
        .level(Value::from(level));
    match &note.path {
        Some(path) => {
            let span = note.line.map(|line| {
                let column = note.column.unwrap_or(1);
                Span {
                    line,
                    column,
                    end_line: line,
                    end_column: column,
                    ..Span::default()
                }
            });
            builder.locations(vec![location(path, span)]).build()
        }
        None => builder.build(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_report;

    /// The vendored OASIS schema; every log a test makes is checked against it.
    const SCHEMA: &str = include_str!("../tests/schemas/sarif-schema-2.1.0.json");

    /// The one pattern of the OASIS schema that is not a valid ECMA-262 regex in unicode mode:
    /// a stray `]`, which non-unicode ECMAScript reads as a literal. Escaping it keeps that
    /// meaning and lets the validator compile the schema; the vendored file stays untouched.
    const BROKEN_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    // In the JSON text, `\\\\` is one backslash.
    const FIXED_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\\\]?$";

    fn validate(log: &Value) {
        assert!(
            SCHEMA.contains(BROKEN_PATTERN),
            "the schema changed: review the fix-up"
        );
        let schema: Value = serde_json::from_str(&SCHEMA.replace(BROKEN_PATTERN, FIXED_PATTERN))
            .unwrap_or_else(|err| panic!("the vendored schema is not JSON: {err}"));
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|err| panic!("the vendored schema does not compile: {err}"));
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF does not match the schema:\n{}",
            errors.join("\n")
        );
    }

    /// The descriptor of rule `id` in `run`, or null.
    fn rule_descriptor(run: &Value, id: &str) -> Value {
        run["tool"]["driver"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_default()
    }

    fn render(report: &ScanReport) -> Value {
        let text = to_string(report).unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        validate(&value);
        value
    }

    #[test]
    fn matches_the_snapshot_and_the_schema() {
        let text = to_string(&sample_report()).unwrap_or_default();
        validate(&serde_json::from_str(&text).unwrap_or_default());
        insta::assert_snapshot!(text);
    }

    #[test]
    fn results_point_at_rules_by_id_and_index() {
        let log = render(&sample_report());
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: Vec<_> = rules.iter().map(|r| r["id"].clone()).collect();
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), 4);
        // Every rule with a result (the suppressed one too), nothing else, in the order of
        // their first results.
        let mut first_seen: Vec<Value> = Vec::new();
        for result in &results {
            if !first_seen.contains(&result["ruleId"]) {
                first_seen.push(result["ruleId"].clone());
            }
        }
        assert_eq!(ids, first_seen);
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| id.to_string());
        assert_eq!(
            sorted,
            [
                "image-latest-tag",
                "privileged",
                "runs-as-root",
                "writable-rootfs"
            ]
        );
        for result in &results {
            let index = result["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
            assert_eq!(rules.get(index).map(|r| &r["id"]), Some(&result["ruleId"]));
        }
    }

    #[test]
    fn levels_and_security_severity_follow_the_severity() {
        let log = render(&sample_report());
        let run = &log["runs"][0];
        let level_of = |rule: &str| {
            run["results"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["ruleId"] == rule)
                .map(|r| r["level"].clone())
        };
        assert_eq!(level_of("privileged"), Some(Value::from("error")));
        assert_eq!(level_of("runs-as-root"), Some(Value::from("error")));
        assert_eq!(level_of("image-latest-tag"), Some(Value::from("warning")));
        assert_eq!(level_of("writable-rootfs"), Some(Value::from("note")));
        let rule = |id: &str| rule_descriptor(run, id);
        let privileged = rule("privileged");
        assert_eq!(privileged["properties"]["security-severity"], "9.5");
        assert_eq!(
            rule("runs-as-root")["properties"]["security-severity"],
            "8.0"
        );
        assert_eq!(privileged["defaultConfiguration"]["level"], "error");
        assert!(
            privileged["properties"]["tags"]
                .as_array()
                .is_some_and(|tags| tags.contains(&Value::from("security"))),
            "GitHub needs the security tag: {privileged}"
        );
        assert_eq!(
            privileged["help"]["markdown"],
            Value::from(
                find_rule("privileged")
                    .map(|r| r.info().doc.trim_end())
                    .unwrap_or_default()
            )
        );
        assert!(
            privileged["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Whether the container runs in privileged mode")),
            "{}",
            privileged["fullDescription"]
        );
    }

    #[test]
    fn a_profile_that_raises_a_rule_raises_its_security_severity() {
        let mut report = sample_report();
        report.files[0].findings[0].severity = Severity::Critical;
        let log = render(&report);
        let rule = rule_descriptor(&log["runs"][0], "image-latest-tag");
        assert_eq!(rule["properties"]["security-severity"], "9.5");
        assert_eq!(rule["defaultConfiguration"]["level"], "warning", "{rule}");
    }

    #[test]
    fn locations_are_relative_to_srcroot_with_character_columns() {
        let log = render(&sample_report());
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let privileged = run["results"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["ruleId"] == "privileged")
            .cloned()
            .unwrap_or_default();
        let physical = &privileged["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "deploy/web.yaml");
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &physical["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (
                &Value::from(12),
                &Value::from(13),
                &Value::from(12),
                &Value::from(29)
            )
        );
    }

    #[test]
    fn uris_are_forward_slashed_and_percent_encoded() {
        let uri = |path: &str| {
            let artifact = artifact(path);
            (artifact.uri.unwrap_or_default(), artifact.uri_base_id)
        };
        assert_eq!(
            uri("deploy\\web app.yaml"),
            ("deploy/web%20app.yaml".into(), Some("%SRCROOT%".into()))
        );
        assert_eq!(uri("a:b/c#1.yaml").0, "a%3Ab/c%231.yaml");
        assert_eq!(uri("../shared/x.yaml").0, "../shared/x.yaml");
        assert_eq!(uri("/srv/ä.yaml"), ("file:///srv/%C3%A4.yaml".into(), None));
        assert_eq!(uri("C:\\repo\\x.yaml").0, "file:///C:/repo/x.yaml");
    }

    #[test]
    fn fingerprints_ignore_lines_but_tell_identical_findings_apart() {
        let report = sample_report();
        let mut moved = report.clone();
        for finding in &mut moved.files[1].findings {
            if let Some(span) = &mut finding.span {
                span.line += 7;
                span.end_line += 7;
            }
        }
        let prints = |report: &ScanReport| -> Vec<Value> {
            let log = render(report);
            log["runs"][0]["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].clone())
                .collect()
        };
        let before = prints(&report);
        assert_eq!(before, prints(&moved), "moving lines keeps fingerprints");
        let unique: std::collections::HashSet<_> = before.iter().map(|v| v.to_string()).collect();
        assert_eq!(unique.len(), before.len(), "{before:?}");

        let finding = &report.files[1].findings[0];
        assert_ne!(
            fingerprint(finding, "deploy/web.yaml", 0),
            fingerprint(finding, "deploy/web.yaml", 1)
        );
        assert_ne!(
            fingerprint(finding, "deploy/web.yaml", 0),
            fingerprint(finding, "deploy/api.yaml", 0)
        );
        // Pinned: code scanning matches alerts across runs by this value, so a change of
        // recipe must come with a new FINGERPRINT_KEY (and a new pinned value here).
        assert_eq!(
            fingerprint(finding, "deploy/web.yaml", 0),
            "0dc342b2b8741a65"
        );
    }

    #[test]
    fn suppressed_findings_are_always_included_with_their_justification() {
        let log = render(&sample_report());
        let suppressed: Vec<_> = log["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0]["ruleId"], "writable-rootfs");
        let suppression = &suppressed[0]["suppressions"][0];
        assert_eq!(suppression["justification"], "scratch space is a tmpfs");
        // The sample's source has no minpriv:ignore comment: the reason came from elsewhere.
        assert_eq!(suppression["kind"], "external");
    }

    #[test]
    fn a_suppression_comment_in_the_file_makes_an_in_source_suppression() {
        let mut report = sample_report();
        let file = &mut report.files[1];
        file.source_text = file.source_text.replace(
            "        - name: app\n",
            "        # minpriv:ignore writable-rootfs -- scratch space is a tmpfs\n        - name: app\n",
        );
        // The comment is a new line above the anchor: move the finding down with it.
        for finding in &mut file.findings {
            if let Some(span) = &mut finding.span {
                span.line += 1;
                span.end_line += 1;
            }
        }
        let log = render(&report);
        let kinds: Vec<_> = log["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("suppressions"))
            .map(|s| s[0]["kind"].clone())
            .collect();
        assert_eq!(kinds, [Value::from("inSource")]);
    }

    #[test]
    fn notes_and_read_errors_become_notifications_and_errors_fail_the_run() {
        let log = render(&sample_report());
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        let notes = invocation["toolExecutionNotifications"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[1]["level"], "note");
        let region = &notes[1]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&Value::from(11), &Value::from(30))
        );

        let mut report = sample_report();
        report.errors.push(Note::about(
            Some("deploy/secret.yaml".into()),
            "permission denied",
        ));
        let log = render(&report);
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["level"],
            "error"
        );
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["message"]["text"],
            "permission denied"
        );
    }

    #[test]
    fn an_empty_scan_is_a_valid_log_with_no_rules() {
        let log = render(&ScanReport::default());
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA_URI);
        assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"],
            Value::Array(Vec::new())
        );
    }

    #[test]
    fn rule_names_and_sections_read_well() {
        assert_eq!(pascal_case("docker-socket-mount"), "DockerSocketMount");
        assert_eq!(sentence("privileged mode is on"), "Privileged mode is on.");
        assert_eq!(
            doc_section("## What it checks\nA\nB.\n\n## Why\nC", "What it checks"),
            Some("A B.".into())
        );
        assert_eq!(doc_section("no headings", "What it checks"), None);
    }
}

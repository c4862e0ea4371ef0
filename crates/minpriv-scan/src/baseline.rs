//! `scan --baseline FILE`: report only the findings that a previous `--format json` report did
//! not already hold, to gate a pull request on what it adds.
//!
//! Findings are matched by rule, path, resource and container — not by line, so that editing
//! a file above a finding does not bring it back — and with multiplicity: when the baseline had
//! two findings with one key and the scan has three, one is new. Within a key, findings at the
//! very line and column of a baseline finding are matched first, so that when a new finding
//! appears beside old ones of the same kind, the one reported is the new one whenever the old
//! ones have not moved.

use minpriv_model::Finding;
use minpriv_report::FileResult;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// What identifies a finding across edits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    rule: String,
    path: String,
    resource: String,
    container: Option<String>,
}

/// The findings of a previous report, counted by key.
#[derive(Debug, Default)]
pub struct Baseline {
    /// How many baseline findings each key has.
    counts: HashMap<Key, usize>,
    /// How many baseline findings each key has at each line and column.
    at: HashMap<(Key, Option<(u64, u64)>), usize>,
}

#[derive(Deserialize)]
struct ReportFile {
    version: Option<u64>,
    findings: Vec<BaselineFinding>,
}

#[derive(Deserialize)]
struct BaselineFinding {
    rule: String,
    path: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    container: Option<String>,
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    column: Option<u64>,
    /// Present (with the reason) only on suppressed findings.
    #[serde(default)]
    suppressed: Option<String>,
}

impl Baseline {
    /// Reads a report written by `minpriv scan --format json`.
    ///
    /// # Errors
    /// When the file cannot be read, is not JSON, or is not a minpriv report of a known version.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|err| {
            format!(
                "cannot read the baseline {shown}: {}",
                crate::walk::describe_io_error(&err)
            )
        })?;
        Baseline::parse(&text).map_err(|reason| format!("the baseline {shown} {reason}"))
    }

    /// Reads the text of a JSON report.
    ///
    /// # Errors
    /// When it is not a minpriv JSON report of a known version; the message completes "the
    /// baseline FILE ...".
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let report: ReportFile = serde_json::from_str(text).map_err(|err| {
            format!("is not a report written by `minpriv scan --format json`: {err}")
        })?;
        if let Some(version) = report.version
            && version != u64::from(minpriv_report::json::SCHEMA_VERSION)
        {
            return Err(format!(
                "has version {version}; this minpriv reads version {}",
                minpriv_report::json::SCHEMA_VERSION
            ));
        }
        let mut baseline = Baseline::default();
        // A suppressed finding (in a report made with --show-suppressed) was never reported,
        // so it cannot make a finding that is reported now count as known.
        for finding in report
            .findings
            .into_iter()
            .filter(|f| f.suppressed.is_none())
        {
            let key = Key {
                rule: finding.rule,
                path: normalize_path(&finding.path),
                resource: finding.resource,
                container: finding.container,
            };
            let position = finding.line.zip(finding.column);
            *baseline.at.entry((key.clone(), position)).or_default() += 1;
            *baseline.counts.entry(key).or_default() += 1;
        }
        Ok(baseline)
    }

    /// Removes from `report` the findings the baseline already holds and returns how many it
    /// removed. Suppressed findings are left alone: they neither use up nor are matched by a
    /// baseline finding.
    #[cfg(test)]
    pub fn remove_known(&self, report: &mut minpriv_report::ScanReport) -> usize {
        let mut run = self.start();
        report
            .files
            .iter_mut()
            .map(|file| run.remove_known(file))
            .sum()
    }

    /// Starts matching a scan's files, one at a time, against the baseline.
    pub fn start(&self) -> BaselineRun {
        BaselineRun {
            counts: self.counts.clone(),
            at: self.at.clone(),
        }
    }
}

/// The baseline findings a scan has not matched yet: each one matches one finding at most.
#[derive(Debug)]
pub struct BaselineRun {
    counts: HashMap<Key, usize>,
    at: HashMap<(Key, Option<(u64, u64)>), usize>,
}

impl BaselineRun {
    /// Removes from `file` the findings the baseline already holds and returns how many it
    /// removed (see [`Baseline::remove_known`]).
    pub fn remove_known(&mut self, file: &mut FileResult) -> usize {
        let (counts, at) = (&mut self.counts, &mut self.at);
        let path = normalize_path(&file.path);
        let keys: Vec<Option<Key>> = file
            .findings
            .iter()
            .map(|f| f.suppressed.is_none().then(|| key_of(&path, f)))
            .collect();
        let mut known = vec![false; file.findings.len()];
        // First the findings that have not moved, then the rest by key alone.
        for (i, finding) in file.findings.iter().enumerate() {
            let Some(key) = &keys[i] else { continue };
            let position = finding
                .span
                .map(|s| (u64::from(s.line), u64::from(s.column)));
            if let Some(n) = at.get_mut(&(key.clone(), position))
                && *n > 0
            {
                *n -= 1;
                if let Some(c) = counts.get_mut(key) {
                    *c = c.saturating_sub(1);
                }
                known[i] = true;
            }
        }
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = key else { continue };
            if known[i] {
                continue;
            }
            if let Some(n) = counts.get_mut(key)
                && *n > 0
            {
                *n -= 1;
                known[i] = true;
            }
        }
        let mut index = 0;
        file.findings.retain(|_| {
            let keep = !known[index];
            index += 1;
            keep
        });
        known.iter().filter(|k| **k).count()
    }
}

fn key_of(path: &str, finding: &Finding) -> Key {
    Key {
        rule: finding.rule.to_string(),
        path: path.to_string(),
        resource: finding.resource.clone(),
        container: finding.container.clone(),
    }
}

/// `./deploy/web.yaml` and `deploy/web.yaml` are one file: `minpriv scan .` and `minpriv scan`
/// show paths differently, and a baseline made one way must work with a scan made the other.
fn normalize_path(path: &str) -> String {
    if path == "-" {
        return path.to_string();
    }
    let normalized: PathBuf = Path::new(path)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    normalized.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{Severity, Source, Span};
    use minpriv_report::ScanReport;

    fn finding(rule: &'static str, container: &str, line: u32) -> Finding {
        Finding {
            rule,
            severity: Severity::High,
            message: String::new(),
            span: Some(Span {
                start: 0,
                end: 1,
                line,
                column: 5,
                end_line: line,
                end_column: 6,
            }),
            source: Source::Compose,
            resource: format!("service/{container}"),
            container: Some(container.into()),
            remediation: String::new(),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        }
    }

    fn report(path: &str, findings: Vec<Finding>) -> ScanReport {
        ScanReport {
            files: vec![FileResult {
                path: path.into(),
                findings,
                ..FileResult::default()
            }],
            ..ScanReport::default()
        }
    }

    fn baseline_of(entries: &[(&str, &str, &str, u32)]) -> Baseline {
        let findings: Vec<String> = entries
            .iter()
            .map(|(rule, path, container, line)| {
                format!(
                    r#"{{"rule":"{rule}","path":"{path}","resource":"service/{container}","container":"{container}","line":{line},"column":5}}"#
                )
            })
            .collect();
        Baseline::parse(&format!(
            r#"{{"version":1,"findings":[{}]}}"#,
            findings.join(",")
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn lines(report: &ScanReport) -> Vec<u32> {
        report.files[0]
            .findings
            .iter()
            .filter_map(|f| f.span.map(|s| s.line))
            .collect()
    }

    #[test]
    fn moved_findings_stay_known() {
        let baseline = baseline_of(&[("privileged", "./compose.yaml", "app", 4)]);
        let mut scan = report("compose.yaml", vec![finding("privileged", "app", 14)]);
        assert_eq!(baseline.remove_known(&mut scan), 1);
        assert!(scan.files[0].findings.is_empty());
    }

    #[test]
    fn one_more_finding_of_a_key_is_one_new_finding_and_the_unmoved_ones_match_first() {
        let baseline = baseline_of(&[
            ("host-pid", "compose.yaml", "app", 4),
            ("host-pid", "compose.yaml", "app", 9),
        ]);
        let mut scan = report(
            "compose.yaml",
            vec![
                finding("host-pid", "app", 4),
                finding("host-pid", "app", 6),
                finding("host-pid", "app", 9),
            ],
        );
        assert_eq!(baseline.remove_known(&mut scan), 2);
        assert_eq!(lines(&scan), [6]);
    }

    #[test]
    fn another_container_path_or_rule_is_new() {
        let baseline = baseline_of(&[("privileged", "compose.yaml", "app", 4)]);
        let mut scan = report(
            "compose.yaml",
            vec![
                finding("privileged", "worker", 4),
                finding("host-pid", "app", 4),
            ],
        );
        assert_eq!(baseline.remove_known(&mut scan), 0);
        let mut elsewhere = report("other/compose.yaml", vec![finding("privileged", "app", 4)]);
        assert_eq!(baseline.remove_known(&mut elsewhere), 0);
    }

    #[test]
    fn suppressed_findings_neither_count_nor_match() {
        let text = r#"{"findings":[{"rule":"privileged","path":"c.yaml","resource":"service/app","container":"app","suppressed":"ok"}]}"#;
        let baseline = Baseline::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let mut scan = report("c.yaml", vec![finding("privileged", "app", 4)]);
        assert_eq!(
            baseline.remove_known(&mut scan),
            0,
            "a suppressed baseline entry is not known"
        );
        let mut quiet = finding("privileged", "app", 4);
        quiet.suppressed = Some("ok".into());
        let baseline = baseline_of(&[("privileged", "c.yaml", "app", 4)]);
        let mut scan = report("c.yaml", vec![quiet, finding("privileged", "app", 8)]);
        assert_eq!(baseline.remove_known(&mut scan), 1);
        assert_eq!(scan.files[0].findings.len(), 1);
        assert!(
            scan.files[0].findings[0].suppressed.is_some(),
            "the suppressed one stays"
        );
    }

    #[test]
    fn other_files_are_rejected_with_a_reason() {
        let err = Baseline::parse("[]").err().unwrap_or_default();
        assert!(
            err.starts_with("is not a report written by `minpriv scan --format json`"),
            "{err}"
        );
        let err = Baseline::parse(r#"{"version":99,"findings":[]}"#)
            .err()
            .unwrap_or_default();
        assert_eq!(err, "has version 99; this minpriv reads version 1");
    }
}

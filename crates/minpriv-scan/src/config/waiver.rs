//! `[[waiver]]`: accepted findings, recorded in the policy with a reason and an optional expiry
//! date, in the manner of cargo-deny's exceptions.
//!
//! A waiver matches a finding of its `rule` in a file whose path (relative to the
//! configuration's folder) matches its `path` glob, and, when given, of its `container` and
//! `resource`. An unexpired match suppresses the finding with the waiver's reason. After its
//! `expires` day the waiver stops suppressing and the finding says so, so that a temporary
//! exception cannot quietly become permanent. A waiver that matches nothing is reported, like an
//! unused inline suppression: it would otherwise hide the next finding that comes along there.

use super::clock::Date;
use super::parse::WaiverSpec;
use globset::GlobMatcher;
use minpriv_model::Finding;
use minpriv_report::Note;
use std::path::Path;

/// One waiver, ready to match.
#[derive(Clone, Debug)]
pub struct Waiver {
    /// The rule's id.
    pub rule: &'static str,
    /// The path glob as written.
    pub path: String,
    matcher: GlobMatcher,
    /// The container or service name it is limited to.
    pub container: Option<String>,
    /// The resource it is limited to (`Deployment/web`).
    pub resource: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// The configuration file it is written in, as shown.
    pub file: String,
    /// Its line there.
    pub line: u32,
    /// Its column there.
    pub column: u32,
}

impl Waiver {
    /// Builds a waiver from a checked entry of `file`.
    ///
    /// # Errors
    /// When the glob does not compile (entries are checked when parsed, so only on a bug).
    pub fn new(spec: WaiverSpec, file: String) -> Result<Waiver, String> {
        let matcher = super::compile_glob(&spec.path)
            .map_err(|err| format!("invalid glob '{}': {err}", spec.path))?;
        Ok(Waiver {
            rule: spec.rule,
            path: spec.path,
            matcher,
            container: spec.container,
            resource: spec.resource,
            reason: spec.reason,
            expires: spec.expires,
            file,
            line: spec.line,
            column: spec.column,
        })
    }

    fn matches_path(&self, relative: &Path) -> bool {
        self.matcher.is_match(relative)
    }

    fn matches(&self, finding: &Finding) -> bool {
        finding.rule == self.rule
            && self
                .container
                .as_deref()
                .is_none_or(|c| finding.container.as_deref() == Some(c))
            && self
                .resource
                .as_deref()
                .is_none_or(|r| finding.resource == r)
    }

    fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|last_day| last_day < today)
    }

    fn describe(&self) -> String {
        let mut text = format!("waiver of '{}' for '{}'", self.rule, self.path);
        if let Some(resource) = &self.resource {
            text.push_str(&format!(", resource '{resource}'"));
        }
        if let Some(container) = &self.container {
            text.push_str(&format!(", container '{container}'"));
        }
        text
    }
}

/// Whether an unexpired waiver of `waivers` (relative to `folder`) covers `finding` in the file
/// shown as `path` on day `today`: what `minpriv fix` leaves alone.
pub fn covers(
    waivers: &[Waiver],
    folder: &Path,
    today: Date,
    path: &str,
    finding: &Finding,
) -> bool {
    if path == "-" {
        return false;
    }
    let Some(relative) = super::relative_to(folder, Path::new(path)) else {
        return false;
    };
    waivers
        .iter()
        .any(|w| w.matches_path(&relative) && w.matches(finding) && !w.is_expired(today))
}

/// The waivers of one scan, with what each has matched so far.
#[derive(Debug)]
pub struct WaiverRun<'w> {
    waivers: &'w [Waiver],
    folder: &'w Path,
    today: Date,
    /// Per waiver: matched at least one finding.
    matched: Vec<bool>,
    /// Per waiver: matched at least one finding after it expired.
    matched_expired: Vec<bool>,
    /// Per waiver: its path glob matched a file this scan read.
    saw_path: Vec<bool>,
}

impl<'w> WaiverRun<'w> {
    /// Starts a scan with `waivers`, whose paths are relative to `folder` (absolute), on day
    /// `today`.
    pub fn new(waivers: &'w [Waiver], folder: &'w Path, today: Date) -> WaiverRun<'w> {
        WaiverRun {
            waivers,
            folder,
            today,
            matched: vec![false; waivers.len()],
            matched_expired: vec![false; waivers.len()],
            saw_path: vec![false; waivers.len()],
        }
    }

    /// Applies the waivers to the findings of the file shown as `path`. A matching unexpired
    /// waiver suppresses a finding with its reason (a finding already suppressed inline keeps
    /// that reason); when only expired waivers match, the finding stays and its message says
    /// which waiver expired when. Standard input (`-`) has no path to match.
    pub fn apply(&mut self, path: &str, findings: &mut [Finding]) {
        if self.waivers.is_empty() || path == "-" {
            return;
        }
        let Some(relative) = super::relative_to(self.folder, Path::new(path)) else {
            return;
        };
        let on_path: Vec<usize> = (0..self.waivers.len())
            .filter(|&i| self.waivers[i].matches_path(&relative))
            .collect();
        for &i in &on_path {
            self.saw_path[i] = true;
        }
        for finding in findings {
            let mut active: Option<&Waiver> = None;
            let mut expired: Option<&Waiver> = None;
            for &i in &on_path {
                let waiver = &self.waivers[i];
                if !waiver.matches(finding) {
                    continue;
                }
                self.matched[i] = true;
                if waiver.is_expired(self.today) {
                    self.matched_expired[i] = true;
                    expired = expired.or(Some(waiver));
                } else {
                    active = active.or(Some(waiver));
                }
            }
            match (active, expired) {
                (Some(waiver), _) => {
                    if finding.suppressed.is_none() {
                        finding.suppressed = Some(waiver.reason.clone());
                    }
                }
                (None, Some(waiver)) => {
                    if let Some(day) = waiver.expires {
                        finding
                            .message
                            .push_str(&format!(" (waiver expired on {day}: {})", waiver.reason));
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// Notes for waivers that need attention: those that matched no finding, and those that
    /// have expired while their finding is still there.
    ///
    /// A waiver that matched nothing is reported only when the scan could have seen its
    /// findings — it read a file its path matches, or `covered_folder` says the scan covered
    /// the configuration's whole folder — so that scanning one subfolder does not flag every
    /// waiver written for the rest of the repository.
    pub fn notes(&self, covered_folder: bool) -> Vec<Note> {
        let mut notes = Vec::new();
        for (i, waiver) in self.waivers.iter().enumerate() {
            let at = |message: String| Note {
                path: Some(waiver.file.clone()),
                line: Some(waiver.line),
                column: Some(waiver.column),
                message,
            };
            if !self.matched[i] && (self.saw_path[i] || covered_folder) {
                notes.push(at(format!(
                    "unused waiver: the {} matched no finding; remove it, or correct its rule, \
                     path, resource or container",
                    waiver.describe()
                )));
            } else if self.matched_expired[i]
                && let Some(day) = waiver.expires
            {
                notes.push(at(format!(
                    "expired waiver: the {} expired on {day}, and its findings are reported \
                     again; fix them, or renew the waiver with a new date and reason",
                    waiver.describe()
                )));
            }
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{Severity, Source};
    use std::path::PathBuf;

    fn waiver(rule: &'static str, path: &str, expires: Option<Date>) -> Waiver {
        let spec = WaiverSpec {
            rule,
            path: path.into(),
            container: None,
            resource: None,
            reason: format!("reason for {rule}"),
            expires,
            line: 7,
            column: 1,
        };
        Waiver::new(spec, "minpriv.toml".into()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn finding(rule: &'static str, resource: &str, container: &str) -> Finding {
        Finding {
            rule,
            severity: Severity::Critical,
            message: format!("{rule} found"),
            span: None,
            source: Source::Kubernetes,
            resource: resource.into(),
            container: Some(container.into()),
            remediation: String::new(),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        }
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    const FOLDER: &str = "/repo";

    #[test]
    fn a_matching_waiver_suppresses_with_its_reason() {
        let waivers = [waiver(
            "privileged",
            "deploy/*.yaml",
            Some(day("2026-12-31")),
        )];
        let folder = PathBuf::from(FOLDER);
        let mut run = WaiverRun::new(&waivers, &folder, day("2026-12-31"));
        let mut findings = vec![
            finding("privileged", "Pod/a", "app"),
            finding("host-pid", "Pod/a", "app"),
        ];
        run.apply("/repo/deploy/pod.yaml", &mut findings);
        assert_eq!(
            findings[0].suppressed.as_deref(),
            Some("reason for privileged")
        );
        assert_eq!(findings[1].suppressed, None, "another rule");
        assert!(
            run.notes(true).is_empty(),
            "the waiver was used and has not expired"
        );
    }

    #[test]
    fn container_and_resource_narrow_the_match() {
        let mut narrow = waiver("privileged", "**", None);
        narrow.container = Some("agent".into());
        narrow.resource = Some("DaemonSet/node".into());
        let waivers = [narrow];
        let folder = PathBuf::from(FOLDER);
        let mut run = WaiverRun::new(&waivers, &folder, day("2026-01-01"));
        let mut findings = vec![
            finding("privileged", "DaemonSet/node", "agent"),
            finding("privileged", "DaemonSet/node", "sidecar"),
            finding("privileged", "Deployment/web", "agent"),
        ];
        run.apply("/repo/a/b.yaml", &mut findings);
        let suppressed: Vec<bool> = findings.iter().map(|f| f.suppressed.is_some()).collect();
        assert_eq!(suppressed, [true, false, false]);
    }

    #[test]
    fn an_expired_waiver_stops_suppressing_and_says_so() {
        let waivers = [waiver("privileged", "pod.yaml", Some(day("2026-01-31")))];
        let folder = PathBuf::from(FOLDER);
        let mut findings = vec![finding("privileged", "Pod/a", "app")];
        let mut on_last_day = WaiverRun::new(&waivers, &folder, day("2026-01-31"));
        on_last_day.apply("/repo/pod.yaml", &mut findings.clone());
        assert!(
            on_last_day.notes(true).is_empty(),
            "still valid on its last day"
        );

        let mut run = WaiverRun::new(&waivers, &folder, day("2026-02-01"));
        run.apply("/repo/pod.yaml", &mut findings);
        assert_eq!(findings[0].suppressed, None);
        assert_eq!(
            findings[0].message,
            "privileged found (waiver expired on 2026-01-31: reason for privileged)"
        );
        let notes = run.notes(true);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.starts_with("expired waiver:"), "{notes:?}");
        assert_eq!((notes[0].line, notes[0].column), (Some(7), Some(1)));
    }

    #[test]
    fn an_unexpired_waiver_wins_over_an_expired_one() {
        let waivers = [
            waiver("privileged", "**", Some(day("2020-01-01"))),
            waiver("privileged", "pod.yaml", None),
        ];
        let folder = PathBuf::from(FOLDER);
        let mut run = WaiverRun::new(&waivers, &folder, day("2026-01-01"));
        let mut findings = vec![finding("privileged", "Pod/a", "app")];
        run.apply("/repo/pod.yaml", &mut findings);
        assert_eq!(
            findings[0].suppressed.as_deref(),
            Some("reason for privileged")
        );
        assert_eq!(findings[0].message, "privileged found");
    }

    #[test]
    fn unused_waivers_are_reported_where_the_scan_could_have_seen_them() {
        let waivers = [
            waiver("privileged", "deploy/*.yaml", None),
            waiver("host-pid", "other/*.yaml", None),
        ];
        let folder = PathBuf::from(FOLDER);
        let mut run = WaiverRun::new(&waivers, &folder, day("2026-01-01"));
        run.apply(
            "/repo/deploy/pod.yaml",
            &mut [finding("host-ipc", "Pod/a", "app")],
        );
        let notes = run.notes(false);
        assert_eq!(
            notes.len(),
            1,
            "only the waiver whose files were read: {notes:?}"
        );
        assert_eq!(notes[0].path.as_deref(), Some("minpriv.toml"));
        assert!(
            notes[0]
                .message
                .contains("waiver of 'privileged' for 'deploy/*.yaml' matched no finding")
        );
        assert_eq!(
            run.notes(true).len(),
            2,
            "a scan of the whole folder reports both"
        );
    }

    #[test]
    fn files_outside_the_folder_and_standard_input_match_nothing() {
        let waivers = [waiver("privileged", "**", None)];
        let folder = PathBuf::from(FOLDER);
        let mut run = WaiverRun::new(&waivers, &folder, day("2026-01-01"));
        let mut findings = vec![finding("privileged", "Pod/a", "app")];
        run.apply("/elsewhere/pod.yaml", &mut findings);
        run.apply("-", &mut findings);
        assert_eq!(findings[0].suppressed, None);
    }
}

//! `--format junit`: JUnit XML, the test-report format GitLab, Jenkins, Azure DevOps and most CI
//! systems show in their merge-request and build pages.
//!
//! The mapping, chosen for how those systems display it:
//! - one `<testsuite>` per file, named by its path;
//! - one `<testcase>` per file and rule that fired, named by the rule id, with the path as its
//!   `classname` (GitLab tells test cases apart by classname and name, so the pair must be
//!   unique), failing with every finding of that rule in the file: the `message` attribute holds
//!   the first, and the text of `<failure>` — which GitLab and Jenkins show in full — holds all
//!   of them with their locations and fixes;
//! - `invalid-input` is an `<error>`, not a `<failure>`: the file was not checked;
//! - a file where nothing fired gets one passing test case, so the report shows it was checked;
//! - with `--show-suppressed`, a rule whose findings are all suppressed is a skipped test case;
//! - inputs that could not be read are a test suite of their own with an erroring test case each.
//!
//! No timestamps or durations are written: the same scan gives the same XML.

use crate::{FileResult, Note, ReportOptions, ScanReport, is_shown, summary_line};
use minpriv_model::Finding;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write as _;

/// The name of the test case of a file where no rule fired.
pub const CLEAN_TEST_CASE: &str = "no findings";

/// The id findings of unparseable input carry; reported as errors rather than failures.
const INVALID_INPUT: &str = "invalid-input";

/// Renders `report` as JUnit XML.
///
/// # Errors
/// Only if quick-junit fails to write XML into memory, which it does not for valid UTF-8.
pub fn to_string(report: &ScanReport, options: &ReportOptions) -> Result<String, String> {
    let mut junit = Report::new("minpriv");
    for file in &report.files {
        junit.add_test_suite(file_suite(file, &report.notes, options));
    }
    if !report.errors.is_empty() {
        junit.add_test_suite(unreadable_suite(&report.errors));
    }
    let mut xml = junit
        .to_string()
        .map_err(|err| format!("cannot render the JUnit report: {err}"))?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    // A comment people see when they open the file; CI systems skip it.
    let summary = format!(
        "<!-- minpriv: {} -->\n",
        summary_line(report).replace("--", "- -")
    );
    match xml.find("?>\n") {
        Some(at) => xml.insert_str(at + 3, &summary),
        None => xml.insert_str(0, &summary),
    }
    Ok(xml)
}

fn file_suite(file: &FileResult, notes: &[Note], options: &ReportOptions) -> TestSuite {
    let mut suite = TestSuite::new(file.path.as_str());
    // Rules in the order their first finding appears, which is the file's order.
    let mut rules: Vec<&'static str> = Vec::new();
    for finding in file.findings.iter().filter(|f| is_shown(f, options)) {
        if !rules.contains(&finding.rule) {
            rules.push(finding.rule);
        }
    }
    for rule in &rules {
        let findings: Vec<&Finding> = file
            .findings
            .iter()
            .filter(|f| f.rule == *rule && is_shown(f, options))
            .collect();
        suite.add_test_case(rule_case(&file.path, rule, &findings));
    }
    if rules.is_empty() {
        let mut case = TestCase::new(CLEAN_TEST_CASE, TestCaseStatus::success());
        case.set_classname(file.path.as_str());
        suite.add_test_case(case);
    }
    let file_notes: Vec<String> = notes
        .iter()
        .filter(|n| n.path.as_deref() == Some(file.path.as_str()))
        .map(note_line)
        .collect();
    if !file_notes.is_empty() {
        suite.set_system_out(file_notes.join("\n"));
    }
    suite
}

/// The test case of one rule in one file.
fn rule_case(path: &str, rule: &str, findings: &[&Finding]) -> TestCase {
    let failing: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let status = match failing.first() {
        None => {
            let mut status = TestCaseStatus::skipped();
            status.set_message("suppressed");
            status.set_description(describe(path, findings));
            status
        }
        Some(first) => {
            let kind = if rule == INVALID_INPUT {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            let message = if failing.len() == 1 {
                first.message.clone()
            } else {
                format!("{} (and {} more)", first.message, failing.len() - 1)
            };
            status.set_message(message);
            status.set_type(first.severity.as_str());
            status.set_description(describe(path, findings));
            status
        }
    };
    let mut case = TestCase::new(rule, status);
    case.set_classname(path);
    case
}

/// Every finding as the text format's first lines: location, severity, message, fix.
fn describe(path: &str, findings: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        let location = match finding.span {
            Some(span) => format!("{path}:{}:{}", span.line, span.column),
            None => path.to_string(),
        };
        let _ = writeln!(
            text,
            "{location}: {}[{}]: {}",
            finding.severity, finding.rule, finding.message
        );
        let mut context = vec![format!("resource {}", finding.resource)];
        if let Some(container) = &finding.container {
            context.push(format!("container {container}"));
        }
        let _ = writeln!(text, "  in {}", context.join(", "));
        if !finding.remediation.is_empty() {
            let _ = writeln!(text, "  help: {}", finding.remediation);
        }
        if let Some(reason) = &finding.suppressed {
            let _ = writeln!(
                text,
                "  suppressed{}",
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            );
        }
    }
    text
}

fn note_line(note: &Note) -> String {
    match (note.line, note.column) {
        (Some(line), Some(column)) => format!("{line}:{column}: note: {}", note.message),
        (Some(line), None) => format!("{line}: note: {}", note.message),
        _ => format!("note: {}", note.message),
    }
}

/// Inputs that could not be read: an error each, so the CI page shows the scan as incomplete.
fn unreadable_suite(errors: &[Note]) -> TestSuite {
    let mut suite = TestSuite::new("unreadable inputs");
    for error in errors {
        let path = error.path.as_deref().unwrap_or("-");
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.message.as_str());
        status.set_type("unreadable");
        let mut case = TestCase::new("read", status);
        case.set_classname(path);
        suite.add_test_case(case);
    }
    suite
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_report;
    use minpriv_model::Severity;

    fn render(report: &ScanReport, options: ReportOptions) -> String {
        to_string(report, &options).unwrap_or_else(|err| panic!("{err}"))
    }

    /// The text between `<tag` and the `>` that ends its opening tag, for each occurrence.
    fn opening_tags<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag} ");
        xml.match_indices(&open)
            .filter_map(|(at, _)| {
                let rest = &xml[at..];
                rest.find('>').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn matches_the_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), ReportOptions::default()));
    }

    #[test]
    fn a_suite_per_file_and_a_failing_case_per_rule() {
        let xml = render(&sample_report(), ReportOptions::default());
        let suites = opening_tags(&xml, "testsuite");
        assert_eq!(suites.len(), 2, "{xml}");
        assert!(
            suites[0].contains(r#"name="compose.yaml""#),
            "{}",
            suites[0]
        );
        assert!(
            suites[1].contains(r#"name="deploy/web.yaml""#),
            "{}",
            suites[1]
        );
        assert!(suites[1].contains(r#"tests="2""#), "{}", suites[1]);
        assert!(suites[1].contains(r#"failures="2""#), "{}", suites[1]);
        let cases = opening_tags(&xml, "testcase");
        let names: Vec<_> = cases
            .iter()
            .map(|c| {
                c.split("name=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_default()
            })
            .collect();
        // The suppressed writable-rootfs finding is not a test case by default.
        assert_eq!(names, ["image-latest-tag", "privileged", "runs-as-root"]);
        assert!(
            xml.contains(
                "deploy/web.yaml:12:13: critical[privileged]: container &apos;app&apos; runs in privileged mode"
            ),
            "{xml}"
        );
    }

    #[test]
    fn several_findings_of_a_rule_are_one_case_listing_all() {
        let mut report = sample_report();
        let mut second = report.files[1].findings[1].clone();
        second.container = Some("sidecar".into());
        report.files[1].findings.push(second);
        let xml = render(&report, ReportOptions::default());
        assert_eq!(xml.matches(r#"name="runs-as-root""#).count(), 1, "{xml}");
        assert!(xml.contains("(and 1 more)"), "{xml}");
        assert!(xml.contains("container sidecar"), "{xml}");
    }

    #[test]
    fn a_clean_file_has_one_passing_case() {
        let mut report = sample_report();
        report.files[0].findings.clear();
        let xml = render(&report, ReportOptions::default());
        let suite = opening_tags(&xml, "testsuite")[0];
        assert!(
            suite.contains(r#"tests="1""#) && suite.contains(r#"failures="0""#),
            "{suite}"
        );
        assert!(
            xml.contains(r#"<testcase name="no findings" classname="compose.yaml"/>"#),
            "{xml}"
        );
    }

    #[test]
    fn parse_errors_and_unreadable_inputs_are_errors() {
        let mut report = sample_report();
        let mut invalid = report.files[0].findings[0].clone();
        invalid.rule = "invalid-input";
        invalid.severity = Severity::High;
        invalid.message = "could not parse the Compose file: <bad> & \"worse\"".into();
        report.files[0].findings = vec![invalid];
        report.errors.push(Note::about(
            Some("deploy/secret.yaml".into()),
            "permission denied",
        ));
        let xml = render(&report, ReportOptions::default());
        assert!(xml.contains("<error "), "{xml}");
        assert!(
            xml.contains("&lt;bad&gt; &amp;"),
            "text from files is escaped: {xml}"
        );
        let suites = opening_tags(&xml, "testsuite");
        assert!(suites[0].contains(r#"errors="1""#), "{}", suites[0]);
        assert!(suites[2].contains(r#"name="unreadable inputs""#), "{xml}");
        assert!(xml.contains("permission denied"), "{xml}");
    }

    #[test]
    fn suppressed_rules_are_skipped_cases_when_shown() {
        let xml = render(
            &sample_report(),
            ReportOptions {
                show_suppressed: true,
                ..ReportOptions::default()
            },
        );
        assert!(xml.contains(r#"name="writable-rootfs""#), "{xml}");
        assert!(xml.contains("<skipped"), "{xml}");
        assert!(
            xml.contains("suppressed: scratch space is a tmpfs"),
            "{xml}"
        );
        let suite = opening_tags(&xml, "testsuite")[1];
        assert!(suite.contains(r#"skipped="1""#), "{suite}");
    }

    #[test]
    fn notes_go_to_the_suite_of_their_file() {
        let xml = render(&sample_report(), ReportOptions::default());
        assert!(
            xml.contains("<system-out>11:30: note: `minpriv:ignore host-pid` suppresses nothing here</system-out>"),
            "{xml}"
        );
    }
}

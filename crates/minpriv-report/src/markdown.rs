//! `--format markdown`: a compact report for pull-request and merge-request comments (GitHub
//! Flavored Markdown, which GitLab also renders).
//!
//! A title with the counts by severity, then a table per file — `| severity | rule | line |
//! container | message |` — folded into `<details>` when it is long, then notes and unreadable
//! inputs. Everything taken from the scanned files (paths, names, messages that quote values)
//! is escaped: a `|` would break the table, a backtick or `*` would start formatting, and HTML
//! would be rendered by the forge, so a hostile file could otherwise rewrite the comment.

use crate::{FileResult, Note, ReportOptions, ScanReport, Summary, is_shown, plural, summary_line};
use minpriv_model::{Finding, Severity};
use std::fmt::Write as _;

/// A table with more rows than this is folded into `<details>`.
pub const FOLD_AFTER_ROWS: usize = 10;

/// GitHub refuses comments over 65,536 characters; files past this budget are left out with a
/// line saying so, which keeps room for the notes and that line.
pub const MAX_CHARS: usize = 60_000;

/// Renders `report` as Markdown, ending with a newline.
pub fn render(report: &ScanReport, options: &ReportOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### minpriv: {}\n", summary_line(report));

    let files: Vec<(&FileResult, Vec<&Finding>)> = report
        .files
        .iter()
        .map(|file| {
            let shown = file
                .findings
                .iter()
                .filter(|f| is_shown(f, options))
                .collect();
            (file, shown)
        })
        .filter(|(_, shown): &(_, Vec<_>)| !shown.is_empty())
        .collect();

    let mut left_out = 0;
    for (file, findings) in &files {
        let section = file_section(file, findings);
        if out.len() + section.len() > MAX_CHARS {
            left_out += 1;
            continue;
        }
        out.push_str(&section);
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "_{} with findings left out to fit in a comment; run `minpriv scan` for the full report._\n",
            plural(left_out, "more file", "more files")
        );
    }

    if !report.errors.is_empty() {
        let _ = writeln!(out, "**Could not be read** (the scan is incomplete):\n");
        for error in &report.errors {
            let _ = writeln!(out, "- {}", note_item(error));
        }
        out.push('\n');
    }
    if !options.quiet && !report.notes.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            plural(report.notes.len(), "note", "notes")
        );
        for note in &report.notes {
            let _ = writeln!(out, "- {}", note_item(note));
        }
        out.push_str("\n</details>\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// One file: a bold path line and the table, folded when long.
fn file_section(file: &FileResult, findings: &[&Finding]) -> String {
    let mut counts = Summary::default();
    for finding in findings.iter().filter(|f| f.suppressed.is_none()) {
        counts.by_severity[Severity::ALL
            .iter()
            .position(|&s| s == finding.severity)
            .unwrap_or_default()] += 1;
    }
    let breakdown: Vec<String> = counts
        .worst_first()
        .map(|(severity, n)| format!("{n} {severity}"))
        .collect();
    let headline = if breakdown.is_empty() {
        plural(findings.len(), "suppressed finding", "suppressed findings")
    } else {
        format!(
            "{} ({})",
            plural(counts.total(), "finding", "findings"),
            breakdown.join(", ")
        )
    };

    let mut table = String::from(
        "| severity | rule | line | container | message |\n| --- | --- | --: | --- | --- |\n",
    );
    for finding in findings {
        table.push_str(&row(finding));
    }

    let mut out = String::new();
    if findings.len() > FOLD_AFTER_ROWS {
        // Inside raw HTML Markdown is not parsed, so the summary escapes for HTML itself.
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code>: {headline}</summary>\n\n{table}\n</details>\n",
            escape_html(&file.path)
        );
    } else {
        let _ = writeln!(out, "{}: {headline}\n\n{table}", code(&file.path));
    }
    out
}

fn row(finding: &Finding) -> String {
    let severity = match finding.severity {
        Severity::Critical | Severity::High => format!("**{}**", finding.severity),
        other => other.to_string(),
    };
    let line = finding.span.map(|s| s.line.to_string()).unwrap_or_default();
    let container = finding.container.as_deref().map(code).unwrap_or_default();
    let mut message = escape_text(&finding.message);
    if !finding.remediation.is_empty() {
        let _ = write!(message, "<br>Fix: {}", with_code(&finding.remediation));
    }
    if let Some(reason) = &finding.suppressed {
        message.push_str("<br>_suppressed");
        if !reason.is_empty() {
            let _ = write!(message, ": {}", escape_text(reason));
        }
        message.push('_');
    }
    format!(
        "| {severity} | {} | {line} | {container} | {message} |\n",
        code(finding.rule)
    )
}

fn note_item(note: &Note) -> String {
    let location = match (&note.path, note.line) {
        (Some(path), Some(line)) => format!("{}: ", code(&format!("{path}:{line}"))),
        (Some(path), None) => format!("{}: ", code(path)),
        _ => String::new(),
    };
    format!("{location}{}", escape_text(&note.message))
}

/// Text for a table cell or list item: HTML characters as entities, Markdown punctuation
/// backslash-escaped (CommonMark allows it before any ASCII punctuation), `|` escaped for the
/// table, line breaks as spaces so that a row stays one line.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text whose `` `quoted` `` parts are code (minpriv's fix texts quote what to write): those
/// become code spans, the rest is escaped like [`escape_text`]. Unbalanced backticks are text.
pub fn with_code(text: &str) -> String {
    let parts = crate::code_parts(text);
    parts
        .iter()
        .map(|(part, is_code)| {
            if *is_code {
                code(part)
            } else {
                escape_text(part)
            }
        })
        .collect()
}

/// A code span that holds `text` whatever it contains: the fence is one backtick longer than
/// the longest run inside, padded when the text touches a backtick, and `|` is escaped, which
/// GitHub's tables require even inside code.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.replace('|', "\\|");
    let longest_run = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text inside raw HTML (a `<summary>`).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_parts_of_fix_texts_are_code_and_the_rest_is_escaped() {
        assert_eq!(
            with_code("add `cap_drop: [ALL]` to the service | keep cap_add"),
            "add `cap_drop: [ALL]` to the service \\| keep cap\\_add"
        );
        // A pipe inside code is escaped for the table; unbalanced backticks are text.
        assert_eq!(with_code("set `a|b`"), "set `a\\|b`");
        assert_eq!(with_code("a ` b"), "a \\` b");
    }
    use crate::test_support::sample_report;

    #[test]
    fn matches_the_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), &ReportOptions::default()));
    }

    #[test]
    fn the_title_counts_by_severity() {
        let text = render(&sample_report(), &ReportOptions::default());
        assert!(
            text.starts_with(
                "### minpriv: 3 findings (1 critical, 1 high, 1 medium) in 2 files; 1 suppressed\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn every_row_has_five_cells_whatever_the_file_contains() {
        let mut report = sample_report();
        let finding = &mut report.files[0].findings[0];
        finding.message = "a | b `c` <img src=x onerror=alert(1)> *d* [e](f)\nnext".into();
        finding.container = Some("we|b`".into());
        let text = render(&report, &ReportOptions::default());
        let row = text
            .lines()
            .find(|l| l.contains("image-latest-tag"))
            .unwrap_or_default();
        // Unescaped pipes separate cells: the leading and trailing ones plus four between.
        let separators = row.matches('|').count() - row.matches("\\|").count();
        assert_eq!(separators, 6, "{row}");
        assert!(row.contains("&lt;img src=x onerror=alert(1)&gt;"), "{row}");
        assert!(row.contains("\\`c\\`") && row.contains("\\*d\\*"), "{row}");
        assert!(row.contains("\\[e\\](f) next"), "{row}");
        assert!(row.contains("`` we\\|b` ``"), "{row}");
        assert!(!text.contains("<img"), "{text}");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn long_tables_fold_into_details() {
        let mut report = sample_report();
        let template = report.files[0].findings[0].clone();
        report.files[0].findings = (0..=FOLD_AFTER_ROWS).map(|_| template.clone()).collect();
        report.files[0].path = "a<b>.yaml".into();
        let text = render(&report, &ReportOptions::default());
        assert!(
            text.contains(
                "<details><summary><code>a&lt;b&gt;.yaml</code>: 11 findings (11 medium)</summary>"
            ),
            "{text}"
        );
        assert_eq!(
            text.matches("</details>").count(),
            2,
            "the file and the notes: {text}"
        );
        // The short table of the other file stays open.
        assert!(text.contains("`deploy/web.yaml`: 2 findings"), "{text}");
    }

    #[test]
    fn a_huge_report_is_cut_at_a_file_boundary_with_a_line_saying_so() {
        let mut report = sample_report();
        let template = report.files[0].clone();
        report.files = (0..400)
            .map(|i| {
                let mut file = template.clone();
                file.path = format!("services/{i:03}/compose.yaml");
                file
            })
            .collect();
        let text = render(&report, &ReportOptions::default());
        assert!(text.len() < 65_536, "{}", text.len());
        assert!(text.contains("more files with findings left out"), "{text}");
        assert!(text.contains("services/000/compose.yaml"));
    }

    #[test]
    fn suppressed_findings_show_only_when_asked_for() {
        let hidden = render(&sample_report(), &ReportOptions::default());
        assert!(!hidden.contains("writable-rootfs"), "{hidden}");
        let shown = render(
            &sample_report(),
            &ReportOptions {
                show_suppressed: true,
                ..ReportOptions::default()
            },
        );
        assert!(
            shown.contains("<br>_suppressed: scratch space is a tmpfs_ |"),
            "{shown}"
        );
    }

    #[test]
    fn a_clean_scan_is_one_line() {
        let report = ScanReport {
            files_scanned: 4,
            ..ScanReport::default()
        };
        assert_eq!(
            render(&report, &ReportOptions::default()),
            "### minpriv: no findings in 4 files\n"
        );
    }
}

//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request's changed lines and on the run's summary page.
//!
//! One command per finding:
//! `::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::MESSAGE`, with `error`
//! for critical and high findings, `warning` for medium and `notice` for low and info. The
//! runner parses these lines out of the step's log, so everything from the scanned files is
//! escaped as the runner (actions/runner `ActionCommand`) unescapes it: `%`, `\r` and `\n` in
//! the message; those and `:` and `,` in properties. A message cannot otherwise end the command
//! early or forge a second one on a new line.

use crate::{
    Ending, FileResult, Note, ReportOptions, ReportWriter, ScanReport, ending_line, is_shown,
};
use minpriv_model::{Finding, Severity, Span};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Renders `report` as workflow commands, one a line, then the summary as a plain log line.
pub fn render(report: &ScanReport, options: &ReportOptions) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec<u8> cannot fail, and the writer writes only UTF-8.
    let _ = crate::write_report(report, &mut GithubWriter::new(&mut bytes, *options));
    crate::into_string(bytes).unwrap_or_default()
}

/// The GitHub format as a [`ReportWriter`]: a finding's command is written as soon as its file
/// is checked.
pub struct GithubWriter<W: Write> {
    out: W,
    options: ReportOptions,
}

impl<W: Write> GithubWriter<W> {
    /// A writer of workflow commands to `out`.
    pub fn new(out: W, options: ReportOptions) -> Self {
        GithubWriter { out, options }
    }
}

impl<W: Write> ReportWriter for GithubWriter<W> {
    fn write_files(&mut self, files: &[FileResult]) -> io::Result<()> {
        for file in files {
            for finding in file.findings.iter().filter(|f| is_shown(f, &self.options)) {
                writeln!(self.out, "{}", finding_command(&file.path, finding))?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, ending: &Ending<'_>) -> io::Result<()> {
        for error in ending.errors {
            writeln!(self.out, "{}", note_command("error", error, "cannot read"))?;
        }
        if !self.options.quiet {
            for note in ending.notes {
                writeln!(self.out, "{}", note_command("notice", note, "minpriv"))?;
            }
            // Not a command: the log line people read under the annotations.
            writeln!(self.out, "minpriv: {}", ending_line(ending))?;
        }
        self.out.flush()
    }
}

/// The command a severity maps to.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

fn finding_command(path: &str, finding: &Finding) -> String {
    // A suppressed finding (shown with --show-suppressed) never fails anything: a notice.
    let name = if finding.suppressed.is_some() {
        "notice"
    } else {
        command(finding.severity)
    };
    let mut properties = vec![("file", path.to_string())];
    properties.extend(position(finding.span));
    properties.push(("title", finding.rule.to_string()));
    let mut message = finding.message.clone();
    if !finding.remediation.is_empty() {
        let _ = write!(message, "\nFix: {}", finding.remediation);
    }
    if let Some(reason) = &finding.suppressed {
        message.push_str("\nSuppressed");
        if !reason.is_empty() {
            let _ = write!(message, ": {reason}");
        }
    }
    format_command(name, &properties, &message)
}

/// `line`, `col`, `endLine`, `endColumn`. GitHub takes columns only within one line, and its
/// end column is the last character, where our span's is the one after it.
fn position(span: Option<Span>) -> Vec<(&'static str, String)> {
    let Some(span) = span.filter(|s| s.line > 0) else {
        return Vec::new();
    };
    let end_line = span.end_line.max(span.line);
    let mut properties = vec![("line", span.line.to_string())];
    if end_line == span.line && span.column > 0 {
        let last = span.end_column.saturating_sub(1).max(span.column);
        properties.push(("col", span.column.to_string()));
        properties.push(("endLine", end_line.to_string()));
        properties.push(("endColumn", last.to_string()));
    } else {
        properties.push(("endLine", end_line.to_string()));
    }
    properties
}

fn note_command(name: &str, note: &Note, title: &str) -> String {
    let mut properties = Vec::new();
    if let Some(path) = &note.path {
        properties.push(("file", path.clone()));
        if let Some(line) = note.line {
            properties.push(("line", line.to_string()));
            if let Some(column) = note.column {
                properties.push(("col", column.to_string()));
            }
        }
    }
    properties.push(("title", title.to_string()));
    format_command(name, &properties, &note.message)
}

fn format_command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

/// A command's message: the runner unescapes `%25`, `%0D` and `%0A`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`escape_data`], plus `:` (which would end the properties) and `,`
/// (which would start the next one).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_report;

    /// A command as the runner reads it: name, properties, message.
    type Parsed = (String, Vec<(String, String)>, String);

    /// The runner's parsing of one command line (actions/runner `ActionCommand.TryParseV2`):
    /// the name, the properties and the message, unescaped. Tests read our output back with it.
    fn parse(line: &str) -> Option<Parsed> {
        let rest = line.strip_prefix("::")?;
        let end = rest.find("::")?;
        let (head, message) = (&rest[..end], &rest[end + 2..]);
        let (name, properties) = head.split_once(' ').unwrap_or((head, ""));
        let unescape = |s: &str| {
            s.replace("%0D", "\r")
                .replace("%0A", "\n")
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%")
        };
        let properties = properties
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), unescape(v)))
            .collect();
        let message = message
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%");
        Some((name.to_string(), properties, message))
    }

    #[test]
    fn matches_the_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), &ReportOptions::default()));
    }

    #[test]
    fn severities_map_to_error_warning_and_notice() {
        let text = render(&sample_report(), &ReportOptions::default());
        let names: Vec<String> = text
            .lines()
            .filter_map(parse)
            .map(|(name, _, _)| name)
            .collect();
        // medium (compose), critical and high (deployment), then the two notes.
        assert_eq!(names, ["warning", "error", "error", "notice", "notice"]);
        assert_eq!(command(Severity::Low), "notice");
        assert_eq!(command(Severity::Info), "notice");
    }

    #[test]
    fn a_finding_carries_its_file_position_and_rule() {
        let text = render(&sample_report(), &ReportOptions::default());
        let line = text
            .lines()
            .find(|l| l.contains("privileged"))
            .unwrap_or_default();
        assert_eq!(
            line,
            "::error file=deploy/web.yaml,line=12,col=13,endLine=12,endColumn=28,\
             title=privileged::container 'app' runs in privileged mode: it has every capability \
             and all host devices%0AFix: remove securityContext.privileged or set it to false"
        );
    }

    #[test]
    fn hostile_text_cannot_break_out_of_its_command() {
        let mut report = sample_report();
        let file = &mut report.files[0];
        file.path = "we,ird:dir/100%.yaml".into();
        file.findings[0].message = "first\r\n::error file=x::forged 100% real, yes: really".into();
        let text = render(&report, &ReportOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            !lines.iter().any(|l| l.starts_with("::error file=x")),
            "a message started a command of its own:\n{text}"
        );
        let (name, properties, message) = parse(lines[0]).unwrap_or_default();
        assert_eq!(name, "warning");
        assert_eq!(
            properties[0],
            ("file".into(), "we,ird:dir/100%.yaml".into())
        );
        assert!(
            message.starts_with("first\r\n::error file=x::forged 100% real, yes: really\nFix: "),
            "{message:?}"
        );
    }

    #[test]
    fn columns_only_within_one_line() {
        let span = Span {
            line: 3,
            column: 5,
            end_line: 4,
            end_column: 2,
            ..Span::default()
        };
        assert_eq!(
            position(Some(span)),
            [("line", "3".to_string()), ("endLine", "4".to_string())]
        );
        assert!(position(None).is_empty());
    }

    #[test]
    fn quiet_leaves_out_notes_and_the_summary_but_never_errors() {
        let mut report = sample_report();
        report
            .errors
            .push(Note::about(Some("x.yaml".into()), "permission denied"));
        let text = render(
            &report,
            &ReportOptions {
                quiet: true,
                ..ReportOptions::default()
            },
        );
        assert!(!text.contains("::notice"), "{text}");
        assert!(!text.contains("minpriv: 3 findings"), "{text}");
        assert!(
            text.contains("::error file=x.yaml,title=cannot read::permission denied"),
            "{text}"
        );
    }
}

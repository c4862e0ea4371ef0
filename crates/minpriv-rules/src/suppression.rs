//! Inline suppressions: `# minpriv:ignore` comments in YAML, shell scripts and Dockerfiles.
//!
//! ```text
//! privileged: true  # minpriv:ignore privileged -- the node agent needs it
//!
//! # minpriv:ignore host-pid,host-network -- metrics exporter
//! hostPID: true
//!
//! # minpriv:ignore-file runs-as-root -- legacy image, tracked in OPS-123
//! ```
//!
//! - `# minpriv:ignore RULE[,RULE...] [-- reason]` at the end of a line suppresses those rules'
//!   findings reported on that line; alone on a line, it suppresses them on the line directly
//!   below. Several directive lines stacked directly above one line all apply to it. A command
//!   continued over lines with `\` counts as one line: a directive above it, or after its last
//!   line, covers every line of it (no comment can follow a `\`).
//! - `# minpriv:ignore-file RULE[,RULE...] [-- reason]` anywhere suppresses them in the whole
//!   file, including findings that have no position.
//! - Rules are separated by commas and/or spaces; everything after ` -- ` is the reason.
//! - Every rule is named: `ALL` is not accepted, so that a directive never hides findings of
//!   rules added later, nor ones its author did not know about. It is reported by
//!   [`Suppressions::unknown_rules`] like any other unknown id.
//! - A `#` starts a comment at the start of a line or after whitespace, as in YAML and shell.
//!   In a Dockerfile, `#` comments must start their line (`RUN ... # ...` works because the
//!   shell reads the comment), so put the directive on the line above an instruction.

use crate::registry::{closest_rule_id, find_rule};
use minpriv_model::Finding;
use std::sync::atomic::{AtomicBool, Ordering};

const MARKER: &str = "minpriv:ignore";
const FILE_SUFFIX: &str = "-file";

/// The inline suppressions of one file, with the bookkeeping needed to report directives that
/// suppressed nothing.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// In line order.
    directives: Vec<Directive>,
    unknown: Vec<UnknownRule>,
    malformed: Vec<MalformedDirective>,
}

#[derive(Debug)]
struct Directive {
    /// Where the directive's comment is.
    line: u32,
    /// Alone on its line (only whitespace before the `#`).
    standalone: bool,
    target: Target,
    /// With a line target: the last line it covers. A command continued over lines with `\`
    /// is covered whole, so that a flag on a continuation line (where no comment can follow
    /// the `\`) is suppressed by a directive above the command or after its last line.
    last: u32,
    rules: Vec<NamedRule>,
    /// The text after `--`, trimmed; empty when none was given.
    reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Findings reported on this line.
    Line(u32),
    /// Every finding of the file.
    File,
}

#[derive(Debug)]
struct NamedRule {
    id: &'static str,
    column: u32,
    /// Set by [`Suppressions::apply`]; atomic so that `apply` takes `&self` and the
    /// suppressions of a file can be shared between threads.
    used: AtomicBool,
}

/// A rule named in a directive that matched no finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusedSuppression {
    /// 1-based line of the directive.
    pub line: u32,
    /// 1-based column (in characters) of the rule id in the directive.
    pub column: u32,
    /// The rule id.
    pub rule: String,
}

/// A name in a directive that is no rule id (a typo, a retired id, or `ALL`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule {
    /// 1-based line of the directive.
    pub line: u32,
    /// 1-based column (in characters) of the name.
    pub column: u32,
    /// The name as written.
    pub rule: String,
    /// The closest rule id, when the name looks like a typo of one.
    pub suggestion: Option<&'static str>,
}

impl UnknownRule {
    /// A hint for the message: what to write instead, when there is something to say.
    pub fn help(&self) -> Option<String> {
        if self.rule.eq_ignore_ascii_case("all") {
            Some("ALL is not accepted: name each rule to ignore".into())
        } else {
            self.suggestion.map(|s| format!("did you mean '{s}'?"))
        }
    }
}

/// A `minpriv:ignore` comment that cannot be applied as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedDirective {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters) of the `#`.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl Suppressions {
    /// Reads the directives of `text`. Only lines containing `minpriv:ignore` are looked at,
    /// so a file without directives costs one substring search.
    pub fn parse(text: &str) -> Suppressions {
        let mut suppressions = Suppressions::default();
        let mut line = 1u32;
        let mut counted_to = 0usize;
        let mut last_directive_line = 0u32;
        for (marker_at, _) in text.match_indices(MARKER) {
            line += count_newlines(&text[counted_to..marker_at]);
            counted_to = marker_at;
            if line == last_directive_line {
                continue;
            }
            let line_start = text[..marker_at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[marker_at..]
                .find('\n')
                .map_or(text.len(), |i| marker_at + i);
            let Some(hash_at) = comment_start(text, line_start, marker_at) else {
                continue;
            };
            last_directive_line = line;
            let rest = text[marker_at + MARKER.len()..line_end].trim_end_matches('\r');
            let rest_at = marker_at + MARKER.len();
            let position = Position {
                text,
                line,
                line_start,
            };
            suppressions.parse_directive(position, hash_at, rest, rest_at);
        }
        suppressions.resolve_stacked_directives();
        suppressions.cover_continued_commands(text);
        suppressions
    }

    fn parse_directive(&mut self, at: Position<'_>, hash_at: usize, rest: &str, rest_at: usize) {
        let standalone = at.text[at.line_start..hash_at].trim().is_empty();
        let (file_wide, list_and_reason, list_at) = match rest.strip_prefix(FILE_SUFFIX) {
            Some(after) => (true, after, rest_at + FILE_SUFFIX.len()),
            None => (false, rest, rest_at),
        };
        if !list_and_reason.is_empty() && !list_and_reason.starts_with([' ', '\t']) {
            let word_end = list_and_reason
                .find(char::is_whitespace)
                .unwrap_or(list_and_reason.len());
            self.malformed.push(MalformedDirective {
                line: at.line,
                column: at.column(hash_at),
                message: format!(
                    "unknown directive 'minpriv:ignore{}' (expected minpriv:ignore or minpriv:ignore-file)",
                    &rest[..rest.len() - list_and_reason.len() + word_end]
                ),
            });
            return;
        }
        // Rule ids have single hyphens only, so the first "--" starts the reason.
        let (mut list, reason) = match list_and_reason.find("--") {
            Some(i) => (&list_and_reason[..i], list_and_reason[i + 2..].trim()),
            None => (list_and_reason, ""),
        };
        // A second comment in the rule list (`# minpriv:ignore a # minpriv:ignore b`) would
        // otherwise turn its words into unknown rule names.
        if let Some(i) = list.find('#') {
            self.malformed.push(MalformedDirective {
                line: at.line,
                column: at.column(list_at + i),
                message: "a '#' in the rule list: list every rule in one directive, or put the reason after ` -- `".into(),
            });
            list = &list[..i];
        }

        let mut rules = Vec::new();
        let mut named_any = false;
        for (offset, name) in split_names(list) {
            named_any = true;
            let column = at.column(list_at + offset);
            match find_rule(name) {
                Some(rule) => rules.push(NamedRule {
                    id: rule.info().id,
                    column,
                    used: AtomicBool::new(false),
                }),
                None => self.unknown.push(UnknownRule {
                    line: at.line,
                    column,
                    rule: name.to_string(),
                    suggestion: closest_rule_id(name).filter(|_| !name.eq_ignore_ascii_case("all")),
                }),
            }
        }
        if !named_any {
            self.malformed.push(MalformedDirective {
                line: at.line,
                column: at.column(hash_at),
                message: "the directive names no rule (write `# minpriv:ignore RULE[,RULE...] [-- reason]`)".into(),
            });
            return;
        }
        if rules.is_empty() {
            return;
        }
        let target = if file_wide {
            Target::File
        } else if standalone {
            Target::Line(at.line + 1)
        } else {
            Target::Line(at.line)
        };
        let last = match target {
            Target::Line(l) => l,
            Target::File => 0,
        };
        self.directives.push(Directive {
            line: at.line,
            standalone,
            target,
            last,
            rules,
            reason: reason.to_string(),
        });
    }

    /// Widens each line target to the whole command continued over lines with `\` that holds
    /// it.
    fn cover_continued_commands(&mut self, text: &str) {
        if self.directives.iter().all(|d| d.target == Target::File) {
            return;
        }
        // Per line (index 0 = line 1): it ends with a `\` that continues it.
        let continued: Vec<bool> = text
            .split('\n')
            .map(|l| l.trim_end().ends_with('\\'))
            .collect();
        let continues = |line: u32| continued.get(line as usize - 1).copied().unwrap_or(false);
        for directive in &mut self.directives {
            let Target::Line(mut first) = directive.target else {
                continue;
            };
            let mut last = first;
            while continues(last) && (last as usize) < continued.len() {
                last += 1;
            }
            while first > 1 && continues(first - 1) {
                first -= 1;
            }
            directive.target = Target::Line(first);
            directive.last = last;
        }
    }

    /// A standalone directive directly above another standalone directive applies to the line
    /// that one applies to, so that several can be stacked above one line.
    fn resolve_stacked_directives(&mut self) {
        for i in (0..self.directives.len()).rev() {
            let (head, tail) = self.directives.split_at_mut(i + 1);
            let directive = &mut head[i];
            let Target::Line(below) = directive.target else {
                continue;
            };
            if !directive.standalone {
                continue;
            }
            if let Some(next) = tail.first()
                && next.standalone
                && next.line == below
            {
                directive.target = match next.target {
                    Target::Line(l) => Target::Line(l),
                    // A file-wide directive in the stack does not make its neighbours file-wide.
                    Target::File => Target::Line(below + 1),
                };
            }
        }
    }

    /// Marks matching findings suppressed: `finding.suppressed = Some(reason)` (empty when the
    /// directive gave none). A finding matches a directive naming its rule that targets the
    /// line of `finding.span`, or any file-wide one; a finding without a span is matched only
    /// by file-wide directives. When several match, a line directive's reason wins over a
    /// file-wide one. A finding already suppressed (by a waiver, say) keeps its reason.
    pub fn apply(&self, findings: &mut [Finding]) {
        if self.directives.is_empty() {
            return;
        }
        for finding in findings {
            let line = finding.span.map(|s| s.line);
            let mut reason: Option<(&str, bool)> = None;
            for directive in &self.directives {
                let on_line = match directive.target {
                    Target::File => false,
                    Target::Line(l) if line.is_some_and(|n| (l..=directive.last).contains(&n)) => {
                        true
                    }
                    Target::Line(_) => continue,
                };
                let mut names_rule = false;
                for rule in directive.rules.iter().filter(|r| r.id == finding.rule) {
                    rule.used.store(true, Ordering::Relaxed);
                    names_rule = true;
                }
                if names_rule && reason.is_none_or(|(_, was_on_line)| on_line && !was_on_line) {
                    reason = Some((&directive.reason, on_line));
                }
            }
            if let Some((reason, _)) = reason
                && finding.suppressed.is_none()
            {
                finding.suppressed = Some(reason.to_string());
            }
        }
    }

    /// Rules named in directives that suppressed nothing in the calls to
    /// [`Suppressions::apply`] so far, in line order.
    pub fn unused(&self) -> Vec<UnusedSuppression> {
        self.directives
            .iter()
            .flat_map(|d| {
                d.rules
                    .iter()
                    .filter(|r| !r.used.load(Ordering::Relaxed))
                    .map(|r| UnusedSuppression {
                        line: d.line,
                        column: r.column,
                        rule: r.id.to_string(),
                    })
            })
            .collect()
    }

    /// Names in directives that are no rule id, in line order.
    pub fn unknown_rules(&self) -> &[UnknownRule] {
        &self.unknown
    }

    /// Directives that could not be applied: an unknown `minpriv:ignore-...` form, or no rule
    /// named.
    pub fn malformed(&self) -> &[MalformedDirective] {
        &self.malformed
    }

    /// True when the file has no applicable directive.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }
}

/// Where a directive is, to turn byte offsets into 1-based character columns.
#[derive(Clone, Copy)]
struct Position<'t> {
    text: &'t str,
    line: u32,
    line_start: usize,
}

impl Position<'_> {
    fn column(&self, byte: usize) -> u32 {
        let chars = self.text[self.line_start..byte].chars().count();
        u32::try_from(chars).map_or(u32::MAX, |c| c.saturating_add(1))
    }
}

fn count_newlines(s: &str) -> u32 {
    let n = s.bytes().filter(|&b| b == b'\n').count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The byte offset of the `#` that makes the marker at `marker_at` a comment directive:
/// `#`, optional spaces, the marker; the `#` at the start of the line or after whitespace.
fn comment_start(text: &str, line_start: usize, marker_at: usize) -> Option<usize> {
    let before = text[line_start..marker_at].trim_end_matches([' ', '\t']);
    let hash_at = line_start + before.strip_suffix('#')?.len();
    let prefix = &text[line_start..hash_at];
    (prefix.is_empty() || prefix.ends_with([' ', '\t'])).then_some(hash_at)
}

/// The names of a rule list with their byte offsets in it; commas and whitespace separate.
fn split_names(list: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_separator = |c: char| c == ',' || c.is_whitespace();
    let mut rest_at = 0;
    std::iter::from_fn(move || {
        let rest = &list[rest_at..];
        let start = rest_at + rest.find(|c: char| !is_separator(c))?;
        let len = list[start..]
            .find(is_separator)
            .unwrap_or(list.len() - start);
        rest_at = start + len;
        Some((start, &list[start..start + len]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{Severity, Source, Span};

    fn finding(rule: &'static str, line: Option<u32>) -> Finding {
        Finding {
            rule,
            severity: Severity::High,
            message: String::new(),
            span: line.map(|line| Span {
                start: 0,
                end: 1,
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            }),
            source: Source::Kubernetes,
            resource: "Pod/web".into(),
            container: Some("app".into()),
            remediation: String::new(),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        }
    }

    fn suppressed(findings: &[Finding]) -> Vec<Option<&str>> {
        findings.iter().map(|f| f.suppressed.as_deref()).collect()
    }

    #[test]
    fn end_of_line_directives_suppress_their_own_line() {
        let text =
            "spec:\n  hostPID: true  # minpriv:ignore host-pid -- node exporter\n  hostIPC: true\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![
            finding("host-pid", Some(2)),
            finding("host-ipc", Some(3)),
            finding("host-pid", Some(3)),
        ];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("node exporter"), None, None]);
        assert!(s.unused().is_empty());
    }

    #[test]
    fn a_directive_alone_on_a_line_suppresses_the_line_below() {
        let text = "services:\n  web:\n    # minpriv:ignore privileged\n    privileged: true\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![
            finding("privileged", Some(4)),
            finding("privileged", Some(3)),
        ];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some(""), None]);
    }

    #[test]
    fn stacked_directives_all_apply_to_the_first_line_below_them() {
        let text =
            "# minpriv:ignore host-pid -- a\n# minpriv:ignore host-ipc -- b\nhostPID: true\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![finding("host-pid", Some(3)), finding("host-ipc", Some(3))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("a"), Some("b")]);
    }

    #[test]
    fn a_directive_above_a_continued_command_covers_all_its_lines() {
        let text = "#!/bin/sh\n\
                    # minpriv:ignore privileged -- the agent needs the host's devices\n\
                    docker run -d \\\n  --privileged \\\n  img:1\n\
                    docker run --privileged img:2\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![
            finding("privileged", Some(4)),
            finding("privileged", Some(6)),
        ];
        s.apply(&mut findings);
        assert_eq!(
            suppressed(&findings),
            [Some("the agent needs the host's devices"), None]
        );
        // After the last line of the command, it covers the command too.
        let text = "docker run \\\n  --privileged \\\n  img:1 # minpriv:ignore privileged\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![finding("privileged", Some(2))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("")]);
    }

    #[test]
    fn a_directive_above_a_blank_line_does_not_reach_further() {
        let text = "# minpriv:ignore privileged\n\nprivileged: true\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![finding("privileged", Some(3))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [None]);
        assert_eq!(
            s.unused(),
            [UnusedSuppression {
                line: 1,
                column: 18,
                rule: "privileged".into()
            }]
        );
    }

    #[test]
    fn file_wide_directives_suppress_everywhere_even_without_a_span() {
        let text = "FROM python\n# minpriv:ignore-file runs-as-root, image-latest-tag -- legacy image, OPS-123\nRUN make\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![
            finding("runs-as-root", None),
            finding("image-latest-tag", Some(1)),
            finding("setuid-files", Some(3)),
        ];
        s.apply(&mut findings);
        assert_eq!(
            suppressed(&findings),
            [
                Some("legacy image, OPS-123"),
                Some("legacy image, OPS-123"),
                None
            ]
        );
    }

    #[test]
    fn a_finding_without_a_span_ignores_line_directives() {
        let s = Suppressions::parse("# minpriv:ignore runs-as-root\nx\n");
        let mut findings = vec![finding("runs-as-root", None)];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [None]);
    }

    #[test]
    fn several_rules_with_commas_or_spaces() {
        let text = "x: 1 # minpriv:ignore host-pid,host-ipc host-network -- three\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![
            finding("host-pid", Some(1)),
            finding("host-ipc", Some(1)),
            finding("host-network", Some(1)),
            finding("host-uts", Some(1)),
        ];
        s.apply(&mut findings);
        assert_eq!(
            suppressed(&findings),
            [Some("three"), Some("three"), Some("three"), None]
        );
    }

    #[test]
    fn a_line_directive_reason_wins_over_a_file_wide_one() {
        let text = "# minpriv:ignore-file privileged -- file\nprivileged: true # minpriv:ignore privileged -- line\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![finding("privileged", Some(2))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("line")]);
        // Both directives did their job on that finding.
        assert!(s.unused().is_empty());
    }

    #[test]
    fn an_existing_suppression_keeps_its_reason() {
        let s = Suppressions::parse("a # minpriv:ignore privileged -- inline\n");
        let mut findings = vec![finding("privileged", Some(1))];
        findings[0].suppressed = Some("waiver".into());
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("waiver")]);
        assert!(s.unused().is_empty());
    }

    #[test]
    fn unused_rules_are_reported_with_their_columns() {
        let text = "a: 1\nb: 2 # minpriv:ignore host-pid, host-ipc\n";
        let s = Suppressions::parse(text);
        let mut findings = vec![finding("host-ipc", Some(2))];
        s.apply(&mut findings);
        assert_eq!(
            s.unused(),
            [UnusedSuppression {
                line: 2,
                column: 23,
                rule: "host-pid".into()
            }]
        );
        assert_eq!(&text.lines().nth(1).unwrap()[22..30], "host-pid");
    }

    #[test]
    fn unknown_names_and_all_are_reported_not_applied() {
        let text = "# minpriv:ignore privilegd, ALL, privileged\nprivileged: true\n";
        let s = Suppressions::parse(text);
        let unknown = s.unknown_rules();
        assert_eq!(unknown.len(), 2);
        assert_eq!((unknown[0].line, unknown[0].column), (1, 18));
        assert_eq!(unknown[0].rule, "privilegd");
        assert_eq!(
            unknown[0].help().as_deref(),
            Some("did you mean 'privileged'?")
        );
        assert_eq!(unknown[1].rule, "ALL");
        assert_eq!(
            unknown[1].help().as_deref(),
            Some("ALL is not accepted: name each rule to ignore")
        );
        // The known rule in the same directive still applies.
        let mut findings = vec![finding("privileged", Some(2)), finding("host-pid", Some(2))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some(""), None]);
    }

    #[test]
    fn all_alone_suppresses_nothing() {
        let s = Suppressions::parse("privileged: true # minpriv:ignore all\n");
        let mut findings = vec![finding("privileged", Some(1))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [None]);
        assert!(s.is_empty());
        assert_eq!(s.unknown_rules().len(), 1);
    }

    #[test]
    fn malformed_directives_are_reported() {
        let text = "a # minpriv:ignore\nb # minpriv:ignore -- why\nc # minpriv:ignore-next-line privileged\n";
        let s = Suppressions::parse(text);
        let malformed = s.malformed();
        assert_eq!(malformed.len(), 3);
        assert!(malformed[0].message.contains("names no rule"));
        assert_eq!((malformed[1].line, malformed[1].column), (2, 3));
        assert!(
            malformed[2].message.contains("'minpriv:ignore-next-line'"),
            "{}",
            malformed[2].message
        );
        assert!(s.is_empty());
    }

    #[test]
    fn the_marker_outside_a_comment_is_not_a_directive() {
        let text = "url: http://x/#minpriv:ignore privileged\nnote: minpriv:ignore privileged\nkey: a#minpriv:ignore privileged\n";
        let s = Suppressions::parse(text);
        assert!(s.is_empty());
        assert!(s.malformed().is_empty() && s.unknown_rules().is_empty());
    }

    #[test]
    fn shell_dockerfile_and_crlf_texts_work() {
        let shell = "set -e\ndocker run --privileged alpine:3.20 # minpriv:ignore privileged -- CI runner\n";
        let s = Suppressions::parse(shell);
        let mut findings = vec![finding("privileged", Some(2))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("CI runner")]);

        let dockerfile = "FROM alpine:3.20\r\n#minpriv:ignore setuid-files -- needed by ping\r\nRUN chmod u+s /bin/ping\r\n";
        let s = Suppressions::parse(dockerfile);
        let mut findings = vec![finding("setuid-files", Some(3))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("needed by ping")]);
    }

    #[test]
    fn columns_count_characters() {
        let text = "é: ü # minpriv:ignore nope\n";
        let s = Suppressions::parse(text);
        assert_eq!(s.unknown_rules()[0].column, 23);
    }

    #[test]
    fn edge_positions_and_multibyte_text_parse_without_surprises() {
        let cases: [(&str, usize, usize); 7] = [
            // (text, applicable directives, problems reported)
            ("minpriv:ignore privileged", 0, 0),
            ("#minpriv:ignore privileged", 1, 0),
            ("# minpriv:ignore-file", 0, 1),
            ("# minpriv:ignore-filé x", 0, 1),
            ("\u{feff}é # minpriv:ignore privileged -- 理由", 1, 0),
            (
                "# minpriv:ignore privileged # minpriv:ignore host-pid",
                1,
                1,
            ),
            ("\n\n# minpriv:ignore ,,, -- only commas", 0, 1),
        ];
        for (text, directives, problems) in cases {
            let s = Suppressions::parse(text);
            assert_eq!(s.directives.len(), directives, "{text:?}");
            assert_eq!(
                s.malformed().len() + s.unknown_rules().len(),
                problems,
                "{text:?}"
            );
        }
        let s = Suppressions::parse("\u{feff}é # minpriv:ignore privileged -- 理由");
        let mut findings = vec![finding("privileged", Some(1))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [Some("理由")]);
    }

    #[test]
    fn a_text_without_directives_is_empty() {
        let s = Suppressions::parse("services:\n  web:\n    image: nginx # a comment\n");
        assert!(s.is_empty());
        let mut findings = vec![finding("privileged", Some(3))];
        s.apply(&mut findings);
        assert_eq!(suppressed(&findings), [None]);
        assert!(s.unused().is_empty());
    }
}

//! The page of `minpriv report --html FILE`: one self-contained HTML file (inline CSS and SVG;
//! no script, font, image or stylesheet from anywhere) that can be mailed, attached to a CI run
//! or opened offline.
//!
//! It shows the numbers [`crate::fleet`] computes: adoption of each practice across the fleet
//! and per repository as bar charts, the worst containers, and every finding with its source
//! line. Every number drawn is also in `data-` attributes (`data-practice`, `data-adopted`,
//! `data-applicable`, `data-percent`), so a test — or a script of the reader's — can check the
//! page against `minpriv report --format json`. maud escapes everything interpolated, which
//! matters here: paths, names, messages and source lines all come from the scanned files.

use crate::fleet::{Adoption, ContainerEntry, Fleet, Practice, RepositoryScan, Stats};
use crate::{FileResult, Note};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use minpriv_model::{Finding, LineIndex, Severity, Span};

/// At most this many containers are listed as the worst.
pub const WORST_CONTAINERS: usize = 20;

/// Findings of a repository are shown expanded when the whole fleet has at most this many.
const EXPANDED_FINDINGS: usize = 60;

/// Source lines longer than this are cut to a window around the finding (minified JSON is
/// one line).
const MAX_SOURCE_LINE: usize = 240;

/// Width of the bars of the fleet chart, in SVG units.
const BAR_WIDTH: f64 = 420.0;

/// Renders the fleet report page.
pub fn render(scans: &[RepositoryScan], fleet: &Fleet) -> String {
    render_with_risk(scans, fleet, &[])
}

/// Renders the fleet report page with a risk ranking (`minpriv report --vulns`): containers
/// ranked by known vulnerabilities weighed against their privileges, worst first. An empty
/// ranking leaves the section out.
pub fn render_with_risk(scans: &[RepositoryScan], fleet: &Fleet, risk: &[RiskRow]) -> String {
    let total_findings = fleet.overall.findings.total();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("minpriv ", env!("CARGO_PKG_VERSION")));
                title { "Least-privilege fleet report · minpriv" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    div.wrap {
                        p.eyebrow { "minpriv fleet report" }
                        h1 { "Least privilege across " (plural(scans.len(), "repository", "repositories")) }
                        p.lede {
                            (plural(fleet.overall.containers, "container", "containers")) " in "
                            (plural(fleet.overall.files, "file", "files")) ", "
                            (plural(total_findings, "finding", "findings"))
                            @if fleet.overall.findings.suppressed > 0 {
                                " (" (fleet.overall.findings.suppressed) " suppressed)"
                            }
                            "."
                        }
                    }
                }
                main.wrap {
                    (severity_cards(&fleet.overall))
                    section #adoption {
                        h2 { "Practice adoption" }
                        p.hint {
                            "Share of containers that follow each practice, counted only where the practice "
                            "can be set: a Dockerfile decides the user, not capabilities or namespaces."
                        }
                        (fleet_chart(&fleet.overall))
                    }
                    section #repositories {
                        h2 { "By repository" }
                        (repository_table(scans, fleet))
                    }
                    section #worst {
                        h2 { "Worst containers" }
                        p.hint {
                            "Ranked by severity-weighted findings (critical 8, high 4, medium 2, low 1), "
                            "then by known escape paths to the host."
                        }
                        (worst_containers(scans, &fleet.containers))
                    }
                    @if !risk.is_empty() {
                        section #risk {
                            h2 { "Risk: vulnerabilities × privilege" }
                            p.hint {
                                "Known vulnerabilities of each container's image weighed against what a compromise "
                                "gives: score = likelihood × impact × exposure (0–100). "
                                "Run " code { "minpriv explain risk" } " for the model."
                            }
                            (risk_table(risk))
                        }
                    }
                    section #findings {
                        h2 { "Findings" }
                        @for (scan, stats) in scans.iter().zip(&fleet.repositories) {
                            (repository_findings(scan, stats, total_findings <= EXPANDED_FINDINGS))
                        }
                    }
                    (problems(scans))
                }
                footer.wrap {
                    "Generated by minpriv " (env!("CARGO_PKG_VERSION"))
                    ". Run " code { "minpriv explain RULE" } " for a rule's rationale and fixes."
                }
            }
        }
    };
    page.into_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A repository's folder name and the path it lies in: `../src/org/shop` → (`shop`,
/// `../src/org`). Names are shown short; the full one is in a tooltip.
fn split_name(name: &str) -> (&str, &str) {
    let trimmed = name.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(at) if at + 1 < trimmed.len() => (&trimmed[at + 1..], &trimmed[..at]),
        _ => (trimmed, ""),
    }
}

/// `path` relative to its repository's folder, when it lies in it.
fn within<'a>(path: &'a str, repository: &str) -> &'a str {
    path.strip_prefix(repository)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(path)
}

fn severity_cards(stats: &Stats) -> Markup {
    html! {
        div.cards {
            @for (i, severity) in Severity::ALL.iter().enumerate().rev() {
                div class={ "card sev-" (severity.as_str()) } data-severity=(severity.as_str()) {
                    span.count { (stats.findings.by_severity[i]) }
                    span.label { (severity.as_str()) }
                }
            }
        }
    }
}

/// `good` (≥ 90 %), `fair` (≥ 50 %) or `poor`: the bar's colour.
fn grade(percent: f64) -> &'static str {
    if percent >= 90.0 {
        "good"
    } else if percent >= 50.0 {
        "fair"
    } else {
        "poor"
    }
}

/// The data attributes every bar and cell carries, formatted as the JSON prints them.
fn percent_text(adoption: Adoption) -> Option<String> {
    adoption.percent().map(|p| format!("{p:.1}"))
}

/// The fleet-wide chart: a horizontal bar per practice that applies somewhere.
fn fleet_chart(stats: &Stats) -> Markup {
    const ROW: f64 = 40.0;
    const LABEL: f64 = 230.0;
    let height = ROW * Practice::ALL.len() as f64 + 8.0;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" data-chart="overall" role="img"
            aria-label="Adoption of each practice across the fleet"
            viewBox={ "0 0 800 " (height) } width="800" height=(height) {
            @for (i, practice) in Practice::ALL.iter().enumerate() {
                @let adoption = stats.adoption[i];
                @let y = 8.0 + ROW * i as f64;
                text.label x=(LABEL - 12.0) y=(y + 17.0) text-anchor="end" { (practice.label()) }
                rect.track x=(LABEL) y=(y + 4.0) width=(BAR_WIDTH) height="18" rx="4" {}
                @match percent_text(adoption) {
                    Some(percent) => {
                        @let value = adoption.percent().unwrap_or_default();
                        rect class={ "bar " (grade(value)) } x=(LABEL) y=(y + 4.0)
                            width=(format!("{:.1}", BAR_WIDTH * value / 100.0)) height="18" rx="4"
                            data-practice=(practice.id()) data-adopted=(adoption.adopted)
                            data-applicable=(adoption.applicable) data-percent=(percent) {
                            title { (practice.label()) ": " (adoption.adopted) " of " (adoption.applicable) " containers" }
                        }
                        text.value x=(LABEL + BAR_WIDTH + 12.0) y=(y + 17.0) {
                            tspan.pct { (percent) "%" }
                            tspan.of dx="8" { (adoption.adopted) " of " (adoption.applicable) }
                        }
                    }
                    None => {
                        text.value.na x=(LABEL + BAR_WIDTH + 12.0) y=(y + 17.0) { "n/a — no container can set it" }
                    }
                }
            }
        }
    }
}

/// One row per repository: its counts, and a small bar per practice.
fn repository_table(scans: &[RepositoryScan], fleet: &Fleet) -> Markup {
    html! {
        div.scroll {
            table.repos {
                thead {
                    tr {
                        th { "Repository" }
                        th.num { "Containers" }
                        th { "Findings" }
                        @for practice in Practice::ALL {
                            th.practice data-practice=(practice.id()) { (practice.label()) }
                        }
                    }
                }
                tbody {
                    @for (scan, stats) in scans.iter().zip(&fleet.repositories) {
                        tr data-repository=(scan.name) {
                            th scope="row" title=(scan.name) {
                                @let (folder, parent) = split_name(&scan.name);
                                strong.repo-name { (folder) }
                                @if !parent.is_empty() { div.sub { (parent) } }
                            }
                            td.num data-containers=(stats.containers) { (stats.containers) }
                            td.findings data-findings=(stats.findings.total()) {
                                strong { (stats.findings.total()) }
                                (severity_chips(&stats.findings.by_severity))
                            }
                            @for (i, practice) in Practice::ALL.iter().enumerate() {
                                (adoption_cell(&scan.name, *practice, stats.adoption[i]))
                            }
                        }
                    }
                }
                tfoot {
                    tr data-repository="" {
                        th scope="row" { "All repositories" }
                        td.num { (fleet.overall.containers) }
                        td { (fleet.overall.findings.total()) }
                        @for (i, practice) in Practice::ALL.iter().enumerate() {
                            @let adoption = fleet.overall.adoption[i];
                            td.adoption data-practice=(practice.id()) {
                                @match percent_text(adoption) {
                                    Some(percent) => { (percent) "%" }
                                    None => span.na { "n/a" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn adoption_cell(repository: &str, practice: Practice, adoption: Adoption) -> Markup {
    html! {
        @match percent_text(adoption) {
            Some(percent) => {
                @let value = adoption.percent().unwrap_or_default();
                td.adoption data-practice=(practice.id()) data-adopted=(adoption.adopted)
                    data-applicable=(adoption.applicable) data-percent=(percent) {
                    svg.mini xmlns="http://www.w3.org/2000/svg" data-chart="repository"
                        data-repository=(repository) viewBox="0 0 100 8" width="72" height="8"
                        preserveAspectRatio="none"
                        role="img" aria-label={ (practice.label()) ": " (percent) "%" } {
                        rect.track x="0" y="0" width="100" height="8" rx="3" {}
                        rect class={ "bar " (grade(value)) } x="0" y="0" width=(format!("{value:.1}"))
                            height="8" rx="3" data-repository=(repository)
                            data-practice=(practice.id()) data-adopted=(adoption.adopted)
                            data-applicable=(adoption.applicable) data-percent=(percent) {}
                    }
                    span.pct { (percent) "%" }
                    span.of { (adoption.adopted) "/" (adoption.applicable) }
                }
            }
            None => {
                td.adoption data-practice=(practice.id()) data-adopted="0" data-applicable="0" {
                    span.na title="No container here can set this" { "n/a" }
                }
            }
        }
    }
}

/// Small coloured counts: `2 critical 5 high`, zeros left out.
fn severity_chips(by_severity: &[usize; 5]) -> Markup {
    html! {
        span.chips {
            @for (i, severity) in Severity::ALL.iter().enumerate().rev() {
                @if by_severity[i] > 0 {
                    span class={ "chip sev-" (severity.as_str()) } title=(severity.as_str()) {
                        (by_severity[i]) " " (severity.as_str())
                    }
                }
            }
        }
    }
}

/// One row of the risk ranking, as `minpriv risk` computes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskRow {
    /// 0–100.
    pub score: u8,
    /// The band of the score: `critical`, `high`, `medium`, `low` or `none`.
    pub level: &'static str,
    /// The container's name (with `(init)` for an init container).
    pub container: String,
    /// `path resource`.
    pub location: String,
    /// The image as written.
    pub image: String,
    /// Why it scores what it does.
    pub why: String,
    /// The single hardening that lowers the score most, and to what.
    pub best_change: String,
}

fn risk_table(rows: &[RiskRow]) -> Markup {
    html! {
        div.scroll {
            table.risk {
                thead {
                    tr {
                        th.num { "Score" }
                        th { "Container" }
                        th { "Where" }
                        th { "Image" }
                        th { "Why" }
                        th { "Best single change" }
                    }
                }
                tbody {
                    @for row in rows {
                        tr data-score=(row.score) {
                            td.num {
                                (row.score) " "
                                span class={ "badge sev-" (row.level) } { (row.level) }
                            }
                            td { (row.container) }
                            td { code { (row.location) } }
                            td { code { (row.image) } }
                            td { (row.why) }
                            td { (row.best_change) }
                        }
                    }
                }
            }
        }
    }
}

fn worst_containers(scans: &[RepositoryScan], containers: &[ContainerEntry]) -> Markup {
    let worst: Vec<&ContainerEntry> = containers
        .iter()
        .filter(|c| c.score > 0 || !c.escape_paths.is_empty())
        .take(WORST_CONTAINERS)
        .collect();
    html! {
        @if worst.is_empty() {
            p.empty { "No container has findings or escape paths." }
        } @else {
            div.scroll {
                table.worst {
                    thead {
                        tr {
                            th.num { "#" }
                            th { "Container" }
                            th { "Where" }
                            th.num { "Score" }
                            th { "Findings" }
                            th { "Escape paths to the host" }
                        }
                    }
                    tbody {
                        @for (rank, entry) in worst.iter().enumerate() {
                            (worst_row(scans, rank + 1, entry))
                        }
                    }
                }
            }
        }
    }
}

fn worst_row(scans: &[RepositoryScan], rank: usize, entry: &ContainerEntry) -> Markup {
    let Some(scan) = scans.get(entry.repository) else {
        return html! {};
    };
    let Some(file) = scan.report.files.get(entry.file) else {
        return html! {};
    };
    let Some(workload) = file.workloads.get(entry.workload) else {
        return html! {};
    };
    let Some(container) = workload.containers.get(entry.container) else {
        return html! {};
    };
    let line = container.posture.anchor.or(workload.span).map(|s| s.line);
    html! {
        tr data-score=(entry.score) {
            td.num { (rank) }
            td {
                strong { (container.name.as_deref().unwrap_or("(unnamed)")) }
                div.sub { (workload.resource) " · " (workload.source.as_str()) }
            }
            td title=(file.path) {
                code { (within(&file.path, &scan.name)) @if let Some(line) = line { ":" (line) } }
                div.sub { (split_name(&scan.name).0) }
            }
            td.num.score { (entry.score) }
            td { (severity_chips(&entry.by_severity)) }
            td {
                @if entry.escape_paths.is_empty() {
                    span.na { "none known" }
                } @else {
                    ul.escapes {
                        @for escape in &entry.escape_paths { li { (escape) } }
                    }
                }
            }
        }
    }
}

fn repository_findings(scan: &RepositoryScan, stats: &Stats, expanded: bool) -> Markup {
    let files: Vec<&FileResult> = scan
        .report
        .files
        .iter()
        .filter(|f| f.findings.iter().any(|x| x.suppressed.is_none()))
        .collect();
    html! {
        details.repo data-repository=(scan.name) open[expanded && !files.is_empty()] {
            summary title=(scan.name) {
                strong.repo-name { (split_name(&scan.name).0) }
                span.count { (plural(stats.findings.total(), "finding", "findings")) }
                (severity_chips(&stats.findings.by_severity))
            }
            @if files.is_empty() {
                p.empty { "No findings." }
            }
            @for file in files {
                (file_findings(&scan.name, file))
            }
        }
    }
}

fn file_findings(repository: &str, file: &FileResult) -> Markup {
    let lines = LineIndex::new(&file.source_text);
    html! {
        div.file {
            h3 title=(file.path) { code { (within(&file.path, repository)) } }
            ol.findings {
                @for finding in file.findings.iter().filter(|f| f.suppressed.is_none()) {
                    (finding_item(file, &lines, finding))
                }
            }
        }
    }
}

fn finding_item(file: &FileResult, lines: &LineIndex, finding: &Finding) -> Markup {
    let severity = finding.severity.as_str();
    html! {
        li.finding data-rule=(finding.rule) data-severity=(severity) {
            div.head {
                span class={ "badge sev-" (severity) } { (severity) }
                code.rule { (finding.rule) }
                @if let Some(span) = finding.span {
                    span.loc { "line " (span.line) ", column " (span.column) }
                }
                @if let Some(container) = &finding.container {
                    span.loc { "container " strong { (container) } }
                }
            }
            p.msg { (finding.message) }
            @if let Some(span) = finding.span {
                @if let Some(source) = source_line(&file.source_text, lines, span) {
                    (source)
                }
            }
            @if !finding.remediation.is_empty() {
                p.fix {
                    span { "Fix" }
                    @for (part, is_code) in crate::code_parts(&finding.remediation) {
                        @if is_code { code { (part) } } @else { (part) }
                    }
                }
            }
        }
    }
}

/// The finding's first line with the span marked, cut to a window when the line is long.
fn source_line(text: &str, lines: &LineIndex, span: Span) -> Option<Markup> {
    let line = lines.line_text(text, span.line)?;
    let line = line.trim_end_matches(['\r', '\n']);
    let chars: Vec<char> = line.chars().collect();
    let start = (span.column as usize).saturating_sub(1).min(chars.len());
    let end = if span.end_line > span.line {
        chars.len()
    } else {
        (span.end_column as usize)
            .saturating_sub(1)
            .clamp(start, chars.len())
    };
    let (from, to) = if chars.len() > MAX_SOURCE_LINE {
        let from = start.saturating_sub(MAX_SOURCE_LINE / 3);
        (from, (from + MAX_SOURCE_LINE).min(chars.len()))
    } else {
        (0, chars.len())
    };
    let end = end.min(to);
    let piece = |a: usize, b: usize| chars[a.min(b)..b].iter().collect::<String>();
    Some(html! {
        pre.src {
            span.ln { (span.line) }
            code {
                @if from > 0 { "…" }
                (piece(from, start.max(from)))
                mark { (piece(start.max(from), end)) }
                (piece(end, to))
                @if to < chars.len() { "…" }
            }
        }
    })
}

/// Inputs that could not be read, and the scans' notes, out of the way at the end.
fn problems(scans: &[RepositoryScan]) -> Markup {
    let errors: Vec<&Note> = scans.iter().flat_map(|s| &s.report.errors).collect();
    let notes: Vec<&Note> = scans.iter().flat_map(|s| &s.report.notes).collect();
    html! {
        @if !errors.is_empty() {
            section #errors {
                h2 { "Could not be read" }
                ul.notes { @for note in errors { (note_item(note)) } }
            }
        }
        @if !notes.is_empty() {
            section #notes {
                details {
                    summary { (plural(notes.len(), "note", "notes")) " from the scan" }
                    ul.notes { @for note in notes { (note_item(note)) } }
                }
            }
        }
    }
}

fn note_item(note: &Note) -> Markup {
    html! {
        li {
            @if let Some(path) = &note.path {
                code { (path) @if let Some(line) = note.line { ":" (line) } }
                ": "
            }
            (note.message)
        }
    }
}

const CSS: &str = r#"
:root {
  --ink: #1b1f24; --muted: #5b6472; --line: #e3e6ea; --bg: #f5f6f8; --card: #ffffff;
  --critical: #a61b1b; --high: #d3541a; --medium: #b7791f; --low: #2f6fb0; --info: #6b7280;
  --good: #2f9e44; --fair: #e0a030; --poor: #d9480f; --track: #eceef1;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.wrap { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header { background: #111827; color: #f9fafb; padding: 28px 0 26px; }
header .eyebrow { margin: 0; text-transform: uppercase; letter-spacing: .12em; font-size: 11px; color: #9ca3af; }
header h1 { margin: 6px 0 4px; font-size: 26px; font-weight: 650; }
header .lede { margin: 0; color: #d1d5db; }
main.wrap { padding-top: 24px; padding-bottom: 12px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 18px 0; }
h2 { margin: 0 0 6px; font-size: 17px; font-weight: 650; }
h3 { margin: 16px 0 8px; font-size: 13px; font-weight: 600; }
.hint { margin: 0 0 12px; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid currentColor; border-radius: 10px; padding: 12px 16px; }
.card .count { display: block; font-size: 26px; font-weight: 700; color: var(--ink); }
.card .label { text-transform: capitalize; font-weight: 600; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text { font-size: 13px; fill: var(--ink); }
svg .label { font-weight: 500; }
svg .pct { font-weight: 700; }
svg .of, svg .na { fill: var(--muted); }
.track { fill: var(--track); }
.bar.good { fill: var(--good); } .bar.fair { fill: var(--fair); } .bar.poor { fill: var(--poor); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; }
th.practice { min-width: 84px; }
table.repos th[scope=row] { min-width: 200px; max-width: 260px; overflow-wrap: anywhere; }
table.repos td.adoption .of { display: block; margin-left: 0; font-size: 11px; }
.repo-name { font-weight: 650; }
tbody th { font-weight: 500; }
tfoot th, tfoot td { font-weight: 650; border-bottom: none; border-top: 2px solid var(--line); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.adoption { white-space: nowrap; }
svg.mini { display: block; margin: 4px 0 3px; }
.pct { font-weight: 650; font-variant-numeric: tabular-nums; }
.of { color: var(--muted); margin-left: 6px; font-size: 12px; }
.na { color: var(--muted); }
.chips { display: inline-flex; flex-wrap: wrap; gap: 4px; margin-left: 6px; }
td.findings { min-width: 170px; }
td.findings .chips { margin-left: 8px; }
td .chips { margin-left: 0; }
.chip { font-size: 11px; font-weight: 600; border: 1px solid currentColor; border-radius: 999px; padding: 0 7px; white-space: nowrap; }
.sub { color: var(--muted); font-size: 12px; }
.score { font-weight: 700; }
ul.escapes { margin: 0; padding-left: 16px; color: var(--critical); }
.empty { color: var(--muted); margin: 6px 0; }
details.repo { border-top: 1px solid var(--line); padding: 8px 0; }
details.repo:first-of-type { border-top: none; }
details > summary { cursor: pointer; font-weight: 600; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
details > summary .count { color: var(--muted); font-weight: 500; }
ol.findings { list-style: none; margin: 0; padding: 0; }
li.finding { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px; }
.finding .head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.badge { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: #fff; border-radius: 4px; padding: 1px 7px; }
.badge.sev-critical { background: var(--critical); } .badge.sev-high { background: var(--high); }
.badge.sev-medium { background: var(--medium); } .badge.sev-low { background: var(--low); } .badge.sev-info { background: var(--info); }
.rule { font-weight: 600; }
.loc { color: var(--muted); font-size: 12px; }
.msg { margin: 6px 0; }
pre.src { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 6px 0; overflow-x: auto; white-space: pre; }
pre.src .ln { color: var(--muted); display: inline-block; min-width: 3.5em; padding-right: 12px; text-align: right; user-select: none; }
pre.src mark { background: #ffe4c2; color: inherit; border-radius: 2px; }
.fix { margin: 6px 0 0; color: var(--muted); }
.fix span { font-weight: 700; color: var(--good); margin-right: 8px; }
ul.notes { margin: 0; padding-left: 18px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 28px; }
@media (max-width: 760px) { .cards { grid-template-columns: repeat(2, 1fr); } }
@media print { header { background: none; color: var(--ink); } details { display: block; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{compute, tests::sample_fleet};

    fn page() -> String {
        let scans = sample_fleet();
        let fleet = compute(&scans);
        render(&scans, &fleet)
    }

    /// The values of `attribute` on elements whose opening tag contains `marker`.
    fn attribute_values(html: &str, marker: &str, attribute: &str) -> Vec<String> {
        let needle = format!("{attribute}=\"");
        html.split('<')
            .filter(|tag| tag.contains(marker))
            .filter_map(|tag| {
                let tag = tag.split('>').next()?;
                let rest = &tag[tag.find(&needle)? + needle.len()..];
                rest.split('"').next().map(str::to_string)
            })
            .collect()
    }

    #[test]
    fn the_page_is_self_contained() {
        let html = page();
        assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
        for external in [
            "<script",
            "<link",
            " src=",
            "url(",
            "@import",
            "href=\"http",
        ] {
            assert!(!html.contains(external), "found {external}");
        }
    }

    #[test]
    fn fix_texts_show_their_quoted_parts_as_code() {
        let html = page();
        assert!(html.contains("<code>"), "no code in a fix");
        assert!(!html.contains("fix `"), "a literal backtick is left");
        assert!(html.contains("&lt;"), "the rest stays escaped");
    }

    #[test]
    fn the_fleet_chart_has_a_bar_per_practice_with_its_numbers() {
        let html = page();
        let chart_start = html.find(r#"data-chart="overall""#).unwrap_or(0);
        let chart = &html[chart_start..];
        let chart = &chart[..chart.find("</svg>").unwrap_or(chart.len())];
        assert_eq!(chart.matches("<rect class=\"bar").count(), 5, "{chart}");
        let percents = attribute_values(chart, "class=\"bar", "data-percent");
        assert_eq!(percents, ["40.0", "25.0", "25.0", "25.0", "75.0"]);
        let adopted = attribute_values(chart, "class=\"bar", "data-adopted");
        assert_eq!(adopted, ["2", "1", "1", "1", "3"]);
        // 40 % of the 420-unit track.
        assert!(chart.contains(r#"width="168.0""#), "{chart}");
    }

    #[test]
    fn each_repository_row_has_a_bar_per_applicable_practice() {
        let html = page();
        let tools_bars = attribute_values(
            &html,
            r#"data-repository="repos/tools" data-practice"#,
            "data-practice",
        );
        assert_eq!(tools_bars.len(), 5);
        let shop = attribute_values(
            &html,
            r#"data-repository="repos/shop" data-practice"#,
            "data-percent",
        );
        assert_eq!(shop, ["0.0", "0.0", "0.0", "0.0", "100.0"]);
    }

    #[test]
    fn worst_containers_come_first() {
        let html = page();
        let scores = attribute_values(&html, "data-score", "data-score");
        assert_eq!(scores, ["12", "6", "2"]);
    }

    #[test]
    fn every_unsuppressed_finding_is_listed_with_its_marked_source_line() {
        let html = page();
        assert_eq!(html.matches("<li class=\"finding\"").count(), 5);
        assert!(
            html.contains(r#"<span class="ln">12</span><code>            <mark>privileged: true</mark></code>"#),
            "{html}"
        );
        assert!(
            !html.contains(r#"data-rule="writable-rootfs""#),
            "suppressed"
        );
    }

    #[test]
    fn text_from_scanned_files_is_escaped() {
        let mut scans = sample_fleet();
        let file = &mut scans[0].report.files[1];
        file.source_text = file
            .source_text
            .replace("privileged: true", "privileged: <script>alert(1)</script>");
        file.findings[0].message = "a <b>bold</b> & \"quoted\" claim".into();
        file.path = "deploy/<img src=x>.yaml".into();
        scans[0].name = "repos/\"shop\"".into();
        let fleet = compute(&scans);
        let html = render(&scans, &fleet);
        assert!(!html.contains("<script>"), "source line");
        assert!(!html.contains("<b>bold"), "message");
        assert!(!html.contains("<img"), "path");
        assert!(html.contains("a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; claim"));
        assert!(html.contains(r#"data-repository="repos/&quot;shop&quot;""#));
    }

    #[test]
    fn long_source_lines_are_cut_around_the_finding() {
        let text = format!("{}privileged{}\n", "x".repeat(500), "y".repeat(500));
        let lines = LineIndex::new(&text);
        let span = lines.span(&text, 500, 510);
        let markup = source_line(&text, &lines, span)
            .map(Markup::into_string)
            .unwrap_or_default();
        assert!(markup.contains("<mark>privileged</mark>"), "{markup}");
        assert!(markup.len() < 400, "{}", markup.len());
        assert_eq!(markup.matches('…').count(), 2, "{markup}");
    }

    #[test]
    fn a_practice_nobody_can_set_is_not_applicable_rather_than_zero() {
        let mut scans = sample_fleet();
        scans.truncate(1);
        scans[0].report.files.truncate(1);
        scans[0].report.files[0].workloads[0].source = minpriv_model::Source::Dockerfile;
        let fleet = compute(&scans);
        let html = render(&scans, &fleet);
        let chart_start = html.find(r#"data-chart="overall""#).unwrap_or(0);
        let chart = &html[chart_start..];
        let chart = &chart[..chart.find("</svg>").unwrap_or(chart.len())];
        assert_eq!(chart.matches("<rect class=\"bar").count(), 1, "{chart}");
        assert_eq!(chart.matches("n/a").count(), 4, "{chart}");
    }
}

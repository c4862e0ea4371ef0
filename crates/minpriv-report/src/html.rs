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
//!
//! With a [`History`] ([`render_with_history`]) the page also draws adoption over time as line
//! charts, for the fleet and per repository, whose circles carry `data-scope`,
//! `data-repository`, `data-practice`, `data-date`, `data-percent` (as `{}` prints the
//! percentage: `66.7`, `100`), `data-adopted`, `data-applicable` and, per repository,
//! `data-commit`; and it lists the commits that gave or took away privilege, each row with its
//! `data-commit`. Commit summaries and authors come from the repositories and are escaped too.

use crate::fleet::{Adoption, ContainerEntry, Fleet, Practice, RepositoryScan, Stats};
use crate::history::{CommitEvent, ContainerChange, History, Point, RepositoryHistory};
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
    render_with_history(scans, fleet, risk, None)
}

/// Renders the fleet report page with a risk ranking (see [`render_with_risk`]) and, when
/// `history` is given (`minpriv report --history`), how adoption moved over time and which
/// commits gave or took away privilege. Without a history the page is the one
/// [`render_with_risk`] renders, byte for byte.
pub fn render_with_history(
    scans: &[RepositoryScan],
    fleet: &Fleet,
    risk: &[RiskRow],
    history: Option<&History>,
) -> String {
    let total_findings = fleet.overall.findings.total();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("minpriv ", env!("CARGO_PKG_VERSION")));
                title { "Least-privilege fleet report · minpriv" }
                style {
                    (PreEscaped(CSS))
                    // Only pages with a history carry its rules, so that pages without one stay
                    // as they were.
                    @if history.is_some() { (PreEscaped(HISTORY_CSS)) }
                }
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
                    @if let Some(history) = history {
                        (history_section(history))
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
                            @if let Some(reason) = &scan.error {
                                td.unreadable colspan=(2 + Practice::ALL.len()) data-error=(reason) {
                                    "Could not be read: " (reason)
                                }
                            } @else {
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

/// The history of `minpriv report --history`: adoption over time for the fleet and per
/// repository, then the commits that gave or took away privilege.
fn history_section(history: &History) -> Markup {
    let fleet_readings = fleet_readings(history);
    html! {
        section #history data-every=(history.every) {
            h2 { "Adoption over time" }
            p.hint {
                "Each point is the default branch of every repository as it stood on that date, one point every "
                code { (history.every) }
                @if let (Some(first), Some(last)) = (history.points.first(), history.points.last()) {
                    " from " (first.date) " to " (last.date)
                }
                ". A line breaks where no container could set the practice."
            }
            @if history.points.is_empty() {
                p.empty { "The history has no points." }
            } @else {
                (practice_legend())
                (history_chart(&history.points, &fleet_readings, Scope::Fleet, &FLEET_FRAME))
                h3 { "By repository" }
                div.multiples {
                    @for repository in &history.repositories {
                        (repository_multiple(&history.points, repository))
                    }
                }
            }
            h3 { "Regressions" }
            @if history.regressions.is_empty() {
                p.empty { "No commit in the span gave a container a privilege." }
            } @else {
                p.hint { "Commits that gave a container a privilege, newest first." }
                (commit_table(&history.regressions, CommitKind::Regression))
            }
            h3 { "Biggest improvements" }
            @if history.improvements.is_empty() {
                p.empty { "No commit in the span took a privilege away." }
            } @else {
                p.hint { "Commits that took the most privileges away, most first." }
                (commit_table(&history.improvements, CommitKind::Improvement))
            }
            @if !history.errors.is_empty() {
                h3 { "History could not be read" }
                ul.notes {
                    @for (name, reason) in &history.errors {
                        li data-repository=(name) { code { (name) } ": " (reason) }
                    }
                }
            }
        }
    }
}

/// The fleet's numbers at each point, as the fleet chart draws them.
fn fleet_readings(history: &History) -> Vec<Option<Reading<'_>>> {
    history
        .overall
        .iter()
        .map(|stats| {
            Some(Reading {
                stats,
                commit: None,
            })
        })
        .collect()
}

/// The numbers a chart draws at one point: a repository's also name the commit they were read
/// at.
struct Reading<'a> {
    stats: &'a Stats,
    commit: Option<&'a str>,
}

/// What a history chart is about, written in its `data-scope` and `data-repository`.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Fleet,
    Repository(&'a str),
}

impl<'a> Scope<'a> {
    fn id(self) -> &'static str {
        match self {
            Scope::Fleet => "fleet",
            Scope::Repository(_) => "repository",
        }
    }

    fn repository(self) -> Option<&'a str> {
        match self {
            Scope::Fleet => None,
            Scope::Repository(name) => Some(name),
        }
    }
}

/// A history chart's size in SVG units: the drawing, the margins that hold the axis labels, and
/// how much it labels.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    radius: f64,
    /// At most this many dates under the x axis.
    date_labels: usize,
    /// Percent between the y axis' grid lines.
    percent_step: usize,
}

const FLEET_FRAME: Frame = Frame {
    width: 800.0,
    height: 260.0,
    left: 48.0,
    right: 28.0,
    top: 12.0,
    bottom: 30.0,
    radius: 3.5,
    date_labels: 6,
    percent_step: 25,
};

const REPOSITORY_FRAME: Frame = Frame {
    width: 360.0,
    height: 150.0,
    left: 44.0,
    right: 20.0,
    top: 10.0,
    bottom: 28.0,
    radius: 2.5,
    date_labels: 3,
    percent_step: 50,
};

impl Frame {
    /// Points are spaced evenly (they are one step apart); a single point sits in the middle.
    fn x(&self, index: usize, count: usize) -> f64 {
        let plot = self.width - self.left - self.right;
        if count < 2 {
            self.left + plot / 2.0
        } else {
            self.left + plot * index as f64 / (count - 1) as f64
        }
    }

    fn y(&self, percent: f64) -> f64 {
        let plot = self.height - self.top - self.bottom;
        self.top + plot * (1.0 - percent / 100.0)
    }
}

/// A coordinate as the charts write it: a tenth of a unit is finer than any screen shows.
fn coordinate(value: f64) -> String {
    format!("{value:.1}")
}

/// The first 12 characters of a commit id, as `git log --oneline` would show it.
fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Which points get a date under the x axis: the first, the last and evenly spread ones between,
/// `wanted` in all (every point when there are no more).
fn date_label_indices(count: usize, wanted: usize) -> Vec<usize> {
    if count <= wanted.max(2) {
        return (0..count).collect();
    }
    let mut indices: Vec<usize> = (0..wanted)
        .map(|k| (k as f64 * (count - 1) as f64 / (wanted - 1) as f64).round() as usize)
        .collect();
    indices.dedup();
    indices
}

/// The runs of consecutive points where `practice` has a percentage: each is drawn as its own
/// polyline, so a point without one (no container could set the practice, or the repository did
/// not exist yet) leaves a gap rather than a line through it.
fn line_runs(readings: &[Option<Reading<'_>>], practice: Practice) -> Vec<Vec<(usize, f64)>> {
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for (index, reading) in readings.iter().enumerate() {
        match reading
            .as_ref()
            .and_then(|r| r.stats.adoption_of(practice).percent())
        {
            Some(percent) => run.push((index, percent)),
            None => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// `x,y x,y …` of a run of `(point index, percent)` among `count` points.
fn polyline_points(run: &[(usize, f64)], count: usize, frame: &Frame) -> String {
    let coordinates: Vec<String> = run
        .iter()
        .map(|&(index, percent)| {
            format!(
                "{},{}",
                coordinate(frame.x(index, count)),
                coordinate(frame.y(percent))
            )
        })
        .collect();
    coordinates.join(" ")
}

fn practice_legend() -> Markup {
    html! {
        ul.legend {
            @for practice in Practice::ALL {
                li data-practice=(practice.id()) {
                    span class={ "swatch pr-" (practice.id()) } {}
                    (practice.label())
                }
            }
        }
    }
}

/// A line chart of each practice's adoption at each point, 0–100 %. Every point drawn is a
/// circle whose `data-` attributes carry its numbers and whose title says them.
fn history_chart(
    points: &[Point],
    readings: &[Option<Reading<'_>>],
    scope: Scope<'_>,
    frame: &Frame,
) -> Markup {
    let count = points.len();
    let readings = &readings[..readings.len().min(count)];
    let label = match (scope, points.first(), points.last()) {
        (Scope::Fleet, Some(first), Some(last)) => format!(
            "Adoption of each practice across the fleet, {} to {}",
            first.date, last.date
        ),
        (Scope::Repository(name), Some(first), Some(last)) => format!(
            "Adoption of each practice in {name}, {} to {}",
            first.date, last.date
        ),
        _ => "Adoption of each practice".to_string(),
    };
    let percents: Vec<usize> = (0..=100).step_by(frame.percent_step).collect();
    let date_labels = date_label_indices(count, frame.date_labels);
    html! {
        svg.history-chart data-scope=(scope.id()) data-repository=[scope.repository()]
            viewBox={ "0 0 " (frame.width) " " (frame.height) }
            xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
            width=(frame.width) height=(frame.height) {
            g.axis {
                @for percent in &percents {
                    @let y = coordinate(frame.y(*percent as f64));
                    line.grid x1=(frame.left) x2=(frame.width - frame.right) y1=(y) y2=(y) {}
                    text x=(frame.left - 8.0) y=(coordinate(frame.y(*percent as f64) + 4.0))
                        text-anchor="end" { (percent) "%" }
                }
                @for index in &date_labels {
                    @let anchor = if count < 2 {
                        "middle"
                    } else if *index == 0 {
                        "start"
                    } else if *index + 1 == count {
                        "end"
                    } else {
                        "middle"
                    };
                    text x=(coordinate(frame.x(*index, count))) y=(frame.height - 8.0)
                        text-anchor=(anchor) { (points[*index].date) }
                }
            }
            @for practice in Practice::ALL {
                @for run in line_runs(readings, practice) {
                    // A run of one point has no line; its circle shows it.
                    @if run.len() > 1 {
                        polyline class={ "pr-" (practice.id()) } data-practice=(practice.id())
                            points=(polyline_points(&run, count, frame)) {}
                    }
                }
            }
            // Circles after every line, so that no line hides a point.
            @for practice in Practice::ALL {
                @for (index, reading) in readings.iter().enumerate() {
                    @if let Some(reading) = reading {
                        @let adoption = reading.stats.adoption_of(practice);
                        @if let Some(value) = adoption.percent() {
                            @let percent = format!("{}", value);
                            circle class={ "pr-" (practice.id()) }
                                cx=(coordinate(frame.x(index, count)))
                                cy=(coordinate(frame.y(value)))
                                r=(frame.radius) data-scope=(scope.id())
                                data-repository=[scope.repository()]
                                data-practice=(practice.id()) data-date=(points[index].date)
                                data-percent=(percent) data-adopted=(adoption.adopted)
                                data-applicable=(adoption.applicable)
                                data-commit=[reading.commit] {
                                title {
                                    (practice.label()) ": " (percent) "% (" (adoption.adopted) " of "
                                    (adoption.applicable) ") on " (points[index].date)
                                    @if let Some(commit) = reading.commit {
                                        " at " (short_commit(commit))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One repository's small chart, under its name and branch.
fn repository_multiple(points: &[Point], repository: &RepositoryHistory) -> Markup {
    let readings: Vec<Option<Reading<'_>>> = repository
        .samples
        .iter()
        .map(|sample| {
            sample.as_ref().map(|sample| Reading {
                stats: &sample.stats,
                commit: Some(&sample.commit),
            })
        })
        .collect();
    let (folder, _) = split_name(&repository.name);
    html! {
        figure.multiple data-repository=(repository.name) {
            figcaption title=(repository.name) {
                strong.repo-name { (folder) }
                " "
                code.sub { (repository.branch) }
            }
            (history_chart(points, &readings, Scope::Repository(&repository.name), &REPOSITORY_FRAME))
            @if readings.iter().all(Option::is_none) {
                p.empty { "No commit on the branch by the last point." }
            }
        }
    }
}

/// Which list of commits a table shows: the row's class, and whether it counts the changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CommitKind {
    Regression,
    Improvement,
}

fn commit_table(events: &[CommitEvent], kind: CommitKind) -> Markup {
    let counts_changes = kind == CommitKind::Improvement;
    html! {
        div.scroll {
            table.commits {
                thead {
                    tr {
                        th { "Date" }
                        th { "Repository" }
                        th { "Commit" }
                        th { "Author" }
                        th { "Summary" }
                        @if counts_changes { th.num { "Changes" } }
                        th { "Containers" }
                    }
                }
                tbody {
                    @for event in events {
                        (commit_row(event, kind))
                    }
                }
            }
        }
    }
}

fn commit_row(event: &CommitEvent, kind: CommitKind) -> Markup {
    let row = html! {
        td.date { (event.date) }
        td title=(event.repository) { strong.repo-name { (split_name(&event.repository).0) } }
        td.commit { code title=(event.commit) { (short_commit(&event.commit)) } }
        td { (event.author) }
        td { (event.summary) }
        @if kind == CommitKind::Improvement {
            td.num data-changes=(event.change_count()) { (event.change_count()) }
        }
        td {
            ul.changes {
                @for change in &event.containers { (container_change(change)) }
            }
        }
    };
    match kind {
        CommitKind::Regression => html! { tr.regression data-commit=(event.commit) { (row) } },
        CommitKind::Improvement => html! { tr.improvement data-commit=(event.commit) { (row) } },
    }
}

fn container_change(change: &ContainerChange) -> Markup {
    html! {
        li {
            code { (change.path) @if let Some(line) = change.line { ":" (line) } }
            " "
            span.sub {
                (change.resource)
                @if let Some(container) = &change.container { " · container " strong { (container) } }
            }
            @if change.is_new { " " span.tag { "new" } }
            ul.what {
                @for sentence in &change.changes { li { (sentence) } }
            }
            @if !change.rules.is_empty() {
                div.rules {
                    "Rules: "
                    @for (i, rule) in change.rules.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (rule) }
                    }
                }
            }
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

/// Added after [`CSS`] on pages with a history. The practices' colours are told apart by most
/// colour-blind readers (Okabe and Ito's palette).
const HISTORY_CSS: &str = r#"
:root {
  --practice-non-root: #0072b2; --practice-drop-all-capabilities: #d55e00;
  --practice-no-new-privileges: #009e73; --practice-read-only-rootfs: #cc79a7;
  --practice-no-host-namespaces: #e69f00;
}
.pr-non-root { --series: var(--practice-non-root); }
.pr-drop-all-capabilities { --series: var(--practice-drop-all-capabilities); }
.pr-no-new-privileges { --series: var(--practice-no-new-privileges); }
.pr-read-only-rootfs { --series: var(--practice-read-only-rootfs); }
.pr-no-host-namespaces { --series: var(--practice-no-host-namespaces); }
svg.history-chart { display: block; width: 100%; height: auto; }
svg.history-chart[data-scope=fleet] { max-width: 800px; }
svg.history-chart .grid { stroke: var(--line); stroke-width: 1; }
svg.history-chart .axis text { font-size: 11px; fill: var(--muted); }
svg.history-chart[data-scope=repository] .axis text { font-size: 13px; }
svg.history-chart polyline { fill: none; stroke: var(--series); stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg.history-chart circle { fill: var(--series); stroke: var(--card); stroke-width: 1; }
svg.history-chart circle:hover { stroke: var(--ink); }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 10px; padding: 0; }
ul.legend .swatch { display: inline-block; width: 16px; height: 4px; border-radius: 2px; background: var(--series); vertical-align: middle; margin-right: 6px; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 14px; }
figure.multiple { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
figure.multiple figcaption { overflow-wrap: anywhere; margin-bottom: 4px; }
table.commits td { overflow-wrap: anywhere; }
table.commits td.date, table.commits td.commit { white-space: nowrap; overflow-wrap: normal; }
ul.changes { list-style: none; margin: 0; padding: 0; min-width: 260px; }
ul.changes > li + li { margin-top: 8px; }
ul.what { margin: 2px 0; padding-left: 16px; }
tr.regression ul.what { color: var(--critical); }
tr.improvement ul.what { color: var(--good); }
.rules { color: var(--muted); font-size: 12px; }
.tag { font-size: 11px; font-weight: 600; border: 1px solid var(--line); border-radius: 999px; padding: 0 7px; }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{compute, tests::sample_fleet};
    use crate::history::Sample;

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

    /// Nothing in `html` loads from elsewhere or runs.
    fn assert_self_contained(html: &str) {
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
    fn the_page_is_self_contained() {
        let html = page();
        assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
        assert_self_contained(&html);
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
    /// Stats whose adoption of each practice is `(adopted, applicable)`, in practice order.
    fn stats_with(adoption: [(usize, usize); 5]) -> Stats {
        Stats {
            containers: adoption
                .iter()
                .map(|&(_, applicable)| applicable)
                .max()
                .unwrap_or(0),
            adoption: adoption.map(|(adopted, applicable)| Adoption {
                adopted,
                applicable,
            }),
            ..Stats::default()
        }
    }

    const REGRESSION_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
    const IMPROVEMENT_COMMIT: &str = "fedcba9876543210fedcba9876543210fedcba98";

    /// Two repositories over three monthly points: `repos/shop` is created after the first,
    /// and at the middle point no container can set no-new-privileges.
    fn sample_history() -> History {
        let sample = |commit: &str, adoption| {
            Some(Sample {
                commit: commit.to_string(),
                stats: stats_with(adoption),
            })
        };
        let point = |date: &str, at| Point {
            at,
            date: date.to_string(),
        };
        History {
            every: "1mo".to_string(),
            points: vec![
                point("2026-04-01", 1_775_001_600),
                point("2026-05-01", 1_777_593_600),
                point("2026-06-01", 1_780_272_000),
            ],
            overall: vec![
                stats_with([(1, 1), (0, 0), (1, 1), (0, 1), (1, 1)]),
                stats_with([(1, 2), (1, 1), (0, 0), (1, 2), (2, 2)]),
                stats_with([(2, 3), (2, 2), (1, 2), (3, 3), (3, 3)]),
            ],
            repositories: vec![
                RepositoryHistory {
                    name: "repos/shop".to_string(),
                    branch: "origin/HEAD".to_string(),
                    samples: vec![
                        None,
                        sample(
                            "aaaaaaaaaaaaaaaaaaaa",
                            [(0, 1), (1, 1), (0, 0), (1, 1), (1, 1)],
                        ),
                        sample(REGRESSION_COMMIT, [(1, 2), (2, 2), (1, 1), (2, 2), (2, 2)]),
                    ],
                },
                RepositoryHistory {
                    name: "repos/tools".to_string(),
                    branch: "origin/HEAD".to_string(),
                    samples: vec![
                        sample(
                            "bbbbbbbbbbbbbbbbbbbb",
                            [(1, 1), (0, 0), (1, 1), (0, 1), (1, 1)],
                        ),
                        sample(
                            "cccccccccccccccccccc",
                            [(1, 1), (0, 0), (0, 0), (0, 1), (1, 1)],
                        ),
                        sample(IMPROVEMENT_COMMIT, [(1, 1), (0, 0), (0, 1), (1, 1), (1, 1)]),
                    ],
                },
            ],
            regressions: vec![CommitEvent {
                repository: "repos/shop".to_string(),
                commit: REGRESSION_COMMIT.to_string(),
                author: "Mallory <mallory@example.com>".to_string(),
                date: "2026-05-20".to_string(),
                authored_at: 1_779_235_200,
                summary: "<script>alert(1)</script>".to_string(),
                containers: vec![ContainerChange {
                    path: "deploy/web.yaml".to_string(),
                    line: Some(12),
                    resource: "Deployment/web".to_string(),
                    container: Some("app".to_string()),
                    is_new: false,
                    changes: vec!["gains capability SYS_ADMIN".to_string()],
                    rules: vec!["dangerous-capability"],
                }],
            }],
            improvements: vec![CommitEvent {
                repository: "repos/tools".to_string(),
                commit: IMPROVEMENT_COMMIT.to_string(),
                author: "Alice".to_string(),
                date: "2026-05-15".to_string(),
                authored_at: 1_778_803_200,
                summary: "harden the worker".to_string(),
                containers: vec![ContainerChange {
                    path: "compose.yaml".to_string(),
                    line: None,
                    resource: "service/worker".to_string(),
                    container: None,
                    is_new: false,
                    changes: vec![
                        "drops ALL capabilities".to_string(),
                        "sets no-new-privileges".to_string(),
                        "mounts the root filesystem read-only".to_string(),
                    ],
                    rules: vec![],
                }],
            }],
            errors: vec![(
                "repos/broken".to_string(),
                "not a git repository".to_string(),
            )],
        }
    }

    fn history_page(history: &History) -> String {
        let scans = sample_fleet();
        let fleet = compute(&scans);
        render_with_history(&scans, &fleet, &[], Some(history))
    }

    /// The opening tags of `tag` elements that carry every one of `attributes`.
    fn tags_with<'a>(html: &'a str, tag: &str, attributes: &[(&str, &str)]) -> Vec<&'a str> {
        html.split('<')
            .filter(|piece| piece.starts_with(&format!("{tag} ")))
            .map(|piece| piece.split('>').next().unwrap_or(piece))
            .filter(|opening| {
                attributes
                    .iter()
                    .all(|(name, value)| opening.contains(&format!(" {name}=\"{value}\"")))
            })
            .collect()
    }

    #[test]
    fn without_a_history_the_page_is_the_one_render_with_risk_renders() {
        let scans = sample_fleet();
        let fleet = compute(&scans);
        let page = render_with_history(&scans, &fleet, &[], None);
        assert_eq!(render_with_risk(&scans, &fleet, &[]), page);
        assert!(!page.contains("id=\"history\""));
        assert!(
            !page.contains("--practice-non-root"),
            "history CSS on a page without one"
        );
    }

    #[test]
    fn the_history_section_follows_the_adoption_section() {
        let html = history_page(&sample_history());
        let adoption = html.find("<section id=\"adoption\"").unwrap_or(usize::MAX);
        let history = html.find("<section id=\"history\"").unwrap_or(usize::MAX);
        let repositories = html.find("<section id=\"repositories\"").unwrap_or(0);
        assert!(adoption < history && history < repositories, "{html}");
    }

    #[test]
    fn the_fleet_chart_has_a_circle_per_point_with_a_percentage() {
        let history = sample_history();
        let html = history_page(&history);
        assert_eq!(
            tags_with(&html, "svg", &[("data-scope", "fleet")]).len(),
            1,
            "{html}"
        );
        for practice in Practice::ALL {
            let expected = history
                .overall
                .iter()
                .filter(|stats| stats.adoption_of(practice).percent().is_some())
                .count();
            let circles = tags_with(
                &html,
                "circle",
                &[("data-scope", "fleet"), ("data-practice", practice.id())],
            );
            assert_eq!(circles.len(), expected, "{}", practice.id());
        }
        let non_root_in_june = tags_with(
            &html,
            "circle",
            &[
                ("data-scope", "fleet"),
                ("data-practice", "non-root"),
                ("data-date", "2026-06-01"),
            ],
        );
        assert_eq!(non_root_in_june.len(), 1, "{html}");
        assert!(
            non_root_in_june[0].contains(r#" data-percent="66.7""#),
            "{}",
            non_root_in_june[0]
        );
        assert!(html.contains("<title>Runs as non-root: 66.7% (2 of 3) on 2026-06-01</title>"));
        let full_in_june = tags_with(
            &html,
            "circle",
            &[
                ("data-scope", "fleet"),
                ("data-practice", "read-only-rootfs"),
                ("data-date", "2026-06-01"),
            ],
        );
        assert!(
            full_in_june[0].contains(r#" data-percent="100""#),
            "{full_in_june:?}"
        );
    }

    #[test]
    fn a_point_without_a_percentage_breaks_the_line() {
        let history = sample_history();
        let html = history_page(&history);
        let fleet_chart = &html[html.find(r#"data-scope="fleet""#).unwrap_or(0)..];
        let fleet_chart = &fleet_chart[..fleet_chart.find("</svg>").unwrap_or(fleet_chart.len())];
        // Set at the first and last point, not the middle one: two lone circles, no line.
        let lines = tags_with(
            fleet_chart,
            "polyline",
            &[("data-practice", "no-new-privileges")],
        );
        assert!(lines.is_empty(), "{lines:?}");
        let runs: Vec<Vec<usize>> = {
            let readings = fleet_readings(&history);
            line_runs(&readings, Practice::NoNewPrivileges)
                .iter()
                .map(|run| run.iter().map(|&(index, _)| index).collect())
                .collect()
        };
        assert_eq!(runs, [vec![0], vec![2]]);
        // Not set at the first point: one line through the last two.
        let lines = tags_with(
            fleet_chart,
            "polyline",
            &[("data-practice", "drop-all-capabilities")],
        );
        assert_eq!(lines.len(), 1, "{lines:?}");
        let points = lines[0].split("points=\"").nth(1).unwrap_or("");
        assert_eq!(
            points.trim_end_matches('"').split(' ').count(),
            2,
            "{points}"
        );
    }

    #[test]
    fn repository_charts_name_the_commit_of_each_point_and_skip_points_before_the_first() {
        let html = history_page(&sample_history());
        let shop = [
            ("data-scope", "repository"),
            ("data-repository", "repos/shop"),
        ];
        assert_eq!(tags_with(&html, "svg", &shop).len(), 1, "{html}");
        let mut before = shop.to_vec();
        before.push(("data-date", "2026-04-01"));
        assert!(tags_with(&html, "circle", &before).is_empty());
        let mut latest = shop.to_vec();
        latest.extend([("data-date", "2026-06-01"), ("data-practice", "non-root")]);
        let circles = tags_with(&html, "circle", &latest);
        assert_eq!(circles.len(), 1, "{html}");
        assert!(circles[0].contains(&format!(r#" data-commit="{REGRESSION_COMMIT}""#)));
        assert!(
            circles[0].contains(r#" data-percent="50""#),
            "{}",
            circles[0]
        );
        assert!(
            html.contains("on 2026-06-01 at 0123456789ab</title>"),
            "{html}"
        );
        let tools = [
            ("data-scope", "repository"),
            ("data-repository", "repos/tools"),
        ];
        assert_eq!(tags_with(&html, "circle", &tools).len(), 11);
    }

    #[test]
    fn regressions_and_improvements_are_listed_by_commit() {
        let html = history_page(&sample_history());
        assert!(
            html.contains(&format!(
                r#"<tr class="regression" data-commit="{REGRESSION_COMMIT}">"#
            )),
            "{html}"
        );
        assert!(html.contains("<code>deploy/web.yaml:12</code>"));
        assert!(html.contains("<li>gains capability SYS_ADMIN</li>"));
        assert!(html.contains("<code>dangerous-capability</code>"));
        assert!(
            html.contains(&format!(
                r#"<tr class="improvement" data-commit="{IMPROVEMENT_COMMIT}">"#
            )),
            "{html}"
        );
        assert!(html.contains(r#"data-changes="3""#));
        assert!(
            html.contains(
                r#"title="fedcba9876543210fedcba9876543210fedcba98">fedcba987654</code>"#
            )
        );
        assert!(html.contains("<code>repos/broken</code>: not a git repository"));
    }

    #[test]
    fn text_from_the_repositories_history_is_escaped() {
        let html = history_page(&sample_history());
        assert!(!html.contains("<script"), "summary");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("Mallory &lt;mallory@example.com&gt;"),
            "author"
        );
    }

    #[test]
    fn without_commits_the_history_says_so() {
        let history = History {
            regressions: vec![],
            improvements: vec![],
            errors: vec![],
            ..sample_history()
        };
        let html = history_page(&history);
        assert!(html.contains("No commit in the span gave a container a privilege."));
        assert!(!html.contains("<tr class=\"regression\""));
        assert!(!html.contains("History could not be read"));
    }

    #[test]
    fn the_page_with_a_history_is_self_contained() {
        let html = history_page(&sample_history());
        assert_self_contained(&html);
    }

    #[test]
    fn dates_are_labelled_at_both_ends_and_evenly_between() {
        assert_eq!(date_label_indices(1, 6), [0]);
        assert_eq!(date_label_indices(3, 6), [0, 1, 2]);
        assert_eq!(date_label_indices(12, 6), [0, 2, 4, 7, 9, 11]);
        assert_eq!(date_label_indices(13, 3), [0, 6, 12]);
    }
}

//! The risk ranking of `minpriv risk`: containers ordered by the harm a known vulnerability in
//! their image can do, given the privileges they run with, as a text table, JSON or Markdown,
//! and as the rows of the fleet report's HTML page.
//!
//! The ranking is computed elsewhere (`minpriv_scan::risk` matches containers to reports, and
//! `minpriv_model::risk` scores them); this module only writes it down.

use crate::html::RiskRow;
use crate::markdown::{code, escape_text};
use minpriv_model::risk::{self, Assessment, BestChange};
use minpriv_model::{ContainerRole, Posture, Severity};
use serde::Serialize;

/// One container that could be ranked, with where it was read.
#[derive(Clone, Debug)]
pub struct RiskContainer {
    /// The file it was read from, or the engine's address for a live container.
    pub path: String,
    /// The kind of input it came from (`kubernetes`, `compose`, `docker`, ...).
    pub source: &'static str,
    /// The workload it belongs to (`Deployment/web`, the Compose service, ...).
    pub resource: String,
    /// The container's name, when the input gives one.
    pub container: Option<String>,
    /// Init and ephemeral containers are labelled as such.
    pub role: ContainerRole,
    /// What the container runs with: the score depends on it, and its image is what reports
    /// are matched against.
    pub posture: Posture,
    /// The engine's image id (`sha256:...`), for live containers: reports that name only an
    /// image id match through it.
    pub image_id: Option<String>,
}

/// A container that a report matched, scored.
#[derive(Clone, Debug)]
pub struct RankedContainer {
    /// The container.
    pub container: RiskContainer,
    /// Its score, and why.
    pub assessment: Assessment,
    /// The one hardening step that lowers the score most, if one does.
    pub best_change: Option<BestChange>,
    /// The reports that matched it, as named on the command line, in order.
    pub reports: Vec<String>,
}

/// A container that no report matched.
#[derive(Clone, Debug, Serialize)]
pub struct UnmatchedContainer {
    /// As [`RiskContainer::path`].
    pub path: String,
    /// As [`RiskContainer::resource`].
    pub resource: String,
    /// As [`RiskContainer::container`].
    pub container: Option<String>,
    /// The image it runs, when it names one.
    pub image: Option<String>,
}

/// A report that names an image no container runs.
#[derive(Clone, Debug, Serialize)]
pub struct UnmatchedReport {
    /// The report as named on the command line (`-` for standard input).
    pub report: String,
    /// The images it names.
    pub images: Vec<String>,
}

/// A remark for the user about the inputs of a ranking (a skipped file, a reader's warning).
#[derive(Clone, Debug, Serialize)]
pub struct RiskNote {
    /// The file or report it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The remark.
    pub message: String,
}

impl RiskNote {
    /// A remark about `path`.
    pub fn about(path: &str, message: String) -> RiskNote {
        RiskNote {
            path: Some(path.to_string()),
            message,
        }
    }
}

/// Everything a risk ranking shows.
#[derive(Clone, Debug, Default)]
pub struct Ranking {
    /// The matched containers, worst first.
    pub rows: Vec<RankedContainer>,
    /// The containers no report matched, in the order they were read.
    pub unmatched_containers: Vec<UnmatchedContainer>,
    /// The reports that name an image no container runs, in the order they were given.
    pub unmatched_reports: Vec<UnmatchedReport>,
    /// Remarks of the readers, reports first.
    pub notes: Vec<RiskNote>,
}

/// What to leave out of a written ranking.
#[derive(Clone, Copy, Debug, Default)]
pub struct RankingOptions {
    /// Only the N worst rows (`--top N`); the others are counted, not shown.
    pub top: Option<usize>,
    /// The table only: no lines about unmatched containers and reports, and no notes.
    pub quiet: bool,
}

/// Two decimals are all a score of a score needs, and keep JSON free of `9.799999999999999`.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn level_name(score: u8) -> &'static str {
    risk::score_level(score).map_or("none", Severity::as_str)
}

fn container_label(c: &RiskContainer) -> String {
    let name = c.container.as_deref().unwrap_or("-");
    match c.role {
        ContainerRole::Regular => name.to_string(),
        ContainerRole::Init => format!("{name} (init)"),
        ContainerRole::Ephemeral => format!("{name} (ephemeral)"),
    }
}

fn best_change_text(row: &RankedContainer) -> String {
    match &row.best_change {
        Some(b) => format!(
            "{}: score {} → {}, impact {} → {}",
            b.change,
            row.assessment.score,
            b.score_after,
            row.assessment.impact.level,
            b.impact_after
        ),
        None if row.assessment.score == 0 => "none needed: no known vulnerability".into(),
        None if row.assessment.impact.level == Severity::Critical => {
            "no single change: it has more than one way out, close them all".into()
        }
        None => "no single hardening lowers the score: update the image".into(),
    }
}

/// The rows of the fleet report's risk section (`minpriv report --vulns --html`), worst first.
pub fn html_rows(rows: &[RankedContainer]) -> Vec<RiskRow> {
    rows.iter()
        .map(|r| RiskRow {
            score: r.assessment.score,
            level: level_name(r.assessment.score),
            container: container_label(&r.container),
            location: format!("{} {}", r.container.path, r.container.resource),
            image: r.container.posture.image.value.clone().unwrap_or_default(),
            why: r.assessment.why.clone(),
            best_change: best_change_text(r),
        })
        .collect()
}

impl Ranking {
    /// A table, worst first, each row followed by why and the best single change; then the
    /// containers and reports that matched nothing, and the notes.
    pub fn text(&self, options: RankingOptions) -> String {
        let shown = options.top.unwrap_or(usize::MAX);
        let mut out = String::new();
        let rows: Vec<&RankedContainer> = self.rows.iter().take(shown).collect();
        if self.rows.is_empty() {
            out.push_str("no container runs an image that a report names\n");
        } else {
            let header = ["SCORE", "LEVEL", "RESOURCE", "CONTAINER", "IMAGE"];
            let cells: Vec<[String; 5]> = rows
                .iter()
                .map(|r| {
                    let c = &r.container;
                    [
                        r.assessment.score.to_string(),
                        level_name(r.assessment.score).to_string(),
                        format!("{} {}", c.path, c.resource),
                        container_label(c),
                        c.posture.image.value.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            let mut widths = header.map(str::len);
            for row in &cells {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let line = |cells: [&str; 5]| {
                let mut s = format!("{:>w$}", cells[0], w = widths[0]);
                for (i, cell) in cells.iter().enumerate().skip(1) {
                    s.push_str("  ");
                    if i + 1 == cells.len() {
                        s.push_str(cell);
                    } else {
                        s.push_str(&format!("{cell:<w$}", w = widths[i]));
                    }
                }
                s.push('\n');
                s
            };
            out.push_str(&line(header));
            let indent = " ".repeat(widths[0] + 2);
            for (r, cells) in rows.iter().zip(&cells) {
                out.push_str(&line(cells.each_ref().map(String::as_str)));
                out.push_str(&format!("{indent}why: {}\n", r.assessment.why));
                out.push_str(&format!("{indent}best change: {}\n", best_change_text(r)));
            }
            if rows.len() < self.rows.len() {
                out.push_str(&format!(
                    "... and {} more (--top {})\n",
                    self.rows.len() - rows.len(),
                    shown
                ));
            }
        }
        if options.quiet {
            return out;
        }
        let unmatched = &self.unmatched_containers;
        if !unmatched.is_empty() {
            out.push_str(&format!(
                "\n{} container{} that no report matches:\n",
                unmatched.len(),
                if unmatched.len() == 1 { "" } else { "s" }
            ));
            for u in unmatched {
                out.push_str(&format!(
                    "  {} {} {}: image {}\n",
                    u.path,
                    u.resource,
                    u.container.as_deref().unwrap_or("-"),
                    u.image.as_deref().unwrap_or("(none)")
                ));
            }
        }
        for r in &self.unmatched_reports {
            out.push_str(&format!(
                "note: {}: no container runs {}\n",
                r.report,
                r.images.first().map_or("its image", String::as_str)
            ));
        }
        for n in &self.notes {
            match &n.path {
                Some(p) => out.push_str(&format!("note: {p}: {}\n", n.message)),
                None => out.push_str(&format!("note: {}\n", n.message)),
            }
        }
        out
    }

    /// One JSON document: `ranking` (worst first), the unmatched containers and reports, the
    /// notes and counts by level. `quiet` changes nothing: programs filter for themselves.
    ///
    /// # Errors
    /// When serde_json cannot serialise a value (it has no reason to).
    pub fn json(&self, options: RankingOptions) -> Result<String, serde_json::Error> {
        #[derive(Serialize)]
        struct JsonBestChange<'a> {
            change: &'a str,
            step: risk::HardeningStep,
            score_after: u8,
            impact_after: Severity,
        }
        #[derive(Serialize)]
        struct JsonRow<'a> {
            resource: &'a str,
            container: Option<&'a str>,
            image: Option<&'a str>,
            score: u8,
            why: &'a str,
            level: &'static str,
            path: &'a str,
            source: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            role: Option<ContainerRole>,
            likelihood: f64,
            impact: &'a risk::Impact,
            exposure: &'a risk::Exposure,
            vulnerabilities: &'a risk::VulnSummary,
            reports: &'a [String],
            best_change: Option<JsonBestChange<'a>>,
        }
        let ranking: Vec<JsonRow<'_>> = self
            .rows
            .iter()
            .take(options.top.unwrap_or(usize::MAX))
            .map(|r| {
                let a = &r.assessment;
                let c = &r.container;
                JsonRow {
                    resource: &c.resource,
                    container: c.container.as_deref(),
                    image: c.posture.image.value.as_deref(),
                    score: a.score,
                    why: &a.why,
                    level: level_name(a.score),
                    path: &c.path,
                    source: c.source,
                    role: (c.role != ContainerRole::Regular).then_some(c.role),
                    likelihood: round2(a.likelihood),
                    impact: &a.impact,
                    exposure: &a.exposure,
                    vulnerabilities: &a.vulnerabilities,
                    reports: &r.reports,
                    best_change: r.best_change.as_ref().map(|b| JsonBestChange {
                        change: b.change,
                        step: b.step.clone(),
                        score_after: b.score_after,
                        impact_after: b.impact_after,
                    }),
                }
            })
            .collect();
        let mut by_level = std::collections::BTreeMap::new();
        for r in &self.rows {
            *by_level
                .entry(level_name(r.assessment.score))
                .or_insert(0usize) += 1;
        }
        #[derive(Serialize)]
        struct Tool {
            name: &'static str,
            version: &'static str,
        }
        #[derive(Serialize)]
        struct Summary {
            ranked: usize,
            by_level: std::collections::BTreeMap<&'static str, usize>,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            tool: Tool,
            model: &'static str,
            ranking: Vec<JsonRow<'a>>,
            unmatched_containers: &'a [UnmatchedContainer],
            unmatched_reports: &'a [UnmatchedReport],
            notes: &'a [RiskNote],
            summary: Summary,
        }
        let doc = Doc {
            version: 1,
            tool: Tool {
                name: "minpriv",
                version: env!("CARGO_PKG_VERSION"),
            },
            model: "score = round(likelihood × impact × exposure); see `minpriv explain risk`",
            ranking,
            unmatched_containers: &self.unmatched_containers,
            unmatched_reports: &self.unmatched_reports,
            notes: &self.notes,
            summary: Summary {
                ranked: self.rows.len(),
                by_level,
            },
        };
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        Ok(text)
    }

    /// A Markdown table for a pull-request comment, worst first.
    pub fn markdown(&self, options: RankingOptions) -> String {
        let mut out = String::from("### Risk ranking\n\n");
        let rows: Vec<&RankedContainer> = self
            .rows
            .iter()
            .take(options.top.unwrap_or(usize::MAX))
            .collect();
        if self.rows.is_empty() {
            out.push_str("No container runs an image that a report names.\n");
        } else {
            out.push_str(
                "| Score | Resource | Container | Image | Why | Best single change |\n\
                 |---:|---|---|---|---|---|\n",
            );
            for r in &rows {
                let c = &r.container;
                out.push_str(&format!(
                    "| **{}** {} | {} {} | {} | {} | {} | {} |\n",
                    r.assessment.score,
                    level_name(r.assessment.score),
                    code(&c.resource),
                    code(&c.path),
                    escape_text(&container_label(c)),
                    c.posture
                        .image
                        .value
                        .as_deref()
                        .map(code)
                        .unwrap_or_default(),
                    escape_text(&r.assessment.why),
                    escape_text(&best_change_text(r)),
                ));
            }
            if rows.len() < self.rows.len() {
                out.push_str(&format!("\n… and {} more.\n", self.rows.len() - rows.len()));
            }
        }
        let unmatched = &self.unmatched_containers;
        if !options.quiet && !unmatched.is_empty() {
            out.push_str(&format!(
                "\n{} container{} that no report matches.\n",
                unmatched.len(),
                if unmatched.len() == 1 { "" } else { "s" }
            ));
        }
        out.push_str("\nScore = likelihood × impact × exposure (`minpriv explain risk`).\n");
        out
    }
}

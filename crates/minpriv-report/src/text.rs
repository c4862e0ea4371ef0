//! `--format text`: findings the way rustc prints diagnostics, with the source line and a caret
//! under the value that causes the finding, then notes and a one-line summary; with `--posture`,
//! what an attacker gets in each container.
//!
//! Everything taken from the scanned files (messages, names, paths, source lines) goes through
//! [`annotate_snippets::normalize_untrusted_str`] or the renderer's own normalisation, so that a
//! hostile file cannot write terminal escape sequences to the user's terminal.

use crate::{
    ComposeService, Ending, FileResult, Note, ReportOptions, ReportWriter, ScanReport, is_shown,
};
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{
    AnnotationKind, Group, Level, Origin, Renderer, Snippet, normalize_untrusted_str,
};
use anstyle::{AnsiColor, Effects, Style};
use minpriv_model::{
    CapSet, Container, ContainerRole, Finding, LineIndex, RootStatus, Severity, Span, Workload,
};
use std::fmt::Write as _;
use std::io::{self, Write};

/// At most this many source lines are shown for one finding; a span over a whole Kubernetes
/// object would otherwise print the object.
const MAX_SNIPPET_LINES: u32 = 6;

/// Renders `report` as text. The result ends with a newline unless it is empty (a `--quiet`
/// scan with nothing to show).
pub fn render(report: &ScanReport, options: &ReportOptions) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec<u8> cannot fail, and the writer writes only UTF-8.
    let _ = crate::write_report(report, &mut TextWriter::new(&mut bytes, *options));
    crate::into_string(bytes).unwrap_or_default()
}

/// The text format as a [`ReportWriter`]: each batch of files is rendered (on every core when it
/// is large) and written at once. Only `--posture` text waits for the end, where it is printed.
pub struct TextWriter<W: Write> {
    out: W,
    options: ReportOptions,
    renderer: Renderer,
    styles: Styles,
    /// `--posture`: the containers' privileges, printed after every finding.
    posture: String,
    /// Inputs that are a live engine (`--docker`), and the containers audited in them: the
    /// summary counts those as containers, not files.
    engines: usize,
    engine_containers: usize,
}

impl<W: Write> TextWriter<W> {
    /// A writer of the text format to `out`.
    pub fn new(out: W, options: ReportOptions) -> Self {
        let renderer = if options.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        }
        .decor_style(DecorStyle::Ascii);
        TextWriter {
            out,
            options,
            renderer,
            styles: Styles::new(options.color),
            posture: String::new(),
            engines: 0,
            engine_containers: 0,
        }
    }
}

impl<W: Write> ReportWriter for TextWriter<W> {
    fn write_files(&mut self, files: &[FileResult]) -> io::Result<()> {
        let (options, styles, renderer) = (&self.options, &self.styles, &self.renderer);
        let sections = in_parallel(files, |file, out| {
            let lines = LineIndex::new(&file.source_text);
            let mut compose = None;
            let shown: Vec<&Finding> = file
                .findings
                .iter()
                .filter(|f| is_shown(f, options))
                .collect();
            for finding in privileged_first(shown) {
                // Containers Compose started are grouped under their project and service (the
                // caller orders their findings together).
                let service = file.compose.get(&finding.resource);
                if let Some(service) = service.filter(|_| service != compose) {
                    write_compose_heading(out, styles, file, service);
                }
                compose = service;
                let group = finding_group(file, &lines, finding);
                out.push_str(&renderer.render(&[group]));
                out.push_str("\n\n");
            }
        });
        for section in sections {
            self.out.write_all(section.as_bytes())?;
        }
        for file in files.iter().filter(|f| is_engine(f)) {
            self.engines += 1;
            self.engine_containers += file
                .workloads
                .iter()
                .map(|w| w.containers.len())
                .sum::<usize>();
        }
        if self.options.posture {
            for file in files {
                for workload in &file.workloads {
                    for container in &workload.containers {
                        write_posture(&mut self.posture, styles, file, workload, container);
                        self.posture.push('\n');
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, ending: &Ending<'_>) -> io::Result<()> {
        let mut out = std::mem::take(&mut self.posture);
        if !self.options.quiet {
            for note in ending.notes {
                write_note(&mut out, &self.styles, note);
            }
            let counted = Counted {
                files: ending.files_scanned.saturating_sub(self.engines),
                containers: (self.engines > 0).then_some(self.engine_containers),
            };
            write_summary(&mut out, &self.styles, ending, counted);
        }
        self.out.write_all(out.as_bytes())?;
        self.out.flush()
    }
}

/// Runs `write` over every file, in order, into consecutive sections of the output. A finding
/// costs annotate-snippets tens of thousands of instructions and a large scan has thousands, so
/// big reports are rendered on every core: the files are cut into contiguous runs of about as
/// many findings each, a few runs a thread, and each thread takes the next run left until none
/// is. The sections come back in file order, so the text is the same as rendered in one go.
fn in_parallel(
    files: &[FileResult],
    write: impl Fn(&FileResult, &mut String) + Sync,
) -> Vec<String> {
    /// Fewer findings than this per thread are not worth starting one.
    const FINDINGS_PER_THREAD: usize = 256;
    /// Runs per thread: findings differ in cost, so equal counts are not equal work.
    const RUNS_PER_THREAD: usize = 4;
    let findings: usize = files.iter().map(|f| f.findings.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(findings / FINDINGS_PER_THREAD)
        .max(1);
    let serial = |run: &[FileResult]| {
        let mut out = String::new();
        for file in run {
            write(file, &mut out);
        }
        out
    };
    if threads == 1 {
        return vec![serial(files)];
    }
    let share = findings.div_ceil(threads * RUNS_PER_THREAD);
    let mut runs = Vec::with_capacity(threads * RUNS_PER_THREAD + 1);
    let (mut start, mut count) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        count += file.findings.len();
        if count >= share {
            runs.push(&files[start..=i]);
            (start, count) = (i + 1, 0);
        }
    }
    runs.push(&files[start..]);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (serial, runs, next) = (&serial, &runs, &next);
    let mut sections: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(run) = runs.get(i) else {
                            return done;
                        };
                        done.push((i, serial(run)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    sections.sort_unstable_by_key(|(i, _)| *i);
    sections.into_iter().map(|(_, section)| section).collect()
}

/// A file's findings with each privileged container's together, `privileged` first: the other
/// controls such a container fails are fixes of their own, but privileged mode is why most of
/// them matter, so they read as one block. Everything else keeps its order.
fn privileged_first(findings: Vec<&Finding>) -> Vec<&Finding> {
    let container = |f: &Finding| (f.resource.clone(), f.container.clone());
    let privileged: Vec<(String, Option<String>)> = findings
        .iter()
        .filter(|f| f.rule == "privileged")
        .map(|f| container(f))
        .collect();
    if privileged.is_empty() {
        return findings;
    }
    let mut out = Vec::with_capacity(findings.len());
    let mut placed = vec![false; findings.len()];
    for (i, finding) in findings.iter().enumerate() {
        if placed[i] {
            continue;
        }
        let key = container(finding);
        if !privileged.contains(&key) {
            placed[i] = true;
            out.push(*finding);
            continue;
        }
        let block: Vec<usize> = (i..findings.len())
            .filter(|&j| !placed[j] && container(findings[j]) == key)
            .collect();
        for &j in block.iter().filter(|&&j| findings[j].rule == "privileged") {
            out.push(findings[j]);
        }
        for &j in block.iter().filter(|&&j| findings[j].rule != "privileged") {
            out.push(findings[j]);
        }
        for j in block {
            placed[j] = true;
        }
    }
    out
}

/// The rustc-style diagnostic for one finding: `high[runs-as-root]: message`, the location, the
/// source with the span underlined, and `= help: remediation`.
fn finding_group<'a>(file: &'a FileResult, lines: &LineIndex, finding: &'a Finding) -> Group<'a> {
    let title = severity_level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(finding.rule);
    let mut group = match finding.span.and_then(|span| snippet(file, lines, span)) {
        Some(snippet) => title.element(snippet),
        // A live container has no place in a file: the arrow names it, on its engine.
        None if finding.source == minpriv_model::Source::DockerEngine => title.element(
            Origin::path(format!("{} on {}", finding.resource, file.path)),
        ),
        None => title.element(origin(&file.path, finding.span)),
    };
    if !finding.overlays.is_empty() {
        let overlays: Vec<String> = finding
            .overlays
            .iter()
            .map(|o| normalize_untrusted_str(o))
            .collect();
        group = group.element(Level::NOTE.message(format!(
            "in the rendered overlay{} {}",
            if overlays.len() == 1 { "" } else { "s" },
            overlays.join(", ")
        )));
    }
    if !finding.remediation.is_empty() {
        group = group.element(Level::HELP.message(normalize_untrusted_str(&finding.remediation)));
    }
    if let Some(reason) = &finding.suppressed {
        let text = if reason.is_empty() {
            "suppressed by a minpriv:ignore comment".to_string()
        } else {
            format!("suppressed: {}", normalize_untrusted_str(reason))
        };
        group = group.element(Level::NOTE.message(text));
    }
    group
}

/// `--> path:line:col` without source, for findings whose span is missing or outside the text.
fn origin(path: &str, span: Option<Span>) -> Origin<'_> {
    let origin = Origin::path(path);
    match span {
        Some(span) => origin
            .line(span.line as usize)
            .char_column(span.column as usize),
        None => origin,
    }
}

/// The lines of `span` (at most [`MAX_SNIPPET_LINES`]) with the span marked. Only those lines
/// are handed to the renderer: giving it the whole file for every finding would make a large
/// manifest with many findings quadratic.
fn snippet<'a>(
    file: &'a FileResult,
    lines: &LineIndex,
    span: Span,
) -> Option<Snippet<'a, annotate_snippets::Annotation<'a>>> {
    let text = file.source_text.as_str();
    if span.start > text.len() || span.line == 0 {
        return None;
    }
    // A span that ends at the very start of a line (a whole line with its newline) does not
    // show anything on that line.
    let mut last_line = span.end_line.max(span.line);
    if last_line > span.line && span.end_column <= 1 {
        last_line -= 1;
    }
    let last_line = last_line.min(span.line + MAX_SNIPPET_LINES - 1);

    let start = lines.line_start(span.line)?;
    let end = lines
        .line_start(last_line + 1)
        .unwrap_or(text.len())
        .min(text.len());
    let excerpt = text.get(start..end)?;
    let excerpt = excerpt.trim_end_matches('\n').trim_end_matches('\r');

    let local_start = floor_char_boundary(excerpt, span.start.saturating_sub(start));
    let local_end = floor_char_boundary(excerpt, span.end.saturating_sub(start)).max(local_start);
    Some(
        Snippet::source(excerpt)
            .line_start(span.line as usize)
            .path(file.path.as_str())
            .annotation(AnnotationKind::Primary.span(local_start..local_end)),
    )
}

/// The largest char boundary of `text` at or below `offset` (spans from a reader are on
/// boundaries; this keeps a wrong one from breaking the output).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The severity as the diagnostic's level: its name is the severity, its colour rustc's colour
/// of similar weight.
fn severity_level(severity: Severity) -> Level<'static> {
    let level = match severity {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::INFO,
        Severity::Info => Level::NOTE,
    };
    level.with_name(Some(severity.as_str()))
}

/// ANSI styles for the parts minpriv prints itself (the renderer styles the diagnostics).
struct Styles {
    heading: Style,
    label: Style,
    note: Style,
    bad: Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        if color {
            Styles {
                heading: Style::new().effects(Effects::BOLD),
                label: AnsiColor::BrightBlue.on_default().effects(Effects::BOLD),
                note: AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
                bad: AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
            }
        } else {
            Styles {
                heading: Style::new(),
                label: Style::new(),
                note: Style::new(),
                bad: Style::new(),
            }
        }
    }
}

/// `compose shop/web (container/shop-web-1, container/shop-web-2)`: the heading over the
/// findings of the containers Compose started for one service.
fn write_compose_heading(
    out: &mut String,
    styles: &Styles,
    file: &FileResult,
    service: &ComposeService,
) {
    let containers: Vec<&str> = file
        .compose
        .iter()
        .filter(|(_, s)| *s == service)
        .map(|(resource, _)| resource.as_str())
        .collect();
    let heading = styles.heading;
    let _ = writeln!(
        out,
        "{heading}compose {}/{} ({}){heading:#}\n",
        normalize_untrusted_str(&service.project),
        normalize_untrusted_str(&service.service),
        normalize_untrusted_str(&containers.join(", "))
    );
}

fn write_note(out: &mut String, styles: &Styles, note: &Note) {
    let note_style = styles.note;
    let _ = write!(out, "{note_style}note{note_style:#}: ");
    if let Some(path) = &note.path {
        let _ = write!(out, "{}", normalize_untrusted_str(path));
        match (note.line, note.column) {
            (Some(line), Some(column)) => {
                let _ = write!(out, ":{line}:{column}");
            }
            (Some(line), None) => {
                let _ = write!(out, ":{line}");
            }
            _ => {}
        }
        out.push_str(": ");
    }
    let _ = writeln!(out, "{}", normalize_untrusted_str(&note.message));
}

/// `5 findings (1 critical, 2 high, 2 medium) in 3 files`, plus the suppressed count if any.
/// What the summary counts: files read, and containers audited live (`None` without any).
#[derive(Clone, Copy)]
struct Counted {
    files: usize,
    containers: Option<usize>,
}

/// A live engine's input (`--docker`): its findings name containers, not places in a file.
fn is_engine(file: &FileResult) -> bool {
    file.workloads
        .first()
        .is_some_and(|w| w.source == minpriv_model::Source::DockerEngine)
}

fn write_summary(out: &mut String, styles: &Styles, ending: &Ending<'_>, counted: Counted) {
    // Nothing could be read at all: the errors said why, a count of nothing adds nothing.
    if ending.files_scanned == 0 && !ending.errors.is_empty() {
        return;
    }
    let summary = ending.summary;
    let heading = styles.heading;
    let total = summary.total();
    let _ = write!(out, "{heading}");
    if total == 0 {
        let _ = write!(out, "no findings");
    } else {
        let counts: Vec<String> = summary
            .worst_first()
            .map(|(severity, n)| format!("{n} {severity}"))
            .collect();
        let _ = write!(
            out,
            "{} ({})",
            plural(total, "finding", "findings"),
            counts.join(", ")
        );
    }
    let _ = match counted.containers {
        Some(containers) if counted.files == 0 => {
            write!(out, " in {}", plural(containers, "container", "containers"))
        }
        Some(containers) => write!(
            out,
            " in {} and {}",
            plural(counted.files, "file", "files"),
            plural(containers, "container", "containers")
        ),
        None => write!(out, " in {}", plural(counted.files, "file", "files")),
    };
    if summary.suppressed > 0 {
        let _ = write!(out, "; {} suppressed", summary.suppressed);
    }
    let _ = writeln!(out, "{heading:#}");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One container's effective privileges: the answer to "what does an attacker get here?".
fn write_posture(
    out: &mut String,
    styles: &Styles,
    file: &FileResult,
    workload: &Workload,
    container: &Container,
) {
    let (heading, label, bad) = (styles.heading, styles.label, styles.bad);
    let posture = &container.posture;
    let privileges = posture.effective_privileges();

    let role = match container.role {
        ContainerRole::Regular => "container",
        ContainerRole::Init => "init container",
        ContainerRole::Ephemeral => "ephemeral container",
    };
    let name = container
        .name
        .as_deref()
        .map(|n| format!(" '{}'", normalize_untrusted_str(n)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{heading}effective privileges of {role}{name} ({}){heading:#}",
        normalize_untrusted_str(&workload.resource)
    );
    let location = match posture.anchor.or(workload.span) {
        Some(span) => format!("{}:{}:{}", file.path, span.line, span.column),
        None => file.path.clone(),
    };
    let _ = writeln!(
        out,
        "  {label}-->{label:#} {}",
        normalize_untrusted_str(&location)
    );

    let mut field = |name: &str, value: String| {
        let line = format!("  {label}{name:<16}{label:#} {value}");
        let _ = writeln!(out, "{}", line.trim_end());
    };

    let user = match &privileges.user {
        RootStatus::Root { reason, .. } => {
            format!("{bad}root{bad:#} ({})", normalize_untrusted_str(reason))
        }
        RootStatus::MayBeRoot { reason, .. } => {
            format!(
                "{bad}may be root{bad:#} ({})",
                normalize_untrusted_str(reason)
            )
        }
        RootStatus::NonRoot { user } => format!("non-root ({})", normalize_untrusted_str(user)),
    };
    field("user:", user);

    let held = if privileges.effective.is_empty() && !privileges.user.may_be_root() {
        "none (a non-root process starts with none)".to_string()
    } else if posture.privileged.value {
        format!("{bad}every capability{bad:#} (privileged)")
    } else {
        capability_list(privileges.effective)
    };
    field("capabilities:", held);

    let reachable = if privileges.reachable == privileges.effective {
        "the same".to_string()
    } else {
        // The model lets a non-root process regain the bounding set through setuid binaries
        // unless no-new-privileges is set, and always in privileged mode.
        let why = if posture.privileged.value {
            "privileged mode"
        } else {
            "no-new-privileges is off"
        };
        format!(
            "{} (regained through setuid binaries: {why})",
            capability_list(privileges.reachable)
        )
    };
    field("reachable:", reachable);

    let namespaces = if privileges.host_namespaces.is_empty() {
        "none shared".to_string()
    } else {
        format!("{bad}{}{bad:#}", privileges.host_namespaces.join(", "))
    };
    field("host namespaces:", namespaces);

    if privileges.escape_paths.is_empty() {
        field("escape paths:", "none known".to_string());
    } else {
        field("escape paths:", String::new());
        for escape in &privileges.escape_paths {
            let _ = writeln!(
                out,
                "    {bad}-{bad:#} {}",
                normalize_untrusted_str(&escape.describe())
            );
        }
    }
}

fn capability_list(caps: CapSet) -> String {
    if caps.is_empty() {
        "none".to_string()
    } else if caps == CapSet::all() {
        format!("every capability ({})", caps.len())
    } else {
        caps.sorted_names().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_report;

    fn plain() -> ReportOptions {
        ReportOptions::default()
    }

    #[test]
    fn findings_match_the_snapshot() {
        insta::assert_snapshot!(render(&sample_report(), &plain()));
    }

    #[test]
    fn a_large_report_rendered_in_parallel_reads_as_one_rendered_file_by_file() {
        let quiet = ReportOptions {
            quiet: true,
            ..ReportOptions::default()
        };
        let sample = sample_report();
        let mut large = ScanReport::default();
        for i in 0..400 {
            for file in &sample.files {
                let mut file = file.clone();
                file.path = format!("{i:03}/{}", file.path);
                large.files.push(file);
            }
        }
        let findings: usize = large.files.iter().map(|f| f.findings.len()).sum();
        assert!(findings > 1000, "{findings}: enough for several threads");
        let one_by_one: String = large
            .files
            .iter()
            .map(|file| {
                let single = ScanReport {
                    files: vec![file.clone()],
                    ..ScanReport::default()
                };
                render(&single, &quiet)
            })
            .collect();
        assert_eq!(render(&large, &quiet), one_by_one);
    }

    #[test]
    fn posture_matches_the_snapshot() {
        let options = ReportOptions {
            posture: true,
            quiet: true,
            ..plain()
        };
        let text = render(&sample_report(), &options);
        // Only the posture blocks: the findings are the other snapshot.
        let start = text.find("effective privileges").unwrap_or(0);
        insta::assert_snapshot!(&text[start..]);
    }

    #[test]
    fn colour_only_when_asked_for() {
        let plain_text = render(&sample_report(), &plain());
        assert!(!plain_text.contains('\u{1b}'), "{plain_text}");
        let coloured = render(
            &sample_report(),
            &ReportOptions {
                color: true,
                posture: true,
                ..plain()
            },
        );
        assert!(coloured.contains("\u{1b}["), "{coloured}");
    }

    #[test]
    fn quiet_leaves_out_notes_and_summary_but_not_findings() {
        let text = render(
            &sample_report(),
            &ReportOptions {
                quiet: true,
                ..plain()
            },
        );
        assert!(text.contains("critical[privileged]"), "{text}");
        assert!(!text.contains("note: charts/web"), "{text}");
        assert!(!text.contains("findings ("), "{text}");
    }

    #[test]
    fn suppressed_findings_are_hidden_unless_asked_for() {
        let hidden = render(&sample_report(), &plain());
        assert!(!hidden.contains("writable-rootfs"), "{hidden}");
        assert!(hidden.contains("; 1 suppressed"), "{hidden}");
        let shown = render(
            &sample_report(),
            &ReportOptions {
                show_suppressed: true,
                ..plain()
            },
        );
        assert!(shown.contains("low[writable-rootfs]"), "{shown}");
        assert!(
            shown.contains("suppressed: scratch space is a tmpfs"),
            "{shown}"
        );
    }

    #[test]
    fn terminal_escapes_in_scanned_text_are_neutralised() {
        let mut report = sample_report();
        report.files[0].findings[0].message = "container '\u{1b}[31mevil' runs".into();
        report.notes[0].message = "bad \u{1b}]0;title\u{7} name".into();
        let text = render(
            &report,
            &ReportOptions {
                posture: true,
                ..plain()
            },
        );
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }

    #[test]
    fn a_privileged_non_root_container_holds_nothing_but_can_regain_everything() {
        let mut report = sample_report();
        let posture = &mut report.files[1].workloads[0].containers[0].posture;
        posture.run_as_user = minpriv_model::Located::written(Some(10001), None);
        let text = render(
            &report,
            &ReportOptions {
                posture: true,
                quiet: true,
                ..plain()
            },
        );
        let block = &text[text.rfind("effective privileges").unwrap_or(0)..];
        assert!(
            block.contains("user:            non-root (10001)"),
            "{block}"
        );
        assert!(
            block.contains("capabilities:    none (a non-root process starts with none)"),
            "{block}"
        );
        let reachable = format!(
            "reachable:       every capability ({}) (regained through setuid binaries: privileged mode)",
            CapSet::all().len()
        );
        assert!(block.contains(&reachable), "{block}");
    }

    #[test]
    fn a_privileged_containers_findings_read_as_one_block_that_starts_with_privileged() {
        let finding = |rule: &'static str, container: &str| Finding {
            rule,
            severity: Severity::High,
            message: format!("{rule} of {container}"),
            span: None,
            source: minpriv_model::Source::Kubernetes,
            resource: "Pod/web".into(),
            container: Some(container.into()),
            remediation: String::new(),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        };
        let findings = [
            finding("runs-as-root", "app"),
            finding("caps-not-dropped", "shell"),
            finding("writable-rootfs", "app"),
            finding("privileged", "shell"),
            finding("seccomp-unconfined", "shell"),
        ];
        let order: Vec<String> = privileged_first(findings.iter().collect())
            .iter()
            .map(|f| f.message.clone())
            .collect();
        assert_eq!(
            order,
            [
                "runs-as-root of app",
                "privileged of shell",
                "caps-not-dropped of shell",
                "seccomp-unconfined of shell",
                "writable-rootfs of app",
            ]
        );
    }

    #[test]
    fn a_summary_of_nothing_says_so() {
        let report = ScanReport {
            files_scanned: 1,
            ..ScanReport::default()
        };
        assert_eq!(render(&report, &plain()), "no findings in 1 file\n");
    }

    #[test]
    fn a_span_outside_the_text_falls_back_to_the_location_alone() {
        let mut report = sample_report();
        report.files[1].source_text.clear();
        let text = render(&report, &plain());
        assert!(text.contains("--> deploy/web.yaml:12:13"), "{text}");
    }

    #[test]
    fn live_findings_print_without_a_snippet_and_compose_containers_are_grouped() {
        use crate::ComposeService;
        use minpriv_model::Source;
        let finding = |resource: &str, container: &str| Finding {
            rule: "host-pid",
            severity: Severity::High,
            message: format!("container '{container}' shares the host's PID namespace"),
            span: None,
            source: Source::DockerEngine,
            resource: resource.into(),
            container: Some(container.into()),
            remediation: "run the container without --pid host".into(),
            suppressed: None,
            pss_control: None,
            overlays: Vec::new(),
        };
        let service = ComposeService {
            project: "shop".into(),
            service: "web".into(),
        };
        let mut file = FileResult {
            path: "unix:///var/run/docker.sock".into(),
            findings: vec![
                finding("container/solo", "solo"),
                finding("container/shop-web-1", "web"),
                finding("container/shop-web-2", "web"),
            ],
            ..FileResult::default()
        };
        for resource in ["container/shop-web-1", "container/shop-web-2"] {
            file.compose.insert(resource.into(), service.clone());
        }
        let report = ScanReport {
            files: vec![file],
            files_scanned: 1,
            ..ScanReport::default()
        };
        let text = render(&report, &plain());
        // Each arrow names its container, on its engine.
        for resource in ["solo", "shop-web-1", "shop-web-2"] {
            let arrow = format!("--> container/{resource} on unix:///var/run/docker.sock\n");
            assert_eq!(text.matches(&arrow).count(), 1, "{text}");
        }
        let heading = "compose shop/web (container/shop-web-1, container/shop-web-2)\n";
        assert_eq!(text.matches(heading).count(), 1, "{text}");
        let at = text.find(heading).unwrap_or_default();
        assert!(text.find("'solo'").unwrap_or(usize::MAX) < at, "{text}");
        assert!(
            text.find("container 'web'").unwrap_or_default() > at,
            "{text}"
        );
    }
}

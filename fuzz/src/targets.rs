//! The bodies of the fuzz targets, one function a target.
//!
//! Each takes the raw bytes libFuzzer made, runs them through a reader the way the CLI does
//! (reader, then the rules, then the text, JSON and SARIF reporters, which turn spans into
//! snippets and columns), and checks what must hold for any input:
//!
//! - no panic (libFuzzer reports one as a crash), no hang (`-timeout`), no unbounded allocation
//!   (`-rss_limit_mb`, `-malloc_limit_mb`);
//! - every span a reader or rule reports lies inside the text it was read from, on character
//!   boundaries, so that the reporters can quote it.
//!
//! This file has no dependency on libFuzzer: `crates/minpriv/tests/hostile_input.rs` includes
//! it with `#[path]` and replays the committed seeds and regressions through these same
//! functions in every `cargo test`.

use minpriv_model::{Finding, Span};
use minpriv_readers::{ReadOutput, Resolver};
use minpriv_report::{FileResult, ReportOptions, ScanReport};
use minpriv_rules::Profile;

/// Kubernetes manifests (YAML or JSON, one or more documents). Also runs format sniffing, which
/// reads the same text first in the CLI.
pub fn kubernetes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = minpriv_readers::detect::sniff_content(text);
    let _ = minpriv_readers::detect::detect_format(std::path::Path::new("fuzz.yaml"), data);
    let _ = minpriv_readers::compose::looks_like_compose(text);
    let output = minpriv_readers::kubernetes::read(text);
    check(text, output);
}

/// Compose files, with an environment in which every variable whose name starts with `SET` is
/// set (so that interpolation takes both branches) and no file beside the input exists.
pub fn compose(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let output = minpriv_readers::compose::read(text, &FuzzEnvironment);
    check(text, output);
}

/// Dockerfiles.
pub fn dockerfile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let output = minpriv_readers::dockerfile::read(text);
    check(text, output);
}

/// Command lines in scripts, GitHub Actions workflows and GitLab CI files; the first byte picks
/// the reader.
pub fn command_line(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let output = match which % 3 {
        0 => minpriv_readers::command_line::read_shell(text),
        1 => minpriv_readers::command_line::read_github_actions(text),
        _ => minpriv_readers::command_line::read_gitlab_ci(text),
    };
    check(text, output);
}

/// `docker inspect` output (a JSON array of containers).
pub fn docker_inspect(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let output = minpriv_readers::docker_inspect::read(text);
    check(text, output);
}

/// Podman Quadlet units: systemd unit syntax, keys turned into `podman run` flags. A `.pod`
/// unit a container names resolves to nothing here.
pub fn quadlet(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let output = minpriv_readers::quadlet::read(text, &minpriv_readers::NoResolver);
    check(text, output);
}

/// Image archives: `docker save` tarballs and OCI layouts in a tar, plain or gzip-compressed;
/// the tar headers, PAX records, nested layer tars and JSON manifests all come from the input.
pub fn image_archive(data: &[u8]) {
    let Ok(scan) = minpriv_engine::image::scan_image_reader(data, "fuzz") else {
        return;
    };
    let output = scan.into_output();
    // An image's findings have no spans (there is no text to point into).
    check("", output);
}

/// An environment for [`compose`]: variables named `SET...` are set, nothing else exists.
struct FuzzEnvironment;

impl Resolver for FuzzEnvironment {
    fn read_relative(&self, _relative: &str) -> Option<String> {
        None
    }
    fn env(&self, name: &str) -> Option<String> {
        name.starts_with("SET").then(|| format!("value-of-{name}"))
    }
}

/// Runs the rules and the reporters on what a reader returned, and checks every span.
fn check(text: &str, output: ReadOutput) {
    for error in &output.errors {
        check_span(text, error.span, "an input error");
    }
    for workload in &output.workloads {
        check_span(text, workload.span, "a workload");
    }
    let findings = minpriv_rules::check_workloads(&output.workloads, &Profile::default());
    check_findings(text, &findings);
    // Pod Security at baseline and an old version takes other paths (annotations, overrides).
    let mut old_baseline = Profile::baseline();
    old_baseline.pss_version = minpriv_rules::PssVersion::v1(18);
    check_findings(
        text,
        &minpriv_rules::check_workloads(&output.workloads, &old_baseline),
    );
    let report = ScanReport {
        files: vec![FileResult {
            path: "fuzz".to_string(),
            source_text: text.to_string(),
            findings,
            workloads: output.workloads,
            ..FileResult::default()
        }],
        files_scanned: 1,
        ..ScanReport::default()
    };
    let options = ReportOptions {
        posture: true,
        ..ReportOptions::default()
    };
    let _ = minpriv_report::text::render(&report, &options);
    let _ = minpriv_report::json::to_string(&report, &options);
    let _ = minpriv_report::sarif::to_string(&report);
}

fn check_findings(text: &str, findings: &[Finding]) {
    for finding in findings {
        check_span(text, finding.span, finding.rule);
    }
}

/// A span must lie inside `text` and start and end on character boundaries.
fn check_span(text: &str, span: Option<Span>, what: &str) {
    let Some(span) = span else {
        return;
    };
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "the span of {what} ({}..{}) is outside the {}-byte input",
        span.start,
        span.end,
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "the span of {what} ({}..{}) splits a character",
        span.start,
        span.end
    );
}

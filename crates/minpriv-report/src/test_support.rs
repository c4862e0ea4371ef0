//! A hand-built scan for the reporters' tests: a privileged Kubernetes Deployment and a Compose
//! service with the Docker socket, as the readers and rules would have produced them.

use crate::{FileResult, Note, ScanReport};
use minpriv_model::{
    Container, ContainerRole, Finding, LineIndex, Located, Mount, MountKind, Origin, Posture,
    Runtime, Severity, Source, Span, Workload,
};

pub(crate) const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
";

pub(crate) const COMPOSE: &str = "\
services:
  web:
    image: nginx
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
";

/// The span of the first occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str) -> Span {
    span_after(text, "", needle)
}

/// The span of the first occurrence of `needle` after the first occurrence of `context`.
fn span_after(text: &str, context: &str, needle: &str) -> Span {
    let from = text.find(context).unwrap_or(0);
    let start = from + text[from..].find(needle).unwrap_or(0);
    LineIndex::new(text).span(text, start, start + needle.len())
}

fn finding(
    rule: &'static str,
    severity: Severity,
    message: &str,
    span: Span,
    source: Source,
    resource: &str,
    remediation: &str,
) -> Finding {
    Finding {
        rule,
        severity,
        message: message.into(),
        span: Some(span),
        source,
        resource: resource.into(),
        container: Some(
            if source == Source::Compose {
                "web"
            } else {
                "app"
            }
            .into(),
        ),
        remediation: remediation.into(),
        suppressed: None,
        pss_control: None,
        overlays: Vec::new(),
    }
}

fn deployment() -> FileResult {
    let text = DEPLOYMENT;
    let anchor = span_after(text, "- name:", "app");
    let privileged_at = span_of(text, "privileged: true");
    let mut posture = Posture::defaults(Runtime::Containerd, Some(anchor));
    posture.privileged = Located::written(true, Some(privileged_at));
    posture.image = Located::written(Some("nginx:1.25".into()), Some(span_of(text, "nginx:1.25")));
    let mut writable = finding(
        "writable-rootfs",
        Severity::Low,
        "container 'app' can write its root filesystem",
        anchor,
        Source::Kubernetes,
        "Deployment/web",
        "set securityContext.readOnlyRootFilesystem: true",
    );
    writable.suppressed = Some("scratch space is a tmpfs".into());
    FileResult {
        path: "deploy/web.yaml".into(),
        source_text: text.into(),
        findings: vec![
            finding(
                "privileged",
                Severity::Critical,
                "container 'app' runs in privileged mode: it has every capability and all host devices",
                privileged_at,
                Source::Kubernetes,
                "Deployment/web",
                "remove securityContext.privileged or set it to false",
            ),
            finding(
                "runs-as-root",
                Severity::High,
                "container 'app' may run as root: no user is set and the user of image 'nginx:1.25' is not known here",
                anchor,
                Source::Kubernetes,
                "Deployment/web",
                "set securityContext.runAsNonRoot: true and a non-zero runAsUser",
            ),
            writable,
        ],
        workloads: vec![Workload {
            source: Source::Kubernetes,
            resource: "Deployment/web".into(),
            span: Some(span_of(text, "apiVersion")),
            containers: vec![Container {
                name: Some("app".into()),
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        }],
        ..FileResult::default()
    }
}

fn compose() -> FileResult {
    let text = COMPOSE;
    let anchor = span_of(text, "web");
    let image_at = span_after(text, "image:", "nginx");
    let mut posture = Posture::defaults(Runtime::Docker, Some(anchor));
    posture.image = Located::written(Some("nginx".into()), Some(image_at));
    posture.image_user = Located::new(None, Origin::Unknown, Some(anchor));
    posture.mounts.push(Mount {
        kind: MountKind::Bind,
        host_path: Some("/var/run/docker.sock".into()),
        container_path: Some("/var/run/docker.sock".into()),
        read_only: false,
        span: Some(span_of(text, "/var/run/docker.sock:/var/run/docker.sock")),
    });
    FileResult {
        path: "compose.yaml".into(),
        source_text: text.into(),
        findings: vec![finding(
            "image-latest-tag",
            Severity::Medium,
            "service 'web' uses image 'nginx' without a tag, which means 'latest'",
            image_at,
            Source::Compose,
            "service/web",
            "pin the image to a version tag, better a digest",
        )],
        workloads: vec![Workload {
            source: Source::Compose,
            resource: "service/web".into(),
            span: Some(anchor),
            containers: vec![Container {
                name: Some("web".into()),
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        }],
        ..FileResult::default()
    }
}

/// Two files, three findings shown (critical, high, medium), one suppressed (low), one note.
pub(crate) fn sample_report() -> ScanReport {
    ScanReport {
        files: vec![compose(), deployment()],
        notes: vec![
            Note::about(
                Some("charts/web".into()),
                "3 Helm template files skipped: pipe `helm template` output into `minpriv scan -`",
            ),
            Note {
                path: Some("deploy/web.yaml".into()),
                line: Some(11),
                column: Some(30),
                message: "`minpriv:ignore host-pid` suppresses nothing here".into(),
            },
        ],
        files_scanned: 2,
        errors: Vec::new(),
    }
}

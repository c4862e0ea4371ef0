use super::{Syntax, finding, subject};
use crate::remediation::{self, ImageFix};
use minpriv_model::Step;
use minpriv_model::hardening::DEFAULT_UID;
use minpriv_model::{Container, Finding, RootStatus, Source, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container's process runs, or may run, as uid 0. The user is decided the
    /// way the runtime decides it: Kubernetes' `runAsUser`, then `runAsNonRoot`, then the user
    /// set on the container (`--user`, `user:`), then the image's `USER`. When the deciding
    /// setting is outside the input (an image built elsewhere, an unresolved `${UID}`), the
    /// finding says the container *may* run as root, and why. A Kubernetes container with
    /// `runAsUser: 0` and `runAsNonRoot: true` (after the pod's values are inherited) is
    /// reported as the kubelet sees it: a container that never starts.
    ///
    /// ## Why it matters
    /// Root in a container is still root: it holds every capability the container has, owns
    /// every file of the image, and reads and writes root-owned files in every mount. Most
    /// container escapes start from root, and after one, a root process is root on the host
    /// unless user namespaces remap it. A non-root process turns many of those escapes into
    /// dead ends.
    ///
    /// ## Example
    /// Dockerfile:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY . /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run --user root node:22-alpine
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/node:22-alpine
    /// User=root
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-alpine
    ///     user: "0"
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: node:22-alpine
    /// ```
    ///
    /// ## Use instead
    /// Run as a numeric, non-zero uid. Numeric, because Kubernetes can only verify
    /// `runAsNonRoot` for a numeric user.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY --chown=10001:10001 . /app
    /// USER 10001:10001
    /// CMD ["node", "/app/server.js"]
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run --user 10001:10001 node:22-alpine
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/node:22-alpine
    /// User=10001
    /// Group=10001
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-alpine
    ///     user: "10001:10001"
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: node:22-alpine
    ///       securityContext:
    ///         runAsNonRoot: true
    ///         runAsUser: 10001
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, restricted: Running as Non-root](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    /// - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    /// - CIS Docker Benchmark 4.1
    /// - Peers: Trivy KSV-0012 / DS-0002, Checkov CKV_K8S_23 / CKV_DOCKER_3, hadolint DL3002
    pub struct RunsAsRoot {
        id: "runs-as-root",
        severity: High,
        summary: "the container's process runs, or may run, as uid 0",
        applies_to: [Kubernetes, Compose, Dockerfile, DockerRun, Quadlet, DockerInspect, DockerEngine, Image],
        fixes: [step()],
        check: check,
    }
}

const ATTACKER_GETS: &str = "code an attacker runs in it holds every capability the container has, and a breakout lands as root on the host unless user namespaces remap it";

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::run_as_uid(DEFAULT_UID, Some(DEFAULT_UID))
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let posture = &container.posture;
    let who = subject(workload, container);
    // runAsUser: 0 with runAsNonRoot: true (after inheritance) never runs: the kubelet checks
    // the one against the other and refuses to create the container.
    if workload.source == Source::Kubernetes
        && posture.run_as_user.value == Some(0)
        && posture.run_as_non_root.value == Some(true)
    {
        out.push(finding(
            RunsAsRoot::INFO,
            workload,
            container,
            posture.locate(&posture.run_as_user),
            format!(
                "{who} sets runAsUser: 0 together with runAsNonRoot: true: the kubelet refuses to start it (CreateContainerConfigError: container's runAsUser breaks non-root policy)"
            ),
            "set runAsUser to a non-zero uid the image can run as (e.g. 10001), and keep runAsNonRoot: true".into(),
        ));
        return;
    }
    let (message, span) = match posture.root_status() {
        RootStatus::NonRoot { .. } => return,
        RootStatus::Root { reason, span } => (
            format!("{who} runs as root ({reason}): {ATTACKER_GETS}"),
            span,
        ),
        RootStatus::MayBeRoot { reason, span } => (
            format!("{who} may run as root ({reason}): if it does, {ATTACKER_GETS}"),
            span,
        ),
    };
    let remediation = remediation::image(Syntax::of(workload.source), &ImageFix::Step(&step()));
    out.push(finding(
        RunsAsRoot::INFO,
        workload,
        container,
        span.or(posture.anchor),
        message,
        remediation,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_as_user_zero_with_run_as_non_root_is_a_container_that_never_starts() {
        use crate::rules::test_support::*;
        let mut p = posture(Source::Kubernetes);
        p.run_as_non_root = written(Some(true), 8);
        p.run_as_user = written(Some(0), VALUE_LINE);
        let findings = run(&RunsAsRoot, Source::Kubernetes, p.clone());
        let f = assert_one(&findings, RunsAsRoot::INFO, VALUE_LINE);
        assert!(
            f.message.contains("the kubelet refuses to start it"),
            "{}",
            f.message
        );
        p.run_as_non_root = written(Some(false), 8);
        let f = &run(&RunsAsRoot, Source::Kubernetes, p)[0];
        assert!(
            f.message.contains("runs as root (runAsUser is 0)"),
            "{}",
            f.message
        );
    }
    use crate::rules::test_support::*;
    use minpriv_model::{Located, Origin, Source};

    #[test]
    fn a_dockerfile_without_user_runs_as_root() {
        for source in [Source::Dockerfile, Source::Image] {
            let mut p = posture(source);
            p.image_user = Located::new(None, Origin::Image, at(ANCHOR_LINE));
            let findings = run(&RunsAsRoot, source, p);
            let f = assert_one(&findings, RunsAsRoot::INFO, ANCHOR_LINE);
            assert!(
                f.message
                    .starts_with("the image runs as root (the image sets no USER")
            );
            assert!(f.remediation.contains("USER 10001:10001"));
        }
    }

    #[test]
    fn an_explicit_root_user_is_reported_at_the_user() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.user = written(Some("0".into()), VALUE_LINE);
            let findings = run(&RunsAsRoot, source, p);
            let f = assert_one(&findings, RunsAsRoot::INFO, VALUE_LINE);
            assert!(
                f.message.contains("runs as root (the user is '0')"),
                "{}",
                f.message
            );
        }
        let mut p = posture(Source::Dockerfile);
        p.image_user = written(Some("root".into()), VALUE_LINE);
        assert_one(
            &run(&RunsAsRoot, Source::Dockerfile, p),
            RunsAsRoot::INFO,
            VALUE_LINE,
        );
    }

    #[test]
    fn run_as_user_zero_is_reported_at_its_value() {
        let mut p = posture(Source::Kubernetes);
        p.run_as_non_root = written(Some(false), 8);
        p.run_as_user = written(Some(0), VALUE_LINE);
        let findings = run(&RunsAsRoot, Source::Kubernetes, p);
        let f = assert_one(&findings, RunsAsRoot::INFO, VALUE_LINE);
        assert!(f.message.contains("runAsUser is 0"));
        assert!(f.remediation.contains("runAsNonRoot: true"));
    }

    #[test]
    fn an_unknown_image_user_may_be_root() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.image = written(Some("node:22-alpine".into()), 12);
            let findings = run(&RunsAsRoot, source, p);
            let f = assert_one(&findings, RunsAsRoot::INFO, ANCHOR_LINE);
            assert!(f.message.contains("may run as root"), "{}", f.message);
            assert!(f.message.contains("node:22-alpine"), "{}", f.message);
        }
    }

    #[test]
    fn an_unresolved_user_may_be_root() {
        let mut p = posture(Source::Compose);
        p.user = written(Some("${UID}".into()), VALUE_LINE);
        let findings = run(&RunsAsRoot, Source::Compose, p);
        let f = assert_one(&findings, RunsAsRoot::INFO, VALUE_LINE);
        assert!(f.message.contains("may run as root"));
    }

    #[test]
    fn non_root_users_are_silent() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.user = written(Some("10001:10001".into()), VALUE_LINE);
            assert!(run(&RunsAsRoot, source, p).is_empty());
        }
        let mut p = posture(Source::Kubernetes);
        p.run_as_non_root = written(Some(true), 8);
        p.run_as_user = written(Some(10001), VALUE_LINE);
        assert!(run(&RunsAsRoot, Source::Kubernetes, p).is_empty());
        let mut p = posture(Source::Dockerfile);
        p.image_user = written(Some("10001:10001".into()), VALUE_LINE);
        assert!(run(&RunsAsRoot, Source::Dockerfile, p).is_empty());
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.user = written(Some("root".into()), VALUE_LINE);
            run(&RunsAsRoot, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Compose).contains("user: \"10001:10001\""));
        assert!(remediation(Source::DockerRun).contains("--user 10001:10001"));
    }
}

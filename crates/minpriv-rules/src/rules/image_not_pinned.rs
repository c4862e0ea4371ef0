use super::{Syntax, finding, parsed_image, uses_image};
use crate::remediation::{self, ImageFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the image reference lacks a digest (`@sha256:...`), whatever its tag.
    /// `scratch` and references that cannot be resolved here (`${IMAGE}`) are skipped. Info
    /// level: shown only when asked for (`--min-severity info`).
    ///
    /// ## Why it matters
    /// A tag, even a version tag, is a pointer its owner (or anyone who takes over the
    /// registry account) can move to a different image. A digest names the exact content, so
    /// every pull gets the image that was reviewed, and a swapped image fails to pull instead
    /// of running.
    ///
    /// ## Example
    /// Dockerfile:
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// Keep the tag for people and add the digest for machines; `docker buildx imagetools
    /// inspect IMAGE` prints it, and tools such as Renovate keep it current.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM python:3.13-slim@sha256:<digest>
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run nginx:1.27@sha256:<digest>
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27@sha256:<digest>
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27@sha256:<digest>
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27@sha256:<digest>
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Images, image names and digests](https://kubernetes.io/docs/concepts/containers/images/#image-names)
    /// - [Docker: Pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - Peers: Checkov CKV_K8S_43, Kyverno `require-image-checksum`, compose-lint CL-0019
    pub struct ImageNotPinned {
        id: "image-not-pinned",
        severity: Info,
        summary: "the image is not pinned by digest",
        applies_to: [Kubernetes, Compose, Dockerfile, DockerRun, Quadlet, DockerInspect, DockerEngine, Image],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let posture = &container.posture;
    let Some((reference, image)) = parsed_image(posture) else {
        return;
    };
    if image.digest.is_some() {
        return;
    }
    let remediation =
        remediation::image(Syntax::of(workload.source), &ImageFix::PinDigest(reference));
    out.push(finding(
        ImageNotPinned::INFO,
        workload,
        container,
        posture.locate(&posture.image),
        format!(
            "{}, which is not pinned by digest: whoever can push its tag decides what runs next",
            uses_image(workload, container, reference)
        ),
        format!("{remediation} (`docker buildx imagetools inspect {reference}` prints the digest)"),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    fn with_image(source: Source, image: &str) -> Vec<Finding> {
        let mut p = posture(source);
        p.image = written(Some(image.into()), VALUE_LINE);
        run(&ImageNotPinned, source, p)
    }

    #[test]
    fn tags_without_digest_are_reported_at_the_image() {
        for source in ALL_SOURCES {
            for image in ["nginx", "nginx:1.27", "ghcr.io/acme/api:2"] {
                let findings = with_image(source, image);
                let f = assert_one(&findings, ImageNotPinned::INFO, VALUE_LINE);
                assert!(f.message.contains("not pinned by digest"));
                assert!(f.remediation.contains(&format!("{image}@sha256:<digest>")));
            }
        }
    }

    #[test]
    fn digests_scratch_and_variables_are_silent() {
        for source in ALL_SOURCES {
            for image in [
                "nginx@sha256:0123abcd",
                "nginx:1.27@sha256:0123abcd",
                "scratch",
                "${IMAGE}",
            ] {
                assert!(with_image(source, image).is_empty(), "{image} on {source}");
            }
            assert!(run(&ImageNotPinned, source, posture(source)).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        assert!(
            with_image(Source::Dockerfile, "python:3.13")[0]
                .remediation
                .starts_with("build FROM python:3.13@sha256:<digest>")
        );
        assert!(
            with_image(Source::Compose, "nginx:1")[0]
                .remediation
                .starts_with("set the service's image")
        );
    }
}

use super::{Syntax, finding, image_name, parsed_image, uses_image};
use crate::remediation::{self, ImageFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the image has the tag `latest`, or no tag at all (which means `latest`), and no
    /// digest. An image pinned by digest is exactly that image whatever its tag says, so it is
    /// not reported. `scratch` and references that cannot be resolved here (`${IMAGE}`) are
    /// skipped.
    ///
    /// ## Why it matters
    /// `latest` is whatever was pushed last. Every pull can bring a different image, so what
    /// runs in production is not what was tested or reviewed, a rollback cannot return to the
    /// old image, and a compromised build or registry account reaches every deployment on its
    /// next restart.
    ///
    /// ## Example
    /// Dockerfile:
    /// ```dockerfile
    /// FROM python
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run nginx:latest
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:latest
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:latest
    /// ```
    ///
    /// ## Use instead
    /// Name a version, and pin it by digest where you can.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM python:3.13-slim@sha256:<digest>
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run nginx:1.27
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
    ///     image: nginx:1.27
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
    /// - [Kubernetes: Images, image names and tags](https://kubernetes.io/docs/concepts/containers/images/#image-names)
    /// - [Docker: Pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - Peers: hadolint DL3006 / DL3007, Trivy KSV-0013 / DS-0001, KubeLinter `latest-tag`
    pub struct ImageLatestTag {
        id: "image-latest-tag",
        severity: Medium,
        summary: "the image has the tag latest or no tag",
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
    let uses = uses_image(workload, container, reference);
    let message = match image.tag.as_deref() {
        None => format!(
            "{uses} with no tag, which means latest: whatever is pushed next runs on the next pull, so what runs is not what was reviewed"
        ),
        Some("latest") => format!(
            "{uses}, whose tag latest moves: whatever is pushed next runs on the next pull, so what runs is not what was reviewed"
        ),
        Some(_) => return,
    };
    let name = image_name(reference);
    let remediation = remediation::image(Syntax::of(workload.source), &ImageFix::VersionTag(name));
    out.push(finding(
        ImageLatestTag::INFO,
        workload,
        container,
        posture.locate(&posture.image),
        message,
        remediation,
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
        run(&ImageLatestTag, source, p)
    }

    #[test]
    fn untagged_and_latest_images_are_reported_at_the_image() {
        for source in ALL_SOURCES {
            let findings = with_image(source, "nginx");
            let f = assert_one(&findings, ImageLatestTag::INFO, VALUE_LINE);
            assert!(
                f.message
                    .contains("'nginx' with no tag, which means latest"),
                "{}",
                f.message
            );
            let findings = with_image(source, "ghcr.io/acme/api:latest");
            let f = assert_one(&findings, ImageLatestTag::INFO, VALUE_LINE);
            assert!(f.message.contains("whose tag latest moves"));
            assert!(
                f.remediation
                    .contains("ghcr.io/acme/api:<version>@sha256:<digest>")
            );
        }
    }

    #[test]
    fn dockerfiles_speak_of_the_base_image() {
        let f = &with_image(Source::Dockerfile, "python")[0];
        assert!(
            f.message
                .starts_with("the image builds on 'python' with no tag")
        );
        assert!(
            f.remediation
                .contains("FROM python:<version>@sha256:<digest>")
        );
    }

    #[test]
    fn versions_digests_scratch_and_variables_are_silent() {
        for source in ALL_SOURCES {
            for image in [
                "nginx:1.27",
                "nginx@sha256:0123abcd",
                "nginx:latest@sha256:0123abcd",
                "localhost:5000/app:2",
                "scratch",
                "${IMAGE}",
            ] {
                assert!(with_image(source, image).is_empty(), "{image} on {source}");
            }
            assert!(run(&ImageLatestTag, source, posture(source)).is_empty());
        }
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        let findings = with_image(Source::Compose, "localhost:5000/app");
        assert_one(&findings, ImageLatestTag::INFO, VALUE_LINE);
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        assert!(
            with_image(Source::Kubernetes, "nginx")[0]
                .remediation
                .starts_with("set the container's image")
        );
        assert!(
            with_image(Source::Compose, "nginx")[0]
                .remediation
                .starts_with("set the service's image")
        );
        assert!(
            with_image(Source::DockerRun, "nginx")[0]
                .remediation
                .starts_with("run a version tag")
        );
    }
}

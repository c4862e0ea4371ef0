use super::{Syntax, finding, parsed_image, uses_image};
use crate::CheckContext;
use crate::remediation::{self, ImageFix};
use minpriv_model::{Container, Finding, ImageRef, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the image comes from a registry outside the policy's allow-list. Runs only when
    /// an allow-list is configured (the profile's `allowed_registries`, filled from the
    /// configuration file); without one there is nothing to be untrusted against and the rule
    /// stays silent. An entry is a registry (`ghcr.io`) or a registry path prefix
    /// (`ghcr.io/acme`, `docker.io/library`); Docker Hub images count as `docker.io`, and
    /// official ones as `docker.io/library/NAME`. `scratch` and references that cannot be
    /// resolved here (`${IMAGE}`) are skipped.
    ///
    /// ## Why it matters
    /// An image runs with every privilege its container is given. One from a registry nobody
    /// vetted, a typo-squatted Docker Hub name, or a personal account has no review, no
    /// scanning and no one accountable for what it ships, and it can change under you at any
    /// time.
    ///
    /// ## Example
    /// With `allowed_registries = ["ghcr.io/acme", "docker.io/library"]`:
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM randomuser/python-tools:1.0
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run quay.io/someone/redis:7
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=quay.io/someone/redis:7
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: quay.io/someone/redis:7
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.net/app:1.2
    /// ```
    ///
    /// ## Use instead
    /// Use images from the allowed registries; mirror a third-party image into your own
    /// registry after review.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// ```
    /// Docker run:
    /// ```sh
    /// docker run redis:7.4
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=ghcr.io/acme/redis:7.4
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: ghcr.io/acme/redis:7.4
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: ghcr.io/acme/app:1.2
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Images](https://kubernetes.io/docs/concepts/containers/images/)
    /// - [Docker: Content trust](https://docs.docker.com/engine/security/trust/)
    /// - CIS Docker Benchmark 4.2
    /// - Peers: hadolint DL3026 (`trustedRegistries`), Kyverno `restrict-image-registries`, Gatekeeper `K8sAllowedRepos`
    pub struct ImageUntrustedRegistry {
        id: "image-untrusted-registry",
        severity: High,
        summary: "the image comes from a registry outside the policy's allow-list (only when one is configured)",
        applies_to: [Kubernetes, Compose, Dockerfile, DockerRun, Quadlet, DockerInspect, DockerEngine, Image],
        check_with_context: check,
    }
}

fn check(
    context: &CheckContext<'_>,
    workload: &Workload,
    container: &Container,
    out: &mut Vec<Finding>,
) {
    if context.allowed_registries.is_empty() {
        return;
    }
    let posture = &container.posture;
    let Some((reference, image)) = parsed_image(posture) else {
        return;
    };
    if is_allowed(&image, context.allowed_registries) {
        return;
    }
    let allowed = context.allowed_registries.join(", ");
    let change = remediation::image(Syntax::of(workload.source), &ImageFix::OtherRegistry);
    out.push(finding(
        ImageUntrustedRegistry::INFO,
        workload,
        container,
        posture.locate(&posture.image),
        format!(
            "{}, from {}/{}, which is outside the allowed registries ({allowed}): code from an unvetted source runs with this container's privileges",
            uses_image(workload, container, reference),
            image.registry,
            image.repository,
        ),
        format!(
            "{change} from an allowed registry ({allowed}), for example a reviewed mirror, or add the registry to the allow-list"
        ),
    ));
}

/// True when `image`'s `registry/repository` equals an entry or lies under it.
fn is_allowed(image: &ImageRef, allowed: &[String]) -> bool {
    let full = image.registry_path();
    allowed
        .iter()
        .filter_map(|entry| ImageRef::registry_prefix(entry))
        .any(|prefix| {
            full == prefix
                || full
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    fn allow(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| e.to_string()).collect()
    }

    fn with_image(source: Source, image: &str, allowed: &[String]) -> Vec<Finding> {
        let mut p = posture(source);
        p.image = written(Some(image.into()), VALUE_LINE);
        let context = CheckContext {
            allowed_registries: allowed,
            ..CheckContext::RESTRICTED
        };
        run_with(&ImageUntrustedRegistry, &context, source, p)
    }

    #[test]
    fn images_outside_the_allow_list_are_reported_at_the_image() {
        let allowed = allow(&["ghcr.io/acme", "docker.io/library"]);
        for source in ALL_SOURCES {
            for image in [
                "quay.io/someone/redis:7",
                "randomuser/tools:1",
                "ghcr.io/acme-evil/app:1",
            ] {
                let findings = with_image(source, image, &allowed);
                let f = assert_one(&findings, ImageUntrustedRegistry::INFO, VALUE_LINE);
                assert!(
                    f.message.contains(
                        "outside the allowed registries (ghcr.io/acme, docker.io/library)"
                    )
                );
                assert!(f.remediation.contains("from an allowed registry"));
            }
        }
    }

    #[test]
    fn images_under_an_entry_are_silent() {
        let allowed = allow(&[
            "ghcr.io/acme/",
            "index.docker.io/library",
            "Registry.Example.com:5000",
        ]);
        for source in ALL_SOURCES {
            for image in [
                "ghcr.io/acme/api:2",
                "ghcr.io/acme/team/api:2",
                "nginx:1.27",
                "docker.io/library/redis:7",
                "registry.example.com:5000/app:1",
                "scratch",
                "${IMAGE}",
            ] {
                assert!(
                    with_image(source, image, &allowed).is_empty(),
                    "{image} on {source}"
                );
            }
        }
    }

    #[test]
    fn without_an_allow_list_the_rule_is_silent() {
        for source in ALL_SOURCES {
            assert!(with_image(source, "quay.io/someone/redis:7", &[]).is_empty());
            let mut p = posture(source);
            p.image = written(Some("quay.io/someone/redis:7".into()), VALUE_LINE);
            assert!(run(&ImageUntrustedRegistry, source, p).is_empty());
        }
    }
}

//! Image references, normalised the way Docker resolves them.

use serde::Serialize;

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The registry host (`docker.io` when none is written).
    pub registry: String,
    /// The repository path (`library/nginx` for an official image on Docker Hub).
    pub repository: String,
    /// The tag as written, if any.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference. Returns `None` for text that cannot be an image reference (empty, or
    /// holding an unexpanded variable or template).
    pub fn parse(reference: &str) -> Option<ImageRef> {
        let r = reference.trim();
        if r.is_empty() || r.contains(['$', '{', '}', ' ']) {
            return None;
        }
        let (rest, digest) = match r.split_once('@') {
            Some((a, d)) => (a, Some(d.to_string())),
            None => (r, None),
        };
        // A tag is after the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        if name.is_empty() {
            return None;
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, remainder))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), remainder.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef {
            registry,
            repository: repository.to_ascii_lowercase(),
            tag,
            digest,
        })
    }

    /// `registry/repository` in lower case: what an allow-list entry
    /// ([`ImageRef::registry_prefix`]) is compared with.
    pub fn registry_path(&self) -> String {
        format!("{}/{}", self.registry, self.repository).to_ascii_lowercase()
    }

    /// An allow-list entry (`ghcr.io/acme/`, `index.docker.io/library`) written the way
    /// [`ImageRef::registry_path`] writes images: trimmed, lower case, no trailing `/`, Docker
    /// Hub's other names as `docker.io`. `None` for an empty entry, which allows nothing.
    pub fn registry_prefix(entry: &str) -> Option<String> {
        let entry = entry.trim().trim_end_matches('/').to_ascii_lowercase();
        let entry = ["index.docker.io", "registry-1.docker.io"]
            .iter()
            .find_map(|alias| {
                entry
                    .strip_prefix(alias)
                    .map(|rest| format!("docker.io{rest}"))
            })
            .unwrap_or(entry);
        (!entry.is_empty()).then_some(entry)
    }

    /// The tag in force: the written one, else `latest` when no digest pins the image.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }

    /// True when `self` and `other` name the same image, as a vulnerability report is matched
    /// to a container: by digest when both are pinned by one (the digest is the content,
    /// whatever the repository or tag), else by registry, repository and the tag in force
    /// (`nginx` is `docker.io/library/nginx:latest`). A digest-only reference matches a tag
    /// only through the digest: the tag may have moved since.
    pub fn matches(&self, other: &ImageRef) -> bool {
        match (&self.digest, &other.digest) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => {
                self.registry.eq_ignore_ascii_case(&other.registry)
                    && self.repository == other.repository
                    && self.effective_tag().is_some()
                    && self.effective_tag() == other.effective_tag()
            }
        }
    }

    /// The fully qualified form: `docker.io/library/nginx:latest`, with `@digest` when pinned.
    pub fn normalized(&self) -> String {
        let mut s = format!("{}/{}", self.registry, self.repository);
        if let Some(t) = self.effective_tag() {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases = [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.25", "docker.io/library/nginx:1.25"),
            ("library/nginx", "docker.io/library/nginx:latest"),
            ("docker.io/nginx", "docker.io/library/nginx:latest"),
            (
                "index.docker.io/library/nginx:1",
                "docker.io/library/nginx:1",
            ),
            ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
            ("ghcr.io/org/app:v1", "ghcr.io/org/app:v1"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
            (
                "registry.example.com:443/team/app:2.0",
                "registry.example.com:443/team/app:2.0",
            ),
            ("nginx@sha256:abc", "docker.io/library/nginx@sha256:abc"),
            (
                "nginx:1.25@sha256:abc",
                "docker.io/library/nginx:1.25@sha256:abc",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                ImageRef::parse(input).unwrap().normalized(),
                want,
                "{input}"
            );
        }
        assert!(ImageRef::parse("${IMAGE}").is_none());
        assert!(ImageRef::parse("").is_none());
        assert_eq!(ImageRef::parse("nginx").unwrap().tag, None);
    }

    #[test]
    fn matching_table() {
        let cases = [
            // Normalisation: the same image written differently.
            ("nginx", "docker.io/library/nginx:latest", true),
            ("nginx", "index.docker.io/library/nginx", true),
            ("library/nginx:1.25", "nginx:1.25", true),
            ("GHCR.io/org/app:v1", "ghcr.io/org/app:v1", true),
            ("localhost:5000/app", "localhost:5000/app:latest", true),
            // Different tags, repositories or registries.
            ("nginx:1.25", "nginx:1.26", false),
            ("nginx", "nginx:1.25", false),
            ("nginx:1.25", "ghcr.io/library/nginx:1.25", false),
            ("bitnami/nginx:1.25", "nginx:1.25", false),
            // Digests decide when both have one, whatever the names say.
            ("nginx:1.25@sha256:aaa", "nginx@sha256:aaa", true),
            (
                "mirror.example/nginx@sha256:aaa",
                "nginx:1.25@sha256:AAA",
                true,
            ),
            ("nginx:1.25@sha256:aaa", "nginx:1.25@sha256:bbb", false),
            // One digest: the names decide, and a digest-only name has no tag to compare.
            ("nginx:1.25@sha256:aaa", "nginx:1.25", true),
            ("nginx@sha256:aaa", "nginx:latest", false),
        ];
        for (a, b, want) in cases {
            let (ra, rb) = (ImageRef::parse(a).unwrap(), ImageRef::parse(b).unwrap());
            assert_eq!(ra.matches(&rb), want, "{a} ~ {b}");
            assert_eq!(rb.matches(&ra), want, "{b} ~ {a} (symmetric)");
        }
    }
}

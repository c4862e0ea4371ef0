//! Deciding what a file is, by its name first and its first bytes second.

use std::path::Path;

/// The input formats a file can be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Kubernetes manifests (YAML or JSON, multi-document, `List`).
    Kubernetes,
    /// A Compose file.
    Compose,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A shell script, Makefile, Justfile or Jenkinsfile: `docker run` lines inside.
    Shell,
    /// A GitHub Actions workflow: `docker run` lines in `run:` steps.
    GithubActions,
    /// A GitLab CI file: `docker run` lines in `script:` sections.
    GitlabCi,
    /// `docker inspect` output: a JSON array of container objects.
    DockerInspect,
    /// A Podman Quadlet unit: `.container`, `.pod`, `.kube`.
    Quadlet,
    /// A YAML or JSON file whose content decides (Compose or Kubernetes).
    Yaml,
}

/// How many bytes of a file content sniffing looks at.
pub const SNIFF_BYTES: usize = 4096;

/// Decides the format of the file at `path` from its name and, for names that do not decide,
/// from `head`, the first [`SNIFF_BYTES`] of its content. `None`: not a file minpriv reads.
pub fn detect_format(path: &Path, head: &[u8]) -> Option<Format> {
    // A name that is not UTF-8 is judged by its lossy form: `bad\xff.Dockerfile` is still a
    // Dockerfile, and is read and reported under its lossy path.
    let name = path.file_name()?.to_string_lossy();
    let name = name.as_ref();
    let lower = name.to_ascii_lowercase();
    if let Some(f) = format_by_name(path, name, &lower) {
        return Some(f);
    }
    let head = std::str::from_utf8(head).unwrap_or_else(|e| {
        // The sniff window may cut a character in two.
        std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
    });
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        // GitLab keeps the files `.gitlab-ci.yml` includes under `.gitlab/` (`.gitlab/ci/*.yml`);
        // a Kubernetes manifest kept there is still one.
        Some("yaml" | "yml") if in_gitlab_folder(path) => Some(if looks_like_k8s(head) {
            Format::Yaml
        } else {
            Format::GitlabCi
        }),
        Some("yaml" | "yml") => looks_like_k8s_or_compose(head).then_some(Format::Yaml),
        Some("json") if looks_like_docker_inspect(head) => Some(Format::DockerInspect),
        Some("json") => (head.contains("\"apiVersion\"") && head.contains("\"kind\""))
            .then_some(Format::Kubernetes),
        Some(_) if !lower.ends_with(".sh") && !lower.ends_with(".bash") => None,
        _ => {
            // A script without an extension, recognised by its shebang.
            let first = head.lines().next().unwrap_or("");
            (first.starts_with("#!") && (first.contains("sh") || first.contains("bash")))
                .then_some(Format::Shell)
        }
    }
}

/// False when the name of the file at `path` already rules it out, whatever its content:
/// [`detect_format`] returns `None` for it with any `head` (`main.go`, `README.md`). Such files
/// need not be opened at all, which is most files of a source repository.
pub fn name_may_be_read(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    if format_by_name(path, &name, &lower).is_some() {
        return true;
    }
    // The content decides for YAML, JSON and names without an extension (the same cases as
    // in `detect_format`).
    match lower.rsplit_once('.').map(|(_, e)| e) {
        Some("yaml" | "yml" | "json") | None => true,
        Some(_) => lower.ends_with(".sh") || lower.ends_with(".bash"),
    }
}

fn format_by_name(path: &Path, name: &str, lower: &str) -> Option<Format> {
    if lower.ends_with(".container") || lower.ends_with(".pod") || lower.ends_with(".kube") {
        return Some(Format::Quadlet);
    }
    if name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Dockerfile-")
        || lower.ends_with(".dockerfile")
        || name.starts_with("Containerfile")
        || lower == "dockerfile"
    {
        return Some(Format::Dockerfile);
    }
    let yaml_ext = lower.ends_with(".yaml") || lower.ends_with(".yml");
    if yaml_ext
        && (lower.starts_with("docker-compose")
            || lower == "compose.yaml"
            || lower == "compose.yml"
            || lower.starts_with("compose."))
    {
        return Some(Format::Compose);
    }
    if yaml_ext && lower.ends_with("gitlab-ci.yml") || lower.ends_with("gitlab-ci.yaml") {
        return Some(Format::GitlabCi);
    }
    if yaml_ext {
        let parent = path.parent();
        let in_workflows = parent
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "workflows")
            && parent
                .and_then(|p| p.parent())
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == ".github");
        if in_workflows {
            return Some(Format::GithubActions);
        }
        return None;
    }
    let shell_names = [
        "makefile",
        "gnumakefile",
        "justfile",
        ".justfile",
        "jenkinsfile",
    ];
    if shell_names.contains(&lower)
        || lower.ends_with(".sh")
        || lower.ends_with(".bash")
        || lower.ends_with(".mk")
        || lower.ends_with(".jenkinsfile")
        || lower.starts_with("jenkinsfile.")
    {
        return Some(Format::Shell);
    }
    None
}

/// True when `path` is inside a folder named `.gitlab`.
fn in_gitlab_folder(path: &Path) -> bool {
    path.parent()
        .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == ".gitlab"))
}

/// True when YAML text has top-level `apiVersion` and `kind` keys near its start (a GitLab CI
/// file may mention both inside a script).
fn looks_like_k8s(head: &str) -> bool {
    let top_level = |key: &str| {
        head.lines()
            .any(|l| l.starts_with(key) || l.starts_with(&format!("- {key}")))
    };
    top_level("apiVersion:") && top_level("kind:")
}

/// True when YAML text has a top-level `apiVersion`/`kind` or `services` key near its start.
fn looks_like_k8s_or_compose(head: &str) -> bool {
    head.lines().any(|l| {
        l.starts_with("apiVersion:")
            || l.starts_with("kind:")
            || l.starts_with("services:")
            || l.starts_with("\"apiVersion\"")
            || l.trim_start().starts_with("- apiVersion:")
    }) || (head.contains("apiVersion") && head.contains("kind"))
}

/// True for the start of `docker inspect` output: a JSON array of objects with a `HostConfig`,
/// or one such object (`docker container inspect --format '{{json .}}'`). A Kubernetes object
/// (`apiVersion` and `kind`) is never one, whatever its fields hold.
fn looks_like_docker_inspect(head: &str) -> bool {
    let trimmed = head.trim_start();
    // Podman writes `HostConfig` last, often beyond the sniffed window; its runtime fields come
    // first (`podman inspect` of a container).
    let has_host_config = head.contains("\"HostConfig\"")
        || (head.contains("\"OciVersion\"") && head.contains("\"State\""))
        || head.contains("\"ConmonPidFile\"");
    if trimmed.starts_with('[') {
        return has_host_config;
    }
    trimmed.starts_with('{')
        && has_host_config
        && !(head.contains("\"apiVersion\"") && head.contains("\"kind\""))
}

/// Decides the format of text with no file name (standard input) from its content alone.
pub fn sniff_content(text: &str) -> Format {
    // A character may straddle the end of the window: cut before it, never inside it.
    let head = &text[..text.floor_char_boundary(SNIFF_BYTES)];
    let mut in_dockerfile = false;
    for line in head.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let upper = t
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if upper == "FROM" || upper == "ARG" {
            in_dockerfile = true;
        }
        break;
    }
    if in_dockerfile {
        return Format::Dockerfile;
    }
    if looks_like_docker_inspect(head) {
        return Format::DockerInspect;
    }
    if head.lines().any(|l| l.starts_with("services:")) {
        return Format::Compose;
    }
    if head.contains("apiVersion") && head.contains("kind") {
        return Format::Kubernetes;
    }
    if head.lines().any(|l| l.starts_with("jobs:")) && head.contains("runs-on") {
        return Format::GithubActions;
    }
    Format::Shell
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name(p: &str) -> Option<Format> {
        detect_format(Path::new(p), b"")
    }

    #[test]
    fn names_decide() {
        for p in [
            "Dockerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "x.dockerfile",
            "Containerfile",
            "Containerfile.arm",
        ] {
            assert_eq!(by_name(p), Some(Format::Dockerfile), "{p}");
        }
        for p in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.prod.yaml",
            "compose.override.yml",
        ] {
            assert_eq!(by_name(p), Some(Format::Compose), "{p}");
        }
        for p in ["run.sh", "Makefile", "justfile", "Jenkinsfile", "build.mk"] {
            assert_eq!(by_name(p), Some(Format::Shell), "{p}");
        }
        assert_eq!(
            by_name(".github/workflows/ci.yml"),
            Some(Format::GithubActions)
        );
        assert_eq!(by_name(".gitlab-ci.yml"), Some(Format::GitlabCi));
        assert_eq!(by_name(".gitlab/ci/build.yml"), Some(Format::GitlabCi));
        assert_eq!(by_name("repo/.gitlab/jobs.yaml"), Some(Format::GitlabCi));
        assert_eq!(by_name("gitlab/ci/build.yml"), None);
        assert_eq!(by_name("README.md"), None);
        assert_eq!(by_name("values.yaml"), None);
    }

    #[test]
    fn content_decides_for_yaml_json_and_scripts() {
        assert_eq!(
            detect_format(Path::new("deploy.yaml"), b"apiVersion: v1\nkind: Pod\n"),
            Some(Format::Yaml)
        );
        assert_eq!(
            detect_format(
                Path::new("stack.yml"),
                b"version: '3'\nservices:\n  a: {}\n"
            ),
            Some(Format::Yaml)
        );
        assert_eq!(
            detect_format(
                Path::new("pod.json"),
                br#"{"apiVersion": "v1", "kind": "Pod"}"#
            ),
            Some(Format::Kubernetes)
        );
        assert_eq!(
            detect_format(Path::new("package.json"), br#"{"name": "x"}"#),
            None
        );
        assert_eq!(
            detect_format(Path::new("deploy"), b"#!/usr/bin/env bash\ndocker run x\n"),
            Some(Format::Shell)
        );
        assert_eq!(detect_format(Path::new("notes"), b"hello"), None);
        // Under `.gitlab/`: GitLab CI, with its global `services:` list, unless a manifest.
        assert_eq!(
            detect_format(
                Path::new(".gitlab/ci/test.yml"),
                b"services: [docker:dind]\ntest:\n  script: [docker run x]\n"
            ),
            Some(Format::GitlabCi)
        );
        assert_eq!(
            detect_format(
                Path::new(".gitlab/agents/k8s/pod.yaml"),
                b"apiVersion: v1\nkind: Pod\n"
            ),
            Some(Format::Yaml)
        );
    }

    #[test]
    fn names_that_no_content_can_change_are_not_opened() {
        let heads: [&[u8]; 4] = [
            b"",
            b"apiVersion: v1\nkind: Pod\nservices:\n",
            b"#!/bin/sh\ndocker run x\n",
            br#"[{"HostConfig": {}, "apiVersion": "v1", "kind": "Pod"}]"#,
        ];
        for name in [
            "main.go",
            "README.md",
            "values.yaml.bak",
            "a.yaml.tmpl",
            ".bashrc",
            "x.txt",
            "Dockerfile",
            "compose.yaml",
            "deploy.yml",
            "pod.json",
            "run.sh",
            "deploy",
            "Makefile",
            ".github/workflows/ci.yml",
            ".gitlab-ci.yml",
            "x.bash",
        ] {
            let path = Path::new(name);
            let some = heads.iter().any(|h| detect_format(path, h).is_some());
            // Never false for a file some content makes readable.
            assert!(name_may_be_read(path) || !some, "{name}");
            if !name_may_be_read(path) {
                assert!(!some, "{name}");
            }
        }
        assert!(!name_may_be_read(Path::new("main.go")));
        assert!(!name_may_be_read(Path::new("README.md")));
        assert!(name_may_be_read(Path::new("deploy.yaml")));
        assert!(name_may_be_read(Path::new("entrypoint")));
    }

    #[test]
    fn stdin_is_sniffed() {
        assert_eq!(
            sniff_content("# syntax=docker/dockerfile:1\nFROM alpine\n"),
            Format::Dockerfile
        );
        assert_eq!(
            sniff_content("services:\n  web:\n    image: x\n"),
            Format::Compose
        );
        assert_eq!(
            sniff_content("apiVersion: v1\nkind: Pod\n"),
            Format::Kubernetes
        );
        assert_eq!(sniff_content("docker run --privileged x\n"), Format::Shell);
    }

    #[test]
    fn docker_inspect_is_an_array_or_one_object_with_host_config() {
        let array = "[\n    {\n        \"Id\": \"abc\",\n        \"HostConfig\": {}\n    }\n]\n";
        let object = "{\"Id\":\"abc\",\"Name\":\"/web\",\"HostConfig\":{\"Privileged\":true}}\n";
        for text in [array, object] {
            assert_eq!(sniff_content(text), Format::DockerInspect, "{text}");
            assert_eq!(
                detect_format(Path::new("web.json"), text.as_bytes()),
                Some(Format::DockerInspect),
                "{text}"
            );
        }
        // A Kubernetes object that happens to mention the key is still Kubernetes.
        let pod = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {"HostConfig": "x"}}}"#;
        assert_eq!(sniff_content(pod), Format::Kubernetes);
        assert_eq!(
            detect_format(Path::new("pod.json"), pod.as_bytes()),
            Some(Format::Kubernetes)
        );
        // An object without HostConfig (`docker image inspect`, package.json) is not one.
        assert_eq!(
            detect_format(
                Path::new("image.json"),
                br#"{"Id": "sha256:1", "RepoTags": []}"#
            ),
            None
        );
    }
}

//! The starter configuration that `minpriv init` writes: every key shown with a comment.

use std::io::Write;
use std::path::Path;

/// The file the starter configuration is written to.
pub const FILE_NAME: &str = "minpriv.toml";

/// The starter configuration. Every key is shown: the ones whose value is the default are
/// written out, the ones that add policy (an allow-list, a waiver, an organisation file) are
/// commented out with `#` directly before the key, so that removing that one character turns
/// them on. Prose comments start with `# `.
pub const TEMPLATE: &str = r#"# minpriv configuration. Every key is shown with what it does; `minpriv scan --help` has more.
#
# minpriv reads the nearest minpriv.toml or .minpriv.toml at or above the first path it scans
# (or the file --config names; --no-config ignores it). Flags on the command line override the
# values here. Unknown keys are errors, so a typo cannot switch a check off unnoticed.

# Build on an organisation-wide policy (a path relative to this file). This file overrides it
# key by key; the waivers of both apply.
#extends = "../platform/minpriv-org.toml"

# Which rules run: "restricted" (every rule) or "baseline" (only what the Kubernetes Pod
# Security Standards baseline level forbids). --profile overrides it.
profile = "restricted"

# The Kubernetes version whose Pod Security Standards judge your pods: "latest" or "v1.N", like
# the pod-security.kubernetes.io/enforce-version label of your namespaces. --pss-version
# overrides it.
#pss-version = "latest"

# Exit with 1 when a finding of this severity or worse is reported: critical, high, medium or
# low. --fail-on overrides it.
fail-on = "low"

# Report only findings of this severity or worse: info, low, medium, high or critical.
# --min-severity overrides it.
min-severity = "low"

# Files and folders not to scan, as globs relative to this file's folder. `*` stays within one
# folder, `**` crosses folders; a pattern that matches a folder excludes everything in it.
# Files named on the command line are always scanned.
exclude = []

# Turn one rule on or off, or change the severity of its findings (`minpriv rules` lists them).
#[rules.host-port]
#enabled = true
#severity = "low"

[images]
# Registries (or registry path prefixes) images may come from. When set, the rule
# image-untrusted-registry reports every image from elsewhere. Official Docker Hub images are
# docker.io/library/NAME.
#allowed-registries = ["ghcr.io/acme/", "docker.io/library/"]

# Require images pinned by digest (image@sha256:...): raises image-not-pinned to medium.
require-digest = false

[suppressions]
# Report `# minpriv:ignore` comments that suppress nothing (they would hide the next real
# finding on that line). Set to false to stop reporting them.
report-unused = true

# Waivers accept a finding in the policy instead of in the file, with a reason and an optional
# expiry date after which the finding is reported again. rule, path and reason are required;
# container and resource narrow the match. path is a glob relative to this file's folder.
#[[waiver]]
#rule = "privileged"
#path = "deploy/node-agent.yaml"
#resource = "DaemonSet/node-agent"
#container = "agent"
#reason = "the node agent loads eBPF programs; approved in SEC-42"
#expires = 2026-12-31
"#;

/// Writes [`TEMPLATE`] to `folder/minpriv.toml` and says what it did.
///
/// # Errors
/// When a configuration file is already there and `force` is not set, or the file cannot be
/// written.
pub fn write_starter(folder: &Path, force: bool) -> Result<String, String> {
    let path = folder.join(FILE_NAME);
    let hidden = folder.join(".minpriv.toml");
    if !force && hidden.is_file() {
        return Err(format!(
            ".minpriv.toml already configures minpriv here, and {FILE_NAME} would take \
             precedence over it; edit it, or use --force to write {FILE_NAME} anyway"
        ));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // create_new fails if the file exists, with no window between checking and writing.
        options.create_new(true);
    }
    let mut file = options.open(&path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{FILE_NAME} already exists; use --force to overwrite it")
        } else {
            format!(
                "cannot write {FILE_NAME}: {}",
                crate::walk::describe_io_error(&err)
            )
        }
    })?;
    file.write_all(TEMPLATE.as_bytes()).map_err(|err| {
        format!(
            "cannot write {FILE_NAME}: {}",
            crate::walk::describe_io_error(&err)
        )
    })?;
    Ok(format!(
        "wrote {FILE_NAME}: every setting is shown with a comment; `minpriv scan` reads it from \
         here and every folder below\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    /// The template with every commented-out key turned on.
    fn everything_on() -> String {
        TEMPLATE
            .lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if !rest.is_empty() && !rest.starts_with([' ', '#']) => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_starter_file_loads_and_changes_no_default() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        write_starter(dir.path(), false).unwrap_or_else(|e| panic!("{e}"));
        let config = config::load(&dir.path().join(FILE_NAME)).unwrap_or_else(|errors| {
            panic!(
                "{:?}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            )
        });
        assert_eq!(config.profile.as_deref(), Some("restricted"));
        assert_eq!(config.fail_on, Some(minpriv_model::Severity::Low));
        assert!(config.waivers.is_empty() && config.allowed_registries.is_empty());
        assert!(config.rules.is_empty() && !config.require_digest && config.report_unused);
    }

    #[test]
    fn every_commented_key_is_a_valid_key() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let platform = dir.path().join("platform");
        std::fs::create_dir_all(&platform).unwrap_or_else(|e| panic!("mkdir: {e}"));
        std::fs::write(platform.join("minpriv-org.toml"), "fail-on = \"high\"\n")
            .unwrap_or_else(|e| panic!("write: {e}"));
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("mkdir: {e}"));
        std::fs::write(repo.join(FILE_NAME), everything_on())
            .unwrap_or_else(|e| panic!("write: {e}"));
        let config = config::load(&repo.join(FILE_NAME)).unwrap_or_else(|errors| {
            panic!(
                "{:?}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            )
        });
        assert_eq!(config.waivers.len(), 1);
        assert_eq!(config.waivers[0].container.as_deref(), Some("agent"));
        assert_eq!(config.allowed_registries.len(), 2);
        assert!(config.rules.contains_key("host-port"));
        assert_eq!(
            config.fail_on,
            Some(minpriv_model::Severity::Low),
            "the repository's value overrides the organisation's"
        );
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "profile = \"baseline\"\n").unwrap_or_else(|e| panic!("write: {e}"));
        let err = write_starter(dir.path(), false).err().unwrap_or_default();
        assert!(err.contains("already exists; use --force"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("profile = \"baseline\"\n")
        );
        write_starter(dir.path(), true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some(TEMPLATE)
        );
    }

    #[test]
    fn a_hidden_config_is_not_shadowed_silently() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::write(dir.path().join(".minpriv.toml"), "").unwrap_or_else(|e| panic!("{e}"));
        let err = write_starter(dir.path(), false).err().unwrap_or_default();
        assert!(
            err.contains(".minpriv.toml already configures minpriv here"),
            "{err}"
        );
        assert!(!dir.path().join(FILE_NAME).exists());
    }
}

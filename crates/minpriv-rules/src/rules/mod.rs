//! The rules, one file each, named after the rule id (`docker-socket-mount` lives in
//! `docker_socket_mount.rs`).
//!
//! Every file has the same shape: a doc comment in the fixed form (`## What it checks`,
//! `## Why it matters`, `## Example`, `## Use instead`, `## References`), then
//! `declare_rule!` with the id, default severity, summary, formats and check function, then the
//! check. The macro turns the doc comment into both the rustdoc of the rule's struct and its
//! [`RuleInfo::doc`](crate::RuleInfo::doc), so `minpriv explain` shows exactly the doc comment.

use minpriv_model::{Container, Finding, ImageRef, Posture, Source, Span, Workload};

/// Declares a rule's struct, its [`RuleInfo`](crate::RuleInfo) and its
/// [`Rule`](crate::Rule) implementation from the rule's doc comment and facts.
///
/// `fixes: [step, ...]` (optional, before the check) names the hardening steps that fix the
/// rule ([`Rule::fixes`](crate::Rule::fixes)).
///
/// `check: f` names `fn f(&Workload, &Container, &mut Vec<Finding>)`; a rule that consults the
/// policy names `check_with_context: f`, with `fn f(&CheckContext, &Workload, &Container,
/// &mut Vec<Finding>)`.
macro_rules! declare_rule {
    (@struct [$($doc:literal)*] $vis:vis $name:ident $id:literal $severity:ident $summary:literal
        [$($source:ident)+]) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $name {
            /// Static facts about this rule; `doc` is the doc comment above.
            pub const INFO: &'static $crate::RuleInfo = &$crate::RuleInfo {
                id: $id,
                default_severity: ::minpriv_model::Severity::$severity,
                summary: $summary,
                doc: {
                    const RAW: &str = concat!($($doc, "\n"),*);
                    const LEN: usize = $crate::rules::doc_len(RAW);
                    const BYTES: [u8; LEN] = $crate::rules::doc_bytes::<LEN>(RAW);
                    match ::core::str::from_utf8(&BYTES) {
                        Ok(text) => text,
                        // Evaluated at compile time: a build error, never a run-time panic.
                        Err(_) => panic!("a rule's doc comment is not UTF-8"),
                    }
                },
                applies_to: &[$(::minpriv_model::Source::$source),+],
            };
        }
    };
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            applies_to: [$($source:ident),+ $(,)?],
            $(fixes: [$($fix:expr),* $(,)?],)?
            check: $check:path $(,)?
        }
    ) => {
        declare_rule!(@struct [$($doc)*] $vis $name $id $severity $summary [$($source)+]);

        impl $crate::Rule for $name {
            fn info(&self) -> &'static $crate::RuleInfo {
                Self::INFO
            }

            fn fixes(&self) -> Vec<::minpriv_model::Step> {
                vec![$($($fix),*)?]
            }

            fn check(
                &self,
                workload: &::minpriv_model::Workload,
                container: &::minpriv_model::Container,
                out: &mut Vec<::minpriv_model::Finding>,
            ) {
                $check(workload, container, out)
            }
        }
    };
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            applies_to: [$($source:ident),+ $(,)?],
            $(fixes: [$($fix:expr),* $(,)?],)?
            check_with_context: $check:path $(,)?
        }
    ) => {
        declare_rule!(@struct [$($doc)*] $vis $name $id $severity $summary [$($source)+]);

        impl $crate::Rule for $name {
            fn info(&self) -> &'static $crate::RuleInfo {
                Self::INFO
            }

            fn fixes(&self) -> Vec<::minpriv_model::Step> {
                vec![$($($fix),*)?]
            }

            fn check(
                &self,
                workload: &::minpriv_model::Workload,
                container: &::minpriv_model::Container,
                out: &mut Vec<::minpriv_model::Finding>,
            ) {
                $check(&$crate::CheckContext::RESTRICTED, workload, container, out)
            }

            fn check_with(
                &self,
                context: &$crate::CheckContext<'_>,
                workload: &::minpriv_model::Workload,
                container: &::minpriv_model::Container,
                out: &mut Vec<::minpriv_model::Finding>,
            ) {
                $check(context, workload, container, out)
            }
        }
    };
}

mod apparmor_unconfined;
mod caps_not_dropped;
mod dangerous_cap_added;
mod dangerous_cap_label;
mod docker_socket_mount;
mod host_devices;
mod host_ipc;
mod host_network;
mod host_pid;
mod host_port;
mod host_userns;
mod host_uts;
mod hostpath_volume;
mod image_latest_tag;
mod image_not_pinned;
mod image_untrusted_registry;
mod invalid_input;
mod non_numeric_image_user;
mod privilege_escalation_allowed;
mod privileged;
mod probe_host;
mod proc_mount_unmasked;
mod restricted_cap_added;
mod restricted_volume_type;
mod runs_as_root;
mod seccomp_unconfined;
mod selinux_disabled;
mod sensitive_hostpath;
mod service_account_token;
mod setuid_files;
mod unsafe_sysctls;
mod windows_host_process;
mod writable_rootfs;

#[cfg(test)]
pub(crate) mod test_support;

pub use apparmor_unconfined::ApparmorUnconfined;
pub use caps_not_dropped::CapsNotDropped;
pub use dangerous_cap_added::DangerousCapAdded;
pub use dangerous_cap_label::DangerousCapLabel;
pub use docker_socket_mount::DockerSocketMount;
pub use host_devices::HostDevices;
pub use host_ipc::HostIpc;
pub use host_network::HostNetwork;
pub use host_pid::HostPid;
pub use host_port::HostPort;
pub use host_userns::HostUserns;
pub use host_uts::HostUts;
pub use hostpath_volume::HostpathVolume;
pub use image_latest_tag::ImageLatestTag;
pub use image_not_pinned::ImageNotPinned;
pub use image_untrusted_registry::ImageUntrustedRegistry;
pub use invalid_input::InvalidInput;
pub use non_numeric_image_user::NonNumericImageUser;
pub use privilege_escalation_allowed::PrivilegeEscalationAllowed;
pub use privileged::Privileged;
pub use probe_host::ProbeHost;
pub use proc_mount_unmasked::ProcMountUnmasked;
pub use restricted_cap_added::RestrictedCapAdded;
pub use restricted_volume_type::RestrictedVolumeType;
pub use runs_as_root::RunsAsRoot;
pub use seccomp_unconfined::SeccompUnconfined;
pub use selinux_disabled::SelinuxDisabled;
pub use sensitive_hostpath::SensitiveHostpath;
pub use service_account_token::ServiceAccountToken;
pub use setuid_files::SetuidFiles;
pub use unsafe_sysctls::UnsafeSysctls;
pub use windows_host_process::WindowsHostProcess;
pub use writable_rootfs::WritableRootfs;

/// Length of a doc comment's text after [`doc_bytes`] (used by `declare_rule!`).
pub(crate) const fn doc_len(raw: &str) -> usize {
    let bytes = raw.as_bytes();
    let mut len = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if !(line_start && bytes[i] == b' ') {
            len += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    // `declare_rule!` ends every line with '\n'; the last one is not part of the text.
    if len > 0 && bytes[bytes.len() - 1] == b'\n' {
        len -= 1;
    }
    len
}

/// A doc comment's text as written: `///` leaves one space at the start of each line, which
/// would indent every line of `minpriv explain`'s output; it is removed here, at compile time.
/// Only ASCII spaces are removed, so the result stays UTF-8.
pub(crate) const fn doc_bytes<const N: usize>(raw: &str) -> [u8; N] {
    let bytes = raw.as_bytes();
    let mut out = [0u8; N];
    let mut len = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() && len < N {
        if !(line_start && bytes[i] == b' ') {
            out[len] = bytes[i];
            len += 1;
        }
        line_start = bytes[i] == b'\n';
        i += 1;
    }
    out
}

// The rules name the syntax of their input; how each syntax writes a fix is in `remediation`.
pub(crate) use crate::remediation::{RuntimeSyntax, Syntax};

/// `"; {why}"` for a privileged container, else nothing: rules that privileged mode makes worse
/// still report on their own (every control is reported on its own) and say so.
pub(crate) fn privileged_note(posture: &Posture, why: &str) -> String {
    if posture.privileged.value {
        format!("; it runs privileged, {why}")
    } else {
        String::new()
    }
}

/// Who a message is about: `container 'app'`, `the container` when it has no name, or
/// `the image` for Dockerfiles and images.
pub(crate) fn subject(workload: &Workload, container: &Container) -> String {
    if matches!(workload.source, Source::Dockerfile | Source::Image) {
        return "the image".into();
    }
    match &container.name {
        Some(name) => format!("container '{name}'"),
        None => "the container".into(),
    }
}

/// The container's image, parsed, with the reference as written; `None` for no image,
/// `scratch` (an empty base, nothing to pull) and references that cannot be judged here
/// (unexpanded variables, templates).
pub(crate) fn parsed_image(posture: &Posture) -> Option<(&str, ImageRef)> {
    let written = posture.image.value.as_deref()?.trim();
    if written.eq_ignore_ascii_case("scratch") {
        return None;
    }
    Some((written, ImageRef::parse(written)?))
}

/// The start of a message about the image `reference`: `container 'app' uses image 'x'`, or
/// for Dockerfiles `the image builds on 'x'`.
pub(crate) fn uses_image(workload: &Workload, container: &Container, reference: &str) -> String {
    match workload.source {
        Source::Dockerfile => format!("the image builds on '{reference}'"),
        Source::Image => format!("the image is referenced as '{reference}'"),
        _ => format!("{} uses image '{reference}'", subject(workload, container)),
    }
}

/// `reference` without its tag and digest: `ghcr.io/org/app:1.2@sha256:..` -> `ghcr.io/org/app`.
pub(crate) fn image_name(reference: &str) -> &str {
    let without_digest = reference
        .split_once('@')
        .map_or(reference, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    }
}

/// A finding of rule `info` at the default severity, about `container` of `workload`.
pub(crate) fn finding(
    info: &'static crate::RuleInfo,
    workload: &Workload,
    container: &Container,
    span: Option<Span>,
    message: String,
    remediation: String,
) -> Finding {
    Finding {
        rule: info.id,
        severity: info.default_severity,
        message,
        span,
        source: workload.source,
        resource: workload.resource.clone(),
        container: container.name.clone(),
        remediation,
        suppressed: None,
        pss_control: None,
        overlays: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_text_loses_exactly_the_doc_comment_indent() {
        const RAW: &str = " ## Title\n\n ```yaml\n   key: value\n ```\n";
        const LEN: usize = doc_len(RAW);
        let bytes = doc_bytes::<LEN>(RAW);
        assert_eq!(
            std::str::from_utf8(&bytes),
            Ok("## Title\n\n```yaml\n  key: value\n```")
        );
        assert_eq!(doc_len(""), 0);
    }

    #[test]
    fn image_names_lose_tag_and_digest_but_keep_registry_ports() {
        assert_eq!(image_name("nginx"), "nginx");
        assert_eq!(image_name("nginx:1.27"), "nginx");
        assert_eq!(
            image_name("localhost:5000/app:2@sha256:abc"),
            "localhost:5000/app"
        );
        assert_eq!(image_name("localhost:5000/app"), "localhost:5000/app");
    }
}

//! Remediations written as `docker run` flags (also how an inspected or live container is
//! recreated).

use super::{ImageFix, Namespace, RuntimeFix};
use minpriv_model::Step;

/// `fix` as `docker run` flags.
pub(super) fn runtime(fix: &RuntimeFix<'_>) -> String {
    match fix {
        RuntimeFix::Step(s) => step(s),
        RuntimeFix::HostNamespace(namespace) => match namespace {
            Namespace::Pid => "run the container without --pid=host".into(),
            Namespace::Ipc => "run the container without --ipc=host".into(),
            Namespace::Network => {
                "run the container without --network=host and publish only the ports it serves with -p".into()
            }
            Namespace::Uts => "run the container without --uts=host".into(),
            Namespace::User => "run the container without --userns=host".into(),
        },
        RuntimeFix::RemoveRuntimeSocket(host) => format!(
            "run the container without -v/--mount of {host}; if it needs the runtime's API, put a filtering socket proxy in between"
        ),
        RuntimeFix::RemoveHostPath(host) => format!(
            "run the container without -v/--mount of {host}; mount a dedicated folder or a named volume, with :ro when it only reads"
        ),
        RuntimeFix::RemoveDevice(host) => format!("run the container without --device {host}"),
        RuntimeFix::RemoveAddedCapability(cap) => format!(
            "run the container without --cap-add={cap}; add only capabilities from the Pod Security Standards baseline list"
        ),
        RuntimeFix::RemoveSysctl(name) => {
            format!("run the container without --sysctl {name}=..., or tune it on the host")
        }
    }
}

/// `fix` as `docker run` flags.
pub(super) fn image(fix: &ImageFix<'_>) -> String {
    match fix {
        ImageFix::Step(s) => step(s),
        ImageFix::ClearSetuid(path) => format!(
            "rebuild the image without the bit on {path}, and run with --security-opt no-new-privileges"
        ),
        ImageFix::VersionTag(name) => format!(
            "run a version tag, pinned by digest where you can: {name}:<version>@sha256:<digest>"
        ),
        ImageFix::PinDigest(reference) => format!("run {reference}@sha256:<digest>"),
        ImageFix::RemoveLabelCapability(cap) => {
            format!(
                "rebuild the image without {cap} in its io.containers.capabilities label, and add it with --cap-add only where it is run and needed"
            )
        }
        ImageFix::OtherRegistry => "run an image".into(),
    }
}

fn step(step: &Step) -> String {
    match step {
        Step::DropPrivileged => "run the container without --privileged".into(),
        Step::Capabilities { drop_all: true, .. } => {
            "run the container with --cap-drop=ALL and --cap-add only what the process needs"
                .into()
        }
        Step::RunAsNonRoot { user, .. } => {
            format!("run the container with --user {user} (a non-zero uid)")
        }
        Step::NoNewPrivileges => "run the container with --security-opt no-new-privileges".into(),
        Step::ReadOnlyRootfs { .. } => {
            "run the container with --read-only and a --tmpfs for each path the process writes"
                .into()
        }
        Step::SeccompDefault => {
            "run the container without --security-opt seccomp=unconfined (Docker's default profile then applies)".into()
        }
        Step::AppArmorDefault => {
            "run the container without --security-opt apparmor=unconfined".into()
        }
        Step::SelinuxLabels => {
            "run the container without --security-opt label=disable/type/user/role; relabel mounts with :z or :Z instead".into()
        }
        Step::MaskedProc => {
            "run the container without --security-opt systempaths=unconfined".into()
        }
        other => other.describe().into(),
    }
}

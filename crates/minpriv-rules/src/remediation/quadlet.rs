//! Remediations written as keys of a Quadlet unit's `[Container]` section (podman-systemd.unit(5)).
//! Settings Quadlet has no key for are written as the `PodmanArgs=` flag that sets them.

use super::{ImageFix, Namespace, RuntimeFix};
use minpriv_model::Step;

/// `fix` as `[Container]` keys.
pub(super) fn runtime(fix: &RuntimeFix<'_>) -> String {
    match fix {
        RuntimeFix::Step(s) => step(s),
        RuntimeFix::HostNamespace(namespace) => match namespace {
            Namespace::Pid => "remove --pid=host from PodmanArgs=".into(),
            Namespace::Ipc => "remove --ipc=host from PodmanArgs=".into(),
            Namespace::Network => "set no Network=host (in the unit or its .pod unit) and publish only the ports it serves with PublishPort=".into(),
            Namespace::Uts => "remove --uts=host from PodmanArgs=".into(),
            Namespace::User => "set no UserNS=host (in the unit or its .pod unit)".into(),
        },
        RuntimeFix::RemoveRuntimeSocket(host) => format!(
            "remove the Volume=/Mount= of {host}; if it needs the runtime's API, put a filtering socket proxy in between"
        ),
        RuntimeFix::RemoveHostPath(host) => format!(
            "remove the Volume=/Mount= of {host}; mount a dedicated folder or a named volume (a .volume unit), with :ro when it only reads"
        ),
        RuntimeFix::RemoveDevice(host) => format!("remove AddDevice={host}"),
        RuntimeFix::RemoveAddedCapability(cap) => format!(
            "remove {cap} from AddCapability=; add only capabilities from the Pod Security Standards baseline list"
        ),
        RuntimeFix::RemoveSysctl(name) => {
            format!("remove {name} from Sysctl=, or tune it on the host")
        }
    }
}

/// `fix` as `[Container]` keys.
pub(super) fn image(fix: &ImageFix<'_>) -> String {
    match fix {
        ImageFix::Step(s) => step(s),
        ImageFix::ClearSetuid(path) => {
            format!("rebuild the image without the bit on {path}, and set NoNewPrivileges=true")
        }
        ImageFix::VersionTag(name) => format!(
            "set Image= to a version tag, pinned by digest where you can: {name}:<version>@sha256:<digest>"
        ),
        ImageFix::PinDigest(reference) => format!("set Image={reference}@sha256:<digest>"),
        ImageFix::RemoveLabelCapability(cap) => {
            format!(
                "rebuild the image without {cap} in its io.containers.capabilities label, and add it with AddCapability= only where it is needed"
            )
        }
        ImageFix::OtherRegistry => "set Image= to an image".into(),
    }
}

fn step(step: &Step) -> String {
    match step {
        Step::DropPrivileged => "remove --privileged from PodmanArgs=".into(),
        Step::Capabilities { drop_all: true, .. } => {
            "set DropCapability=all and AddCapability= only what the process needs".into()
        }
        Step::RunAsNonRoot { user, .. } => format!("set User={user} (a non-zero uid)"),
        Step::NoNewPrivileges => "set NoNewPrivileges=true".into(),
        Step::ReadOnlyRootfs { .. } => {
            "set ReadOnly=true (ReadOnlyTmpfs= keeps /tmp, /var/tmp and /run writable) and a Tmpfs= for each other path the process writes".into()
        }
        Step::SeccompDefault => {
            "remove SeccompProfile=unconfined (Podman's default profile then applies)".into()
        }
        Step::AppArmorDefault => {
            "remove --security-opt apparmor=unconfined from PodmanArgs=".into()
        }
        Step::SelinuxLabels => {
            "remove SecurityLabelDisable=/SecurityLabelType=; relabel mounts with :z or :Z instead".into()
        }
        Step::MaskedProc => "remove Unmask= (and --security-opt unmask from PodmanArgs=)".into(),
        other => other.describe().into(),
    }
}

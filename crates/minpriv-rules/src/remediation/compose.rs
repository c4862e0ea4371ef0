//! Remediations written as Compose service keys.

use super::{ImageFix, Namespace, RuntimeFix};
use minpriv_model::Step;

/// `fix` in a Compose service.
pub(super) fn runtime(fix: &RuntimeFix<'_>) -> String {
    match fix {
        RuntimeFix::Step(s) => step(s),
        RuntimeFix::HostNamespace(namespace) => match namespace {
            Namespace::Pid => "remove `pid: host` from the service".into(),
            Namespace::Ipc => "remove `ipc: host` from the service".into(),
            Namespace::Network => {
                "remove `network_mode: host` from the service and publish only the ports it serves under `ports`".into()
            }
            Namespace::Uts => "remove `uts: host` from the service".into(),
            Namespace::User => "remove `userns_mode: host` from the service".into(),
        },
        RuntimeFix::RemoveRuntimeSocket(host) => format!(
            "remove the bind mount of {host} from the service's volumes; if it needs the runtime's API, put a filtering socket proxy in between"
        ),
        RuntimeFix::RemoveHostPath(host) => format!(
            "remove the bind mount of {host} from the service's volumes; mount a dedicated folder or a named volume, with :ro when it only reads"
        ),
        RuntimeFix::RemoveDevice(host) => format!("remove {host} from the service's devices"),
        RuntimeFix::RemoveAddedCapability(cap) => format!(
            "remove {cap} from the service's cap_add; add only capabilities from the Pod Security Standards baseline list"
        ),
        RuntimeFix::RemoveSysctl(name) => {
            format!("remove {name} from the service's sysctls, or tune it on the host")
        }
    }
}

/// `fix` in a Compose service.
pub(super) fn image(fix: &ImageFix<'_>) -> String {
    match fix {
        ImageFix::Step(s) => step(s),
        ImageFix::ClearSetuid(path) => format!(
            "rebuild the image without the bit on {path}, and add `no-new-privileges:true` to the service's security_opt"
        ),
        ImageFix::VersionTag(name) => format!(
            "set the service's image to a version tag, pinned by digest where you can: {name}:<version>@sha256:<digest>"
        ),
        ImageFix::PinDigest(reference) => {
            format!("set the service's image to {reference}@sha256:<digest>")
        }
        ImageFix::RemoveLabelCapability(cap) => {
            format!(
                "rebuild the image without {cap} in its io.containers.capabilities label, and add it with cap_add only where it is needed"
            )
        }
        ImageFix::OtherRegistry => "set the service's image to one".into(),
    }
}

fn step(step: &Step) -> String {
    match step {
        Step::DropPrivileged => "remove `privileged: true` from the service".into(),
        Step::Capabilities { drop_all: true, .. } => {
            "add `cap_drop: [ALL]` to the service and list only what the process needs under cap_add".into()
        }
        Step::RunAsNonRoot { user, .. } => {
            format!("set `user: \"{user}\"` (a non-zero uid) on the service")
        }
        Step::NoNewPrivileges => "add `no-new-privileges:true` to the service's security_opt".into(),
        Step::ReadOnlyRootfs { .. } => {
            "add `read_only: true` to the service and a tmpfs for each path the process writes"
                .into()
        }
        Step::SeccompDefault => {
            "remove `seccomp:unconfined` from the service's security_opt (Docker's default profile then applies)".into()
        }
        Step::AppArmorDefault => {
            "remove `apparmor:unconfined` from the service's security_opt".into()
        }
        Step::SelinuxLabels => {
            "remove the `label:disable` / `label=type:...` / `label=user:...` / `label=role:...` entries from the service's security_opt; relabel mounts with :z or :Z instead".into()
        }
        Step::MaskedProc => {
            "remove `systempaths=unconfined` from the service's security_opt".into()
        }
        other => other.describe().into(),
    }
}

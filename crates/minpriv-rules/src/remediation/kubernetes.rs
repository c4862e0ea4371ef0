//! Remediations written as pod spec fields.

use super::{ImageFix, Namespace, RuntimeFix, uid_of};
use minpriv_model::Step;

/// `fix` in a pod spec.
pub(super) fn runtime(fix: &RuntimeFix<'_>) -> String {
    match fix {
        RuntimeFix::Step(s) => step(s),
        RuntimeFix::HostNamespace(namespace) => match namespace {
            Namespace::Pid => "remove spec.hostPID or set it to false".into(),
            Namespace::Ipc => "remove spec.hostIPC or set it to false".into(),
            Namespace::Network => {
                "remove spec.hostNetwork or set it to false, and expose the pod through a Service"
                    .into()
            }
            // A pod shares the host's UTS namespace only through hostNetwork.
            Namespace::Uts => "remove spec.hostNetwork or set it to false".into(),
            Namespace::User => {
                "set spec.hostUsers: false so that the pod runs in its own user namespace".into()
            }
        },
        RuntimeFix::RemoveRuntimeSocket(host) => format!(
            "remove the hostPath volume for {host} and its volumeMount; use the Kubernetes API with a narrowly scoped ServiceAccount instead"
        ),
        RuntimeFix::RemoveHostPath(host) => format!(
            "remove the hostPath volume for {host}; use a configMap, secret, emptyDir or persistentVolumeClaim, or a dedicated folder mounted readOnly"
        ),
        RuntimeFix::RemoveDevice(host) => format!(
            "remove {host} from the container; use a device plugin that exposes only the needed device"
        ),
        RuntimeFix::RemoveAddedCapability(cap) => format!(
            "remove {cap} from securityContext.capabilities.add; add only capabilities from the Pod Security Standards baseline list"
        ),
        RuntimeFix::RemoveSysctl(name) => format!(
            "remove {name} from spec.securityContext.sysctls, or tune it on the node; allowing it takes the kubelet's --allowed-unsafe-sysctls"
        ),
    }
}

/// `fix` in a pod spec.
pub(super) fn image(fix: &ImageFix<'_>) -> String {
    match fix {
        ImageFix::Step(s) => step(s),
        ImageFix::ClearSetuid(path) => format!(
            "rebuild the image without the bit on {path}, and set securityContext.allowPrivilegeEscalation: false"
        ),
        ImageFix::VersionTag(name) => format!(
            "set the container's image to a version tag, pinned by digest where you can: {name}:<version>@sha256:<digest>"
        ),
        ImageFix::PinDigest(reference) => {
            format!("set the container's image to {reference}@sha256:<digest>")
        }
        ImageFix::RemoveLabelCapability(cap) => {
            format!(
                "rebuild the image without {cap} in its io.containers.capabilities label (Podman reads it; Kubernetes does not)"
            )
        }
        ImageFix::OtherRegistry => "set the container's image to one".into(),
    }
}

fn step(step: &Step) -> String {
    match step {
        Step::DropPrivileged => "remove securityContext.privileged or set it to false".into(),
        Step::Capabilities { drop_all: true, .. } => {
            "set securityContext.capabilities.drop: [\"ALL\"] and add back only what the process needs under capabilities.add".into()
        }
        Step::RunAsNonRoot { user, uid } => format!(
            "set securityContext.runAsNonRoot: true and runAsUser to a non-zero uid the image can run as (e.g. {})",
            uid_of(user, *uid)
        ),
        Step::NoNewPrivileges => "set securityContext.allowPrivilegeEscalation: false".into(),
        Step::ReadOnlyRootfs { .. } => {
            "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes".into()
        }
        Step::SeccompDefault => {
            "set securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile made for the workload), on the pod or the container".into()
        }
        Step::AppArmorDefault => {
            "set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost with a profile), or remove the unconfined AppArmor annotation".into()
        }
        Step::SelinuxLabels => {
            "remove seLinuxOptions.type (or use container_t), seLinuxOptions.user and seLinuxOptions.role from the securityContext".into()
        }
        Step::MaskedProc => "remove securityContext.procMount or set it to Default".into(),
        other => other.describe().into(),
    }
}

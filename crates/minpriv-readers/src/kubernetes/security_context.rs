//! The confinement settings of a `securityContext` (pod or container) and their legacy
//! annotations: seccomp, AppArmor and SELinux.

use super::values::{at, non_empty_str};
use crate::yaml::Node;
use minpriv_model::{AppArmor, Located, Seccomp, Selinux};

/// The legacy pod-wide seccomp annotation (before v1.19; Pod Security still reads it).
pub(super) const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The legacy per-container seccomp annotation, followed by the container's name.
pub(super) const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.seccomp.security.alpha.kubernetes.io/";
/// The per-container AppArmor annotation, followed by the container's name.
pub(super) const APPARMOR_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.apparmor.security.beta.kubernetes.io/";

/// `seccompProfile` (pod or container): `None` when absent or invalid.
pub(super) fn seccomp_field(sc: Option<Node<'_>>) -> Option<Located<Seccomp>> {
    let profile = sc?.get("seccompProfile")?;
    let ty = profile.get("type")?;
    let value = match ty.as_str()? {
        "RuntimeDefault" => Seccomp::RuntimeDefault,
        "Unconfined" => Seccomp::Unconfined,
        "Localhost" => Seccomp::Custom(
            profile
                .get("localhostProfile")
                .and_then(non_empty_str)?
                .to_string(),
        ),
        _ => return None,
    };
    Some(Located::written(value, at(ty)))
}

/// A legacy seccomp annotation value. Values the kubelet did not know made the container fail to
/// start, so they count as not set.
pub(super) fn seccomp_annotation(node: Node<'_>) -> Option<Located<Seccomp>> {
    let value = match node.as_str()? {
        "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
        "unconfined" => Seccomp::Unconfined,
        v => Seccomp::Custom(
            v.strip_prefix("localhost/")
                .filter(|p| !p.is_empty())?
                .to_string(),
        ),
    };
    Some(Located::written(value, at(node)))
}

/// `appArmorProfile` (pod or container, Kubernetes 1.30+).
pub(super) fn apparmor_field(sc: Option<Node<'_>>) -> Option<Located<AppArmor>> {
    let profile = sc?.get("appArmorProfile")?;
    let ty = profile.get("type")?;
    let value = match ty.as_str()? {
        "RuntimeDefault" => AppArmor::RuntimeDefault,
        "Unconfined" => AppArmor::Unconfined,
        "Localhost" => AppArmor::Custom(
            profile
                .get("localhostProfile")
                .and_then(non_empty_str)?
                .to_string(),
        ),
        _ => return None,
    };
    Some(Located::written(value, at(ty)))
}

/// The legacy AppArmor annotation; unknown values are ignored, as the kubelet ignores them.
pub(super) fn apparmor_annotation(node: Node<'_>) -> Option<Located<AppArmor>> {
    let value = match node.as_str()? {
        "runtime/default" => AppArmor::RuntimeDefault,
        "unconfined" => AppArmor::Unconfined,
        v => AppArmor::Custom(
            v.strip_prefix("localhost/")
                .filter(|p| !p.is_empty())?
                .to_string(),
        ),
    };
    Some(Located::written(value, at(node)))
}

/// `seLinuxOptions`, located at the mapping.
pub(super) fn selinux_field(sc: Option<Node<'_>>) -> Option<Located<Selinux>> {
    let options = sc?.get("seLinuxOptions")?;
    if !options.is_mapping() {
        return None;
    }
    let part = |key: &str| options.get(key).and_then(non_empty_str).map(str::to_string);
    let value = Selinux {
        disabled: false,
        type_: part("type"),
        user: part("user"),
        role: part("role"),
        level: part("level"),
    };
    Some(Located::written(value, at(options)))
}

/// The annotation `prefix` + the container's name; a container without a name has none.
pub(super) fn annotation_for<'a>(
    annotations: Option<Node<'a>>,
    prefix: &str,
    name: Option<&str>,
) -> Option<Node<'a>> {
    annotations?.get(&format!("{prefix}{}", name?))
}

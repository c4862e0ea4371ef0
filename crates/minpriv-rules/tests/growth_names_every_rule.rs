//! The growths `minpriv diff` names (in the model) and the rules of the registry agree: every
//! privilege rule is named by some growth or declared not about privilege.

use minpriv_model::growth::{Growth, HostMount, NOT_PRIVILEGE_RULES};
use minpriv_model::{CapSet, Capability, EscapePath, RootStatus};

/// A rule added to the registry must be named by some growth, or be declared not about
/// privilege: `diff` otherwise falls back to naming its findings one by one.
#[test]
fn every_privilege_rule_is_named_by_a_growth() {
    let caps = CapSet::from_caps(&[Capability::SYS_ADMIN]);
    let mount = |path: &str, writable| {
        Growth::HostMount(HostMount {
            host_path: path.into(),
            writable,
        })
    };
    let every_kind = [
        Growth::Privileged,
        Growth::User {
            now: RootStatus::NonRoot { user: "0".into() },
            was: None,
        },
        Growth::EffectiveCapabilities(caps),
        Growth::CapabilitiesAdded {
            names: Vec::new(),
            why_not_effective: String::new(),
        },
        Growth::DropAllRemoved,
        Growth::HostNamespaces(vec!["pid", "ipc", "network", "uts", "user"]),
        Growth::EscapePath(EscapePath::HostDevices),
        mount("/var/run/docker.sock", false),
        mount("/etc", false),
        Growth::Device("/dev/fuse".into()),
        Growth::Sysctl("kernel.msgmax".into()),
        Growth::HostPort(80),
        Growth::NoNewPrivilegesOff,
        Growth::ReadOnlyRootfsOff,
        Growth::Unconfined("seccomp"),
        Growth::Unconfined("AppArmor"),
        Growth::Unconfined("SELinux labelling"),
        Growth::Unconfined("/proc masking"),
        Growth::ServiceAccountToken,
        Growth::SetuidFile {
            path: "/bin/su".into(),
            why_not_effective: None,
        },
    ];
    let named: Vec<&str> = every_kind.iter().flat_map(Growth::rules).collect();
    let ids: Vec<&str> = minpriv_rules::all_rules()
        .iter()
        .map(|r| r.info().id)
        .collect();
    // Decided by the pod spec alone (a probe's host, a volume type, Windows HostProcess):
    // no posture holds them, so their new findings are growths of their own (new-finding).
    let pod_spec_only = |id: &str| {
        minpriv_rules::pod_security::POD_SPEC_ONLY_RULES.contains(&id) && !named.contains(&id)
    };
    for id in &ids {
        assert!(
            (named.contains(id) || pod_spec_only(id)) != NOT_PRIVILEGE_RULES.contains(id),
            "{id}: named by a growth (or decided by the pod spec), or listed in \
             NOT_PRIVILEGE_RULES, not both"
        );
    }
    for id in named.iter().chain(NOT_PRIVILEGE_RULES) {
        assert!(ids.contains(id), "{id} is no rule");
    }
}

//! What each exported rule checks, in CEL: for the rules Pod Security decides, the controls in
//! force at the profile's level and version, each a port of `minpriv_rules::pod_security`'s
//! control of the same id; for minpriv's own rules, a port of the rule's check on the posture
//! the Kubernetes reader builds.
//!
//! A control or rule ported here must say the same as the Rust it ports on every object the API
//! server admits; the equivalence test (`tests/equivalence.rs`) evaluates both over Kubernetes'
//! Pod Security fixtures, the corpus and minpriv's fixtures.

use crate::cel::{equals, has, or_else, strings};
use crate::variables::container_name;
use minpriv_rules::pod_security::{
    self, BASELINE_ADDABLE, RESTRICTED_VOLUME_TYPES, active_controls, safe_sysctls_at,
    selinux_types_at,
};
use minpriv_rules::{Profile, PssVersion};

const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// One way a rule finds a violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Some element of `list` (bound to `var`) violates; `name` is the name of the container
    /// it belongs to, so that a waiver for one container can leave it out.
    Each {
        /// The list, a CEL expression.
        list: &'static str,
        /// The bound variable.
        var: &'static str,
        /// The container's name, a CEL expression over `var`.
        name: String,
        /// True when the element violates.
        violates: String,
    },
    /// The pod as a whole violates (a value no single container owns: volumes, sysctls, a
    /// profile at pod level). A waiver for one container does not cover it.
    Pod(String),
}

impl Check {
    fn container(violates: String) -> Check {
        Check::Each {
            list: "variables.containers",
            var: "c",
            name: container_name("c"),
            violates,
        }
    }
}

/// How rule `id` is decided at admission under `profile`: its checks, or why it is not
/// exported.
pub fn checks_of(id: &str, profile: &Profile) -> Result<Vec<Check>, String> {
    let (level, version) = (profile.pss_level, profile.pss_version);
    let controls = pod_security::controls_of_rule(id);
    let active: Vec<&str> = active_controls(level, version)
        .map(|c| c.id)
        .filter(|c| controls.contains(c))
        .collect();
    if !active.is_empty() {
        return Ok(active
            .iter()
            .flat_map(|control| control_checks(control, id, version))
            .collect());
    }
    if !controls.is_empty() && pod_security::POD_SPEC_ONLY_RULES.contains(&id) {
        return Err(format!(
            "Pod Security {} {version} has no control for it, so the scan never reports it",
            level.as_str()
        ));
    }
    if let Some(checks) = posture_checks(id) {
        return Ok(checks);
    }
    if !controls.is_empty() {
        return Err(format!(
            "Pod Security {} {version} has no control for it and the scan decides it with minpriv's own check, which is not exported; export it with --profile restricted",
            level.as_str()
        ));
    }
    own_rule_checks(id, profile)
}

/// The checks that control `control` makes for rule `rule` at `version`.
fn control_checks(control: &str, rule: &str, version: PssVersion) -> Vec<Check> {
    let minor = version.minor();
    fn sc<'a>(path: &[&'a str]) -> Vec<&'a str> {
        let mut full = vec!["securityContext"];
        full.extend_from_slice(path);
        full
    }
    let not_windows = |check: String| -> String {
        if minor >= 25 {
            format!("!variables.windows && ({check})")
        } else {
            check
        }
    };
    let not_user_namespace = |check: String| -> String {
        if minor >= 35 {
            format!("!variables.userNamespace && ({check})")
        } else {
            check
        }
    };
    let adds = or_else("c", &sc(&["capabilities", "add"]), "[]");
    let drops = or_else("c", &sc(&["capabilities", "drop"]), "[]");
    let profile_forbidden = |key: &str| -> String {
        format!(
            "variables.securityContexts.exists(s, has(s.{key}) && !(has(s.{key}.type) && s.{key}.type in ['RuntimeDefault', 'Localhost']))"
        )
    };
    match (control, rule) {
        ("privileged", _) => vec![Check::container(equals("c", &sc(&["privileged"]), "true"))],
        ("hostNamespaces", "host-network" | "host-pid" | "host-ipc") => {
            let key = match rule {
                "host-network" => "hostNetwork",
                "host-pid" => "hostPID",
                _ => "hostIPC",
            };
            // Every container inherits the pod's namespace; each is reported.
            vec![Check::container(equals("variables.spec", &[key], "true"))]
        }
        ("hostPathVolumes", _) => vec![Check::Pod(
            "variables.volumeSources.exists(s, 'hostPath' in s)".into(),
        )],
        ("hostPorts", _) => vec![Check::container(format!(
            "{}.exists(p, has(p.hostPort) && p.hostPort != 0)",
            or_else("c", &["ports"], "[]")
        ))],
        ("capabilities_baseline", _) => vec![Check::container(format!(
            "{adds}.exists(a, !(a in {}))",
            strings(BASELINE_ADDABLE)
        ))],
        ("capabilities_restricted", "caps-not-dropped") => {
            vec![Check::container(not_windows(format!(
                "!('ALL' in {drops})"
            )))]
        }
        ("capabilities_restricted", "restricted-cap-added" | "dangerous-cap-added") => {
            let listed = if rule == "restricted-cap-added" {
                ""
            } else {
                "!"
            };
            vec![Check::container(not_windows(format!(
                "{adds}.exists(a, a != 'NET_BIND_SERVICE' && {listed}(a in {}))",
                strings(BASELINE_ADDABLE)
            )))]
        }
        ("appArmorProfile", _) => vec![Check::Pod(format!(
            "{} || variables.annotations.exists(k, k.startsWith('container.apparmor.security.beta.kubernetes.io/') \
             && !(variables.annotations[k] == '' || variables.annotations[k] == 'runtime/default' \
             || variables.annotations[k].startsWith('localhost/')))",
            profile_forbidden("appArmorProfile")
        ))],
        ("seLinuxOptions", _) => vec![Check::Pod(format!(
            "variables.securityContexts.exists(s, has(s.seLinuxOptions) && (!({} in {}) || {} || {}))",
            or_else("s", &["seLinuxOptions", "type"], "''"),
            strings(selinux_types_at(version)),
            format_args!(
                "({} && s.seLinuxOptions.user != '')",
                has("s", &["seLinuxOptions", "user"])
            ),
            format_args!(
                "({} && s.seLinuxOptions.role != '')",
                has("s", &["seLinuxOptions", "role"])
            ),
        ))],
        ("procMount", _) => vec![Check::container(not_user_namespace(format!(
            "{} && c.securityContext.procMount != 'Default'",
            has("c", &sc(&["procMount"]))
        )))],
        ("procMount_restricted", _) => vec![Check::container(format!(
            "{} && c.securityContext.procMount != 'Default'",
            has("c", &sc(&["procMount"]))
        ))],
        ("seccompProfile_baseline", _) if minor < 19 => vec![Check::Pod(format!(
            "variables.annotations.exists(k, (k == 'seccomp.security.alpha.kubernetes.io/pod' \
             || (k.startsWith('{SECCOMP_CONTAINER_PREFIX}') \
             && k.substring({}) in variables.containers.map(c, {}))) \
             && !(variables.annotations[k] == 'runtime/default' || variables.annotations[k] == 'docker/default' \
             || variables.annotations[k].startsWith('localhost/')))",
            SECCOMP_CONTAINER_PREFIX.chars().count(),
            container_name("c")
        ))],
        ("seccompProfile_baseline", _) => vec![Check::Pod(profile_forbidden("seccompProfile"))],
        ("seccompProfile_restricted", _) => vec![Check::Pod(not_windows(format!(
            "{} || (!({} && variables.podSecurityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']) \
             && variables.containers.exists(c, !({})))",
            profile_forbidden("seccompProfile"),
            has("variables.podSecurityContext", &["seccompProfile", "type"]),
            has("c", &sc(&["seccompProfile"])),
        )))],
        ("sysctls", _) => vec![Check::Pod(format!(
            "{}.exists(s, has(s.name) && !(s.name in {}))",
            or_else("variables.podSecurityContext", &["sysctls"], "[]"),
            strings(safe_sysctls_at(version))
        ))],
        ("windowsHostProcess", _) => vec![Check::Pod(format!(
            "variables.securityContexts.exists(s, {})",
            equals("s", &["windowsOptions", "hostProcess"], "true")
        ))],
        ("hostProbesAndHostLifecycle", _) => {
            let handlers: [&[&str]; 5] = [
                &["livenessProbe"],
                &["readinessProbe"],
                &["startupProbe"],
                &["lifecycle", "postStart"],
                &["lifecycle", "preStop"],
            ];
            let mut parts = Vec::new();
            for handler in handlers {
                for action in ["httpGet", "tcpSocket"] {
                    let mut path = handler.to_vec();
                    path.extend([action, "host"]);
                    parts.push(format!(
                        "({} && {} != '')",
                        has("c", &path),
                        crate::cel::field("c", &path)
                    ));
                }
            }
            vec![Check::container(parts.join(" || "))]
        }
        ("allowPrivilegeEscalation", _) => vec![Check::container(not_windows(format!(
            "!{}",
            equals("c", &sc(&["allowPrivilegeEscalation"]), "false")
        )))],
        ("restrictedVolumes", "hostpath-volume" | "restricted-volume-type") => {
            // A volume with no source is defaulted to an emptyDir; one allowed source is
            // enough. hostPath volumes are reported by hostpath-volume.
            let host_path = if rule == "hostpath-volume" { "" } else { "!" };
            vec![Check::Pod(format!(
                "variables.volumeSources.exists(s, size(s) > 0 && !s.exists(k, k in {}) && {host_path}('hostPath' in s))",
                strings(RESTRICTED_VOLUME_TYPES)
            ))]
        }
        ("runAsNonRoot", _) => {
            let pod_is =
                |value: &str| equals("variables.podSecurityContext", &["runAsNonRoot"], value);
            // A container's own value counts only when it is a boolean (anything else does not
            // decode, and the scan reads it as unset); `== true || == false` is true only then.
            let own = "c.securityContext.runAsNonRoot";
            vec![Check::Pod(not_user_namespace(format!(
                "{} || variables.containers.exists(c, ({} && ({own} == true || {own} == false)) ? {own} == false : !{})",
                pod_is("false"),
                has("c", &sc(&["runAsNonRoot"])),
                pod_is("true"),
            )))]
        }
        ("runAsUser", _) => vec![Check::Pod(not_user_namespace(format!(
            "variables.securityContexts.exists(s, {})",
            equals("s", &["runAsUser"], "0")
        )))],
        _ => Vec::new(),
    }
}

/// Rules Pod Security decides where a control is in force, and minpriv's own check decides
/// below (before the control's version, or at a level without it): ports of those checks.
fn posture_checks(id: &str) -> Option<Vec<Check>> {
    let sc = |field: &'static str| vec!["securityContext", field];
    match id {
        // `drops_all_capabilities`: a drop that `CapSpec::parse` reads as ALL (any case, with
        // or without `CAP_`); privileged mode ignores every drop.
        "caps-not-dropped" => Some(vec![Check::container(format!(
            "!{}.exists(d, d.trim().lowerAscii() == 'all' || d.trim().lowerAscii() == 'cap_all') || {}",
            or_else("c", &["securityContext", "capabilities", "drop"], "[]"),
            equals("c", &sc("privileged"), "true")
        ))]),
        "privilege-escalation-allowed" => Some(vec![Check::container(format!(
            "!{}",
            equals("c", &sc("allowPrivilegeEscalation"), "false")
        ))]),
        _ => None,
    }
}

/// minpriv's own rules (no Pod Security control): ports of their checks.
fn own_rule_checks(id: &str, profile: &Profile) -> Result<Vec<Check>, String> {
    let mounts = or_else("c", &["volumeMounts"], "[]");
    let image = |violates: &str| Check::Each {
        list: "variables.images",
        var: "i",
        name: "i[0]".into(),
        violates: violates.into(),
    };
    Ok(match id {
        "writable-rootfs" => vec![Check::container(format!(
            "!{}",
            equals("c", &["securityContext", "readOnlyRootFilesystem"], "true")
        ))],
        "service-account-token" => vec![Check::container(format!(
            "!{}",
            equals("variables.spec", &["automountServiceAccountToken"], "false")
        ))],
        "docker-socket-mount" => vec![Check::container(format!(
            "{mounts}.exists(m, has(m.name) && m.name in variables.runtimeSocketVolumes)"
        ))],
        "host-devices" => vec![Check::container(format!(
            "{mounts}.exists(m, has(m.name) && m.name in variables.deviceVolumes)"
        ))],
        "sensitive-hostpath" => vec![Check::container(format!(
            "{mounts}.exists(m, has(m.name) && ({} ? m.name in variables.sensitiveReadOnlyVolumes : m.name in variables.sensitiveVolumes))",
            equals("m", &["readOnly"], "true")
        ))],
        "image-latest-tag" => vec![image("i[2] == '' && (i[4] == '' || i[5] == 'latest')")],
        "image-not-pinned" => vec![image("i[2] == ''")],
        "image-untrusted-registry" => {
            let prefixes: Vec<String> = profile
                .allowed_registries
                .iter()
                .filter_map(|entry| minpriv_model::ImageRef::registry_prefix(entry))
                .collect();
            if profile.allowed_registries.is_empty() {
                return Err(
                    "no allowed-registries in the configuration: the scan never reports it".into(),
                );
            }
            vec![Check::Each {
                list: "variables.imageRegistryPaths",
                var: "i",
                name: "i[0]".into(),
                violates: format!(
                    "!{}.exists(e, i[1] == e || i[1].startsWith(e + '/'))",
                    strings(&prefixes)
                ),
            }]
        }
        "non-numeric-image-user" => {
            return Err(
                "needs the image's USER, which only the image knows: check images with `minpriv scan --image` in CI".into(),
            );
        }
        "invalid-input" => {
            return Err("the API server validates objects itself before admission".into());
        }
        _ => {
            return Err("does not apply to Kubernetes objects".into());
        }
    })
}

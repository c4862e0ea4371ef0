//! What one verification run is: a [`Posture`] (the baseline's, with the model's hardening
//! [`Step`]s applied) made into a [`RunSpec`] at the edge ([`RunSpec::from_posture`]), and the
//! [`Restriction`]s, the names verification gives the steps it tries and relaxes.

use minpriv_model::hardening::Step;
use minpriv_model::user::{UserKind, UserSpec};
use minpriv_model::{
    AppArmor, CapSet, CapSpec, Located, MountKind, Origin, Posture, ProcMount, Runtime, Seccomp,
};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The seccomp profile of a run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeccompRun {
    /// The engine's default profile.
    Default,
    /// No seccomp filtering.
    Unconfined,
    /// A custom profile: the file it came from and its JSON text.
    Profile {
        /// The file, as written.
        file: String,
        /// The profile's JSON, sent to the engine as `seccomp=<json>`.
        #[serde(skip)]
        json: String,
    },
}

/// The options of a tmpfs for a run as `user`. A tmpfs mounted on a folder of the image takes
/// that folder's mode (runc copies it: root's 0755), so a mode option is lost; a non-root
/// numeric user gets the tmpfs as its own instead (`uid=65532,gid=65532`). Root needs nothing,
/// and a user name cannot be turned into a uid here (none is given).
pub fn tmpfs_options(user: Option<&str>) -> String {
    let Some(user) = user else {
        return String::new();
    };
    let spec = UserSpec::parse(user);
    let uid = match spec.kind() {
        UserKind::Uid(uid) => uid,
        _ => return String::new(),
    };
    match spec.group.and_then(|g| g.parse::<u32>().ok()) {
        Some(gid) => format!("uid={uid},gid={gid}"),
        None => format!("uid={uid}"),
    }
}

/// A host path bind-mounted into a run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BindMount {
    /// The absolute host path.
    pub host: String,
    /// Where it appears in the container.
    pub container: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// Everything that decides how one verification container is created. Two equal specs are the
/// same experiment: results are cached by spec.
///
/// A spec never asks for privileged mode, and it always names its capabilities explicitly
/// (`--cap-drop ALL` plus `--cap-add` of [`RunSpec::capabilities`]), so that what a run holds
/// never depends on the engine's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RunSpec {
    /// The image (present in the local engine).
    pub image: String,
    /// The command (after the image's entrypoint); empty = the image's own command.
    pub command: Vec<String>,
    /// `user[:group]`; `None` = the image's user.
    pub user: Option<String>,
    /// The capability bounding set.
    pub capabilities: CapSet,
    /// no-new-privileges.
    pub no_new_privileges: bool,
    /// Read-only root filesystem.
    pub read_only_rootfs: bool,
    /// tmpfs mounts (sorted, no duplicates).
    pub tmpfs: Vec<String>,
    /// The seccomp profile.
    pub seccomp: SeccompRun,
    /// The AppArmor profile: `None` = the engine's default, else `unconfined` or a name.
    pub apparmor: Option<String>,
    /// SELinux labelling off.
    pub selinux_disabled: bool,
    /// /proc unmasked (`systempaths=unconfined`).
    pub unmasked_proc: bool,
    /// The host's PID namespace.
    pub host_pid: bool,
    /// The host's IPC namespace.
    pub host_ipc: bool,
    /// The host's UTS namespace.
    pub host_uts: bool,
    /// No user namespace remapping (`--userns host`).
    pub host_userns: bool,
    /// Host devices, as Docker writes them (`/dev/fuse`, `/dev/sda:/dev/xvda:rwm`).
    pub devices: Vec<String>,
    /// Host paths mounted.
    pub binds: Vec<BindMount>,
    /// Anonymous volumes (standing in for named volumes and Kubernetes volumes), by path.
    pub volumes: Vec<String>,
    /// Sysctls.
    pub sysctls: Vec<(String, String)>,
    /// The network: `none` unless asked otherwise.
    pub network: String,
}

impl RunSpec {
    /// True when the run's process starts as root (no user, an empty user, `root`, `0`).
    pub fn runs_as_root(&self, image_user: Option<&str>) -> bool {
        is_root_user(self.user.as_deref().or(image_user))
    }

    /// The `docker run` arguments that reproduce this run (without `--rm` and labels), image and
    /// command included.
    pub fn docker_run_args(&self) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let mut push = |flag: &str, value: Option<String>| {
            a.push(flag.to_string());
            if let Some(v) = value {
                a.push(v);
            }
        };
        push("--network", Some(self.network.clone()));
        self.push_flags(&mut push);
        a.push(self.image.clone());
        a.extend(self.command.iter().cloned());
        a
    }

    /// The flags that decide privilege, in a stable order (the network aside).
    pub fn privilege_flags(&self) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let mut push = |flag: &str, value: Option<String>| {
            a.push(flag.to_string());
            if let Some(v) = value {
                a.push(v);
            }
        };
        self.push_flags(&mut push);
        a
    }

    fn push_flags(&self, push: &mut dyn FnMut(&str, Option<String>)) {
        if let Some(u) = &self.user {
            push("--user", Some(u.clone()));
        }
        push("--cap-drop", Some("ALL".into()));
        for c in self.capabilities.sorted_names() {
            push("--cap-add", Some(c.to_string()));
        }
        if self.no_new_privileges {
            push("--security-opt", Some("no-new-privileges:true".into()));
        }
        if self.read_only_rootfs {
            push("--read-only", None);
        }
        let options = tmpfs_options(self.user.as_deref());
        for t in &self.tmpfs {
            if options.is_empty() {
                push("--tmpfs", Some(t.clone()));
            } else {
                push("--tmpfs", Some(format!("{t}:{options}")));
            }
        }
        match &self.seccomp {
            SeccompRun::Default => {}
            SeccompRun::Unconfined => push("--security-opt", Some("seccomp=unconfined".into())),
            SeccompRun::Profile { file, .. } => {
                push("--security-opt", Some(format!("seccomp={file}")))
            }
        }
        if let Some(p) = &self.apparmor {
            push("--security-opt", Some(format!("apparmor={p}")));
        }
        if self.selinux_disabled {
            push("--security-opt", Some("label=disable".into()));
        }
        if self.unmasked_proc {
            push("--security-opt", Some("systempaths=unconfined".into()));
        }
        for (on, flag) in [
            (self.host_pid, "--pid"),
            (self.host_ipc, "--ipc"),
            (self.host_uts, "--uts"),
            (self.host_userns, "--userns"),
        ] {
            if on {
                push(flag, Some("host".into()));
            }
        }
        for d in &self.devices {
            push("--device", Some(d.clone()));
        }
        for b in &self.binds {
            let ro = if b.read_only { ":ro" } else { "" };
            push("-v", Some(format!("{}:{}{ro}", b.host, b.container)));
        }
        for v in &self.volumes {
            push("-v", Some(v.clone()));
        }
        for (k, v) in &self.sysctls {
            push("--sysctl", Some(format!("{k}={v}")));
        }
    }

    /// A short description for people: `root, 14 capabilities, writable rootfs`.
    pub fn summary(&self, image_user: Option<&str>) -> String {
        let mut parts = Vec::new();
        let user = self.user.as_deref().or(image_user);
        parts.push(match user {
            None => "root (image default)".to_string(),
            Some(u) if is_root_user(Some(u)) => format!("user {u} (root)"),
            Some(u) => format!("user {u}"),
        });
        parts.push(match self.capabilities.len() {
            0 => "no capabilities".to_string(),
            n if n <= 4 => self.capabilities.sorted_names().join(","),
            n => format!("{n} capabilities"),
        });
        if self.no_new_privileges {
            parts.push("no-new-privileges".into());
        }
        if self.read_only_rootfs {
            if self.tmpfs.is_empty() {
                parts.push("read-only rootfs".into());
            } else {
                parts.push(format!("read-only rootfs + tmpfs {}", self.tmpfs.join(",")));
            }
        } else {
            parts.push("writable rootfs".into());
        }
        parts.push(match &self.seccomp {
            SeccompRun::Default => "seccomp default".to_string(),
            SeccompRun::Unconfined => "seccomp unconfined".to_string(),
            SeccompRun::Profile { file, .. } => format!("seccomp {file}"),
        });
        let ns: Vec<&str> = [
            (self.host_pid, "pid"),
            (self.host_ipc, "ipc"),
            (self.host_uts, "uts"),
            (self.host_userns, "userns"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        if !ns.is_empty() {
            parts.push(format!("host {}", ns.join(",")));
        }
        if !self.devices.is_empty() {
            parts.push(format!("{} device(s)", self.devices.len()));
        }
        parts.join(", ")
    }
}

/// True for root: no user, an empty user, `root`, uid 0 (with or without a group).
pub fn is_root_user(user: Option<&str>) -> bool {
    match user {
        None => true,
        Some(u) => matches!(UserSpec::parse(u).kind(), UserKind::Root),
    }
}

/// What a run needs beside its posture: what to run, where, and what the engine was found to
/// offer. Every run of one verification shares these.
#[derive(Clone, Debug)]
pub struct RunInputs {
    /// The image (present in the local engine).
    pub image: String,
    /// The command (after the image's entrypoint); empty = the image's own command.
    pub command: Vec<String>,
    /// The network for every run.
    pub network: String,
    /// The image's configured user, as looked up (`None` = root).
    pub image_user: Option<String>,
    /// The folder relative host paths are resolved against.
    pub base_dir: PathBuf,
    /// Whether the engine has AppArmor (profiles are only passed where it does).
    pub apparmor_available: bool,
    /// The custom seccomp profile of the baseline, read once: a posture names it by file, a
    /// run sends its text.
    pub seccomp_profile: Option<SeccompRun>,
}

impl RunSpec {
    /// The run of `posture`: the one place a posture becomes a `docker run`. A privileged
    /// posture runs without privileged mode, with every capability and without seccomp,
    /// AppArmor, SELinux labels or masked /proc instead, so that no run ever holds more than
    /// its posture grants and none holds the host's devices.
    pub fn from_posture(posture: &Posture, inputs: &RunInputs) -> RunSpec {
        let privileged = posture.privileged.value;
        let seccomp = if privileged {
            SeccompRun::Unconfined
        } else {
            match &posture.seccomp.value {
                Seccomp::RuntimeDefault => SeccompRun::Default,
                // Kubernetes runs a container without a profile unconfined.
                Seccomp::Unconfined | Seccomp::KubernetesUnset => SeccompRun::Unconfined,
                // Only the baseline's profile was read; any other file falls back to the
                // engine's profile rather than to none.
                Seccomp::Custom(_) => inputs
                    .seccomp_profile
                    .clone()
                    .unwrap_or(SeccompRun::Default),
            }
        };
        let apparmor = if !inputs.apparmor_available {
            None
        } else if privileged {
            Some("unconfined".to_string())
        } else {
            match &posture.apparmor.value {
                AppArmor::RuntimeDefault => None,
                AppArmor::Unconfined => Some("unconfined".into()),
                AppArmor::Custom(p) => Some(p.trim_start_matches("localhost/").to_string()),
            }
        };
        let mut tmpfs = BTreeSet::new();
        let mut binds = Vec::new();
        let mut volumes = Vec::new();
        for m in &posture.mounts {
            let Some(target) = m.container_path.clone().filter(|p| p.starts_with('/')) else {
                continue;
            };
            match m.kind {
                MountKind::Bind => match m.host_path.as_deref() {
                    Some(host) => binds.push(BindMount {
                        host: resolve_host_path(host, &inputs.base_dir),
                        container: target,
                        read_only: m.read_only,
                    }),
                    None => volumes.push(target),
                },
                MountKind::Tmpfs => {
                    tmpfs.insert(target);
                }
                // Named and Kubernetes volumes cannot be reproduced: an empty anonymous volume
                // stands in.
                MountKind::Volume | MountKind::Other => volumes.push(target),
            }
        }
        RunSpec {
            image: inputs.image.clone(),
            command: inputs.command.clone(),
            user: run_user(posture, inputs.image_user.as_deref()),
            capabilities: posture.bounding_capabilities(),
            no_new_privileges: posture.no_new_privileges.value,
            read_only_rootfs: posture.read_only_rootfs.value,
            tmpfs: tmpfs.into_iter().collect(),
            seccomp,
            apparmor,
            selinux_disabled: privileged || posture.selinux.value.disabled,
            unmasked_proc: privileged || posture.proc_mount.value == ProcMount::Unmasked,
            host_pid: posture.host_pid.value,
            host_ipc: posture.host_ipc.value,
            host_uts: posture.host_uts.value,
            host_userns: posture.host_userns.value,
            devices: posture.devices.iter().map(|d| d.value.clone()).collect(),
            binds,
            volumes,
            sysctls: posture.sysctls.iter().map(|s| s.value.clone()).collect(),
            network: inputs.network.clone(),
        }
    }
}

/// The `--user` of a posture: Kubernetes' `runAsUser`/`runAsGroup` first, then the user as
/// written; a group alone goes with the image's user.
fn run_user(posture: &Posture, image_user: Option<&str>) -> Option<String> {
    match (posture.run_as_user.value, posture.run_as_group.value) {
        (Some(u), Some(g)) => Some(format!("{u}:{g}")),
        (Some(u), None) => Some(u.to_string()),
        (None, g) => {
            let written = posture.user.value.clone().filter(|u| !u.trim().is_empty());
            match (written, g) {
                (Some(u), Some(g)) if !u.contains(':') => Some(format!("{u}:{g}")),
                (Some(u), _) => Some(u),
                (None, Some(g)) => {
                    let base = image_user.unwrap_or("0");
                    let base = base.split(':').next().unwrap_or("0");
                    Some(format!("{base}:{g}"))
                }
                (None, None) => None,
            }
        }
    }
}

/// What the baseline of a verification is: the configuration as written, as a posture the
/// hardening steps act on, and its run.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// The posture as verification runs it (see [`Baseline::from_posture`]); every other run
    /// is this posture with hardening steps applied.
    pub posture: Posture,
    /// What every run shares beside its posture.
    pub inputs: RunInputs,
    /// The spec of the baseline run.
    pub spec: RunSpec,
    /// The image's configured user (`None` = root).
    pub image_user: Option<String>,
    /// What was changed on the way from the posture to a run, for the user to read.
    pub notes: Vec<String>,
}

/// How a posture becomes a run.
#[derive(Clone, Debug)]
pub struct BaselineOptions {
    /// The network for every run (`none` by default).
    pub network: String,
    /// The folder relative host paths and seccomp profiles are resolved against.
    pub base_dir: PathBuf,
    /// Whether the engine has AppArmor (profiles are only passed where it does).
    pub apparmor_available: bool,
}

impl Baseline {
    /// The baseline of `posture` with `image` and `command`. Privileged mode is never used: a
    /// privileged posture runs with every capability and without seccomp and AppArmor instead
    /// (and says so in the notes).
    ///
    /// The posture kept is the one the runs really have, written out so that the model's steps
    /// produce exactly the runs verification means: privilege as the settings it stands for,
    /// the user as one Docker `--user`, the capabilities as `ALL` dropped and each one added
    /// back, seccomp as what runs (an unset Kubernetes profile unconfined, an unreadable file
    /// the default). Host paths stay as written: the edge resolves them.
    pub fn from_posture(
        posture: &Posture,
        image: &str,
        command: &[String],
        image_user: Option<String>,
        options: &BaselineOptions,
    ) -> Baseline {
        fn written<T>(value: T, at: Option<minpriv_model::Span>) -> Located<T> {
            Located::new(value, Origin::Written, at)
        }
        let mut notes = Vec::new();
        let at = posture.anchor;
        let mut runnable = posture.clone();
        // Docker's reading of the user and capabilities: the run is a `docker run` whatever
        // the posture's runtime, and the non-root step then writes the `--user` itself.
        runnable.runtime = Runtime::Docker;
        runnable.user = written(run_user(posture, image_user.as_deref()), at);
        runnable.run_as_user = written(None, at);
        runnable.run_as_group = written(None, at);
        let privileged = posture.privileged.value;
        let capabilities = if privileged {
            notes.push(
                "the posture is privileged; verification never runs a privileged container, so \
                 the baseline runs with every capability and without seccomp and AppArmor instead"
                    .into(),
            );
            CapSet::all()
        } else {
            posture.bounding_capabilities()
        };
        runnable.privileged = written(false, at);
        runnable.cap_drop = vec![written(CapSpec::All, at)];
        runnable.cap_add = capabilities
            .iter()
            .map(|c| written(CapSpec::Cap(c), at))
            .collect();
        let mut seccomp_profile = None;
        if privileged {
            runnable.seccomp = written(Seccomp::Unconfined, at);
            runnable.apparmor = written(AppArmor::Unconfined, at);
            let mut selinux = posture.selinux.value.clone();
            selinux.disabled = true;
            runnable.selinux = written(selinux, at);
            runnable.proc_mount = written(ProcMount::Unmasked, at);
        } else {
            match &posture.seccomp.value {
                Seccomp::RuntimeDefault | Seccomp::Unconfined => {}
                Seccomp::KubernetesUnset => {
                    notes.push(
                        "no seccomp profile is set, which Kubernetes runs unconfined: the \
                         baseline runs without seccomp"
                            .into(),
                    );
                    runnable.seccomp = written(Seccomp::Unconfined, at);
                }
                Seccomp::Custom(file) => match load_profile(file, &options.base_dir, &mut notes) {
                    SeccompRun::Default => runnable.seccomp = written(Seccomp::RuntimeDefault, at),
                    profile => seccomp_profile = Some(profile),
                },
            }
        }
        if !options.apparmor_available
            && !matches!(posture.apparmor.value, AppArmor::RuntimeDefault)
        {
            notes.push("this engine has no AppArmor: the AppArmor setting is not tried".into());
        }
        for m in &posture.mounts {
            let Some(target) = m.container_path.as_deref().filter(|p| p.starts_with('/')) else {
                continue;
            };
            if m.kind == MountKind::Other {
                notes.push(format!(
                    "the volume at {target} is replaced by an empty anonymous volume"
                ));
            }
        }
        if posture.host_network.value && options.network != "host" {
            notes.push(format!(
                "the host network is not shared with verification runs: they use --network {} \
                 (pass --network host to share it)",
                options.network
            ));
        }
        if !posture.published_ports.is_empty() || !posture.host_ports.is_empty() {
            notes.push("ports are not published for verification runs".into());
        }
        let inputs = RunInputs {
            image: image.to_string(),
            command: command.to_vec(),
            network: options.network.clone(),
            image_user: image_user.clone(),
            base_dir: options.base_dir.clone(),
            apparmor_available: options.apparmor_available,
            seccomp_profile,
        };
        let spec = RunSpec::from_posture(&runnable, &inputs);
        Baseline {
            posture: runnable,
            inputs,
            spec,
            image_user: image_user.filter(|u| !u.trim().is_empty()),
            notes,
        }
    }

    /// The run of `posture` (the baseline's posture with steps applied) with this baseline's
    /// image, command and network.
    pub fn run(&self, posture: &Posture) -> RunSpec {
        RunSpec::from_posture(posture, &self.inputs)
    }

    /// True when the baseline's process runs as root.
    pub fn runs_as_root(&self) -> bool {
        self.spec.runs_as_root(self.image_user.as_deref())
    }

    /// The non-root user the hardened configuration uses: the baseline's when it is not root,
    /// else the image's `USER` when that is not root, else `uid:uid`.
    pub fn non_root_user(&self, uid: u32) -> Option<String> {
        if !self.runs_as_root() {
            return self.spec.user.clone().or_else(|| self.image_user.clone());
        }
        match &self.image_user {
            Some(u) if !is_root_user(Some(u)) => Some(u.clone()),
            _ => Some(format!("{uid}:{uid}")),
        }
    }
}

fn load_profile(file: &str, base: &Path, notes: &mut Vec<String>) -> SeccompRun {
    let name = file.trim_start_matches("localhost/");
    let path = if Path::new(name).is_absolute() {
        PathBuf::from(name)
    } else {
        base.join(name)
    };
    match std::fs::read_to_string(&path) {
        Ok(json) => SeccompRun::Profile {
            file: name.to_string(),
            json,
        },
        Err(e) => {
            notes.push(format!(
                "the seccomp profile {} could not be read ({e}): runs use the default profile",
                path.display()
            ));
            SeccompRun::Default
        }
    }
}

fn resolve_host_path(host: &str, base: &Path) -> String {
    if host.starts_with('/') {
        return host.to_string();
    }
    let rest = host
        .strip_prefix("~/")
        .or(if host == "~" { Some("") } else { None });
    if let (Some(rest), Some(home)) = (rest, std::env::var_os("HOME")) {
        return Path::new(&home).join(rest).display().to_string();
    }
    base.join(host).display().to_string()
}

/// One restriction of the hardened configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restriction {
    /// A non-root user.
    NonRootUser,
    /// `--cap-drop ALL`: no capabilities.
    DropCapabilities,
    /// no-new-privileges.
    NoNewPrivileges,
    /// A read-only root filesystem (with tmpfs where the baseline wrote).
    ReadOnlyRootfs,
    /// The engine's default seccomp profile.
    SeccompDefault,
    /// The engine's default AppArmor profile.
    ApparmorDefault,
    /// SELinux labelling on.
    SelinuxLabels,
    /// /proc masked as usual.
    MaskedProc,
    /// No host PID, IPC, UTS or user namespace.
    NoHostNamespaces,
    /// No host devices.
    NoDevices,
    /// No container runtime socket mounted.
    NoRuntimeSocket,
    /// A given seccomp profile instead of the engine's default (`verify --seccomp FILE`; not
    /// in [`Restriction::ALL`]: it applies only when a profile is given).
    SeccompProfile,
}

impl Restriction {
    /// Every restriction, in the order they are tried and reported.
    pub const ALL: &'static [Restriction] = &[
        Restriction::NonRootUser,
        Restriction::DropCapabilities,
        Restriction::NoNewPrivileges,
        Restriction::ReadOnlyRootfs,
        Restriction::SeccompDefault,
        Restriction::ApparmorDefault,
        Restriction::SelinuxLabels,
        Restriction::MaskedProc,
        Restriction::NoHostNamespaces,
        Restriction::NoDevices,
        Restriction::NoRuntimeSocket,
    ];

    /// The kebab-case name used in output (`read-only-rootfs`).
    pub fn name(self) -> &'static str {
        match self {
            Restriction::NonRootUser => "non-root-user",
            Restriction::DropCapabilities => "drop-capabilities",
            Restriction::NoNewPrivileges => "no-new-privileges",
            Restriction::ReadOnlyRootfs => "read-only-rootfs",
            Restriction::SeccompDefault => "seccomp-default",
            Restriction::ApparmorDefault => "apparmor-default",
            Restriction::SelinuxLabels => "selinux-labels",
            Restriction::MaskedProc => "masked-proc",
            Restriction::NoHostNamespaces => "no-host-namespaces",
            Restriction::NoDevices => "no-devices",
            Restriction::NoRuntimeSocket => "no-runtime-socket",
            Restriction::SeccompProfile => "seccomp-profile",
        }
    }

    /// The model's hardening step this restriction stands for, with the hardened
    /// configuration's user and tmpfs.
    pub fn step(self, hardening: &Hardening) -> Step {
        match self {
            Restriction::NonRootUser => Step::RunAsNonRoot {
                user: hardening.user.clone(),
                uid: match UserSpec::parse(&hardening.user).kind() {
                    UserKind::Uid(uid) => Some(uid),
                    _ => None,
                },
            },
            Restriction::DropCapabilities => Step::DROP_ALL_CAPABILITIES,
            Restriction::NoNewPrivileges => Step::NoNewPrivileges,
            Restriction::ReadOnlyRootfs => Step::ReadOnlyRootfs {
                tmpfs: hardening.tmpfs.clone(),
            },
            // The profile itself is set on the run (see `verify`); the posture says "default".
            Restriction::SeccompDefault | Restriction::SeccompProfile => Step::SeccompDefault,
            Restriction::ApparmorDefault => Step::AppArmorDefault,
            Restriction::SelinuxLabels => Step::SelinuxLabels,
            Restriction::MaskedProc => Step::MaskedProc,
            Restriction::NoHostNamespaces => Step::NoHostNamespaces,
            Restriction::NoDevices => Step::RemoveDevices,
            Restriction::NoRuntimeSocket => Step::RemoveRuntimeSocket,
        }
    }
}

impl fmt::Display for Restriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values the hardened configuration uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hardening {
    /// The non-root user.
    pub user: String,
    /// tmpfs mounts that the read-only root filesystem needs.
    pub tmpfs: Vec<String>,
}

/// The restrictions that change the run of `baseline`, in [`Restriction::ALL`] order. A
/// baseline that already runs as a non-root user keeps it: replacing it is no restriction.
pub fn applicable(baseline: &Baseline, hardening: &Hardening) -> Vec<Restriction> {
    Restriction::ALL
        .iter()
        .copied()
        .filter(|r| match r {
            Restriction::NonRootUser => baseline.runs_as_root(),
            // Judged on the run, not the posture: a step that rewrites a setting to what the
            // engine does anyway restricts nothing.
            _ => baseline.run(&r.step(hardening).apply(&baseline.posture)) != baseline.spec,
        })
        .collect()
}

/// `posture` with the step of each restriction of `restrictions` applied, in order.
pub fn with_restrictions(
    posture: &Posture,
    restrictions: &[Restriction],
    hardening: &Hardening,
) -> Posture {
    let steps: Vec<Step> = restrictions.iter().map(|r| r.step(hardening)).collect();
    Step::apply_all(&steps, posture)
}

/// The baseline's posture with every restriction of `applied` that is not in `relaxed`.
pub fn restricted(
    baseline: &Baseline,
    applied: &[Restriction],
    relaxed: &[Restriction],
    hardening: &Hardening,
) -> Posture {
    let kept: Vec<Restriction> = applied
        .iter()
        .copied()
        .filter(|r| !relaxed.contains(r))
        .collect();
    with_restrictions(&baseline.posture, &kept, hardening)
}

/// One entry of the engine's container-changes list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FsChange {
    /// The path in the container.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
    /// True when it is known to be a folder (looked up for changed top-level entries only).
    #[serde(skip)]
    pub folder: bool,
}

/// What happened to a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Changed (a file written, or a folder whose entries changed).
    Modified,
    /// Created.
    Added,
    /// Removed.
    Deleted,
}

/// The folders a run wrote into, as tmpfs mount points for a read-only root filesystem.
///
/// Only the leaves of the change list count (a folder listed because something below it
/// changed is not itself written). A file changed or removed needs its folder; a file or folder
/// the run created needs the folder of the outermost created folder above it (which existed in
/// the image), except directly under `/`, where the created folder itself becomes the mount
/// point (the engine creates missing mount points); a created entry right under `/` with nothing
/// below it may be a file, which no tmpfs can hold. Changes at or under `ignore` (the run's own
/// mount points) are left out; nested results are merged into the outermost.
pub fn tmpfs_for_changes(changes: &[FsChange], ignore: &[String]) -> Result<Vec<String>, String> {
    let under = |path: &str, dir: &str| {
        path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
    };
    // Mount points the runtime itself creates in an image that lacks them (Podman adds `/etc`
    // for the /etc/hosts, /etc/hostname and /etc/resolv.conf it mounts): no write of the
    // app's, as long as nothing below them changed.
    let runtime_made = |c: &FsChange| {
        c.kind == ChangeKind::Added
            && RUNTIME_MOUNT_POINTS.contains(&c.path.as_str())
            && !changes
                .iter()
                .any(|o| o.path != c.path && under(&o.path, &c.path))
    };
    let changes: Vec<FsChange> = changes
        .iter()
        .filter(|c| !runtime_made(c))
        .cloned()
        .collect();
    let changes = changes.as_slice();
    let added: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .map(|c| c.path.as_str())
        .collect();
    let mut dirs = BTreeSet::new();
    for c in changes {
        let is_parent = changes
            .iter()
            .any(|o| o.path.len() > c.path.len() && under(&o.path, &c.path));
        if is_parent || ignore.iter().any(|m| under(&c.path, m)) {
            continue;
        }
        let dir = if c.kind == ChangeKind::Added {
            let mut top = c.path.as_str();
            while let Some(p) = parent(top) {
                if added.contains(p) {
                    top = p;
                } else {
                    break;
                }
            }
            match parent(top) {
                // A created leaf right under `/` may be a file: no mount point can hold it.
                Some("/") | None if top == c.path => "/".to_string(),
                Some("/") | None => top.to_string(),
                Some(p) => p.to_string(),
            }
        } else {
            match parent(&c.path) {
                // A top-level folder changed itself (`chown 1:1 /tmp`): a tmpfs at the folder
                // takes the change.
                Some("/") if c.kind == ChangeKind::Modified && c.folder => c.path.clone(),
                Some(p) => p.to_string(),
                None => "/".to_string(),
            }
        };
        if dir == "/" {
            return Err(format!(
                "it writes {} directly in the root folder, which no tmpfs can cover",
                c.path
            ));
        }
        dirs.insert(dir);
    }
    let all: Vec<String> = dirs.iter().cloned().collect();
    Ok(dirs
        .into_iter()
        .filter(|d| !all.iter().any(|o| o != d && under(d, o)))
        .collect())
}

/// Paths a container runtime creates as mount points when the image lacks them.
const RUNTIME_MOUNT_POINTS: &[&str] = &[
    "/etc",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
    "/run",
    "/run/.containerenv",
    "/run/secrets",
    "/dev",
    "/proc",
    "/sys",
];

fn parent(path: &str) -> Option<&str> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    match trimmed.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => Some(&trimmed[..i]),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{CapSpec, Capability, Located, Runtime};

    fn change(kind: ChangeKind, path: &str) -> FsChange {
        FsChange {
            folder: false,
            path: path.into(),
            kind,
        }
    }

    fn opts() -> BaselineOptions {
        BaselineOptions {
            network: "none".into(),
            base_dir: PathBuf::from("/srv/app"),
            apparmor_available: false,
        }
    }

    #[test]
    fn tmpfs_covers_the_folders_written() {
        use ChangeKind::*;
        // /var/cache/app existed in the image; the run wrote a file there and one in /tmp.
        let c = [
            change(Modified, "/var"),
            change(Modified, "/var/cache"),
            change(Modified, "/var/cache/app"),
            change(Added, "/var/cache/app/f"),
            change(Modified, "/tmp"),
            change(Added, "/tmp/x"),
        ];
        assert_eq!(
            tmpfs_for_changes(&c, &[]).unwrap(),
            vec!["/tmp", "/var/cache/app"]
        );
        // The run created /var/cache/app itself in an image that has /var/cache.
        let c = [
            change(Modified, "/var"),
            change(Modified, "/var/cache"),
            change(Added, "/var/cache/app"),
            change(Added, "/var/cache/app/f"),
        ];
        assert_eq!(tmpfs_for_changes(&c, &[]).unwrap(), vec!["/var/cache"]);
        // No /var in the image at all: the created top folder is the mount point.
        let c = [
            change(Added, "/var"),
            change(Added, "/var/cache"),
            change(Added, "/var/cache/app"),
            change(Added, "/var/cache/app/f"),
        ];
        assert_eq!(tmpfs_for_changes(&c, &[]).unwrap(), vec!["/var"]);
        // A file removed, nested folders merged, mount points ignored.
        let c = [
            change(Modified, "/etc"),
            change(Deleted, "/etc/motd"),
            change(Modified, "/etc/app"),
            change(Added, "/etc/app/x"),
            change(Added, "/data"),
        ];
        assert_eq!(
            tmpfs_for_changes(&c, &["/data".into()]).unwrap(),
            vec!["/etc"]
        );
        assert!(tmpfs_for_changes(&[change(Modified, "/app.db")], &[]).is_err());
        // `chown 1:1 /tmp`: the top-level folder itself changed; a tmpfs there takes it.
        let tmp = FsChange {
            folder: true,
            ..change(Modified, "/tmp")
        };
        assert_eq!(tmpfs_for_changes(&[tmp], &[]).unwrap(), vec!["/tmp"]);
        // Podman adds /etc to an image without one, for the files it mounts there: not the
        // app's write. A file the app writes below it still is.
        assert!(
            tmpfs_for_changes(&[change(Added, "/etc")], &[])
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            tmpfs_for_changes(
                &[change(Added, "/etc"), change(Added, "/etc/app.conf")],
                &[]
            )
            .unwrap(),
            vec!["/etc"]
        );
        assert!(tmpfs_for_changes(&[change(Added, "/x")], &[]).is_err());
        assert!(tmpfs_for_changes(&[], &[]).unwrap().is_empty());
        assert_eq!(tmpfs_options(Some("65532:65532")), "uid=65532,gid=65532");
        assert_eq!(tmpfs_options(Some("1000")), "uid=1000");
        assert_eq!(tmpfs_options(Some("root")), "");
        assert_eq!(tmpfs_options(Some("app")), "");
        assert_eq!(tmpfs_options(None), "");
    }

    #[test]
    fn a_posture_becomes_a_baseline_without_privileged_mode() {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.cap_drop
            .push(Located::written(CapSpec::Cap(Capability::NET_RAW), None));
        p.devices.push(Located::written("/dev/fuse".into(), None));
        let b = Baseline::from_posture(&p, "img", &["sh".into()], None, &opts());
        assert_eq!(b.spec.capabilities.len(), 13);
        assert!(b.runs_as_root());
        assert_eq!(b.non_root_user(65532).as_deref(), Some("65532:65532"));
        assert_eq!(b.spec.network, "none");

        p.privileged.value = true;
        let b = Baseline::from_posture(&p, "img", &[], None, &opts());
        assert_eq!(b.spec.capabilities, CapSet::all());
        assert_eq!(b.spec.seccomp, SeccompRun::Unconfined);
        assert!(b.notes[0].contains("never runs a privileged container"));
        let flags = b.spec.docker_run_args().join(" ");
        assert!(!flags.contains("privileged"), "{flags}");
    }

    #[test]
    fn users_come_from_the_posture_then_the_image() {
        let mut p = Posture::defaults(Runtime::Containerd, None);
        p.run_as_user.value = Some(1000);
        p.run_as_group.value = Some(3000);
        let b = Baseline::from_posture(&p, "img", &[], Some("0".into()), &opts());
        assert_eq!(b.spec.user.as_deref(), Some("1000:3000"));
        assert!(!b.runs_as_root());
        assert_eq!(b.non_root_user(65532).as_deref(), Some("1000:3000"));

        let p = Posture::defaults(Runtime::Docker, None);
        let b = Baseline::from_posture(&p, "img", &[], Some("app".into()), &opts());
        assert_eq!(b.spec.user, None);
        assert!(!b.runs_as_root());

        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user.value = Some("root".into());
        let b = Baseline::from_posture(&p, "img", &[], Some("app".into()), &opts());
        assert!(b.runs_as_root());
        assert_eq!(b.non_root_user(65532).as_deref(), Some("app"));
    }

    #[test]
    fn restrictions_apply_and_relax_one_by_one() {
        let p = Posture::defaults(Runtime::Docker, None);
        let b = Baseline::from_posture(&p, "img", &[], None, &opts());
        let h = Hardening {
            user: "65532:65532".into(),
            tmpfs: vec!["/tmp".into()],
        };
        let applied = applicable(&b, &h);
        assert_eq!(
            applied,
            vec![
                Restriction::NonRootUser,
                Restriction::DropCapabilities,
                Restriction::NoNewPrivileges,
                Restriction::ReadOnlyRootfs,
            ]
        );
        let hard = b.run(&restricted(&b, &applied, &[], &h));
        assert_eq!(hard.user.as_deref(), Some("65532:65532"));
        assert!(hard.capabilities.is_empty() && hard.no_new_privileges && hard.read_only_rootfs);
        assert_eq!(hard.tmpfs, vec!["/tmp"]);
        let relaxed = b.run(&restricted(
            &b,
            &applied,
            &[Restriction::ReadOnlyRootfs],
            &h,
        ));
        assert!(!relaxed.read_only_rootfs && relaxed.tmpfs.is_empty());
        assert_eq!(
            hard.privilege_flags().join(" "),
            "--user 65532:65532 --cap-drop ALL --security-opt no-new-privileges:true \
             --read-only --tmpfs /tmp:uid=65532,gid=65532"
        );
    }

    #[test]
    fn steps_on_the_baseline_posture_give_the_runs_verification_means() {
        // Kubernetes writes the user as numbers: the hardened run still gets one `--user`.
        let mut p = Posture::defaults(Runtime::Containerd, None);
        p.run_as_user.value = Some(0);
        p.run_as_group.value = Some(3000);
        p.mounts.push(minpriv_model::Mount {
            kind: MountKind::Bind,
            host_path: Some("/var/run/docker.sock".into()),
            container_path: Some("/var/run/docker.sock".into()),
            read_only: true,
            span: None,
        });
        let b = Baseline::from_posture(&p, "img", &[], None, &opts());
        assert_eq!(b.spec.user.as_deref(), Some("0:3000"));
        assert!(b.notes[0].contains("Kubernetes runs unconfined"));
        let h = Hardening {
            user: "65532:65532".into(),
            tmpfs: vec!["/tmp".into()],
        };
        let applied = applicable(&b, &h);
        assert!(applied.contains(&Restriction::SeccompDefault));
        assert!(applied.contains(&Restriction::NoRuntimeSocket));
        let hard = b.run(&restricted(&b, &applied, &[], &h));
        assert_eq!(hard.user.as_deref(), Some("65532:65532"));
        assert!(hard.binds.is_empty() && hard.seccomp == SeccompRun::Default);
        assert_eq!(hard.tmpfs, vec!["/tmp"]);

        // A privileged baseline is its settings written out, so each one can be relaxed alone.
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.privileged.value = true;
        let b = Baseline::from_posture(&p, "img", &[], None, &opts());
        assert!(!b.posture.privileged.value);
        assert_eq!(b.run(&b.posture), b.spec);
        let applied = applicable(&b, &h);
        for r in [
            Restriction::DropCapabilities,
            Restriction::SeccompDefault,
            Restriction::SelinuxLabels,
            Restriction::MaskedProc,
        ] {
            assert!(applied.contains(&r), "{r}");
        }
        let relaxed = b.run(&restricted(
            &b,
            &applied,
            &[Restriction::DropCapabilities],
            &h,
        ));
        assert_eq!(relaxed.capabilities, CapSet::all());
        assert!(!relaxed.unmasked_proc && !relaxed.selinux_disabled);
        assert!(!relaxed.privilege_flags().join(" ").contains("privileged"));
    }
}

//! `docker inspect` output: one [`Workload`] per container.
//!
//! The same mapping serves a dump read from a file and a container read live from the Docker
//! Engine API (`minpriv-engine`): [`posture_from_inspect`] is generic over [`InspectTree`], which
//! is implemented for the spanned tree of [`crate::yaml`] (it parses JSON too, so every value keeps
//! its line and column) and for `serde_json::Value` (the engine's answer, which has no text and so
//! no spans). A dump and a live audit of the same container therefore cannot disagree.
//!
//! What the inspect format says, checked against Docker 20.10 (see the fixtures' README):
//! - Every field is present, defaults included; a default value (`false`, `""`, `null`, `[]`) is
//!   treated as not written, so findings about it point at the container's `Name`.
//! - `Config` is the container's configuration *merged with the image's*: `Config.User` holds the
//!   image's `USER` when `--user` was not given, so an empty `Config.User` means that neither the
//!   container nor the image sets a user, i.e. root.
//! - `--cap-add SYS_ADMIN` appears as `CAP_SYS_ADMIN`; `--security-opt systempaths=unconfined`
//!   appears only as empty `MaskedPaths` and `ReadonlyPaths`; `--privileged` sets
//!   `AppArmorProfile` to `unconfined` on AppArmor hosts.
//! - Docker writes SELinux labels into `SecurityOpt` itself when the user gave none
//!   (`generateSecurityOpt` in the daemon): `label=disable` for `--privileged`, `--pid host` and
//!   `--ipc host`, on every host, SELinux or not; and a copy of the other container's
//!   `label=user:`, `role:`, `type:` (and `level:`) for `--pid container:X` or
//!   `--ipc container:X`. Those are read as the runtime's, not the user's (see
//!   [`label_origin`]).
//! - A custom seccomp profile is shown inline: `seccomp={"defaultAction":...}`.
//! - The top-level `Mounts` lists binds, volumes and `--mount` tmpfs mounts of created and running
//!   containers; `--tmpfs` mounts are only in `HostConfig.Tmpfs`.

use crate::yaml::{self, Node};
use crate::{InputError, ReadOutput};
use minpriv_model::posture::SELINUX_CONFINED_TYPES;
use minpriv_model::{
    AppArmor, CapSet, CapSpec, Capability, Container, ContainerRole, Located, Mount, MountKind,
    Origin, Posture, ProcMount, Runtime, Seccomp, Selinux, Source, Span, Workload,
};
use std::collections::BTreeMap;

/// Compose's label naming the project a container belongs to.
pub const COMPOSE_PROJECT_LABEL: &str = "com.docker.compose.project";
/// Compose's label naming the service a container runs.
pub const COMPOSE_SERVICE_LABEL: &str = "com.docker.compose.service";

/// A JSON tree that the inspect mapping can read.
///
/// Implemented for [`yaml::Node`] (a file: values carry spans) and for `&serde_json::Value` (the
/// live engine: no spans). Keeping the mapping generic over this trait, rather than converting one
/// tree into the other, means the engine pays no re-parse and the file keeps exact positions.
pub trait InspectTree<'a>: Copy {
    /// The value of `key` in an object (`None` for anything else, or when absent).
    fn get(self, key: &str) -> Option<Self>;
    /// The text of a string; `None` for `null` and for anything that is not a string.
    fn as_text(self) -> Option<&'a str>;
    /// A JSON boolean.
    fn as_boolean(self) -> Option<bool>;
    /// True for an array.
    fn is_array(self) -> bool;
    /// The items of an array (empty for anything else).
    fn array_items(self) -> Vec<Self>;
    /// The members of an object: key, where the key is written, value.
    fn members(self) -> Vec<(&'a str, Option<Span>, Self)>;
    /// Where the value is written, when the tree comes from text.
    fn span(self) -> Option<Span>;
}

impl<'a> InspectTree<'a> for Node<'a> {
    fn get(self, key: &str) -> Option<Self> {
        Node::get(&self, key)
    }

    fn as_text(self) -> Option<&'a str> {
        // The YAML tree reads a plain `null` as the text "null"; JSON strings are always quoted.
        if self.is_null() || !self.is_scalar() {
            return None;
        }
        match self.style() {
            Some(granit_parser::ScalarStyle::Plain) => None,
            _ => self.as_str(),
        }
    }

    fn as_boolean(self) -> Option<bool> {
        match self.style() {
            Some(granit_parser::ScalarStyle::Plain) => match self.as_str() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_array(self) -> bool {
        self.is_sequence()
    }

    fn array_items(self) -> Vec<Self> {
        self.items().collect()
    }

    fn members(self) -> Vec<(&'a str, Option<Span>, Self)> {
        self.entries()
            .filter_map(|(k, v)| Some((k.as_str()?, Some(Node::span(&k)), v)))
            .collect()
    }

    fn span(self) -> Option<Span> {
        Some(Node::span(&self))
    }
}

impl<'a> InspectTree<'a> for &'a serde_json::Value {
    fn get(self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    fn as_text(self) -> Option<&'a str> {
        self.as_str()
    }

    fn as_boolean(self) -> Option<bool> {
        self.as_bool()
    }

    fn is_array(self) -> bool {
        serde_json::Value::is_array(self)
    }

    fn array_items(self) -> Vec<Self> {
        self.as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    fn members(self) -> Vec<(&'a str, Option<Span>, Self)> {
        self.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.as_str(), None, v)).collect())
            .unwrap_or_default()
    }

    fn span(self) -> Option<Span> {
        None
    }
}

/// The Compose project and service a container was started for (from its labels).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComposeGroup {
    /// `com.docker.compose.project`.
    pub project: String,
    /// `com.docker.compose.service`.
    pub service: String,
}

impl ComposeGroup {
    /// The group named by Compose's labels, when both are present and non-empty.
    pub fn from_labels(labels: &BTreeMap<String, String>) -> Option<ComposeGroup> {
        let project = labels.get(COMPOSE_PROJECT_LABEL)?.trim();
        let service = labels.get(COMPOSE_SERVICE_LABEL)?.trim();
        (!project.is_empty() && !service.is_empty()).then(|| ComposeGroup {
            project: project.to_string(),
            service: service.to_string(),
        })
    }
}

/// One inspected container: its workload, and what the model has no field for.
///
/// The model's [`Workload`] carries no labels, so the Compose grouping and the ids travel here.
#[derive(Clone, Debug)]
pub struct InspectedContainer {
    /// `resource: "container/NAME"`, one container (named after the Compose service when the
    /// container has Compose's labels, else NAME).
    pub workload: Workload,
    /// The container's id.
    pub id: Option<String>,
    /// The id of the image the container was created from (`sha256:...`).
    pub image_id: Option<String>,
    /// `State.Status` (`running`, `created`, `exited`, ...).
    pub state: Option<String>,
    /// `Config.Labels` (the container's labels merged with the image's).
    pub labels: BTreeMap<String, String>,
    /// The Compose project and service, from the labels.
    pub compose: Option<ComposeGroup>,
}

/// Reads `docker inspect` output: a JSON array of container objects, or a single object.
pub fn read(text: &str) -> ReadOutput {
    let mut out = ReadOutput::default();
    for c in read_containers(text, &mut out) {
        out.workloads.push(c.workload);
    }
    out
}

/// Like [`read`], and keeps each container's ids, labels and Compose group. Errors and notes go
/// to `out`.
pub fn read_containers(text: &str, out: &mut ReadOutput) -> Vec<InspectedContainer> {
    let stream = yaml::parse(text);
    out.errors
        .extend(stream.errors.into_iter().map(|e| InputError {
            message: e.message.replacen("invalid YAML", "invalid JSON", 1),
            span: e.span,
        }));
    let mut containers = Vec::new();
    for doc in &stream.documents {
        let Some(root) = doc.root() else { continue };
        let objects: Vec<Node<'_>> = if root.is_sequence() {
            root.items().collect()
        } else if root.is_mapping() {
            vec![root]
        } else {
            out.errors.push(InputError {
                message: "expected `docker inspect` output: a JSON array of container objects"
                    .into(),
                span: Some(Node::span(&root)),
            });
            continue;
        };
        for object in objects {
            let runtime = runtime_of_dump(object);
            match container_from_inspect(object, Source::DockerInspect, runtime) {
                Ok(c) => containers.push(c),
                Err(e) => out.errors.push(e),
            }
        }
    }
    containers
}

/// Podman's inspect output has fields Docker's lacks; its containers get Podman's defaults.
fn runtime_of_dump<'a, T: InspectTree<'a>>(object: T) -> Runtime {
    if object.get("OCIRuntime").is_some() || object.get("ImageName").is_some() {
        Runtime::Podman
    } else {
        Runtime::Docker
    }
}

/// Maps one inspected container object to a [`Workload`] with one container.
///
/// Fails (with the object's position) for anything that is not a container, such as the output of
/// `docker image inspect`.
pub fn container_from_inspect<'a, T: InspectTree<'a>>(
    object: T,
    source: Source,
    runtime: Runtime,
) -> Result<InspectedContainer, InputError> {
    let host_config = object.get("HostConfig").filter(|h| !h.members().is_empty());
    if host_config.is_none() && object.get("State").is_none() {
        let message = if object.get("RepoTags").is_some() || object.get("RootFS").is_some() {
            "an image, not a container: `docker image inspect` output is not read here (scan \
             the image with --image)"
        } else {
            "not a container object: it has no HostConfig"
        };
        return Err(InputError {
            message: message.into(),
            span: object.span(),
        });
    }
    let id = text_at(object, "Id").map(str::to_string);
    let name = text_at(object, "Name")
        .map(|n| n.trim_start_matches('/'))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| id.as_deref().map(|i| i.chars().take(12).collect()))
        .unwrap_or_else(|| "unnamed".to_string());
    let labels: BTreeMap<String, String> = object
        .get("Config")
        .and_then(|c| c.get("Labels"))
        .map(|l| {
            l.members()
                .into_iter()
                .filter_map(|(k, _, v)| Some((k.to_string(), v.as_text()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let compose = ComposeGroup::from_labels(&labels);
    let posture = posture_from_inspect(object, runtime);
    let container_name = compose
        .as_ref()
        .map_or_else(|| name.clone(), |g| g.service.clone());
    Ok(InspectedContainer {
        workload: Workload {
            source,
            resource: format!("container/{name}"),
            span: object.span(),
            containers: vec![Container {
                name: Some(container_name),
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        },
        id,
        image_id: text_at(object, "Image").map(str::to_string),
        state: object
            .get("State")
            .and_then(|s| text_at(s, "Status"))
            .map(str::to_string),
        labels,
        compose,
    })
}

/// The members of a JSON object in key order: the order `docker inspect` prints (Go sorts map
/// keys), and the same whatever map type the engine's client deserialized into.
fn sorted_members<'a, T: InspectTree<'a>>(object: Option<T>) -> Vec<(&'a str, Option<Span>, T)> {
    let mut members = object.map(T::members).unwrap_or_default();
    members.sort_by(|a, b| a.0.cmp(b.0));
    members
}

fn text_at<'a, T: InspectTree<'a>>(object: T, key: &str) -> Option<&'a str> {
    object.get(key)?.as_text()
}

/// `key` set to a non-empty string.
fn non_empty<'a, T: InspectTree<'a>>(object: Option<T>, key: &str) -> Option<(&'a str, T)> {
    let v = object?.get(key)?;
    let t = v.as_text()?.trim();
    (!t.is_empty()).then_some((t, v))
}

/// The privilege posture of one inspected container (`HostConfig`, `Config`, `Mounts`,
/// `AppArmorProfile`). Values are [`Origin::Written`] where they differ from Docker's default;
/// the anchor is the `Name` value (`None` for a tree without spans).
pub fn posture_from_inspect<'a, T: InspectTree<'a>>(object: T, runtime: Runtime) -> Posture {
    let anchor = object
        .get("Name")
        .and_then(|n| n.span())
        .or_else(|| object.span());
    let mut p = Posture::defaults(runtime, anchor);
    let host = object.get("HostConfig");
    let config = object.get("Config");
    let hget = |key: &str| host.and_then(|h| h.get(key));

    if let Some(v) = hget("Privileged").filter(|v| v.as_boolean() == Some(true)) {
        p.privileged = Located::written(true, v.span());
    }
    let privileged = p.privileged.value;

    for (key, list) in [("CapAdd", &mut p.cap_add), ("CapDrop", &mut p.cap_drop)] {
        for item in hget(key).map(T::array_items).unwrap_or_default() {
            if let Some(name) = item.as_text().filter(|n| !n.trim().is_empty()) {
                list.push(Located::written(CapSpec::parse(name), item.span()));
            }
        }
    }
    let caps_key = if !p.cap_add.is_empty() {
        Some("CapAdd")
    } else if !p.cap_drop.is_empty() {
        Some("CapDrop")
    } else {
        None
    };
    p.capabilities_span = caps_key.and_then(hget).and_then(T::span).or(anchor);
    if let Some(bounding) = object.get("BoundingCaps").filter(|v| v.is_array()) {
        let reported: CapSet = bounding
            .array_items()
            .into_iter()
            .filter_map(|item| Capability::parse(item.as_text()?))
            .collect();
        set_reported_capabilities(&mut p, reported);
    }

    if let Some(v) = hget("ReadonlyRootfs").filter(|v| v.as_boolean() == Some(true)) {
        p.read_only_rootfs = Located::written(true, v.span());
    }

    let security_opts: Vec<(&str, Option<Span>)> = hget("SecurityOpt")
        .map(T::array_items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| Some((item.as_text()?.trim(), item.span())))
        .collect();
    let mode = |key: &str| hget(key).and_then(|v| v.as_text()).unwrap_or_default();
    let labels = label_origin(
        security_opts.iter().map(|(opt, _)| *opt),
        privileged,
        [mode("PidMode"), mode("IpcMode")],
    );
    let mut apparmor_written = false;
    for (opt, span) in security_opts {
        apparmor_written |= apply_security_opt(&mut p, opt, span, labels);
    }
    if !apparmor_written && let Some((profile, v)) = non_empty(Some(object), "AppArmorProfile") {
        match profile {
            // The runtime's own profiles (Docker's, Podman's).
            "docker-default" => {}
            p2 if p2.starts_with("containers-default") => {}
            "unconfined" => {
                // Privileged containers get no profile from the runtime itself.
                let origin = if privileged {
                    Origin::RuntimeDefault
                } else {
                    Origin::Written
                };
                p.apparmor = Located::new(AppArmor::Unconfined, origin, v.span());
            }
            other => p.apparmor = Located::written(AppArmor::Custom(other.into()), v.span()),
        }
    }

    // Podman says which SELinux type the process runs as (`ProcessLabel`, empty where the host
    // has no SELinux). An unconfined type there with no label in `SecurityOpt` came from
    // somewhere the dump does not show (containers.conf, `label=type:` dropped by a later
    // edit): what runs is what counts. Privileged mode implies it and reports it itself.
    if !privileged
        && !p.selinux.is_written()
        && let Some((label, v)) = non_empty(Some(object), "ProcessLabel")
        && let Some(type_) = label.split(':').nth(2).filter(|t| !t.is_empty())
        && !SELINUX_CONFINED_TYPES.contains(&type_)
    {
        p.selinux = Located::written(
            Selinux {
                type_: Some(type_.to_string()),
                ..Selinux::default()
            },
            v.span(),
        );
    }

    // `systempaths=unconfined` leaves no trace but empty mask lists; privileged containers have
    // null lists (everything is unmasked for them anyway, which `privileged` already says).
    if !privileged && p.proc_mount.value == ProcMount::Default {
        let masked = hget("MaskedPaths");
        let readonly = hget("ReadonlyPaths");
        if let (Some(m), Some(r)) = (masked, readonly)
            && m.is_array()
            && r.is_array()
            && m.array_items().is_empty()
            && r.array_items().is_empty()
        {
            p.proc_mount = Located::written(ProcMount::Unmasked, m.span());
        }
    }

    for (key, field) in [
        ("PidMode", &mut p.host_pid),
        ("IpcMode", &mut p.host_ipc),
        ("UTSMode", &mut p.host_uts),
        ("UsernsMode", &mut p.host_userns),
        ("NetworkMode", &mut p.host_network),
    ] {
        if let Some((_, v)) = non_empty(host, key).filter(|(t, _)| *t == "host") {
            *field = Located::written(true, v.span());
        }
    }

    p.mounts = mounts(object, host);

    for item in hget("Devices").map(T::array_items).unwrap_or_default() {
        let Some((on_host, v)) = non_empty(Some(item), "PathOnHost") else {
            continue;
        };
        let in_container = non_empty(Some(item), "PathInContainer").map_or(on_host, |(t, _)| t);
        let perms = non_empty(Some(item), "CgroupPermissions").map_or("rwm", |(t, _)| t);
        let text = if perms != "rwm" {
            format!("{on_host}:{in_container}:{perms}")
        } else if in_container != on_host {
            format!("{on_host}:{in_container}")
        } else {
            on_host.to_string()
        };
        p.devices.push(Located::written(text, v.span()));
    }

    for (name, key_span, v) in sorted_members(hget("Sysctls")) {
        let value = v.as_text().unwrap_or_default();
        p.sysctls.push(Located::written(
            (name.to_string(), value.to_string()),
            key_span.or(v.span()),
        ));
    }

    for (port, key_span, bindings) in sorted_members(hget("PortBindings")) {
        let (number, proto) = port.split_once('/').unwrap_or((port, "tcp"));
        let suffix = if proto == "tcp" {
            String::new()
        } else {
            format!("/{proto}")
        };
        for b in bindings.array_items() {
            let ip = text_at(b, "HostIp").unwrap_or_default();
            let host_port = text_at(b, "HostPort").unwrap_or_default();
            let text = match (ip.is_empty(), host_port.is_empty()) {
                (true, true) => format!("{number}{suffix}"),
                (true, false) => format!("{host_port}:{number}{suffix}"),
                (false, _) => format!("{ip}:{host_port}:{number}{suffix}"),
            };
            p.published_ports
                .push(Located::written(text, b.span().or(key_span)));
        }
    }
    if let Some(v) = hget("PublishAllPorts").filter(|v| v.as_boolean() == Some(true)) {
        p.published_ports.push(Located::written(
            "all exposed ports (--publish-all)".to_string(),
            v.span(),
        ));
    }

    if let Some(user) = config.and_then(|c| c.get("User")) {
        match user.as_text().map(str::trim) {
            Some(u) if !u.is_empty() => p.user = Located::written(Some(u.to_string()), user.span()),
            // Docker merges the image's USER into Config.User: empty means the image sets none.
            Some(_) => p.image_user = Located::new(None, Origin::Image, user.span().or(anchor)),
            None => {}
        }
    }

    if let Some((image, v)) =
        non_empty(config, "Image").or_else(|| non_empty(Some(object), "Image"))
    {
        p.image = Located::written(Some(image.to_string()), v.span());
    }
    p
}

/// `key=value` or the older `key:value` of a `SecurityOpt` entry; the key ends at the first of
/// them.
/// Takes the capability set an engine reports a container really has (Podman's
/// `BoundingCaps`) as the truth. Podman's `CapAdd`/`CapDrop` are computed against Docker's
/// defaults, not written by anyone: its containers start from containers.conf and the image's
/// `io.containers.capabilities` label. So the named drops are folded into the defaults (a
/// "drops only AUDIT_WRITE, ..." would be Podman's arithmetic, not the user's choice), and the
/// defaults kept are those the adds turn into the reported set. With `ALL` added or dropped, or
/// privileged, the defaults do not matter and everything is left as read.
pub fn set_reported_capabilities(p: &mut Posture, reported: CapSet) {
    let written = |list: &[Located<CapSpec>]| {
        list.iter().any(|c| c.value == CapSpec::All) || p.privileged.value
    };
    if written(&p.cap_add) || written(&p.cap_drop) {
        return;
    }
    let mut adds = CapSet::empty();
    for spec in &p.cap_add {
        if let CapSpec::Cap(c) = spec.value {
            adds.insert(c);
        }
    }
    p.cap_drop
        .retain(|c| matches!(c.value, CapSpec::Unknown(_)));
    p.default_capabilities = Some(reported.difference(adds));
}

fn split_security_opt(opt: &str) -> (&str, Option<&str>) {
    match opt.find(['=', ':']) {
        Some(i) => (opt[..i].trim(), Some(opt[i + 1..].trim())),
        None => (opt.trim(), None),
    }
}

/// Whose the `label` entries of `SecurityOpt` are. Docker adds labels only when the user gave
/// none, so the entries are either all the user's or all Docker's:
/// - with `--privileged`, `--pid host` or `--ipc host`, a lone `label=disable` is what Docker
///   adds (a user who wrote it asked for what Docker does anyway);
/// - with `--pid container:X` or `--ipc container:X`, exactly `user`, `role` and `type` (with or
///   without `level`) are Docker's copy of the other container's label.
///
/// Anything else was written by the user.
pub fn label_origin<'o>(
    security_opts: impl Iterator<Item = &'o str>,
    privileged: bool,
    pid_and_ipc_modes: [&str; 2],
) -> Origin {
    let mut fields: Vec<&str> = security_opts
        .filter_map(|opt| match split_security_opt(opt) {
            ("label", Some(value)) => Some(value.split_once(':').map_or(value, |(f, _)| f)),
            _ => None,
        })
        .collect();
    fields.sort_unstable();
    fields.dedup();
    let shares_host = pid_and_ipc_modes.iter().any(|m| m.trim() == "host");
    let joins_container = pid_and_ipc_modes
        .iter()
        .any(|m| m.trim().starts_with("container:"));
    let dockers = if privileged || shares_host {
        fields == ["disable"]
    } else if joins_container {
        fields == ["role", "type", "user"] || fields == ["level", "role", "type", "user"]
    } else {
        false
    };
    if dockers {
        Origin::RuntimeDefault
    } else {
        Origin::Written
    }
}

/// Applies one `SecurityOpt` entry, its `label` entries with the origin [`label_origin`]
/// decided. Returns true when it set the AppArmor profile.
fn apply_security_opt(p: &mut Posture, opt: &str, span: Option<Span>, labels: Origin) -> bool {
    let (key, value) = split_security_opt(opt);
    match key {
        "no-new-privileges" => {
            let on = !matches!(value, Some(v) if v.eq_ignore_ascii_case("false"));
            p.no_new_privileges = Located::written(on, span);
        }
        "seccomp" => {
            let profile = match value.unwrap_or_default() {
                "unconfined" => Seccomp::Unconfined,
                "" | "builtin" | "default" => Seccomp::RuntimeDefault,
                inline if inline.starts_with('{') => {
                    Seccomp::Custom(describe_inline_seccomp(inline))
                }
                path => Seccomp::Custom(path.to_string()),
            };
            p.seccomp = Located::written(profile, span);
        }
        "apparmor" => {
            let profile = match value.unwrap_or_default() {
                "unconfined" => AppArmor::Unconfined,
                "" | "docker-default" => AppArmor::RuntimeDefault,
                name => AppArmor::Custom(name.to_string()),
            };
            p.apparmor = Located::written(profile, span);
            return true;
        }
        "label" => {
            let mut selinux = p.selinux.value.clone();
            let value = value.unwrap_or_default();
            let (field, setting) = value.split_once(':').unwrap_or((value, ""));
            match field {
                "disable" => selinux.disabled = true,
                "type" => selinux.type_ = Some(setting.to_string()),
                "user" => selinux.user = Some(setting.to_string()),
                "role" => selinux.role = Some(setting.to_string()),
                "level" => selinux.level = Some(setting.to_string()),
                _ => return false,
            }
            p.selinux = Located::new(selinux, labels, span);
        }
        "systempaths" if value == Some("unconfined") => {
            p.proc_mount = Located::written(ProcMount::Unmasked, span);
        }
        // Podman's spelling: `unmask=ALL` or a list of paths under /proc and /sys.
        "unmask" if value.is_some_and(|v| v == "ALL" || v.contains("/proc")) => {
            p.proc_mount = Located::written(ProcMount::Unmasked, span);
        }
        _ => {}
    }
    false
}

/// A short name for a seccomp profile that `docker inspect` shows inline as JSON.
fn describe_inline_seccomp(json: &str) -> String {
    let action = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("defaultAction")?.as_str().map(str::to_string));
    match action {
        Some(a) => format!("inline profile (defaultAction {a})"),
        None => "inline profile".to_string(),
    }
}

/// The mounts: the top-level `Mounts` when present (it is what the runtime set up, for created and
/// running containers alike), else `HostConfig.Binds` and `HostConfig.Mounts` (as written at
/// create time); plus `HostConfig.Tmpfs`, which `Mounts` never lists. Reading both lists would
/// count every bind twice.
fn mounts<'a, T: InspectTree<'a>>(object: T, host: Option<T>) -> Vec<Mount> {
    let mut out = Vec::new();
    match object.get("Mounts").filter(|m| m.is_array()) {
        Some(list) => {
            for m in list.array_items() {
                let typ = text_at(m, "Type").unwrap_or_default();
                let source = non_empty(Some(m), "Source");
                let kind = match typ {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    "" if non_empty(Some(m), "Name").is_some() => MountKind::Volume,
                    "" if source.is_some_and(|(s, _)| s.starts_with('/')) => MountKind::Bind,
                    _ => MountKind::Other,
                };
                let dest = non_empty(Some(m), "Destination");
                let read_only = m.get("RW").and_then(|v| v.as_boolean()) == Some(false);
                let span = match (kind, source) {
                    (MountKind::Bind, Some((_, v))) => v.span(),
                    _ => dest.and_then(|(_, v)| v.span()).or(m.span()),
                };
                out.push(Mount {
                    kind,
                    // A volume's Source is the runtime's own directory, not a path the user chose.
                    host_path: (kind == MountKind::Bind)
                        .then(|| source.map(|(s, _)| s.to_string()))
                        .flatten(),
                    container_path: dest.map(|(d, _)| d.to_string()),
                    read_only,
                    span,
                });
            }
        }
        None => {
            let hget = |key: &str| host.and_then(|h| h.get(key));
            for item in hget("Binds").map(T::array_items).unwrap_or_default() {
                if let Some(text) = item.as_text() {
                    out.push(parse_bind(text, item.span()));
                }
            }
            for m in hget("Mounts").map(T::array_items).unwrap_or_default() {
                let kind = match text_at(m, "Type").unwrap_or_default() {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    _ => MountKind::Other,
                };
                let source = non_empty(Some(m), "Source");
                let target = non_empty(Some(m), "Target");
                out.push(Mount {
                    kind,
                    host_path: (kind == MountKind::Bind)
                        .then(|| source.map(|(s, _)| s.to_string()))
                        .flatten(),
                    container_path: target.map(|(t, _)| t.to_string()),
                    read_only: m.get("ReadOnly").and_then(|v| v.as_boolean()) == Some(true),
                    span: source.or(target).and_then(|(_, v)| v.span()).or(m.span()),
                });
            }
        }
    }
    for (path, key_span, options) in sorted_members(host.and_then(|h| h.get("Tmpfs"))) {
        let already = out
            .iter()
            .any(|m| m.kind == MountKind::Tmpfs && m.container_path.as_deref() == Some(path));
        if already {
            continue;
        }
        let read_only = options
            .as_text()
            .is_some_and(|o| o.split(',').any(|x| x.trim() == "ro"));
        out.push(Mount {
            kind: MountKind::Tmpfs,
            host_path: None,
            container_path: Some(path.to_string()),
            read_only,
            span: key_span,
        });
    }
    out
}

/// `HostConfig.Binds` entries: `host-path:container-path[:options]`, `volume:container-path`, or
/// a lone container path (an anonymous volume).
fn parse_bind(text: &str, span: Option<Span>) -> Mount {
    let parts: Vec<&str> = text.splitn(3, ':').collect();
    let (source, target, options) = match parts.as_slice() {
        [target] => (None, Some(*target), ""),
        [source, target] => (Some(*source), Some(*target), ""),
        [source, target, options] => (Some(*source), Some(*target), *options),
        _ => (None, None, ""),
    };
    let is_path = source.is_some_and(|s| s.starts_with(['/', '.', '~']));
    let kind = if is_path {
        MountKind::Bind
    } else {
        MountKind::Volume
    };
    Mount {
        kind,
        host_path: is_path.then(|| source.unwrap_or_default().to_string()),
        container_path: target.filter(|t| !t.is_empty()).map(str::to_string),
        read_only: options
            .split(',')
            .any(|o| matches!(o.trim(), "ro" | "readonly")),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_are_split_into_kinds() {
        let m = parse_bind("/var/run/docker.sock:/var/run/docker.sock:ro", None);
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(m.host_path.as_deref(), Some("/var/run/docker.sock"));
        assert!(m.read_only);
        let v = parse_bind("data:/data", None);
        assert_eq!(v.kind, MountKind::Volume);
        assert_eq!(v.host_path, None);
        let anon = parse_bind("/data", None);
        assert_eq!(anon.kind, MountKind::Volume);
        assert_eq!(anon.container_path.as_deref(), Some("/data"));
    }

    #[test]
    fn both_trees_map_the_same() {
        let text = r#"[{"Name": "/x", "HostConfig": {"Privileged": true, "CapAdd": ["CAP_NET_ADMIN"],
            "SecurityOpt": ["seccomp:unconfined", "no-new-privileges"], "PidMode": "host",
            "Binds": ["/:/host"], "Sysctls": {"net.core.somaxconn": "1024"}},
            "Config": {"User": "", "Image": "nginx"}}]"#;
        let from_file = read(text);
        assert!(from_file.errors.is_empty(), "{:?}", from_file.errors);
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let live = posture_from_inspect(&value[0], Runtime::Docker);
        let file = &from_file.workloads[0].containers[0].posture;
        assert_eq!(file.privileged.value, live.privileged.value);
        assert_eq!(file.cap_add[0].value, live.cap_add[0].value);
        assert_eq!(file.seccomp.value, Seccomp::Unconfined);
        assert_eq!(live.seccomp.value, Seccomp::Unconfined);
        assert!(live.no_new_privileges.value && file.no_new_privileges.value);
        assert!(live.host_pid.value && file.host_pid.value);
        assert_eq!(file.mounts[0].host_path, live.mounts[0].host_path);
        assert_eq!(file.sysctls[0].value, live.sysctls[0].value);
        assert_eq!(file.image_user.origin, Origin::Image);
        assert_eq!(live.image_user.origin, Origin::Image);
        assert!(live.privileged.span.is_none());
        assert!(file.privileged.span.is_some());
    }
}

//! Live containers: list, inspect in parallel, map with the `docker inspect` reader's mapping.

use crate::error::describe_api_error;
use crate::{DaemonSecurity, Engine, EngineError, podman};
use bollard::query_parameters::ListContainersOptions;
use futures_util::{StreamExt, stream};
use minpriv_model::{
    AppArmor, Located, Origin, Posture, Runtime, Seccomp, Selinux, Source, Workload,
};
use minpriv_readers::docker_inspect::{self, InspectedContainer};
use minpriv_readers::{InputError, ReadOutput};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many inspect requests are in flight at once: enough to hide the engine's latency, few
/// enough not to flood a busy daemon.
const CONCURRENCY: usize = 16;

/// What a live audit found.
#[derive(Clone, Debug, Default)]
pub struct Audit {
    /// The containers, sorted by name, each with its ids, labels and Compose group.
    pub containers: Vec<InspectedContainer>,
    /// Names asked for that match no container, and containers that could not be inspected.
    pub errors: Vec<InputError>,
    /// Remarks (a container removed while it was being audited, an image not found).
    pub notes: Vec<String>,
}

impl Audit {
    /// The workloads, in order.
    pub fn workloads(&self) -> impl Iterator<Item = &Workload> {
        self.containers.iter().map(|c| &c.workload)
    }

    /// The workloads, errors and notes in the shape every reader returns.
    pub fn into_output(self) -> ReadOutput {
        ReadOutput {
            workloads: self.containers.into_iter().map(|c| c.workload).collect(),
            errors: self.errors,
            notes: self.notes,
        }
    }
}

impl Engine {
    /// Audits the running containers (every container with `all`), or only those named by
    /// `names` (names, with or without the leading `/`, full ids or id prefixes). A container
    /// asked for by name is audited even when it is not running. Each container is inspected
    /// (at most 16 at a time) and mapped with the `docker inspect` reader's mapping
    /// (`source: docker-engine`, no spans). For containers that set no user, the image's user is
    /// looked up once per image; when the daemon runs without seccomp or AppArmor, the
    /// containers' "default" profiles are recorded as unconfined.
    pub fn audit_containers(&self, all: bool, names: &[String]) -> Result<Audit, EngineError> {
        let docker = self.docker();
        let options = ListContainersOptions {
            all: all || !names.is_empty(),
            ..Default::default()
        };
        let listed = self
            .block_on(docker.list_containers(Some(options)))
            .map_err(|e| {
                EngineError::new(format!("listing containers: {}", describe_api_error(&e)))
            })?;
        let mut audit = Audit::default();
        // Which containers asked for a security module the engine does not run, by module.
        let mut unused_modules: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();

        let listed: Vec<(String, Vec<String>)> = listed
            .into_iter()
            .filter_map(|c| {
                let names = c
                    .names
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| n.trim_start_matches('/').to_string())
                    .collect();
                Some((c.id?, names))
            })
            .collect();
        let ids: Vec<String> = if names.is_empty() {
            listed.iter().map(|(id, _)| id.clone()).collect()
        } else {
            let mut chosen = BTreeSet::new();
            for wanted in names {
                match select(&listed, wanted) {
                    Ok(id) => {
                        chosen.insert(id);
                    }
                    Err(message) => audit.errors.push(InputError {
                        message,
                        span: None,
                    }),
                }
            }
            chosen.into_iter().collect()
        };

        let podman = self.runtime() == Runtime::Podman;
        let endpoint = self.endpoint();
        let inspected = self.block_on(
            stream::iter(ids)
                .map(|id| async move {
                    let result = docker.inspect_container(&id, None).await;
                    let reported = if podman {
                        Some(podman::bounding_capabilities(endpoint, &id).await)
                    } else {
                        None
                    };
                    (id, result, reported)
                })
                .buffered(CONCURRENCY)
                .collect::<Vec<_>>(),
        );
        for (id, result, reported) in inspected {
            let short: String = id.chars().take(12).collect();
            let response = match result {
                Ok(r) => r,
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => {
                    audit.notes.push(format!(
                        "container {short} was removed before it could be inspected"
                    ));
                    continue;
                }
                Err(e) => {
                    audit.errors.push(InputError {
                        message: format!(
                            "container {short} could not be inspected: {}",
                            describe_api_error(&e)
                        ),
                        span: None,
                    });
                    continue;
                }
            };
            let value = match serde_json::to_value(&response) {
                Ok(v) => v,
                Err(e) => {
                    audit.errors.push(InputError {
                        message: format!("container {short}: {e}"),
                        span: None,
                    });
                    continue;
                }
            };
            match docker_inspect::container_from_inspect(
                &value,
                Source::DockerEngine,
                self.runtime(),
            ) {
                Ok(mut c) => {
                    match reported {
                        Some(Ok(Some(caps))) => {
                            for container in &mut c.workload.containers {
                                docker_inspect::set_reported_capabilities(
                                    &mut container.posture,
                                    caps,
                                );
                            }
                        }
                        Some(Ok(None)) | None => {}
                        Some(Err(problem)) => audit.notes.push(format!(
                            "container {short}: Podman's own inspect could not be read \
                             ({problem}); its capabilities are judged from Podman's shipped \
                             defaults"
                        )),
                    }
                    for container in &mut c.workload.containers {
                        let unused = apply_daemon_defaults(self.security(), &mut container.posture);
                        for module in unused {
                            unused_modules
                                .entry(module)
                                .or_default()
                                .insert(c.workload.resource.clone());
                        }
                    }
                    audit.containers.push(c);
                }
                Err(e) => audit.errors.push(InputError {
                    message: format!("container {short}: {}", e.message),
                    span: None,
                }),
            }
        }
        audit
            .containers
            .sort_by(|a, b| a.workload.resource.cmp(&b.workload.resource));
        for (module, resources) in unused_modules {
            let names: Vec<&str> = resources.iter().map(String::as_str).collect();
            audit.notes.push(format!(
                "the engine does not run {module}: the {module} settings of {} do nothing there \
                 and are not reported",
                names.join(", ")
            ));
        }
        self.fill_image_users(&mut audit);
        Ok(audit)
    }

    /// Sets `image_user` from the image's configuration for every container that sets no user,
    /// inspecting each image once.
    fn fill_image_users(&self, audit: &mut Audit) {
        let wanted: BTreeSet<String> = audit
            .containers
            .iter()
            .filter(|c| c.workload.containers[0].posture.user.value.is_none())
            .filter_map(image_key)
            .collect();
        let users = self.image_users(wanted);
        for c in &mut audit.containers {
            let Some(key) = image_key(c) else { continue };
            let posture = &mut c.workload.containers[0].posture;
            if posture.user.value.is_some() {
                continue;
            }
            match users.get(&key) {
                Some(Ok(user)) => {
                    posture.image_user = Located::new(user.clone(), Origin::Image, None);
                }
                Some(Err(problem)) => audit.notes.push(format!(
                    "{}: the user of image {key} could not be read ({problem})",
                    c.workload.resource
                )),
                None => {}
            }
        }
    }

    /// The configured user of each image (`None` for an image that sets none: root).
    fn image_users(
        &self,
        images: BTreeSet<String>,
    ) -> HashMap<String, Result<Option<String>, String>> {
        let docker = self.docker();
        self.block_on(
            stream::iter(images)
                .map(|image| async move {
                    let result = docker
                        .inspect_image(&image)
                        .await
                        .map(|i| {
                            i.config
                                .and_then(|c| c.user)
                                .filter(|u| !u.trim().is_empty())
                        })
                        .map_err(|e| describe_api_error(&e));
                    (image, result)
                })
                .buffer_unordered(CONCURRENCY)
                .collect::<HashMap<_, _>>(),
        )
    }

    /// For every container of `workloads` whose user depends on an image that this input cannot
    /// know (`image_user` of [`Origin::Unknown`]), looks the image up in the engine's local store
    /// and records its user ([`Origin::Image`], keeping the span). Images the engine does not
    /// have are left unknown, with a note each (`--resolve-images`).
    pub fn resolve_image_users(&self, workloads: &mut [Workload]) -> Vec<String> {
        let wanted: BTreeSet<String> = workloads
            .iter()
            .flat_map(|w| &w.containers)
            .filter(|c| needs_image_user(&c.posture))
            .filter_map(|c| c.posture.image.value.clone())
            .collect();
        let users = self.image_users(wanted);
        let mut notes = BTreeMap::new();
        for c in workloads.iter_mut().flat_map(|w| &mut w.containers) {
            if !needs_image_user(&c.posture) {
                continue;
            }
            let Some(image) = c.posture.image.value.clone() else {
                continue;
            };
            match users.get(&image) {
                Some(Ok(user)) => {
                    c.posture.image_user =
                        Located::new(user.clone(), Origin::Image, c.posture.image_user.span);
                }
                Some(Err(problem)) => {
                    notes.entry(image.clone()).or_insert_with(|| {
                        format!(
                            "image {image} could not be looked up in the local engine \
                             ({problem}); its user stays unknown"
                        )
                    });
                }
                None => {}
            }
        }
        notes.into_values().collect()
    }
}

/// Makes `posture` (read from the engine's inspect output) say what the daemon does with it:
/// a default profile the daemon cannot apply is no confinement at all, and a setting for a
/// security module the daemon does not run does nothing. Returns the modules whose settings
/// were set aside that way (`"SELinux"`, `"AppArmor"`).
pub(crate) fn apply_daemon_defaults(
    security: &DaemonSecurity,
    posture: &mut Posture,
) -> Vec<&'static str> {
    let mut unused = Vec::new();
    if posture.seccomp.value == Seccomp::RuntimeDefault
        && !posture.seccomp.is_written()
        && security.default_seccomp_unconfined()
    {
        posture.seccomp = Located::new(
            Seccomp::Unconfined,
            Origin::RuntimeDefault,
            posture.seccomp.span,
        );
    }
    // Labels on a daemon without SELinux are never applied (Docker even writes `label=disable`
    // there itself for --pid host): reporting them would blame the user for nothing.
    if !security.selinux && posture.selinux.value != Selinux::default() {
        if posture.selinux.is_written() {
            unused.push("SELinux");
        }
        posture.selinux = Located::default_at(Selinux::default(), posture.selinux.span);
    }
    // The same for an AppArmor profile on a daemon without AppArmor: it is ignored, and the
    // container runs as if none was asked for (which the next step judges).
    if !security.apparmor && posture.apparmor.is_written() {
        unused.push("AppArmor");
        posture.apparmor = Located::default_at(AppArmor::RuntimeDefault, posture.apparmor.span);
    }
    // A host that labels with SELinux confines containers that way instead: AppArmor's
    // absence there is no gap, and reporting it on every container would be noise.
    if posture.apparmor.value == AppArmor::RuntimeDefault
        && !posture.apparmor.is_written()
        && !security.apparmor
        && !security.selinux
    {
        posture.apparmor = Located::new(
            AppArmor::Unconfined,
            Origin::RuntimeDefault,
            posture.apparmor.span,
        );
    }
    unused
}

fn needs_image_user(posture: &Posture) -> bool {
    posture.user.value.is_none()
        && posture.run_as_user.value.is_none()
        && posture.image_user.origin == Origin::Unknown
}

/// The image a container was created from: its id (exact even if the tag moved since), else
/// the reference it was created with.
fn image_key(c: &InspectedContainer) -> Option<String> {
    c.image_id
        .clone()
        .or_else(|| c.workload.containers[0].posture.image.value.clone())
}

/// The id of the one container that `wanted` names: an exact name, an exact id, or a unique id
/// prefix (as the docker CLI resolves them).
fn select(listed: &[(String, Vec<String>)], wanted: &str) -> Result<String, String> {
    let wanted = wanted.trim().trim_start_matches('/');
    if wanted.is_empty() {
        return Err("an empty container name was given".into());
    }
    if let Some((id, _)) = listed
        .iter()
        .find(|(id, names)| id == wanted || names.iter().any(|n| n == wanted))
    {
        return Ok(id.clone());
    }
    let by_prefix: Vec<&String> = listed
        .iter()
        .map(|(id, _)| id)
        .filter(|id| id.starts_with(wanted))
        .collect();
    match by_prefix.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no container is named '{wanted}' or has an id starting with it"
        )),
        many => Err(format!(
            "'{wanted}' is the start of {} container ids; give more of the id",
            many.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The posture a live audit gives the readers' `docker inspect` fixture `name` on a
    /// daemon with `security`, and the modules whose settings were set aside.
    fn live(name: &str, security: &DaemonSecurity) -> (Posture, Vec<&'static str>) {
        let path = format!(
            "{}/../minpriv-readers/tests/fixtures/docker_inspect/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let c = docker_inspect::container_from_inspect(
            &value[0],
            Source::DockerEngine,
            minpriv_model::Runtime::Docker,
        )
        .unwrap();
        let mut posture = c.workload.containers[0].posture.clone();
        let unused = apply_daemon_defaults(security, &mut posture);
        (posture, unused)
    }

    fn daemon(options: &[&str]) -> DaemonSecurity {
        let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
        DaemonSecurity::parse(&options)
    }

    #[test]
    fn selinux_settings_do_nothing_on_a_daemon_without_selinux() {
        let without = daemon(&["name=seccomp,profile=builtin", "name=apparmor"]);
        // The user's own label: set aside, and named in a note.
        let (p, unused) = live("user_labels_with_pid_host.json", &without);
        assert_eq!(p.selinux.value, Selinux::default());
        assert!(!p.selinux.is_written());
        assert_eq!(unused, ["SELinux"]);
        // Docker's own label=disable for --pid host: set aside without a note.
        let (p, unused) = live("pid_host.json", &without);
        assert!(!p.selinux.value.disabled);
        assert!(unused.is_empty(), "{unused:?}");
        assert!(p.host_pid.value);

        // On an SELinux daemon, the user's label stays, Docker's stays the runtime's.
        let with = daemon(&["name=seccomp,profile=builtin", "name=selinux"]);
        let (p, unused) = live("user_labels_with_pid_host.json", &with);
        assert_eq!(p.selinux.value.type_.as_deref(), Some("spc_t"));
        assert!(p.selinux.is_written());
        assert_eq!(unused, ["AppArmor"]);
        let (p, _) = live("pid_host.json", &with);
        assert!(p.selinux.value.disabled && !p.selinux.is_written());
    }

    #[test]
    fn apparmor_settings_do_nothing_on_a_daemon_without_apparmor() {
        // `apparmor=unconfined` on a daemon with AppArmor: the user's, kept.
        let with = daemon(&["name=seccomp,profile=builtin", "name=apparmor"]);
        let (p, unused) = live("user_labels_with_pid_host.json", &with);
        assert_eq!(p.apparmor.value, AppArmor::Unconfined);
        assert!(p.apparmor.is_written());
        assert_eq!(unused, ["SELinux"]);
        // Without AppArmor and with SELinux: ignored, and no gap (SELinux confines).
        let selinux_only = daemon(&["name=seccomp,profile=builtin", "name=selinux"]);
        let (p, unused) = live("user_labels_with_pid_host.json", &selinux_only);
        assert_eq!(p.apparmor.value, AppArmor::RuntimeDefault);
        assert!(!p.apparmor.is_written());
        assert_eq!(unused, ["AppArmor"]);
        // Neither: the host's own lack of AppArmor, as for every container there.
        let neither = daemon(&["name=seccomp,profile=builtin"]);
        let (p, unused) = live("user_labels_with_pid_host.json", &neither);
        assert_eq!(p.apparmor.value, AppArmor::Unconfined);
        assert_eq!(p.apparmor.origin, Origin::RuntimeDefault);
        assert_eq!(unused, ["SELinux", "AppArmor"]);
        let (p, unused) = live("hardened.json", &neither);
        assert_eq!(p.apparmor.origin, Origin::RuntimeDefault);
        assert!(unused.is_empty());
    }

    #[test]
    fn names_ids_and_prefixes_select_containers() {
        let listed = vec![
            ("abc123".to_string(), vec!["web".to_string()]),
            ("abd456".to_string(), vec!["db".to_string()]),
        ];
        assert_eq!(select(&listed, "web").unwrap(), "abc123");
        assert_eq!(select(&listed, "/db").unwrap(), "abd456");
        assert_eq!(select(&listed, "abc").unwrap(), "abc123");
        assert!(
            select(&listed, "ab")
                .unwrap_err()
                .contains("2 container ids")
        );
        assert!(select(&listed, "zzz").unwrap_err().contains("no container"));
        assert!(select(&listed, " ").is_err());
    }
}

//! The inputs of a scan that are not configuration files: containers of the Docker Engine
//! (`--docker`), images of its local store (`--image`) and image archives (`--image-archive`),
//! plus `--resolve-images`, which looks up the users of the images that static inputs only
//! name.
//!
//! Everything here ends as the [`Outcome`]s every file gives, so that the reporters, the
//! severity filters, waivers and exit codes treat live inputs exactly like files. Live findings
//! have no spans; their `path` is the engine's address (`unix:///var/run/docker.sock`), the
//! image's name, or the archive as named.

use crate::analyze::Outcome;
use minpriv_engine::{Audit, ConnectError, Engine, EngineError, ImageScan};
use minpriv_model::Workload;
use minpriv_readers::ReadOutput;
use minpriv_readers::docker_inspect::InspectedContainer;
use minpriv_report::{ComposeService, FileResult, Note};
use minpriv_rules::Profile;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How an image read from standard input is named when the archive names none.
const STDIN_IMAGE_NAME: &str = "stdin";

/// The live inputs asked for: the flags of `minpriv scan` that need an engine or read images.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Audit the containers of the engine (`--docker`); `paths` then names containers.
    pub docker: bool,
    /// With `docker`: connect to Podman only (`--podman`: `CONTAINER_HOST`, else Podman's
    /// rootless and rootful sockets).
    pub podman: bool,
    /// With `docker`: stopped and created containers too (`--all`).
    pub all: bool,
    /// Images of the engine's local store to audit (`--image`).
    pub images: Vec<String>,
    /// Image archives to read (`--image-archive`); `-` is standard input.
    pub image_archives: Vec<PathBuf>,
    /// Look up the users of the images that static inputs only name (`--resolve-images`).
    pub resolve_images: bool,
    /// The positional arguments: paths to walk, or with `docker` the containers to audit.
    pub paths: Vec<PathBuf>,
}

impl LiveOptions {
    /// The paths a scan walks: none with `docker` (its arguments are containers), none by
    /// default when only images are asked for, else those given (an empty list means the
    /// current folder).
    pub fn paths_to_walk(&self) -> Option<&[PathBuf]> {
        let images_only = !self.images.is_empty() || !self.image_archives.is_empty();
        if self.docker || (images_only && self.paths.is_empty()) {
            None
        } else {
            Some(&self.paths)
        }
    }
}

/// The engine, connected to once for everything that needs it.
pub struct Live {
    options: LiveOptions,
    /// `None` when nothing asked for an engine.
    engine: Option<Result<Engine, ConnectError>>,
    /// One lookup at a time: the engine's client runs on a single-threaded runtime, and the
    /// files that ask are analysed in parallel.
    lookups: Mutex<()>,
}

impl Live {
    /// Connects to the engine when --docker, --image or --resolve-images needs one.
    pub fn new(options: LiveOptions) -> Live {
        let needed = options.docker || !options.images.is_empty() || options.resolve_images;
        let podman = options.podman;
        Live {
            options,
            engine: needed.then(|| {
                Engine::connect_with(&minpriv_engine::ConnectOptions {
                    podman,
                    ..minpriv_engine::ConnectOptions::from_env()
                })
            }),
            lookups: Mutex::new(()),
        }
    }

    /// With --resolve-images, sets the user of each container's image that the input leaves
    /// unknown from the engine's local store (runs between reading a file and its rules).
    /// Returns notes for the file: the images the engine does not have.
    pub fn resolve_image_users(&self, workloads: &mut [Workload]) -> Vec<String> {
        if !self.options.resolve_images {
            return Vec::new();
        }
        let Some(Ok(engine)) = &self.engine else {
            return Vec::new();
        };
        let _one_at_a_time = self.lookups.lock().unwrap_or_else(|e| e.into_inner());
        engine.resolve_image_users(workloads)
    }

    /// The paths a scan walks, as [`LiveOptions::paths_to_walk`].
    pub fn paths_to_walk(&self) -> Option<&[PathBuf]> {
        self.options.paths_to_walk()
    }

    /// Audits the containers and images asked for and reads the image archives, each into the
    /// outcome of one input. Inputs that fail are [`Outcome::Unreadable`] (exit 2, the rest
    /// still reported); remarks are [`Outcome::Skipped`] notes.
    pub fn outcomes(&self, profile: &Profile, stdin_is_a_path: bool) -> Vec<Outcome> {
        let options = &self.options;
        let mut outcomes = Vec::new();
        if options.resolve_images
            && let Some(Err(e)) = &self.engine
        {
            outcomes.push(Outcome::Skipped(Note::about(
                None,
                format!(
                    "--resolve-images: images were not resolved, their users stay unknown: {e}"
                ),
            )));
        }
        if options.docker {
            let names: Vec<String> = options
                .paths
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            match &self.engine {
                Some(Ok(engine)) => {
                    if engine.security().rootless {
                        outcomes.push(Outcome::Skipped(Note::about(
                            None,
                            format!(
                                "{} runs rootless: root in its containers is the user who runs \
                                 the engine on the host, not host root. A breakout lands as that \
                                 user, with everything it owns; findings keep their severity, \
                                 since inside the container root still holds the container's \
                                 capabilities",
                                engine.endpoint()
                            ),
                        )));
                    }
                    outcomes.extend(audit_containers(engine, options.all, &names, profile));
                }
                Some(Err(e)) => outcomes.push(unreadable("--docker", e)),
                None => {}
            }
        }
        for name in &options.images {
            match &self.engine {
                Some(Ok(engine)) => {
                    let scan = minpriv_engine::scan_image(engine, name);
                    outcomes.extend(image_outcome(name.clone(), scan, profile));
                }
                Some(Err(e)) => outcomes.push(unreadable(&format!("--image {name}"), e)),
                None => {}
            }
        }
        let mut stdin_taken = stdin_is_a_path;
        for archive in &options.image_archives {
            let shown = archive.to_string_lossy().into_owned();
            if archive.as_os_str() == "-" {
                if stdin_taken {
                    outcomes.push(unreadable(
                        "--image-archive -",
                        "standard input can be read only once: give `-` once, as a PATH or to \
                         --image-archive",
                    ));
                    continue;
                }
                stdin_taken = true;
                let scan = minpriv_engine::image::scan_image_reader(
                    std::io::stdin().lock(),
                    STDIN_IMAGE_NAME,
                );
                outcomes.extend(image_outcome(shown, scan, profile));
            } else {
                let scan = minpriv_engine::scan_image_archive(Path::new(archive));
                outcomes.extend(image_outcome(shown, scan, profile));
            }
        }
        outcomes
    }
}

fn unreadable(path: &str, reason: impl std::fmt::Display) -> Outcome {
    Outcome::Unreadable {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

/// `--docker`: one input, the engine, holding every container audited. Names that match no
/// container and containers that could not be inspected are errors of that input.
fn audit_containers(
    engine: &Engine,
    all: bool,
    names: &[String],
    profile: &Profile,
) -> Vec<Outcome> {
    let endpoint = engine.endpoint().to_string();
    let audit = match engine.audit_containers(all, names) {
        Ok(audit) => audit,
        Err(e) => return vec![unreadable(&endpoint, e)],
    };
    let Audit {
        containers,
        errors,
        notes,
    } = audit;
    let count = containers.len();
    let containers = grouped(containers);

    let mut file = FileResult {
        path: endpoint.clone(),
        ..FileResult::default()
    };
    for c in containers {
        if let Some(group) = c.compose {
            file.compose.insert(
                c.workload.resource.clone(),
                ComposeService {
                    project: group.project,
                    service: group.service,
                },
            );
        }
        file.workloads.push(c.workload);
    }
    // No text, so no spans, suppression comments or parse errors: the findings come in
    // container order (grouped as above), rule-table order within a container.
    file.findings = minpriv_rules::check_workloads(&file.workloads, profile);

    let plural = if count == 1 { "" } else { "s" };
    let which = if !names.is_empty() {
        format!("{count} named container{plural}")
    } else if all {
        format!("{count} container{plural}, stopped and created ones included,")
    } else {
        format!("{count} running container{plural}")
    };
    let kind = match engine.runtime() {
        minpriv_model::Runtime::Podman => "Podman",
        _ => "Docker",
    };
    let mut file_notes = vec![Note::about(
        Some(endpoint.clone()),
        format!(
            "audited {which} of {kind} {} (API {})",
            engine.server_version(),
            engine.api_version()
        ),
    )];
    file_notes.extend(
        notes
            .into_iter()
            .map(|n| Note::about(Some(endpoint.clone()), n)),
    );
    let mut outcomes = vec![Outcome::Scanned {
        file,
        notes: file_notes,
    }];
    outcomes.extend(errors.into_iter().map(|e| unreadable(&endpoint, e.message)));
    outcomes
}

/// The containers in report order: those Compose did not start first, by name; then Compose's,
/// by project, service and name, so that each service's containers are reported together.
fn grouped(mut containers: Vec<InspectedContainer>) -> Vec<InspectedContainer> {
    containers.sort_by(|a, b| {
        let key = |c: &InspectedContainer| {
            (
                c.compose
                    .as_ref()
                    .map(|g| (g.project.clone(), g.service.clone())),
                c.workload.resource.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    containers
}

/// An image read from the engine or an archive, as the input `shown` (the name asked for, or
/// the archive as named).
fn image_outcome(
    shown: String,
    scan: Result<ImageScan, EngineError>,
    profile: &Profile,
) -> Vec<Outcome> {
    let scan = match scan {
        Ok(scan) => scan,
        Err(e) => return vec![unreadable(&shown, e)],
    };
    let ReadOutput {
        workloads, notes, ..
    } = scan.into_output();
    let findings = minpriv_rules::check_workloads(&workloads, profile);
    let notes = notes
        .into_iter()
        .map(|n| Note::about(Some(shown.clone()), n))
        .collect();
    let file = FileResult {
        path: shown,
        findings,
        workloads,
        ..FileResult::default()
    };
    vec![Outcome::Scanned { file, notes }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_arguments_are_containers_and_images_alone_walk_nothing() {
        let options = |f: fn(&mut LiveOptions)| {
            let mut o = LiveOptions::default();
            f(&mut o);
            o
        };
        assert_eq!(LiveOptions::default().paths_to_walk(), Some(&[][..]));
        let docker = options(|o| {
            o.docker = true;
            o.paths = vec!["web".into()];
        });
        assert_eq!(docker.paths_to_walk(), None);
        let image = options(|o| o.images = vec!["app:1".into()]);
        assert_eq!(image.paths_to_walk(), None);
        let archive_and_folder = options(|o| {
            o.image_archives = vec!["a.tar".into()];
            o.paths = vec!["deploy".into()];
        });
        assert_eq!(
            archive_and_folder.paths_to_walk(),
            Some(&[PathBuf::from("deploy")][..])
        );
        let resolve = options(|o| {
            o.resolve_images = true;
            o.paths = vec!["k8s".into()];
        });
        assert_eq!(resolve.paths_to_walk(), Some(&[PathBuf::from("k8s")][..]));
    }

    #[test]
    fn standard_input_is_read_once() {
        let live = Live::new(LiveOptions {
            image_archives: vec!["-".into(), "-".into()],
            ..LiveOptions::default()
        });
        // Standard input is already a PATH: neither archive reads it.
        let outcomes = live.outcomes(&Profile::restricted(), true);
        assert_eq!(outcomes.len(), 2);
        for outcome in outcomes {
            match outcome {
                Outcome::Unreadable { path, reason } => {
                    assert_eq!(path, "--image-archive -");
                    assert!(reason.contains("only once"), "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_archive_is_an_error_of_that_input() {
        let live = Live::new(LiveOptions {
            image_archives: vec!["/nonexistent/image.tar".into()],
            ..LiveOptions::default()
        });
        let outcomes = live.outcomes(&Profile::restricted(), false);
        match outcomes.as_slice() {
            [Outcome::Unreadable { path, reason }] => {
                assert_eq!(path, "/nonexistent/image.tar");
                assert!(reason.contains("image.tar"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}

//! The starting point of `minpriv verify` and `minpriv minimize`: an image, a Compose service, a
//! Kubernetes container or a `docker run` line, read into the posture the runs start from.

use crate::resolver::{Access, FsResolver};
use minpriv_model::{Posture, Runtime};
use minpriv_readers::{command_line, compose, kubernetes};
use std::path::{Path, PathBuf};

/// The starting point of a run, read.
#[derive(Debug)]
pub struct Target {
    /// The container's posture as written.
    pub posture: Posture,
    /// The image to run.
    pub image: String,
    /// The folder relative bind mounts are resolved from.
    pub base_dir: PathBuf,
    /// The Compose service or Kubernetes container name, for the renderings.
    pub name: Option<String>,
    /// Remarks for the report (an ambiguous container name).
    pub notes: Vec<String>,
}

/// Where the configuration comes from, as the command line of `verify` and `minimize` names
/// it; the first one given is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct TargetSource<'a> {
    /// `IMAGE`: replaces the image a file names.
    pub image: Option<&'a str>,
    /// `--compose FILE --service NAME`.
    pub compose: Option<(&'a Path, &'a str)>,
    /// `--k8s FILE --container NAME`.
    pub kubernetes: Option<(&'a Path, &'a str)>,
    /// `--docker-run LINE`.
    pub docker_run: Option<&'a str>,
}

/// The file's text, or an error naming it.
fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads the starting point: the posture of the service, container or command line, and the
/// image to run.
///
/// # Errors
/// A file that cannot be read, a service or container it does not have (the message lists those
/// it has), a line with no `docker run`, or no image to run.
pub fn load_target(args: TargetSource<'_>) -> Result<Target, String> {
    let cwd = PathBuf::from(".");
    let (posture, file_image, base_dir, name, notes) = if let Some((file, service)) = args.compose {
        let service = service.to_string();
        let text = read_file(file)?;
        let base = folder_of(file);
        // verify runs the user's own configuration, as `docker compose` would read it.
        let access = Access::trusted();
        let out = compose::read(&text, &FsResolver::new(base.clone(), &access));
        let wanted = format!("service/{service}");
        let Some(w) = out.workloads.iter().find(|w| w.resource == wanted) else {
            let names: Vec<&str> = out
                .workloads
                .iter()
                .filter_map(|w| w.resource.strip_prefix("service/"))
                .collect();
            let mut message = format!("{} has no service `{service}`", file.display());
            if names.is_empty() {
                if let Some(e) = out.errors.first() {
                    message.push_str(&format!(" ({})", e.message));
                }
            } else {
                message.push_str(&format!(" (it has: {})", names.join(", ")));
            }
            return Err(message);
        };
        let posture = w.containers[0].posture.clone();
        let image = posture.image.value.clone();
        (posture, image, base, Some(service), Vec::new())
    } else if let Some((file, wanted)) = args.kubernetes {
        let wanted = wanted.to_string();
        let text = read_file(file)?;
        let out = kubernetes::read(&text);
        let found: Vec<(&str, &minpriv_model::Container)> = out
            .workloads
            .iter()
            .flat_map(|w| w.containers.iter().map(move |c| (w.resource.as_str(), c)))
            .filter(|(_, c)| c.name.as_deref() == Some(wanted.as_str()))
            .collect();
        let Some((resource, c)) = found.first() else {
            let names: Vec<String> = out
                .workloads
                .iter()
                .flat_map(|w| w.containers.iter().filter_map(|c| c.name.clone()))
                .collect();
            let mut message = format!("{} has no container `{wanted}`", file.display());
            if !names.is_empty() {
                message.push_str(&format!(" (it has: {})", names.join(", ")));
            } else if let Some(e) = out.errors.first() {
                message.push_str(&format!(" ({})", e.message));
            }
            return Err(message);
        };
        let mut notes = Vec::new();
        if found.len() > 1 {
            notes.push(format!(
                "{} containers are named `{wanted}`: the one of {resource} is used",
                found.len()
            ));
        }
        let posture = c.posture.clone();
        let image = posture.image.value.clone();
        (posture, image, folder_of(file), Some(wanted), notes)
    } else if let Some(line) = args.docker_run {
        let out = command_line::read_shell(line);
        let Some(c) = out.workloads.iter().flat_map(|w| &w.containers).next() else {
            return Err(format!(
                "no `docker run` command found in `{line}`{}",
                out.errors
                    .first()
                    .map(|e| format!(" ({})", e.message))
                    .unwrap_or_default()
            ));
        };
        let posture = c.posture.clone();
        let image = posture.image.value.clone();
        (posture, image, cwd, None, Vec::new())
    } else {
        let Some(image) = args.image.map(str::to_string) else {
            return Err(
                "say what to run: IMAGE, --compose FILE --service NAME, --k8s FILE \
                        --container NAME, or --docker-run \"docker run ...\""
                    .into(),
            );
        };
        let mut posture = Posture::defaults(Runtime::Docker, None);
        posture.image.value = Some(image.clone());
        (posture, Some(image), cwd, None, Vec::new())
    };
    let image = match (args.image.map(str::to_string), file_image) {
        (Some(i), _) => i,
        (None, Some(i)) if !i.trim().is_empty() && !i.contains('$') => i,
        (None, Some(i)) => {
            return Err(format!(
                "the image `{i}` cannot be run as written: give IMAGE"
            ));
        }
        (None, None) => return Err("the configuration names no image: give IMAGE".into()),
    };
    Ok(Target {
        posture,
        image,
        base_dir,
        name,
        notes,
    })
}

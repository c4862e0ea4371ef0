//! The Kubernetes YAML a Quadlet `.kube` unit runs (`Yaml=`, relative to the unit's folder or
//! absolute), added to the files to read as Kubernetes whatever its name: `podman kube play`
//! deploys it, so its findings are the unit's. Fenced like the files a Compose file names:
//! inside the scanned folders and their git work trees unless `--follow`.

use super::{Candidate, Inputs, normalise};
use crate::resolver::{Access, read_fenced};
use minpriv_readers::Format;
use minpriv_readers::quadlet::kube_yaml_files;
use std::path::{Path, PathBuf};

/// Marks or adds the YAML of every `.kube` unit of `inputs`. Files that cannot be read get a
/// note in `inputs.warnings`.
pub(super) fn add_kube_yaml(inputs: &mut Inputs, access: &Access) {
    let units: Vec<(PathBuf, String)> = inputs
        .files
        .iter()
        .filter(|c| c.path.extension().is_some_and(|e| e == "kube"))
        .map(|c| (c.path.clone(), c.display.clone()))
        .collect();
    for (unit, shown) in units {
        let Ok(text) = read_fenced(&unit, access) else {
            // Reading the unit itself reports why it cannot be read.
            continue;
        };
        let folder = unit.parent().map(Path::to_path_buf).unwrap_or_default();
        for (yaml, line) in kube_yaml_files(&text) {
            let path = folder.join(&yaml);
            if let Err(not_read) = read_fenced(&path, access) {
                let why = not_read
                    .why()
                    .unwrap_or_else(|| "does not exist: not read".to_string());
                inputs
                    .warnings
                    .push((shown.clone(), format!("Yaml={yaml} (line {line}) {why}")));
                continue;
            }
            let display = if Path::new(&yaml).is_absolute() {
                yaml.clone()
            } else {
                let relative = normalise(Path::new(&yaml)).to_string_lossy().into_owned();
                match shown.rsplit_once('/') {
                    Some((dir, _)) => format!("{dir}/{relative}"),
                    None => relative,
                }
            };
            take(inputs, path, display);
        }
    }
}

/// Marks the walked file at `path` as Kubernetes, or adds it.
fn take(inputs: &mut Inputs, path: PathBuf, display: String) {
    let key = normalise(&path);
    if let Some(candidate) = inputs.files.iter_mut().find(|c| normalise(&c.path) == key) {
        candidate.format = Some(Format::Kubernetes);
        return;
    }
    inputs.files.push(Candidate {
        path,
        display,
        explicit: false,
        format: Some(Format::Kubernetes),
    });
}

//! The image archive around the layers: a `docker save` tarball (legacy `manifest.json`, and on
//! Docker 25+ also an OCI layout), an OCI image layout in a tar, or either laid out in a folder.
//!
//! A tar is read in one pass, as a stream: small JSON files (manifests, configs, indexes) are
//! kept, every other blob is walked as a layer and reduced to a [`LayerSummary`] on the spot, and
//! the manifest, which comes last in Docker's archives, decides at the end which summaries make
//! up which image and in which order. A folder is read the same way but lazily, blob by blob.

use super::layer::{self, LayerSummary, MAX_ARCHIVE_ENTRIES};
use super::tar_walk;
use super::{ScannedImage, SpecialFile};
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

/// The largest JSON file kept (manifests and configs are kilobytes; configs with long histories
/// reach a few hundred).
const MAX_JSON: u64 = 16 << 20;
/// The most JSON kept from one archive.
const MAX_JSON_TOTAL: u64 = 64 << 20;
/// The most entries of the outer archive looked at.
const MAX_OUTER_ENTRIES: u64 = 1_000_000;
/// How deep OCI indexes may nest, and how many links are followed.
const MAX_DEPTH: usize = 8;

/// The blobs of one archive: what was kept of a tar, or a folder read on demand.
pub(crate) struct Blobs {
    json: HashMap<String, Vec<u8>>,
    layers: HashMap<String, LayerSummary>,
    links: HashMap<String, String>,
    folder: Option<PathBuf>,
    json_total: u64,
    entries_left: u64,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

impl Blobs {
    fn new(folder: Option<PathBuf>) -> Blobs {
        Blobs {
            json: HashMap::new(),
            layers: HashMap::new(),
            links: HashMap::new(),
            folder,
            json_total: 0,
            entries_left: MAX_ARCHIVE_ENTRIES,
            notes: Vec::new(),
        }
    }

    /// A folder holding an OCI layout or an unpacked `docker save`.
    pub(crate) fn folder(path: &Path) -> Blobs {
        Blobs::new(Some(path.to_path_buf()))
    }

    /// Reads a tar archive (plain or gzip-compressed) in one pass. Fails only when nothing at all
    /// could be read from it.
    pub(crate) fn read_tar(mut reader: impl Read) -> io::Result<Blobs> {
        let mut blobs = Blobs::new(None);
        let head = layer::read_head(&mut reader, 6)?;
        let compression = layer::sniff_compression(&head);
        let stream = Cursor::new(head).chain(reader);
        let result = match compression {
            layer::Compression::None => blobs.walk_outer(stream),
            layer::Compression::Gzip => blobs.walk_outer(flate2::read::MultiGzDecoder::new(stream)),
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the archive is compressed with something other than gzip",
                ));
            }
        };
        let nothing = blobs.json.is_empty() && blobs.layers.is_empty();
        match result {
            Ok(true) => {}
            Ok(false) => blobs.notes.push(format!(
                "the archive has more than {MAX_OUTER_ENTRIES} entries; the rest was not read"
            )),
            Err(e) if nothing => return Err(e),
            Err(e) => blobs
                .notes
                .push(format!("the archive could not be read to its end: {e}")),
        }
        Ok(blobs)
    }

    fn walk_outer(&mut self, stream: impl Read) -> io::Result<bool> {
        tar_walk::walk(stream, MAX_OUTER_ENTRIES, |info, data| {
            let name = info.path.clone();
            if info.kind.is_symlink() || info.kind.is_hard_link() {
                // Docker writes a layer shared by two images once and links the other to it.
                if let Some(target) = &info.link_target {
                    let target = if info.kind.is_symlink() && !target.starts_with('/') {
                        let parent = name.rfind('/').map_or("", |i| &name[..i]);
                        tar_walk::normalize_path(&format!("{parent}/{target}"))
                    } else {
                        tar_walk::normalize_path(target)
                    };
                    self.links.insert(name, target);
                }
                return Ok(());
            }
            if !(info.kind.is_file() || info.kind.is_contiguous()) {
                return Ok(());
            }
            let json_name =
                name.ends_with(".json") || name == "oci-layout" || name == "repositories";
            let in_blobs = name.starts_with("blobs/");
            let layer_name = [".tar", ".tar.gz", ".tgz"]
                .iter()
                .any(|suffix| name.ends_with(suffix));
            if !(json_name || in_blobs || layer_name) {
                return Ok(());
            }
            let head = layer::read_head(data, 512)?;
            if (json_name || in_blobs) && looks_like_json(&head) {
                self.keep_json(name, info.size, head, data)?;
            } else {
                let budget = self.entries_left;
                let summary = layer::summarize(Cursor::new(head).chain(data), &name, budget);
                self.entries_left = self.entries_left.saturating_sub(summary.entries);
                self.layers.insert(name, summary);
            }
            Ok(())
        })
    }

    fn keep_json(
        &mut self,
        name: String,
        size: u64,
        head: Vec<u8>,
        rest: &mut dyn Read,
    ) -> io::Result<()> {
        if size > MAX_JSON || self.json_total + size > MAX_JSON_TOTAL {
            self.notes.push(format!(
                "{name} is too large to be read ({size} bytes); skipped"
            ));
            return Ok(());
        }
        let mut buf = head;
        rest.take(MAX_JSON.saturating_sub(buf.len() as u64))
            .read_to_end(&mut buf)?;
        self.json_total += buf.len() as u64;
        self.json.insert(name, buf);
        Ok(())
    }

    /// Follows links (`a/layer.tar -> ../b/layer.tar`) to the stored name.
    fn resolve(&self, name: &str) -> String {
        let mut name = tar_walk::normalize_path(name);
        for _ in 0..MAX_DEPTH {
            match self.links.get(&name) {
                Some(target) => name = target.clone(),
                None => break,
            }
        }
        name
    }

    /// The path of `name` inside the folder, refusing names that leave it.
    fn in_folder(&self, name: &str) -> Option<PathBuf> {
        let folder = self.folder.as_ref()?;
        if name.is_empty() || name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return None;
        }
        Some(folder.join(name))
    }

    /// A JSON document by name.
    fn json(&mut self, name: &str) -> Option<Value> {
        let name = self.resolve(name);
        if !self.json.contains_key(&name) {
            let path = self.in_folder(&name)?;
            let file = File::open(&path).ok()?;
            let size = file.metadata().ok()?.len();
            if size > MAX_JSON {
                self.notes.push(format!(
                    "{name} is too large to be read ({size} bytes); skipped"
                ));
                return None;
            }
            let mut buf = Vec::new();
            file.take(MAX_JSON).read_to_end(&mut buf).ok()?;
            self.json.insert(name.clone(), buf);
        }
        serde_json::from_slice(self.json.get(&name)?).ok()
    }

    /// Makes sure the summary of layer `name` is at hand (walking it from the folder if need
    /// be); returns its stored name.
    fn load_layer(&mut self, name: &str) -> Option<String> {
        let name = self.resolve(name);
        if self.layers.contains_key(&name) {
            return Some(name);
        }
        let path = self.in_folder(&name)?;
        let file = File::open(path).ok()?;
        let summary = layer::summarize(BufReader::new(file), &name, self.entries_left);
        self.entries_left = self.entries_left.saturating_sub(summary.entries);
        self.layers.insert(name.clone(), summary);
        Some(name)
    }
}

fn looks_like_json(head: &[u8]) -> bool {
    let is_tar = head.get(257..262) == Some(b"ustar".as_slice());
    !is_tar
        && matches!(
            head.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        )
}

/// `sha256:abc...` as a blob path, refusing digests that are not plain names.
fn blob_path(digest: &str) -> Option<String> {
    let (algorithm, hex) = digest.split_once(':')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
    };
    (plain(algorithm) && plain(hex)).then(|| format!("blobs/{algorithm}/{hex}"))
}

/// One image found in an archive, before its layers are combined.
struct Found {
    name: Option<String>,
    tags: Vec<String>,
    config: Option<String>,
    layers: Vec<String>,
}

/// Resolves the images of an archive; `fallback` names an image that names itself nowhere.
pub(crate) fn images(blobs: &mut Blobs, fallback: &str) -> Result<Vec<ScannedImage>, String> {
    let found = if let Some(manifest) = blobs.json("manifest.json") {
        docker_manifest(&manifest)
    } else if let Some(index) = blobs.json("index.json") {
        let mut found = Vec::new();
        oci_index(blobs, &index, None, 0, &mut found);
        found
    } else {
        return Err(
            "neither manifest.json nor index.json found: not a `docker save` archive or an OCI \
             image layout"
                .into(),
        );
    };
    if found.is_empty() {
        return Err("the archive's manifest lists no image".into());
    }
    let mut images = Vec::new();
    for f in found {
        let config = f.config.as_deref().and_then(|c| blobs.json(c));
        if config.is_none() {
            blobs.notes.push(format!(
                "the image configuration {} is missing from the archive: its user is unknown",
                f.config.as_deref().unwrap_or("(none named)")
            ));
        }
        let mut stored = Vec::new();
        for name in &f.layers {
            match blobs.load_layer(name) {
                Some(s) => stored.push(s),
                None => blobs.notes.push(format!(
                    "layer {name} is missing from the archive; its files are not reported"
                )),
            }
        }
        let summaries: Vec<&LayerSummary> =
            stored.iter().filter_map(|n| blobs.layers.get(n)).collect();
        let mut layer_notes = Vec::new();
        for s in &summaries {
            layer_notes.extend(s.notes.iter().cloned());
        }
        let special_files: Vec<SpecialFile> = layer::combine(&summaries);
        let name = f
            .tags
            .first()
            .cloned()
            .or(f.name.clone())
            .unwrap_or_else(|| fallback.to_string());
        let settings = config
            .as_ref()
            .and_then(|c| c.get("config").or(c.get("Config")));
        let strings = |key: &str| -> Vec<String> {
            settings
                .and_then(|s| s.get(key))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let capability_label = settings
            .and_then(|s| s.get("Labels"))
            .and_then(|l| l.get(CAPABILITY_LABEL))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(label) = &capability_label {
            layer_notes.push(format!(
                "{name} carries {CAPABILITY_LABEL}={label}: Podman gives its containers exactly \
                 these capabilities unless the run says otherwise"
            ));
        }
        images.push(ScannedImage {
            name,
            tags: f.tags.clone(),
            config_known: config.is_some(),
            user: settings
                .and_then(|s| s.get("User"))
                .and_then(Value::as_str)
                .map(str::to_string),
            entrypoint: strings("Entrypoint"),
            cmd: strings("Cmd"),
            layer_count: f.layers.len(),
            special_files,
            capability_label,
            notes: layer_notes,
        });
    }
    Ok(images)
}

/// The label Podman reads an image's default capabilities from.
const CAPABILITY_LABEL: &str = "io.containers.capabilities";

fn docker_manifest(manifest: &Value) -> Vec<Found> {
    let Some(list) = manifest.as_array() else {
        return Vec::new();
    };
    list.iter()
        .map(|m| Found {
            name: None,
            tags: m
                .get("RepoTags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            config: m.get("Config").and_then(Value::as_str).map(str::to_string),
            layers: m
                .get("Layers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The architecture name OCI uses for this machine.
fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

fn is_attestation(descriptor: &Value) -> bool {
    let annotated = descriptor
        .get("annotations")
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .and_then(Value::as_str)
        == Some("attestation-manifest");
    let unknown = descriptor
        .get("platform")
        .and_then(|p| p.get("os"))
        .and_then(Value::as_str)
        == Some("unknown");
    annotated || unknown
}

fn image_name(descriptor: &Value) -> Option<String> {
    let annotations = descriptor.get("annotations")?;
    [
        "io.containerd.image.name",
        "org.opencontainers.image.ref.name",
    ]
    .iter()
    .find_map(|k| annotations.get(*k).and_then(Value::as_str))
    .map(str::to_string)
}

/// Walks an OCI index: each manifest it lists is an image, except that of several platform
/// variants of one image only the host's (else the first) is kept.
fn oci_index(
    blobs: &mut Blobs,
    index: &Value,
    inherited_name: Option<String>,
    depth: usize,
    found: &mut Vec<Found>,
) {
    if depth > MAX_DEPTH {
        blobs
            .notes
            .push("OCI indexes nest too deep; the inner ones were not read".into());
        return;
    }
    let descriptors: Vec<&Value> = index
        .get("manifests")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|d| !is_attestation(d)).collect())
        .unwrap_or_default();
    let all_have_platforms =
        descriptors.len() > 1 && descriptors.iter().all(|d| d.get("platform").is_some());
    let chosen: Vec<&Value> = if all_have_platforms {
        let host = descriptors.iter().copied().find(|d| {
            let p = &d["platform"];
            p.get("os").and_then(Value::as_str) == Some("linux")
                && p.get("architecture").and_then(Value::as_str) == Some(host_architecture())
        });
        vec![host.unwrap_or(descriptors[0])]
    } else {
        descriptors
    };
    for d in chosen {
        let name = image_name(d).or_else(|| inherited_name.clone());
        let Some(path) = d.get("digest").and_then(Value::as_str).and_then(blob_path) else {
            blobs
                .notes
                .push("an OCI descriptor has no usable digest; skipped".into());
            continue;
        };
        let Some(blob) = blobs.json(&path) else {
            blobs.notes.push(format!(
                "{path}, listed in an OCI index, is missing; skipped"
            ));
            continue;
        };
        if blob.get("manifests").is_some() {
            oci_index(blobs, &blob, name, depth + 1, found);
            continue;
        }
        let layers = blob
            .get("layers")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.get("digest").and_then(Value::as_str).and_then(blob_path))
                    .collect()
            })
            .unwrap_or_default();
        found.push(Found {
            name,
            tags: Vec::new(),
            config: blob
                .get("config")
                .and_then(|c| c.get("digest"))
                .and_then(Value::as_str)
                .and_then(blob_path),
            layers,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_become_blob_paths_only_when_plain() {
        assert_eq!(
            blob_path("sha256:abc123").as_deref(),
            Some("blobs/sha256/abc123")
        );
        assert_eq!(blob_path("sha256:../../etc/passwd"), None);
        assert_eq!(blob_path("sha256/x"), None);
        assert_eq!(blob_path(":abc"), None);
    }

    #[test]
    fn json_is_told_from_tar() {
        assert!(looks_like_json(b"  {\"a\":1}"));
        assert!(!looks_like_json(b"usr/bin"));
        let mut tarish = vec![b'{'; 512];
        tarish[257..262].copy_from_slice(b"ustar");
        assert!(!looks_like_json(&tarish));
    }
}

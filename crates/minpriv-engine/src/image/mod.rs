//! Images: a local image exported through the engine, a `docker save` tarball, or an OCI image
//! layout (a folder, or a tar of one).
//!
//! The image's configuration gives its user, entrypoint and command; its layers are walked in
//! order, as streams (nothing is unpacked to disk, no layer is held in memory), honouring
//! whiteouts, to find the setuid/setgid files and the files with capabilities that the final
//! filesystem really holds.

mod archive;
mod layer;
mod tar_walk;

pub use layer::SpecialFile;

use crate::{Engine, EngineError};
use archive::Blobs;
use futures_util::{Stream, StreamExt};
use minpriv_model::{
    Container, ContainerRole, Located, Origin, Posture, Runtime, Source, Workload,
};
use minpriv_readers::ReadOutput;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::pin::Pin;

/// One image read from an archive or the engine.
#[derive(Clone, Debug)]
pub struct ScannedImage {
    /// Its name: the first repository tag, else the name the archive gives it, else the name it
    /// was asked for (or the archive's file name).
    pub name: String,
    /// Repository tags recorded in the archive.
    pub tags: Vec<String>,
    /// False when the archive lacked the image's configuration (then `user` is unknown).
    pub config_known: bool,
    /// The configuration's `User` (`None` when unset; `Some("")` is also root).
    pub user: Option<String>,
    /// The configuration's `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// The configuration's `Cmd`.
    pub cmd: Vec<String>,
    /// How many layers the image has.
    pub layer_count: usize,
    /// Setuid/setgid files and files with capabilities in the final filesystem, by path.
    pub special_files: Vec<SpecialFile>,
    /// The configuration's `io.containers.capabilities` label: the capabilities Podman gives
    /// the image's containers by default.
    pub capability_label: Option<String>,
    /// Problems met in its layers (a layer that could not be read to its end, zstd layers).
    pub notes: Vec<String>,
}

impl ScannedImage {
    /// The image as a workload: `source: image`, `resource: image/NAME`, one unnamed container
    /// whose posture holds the image, its user ([`Origin::Image`]) and its special files.
    pub fn workload(&self) -> Workload {
        let mut posture = Posture::defaults(Runtime::Docker, None);
        posture.image = Located::written(Some(self.name.clone()), None);
        posture.image_user = if self.config_known {
            let user = self.user.clone().filter(|u| !u.trim().is_empty());
            Located::new(user, Origin::Image, None)
        } else {
            Located::new(None, Origin::Unknown, None)
        };
        posture.setuid_files = self
            .special_files
            .iter()
            .flat_map(SpecialFile::posture_entries)
            .map(|text| Located::new(text, Origin::Image, None))
            .collect();
        if let Some(label) = &self.capability_label {
            posture.capability_label = Located::new(Some(label.clone()), Origin::Image, None);
        }
        Workload {
            source: Source::Image,
            resource: format!("image/{}", self.name),
            span: None,
            containers: vec![Container {
                name: None,
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        }
    }
}

/// What a scan found: the images (an archive may hold several) and remarks for the user.
#[derive(Clone, Debug, Default)]
pub struct ImageScan {
    /// The images, in the archive's order.
    pub images: Vec<ScannedImage>,
    /// Remarks about the archive itself (missing blobs, skipped files).
    pub notes: Vec<String>,
}

impl ImageScan {
    /// The workloads and notes in the shape every reader returns.
    pub fn into_output(self) -> ReadOutput {
        let mut out = ReadOutput {
            notes: self.notes,
            ..ReadOutput::default()
        };
        for image in &self.images {
            out.workloads.push(image.workload());
            out.notes.extend(
                image
                    .notes
                    .iter()
                    .map(|n| format!("image {}: {n}", image.name)),
            );
        }
        out
    }
}

/// Scans a `docker save` tarball (plain or gzip-compressed), an OCI image layout in a tar, or
/// either unpacked into a folder.
pub fn scan_image_archive(path: &Path) -> Result<ImageScan, EngineError> {
    let fallback = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let fail = |e: &dyn std::fmt::Display| {
        EngineError::new(format!("cannot read image archive {}: {e}", path.display()))
    };
    let mut blobs = if path.is_dir() {
        Blobs::folder(path)
    } else {
        let file = File::open(path).map_err(|e| fail(&e))?;
        Blobs::read_tar(BufReader::with_capacity(1 << 16, file)).map_err(|e| fail(&e))?
    };
    let images = archive::images(&mut blobs, &fallback).map_err(|e| fail(&e))?;
    Ok(ImageScan {
        images,
        notes: blobs.notes,
    })
}

/// Scans an image archive read from a stream (standard input, or the engine's export); `name`
/// names an image that names itself nowhere in the archive.
pub fn scan_image_reader(reader: impl Read, name: &str) -> Result<ImageScan, EngineError> {
    let mut blobs = Blobs::read_tar(reader)
        .map_err(|e| EngineError::new(format!("cannot read image archive {name}: {e}")))?;
    let images = archive::images(&mut blobs, name)
        .map_err(|e| EngineError::new(format!("cannot read image archive {name}: {e}")))?;
    Ok(ImageScan {
        images,
        notes: blobs.notes,
    })
}

/// Scans an image of the engine's local store by exporting it (`GET /images/NAME/get`, the
/// `docker save` format) and walking the export as it streams in. The result is named `name`.
pub fn scan_image(engine: &Engine, name: &str) -> Result<ImageScan, EngineError> {
    // Inspect first: a missing image then gives a clear message instead of a broken stream.
    engine
        .block_on(engine.docker().inspect_image(name))
        .map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => EngineError::new(
                "no such image in the engine's local store (build, pull or load it first: \
                 minpriv pulls nothing)",
            ),
            other => EngineError::new(crate::describe_api_error(&other)),
        })?;
    let stream = engine.docker().export_image(name);
    let reader = StreamReader {
        engine,
        stream: Box::pin(stream),
        chunk: None,
        offset: 0,
    };
    let mut scan = scan_image_reader(reader, name)?;
    for image in &mut scan.images {
        image.name = name.to_string();
    }
    Ok(scan)
}

/// A blocking [`Read`] over the engine's byte stream: each read that finds the current chunk used
/// up drives the engine's runtime until the next chunk arrives, so at most one chunk is held.
struct StreamReader<'e, S, B> {
    engine: &'e Engine,
    stream: Pin<Box<S>>,
    chunk: Option<B>,
    offset: usize,
}

impl<S, B> Read for StreamReader<'_, S, B>
where
    S: Stream<Item = Result<B, bollard::errors::Error>>,
    B: AsRef<[u8]>,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(chunk) = &self.chunk {
                let rest = &chunk.as_ref()[self.offset..];
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.offset += n;
                    return Ok(n);
                }
            }
            match self.engine.block_on(self.stream.next()) {
                Some(Ok(chunk)) => {
                    self.chunk = Some(chunk);
                    self.offset = 0;
                }
                Some(Err(e)) => {
                    return Err(io::Error::other(crate::describe_api_error(&e)));
                }
                None => return Ok(0),
            }
        }
    }
}

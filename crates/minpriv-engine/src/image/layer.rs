//! One image layer, walked as a stream, summarised so that layers can be combined in manifest
//! order afterwards, whatever order they arrived in.
//!
//! A `docker save` archive (and an OCI layout in a tar) lists its manifest *after* the layers, so
//! a single pass cannot know the layer order while it walks them. Each layer is therefore reduced
//! to what it contributes: the setuid/setgid and file-capability files it adds, and hashes of
//! every path it writes, deletes (`.wh.NAME`) or makes opaque (`.wh..wh..opq`). Hashes keep the
//! summary at a few bytes per entry, so a layer of a million files costs tens of megabytes at
//! most, however large its files are.

use super::tar_walk::{self, EntryInfo};
use flate2::read::MultiGzDecoder;
use minpriv_model::Capability;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Cursor, Read};

/// The most uncompressed bytes read from one layer; past it the layer is reported as truncated.
/// This bounds the time a decompression bomb costs (memory is bounded by streaming anyway).
pub const MAX_LAYER_BYTES: u64 = 64 << 30;
/// The most entries read from all the layers of one archive together: about 30 bytes of hashes
/// each, so the summaries stay under a few hundred megabytes even for a hostile archive. Real
/// images have tens or hundreds of thousands.
pub const MAX_ARCHIVE_ENTRIES: u64 = 8_000_000;

/// A file that gives privileges: setuid or setgid, or carrying file capabilities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialFile {
    /// The absolute path in the image (`/usr/bin/passwd`).
    pub path: String,
    /// The setuid bit is set.
    pub setuid: bool,
    /// The setgid bit is set.
    pub setgid: bool,
    /// The file has a `security.capability` xattr: the capabilities it grants, by name (empty
    /// when the xattr could not be decoded).
    pub capabilities: Option<Vec<&'static str>>,
    /// The index of the layer (0 = the base) that added it.
    pub layer: usize,
}

impl SpecialFile {
    /// The texts this file contributes to `Posture::setuid_files`: the bare path for a
    /// setuid/setgid file, `PATH (file capabilities: NAMES)` for file capabilities.
    pub fn posture_entries(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.setuid || self.setgid {
            out.push(self.path.clone());
        }
        if let Some(caps) = &self.capabilities {
            out.push(if caps.is_empty() {
                format!("{} (file capabilities)", self.path)
            } else {
                format!("{} (file capabilities: {})", self.path, caps.join(","))
            });
        }
        out
    }
}

/// What one layer contributes (see the module documentation).
#[derive(Debug, Default)]
pub struct LayerSummary {
    /// Special files this layer adds, by path (a later entry for the same path in the same layer
    /// replaces an earlier one).
    specials: HashMap<String, SpecialFile>,
    /// Every path this layer writes (any type).
    written: HashSet<u64>,
    /// Paths this layer writes as something other than a directory.
    non_dirs: HashSet<u64>,
    /// Paths this layer deletes with `.wh.NAME`.
    whiteouts: HashSet<u64>,
    /// Directories whose lower contents this layer hides with `.wh..wh..opq`.
    opaque: HashSet<u64>,
    /// Entries read.
    pub entries: u64,
    /// Problems met; the summary holds what was read before them.
    pub notes: Vec<String>,
}

fn hash_path(path: &str) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// `path` and each of its ancestors, the root (`""`) last.
fn self_and_ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(path);
    std::iter::from_fn(move || {
        let current = next?;
        next = if current.is_empty() {
            None
        } else {
            Some(current.rfind('/').map_or("", |i| &current[..i]))
        };
        Some(current)
    })
}

impl LayerSummary {
    /// True when this layer removes or replaces `path` (normalised, relative) of a lower layer.
    pub fn hides(&self, path: &str) -> bool {
        if self.written.contains(&hash_path(path)) {
            return true;
        }
        for (depth, p) in self_and_ancestors(path).enumerate() {
            let h = hash_path(p);
            if self.whiteouts.contains(&h) {
                return true;
            }
            // A strict ancestor that is opaque, or replaced by a file or symlink.
            if depth > 0 && (self.opaque.contains(&h) || self.non_dirs.contains(&h)) {
                return true;
            }
        }
        false
    }

    /// The special files this layer adds, sorted by path.
    pub fn specials(&self) -> Vec<&SpecialFile> {
        let mut v: Vec<&SpecialFile> = self.specials.values().collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    fn record(&mut self, info: &EntryInfo, layer: usize) {
        let name = info.path.rsplit('/').next().unwrap_or_default();
        let parent = info.path.rfind('/').map_or("", |i| &info.path[..i]);
        if name == ".wh..wh..opq" {
            self.opaque.insert(hash_path(parent));
            return;
        }
        if let Some(deleted) = name.strip_prefix(".wh.") {
            // `.wh..wh.plnk` and friends are aufs bookkeeping, not deletions.
            if !deleted.starts_with(".wh.") {
                let path = if parent.is_empty() {
                    deleted.to_string()
                } else {
                    format!("{parent}/{deleted}")
                };
                self.whiteouts.insert(hash_path(&path));
            }
            return;
        }
        let h = hash_path(&info.path);
        self.written.insert(h);
        if !info.kind.is_dir() {
            self.non_dirs.insert(h);
        }
        let is_file = info.kind.is_file() || info.kind.is_contiguous() || info.kind.is_hard_link();
        let setuid = is_file && info.mode & 0o4000 != 0;
        let setgid = is_file && info.mode & 0o2000 != 0;
        let capabilities = info
            .capability_xattr
            .as_deref()
            .filter(|_| is_file)
            .map(decode_file_capabilities);
        if setuid || setgid || capabilities.is_some() {
            self.specials.insert(
                info.path.clone(),
                SpecialFile {
                    path: format!("/{}", info.path),
                    setuid,
                    setgid,
                    capabilities,
                    layer,
                },
            );
        } else {
            self.specials.remove(&info.path);
        }
    }
}

/// The capability names of a `security.capability` xattr (`struct vfs_cap_data`: a little-endian
/// `magic_etc` word, then permitted/inheritable pairs of 32-bit words, low half first).
pub fn decode_file_capabilities(raw: &[u8]) -> Vec<&'static str> {
    let word = |i: usize| -> Option<u32> {
        let b = raw.get(i * 4..i * 4 + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(magic) = word(0) else {
        return Vec::new();
    };
    let permitted = match magic & 0xFF00_0000 {
        0x0100_0000 => u64::from(word(1).unwrap_or(0)),
        0x0200_0000 | 0x0300_0000 => {
            u64::from(word(1).unwrap_or(0)) | (u64::from(word(3).unwrap_or(0)) << 32)
        }
        _ => return Vec::new(),
    };
    Capability::ALL
        .iter()
        .filter(|c| permitted & (1u64 << (**c as u8)) != 0)
        .map(|c| c.name())
        .collect()
}

/// How a layer blob is compressed, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd (not read: no decoder is linked in).
    Zstd,
    /// bzip2 or xz (not used for image layers in practice).
    Other(&'static str),
}

/// Sniffs the compression from the first bytes.
pub fn sniff_compression(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [b'B', b'Z', b'h', ..] => Compression::Other("bzip2"),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Other("xz"),
        _ => Compression::None,
    }
}

/// Reads up to `n` bytes (fewer only at end of stream).
pub fn read_head<R: Read + ?Sized>(reader: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    (&mut *reader).take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Walks one layer blob, reading at most `max_entries` entries (`name` is for messages).
pub fn summarize(mut blob: impl Read, name: &str, max_entries: u64) -> LayerSummary {
    let mut summary = LayerSummary::default();
    let head = match read_head(&mut blob, 6) {
        Ok(h) => h,
        Err(e) => {
            summary.notes.push(format!("layer {name}: {e}"));
            return summary;
        }
    };
    let compression = sniff_compression(&head);
    let stream = Cursor::new(head).chain(blob);
    let result = match compression {
        Compression::None => walk_into(&mut summary, stream.take(MAX_LAYER_BYTES), max_entries),
        Compression::Gzip => walk_into(
            &mut summary,
            MultiGzDecoder::new(stream).take(MAX_LAYER_BYTES),
            max_entries,
        ),
        Compression::Zstd => {
            summary.notes.push(format!(
                "layer {name} is zstd-compressed, which is not read: its setuid and \
                 file-capability files are not reported"
            ));
            return summary;
        }
        Compression::Other(kind) => {
            summary.notes.push(format!(
                "layer {name} is {kind}-compressed, which is not read"
            ));
            return summary;
        }
    };
    match result {
        Ok(true) => {}
        Ok(false) => summary.notes.push(format!(
            "layer {name} has more entries than are read ({max_entries}); the rest was not read"
        )),
        Err(e) => summary.notes.push(format!(
            "layer {name} could not be read to its end ({e}); files after that point are not \
             reported"
        )),
    }
    summary
}

fn walk_into(summary: &mut LayerSummary, stream: impl Read, max_entries: u64) -> io::Result<bool> {
    let mut entries = 0;
    let ended = tar_walk::walk(stream, max_entries, |info, _data| {
        entries += 1;
        summary.record(info, 0);
        Ok(())
    });
    summary.entries = entries;
    ended
}

/// The special files of an image whose layers are `layers`, base first: each layer's own, less
/// those a later layer deletes, hides or overwrites. Sorted by path.
pub fn combine(layers: &[&LayerSummary]) -> Vec<SpecialFile> {
    let mut out = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        for special in layer.specials() {
            let relative = special.path.trim_start_matches('/');
            if !layers[i + 1..].iter().any(|later| later.hides(relative)) {
                let mut s = special.clone();
                s.layer = i;
                out.push(s);
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.layer.cmp(&b.layer)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_end_at_the_root() {
        let v: Vec<&str> = self_and_ancestors("a/b/c").collect();
        assert_eq!(v, vec!["a/b/c", "a/b", "a", ""]);
        assert_eq!(self_and_ancestors("").collect::<Vec<_>>(), vec![""]);
    }

    #[test]
    fn file_capabilities_decode() {
        // v2: magic 0x02000001 (effective), permitted NET_RAW (bit 13), NET_BIND_SERVICE (10).
        let mut raw = Vec::new();
        raw.extend_from_slice(&0x0200_0001u32.to_le_bytes());
        raw.extend_from_slice(&((1u32 << 13) | (1 << 10)).to_le_bytes());
        raw.extend_from_slice(&0u32.to_le_bytes());
        raw.extend_from_slice(&0u32.to_le_bytes());
        raw.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(
            decode_file_capabilities(&raw),
            vec!["NET_BIND_SERVICE", "NET_RAW"]
        );
        assert!(decode_file_capabilities(&[1, 2]).is_empty());
        assert!(decode_file_capabilities(&[0, 0, 0, 9, 1, 1, 1, 1]).is_empty());
    }

    #[test]
    fn compression_is_sniffed() {
        assert_eq!(sniff_compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            sniff_compression(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(sniff_compression(b"usr/"), Compression::None);
        assert_eq!(sniff_compression(b""), Compression::None);
    }
}

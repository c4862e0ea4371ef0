//! A streaming walk over the entries of a tar archive that never holds more than a bounded
//! amount of metadata in memory.
//!
//! tar's own iterator reads PAX and GNU long-name records whole into memory, whatever size their
//! header claims, so a hostile layer could make it allocate gigabytes. The walk therefore uses
//! tar's raw mode (one header at a time, data left unread is skipped as a stream) and reads those
//! records itself, refusing any larger than [`MAX_METADATA`].

use std::io::{self, Read};
use tar::{EntryType, PaxExtensions};

/// The largest PAX or GNU long-name record read. Real ones hold a path and a few xattrs.
pub const MAX_METADATA: u64 = 1 << 20;

/// The PAX key under which GNU tar, Go's archive/tar and Docker store the `security.capability`
/// extended attribute.
const CAPABILITY_XATTR: &[u8] = b"SCHILY.xattr.security.capability";
/// libarchive's spelling (the value is base64).
const CAPABILITY_XATTR_LIBARCHIVE: &[u8] = b"LIBARCHIVE.xattr.security.capability";

/// What the walk tells about one entry.
#[derive(Debug)]
pub struct EntryInfo {
    /// The path, normalised: no leading `/` or `./`, no trailing `/`, `.` and `..` resolved
    /// lexically (never above the root), `""` for the root itself.
    pub path: String,
    /// The entry's type.
    pub kind: EntryType,
    /// The permission bits, setuid/setgid included.
    pub mode: u32,
    /// The raw `security.capability` xattr, when the entry has one.
    pub capability_xattr: Option<Vec<u8>>,
    /// The size of the entry's data.
    pub size: u64,
    /// For a link, its target as written (not normalised).
    pub link_target: Option<String>,
}

/// Calls `visit` for every entry of the tar stream `reader`, in order, with a reader over the
/// entry's data (which `visit` may read partly or not at all). Stops after `max_entries` entries
/// with `Ok(false)`; `Ok(true)` means the archive ended normally.
pub fn walk<R: Read>(
    reader: R,
    max_entries: u64,
    mut visit: impl FnMut(&EntryInfo, &mut dyn Read) -> io::Result<()>,
) -> io::Result<bool> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries()?.raw(true);
    let mut pending_pax: Option<Vec<u8>> = None;
    let mut pending_long_name: Option<Vec<u8>> = None;
    let mut pending_long_link: Option<Vec<u8>> = None;
    let mut seen = 0u64;
    for entry in entries {
        let mut entry = entry?;
        let header = entry.header().clone();
        let kind = header.entry_type();
        if kind.is_pax_local_extensions() {
            pending_pax = Some(read_metadata(&mut entry, "PAX header")?);
            continue;
        }
        if kind.is_gnu_longname() {
            pending_long_name = Some(read_metadata(&mut entry, "GNU long name")?);
            continue;
        }
        if kind.is_gnu_longlink() {
            pending_long_link = Some(read_metadata(&mut entry, "GNU long link name")?);
            continue;
        }
        // Global PAX headers change nothing this walk reports; their data is skipped as a
        // stream.
        if kind.is_pax_global_extensions() {
            continue;
        }
        if kind.is_gnu_sparse() && header.as_gnu().is_some_and(|g| g.is_extended()) {
            // Extended sparse maps sit between header and data; raw mode does not skip them.
            return Err(invalid(
                "GNU sparse files with extended maps are not supported",
            ));
        }
        seen += 1;
        if seen > max_entries {
            return Ok(false);
        }
        let size = header.entry_size()?;
        let mut path = match pending_long_name.take() {
            Some(name) => trim_nuls(name),
            None => header.path_bytes().into_owned(),
        };
        let mut link = match pending_long_link.take() {
            Some(name) => Some(trim_nuls(name)),
            None => header.link_name_bytes().map(|l| l.into_owned()),
        };
        let mut capability_xattr = None;
        if let Some(pax) = pending_pax.take() {
            for ext in PaxExtensions::new(&pax).flatten() {
                match ext.key_bytes() {
                    b"path" => path = ext.value_bytes().to_vec(),
                    b"linkpath" => link = Some(ext.value_bytes().to_vec()),
                    b"size" => {
                        // A PAX size moves where the next header is; raw mode cannot follow it,
                        // so stop rather than read data as headers.
                        let pax_size = ext.value().ok().and_then(|v| v.trim().parse::<u64>().ok());
                        if pax_size != Some(size) {
                            return Err(invalid(
                                "an entry's size is given in a PAX record (files over 8 GiB); \
                                 not supported",
                            ));
                        }
                    }
                    k if k == CAPABILITY_XATTR => {
                        capability_xattr = Some(ext.value_bytes().to_vec());
                    }
                    k if k == CAPABILITY_XATTR_LIBARCHIVE => {
                        capability_xattr = Some(decode_base64(ext.value_bytes()));
                    }
                    _ => {}
                }
            }
        }
        let info = EntryInfo {
            path: normalize_path(&String::from_utf8_lossy(&path)),
            kind,
            mode: header.mode().unwrap_or(0),
            capability_xattr,
            size,
            link_target: link
                .filter(|l| !l.is_empty())
                .map(|l| String::from_utf8_lossy(&l).into_owned()),
        };
        visit(&info, &mut entry)?;
    }
    Ok(true)
}

fn read_metadata(entry: &mut impl Read, what: &str) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    entry.take(MAX_METADATA + 1).read_to_end(&mut data)?;
    if data.len() as u64 > MAX_METADATA {
        return Err(invalid(&format!(
            "a {what} record is larger than {} KiB",
            MAX_METADATA / 1024
        )));
    }
    Ok(data)
}

fn trim_nuls(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    bytes
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

/// Lexical normalisation of an archive path (see [`EntryInfo::path`]).
pub fn normalize_path(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Standard base64 (padding and unknown bytes ignored); enough for libarchive's xattr values.
fn decode_base64(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_lexically() {
        assert_eq!(normalize_path("./usr/bin/"), "usr/bin");
        assert_eq!(normalize_path("/a//b/./c"), "a/b/c");
        assert_eq!(normalize_path("../../etc/passwd"), "etc/passwd");
        assert_eq!(normalize_path("a/../../b"), "b");
        assert_eq!(normalize_path("./"), "");
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64(b"AAAAAg=="), vec![0, 0, 0, 2]);
        assert_eq!(decode_base64(b"aGVsbG8="), b"hello".to_vec());
    }
}

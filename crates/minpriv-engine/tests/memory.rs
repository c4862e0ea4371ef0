//! A 1 GiB image is walked in bounded memory: the archive is generated on the fly (nothing of it
//! is ever stored), and the process's peak resident size is checked afterwards. Alone in its own
//! test binary so that no other test's allocations count.

use minpriv_engine::image::scan_image_reader;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Pieces of a generated stream: literal bytes, or a run of zeros that is never materialised.
enum Piece {
    Bytes(Vec<u8>),
    Zeros(u64),
}

struct Generated {
    pieces: Vec<Piece>,
    at: usize,
    offset: u64,
    /// Bytes handed out, to prove the whole stream went through.
    served: Arc<AtomicU64>,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(piece) = self.pieces.get(self.at) {
            let len = match piece {
                Piece::Bytes(b) => b.len() as u64,
                Piece::Zeros(n) => *n,
            };
            if self.offset >= len {
                self.at += 1;
                self.offset = 0;
                continue;
            }
            let n = (len - self.offset).min(buf.len() as u64) as usize;
            match piece {
                Piece::Bytes(b) => {
                    let start = self.offset as usize;
                    buf[..n].copy_from_slice(&b[start..start + n]);
                }
                Piece::Zeros(_) => buf[..n].fill(0),
            }
            self.offset += n as u64;
            self.served.fetch_add(n as u64, Ordering::Relaxed);
            return Ok(n);
        }
        Ok(0)
    }
}

fn header(path: &str, mode: u32, size: u64) -> Vec<u8> {
    let mut h = tar::Header::new_ustar();
    h.set_path(path).unwrap();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(mode);
    h.set_size(size);
    h.set_cksum();
    h.as_bytes().to_vec()
}

fn padding(size: u64) -> u64 {
    (512 - size % 512) % 512
}

fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_one_gib_layer_streams_in_bounded_memory() {
    const FILE: u64 = 256 << 20;
    // The layer: four 256 MiB files, then a small setuid file that must still be found.
    let mut layer = Vec::new();
    let mut layer_size = 0u64;
    for i in 0..4 {
        let h = header(&format!("data/blob{i}"), 0o644, FILE);
        layer_size += 512 + FILE;
        layer.push(Piece::Bytes(h));
        layer.push(Piece::Zeros(FILE));
    }
    let suid = header("usr/bin/late-suid", 0o4755, 3);
    layer.push(Piece::Bytes(suid));
    layer.push(Piece::Bytes(b"abc".to_vec()));
    layer.push(Piece::Zeros(padding(3) + 1024));
    layer_size += 512 + 512 + 1024;

    let manifest = br#"[{"Config":"c.json","RepoTags":["big:1"],"Layers":["l/layer.tar"]}]"#;
    let config = br#"{"config":{"User":""}}"#;
    let mut pieces = vec![Piece::Bytes(header("l/layer.tar", 0o644, layer_size))];
    pieces.extend(layer);
    pieces.push(Piece::Zeros(padding(layer_size)));
    for (name, data) in [("c.json", &config[..]), ("manifest.json", &manifest[..])] {
        pieces.push(Piece::Bytes(header(name, 0o644, data.len() as u64)));
        pieces.push(Piece::Bytes(data.to_vec()));
        pieces.push(Piece::Zeros(padding(data.len() as u64)));
    }
    pieces.push(Piece::Zeros(1024));

    let served = Arc::new(AtomicU64::new(0));
    let stream = Generated {
        pieces,
        at: 0,
        offset: 0,
        served: Arc::clone(&served),
    };
    let scan = scan_image_reader(stream, "big").unwrap();
    let image = &scan.images[0];
    assert_eq!(image.name, "big:1");
    assert_eq!(image.special_files.len(), 1, "{:?}", image.notes);
    assert_eq!(image.special_files[0].path, "/usr/bin/late-suid");
    assert!(image.notes.is_empty(), "{:?}", image.notes);
    assert!(served.load(Ordering::Relaxed) > 4 * FILE);

    if let Some(peak) = peak_resident_kib() {
        eprintln!(
            "peak resident size after a 1 GiB image: {} MiB",
            peak / 1024
        );
        assert!(peak < 100 * 1024, "peak resident size {peak} KiB");
    }
}

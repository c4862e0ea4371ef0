//! What readers may look up beside the file they read: files relative to its folder (a Compose
//! file's `.env`, the Dockerfile its `build:` names) and the process environment (Compose
//! `${VAR}` interpolation).

use minpriv_readers::Resolver;
use std::io::Read;
use std::path::PathBuf;

/// Files beside a Compose file are small; anything bigger than this is not what the reader is
/// looking for, and reading it whole would only cost memory.
const MAX_RELATIVE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A [`Resolver`] on the real file system, relative to one folder.
#[derive(Clone, Debug)]
pub struct FsResolver {
    folder: PathBuf,
}

impl FsResolver {
    /// Resolves relative names against `folder` (the scanned file's folder; the current folder
    /// for standard input).
    pub fn new(folder: PathBuf) -> FsResolver {
        FsResolver { folder }
    }
}

impl Resolver for FsResolver {
    fn read_relative(&self, relative: &str) -> Option<String> {
        let path = self.folder.join(relative);
        // Only regular files are opened: opening a FIFO (a hostile `.env`) waits for a writer
        // forever, and a device may never end.
        if !std::fs::metadata(&path).ok()?.is_file() {
            return None;
        }
        let file = std::fs::File::open(&path).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut text = String::new();
        file.take(MAX_RELATIVE_FILE_BYTES)
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_beside_the_scanned_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::write(dir.path().join(".env"), "TAG=1.2\n").unwrap_or_default();
        std::fs::create_dir(dir.path().join("sub")).unwrap_or_default();
        let resolver = FsResolver::new(dir.path().to_path_buf());
        assert_eq!(resolver.read_relative(".env").as_deref(), Some("TAG=1.2\n"));
        assert_eq!(resolver.read_relative("missing"), None);
        assert_eq!(
            resolver.read_relative("sub"),
            None,
            "a folder is not a file"
        );
    }

    #[test]
    fn reads_the_process_environment() {
        let resolver = FsResolver::new(PathBuf::from("."));
        // PATH is set in every environment the tests run in; a made-up name in none.
        assert!(resolver.env("PATH").is_some());
        assert_eq!(resolver.env("MINPRIV_TEST_SURELY_UNSET_VARIABLE"), None);
    }
}

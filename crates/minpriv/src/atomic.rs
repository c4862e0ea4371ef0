//! Writing `--output` and `--html` files so that readers never see half of one.
//!
//! A CI step that uploads `minpriv.sarif` after an interrupted or failed run must find either
//! the previous complete file or none — never a truncated log that the upload rejects, or worse,
//! a truncated one that parses. So the text goes to a temporary file in the same folder (a rename
//! is atomic only within one filesystem), is flushed to disk, and is then renamed over the
//! target. A failed write removes its temporary file; only a process killed between creating and
//! renaming it leaves a `.minpriv-*.tmp` file behind, never a partial target.
//!
//! A target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
//! written directly: renaming over it would replace the device with a file, which as root
//! breaks the machine.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: the file at `path` is the old one (or absent) until the
/// new one is complete.
///
/// The new file gets the permissions a newly created file gets (0666 less the umask), as
/// `std::fs::write` would give it, not the 0600 of a temporary file.
///
/// # Errors
/// When the folder cannot hold a new file (missing, read-only, full) or the rename fails; the
/// target is untouched then, and the temporary file is removed.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file written a piece at a time that appears at its path, whole, on [`AtomicFile::commit`]
/// (see [`write`]). Dropped without a commit, it is removed and the target is untouched.
pub struct AtomicFile {
    file: Destination,
    target: PathBuf,
}

enum Destination {
    /// A temporary file renamed over the target on commit.
    Temporary(std::io::BufWriter<tempfile::NamedTempFile>),
    /// A device or FIFO, written as it is.
    Special(std::io::BufWriter<std::fs::File>),
}

impl AtomicFile {
    /// Starts a new file for `path`, in `path`'s folder.
    ///
    /// # Errors
    /// When the folder cannot hold a new file (missing, read-only, full).
    pub fn create(path: &Path) -> std::io::Result<AtomicFile> {
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            return Ok(AtomicFile {
                file: Destination::Special(std::io::BufWriter::new(file)),
                target: path.to_path_buf(),
            });
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".minpriv-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Subject to the umask, like any file `open(2)` creates.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        Ok(AtomicFile {
            file: Destination::Temporary(std::io::BufWriter::new(
                builder.tempfile_in(folder_of(path))?,
            )),
            target: path.to_path_buf(),
        })
    }

    /// Where the file is written until it is committed; `None` for a device or FIFO, which is
    /// written directly (and must never be removed).
    pub fn temporary_path(&self) -> Option<&Path> {
        match &self.file {
            Destination::Temporary(file) => Some(file.get_ref().path()),
            Destination::Special(_) => None,
        }
    }

    /// Flushes the file to disk and renames it over the target.
    ///
    /// # Errors
    /// When the rest of the file cannot be written or the rename fails; the target is
    /// untouched then, and the temporary file is removed.
    pub fn commit(self) -> std::io::Result<()> {
        let file = match self.file {
            Destination::Temporary(file) => file,
            Destination::Special(mut file) => return file.flush(),
        };
        let file = file.into_inner().map_err(|err| err.into_error())?;
        file.as_file().sync_all()?;
        // Dropping `file` on an error above deletes the temporary file.
        file.persist(&self.target).map_err(|err| err.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Destination::Temporary(file) => file.write(bytes),
            Destination::Special(file) => file.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Destination::Temporary(file) => file.flush(),
            Destination::Special(file) => file.flush(),
        }
    }
}

/// The folder the temporary file goes to: the target's. A bare file name's parent is the empty
/// path, which means the current folder.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_file_and_replaces_an_old_one_whole() {
        let dir = tempdir();
        let target = dir.path().join("report.sarif");
        write(&target, b"first version, rather long").unwrap_or_else(|e| panic!("{e}"));
        write(&target, b"second").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&target).unwrap_or_default(), b"second");
        assert_eq!(
            entries(dir.path()),
            ["report.sarif"],
            "no temporary file is left"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempdir();
        // The target is a folder: the rename fails after the temporary file was written.
        let target = dir.path().join("taken");
        std::fs::create_dir(&target).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(target.join("inside"), "keep").unwrap_or_else(|e| panic!("{e}"));
        assert!(write(&target, b"new report").is_err());
        assert_eq!(entries(dir.path()), ["taken"]);
        assert_eq!(
            std::fs::read_to_string(target.join("inside")).unwrap_or_default(),
            "keep"
        );
    }

    #[test]
    fn a_device_is_written_not_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        write(null, b"gone").unwrap_or_else(|e| panic!("{e}"));
        let meta = std::fs::metadata(null).unwrap_or_else(|e| panic!("{e}"));
        assert!(!meta.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_panic() {
        let dir = tempdir();
        let err = write(&dir.path().join("no/such/folder/out.json"), b"{}");
        assert!(err.is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_gets_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempdir();
        let target = dir.path().join("out.html");
        write(&target, b"<!DOCTYPE html>").unwrap_or_else(|e| panic!("{e}"));
        let mode = std::fs::metadata(&target)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        // Readable by others (0644 under the usual umask 022), not a temporary file's 0600.
        assert_ne!(mode & 0o044, 0, "mode {mode:o}");
    }

    #[test]
    fn the_temporary_file_goes_beside_the_target() {
        assert_eq!(folder_of(Path::new("out.sarif")), Path::new("."));
        assert_eq!(
            folder_of(Path::new("reports/out.sarif")),
            Path::new("reports")
        );
        assert_eq!(folder_of(Path::new("/tmp/out.sarif")), Path::new("/tmp"));
    }
}

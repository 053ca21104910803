//! The one way the guard reads a file it opens itself: manage.py, the Procfile, the WSGI module,
//! configuration files, CA files. A path can name anything: a FIFO that blocks forever, a device
//! that never ends (`/dev/zero`), a symlink to either. So the file is opened without blocking,
//! only a regular file is read, and never more than a cap: a wrong path is an error at once,
//! never a hang or a memory blow-up.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing at the path (or a dangling symlink).
    NotFound,
    /// The path (after symlinks) is not a regular file.
    NotRegular(&'static str),
    /// The file holds more than the cap, in bytes.
    TooLarge { cap: u64 },
    /// The file is not UTF-8 text.
    NotText,
    /// Opening or reading failed otherwise (permissions, I/O).
    Io(io::Error),
}

impl ReadError {
    /// Whether the file simply does not exist: callers often treat that as "not configured".
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => write!(f, "it does not exist"),
            Self::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            Self::TooLarge { cap } => write!(f, "it is larger than {}", size(*cap)),
            Self::NotText => write!(f, "it is not UTF-8 text"),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::NotFound {
            Self::NotFound
        } else {
            Self::Io(error)
        }
    }
}

/// A cap in the unit people think in.
fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// The text of the regular file at `path` (symlinks followed), at most `cap` bytes.
///
/// # Errors
///
/// See [`ReadError`]: missing, not a regular file, larger than `cap`, not UTF-8, or I/O.
pub fn read_bounded(path: &Path, cap: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bounded_bytes(path, cap)?).map_err(|_| ReadError::NotText)
}

/// The bytes of the regular file at `path` (symlinks followed), at most `cap` bytes.
///
/// # Errors
///
/// See [`ReadError`]: missing, not a regular file, larger than `cap`, or I/O.
pub fn read_bounded_bytes(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. O_NOCTTY: a
    // terminal device never becomes our controlling terminal. Both are harmless on a regular
    // file, which is all we go on to read.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let metadata = file.metadata()?;
    let file_type = metadata.file_type();
    if !file_type.is_file() {
        return Err(ReadError::NotRegular(kind_of(file_type)));
    }
    if metadata.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    read_at_most(file, cap)
}

/// Reads to the end, or fails once more than `cap` bytes came (the file may grow meanwhile).
fn read_at_most(file: File, cap: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};

    fn problem(path: &Path) -> String {
        read_bounded(path, 1024).unwrap_err().to_string()
    }

    fn fifo(dir: &Path) -> std::path::PathBuf {
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        fifo
    }

    #[test]
    fn devices_fifos_and_links_to_them_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = fifo(dir.path());
        let zero_link = dir.path().join("zero-link");
        symlink("/dev/zero", &zero_link).unwrap();
        let fifo_link = dir.path().join("fifo-link");
        symlink(&fifo, &fifo_link).unwrap();
        let started = Instant::now();
        assert_eq!(problem(&fifo), "it is a FIFO, not a regular file");
        assert_eq!(problem(&fifo_link), "it is a FIFO, not a regular file");
        assert_eq!(
            problem(Path::new("/dev/zero")),
            "it is a character device, not a regular file"
        );
        assert_eq!(
            problem(&zero_link),
            "it is a character device, not a regular file"
        );
        assert_eq!(problem(dir.path()), "it is a directory, not a regular file");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn the_cap_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x".repeat(1024)).unwrap();
        assert_eq!(read_bounded(&file, 1024).unwrap().len(), 1024);
        assert_eq!(
            read_bounded(&file, 1023).unwrap_err().to_string(),
            "it is larger than 1023 bytes"
        );
        assert_eq!(
            read_bounded(&file, 512).unwrap_err().to_string(),
            "it is larger than 512 bytes"
        );
        std::fs::write(&file, "x".repeat(2 * 1024 * 1024 + 1)).unwrap();
        assert_eq!(
            read_bounded(&file, 2 * 1024 * 1024)
                .unwrap_err()
                .to_string(),
            "it is larger than 2 MiB"
        );
    }

    #[test]
    fn a_file_growing_past_the_cap_while_read_is_refused() {
        // What `metadata().len()` cannot see: the bytes that arrive after it was asked.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x".repeat(10)).unwrap();
        let opened = File::open(&file).unwrap();
        std::fs::write(&file, "x".repeat(3000)).unwrap();
        assert!(matches!(
            read_at_most(opened, 2048),
            Err(ReadError::TooLarge { cap: 2048 })
        ));
    }

    #[test]
    fn missing_files_and_other_text() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(read_bounded(&missing, 10).unwrap_err().is_not_found());
        let dangling = dir.path().join("dangling");
        symlink(&missing, &dangling).unwrap();
        assert!(read_bounded(&dangling, 10).unwrap_err().is_not_found());
        let latin1 = dir.path().join("latin1");
        std::fs::write(&latin1, b"caf\xe9").unwrap();
        assert_eq!(problem(&latin1), "it is not UTF-8 text");
        assert_eq!(read_bounded_bytes(&latin1, 10).unwrap(), b"caf\xe9");
    }
}

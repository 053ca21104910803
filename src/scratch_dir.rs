//! A temporary directory holding given files, for the library's unit tests; removed on drop.

use std::ops::Deref;
use std::path::Path;

pub(crate) struct ScratchDir(tempfile::TempDir);

impl ScratchDir {
    /// A new directory holding `files` (name, contents); `label` starts its name.
    pub(crate) fn with_files(label: &str, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("release-guard-{label}-"))
            .tempdir()
            .expect("the temp dir is writable");
        for (name, contents) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("the temp dir is writable");
            }
            std::fs::write(path, contents).expect("the temp dir is writable");
        }
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }
}

// Lets a `&ScratchDir` stand where a `&Path` is expected.
impl Deref for ScratchDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

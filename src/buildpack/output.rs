//! Where the buildpack writes, one writer per stream (and never `bullet_stream`'s global writer,
//! whose stream is implicit):
//!
//! - stdout: everything the buildpack says while it works, detect's one line and the build log
//!   (`bullet_stream`'s printer).
//! - stderr: only the error that ends a failed build (`bullet_stream`'s printer too), so a tool
//!   that reads the streams apart sees the failure on its own. The lifecycle shows both streams
//!   in the same build log.

use super::BUILDPACK_NAME;
use bullet_stream::{Print, state};
use std::io::{Stdout, Write};

/// The build log, once its heading is printed.
pub(crate) type BuildLog = Print<state::Bullet<Stdout>>;

/// Starts the build log on stdout with the buildpack's heading.
pub(crate) fn build_log() -> BuildLog {
    Print::new(std::io::stdout()).h2(BUILDPACK_NAME)
}

/// Detect's one line, on stdout.
pub(crate) fn detect_line(line: &str) {
    // Nothing can be done about a closed stdout, and detect's verdict is its exit code.
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The error that ends a failed build, on stderr, in `bullet_stream`'s `! ` block.
pub(crate) fn build_error(message: &str) {
    Print::new(std::io::stderr())
        .without_header()
        .error(message);
}

//! The buildpack binary (`bin/detect`, `bin/build`). The buildpack itself lives in the library's
//! `buildpack` module; this file only hands control to libcnb.

fn main() {}

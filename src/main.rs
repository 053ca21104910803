//! The buildpack binary (`bin/detect`, `bin/build`). The buildpack itself lives in the library's
//! `buildpack` module; this file only hands control to libcnb.

// Dependencies of the library (and of the `release-guard` binary) that this binary does not
// name directly; `unused_crate_dependencies` checks each target separately.
use bullet_stream as _;
use indoc as _;
use libc as _;
use ring as _;
use rustls as _;
use serde as _;
use serde_json as _;
use signal_hook as _;
use tempfile as _;
use toml as _;
use ureq as _;
use webpki as _;

use release_guard::buildpack::GuardBuildpack;

libcnb::buildpack_main!(GuardBuildpack);

// Dev-dependencies, used by the integration tests only.
#[cfg(test)]
use libcnb_package as _;
#[cfg(test)]
use libcnb_test as _;

//! Integration tests, in one crate so they link once. They run real Django, real gunicorn and
//! the packaged buildpack; see docs/development.md "Tests".

// Dependencies of the library that these tests do not name directly.
use bullet_stream as _;
use indoc as _;
use libc as _;
use libcnb as _;
use libcnb_package as _;
use libcnb_test as _;
use release_guard as _;
use ring as _;
use rustls as _;
use serde as _;
use serde_json as _;
use signal_hook as _;
use tempfile as _;
use toml as _;
use ureq as _;
use webpki as _;

mod support;

mod advice_styles_test;
mod advice_test;
// The fuzz targets, shared with the fuzzer (`examples/fuzz/`).
#[path = "../examples/fuzz/targets.rs"]
mod fuzz_targets;

// The deterministic generator of the library's property tests.
#[path = "../src/test_generator.rs"]
#[allow(dead_code)]
mod test_generator;

mod buildpack_test;
mod classic_test;
mod csp_test;
mod docs_test;
mod fuzz_regressions_test;
mod gate_test;
mod ignores_test;
mod libcnb_integration_test;
mod probe_test;
mod redaction_test;
mod sarif_test;
mod tutorial_release_test;
mod verify_test;
mod web_process_test;
mod wheel_test;

//! Django Release Guard: a Cloud Native Buildpack (the `buildpack` module, driven by `src/main.rs`)
//! and the `release-guard` tool it installs (`src/bin/release-guard.rs`), which gates Heroku
//! releases on Django's deploy checks plus the rules Django misses (`gate`) and checks the live
//! site over HTTP (`verify`).

pub mod app_files;
mod args;
pub mod buildpack;
pub mod cli;
pub mod compare;
pub mod config;
pub mod date;
pub mod exec_d;
pub mod finding;
pub mod finding_ids;
pub mod gate;
pub mod headers;
mod help;
pub mod http_facts;
pub mod read;
pub mod redact;
pub mod report;
#[cfg(test)]
mod scratch_dir;
pub mod settings_resolution;
#[cfg(test)]
mod test_generator;
pub mod verify;
pub mod web_process;

// Test-only dependencies, used by the integration tests.
#[cfg(test)]
use libcnb_package as _;
#[cfg(test)]
use libcnb_test as _;

//! `release-guard`: the release gate and `verify`. Everything lives in the library
//! (`release_guard::cli`); this only hands over the arguments.

// The library's dependencies are not named here (rust-lang/rust#95513).
#![allow(unused_crate_dependencies)]

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    release_guard::cli::main(&args)
}

//! `release-guard`: the release gate and `verify`. Everything lives in the library
//! (`release_guard::gate::cli`); this only hands over the arguments.

// The library's dependencies are not named here (rust-lang/rust#95513).
#![allow(unused_crate_dependencies)]

fn main() -> std::process::ExitCode {
    // The launcher runs exec.d programs without arguments; the file name says which one this is.
    let mut started_with = std::env::args_os();
    if release_guard::exec_d::started_as_exec_d(started_with.next().as_deref(), started_with.len())
    {
        return release_guard::exec_d::main();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    release_guard::gate::cli::main(&args)
}

//! The whole story on one machine, without Docker: package the buildpack, run detect and build
//! on the tutorial app (with heroku/python's venv simulated by a Django 5.2 virtualenv), then
//! start the `release` process twice, as Heroku's release phase would: without `USE_SSL` (the
//! release is blocked) and with `USE_SSL=true` (it passes).
//!
//! Run it with `scripts/demo [FIXTURE]` (default: `fixtures/tutorial`).

// Examples link every dependency of the package; rust-lang/rust#95513.
#![allow(unused_crate_dependencies)]

#[allow(dead_code)]
#[path = "../tests/support/cnb.rs"]
mod cnb;

use libcnb_package::CargoProfile;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Config vars every release of the demo gets, as `heroku config:set` would: a production-like
/// secret (never a real one) and the app's host (pydantic-settings reads lists as JSON), plus
/// the `DYNO` Heroku sets on the release dyno (so the advice reads `heroku config:set ...`).
const CONFIG_VARS: [(&str, &str); 3] = [
    (
        "SECRET_KEY",
        "demo-only-Vb7Qm2Xr9Lk4Tz1Hc8Nw5Pd3Fs6Jy0GaUe4Ri7Ko2Mx9Zq5Wt",
    ),
    ("ALLOWED_HOSTS", "[\"demo.example.com\"]"),
    ("DYNO", "release.1"),
];

fn heading(title: &str) {
    println!("\n==================== {title} ====================\n");
}

fn exit_status(run: &cnb::Run) -> String {
    run.code
        .map_or_else(|| "killed by a signal".to_string(), |code| code.to_string())
}

fn release_outcome(run: &cnb::Run) -> &'static str {
    if run.code == Some(0) {
        "deployed"
    } else {
        "not deployed"
    }
}

fn show(run: &cnb::Run) {
    print!("{}", run.stdout);
    eprint!("{}", run.stderr);
    println!("\n[exit status: {}]", exit_status(run));
}

fn django_venv() -> PathBuf {
    let venvs = std::env::var_os("RELEASE_GUARD_VENVS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venvs"),
        PathBuf::from,
    );
    venvs.join("django52")
}

fn main() -> ExitCode {
    let fixture = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial"),
        PathBuf::from,
    );
    if !fixture.join("manage.py").is_file() {
        eprintln!(
            "demo: {} has no manage.py; pass a Django app directory",
            fixture.display()
        );
        return ExitCode::from(2);
    }
    let venv = django_venv();
    if !venv.join("bin/python").is_file() {
        eprintln!(
            "demo: no Django venv at {}; run scripts/setup-venvs",
            venv.display()
        );
        return ExitCode::from(2);
    }

    heading("Packaging the buildpack (libcnb-package, dev profile)");
    // Its own directory, so a test run packaging at the same time is not disturbed.
    let buildpack = cnb::scratch_dir()
        .join("demo")
        .join(cnb::BUILDPACK_DIR_NAME);
    cnb::package_buildpack(CargoProfile::Dev, &buildpack);
    println!("{}", buildpack.display());

    let mut app = cnb::Lifecycle::new(&buildpack, &fixture);
    // heroku/python runs first in the group: its venv layer puts `python` with Django on PATH.
    app.add_python_venv_layer(&venv);

    heading(&format!("bin/detect on {}", fixture.display()));
    show(&app.detect());

    heading("bin/build");
    let build = app.build();
    show(&build);
    if build.code != Some(0) {
        return ExitCode::FAILURE;
    }

    heading("Release phase, config vars: SECRET_KEY, ALLOWED_HOSTS (USE_SSL unset)");
    let blocked = app.launch("release", &CONFIG_VARS);
    show(&blocked);

    heading("Release phase, config vars: SECRET_KEY, ALLOWED_HOSTS, USE_SSL=true");
    let with_ssl = [CONFIG_VARS.as_slice(), &[("USE_SSL", "true")]].concat();
    let passed = app.launch("release", &with_ssl);
    show(&passed);

    heading("Summary");
    println!(
        "USE_SSL unset: exit status {}, release {}",
        exit_status(&blocked),
        release_outcome(&blocked)
    );
    println!(
        "USE_SSL=true:  exit status {}, release {}",
        exit_status(&passed),
        release_outcome(&passed)
    );
    ExitCode::SUCCESS
}

//! The ways Release Guard reaches apps outside Cloud Native Buildpacks: the pip wheel and the
//! Heroku classic buildpack, each built once per test run by the script a developer runs
//! (`scripts/build-wheel`, `scripts/package-classic`), the fresh Python environments the wheel
//! is installed into, and a Heroku release dyno to run the slug's `release` process in.

use super::cnb::{Run, TempDir, copy_dir};
use super::python::{Venv, fixture};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The environment of a Heroku dyno (heroku-24 stack) before `.profile.d` runs.
const DYNO_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What the Release Guard wheel puts on PATH, and its `--version` line.
pub(crate) const VERSION_LINE: &str = concat!("Django Release Guard ", env!("CARGO_PKG_VERSION"));

pub(crate) fn repo_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command to completion, failing the test with its output when it fails.
pub(crate) fn run_ok(command: &mut Command) -> Run {
    let run = run(command);
    assert_eq!(
        run.code,
        Some(0),
        "{command:?} failed\n{}",
        run.transcript()
    );
    run
}

pub(crate) fn run(command: &mut Command) -> Run {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{command:?} could not be started: {error}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Fails the test unless `run` exited with `code` and printed each of `texts` on stdout.
pub(crate) fn assert_run(run: &Run, code: i32, texts: &[&str], who: &str) {
    assert_eq!(run.code, Some(code), "{who}: {}", run.transcript());
    for text in texts {
        assert!(
            run.stdout.contains(text),
            "{who}: missing {text:?}\n{}",
            run.transcript()
        );
    }
}

/// `packaged/classic/`, made by `scripts/package-classic` (which builds the wheel first) once
/// per test run.
pub(crate) fn classic_buildpack() -> &'static Path {
    static PACKAGED: OnceLock<PathBuf> = OnceLock::new();
    PACKAGED.get_or_init(|| {
        run_ok(&mut Command::new(
            repo_dir().join("scripts/package-classic"),
        ));
        repo_dir().join("packaged/classic")
    })
}

/// The venv with maturin, jsonschema, the SARIF schema and `PyYAML` (`scripts/setup-packaging`).
pub(crate) fn packaging_python() -> PathBuf {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        run_ok(&mut Command::new(
            repo_dir().join("scripts/setup-packaging"),
        ));
    });
    repo_dir().join("target/packaging/bin/python")
}

/// Validates SARIF files against the SARIF 2.1.0 JSON schema.
pub(crate) fn validate_sarif(files: &[&Path]) -> Run {
    run(Command::new(packaging_python())
        .arg(repo_dir().join("tests/python/validate_sarif.py"))
        .args(files))
}

/// The wheel `scripts/build-wheel` builds for this machine (through `classic_buildpack`, so
/// that one build makes both).
pub(crate) fn wheel() -> &'static Path {
    static WHEEL: OnceLock<PathBuf> = OnceLock::new();
    WHEEL.get_or_init(|| {
        classic_buildpack();
        let prefix = format!("django_release_guard-{}-", env!("CARGO_PKG_VERSION"));
        let suffix = format!("_{}.whl", std::env::consts::ARCH);
        let mut wheels: Vec<PathBuf> = fs::read_dir(repo_dir().join("target/wheels"))
            .expect("scripts/build-wheel writes target/wheels")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned());
                name.is_some_and(|name| name.starts_with(&prefix) && name.ends_with(&suffix))
            })
            .collect();
        // The newest, should an older build with another platform tag lie beside it.
        wheels.sort_by_key(|path| fs::metadata(path).and_then(|meta| meta.modified()).ok());
        wheels
            .pop()
            .unwrap_or_else(|| panic!("no {prefix}*{suffix} in target/wheels"))
    })
}

/// A new, empty venv made by `base`'s interpreter (a venv's Python makes a venv of its base).
pub(crate) fn fresh_venv(base: &Venv, label: &str) -> (TempDir, PathBuf) {
    let root = TempDir::new(label);
    let dir = root.path().join("venv");
    run_ok(Command::new(base.python()).args(["-m", "venv"]).arg(&dir));
    (root, dir)
}

pub(crate) fn pip_install(venv_dir: &Path, args: &[&str]) -> Run {
    run_ok(
        Command::new(venv_dir.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(args),
    )
}

/// A fresh venv with the wheel installed by pip, that sees `django`'s packages (Django,
/// pydantic-settings, gunicorn) through a `.pth` file: each Django version without downloading
/// it again.
pub(crate) fn fresh_venv_with_wheel_over(django: &Venv) -> (TempDir, PathBuf) {
    let (root, dir) = fresh_venv(django, &format!("wheel-{}", django.name));
    let site_packages = |venv: &Path| {
        fs::read_dir(venv.join("lib"))
            .expect("a venv has lib/")
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("site-packages"))
            .find(|path| path.is_dir())
            .expect("a venv has lib/pythonX.Y/site-packages")
    };
    fs::write(
        site_packages(&dir).join("django-venv.pth"),
        format!("{}\n", site_packages(&django.dir).display()),
    )
    .expect("site-packages is writable");
    pip_install(
        &dir,
        &["--no-index", "--no-deps", &wheel().to_string_lossy()],
    );
    (root, dir)
}

/// A copy of the tutorial app, as the slug's `/app`.
pub(crate) fn tutorial_app(label: &str) -> (TempDir, PathBuf) {
    let root = TempDir::new(label);
    let app = root.path().join("app");
    copy_dir(&fixture("tutorial"), &app).expect("the tutorial fixture can be copied");
    (root, app)
}

/// Stands in for heroku-buildpack-python's `.profile.d` script, which puts the slug's Python
/// first on PATH.
pub(crate) fn add_python_profile(app: &Path, venv_dir: &Path) {
    fs::create_dir_all(app.join(".profile.d")).expect("the app is writable");
    fs::write(
        app.join(".profile.d/python.sh"),
        format!("export PATH=\"{}/bin:$PATH\"\n", venv_dir.display()),
    )
    .expect("the app is writable");
}

/// The `release:` command of `app`'s Procfile, as Heroku reads it.
pub(crate) fn procfile_release_command(app: &Path) -> Option<String> {
    fs::read_to_string(app.join("Procfile"))
        .expect("the app has a Procfile")
        .lines()
        .filter_map(|line| line.strip_prefix("release:"))
        .map(|command| command.trim_start().to_string())
        .next_back()
}

/// Runs `command` as a Heroku release dyno does: a clean environment with the app's config vars
/// and `DYNO`, HOME and the working directory at the app, every `.profile.d/*.sh` sourced, then
/// the command run by bash.
pub(crate) fn release_dyno(app: &Path, config_vars: &[(&str, &str)], command: &str) -> Run {
    run(Command::new("bash")
        .args([
            "-c",
            r#"for script in .profile.d/*.sh; do [ -r "$script" ] && . "$script"; done; exec bash -c "$1""#,
            "release-dyno",
            command,
        ])
        .env_clear()
        .env("PATH", DYNO_PATH)
        .env("HOME", app)
        .env("LANG", "C.UTF-8")
        .env("DYNO", "release.1")
        .envs(config_vars.iter().copied())
        .current_dir(app))
}

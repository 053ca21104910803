//! The pip wheel and the platform recipes (docs/platforms.md) for platforms that install Python packages with pip:
//! the wheel is built by `scripts/build-wheel`, installed into fresh venvs, and the recipes'
//! commands are run the way each platform runs them (Heroku classic's release phase, Render's
//! pre-deploy command, Fly.io's `release_command`, Railway's pre-deploy command, Dokku's Procfile
//! `release:`, and the GitHub Actions steps run as a script).

use crate::support::cnb::{Run, TempDir};
use crate::support::packaging::{
    VERSION_LINE, add_python_profile, assert_run, classic_buildpack, fresh_venv,
    fresh_venv_with_wheel_over, packaging_python, pip_install, procfile_release_command,
    release_dyno, repo_dir, run, run_ok, tutorial_app, wheel,
};
use crate::support::python::{TUTORIAL_CONFIG_VARS, default_venv, venvs};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Procfile docs/platforms.md tells Heroku classic (and Dokku) users to write.
const RECIPE_PROCFILE_RELEASE: &str =
    "release: release-guard release -- python manage.py migrate --noinput";

/// docs/platforms.md, where the recipes are.
fn recipes() -> String {
    fs::read_to_string(repo_dir().join("docs/platforms.md")).expect("docs/platforms.md is readable")
}

fn with_ssl() -> Vec<(&'static str, &'static str)> {
    [TUTORIAL_CONFIG_VARS.as_slice(), &[("USE_SSL", "true")]].concat()
}

/// The tutorial's way on Heroku classic: a fresh venv with `pip install -r requirements.txt`
/// plus the wheel (as it would come from `PyPI`), made once per test run.
fn tutorial_requirements_venv() -> &'static Path {
    static VENV: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, dir) = VENV.get_or_init(|| {
        let (root, dir) = fresh_venv(&default_venv(), "tutorial-requirements");
        let requirements = crate::support::python::fixture("tutorial/requirements.txt");
        pip_install(
            &dir,
            &[
                "-r",
                &requirements.to_string_lossy(),
                &wheel().to_string_lossy(),
            ],
        );
        (root, dir)
    });
    dir
}

#[test]
fn versions_agree_in_cargo_toml_buildpack_toml_and_the_wheel() {
    let buildpack: toml::Table = fs::read_to_string(repo_dir().join("buildpack.toml"))
        .expect("buildpack.toml is readable")
        .parse()
        .expect("buildpack.toml is TOML");
    assert_eq!(
        buildpack["buildpack"]["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "buildpack.toml's version must be Cargo.toml's"
    );
    let pyproject: toml::Table = fs::read_to_string(repo_dir().join("pyproject.toml"))
        .expect("pyproject.toml is readable")
        .parse()
        .expect("pyproject.toml is TOML");
    assert_eq!(
        pyproject["project"]["dynamic"]
            .as_array()
            .map(Vec::as_slice),
        Some([toml::Value::from("version")].as_slice()),
        "the wheel takes its version from Cargo.toml"
    );
    assert!(
        wheel()
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with(&format!(
                "django_release_guard-{}-py3-none-manylinux2014_",
                env!("CARGO_PKG_VERSION")
            ))),
        "{}",
        wheel().display()
    );
}

#[test]
fn the_wheel_installs_release_guard_only_without_compiling() {
    let (_root, venv) = fresh_venv(&default_venv(), "wheel-only");
    pip_install(
        &venv,
        &[
            "--no-index",
            "--only-binary",
            ":all:",
            &wheel().to_string_lossy(),
        ],
    );
    let version = run_ok(Command::new(venv.join("bin/release-guard")).arg("--version"));
    assert_eq!(version.stdout, format!("{VERSION_LINE}\n"));
    assert!(
        !venv.join("bin/django-release-guard").exists(),
        "the buildpack's binary must not be installed"
    );
    // One static binary everywhere: the wheel's is the classic buildpack's, byte for byte.
    assert!(
        fs::read(venv.join("bin/release-guard")).ok()
            == fs::read(classic_buildpack().join("vendor/release-guard")).ok(),
        "the wheel and the classic buildpack must ship the same release-guard"
    );
    let shown = run_ok(Command::new(venv.join("bin/python")).args([
        "-m",
        "pip",
        "show",
        "django-release-guard",
    ]));
    assert!(
        shown
            .stdout
            .contains(&format!("\nVersion: {}\n", env!("CARGO_PKG_VERSION"))),
        "{}",
        shown.transcript()
    );
}

/// The tutorial app with the recipe's Procfile, run through a Heroku release dyno whose
/// Python (heroku-buildpack-python's `.profile.d`) is `venv`.
fn tutorial_with_recipe_procfile(venv: &Path) -> (TempDir, PathBuf) {
    let (root, app) = tutorial_app("pip-recipe");
    fs::write(
        app.join("Procfile"),
        format!("web: gunicorn mysite.wsgi\n{RECIPE_PROCFILE_RELEASE}\n"),
    )
    .expect("the app is writable");
    add_python_profile(&app, venv);
    (root, app)
}

fn assert_blocked_then_migrates(
    app: &Path,
    run_release: impl Fn(&[(&str, &str)]) -> Run,
    who: &str,
) {
    let blocked = run_release(&TUTORIAL_CONFIG_VARS);
    assert_run(&blocked, 1, &["\nRelease blocked: 4 problems\n"], who);
    assert!(
        !app.join("db.sqlite3").exists(),
        "{who}: migrate ran although blocked"
    );
    let passed = run_release(&with_ssl());
    assert_run(
        &passed,
        0,
        &[
            "\nRunning the release command: python manage.py migrate --noinput\n",
            "Applying sessions.0001_initial... OK",
        ],
        who,
    );
    assert!(app.join("db.sqlite3").exists(), "{who}: no database");
}

#[test]
fn heroku_classic_the_tutorials_way_with_requirements_txt_and_the_procfile() {
    assert!(
        recipes().contains(&format!("\n{RECIPE_PROCFILE_RELEASE}\n")),
        "the Heroku classic recipe must show the Procfile line under test"
    );
    let venv = tutorial_requirements_venv();
    let (_root, app) = tutorial_with_recipe_procfile(venv);
    let command = procfile_release_command(&app).expect("the recipe has a release: line");
    assert_blocked_then_migrates(
        &app,
        |config_vars| release_dyno(&app, config_vars, &command),
        "requirements.txt",
    );
}

#[test]
fn heroku_classic_the_tutorials_way_under_every_django() {
    for django in venvs() {
        let (_venv_root, venv) = fresh_venv_with_wheel_over(&django);
        let (_root, app) = tutorial_with_recipe_procfile(&venv);
        let command = procfile_release_command(&app).expect("the recipe has a release: line");
        assert_blocked_then_migrates(
            &app,
            |config_vars| release_dyno(&app, config_vars, &command),
            django.name,
        );
    }
}

/// The command a recipe gives after `marker` on one line, up to `end`.
fn recipe_command(recipes: &str, marker: &str, end: &str) -> String {
    let mut commands = recipes.lines().filter_map(|line| {
        let rest = &line[line.find(marker)? + marker.len()..];
        Some(rest[..rest.rfind(end).unwrap_or(rest.len())].to_string())
    });
    let command = commands
        .next()
        .unwrap_or_else(|| panic!("docs/platforms.md has no recipe line with {marker:?}"));
    assert!(
        commands.next().is_none(),
        "docs/platforms.md has two lines with {marker:?}"
    );
    command
}

#[test]
fn render_fly_railway_and_dokku_recipes_gate_the_migrations() {
    let recipes = recipes();
    // (platform, the recipe's command, whether the platform runs it through a shell)
    let recipes = [
        (
            "Render",
            recipe_command(&recipes, "preDeployCommand: ", "\u{0}"),
            true,
        ),
        (
            "Fly.io",
            recipe_command(&recipes, "release_command = \"", "\""),
            false,
        ),
        (
            "Railway",
            recipe_command(&recipes, "\"preDeployCommand\": [\"", "\"]"),
            true,
        ),
        (
            "Dokku",
            RECIPE_PROCFILE_RELEASE["release: ".len()..].to_string(),
            true,
        ),
    ];
    let venv = tutorial_requirements_venv();
    for (platform, command, through_a_shell) in recipes {
        assert_eq!(
            command, "release-guard release -- python manage.py migrate --noinput",
            "{platform}"
        );
        let (_root, app) = tutorial_app(&format!("recipe-{platform}"));
        let path = format!("{}/bin:/usr/bin:/bin", venv.display());
        let run_release = |config_vars: &[(&str, &str)]| {
            let mut process = if through_a_shell {
                let mut shell = Command::new("sh");
                shell.args(["-c", &command]);
                shell
            } else {
                // Fly.io runs release_command as the machine's command, split into words.
                let words: Vec<&str> = command.split_whitespace().collect();
                let mut direct = Command::new(venv.join("bin").join(words[0]));
                direct.args(&words[1..]);
                direct
            };
            run(process
                .env_clear()
                .env("PATH", &path)
                .env("HOME", &app)
                .envs(config_vars.iter().copied())
                .current_dir(&app))
        };
        assert_blocked_then_migrates(&app, run_release, platform);
    }
}

#[test]
fn github_actions_recipe_checks_production_settings_and_writes_valid_sarif() {
    let venv = tutorial_requirements_venv();
    let wheels_dir = wheel().parent().expect("the wheel is in a directory");
    let run_workflow = |unset: &[&str]| {
        let (root, checkout) = tutorial_app("github-actions");
        let mut command = Command::new(packaging_python());
        command
            .arg(repo_dir().join("tests/python/run_workflow_recipe.py"))
            .arg(repo_dir().join("docs/platforms.md"))
            .arg(&checkout);
        for name in unset {
            command.args(["--unset", name]);
        }
        // setup-python's Python first on PATH; the wheel stands in for PyPI's.
        let outcome = run(command
            .env_clear()
            .env("PATH", format!("{}/bin:/usr/bin:/bin", venv.display()))
            .env("HOME", root.path())
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", wheels_dir)
            .env("PYTHONPATH", repo_dir().join("tests/python")));
        let sarif = fs::read_to_string(checkout.join("release-guard.sarif")).ok();
        (outcome, sarif, root)
    };

    let (passing, sarif, _root) = run_workflow(&[]);
    assert_run(
        &passing,
        0,
        // Warnings and the info line about Django's database checks, which the probe never runs.
        &["release-guard.sarif: valid SARIF 2.1.0 (3 results)"],
        "passing",
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&sarif.expect("the recipe writes release-guard.sarif"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["properties"]["verdict"], "pass");

    // Without USE_SSL the check step fails the job, and the SARIF is still uploaded.
    let (blocked, sarif, _root) = run_workflow(&["USE_SSL"]);
    assert_run(
        &blocked,
        1,
        &[
            "failed with exit code 1: Check the production settings",
            "release-guard.sarif: valid SARIF 2.1.0 (5 results)",
        ],
        "blocked",
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&sarif.expect("written although blocked")).expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["properties"]["verdict"], "block");
}

//! The story end to end, the way a Django team meets it on Heroku: the tutorial app (settings
//! from a pydantic-settings class, HTTPS switched on by the `USE_SSL` config var) is built by the
//! packaged buildpack after heroku/python, and its `release` process is launched with the app's
//! config vars under every supported Django. Without `USE_SSL` the release is blocked and the
//! Procfile's migrations never run; with it the release passes and the real `migrate` runs.

use crate::support::cnb::{Lifecycle, Run, packaged_buildpack};
use crate::support::python::{
    TUTORIAL_CONFIG_VARS, TUTORIAL_WITHOUT_SSL_IDS, Venv, default_venv, fixture, venvs,
};

/// Builds the tutorial with `venv` standing in for heroku/python's venv layer.
fn built_tutorial(venv: &Venv) -> Lifecycle {
    let mut app = Lifecycle::new(packaged_buildpack(), &fixture("tutorial"));
    app.add_python_venv_layer(&venv.dir);
    let build = app.build();
    assert_eq!(build.code, Some(0), "{}: {}", venv.name, build.transcript());
    app
}

/// The IDs listed under `BLOCKING (n)` in a release log.
fn blocking_ids(log: &str) -> Vec<&str> {
    log.lines()
        .skip_while(|line| !line.starts_with("BLOCKING ("))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.strip_prefix("- "))
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

fn assert_prints_line(venv: &Venv, release: &Run, line: &str) {
    assert!(
        release.stdout.lines().any(|printed| printed == line),
        "{}: missing {line:?}\n{}",
        venv.name,
        release.transcript()
    );
}

fn assert_config_vars_never_printed(venv: &Venv, release: &Run) {
    for (name, value) in TUTORIAL_CONFIG_VARS {
        assert!(
            !release.stdout.contains(value) && !release.stderr.contains(value),
            "{}: the {name} config var was printed\n{}",
            venv.name,
            release.transcript()
        );
    }
}

#[test]
fn tutorial_release_is_blocked_without_ssl_and_deploys_with_it() {
    for venv in venvs() {
        let app = built_tutorial(&venv);
        let database = app.app_dir().join("db.sqlite3");

        // As on a Heroku release dyno: the app's config vars plus DYNO.
        let config_vars = [TUTORIAL_CONFIG_VARS.as_slice(), &[("DYNO", "release.1234")]].concat();
        let blocked = app.launch("release", &config_vars);
        assert_eq!(
            blocked.code,
            Some(1),
            "{}: {}",
            venv.name,
            blocked.transcript()
        );
        assert_eq!(
            blocking_ids(&blocked.stdout),
            TUTORIAL_WITHOUT_SSL_IDS,
            "{}: {}",
            venv.name,
            blocked.transcript()
        );
        for line in [
            "The release command was not run: bash -c 'python manage.py migrate --noinput'",
            "Release blocked: 4 problems",
            "  Fix: heroku config:set USE_SSL=true",
            "Fix: heroku config:set USE_SSL=true",
            "Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn",
        ] {
            assert_prints_line(&venv, &blocked, line);
        }
        assert!(
            !database.exists(),
            "{}: migrate ran although the release was blocked",
            venv.name
        );
        assert_config_vars_never_printed(&venv, &blocked);

        let with_ssl = [config_vars.as_slice(), &[("USE_SSL", "true")]].concat();
        let passed = app.launch("release", &with_ssl);
        assert_eq!(
            passed.code,
            Some(0),
            "{}: {}",
            venv.name,
            passed.transcript()
        );
        // The verdict, then the chained command, then that command's own output.
        let position = |line: &str| passed.stdout.find(line);
        let order = [
            "Release passed with 2 warnings\n",
            "Running the release command: bash -c 'python manage.py migrate --noinput'\n",
            "Operations to perform:",
        ]
        .map(position);
        assert!(
            order.iter().all(Option::is_some) && order.is_sorted(),
            "{}: {order:?}\n{}",
            venv.name,
            passed.transcript()
        );
        assert!(
            passed
                .stdout
                .contains("Applying sessions.0001_initial... OK"),
            "{}: the Procfile release command did not run\n{}",
            venv.name,
            passed.transcript()
        );
        assert!(database.exists(), "{}: migrate left no database", venv.name);
        assert_config_vars_never_printed(&venv, &passed);
    }
}

#[test]
fn tutorial_release_without_secret_key_cannot_be_evaluated() {
    // A config var the settings need is missing: the guard fails closed (exit 2) and says why.
    let venv = default_venv();
    let app = built_tutorial(&venv);
    let release = app.launch("release", &[("USE_SSL", "true")]);
    assert_eq!(release.code, Some(2), "{}", release.transcript());
    assert!(
        release.stdout.contains("SECRET_KEY"),
        "the log must name the missing config var\n{}",
        release.transcript()
    );
    assert!(!app.app_dir().join("db.sqlite3").exists());
}

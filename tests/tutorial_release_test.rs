//! The story end to end, the way a Django team meets it on Heroku: the tutorial app (settings
//! from a pydantic-settings class, HTTPS switched on by the `USE_SSL` config var) is built by the
//! packaged buildpack after heroku/python, and its `release` process is launched with the app's
//! config vars under every supported Django. Without `USE_SSL` the release is blocked and the
//! Procfile's migrations never run; with it the release passes and the real `migrate` runs.
//! The same holds whichever buildpack defines `release` (heroku/procfile, heroku/release-phase)
//! and wherever the guard stands in the group: the gate runs once, before it.

use crate::support::cnb::{LAUNCHER_EXIT_CODE, Lifecycle, Order, Run, StandIn, packaged_buildpack};
use crate::support::python::{
    TUTORIAL_CONFIG_VARS, TUTORIAL_WITHOUT_SSL_IDS, Venv, default_venv, fixture, venvs,
};

/// Builds the tutorial with `venv` standing in for heroku/python's venv layer.
fn built_tutorial(venv: &Venv) -> Lifecycle {
    built_tutorial_in_group(venv, None)
}

/// Builds the tutorial with a stand-in buildpack before or after the guard: detect (which
/// resolves the group's build plan), then build.
fn built_tutorial_in_group(venv: &Venv, stand_in: Option<(StandIn, Order)>) -> Lifecycle {
    let mut app = Lifecycle::new(packaged_buildpack(), &fixture("tutorial"));
    app.add_python_venv_layer(&venv.dir);
    if let Some((stand_in, order)) = stand_in {
        app.add_stand_in(stand_in, order);
        // heroku/release-phase does not read the Procfile: its commands come from the build plan
        // and from project.toml. The preview is another Django start-up these tests do not need.
        app.write_app_file(
            "project.toml",
            indoc::indoc! {r#"
                [[com.heroku.phase.release]]
                command = "python"
                args = ["manage.py", "migrate", "--noinput"]

                [com.release-guard]
                preview = false
            "#},
        );
    }
    let detect = app.detect();
    assert_eq!(
        detect.code,
        Some(0),
        "{}: {}",
        venv.name,
        detect.transcript()
    );
    let build = app.build();
    assert_eq!(build.code, Some(0), "{}: {}", venv.name, build.transcript());
    app
}

/// How many times the gate ran: each run prints its header once.
fn gate_runs(release: &Run) -> usize {
    release
        .stdout
        .lines()
        .filter(|line| line.starts_with("Django Release Guard 0.1.0 | "))
        .count()
}

/// The line the exec.d program adds when it stops the launch.
fn not_started(guard_exit: &str) -> String {
    format!(
        "The release process was not started: the guard exited with {guard_exit}, which the \
         launcher reports as exit status 82."
    )
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
            Some(LAUNCHER_EXIT_CODE),
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
            &not_started("1 (blocked)"),
            "Release blocked: 4 problems",
            "  Fix: heroku config:set USE_SSL=true",
            "Fix: heroku config:set USE_SSL=true",
            "Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn",
        ] {
            assert_prints_line(&venv, &blocked, line);
        }
        assert_eq!(
            gate_runs(&blocked),
            1,
            "{}: {}",
            venv.name,
            blocked.transcript()
        );
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
        // exec.d ran the gate; the guard's `release` process saw its mark and did not.
        assert_eq!(
            gate_runs(&passed),
            1,
            "{}: {}",
            venv.name,
            passed.transcript()
        );
        assert_config_vars_never_printed(&venv, &passed);
    }
}

/// The orders a Django app's group can have: a buildpack that defines `release` before or
/// after the guard.
const ORDERS: [(StandIn, Order); 4] = [
    (StandIn::Procfile, Order::BeforeGuard),
    (StandIn::Procfile, Order::AfterGuard),
    (StandIn::ReleasePhase, Order::BeforeGuard),
    (StandIn::ReleasePhase, Order::AfterGuard),
];

#[test]
fn every_buildpack_order_gates_the_release_once() {
    for venv in venvs() {
        for (stand_in, order) in ORDERS {
            let case = format!("{} with {stand_in:?} {order:?}", venv.name);
            let app = built_tutorial_in_group(&venv, Some((stand_in, order)));
            let database = app.app_dir().join("db.sqlite3");

            let blocked = app.launch("release", &TUTORIAL_CONFIG_VARS);
            assert_eq!(
                blocked.code,
                Some(LAUNCHER_EXIT_CODE),
                "{case}: {}",
                blocked.transcript()
            );
            assert_eq!(
                blocking_ids(&blocked.stdout),
                TUTORIAL_WITHOUT_SSL_IDS,
                "{case}: {}",
                blocked.transcript()
            );
            assert_prints_line(&venv, &blocked, &not_started("1 (blocked)"));
            assert_eq!(gate_runs(&blocked), 1, "{case}: {}", blocked.transcript());
            assert!(
                !blocked.stdout.contains("Operations to perform:") && !database.exists(),
                "{case}: migrate ran although the release was blocked\n{}",
                blocked.transcript()
            );

            let with_ssl = [TUTORIAL_CONFIG_VARS.as_slice(), &[("USE_SSL", "true")]].concat();
            let passed = app.launch("release", &with_ssl);
            assert_eq!(passed.code, Some(0), "{case}: {}", passed.transcript());
            assert_prints_line(&venv, &passed, "Release passed with 2 warnings");
            assert_eq!(gate_runs(&passed), 1, "{case}: {}", passed.transcript());
            assert_eq!(
                passed.stdout.matches("Operations to perform:").count(),
                1,
                "{case}: migrate must run once\n{}",
                passed.transcript()
            );
            assert!(
                passed
                    .stdout
                    .contains("Applying sessions.0001_initial... OK")
                    && database.exists(),
                "{case}: {}",
                passed.transcript()
            );
            assert_config_vars_never_printed(&venv, &passed);
        }
    }
}

#[test]
fn web_launches_never_run_the_gate() {
    let venv = default_venv();
    for order in [Order::BeforeGuard, Order::AfterGuard] {
        let mut app = Lifecycle::new(packaged_buildpack(), &fixture("tutorial"));
        app.add_python_venv_layer(&venv.dir);
        app.add_stand_in(StandIn::Procfile, order);
        // The insecure tutorial, whose release would be blocked; a web command that ends.
        app.write_app_file(
            "Procfile",
            "web: echo \"web started, ${RELEASE_GUARD_CHECKED:-no mark}\"\n\
             release: python manage.py migrate --noinput\n",
        );
        app.write_app_file("project.toml", "[com.release-guard]\npreview = false\n");
        assert_eq!(app.detect().code, Some(0));
        let build = app.build();
        assert_eq!(build.code, Some(0), "{}", build.transcript());

        let web = app.launch("web", &TUTORIAL_CONFIG_VARS);
        assert_eq!(web.code, Some(0), "{order:?}: {}", web.transcript());
        assert_eq!(web.stdout, "web started, no mark\n", "{order:?}");
        assert_eq!(web.stderr, "", "{order:?}");
    }
}

#[test]
fn a_config_var_cannot_mark_the_release_as_checked() {
    // Run as the guard's `release` process would be without the launcher's exec.d (e.g. from a
    // one-off dyno): a mark set as a config var, even with the right pid, is not trusted.
    let venv = default_venv();
    let app = built_tutorial(&venv);
    let binary = app.layers_dir().join("release-guard/bin/release-guard");
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let output = std::process::Command::new("bash")
        .args([
            "-c",
            r#"RELEASE_GUARD_CHECKED="$$:1:$BOOT_ID" exec "$GUARD" release -- bash -c 'echo migrated'"#,
        ])
        .env("GUARD", &binary)
        .env("BOOT_ID", boot_id.trim())
        .env("RELEASE_GUARD_CONFIG", app.layers_dir().join("release-guard/release-guard.toml"))
        .env("PATH", format!("{}:/usr/bin:/bin", venv.bin_dir().display()))
        .envs(TUTORIAL_CONFIG_VARS)
        .current_dir(app.app_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Release blocked: 4 problems"), "{stdout}");
    assert!(!stdout.lines().any(|line| line == "migrated"), "{stdout}");
}

#[test]
fn tutorial_release_without_secret_key_cannot_be_evaluated() {
    // A config var the settings need is missing: the guard fails closed (exit 2) and says why.
    let venv = default_venv();
    let app = built_tutorial(&venv);
    let release = app.launch("release", &[("USE_SSL", "true")]);
    assert_eq!(
        release.code,
        Some(LAUNCHER_EXIT_CODE),
        "{}",
        release.transcript()
    );
    // The launcher's 82 hides the guard's exit status; the log keeps it.
    assert!(
        release
            .stdout
            .lines()
            .any(|line| line == not_started("2 (could not evaluate)")),
        "{}",
        release.transcript()
    );
    assert!(
        release.stdout.contains("SECRET_KEY"),
        "the log must name the missing config var\n{}",
        release.transcript()
    );
    assert!(!app.app_dir().join("db.sqlite3").exists());
}

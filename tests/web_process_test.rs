//! The guard judges what the web process serves: the settings module its WSGI module defaults to
//! (not manage.py's), its module loaded with the environment a web process has (PORT, DYNO), and
//! a release that blocks when that module still cannot load unless the settings alone enforce
//! HTTPS. `fixtures/web-process` is laid out as cookiecutter-django lays out a project.

#![allow(clippy::unwrap_used)]

use crate::gate_test::{
    blocking_ids, fixture_copy, guard, ids, json_report, message_of, set, stdout,
};
use crate::support::python::{default_venv, fixture, venvs};

const APP: &str = "web-process";
/// The production settings' config vars (`DJANGO_SECRET_KEY` is read with `os.environ[...]`).
const PRODUCTION: [(&str, &str); 3] = [
    (
        "DJANGO_SECRET_KEY",
        "web-process-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    ),
    ("DJANGO_ALLOWED_HOSTS", "web-process.herokuapp.com"),
    ("DYNO", "release.1"),
];
const DISAGREEMENT: &str = "Settings: the web process (gunicorn config.wsgi:application) loads config.settings.production (from config/wsgi.py), but manage.py commands load config.settings.local (from the default in manage.py). The guard judges config.settings.production, what the web process serves.";

/// config/wsgi.py reading a variable at import, as an APM or metrics agent's setup does.
fn wsgi_reading(variable: &str) -> String {
    format!(
        "import os\n\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.production\")\n\n# The port the web process listens on, for the metrics agent.\nMETRICS_PORT = int(os.environ[\"{variable}\"])\n\napplication = get_wsgi_application()\n"
    )
}

#[test]
fn a_cookiecutter_shaped_app_is_judged_by_the_settings_its_web_process_loads() {
    // manage.py defaults to config.settings.local (DEBUG on, an insecure key), config/wsgi.py
    // to config.settings.production (hardened): the web process serves production.
    for venv in venvs() {
        let report = json_report(&venv, &fixture(APP), &PRODUCTION, 0);
        assert_eq!(
            report["settings_module"], "config.settings.production",
            "{}",
            venv.name
        );
        assert_eq!(
            report["notes"],
            serde_json::json!([DISAGREEMENT]),
            "{}",
            venv.name
        );
        assert_eq!(blocking_ids(&report), set(&[]), "{}", venv.name);
    }
    let output = guard(&default_venv(), &fixture(APP), &[], &PRODUCTION);
    assert_eq!(output.status.code(), Some(0));
    let log = stdout(&output);
    assert!(
        log.starts_with("Django Release Guard 0.1.0 | Django 5.2.")
            && log.contains(" | settings config.settings.production\n")
            && log.ends_with(&format!("\n{DISAGREEMENT}\nRelease passed\n")),
        "{log}"
    );
    // DJANGO_SETTINGS_MODULE decides for every process: nothing to tell.
    let vars = [
        PRODUCTION.as_slice(),
        &[("DJANGO_SETTINGS_MODULE", "config.settings.local")],
    ]
    .concat();
    let report = json_report(&default_venv(), &fixture(APP), &vars, 1);
    assert_eq!(report["settings_module"], "config.settings.local");
    assert_eq!(report["notes"], serde_json::json!([]));
}

#[test]
fn a_web_command_setting_the_module_beats_the_config_var() {
    let venv = default_venv();
    let app = fixture_copy(
        APP,
        &venv,
        &[(
            "Procfile",
            "web: gunicorn --env DJANGO_SETTINGS_MODULE=config.settings.local config.wsgi:application\n",
        )],
    );
    let vars = [
        PRODUCTION.as_slice(),
        &[("DJANGO_SETTINGS_MODULE", "config.settings.production")],
    ]
    .concat();
    let report = json_report(&venv, &app, &vars, 1);
    assert_eq!(report["settings_module"], "config.settings.local");
    assert!(blocking_ids(&report).contains("security.W018"), "{report}");
    assert_eq!(
        report["notes"],
        serde_json::json!([
            "Settings: the web process (gunicorn config.wsgi:application) loads config.settings.local (from the Procfile's web: command `gunicorn --env DJANGO_SETTINGS_MODULE=config.settings.local config.wsgi:application`), but manage.py commands load config.settings.production (from DJANGO_SETTINGS_MODULE). The guard judges config.settings.local, what the web process serves."
        ])
    );
}

#[test]
fn an_unknown_web_server_falls_back_to_manage_py_and_says_so() {
    let venv = default_venv();
    let app = fixture_copy(
        APP,
        &venv,
        &[("Procfile", "web: bin/start-nginx gunicorn config.wsgi\n")],
    );
    let report = json_report(&venv, &app, &PRODUCTION, 1);
    assert_eq!(report["settings_module"], "config.settings.local");
    assert_eq!(
        report["notes"],
        serde_json::json!([
            "Settings: the Procfile's web: command `bin/start-nginx gunicorn config.wsgi` cannot be read for certain: it starts `bin/start-nginx`, which the guard cannot see into, so the guard falls back to manage.py's default, which may not be what the web process loads."
        ])
    );
}

#[test]
fn a_wsgi_module_reading_port_loads_as_the_web_process_and_its_answer_is_judged() {
    // The platform sets PORT for web processes only. Loaded without it (as before), the
    // simulation was skipped and this app, answering plain HTTP with a maintenance page
    // instead of redirecting, passed.
    let vars = [
        PRODUCTION.as_slice(),
        &[
            ("DJANGO_SETTINGS_MODULE", "config.settings.production"),
            ("DJANGO_MAINTENANCE", "true"),
        ],
    ]
    .concat();
    for venv in venvs() {
        let app = fixture_copy(APP, &venv, &[("config/wsgi.py", &wsgi_reading("PORT"))]);
        let report = json_report(&venv, &app, &vars, 1);
        assert_eq!(
            blocking_ids(&report),
            set(&[
                "guard.simulation_not_redirected",
                "guard.simulation_hsts_missing"
            ]),
            "{}",
            venv.name
        );
        assert!(
            message_of(&report, "guard.simulation_not_redirected").contains(
                "got 503 from config.middleware.MaintenanceMiddleware instead of a redirect"
            ),
            "{}",
            venv.name
        );
    }
}

#[test]
fn a_simulation_that_cannot_run_blocks_unless_the_settings_alone_enforce_https() {
    let venv = default_venv();
    let vars = [
        PRODUCTION.as_slice(),
        &[("DJANGO_SETTINGS_MODULE", "config.settings.production")],
    ]
    .concat();
    let wsgi = wsgi_reading("METRICS_AGENT_PORT");
    let hardened = fixture_copy(APP, &venv, &[("config/wsgi.py", &wsgi)]);
    let report = json_report(&venv, &hardened, &vars, 0);
    assert_eq!(
        message_of(&report, "guard.simulation_skipped"),
        "The simulated HTTP and HTTPS requests did not run: the web process's module config.wsgi:application could not be loaded as a web process loads it (with DYNO, PORT set): KeyError: 'METRICS_AGENT_PORT'. The settings alone enforce HTTPS, so this does not block."
    );
    assert!(ids(&report, "findings").contains("guard.simulation_skipped"));

    // Django's checks are silent about an exemption, but it is no longer proof.
    let production =
        std::fs::read_to_string(fixture(APP).join("config/settings/production.py")).unwrap();
    let exempting = format!("{production}\nSECURE_REDIRECT_EXEMPT = [r\"^healthz/$\"]\n");
    let unproven = fixture_copy(
        APP,
        &venv,
        &[
            ("config/wsgi.py", &wsgi),
            ("config/settings/production.py", &exempting),
        ],
    );
    let report = json_report(&venv, &unproven, &vars, 1);
    assert_eq!(blocking_ids(&report), set(&["guard.simulation_skipped"]));
    assert_eq!(
        message_of(&report, "guard.simulation_skipped"),
        "The simulated HTTP and HTTPS requests could not run: the web process's module config.wsgi:application could not be loaded as a web process loads it (with DYNO, PORT set): KeyError: 'METRICS_AGENT_PORT'. Without them only the settings could show that HTTPS is enforced, and they do not: SECURE_REDIRECT_EXEMPT exempts some paths."
    );
}

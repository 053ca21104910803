//! The probe runner against real Django apps (fixtures/) in the real venvs.

use crate::support::python::{Venv, default_venv, fixture, venvs};
use release_guard::gate::probe::{ProbeFailure, ProbeRequest, find_python, run};
use release_guard::gate::snapshot::{ProbeAnswer, ProbeError, ProbeErrorKind, Snapshot};
use std::ffi::OsString;
use std::time::Duration;

/// A strong key, so that W009 stays quiet: 60 characters, many distinct.
const TUTORIAL_SECRET_KEY: &str = "tutorial-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ";

fn tutorial_request(venv: &Venv, use_ssl: bool) -> ProbeRequest {
    let mut request = ProbeRequest::new(fixture("tutorial"), venv.python());
    request.settings_module = Some("mysite.settings".to_string());
    request.timeout = Duration::from_secs(60);
    request.env = env(&[
        ("SECRET_KEY", TUTORIAL_SECRET_KEY),
        ("ALLOWED_HOSTS", r#"["guard-demo.herokuapp.com"]"#),
        ("USE_SSL", if use_ssl { "true" } else { "false" }),
        ("DEBUG", "false"),
    ]);
    request
}

fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs
        .iter()
        .map(|(name, value)| (OsString::from(name), OsString::from(value)))
        .collect()
}

fn snapshot(request: &ProbeRequest) -> Snapshot {
    match run(request) {
        Ok(ProbeAnswer::Ok(snapshot)) => *snapshot,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

fn probe_error(request: &ProbeRequest) -> ProbeError {
    match run(request) {
        Ok(ProbeAnswer::Error(error)) => error,
        other => panic!("expected a probe error, got {other:?}"),
    }
}

fn visible_check_ids(snapshot: &Snapshot) -> Vec<&str> {
    snapshot
        .checks
        .iter()
        .filter(|check| !check.silenced)
        .filter_map(|check| check.id.as_deref())
        .collect()
}

#[test]
fn tutorial_without_ssl_under_every_django() {
    for venv in venvs() {
        let snapshot = snapshot(&tutorial_request(&venv, false));
        let expected_version = match venv.name {
            "django42" => "4.2.",
            "django52" => "5.2.",
            _ => "6.0.",
        };
        assert!(
            snapshot.django_version.starts_with(expected_version),
            "{}: {}",
            venv.name,
            snapshot.django_version
        );
        assert_eq!(snapshot.settings_module, "mysite.settings");
        assert_eq!(
            visible_check_ids(&snapshot),
            [
                "security.W004",
                "security.W008",
                "security.W012",
                "security.W016"
            ],
            "{}",
            venv.name
        );
        assert_eq!(snapshot.settings["SECURE_HSTS_SECONDS"].as_int(), Some(0));
        assert!(!snapshot.settings["SECURE_SSL_REDIRECT"].truthy());
        assert!(snapshot.settings["SECURE_PROXY_SSL_HEADER"].is_none());
        assert_eq!(
            snapshot.settings["ALLOWED_HOSTS"].as_str_list(),
            Some(vec!["guard-demo.herokuapp.com"])
        );
        assert!(!snapshot.settings.contains_key("SECRET_KEY"));
        assert!(snapshot.secret_key.set && snapshot.secret_key.long_enough);
        assert_eq!(snapshot.proxy_trust.server.as_deref(), Some("gunicorn"));
        assert!(!snapshot.proxy_trust.trusted);

        let simulation = &snapshot.simulation;
        assert!(simulation.ran, "{simulation:?}");
        assert_eq!(simulation.host.as_deref(), Some("guard-demo.herokuapp.com"));
        let http = simulation.http.as_ref().expect("http response");
        assert_eq!((http.status, http.location.as_deref()), (Some(404), None));
        let https = simulation.https.as_ref().expect("https response");
        assert_eq!(https.status, Some(404));
        assert!(https.hsts.is_empty());
        for phase in ["setup_ms", "checks_ms", "simulation_ms"] {
            assert!(snapshot.timings.contains_key(phase), "{phase}");
        }
    }
}

#[test]
fn tutorial_with_ssl_redirects_and_sends_hsts() {
    for venv in venvs() {
        let snapshot = snapshot(&tutorial_request(&venv, true));
        assert_eq!(
            visible_check_ids(&snapshot),
            Vec::<&str>::new(),
            "{}",
            venv.name
        );
        assert_eq!(
            snapshot.settings["SECURE_HSTS_SECONDS"].as_int(),
            Some(3600)
        );
        assert_eq!(
            snapshot.settings["SECURE_PROXY_SSL_HEADER"].as_str_list(),
            Some(vec!["HTTP_X_FORWARDED_PROTO", "https"])
        );
        assert_eq!(
            snapshot.settings["SECURE_PROXY_SSL_HEADER"].py_type,
            "tuple"
        );
        let http = snapshot.simulation.http.as_ref().expect("http response");
        assert_eq!(http.status, Some(301));
        assert_eq!(
            http.location.as_deref(),
            Some("https://guard-demo.herokuapp.com/.well-known/release-guard/")
        );
        let https = snapshot.simulation.https.as_ref().expect("https response");
        assert_eq!(https.status, Some(404));
        assert_eq!(https.hsts, ["max-age=3600; includeSubDomains; preload"]);
    }
}

#[test]
fn tutorial_without_secret_key_is_a_structured_error() {
    let request = request_without_var(tutorial_request(&default_venv(), true), "SECRET_KEY");
    let error = probe_error(&request);
    assert_eq!(error.kind, ProbeErrorKind::SetupFailed);
    assert_eq!(error.exception.as_deref(), Some("ValidationError"));
    assert!(error.message.contains("SECRET_KEY"), "{}", error.message);
    assert!(
        error.message.contains("Field required"),
        "{}",
        error.message
    );
    assert_eq!(error.settings_module.as_deref(), Some("mysite.settings"));
    assert!(error.django_version.is_some());
    let settings_frame = error
        .frames
        .iter()
        .find(|frame| frame.file == "mysite/settings.py")
        .expect("a frame in the settings module");
    assert_eq!(settings_frame.function, "<module>");
}

/// The request with `name` removed from the probe's environment entirely (the test process
/// itself does not have it either).
fn request_without_var(mut request: ProbeRequest, name: &str) -> ProbeRequest {
    request.env.retain(|(var, _)| var != name);
    assert!(
        std::env::var_os(name).is_none(),
        "{name} is set in the test environment"
    );
    request
}

#[test]
fn missing_python_is_reported() {
    let failure = find_python(
        Some(std::ffi::OsStr::new("/nonexistent/bin/python")),
        std::env::var_os("PATH").as_deref(),
    )
    .expect_err("no interpreter there");
    assert!(matches!(failure, ProbeFailure::PythonNotFound { .. }));
    assert_eq!(
        failure.to_string(),
        "no Python interpreter found (looked for /nonexistent/bin/python); set RELEASE_GUARD_PYTHON to the app's python"
    );

    let venv = default_venv();
    let found = find_python(None, Some(venv.bin_dir().as_os_str())).expect("the venv's python");
    assert_eq!(found, venv.bin_dir().join("python"));

    let request = ProbeRequest::new(fixture("tutorial"), "/nonexistent/bin/python");
    assert!(matches!(
        run(&request),
        Err(ProbeFailure::PythonNotFound { .. })
    ));
}

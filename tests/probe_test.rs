//! The probe runner against real Django apps (fixtures/) in the real venvs.

use crate::support::python::{
    TUTORIAL_CONFIG_VARS, TUTORIAL_WITHOUT_SSL_IDS, Venv, default_venv, fixture, venvs,
};
use release_guard::gate::Environment;
use release_guard::gate::probe::{ProbeFailure, ProbeRequest, find_python, run};
use release_guard::gate::snapshot::{ProbeAnswer, ProbeError, ProbeErrorKind, Snapshot};
use release_guard::gate::web::probe_env;
use release_guard::redact::Redactor;
use release_guard::web_process::{AppDir, resolve_web_process};
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// Generous: the first run after a venv is made compiles Django's bytecode.
const PROBE_TIMEOUT: Duration = Duration::from_mins(1);

fn tutorial_request(venv: &Venv, use_ssl: bool) -> ProbeRequest {
    let mut request = ProbeRequest::new(fixture("tutorial"), venv.python());
    request.settings_module = Some("mysite.settings".to_string());
    request.timeout = PROBE_TIMEOUT;
    request.env = env(&TUTORIAL_CONFIG_VARS);
    request.env.extend(env(&[
        ("USE_SSL", if use_ssl { "true" } else { "false" }),
        ("DEBUG", "false"),
    ]));
    with_web_process(request)
}

/// The request with the app's web process, as the gate hands it over.
fn with_web_process(mut request: ProbeRequest) -> ProbeRequest {
    let web = resolve_web_process(&AppDir(&request.app_dir), &|_| None);
    request.env.push(probe_env(&web, &Environment::default()));
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
            "django60" => "6.0.",
            _ => "6.1.",
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
            TUTORIAL_WITHOUT_SSL_IDS,
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
        // The view is the probe's own: the tutorial's URLconf would answer 404.
        assert_eq!((http.status, http.location.as_deref()), (Some(200), None));
        assert!(http.reached_view);
        let https = simulation.https.as_ref().expect("https response");
        assert_eq!(https.status, Some(200));
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
        assert_eq!(
            http.answered_by.as_deref(),
            Some("django.middleware.security.SecurityMiddleware")
        );
        let https = snapshot.simulation.https.as_ref().expect("https response");
        assert_eq!(https.status, Some(200));
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

const PLANTED_SECRET_KEY: &str = "planted-secret-key-";
const PLANTED_DB_PASSWORD: &str = "planted-db-password-4711";
const PLANTED_ENV_TOKEN: &str = "planted-env-token-31337";

fn edge_request(app: &str, scenario: &str) -> ProbeRequest {
    let mut request = ProbeRequest::new(fixture(app), default_venv().python());
    request.settings_module = Some(format!("edge.settings.{scenario}"));
    request.timeout = PROBE_TIMEOUT;
    request.env = env(&[("EDGE_PLANTED_TOKEN", PLANTED_ENV_TOKEN)]);
    with_web_process(request)
}

fn assert_no_planted_secret(text: &str) {
    for marker in [PLANTED_SECRET_KEY, PLANTED_DB_PASSWORD, PLANTED_ENV_TOKEN] {
        assert!(!text.contains(marker), "{marker} leaked in:\n{text}");
    }
}

#[test]
fn settings_that_raise_give_a_structured_error() {
    let error = probe_error(&edge_request("edge", "needs_config_var"));
    assert_eq!(error.kind, ProbeErrorKind::SetupFailed);
    assert_eq!(error.exception.as_deref(), Some("KeyError"));
    assert_eq!(&*error.message, "'EDGE_API_TOKEN'");
    assert_eq!(
        error.settings_module.as_deref(),
        Some("edge.settings.needs_config_var")
    );
    let frames: Vec<(&str, u32, &str)> = error
        .frames
        .iter()
        .map(|frame| (frame.file.as_str(), frame.line, frame.function.as_str()))
        .collect();
    assert_eq!(
        frames,
        [("edge/settings/needs_config_var.py", 7, "<module>")]
    );
}

#[test]
fn error_kinds() {
    let cases = [
        (
            "does_not_exist",
            ProbeErrorKind::SettingsImport,
            "ModuleNotFoundError",
        ),
        (
            "improperly_configured",
            ProbeErrorKind::ImproperlyConfigured,
            "ImproperlyConfigured",
        ),
        (
            "leaky_checks_crash",
            ProbeErrorKind::ChecksFailed,
            "RuntimeError",
        ),
    ];
    for (scenario, kind, exception) in cases {
        let error = probe_error(&edge_request("edge", scenario));
        assert_eq!(
            (error.kind, error.exception.as_deref()),
            (kind, Some(exception)),
            "{scenario}: {error:?}"
        );
    }

    let mut request = edge_request("edge", "good");
    request.settings_module = None;
    let error = probe_error(&request);
    assert_eq!(error.kind, ProbeErrorKind::NoSettingsModule);
    assert_eq!(&*error.message, "DJANGO_SETTINGS_MODULE is not set");
}

#[test]
fn python_without_django() {
    // The interpreter the venv was made from has no Django.
    let venv = default_venv();
    let config = std::fs::read_to_string(venv.dir.join("pyvenv.cfg")).unwrap();
    let home = config
        .lines()
        .find_map(|line| line.strip_prefix("home = "))
        .expect("pyvenv.cfg names its base interpreter");
    let mut request = edge_request("edge", "good");
    request.python = find_python(None, Some(std::ffi::OsStr::new(home))).unwrap();
    let error = probe_error(&request);
    assert_eq!(error.kind, ProbeErrorKind::DjangoMissing);
    assert_eq!(&*error.message, "No module named 'django'");
    assert_eq!(error.django_version, None);
}

/// The `leaves_helpers` scenario: settings that start helpers in a new session, in a new
/// process group and orphaned, all ignoring SIGTERM, and write their pids to `pid_file`; with
/// `hang`, the settings never finish loading.
fn helpers_request(pid_file: &std::path::Path, hang: bool) -> ProbeRequest {
    let mut request = edge_request("edge", "leaves_helpers");
    request
        .env
        .push(("EDGE_PID_FILE".into(), pid_file.as_os_str().to_owned()));
    if hang {
        request.env.push(("EDGE_HANG".into(), "1".into()));
    }
    request
}

#[test]
fn helpers_that_leave_the_group_end_with_a_probe_that_answered() {
    let pid_dir = tempfile::tempdir().unwrap();
    let pid_file = pid_dir.path().join("helpers.pids");
    let snapshot = snapshot(&helpers_request(&pid_file, false));
    assert_eq!(snapshot.settings_module, "edge.settings.leaves_helpers");
    let pids = std::fs::read_to_string(&pid_file).unwrap();
    assert_eq!(pids.split_whitespace().count(), 4, "{pids}");
    for pid in pids.split_whitespace() {
        assert_process_gone(pid);
    }
}

#[test]
fn an_app_module_named_like_the_probe_is_never_imported() {
    let app = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(fixture("edge"))
        .arg(app.path())
        .status();
    assert!(copied.unwrap().success());
    let app_dir = app.path().join("edge");
    for name in [
        "release_guard_probe",
        "main",
        "common",
        "simulation",
        "phases",
    ] {
        let package = app_dir.join(name);
        std::fs::create_dir(&package).unwrap();
        std::fs::write(
            package.join("__init__.py"),
            format!(
                "raise SystemExit('the app module {name} was imported in place of the probe')\n"
            ),
        )
        .unwrap();
    }
    let mut request = edge_request("edge", "good");
    request.app_dir = app_dir;
    assert!(snapshot(&request).checks.is_empty());
}

#[test]
fn the_timeout_counts_from_the_start_of_the_run() {
    // Time spent before the probe (reading the app's files) counts: here all of it.
    let mut request = edge_request("edge", "good");
    request.started = std::time::Instant::now()
        .checked_sub(request.timeout)
        .expect("a minute of uptime");
    assert!(
        matches!(run(&request), Err(ProbeFailure::TimedOut(_))),
        "a run whose time is up before the probe starts must not answer"
    );
}

#[test]
fn hanging_settings_time_out_and_leave_no_process() {
    let pid_dir = tempfile::tempdir().unwrap();
    let pid_file = pid_dir.path().join("helpers.pids");
    let mut request = helpers_request(&pid_file, true);
    request.timeout = Duration::from_secs(2);

    let started = std::time::Instant::now();
    let result = run(&request);
    let elapsed = started.elapsed();
    assert!(
        matches!(result, Err(ProbeFailure::TimedOut(timeout)) if timeout == Duration::from_secs(2)),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let failure = result.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "the probe did not finish within 2 s and was stopped; if the app is just slow to start, raise RELEASE_GUARD_TIMEOUT"
    );

    let pids = std::fs::read_to_string(&pid_file).unwrap();
    let pids: Vec<&str> = pids.split_whitespace().collect();
    assert_eq!(
        pids.len(),
        4,
        "the settings process and its helpers: {pids:?}"
    );
    for pid in pids {
        assert_process_gone(pid);
    }
}

/// Gone, or a zombie waiting for a reaper that is not us (the sleep helper is reparented).
fn assert_process_gone(pid: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let (_, after_name) = stat.rsplit_once(") ")?;
                after_name.chars().next()
            });
        if matches!(state, None | Some('Z' | 'X')) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} still running (state {state:?})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn any_level_and_id_django_accepts_is_read() {
    let snapshot = snapshot(&edge_request("edge", "odd_checks"));
    let checks: Vec<(Option<&str>, i32)> = snapshot
        .checks
        .iter()
        .map(|check| (check.id.as_deref(), check.level))
        .collect();
    assert_eq!(checks, [(Some("edge.E999"), 1000), (Some("edge.W002"), 30)]);
}

#[test]
fn app_printing_to_stdout_does_not_disturb_the_answer() {
    let snapshot = snapshot(&edge_request("edge", "prints"));
    assert_eq!(snapshot.settings_module, "edge.settings.prints");
    assert!(snapshot.checks.is_empty(), "{:?}", snapshot.checks);
}

/// The output boundary for an edge request: its config vars plus the probe's secrets.
fn boundary(request: &ProbeRequest, answer: Option<&ProbeAnswer>) -> Redactor {
    let mut redactor = Redactor::from_env(request.env.iter().cloned());
    if let Some(answer) = answer {
        redactor.add_secrets(answer.secrets());
    }
    redactor
}

#[test]
fn the_probe_reports_raw_values_and_hands_its_secrets_over() {
    // bakerydemo: the app's name is its cache LOCATION and its database NAME and USER; the
    // database password is "http". The rules must see the real redirect.
    let snapshot = snapshot(&edge_request("edge", "app_named_values"));
    let http = snapshot.simulation.http.as_ref().unwrap();
    assert_eq!(
        http.location.as_deref(),
        Some("https://bakerydemo.herokuapp.com/.well-known/release-guard/")
    );
    assert_eq!(
        snapshot.settings["SECURE_SSL_HOST"].as_str(),
        Some("bakerydemo.herokuapp.com")
    );
    assert_eq!(format!("{:?}", snapshot.secrets), "Secrets(2)");
}

#[test]
fn planted_secrets_are_hidden_at_the_output_boundary() {
    let request = edge_request("edge", "leaky");
    let answer = run(&request).unwrap();
    let redactor = boundary(&request, Some(&answer));
    let ProbeAnswer::Ok(snapshot) = answer else {
        panic!("expected a snapshot")
    };
    let leaky_check = snapshot
        .checks
        .iter()
        .find(|check| check.id.as_deref() == Some("edge.W001"))
        .expect("the leaky check's message");
    assert_eq!(
        redactor.field(&leaky_check.msg.to_string()),
        "leaky check: key=[redacted] password=[redacted] token=[redacted]"
    );
    let http = snapshot.simulation.http.as_ref().unwrap();
    assert_eq!(http.status, Some(500));
    assert_eq!(
        redactor.field(&http.error.as_ref().unwrap().to_string()),
        "RuntimeError: cannot reach the database: key=[redacted] password=[redacted] token=[redacted]"
    );

    for scenario in ["leaky_import", "leaky_checks_crash"] {
        let request = edge_request("edge", scenario);
        let answer = run(&request).unwrap();
        let redactor = boundary(&request, Some(&answer));
        let ProbeAnswer::Error(error) = answer else {
            panic!("expected a probe error")
        };
        let shown = redactor.field(&error.message.to_string());
        assert_no_planted_secret(&shown);
        assert!(shown.ends_with("key=[redacted] password=[redacted] token=[redacted]"));
    }
}

#[test]
fn probe_dying_without_answer_relays_its_output_as_app_text() {
    let request = edge_request("edge", "exits");
    let failure = run(&request).unwrap_err();
    let ProbeFailure::NoAnswer {
        exit_status,
        output,
    } = &failure
    else {
        panic!("expected NoAnswer, got {failure:?}")
    };
    assert_eq!(exit_status.code(), Some(3));
    assert_eq!(
        &**output,
        format!("connecting with token {PLANTED_ENV_TOKEN}\n")
    );
    assert_eq!(
        boundary(&request, None).field(&failure.to_string()),
        "the probe exited (exit status: 3) without an answer; its last output:\nconnecting with token [redacted]"
    );
}

#[test]
fn an_answer_written_by_a_probe_that_did_not_finish_is_ignored() {
    // The app writes a plausible answer where the probe would, then exits 3.
    let failure = run(&edge_request("edge", "forges_answer")).unwrap_err();
    let ProbeFailure::NoAnswer { exit_status, .. } = &failure else {
        panic!("expected NoAnswer, got {failure:?}")
    };
    assert_eq!(exit_status.code(), Some(3));
}

#[test]
fn gunicorn_trusting_the_router_fixes_a_missing_proxy_header() {
    let plain = snapshot(&edge_request("edge", "no_proxy_header"));
    assert!(!plain.proxy_trust.trusted);
    let https = plain.simulation.https.as_ref().unwrap();
    assert_eq!(https.status, Some(301));
    assert_eq!(
        https.location.as_deref(),
        Some("https://www.example.com/.well-known/release-guard/")
    );
    assert!(https.hsts.is_empty());

    let trusted = snapshot(&edge_request("edge-proxy-trusted", "no_proxy_header"));
    assert_eq!(
        trusted.proxy_trust,
        release_guard::gate::snapshot::ProxyTrust {
            trusted: true,
            server: Some("gunicorn".to_string()),
            source: Some("gunicorn.conf.py forwarded_allow_ips".to_string()),
            value: Some("*".to_string()),
        }
    );
    let https = trusted.simulation.https.as_ref().unwrap();
    assert_eq!(https.status, Some(200));
    assert_eq!(https.hsts, ["max-age=31536000; includeSubDomains; preload"]);
}

#[test]
fn hsts_seconds_as_a_string_keeps_its_type() {
    let snapshot = snapshot(&edge_request("edge", "hsts_string_zero"));
    let hsts = &snapshot.settings["SECURE_HSTS_SECONDS"];
    assert_eq!((hsts.py_type.as_str(), hsts.repr.as_str()), ("str", "'0'"));
    assert_eq!(hsts.as_str(), Some("0"));
    assert_eq!(hsts.as_int(), None);
    assert!(hsts.truthy());
    assert_eq!(
        snapshot.simulation.https.as_ref().unwrap().hsts,
        ["max-age=0; includeSubDomains; preload"]
    );
}

/// Set in the child test process that `sigterm_is_forwarded_to_the_probe` starts.
const INTERRUPT_CHILD_ENV: &str = "RELEASE_GUARD_TEST_INTERRUPT_CHILD";

/// Runs the hanging probe in a separate test process, sends that process SIGTERM, and expects
/// the runner to pass it on to the probe's group and report `Interrupted`; afterwards SIGTERM
/// terminates that process as usual. A separate process, because a signal to this one would
/// interrupt the probes of the tests running beside it.
#[test]
fn sigterm_is_forwarded_to_the_probe() {
    let pid_dir = tempfile::tempdir().unwrap();
    let pid_file = pid_dir.path().join("helpers.pids");
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "probe_test::interrupted_probe_child",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(INTERRUPT_CHILD_ENV, &pid_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    let pids = wait_for_pid_file(&pid_file);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("probe result: Err(Interrupted { signal: 15 })"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("still alive"), "{stdout}");
    assert_eq!(output.status.signal(), Some(libc::SIGTERM));
    for pid in pids.split_whitespace() {
        assert_process_gone(pid);
    }
}

/// The guard killed outright (SIGKILL: no handler runs) or hung up on (SIGHUP): the probe and
/// the SIGTERM-ignoring helpers its settings started, in the probe's group or not, must not
/// outlive it.
#[test]
fn the_probe_and_its_helpers_die_with_the_guard() {
    for signal in ["KILL", "HUP"] {
        let pid_dir = std::env::temp_dir().join(format!(
            "release-guard-test-guard-{signal}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&pid_dir).unwrap();
        let pid_file = pid_dir.join("helpers.pids");
        let mut guard = std::process::Command::new(env!("CARGO_BIN_EXE_release-guard"))
            .args(["check", "--settings", "edge.settings.leaves_helpers"])
            .env("EDGE_HANG", "1")
            .current_dir(fixture("edge"))
            .env("RELEASE_GUARD_PYTHON", default_venv().python())
            .env("RELEASE_GUARD_TIMEOUT", "120")
            .env("EDGE_PID_FILE", &pid_file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pids = wait_for_pid_file(&pid_file);
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &guard.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = guard.wait();
        std::fs::remove_dir_all(&pid_dir).unwrap();
        for pid in pids.split_whitespace() {
            assert_process_gone(pid);
        }
    }
}

/// The "<settings pid> <helper pids>" line the `leaves_helpers` scenario writes once it runs.
fn wait_for_pid_file(pid_file: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(pids) = std::fs::read_to_string(pid_file)
            && pids.ends_with('\n')
        {
            return pids;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the probe never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "run by sigterm_is_forwarded_to_the_probe in its own process"]
fn interrupted_probe_child() {
    let Some(pid_file) = std::env::var_os(INTERRUPT_CHILD_ENV) else {
        return;
    };
    let request = helpers_request(std::path::Path::new(&pid_file), true);
    let result = run(&request);
    println!("probe result: {result:?}");
    // With no probe running, SIGTERM has its default action again: this process ends here.
    std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_secs(10));
    println!("still alive after SIGTERM");
}

#[test]
fn an_unbounded_timeout_is_accepted() {
    let mut request = edge_request("edge", "good");
    request.timeout = Duration::MAX;
    assert!(snapshot(&request).checks.is_empty());
}

//! The built `release-guard` binary against real Django apps in the real venvs: the tutorial
//! fixture, and copies of it with one setting changed (appended to settings.py, where the last
//! assignment wins). No mocks: Django, gunicorn's configuration and the probe are real.

// Helpers are not `#[test]` functions, but a panic is how they report a failure too.
#![allow(clippy::unwrap_used)]

use crate::support::cnb::{copy_dir, temp_dir};
use crate::support::python::{
    TUTORIAL_CONFIG_VARS, TUTORIAL_WITHOUT_SSL_IDS, Venv, default_venv, fixture, venvs,
};
use indoc::indoc;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GUARD: &str = env!("CARGO_BIN_EXE_release-guard");

/// The config var that turns on the tutorial's HTTPS settings.
const USE_SSL: [(&str, &str); 1] = [("USE_SSL", "true")];

/// `name` in this test crate's scratch directory.
fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// A copy of the tutorial app with `extra_settings` appended to settings.py and `files`
/// written into the app directory, unique per test and venv.
fn app(name: &str, venv: &Venv, extra_settings: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch("gate-apps").join(format!("{name}-{}", venv.name));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    copy_dir(&fixture("tutorial"), &dir).unwrap();
    let settings = dir.join("mysite/settings.py");
    let mut source = std::fs::read_to_string(&settings).unwrap();
    source.push_str("\n# --- gate_test scenario ---\n");
    source.push_str(extra_settings);
    std::fs::write(&settings, source).unwrap();
    for (path, content) in files {
        std::fs::write(dir.join(path), content).unwrap();
    }
    dir
}

/// A clean environment (nothing from the test runner leaks in) with the venv first on PATH
/// and the tutorial's config vars, plus `vars` (an empty value removes a variable).
fn command(program: &str, venv: &Venv, app_dir: &Path, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(app_dir)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", venv.bin_dir().display()),
        )
        .envs(TUTORIAL_CONFIG_VARS);
    for (name, value) in vars {
        if value.is_empty() {
            command.env_remove(name);
        } else {
            command.env(name, value);
        }
    }
    command
}

pub(crate) fn guard(venv: &Venv, app_dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    command(GUARD, venv, app_dir, vars)
        .args(args)
        .output()
        .unwrap()
}

/// The text release log of the guard run in the default venv, which must exit `code`.
fn release_log(app_dir: &Path, vars: &[(&str, &str)], code: i32) -> String {
    let output = guard(&default_venv(), app_dir, &[], vars);
    assert_exit(&output, code);
    stdout(&output)
}

/// The JSON report of the guard run, which must exit `code`.
pub(crate) fn json_report(venv: &Venv, app_dir: &Path, vars: &[(&str, &str)], code: i32) -> Value {
    let output = guard(venv, app_dir, &["--format", "json"], vars);
    assert_exit(&output, code);
    json(&output)
}

/// The JSON report for the tutorial with `extra_settings` and `files` and `USE_SSL` on, in the
/// default venv; the guard must exit `code`.
fn ssl_scenario_report(
    name: &str,
    extra_settings: &str,
    files: &[(&str, &str)],
    code: i32,
) -> Value {
    let venv = default_venv();
    let app_dir = app(name, &venv, extra_settings, files);
    json_report(&venv, &app_dir, &USE_SSL, code)
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub(crate) fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not one JSON document ({error}):\n{}", stdout(output)))
}

/// The IDs of the findings in `report[list]` that `keep` accepts.
fn ids_where(report: &Value, list: &str, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| keep(finding))
        .map(|finding| finding["id"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) fn ids(report: &Value, list: &str) -> BTreeSet<String> {
    ids_where(report, list, |_| true)
}

fn ids_with_severity(report: &Value, severity: &str) -> BTreeSet<String> {
    ids_where(report, "findings", |finding| {
        finding["severity"] == severity
    })
}

pub(crate) fn blocking_ids(report: &Value) -> BTreeSet<String> {
    ids_with_severity(report, "block")
}

pub(crate) fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(ToString::to_string).collect()
}

/// The IDs `python manage.py check --deploy` prints (`?: (security.W004) ...` lines).
fn django_check_ids(venv: &Venv, app_dir: &Path, vars: &[(&str, &str)]) -> BTreeSet<String> {
    let output = command(venv.python().to_str().unwrap(), venv, app_dir, vars)
        .args(["manage.py", "check", "--deploy"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("System check identified"),
        "manage.py check did not run:\n{text}"
    );
    text.lines()
        .filter_map(|line| line.split_once(": (")?.1.split_once(')'))
        .map(|(id, _)| id.to_string())
        .collect()
}

fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "{expected:?} not in:\n{text}");
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn tutorial_blocked_release_log() {
    let text = release_log(&fixture("tutorial"), &[], 1);
    let (header, log) = text.split_once('\n').unwrap();
    assert!(header.starts_with("Django Release Guard "), "{header}");
    assert!(header.contains(" | Django 5.2."), "{header}");
    assert!(header.ends_with(" | settings mysite.settings"), "{header}");
    assert_eq!(
        log,
        indoc! {r"

            BLOCKING (4)
            - security.W004 (SECURE_HSTS_SECONDS)
              You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only
              over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be
              sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible
              problems.
              Required: an int: 3600 (1 hour) first, raised step by step to 31536000 (1 year) once every page
                        and subdomain works over HTTPS
              Why: HSTS makes browsers refuse plain HTTP for the site, so nobody can be downgraded on a hostile
                   network. Start short: a mistake at 3600 is forgotten after 1 hour, at 31536000 browsers keep
                   it for 1 year.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W008 (SECURE_SSL_REDIRECT)
              Your SECURE_SSL_REDIRECT setting is not set to True. Unless your site should be available over
              both SSL and non-SSL connections, you may want to either set this setting True or configure a load
              balancer or reverse-proxy server to redirect all connections to HTTPS.
              Required: True, together with SECURE_PROXY_SSL_HEADER so Django sees HTTPS behind Heroku's router
              Why: Visitors who type the address or follow an old http:// link stay on plain HTTP, where pages
                   and cookies can be read and changed. Heroku's router terminates TLS, so without
                   SECURE_PROXY_SSL_HEADER every HTTPS request would redirect to itself.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W012 (SESSION_COOKIE_SECURE)
              SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more
              difficult for network traffic sniffers to hijack user sessions.
              Why: Browsers would send the session cookie over plain HTTP, where anyone on the network can copy
                   it and take over the session.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W016 (CSRF_COOKIE_SECURE)
              You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set
              CSRF_COOKIE_SECURE to True. Using a secure-only CSRF cookie makes it more difficult for network
              traffic sniffers to steal the CSRF token.
              Why: The CSRF cookie would travel over plain HTTP, where it can be read or overwritten.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).

            INFO (1)
            - guard.database_checks_not_run
              Django's database checks were not run (django.core.checks.database.check_database_backends):
              Release Guard never connects to a database.
              Fix: python manage.py check --database default  # where the database is reachable, e.g. in CI

            Release blocked: 4 problems
            Fix: USE_SSL=true
            Deploy anyway: RELEASE_GUARD_MODE=warn
        "}
    );
}

/// Scenarios for the differential test: (name, settings appended, files, config vars).
type Scenario = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

const SCENARIOS: [Scenario; 6] = [
    ("plain", "", &[], &[]),
    ("ssl", "", &[], &[("USE_SSL", "true")]),
    (
        "debug-startproject",
        "",
        &[],
        &[
            ("DEBUG", "true"),
            ("ALLOWED_HOSTS", ""),
            ("SECRET_KEY", "django-insecure-short"),
        ],
    ),
    (
        "hsts-string-zero",
        "SECURE_HSTS_SECONDS = \"0\"\n",
        &[],
        &USE_SSL,
    ),
    (
        "no-security-middleware",
        "MIDDLEWARE = MIDDLEWARE[1:]\n",
        &[],
        &USE_SSL,
    ),
    (
        "referrer-invalid",
        "SECURE_REFERRER_POLICY = \"sometimes\"\n",
        &[],
        &[],
    ),
];

#[test]
fn every_django_id_appears_among_the_guards_findings() {
    for venv in venvs() {
        for (name, extra, files, vars) in SCENARIOS {
            let app_dir = app(&format!("differential-{name}"), &venv, extra, files);
            let report = json(&guard(&venv, &app_dir, &["--format", "json"], vars));
            let django = django_check_ids(&venv, &app_dir, vars);
            let guard_ids = ids(&report, "findings");
            assert!(
                django.is_subset(&guard_ids),
                "{} {name}: Django printed {django:?}, the guard found {guard_ids:?}",
                venv.name
            );
        }
    }
}

#[test]
fn tutorial_blocks_without_ssl_and_passes_with_it_under_every_django() {
    for venv in venvs() {
        let tutorial = fixture("tutorial");
        let blocked = json_report(&venv, &tutorial, &[], 1);
        assert_eq!(blocked["verdict"], "block");
        assert_eq!(
            blocking_ids(&blocked),
            set(&TUTORIAL_WITHOUT_SSL_IDS),
            "{}",
            venv.name
        );
        let passed = json_report(&venv, &tutorial, &USE_SSL, 0);
        assert_eq!(passed["verdict"], "pass");
    }
}

#[test]
fn missing_secret_key_cannot_be_evaluated() {
    let text = release_log(&fixture("tutorial"), &[("SECRET_KEY", "")], 2);
    assert_contains(
        &text,
        "COULD NOT EVALUATE: Importing the settings module mysite.settings failed\n",
    );
    assert_contains(
        &text,
        "  ValidationError: 1 validation error for Settings\n  SECRET_KEY\n",
    );
    assert_contains(&text, "File \"mysite/settings.py\", line ");
    // Off Heroku the advice is the plain assignment, in the fix and in the closing line.
    assert_contains(&text, "set it with `NAME=value`");
    assert!(
        text.ends_with(
            "Release blocked: it could not be evaluated\nDeploy anyway: RELEASE_GUARD_MODE=warn\n"
        ),
        "{text}"
    );
}

#[test]
fn hsts_string_zero_blocks_although_django_is_silent() {
    let venv = default_venv();
    let app_dir = app("hsts-zero", &venv, "SECURE_HSTS_SECONDS = \"0\"\n", &[]);
    assert!(!django_check_ids(&venv, &app_dir, &USE_SSL).contains("security.W004"));
    let report = json_report(&venv, &app_dir, &USE_SSL, 1);
    assert_eq!(blocking_ids(&report), set(&["guard.hsts_seconds_invalid"]));
}

#[test]
fn plain_gunicorn_without_proxy_header_blocks_and_trusting_gunicorn_passes() {
    let no_header = "SECURE_PROXY_SSL_HEADER = None\n";
    let untrusted = ssl_scenario_report("proxy-untrusted", no_header, &[], 1);
    assert_eq!(blocking_ids(&untrusted), set(&["guard.https_undetectable"]));

    let trust_all = [("gunicorn.conf.py", "forwarded_allow_ips = \"*\"\n")];
    let trusted = ssl_scenario_report("proxy-trusted", no_header, &trust_all, 0);
    assert_eq!(blocking_ids(&trusted), BTreeSet::new());
}

#[test]
fn catch_all_redirect_exemption_blocks() {
    let report = ssl_scenario_report("exempt-all", "SECURE_REDIRECT_EXEMPT = [r\".*\"]\n", &[], 1);
    assert_eq!(
        blocking_ids(&report),
        set(&["guard.redirect_exempt_catch_all"])
    );
}

#[test]
fn settings_that_print_do_not_break_json() {
    let report = ssl_scenario_report(
        "printing",
        "print(\"{ settings say hello\")\nimport sys\nsys.stderr.write(\"and complain\\n\")\n",
        &[],
        0,
    );
    assert_eq!(report["verdict"], "pass");
}

#[test]
fn settings_that_hang_time_out() {
    let venv = default_venv();
    let app_dir = app("hanging", &venv, "import time\ntime.sleep(120)\n", &[]);
    let started = Instant::now();
    let text = release_log(&app_dir, &[("RELEASE_GUARD_TIMEOUT", "2")], 2);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_contains(&text, "COULD NOT EVALUATE: The app did not load in time\n");
}

#[test]
fn no_python_on_path() {
    // An empty directory, to stand for a PATH without Python.
    let empty_bin = temp_dir("gate-empty-bin");
    let text = release_log(
        &fixture("tutorial"),
        &[("PATH", empty_bin.path().to_str().unwrap())],
        2,
    );
    assert_contains(&text, "COULD NOT EVALUATE: No Python interpreter found\n");
    assert_contains(&text, "RELEASE_GUARD_PYTHON");
}

#[test]
fn planted_secrets_are_never_printed() {
    const KEY: &str = "planted-key-marker-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ";
    // Not DATABASE_URL: the venvs have no PostgreSQL driver.
    const REDIS_URL: &str = "rediss://default:planted-password-marker@cache.example.net:6379";
    let venv = default_venv();
    let raising = app(
        "secrets-raise",
        &venv,
        "import os\nraise RuntimeError(\"cannot reach \" + os.environ[\"REDIS_URL\"] + \" with \" + SECRET_KEY)\n",
        &[],
    );
    let cases = [(fixture("tutorial"), 1), (raising, 2)];
    for (app_dir, code) in cases {
        for format in ["text", "json"] {
            let output = guard(
                &venv,
                &app_dir,
                &["--format", format],
                &[("SECRET_KEY", KEY), ("REDIS_URL", REDIS_URL)],
            );
            assert_exit(&output, code);
            let all = stdout(&output) + &String::from_utf8_lossy(&output.stderr);
            assert!(!all.contains("planted"), "{all}");
            if code == 2 {
                // The exception is shown, with the values scrubbed.
                assert!(
                    all.contains("cannot reach [redacted] with [redacted]"),
                    "{all}"
                );
            }
        }
    }
}

#[test]
fn silenced_and_ignored_checks_are_listed_and_never_block() {
    let venv = default_venv();
    let app_dir = app(
        "silenced",
        &venv,
        "SILENCED_SYSTEM_CHECKS = [\"security.W004\", \"security.W008\"]\n",
        &[],
    );
    let ignore = [("RELEASE_GUARD_IGNORE", "security.W012, security.W016")];
    let report = json_report(&venv, &app_dir, &ignore, 0);
    assert_eq!(
        ids(&report, "findings"),
        set(&["guard.database_checks_not_run"])
    );
    let silenced: Vec<(&str, &str)> = report["silenced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["id"].as_str().unwrap(),
                finding["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        silenced,
        [
            ("security.W004", "SILENCED_SYSTEM_CHECKS"),
            ("security.W008", "SILENCED_SYSTEM_CHECKS"),
            ("security.W012", "RELEASE_GUARD_IGNORE"),
            ("security.W016", "RELEASE_GUARD_IGNORE"),
        ]
    );
}

#[test]
fn warn_mode_reports_loudly_and_passes() {
    let text = release_log(&fixture("tutorial"), &[("RELEASE_GUARD_MODE", "warn")], 0);
    assert_contains(&text, "\nNOT ENFORCING (RELEASE_GUARD_MODE=warn): ");
    assert!(
        text.ends_with(indoc! {"
        Release passed (NOT ENFORCING): 4 problems would have blocked it
        Enforce again: RELEASE_GUARD_MODE=enforce
    "}),
        "{text}"
    );
}

#[test]
fn off_mode_prints_one_line_without_running_python() {
    let empty_bin = temp_dir("gate-empty-bin-off");
    let text = release_log(
        &fixture("tutorial"),
        &[
            ("RELEASE_GUARD_MODE", "off"),
            ("PATH", empty_bin.path().to_str().unwrap()),
        ],
        0,
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.ends_with(
            ": RELEASE_GUARD_MODE=off, no checks run; the release goes ahead unchecked.\n"
        ),
        "{text}"
    );
}

#[test]
fn mode_lines_name_the_switch_that_set_them() {
    let empty_bin = temp_dir("gate-empty-bin-off-flag");
    let path = [("PATH", empty_bin.path().to_str().unwrap())];
    let output = guard(
        &default_venv(),
        &fixture("tutorial"),
        &["--mode", "off"],
        &path,
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output)
            .ends_with(": --mode off, no checks run; the release goes ahead unchecked.\n"),
        "{}",
        stdout(&output)
    );
    let output = guard(
        &default_venv(),
        &fixture("tutorial"),
        &["--mode", "warn"],
        &[],
    );
    let text = stdout(&output);
    assert_contains(&text, "\nNOT ENFORCING (--mode warn): ");
    assert!(
        text.ends_with("Enforce again: run without --mode warn\n"),
        "{text}"
    );
}

#[test]
fn the_apps_own_output_while_loading_has_its_own_heading() {
    let venv = default_venv();
    let app_dir = app(
        "app-output",
        &venv,
        "import warnings\nwarnings.warn(\"SECRET_KEY is ephemeral: sessions end on every restart\")\n",
        &[],
    );
    let text = release_log(&app_dir, &USE_SSL, 0);
    assert_contains(
        &text,
        "\nAPP OUTPUT (while loading, shortened)\n  mysite/settings.py:120: UserWarning: SECRET_KEY is ephemeral: sessions end on every restart\n    warnings.warn(\"SECRET_KEY is ephemeral: sessions end on every restart\")\n\nWARNINGS (2)\n",
    );
    let report = json_report(&venv, &app_dir, &USE_SSL, 0);
    assert!(
        report["app_output"]
            .as_str()
            .unwrap()
            .contains("UserWarning: SECRET_KEY is ephemeral"),
        "{report}"
    );
}

#[test]
fn a_missing_database_driver_blames_the_backend_and_shows_the_cause() {
    // The test venvs have the PostgreSQL driver (the isolation tests need it), not MySQL's.
    let venv = default_venv();
    let app_dir = app(
        "missing-driver",
        &venv,
        "DATABASES[\"default\"] = {\"ENGINE\": \"django.db.backends.mysql\", \"NAME\": \"app\", \"USER\": \"user\", \"PASSWORD\": \"planted-db-secret\", \"HOST\": \"db.example.net\"}\n",
        &[],
    );
    let text = release_log(&app_dir, &[], 2);
    assert_contains(
        &text,
        "COULD NOT EVALUATE: Importing the app's models or database backends failed (the settings module mysite.settings loaded)\n",
    );
    assert_contains(
        &text,
        "\n    Caused by ModuleNotFoundError: No module named 'MySQLdb'",
    );
    assert!(!text.contains("planted-db-secret"), "{text}");
}

#[test]
fn bad_configuration_is_explained() {
    let cases = [
        (
            "RELEASE_GUARD_MODE",
            "relaxed",
            "RELEASE_GUARD_MODE is invalid: `relaxed` is not a mode; use enforce, warn or off",
        ),
        (
            "RELEASE_GUARD_FAIL_LEVEL",
            "strict",
            "RELEASE_GUARD_FAIL_LEVEL is invalid: `strict` is not a fail level; use default or warning",
        ),
        (
            "RELEASE_GUARD_PROXY_SSL_HEADER",
            "X_FORWARDED_PROTOCOL",
            "RELEASE_GUARD_PROXY_SSL_HEADER is invalid: `X_FORWARDED_PROTOCOL` is not an HTTP header name such as \"X-Forwarded-Proto\" (letters, digits and '-'), optionally followed by \": value\" when the proxy sends something other than https, such as \"X-Forwarded-Ssl: on\"",
        ),
        (
            "RELEASE_GUARD_IGNORE",
            "corsheaders.E013,W021",
            "RELEASE_GUARD_IGNORE is invalid: `W021` is not a finding ID Release Guard knows; did you mean `security.W021`?",
        ),
        // Read without blocking: /dev/zero never ends, so this used to hang.
        (
            "RELEASE_GUARD_CONFIG",
            "/dev/zero",
            "RELEASE_GUARD_CONFIG (/dev/zero) could not be read: it is a character device, not a regular file",
        ),
    ];
    for (name, value, detail) in cases {
        let text = release_log(&fixture("tutorial"), &[(name, value)], 2);
        assert_contains(&text, &format!("  {detail}\n"));
    }
}

#[test]
fn release_runs_the_command_only_when_the_gate_passes() {
    let venv = default_venv();
    let marker = scratch("gate-release-ran");
    let _ = std::fs::remove_file(&marker);
    let script = format!("touch \"{}\"; exit 7", marker.display());
    let tutorial = fixture("tutorial");

    let blocked = guard(
        &venv,
        &tutorial,
        &["release", "--", "sh", "-c", &script],
        &[],
    );
    assert_exit(&blocked, 1);
    assert!(!marker.exists());
    assert!(stdout(&blocked).contains(&format!(
        "\nThe release command was not run: sh -c '{script}'\n"
    )));

    let passed = guard(
        &venv,
        &tutorial,
        &["release", "--", "sh", "-c", &script],
        &USE_SSL,
    );
    assert_exit(&passed, 7);
    assert!(marker.exists());
}

#[test]
fn bad_usage_exits_2_with_usage() {
    let venv = default_venv();
    let output = guard(&venv, &fixture("tutorial"), &["--frobnicate"], &[]);
    assert_exit(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("release-guard: unknown option `--frobnicate`\n\nUsage:\n"),
        "{stderr}"
    );
}

/// One `fixtures/edge` settings module and the IDs expected at each severity: (module, block,
/// warn). The guard exits 1 exactly when something blocks.
type EdgeCase = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const EDGE_CASES: [EdgeCase; 24] = [
    ("good", &[], &[]),
    ("hsts_string_zero", &["guard.hsts_seconds_invalid"], &[]),
    (
        "hsts_short",
        &[],
        &["guard.hsts_preload_ineligible", "guard.hsts_seconds_short"],
    ),
    ("no_proxy_header", &["guard.https_undetectable"], &[]),
    (
        "redirect_exempt_all",
        &["guard.redirect_exempt_catch_all"],
        &[],
    ),
    (
        "redirect_exempt_empty",
        &["guard.redirect_exempt_catch_all"],
        &[],
    ),
    ("silenced", &[], &[]),
    ("middleware_common_first", &[], &["guard.middleware_order"]),
    ("middleware_static_first", &[], &["guard.middleware_order"]),
    (
        "samesite_none_insecure",
        &[
            "guard.samesite_none_insecure",
            "security.W012",
            "security.W016",
        ],
        &[],
    ),
    ("ssl_host_elsewhere", &[], &["guard.ssl_host_off_host"]),
    ("debug_on", &["security.W018", "security.W020"], &[]),
    ("database_middleware", &[], &[]),
    (
        "current_site_exempt_all",
        &["guard.redirect_exempt_catch_all"],
        &[],
    ),
    (
        "redirect_exempt_negative",
        &["guard.redirect_exempt_catch_all"],
        &[],
    ),
    ("redirect_exempt_healthcheck", &[], &[]),
    (
        "redirect_exempt_deep",
        // SecurityMiddleware cannot compile the pattern either, so the simulation cannot run.
        &["guard.redirect_exempt_invalid", "guard.simulation_skipped"],
        &[],
    ),
    (
        "basic_auth_first",
        &[
            "guard.simulation_hsts_missing",
            "guard.simulation_not_redirected",
        ],
        &[],
    ),
    ("database_before_security", &[], &["guard.middleware_order"]),
    ("sees_answer_path", &[], &[]),
    // What the simulated HTTPS response sends, judged by the rules verify uses.
    ("hsts_forgotten", &["guard.header.max_age.zero"], &[]),
    ("hsts_malformed", &["guard.header.parse.invalid"], &[]),
    ("hsts_repeated", &["guard.response.multiple_headers"], &[]),
    (
        "cookies_secure_stripped",
        &[
            "guard.cookies.csrf.no_secure",
            "guard.cookies.session.no_secure",
        ],
        &[],
    ),
];

#[test]
fn edge_cases_under_every_django_match_the_rules_and_django() {
    for venv in venvs() {
        for (module, block, warn) in EDGE_CASES {
            let settings_module = format!("edge.settings.{module}");
            let vars = [("DJANGO_SETTINGS_MODULE", settings_module.as_str())];
            let exit = i32::from(!block.is_empty());
            let report = json_report(&venv, &fixture("edge"), &vars, exit);
            let context = format!("{} {module}", venv.name);
            assert_eq!(blocking_ids(&report), set(block), "{context}");
            assert_eq!(ids_with_severity(&report, "warn"), set(warn), "{context}");
            let django = django_check_ids(&venv, &fixture("edge"), &vars);
            assert!(
                django.is_subset(&ids(&report, "findings")),
                "{context}: Django printed {django:?}"
            );
        }
    }
}

#[test]
fn simulation_findings_name_the_middleware_that_answered() {
    let vars = [("DJANGO_SETTINGS_MODULE", "edge.settings.basic_auth_first")];
    let report = json_report(&default_venv(), &fixture("edge"), &vars, 1);
    assert_eq!(
        message_of(&report, "guard.simulation_not_redirected"),
        "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://www.example.com/.well-known/release-guard/ (X-Forwarded-Proto: http) got 401 from edge.middleware.BasicAuthMiddleware instead of a redirect to https://www.example.com."
    );
    let vars = [(
        "DJANGO_SETTINGS_MODULE",
        "edge.settings.database_before_security",
    )];
    let report = json_report(&default_venv(), &fixture("edge"), &vars, 0);
    assert_eq!(
        message_of(&report, "guard.middleware_order"),
        "The simulated HTTP and HTTPS requests for /.well-known/release-guard/ needed the database in edge.middleware.SiteConfigurationMiddleware, which runs before SecurityMiddleware could answer, so the HTTPS redirect and HSTS were not verified."
    );
}

#[test]
fn values_the_simulated_response_sends_are_judged_in_verify_s_words() {
    let simulated =
        "The simulated HTTPS response for https://www.example.com/.well-known/release-guard/";
    for (module, id, message) in [
        (
            "hsts_forgotten",
            "guard.header.max_age.zero",
            format!(
                "{simulated} sends max-age=0, which tells browsers to forget the site's HSTS policy. The settings make SecurityMiddleware send `max-age=31536000; includeSubDomains; preload`, so other code writes or rewrites this one."
            ),
        ),
        (
            "cookies_secure_stripped",
            "guard.cookies.session.no_secure",
            format!(
                "{simulated} sets the session cookie `sessionid` without Secure. SESSION_COOKIE_SECURE is True, so other code writes or rewrites the cookie."
            ),
        ),
    ] {
        let settings_module = format!("edge.settings.{module}");
        let vars = [("DJANGO_SETTINGS_MODULE", settings_module.as_str())];
        let report = json_report(&default_venv(), &fixture("edge"), &vars, 1);
        assert_eq!(message_of(&report, id), message, "{module}");
    }
}

pub(crate) fn message_of(report: &Value, id: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == id)
        .and_then(|finding| finding["message"].as_str())
        .unwrap_or_else(|| panic!("no {id} in {report}"))
        .to_string()
}

#[test]
fn a_pattern_nested_20000_levels_deep_is_reported_even_in_warn_mode() {
    let vars = [
        (
            "DJANGO_SETTINGS_MODULE",
            "edge.settings.redirect_exempt_deep",
        ),
        ("RELEASE_GUARD_MODE", "warn"),
    ];
    let report = json_report(&default_venv(), &fixture("edge"), &vars, 0);
    assert!(
        message_of(&report, "guard.redirect_exempt_invalid").ends_with(
            "which Python cannot compile (RecursionError: nested too deeply to compile): SecurityMiddleware raises the same error as the app starts, so the app cannot answer any request."
        ),
        "{report}"
    );
}

#[test]
fn every_path_exempt_with_current_site_middleware_blocks() {
    // (?i).* is syntax the old hand-written matcher skipped, and the plain-HTTP request reached
    // the database in CurrentSiteMiddleware, which proves it was not redirected.
    let vars = [(
        "DJANGO_SETTINGS_MODULE",
        "edge.settings.current_site_exempt_all",
    )];
    let report = json_report(&default_venv(), &fixture("edge"), &vars, 1);
    assert_eq!(
        message_of(&report, "guard.redirect_exempt_catch_all"),
        "SECURE_REDIRECT_EXEMPT contains \"(?i).*\", which exempts every path tried (/, /login/, /accounts/login/, /admin/, /admin/login/, /q7x2v9k4/any-page/), so SECURE_SSL_REDIRECT never redirects anything."
    );
}

/// A copy of `fixtures/<name>` in the scratch directory, with `files` written over it.
pub(crate) fn fixture_copy(name: &str, venv: &Venv, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch("gate-apps").join(format!("{name}-{}", venv.name));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    copy_dir(&fixture(name), &dir).unwrap();
    for (path, content) in files {
        std::fs::write(dir.join(path), content).unwrap();
    }
    dir
}

const BAKERY_PRODUCTION: [(&str, &str); 4] = [
    ("DJANGO_SETTINGS_MODULE", "bakerydemo.settings.production"),
    (
        "DJANGO_SECRET_KEY",
        "bakery-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN",
    ),
    ("DJANGO_ALLOWED_HOSTS", "bakerydemo.herokuapp.com"),
    // Nothing listens there: the probe must not try.
    ("REDIS_URL", "redis://127.0.0.1:9/0"),
];

#[test]
fn bakerydemo_style_app_passes_and_blocks_without_the_redirect() {
    for venv in venvs() {
        // Its own cache (LocMem, LOCATION "bakerydemo", named like the host) must not change
        // the verdict either.
        let own_cache = json_report(&venv, &fixture("bakery"), &BAKERY_PRODUCTION[..3], 0);
        assert_eq!(blocking_ids(&own_cache), BTreeSet::new(), "{}", venv.name);
        let report = json_report(&venv, &fixture("bakery"), &BAKERY_PRODUCTION, 0);
        assert_eq!(
            ids_with_severity(&report, "info"),
            set(&["guard.database_checks_not_run"]),
            "{}",
            venv.name
        );
        let mut vars = BAKERY_PRODUCTION.to_vec();
        vars.push(("DJANGO_SECURE_SSL_REDIRECT", "off"));
        let blocked = json_report(&venv, &fixture("bakery"), &vars, 1);
        assert_eq!(
            blocking_ids(&blocked),
            set(&["security.W008"]),
            "{}",
            venv.name
        );
    }
}

#[test]
fn djangoproject_style_app_passes_and_blocks_an_exemption_of_every_path() {
    for venv in venvs() {
        let app_dir = fixture_copy(
            "djangoproject",
            &venv,
            &[(
                "secrets.json",
                r#"{"secret_key": "djangoproject-key-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ", "db_engine": "sqlite"}"#,
            )],
        );
        let secrets = app_dir.join("secrets.json");
        let secrets = secrets.to_str().unwrap();
        for (module, code, block) in [
            ("djangoproject.settings.prod", 0, &[][..]),
            (
                "djangoproject.settings.prod_exempt_all",
                1,
                &["guard.redirect_exempt_catch_all"][..],
            ),
        ] {
            let vars = [
                ("DJANGO_SETTINGS_MODULE", module),
                ("DJANGOPROJECT_SECRETS", secrets),
            ];
            let report = json_report(&venv, &app_dir, &vars, code);
            let context = format!("{} {module}", venv.name);
            assert_eq!(blocking_ids(&report), set(block), "{context}");
            // CurrentSiteMiddleware needs the database after SecurityMiddleware: judged, not
            // skipped.
            assert!(
                !ids(&report, "findings").contains("guard.simulation_skipped"),
                "{context}: {report}"
            );
            let django = django_check_ids(&venv, &app_dir, &vars);
            assert!(django.is_subset(&ids(&report, "findings")), "{context}");
        }
    }
}

#[test]
fn getting_started_style_app_passes_and_blocks_without_gunicorn_trust() {
    let vars = [
        ("DYNO", "web.1"),
        (
            "DJANGO_SECRET_KEY",
            "getting-started-key-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ",
        ),
    ];
    for venv in venvs() {
        let report = json_report(&venv, &fixture("getting-started"), &vars, 0);
        assert_eq!(blocking_ids(&report), BTreeSet::new(), "{}", venv.name);
        let untrusting = fixture_copy(
            "getting-started",
            &venv,
            &[("gunicorn.conf.py", "workers = 2\n")],
        );
        let blocked = json_report(&venv, &untrusting, &vars, 1);
        assert_eq!(
            blocking_ids(&blocked),
            set(&["guard.https_undetectable"]),
            "{}",
            venv.name
        );
    }
}

#[test]
fn trusting_gunicorn_config_replaces_the_proxy_header() {
    let venv = default_venv();
    let vars = [("DJANGO_SETTINGS_MODULE", "edge.settings.no_proxy_header")];
    let report = json_report(&venv, &fixture("edge-proxy-trusted"), &vars, 0);
    assert_eq!(
        ids(&report, "findings"),
        set(&["guard.database_checks_not_run"])
    );
}

/// What the guard's floor says after Django's own message when Django did not report it.
const NOT_REPORTED_BY_DJANGO: &str = " Django's checks did not report this (the app's code may have changed the check registry); Release Guard checks it from the settings itself.";

/// The tutorial with DEBUG on (config var), no HTTPS settings and a session cookie scripts can
/// read: Django's deploy checks report all of it, unless `tampering` silences them.
fn insecure_tutorial(name: &str, venv: &Venv, tampering: &str) -> PathBuf {
    app(
        name,
        venv,
        &format!("SESSION_COOKIE_HTTPONLY = False\n{tampering}"),
        &[],
    )
}

const DEBUG_ON: [(&str, &str); 1] = [("DEBUG", "true")];

/// Ways app code breaks Django's checks by accident (a start-up "optimisation", a test helper
/// left in settings).
const TAMPERINGS: [(&str, &str); 2] = [
    (
        "registry-cleared",
        indoc! {"
            from django.core.checks.registry import registry
            registry.registered_checks.clear()
            registry.deployment_checks.clear()
        "},
    ),
    (
        "run-checks-replaced",
        indoc! {"
            import django.core.checks
            django.core.checks.run_checks = lambda *args, **kwargs: []
        "},
    ),
];

/// Each finding's ID and message.
/// (ID, message) of every finding but the info line about database checks, which only an app
/// whose check registry still holds them gets.
fn messages(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["id"] != "guard.database_checks_not_run")
        .map(|finding| {
            (
                finding["id"].as_str().unwrap().to_string(),
                finding["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clearing_django_s_checks_does_not_hide_the_deploy_settings() {
    let expected = set(&[
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W015",
        "security.W016",
        "security.W018",
    ]);
    for venv in venvs() {
        let honest = insecure_tutorial("floor-honest", &venv, "");
        let django_report = json_report(&venv, &honest, &DEBUG_ON, 1);
        assert_eq!(blocking_ids(&django_report), expected, "{}", venv.name);
        // Django reported each problem: one finding each, Django's own.
        let django_messages = messages(&django_report);
        assert_eq!(django_messages.len(), expected.len(), "{django_messages:?}");
        assert!(
            django_report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|finding| finding["severity"] == "block")
                .all(|finding| finding["source"] == "django")
        );
        for (name, tampering) in TAMPERINGS {
            let tampered = insecure_tutorial(&format!("floor-{name}"), &venv, tampering);
            let context = format!("{} {name}", venv.name);
            // `manage.py check --deploy` is fooled too.
            assert_eq!(
                django_check_ids(&venv, &tampered, &DEBUG_ON),
                BTreeSet::new(),
                "{context}"
            );
            let report = json_report(&venv, &tampered, &DEBUG_ON, 1);
            assert_eq!(blocking_ids(&report), expected, "{context}");
            // Django's own words, and why Django's output lacks them.
            let floor_messages: Vec<(String, String)> = django_messages
                .iter()
                .map(|(id, message)| (id.clone(), format!("{message}{NOT_REPORTED_BY_DJANGO}")))
                .collect();
            assert_eq!(messages(&report), floor_messages, "{context}");
        }
    }
}

#[test]
fn cleared_checks_release_log() {
    let venv = default_venv();
    let (name, tampering) = TAMPERINGS[0];
    let app_dir = insecure_tutorial(&format!("floor-log-{name}"), &venv, tampering);
    let text = release_log(&app_dir, &DEBUG_ON, 1);
    let log = text.split_once('\n').unwrap().1;
    assert_eq!(
        log,
        indoc! {r"

            BLOCKING (6)
            - security.W004 (SECURE_HSTS_SECONDS)
              You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only
              over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be
              sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible
              problems. Django's checks did not report this (the app's code may have changed the check
              registry); Release Guard checks it from the settings itself.
              Required: an int: 3600 (1 hour) first, raised step by step to 31536000 (1 year) once every page
                        and subdomain works over HTTPS
              Why: HSTS makes browsers refuse plain HTTP for the site, so nobody can be downgraded on a hostile
                   network. Start short: a mistake at 3600 is forgotten after 1 hour, at 31536000 browsers keep
                   it for 1 year.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W008 (SECURE_SSL_REDIRECT)
              Your SECURE_SSL_REDIRECT setting is not set to True. Unless your site should be available over
              both SSL and non-SSL connections, you may want to either set this setting True or configure a load
              balancer or reverse-proxy server to redirect all connections to HTTPS. Django's checks did not
              report this (the app's code may have changed the check registry); Release Guard checks it from the
              settings itself.
              Required: True, together with SECURE_PROXY_SSL_HEADER so Django sees HTTPS behind Heroku's router
              Why: Visitors who type the address or follow an old http:// link stay on plain HTTP, where pages
                   and cookies can be read and changed. Heroku's router terminates TLS, so without
                   SECURE_PROXY_SSL_HEADER every HTTPS request would redirect to itself.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W012 (SESSION_COOKIE_SECURE)
              SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more
              difficult for network traffic sniffers to hijack user sessions. Django's checks did not report
              this (the app's code may have changed the check registry); Release Guard checks it from the
              settings itself.
              Why: Browsers would send the session cookie over plain HTTP, where anyone on the network can copy
                   it and take over the session.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W015 (SESSION_COOKIE_HTTPONLY)
              SESSION_COOKIE_HTTPONLY is not set to True. Using an HttpOnly session cookie makes it more
              difficult for cross-site scripting attacks to hijack user sessions. Django's checks did not report
              this (the app's code may have changed the check registry); Release Guard checks it from the
              settings itself.
              Why: Scripts, including injected ones, could read the session cookie.
              Fix: SESSION_COOKIE_HTTPONLY = True
              Where: replace line 119 of mysite/settings.py, where SESSION_COOKIE_HTTPONLY is set.
            - security.W016 (CSRF_COOKIE_SECURE)
              You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set
              CSRF_COOKIE_SECURE to True. Using a secure-only CSRF cookie makes it more difficult for network
              traffic sniffers to steal the CSRF token. Django's checks did not report this (the app's code may
              have changed the check registry); Release Guard checks it from the settings itself.
              Why: The CSRF cookie would travel over plain HTTP, where it can be read or overwritten.
              Fix: USE_SSL=true
              Where: the block at mysite/settings.py:32 runs only when the USE_SSL config var is true
                     (pydantic-settings Settings.USE_SSL, case-insensitive).
            - security.W018 (DEBUG)
              You should not have DEBUG set to True in deployment. Django's checks did not report this (the
              app's code may have changed the check registry); Release Guard checks it from the settings itself.
              Required: False in production (read it from a config var that defaults to False)
              Why: Error pages would show settings, source code and SQL to anyone who triggers an error.
              Fix: unset DEBUG
              Where: mysite/settings.py:28 reads DEBUG from the DEBUG config var (pydantic-settings
                     Settings.DEBUG, case-insensitive); unset, it is False.

            Release blocked: 6 problems
            Fix: USE_SSL=true
            Fix: unset DEBUG
            Fix: change mysite/settings.py as shown above, then deploy again
            Deploy anyway: RELEASE_GUARD_MODE=warn
        "}
    );
}

/// Combinations of the floor's settings over the edge app's hardened base (JSON for
/// `edge.settings.floor`), and the IDs that block whether Django's check registry is intact or
/// cleared: one combination per row of the floor's table, the issue's (`SecurityMiddleware`
/// removed) first.
const FLOOR_COMBINATIONS: [(&str, &[&str]); 6] = [
    (
        r#"{"MIDDLEWARE": ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware"]}"#,
        &["security.W001"],
    ),
    (
        r#"{"MIDDLEWARE": ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware"], "DEBUG": true, "ALLOWED_HOSTS": []}"#,
        &["security.W018", "security.W020"],
    ),
    (
        r#"{"SECURE_HSTS_SECONDS": 0, "SECURE_SSL_REDIRECT": 1, "SESSION_COOKIE_SECURE": 1, "SESSION_COOKIE_HTTPONLY": false, "CSRF_COOKIE_SECURE": "yes"}"#,
        &[
            "security.W004",
            "security.W008",
            "security.W012",
            "security.W015",
            "security.W016",
        ],
    ),
    (
        r#"{"SECURE_REFERRER_POLICY": "same-origin, nope", "SECURE_CROSS_ORIGIN_OPENER_POLICY": "bogus"}"#,
        &["security.E023", "security.E024"],
    ),
    (
        r#"{"SECRET_KEY": "django-insecure-short"}"#,
        &["security.W009"],
    ),
    (
        r#"{"INSTALLED_APPS": ["django.contrib.auth", "django.contrib.contenttypes", "edge.apps.EdgeConfig"], "SESSION_COOKIE_SECURE": false, "SESSION_COOKIE_HTTPONLY": null}"#,
        &["security.W011", "security.W014"],
    ),
];

/// Django's deploy checks the floor leaves out: they never block by default (docs/rules.md).
const NOT_IN_THE_FLOOR: [&str; 7] = [
    "security.W002",
    "security.W005",
    "security.W006",
    "security.W019",
    "security.W021",
    "security.W022",
    "security.W025",
];

#[test]
fn clearing_the_check_registry_never_lowers_the_verdict_under_every_django() {
    for venv in venvs() {
        for (settings, expected) in FLOOR_COMBINATIONS {
            let context = format!("{} {settings}", venv.name);
            let intact_vars = [
                ("DJANGO_SETTINGS_MODULE", "edge.settings.floor"),
                ("EDGE_FLOOR_SETTINGS", settings),
            ];
            let mut cleared_vars = intact_vars.to_vec();
            cleared_vars.push(("EDGE_CLEAR_CHECKS", "1"));
            // `manage.py check --deploy` is fooled; Django reports the problems when intact.
            assert_eq!(
                django_check_ids(&venv, &fixture("edge"), &cleared_vars),
                BTreeSet::new(),
                "{context}"
            );
            let intact = json_report(&venv, &fixture("edge"), &intact_vars, 1);
            let cleared = json_report(&venv, &fixture("edge"), &cleared_vars, 1);
            assert_eq!(blocking_ids(&intact), set(expected), "{context}");
            assert_eq!(blocking_ids(&cleared), set(expected), "{context}");
            // The floor reports the checks it holds in Django's words, saying why Django did not.
            let held: Vec<(String, String)> = messages(&intact)
                .into_iter()
                .filter(|(id, _)| !NOT_IN_THE_FLOOR.contains(&id.as_str()))
                .map(|(id, message)| (id, format!("{message}{NOT_REPORTED_BY_DJANGO}")))
                .collect();
            let floor: Vec<(String, String)> = messages(&cleared)
                .into_iter()
                .filter(|(id, _)| id.starts_with("security."))
                .collect();
            assert_eq!(floor, held, "{context}");
        }
    }
}

#[test]
fn silenced_checks_stay_silenced_when_the_guard_checks_them_itself() {
    let venv = default_venv();
    let tampering = format!(
        "SILENCED_SYSTEM_CHECKS = [\"security.W018\", \"security.W015\"]\n{}",
        TAMPERINGS[0].1
    );
    let app_dir = insecure_tutorial("floor-silenced", &venv, &tampering);
    let report = json_report(&venv, &app_dir, &DEBUG_ON, 1);
    assert_eq!(
        ids(&report, "silenced"),
        set(&["security.W015", "security.W018"])
    );
    assert!(!blocking_ids(&report).contains("security.W018"));
}

/// The tutorial with HTTPS on, plus a Django warning outside the `security` tag: it passes
/// with three warnings by default.
fn tutorial_with_warnings(venv: &Venv) -> PathBuf {
    app(
        "fail-level",
        venv,
        "STATICFILES_DIRS = [BASE_DIR / \"assets\"]  # not created yet\n",
        &[],
    )
}

#[test]
fn fail_level_warning_blocks_every_warning_like_the_seed_s_release_script() {
    let warnings = set(&[
        "guard.hsts_preload_ineligible",
        "guard.hsts_seconds_short",
        "staticfiles.W004",
    ]);
    for venv in venvs() {
        let app_dir = tutorial_with_warnings(&venv);
        let default = json_report(&venv, &app_dir, &USE_SSL, 0);
        assert_eq!(
            ids_with_severity(&default, "warn"),
            warnings,
            "{}",
            venv.name
        );

        // What the release script did: `check --deploy --fail-level WARNING` fails.
        let seed = command(venv.python().to_str().unwrap(), &venv, &app_dir, &USE_SSL)
            .args(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
            .output()
            .unwrap();
        assert_exit(&seed, 1);

        let strict = [USE_SSL[0], ("RELEASE_GUARD_FAIL_LEVEL", "warning")];
        let report = json_report(&venv, &app_dir, &strict, 1);
        assert_eq!(blocking_ids(&report), warnings, "{}", venv.name);
        assert!(django_check_ids(&venv, &app_dir, &USE_SSL).is_subset(&blocking_ids(&report)));
    }
}

#[test]
fn a_session_cookie_without_httponly_blocks_by_default() {
    for venv in venvs() {
        let app_dir = app(
            "httponly-off",
            &venv,
            "SESSION_COOKIE_HTTPONLY = False\n",
            &[],
        );
        let report = json_report(&venv, &app_dir, &USE_SSL, 1);
        assert_eq!(
            blocking_ids(&report),
            set(&["security.W015"]),
            "{}",
            venv.name
        );
    }
}

/// Settings in the style of django/djangoproject.com, which runs behind its own proxy and
/// trusts X-Forwarded-Protocol, deployed behind Heroku's router with HSTS on.
const FORWARDED_PROTOCOL: &str = indoc! {r#"
    # The front-end proxy forwards the scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTOCOL", "https")
    SECURE_HSTS_SECONDS = 31536000
"#};

/// gunicorn trusting the router, so the simulated HTTPS request is secure without the header.
const TRUSTING_GUNICORN: [(&str, &str); 1] =
    [("gunicorn.conf.py", "forwarded_allow_ips = \"*\"\n")];

#[test]
fn a_proxy_header_the_router_does_not_set_blocks() {
    for venv in venvs() {
        let app_dir = app(
            "forwarded-protocol",
            &venv,
            FORWARDED_PROTOCOL,
            &TRUSTING_GUNICORN,
        );
        let report = json_report(&venv, &app_dir, &USE_SSL, 1);
        assert_eq!(
            blocking_ids(&report),
            set(&["guard.proxy_ssl_header_unexpected"]),
            "{}",
            venv.name
        );
        assert_eq!(
            ids(&report, "findings"),
            set(&[
                "guard.database_checks_not_run",
                "guard.proxy_ssl_header_unexpected"
            ]),
            "{}",
            venv.name
        );
    }
    let app_dir = app(
        "forwarded-protocol-log",
        &default_venv(),
        FORWARDED_PROTOCOL,
        &TRUSTING_GUNICORN,
    );
    let text = release_log(&app_dir, &USE_SSL, 1);
    assert_eq!(
        text.split_once('\n').unwrap().1,
        indoc! {r#"

            BLOCKING (1)
            - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
              SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Protocol, but the proxy in front of the app marks HTTPS
              requests with X-Forwarded-Proto: https.
              Required: the header the proxy in front of the app sets, X-Forwarded-Proto as Heroku's router and
                        most platforms' routers do. Behind a proxy that sets another header, name that header in
                        project.toml ([com.release-guard] proxy-ssl-header) or in the
                        RELEASE_GUARD_PROXY_SSL_HEADER config var, e.g.
                        RELEASE_GUARD_PROXY_SSL_HEADER="X-Forwarded-Protocol".
              Why: The proxy sets X-Forwarded-Proto itself but passes other headers through from the client, as
                   Heroku's router does, so any client can send "X-Forwarded-Protocol: https" over plain HTTP
                   and Django treats that request as HTTPS: SECURE_SSL_REDIRECT does not redirect it, and
                   request.is_secure() and build_absolute_uri() say https for a plain-HTTP connection.
              Fix: SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

            INFO (1)
            - guard.database_checks_not_run
              Django's database checks were not run (django.core.checks.database.check_database_backends):
              Release Guard never connects to a database.
              Fix: python manage.py check --database default  # where the database is reachable, e.g. in CI

            Release blocked: 1 problem
            Fix: change mysite/settings.py as shown above, then deploy again
            Deploy anyway: RELEASE_GUARD_MODE=warn
        "#}
    );
}

#[test]
fn behind_a_proxy_that_sets_another_header_the_setting_names_it() {
    let behind_protocol_proxy = [
        USE_SSL[0],
        ("RELEASE_GUARD_PROXY_SSL_HEADER", "X-Forwarded-Protocol"),
    ];
    for venv in venvs() {
        // No server trust: only the configured header makes the simulated HTTPS request secure.
        let app_dir = app("forwarded-protocol-proxy", &venv, FORWARDED_PROTOCOL, &[]);
        let report = json_report(&venv, &app_dir, &behind_protocol_proxy, 0);
        assert_eq!(
            ids(&report, "findings"),
            set(&["guard.database_checks_not_run"]),
            "{}",
            venv.name
        );
        // The tutorial's X-Forwarded-Proto is then the header that proxy does not set.
        let tutorial = json_report(&venv, &fixture("tutorial"), &behind_protocol_proxy, 1);
        assert!(blocking_ids(&tutorial).contains("guard.proxy_ssl_header_unexpected"));
    }
}

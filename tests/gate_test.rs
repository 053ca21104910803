//! The built `release-guard` binary against real Django apps in the real venvs: the tutorial
//! fixture, and copies of it with one setting changed (appended to settings.py, where the last
//! assignment wins). No mocks: Django, gunicorn's configuration and the probe are real.

// Helpers are not `#[test]` functions, but a panic is how they report a failure too.
#![allow(clippy::unwrap_used)]

use crate::support::python::{Venv, default_venv, fixture, venvs};
use indoc::indoc;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GUARD: &str = env!("CARGO_BIN_EXE_release-guard");

/// 50+ characters, many distinct: W009 stays quiet.
const SECRET_KEY: &str = "gate-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ";
const ALLOWED_HOSTS: &str = r#"["guard-demo.herokuapp.com"]"#;

/// A copy of the tutorial app with `extra_settings` appended to settings.py and `files`
/// written into the app directory, unique per test and venv.
fn app(name: &str, venv: &Venv, extra_settings: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("gate-apps")
        .join(format!("{name}-{}", venv.name));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    copy_dir(&fixture("tutorial"), &dir);
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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
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
        .env("SECRET_KEY", SECRET_KEY)
        .env("ALLOWED_HOSTS", ALLOWED_HOSTS);
    for (name, value) in vars {
        if value.is_empty() {
            command.env_remove(name);
        } else {
            command.env(name, value);
        }
    }
    command
}

fn guard(venv: &Venv, app_dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    command(GUARD, venv, app_dir, vars)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not one JSON document ({error}):\n{}", stdout(output)))
}

fn ids(report: &Value, list: &str) -> BTreeSet<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["id"].as_str().unwrap().to_string())
        .collect()
}

fn blocking_ids(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["severity"] == "block")
        .map(|finding| finding["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
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
    let venv = default_venv();
    let output = guard(&venv, &fixture("tutorial"), &[], &[]);
    assert_exit(&output, 1);
    let text = stdout(&output);
    let (header, log) = text.split_once('\n').unwrap();
    assert!(header.starts_with("Django Release Guard "), "{header}");
    assert!(header.contains(" | Django 5.2."), "{header}");
    assert!(header.ends_with(" | settings mysite.settings"), "{header}");
    assert_eq!(
        log,
        indoc! {r#"

            BLOCKING (4)
            - security.W004 (SECURE_HSTS_SECONDS)
              You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only
              over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be
              sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible
              problems.
              Required: an int: 3600 (1 hour) first, raised step by step to 31536000 (1 year) once every page
                        and subdomain works over HTTPS
              Why: HSTS makes browsers refuse plain HTTP for the site, so nobody can be downgraded on a hostile
                   network. Start short: a mistake at 3600 is forgotten in an hour, at 31536000 browsers keep it
                   for a year.
              Fix: SECURE_HSTS_SECONDS = 3600
            - security.W008 (SECURE_SSL_REDIRECT)
              Your SECURE_SSL_REDIRECT setting is not set to True. Unless your site should be available over
              both SSL and non-SSL connections, you may want to either set this setting True or configure a load
              balancer or reverse-proxy server to redirect all connections to HTTPS.
              Required: True, together with SECURE_PROXY_SSL_HEADER so Django sees HTTPS behind Heroku's router
              Why: Visitors who type the address or follow an old http:// link stay on plain HTTP, where pages
                   and cookies can be read and changed. Heroku's router terminates TLS, so without
                   SECURE_PROXY_SSL_HEADER every HTTPS request would redirect to itself.
              Fix: SECURE_SSL_REDIRECT = True
                   SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
            - security.W012 (SESSION_COOKIE_SECURE)
              SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more
              difficult for network traffic sniffers to hijack user sessions.
              Why: Browsers would send the session cookie over plain HTTP, where anyone on the network can copy
                   it and take over the session.
              Fix: SESSION_COOKIE_SECURE = True
            - security.W016 (CSRF_COOKIE_SECURE)
              You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set
              CSRF_COOKIE_SECURE to True. Using a secure-only CSRF cookie makes it more difficult for network
              traffic sniffers to steal the CSRF token.
              Why: The CSRF cookie would travel over plain HTTP, where it can be read or overwritten.
              Fix: CSRF_COOKIE_SECURE = True

            Release blocked: 4 problems
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
            Ignore one check: heroku config:set RELEASE_GUARD_IGNORE=security.W004
        "#}
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
        &[("USE_SSL", "true")],
    ),
    (
        "no-security-middleware",
        "MIDDLEWARE = MIDDLEWARE[1:]\n",
        &[],
        &[("USE_SSL", "true")],
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
        let blocked = guard(&venv, &tutorial, &["--format", "json"], &[]);
        assert_exit(&blocked, 1);
        let report = json(&blocked);
        assert_eq!(report["verdict"], "block");
        assert_eq!(
            blocking_ids(&report),
            set(&[
                "security.W004",
                "security.W008",
                "security.W012",
                "security.W016"
            ]),
            "{}",
            venv.name
        );
        let passed = guard(
            &venv,
            &tutorial,
            &["--format", "json"],
            &[("USE_SSL", "true")],
        );
        assert_exit(&passed, 0);
        assert_eq!(json(&passed)["verdict"], "pass");
    }
}

#[test]
fn missing_secret_key_cannot_be_evaluated() {
    let venv = default_venv();
    let output = guard(&venv, &fixture("tutorial"), &[], &[("SECRET_KEY", "")]);
    assert_exit(&output, 2);
    let text = stdout(&output);
    assert!(
        text.contains("COULD NOT EVALUATE: Loading mysite.settings failed\n"),
        "{text}"
    );
    assert!(
        text.contains("  ValidationError: 1 validation error for Settings\n  SECRET_KEY\n"),
        "{text}"
    );
    assert!(
        text.contains("File \"mysite/settings.py\", line "),
        "{text}"
    );
    assert!(text.ends_with("Release blocked: it could not be evaluated\nDeploy anyway: heroku config:set RELEASE_GUARD_MODE=warn\n"), "{text}");
}

#[test]
fn hsts_string_zero_blocks_although_django_is_silent() {
    let venv = default_venv();
    let app_dir = app("hsts-zero", &venv, "SECURE_HSTS_SECONDS = \"0\"\n", &[]);
    let vars = [("USE_SSL", "true")];
    assert!(!django_check_ids(&venv, &app_dir, &vars).contains("security.W004"));
    let output = guard(&venv, &app_dir, &["--format", "json"], &vars);
    assert_exit(&output, 1);
    assert_eq!(
        blocking_ids(&json(&output)),
        set(&["guard.hsts_seconds_invalid"])
    );
}

#[test]
fn plain_gunicorn_without_proxy_header_blocks_and_trusting_gunicorn_passes() {
    let venv = default_venv();
    let vars = [("USE_SSL", "true")];
    let untrusted = app(
        "proxy-untrusted",
        &venv,
        "SECURE_PROXY_SSL_HEADER = None\n",
        &[],
    );
    let output = guard(&venv, &untrusted, &["--format", "json"], &vars);
    assert_exit(&output, 1);
    assert_eq!(
        blocking_ids(&json(&output)),
        set(&["guard.https_undetectable"])
    );

    let trusted = app(
        "proxy-trusted",
        &venv,
        "SECURE_PROXY_SSL_HEADER = None\n",
        &[("gunicorn.conf.py", "forwarded_allow_ips = \"*\"\n")],
    );
    let output = guard(&venv, &trusted, &["--format", "json"], &vars);
    assert_exit(&output, 0);
    assert_eq!(blocking_ids(&json(&output)), BTreeSet::new());
}

#[test]
fn catch_all_redirect_exemption_blocks() {
    let venv = default_venv();
    let app_dir = app(
        "exempt-all",
        &venv,
        "SECURE_REDIRECT_EXEMPT = [r\".*\"]\n",
        &[],
    );
    let output = guard(
        &venv,
        &app_dir,
        &["--format", "json"],
        &[("USE_SSL", "true")],
    );
    assert_exit(&output, 1);
    assert_eq!(
        blocking_ids(&json(&output)),
        set(&["guard.redirect_exempt_catch_all"])
    );
}

#[test]
fn settings_that_print_do_not_break_json() {
    let venv = default_venv();
    let app_dir = app(
        "printing",
        &venv,
        "print(\"{ settings say hello\")\nimport sys\nsys.stderr.write(\"and complain\\n\")\n",
        &[],
    );
    let output = guard(
        &venv,
        &app_dir,
        &["--format", "json"],
        &[("USE_SSL", "true")],
    );
    assert_exit(&output, 0);
    assert_eq!(json(&output)["verdict"], "pass");
}

#[test]
fn settings_that_hang_time_out() {
    let venv = default_venv();
    let app_dir = app("hanging", &venv, "import time\ntime.sleep(120)\n", &[]);
    let started = Instant::now();
    let output = guard(&venv, &app_dir, &[], &[("RELEASE_GUARD_TIMEOUT", "2")]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_exit(&output, 2);
    assert!(stdout(&output).contains("COULD NOT EVALUATE: The app did not load in time\n"));
}

#[test]
fn no_python_on_path() {
    let venv = default_venv();
    let empty_bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gate-empty-bin");
    std::fs::create_dir_all(&empty_bin).unwrap();
    let output = guard(
        &venv,
        &fixture("tutorial"),
        &[],
        &[("PATH", empty_bin.to_str().unwrap())],
    );
    assert_exit(&output, 2);
    let text = stdout(&output);
    assert!(
        text.contains("COULD NOT EVALUATE: No Python interpreter found\n"),
        "{text}"
    );
    assert!(text.contains("RELEASE_GUARD_PYTHON"), "{text}");
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
    let output = guard(
        &venv,
        &app_dir,
        &["--format", "json"],
        &[("RELEASE_GUARD_IGNORE", "security.W012, security.W016")],
    );
    assert_exit(&output, 0);
    let report = json(&output);
    assert_eq!(ids(&report, "findings"), BTreeSet::new());
    let silenced: Vec<(&str, &str)> = report["silenced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["id"].as_str().unwrap(),
                finding["silenced_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        silenced,
        [
            ("security.W004", "silenced_system_checks"),
            ("security.W008", "silenced_system_checks"),
            ("security.W012", "ignore_config"),
            ("security.W016", "ignore_config"),
        ]
    );
}

#[test]
fn warn_mode_reports_loudly_and_passes() {
    let venv = default_venv();
    let output = guard(
        &venv,
        &fixture("tutorial"),
        &[],
        &[("RELEASE_GUARD_MODE", "warn")],
    );
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains("\nNOT ENFORCING (RELEASE_GUARD_MODE=warn): "),
        "{text}"
    );
    assert!(
        text.ends_with(indoc! {"
        Release passed (NOT ENFORCING): 4 problems would have blocked it
        Enforce again: heroku config:set RELEASE_GUARD_MODE=enforce
    "}),
        "{text}"
    );
}

#[test]
fn off_mode_prints_one_line_without_running_python() {
    let venv = default_venv();
    let empty_bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gate-empty-bin-off");
    std::fs::create_dir_all(&empty_bin).unwrap();
    let output = guard(
        &venv,
        &fixture("tutorial"),
        &[],
        &[
            ("RELEASE_GUARD_MODE", "off"),
            ("PATH", empty_bin.to_str().unwrap()),
        ],
    );
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.ends_with(
            ": RELEASE_GUARD_MODE=off, no checks run; the release goes ahead unchecked.\n"
        ),
        "{text}"
    );
}

#[test]
fn bad_mode_is_a_configuration_error() {
    let venv = default_venv();
    let output = guard(
        &venv,
        &fixture("tutorial"),
        &[],
        &[("RELEASE_GUARD_MODE", "relaxed")],
    );
    assert_exit(&output, 2);
    let text = stdout(&output);
    assert!(
        text.contains(
            "  RELEASE_GUARD_MODE is invalid: `relaxed` is not a mode; use enforce, warn or off\n"
        ),
        "{text}"
    );
}

#[test]
fn release_runs_the_command_only_when_the_gate_passes() {
    let venv = default_venv();
    let marker = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gate-release-ran");
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
        &[("USE_SSL", "true")],
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

/// One `fixtures/edge` settings module: the exit code and the IDs expected per severity.
struct Edge {
    module: &'static str,
    exit: i32,
    block: &'static [&'static str],
    warn: &'static [&'static str],
}

const EDGE_CASES: [Edge; 13] = [
    Edge {
        module: "good",
        exit: 0,
        block: &[],
        warn: &[],
    },
    Edge {
        module: "hsts_string_zero",
        exit: 1,
        block: &["guard.hsts_seconds_invalid"],
        warn: &[],
    },
    Edge {
        module: "hsts_short",
        exit: 0,
        block: &[],
        warn: &["guard.hsts_preload_ineligible", "guard.hsts_seconds_short"],
    },
    Edge {
        module: "no_proxy_header",
        exit: 1,
        block: &["guard.https_undetectable"],
        warn: &[],
    },
    Edge {
        module: "redirect_exempt_all",
        exit: 1,
        block: &["guard.redirect_exempt_catch_all"],
        warn: &[],
    },
    Edge {
        module: "redirect_exempt_empty",
        exit: 1,
        block: &["guard.redirect_exempt_catch_all"],
        warn: &[],
    },
    Edge {
        module: "silenced",
        exit: 0,
        block: &[],
        warn: &[],
    },
    Edge {
        module: "middleware_common_first",
        exit: 0,
        block: &[],
        warn: &["guard.middleware_order"],
    },
    Edge {
        module: "middleware_static_first",
        exit: 0,
        block: &[],
        warn: &["guard.middleware_order"],
    },
    Edge {
        module: "samesite_none_insecure",
        exit: 1,
        block: &[
            "guard.samesite_none_insecure",
            "security.W012",
            "security.W016",
        ],
        warn: &[],
    },
    Edge {
        module: "ssl_host_elsewhere",
        exit: 0,
        block: &[],
        warn: &["guard.ssl_host_off_host"],
    },
    Edge {
        module: "debug_on",
        exit: 1,
        block: &["security.W018", "security.W020"],
        warn: &[],
    },
    Edge {
        module: "database_middleware",
        exit: 0,
        block: &[],
        warn: &[],
    },
];

fn ids_with_severity(report: &Value, severity: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["severity"] == severity)
        .map(|finding| finding["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn edge_cases_under_every_django_match_the_rules_and_django() {
    for venv in venvs() {
        for case in EDGE_CASES {
            let module = format!("edge.settings.{}", case.module);
            let vars = [("DJANGO_SETTINGS_MODULE", module.as_str())];
            let output = guard(&venv, &fixture("edge"), &["--format", "json"], &vars);
            assert_exit(&output, case.exit);
            let report = json(&output);
            let context = format!("{} {}", venv.name, case.module);
            assert_eq!(
                ids_with_severity(&report, "block"),
                set(case.block),
                "{context}"
            );
            assert_eq!(
                ids_with_severity(&report, "warn"),
                set(case.warn),
                "{context}"
            );
            let django = django_check_ids(&venv, &fixture("edge"), &vars);
            assert!(
                django.is_subset(&ids(&report, "findings")),
                "{context}: Django printed {django:?}"
            );
        }
    }
}

#[test]
fn trusting_gunicorn_config_replaces_the_proxy_header() {
    let venv = default_venv();
    let vars = [("DJANGO_SETTINGS_MODULE", "edge.settings.no_proxy_header")];
    let output = guard(
        &venv,
        &fixture("edge-proxy-trusted"),
        &["--format", "json"],
        &vars,
    );
    assert_exit(&output, 0);
    assert_eq!(ids(&json(&output), "findings"), BTreeSet::new());
}

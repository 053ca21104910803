//! Advice end to end: `fixtures/advice` has one settings module per style of configuration
//! (plain settings.py, a settings package, os.environ, django-environ with a prefix,
//! python-decouple, pydantic-settings with a prefix and a USE_SSL-style switch). Each misses the
//! SSL redirect, keeps HSTS short, leaves a cookie without Secure and runs with DEBUG on; the
//! release log must name the change that applies to that app, in text and in JSON.

#![allow(clippy::unwrap_used)]

use crate::gate_test::{guard, json, stdout};
use crate::support::python::{default_venv, fixture};
use indoc::indoc;
use std::fmt::Write as _;

/// On a Heroku dyno: config var changes are `heroku config:...` commands.
pub(crate) const ON_HEROKU: (&str, &str) = ("DYNO", "release.1");

/// The guard's text log and JSON report for `fixtures/advice` with `module` and `vars`.
fn logs(module: &str, vars: &[(&str, &str)]) -> (String, serde_json::Value) {
    let settings = format!("advice.{module}");
    let vars = [vars, &[("DJANGO_SETTINGS_MODULE", settings.as_str())]].concat();
    let app = fixture("advice");
    let text = guard(&default_venv(), &app, &[], &vars);
    let report = guard(&default_venv(), &app, &["--format", "json"], &vars);
    (stdout(&text), json(&report))
}

/// The info line every report has (the probe never runs Django's database checks): it carries
/// no advice about the app's settings.
const DATABASE_CHECKS_NOT_RUN: &str = "guard.database_checks_not_run";

/// Each finding's title and its Fix and Where lines, then the closing lines.
pub(crate) fn advice_excerpt(log: &str) -> String {
    let mut excerpt = String::new();
    let mut keep = false;
    let mut skipping = false;
    for line in log.lines() {
        if line.starts_with("- ") {
            keep = false;
            skipping = line == format!("- {DATABASE_CHECKS_NOT_RUN}");
            if !skipping {
                excerpt.push_str(line);
                excerpt.push('\n');
            }
            continue;
        }
        if line.is_empty() {
            skipping = false;
        }
        if skipping {
            continue;
        }
        if line.starts_with("  Fix: ") || line.starts_with("Release ") {
            keep = true;
        }
        // The silenced list and the log's closing count of ignores (`1 ignored`) are not advice.
        let ignored_count = line
            .split_once(" ignored")
            .is_some_and(|(count, _)| count.parse::<usize>().is_ok());
        if line.is_empty() || line.starts_with("SILENCED (") || ignored_count {
            keep = false;
        }
        if keep {
            excerpt.push_str(line);
            excerpt.push('\n');
        }
    }
    excerpt
}

/// Each finding's structured advice on one line: id, location, then every change.
pub(crate) fn advice_fields(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["id"] != DATABASE_CHECKS_NOT_RUN)
        .map(|finding| {
            let mut line = finding["id"].as_str().unwrap().to_string();
            if let Some(at) = finding.get("location") {
                write!(line, " @{}:{}", at["file"].as_str().unwrap(), at["line"]).unwrap();
            }
            for advice in finding["advice"].as_array().into_iter().flatten() {
                write!(
                    line,
                    " | {} {}",
                    advice["setting"].as_str().unwrap(),
                    advice["action"].as_str().unwrap()
                )
                .unwrap();
                for field in ["config_var", "value", "text"] {
                    if let Some(value) = advice[field].as_str() {
                        write!(line, " {value}").unwrap();
                    }
                }
            }
            line
        })
        .collect()
}

/// The log's advice excerpt and the JSON's advice fields must be exactly `excerpt` and `fields`.
fn assert_advice(module: &str, vars: &[(&str, &str)], excerpt: &str, fields: &[&str]) {
    let (text, report) = logs(module, vars);
    assert_eq!(advice_excerpt(&text), excerpt, "{module}");
    assert_eq!(advice_fields(&report), fields, "{module}");
}

#[test]
fn plain_settings_py_gets_the_lines_to_change() {
    let (text, report) = logs("plain_settings", &[ON_HEROKU]);
    assert_eq!(
        advice_excerpt(&text),
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: SECURE_SSL_REDIRECT = True
              Where: replace line 6 of advice/plain_settings.py, where SECURE_SSL_REDIRECT is set.
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: SESSION_COOKIE_SECURE = True
              Where: replace line 8 of advice/plain_settings.py, where SESSION_COOKIE_SECURE is set.
            - security.W016 (CSRF_COOKIE_SECURE)
              Fix: CSRF_COOKIE_SECURE = True
              Where: CSRF_COOKIE_SECURE is left at Django's default; add it to advice/plain_settings.py, the
                     settings module Django loaded.
            - security.W018 (DEBUG)
              Fix: DEBUG = False
              Where: replace line 5 of advice/plain_settings.py, where DEBUG is set.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)
              Where: replace line 7 of advice/plain_settings.py, where SECURE_HSTS_SECONDS is set.
            Release blocked: 4 problems
            Fix: change advice/plain_settings.py as shown above, then deploy again
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "}
    );
    assert_eq!(
        advice_fields(&report),
        [
            "security.W008 @advice/plain_settings.py:6 | SECURE_SSL_REDIRECT edit_line SECURE_SSL_REDIRECT = True",
            "security.W012 @advice/plain_settings.py:8 | SESSION_COOKIE_SECURE edit_line SESSION_COOKIE_SECURE = True",
            "security.W016 @advice/plain_settings.py:9 | CSRF_COOKIE_SECURE add_line CSRF_COOKIE_SECURE = True",
            "security.W018 @advice/plain_settings.py:5 | DEBUG edit_line DEBUG = False",
            "guard.hsts_seconds_short @advice/plain_settings.py:7 | SECURE_HSTS_SECONDS edit_line SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)",
        ]
    );
}

#[test]
fn a_settings_package_gets_the_file_that_holds_each_setting() {
    assert_advice(
        "settings.production",
        &[ON_HEROKU],
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: SECURE_SSL_REDIRECT = True
              Where: SECURE_SSL_REDIRECT is left at Django's default; add it to advice/settings/production.py,
                     the settings module Django loaded.
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: SESSION_COOKIE_SECURE = True
              Where: replace line 7 of advice/settings/base.py, where SESSION_COOKIE_SECURE is set.
            - security.W016 (CSRF_COOKIE_SECURE)
              Fix: CSRF_COOKIE_SECURE = True
              Where: CSRF_COOKIE_SECURE is left at Django's default; add it to advice/settings/production.py,
                     the settings module Django loaded.
            - security.W018 (DEBUG)
              Fix: DEBUG = False
              Where: replace line 5 of advice/settings/production.py, where DEBUG is set.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)
              Where: replace line 6 of advice/settings/base.py, where SECURE_HSTS_SECONDS is set.
            Release blocked: 4 problems
            Fix: change advice/settings/production.py and advice/settings/base.py as shown above, then deploy again
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W008 @advice/settings/production.py:6 | SECURE_SSL_REDIRECT add_line SECURE_SSL_REDIRECT = True",
            "security.W012 @advice/settings/base.py:7 | SESSION_COOKIE_SECURE edit_line SESSION_COOKIE_SECURE = True",
            "security.W016 @advice/settings/production.py:6 | CSRF_COOKIE_SECURE add_line CSRF_COOKIE_SECURE = True",
            "security.W018 @advice/settings/production.py:5 | DEBUG edit_line DEBUG = False",
            "guard.hsts_seconds_short @advice/settings/base.py:6 | SECURE_HSTS_SECONDS edit_line SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)",
        ],
    );
}
#[test]
fn os_environ_config_vars_are_set_or_unset() {
    assert_advice(
        "environ_settings",
        &[
            ON_HEROKU,
            ("DEBUG", "true"),
            ("SECURE_SSL_REDIRECT", "false"),
            ("SESSION_COOKIE_SECURE", "0"),
        ],
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: heroku config:unset SECURE_SSL_REDIRECT
              Where: advice/environ_settings.py:8 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                     var (os.environ); unset, it is True.
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: heroku config:set SESSION_COOKIE_SECURE=1
              Where: advice/environ_settings.py:10 reads SESSION_COOKIE_SECURE from the SESSION_COOKIE_SECURE
                     config var (os.environ).
            - security.W018 (DEBUG)
              Fix: heroku config:unset DEBUG
              Where: advice/environ_settings.py:7 reads DEBUG from the DEBUG config var (os.environ); unset, it
                     is False.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: heroku config:set SECURE_HSTS_SECONDS=604800
              Where: advice/environ_settings.py:9 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                     var (os.environ).
            Release blocked: 3 problems
            Fix: heroku config:set SESSION_COOKIE_SECURE=1
            Fix: heroku config:unset SECURE_SSL_REDIRECT DEBUG
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W008 @advice/environ_settings.py:8 | SECURE_SSL_REDIRECT unset_config_var SECURE_SSL_REDIRECT",
            "security.W012 @advice/environ_settings.py:10 | SESSION_COOKIE_SECURE set_config_var SESSION_COOKIE_SECURE 1",
            "security.W018 @advice/environ_settings.py:7 | DEBUG unset_config_var DEBUG",
            "guard.hsts_seconds_short @advice/environ_settings.py:9 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 604800",
        ],
    );
}
#[test]
fn django_environ_names_carry_the_prefix_on_heroku() {
    assert_advice(
        "django_environ_settings",
        &[
            ON_HEROKU,
            ("DJANGO_DEBUG", "true"),
            ("DJANGO_SECURE_SSL_REDIRECT", "false"),
            ("DJANGO_CSRF_COOKIE_SECURE", "false"),
        ],
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: heroku config:unset DJANGO_SECURE_SSL_REDIRECT
              Where: advice/django_environ_settings.py:11 reads SECURE_SSL_REDIRECT from the
                     DJANGO_SECURE_SSL_REDIRECT config var (read through environ); unset, it is True.
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: heroku config:set DJANGO_SESSION_COOKIE_SECURE=true
              Where: advice/django_environ_settings.py:13 reads SESSION_COOKIE_SECURE from the
                     DJANGO_SESSION_COOKIE_SECURE config var (read through environ).
            - security.W016 (CSRF_COOKIE_SECURE)
              Fix: heroku config:unset DJANGO_CSRF_COOKIE_SECURE
              Where: advice/django_environ_settings.py:14 reads CSRF_COOKIE_SECURE from the
                     DJANGO_CSRF_COOKIE_SECURE config var (read through environ); unset, it is True.
            - security.W018 (DEBUG)
              Fix: heroku config:unset DJANGO_DEBUG
              Where: advice/django_environ_settings.py:10 reads DEBUG from the DJANGO_DEBUG config var (read
                     through environ); unset, it is False.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: heroku config:set DJANGO_SECURE_HSTS_SECONDS=3600
              Where: advice/django_environ_settings.py:12 reads SECURE_HSTS_SECONDS from the
                     DJANGO_SECURE_HSTS_SECONDS config var (read through environ).
            Release blocked: 4 problems
            Fix: heroku config:set DJANGO_SESSION_COOKIE_SECURE=true
            Fix: heroku config:unset DJANGO_SECURE_SSL_REDIRECT DJANGO_CSRF_COOKIE_SECURE DJANGO_DEBUG
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W008 @advice/django_environ_settings.py:11 | SECURE_SSL_REDIRECT unset_config_var DJANGO_SECURE_SSL_REDIRECT",
            "security.W012 @advice/django_environ_settings.py:13 | SESSION_COOKIE_SECURE set_config_var DJANGO_SESSION_COOKIE_SECURE true",
            "security.W016 @advice/django_environ_settings.py:14 | CSRF_COOKIE_SECURE unset_config_var DJANGO_CSRF_COOKIE_SECURE",
            "security.W018 @advice/django_environ_settings.py:10 | DEBUG unset_config_var DJANGO_DEBUG",
            "guard.hsts_seconds_short @advice/django_environ_settings.py:12 | SECURE_HSTS_SECONDS set_config_var DJANGO_SECURE_HSTS_SECONDS 3600",
        ],
    );
}
#[test]
fn off_heroku_config_vars_are_plain_assignments() {
    assert_advice(
        "django_environ_settings",
        &[
            ("DJANGO_DEBUG", "true"),
            ("DJANGO_SECURE_SSL_REDIRECT", "false"),
            ("DJANGO_CSRF_COOKIE_SECURE", "false"),
        ],
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: unset DJANGO_SECURE_SSL_REDIRECT
              Where: advice/django_environ_settings.py:11 reads SECURE_SSL_REDIRECT from the
                     DJANGO_SECURE_SSL_REDIRECT config var (read through environ); unset, it is True.
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: DJANGO_SESSION_COOKIE_SECURE=true
              Where: advice/django_environ_settings.py:13 reads SESSION_COOKIE_SECURE from the
                     DJANGO_SESSION_COOKIE_SECURE config var (read through environ).
            - security.W016 (CSRF_COOKIE_SECURE)
              Fix: unset DJANGO_CSRF_COOKIE_SECURE
              Where: advice/django_environ_settings.py:14 reads CSRF_COOKIE_SECURE from the
                     DJANGO_CSRF_COOKIE_SECURE config var (read through environ); unset, it is True.
            - security.W018 (DEBUG)
              Fix: unset DJANGO_DEBUG
              Where: advice/django_environ_settings.py:10 reads DEBUG from the DJANGO_DEBUG config var (read
                     through environ); unset, it is False.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: DJANGO_SECURE_HSTS_SECONDS=3600
              Where: advice/django_environ_settings.py:12 reads SECURE_HSTS_SECONDS from the
                     DJANGO_SECURE_HSTS_SECONDS config var (read through environ).
            Release blocked: 4 problems
            Fix: DJANGO_SESSION_COOKIE_SECURE=true
            Fix: unset DJANGO_SECURE_SSL_REDIRECT DJANGO_CSRF_COOKIE_SECURE DJANGO_DEBUG
            Deploy anyway: RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W008 @advice/django_environ_settings.py:11 | SECURE_SSL_REDIRECT unset_config_var DJANGO_SECURE_SSL_REDIRECT",
            "security.W012 @advice/django_environ_settings.py:13 | SESSION_COOKIE_SECURE set_config_var DJANGO_SESSION_COOKIE_SECURE true",
            "security.W016 @advice/django_environ_settings.py:14 | CSRF_COOKIE_SECURE unset_config_var DJANGO_CSRF_COOKIE_SECURE",
            "security.W018 @advice/django_environ_settings.py:10 | DEBUG unset_config_var DJANGO_DEBUG",
            "guard.hsts_seconds_short @advice/django_environ_settings.py:12 | SECURE_HSTS_SECONDS set_config_var DJANGO_SECURE_HSTS_SECONDS 3600",
        ],
    );
}
#[test]
fn decouple_config_vars_are_set_or_unset() {
    assert_advice(
        "decouple_settings",
        &[
            ON_HEROKU,
            ("DEBUG", "True"),
            ("SESSION_COOKIE_SECURE", "False"),
        ],
        indoc! {"
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: heroku config:set SECURE_SSL_REDIRECT=true
              Where: advice/decouple_settings.py:8 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                     var (read through decouple).
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: heroku config:unset SESSION_COOKIE_SECURE
              Where: advice/decouple_settings.py:10 reads SESSION_COOKIE_SECURE from the SESSION_COOKIE_SECURE
                     config var (read through decouple); unset, it is True.
            - security.W018 (DEBUG)
              Fix: heroku config:unset DEBUG
              Where: advice/decouple_settings.py:7 reads DEBUG from the DEBUG config var (read through
                     decouple); unset, it is False.
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: heroku config:set SECURE_HSTS_SECONDS=604800
              Where: advice/decouple_settings.py:9 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                     var (read through decouple).
            Release blocked: 3 problems
            Fix: heroku config:set SECURE_SSL_REDIRECT=true
            Fix: heroku config:unset SESSION_COOKIE_SECURE DEBUG
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W008 @advice/decouple_settings.py:8 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT true",
            "security.W012 @advice/decouple_settings.py:10 | SESSION_COOKIE_SECURE unset_config_var SESSION_COOKIE_SECURE",
            "security.W018 @advice/decouple_settings.py:7 | DEBUG unset_config_var DEBUG",
            "guard.hsts_seconds_short @advice/decouple_settings.py:9 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 604800",
        ],
    );
}
#[test]
fn pydantic_settings_prefix_alias_and_the_use_ssl_switch() {
    assert_advice(
        "pydantic_settings_module",
        &[ON_HEROKU, ("APP_DEBUG", "true")],
        indoc! {"
            - security.W004 (SECURE_HSTS_SECONDS)
              Fix: heroku config:set APP_USE_SSL=true
              Where: the block at advice/pydantic_settings_module.py:22 runs only when the APP_USE_SSL config
                     var is true (pydantic-settings AppSettings.use_ssl, env_prefix 'APP_', case-insensitive).
            - security.W008 (SECURE_SSL_REDIRECT)
              Fix: heroku config:set APP_USE_SSL=true
              Where: the block at advice/pydantic_settings_module.py:22 runs only when the APP_USE_SSL config
                     var is true (pydantic-settings AppSettings.use_ssl, env_prefix 'APP_', case-insensitive).
            - security.W012 (SESSION_COOKIE_SECURE)
              Fix: heroku config:set COOKIE_SECURE=true
              Where: advice/pydantic_settings_module.py:21 reads SESSION_COOKIE_SECURE from the COOKIE_SECURE
                     config var (pydantic-settings AppSettings.session_cookie_secure, alias 'COOKIE_SECURE',
                     case-insensitive).
            - security.W016 (CSRF_COOKIE_SECURE)
              Fix: heroku config:set APP_USE_SSL=true
              Where: the block at advice/pydantic_settings_module.py:22 runs only when the APP_USE_SSL config
                     var is true (pydantic-settings AppSettings.use_ssl, env_prefix 'APP_', case-insensitive).
            - security.W018 (DEBUG)
              Fix: heroku config:unset APP_DEBUG
              Where: advice/pydantic_settings_module.py:20 reads DEBUG from the APP_DEBUG config var
                     (pydantic-settings AppSettings.debug, env_prefix 'APP_', case-insensitive); unset, it is
                     False.
            Release blocked: 5 problems
            Fix: heroku config:set APP_USE_SSL=true COOKIE_SECURE=true
            Fix: heroku config:unset APP_DEBUG
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "},
        &[
            "security.W004 @advice/pydantic_settings_module.py:22 | SECURE_HSTS_SECONDS set_config_var APP_USE_SSL true",
            "security.W008 @advice/pydantic_settings_module.py:22 | SECURE_SSL_REDIRECT set_config_var APP_USE_SSL true",
            "security.W012 @advice/pydantic_settings_module.py:21 | SESSION_COOKIE_SECURE set_config_var COOKIE_SECURE true",
            "security.W016 @advice/pydantic_settings_module.py:22 | CSRF_COOKIE_SECURE set_config_var APP_USE_SSL true",
            "security.W018 @advice/pydantic_settings_module.py:20 | DEBUG unset_config_var APP_DEBUG",
        ],
    );
}
#[test]
fn with_the_switch_on_the_short_hsts_is_the_line_in_its_block() {
    assert_advice(
        "pydantic_settings_module",
        &[
            ON_HEROKU,
            ("APP_USE_SSL", "true"),
            ("COOKIE_SECURE", "true"),
        ],
        indoc! {"
            - guard.hsts_seconds_short (SECURE_HSTS_SECONDS)
              Fix: SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)
              Where: replace line 24 of advice/pydantic_settings_module.py, where SECURE_HSTS_SECONDS is set.
            Release passed with 1 warning
        "},
        &[
            "guard.hsts_seconds_short @advice/pydantic_settings_module.py:24 | SECURE_HSTS_SECONDS edit_line SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)",
        ],
    );
}

/// The tutorial's text log with `vars` over its usual config vars.
fn tutorial_log(vars: &[(&str, &str)]) -> String {
    stdout(&guard(&default_venv(), &fixture("tutorial"), &[], vars))
}

#[test]
fn a_weak_key_read_from_a_config_var_gets_a_new_key_and_no_ignore_line() {
    let log = tutorial_log(&[
        ON_HEROKU,
        ("SECRET_KEY", "weak-tutorial-key"),
        ("USE_SSL", "true"),
    ]);
    let excerpt = advice_excerpt(&log);
    assert!(
        excerpt.starts_with(indoc! {r#"
            - security.W009 (SECRET_KEY)
              Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
              Where: mysite/settings.py:27 reads SECRET_KEY from the SECRET_KEY config var (pydantic-settings
                     Settings.SECRET_KEY, case-insensitive): set it to a new random key.
        "#}),
        "{excerpt}"
    );
    assert!(
        log.ends_with(indoc! {r#"
            Release blocked: 1 problem
            Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "#}),
        "{log}"
    );
}

#[test]
fn a_config_var_the_settings_model_cannot_parse_is_named_with_a_working_value() {
    let title = "COULD NOT EVALUATE: Importing the settings module mysite.settings failed: the ALLOWED_HOSTS config var does not parse as list[str] (Settings.ALLOWED_HOSTS)\n";
    for (vars, fix, deploy) in [
        (
            &[ON_HEROKU, ("ALLOWED_HOSTS", "example.com")][..],
            r#"  Fix: ALLOWED_HOSTS must be a JSON list for this field:
       heroku config:set ALLOWED_HOSTS='["example.com"]'"#,
            "Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn\n",
        ),
        (
            &[("ALLOWED_HOSTS", "example.com")][..],
            r#"  Fix: ALLOWED_HOSTS must be a JSON list for this field:
       ALLOWED_HOSTS='["example.com"]'"#,
            "Deploy anyway: RELEASE_GUARD_MODE=warn\n",
        ),
    ] {
        let log = tutorial_log(vars);
        assert!(log.contains(title), "{log}");
        assert!(log.contains(&format!("\n{fix}\n")), "{log}");
        assert!(log.ends_with(deploy), "{log}");
    }
}

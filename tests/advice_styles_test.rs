//! Advice for the configuration styles of `fixtures/advice-styles`, one settings module each:
//! django-split-settings with python-decouple (and a .env file), environs, the project's own
//! `envbool`-style helpers, `if v := os.getenv(...)` blocks, `tuple(os.environ.get(...)
//! .split(","))`, a presence switch (`DEBUG = "RENDER" not in os.environ`), and a settings
//! package whose production module star-imports a base that reads the config vars. Each misses
//! the SSL redirect, leaves HSTS off, has a weak key, runs with DEBUG on and trusts the wrong
//! proxy header; the advice must name what that app really reads, in text and JSON, on Heroku
//! and off it, under every Django in the matrix.

#![allow(clippy::unwrap_used)]

use crate::advice_test::{ON_HEROKU, advice_excerpt, advice_fields};
use crate::gate_test::{guard, json, stdout};
use crate::support::python::{TUTORIAL_CONFIG_VARS, Venv, default_venv, fixture, venvs};
use indoc::indoc;
use release_guard::gate::probe::{ProbeRequest, run};
use release_guard::gate::snapshot::{ConfigVar, ProbeAnswer, Provenance};
use std::ffi::OsString;
use std::time::Duration;

const WEAK_KEY: &str = "weak-fixture-key";
const WRONG_HEADER: &str = "HTTP_X_FORWARDED_PROTOCOL,https";

/// One style: its settings module, the config vars of the scenario, and the advice expected
/// on Heroku and elsewhere (the log's excerpt) and in the JSON report (the same on both).
struct Style {
    module: &'static str,
    vars: &'static [(&'static str, &'static str)],
    on_heroku: &'static str,
    elsewhere: &'static str,
    fields: &'static [&'static str],
}

fn check(style: &Style, venvs: &[Venv]) {
    let app = fixture("advice-styles");
    let settings = format!("styles.{}", style.module);
    let base = [style.vars, &[("DJANGO_SETTINGS_MODULE", settings.as_str())]].concat();
    let heroku = [base.as_slice(), &[ON_HEROKU]].concat();
    for venv in venvs {
        for (vars, expected) in [(&heroku, style.on_heroku), (&base, style.elsewhere)] {
            let text = stdout(&guard(venv, &app, &[], vars));
            assert_eq!(
                advice_excerpt(&text),
                expected,
                "{} {}",
                style.module,
                venv.name
            );
            let report = json(&guard(venv, &app, &["--format", "json"], vars));
            assert_eq!(
                advice_fields(&report),
                style.fields,
                "{} {}",
                style.module,
                venv.name
            );
        }
    }
}

/// Every config var the advice names was read while the settings loaded (the probe's recorded
/// reads), in the default venv: `app` with `settings` and `vars` over the tutorial's config vars.
fn names_only_what_was_read(app: &str, settings: &str, vars: &[(&str, &str)]) {
    let app = fixture(app);
    let vars = [vars, &[("DJANGO_SETTINGS_MODULE", settings)]].concat();
    let mut request = ProbeRequest::new(app.clone(), default_venv().python());
    request.timeout = Duration::from_mins(1);
    // As `guard` runs it: the tutorial's config vars, then `vars`; empty means not set.
    let mut env: Vec<(&str, &str)> = TUTORIAL_CONFIG_VARS.to_vec();
    env.retain(|(name, _)| vars.iter().all(|(other, _)| other != name));
    env.extend(vars.iter().filter(|(_, value)| !value.is_empty()));
    request.env = env
        .iter()
        .map(|(name, value)| (OsString::from(name), OsString::from(value)))
        .collect();
    let Ok(ProbeAnswer::Ok(snapshot)) = run(&request) else {
        panic!("{settings}: no snapshot");
    };
    let provenance = snapshot.provenance.unwrap();
    let report = json(&guard(&default_venv(), &app, &["--format", "json"], &vars));
    let named: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|finding| finding["advice"].as_array().into_iter().flatten())
        .filter_map(|advice| advice["config_var"].as_str())
        .collect();
    assert!(!named.is_empty(), "{settings}");
    for name in named {
        assert!(
            was_read(&provenance, name),
            "{settings}: {name} was never read"
        );
    }
}

/// By name, or through the whole-environment read its settings model made.
pub(crate) fn was_read(provenance: &Provenance, name: &str) -> bool {
    let config_vars = provenance.settings.values().flat_map(|source| {
        let switched = source.switch.as_ref().map(|switch| &switch.config_var);
        source.config_var.iter().chain(switched)
    });
    let by_model = |config_var: &&ConfigVar| config_var.name == name;
    provenance
        .reads
        .iter()
        .any(|read| read.name.as_deref() == Some(name))
        || config_vars
            .filter(by_model)
            .any(|var| provenance.was_read(var))
}

const SPLIT_SETTINGS_WITH_DECOUPLE: Style = Style {
    module: "split",
    vars: &[
        ("DJANGO_SECRET_KEY", WEAK_KEY),
        ("SECURE_PROXY_SSL_HEADER", WRONG_HEADER),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/split/components/security.py:8 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through decouple); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set SECURE_HSTS_SECONDS=3600
          Where: styles/split/components/security.py:7 reads SECURE_HSTS_SECONDS from the
                 SECURE_HSTS_SECONDS config var (read through decouple).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set SECURE_SSL_REDIRECT=true
               heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/split/components/security.py:6 reads SECURE_SSL_REDIRECT from the
                 SECURE_SSL_REDIRECT config var (read through decouple).
          Where: styles/split/components/security.py:8 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through decouple); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/split/components/security.py:3 reads SECRET_KEY from the DJANGO_SECRET_KEY config
                 var (read through decouple): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:set DJANGO_DEBUG=false
          Where: styles/split/components/security.py:4 reads DEBUG from the DJANGO_DEBUG config var (read
                 through decouple); .env also sets it, but the config var wins.
        Release blocked: 5 problems
        Fix: heroku config:set SECURE_HSTS_SECONDS=3600 SECURE_SSL_REDIRECT=true DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" DJANGO_DEBUG=false
        Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: unset SECURE_PROXY_SSL_HEADER
          Where: styles/split/components/security.py:8 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through decouple); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: SECURE_HSTS_SECONDS=3600
          Where: styles/split/components/security.py:7 reads SECURE_HSTS_SECONDS from the
                 SECURE_HSTS_SECONDS config var (read through decouple).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: SECURE_SSL_REDIRECT=true
               unset SECURE_PROXY_SSL_HEADER
          Where: styles/split/components/security.py:6 reads SECURE_SSL_REDIRECT from the
                 SECURE_SSL_REDIRECT config var (read through decouple).
          Where: styles/split/components/security.py:8 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through decouple); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/split/components/security.py:3 reads SECRET_KEY from the DJANGO_SECRET_KEY config
                 var (read through decouple): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: DJANGO_DEBUG=false
          Where: styles/split/components/security.py:4 reads DEBUG from the DJANGO_DEBUG config var (read
                 through decouple); .env also sets it, but the config var wins.
        Release blocked: 5 problems
        Fix: SECURE_HSTS_SECONDS=3600
        Fix: SECURE_SSL_REDIRECT=true
        Fix: DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: DJANGO_DEBUG=false
        Fix: unset SECURE_PROXY_SSL_HEADER
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/split/components/security.py:8 | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        "security.W004 @styles/split/components/security.py:7 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/split/components/security.py:6 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT true | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        r#"security.W009 @styles/split/components/security.py:3 | SECRET_KEY set_config_var DJANGO_SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/split/components/security.py:4 | DEBUG set_config_var DJANGO_DEBUG false",
    ],
};

const ENVIRONS: Style = Style {
    module: "environs_settings",
    vars: &[
        ("SECRET_KEY", WEAK_KEY),
        ("SECURE_PROXY_SSL_HEADER", WRONG_HEADER),
        ("DEBUG", "true"),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/environs_settings.py:14 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through environs); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set SECURE_HSTS_SECONDS=3600
          Where: styles/environs_settings.py:13 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS
                 config var (read through environs).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set SECURE_SSL_REDIRECT=true
               heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/environs_settings.py:12 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT
                 config var (read through environs).
          Where: styles/environs_settings.py:14 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through environs); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/environs_settings.py:10 reads SECRET_KEY from the SECRET_KEY config var (read
                 through environs): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:unset DEBUG
          Where: styles/environs_settings.py:11 reads DEBUG from the DEBUG config var (read through
                 environs); unset, it is False.
        Release blocked: 5 problems
        Fix: heroku config:set SECURE_HSTS_SECONDS=3600 SECURE_SSL_REDIRECT=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: heroku config:unset SECURE_PROXY_SSL_HEADER DEBUG
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: unset SECURE_PROXY_SSL_HEADER
          Where: styles/environs_settings.py:14 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through environs); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: SECURE_HSTS_SECONDS=3600
          Where: styles/environs_settings.py:13 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS
                 config var (read through environs).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: SECURE_SSL_REDIRECT=true
               unset SECURE_PROXY_SSL_HEADER
          Where: styles/environs_settings.py:12 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT
                 config var (read through environs).
          Where: styles/environs_settings.py:14 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (read through environs); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/environs_settings.py:10 reads SECRET_KEY from the SECRET_KEY config var (read
                 through environs): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: unset DEBUG
          Where: styles/environs_settings.py:11 reads DEBUG from the DEBUG config var (read through
                 environs); unset, it is False.
        Release blocked: 5 problems
        Fix: SECURE_HSTS_SECONDS=3600
        Fix: SECURE_SSL_REDIRECT=true
        Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: unset SECURE_PROXY_SSL_HEADER DEBUG
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/environs_settings.py:14 | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        "security.W004 @styles/environs_settings.py:13 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/environs_settings.py:12 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT true | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        r#"security.W009 @styles/environs_settings.py:10 | SECRET_KEY set_config_var SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/environs_settings.py:11 | DEBUG unset_config_var DEBUG",
    ],
};

const HELPER_FUNCTIONS: Style = Style {
    module: "helper_settings",
    vars: &[
        ("SECRET_KEY", WEAK_KEY),
        ("SECURE_PROXY_SSL_HEADER", WRONG_HEADER),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/helper_settings.py:12 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (read by envtuple() at styles/envtools.py:17); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set SECURE_HSTS_SECONDS=3600
          Where: styles/helper_settings.py:11 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                 var (read by envint() at styles/envtools.py:13).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set SECURE_SSL_REDIRECT=true
               heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/helper_settings.py:10 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                 var (read by envbool() at styles/envtools.py:9).
          Where: styles/helper_settings.py:12 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (read by envtuple() at styles/envtools.py:17); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/helper_settings.py:8 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:set DEBUG=false
          Where: styles/helper_settings.py:9 reads DEBUG from the DEBUG config var (read by envbool() at
                 styles/envtools.py:9).
        Release blocked: 5 problems
        Fix: heroku config:set SECURE_HSTS_SECONDS=3600 SECURE_SSL_REDIRECT=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" DEBUG=false
        Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: unset SECURE_PROXY_SSL_HEADER
          Where: styles/helper_settings.py:12 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (read by envtuple() at styles/envtools.py:17); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: SECURE_HSTS_SECONDS=3600
          Where: styles/helper_settings.py:11 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                 var (read by envint() at styles/envtools.py:13).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: SECURE_SSL_REDIRECT=true
               unset SECURE_PROXY_SSL_HEADER
          Where: styles/helper_settings.py:10 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                 var (read by envbool() at styles/envtools.py:9).
          Where: styles/helper_settings.py:12 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (read by envtuple() at styles/envtools.py:17); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/helper_settings.py:8 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: DEBUG=false
          Where: styles/helper_settings.py:9 reads DEBUG from the DEBUG config var (read by envbool() at
                 styles/envtools.py:9).
        Release blocked: 5 problems
        Fix: SECURE_HSTS_SECONDS=3600
        Fix: SECURE_SSL_REDIRECT=true
        Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: DEBUG=false
        Fix: unset SECURE_PROXY_SSL_HEADER
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/helper_settings.py:12 | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        "security.W004 @styles/helper_settings.py:11 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/helper_settings.py:10 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT true | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        r#"security.W009 @styles/helper_settings.py:8 | SECRET_KEY set_config_var SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/helper_settings.py:9 | DEBUG set_config_var DEBUG false",
    ],
};

const WALRUS_BLOCKS: Style = Style {
    module: "walrus_settings",
    vars: &[
        ("SECRET_KEY", WEAK_KEY),
        ("SECURE_PROXY_SSL_HEADER", WRONG_HEADER),
        ("DEBUG", "true"),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
          Where: styles/walrus_settings.py:17 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (os.environ).
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set SECURE_HSTS_SECONDS=3600
          Where: styles/walrus_settings.py:15 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                 var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set SECURE_SSL_REDIRECT=true SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
          Where: styles/walrus_settings.py:13 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                 var (os.environ).
          Where: styles/walrus_settings.py:17 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (os.environ).
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/walrus_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:set DEBUG=false
          Where: styles/walrus_settings.py:11 reads DEBUG from the DEBUG config var (os.environ).
        Release blocked: 5 problems
        Fix: heroku config:set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https SECURE_HSTS_SECONDS=3600 SECURE_SSL_REDIRECT=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" DEBUG=false
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
          Where: styles/walrus_settings.py:17 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (os.environ).
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: SECURE_HSTS_SECONDS=3600
          Where: styles/walrus_settings.py:15 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS config
                 var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: SECURE_SSL_REDIRECT=true
               SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
          Where: styles/walrus_settings.py:13 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT config
                 var (os.environ).
          Where: styles/walrus_settings.py:17 reads SECURE_PROXY_SSL_HEADER from the SECURE_PROXY_SSL_HEADER
                 config var (os.environ).
        - security.W009 (SECRET_KEY)
          Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/walrus_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: DEBUG=false
          Where: styles/walrus_settings.py:11 reads DEBUG from the DEBUG config var (os.environ).
        Release blocked: 5 problems
        Fix: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
        Fix: SECURE_HSTS_SECONDS=3600
        Fix: SECURE_SSL_REDIRECT=true
        Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: DEBUG=false
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/walrus_settings.py:17 | SECURE_PROXY_SSL_HEADER set_config_var SECURE_PROXY_SSL_HEADER HTTP_X_FORWARDED_PROTO,https",
        "security.W004 @styles/walrus_settings.py:15 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/walrus_settings.py:13 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT true | SECURE_PROXY_SSL_HEADER set_config_var SECURE_PROXY_SSL_HEADER HTTP_X_FORWARDED_PROTO,https",
        r#"security.W009 @styles/walrus_settings.py:7 | SECRET_KEY set_config_var SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/walrus_settings.py:11 | DEBUG set_config_var DEBUG false",
    ],
};

const SPLIT_INTO_A_TUPLE: Style = Style {
    module: "split_tuple_settings",
    vars: &[
        ("SECRET_KEY", WEAK_KEY),
        ("SECURE_PROXY_SSL_HEADER", WRONG_HEADER),
        ("DEBUG", "1"),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/split_tuple_settings.py:11 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is ("HTTP_X_FORWARDED_PROTO",
                 "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set SECURE_HSTS_SECONDS=3600
          Where: styles/split_tuple_settings.py:10 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS
                 config var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set SECURE_SSL_REDIRECT=1
               heroku config:unset SECURE_PROXY_SSL_HEADER
          Where: styles/split_tuple_settings.py:9 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT
                 config var (os.environ).
          Where: styles/split_tuple_settings.py:11 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is ("HTTP_X_FORWARDED_PROTO",
                 "https").
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/split_tuple_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var
                 (os.environ): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:unset DEBUG
          Where: styles/split_tuple_settings.py:8 reads DEBUG from the DEBUG config var (os.environ); unset,
                 it is False.
        Release blocked: 5 problems
        Fix: heroku config:set SECURE_HSTS_SECONDS=3600 SECURE_SSL_REDIRECT=1 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: heroku config:unset SECURE_PROXY_SSL_HEADER DEBUG
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: unset SECURE_PROXY_SSL_HEADER
          Where: styles/split_tuple_settings.py:11 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is ("HTTP_X_FORWARDED_PROTO",
                 "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: SECURE_HSTS_SECONDS=3600
          Where: styles/split_tuple_settings.py:10 reads SECURE_HSTS_SECONDS from the SECURE_HSTS_SECONDS
                 config var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: SECURE_SSL_REDIRECT=1
               unset SECURE_PROXY_SSL_HEADER
          Where: styles/split_tuple_settings.py:9 reads SECURE_SSL_REDIRECT from the SECURE_SSL_REDIRECT
                 config var (os.environ).
          Where: styles/split_tuple_settings.py:11 reads SECURE_PROXY_SSL_HEADER from the
                 SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is ("HTTP_X_FORWARDED_PROTO",
                 "https").
        - security.W009 (SECRET_KEY)
          Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/split_tuple_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var
                 (os.environ): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: unset DEBUG
          Where: styles/split_tuple_settings.py:8 reads DEBUG from the DEBUG config var (os.environ); unset,
                 it is False.
        Release blocked: 5 problems
        Fix: SECURE_HSTS_SECONDS=3600
        Fix: SECURE_SSL_REDIRECT=1
        Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: unset SECURE_PROXY_SSL_HEADER DEBUG
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/split_tuple_settings.py:11 | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        "security.W004 @styles/split_tuple_settings.py:10 | SECURE_HSTS_SECONDS set_config_var SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/split_tuple_settings.py:9 | SECURE_SSL_REDIRECT set_config_var SECURE_SSL_REDIRECT 1 | SECURE_PROXY_SSL_HEADER unset_config_var SECURE_PROXY_SSL_HEADER",
        r#"security.W009 @styles/split_tuple_settings.py:7 | SECRET_KEY set_config_var SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/split_tuple_settings.py:8 | DEBUG unset_config_var DEBUG",
    ],
};

const PRESENCE_SWITCH: Style = Style {
    module: "presence_settings",
    vars: &[("SECRET_KEY", "")],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
          Where: replace line 11 of styles/presence_settings.py, where SECURE_PROXY_SSL_HEADER is set.
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set RENDER=true
          Where: styles/presence_settings.py:10 sets SECURE_HSTS_SECONDS from whether the RENDER config var
                 is set (os.environ; any value counts).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set RENDER=true
               SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
          Where: styles/presence_settings.py:9 sets SECURE_SSL_REDIRECT from whether the RENDER config var
                 is set (os.environ; any value counts).
          Where: replace line 11 of styles/presence_settings.py, where SECURE_PROXY_SSL_HEADER is set.
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/presence_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:set RENDER=true
          Where: styles/presence_settings.py:8 sets DEBUG from whether the RENDER config var is set
                 (os.environ; any value counts).
        Release blocked: 5 problems
        Fix: heroku config:set RENDER=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: change styles/presence_settings.py as shown above, then deploy again
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
          Where: replace line 11 of styles/presence_settings.py, where SECURE_PROXY_SSL_HEADER is set.
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: RENDER=true
          Where: styles/presence_settings.py:10 sets SECURE_HSTS_SECONDS from whether the RENDER config var
                 is set (os.environ; any value counts).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: RENDER=true
               SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
          Where: styles/presence_settings.py:9 sets SECURE_SSL_REDIRECT from whether the RENDER config var
                 is set (os.environ; any value counts).
          Where: replace line 11 of styles/presence_settings.py, where SECURE_PROXY_SSL_HEADER is set.
        - security.W009 (SECRET_KEY)
          Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/presence_settings.py:7 reads SECRET_KEY from the SECRET_KEY config var (os.environ):
                 set it to a new random key.
        - security.W018 (DEBUG)
          Fix: RENDER=true
          Where: styles/presence_settings.py:8 sets DEBUG from whether the RENDER config var is set
                 (os.environ; any value counts).
        Release blocked: 5 problems
        Fix: RENDER=true
        Fix: SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: change styles/presence_settings.py as shown above, then deploy again
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        r#"guard.proxy_ssl_header_unexpected @styles/presence_settings.py:11 | SECURE_PROXY_SSL_HEADER edit_line SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#,
        "security.W004 @styles/presence_settings.py:10 | SECURE_HSTS_SECONDS set_config_var RENDER true",
        r#"security.W008 @styles/presence_settings.py:9 | SECURE_SSL_REDIRECT set_config_var RENDER true | SECURE_PROXY_SSL_HEADER edit_line SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#,
        r#"security.W009 @styles/presence_settings.py:7 | SECRET_KEY set_config_var SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/presence_settings.py:8 | DEBUG set_config_var RENDER true",
    ],
};

const STAR_IMPORTED_BASE: Style = Style {
    module: "settings.production",
    vars: &[
        ("DJANGO_SECRET_KEY", WEAK_KEY),
        (
            "DJANGO_SECURE_PROXY_SSL_HEADER",
            r#"["HTTP_X_FORWARDED_PROTOCOL", "https"]"#,
        ),
        ("DJANGO_DEBUG", "True"),
    ],
    on_heroku: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: heroku config:unset DJANGO_SECURE_PROXY_SSL_HEADER
          Where: styles/settings/base.py:12 reads SECURE_PROXY_SSL_HEADER from the
                 DJANGO_SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: heroku config:set DJANGO_SECURE_HSTS_SECONDS=3600
          Where: styles/settings/base.py:11 reads SECURE_HSTS_SECONDS from the DJANGO_SECURE_HSTS_SECONDS
                 config var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: heroku config:set DJANGO_SECURE_SSL_REDIRECT=True
               heroku config:unset DJANGO_SECURE_PROXY_SSL_HEADER
          Where: styles/settings/base.py:10 reads SECURE_SSL_REDIRECT from the DJANGO_SECURE_SSL_REDIRECT
                 config var (os.environ).
          Where: styles/settings/base.py:12 reads SECURE_PROXY_SSL_HEADER from the
                 DJANGO_SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: heroku config:set DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/settings/base.py:8 reads SECRET_KEY from the DJANGO_SECRET_KEY config var
                 (os.environ): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: heroku config:unset DJANGO_DEBUG
          Where: styles/settings/base.py:9 reads DEBUG from the DJANGO_DEBUG config var (os.environ); unset,
                 it is False.
        Release blocked: 5 problems
        Fix: heroku config:set DJANGO_SECURE_HSTS_SECONDS=3600 DJANGO_SECURE_SSL_REDIRECT=True DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: heroku config:unset DJANGO_SECURE_PROXY_SSL_HEADER DJANGO_DEBUG
        Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
    "#},
    elsewhere: indoc! {r#"
        - guard.proxy_ssl_header_unexpected (SECURE_PROXY_SSL_HEADER)
          Fix: unset DJANGO_SECURE_PROXY_SSL_HEADER
          Where: styles/settings/base.py:12 reads SECURE_PROXY_SSL_HEADER from the
                 DJANGO_SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W004 (SECURE_HSTS_SECONDS)
          Fix: DJANGO_SECURE_HSTS_SECONDS=3600
          Where: styles/settings/base.py:11 reads SECURE_HSTS_SECONDS from the DJANGO_SECURE_HSTS_SECONDS
                 config var (os.environ).
        - security.W008 (SECURE_SSL_REDIRECT)
          Fix: DJANGO_SECURE_SSL_REDIRECT=True
               unset DJANGO_SECURE_PROXY_SSL_HEADER
          Where: styles/settings/base.py:10 reads SECURE_SSL_REDIRECT from the DJANGO_SECURE_SSL_REDIRECT
                 config var (os.environ).
          Where: styles/settings/base.py:12 reads SECURE_PROXY_SSL_HEADER from the
                 DJANGO_SECURE_PROXY_SSL_HEADER config var (os.environ); unset, it is
                 ("HTTP_X_FORWARDED_PROTO", "https").
        - security.W009 (SECRET_KEY)
          Fix: DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
          Where: styles/settings/base.py:8 reads SECRET_KEY from the DJANGO_SECRET_KEY config var
                 (os.environ): set it to a new random key.
        - security.W018 (DEBUG)
          Fix: unset DJANGO_DEBUG
          Where: styles/settings/base.py:9 reads DEBUG from the DJANGO_DEBUG config var (os.environ); unset,
                 it is False.
        Release blocked: 5 problems
        Fix: DJANGO_SECURE_HSTS_SECONDS=3600
        Fix: DJANGO_SECURE_SSL_REDIRECT=True
        Fix: DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        Fix: unset DJANGO_SECURE_PROXY_SSL_HEADER DJANGO_DEBUG
        Deploy anyway: RELEASE_GUARD_MODE=warn
    "#},
    fields: &[
        "guard.proxy_ssl_header_unexpected @styles/settings/base.py:12 | SECURE_PROXY_SSL_HEADER unset_config_var DJANGO_SECURE_PROXY_SSL_HEADER",
        "security.W004 @styles/settings/base.py:11 | SECURE_HSTS_SECONDS set_config_var DJANGO_SECURE_HSTS_SECONDS 3600",
        "security.W008 @styles/settings/base.py:10 | SECURE_SSL_REDIRECT set_config_var DJANGO_SECURE_SSL_REDIRECT True | SECURE_PROXY_SSL_HEADER unset_config_var DJANGO_SECURE_PROXY_SSL_HEADER",
        r#"security.W009 @styles/settings/base.py:8 | SECRET_KEY set_config_var DJANGO_SECRET_KEY "$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#,
        "security.W018 @styles/settings/base.py:9 | DEBUG unset_config_var DJANGO_DEBUG",
    ],
};

#[test]
fn split_settings_with_decouple_under_every_django() {
    check(&SPLIT_SETTINGS_WITH_DECOUPLE, &venvs());
}

#[test]
fn environs_under_every_django() {
    check(&ENVIRONS, &venvs());
}

#[test]
fn helper_functions_under_every_django() {
    check(&HELPER_FUNCTIONS, &venvs());
}

#[test]
fn walrus_blocks_under_every_django() {
    check(&WALRUS_BLOCKS, &venvs());
}

#[test]
fn split_into_a_tuple_under_every_django() {
    check(&SPLIT_INTO_A_TUPLE, &venvs());
}

#[test]
fn presence_switch_under_every_django() {
    check(&PRESENCE_SWITCH, &venvs());
}

#[test]
fn star_imported_base_under_every_django() {
    check(&STAR_IMPORTED_BASE, &venvs());
}

#[test]
fn the_advice_names_only_config_vars_the_settings_read() {
    for style in [
        &SPLIT_SETTINGS_WITH_DECOUPLE,
        &ENVIRONS,
        &HELPER_FUNCTIONS,
        &WALRUS_BLOCKS,
        &SPLIT_INTO_A_TUPLE,
        &PRESENCE_SWITCH,
        &STAR_IMPORTED_BASE,
    ] {
        let settings = format!("styles.{}", style.module);
        names_only_what_was_read("advice-styles", &settings, style.vars);
    }
    for (settings, vars) in [
        (
            "advice.environ_settings",
            &[("DEBUG", "true"), ("SESSION_COOKIE_SECURE", "0")][..],
        ),
        (
            "advice.django_environ_settings",
            &[("DJANGO_DEBUG", "true")][..],
        ),
        ("advice.decouple_settings", &[("DEBUG", "True")][..]),
        (
            "advice.pydantic_settings_module",
            &[("APP_DEBUG", "true")][..],
        ),
    ] {
        names_only_what_was_read("advice", settings, vars);
    }
    names_only_what_was_read(
        "tutorial",
        "mysite.settings",
        &[("SECRET_KEY", "weak-tutorial-key")],
    );
}

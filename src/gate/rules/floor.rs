//! The guard's own floor: the Django deploy checks the verdict cannot do without, evaluated
//! again from the settings snapshot under Django's IDs, words and exact conditions. Django's
//! check registry lives in the app's process, where app code can clear it or replace
//! `run_checks`; the floor does not depend on it, so clearing the registry never lowers the
//! verdict. Where Django reported the same problem, its message stands alone.
//!
//! `FLOOR` is the one table: every check whose finding blocks a release by default (Django's
//! errors, and the warnings in `policy::DEFAULT_BLOCKING_DJANGO_IDS`), plus every check whose
//! absence makes those moot (W001: without `SecurityMiddleware` W004 and W008 cannot fire; W003:
//! without `CsrfViewMiddleware` W016 cannot). Left out, because clearing them cannot weaken the
//! verdict: W002, W005, W006, W019, W021, W022 and W025 (advice that never blocks by default;
//! W002 only makes W019 moot), and checks that need more than the settings: W027 and E026 (CSP,
//! Django 6.0+), E101 and E102 (importing `CSRF_FAILURE_VIEW`).

use super::django::with_advice;
use super::{SECURITY_MIDDLEWARE, has_middleware, setting, setting_contains, truthy};
use crate::config::ProxySslHeader;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};
use serde_json::Value;

const SESSION_MIDDLEWARE: &str = "django.contrib.sessions.middleware.SessionMiddleware";
const CSRF_MIDDLEWARE: &str = "django.middleware.csrf.CsrfViewMiddleware";

/// Said after Django's message, so the reader knows why Django's own output lacks it.
const NOT_REPORTED_BY_DJANGO: &str = "Django's checks did not report this (the app's code may have changed the check registry); Release Guard checks it from the settings itself.";

/// One of Django's deploy checks, held by the floor; each row says why above it.
struct FloorCheck {
    /// Django's ID and words for each form of this one problem: the message and the sentence
    /// Django appends to every message of the group (identical in Django 4.2 to 6.1).
    messages: &'static [(&'static str, &'static str, &'static str)],
    /// Django's hint, if it gives one.
    hint: Option<&'static str>,
    /// Django's level: an error blocks; the policy decides about warnings.
    severity: Severity,
    /// Django's condition: the ID that fires, if any.
    fires: fn(&Snapshot) -> Option<&'static str>,
}

const SESSION_COOKIE_SECURE_REASON: &str = " Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.";
const SESSION_COOKIE_HTTPONLY_REASON: &str = " Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.";

/// The floor: Django's checks the verdict cannot do without.
const FLOOR: [FloorCheck; 12] = [
    // Why: Without SecurityMiddleware there is no HTTPS redirect and no HSTS whatever the settings say, and W004/W008 cannot fire: removing it must not pass.
    FloorCheck {
        messages: &[(
            "security.W001",
            "You do not have 'django.middleware.security.SecurityMiddleware' in your MIDDLEWARE so the SECURE_HSTS_SECONDS, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, SECURE_CROSS_ORIGIN_OPENER_POLICY, and SECURE_SSL_REDIRECT settings will have no effect.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: security_middleware_missing,
    },
    // Why: Without CsrfViewMiddleware there is no CSRF protection, and W016 cannot fire.
    FloorCheck {
        messages: &[(
            "security.W003",
            "You don't appear to be using Django's built-in cross-site request forgery protection via the middleware ('django.middleware.csrf.CsrfViewMiddleware' is not in your MIDDLEWARE). Enabling the middleware is the safest approach to ensure you don't leave any holes.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: csrf_middleware_missing,
    },
    // Why: No HSTS: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W004",
            "You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible problems.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: hsts_missing,
    },
    // Why: No HTTPS redirect: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W008",
            "Your SECURE_SSL_REDIRECT setting is not set to True. Unless your site should be available over both SSL and non-SSL connections, you may want to either set this setting True or configure a load balancer or reverse-proxy server to redirect all connections to HTTPS.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: ssl_redirect_off,
    },
    // Why: A guessable key forges sessions and signed data: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W009",
            "Your SECRET_KEY has less than 50 characters, less than 5 unique characters, or it's prefixed with 'django-insecure-' indicating that it was generated automatically by Django. Please generate a long and random value, otherwise many of Django's security-critical features will be vulnerable to attack.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: weak_secret_key,
    },
    // Why: A session cookie sent over plain HTTP: blocks by default.
    FloorCheck {
        messages: &[
            (
                "security.W010",
                "You have 'django.contrib.sessions' in your INSTALLED_APPS, but you have not set SESSION_COOKIE_SECURE to True.",
                SESSION_COOKIE_SECURE_REASON,
            ),
            (
                "security.W011",
                "You have 'django.contrib.sessions.middleware.SessionMiddleware' in your MIDDLEWARE, but you have not set SESSION_COOKIE_SECURE to True.",
                SESSION_COOKIE_SECURE_REASON,
            ),
            (
                "security.W012",
                "SESSION_COOKIE_SECURE is not set to True.",
                SESSION_COOKIE_SECURE_REASON,
            ),
        ],
        hint: None,
        severity: Severity::Warn,
        fires: session_cookie_insecure,
    },
    // Why: A session cookie scripts can read: blocks by default.
    FloorCheck {
        messages: &[
            (
                "security.W013",
                "You have 'django.contrib.sessions' in your INSTALLED_APPS, but you have not set SESSION_COOKIE_HTTPONLY to True.",
                SESSION_COOKIE_HTTPONLY_REASON,
            ),
            (
                "security.W014",
                "You have 'django.contrib.sessions.middleware.SessionMiddleware' in your MIDDLEWARE, but you have not set SESSION_COOKIE_HTTPONLY to True.",
                SESSION_COOKIE_HTTPONLY_REASON,
            ),
            (
                "security.W015",
                "SESSION_COOKIE_HTTPONLY is not set to True.",
                SESSION_COOKIE_HTTPONLY_REASON,
            ),
        ],
        hint: None,
        severity: Severity::Warn,
        fires: session_cookie_scriptable,
    },
    // Why: A CSRF cookie sent over plain HTTP: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W016",
            "You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to True. Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: csrf_cookie_insecure,
    },
    // Why: Error pages that show settings and source: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W018",
            "You should not have DEBUG set to True in deployment.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: debug_on,
    },
    // Why: An app that answers every request with 400: blocks by default.
    FloorCheck {
        messages: &[(
            "security.W020",
            "ALLOWED_HOSTS must not be empty in deployment.",
            "",
        )],
        hint: None,
        severity: Severity::Warn,
        fires: allowed_hosts_empty,
    },
    // Why: A Django error: blocks.
    FloorCheck {
        messages: &[(
            "security.E023",
            "You have set the SECURE_REFERRER_POLICY setting to an invalid value.",
            "",
        )],
        hint: Some(
            "Valid values are: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url.",
        ),
        severity: Severity::Block,
        fires: referrer_policy_invalid,
    },
    // Why: A Django error: blocks.
    FloorCheck {
        messages: &[(
            "security.E024",
            "You have set the SECURE_CROSS_ORIGIN_OPENER_POLICY setting to an invalid value.",
            "",
        )],
        hint: Some("Valid values are: same-origin, same-origin-allow-popups, unsafe-none."),
        severity: Severity::Block,
        fires: cross_origin_opener_policy_invalid,
    },
];

/// Django's referrer policies (`REFERRER_POLICY_VALUES` in django/core/checks/security/base.py).
const REFERRER_POLICY_VALUES: [&str; 8] = [
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// Django's `CROSS_ORIGIN_OPENER_POLICY_VALUES`.
const CROSS_ORIGIN_OPENER_POLICY_VALUES: [&str; 3] =
    ["same-origin", "same-origin-allow-popups", "unsafe-none"];

pub(super) fn findings(snapshot: &Snapshot, expected: &ProxySslHeader) -> Vec<Finding> {
    FLOOR
        .iter()
        .filter(|check| !reported_by_django(snapshot, check))
        .filter_map(|check| {
            let id = (check.fires)(snapshot)?;
            let (_, text, reason) = check.messages.iter().find(|(known, _, _)| *known == id)?;
            let message = format!("{text}{reason} {NOT_REPORTED_BY_DJANGO}");
            let mut finding = Finding::new(id, check.severity, Source::Guard, message);
            finding.hint = check.hint.map(str::to_owned);
            Some(with_advice(finding, expected))
        })
        .collect()
}

/// Every ID the floor can report.
#[cfg(test)]
fn floor_check_ids() -> impl Iterator<Item = &'static str> {
    FLOOR
        .iter()
        .flat_map(|check| check.messages.iter().map(|(id, _, _)| *id))
}

/// Whether Django's checks reported any ID of `check`, silenced or not.
fn reported_by_django(snapshot: &Snapshot, check: &FloorCheck) -> bool {
    snapshot
        .checks
        .iter()
        .filter_map(|message| message.id.as_deref())
        .any(|id| check.messages.iter().any(|(known, _, _)| *known == id))
}

/// Python's `settings.NAME is True`: Django's cookie and redirect checks accept nothing else.
fn is_true(snapshot: &Snapshot, name: &str) -> bool {
    setting(snapshot, name).is_some_and(PyValue::is_true)
}

fn security_middleware_missing(snapshot: &Snapshot) -> Option<&'static str> {
    (!has_middleware(snapshot, SECURITY_MIDDLEWARE)).then_some("security.W001")
}

fn csrf_middleware_missing(snapshot: &Snapshot) -> Option<&'static str> {
    (!has_middleware(snapshot, CSRF_MIDDLEWARE)).then_some("security.W003")
}

fn hsts_missing(snapshot: &Snapshot) -> Option<&'static str> {
    let fires =
        has_middleware(snapshot, SECURITY_MIDDLEWARE) && !truthy(snapshot, "SECURE_HSTS_SECONDS");
    fires.then_some("security.W004")
}

fn ssl_redirect_off(snapshot: &Snapshot) -> Option<&'static str> {
    let fires =
        has_middleware(snapshot, SECURITY_MIDDLEWARE) && !is_true(snapshot, "SECURE_SSL_REDIRECT");
    fires.then_some("security.W008")
}

fn weak_secret_key(snapshot: &Snapshot) -> Option<&'static str> {
    let key = &snapshot.secret_key;
    let strong = key.set && key.long_enough && key.enough_unique_characters && !key.insecure_prefix;
    (!strong).then_some("security.W009")
}

fn session_cookie_insecure(snapshot: &Snapshot) -> Option<&'static str> {
    session_cookie(
        snapshot,
        "SESSION_COOKIE_SECURE",
        ["security.W010", "security.W011", "security.W012"],
    )
}

fn session_cookie_scriptable(snapshot: &Snapshot) -> Option<&'static str> {
    session_cookie(
        snapshot,
        "SESSION_COOKIE_HTTPONLY",
        ["security.W013", "security.W014", "security.W015"],
    )
}

/// Django's three-way logic: the app's ID, the middleware's ID, or the combined one when both
/// are present; nothing when neither is (no session cookie is ever set).
fn session_cookie(
    snapshot: &Snapshot,
    flag: &str,
    [app_only, middleware_only, both]: [&'static str; 3],
) -> Option<&'static str> {
    if is_true(snapshot, flag) {
        return None;
    }
    let app = setting_contains(snapshot, "INSTALLED_APPS", "django.contrib.sessions");
    let middleware = has_middleware(snapshot, SESSION_MIDDLEWARE);
    match (app, middleware) {
        (true, true) => Some(both),
        (true, false) => Some(app_only),
        (false, true) => Some(middleware_only),
        (false, false) => None,
    }
}

fn csrf_cookie_insecure(snapshot: &Snapshot) -> Option<&'static str> {
    let fires = has_middleware(snapshot, CSRF_MIDDLEWARE)
        && !truthy(snapshot, "CSRF_USE_SESSIONS")
        && !is_true(snapshot, "CSRF_COOKIE_SECURE");
    fires.then_some("security.W016")
}

fn debug_on(snapshot: &Snapshot) -> Option<&'static str> {
    truthy(snapshot, "DEBUG").then_some("security.W018")
}

fn allowed_hosts_empty(snapshot: &Snapshot) -> Option<&'static str> {
    (!truthy(snapshot, "ALLOWED_HOSTS")).then_some("security.W020")
}

/// A comma-separated string or a list of policies, any of them unknown to Django. A value the
/// probe could not carry faithfully (a set, say) is not judged: Django may accept it.
fn referrer_policy_invalid(snapshot: &Snapshot) -> Option<&'static str> {
    if !has_middleware(snapshot, SECURITY_MIDDLEWARE) {
        return None;
    }
    let value = setting(snapshot, "SECURE_REFERRER_POLICY")?;
    let valid = |policy: &str| REFERRER_POLICY_VALUES.contains(&policy);
    let invalid = match &value.value {
        Value::String(text) => !text.split(',').map(str::trim).all(valid),
        Value::Array(items) => !items.iter().all(|item| item.as_str().is_some_and(valid)),
        _ => false,
    };
    invalid.then_some("security.E023")
}

/// Anything but None and Django's three values.
fn cross_origin_opener_policy_invalid(snapshot: &Snapshot) -> Option<&'static str> {
    if !has_middleware(snapshot, SECURITY_MIDDLEWARE) {
        return None;
    }
    let value = setting(snapshot, "SECURE_CROSS_ORIGIN_OPENER_POLICY")?;
    let invalid = value.py_type != "NoneType"
        && !value
            .as_str()
            .is_some_and(|policy| CROSS_ORIGIN_OPENER_POLICY_VALUES.contains(&policy));
    invalid.then_some("security.E024")
}

/// The property: clearing Django's check registry never weakens the verdict.
#[cfg(test)]
#[path = "floor_property.rs"]
mod property;

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::gate::snapshot::SecretKeyFacts;
    use std::collections::BTreeSet;

    fn floor_ids(builder: SnapshotBuilder) -> Vec<String> {
        findings(&builder.build(), &heroku())
            .into_iter()
            .map(|finding| finding.id)
            .collect()
    }

    /// The hardened app with its security settings undone, as a fresh startproject has them.
    fn startproject() -> SnapshotBuilder {
        SnapshotBuilder::hardened()
            .set("DEBUG", py_bool(true))
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .set("SECURE_HSTS_SECONDS", py_int(0))
            .set("SESSION_COOKIE_SECURE", py_bool(false))
            .set("CSRF_COOKIE_SECURE", py_bool(false))
            .set("SESSION_COOKIE_HTTPONLY", py_bool(false))
            .secret_key(SecretKeyFacts {
                insecure_prefix: true,
                ..SnapshotBuilder::hardened().build().secret_key
            })
    }

    #[test]
    fn a_hardened_app_passes_the_floor() {
        assert_eq!(floor_ids(SnapshotBuilder::hardened()), Vec::<String>::new());
    }

    #[test]
    fn without_django_s_messages_the_floor_reports_every_problem_under_django_s_ids() {
        assert_eq!(
            floor_ids(startproject()),
            [
                "security.W004",
                "security.W008",
                "security.W009",
                "security.W012",
                "security.W015",
                "security.W016",
                "security.W018"
            ]
        );
        let found = findings(&startproject().build(), &heroku());
        let debug = found.last().unwrap();
        assert_eq!(
            debug.message,
            "You should not have DEBUG set to True in deployment. Django's checks did not report this (the app's code may have changed the check registry); Release Guard checks it from the settings itself."
        );
        assert_eq!(debug.source, Source::Guard);
        assert_eq!(debug.severity, Severity::Warn);
        // Django's advice comes along.
        assert_eq!(debug.fix.as_deref(), Some("DEBUG = False"));
        assert_eq!(debug.setting.as_deref(), Some("DEBUG"));
    }

    #[test]
    fn where_django_reported_the_problem_its_message_stands_alone() {
        let reported = startproject()
            .check("security.W004", 30, false)
            .check("security.W008", 30, false)
            .check("security.W009", 30, false)
            // Another ID of the same problem counts: one finding per problem.
            .check("security.W010", 30, false)
            .check("security.W013", 30, false)
            .check("security.W016", 30, false)
            // Silenced by Django is reported too: the policy lists it as silenced.
            .check("security.W018", 30, true);
        assert_eq!(floor_ids(reported), Vec::<String>::new());
    }

    #[test]
    fn redirect_and_cookie_flags_must_be_exactly_true() {
        // Truthy is not enough for Django (`is not True`), so not for the floor either.
        let truthy_flags = SnapshotBuilder::hardened()
            .set("SECURE_SSL_REDIRECT", py_int(1))
            .set("SESSION_COOKIE_SECURE", py_str("yes"))
            .set("SESSION_COOKIE_HTTPONLY", py_int(1))
            .set("CSRF_COOKIE_SECURE", py_int(1));
        assert_eq!(
            floor_ids(truthy_flags),
            [
                "security.W008",
                "security.W012",
                "security.W015",
                "security.W016"
            ]
        );
        // HSTS, DEBUG and ALLOWED_HOSTS are truthiness checks: "0" counts as set.
        let truthiness = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_str("0"))
            .set("DEBUG", py_str(""));
        assert_eq!(floor_ids(truthiness), Vec::<String>::new());
        let hsts_none = SnapshotBuilder::hardened().set("SECURE_HSTS_SECONDS", py_none());
        assert_eq!(floor_ids(hsts_none), ["security.W004"]);
        let debug_string = SnapshotBuilder::hardened().set("DEBUG", py_str("False"));
        assert_eq!(floor_ids(debug_string), ["security.W018"]);
        let no_hosts = SnapshotBuilder::hardened().set("ALLOWED_HOSTS", py_list(&[]));
        assert_eq!(floor_ids(no_hosts), ["security.W020"]);
    }

    #[test]
    fn removing_security_middleware_is_w001_instead_of_w004_and_w008() {
        let without = startproject().set(
            "MIDDLEWARE",
            py_list(&[SESSION_MIDDLEWARE, CSRF_MIDDLEWARE]),
        );
        assert_eq!(
            floor_ids(without),
            [
                "security.W001",
                "security.W009",
                "security.W012",
                "security.W015",
                "security.W016",
                "security.W018"
            ]
        );
        let found = findings(
            &SnapshotBuilder::hardened()
                .set("MIDDLEWARE", py_list(&[CSRF_MIDDLEWARE]))
                .build(),
            &heroku(),
        );
        assert_eq!(found[0].id, "security.W001");
        assert_eq!(found[0].setting.as_deref(), Some("MIDDLEWARE"));
    }

    #[test]
    fn session_cookie_ids_follow_django_s_app_and_middleware_logic() {
        let cases: [(&[&str], &[&str], &[&str]); 4] = [
            (
                &["django.contrib.sessions"],
                &[SESSION_MIDDLEWARE],
                &["security.W012", "security.W015"],
            ),
            (
                &["django.contrib.sessions"],
                &[],
                &["security.W010", "security.W013"],
            ),
            (
                &[],
                &[SESSION_MIDDLEWARE],
                &["security.W011", "security.W014"],
            ),
            // An AppConfig path is not the string Django looks for.
            (&["django.contrib.sessions.apps.SessionsConfig"], &[], &[]),
        ];
        for (apps, middleware, expected) in cases {
            let mut listed = vec![SECURITY_MIDDLEWARE, CSRF_MIDDLEWARE];
            listed.extend(middleware);
            let snapshot = SnapshotBuilder::hardened()
                .set("INSTALLED_APPS", py_list(apps))
                .set("MIDDLEWARE", py_list(&listed))
                .set("SESSION_COOKIE_SECURE", py_bool(false))
                .set("SESSION_COOKIE_HTTPONLY", py_bool(false));
            assert_eq!(floor_ids(snapshot), expected, "{apps:?} {middleware:?}");
        }
    }

    #[test]
    fn csrf_cookie_needs_the_middleware_and_a_cookie() {
        let insecure = || SnapshotBuilder::hardened().set("CSRF_COOKIE_SECURE", py_bool(false));
        assert_eq!(floor_ids(insecure()), ["security.W016"]);
        // CSRF_USE_SESSIONS is a truthiness test in Django.
        let in_session = insecure().set("CSRF_USE_SESSIONS", py_int(1));
        assert_eq!(floor_ids(in_session), Vec::<String>::new());
        // Without the middleware there is no CSRF cookie, and no CSRF protection: W003.
        let no_middleware = insecure().set("MIDDLEWARE", py_list(&[SECURITY_MIDDLEWARE]));
        assert_eq!(floor_ids(no_middleware), ["security.W003"]);
    }

    #[test]
    fn every_weak_key_condition_fires_w009() {
        let strong = SnapshotBuilder::hardened().build().secret_key;
        let weak = [
            SecretKeyFacts {
                set: false,
                ..strong.clone()
            },
            SecretKeyFacts {
                long_enough: false,
                ..strong.clone()
            },
            SecretKeyFacts {
                enough_unique_characters: false,
                ..strong.clone()
            },
            SecretKeyFacts {
                insecure_prefix: true,
                ..strong.clone()
            },
        ];
        for facts in weak {
            let snapshot = SnapshotBuilder::hardened().secret_key(facts.clone());
            assert_eq!(floor_ids(snapshot), ["security.W009"], "{facts:?}");
        }
    }

    #[test]
    fn invalid_referrer_and_opener_policies_are_django_s_errors() {
        let policy = |referrer: PyValue, opener: PyValue| {
            SnapshotBuilder::hardened()
                .set("SECURE_REFERRER_POLICY", referrer)
                .set("SECURE_CROSS_ORIGIN_OPENER_POLICY", opener)
        };
        assert_eq!(
            floor_ids(policy(
                py_str("no-referrer, strict-origin"),
                py_str("same-origin")
            )),
            Vec::<String>::new()
        );
        assert_eq!(
            floor_ids(policy(py_list(&["origin", "nope"]), py_none())),
            ["security.E023"]
        );
        let found = findings(
            &policy(py_str("same-origin"), py_str("bogus")).build(),
            &heroku(),
        );
        assert_eq!(ids(&found), ["security.E024"]);
        assert_eq!(found[0].severity, Severity::Block);
        assert_eq!(
            found[0].hint.as_deref(),
            Some("Valid values are: same-origin, same-origin-allow-popups, unsafe-none.")
        );
        // SecurityMiddleware sends neither header, so Django does not check them without it.
        assert_eq!(
            floor_ids(
                policy(py_str("nope"), py_str("bogus"))
                    .set("MIDDLEWARE", py_list(&[CSRF_MIDDLEWARE]))
            ),
            ["security.W001"]
        );
    }

    #[test]
    fn the_table_holds_django_s_words_and_hints() {
        let sorted = |values: &[&str]| {
            let mut values = values.to_vec();
            values.sort_unstable();
            format!("Valid values are: {}.", values.join(", "))
        };
        let hint = |id: &str| {
            FLOOR
                .iter()
                .find(|check| check.messages.iter().any(|(known, _, _)| *known == id))
                .and_then(|check| check.hint)
        };
        assert_eq!(
            hint("security.E023"),
            Some(sorted(&REFERRER_POLICY_VALUES).as_str())
        );
        assert_eq!(
            hint("security.E024"),
            Some(sorted(&CROSS_ORIGIN_OPENER_POLICY_VALUES).as_str())
        );
        let listed: Vec<&str> = floor_check_ids().collect();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "{listed:?}");
        let documented = include_str!("../../../docs/rules.md");
        for check in &FLOOR {
            let (first, _, _) = check.messages[0];
            assert!(
                documented.contains(&format!("| `{first}`")),
                "{first} is not in docs/rules.md"
            );
        }
        for id in crate::gate::policy::DEFAULT_BLOCKING_DJANGO_IDS {
            assert!(
                unique.contains(id),
                "{id} blocks by default but is not in the floor"
            );
        }
    }
}

//! The guard's own floor: Django's deploy checks for the settings at the heart of a release
//! (SSL redirect, HSTS, Secure and `HttpOnly` cookies, `DEBUG`, `SECRET_KEY`), evaluated again from
//! the settings snapshot under Django's IDs and exact conditions. Django's check registry lives
//! in the app's process, where app code can clear it or replace `run_checks`; this floor does
//! not depend on it. Where Django reported the same problem, its message stands alone.

use super::django::with_advice;
use super::{SECURITY_MIDDLEWARE, has_middleware, setting, setting_contains, truthy};
use crate::config::ProxySslHeader;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};

const SESSION_MIDDLEWARE: &str = "django.contrib.sessions.middleware.SessionMiddleware";
const CSRF_MIDDLEWARE: &str = "django.middleware.csrf.CsrfViewMiddleware";

/// Said after Django's message, so the reader knows why Django's own output lacks it.
const NOT_REPORTED_BY_DJANGO: &str = "Django's checks did not report this (the app's code may have changed the check registry); Release Guard checks it from the settings itself.";

/// One of Django's checks: the IDs it can report (one problem) and its condition.
struct Check {
    ids: &'static [&'static str],
    fires: fn(&Snapshot) -> Option<&'static str>,
}

const CHECKS: [Check; 7] = [
    Check {
        ids: &["security.W004"],
        fires: hsts_missing,
    },
    Check {
        ids: &["security.W008"],
        fires: ssl_redirect_off,
    },
    Check {
        ids: &["security.W009"],
        fires: weak_secret_key,
    },
    Check {
        ids: &SESSION_COOKIE_SECURE_IDS,
        fires: session_cookie_insecure,
    },
    Check {
        ids: &SESSION_COOKIE_HTTPONLY_IDS,
        fires: session_cookie_scriptable,
    },
    Check {
        ids: &["security.W016"],
        fires: csrf_cookie_insecure,
    },
    Check {
        ids: &["security.W018"],
        fires: debug_on,
    },
];

/// Django's IDs for a session cookie setting: sessions app only, middleware only, both.
const SESSION_COOKIE_SECURE_IDS: [&str; 3] = ["security.W010", "security.W011", "security.W012"];
const SESSION_COOKIE_HTTPONLY_IDS: [&str; 3] = ["security.W013", "security.W014", "security.W015"];

pub(super) fn findings(snapshot: &Snapshot, expected: &ProxySslHeader) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter(|check| !reported_by_django(snapshot, check.ids))
        .filter_map(|check| (check.fires)(snapshot))
        .filter_map(|id| {
            let message = format!("{} {NOT_REPORTED_BY_DJANGO}", django_message(id)?);
            let finding = Finding::new(id, Severity::Warn, Source::Guard, message);
            Some(with_advice(finding, expected))
        })
        .collect()
}

/// Whether Django's checks reported any of `ids`, silenced or not.
fn reported_by_django(snapshot: &Snapshot, ids: &[&str]) -> bool {
    snapshot
        .checks
        .iter()
        .filter_map(|message| message.id.as_deref())
        .any(|id| ids.contains(&id))
}

/// Python's `settings.NAME is True`: Django's cookie and redirect checks accept nothing else.
fn is_true(snapshot: &Snapshot, name: &str) -> bool {
    setting(snapshot, name).is_some_and(PyValue::is_true)
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
    session_cookie(snapshot, "SESSION_COOKIE_SECURE", SESSION_COOKIE_SECURE_IDS)
}

fn session_cookie_scriptable(snapshot: &Snapshot) -> Option<&'static str> {
    session_cookie(
        snapshot,
        "SESSION_COOKIE_HTTPONLY",
        SESSION_COOKIE_HTTPONLY_IDS,
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

const SESSION_COOKIE_SECURE_REASON: &str = " Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.";
const SESSION_COOKIE_HTTPONLY_REASON: &str = " Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.";

/// Django's messages, word for word (identical in Django 4.2 to 6.1): the ID, the text, and the
/// sentence Django appends to every message of the group.
const MESSAGES: [(&str, &str, &str); 11] = [
    (
        "security.W004",
        "You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible problems.",
        "",
    ),
    (
        "security.W008",
        "Your SECURE_SSL_REDIRECT setting is not set to True. Unless your site should be available over both SSL and non-SSL connections, you may want to either set this setting True or configure a load balancer or reverse-proxy server to redirect all connections to HTTPS.",
        "",
    ),
    (
        "security.W009",
        "Your SECRET_KEY has less than 50 characters, less than 5 unique characters, or it's prefixed with 'django-insecure-' indicating that it was generated automatically by Django. Please generate a long and random value, otherwise many of Django's security-critical features will be vulnerable to attack.",
        "",
    ),
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
    (
        "security.W016",
        "You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to True. Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.",
        "",
    ),
    (
        "security.W018",
        "You should not have DEBUG set to True in deployment.",
        "",
    ),
];

fn django_message(id: &str) -> Option<String> {
    MESSAGES
        .iter()
        .find(|(known, _, _)| *known == id)
        .map(|(_, text, reason)| format!("{text}{reason}"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::gate::snapshot::SecretKeyFacts;

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
        // HSTS and DEBUG are truthiness checks: "0" counts as set, 0 and None do not.
        let truthiness = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_str("0"))
            .set("DEBUG", py_str(""));
        assert_eq!(floor_ids(truthiness), Vec::<String>::new());
        let hsts_none = SnapshotBuilder::hardened().set("SECURE_HSTS_SECONDS", py_none());
        assert_eq!(floor_ids(hsts_none), ["security.W004"]);
        let debug_string = SnapshotBuilder::hardened().set("DEBUG", py_str("False"));
        assert_eq!(floor_ids(debug_string), ["security.W018"]);
    }

    #[test]
    fn security_middleware_gates_the_redirect_and_hsts_checks() {
        let without = startproject().set(
            "MIDDLEWARE",
            py_list(&[SESSION_MIDDLEWARE, CSRF_MIDDLEWARE]),
        );
        let ids = floor_ids(without);
        assert!(!ids.contains(&"security.W004".to_string()), "{ids:?}");
        assert!(!ids.contains(&"security.W008".to_string()), "{ids:?}");
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
            let snapshot = SnapshotBuilder::hardened()
                .set("INSTALLED_APPS", py_list(apps))
                .set("MIDDLEWARE", py_list(middleware))
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
        let no_middleware = insecure().set("MIDDLEWARE", py_list(&[SECURITY_MIDDLEWARE]));
        assert_eq!(floor_ids(no_middleware), Vec::<String>::new());
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
    fn messages_are_django_s_word_for_word() {
        let message = |id| django_message(id).unwrap();
        assert_eq!(
            message("security.W012"),
            "SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions."
        );
        assert_eq!(
            message("security.W014"),
            "You have 'django.contrib.sessions.middleware.SessionMiddleware' in your MIDDLEWARE, but you have not set SESSION_COOKIE_HTTPONLY to True. Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions."
        );
        // Every ID the floor can report has its message.
        for check in &CHECKS {
            for id in check.ids {
                assert!(message(id).ends_with('.'), "{id}");
            }
        }
        assert_eq!(
            CHECKS.iter().map(|check| check.ids.len()).sum::<usize>(),
            MESSAGES.len()
        );
    }
}

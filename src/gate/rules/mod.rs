//! The rules: pure functions from a probe `Snapshot` to `Finding`s. `django` turns Django's own
//! check messages into findings; the other modules are the guard's rules (`guard.*` IDs) for
//! what Django misses. Severities here are the defaults; `policy` applies the user's choices.

mod cookies;
mod dead_settings;
mod django;
mod floor;
mod hsts;
mod isolation;
mod middleware;
mod proxy;
mod redirect;
mod simulation;
#[cfg(test)]
pub(crate) mod testing;

use crate::config::ProxySslHeader;
use crate::finding::Finding;
use crate::gate::snapshot::{PyValue, Snapshot};

/// Every finding for `snapshot` behind a proxy that marks HTTPS requests with
/// `proxy_ssl_header`: Django's messages first, then the guard's floor of Django's IDs (what
/// Django should have reported but did not), then the guard's rules.
#[must_use]
pub fn all(snapshot: &Snapshot, proxy_ssl_header: &ProxySslHeader) -> Vec<Finding> {
    let mut findings = django::findings(snapshot, proxy_ssl_header);
    findings.extend(floor::findings(snapshot, proxy_ssl_header));
    findings.extend(isolation::findings(snapshot));
    findings.extend(hsts::findings(snapshot));
    let proxy_findings = proxy::findings(snapshot, proxy_ssl_header);
    let https_undetectable = !proxy_findings.is_empty();
    findings.extend(proxy_findings);
    findings.extend(redirect::findings(snapshot));
    findings.extend(middleware::findings(snapshot));
    findings.extend(cookies::findings(snapshot));
    findings.extend(dead_settings::findings(snapshot));
    findings.extend(
        simulation::findings(snapshot)
            .into_iter()
            // A redirect loop and a missing HSTS header are what an undetectable HTTPS looks
            // like in practice: the proxy finding already explains them with the fix.
            .filter(|finding| !(https_undetectable && simulation::is_https_symptom(finding))),
    );
    findings
}

/// Every `guard.*` ID the rules can produce (the README's rule table lists them).
pub const GUARD_IDS: [&str; 22] = [
    hsts::INVALID,
    hsts::SHORT,
    hsts::PRELOAD_INELIGIBLE,
    proxy::HTTPS_UNDETECTABLE,
    proxy::HEADER_MALFORMED,
    proxy::HEADER_UNEXPECTED,
    redirect::EXEMPT_CATCH_ALL,
    redirect::EXEMPT_INVALID,
    redirect::SSL_HOST_OFF_HOST,
    middleware::ORDER,
    cookies::SAMESITE_INVALID,
    cookies::SAMESITE_NONE_INSECURE,
    cookies::SAMESITE_NONE,
    cookies::SAMESITE_MISSING,
    simulation::NOT_REDIRECTED,
    simulation::REDIRECT_LOOP,
    simulation::HSTS_MISSING,
    simulation::APP_ERROR,
    simulation::SKIPPED,
    dead_settings::DEAD_SETTING,
    isolation::DATABASE_CHECKS_NOT_RUN,
    isolation::CONNECTION_BLOCKED,
];

const SECURITY_MIDDLEWARE: &str = "django.middleware.security.SecurityMiddleware";
/// The proxy header line for Heroku's router (`proxy::proxy_header_line` of the default).
const SECURE_PROXY_HEADER_LINE: &str =
    r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#;

fn setting<'s>(snapshot: &'s Snapshot, name: &str) -> Option<&'s PyValue> {
    snapshot.settings.get(name)
}

/// `bool(settings.NAME)`, false when the setting is absent.
fn truthy(snapshot: &Snapshot, name: &str) -> bool {
    setting(snapshot, name).is_some_and(PyValue::truthy)
}

fn middleware(snapshot: &Snapshot) -> Vec<&str> {
    setting(snapshot, "MIDDLEWARE")
        .and_then(PyValue::as_str_list)
        .unwrap_or_default()
}

fn has_middleware(snapshot: &Snapshot, path: &str) -> bool {
    setting_contains(snapshot, "MIDDLEWARE", path)
}

/// Python's `item in settings.NAME` for a list or tuple setting (other items may be anything).
fn setting_contains(snapshot: &Snapshot, name: &str, item: &str) -> bool {
    setting(snapshot, name)
        .and_then(|value| value.value.as_array())
        .is_some_and(|items| items.iter().any(|listed| listed.as_str() == Some(item)))
}

/// `SecurityMiddleware` redirects HTTP to HTTPS (it reads the setting's truthiness).
fn ssl_redirect_on(snapshot: &Snapshot) -> bool {
    truthy(snapshot, "SECURE_SSL_REDIRECT")
}

/// `SecurityMiddleware` sends HSTS (again truthiness: `"0"` counts as on).
fn hsts_on(snapshot: &Snapshot) -> bool {
    truthy(snapshot, "SECURE_HSTS_SECONDS")
}

/// The Strict-Transport-Security value `SecurityMiddleware` builds from the settings.
fn django_hsts_header(snapshot: &Snapshot) -> Option<String> {
    let seconds = setting(snapshot, "SECURE_HSTS_SECONDS").filter(|value| value.truthy())?;
    let formatted = match seconds.as_str() {
        Some(text) => text.to_string(),
        None => seconds.repr.clone(),
    };
    let mut header = format!("max-age={formatted}");
    if truthy(snapshot, "SECURE_HSTS_INCLUDE_SUBDOMAINS") {
        header.push_str("; includeSubDomains");
    }
    if truthy(snapshot, "SECURE_HSTS_PRELOAD") {
        header.push_str("; preload");
    }
    Some(header)
}

/// "3600 s (1 hour)"-style durations for messages.
fn describe_seconds(seconds: i64) -> String {
    const UNITS: [(i64, &str); 4] = [
        (86_400 * 365, "year"),
        (86_400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ];
    for (unit, name) in UNITS {
        if seconds >= unit {
            let count = seconds / unit;
            let plural = if count == 1 { "" } else { "s" };
            let approx = if seconds % unit == 0 { "" } else { "about " };
            return format!("{seconds} s, {approx}{count} {name}{plural}");
        }
    }
    format!("{seconds} s")
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn a_hardened_app_has_no_findings() {
        assert_eq!(
            all(&SnapshotBuilder::hardened().build(), &heroku()),
            Vec::new()
        );
    }

    #[test]
    fn hsts_header_as_django_builds_it() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_str("0"))
            .set("SECURE_HSTS_INCLUDE_SUBDOMAINS", py_bool(true))
            .set("SECURE_HSTS_PRELOAD", py_int(1))
            .build();
        assert_eq!(
            django_hsts_header(&snapshot).as_deref(),
            Some("max-age=0; includeSubDomains; preload")
        );
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_int(0))
            .build();
        assert_eq!(django_hsts_header(&snapshot), None);
    }

    #[test]
    fn guard_ids_are_stable_snake_case_and_unique() {
        let unique: std::collections::BTreeSet<&str> = GUARD_IDS.into_iter().collect();
        assert_eq!(unique.len(), GUARD_IDS.len());
        for id in GUARD_IDS {
            assert!(
                crate::finding_ids::is_known(id),
                "{id} is not in finding_ids"
            );
        }
        for id in GUARD_IDS {
            let name = id.strip_prefix("guard.").unwrap();
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id}"
            );
        }
    }

    #[test]
    fn durations() {
        assert_eq!(describe_seconds(3600), "3600 s, 1 hour");
        assert_eq!(describe_seconds(31_536_000), "31536000 s, 1 year");
        assert_eq!(describe_seconds(15_552_000), "15552000 s, 180 days");
        assert_eq!(describe_seconds(5400), "5400 s, about 1 hour");
        assert_eq!(describe_seconds(3), "3 s");
    }

    #[test]
    fn https_symptoms_are_folded_into_the_proxy_finding() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_PROXY_SSL_HEADER", py_none())
            .https(https_redirects_to_itself)
            .build();
        assert_eq!(
            ids(&all(&snapshot, &heroku())),
            ["guard.https_undetectable"]
        );
    }
}

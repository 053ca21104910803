//! The rules: pure functions from a probe `Snapshot` to `Finding`s. `django` turns Django's own
//! check messages into findings; the other modules are the guard's rules (`guard.*` IDs) for
//! what Django misses. Severities here are the defaults; `policy` applies the user's choices.

mod cookies;
mod csp;
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
    findings.extend(csp::findings(snapshot));
    findings.extend(dead_settings::findings(snapshot));
    findings.extend(
        simulation::findings(snapshot, proxy_ssl_header)
            .into_iter()
            // A redirect loop and a missing HSTS header are what an undetectable HTTPS looks
            // like in practice: the proxy finding already explains them with the fix.
            .filter(|finding| !(https_undetectable && simulation::is_https_symptom(finding))),
    );
    findings
}

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

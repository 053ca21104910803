//! What the app actually answered when the probe sent it requests the way Heroku's router
//! does (`X-Forwarded-Proto: http` and `https`), through the new release's WSGI application.

use super::pattern::search;
use super::redirect::exempt_patterns;
use super::{SECURITY_MIDDLEWARE, has_middleware, hsts_on, setting, ssl_redirect_on};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{SimulatedResponse, Snapshot};

pub(super) const NOT_REDIRECTED: &str = "guard.simulation_not_redirected";
pub(super) const REDIRECT_LOOP: &str = "guard.simulation_redirect_loop";
pub(super) const HSTS_MISSING: &str = "guard.simulation_hsts_missing";
pub(super) const APP_ERROR: &str = "guard.simulation_app_error";
pub(super) const SKIPPED: &str = "guard.simulation_skipped";

const REDIRECT_STATUSES: [u16; 4] = [301, 302, 307, 308];

/// The exception probe.py raises when app code reaches for the database during a simulated
/// request: the probe never connects (nothing may be written, and at build time there is no
/// database), so this says nothing about the app.
const DATABASE_BLOCKED: &str = "DatabaseAccessBlocked";

fn needed_database(response: &SimulatedResponse) -> bool {
    response
        .error
        .as_deref()
        .is_some_and(|error| error.starts_with(DATABASE_BLOCKED))
}

/// Findings that are the visible effect of Django not detecting HTTPS.
pub(super) fn is_https_symptom(finding: &Finding) -> bool {
    finding.id == REDIRECT_LOOP || finding.id == HSTS_MISSING
}

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let simulation = &snapshot.simulation;
    if !simulation.ran {
        let reason = simulation
            .skipped_reason
            .as_ref()
            .map_or_else(|| "no reason given".to_string(), ToString::to_string);
        return vec![Finding::new(
            SKIPPED,
            Severity::Info,
            Source::Guard,
            format!("The simulated HTTP and HTTPS requests did not run: {reason}."),
        )];
    }
    let host = simulation.host.as_deref().unwrap_or("localhost");
    let path = simulation.path.as_deref().unwrap_or("/");
    let plain_url = format!("http://{host}{path}");
    let secure_url = format!("https://{host}{path}");
    // A response the database blocked says nothing about the app: leave it out.
    let judged = |response: &Option<SimulatedResponse>| {
        response
            .clone()
            .filter(|response| !needed_database(response))
    };
    let (http, https) = (judged(&simulation.http), judged(&simulation.https));
    let mut findings = Vec::new();
    let blocked_by_database = [("HTTP", &simulation.http), ("HTTPS", &simulation.https)]
        .into_iter()
        .filter(|(_, response)| response.as_ref().is_some_and(needed_database))
        .map(|(scheme, _)| scheme)
        .collect::<Vec<_>>();
    if !blocked_by_database.is_empty() {
        findings.push(Finding::new(
            SKIPPED,
            Severity::Info,
            Source::Guard,
            format!(
                "The simulated {} request for {path} needed the database, which Release Guard never touches, so its response was not judged.",
                blocked_by_database.join(" and ")
            ),
        ));
    }
    let responses = [("HTTP", &plain_url, &http), ("HTTPS", &secure_url, &https)];
    if let Some(finding) = responses
        .iter()
        .find_map(|(scheme, url, response)| app_error(scheme, url, response.as_ref()?))
    {
        // Nothing else about the responses can be judged when the app raised.
        findings.push(finding);
        return findings;
    }
    let security_middleware = has_middleware(snapshot, SECURITY_MIDDLEWARE);
    let redirect_expected =
        security_middleware && ssl_redirect_on(snapshot) && !exempt(snapshot, path);
    if let Some(http) = http.as_ref().filter(|_| redirect_expected) {
        findings.extend(not_redirected(snapshot, host, &plain_url, http));
    }
    if let Some(https) = &https {
        let loops = is_redirect(https) && https.location.as_deref() == Some(secure_url.as_str());
        if loops {
            findings.push(redirect_loop(&secure_url));
        } else if security_middleware && hsts_on(snapshot) && https.hsts.is_empty() {
            findings.push(hsts_missing(snapshot, &secure_url, https));
        }
    }
    findings
}

fn is_redirect(response: &SimulatedResponse) -> bool {
    response
        .status
        .is_some_and(|status| REDIRECT_STATUSES.contains(&status))
}

/// `SecurityMiddleware` skips paths matching `SECURE_REDIRECT_EXEMPT` (catch-alls are
/// reported by the redirect rule).
fn exempt(snapshot: &Snapshot, path: &str) -> bool {
    let path = path.trim_start_matches('/');
    exempt_patterns(snapshot)
        .iter()
        .any(|pattern| search(pattern, path) == Ok(true))
}

fn describe(response: &SimulatedResponse) -> String {
    match (response.status, &response.location) {
        (Some(status), Some(location)) => format!("{status} to {location}"),
        (Some(status), None) => status.to_string(),
        (None, _) => "no response".to_string(),
    }
}

fn app_error(scheme: &str, url: &str, response: &SimulatedResponse) -> Option<Finding> {
    if response.status.is_some() && response.error.is_none() {
        return None;
    }
    let error = response.error.as_ref().map_or_else(
        || "no response and no exception".to_string(),
        ToString::to_string,
    );
    Some(
        Finding::new(
            APP_ERROR,
            Severity::Block,
            Source::Guard,
            format!("The app raised an exception answering a simulated {scheme} request for {url}: {error}"),
        )
        .with_required("the new release answers a simple request without raising")
        .with_why("This is the code about to go live: the same request from Heroku's router would fail the same way.")
        .with_fix("Run the app locally with the same config vars and request that URL to see the full traceback."),
    )
}

fn not_redirected(
    snapshot: &Snapshot,
    host: &str,
    url: &str,
    http: &SimulatedResponse,
) -> Option<Finding> {
    let location = http.location.as_deref().unwrap_or_default();
    let same_host = format!("https://{host}/");
    if is_redirect(http)
        && (location.starts_with(&same_host) || location == same_host.trim_end_matches('/'))
    {
        return None;
    }
    // A redirect to SECURE_SSL_HOST is the redirect rule's warning, not a failure.
    let ssl_host = setting(snapshot, "SECURE_SSL_HOST").and_then(|value| value.as_str());
    if is_redirect(http)
        && ssl_host.is_some_and(|ssl_host| location.starts_with(&format!("https://{ssl_host}/")))
    {
        return None;
    }
    Some(
        Finding::new(
            NOT_REDIRECTED,
            Severity::Block,
            Source::Guard,
            format!(
                "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for {url} (X-Forwarded-Proto: http) got {} instead of a redirect to https://{host}.",
                describe(http)
            ),
        )
        .with_setting("SECURE_SSL_REDIRECT")
        .with_required("plain-HTTP requests answered with 301 to the same URL on https://")
        .with_why("Visitors who type the address or follow an old link stay on plain HTTP, where pages and cookies can be read and changed.")
        .with_fix("Check that SecurityMiddleware is first in MIDDLEWARE and nothing before it answers the request."),
    )
}

fn redirect_loop(url: &str) -> Finding {
    Finding::new(
        REDIRECT_LOOP,
        Severity::Block,
        Source::Guard,
        format!("An HTTPS request for {url} (X-Forwarded-Proto: https) was redirected to itself: browsers loop until they give up with \"too many redirects\"."),
    )
    .with_setting("SECURE_PROXY_SSL_HEADER")
    .with_required(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#)
    .with_why("Django does not see the request as secure, so SECURE_SSL_REDIRECT redirects it again and again.")
    .with_fix(super::SECURE_PROXY_HEADER_LINE)
}

fn hsts_missing(snapshot: &Snapshot, url: &str, https: &SimulatedResponse) -> Finding {
    let seconds = setting(snapshot, "SECURE_HSTS_SECONDS")
        .map_or_else(String::new, |value| value.repr.clone());
    Finding::new(
        HSTS_MISSING,
        Severity::Block,
        Source::Guard,
        format!(
            "SECURE_HSTS_SECONDS is {seconds}, but the HTTPS response for {url} ({}) carried no Strict-Transport-Security header.",
            describe(https)
        ),
    )
    .with_setting("SECURE_HSTS_SECONDS")
    .with_required("a Strict-Transport-Security header on every HTTPS response")
    .with_why("SecurityMiddleware adds HSTS only to responses it sees for requests it considers secure; something answered before it or HTTPS is not detected.")
    .with_fix("Put SecurityMiddleware first in MIDDLEWARE and set SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\").")
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn http_must_redirect_to_https_on_the_same_host() {
        let served = SnapshotBuilder::hardened()
            .http(|http| {
                http.status = Some(200);
                http.location = None;
            })
            .build();
        let finding = only_finding(findings(&served), NOT_REDIRECTED);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://myapp.herokuapp.com/ (X-Forwarded-Proto: http) got 200 instead of a redirect to https://myapp.herokuapp.com."
        );
        let elsewhere = SnapshotBuilder::hardened()
            .http(|http| http.location = Some("http://myapp.herokuapp.com/".to_string()))
            .build();
        assert_eq!(ids(&findings(&elsewhere)), [NOT_REDIRECTED]);
        let to_ssl_host = SnapshotBuilder::hardened()
            .set("SECURE_SSL_HOST", py_str("www.example.com"))
            .http(|http| http.location = Some("https://www.example.com/".to_string()))
            .build();
        assert_eq!(findings(&to_ssl_host), Vec::new());
    }

    #[test]
    fn exempted_paths_are_not_expected_to_redirect() {
        let exempt_root = SnapshotBuilder::hardened()
            .set("SECURE_REDIRECT_EXEMPT", py_list(&["^$"]))
            .http(|http| http.status = Some(200))
            .build();
        assert_eq!(findings(&exempt_root), Vec::new());
    }

    #[test]
    fn https_redirected_to_itself_is_a_loop() {
        let looping = SnapshotBuilder::hardened()
            .https(https_redirects_to_itself)
            .build();
        let finding = only_finding(findings(&looping), REDIRECT_LOOP);
        assert!(is_https_symptom(&finding));
    }

    #[test]
    fn https_without_hsts_blocks_when_hsts_is_on() {
        let snapshot = SnapshotBuilder::hardened()
            .https(|https| https.hsts.clear())
            .build();
        let finding = only_finding(findings(&snapshot), HSTS_MISSING);
        assert_eq!(
            finding.message,
            "SECURE_HSTS_SECONDS is 31536000, but the HTTPS response for https://myapp.herokuapp.com/ (200) carried no Strict-Transport-Security header."
        );
    }

    #[test]
    fn an_exception_blocks_and_is_shown() {
        let snapshot = SnapshotBuilder::hardened()
            .https(|https| {
                https.status = None;
                https.error = Some("ImproperlyConfigured: boom".into());
            })
            .build();
        let finding = only_finding(findings(&snapshot), APP_ERROR);
        assert!(
            crate::redact::Redactor::default()
                .field(&finding.message)
                .ends_with("for https://myapp.herokuapp.com/: ImproperlyConfigured: boom")
        );
    }

    #[test]
    fn a_response_the_database_blocked_is_not_judged_but_the_other_is() {
        let snapshot = SnapshotBuilder::hardened()
            .https(|https| {
                https.status = Some(500);
                https.hsts.clear();
                https.error = Some("DatabaseAccessBlocked: the guard's simulated request does not use the database ('default')".into());
            })
            .build();
        let finding = only_finding(findings(&snapshot), SKIPPED);
        assert_eq!(finding.severity, Severity::Info);
        let http_not_redirected = SnapshotBuilder::hardened()
            .http(|http| http.status = Some(200))
            .https(|https| {
                https.status = Some(500);
                https.error = Some("DatabaseAccessBlocked: no".into());
            })
            .build();
        assert_eq!(
            ids(&findings(&http_not_redirected)),
            [SKIPPED, NOT_REDIRECTED]
        );
        assert_eq!(
            finding.message,
            "The simulated HTTPS request for / needed the database, which Release Guard never touches, so its response was not judged."
        );
    }

    #[test]
    fn a_skipped_simulation_is_noted() {
        let snapshot = SnapshotBuilder::hardened()
            .simulation(|simulation| {
                simulation.ran = false;
                simulation.skipped_reason = Some("no WSGI application".into());
            })
            .build();
        let finding = only_finding(findings(&snapshot), SKIPPED);
        assert_eq!(finding.severity, Severity::Info);
    }
}

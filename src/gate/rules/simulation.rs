//! What the app actually answered when the probe sent it requests the way Heroku's router
//! does (`X-Forwarded-Proto: http` and `https`), through the new release's WSGI application and
//! middleware chain, with the view answered by the probe itself.

use super::{
    SECURITY_MIDDLEWARE, cookies, has_middleware, hsts, hsts_on, middleware, setting,
    ssl_redirect_on, truthy,
};
use crate::config::ProxySslHeader;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, SimulatedResponse, Snapshot};

pub(super) use crate::finding_ids::guard::SIMULATION_APP_ERROR as APP_ERROR;
pub(super) use crate::finding_ids::guard::SIMULATION_HSTS_MISSING as HSTS_MISSING;
pub(super) use crate::finding_ids::guard::SIMULATION_NOT_REDIRECTED as NOT_REDIRECTED;
pub(super) use crate::finding_ids::guard::SIMULATION_REDIRECT_LOOP as REDIRECT_LOOP;
pub(super) use crate::finding_ids::guard::SIMULATION_SKIPPED as SKIPPED;

const REDIRECT_STATUSES: [u16; 4] = [301, 302, 307, 308];

/// The exception the probe reported, before it named what it refused (`refused`), when a request
/// reached for the database: it never connects (nothing may be read or written, and at build
/// time there is no database).
const DATABASE_BLOCKED: &str = "DatabaseAccessBlocked";

/// What the probe refused a request: the database, or a database or cache server.
fn refused(response: &SimulatedResponse) -> &str {
    response.refused.as_deref().unwrap_or("the database")
}

/// Findings that are the visible effect of Django not detecting HTTPS.
pub(super) fn is_https_symptom(finding: &Finding) -> bool {
    finding.id == REDIRECT_LOOP || finding.id == HSTS_MISSING
}

/// Where a simulated request met the probe's database block (or its block of the app's cache
/// servers), relative to `SecurityMiddleware`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DatabaseNeed {
    /// It never reached for the database.
    None,
    /// In a layer after `SecurityMiddleware` (or without it installed): `SecurityMiddleware`
    /// already let the request through, so the response can be judged.
    AfterSecurity,
    /// Before `SecurityMiddleware` could answer: nothing about HTTPS can be judged.
    BeforeSecurity,
    /// Somewhere the probe could not trace.
    Unknown,
}

fn database_need(snapshot: &Snapshot, response: &SimulatedResponse) -> DatabaseNeed {
    let Some(layer) = response.database_needed_by.as_deref() else {
        let blocked = response.refused.is_some()
            || response
                .error
                .as_deref()
                .is_some_and(|error| error.starts_with(DATABASE_BLOCKED));
        return if blocked {
            DatabaseNeed::Unknown
        } else {
            DatabaseNeed::None
        };
    };
    let order = middleware(snapshot);
    let Some(security) = order.iter().position(|path| *path == SECURITY_MIDDLEWARE) else {
        return DatabaseNeed::AfterSecurity;
    };
    let wsgi_application =
        setting(snapshot, "WSGI_APPLICATION").and_then(|value| value.as_str()) == Some(layer);
    match order.iter().position(|path| *path == layer) {
        Some(index) if index < security => DatabaseNeed::BeforeSecurity,
        // Outside the chain: the WSGI application's own wrappers run before any middleware.
        None if wsgi_application || !snapshot.simulation.traced => DatabaseNeed::BeforeSecurity,
        _ => DatabaseNeed::AfterSecurity,
    }
}

pub(super) fn findings(snapshot: &Snapshot, proxy_ssl_header: &ProxySslHeader) -> Vec<Finding> {
    let simulation = &snapshot.simulation;
    if !simulation.ran {
        return vec![not_run(snapshot, proxy_ssl_header)];
    }
    let host = simulation.host.as_deref().unwrap_or("localhost");
    let path = simulation.path.as_deref().unwrap_or("/");
    let plain_url = format!("http://{host}{path}");
    let secure_url = format!("https://{host}{path}");
    let security_middleware = has_middleware(snapshot, SECURITY_MIDDLEWARE);
    let mut findings = Vec::new();
    let mut judged = Vec::new();
    let mut unjudged = Vec::new();
    for (scheme, url, response) in [
        ("HTTP", &plain_url, &simulation.http),
        ("HTTPS", &secure_url, &simulation.https),
    ] {
        let Some(response) = response else { continue };
        match database_need(snapshot, response) {
            DatabaseNeed::None | DatabaseNeed::AfterSecurity => {
                judged.push((scheme, url, response));
            }
            DatabaseNeed::BeforeSecurity if security_middleware => {
                unjudged.push((scheme, response));
            }
            DatabaseNeed::BeforeSecurity => {}
            DatabaseNeed::Unknown => findings.push(untraced_database(scheme, path, response)),
        }
    }
    findings.extend(database_before_security(&unjudged, path));
    if let Some(finding) = judged
        .iter()
        .find_map(|(scheme, url, response)| app_error(scheme, url, response))
    {
        // Nothing else about the responses can be judged when the app raised.
        findings.push(finding);
        return findings;
    }
    let find = |scheme: &str| {
        judged
            .iter()
            .find(|(judged_scheme, _, _)| *judged_scheme == scheme)
            .map(|(_, _, response)| *response)
    };
    let redirect_expected =
        security_middleware && ssl_redirect_on(snapshot) && !simulation.path_exempt;
    if let Some(http) = find("HTTP").filter(|_| redirect_expected) {
        findings.extend(not_redirected(snapshot, host, &plain_url, http));
    }
    if let Some(https) = find("HTTPS") {
        let loops = is_redirect(https) && https.location.as_deref() == Some(secure_url.as_str());
        if loops {
            findings.push(redirect_loop(&secure_url));
        } else {
            if security_middleware && hsts_on(snapshot) && https.hsts.is_empty() {
                findings.push(hsts_missing(snapshot, &secure_url, https));
            }
            // What the response says, judged as verify judges a live site.
            let subject = format!("The simulated HTTPS response for {secure_url}");
            findings.extend(hsts::sent_header_findings(snapshot, &subject, &https.hsts));
            findings.extend(cookies::sent_cookie_findings(
                snapshot,
                &subject,
                &https.set_cookies,
            ));
        }
    }
    findings
}

/// The simulation could not run: the release fails closed unless the settings alone prove that
/// HTTPS is enforced ([`unproven_https`]).
fn not_run(snapshot: &Snapshot, proxy_ssl_header: &ProxySslHeader) -> Finding {
    let reason = snapshot
        .simulation
        .skipped_reason
        .as_ref()
        .map_or_else(|| "no reason given".to_string(), ToString::to_string);
    let missing = unproven_https(snapshot, proxy_ssl_header);
    if missing.is_empty() {
        return Finding::new(
            SKIPPED,
            Severity::Info,
            Source::Guard,
            format!(
                "The simulated HTTP and HTTPS requests did not run: {reason}. The settings alone enforce HTTPS, so this does not block."
            ),
        );
    }
    Finding::new(
        SKIPPED,
        Severity::Block,
        Source::Guard,
        format!(
            "The simulated HTTP and HTTPS requests could not run: {reason}. Without them only the settings could show that HTTPS is enforced, and they do not: {}.",
            missing.join("; ")
        ),
    )
    .with_required(format!("the simulated requests run, or settings that alone enforce HTTPS: {HTTPS_BY_SETTINGS}"))
    .with_why("The guard could not see what the new release answers a plain-HTTP request, so an app that serves it without redirecting would go live unnoticed.")
    .with_fix("Make the app's WSGI module load the way the release phase runs it (the reason above says what failed), or set the missing settings.")
}

/// What "the settings alone enforce HTTPS" means, for the log.
const HTTPS_BY_SETTINGS: &str = "SecurityMiddleware in MIDDLEWARE, SECURE_SSL_REDIRECT on, HTTPS detected behind the proxy (SECURE_PROXY_SSL_HEADER as the proxy sends it, or a server that trusts the router), SECURE_HSTS_SECONDS a whole number above 0, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE on, and SECURE_REDIRECT_EXEMPT empty";

/// Which part of [`HTTPS_BY_SETTINGS`] the settings miss; empty when they prove it.
fn unproven_https(snapshot: &Snapshot, proxy_ssl_header: &ProxySslHeader) -> Vec<&'static str> {
    let hsts_seconds = setting(snapshot, "SECURE_HSTS_SECONDS").and_then(PyValue::as_int);
    [
        (
            has_middleware(snapshot, SECURITY_MIDDLEWARE),
            "SecurityMiddleware is not in MIDDLEWARE",
        ),
        (ssl_redirect_on(snapshot), "SECURE_SSL_REDIRECT is off"),
        (
            super::proxy::https_detected(snapshot, proxy_ssl_header),
            "HTTPS is not detected behind the proxy",
        ),
        (
            hsts_seconds.is_some_and(|seconds| seconds > 0),
            "SECURE_HSTS_SECONDS is not a whole number above 0",
        ),
        (
            truthy(snapshot, "SESSION_COOKIE_SECURE"),
            "SESSION_COOKIE_SECURE is off",
        ),
        (
            truthy(snapshot, "CSRF_COOKIE_SECURE"),
            "CSRF_COOKIE_SECURE is off",
        ),
        (
            !truthy(snapshot, "SECURE_REDIRECT_EXEMPT"),
            "SECURE_REDIRECT_EXEMPT exempts some paths",
        ),
    ]
    .into_iter()
    .filter_map(|(holds, missing)| (!holds).then_some(missing))
    .collect()
}

fn untraced_database(scheme: &str, path: &str, response: &SimulatedResponse) -> Finding {
    Finding::new(
        SKIPPED,
        Severity::Info,
        Source::Guard,
        format!(
            "The simulated {scheme} request for {path} needed {} somewhere the guard could not trace (the WSGI application was loaded before the probe could follow its middleware), so its response was not judged.",
            refused(response)
        ),
    )
}

/// A middleware listed before `SecurityMiddleware` needed the database: in production it has
/// one, so this is no proof of a problem, but nothing about HTTPS could be verified.
fn database_before_security(
    unjudged: &[(&str, &SimulatedResponse)],
    path: &str,
) -> Option<Finding> {
    let (_, first) = unjudged.first()?;
    let layer = first
        .database_needed_by
        .as_deref()
        .unwrap_or("the WSGI application");
    let schemes = unjudged
        .iter()
        .map(|(scheme, _)| *scheme)
        .collect::<Vec<_>>()
        .join(" and ");
    let requests = if unjudged.len() == 1 {
        "request"
    } else {
        "requests"
    };
    Some(
        Finding::new(
            super::middleware::ORDER,
            Severity::Warn,
            Source::Guard,
            format!("The simulated {schemes} {requests} for {path} needed {} in {layer}, which runs before SecurityMiddleware could answer, so the HTTPS redirect and HSTS were not verified.", refused(first)),
        )
        .with_setting("MIDDLEWARE")
        .with_required("django.middleware.security.SecurityMiddleware first in MIDDLEWARE")
        .with_why("A middleware that answers or fails before SecurityMiddleware sends its response without the HTTPS redirect and HSTS; the guard never connects to a database or a cache server, so it cannot tell what this one would answer.")
        .with_fix(format!("MIDDLEWARE = [\"{SECURITY_MIDDLEWARE}\", ...]  # move it to the top")),
    )
}

fn is_redirect(response: &SimulatedResponse) -> bool {
    response
        .status
        .is_some_and(|status| REDIRECT_STATUSES.contains(&status))
}

/// "301 to https://...", "401 from myapp.middleware.BasicAuth", "200 from the view".
fn describe(response: &SimulatedResponse) -> String {
    let what = match (response.status, &response.location) {
        (Some(status), Some(location)) => format!("{status} to {location}"),
        (Some(status), None) => status.to_string(),
        (None, _) => "no response".to_string(),
    };
    match &response.answered_by {
        Some(layer) => format!("{what} from {layer}"),
        None if response.reached_view => format!("{what} from the view"),
        None => what,
    }
}

fn app_error(scheme: &str, url: &str, response: &SimulatedResponse) -> Option<Finding> {
    // Reaching for the database is the probe's refusal, not the app's error.
    if response.database_needed_by.is_some()
        || (response.status.is_some() && response.error.is_none())
    {
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
    let what_happened = match &http.database_needed_by {
        Some(layer) => format!(
            "was not redirected: it went past SecurityMiddleware and reached {} in {layer}",
            refused(http)
        ),
        None => format!(
            "got {} instead of a redirect to https://{host}",
            describe(http)
        ),
    };
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
                "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for {url} (X-Forwarded-Proto: http) {what_happened}."
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
    use crate::gate::snapshot::ProxyTrust;

    fn findings(snapshot: &Snapshot) -> Vec<Finding> {
        super::findings(snapshot, &heroku())
    }

    #[test]
    fn http_must_redirect_to_https_on_the_same_host() {
        let served = SnapshotBuilder::hardened()
            .http(|http| {
                http.status = Some(200);
                http.location = None;
                http.answered_by = None;
                http.reached_view = true;
            })
            .build();
        let finding = only_finding(findings(&served), NOT_REDIRECTED);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://myapp.herokuapp.com/ (X-Forwarded-Proto: http) got 200 from the view instead of a redirect to https://myapp.herokuapp.com."
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
        let exempt_path = SnapshotBuilder::hardened()
            .simulation(|simulation| simulation.path_exempt = true)
            .http(|http| http.status = Some(200))
            .build();
        assert_eq!(findings(&exempt_path), Vec::new());
    }

    #[test]
    fn the_middleware_that_answered_is_named() {
        let basic_auth = SnapshotBuilder::hardened()
            .http(|http| {
                http.status = Some(401);
                http.location = None;
                http.answered_by = Some("myapp.middleware.BasicAuthMiddleware".to_string());
            })
            .build();
        let finding = only_finding(findings(&basic_auth), NOT_REDIRECTED);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://myapp.herokuapp.com/ (X-Forwarded-Proto: http) got 401 from myapp.middleware.BasicAuthMiddleware instead of a redirect to https://myapp.herokuapp.com."
        );
        let no_hsts = SnapshotBuilder::hardened()
            .https(|https| {
                https.hsts.clear();
                https.reached_view = false;
                https.answered_by = Some("myapp.middleware.BasicAuthMiddleware".to_string());
                https.status = Some(401);
            })
            .build();
        assert_eq!(
            only_finding(findings(&no_hsts), HSTS_MISSING).message,
            "SECURE_HSTS_SECONDS is 31536000, but the HTTPS response for https://myapp.herokuapp.com/ (401 from myapp.middleware.BasicAuthMiddleware) carried no Strict-Transport-Security header."
        );
    }

    const CURRENT_SITE: &str = "django.contrib.sites.middleware.CurrentSiteMiddleware";

    fn with_middleware_needing_database(position: usize) -> SnapshotBuilder {
        let mut order = HARDENED_MIDDLEWARE.to_vec();
        order.insert(position, CURRENT_SITE);
        let blocked = |response: &mut SimulatedResponse| {
            response.status = Some(500);
            response.location = None;
            response.reached_view = false;
            response.answered_by = Some(CURRENT_SITE.to_string());
            response.database_needed_by = Some(CURRENT_SITE.to_string());
            response.refused = Some("the database".to_string());
            response.error = Some(
                "DatabaseAccessBlocked: Release Guard never connects to a database ('default')"
                    .into(),
            );
        };
        SnapshotBuilder::hardened()
            .set("MIDDLEWARE", py_list(&order))
            .http(blocked)
            .https(blocked)
    }

    #[test]
    fn reaching_the_database_after_security_middleware_proves_no_redirect() {
        let snapshot = with_middleware_needing_database(3).build();
        let finding = only_finding(findings(&snapshot), NOT_REDIRECTED);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://myapp.herokuapp.com/ (X-Forwarded-Proto: http) was not redirected: it went past SecurityMiddleware and reached the database in django.contrib.sites.middleware.CurrentSiteMiddleware."
        );
        // The HTTPS response passed SecurityMiddleware on its way out: its HSTS is judged.
        let with_hsts = with_middleware_needing_database(3)
            .http(|http| {
                http.status = Some(301);
                http.location = Some(format!("https://{HOST}/"));
                http.database_needed_by = None;
                http.refused = None;
                http.error = None;
            })
            .https(|https| https.hsts = vec!["max-age=31536000".to_string()])
            .build();
        assert_eq!(findings(&with_hsts), Vec::new());
    }

    #[test]
    fn a_refused_cache_server_is_named() {
        let snapshot = with_middleware_needing_database(3)
            .http(|http| http.refused = Some("the cache server at 127.0.0.1:6379".to_string()))
            .build();
        assert_eq!(
            only_finding(findings(&snapshot), NOT_REDIRECTED).message,
            "SECURE_SSL_REDIRECT is on, but a plain-HTTP request for http://myapp.herokuapp.com/ (X-Forwarded-Proto: http) was not redirected: it went past SecurityMiddleware and reached the cache server at 127.0.0.1:6379 in django.contrib.sites.middleware.CurrentSiteMiddleware."
        );
    }

    #[test]
    fn reaching_the_database_before_security_middleware_is_a_warning() {
        let snapshot = with_middleware_needing_database(0).build();
        let finding = only_finding(findings(&snapshot), super::super::middleware::ORDER);
        assert_eq!(finding.severity, Severity::Warn);
        assert_eq!(
            finding.message,
            "The simulated HTTP and HTTPS requests for / needed the database in django.contrib.sites.middleware.CurrentSiteMiddleware, which runs before SecurityMiddleware could answer, so the HTTPS redirect and HSTS were not verified."
        );
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
            "SECURE_HSTS_SECONDS is 31536000, but the HTTPS response for https://myapp.herokuapp.com/ (200 from the view) carried no Strict-Transport-Security header."
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
    fn a_database_need_that_was_not_traced_is_noted_and_the_other_response_judged() {
        let untraced = |refused: Option<&str>, error: &str| {
            let refused = refused.map(ToString::to_string);
            let error = error.into();
            SnapshotBuilder::hardened()
                .simulation(|simulation| simulation.traced = false)
                .http(|http| http.status = Some(200))
                .https(move |https| {
                    https.status = None;
                    https.hsts.clear();
                    https.refused = refused;
                    https.error = Some(error);
                })
                .build()
        };
        let stopped = untraced(
            Some("the cache server at 10.1.2.3:6379"),
            "ConnectionRefusedError: no",
        );
        // The probe's answer before it named what it refused.
        let earlier = untraced(None, "DatabaseAccessBlocked: no");
        for (snapshot, what) in [
            (stopped, "the cache server at 10.1.2.3:6379"),
            (earlier, "the database"),
        ] {
            let found = findings(&snapshot);
            assert_eq!(ids(&found), [SKIPPED, NOT_REDIRECTED]);
            assert_eq!(found[0].severity, Severity::Info);
            assert_eq!(
                found[0].message,
                format!(
                    "The simulated HTTPS request for / needed {what} somewhere the guard could not trace (the WSGI application was loaded before the probe could follow its middleware), so its response was not judged."
                )
            );
        }
    }

    fn not_run(builder: SnapshotBuilder) -> Finding {
        let snapshot = builder
            .simulation(|simulation| {
                simulation.ran = false;
                simulation.skipped_reason =
                    Some("the WSGI module could not be loaded: KeyError: 'PORT'".into());
            })
            .build();
        only_finding(findings(&snapshot), SKIPPED)
    }

    #[test]
    fn a_simulation_that_could_not_run_passes_only_when_the_settings_prove_https() {
        let proven = not_run(SnapshotBuilder::hardened());
        assert_eq!(proven.severity, Severity::Info);
        let shown = |finding: &Finding| crate::redact::Redactor::default().field(&finding.message);
        assert_eq!(
            shown(&proven),
            "The simulated HTTP and HTTPS requests did not run: the WSGI module could not be loaded: KeyError: 'PORT'. The settings alone enforce HTTPS, so this does not block."
        );
        // Each part of the proof, taken away alone, blocks and is named.
        let mut without_security = HARDENED_MIDDLEWARE.to_vec();
        without_security.retain(|path| *path != SECURITY_MIDDLEWARE);
        for (builder, missing) in [
            (
                SnapshotBuilder::hardened().set("MIDDLEWARE", py_list(&without_security)),
                "SecurityMiddleware is not in MIDDLEWARE",
            ),
            (
                SnapshotBuilder::hardened().set("SECURE_SSL_REDIRECT", py_bool(false)),
                "SECURE_SSL_REDIRECT is off",
            ),
            (
                SnapshotBuilder::hardened().set("SECURE_PROXY_SSL_HEADER", py_none()),
                "HTTPS is not detected behind the proxy",
            ),
            (
                SnapshotBuilder::hardened().set("SECURE_HSTS_SECONDS", py_str("31536000")),
                "SECURE_HSTS_SECONDS is not a whole number above 0",
            ),
            (
                SnapshotBuilder::hardened().set("SECURE_HSTS_SECONDS", py_int(0)),
                "SECURE_HSTS_SECONDS is not a whole number above 0",
            ),
            (
                SnapshotBuilder::hardened().set("SESSION_COOKIE_SECURE", py_bool(false)),
                "SESSION_COOKIE_SECURE is off",
            ),
            (
                SnapshotBuilder::hardened().set("CSRF_COOKIE_SECURE", py_bool(false)),
                "CSRF_COOKIE_SECURE is off",
            ),
            (
                SnapshotBuilder::hardened().set("SECURE_REDIRECT_EXEMPT", py_list(&["^health/$"])),
                "SECURE_REDIRECT_EXEMPT exempts some paths",
            ),
        ] {
            let blocked = not_run(builder);
            assert_eq!(blocked.severity, Severity::Block, "{missing}");
            assert_eq!(
                shown(&blocked),
                format!(
                    "The simulated HTTP and HTTPS requests could not run: the WSGI module could not be loaded: KeyError: 'PORT'. Without them only the settings could show that HTTPS is enforced, and they do not: {missing}."
                )
            );
        }
        // A server that trusts the router detects HTTPS without the header.
        let trusted = not_run(
            SnapshotBuilder::hardened()
                .set("SECURE_PROXY_SSL_HEADER", py_none())
                .proxy_trust(ProxyTrust {
                    trusted: true,
                    server: Some("gunicorn".to_string()),
                    source: Some("gunicorn.conf.py forwarded_allow_ips".to_string()),
                    value: Some("*".to_string()),
                }),
        );
        assert_eq!(trusted.severity, Severity::Info);
    }
}

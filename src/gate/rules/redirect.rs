//! Where `SECURE_SSL_REDIRECT` sends plain-HTTP requests, and which it lets through.

use super::{SECURITY_MIDDLEWARE, has_middleware, setting, ssl_redirect_on};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{ExemptPattern, PyValue, Snapshot};

pub(super) use crate::finding_ids::guard::REDIRECT_EXEMPT_CATCH_ALL as EXEMPT_CATCH_ALL;
pub(super) use crate::finding_ids::guard::REDIRECT_EXEMPT_INVALID as EXEMPT_INVALID;
pub(super) use crate::finding_ids::guard::SSL_HOST_OFF_HOST;

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = invalid_exemptions(snapshot);
    if ssl_redirect_on(snapshot) {
        findings.extend(broad_exemptions(snapshot));
        findings.extend(off_host(snapshot));
    }
    findings
}

/// Entries Python cannot compile: `SecurityMiddleware` compiles them all when the app starts.
fn invalid_exemptions(snapshot: &Snapshot) -> Vec<Finding> {
    let security_middleware = has_middleware(snapshot, SECURITY_MIDDLEWARE);
    snapshot
        .redirect_exempt
        .patterns
        .iter()
        .filter_map(|entry| Some((entry, entry.error.as_deref()?)))
        .map(|(entry, error)| {
            let (severity, consequence) = if security_middleware {
                (Severity::Block, "SecurityMiddleware raises the same error as the app starts, so the app cannot answer any request")
            } else {
                (Severity::Warn, "it would break the app the moment SecurityMiddleware is added")
            };
            Finding::new(
                EXEMPT_INVALID,
                severity,
                Source::Guard,
                format!("SECURE_REDIRECT_EXEMPT contains {:?}, which Python cannot compile ({error}): {consequence}.", entry.pattern),
            )
            .with_setting("SECURE_REDIRECT_EXEMPT")
            .with_required("regular expressions Python's re module compiles")
            .with_fix(EXEMPT_FIX)
        })
        .collect()
}

const EXEMPT_FIX: &str =
    r#"SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # only paths that must stay on plain HTTP"#;

/// Entries that exempt a sample path: the site root, a login page or an arbitrary page.
fn broad_exemptions(snapshot: &Snapshot) -> Vec<Finding> {
    let samples = &snapshot.redirect_exempt.sample_paths;
    snapshot
        .redirect_exempt
        .patterns
        .iter()
        .filter(|entry| !entry.exempts.is_empty())
        .map(|entry| {
            Finding::new(
                EXEMPT_CATCH_ALL,
                Severity::Block,
                Source::Guard,
                broad_exemption_message(entry, samples),
            )
            .with_setting("SECURE_REDIRECT_EXEMPT")
            .with_required(r#"patterns anchored to the few paths that must stay on plain HTTP, e.g. r"^healthz/$""#)
            .with_why("Django .search()es each pattern in the path without its leading \"/\": a pattern that matches the site root, a login page or an arbitrary path leaves real pages reachable over plain HTTP, where first visits and login forms can be intercepted.")
            .with_fix(EXEMPT_FIX)
        })
        .collect()
}

fn broad_exemption_message(entry: &ExemptPattern, samples: &[String]) -> String {
    let paths: Vec<String> = entry
        .exempts
        .iter()
        .map(|path| format!("/{path}"))
        .collect();
    if entry.exempts.len() == samples.len() {
        format!(
            "SECURE_REDIRECT_EXEMPT contains {:?}, which exempts every path tried ({}), so SECURE_SSL_REDIRECT never redirects anything.",
            entry.pattern,
            paths.join(", ")
        )
    } else {
        format!(
            "SECURE_REDIRECT_EXEMPT contains {:?}, which exempts {} from the HTTPS redirect, so those pages stay on plain HTTP.",
            entry.pattern,
            join_and(&paths)
        )
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn off_host(snapshot: &Snapshot) -> Option<Finding> {
    let ssl_host = setting(snapshot, "SECURE_SSL_HOST")?
        .as_str()
        .filter(|host| !host.is_empty())?;
    let allowed = setting(snapshot, "ALLOWED_HOSTS")
        .and_then(PyValue::as_str_list)
        .unwrap_or_default();
    let same_host = |host: &str| host.eq_ignore_ascii_case(ssl_host);
    let others: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|host| !same_host(host))
        .collect();
    if others.is_empty() {
        return None;
    }
    let others = if others
        .iter()
        .any(|host| *host == "*" || host.starts_with('.'))
    {
        "other hosts too (ALLOWED_HOSTS has wildcards)".to_string()
    } else {
        others.join(", ")
    };
    Some(
        Finding::new(
            SSL_HOST_OFF_HOST,
            Severity::Warn,
            Source::Guard,
            format!("SECURE_SSL_HOST sends every HTTP-to-HTTPS redirect to {ssl_host}, but the app also answers for {others}."),
        )
        .with_setting("SECURE_SSL_HOST")
        .with_required("SECURE_SSL_HOST unset, so each host redirects to its own HTTPS address")
        .with_why("The first redirect leaves the host the visitor asked for, so browsers never get HSTS for it: hstspreload reports redirects.http.first_redirect.insecure and the MDN Observatory deducts points.")
        .with_fix("SECURE_SSL_HOST = None"),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn exemptions_of_sample_paths_block() {
        let snapshot = SnapshotBuilder::hardened()
            .exempt("^healthz/$", &[], None)
            .exempt("(?i).*", &SAMPLE_PATHS, None)
            .exempt(
                "^(?!admin/)",
                &["", "login/", "accounts/login/", "q7x2v9k4/any-page/"],
                None,
            )
            .build();
        let found = findings(&snapshot);
        assert_eq!(ids(&found), [EXEMPT_CATCH_ALL, EXEMPT_CATCH_ALL]);
        assert_eq!(
            found[0].message,
            "SECURE_REDIRECT_EXEMPT contains \"(?i).*\", which exempts every path tried (/, /login/, /accounts/login/, /admin/, /admin/login/, /q7x2v9k4/any-page/), so SECURE_SSL_REDIRECT never redirects anything."
        );
        assert_eq!(
            found[1].message,
            "SECURE_REDIRECT_EXEMPT contains \"^(?!admin/)\", which exempts /, /login/, /accounts/login/ and /q7x2v9k4/any-page/ from the HTTPS redirect, so those pages stay on plain HTTP."
        );
        let redirect_off = SnapshotBuilder::hardened()
            .exempt("", &SAMPLE_PATHS, None)
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .build();
        assert_eq!(findings(&redirect_off), Vec::new());
    }

    #[test]
    fn patterns_python_cannot_compile_are_reported() {
        let error = "RecursionError: nested too deeply to compile";
        let snapshot = SnapshotBuilder::hardened()
            .exempt("((((", &[], Some(error))
            .build();
        let finding = only_finding(findings(&snapshot), EXEMPT_INVALID);
        assert_eq!(finding.severity, Severity::Block);
        assert_eq!(
            finding.message,
            "SECURE_REDIRECT_EXEMPT contains \"((((\", which Python cannot compile (RecursionError: nested too deeply to compile): SecurityMiddleware raises the same error as the app starts, so the app cannot answer any request."
        );
        let without_security = SnapshotBuilder::hardened()
            .set("MIDDLEWARE", py_list(&HARDENED_MIDDLEWARE[1..]))
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .exempt(
                "(",
                &[],
                Some("re.error: missing ), unterminated subpattern at position 0"),
            )
            .build();
        assert_eq!(
            only_finding(findings(&without_security), EXEMPT_INVALID).severity,
            Severity::Warn
        );
    }

    #[test]
    fn ssl_host_warns_only_when_other_hosts_are_served() {
        let own = SnapshotBuilder::hardened()
            .set("SECURE_SSL_HOST", py_str(HOST))
            .build();
        assert_eq!(findings(&own), Vec::new());
        let other = SnapshotBuilder::hardened()
            .set("SECURE_SSL_HOST", py_str("www.example.com"))
            .build();
        let finding = only_finding(findings(&other), SSL_HOST_OFF_HOST);
        assert_eq!(finding.severity, Severity::Warn);
        assert!(
            finding
                .message
                .ends_with("also answers for myapp.herokuapp.com.")
        );
        let wildcard = SnapshotBuilder::hardened()
            .set("SECURE_SSL_HOST", py_str(HOST))
            .set("ALLOWED_HOSTS", py_list(&["*"]))
            .build();
        assert!(findings(&wildcard)[0].message.contains("wildcards"));
    }
}

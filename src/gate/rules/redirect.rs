//! Where `SECURE_SSL_REDIRECT` sends plain-HTTP requests, and which it lets through.

use super::pattern::{Unsupported, matches_every_path};
use super::{setting, ssl_redirect_on};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};

pub(super) const EXEMPT_CATCH_ALL: &str = "guard.redirect_exempt_catch_all";
pub(super) const SSL_HOST_OFF_HOST: &str = "guard.ssl_host_off_host";

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    if !ssl_redirect_on(snapshot) {
        return Vec::new();
    }
    catch_all_exemptions(snapshot)
        .into_iter()
        .chain(off_host(snapshot))
        .collect()
}

/// `SECURE_REDIRECT_EXEMPT`'s patterns, when they are all strings.
pub(super) fn exempt_patterns(snapshot: &Snapshot) -> Vec<&str> {
    setting(snapshot, "SECURE_REDIRECT_EXEMPT")
        .and_then(PyValue::as_str_list)
        .unwrap_or_default()
}

fn catch_all_exemptions(snapshot: &Snapshot) -> Vec<Finding> {
    exempt_patterns(snapshot)
        .into_iter()
        // A pattern beyond the supported syntax is not judged; the simulated request still
        // catches an exempted root page.
        .filter(|pattern| matches_every_path(pattern) == Ok::<bool, Unsupported>(true))
        .map(|pattern| {
            Finding::new(
                EXEMPT_CATCH_ALL,
                Severity::Block,
                Source::Guard,
                format!("SECURE_REDIRECT_EXEMPT contains {pattern:?}, which matches every path, so SECURE_SSL_REDIRECT never redirects anything."),
            )
            .with_setting("SECURE_REDIRECT_EXEMPT")
            .with_required(r#"patterns anchored to the few paths that must stay on plain HTTP, e.g. r"^healthz/$""#)
            .with_why("Django .search()es each pattern in the path without its leading \"/\"; a pattern that can match the empty string (\"\", \".*\", \"^\") matches everywhere. The whole site stays reachable over plain HTTP, so first visits can be intercepted.")
            .with_fix("SECURE_REDIRECT_EXEMPT = []")
        })
        .collect()
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
    fn catch_all_exemptions_block() {
        let snapshot = SnapshotBuilder::hardened()
            .set(
                "SECURE_REDIRECT_EXEMPT",
                py_list(&["^healthz/$", ".*", "(?!x)"]),
            )
            .build();
        let finding = only_finding(findings(&snapshot), EXEMPT_CATCH_ALL);
        assert_eq!(
            finding.message,
            "SECURE_REDIRECT_EXEMPT contains \".*\", which matches every path, so SECURE_SSL_REDIRECT never redirects anything."
        );
        let redirect_off = SnapshotBuilder::hardened()
            .set("SECURE_REDIRECT_EXEMPT", py_list(&[""]))
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .build();
        assert_eq!(findings(&redirect_off), Vec::new());
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

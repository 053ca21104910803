//! Settings that do nothing any more: worth deleting, never worth blocking on.

use super::{setting, truthy};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::Snapshot;

pub(super) use crate::finding_ids::guard::DEAD_SETTING;

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Removed from Django's settings in 4.0: present only when the project defines it.
    if setting(snapshot, "SECURE_BROWSER_XSS_FILTER").is_some() {
        findings.push(dead(
            "SECURE_BROWSER_XSS_FILTER",
            "SECURE_BROWSER_XSS_FILTER has had no effect since Django 4.0: browsers removed the XSS auditor the X-XSS-Protection header controlled.",
        ));
    }
    if truthy(snapshot, "CSRF_COOKIE_HTTPONLY") {
        findings.push(dead(
            "CSRF_COOKIE_HTTPONLY",
            "CSRF_COOKIE_HTTPONLY adds no protection: the token is in every form anyway, which is why Django removed its check (security.W017).",
        ));
    }
    findings
}

fn dead(name: &str, message: &str) -> Finding {
    Finding::new(DEAD_SETTING, Severity::Info, Source::Guard, message)
        .with_setting(name)
        .with_fix(format!("Delete the {name} line from settings.py."))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn dead_settings_are_info() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_BROWSER_XSS_FILTER", py_bool(true))
            .set("CSRF_COOKIE_HTTPONLY", py_bool(true))
            .build();
        let found = findings(&snapshot);
        assert_eq!(ids(&found), [DEAD_SETTING, DEAD_SETTING]);
        assert!(
            found
                .iter()
                .all(|finding| finding.severity == Severity::Info)
        );
        assert_eq!(found[1].setting.as_deref(), Some("CSRF_COOKIE_HTTPONLY"));
        assert_eq!(findings(&SnapshotBuilder::hardened().build()), Vec::new());
    }
}

//! `SameSite` on the session and CSRF cookies: Django has no check for either setting.

use super::{has_middleware, setting, truthy};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};

pub(super) const SAMESITE_INVALID: &str = "guard.samesite_invalid";
pub(super) const SAMESITE_NONE_INSECURE: &str = "guard.samesite_none_insecure";
pub(super) const SAMESITE_NONE: &str = "guard.samesite_none";
pub(super) const SAMESITE_MISSING: &str = "guard.samesite_missing";

struct Cookie {
    /// "session" or "CSRF".
    name: &'static str,
    samesite_setting: &'static str,
    secure_setting: &'static str,
    /// What breaks when browsers drop the cookie.
    when_dropped: &'static str,
}

const SESSION: Cookie = Cookie {
    name: "session",
    samesite_setting: "SESSION_COOKIE_SAMESITE",
    secure_setting: "SESSION_COOKIE_SECURE",
    when_dropped: "nobody can stay logged in",
};

const CSRF: Cookie = Cookie {
    name: "CSRF",
    samesite_setting: "CSRF_COOKIE_SAMESITE",
    secure_setting: "CSRF_COOKIE_SECURE",
    when_dropped: "every form post fails with 403",
};

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let mut cookies = Vec::new();
    if has_middleware(
        snapshot,
        "django.contrib.sessions.middleware.SessionMiddleware",
    ) {
        cookies.push(&SESSION);
    }
    // With CSRF_USE_SESSIONS the token lives in the session and no CSRF cookie is set.
    if has_middleware(snapshot, "django.middleware.csrf.CsrfViewMiddleware")
        && !truthy(snapshot, "CSRF_USE_SESSIONS")
    {
        cookies.push(&CSRF);
    }
    cookies
        .into_iter()
        .filter_map(|cookie| {
            let value = setting(snapshot, cookie.samesite_setting)?;
            samesite_finding(cookie, value, truthy(snapshot, cookie.secure_setting))
        })
        .collect()
}

fn samesite_finding(cookie: &Cookie, value: &PyValue, secure: bool) -> Option<Finding> {
    let lax_line = format!("{} = \"Lax\"", cookie.samesite_setting);
    let finding = |id: &str, severity: Severity, message: String| {
        Finding::new(id, severity, Source::Guard, message).with_setting(cookie.samesite_setting)
    };
    // Django's set_cookie() skips a falsy samesite and calls .lower() on anything else.
    if !value.truthy() {
        return Some(
            finding(SAMESITE_MISSING, Severity::Warn, format!(
                "{} is {}, so the {} cookie is sent without a SameSite attribute.",
                cookie.samesite_setting, value.repr, cookie.name
            ))
            .with_required("\"Lax\" (Django's default) or \"Strict\"")
            .with_why("Browsers that do not default to Lax then send the cookie with cross-site requests, which weakens CSRF protection; the MDN Observatory deducts 20 points for a CSRF cookie without SameSite.")
            .with_fix(lax_line),
        );
    }
    match value.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("lax" | "strict") => None,
        Some("none") if !secure => Some(
            finding(SAMESITE_NONE_INSECURE, Severity::Block, format!(
                "{} is \"None\" but {} is off: browsers reject SameSite=None cookies without Secure, so {}.",
                cookie.samesite_setting, cookie.secure_setting, cookie.when_dropped
            ))
            .with_required(format!("{} = True with SameSite \"None\", or SameSite \"Lax\"", cookie.secure_setting))
            .with_why("Chrome, Firefox and Safari drop a cookie marked SameSite=None unless it is also Secure.")
            .with_fix(format!("{} = True", cookie.secure_setting)),
        ),
        Some("none") => Some(
            finding(SAMESITE_NONE, Severity::Warn, format!(
                "{} is \"None\": the {} cookie is sent with cross-site requests.",
                cookie.samesite_setting, cookie.name
            ))
            .with_required("\"Lax\" unless the site must work inside other sites' frames or cross-site posts")
            .with_why("Cross-site requests then carry the cookie, so CSRF defences rest on the token alone.")
            .with_fix(lax_line),
        ),
        _ => Some(
            finding(SAMESITE_INVALID, Severity::Block, format!(
                "{} is {}, which Django refuses when it sets the {} cookie (samesite must be \"lax\", \"none\", or \"strict\").",
                cookie.samesite_setting, value.repr, cookie.name
            ))
            .with_required("\"Lax\", \"Strict\" or \"None\"")
            .with_why(format!("set_cookie() raises, so every response that sets the {} cookie is a 500 error.", cookie.name))
            .with_fix(lax_line),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn samesite(setting: &str, value: PyValue) -> Vec<Finding> {
        findings(&SnapshotBuilder::hardened().set(setting, value).build())
    }

    #[test]
    fn lax_and_strict_pass() {
        assert_eq!(
            samesite("SESSION_COOKIE_SAMESITE", py_str("Strict")),
            Vec::new()
        );
        assert_eq!(samesite("CSRF_COOKIE_SAMESITE", py_str("lax")), Vec::new());
    }

    #[test]
    fn invalid_values_block() {
        for value in [py_str("Laxx"), py_bool(true)] {
            let finding = only_finding(samesite("CSRF_COOKIE_SAMESITE", value), SAMESITE_INVALID);
            assert_eq!(finding.setting.as_deref(), Some("CSRF_COOKIE_SAMESITE"));
        }
    }

    #[test]
    fn none_string_needs_secure() {
        let insecure = SnapshotBuilder::hardened()
            .set("SESSION_COOKIE_SAMESITE", py_str("None"))
            .set("SESSION_COOKIE_SECURE", py_bool(false))
            .build();
        let finding = only_finding(findings(&insecure), SAMESITE_NONE_INSECURE);
        assert_eq!(
            finding.message,
            "SESSION_COOKIE_SAMESITE is \"None\" but SESSION_COOKIE_SECURE is off: browsers reject SameSite=None cookies without Secure, so nobody can stay logged in."
        );
        let finding = only_finding(
            samesite("SESSION_COOKIE_SAMESITE", py_str("None")),
            SAMESITE_NONE,
        );
        assert_eq!(finding.severity, Severity::Warn);
    }

    #[test]
    fn python_none_drops_the_attribute() {
        let finding = only_finding(
            samesite("CSRF_COOKIE_SAMESITE", py_none()),
            SAMESITE_MISSING,
        );
        assert_eq!(
            finding.fix.as_deref(),
            Some("CSRF_COOKIE_SAMESITE = \"Lax\"")
        );
    }

    #[test]
    fn unused_cookies_are_not_judged() {
        let csrf_in_session = SnapshotBuilder::hardened()
            .set("CSRF_USE_SESSIONS", py_bool(true))
            .set("CSRF_COOKIE_SAMESITE", py_none())
            .build();
        assert_eq!(findings(&csrf_in_session), Vec::new());
        let no_sessions = SnapshotBuilder::hardened()
            .set(
                "MIDDLEWARE",
                py_list(&["django.middleware.security.SecurityMiddleware"]),
            )
            .set("SESSION_COOKIE_SAMESITE", py_none())
            .build();
        assert_eq!(findings(&no_sessions), Vec::new());
    }
}

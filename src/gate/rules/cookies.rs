//! `SameSite` on the session and CSRF cookies (Django has no check for either setting), and the
//! cookies the simulated HTTPS response really set, judged by the rules shared with verify
//! (`headers::cookie_policy`).

use super::{has_middleware, setting, truthy};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};
use crate::headers::Reporter;
use crate::headers::cookie::{self, SetCookie};
use crate::headers::cookie_policy::{self, Attribute, Guarded};

pub(super) use crate::finding_ids::guard::SAMESITE_INVALID;
pub(super) use crate::finding_ids::guard::SAMESITE_MISSING;
pub(super) use crate::finding_ids::guard::SAMESITE_NONE;
pub(super) use crate::finding_ids::guard::SAMESITE_NONE_INSECURE;

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

/// The cookies the simulated HTTPS response (`subject`) set, judged by the rules verify applies
/// to a live site. Where Django's cookie carries exactly what the settings tell Django to send,
/// the settings rules report it (Django's W010-W016, the floor, the `SameSite` rules above) with
/// the setting to change; anything else was written or rewritten by other code.
pub(super) fn sent_cookie_findings(
    snapshot: &Snapshot,
    subject: &str,
    set_cookies: &[String],
) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for cookie in set_cookies
        .iter()
        .filter_map(|header| cookie::parse(header))
    {
        if cookie_policy::is_platform_cookie(&cookie) {
            continue;
        }
        let guarded = guarded(snapshot, &cookie.name);
        for judgment in cookie_policy::findings(Reporter::Gate, subject, &cookie, guarded) {
            let finding = match guarded {
                Some(guarded) => {
                    match settings_say_otherwise(snapshot, guarded, judgment.attribute, &cookie) {
                        Some(what_settings_say) => rewritten(judgment.finding, &what_settings_say),
                        // The settings explain it, and their rules say so.
                        None if judgment.attribute != Attribute::Prefix => continue,
                        None => judgment.finding,
                    }
                }
                None => judgment.finding,
            };
            if seen.insert((finding.id.clone(), cookie.name.clone())) {
                findings.push(finding);
            }
        }
    }
    findings
}

/// Which of Django's cookies `name` is, by the names the settings give them.
fn guarded(snapshot: &Snapshot, name: &str) -> Option<Guarded> {
    [
        (Guarded::Session, "sessionid"),
        (Guarded::Csrf, "csrftoken"),
    ]
    .into_iter()
    .find(|(guarded, default)| {
        let configured = setting(snapshot, &guarded.setting("NAME")).and_then(PyValue::as_str);
        configured.unwrap_or(default) == name
    })
    .map(|(guarded, _)| guarded)
}

/// When the settings make Django send `attribute` differently from `cookie`: the setting and
/// its value (None when Django itself sends the cookie this way, or the attribute has no
/// setting).
fn settings_say_otherwise(
    snapshot: &Snapshot,
    guarded: Guarded,
    attribute: Attribute,
    cookie: &SetCookie,
) -> Option<String> {
    let suffix = match attribute {
        Attribute::Secure => "SECURE",
        Attribute::HttpOnly => "HTTPONLY",
        Attribute::SameSite => "SAMESITE",
        Attribute::Prefix => return None,
    };
    let name = guarded.setting(suffix);
    let value = setting(snapshot, &name)?;
    // Django's set_cookie() adds Secure and HttpOnly for truthy settings, and SameSite for a
    // truthy one, as given.
    let differs = match attribute {
        Attribute::SameSite => {
            value.truthy() && value.as_str().map(cookie::parse_same_site) != cookie.same_site
        }
        _ => value.truthy(),
    };
    differs.then(|| format!("{name} is {}", value.repr))
}

/// A Django cookie the settings would send properly: the settings are not what to change.
fn rewritten(mut finding: Finding, what_settings_say: &str) -> Finding {
    finding.message = format!(
        "{} {what_settings_say}, so other code writes or rewrites the cookie.",
        finding.message
    );
    finding.setting = None;
    finding.fix = Some("Remove the code that sets the cookie again or edits its Set-Cookie header (a middleware listed before the one that sets it, a WSGI wrapper or the web server's configuration); Django already sends it as the settings say.".to_owned());
    finding
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

    fn sent(snapshot: &Snapshot, set_cookies: &[&str]) -> Vec<Finding> {
        let headers: Vec<String> = set_cookies
            .iter()
            .map(|value| (*value).to_owned())
            .collect();
        sent_cookie_findings(
            snapshot,
            "The simulated HTTPS response for https://x/",
            &headers,
        )
    }

    #[test]
    fn cookies_as_the_settings_send_them_are_left_to_the_settings_rules() {
        let insecure = SnapshotBuilder::hardened()
            .set("SESSION_COOKIE_SECURE", py_bool(false))
            .set("CSRF_COOKIE_SECURE", py_int(0))
            .build();
        assert_eq!(
            sent(
                &insecure,
                &[
                    "sessionid=x; HttpOnly; Path=/; SameSite=Lax",
                    "csrftoken=y; Path=/; SameSite=Lax"
                ]
            ),
            Vec::new()
        );
        let hardened = SnapshotBuilder::hardened().build();
        assert_eq!(
            sent(
                &hardened,
                &[
                    "sessionid=x; HttpOnly; Path=/; SameSite=Lax; Secure",
                    "csrftoken=y; Path=/; SameSite=Lax; Secure",
                    "heroku-session-affinity=z"
                ]
            ),
            Vec::new()
        );
    }

    #[test]
    fn a_cookie_sent_otherwise_than_the_settings_say_is_judged_as_sent() {
        let snapshot = SnapshotBuilder::hardened().build();
        let found = sent(
            &snapshot,
            &[
                "sessionid=x; Path=/; SameSite=Lax",
                "csrftoken=y; Path=/; SameSite=Lax; Secure",
                "csrftoken=y; Path=/; Secure",
            ],
        );
        assert_eq!(
            ids(&found),
            [
                "guard.cookies.session.no_secure",
                "guard.cookies.session.no_httponly",
                "guard.cookies.csrf.samesite.missing"
            ]
        );
        assert_eq!(
            found[0].message,
            "The simulated HTTPS response for https://x/ sets the session cookie `sessionid` without Secure. SESSION_COOKIE_SECURE is True, so other code writes or rewrites the cookie."
        );
        assert_eq!(found[0].severity, Severity::Block);
        assert_eq!(found[0].setting, None);
        // Renamed cookies are Django's too; other cookies are judged by the general rules.
        let renamed = SnapshotBuilder::hardened()
            .set("SESSION_COOKIE_NAME", py_str("__Host-sid"))
            .build();
        assert_eq!(
            ids(&sent(
                &renamed,
                &[
                    "__Host-sid=1; HttpOnly; SameSite=Lax; Secure",
                    "theme=dark; Secure; SameSite=Lax"
                ]
            )),
            ["guard.cookies.prefix.invalid"]
        );
    }
}

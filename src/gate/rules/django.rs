//! Django's own check messages, ID and text verbatim, enriched for the security IDs with the
//! setting, what is required, why it matters and the line to put in settings.py.

use super::proxy::proxy_header_line;
use crate::config::ProxySslHeader;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{CheckMessage, Snapshot};
use crate::headers::hsts_policy;

/// Django's `checks.ERROR`.
const ERROR_LEVEL: i32 = 40;
/// Django's `checks.WARNING`.
const WARNING_LEVEL: i32 = 30;

/// The ID given to a Django message that has none.
pub(crate) const UNIDENTIFIED: &str = "django.unidentified";

/// What Release Guard adds to a Django security message.
struct Advice {
    setting: &'static str,
    required: Option<&'static str>,
    why: &'static str,
    fix: Option<&'static str>,
}

const SESSION_COOKIE_SECURE: Advice = Advice {
    setting: "SESSION_COOKIE_SECURE",
    required: None,
    why: "Browsers would send the session cookie over plain HTTP, where anyone on the network can copy it and take over the session.",
    fix: Some("SESSION_COOKIE_SECURE = True"),
};

const SESSION_COOKIE_HTTPONLY: Advice = Advice {
    setting: "SESSION_COOKIE_HTTPONLY",
    required: None,
    why: "Scripts, including injected ones, could read the session cookie.",
    fix: Some("SESSION_COOKIE_HTTPONLY = True"),
};

const REFERRER_POLICY: Advice = Advice {
    setting: "SECURE_REFERRER_POLICY",
    required: Some("one of Django's valid policies, e.g. \"same-origin\" (the default)"),
    why: "Without a valid Referrer-Policy, full URLs (with tokens in query strings) leak to other sites.",
    fix: Some("SECURE_REFERRER_POLICY = \"same-origin\""),
};

/// The advice for each Django security ID that has some.
const ADVICE: [(&[&str], Advice); 18] = [
    (
        &["security.W001"],
        Advice {
            setting: "MIDDLEWARE",
            required: Some("django.middleware.security.SecurityMiddleware, first in MIDDLEWARE"),
            why: "Without it SECURE_SSL_REDIRECT, HSTS and the other SECURE_* settings do nothing.",
            fix: Some("MIDDLEWARE = [\"django.middleware.security.SecurityMiddleware\", ...]"),
        },
    ),
    (
        &["security.W002"],
        Advice {
            setting: "MIDDLEWARE",
            required: Some("django.middleware.clickjacking.XFrameOptionsMiddleware in MIDDLEWARE"),
            why: "Other sites can show your pages in a frame and trick users into clicking (clickjacking).",
            fix: Some("MIDDLEWARE += [\"django.middleware.clickjacking.XFrameOptionsMiddleware\"]"),
        },
    ),
    (
        &["security.W003"],
        Advice {
            setting: "MIDDLEWARE",
            required: Some("django.middleware.csrf.CsrfViewMiddleware in MIDDLEWARE"),
            why: "Forms and POST views have no CSRF protection unless every view is decorated with csrf_protect.",
            fix: Some("MIDDLEWARE += [\"django.middleware.csrf.CsrfViewMiddleware\"]"),
        },
    ),
    (
        &["security.W004"],
        Advice {
            setting: hsts_policy::SECONDS_SETTING,
            // The ramp's words and numbers come from the HSTS policy (see `with_advice`).
            required: None,
            why: "",
            fix: None,
        },
    ),
    (
        &["security.W005"],
        Advice {
            setting: "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            required: Some("True once every subdomain serves HTTPS"),
            why: "Subdomains stay reachable over plain HTTP, where an attacker can plant cookies for the parent domain. On a custom domain check mail and vendor subdomains first: without HTTPS they become unreachable.",
            fix: Some("SECURE_HSTS_INCLUDE_SUBDOMAINS = True"),
        },
    ),
    (
        &["security.W006"],
        Advice {
            setting: "SECURE_CONTENT_TYPE_NOSNIFF",
            required: None,
            why: "Browsers may guess that an uploaded file is HTML or a script and run it.",
            fix: Some("SECURE_CONTENT_TYPE_NOSNIFF = True"),
        },
    ),
    (
        &["security.W008"],
        Advice {
            setting: "SECURE_SSL_REDIRECT",
            required: Some(
                "True, together with SECURE_PROXY_SSL_HEADER so Django sees HTTPS behind Heroku's router",
            ),
            why: "Visitors who type the address or follow an old http:// link stay on plain HTTP, where pages and cookies can be read and changed. Heroku's router terminates TLS, so without SECURE_PROXY_SSL_HEADER every HTTPS request would redirect to itself.",
            // Built by w008_fix from the header the proxy sets.
            fix: None,
        },
    ),
    (
        &["security.W009"],
        Advice {
            setting: "SECRET_KEY",
            required: Some(
                "a random value of at least 50 characters, read from a config var, never committed",
            ),
            why: "Anyone who knows the key can forge sessions, password-reset links and signed data.",
            fix: Some(
                "SECRET_KEY = os.environ[\"SECRET_KEY\"]\n# heroku config:set SECRET_KEY=\"$(python -c 'import secrets; print(secrets.token_urlsafe(50))')\"",
            ),
        },
    ),
    (
        &["security.W010", "security.W011", "security.W012"],
        SESSION_COOKIE_SECURE,
    ),
    (
        &["security.W013", "security.W014", "security.W015"],
        SESSION_COOKIE_HTTPONLY,
    ),
    (
        &["security.W016"],
        Advice {
            setting: "CSRF_COOKIE_SECURE",
            required: None,
            why: "The CSRF cookie would travel over plain HTTP, where it can be read or overwritten.",
            fix: Some("CSRF_COOKIE_SECURE = True"),
        },
    ),
    (
        &["security.W018"],
        Advice {
            setting: "DEBUG",
            required: Some(
                "False in production (read it from a config var that defaults to False)",
            ),
            why: "Error pages would show settings, source code and SQL to anyone who triggers an error.",
            fix: Some("DEBUG = False"),
        },
    ),
    (
        &["security.W019"],
        Advice {
            setting: "X_FRAME_OPTIONS",
            required: Some("\"DENY\" unless the site frames its own pages"),
            why: "SAMEORIGIN lets any page of the site frame the others.",
            fix: Some("X_FRAME_OPTIONS = \"DENY\""),
        },
    ),
    (
        &["security.W020"],
        Advice {
            setting: "ALLOWED_HOSTS",
            required: Some("the host names the app answers for"),
            why: "With DEBUG off Django answers every request with 400 Bad Request.",
            fix: Some("ALLOWED_HOSTS = [\"myapp.herokuapp.com\", \"www.example.com\"]"),
        },
    ),
    // Advice only: preloading is opt-in (hstspreload.org asks tools not to suggest it).
    (
        &["security.W021"],
        Advice {
            setting: "SECURE_HSTS_PRELOAD",
            required: None,
            why: "Release Guard does not recommend preload: it hard-codes HTTPS for the domain and every subdomain in browsers, reaches people who never visited, and takes months to undo. Leave it off unless you have decided to opt in.",
            fix: Some(
                "SILENCED_SYSTEM_CHECKS = [\"security.W021\"]  # preload is a deliberate opt-in",
            ),
        },
    ),
    (&["security.W022", "security.E023"], REFERRER_POLICY),
    (
        &["security.E024"],
        Advice {
            setting: "SECURE_CROSS_ORIGIN_OPENER_POLICY",
            required: Some("\"same-origin\", \"same-origin-allow-popups\" or \"unsafe-none\""),
            why: "An invalid value means no Cross-Origin-Opener-Policy header, so other windows can reach into yours.",
            fix: Some("SECURE_CROSS_ORIGIN_OPENER_POLICY = \"same-origin\""),
        },
    ),
    (
        &["security.W025"],
        Advice {
            setting: "SECRET_KEY_FALLBACKS",
            required: Some("only strong former keys, removed once old sessions have expired"),
            why: "A weak fallback key can still forge sessions and signed data.",
            fix: Some("SECRET_KEY_FALLBACKS = []"),
        },
    ),
];

fn advice(id: &str) -> Option<&'static Advice> {
    ADVICE
        .iter()
        .find(|(ids, _)| ids.contains(&id))
        .map(|(_, advice)| advice)
}

/// W008's fix: the redirect and the proxy header belong together behind a TLS-terminating proxy.
fn w008_fix(expected: &ProxySslHeader) -> String {
    format!(
        "SECURE_SSL_REDIRECT = True\n{}",
        proxy_header_line(expected)
    )
}

fn severity(level: i32) -> Severity {
    if level >= ERROR_LEVEL {
        Severity::Block
    } else if level >= WARNING_LEVEL {
        Severity::Warn
    } else {
        Severity::Info
    }
}

fn finding(message: &CheckMessage, expected: &ProxySslHeader) -> Finding {
    let id = message
        .id
        .clone()
        .unwrap_or_else(|| UNIDENTIFIED.to_string());
    // Django prints `obj: message` for messages about an object (a model, a field).
    // The message and hint are the app's text: `AppText` marks them for the output boundary.
    let text = match &message.obj {
        Some(obj) => format!("{obj}: {}", message.msg),
        None => message.msg.to_string(),
    };
    let mut finding = Finding::new(id, severity(message.level), Source::Django, text);
    finding.hint = message.hint.as_ref().map(ToString::to_string);
    with_advice(finding, expected)
}

/// The finding with the setting, requirement, reason and fix for its Django ID, if it has any.
pub(super) fn with_advice(mut finding: Finding, expected: &ProxySslHeader) -> Finding {
    if let Some(advice) = advice(&finding.id) {
        finding.setting = Some(advice.setting.to_string());
        finding.required = advice.required.map(str::to_string);
        finding.why = Some(advice.why.to_string());
        finding.fix = if finding.id == "security.W008" {
            Some(w008_fix(expected))
        } else {
            advice.fix.map(str::to_string)
        };
        if finding.id == "security.W004" {
            finding.required = Some(hsts_policy::start_required());
            finding.why = Some(hsts_policy::start_why());
            finding.fix = Some(hsts_policy::start_fix());
        }
    }
    finding
}

/// Every Django message, silenced ones included (the policy lists those as silenced).
pub(super) fn findings(snapshot: &Snapshot, expected: &ProxySslHeader) -> Vec<Finding> {
    snapshot
        .checks
        .iter()
        .map(|message| finding(message, expected))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn messages_keep_id_text_and_hint_and_map_levels() {
        let snapshot = SnapshotBuilder::hardened()
            .check("security.E023", 40, false)
            .check("models.W042", 30, false)
            .check("app.I001", 20, false)
            .build();
        let found = findings(&snapshot, &heroku());
        assert_eq!(ids(&found), ["security.E023", "models.W042", "app.I001"]);
        assert_eq!(
            found
                .iter()
                .map(|finding| finding.severity)
                .collect::<Vec<_>>(),
            [Severity::Block, Severity::Warn, Severity::Info]
        );
        assert!(found.iter().all(|finding| finding.source == Source::Django));
        let shown = |text: &str| crate::redact::Redactor::default().field(text);
        assert_eq!(shown(&found[0].message), "Django says security.E023.");
        assert_eq!(found[0].setting.as_deref(), Some("SECURE_REFERRER_POLICY"));
        assert_eq!(found[1].setting, None);
    }

    #[test]
    fn objects_hints_and_missing_ids() {
        let mut snapshot = SnapshotBuilder::hardened().build();
        snapshot.checks.push(CheckMessage {
            id: None,
            level: 30,
            msg: "Something.".into(),
            hint: Some("Do this.".into()),
            obj: Some("polls.Question".into()),
            silenced: false,
        });
        let found = findings(&snapshot, &heroku());
        assert_eq!(found[0].id, UNIDENTIFIED);
        let shown = |text: &str| crate::redact::Redactor::default().field(text);
        assert_eq!(shown(&found[0].message), "polls.Question: Something.");
        assert_eq!(
            found[0].hint.as_deref().map(shown).as_deref(),
            Some("Do this.")
        );
    }

    #[test]
    fn security_ids_say_exactly_what_to_write() {
        let fix = |id: &str| advice(id).and_then(|advice| advice.fix);
        let advised_fix = |id: &str, expected: &ProxySslHeader| {
            with_advice(
                Finding::new(id, Severity::Warn, Source::Django, ""),
                expected,
            )
            .fix
        };
        assert_eq!(fix("security.W012"), Some("SESSION_COOKIE_SECURE = True"));
        assert_eq!(
            advised_fix("security.W004", &heroku()).as_deref(),
            Some("SECURE_HSTS_SECONDS = 3600")
        );
        assert_eq!(fix("security.W018"), Some("DEBUG = False"));
        assert_eq!(
            advised_fix("security.W008", &heroku()).as_deref(),
            Some(
                "SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")"
            )
        );
        // Behind another proxy, the header it sets.
        let ssl: ProxySslHeader = "X-Forwarded-Ssl: on".parse().unwrap();
        assert_eq!(
            advised_fix("security.W008", &ssl).as_deref(),
            Some(
                "SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_SSL\", \"on\")"
            )
        );
        let w004 = with_advice(
            Finding::new("security.W004", Severity::Warn, Source::Django, ""),
            &heroku(),
        );
        assert!(w004.required.unwrap().contains("31536000"));
        assert!(
            fix("security.W009")
                .unwrap()
                .starts_with("SECRET_KEY = os.environ[\"SECRET_KEY\"]")
        );
        assert!(
            fix("security.W020")
                .unwrap()
                .starts_with("ALLOWED_HOSTS = [")
        );
    }

    #[test]
    fn never_suggests_preload() {
        for id in (1..=25)
            .map(|n| format!("security.W{n:03}"))
            .chain((23..=24).map(|n| format!("security.E{n:03}")))
        {
            if let Some(advice) = advice(&id) {
                let fix = advice.fix.unwrap_or_default();
                assert!(!fix.contains("SECURE_HSTS_PRELOAD = True"), "{id}");
                assert!(
                    !advice.required.unwrap_or_default().contains("preload"),
                    "{id}"
                );
            }
        }
    }
}

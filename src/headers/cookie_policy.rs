//! What a `Set-Cookie` header on an HTTPS response must say, in one place for the gate (the
//! simulated responses) and verify (a live site): Django's session and CSRF cookies need
//! `Secure` (the session cookie also `HttpOnly`) and `SameSite`; any cookie's `SameSite` must be
//! one browsers know, and `__Host-`/`__Secure-` prefixes must be obeyed. Pure rules over one
//! parsed header.

use super::Reporter;
use super::cookie::{Prefix, SameSite, SetCookie};
use crate::finding::{Finding, Severity};

/// Heroku's router sets this cookie for session affinity; it is not the app's to secure (the
/// MDN Observatory skips it too).
const HEROKU_AFFINITY_COOKIE: &str = "heroku-session-affinity";

/// Every rule code `findings` can produce (the finding IDs are `guard.` or `verify.` followed by
/// the code).
pub const CODES: &[&str] = &[
    "cookies.session.no_secure",
    "cookies.session.no_httponly",
    "cookies.session.samesite.missing",
    "cookies.csrf.no_secure",
    "cookies.csrf.samesite.missing",
    "cookies.samesite.invalid",
    "cookies.samesite.none_insecure",
    "cookies.prefix.invalid",
    "cookies.other.no_secure",
];

/// Whether a cookie is the platform's, not the app's: never judged.
#[must_use]
pub fn is_platform_cookie(cookie: &SetCookie) -> bool {
    cookie.name == HEROKU_AFFINITY_COOKIE
}

/// Which of Django's cookies a cookie is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    Session,
    Csrf,
}

impl Guarded {
    /// The part of the rule code and CLI option naming it.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Csrf => "csrf",
        }
    }

    /// Django's setting `SESSION_COOKIE_<suffix>` or `CSRF_COOKIE_<suffix>`.
    #[must_use]
    pub fn setting(self, suffix: &str) -> String {
        match self {
            Self::Session => format!("SESSION_COOKIE_{suffix}"),
            Self::Csrf => format!("CSRF_COOKIE_{suffix}"),
        }
    }

    /// The cookie as messages name it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Session => "session cookie",
            Self::Csrf => "CSRF cookie",
        }
    }
}

/// The cookie attribute a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Secure,
    HttpOnly,
    SameSite,
    /// The name prefix's requirements (`Secure`, and for `__Host-` also `Path=/`, no `Domain`).
    Prefix,
}

/// One finding and the attribute it is about (the gate asks whether the settings explain it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgment {
    pub attribute: Attribute,
    pub finding: Finding,
}

/// An attribute Django's session and CSRF cookies need beyond any cookie, and the Django
/// setting that adds it.
struct Requirement {
    applies_to: &'static [Guarded],
    /// The code after `cookies.session.` / `cookies.csrf.`.
    code: &'static str,
    severity: Severity,
    attribute: Attribute,
    /// The attribute as messages name it.
    name: &'static str,
    is_met: fn(&SetCookie) -> bool,
    /// The setting after `SESSION_COOKIE_` / `CSRF_COOKIE_`, and the value that fixes it.
    setting: &'static str,
    fix_value: &'static str,
    required: &'static str,
    why: &'static str,
}

const REQUIREMENTS: [Requirement; 3] = [
    Requirement {
        applies_to: &[Guarded::Session, Guarded::Csrf],
        code: "no_secure",
        severity: Severity::Block,
        attribute: Attribute::Secure,
        name: "Secure",
        is_met: |cookie| cookie.secure,
        setting: "SECURE",
        fix_value: "True",
        required: "Secure",
        why: "Browsers send it over plain HTTP too, where anyone on the network can read it and take over the session or forge requests.",
    },
    Requirement {
        applies_to: &[Guarded::Session],
        code: "no_httponly",
        // As the gate blocks on Django's security.W013: the same problem, the same severity.
        severity: Severity::Block,
        attribute: Attribute::HttpOnly,
        name: "HttpOnly",
        is_met: |cookie| cookie.http_only,
        setting: "HTTPONLY",
        fix_value: "True",
        required: "HttpOnly",
        why: "Any script injected into a page can read the session and hijack the account.",
    },
    Requirement {
        applies_to: &[Guarded::Session, Guarded::Csrf],
        code: "samesite.missing",
        severity: Severity::Warn,
        attribute: Attribute::SameSite,
        name: "SameSite",
        is_met: |cookie| cookie.same_site.is_some(),
        setting: "SAMESITE",
        fix_value: "\"Lax\"",
        required: "SameSite=Lax or Strict",
        why: "SameSite stops browsers sending the cookie with cross-site requests, a second line of defence against CSRF; Python None drops the attribute.",
    },
];

/// The findings for one cookie that `subject` (a URL, or the simulated response for one) sets
/// over HTTPS; `guarded` says whether it is Django's session or CSRF cookie.
#[must_use]
pub fn findings(
    reporter: Reporter,
    subject: &str,
    cookie: &SetCookie,
    guarded: Option<Guarded>,
) -> Vec<Judgment> {
    let mut judgments = Vec::new();
    if let Some(guarded) = guarded {
        judgments.extend(guarded_findings(reporter, subject, cookie, guarded));
    }
    judgments.extend(same_site_finding(reporter, subject, cookie, guarded));
    judgments.extend(prefix_finding(reporter, subject, cookie, guarded));
    if guarded.is_none() && !cookie.secure {
        judgments.push(Judgment {
            attribute: Attribute::Secure,
            finding: reporter
                .finding(
                    "cookies.other.no_secure",
                    Severity::Info,
                    format!("{subject} sets `{}` without Secure.", cookie.name),
                )
                .with_why(
                    "With HSTS in place browsers rarely send it over HTTP, but Secure costs nothing.",
                ),
        });
    }
    judgments
}

fn guarded_findings(
    reporter: Reporter,
    subject: &str,
    cookie: &SetCookie,
    guarded: Guarded,
) -> Vec<Judgment> {
    REQUIREMENTS
        .iter()
        .filter(|requirement| requirement.applies_to.contains(&guarded))
        .filter(|requirement| !(requirement.is_met)(cookie))
        .map(|requirement| {
            let setting = guarded.setting(requirement.setting);
            let finding = reporter
                .finding(
                    &format!("cookies.{}.{}", guarded.code(), requirement.code),
                    requirement.severity,
                    format!(
                        "{subject} sets the {} `{}` without {}.",
                        guarded.label(),
                        cookie.name,
                        requirement.name
                    ),
                )
                .with_fix(format!("{setting} = {}", requirement.fix_value))
                .with_setting(setting)
                .with_required(requirement.required)
                .with_why(requirement.why);
            Judgment {
                attribute: requirement.attribute,
                finding,
            }
        })
        .collect()
}

fn same_site_finding(
    reporter: Reporter,
    subject: &str,
    cookie: &SetCookie,
    guarded: Option<Guarded>,
) -> Option<Judgment> {
    let name = &cookie.name;
    let finding = match &cookie.same_site {
        Some(SameSite::Unrecognised(value)) => {
            let mut invalid = reporter
                .finding(
                    "cookies.samesite.invalid",
                    Severity::Warn,
                    format!("{subject} sets `{name}` with SameSite=`{value}`, which browsers do not recognise."),
                )
                .with_required("SameSite=Lax, Strict, or None together with Secure")
                .with_why("Browsers fall back to their own default, which differs between browsers.");
            if let Some(guarded) = guarded {
                invalid = invalid
                    .with_setting(guarded.setting("SAMESITE"))
                    .with_fix(format!("{} = \"Lax\"", guarded.setting("SAMESITE")));
            }
            invalid
        }
        // Django's own cookies without Secure are reported as such above.
        Some(SameSite::None) if !cookie.secure && guarded.is_none() => reporter
            .finding(
                "cookies.samesite.none_insecure",
                Severity::Warn,
                format!("{subject} sets `{name}` with SameSite=None but without Secure."),
            )
            .with_required("Secure whenever SameSite=None")
            .with_why("Browsers reject a SameSite=None cookie that is not Secure."),
        _ => return None,
    };
    Some(Judgment {
        attribute: Attribute::SameSite,
        finding,
    })
}

fn prefix_finding(
    reporter: Reporter,
    subject: &str,
    cookie: &SetCookie,
    guarded: Option<Guarded>,
) -> Option<Judgment> {
    let violations = cookie.prefix_violations();
    let prefix = cookie.prefix().filter(|_| !violations.is_empty())?;
    let finding = reporter
        .finding(
            "cookies.prefix.invalid",
            if guarded.is_some() {
                Severity::Block
            } else {
                Severity::Warn
            },
            format!(
                "{subject} sets `{}`, whose {} prefix browsers enforce, but {}.",
                cookie.name,
                prefix.as_str(),
                violations.join(" and ")
            ),
        )
        .with_required(match prefix {
            Prefix::Host => "Secure, Path=/ and no Domain attribute",
            Prefix::Secure => "Secure",
        })
        .with_why("Browsers refuse to store the cookie at all.");
    Some(Judgment {
        attribute: Attribute::Prefix,
        finding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::cookie;
    use crate::test_generator::Generator;

    fn judged(header: &str, guarded: Option<Guarded>) -> Vec<(Attribute, String)> {
        let cookie = cookie::parse(header).expect("a cookie");
        findings(Reporter::Gate, "https://example.com/", &cookie, guarded)
            .into_iter()
            .map(|judgment| {
                (
                    judgment.attribute,
                    format!("{:?} {}", judgment.finding.severity, judgment.finding.id),
                )
            })
            .collect()
    }

    #[test]
    fn django_s_cookies_need_secure_httponly_and_samesite() {
        assert_eq!(
            judged("sessionid=x; Path=/", Some(Guarded::Session)),
            [
                (
                    Attribute::Secure,
                    "Block guard.cookies.session.no_secure".to_owned()
                ),
                (
                    Attribute::HttpOnly,
                    "Block guard.cookies.session.no_httponly".to_owned()
                ),
                (
                    Attribute::SameSite,
                    "Warn guard.cookies.session.samesite.missing".to_owned()
                ),
            ]
        );
        assert_eq!(
            judged("csrftoken=x; Secure; SameSite=Lax", Some(Guarded::Csrf)),
            []
        );
        assert_eq!(
            judged(
                "csrftoken=x; Secure; SameSite=Sideways",
                Some(Guarded::Csrf)
            ),
            [(
                Attribute::SameSite,
                "Warn guard.cookies.samesite.invalid".to_owned()
            )]
        );
    }

    #[test]
    fn other_cookies_and_prefixes() {
        assert_eq!(
            judged("lang=en; SameSite=None", None),
            [
                (
                    Attribute::SameSite,
                    "Warn guard.cookies.samesite.none_insecure".to_owned()
                ),
                (
                    Attribute::Secure,
                    "Info guard.cookies.other.no_secure".to_owned()
                ),
            ]
        );
        assert_eq!(
            judged(
                "__Host-sid=1; Secure; HttpOnly; SameSite=Lax",
                Some(Guarded::Session)
            ),
            [(
                Attribute::Prefix,
                "Block guard.cookies.prefix.invalid".to_owned()
            )]
        );
        let affinity = cookie::parse("heroku-session-affinity=1").expect("a cookie");
        assert!(is_platform_cookie(&affinity));
    }

    #[test]
    fn property_every_code_is_listed() {
        let attributes = [
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "SameSite=None",
            "SameSite=x",
            "Path=/",
            "Path=/a",
            "Domain=example.com",
        ];
        let names = ["sessionid", "csrftoken", "__Host-a", "__Secure-b", "other"];
        let mut generator = Generator::new(6265);
        for _ in 0..3000 {
            let name = *generator.pick(&names);
            let mut header = format!("{name}=v");
            for _ in 0..generator.below(5) {
                header = format!("{header}; {}", generator.pick(&attributes));
            }
            let cookie = cookie::parse(&header).expect("a cookie");
            let guarded = *generator.pick(&[None, Some(Guarded::Session), Some(Guarded::Csrf)]);
            for reporter in [Reporter::Gate, Reporter::Verify] {
                for judgment in findings(reporter, "https://example.com/", &cookie, guarded) {
                    let code = judgment.finding.id.split_once('.').unwrap().1.to_owned();
                    assert!(CODES.contains(&code.as_str()), "{code} from {header}");
                }
            }
        }
    }
}

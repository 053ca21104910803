//! `Set-Cookie` on the HTTPS responses: Django's session and CSRF cookies need `Secure` (and the
//! session cookie `HttpOnly`), `SameSite` must be valid, and `__Host-`/`__Secure-` prefixes obeyed.

use super::{Chain, ChainEnd, CookieNames, HttpsSide, SiteObservation, finding};
use crate::finding::{Finding, Severity};
use crate::headers::cookie::{self, Prefix, SameSite, SetCookie};
use crate::verify::url::{Scheme, Url};

/// Heroku's router sets this cookie for session affinity; it is not the app's to secure.
const HEROKU_AFFINITY_COOKIE: &str = "heroku-session-affinity";

/// Which guarded cookie a name is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guarded {
    Session,
    Csrf,
}

impl Guarded {
    fn code(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Csrf => "csrf",
        }
    }

    fn setting(self, suffix: &str) -> String {
        match self {
            Self::Session => format!("SESSION_COOKIE_{suffix}"),
            Self::Csrf => format!("CSRF_COOKIE_{suffix}"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Session => "session cookie",
            Self::Csrf => "CSRF cookie",
        }
    }
}

pub(super) fn cookie_findings(site: &SiteObservation, names: &CookieNames) -> Vec<Finding> {
    let mut chains: Vec<&Chain> = site.extra_paths.iter().collect();
    if let HttpsSide::Chain(chain) = &site.https {
        chains.insert(0, chain);
    }
    let cookies: Vec<(&Url, SetCookie)> = chains
        .iter()
        .flat_map(|chain| chain.hops.iter())
        .filter(|hop| hop.url.scheme == Scheme::Https)
        .flat_map(|hop| {
            hop.set_cookies
                .iter()
                .filter_map(|header| cookie::parse(header))
                .map(move |cookie| (&hop.url, cookie))
        })
        .filter(|(_, cookie)| cookie.name != HEROKU_AFFINITY_COOKIE)
        .collect();
    let mut findings = Vec::new();
    // The same cookie set the same way on several paths is one problem.
    let mut seen = std::collections::HashSet::new();
    for (url, cookie) in &cookies {
        let guarded = if cookie.name == names.session {
            Some(Guarded::Session)
        } else if cookie.name == names.csrf {
            Some(Guarded::Csrf)
        } else {
            None
        };
        findings.extend(
            one_cookie_findings(url, cookie, guarded)
                .into_iter()
                .filter(|finding| seen.insert((finding.id.clone(), cookie.name.clone()))),
        );
    }
    // Only HTTPS pages the site arrives at are looked at: a cookie nobody saw cannot be checked.
    let arrived_over_https = matches!(&site.https, HttpsSide::Chain(chain)
        if chain.end == ChainEnd::Response
            && chain.hops.last().is_some_and(|hop| hop.url.scheme == Scheme::Https));
    if arrived_over_https {
        for guarded in [Guarded::Session, Guarded::Csrf] {
            let name = match guarded {
                Guarded::Session => &names.session,
                Guarded::Csrf => &names.csrf,
            };
            if !cookies.iter().any(|(_, cookie)| &cookie.name == name) {
                findings.push(
                    finding(
                        &format!("cookies.{}.not_observed", guarded.code()),
                        Severity::Info,
                        format!("No response set the {} `{name}` on {}, so its flags were not checked.", guarded.label(), site.url.host),
                    )
                    .with_fix(format!("release-guard verify {} --path /accounts/login/   (a page that sets it; --{}-cookie NAME if you renamed it)", site.url.command_line_form(), guarded.code())),
                );
            }
        }
    }
    findings
}

/// An attribute Django's session and CSRF cookies need beyond any cookie, and the Django
/// setting that adds it.
struct CookieRequirement {
    applies_to: &'static [Guarded],
    /// The finding ID after `cookies.session.` / `cookies.csrf.`.
    id: &'static str,
    severity: Severity,
    /// The attribute as messages name it.
    attribute: &'static str,
    is_met: fn(&SetCookie) -> bool,
    /// The setting after `SESSION_COOKIE_` / `CSRF_COOKIE_`, and the value that fixes it.
    setting: &'static str,
    fix_value: &'static str,
    required: &'static str,
    why: &'static str,
}

const COOKIE_REQUIREMENTS: [CookieRequirement; 3] = [
    CookieRequirement {
        applies_to: &[Guarded::Session, Guarded::Csrf],
        id: "no_secure",
        severity: Severity::Block,
        attribute: "Secure",
        is_met: |cookie| cookie.secure,
        setting: "SECURE",
        fix_value: "True",
        required: "Secure",
        why: "Browsers send it over plain HTTP too, where anyone on the network can read it and take over the session or forge requests.",
    },
    CookieRequirement {
        applies_to: &[Guarded::Session],
        id: "no_httponly",
        // As the gate blocks on Django's security.W013: the same problem, the same severity.
        severity: Severity::Block,
        attribute: "HttpOnly",
        is_met: |cookie| cookie.http_only,
        setting: "HTTPONLY",
        fix_value: "True",
        required: "HttpOnly",
        why: "Any script injected into a page can read the session and hijack the account.",
    },
    CookieRequirement {
        applies_to: &[Guarded::Session, Guarded::Csrf],
        id: "samesite.missing",
        severity: Severity::Warn,
        attribute: "SameSite",
        is_met: |cookie| cookie.same_site.is_some(),
        setting: "SAMESITE",
        fix_value: "\"Lax\"",
        required: "SameSite=Lax or Strict",
        why: "SameSite stops browsers sending the cookie with cross-site requests, a second line of defence against CSRF; Python None drops the attribute.",
    },
];

fn guarded_cookie_findings(url: &Url, cookie: &SetCookie, guarded: Guarded) -> Vec<Finding> {
    COOKIE_REQUIREMENTS
        .iter()
        .filter(|requirement| requirement.applies_to.contains(&guarded))
        .filter(|requirement| !(requirement.is_met)(cookie))
        .map(|requirement| {
            let setting = guarded.setting(requirement.setting);
            finding(
                &format!("cookies.{}.{}", guarded.code(), requirement.id),
                requirement.severity,
                format!(
                    "{url} sets the {} `{}` without {}.",
                    guarded.label(),
                    cookie.name,
                    requirement.attribute
                ),
            )
            .with_fix(format!("{setting} = {}", requirement.fix_value))
            .with_setting(setting)
            .with_required(requirement.required)
            .with_why(requirement.why)
        })
        .collect()
}

fn one_cookie_findings(url: &Url, cookie: &SetCookie, guarded: Option<Guarded>) -> Vec<Finding> {
    let name = &cookie.name;
    let mut findings = Vec::new();
    if let Some(guarded) = guarded {
        findings.extend(guarded_cookie_findings(url, cookie, guarded));
    }
    match &cookie.same_site {
        Some(SameSite::Unrecognised(value)) => {
            let mut invalid = finding(
                "cookies.samesite.invalid",
                Severity::Warn,
                format!(
                    "{url} sets `{name}` with SameSite=`{value}`, which browsers do not recognise."
                ),
            )
            .with_required("SameSite=Lax, Strict, or None together with Secure")
            .with_why("Browsers fall back to their own default, which differs between browsers.");
            if let Some(guarded) = guarded {
                invalid = invalid
                    .with_setting(guarded.setting("SAMESITE"))
                    .with_fix(format!("{} = \"Lax\"", guarded.setting("SAMESITE")));
            }
            findings.push(invalid);
        }
        Some(SameSite::None) if !cookie.secure && guarded.is_none() => findings.push(
            finding(
                "cookies.samesite.none_insecure",
                Severity::Warn,
                format!("{url} sets `{name}` with SameSite=None but without Secure."),
            )
            .with_required("Secure whenever SameSite=None")
            .with_why("Browsers reject a SameSite=None cookie that is not Secure."),
        ),
        _ => {}
    }
    let violations = cookie.prefix_violations();
    if let Some(prefix) = cookie.prefix().filter(|_| !violations.is_empty()) {
        findings.push(
            finding(
                "cookies.prefix.invalid",
                if guarded.is_some() {
                    Severity::Block
                } else {
                    Severity::Warn
                },
                format!(
                    "{url} sets `{name}`, whose {} prefix browsers enforce, but {}.",
                    prefix.as_str(),
                    violations.join(" and ")
                ),
            )
            .with_required(match prefix {
                Prefix::Host => "Secure, Path=/ and no Domain attribute",
                Prefix::Secure => "Secure",
            })
            .with_why("Browsers refuse to store the cookie at all."),
        );
    }
    if guarded.is_none() && !cookie.secure {
        findings.push(
            finding(
                "cookies.other.no_secure",
                Severity::Info,
                format!("{url} sets `{name}` without Secure."),
            )
            .with_why(
                "With HSTS in place browsers rarely send it over HTTP, but Secure costs nothing.",
            ),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;
    use super::*;

    #[test]
    fn cookie_rules() {
        let with_cookies = |cookies: &[&str]| {
            redirected_site(vec![page("https://example.com/", &[ONE_YEAR], cookies)])
        };
        assert_eq!(
            ids(&with_cookies(&[
                "sessionid=x; SameSite=None",
                "csrftoken=y; Secure; SameSite=Sideways",
                "heroku-session-affinity=z",
                "__Secure-theme=dark; Secure",
                "lang=en; Secure; SameSite=None",
            ])),
            [
                "Block verify.cookies.session.no_httponly",
                "Block verify.cookies.session.no_secure",
                "Warn verify.cookies.samesite.invalid",
            ]
        );
        assert_eq!(
            ids(&with_cookies(&[
                "sessionid=x; Secure; HttpOnly",
                "csrftoken=y; Secure"
            ])),
            [
                "Warn verify.cookies.csrf.samesite.missing",
                "Warn verify.cookies.session.samesite.missing",
            ]
        );
        assert_eq!(
            ids(&with_cookies(&[])),
            [
                "Info verify.cookies.csrf.not_observed",
                "Info verify.cookies.session.not_observed"
            ]
        );
        let renamed = CookieNames {
            session: "__Host-sid".to_owned(),
            csrf: "csrftoken".to_owned(),
        };
        let verdict = check_site(
            &with_cookies(&[
                "__Host-sid=1; Secure; HttpOnly; SameSite=Lax",
                DJANGO_COOKIES[1],
            ]),
            &renamed,
        );
        let found: Vec<&str> = verdict
            .findings
            .iter()
            .map(|finding| finding.id.as_str())
            .collect();
        assert_eq!(
            found,
            ["verify.cookies.prefix.invalid"],
            "`__Host-` needs Path=/"
        );
        assert_eq!(verdict.findings[0].severity, Severity::Block);
    }

    #[test]
    fn guarded_cookie_findings_name_the_setting_and_its_fix() {
        let url = url("https://example.com/");
        let findings: Vec<Finding> = [
            ("csrftoken=y", Guarded::Csrf),
            ("sessionid=x; Secure; SameSite=Lax", Guarded::Session),
        ]
        .into_iter()
        .flat_map(|(header, guarded)| {
            let cookie = cookie::parse(header).expect("a cookie");
            guarded_cookie_findings(&url, &cookie, guarded)
        })
        .collect();
        let described: Vec<[String; 5]> = findings
            .into_iter()
            .map(|finding| {
                [
                    format!("{:?} {}", finding.severity, finding.id),
                    finding.message,
                    finding.setting.unwrap_or_default(),
                    finding.required.unwrap_or_default(),
                    finding.fix.unwrap_or_default(),
                ]
            })
            .collect();
        assert_eq!(
            described,
            [
                [
                    "Block verify.cookies.csrf.no_secure",
                    "https://example.com/ sets the CSRF cookie `csrftoken` without Secure.",
                    "CSRF_COOKIE_SECURE",
                    "Secure",
                    "CSRF_COOKIE_SECURE = True",
                ],
                [
                    "Warn verify.cookies.csrf.samesite.missing",
                    "https://example.com/ sets the CSRF cookie `csrftoken` without SameSite.",
                    "CSRF_COOKIE_SAMESITE",
                    "SameSite=Lax or Strict",
                    "CSRF_COOKIE_SAMESITE = \"Lax\"",
                ],
                [
                    "Block verify.cookies.session.no_httponly",
                    "https://example.com/ sets the session cookie `sessionid` without HttpOnly.",
                    "SESSION_COOKIE_HTTPONLY",
                    "HttpOnly",
                    "SESSION_COOKIE_HTTPONLY = True",
                ],
            ]
        );
    }
}

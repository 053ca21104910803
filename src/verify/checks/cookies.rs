//! `Set-Cookie` on the HTTPS responses, judged by the rules shared with the gate
//! (`headers::cookie_policy`), and a note for Django's cookies no response set.

use super::{Chain, ChainEnd, CookieNames, HttpsSide, SiteObservation, finding};
use crate::finding::{Finding, Severity};
use crate::finding_ids::verify as ids;
use crate::headers::Reporter;
use crate::headers::cookie::{self, SetCookie};
use crate::headers::cookie_policy::{self, Guarded};
use crate::verify::url::{Scheme, Url};

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
        .filter(|(_, cookie)| !cookie_policy::is_platform_cookie(cookie))
        .collect();
    let mut findings = Vec::new();
    // The same cookie set the same way on several paths is one problem.
    let mut seen = std::collections::HashSet::new();
    for (url, cookie) in &cookies {
        let guarded = names.guarded(&cookie.name);
        findings.extend(
            cookie_policy::findings(Reporter::Verify, &url.to_string(), cookie, guarded)
                .into_iter()
                .map(|judgment| judgment.finding)
                .filter(|finding| seen.insert((finding.id.clone(), cookie.name.clone()))),
        );
    }
    // Only HTTPS pages the site arrives at are looked at: a cookie nobody saw cannot be checked.
    let arrived_over_https = matches!(&site.https, HttpsSide::Chain(chain)
        if chain.end == ChainEnd::Response
            && chain.hops.last().is_some_and(|hop| hop.url.scheme == Scheme::Https));
    if arrived_over_https {
        for guarded in [Guarded::Session, Guarded::Csrf] {
            let name = names.name(guarded);
            if !cookies.iter().any(|(_, cookie)| cookie.name == name) {
                findings.push(
                    finding(
                        match guarded {
                            Guarded::Session => ids::COOKIES_SESSION_NOT_OBSERVED,
                            Guarded::Csrf => ids::COOKIES_CSRF_NOT_OBSERVED,
                        },
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
            cookie_policy::findings(Reporter::Verify, &url.to_string(), &cookie, Some(guarded))
                .into_iter()
                .map(|judgment| judgment.finding)
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

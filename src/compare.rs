//! The new release against the live site: no release may be weaker than what is live. Pure, on
//! the core's HTTP facts ([`ResponseFacts`]) and header parsers ([`crate::headers`]): the gate
//! hands in the simulated responses of the new release and the live site's real ones.
//!
//! A weaker Strict-Transport-Security header (removed, `max-age` lowered, `includeSubDomains` or
//! `preload` dropped), a lost HTTP→HTTPS redirect, and a session or CSRF cookie that loses
//! `Secure` block: browsers that visited the live site hold it to its promise, and this release
//! would break it. An intended ramp-down is an ignore with a reason and an end date.

use crate::finding::{Finding, Severity, Source};
use crate::headers::{cookie, hsts};
use crate::http_facts::ResponseFacts;

pub use crate::finding_ids::guard::LIVE_COOKIE_SECURE_REMOVED as COOKIE_SECURE_REMOVED;
pub use crate::finding_ids::guard::LIVE_HSTS_WEAKENED as HSTS_WEAKENED;
pub use crate::finding_ids::guard::LIVE_SITE_UNREACHABLE;
pub use crate::finding_ids::guard::LIVE_SSL_REDIRECT_REMOVED as SSL_REDIRECT_REMOVED;

/// What the new release would send, from the gate's simulation and settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    /// The simulated HTTPS response.
    pub https: ResponseFacts,
    /// The simulated plain-HTTP request was redirected to HTTPS.
    pub redirects_http: bool,
    /// The session and CSRF cookies the release sets.
    pub cookies: Vec<CookieSetting>,
    /// The app leaves HSTS to what is in front of it (a silenced `security.W004`): when it sends
    /// none, the live site's header is evidence for that silence, not a removal.
    pub hsts_delegated: bool,
    /// The same for the HTTPS redirect (a silenced `security.W008`).
    pub redirect_delegated: bool,
}

/// A cookie Django sets, and whether this release marks it `Secure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSetting {
    /// `the session cookie` or `the CSRF cookie`.
    pub role: &'static str,
    /// `SESSION_COOKIE_NAME`'s value, e.g. `sessionid`.
    pub name: String,
    /// The setting that adds `Secure`, e.g. `SESSION_COOKIE_SECURE`.
    pub secure_setting: &'static str,
    /// Whether this release sends it with `Secure`.
    pub secure: bool,
}

/// The live site's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFacts {
    /// The HTTPS address asked.
    pub url: String,
    pub https: ResponseFacts,
    /// The same address over plain HTTP, when it was asked (only when the new release does not
    /// redirect itself) and answered.
    pub http: Option<ResponseFacts>,
}

impl LiveFacts {
    /// The Strict-Transport-Security policy browsers take from the live site: the first header,
    /// when honoured and not `max-age=0`.
    #[must_use]
    pub fn hsts(&self) -> Option<hsts::StsHeader> {
        policy(&self.https)
    }
}

/// The policy browsers apply from a response: the first header counts (RFC 6797 §8.1).
fn policy(response: &ResponseFacts) -> Option<hsts::StsHeader> {
    let header = hsts::parse(response.hsts.first()?);
    header
        .effective_max_age()
        .is_some_and(|max_age| max_age > 0)
        .then_some(header)
}

/// Where the new release is weaker than the live site, one blocking finding per kind.
#[must_use]
pub fn weakenings(new: &NewRelease, live: &LiveFacts) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(hsts_weakened(new, live));
    findings.extend(redirect_removed(new, live));
    findings.extend(cookies_insecure(new, live));
    findings
}

fn hsts_weakened(new: &NewRelease, live: &LiveFacts) -> Option<Finding> {
    let live_policy = live.hsts()?;
    let new_policy = policy(&new.https);
    if new_policy.is_none() && new.hsts_delegated {
        return None;
    }
    let live_max_age = live_policy.max_age.unwrap_or_default();
    let mut lost = Vec::new();
    match &new_policy {
        None => lost.push("the header is gone".to_string()),
        Some(new_policy) => {
            let new_max_age = new_policy.max_age.unwrap_or_default();
            if new_max_age < live_max_age {
                lost.push(format!(
                    "max-age lowered from {live_max_age} to {new_max_age} s"
                ));
            }
            if live_policy.include_subdomains && !new_policy.include_subdomains {
                lost.push("includeSubDomains dropped".to_string());
            }
            if live_policy.preload && !new_policy.preload {
                lost.push("preload dropped".to_string());
            }
        }
    }
    if lost.is_empty() {
        return None;
    }
    let sent = new.https.hsts.first().map_or_else(
        || "no Strict-Transport-Security header".to_string(),
        |header| format!("`{header}`"),
    );
    let mut fix = vec![format!("SECURE_HSTS_SECONDS = {live_max_age}")];
    if live_policy.include_subdomains {
        fix.push("SECURE_HSTS_INCLUDE_SUBDOMAINS = True".to_string());
    }
    if live_policy.preload {
        fix.push("SECURE_HSTS_PRELOAD = True".to_string());
    }
    Some(
        Finding::new(
            HSTS_WEAKENED,
            Severity::Block,
            Source::Guard,
            format!(
                "The live site {} sends Strict-Transport-Security `{}`; this release would send {sent} ({}).",
                live.url,
                live.https.hsts.first().map_or("", String::as_str),
                lost.join(", ")
            ),
        )
        .with_setting("SECURE_HSTS_SECONDS")
        .with_required(format!("at least what the live site sends: {live_policy}"))
        .with_why(format!(
            "Browsers hold the site to the live policy; a weaker one shortens or narrows the protection for every visitor from this release on. An intended ramp-down is an ignore with a reason and an end date: {{ id = \"{HSTS_WEAKENED}\", reason = \"...\", until = \"YYYY-MM-DD\" }}."
        ))
        .with_fix(fix.join("\n")),
    )
}

fn redirect_removed(new: &NewRelease, live: &LiveFacts) -> Option<Finding> {
    let live_http = live.http.as_ref()?;
    if new.redirects_http || new.redirect_delegated || !live_http.redirects_to_https() {
        return None;
    }
    Some(
        Finding::new(
            SSL_REDIRECT_REMOVED,
            Severity::Block,
            Source::Guard,
            format!(
                "The live site redirects plain HTTP to {}; this release would answer plain HTTP itself.",
                live_http.location.as_deref().unwrap_or_default()
            ),
        )
        .with_setting("SECURE_SSL_REDIRECT")
        .with_required("True, as the live site redirects")
        .with_why("Visitors who type the address or follow an http:// link would stay on plain HTTP, where the session cookie and every page can be read and changed.")
        .with_fix("SECURE_SSL_REDIRECT = True"),
    )
}

fn cookies_insecure(new: &NewRelease, live: &LiveFacts) -> Vec<Finding> {
    let live_cookies: Vec<cookie::SetCookie> = live
        .https
        .set_cookies
        .iter()
        .filter_map(|header| cookie::parse(header))
        .collect();
    new.cookies
        .iter()
        .filter(|setting| !setting.secure)
        .filter(|setting| {
            live_cookies
                .iter()
                .any(|live| live.name == setting.name && live.secure)
        })
        .map(|setting| {
            Finding::new(
                COOKIE_SECURE_REMOVED,
                Severity::Block,
                Source::Guard,
                format!(
                    "The live site {} sends {} `{}` with Secure; this release would send it without Secure.",
                    live.url, setting.role, setting.name
                ),
            )
            .with_setting(setting.secure_setting)
            .with_required("True, as on the live site")
            .with_why("Browsers would send the cookie over plain HTTP, where anyone on the network can read it.")
            .with_fix(format!("{} = True", setting.secure_setting))
        })
        .collect()
}

/// The live site could not be asked: never a block, the release is judged on its own.
#[must_use]
pub fn unreachable(url: &str, reason: &str) -> Finding {
    Finding::new(
        LIVE_SITE_UNREACHABLE,
        Severity::Info,
        Source::Guard,
        format!(
            "The live site {url} could not be compared with this release: {reason} This release is judged on its own."
        ),
    )
    .with_fix(format!(
        "Check that {url} answers from the release phase, or unset RELEASE_GUARD_LIVE_URL."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIVE_URL: &str = "https://www.example.com/";

    fn response(hsts: &[&str], cookies: &[&str]) -> ResponseFacts {
        ResponseFacts {
            status: 200,
            location: None,
            hsts: hsts.iter().map(ToString::to_string).collect(),
            set_cookies: cookies.iter().map(ToString::to_string).collect(),
        }
    }

    fn new_release(hsts: &[&str]) -> NewRelease {
        NewRelease {
            https: response(hsts, &[]),
            redirects_http: true,
            cookies: Vec::new(),
            hsts_delegated: false,
            redirect_delegated: false,
        }
    }

    fn live(hsts: &[&str]) -> LiveFacts {
        LiveFacts {
            url: LIVE_URL.to_string(),
            https: response(hsts, &[]),
            http: None,
        }
    }

    fn messages(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .map(|finding| finding.message.as_str())
            .collect()
    }

    const STRONG: &str = "max-age=31536000; includeSubDomains; preload";

    #[test]
    fn a_weaker_hsts_header_blocks_and_says_what_was_lost() {
        let cases: [(&[&str], &str); 4] = [
            (
                &[],
                "no Strict-Transport-Security header (the header is gone)",
            ),
            (
                &["max-age=3600; includeSubDomains; preload"],
                "`max-age=3600; includeSubDomains; preload` (max-age lowered from 31536000 to 3600 s)",
            ),
            (
                &["max-age=31536000"],
                "`max-age=31536000` (includeSubDomains dropped, preload dropped)",
            ),
            (
                &["max-age=abc", STRONG],
                "`max-age=abc` (the header is gone)",
            ),
        ];
        for (sent, says) in cases {
            let findings = weakenings(&new_release(sent), &live(&[STRONG]));
            assert_eq!(
                messages(&findings),
                [format!(
                    "The live site {LIVE_URL} sends Strict-Transport-Security `{STRONG}`; this release would send {says}."
                )],
                "{sent:?}"
            );
            assert_eq!(findings[0].severity, Severity::Block);
            assert_eq!(
                findings[0].fix.as_deref(),
                Some(
                    "SECURE_HSTS_SECONDS = 31536000\nSECURE_HSTS_INCLUDE_SUBDOMAINS = True\nSECURE_HSTS_PRELOAD = True"
                )
            );
        }
    }

    #[test]
    fn an_equal_or_stronger_release_or_a_live_site_without_a_policy_passes() {
        let cases: [(&[&str], &[&str]); 5] = [
            (&[STRONG], &[STRONG]),
            (&["max-age=63072000; includeSubDomains; preload"], &[STRONG]),
            (&["max-age=3600"], &[]),
            (&[], &["max-age=0"]),
            (&[], &["max-age=nope"]),
        ];
        for (new, live_sent) in cases {
            assert_eq!(
                weakenings(&new_release(new), &live(live_sent)),
                Vec::new(),
                "{new:?} vs {live_sent:?}"
            );
        }
    }

    #[test]
    fn a_release_that_leaves_hsts_to_the_proxy_is_judged_by_its_silence_instead() {
        let delegated = NewRelease {
            hsts_delegated: true,
            ..new_release(&[])
        };
        assert!(weakenings(&delegated, &live(&[STRONG])).is_empty());
        // Sending its own weaker header is still weaker.
        let own = NewRelease {
            hsts_delegated: true,
            ..new_release(&["max-age=60"])
        };
        assert_eq!(weakenings(&own, &live(&[STRONG])).len(), 1);
    }

    #[test]
    fn a_lost_redirect_blocks_only_when_the_live_site_redirects() {
        let redirecting = ResponseFacts {
            status: 301,
            location: Some(LIVE_URL.to_string()),
            ..ResponseFacts::default()
        };
        let live = LiveFacts {
            http: Some(redirecting),
            ..live(&[])
        };
        let no_redirect = NewRelease {
            redirects_http: false,
            ..new_release(&[])
        };
        assert_eq!(
            messages(&weakenings(&no_redirect, &live)),
            [format!(
                "The live site redirects plain HTTP to {LIVE_URL}; this release would answer plain HTTP itself."
            )]
        );
        assert!(weakenings(&new_release(&[]), &live).is_empty());
        let delegated = NewRelease {
            redirect_delegated: true,
            ..no_redirect.clone()
        };
        assert!(weakenings(&delegated, &live).is_empty());
        let live_plain = LiveFacts {
            http: Some(response(&[], &[])),
            ..live.clone()
        };
        assert!(weakenings(&no_redirect, &live_plain).is_empty());
    }

    #[test]
    fn a_cookie_that_loses_secure_blocks() {
        let new = NewRelease {
            cookies: vec![
                CookieSetting {
                    role: "the session cookie",
                    name: "sessionid".to_string(),
                    secure_setting: "SESSION_COOKIE_SECURE",
                    secure: false,
                },
                CookieSetting {
                    role: "the CSRF cookie",
                    name: "csrftoken".to_string(),
                    secure_setting: "CSRF_COOKIE_SECURE",
                    secure: false,
                },
            ],
            ..new_release(&[])
        };
        let live = LiveFacts {
            https: response(
                &[],
                &[
                    "sessionid=x; Secure; HttpOnly",
                    "csrftoken=y; Path=/",
                    "other=z; Secure",
                ],
            ),
            ..live(&[])
        };
        let found = weakenings(&new, &live);
        assert_eq!(
            messages(&found),
            [format!(
                "The live site {LIVE_URL} sends the session cookie `sessionid` with Secure; this release would send it without Secure."
            )]
        );
        assert_eq!(
            found[0].fix.as_deref(),
            Some("SESSION_COOKIE_SECURE = True")
        );
    }

    #[test]
    fn an_unreachable_live_site_is_information() {
        let finding = unreachable(LIVE_URL, "nothing listens on port 443.");
        assert_eq!(finding.severity, Severity::Info);
        assert_eq!(
            finding.message,
            format!(
                "The live site {LIVE_URL} could not be compared with this release: nothing listens on port 443. This release is judged on its own."
            )
        );
    }
}

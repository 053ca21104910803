//! Pure checks: what was observed over HTTP (hops, headers, cookies) in, findings out. No I/O
//! here, so every rule is unit-tested with hand-written observations. One module per concern:
//! `redirects` (the plain-HTTP entry, redirect chains and TLS), `hsts` (the
//! Strict-Transport-Security header and preload readiness), `cookies` (Set-Cookie flags), `csp`
//! (the Content Security Policy, with the gate's rules).
//!
//! Finding IDs reuse `chromium/hstspreload` issue codes (prefixed `verify.`) where the meaning
//! matches, so users can look them up.

mod cookies;
mod csp;
mod hsts;
mod redirects;
#[cfg(test)]
mod testing;

use super::url::{Scheme, Url};
use crate::finding::{Finding, Severity, Source};
use crate::finding_ids::verify as ids;
use crate::headers::cookie_policy::Guarded;
use crate::headers::csp::CspHeaders;
use crate::headers::hsts::StsHeader;

/// At most this many redirects are followed from one start URL (hstspreload's `maxRedirects`).
pub const MAX_REDIRECTS: usize = 3;

/// One response, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub url: Url,
    pub status: u16,
    /// The raw `Location` header.
    pub location: Option<String>,
    /// Every `Strict-Transport-Security` header, in order.
    pub sts: Vec<String>,
    /// Every `Set-Cookie` header, in order.
    pub set_cookies: Vec<String>,
    /// The Content Security Policy headers and the headers they are judged with.
    pub csp: CspHeaders,
}

impl Hop {
    #[must_use]
    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }
}

/// Why following a chain stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainEnd {
    /// The last hop is a final response.
    Response,
    /// Still redirecting after `MAX_REDIRECTS` redirects.
    TooMany,
    /// The last hop redirects to a URL already visited.
    Loop(Url),
    /// The last hop redirects without a usable `Location`.
    BadLocation(String),
    /// The next URL could not be fetched: a plain-words explanation (TLS failures).
    Failed { url: Url, reason: String },
}

/// The responses met while following redirects from `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub start: Url,
    pub hops: Vec<Hop>,
    pub end: ChainEnd,
}

/// What happened on `http://host/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpSide {
    /// Nothing accepts connections on the plain-HTTP port.
    NoListener(Url),
    Chain(Chain),
}

/// What happened on `https://host/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpsSide {
    /// TLS failed before any response: `reason` in plain words.
    TlsFailed {
        url: Url,
        reason: String,
        certificate: bool,
    },
    Chain(Chain),
}

/// Everything observed for one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteObservation {
    /// The URL as the user gave it.
    pub url: Url,
    pub http: HttpSide,
    pub https: HttpsSide,
    /// Chains from the extra `--path`s, over HTTPS.
    pub extra_paths: Vec<Chain>,
}

/// Django's default `SESSION_COOKIE_NAME`.
pub const DEFAULT_SESSION_COOKIE: &str = "sessionid";
/// Django's default `CSRF_COOKIE_NAME`.
pub const DEFAULT_CSRF_COOKIE: &str = "csrftoken";

/// The cookie names Django is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieNames {
    pub session: String,
    pub csrf: String,
}

impl CookieNames {
    /// Which of Django's cookies `name` is, if any.
    #[must_use]
    pub fn guarded(&self, name: &str) -> Option<Guarded> {
        [Guarded::Session, Guarded::Csrf]
            .into_iter()
            .find(|guarded| self.name(*guarded) == name)
    }

    /// The name Django gives `guarded`.
    #[must_use]
    pub fn name(&self, guarded: Guarded) -> &str {
        match guarded {
            Guarded::Session => &self.session,
            Guarded::Csrf => &self.csrf,
        }
    }
}

impl Default for CookieNames {
    fn default() -> Self {
        Self {
            session: DEFAULT_SESSION_COOKIE.to_owned(),
            csrf: DEFAULT_CSRF_COOKIE.to_owned(),
        }
    }
}

/// The findings for one host and its preload-readiness line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteVerdict {
    pub findings: Vec<Finding>,
    pub preload_note: String,
}

fn finding(id: &str, severity: Severity, message: String) -> Finding {
    Finding::new(id, severity, Source::Verify, message)
}

/// Checks one host.
#[must_use]
pub fn check_site(site: &SiteObservation, cookie_names: &CookieNames) -> SiteVerdict {
    let https_start = match &site.https {
        HttpsSide::Chain(chain) => &chain.start,
        HttpsSide::TlsFailed { url, .. } => url,
    };
    let mut findings = redirects::http_findings(&site.http, https_start);
    let mut preload_gaps = Vec::new();
    if let HttpSide::Chain(chain) = &site.http
        && !redirects::first_redirect_is_same_host_https(chain)
    {
        preload_gaps
            .push("plain HTTP does not redirect to HTTPS on the same host first".to_owned());
    }
    let mut header = None;
    match &site.https {
        HttpsSide::TlsFailed {
            url,
            reason,
            certificate,
        } => {
            findings.push(redirects::tls_finding(url, reason, *certificate));
            preload_gaps.push("no valid certificate".to_owned());
        }
        HttpsSide::Chain(chain) => {
            let https = https_chain_findings(chain);
            if !https.redirects_carry_hsts {
                preload_gaps.push("an HTTPS redirect lacks the header".to_owned());
            }
            findings.extend(https.findings);
            header = https.header;
        }
    }
    // An extra path repeating a problem of the main page adds nothing.
    let main_ids: Vec<String> = findings.iter().map(|finding| finding.id.clone()).collect();
    for chain in &site.extra_paths {
        findings.extend(
            https_chain_findings(chain)
                .findings
                .into_iter()
                .filter(|finding| !main_ids.contains(&finding.id)),
        );
    }
    findings.extend(cookies::cookie_findings(site, cookie_names));
    dedup_by_id_and_message(&mut findings);
    sort_findings(&mut findings);
    SiteVerdict {
        findings,
        preload_note: hsts::preload_note(&site.url.host, header.as_ref(), preload_gaps),
    }
}

/// Blocking first, then by ID; the sort is stable, so equal IDs keep their order (URL order).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|left, right| {
        right
            .severity
            .cmp(&left.severity)
            .then_with(|| left.id.cmp(&right.id))
    });
}

fn dedup_by_id_and_message(findings: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    findings.retain(|finding| seen.insert((finding.id.clone(), finding.message.clone())));
}

struct HttpsChainCheck {
    findings: Vec<Finding>,
    header: Option<StsHeader>,
    redirects_carry_hsts: bool,
}

fn https_chain_findings(chain: &Chain) -> HttpsChainCheck {
    let mut findings = Vec::new();
    let mut redirects_carry_hsts = true;
    let https_hops = || {
        chain
            .hops
            .iter()
            .filter(|hop| hop.url.scheme == Scheme::Https)
    };
    for hop in https_hops().filter(|hop| hop.is_redirect()) {
        if hop.sts.is_empty() {
            redirects_carry_hsts = false;
            findings.push(
                finding(
                    ids::REDIRECTS_HTTPS_NO_HSTS,
                    Severity::Warn,
                    format!("The HTTPS redirect {} ({}) carries no Strict-Transport-Security header.", hop.url, hop.status),
                )
                .with_setting("MIDDLEWARE")
                .with_required("django.middleware.security.SecurityMiddleware before CommonMiddleware and WhiteNoise, so their redirects get the header")
                .with_why("A visitor whose first HTTPS response is this redirect does not learn the policy; hstspreload.org also requires it."),
            );
        }
    }
    findings.extend(redirects::chain_end_findings(chain));
    findings.extend(redirects::downgrade_findings(
        chain,
        ids::REDIRECTS_INSECURE_INITIAL,
    ));
    let mut header = None;
    // Header checks apply to the page the chain arrives at; a chain that never arrives is
    // reported by `chain_end_findings` instead.
    if let Some(last) = chain
        .hops
        .last()
        .filter(|hop| hop.url.scheme == Scheme::Https && chain.end == ChainEnd::Response)
    {
        if last.status >= 400 {
            findings.push(finding(
                ids::RESPONSE_ERROR_STATUS,
                Severity::Info,
                format!("{} answers {}; the checks below apply to that error page.", last.url, last.status),
            ).with_why("A 400 usually means the host is missing from ALLOWED_HOSTS; check with the URL visitors use."));
        }
        let (header_findings, parsed) = hsts::response_header_findings(last);
        findings.extend(header_findings);
        findings.extend(csp::response_findings(last));
        header = parsed;
    }
    HttpsChainCheck {
        findings,
        header,
        redirects_carry_hsts,
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn a_good_site_has_no_findings() {
        let verdict = check_site(&good_site(ONE_YEAR), &CookieNames::default());
        assert_eq!(verdict.findings, vec![]);
        assert_eq!(
            verdict.preload_note,
            "Preload readiness (example.com): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org."
        );
    }

    #[test]
    fn extra_paths_add_only_new_problems() {
        let mut observed = good_site("max-age=300");
        observed.extra_paths = vec![chain(
            vec![page(
                "https://example.com/accounts/login/",
                &["max-age=300"],
                &[
                    "sessionid=x; Path=/; HttpOnly; SameSite=Lax",
                    "sessionid=x; Path=/; HttpOnly; SameSite=Lax",
                ],
            )],
            ChainEnd::Response,
        )];
        assert_eq!(
            ids(&observed),
            [
                "Block verify.cookies.session.no_secure",
                "Warn verify.header.max_age.below_180_days"
            ]
        );
    }

    #[test]
    fn property_findings_are_well_formed_and_never_push_preload() {
        use crate::test_generator::Generator;
        let statuses = [200, 301, 302, 307, 308];
        let locations = [
            "https://example.com/",
            "https://www.example.com/",
            "http://example.com/x",
            "https://example.org/",
            "/",
        ];
        let headers = [
            ONE_YEAR,
            "max-age=300",
            "max-age=63072000; includeSubDomains; preload",
            "max-age=600; preload",
            "max-age=0",
            "preload",
            "max-age=1, max-age=2",
            "",
        ];
        let cookies = [
            DJANGO_COOKIES[0],
            DJANGO_COOKIES[1],
            "sessionid=x",
            "csrftoken=y; SameSite=None",
            "__Host-x=1; Secure; Path=/",
            "heroku-session-affinity=1",
        ];
        let mut generator = Generator::new(2026);
        let mut good_sites = 0;
        for _ in 0..3000 {
            let status = *generator.pick(&statuses);
            let location = *generator.pick(&locations);
            let first = redirect("http://example.com/", status, location, &[]);
            let sts: Vec<&str> = (0..generator.below(3))
                .map(|_| *generator.pick(&headers))
                .collect();
            let set: Vec<&str> = (0..generator.below(4))
                .map(|_| *generator.pick(&cookies))
                .collect();
            let observed = site(first, vec![page("https://example.com/", &sts, &set)]);
            let verdict = check_site(&observed, &CookieNames::default());
            let mut sorted = verdict.findings.clone();
            sort_findings(&mut sorted);
            assert_eq!(verdict.findings, sorted, "{observed:?}");
            let preload_sent = sts.iter().any(|value| value.contains("preload"));
            for finding in &verdict.findings {
                assert!(finding.id.starts_with("verify."), "{}", finding.id);
                assert_eq!(finding.source, Source::Verify);
                assert!(
                    preload_sent || !finding.id.contains("preload"),
                    "{}",
                    finding.id
                );
                let text = format!("{finding:?}").to_lowercase();
                assert!(
                    !text.contains("add preload") && !text.contains("add `preload`"),
                    "{text}"
                );
            }
            assert!(
                !verdict.preload_note.to_lowercase().contains("add"),
                "{}",
                verdict.preload_note
            );
            let blocks = verdict
                .findings
                .iter()
                .any(|finding| finding.severity == Severity::Block);
            // A permanent same-host redirect, one good header and only well-set cookies.
            let good = matches!(status, 301 | 308)
                && location == locations[0]
                && sts == [ONE_YEAR]
                && set
                    .iter()
                    .all(|cookie| !["sessionid=x", "csrftoken=y; SameSite=None"].contains(cookie));
            assert!(
                !good || !blocks,
                "a good site blocked: {:?}",
                verdict.findings
            );
            good_sites += usize::from(good);
        }
        assert!(good_sites > 0, "the generator produced no good site");
    }
}

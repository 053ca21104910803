//! Pure checks: what was observed over HTTP (hops, headers, cookies) in, findings out. No I/O
//! here, so every rule is unit-tested with hand-written observations.
//!
//! Finding IDs reuse `chromium/hstspreload` issue codes (prefixed `verify.`) where the meaning
//! matches, so users can look them up.

use super::cookie::{self, Prefix, SameSite, SetCookie};
use super::hsts::{self, KnownDirective, StsHeader, StsProblem};
use super::url::{Scheme, Url};
use crate::finding::{Finding, Severity, Source};

/// At most this many redirects are followed from one start URL (hstspreload's `maxRedirects`).
pub const MAX_REDIRECTS: usize = 3;

/// The stages hstspreload.org recommends for raising `max-age`: 5 minutes, 1 week, 1 month,
/// then 1 year.
const RAMP_STAGES: [u64; 4] = [300, 604_800, 2_592_000, hsts::ONE_YEAR_SECS];

/// Heroku's router sets this cookie for session affinity; it is not the app's to secure.
const HEROKU_AFFINITY_COOKIE: &str = "heroku-session-affinity";

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
    pub host: String,
    pub http: HttpSide,
    pub https: HttpsSide,
    /// Chains from the extra `--path`s, over HTTPS.
    pub extra_paths: Vec<Chain>,
}

/// The cookie names Django is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieNames {
    pub session: String,
    pub csrf: String,
}

impl Default for CookieNames {
    fn default() -> Self {
        Self {
            session: "sessionid".to_owned(),
            csrf: "csrftoken".to_owned(),
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
    Finding::new(format!("verify.{id}"), severity, Source::Verify, message)
}

/// Checks one host.
#[must_use]
pub fn check_site(site: &SiteObservation, cookie_names: &CookieNames) -> SiteVerdict {
    let https_start = match &site.https {
        HttpsSide::Chain(chain) => &chain.start,
        HttpsSide::TlsFailed { url, .. } => url,
    };
    let mut findings = http_findings(&site.http, https_start);
    let mut preload_gaps = Vec::new();
    if let HttpSide::Chain(chain) = &site.http
        && !first_redirect_is_same_host_https(chain)
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
            findings.push(tls_finding(url, reason, *certificate));
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
    findings.extend(cookie_findings(site, cookie_names));
    dedup_by_id_and_message(&mut findings);
    sort_findings(&mut findings);
    SiteVerdict {
        findings,
        preload_note: preload_note(&site.host, header.as_ref(), preload_gaps),
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

fn first_redirect_is_same_host_https(chain: &Chain) -> bool {
    chain.hops.first().is_some_and(|hop| {
        hop.is_redirect()
            && hop
                .location
                .as_deref()
                .and_then(|location| hop.url.resolve(location).ok())
                .is_some_and(|target| target.scheme == Scheme::Https && target.same_host(&hop.url))
    })
}

const SSL_REDIRECT_WHY: &str = "Visitors who type the address or follow an old http:// link use the site unencrypted, and browsers never learn its HSTS policy.";

/// `https_start`: where the HTTPS checks begin; what happens from there is reported once, by them.
fn http_findings(http: &HttpSide, https_start: &Url) -> Vec<Finding> {
    let chain = match http {
        HttpSide::NoListener(url) => {
            return vec![
                finding(
                    "redirects.http.does_not_exist",
                    Severity::Info,
                    format!("Nothing accepts connections on {url}, so there is no plain-HTTP redirect to check."),
                )
                .with_why("Browsers that try plain HTTP first get a connection error instead of the site; that is safe, but HSTS is only learnt over HTTPS."),
            ];
        }
        HttpSide::Chain(chain) => chain,
    };
    let mut findings = Vec::new();
    let Some(first) = chain.hops.first() else {
        return findings;
    };
    if !first.sts.is_empty() {
        findings.push(
            finding(
                "redirects.http.useless_header",
                Severity::Info,
                format!("{} sends a Strict-Transport-Security header over plain HTTP; browsers ignore it there (RFC 6797 §8.1).", first.url),
            )
            .with_why("Only a header received over HTTPS protects the site; this one is harmless but does nothing."),
        );
    }
    if !first.is_redirect() {
        findings.push(
            finding(
                "redirects.http.no_redirect",
                Severity::Block,
                format!(
                    "{} answers {} instead of redirecting to HTTPS.",
                    first.url, first.status
                ),
            )
            .with_setting("SECURE_SSL_REDIRECT")
            .with_required(format!("a 301 redirect to https://{}/", first.url.host))
            .with_why(SSL_REDIRECT_WHY)
            .with_fix("SECURE_SSL_REDIRECT = True"),
        );
        return findings;
    }
    // A missing or unusable Location is reported below, from the chain's end.
    if let Some(Ok(target)) = first
        .location
        .as_deref()
        .map(|location| first.url.resolve(location))
    {
        findings.extend(first_redirect_findings(first, &target));
    }
    let reaches_https_start = chain.hops.iter().any(|hop| &hop.url == https_start)
        || matches!(&chain.end, ChainEnd::Failed { url, .. } if url == https_start);
    if !reaches_https_start {
        findings.extend(chain_end_findings(chain));
        findings.extend(downgrade_findings(chain, "subsequent"));
    }
    findings
}

fn first_redirect_findings(first: &Hop, target: &Url) -> Vec<Finding> {
    let from = &first.url;
    let mut findings = Vec::new();
    if target.scheme == Scheme::Http {
        findings.push(
            finding(
                "redirects.http.first_redirect.insecure",
                Severity::Block,
                format!("{from} redirects to {target}, which is still plain HTTP."),
            )
            .with_setting("SECURE_SSL_REDIRECT")
            .with_required(format!("the first redirect goes to https://{}/", from.host))
            .with_why(SSL_REDIRECT_WHY)
            .with_fix("SECURE_SSL_REDIRECT = True"),
        );
    } else if !target.same_host(from) {
        let id = if target.host == format!("www.{}", from.host) {
            "redirects.http.www_first"
        } else {
            "redirects.http.first_redirect.insecure"
        };
        findings.push(
            finding(
                id,
                Severity::Block,
                format!("{from} redirects straight to another host, {target}."),
            )
            .with_setting("SECURE_SSL_HOST")
            .with_required(format!("the first redirect goes to https://{}/ (same host), any move to another host after that", from.host))
            .with_why(format!("Browsers arriving over HTTP never receive an HSTS policy for {}, so the next plain-HTTP visit is exposed again.", from.host))
            .with_fix("SECURE_SSL_HOST = None"),
        );
    }
    if matches!(first.status, 302 | 303 | 307) {
        findings.push(
            finding(
                "redirects.http.first_redirect.temporary",
                Severity::Warn,
                format!("{from} redirects to HTTPS with a temporary {} instead of a permanent 301 or 308.", first.status),
            )
            .with_required("301 (Django's SECURE_SSL_REDIRECT sends it) or 308")
            .with_why("Browsers and search engines do not remember temporary redirects, so every plain-HTTP visit makes the insecure round trip again."),
        );
    }
    findings
}

fn chain_end_findings(chain: &Chain) -> Vec<Finding> {
    let last_url = chain.hops.last().map_or(&chain.start, |hop| &hop.url);
    let (id, message) = match &chain.end {
        ChainEnd::Response => return Vec::new(),
        ChainEnd::TooMany => (
            "redirects.too_many",
            format!(
                "{} still redirects after {MAX_REDIRECTS} redirects (last: {last_url}).",
                chain.start
            ),
        ),
        ChainEnd::Loop(target) => (
            "redirects.loop",
            format!(
                "{} redirects in a loop: {last_url} goes back to {target}.",
                chain.start
            ),
        ),
        ChainEnd::BadLocation(reason) => (
            "redirects.follow_error",
            format!("{last_url} redirects, but the redirect cannot be followed: {reason}."),
        ),
        ChainEnd::Failed { url, reason } => (
            "redirects.follow_error",
            format!("{} redirects to {url}, which fails: {reason}", chain.start),
        ),
    };
    let mut result = finding(id, Severity::Block, message);
    if matches!(chain.end, ChainEnd::Loop(_)) && chain.start.scheme == Scheme::Https {
        result = result
            .with_setting("SECURE_PROXY_SSL_HEADER")
            .with_why("Behind Heroku's router Django sees plain HTTP unless it trusts X-Forwarded-Proto, so SECURE_SSL_REDIRECT redirects HTTPS requests to themselves.")
            .with_fix("SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")");
    } else {
        result = result.with_why("Browsers give up on long or circular redirect chains, and each extra hop is another chance to leave HTTPS.");
    }
    vec![result]
}

/// Redirects from HTTPS back to plain HTTP.
fn downgrade_findings(chain: &Chain, first_kind: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen_https = false;
    for (index, hop) in chain.hops.iter().enumerate() {
        if hop.url.scheme == Scheme::Https {
            seen_https = true;
        } else if seen_https {
            let previous = &chain.hops[index - 1].url;
            let kind = if previous == &chain.start {
                first_kind
            } else {
                "subsequent"
            };
            findings.push(
                finding(
                    &format!("redirects.insecure.{kind}"),
                    Severity::Block,
                    format!("{previous} redirects back to plain HTTP: {}.", hop.url),
                )
                .with_why("A redirect from HTTPS to HTTP exposes the request and every cookie without Secure."),
            );
        }
    }
    findings
}

fn tls_finding(url: &Url, reason: &str, certificate: bool) -> Finding {
    if certificate {
        finding(
            "domain.tls.invalid_cert_chain",
            Severity::Block,
            format!("The certificate of {url} is not valid: {reason}"),
        )
        .with_why("Browsers show a full-page error; with HSTS there is no way to click through (RFC 6797 §12.1).")
        .with_fix("heroku certs:auto:enable   (or upload a certificate chain for this host with heroku certs:add)")
    } else {
        finding(
            "domain.tls.cannot_connect",
            Severity::Block,
            format!("No HTTPS connection to {url}: {reason}"),
        )
        .with_why("Browsers cannot load the site over HTTPS.")
    }
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
                    "redirects.https.no_hsts",
                    Severity::Warn,
                    format!("The HTTPS redirect {} ({}) carries no Strict-Transport-Security header.", hop.url, hop.status),
                )
                .with_setting("MIDDLEWARE")
                .with_required("django.middleware.security.SecurityMiddleware before CommonMiddleware and WhiteNoise, so their redirects get the header")
                .with_why("A visitor whose first HTTPS response is this redirect does not learn the policy; hstspreload.org also requires it."),
            );
        }
    }
    findings.extend(chain_end_findings(chain));
    findings.extend(downgrade_findings(chain, "initial"));
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
                "response.error_status",
                Severity::Info,
                format!("{} answers {}; the checks below apply to that error page.", last.url, last.status),
            ).with_why("A 400 usually means the host is missing from ALLOWED_HOSTS; check with the URL visitors use."));
        }
        let (header_findings, parsed) = response_header_findings(last);
        findings.extend(header_findings);
        header = parsed;
    }
    HttpsChainCheck {
        findings,
        header,
        redirects_carry_hsts,
    }
}

const HSTS_WHY: &str = "Without HSTS a visitor's first plain-HTTP request can be intercepted and kept on HTTP (SSL stripping), whatever redirects the site sends.";
const HSTS_FIX_START: &str = "SECURE_HSTS_SECONDS = 3600";

fn response_header_findings(hop: &Hop) -> (Vec<Finding>, Option<StsHeader>) {
    let url = &hop.url;
    match hop.sts.as_slice() {
        [] => (
            vec![
                finding(
                    "response.no_header",
                    Severity::Block,
                    format!("{url} sends no Strict-Transport-Security header."),
                )
                .with_setting("SECURE_HSTS_SECONDS")
                .with_required("a Strict-Transport-Security header with max-age on every HTTPS response")
                .with_why(format!("{HSTS_WHY} Behind Heroku's router Django also needs SECURE_PROXY_SSL_HEADER, or it never sends the header."))
                .with_fix(format!("{HSTS_FIX_START}\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")")),
            ],
            None,
        ),
        [value] => {
            let header = hsts::parse(value);
            (header_findings(url, value, &header), Some(header))
        }
        values => (
            vec![
                finding(
                    "response.multiple_headers",
                    Severity::Block,
                    format!(
                        "{url} sends {} Strict-Transport-Security headers: {}.",
                        values.len(),
                        values.iter().map(|value| format!("`{value}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_required("exactly one header")
                .with_why("Browsers apply only the first (RFC 6797 §8.1) and checkers reject the response; usually both Django and a proxy or middleware add one.")
                .with_fix("Send the header from one place only: keep SECURE_HSTS_SECONDS and remove the other source."),
            ],
            None,
        ),
    }
}

/// Findings about one parsed header value.
fn header_findings(url: &Url, value: &str, header: &StsHeader) -> Vec<Finding> {
    let mut findings: Vec<Finding> = header
        .problems
        .iter()
        .map(|problem| problem_finding(url, value, problem))
        .collect();
    if let Some(max_age) = header.effective_max_age() {
        findings.extend(max_age_findings(url, max_age));
    }
    if header.preload && header.is_honoured() {
        findings.extend(contradictory_preload_findings(url, header));
    }
    findings
}

fn problem_finding(url: &Url, value: &str, problem: &StsProblem) -> Finding {
    let severity = if problem.is_fatal() {
        Severity::Block
    } else if matches!(
        problem,
        StsProblem::Repeated(_) | StsProblem::ValueOnValueless(_)
    ) {
        Severity::Warn
    } else {
        Severity::Info
    };
    let ignored = if problem.is_fatal() {
        " Browsers ignore the whole header."
    } else {
        ""
    };
    let (id, what) = match problem {
        StsProblem::Empty => ("header.parse.empty".to_owned(), "is empty".to_owned()),
        StsProblem::Syntax { found } => ("header.parse.invalid".to_owned(), format!("does not follow RFC 6797's syntax: unexpected {found}")),
        StsProblem::EmptyDirective => ("header.parse.empty_directive".to_owned(), "has an empty directive (`;;`)".to_owned()),
        StsProblem::UnknownDirective(name) => ("header.parse.unknown_directive".to_owned(), format!("has an unknown directive `{name}`, which browsers skip")),
        StsProblem::Repeated(directive) => (
            format!("header.parse.repeated.{}", directive.code_name()),
            format!("repeats `{}`; each directive may appear only once (RFC 6797 §6.1)", directive.canonical_name()),
        ),
        StsProblem::MaxAgeMissing => ("header.max_age.missing".to_owned(), "has no max-age, which RFC 6797 requires".to_owned()),
        StsProblem::MaxAgeNoValue => ("header.parse.invalid.max_age.no_value".to_owned(), "has max-age without a value".to_owned()),
        StsProblem::MaxAgeNotDigits(text) => (
            "header.parse.max_age.non_digit_characters".to_owned(),
            format!("has max-age=`{text}`, which is not a whole number of seconds"),
        ),
        StsProblem::MaxAgeLeadingZero => ("header.parse.max_age.leading_zero".to_owned(), "has a max-age with a leading zero".to_owned()),
        StsProblem::MaxAgeQuoted => (
            "header.parse.max_age.quoted".to_owned(),
            "has a quoted max-age; RFC 6797 allows it, but hstspreload.org and some scanners reject it".to_owned(),
        ),
        StsProblem::ValueOnValueless(directive) => (
            format!("header.parse.invalid.{}", directive.code_name()),
            format!("gives `{}` a value; it takes none", directive.canonical_name()),
        ),
    };
    let mut result = finding(
        &id,
        severity,
        format!("The Strict-Transport-Security header of {url} (`{value}`) {what}.{ignored}"),
    )
    .with_required("max-age=<seconds>, optionally `; includeSubDomains`, as Django writes it");
    if problem.is_fatal() {
        result = result
            .with_setting("SECURE_HSTS_SECONDS")
            .with_why(HSTS_WHY)
            .with_fix(format!("{HSTS_FIX_START}   (and remove any other code or proxy rule that writes the header)"));
    }
    result
}

fn max_age_findings(url: &Url, max_age: u64) -> Vec<Finding> {
    if max_age == 0 {
        return vec![
            finding(
                "header.max_age.zero",
                Severity::Block,
                format!("{url} sends max-age=0, which tells browsers to forget the site's HSTS policy."),
            )
            .with_setting("SECURE_HSTS_SECONDS")
            .with_required("a positive number of seconds")
            .with_why(format!("{HSTS_WHY} A string \"0\" in settings is truthy, so Django's checks stay silent while the header switches HSTS off."))
            .with_fix(HSTS_FIX_START),
        ];
    }
    if max_age < hsts::HALF_YEAR_SECS {
        // The last stage is above `max_age`, so there is always a next one.
        let mut stages = RAMP_STAGES.iter().filter(|stage| **stage > max_age);
        let next = stages.next().copied().unwrap_or(hsts::ONE_YEAR_SECS);
        let later: Vec<String> = stages
            .map(|stage| format!("{stage} ({})", human_duration(*stage)))
            .collect();
        let mut plan = format!(
            "SECURE_HSTS_SECONDS = {next}  # {}, after {} without problems",
            human_duration(next),
            human_duration(max_age)
        );
        if !later.is_empty() {
            plan = format!("{plan}; later {}", later.join(", then "));
        }
        return vec![
            finding(
                "header.max_age.below_180_days",
                Severity::Warn,
                format!("{url} sends max-age={max_age} ({}); browsers forget the policy after that.", human_duration(max_age)),
            )
            .with_setting("SECURE_HSTS_SECONDS")
            .with_required(format!("at least {} (180 days) once HTTPS works everywhere", hsts::HALF_YEAR_SECS))
            .with_why("A short max-age is right while ramping up, but protects returning visitors only briefly. Raise it in stages and wait out each stage before the next: only max-age=0 over valid HTTPS undoes a policy.")
            .with_fix(plan),
        ];
    }
    if max_age > hsts::TEN_YEARS_SECS {
        return vec![finding(
            "header.max_age.over_10_years",
            Severity::Info,
            format!("{url} sends max-age={max_age}, more than 10 years; browsers cap it, and 31536000 (1 year) or 63072000 (2 years) is customary."),
        )
        .with_setting("SECURE_HSTS_SECONDS")];
    }
    Vec::new()
}

/// `preload` without the rest of the preload requirements: the site asks for preloading but
/// is not eligible, and becomes a request as soon as the rest is met.
fn contradictory_preload_findings(url: &Url, header: &StsHeader) -> Vec<Finding> {
    const WHY: &str = "`preload` is an opt-in to be built into browsers for months, including for subdomains; hstspreload.org does not recommend preloading. Either meet every requirement deliberately, or drop `preload`.";
    let mut findings = Vec::new();
    if !header.include_subdomains {
        findings.push(
            finding(
                "header.preloadable.include_sub_domains.missing",
                Severity::Warn,
                format!("{url} sends `preload` without `includeSubDomains`, so the preload request is not eligible."),
            )
            .with_setting("SECURE_HSTS_PRELOAD")
            .with_why(WHY)
            .with_fix("SECURE_HSTS_PRELOAD = False"),
        );
    }
    if header
        .max_age
        .is_some_and(|max_age| max_age < hsts::ONE_YEAR_SECS)
    {
        findings.push(
            finding(
                "header.preloadable.max_age.below_1_year",
                Severity::Warn,
                format!("{url} sends `preload` with a max-age below {} (1 year), so the preload request is not eligible.", hsts::ONE_YEAR_SECS),
            )
            .with_setting("SECURE_HSTS_PRELOAD")
            .with_why(WHY)
            .with_fix("SECURE_HSTS_PRELOAD = False"),
        );
    }
    findings
}

fn preload_note(host: &str, header: Option<&StsHeader>, mut gaps: Vec<String>) -> String {
    let Some(header) = header.filter(|header| header.is_honoured()) else {
        return format!(
            "Preload readiness ({host}): not eligible (no valid Strict-Transport-Security header)."
        );
    };
    if !header.preload {
        return format!(
            "Preload readiness ({host}): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org."
        );
    }
    if header
        .max_age
        .is_none_or(|max_age| max_age < hsts::ONE_YEAR_SECS)
    {
        gaps.insert(0, format!("max-age below {}", hsts::ONE_YEAR_SECS));
    }
    if !header.include_subdomains {
        gaps.insert(
            0,
            format!("no {}", KnownDirective::IncludeSubDomains.canonical_name()),
        );
    }
    if gaps.is_empty() {
        format!(
            "Preload readiness ({host}): requested and eligible; the site meets hstspreload.org's submission requirements."
        )
    } else {
        format!(
            "Preload readiness ({host}): requested but not eligible: {}.",
            gaps.join("; ")
        )
    }
}

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

fn cookie_findings(site: &SiteObservation, names: &CookieNames) -> Vec<Finding> {
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
                        format!("No response set the {} `{name}` on {}, so its flags were not checked.", guarded.label(), site.host),
                    )
                    .with_fix(format!("release-guard verify {} --path /accounts/login/   (a page that sets it; --{}-cookie NAME if you renamed it)", site.host, guarded.code())),
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
        severity: Severity::Warn,
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

/// `3600` → "1 hour", `2592000` → "30 days".
#[must_use]
pub fn human_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (hsts::ONE_YEAR_SECS, "year"),
        (604_800, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, unit) = UNITS
        .into_iter()
        .find(|(size, _)| seconds >= *size && seconds.is_multiple_of(*size))
        .unwrap_or((1, "second"));
    crate::report::plural(seconds / size, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_YEAR: &str = "max-age=31536000; includeSubDomains";

    fn url(text: &str) -> Url {
        Url::parse_user_input(text).expect("a valid URL")
    }

    fn page(at: &str, sts: &[&str], cookies: &[&str]) -> Hop {
        Hop {
            url: url(at),
            status: 200,
            location: None,
            sts: sts.iter().map(|value| (*value).to_owned()).collect(),
            set_cookies: cookies.iter().map(|value| (*value).to_owned()).collect(),
        }
    }

    fn redirect(at: &str, status: u16, to: &str, sts: &[&str]) -> Hop {
        Hop {
            status,
            location: Some(to.to_owned()),
            ..page(at, sts, &[])
        }
    }

    fn chain(hops: Vec<Hop>, end: ChainEnd) -> Chain {
        Chain {
            start: hops[0].url.clone(),
            hops,
            end,
        }
    }

    const DJANGO_COOKIES: [&str; 2] = [
        "sessionid=x; HttpOnly; Path=/; SameSite=Lax; Secure",
        "csrftoken=y; Path=/; SameSite=Lax; Secure",
    ];

    /// `first_redirect` from `http://example.com/`, then the hops from `https://example.com/`.
    fn site(first_redirect: Hop, https_hops: Vec<Hop>) -> SiteObservation {
        let secure = chain(https_hops, ChainEnd::Response);
        let mut plain_hops = vec![first_redirect];
        plain_hops.extend(secure.hops.clone());
        SiteObservation {
            host: "example.com".to_owned(),
            http: HttpSide::Chain(chain(plain_hops, ChainEnd::Response)),
            https: HttpsSide::Chain(secure),
            extra_paths: Vec::new(),
        }
    }

    /// A site whose plain-HTTP entry redirects straight to `https://example.com/`, as it should,
    /// followed by `https_hops`.
    fn redirected_site(https_hops: Vec<Hop>) -> SiteObservation {
        site(
            redirect("http://example.com/", 301, "https://example.com/", &[]),
            https_hops,
        )
    }

    fn good_site(sts: &str) -> SiteObservation {
        redirected_site(vec![page("https://example.com/", &[sts], &DJANGO_COOKIES)])
    }

    fn ids(site: &SiteObservation) -> Vec<String> {
        check_site(site, &CookieNames::default())
            .findings
            .iter()
            .map(|finding| format!("{:?} {}", finding.severity, finding.id))
            .collect()
    }

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
    fn first_redirect_rules() {
        let to = |status: u16, location: &str| {
            site(
                redirect("http://example.com/", status, location, &[]),
                vec![page("https://example.com/", &[ONE_YEAR], &DJANGO_COOKIES)],
            )
        };
        for (status, location, expected) in [
            (
                301,
                "/",
                "Block verify.redirects.http.first_redirect.insecure",
            ),
            (
                308,
                "https://www.example.com/",
                "Block verify.redirects.http.www_first",
            ),
            (
                301,
                "https://example.org/",
                "Block verify.redirects.http.first_redirect.insecure",
            ),
            (
                307,
                "https://EXAMPLE.com:8443/",
                "Warn verify.redirects.http.first_redirect.temporary",
            ),
        ] {
            assert_eq!(
                ids(&to(status, location)),
                [expected],
                "{status} {location}"
            );
        }
        let mut unfollowable = to(301, "ftp://example.com/");
        if let HttpSide::Chain(chain) = &mut unfollowable.http {
            chain.hops.truncate(1);
            chain.end =
                ChainEnd::BadLocation("`Location: ftp://example.com/` leaves HTTP".to_owned());
        }
        assert_eq!(ids(&unfollowable), ["Block verify.redirects.follow_error"]);
        let useless = site(
            redirect(
                "http://example.com/",
                301,
                "https://example.com/",
                &[ONE_YEAR],
            ),
            vec![page("https://example.com/", &[ONE_YEAR], &DJANGO_COOKIES)],
        );
        assert_eq!(ids(&useless), ["Info verify.redirects.http.useless_header"]);
    }

    #[test]
    fn no_http_listener_is_acceptable() {
        let mut observed = good_site(ONE_YEAR);
        observed.http = HttpSide::NoListener(url("http://example.com/"));
        assert_eq!(
            ids(&observed),
            ["Info verify.redirects.http.does_not_exist"]
        );
    }

    #[test]
    fn https_redirects_need_the_header_and_must_not_downgrade() {
        let observed = redirected_site(vec![
            redirect("https://example.com/", 301, "/en/", &[]),
            redirect(
                "https://example.com/en/",
                302,
                "http://example.com/en/",
                &[ONE_YEAR],
            ),
            page("http://example.com/en/", &[], &[]),
        ]);
        assert_eq!(
            ids(&observed),
            [
                "Block verify.redirects.insecure.subsequent",
                "Warn verify.redirects.https.no_hsts",
            ]
        );
        let initial = redirected_site(vec![
            redirect(
                "https://example.com/",
                301,
                "http://example.com/x",
                &[ONE_YEAR],
            ),
            page("http://example.com/x", &[], &[]),
        ]);
        assert_eq!(ids(&initial), ["Block verify.redirects.insecure.initial"]);
    }

    #[test]
    fn header_values() {
        for (value, expected) in [
            ("max-age=0", vec!["Block verify.header.max_age.zero"]),
            (
                "includeSubDomains",
                vec!["Block verify.header.max_age.missing"],
            ),
            ("", vec!["Block verify.header.parse.empty"]),
            (
                "max-age=1e6",
                vec!["Block verify.header.parse.max_age.non_digit_characters"],
            ),
            (
                "max-age=31536000, max-age=31536000",
                vec!["Block verify.header.parse.invalid"],
            ),
            (
                "max-age=31536000; max-age=1",
                vec!["Block verify.header.parse.repeated.max_age"],
            ),
            (
                "max-age=31536000; includeSubDomains=1",
                vec!["Block verify.header.parse.invalid.include_sub_domains"],
            ),
            (
                "max-age=31536000; preload=1",
                vec![
                    "Warn verify.header.parse.invalid.preload",
                    "Warn verify.header.preloadable.include_sub_domains.missing",
                ],
            ),
            (
                "max-age=\"31536000\"",
                vec!["Info verify.header.parse.max_age.quoted"],
            ),
            (
                "max-age=031536000;;x",
                vec![
                    "Info verify.header.parse.empty_directive",
                    "Info verify.header.parse.max_age.leading_zero",
                    "Info verify.header.parse.unknown_directive",
                ],
            ),
            (
                "max-age=999999999999",
                vec!["Info verify.header.max_age.over_10_years"],
            ),
            ("max-age=15552000", vec![]),
            (
                "max-age=300",
                vec!["Warn verify.header.max_age.below_180_days"],
            ),
        ] {
            assert_eq!(ids(&good_site(value)), expected, "{value:?}");
        }
    }

    #[test]
    fn ramp_names_the_next_stages() {
        let verdict = check_site(&good_site("max-age=300"), &CookieNames::default());
        assert_eq!(
            verdict.findings[0].fix.as_deref(),
            Some(
                "SECURE_HSTS_SECONDS = 604800  # 1 week, after 5 minutes without problems; later 2592000 (30 days), then 31536000 (1 year)"
            )
        );
        let verdict = check_site(&good_site("max-age=2592000"), &CookieNames::default());
        assert_eq!(
            verdict.findings[0].fix.as_deref(),
            Some("SECURE_HSTS_SECONDS = 31536000  # 1 year, after 30 days without problems")
        );
        assert_eq!(
            verdict.findings[0].message,
            "https://example.com/ sends max-age=2592000 (30 days); browsers forget the policy after that."
        );
    }

    #[test]
    fn duplicate_and_missing_headers() {
        assert_eq!(
            ids(&good_site(ONE_YEAR).with_https_sts(&[])),
            ["Block verify.response.no_header"]
        );
        assert_eq!(
            ids(&good_site(ONE_YEAR).with_https_sts(&[ONE_YEAR, ONE_YEAR])),
            ["Block verify.response.multiple_headers"]
        );
    }

    impl SiteObservation {
        fn with_https_sts(mut self, values: &[&str]) -> Self {
            if let HttpsSide::Chain(chain) = &mut self.https {
                chain.hops[0].sts = values.iter().map(|value| (*value).to_owned()).collect();
            }
            self
        }
    }

    #[test]
    fn preload_readiness() {
        let note =
            |observed: &SiteObservation| check_site(observed, &CookieNames::default()).preload_note;
        assert_eq!(
            note(&good_site("max-age=63072000; includeSubDomains; preload")),
            "Preload readiness (example.com): requested and eligible; the site meets hstspreload.org's submission requirements."
        );
        let off_host_first = site(
            redirect("http://example.com/", 301, "https://www.example.com/", &[]),
            vec![
                redirect("https://example.com/", 301, "/home", &[]),
                page(
                    "https://example.com/home",
                    &["max-age=600; preload"],
                    &DJANGO_COOKIES,
                ),
            ],
        );
        assert_eq!(
            note(&off_host_first),
            "Preload readiness (example.com): requested but not eligible: no includeSubDomains; max-age below 31536000; plain HTTP does not redirect to HTTPS on the same host first; an HTTPS redirect lacks the header."
        );
        let mut broken_tls = good_site(ONE_YEAR);
        broken_tls.https = HttpsSide::TlsFailed {
            url: url("https://example.com/"),
            reason: "it has expired.".to_owned(),
            certificate: true,
        };
        assert_eq!(
            note(&broken_tls),
            "Preload readiness (example.com): not eligible (no valid Strict-Transport-Security header)."
        );
        assert_eq!(
            ids(&broken_tls),
            ["Block verify.domain.tls.invalid_cert_chain"]
        );
    }

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
                "Block verify.cookies.session.no_secure",
                "Warn verify.cookies.samesite.invalid",
                "Warn verify.cookies.session.no_httponly",
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
                    "Warn verify.cookies.session.no_httponly",
                    "https://example.com/ sets the session cookie `sessionid` without HttpOnly.",
                    "SESSION_COOKIE_HTTPONLY",
                    "HttpOnly",
                    "SESSION_COOKIE_HTTPONLY = True",
                ],
            ]
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
        use crate::verify::generator::Generator;
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

    #[test]
    fn durations() {
        for (seconds, text) in [
            (0, "0 seconds"),
            (1, "1 second"),
            (300, "5 minutes"),
            (3600, "1 hour"),
            (86_400, "1 day"),
            (604_800, "1 week"),
            (2_592_000, "30 days"),
            (31_536_000, "1 year"),
            (63_072_000, "2 years"),
            (3_601, "3601 seconds"),
        ] {
            assert_eq!(human_duration(seconds), text);
        }
    }
}

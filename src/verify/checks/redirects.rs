//! The plain-HTTP entry (`http://host/` must redirect to HTTPS on the same host), redirect
//! chains (too long, looping, leaving HTTPS) and TLS failures.

use super::{Chain, ChainEnd, Hop, HttpSide, MAX_REDIRECTS, finding};
use crate::finding::{Finding, Severity};
use crate::finding_ids::verify as ids;
use crate::verify::url::{Scheme, Url};

pub(super) fn first_redirect_is_same_host_https(chain: &Chain) -> bool {
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
pub(super) fn http_findings(http: &HttpSide, https_start: &Url) -> Vec<Finding> {
    let chain = match http {
        HttpSide::NoListener(url) => {
            return vec![
                finding(
                    ids::REDIRECTS_HTTP_DOES_NOT_EXIST,
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
                ids::REDIRECTS_HTTP_USELESS_HEADER,
                Severity::Info,
                format!("{} sends a Strict-Transport-Security header over plain HTTP; browsers ignore it there (RFC 6797 §8.1).", first.url),
            )
            .with_why("Only a header received over HTTPS protects the site; this one is harmless but does nothing."),
        );
    }
    if !first.is_redirect() {
        findings.push(
            finding(
                ids::REDIRECTS_HTTP_NO_REDIRECT,
                Severity::Block,
                format!(
                    "{} answers {} instead of redirecting to HTTPS.",
                    first.url, first.status
                ),
            )
            .with_setting("SECURE_SSL_REDIRECT")
            .with_required(format!("a 301 redirect to {https_start}"))
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
        findings.extend(first_redirect_findings(first, &target, https_start));
    }
    let reaches_https_start = chain.hops.iter().any(|hop| &hop.url == https_start)
        || matches!(&chain.end, ChainEnd::Failed { url, .. } if url == https_start);
    if !reaches_https_start {
        findings.extend(chain_end_findings(chain));
        findings.extend(downgrade_findings(
            chain,
            ids::REDIRECTS_INSECURE_SUBSEQUENT,
        ));
    }
    findings
}

/// `https_start`: where the redirect should lead (the same host over HTTPS).
fn first_redirect_findings(first: &Hop, target: &Url, https_start: &Url) -> Vec<Finding> {
    let from = &first.url;
    let mut findings = Vec::new();
    if target.scheme == Scheme::Http {
        findings.push(
            finding(
                ids::REDIRECTS_HTTP_FIRST_REDIRECT_INSECURE,
                Severity::Block,
                format!("{from} redirects to {target}, which is still plain HTTP."),
            )
            .with_setting("SECURE_SSL_REDIRECT")
            .with_required(format!("the first redirect goes to {https_start}"))
            .with_why(SSL_REDIRECT_WHY)
            .with_fix("SECURE_SSL_REDIRECT = True"),
        );
    } else if !target.same_host(from) {
        let id = if target.host == format!("www.{}", from.host) {
            ids::REDIRECTS_HTTP_WWW_FIRST
        } else {
            ids::REDIRECTS_HTTP_FIRST_REDIRECT_INSECURE
        };
        findings.push(
            finding(
                id,
                Severity::Block,
                format!("{from} redirects straight to another host, {target}."),
            )
            .with_setting("SECURE_SSL_HOST")
            .with_required(format!("the first redirect goes to {https_start} (same host), any move to another host after that"))
            .with_why(format!("Browsers arriving over HTTP never receive an HSTS policy for {}, so the next plain-HTTP visit is exposed again.", from.host))
            .with_fix("SECURE_SSL_HOST = None"),
        );
    }
    if matches!(first.status, 302 | 303 | 307) {
        findings.push(
            finding(
                ids::REDIRECTS_HTTP_FIRST_REDIRECT_TEMPORARY,
                Severity::Warn,
                format!("{from} redirects to HTTPS with a temporary {} instead of a permanent 301 or 308.", first.status),
            )
            .with_required("301 (Django's SECURE_SSL_REDIRECT sends it) or 308")
            .with_why("Browsers and search engines do not remember temporary redirects, so every plain-HTTP visit makes the insecure round trip again."),
        );
    }
    findings
}

pub(super) fn chain_end_findings(chain: &Chain) -> Vec<Finding> {
    let last_url = chain.hops.last().map_or(&chain.start, |hop| &hop.url);
    let (id, message) = match &chain.end {
        ChainEnd::Response => return Vec::new(),
        ChainEnd::TooMany => (
            ids::REDIRECTS_TOO_MANY,
            format!(
                "{} still redirects after {MAX_REDIRECTS} redirects (last: {last_url}).",
                chain.start
            ),
        ),
        ChainEnd::Loop(target) => (
            ids::REDIRECTS_LOOP,
            format!(
                "{} redirects in a loop: {last_url} goes back to {target}.",
                chain.start
            ),
        ),
        ChainEnd::BadLocation(reason) => (
            ids::REDIRECTS_FOLLOW_ERROR,
            format!("{last_url} redirects, but the redirect cannot be followed: {reason}."),
        ),
        ChainEnd::Failed { url, reason } => (
            ids::REDIRECTS_FOLLOW_ERROR,
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
pub(super) fn downgrade_findings(chain: &Chain, first_kind: &str) -> Vec<Finding> {
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
                ids::REDIRECTS_INSECURE_SUBSEQUENT
            };
            findings.push(
                finding(
                    kind,
                    Severity::Block,
                    format!("{previous} redirects back to plain HTTP: {}.", hop.url),
                )
                .with_why("A redirect from HTTPS to HTTP exposes the request and every cookie without Secure."),
            );
        }
    }
    findings
}

pub(super) fn tls_finding(url: &Url, reason: &str, certificate: bool) -> Finding {
    if certificate {
        finding(
            ids::DOMAIN_TLS_INVALID_CERT_CHAIN,
            Severity::Block,
            format!("The certificate of {url} is not valid: {reason}"),
        )
        .with_why("Browsers show a full-page error; with HSTS there is no way to click through (RFC 6797 §12.1).")
        .with_fix("heroku certs:auto:enable   (or upload a certificate chain for this host with heroku certs:add)")
    } else {
        finding(
            ids::DOMAIN_TLS_CANNOT_CONNECT,
            Severity::Block,
            format!("No HTTPS connection to {url}: {reason}"),
        )
        .with_why("Browsers cannot load the site over HTTPS.")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

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
}

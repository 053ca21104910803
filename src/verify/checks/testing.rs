//! Hand-written observations for the checks' unit tests.

use super::*;

pub(super) const ONE_YEAR: &str = "max-age=31536000; includeSubDomains";

pub(super) fn url(text: &str) -> Url {
    Url::parse_user_input(text).expect("a valid URL")
}

pub(super) fn page(at: &str, sts: &[&str], cookies: &[&str]) -> Hop {
    Hop {
        url: url(at),
        status: 200,
        location: None,
        sts: sts.iter().map(|value| (*value).to_owned()).collect(),
        set_cookies: cookies.iter().map(|value| (*value).to_owned()).collect(),
        csp: crate::headers::csp::CspHeaders::default(),
    }
}

pub(super) fn redirect(at: &str, status: u16, to: &str, sts: &[&str]) -> Hop {
    Hop {
        status,
        location: Some(to.to_owned()),
        ..page(at, sts, &[])
    }
}

pub(super) fn chain(hops: Vec<Hop>, end: ChainEnd) -> Chain {
    Chain {
        start: hops[0].url.clone(),
        hops,
        end,
    }
}

pub(super) const DJANGO_COOKIES: [&str; 2] = [
    "sessionid=x; HttpOnly; Path=/; SameSite=Lax; Secure",
    "csrftoken=y; Path=/; SameSite=Lax; Secure",
];

/// `first_redirect` from `http://example.com/`, then the hops from `https://example.com/`.
pub(super) fn site(first_redirect: Hop, https_hops: Vec<Hop>) -> SiteObservation {
    let secure = chain(https_hops, ChainEnd::Response);
    let mut plain_hops = vec![first_redirect];
    plain_hops.extend(secure.hops.clone());
    SiteObservation {
        url: url("http://example.com/"),
        http: HttpSide::Chain(chain(plain_hops, ChainEnd::Response)),
        https: HttpsSide::Chain(secure),
        extra_paths: Vec::new(),
    }
}

/// A site whose plain-HTTP entry redirects straight to `https://example.com/`, as it should,
/// followed by `https_hops`.
pub(super) fn redirected_site(https_hops: Vec<Hop>) -> SiteObservation {
    site(
        redirect("http://example.com/", 301, "https://example.com/", &[]),
        https_hops,
    )
}

pub(super) fn good_site(sts: &str) -> SiteObservation {
    redirected_site(vec![page("https://example.com/", &[sts], &DJANGO_COOKIES)])
}

pub(super) fn ids(site: &SiteObservation) -> Vec<String> {
    check_site(site, &CookieNames::default())
        .findings
        .iter()
        .map(|finding| format!("{:?} {}", finding.severity, finding.id))
        .collect()
}

impl SiteObservation {
    pub(super) fn with_https_sts(mut self, values: &[&str]) -> Self {
        if let HttpsSide::Chain(chain) = &mut self.https {
            chain.hops[0].sts = values.iter().map(|value| (*value).to_owned()).collect();
        }
        self
    }
}

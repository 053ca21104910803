//! The Strict-Transport-Security header of the page a chain arrives at, judged by the rules
//! shared with the gate (`headers::hsts_policy`), and the preload-readiness line.

use super::Hop;
use crate::finding::{Finding, Severity};
use crate::finding_ids::verify as ids;
use crate::headers::Reporter;
use crate::headers::hsts::StsHeader;
use crate::headers::hsts_policy::{self, SECONDS_SETTING};

pub(super) fn response_header_findings(hop: &Hop) -> (Vec<Finding>, Option<StsHeader>) {
    let url = &hop.url;
    if hop.sts.is_empty() {
        let missing = super::finding(
            ids::RESPONSE_NO_HEADER,
            Severity::Block,
            format!("{url} sends no Strict-Transport-Security header."),
        )
        .with_setting(SECONDS_SETTING)
        .with_required("a Strict-Transport-Security header with max-age on every HTTPS response")
        .with_why(format!("{} Behind Heroku's router Django also needs SECURE_PROXY_SSL_HEADER, or it never sends the header.", hsts_policy::WHY))
        .with_fix(format!("{}\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")", hsts_policy::start_fix()));
        return (vec![missing], None);
    }
    hsts_policy::sent_header_findings(Reporter::Verify, &url.to_string(), &hop.sts)
}

pub(super) fn preload_note(
    host: &str,
    header: Option<&StsHeader>,
    mut gaps: Vec<String>,
) -> String {
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
    let header_gaps = hsts_policy::preload_gaps(header.max_age, header.include_subdomains);
    gaps.splice(0..0, header_gaps.into_iter().map(|gap| gap.reason));
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

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
                "SECURE_HSTS_SECONDS = 3600  # 1 hour, after 5 minutes without problems; later 604800 (1 week), then 2592000 (30 days), then 31536000 (1 year)"
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
            "Preload readiness (example.com): requested but not eligible: includeSubDomains is missing; max-age is below 31536000 (1 year); plain HTTP does not redirect to HTTPS on the same host first; an HTTPS redirect lacks the header."
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
}

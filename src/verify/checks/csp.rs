//! The Content Security Policy of the page a chain arrives at, judged by the rules the gate
//! applies to its simulated response (`crate::headers::csp`), under `verify.` IDs. The live site
//! does not say how its policy is configured, so fixes are written in Django 6's form.

use super::Hop;
use crate::finding::{Finding, Source};
use crate::headers::csp::{self, PolicySource};

pub(super) fn response_findings(hop: &Hop) -> Vec<Finding> {
    csp::judge(&hop.csp, PolicySource::Django)
        .into_iter()
        .map(|problem| problem.into_finding("verify", Source::Verify))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::headers::csp::CspHeaders;

    fn with_policy(enforced: &str, x_frame_options: &str) -> Hop {
        let mut hop = page("https://example.com/", &[ONE_YEAR], &DJANGO_COOKIES);
        hop.csp = CspHeaders {
            enforced: vec![enforced.to_owned()],
            x_frame_options: vec![x_frame_options.to_owned()],
            ..CspHeaders::default()
        };
        hop
    }

    #[test]
    fn the_live_policy_gets_the_gates_words_under_verify_ids() {
        let hop = with_policy(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'",
            "DENY",
        );
        let findings = response_findings(&hop);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].id, "verify.csp_script_unsafe_inline");
        assert_eq!(findings[0].source, Source::Verify);
        assert_eq!(
            findings[0].message,
            "Content-Security-Policy lets injected inline scripts run: script-src has 'unsafe-inline' without a nonce or hash (`script-src 'self' 'unsafe-inline'`)."
        );
        // The whole site check reports it too, and a site without a policy gets nothing.
        let site = redirected_site(vec![hop]);
        assert_eq!(ids(&site), ["Warn verify.csp_script_unsafe_inline"]);
        assert_eq!(ids(&good_site(ONE_YEAR)), Vec::<String>::new());
    }
}

//! HTTP response headers as browsers read them, below both the gate (which judges the simulated
//! responses) and verify (which judges a live site): one parser per header, so both sides read a
//! header the same way, and one set of rules per header (`hsts_policy`, `cookie_policy`), so
//! both sides judge it the same way, in the same words. Gate and verify differ only in how they
//! get the headers and in the namespace of the finding IDs (`guard.` or `verify.`).

pub mod cookie;
pub mod cookie_policy;
pub mod csp;
pub mod hsts;
pub mod hsts_policy;

use crate::finding::{Finding, Severity, Source};

/// Which command reports a header rule: the same rule and words under its own ID namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// `release-guard check`, judging the simulated responses of the new release.
    Gate,
    /// `release-guard verify`, judging a live site.
    Verify,
}

impl Reporter {
    /// The finding for rule `code` (e.g. `header.max_age.zero`), as this command reports it.
    #[must_use]
    pub fn finding(self, code: &str, severity: Severity, message: String) -> Finding {
        let (namespace, source) = match self {
            Self::Gate => ("guard", Source::Guard),
            Self::Verify => ("verify", Source::Verify),
        };
        Finding::new(format!("{namespace}.{code}"), severity, source, message)
    }
}

/// Every finding ID the shared header rules can produce, under both namespaces.
pub fn rule_ids() -> impl Iterator<Item = String> {
    hsts_policy::CODES
        .iter()
        .chain(cookie_policy::CODES.iter())
        .copied()
        .chain(csp::Rule::ALL.into_iter().map(csp::Rule::name))
        .flat_map(|code| [format!("guard.{code}"), format!("verify.{code}")])
}

#[cfg(test)]
mod tests {
    /// docs/rules.md lists every shared rule, for both commands.
    #[test]
    fn every_shared_rule_is_documented() {
        let documented = include_str!("../../docs/rules.md");
        for code in super::hsts_policy::CODES
            .iter()
            .chain(super::cookie_policy::CODES)
        {
            assert!(
                documented.contains(&format!("`{{guard,verify}}.{code}`")),
                "{code} is missing from docs/rules.md"
            );
        }
    }
}

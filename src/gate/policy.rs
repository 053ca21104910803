//! The policy: which findings block the release, which are silenced, which only warn. Pure:
//! the gate hands it the rules' findings and the configuration.

use crate::config::{FailLevel, FindingId, FindingIds, GuardConfig};
use crate::finding::{Finding, Severity};
use crate::gate::snapshot::{PyValue, Snapshot};
use crate::report::{SilencedBy, SilencedFinding};
use std::collections::BTreeSet;

/// Django warnings that fail a release by default: SSL redirect, Secure and `HttpOnly` cookies,
/// HSTS, the key, `DEBUG` and `ALLOWED_HOSTS`, whether Django reported them or the guard's own
/// floor did. W021 (preload) is deliberately absent: preload is opt-in.
pub const DEFAULT_BLOCKING_DJANGO_IDS: [&str; 13] = [
    "security.W001",
    "security.W004",
    "security.W008",
    "security.W009",
    "security.W010",
    "security.W011",
    "security.W012",
    "security.W013",
    "security.W014",
    "security.W015",
    "security.W016",
    "security.W018",
    "security.W020",
];

/// The user's choices: IDs that block in addition to the defaults, IDs to ignore, and whether
/// every warning blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub block: BTreeSet<String>,
    pub ignore: BTreeSet<String>,
    pub fail_level: FailLevel,
}

/// The findings that count, and those that do not (with the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub silenced: Vec<SilencedFinding>,
}

impl Policy {
    /// project.toml's `block` / `ignore` lists plus the ones from the environment
    /// (`RELEASE_GUARD_BLOCK`, `RELEASE_GUARD_IGNORE`); the environment adds to the file. The
    /// fail level is resolved by the caller (env beats the file, and a bad value is an error).
    #[must_use]
    pub fn from_config(
        config: &GuardConfig,
        env_block: &FindingIds,
        env_ignore: &FindingIds,
        fail_level: FailLevel,
    ) -> Self {
        let merge = |listed: &FindingIds, env: &FindingIds| {
            listed
                .iter()
                .chain(env.iter())
                .map(FindingId::as_str)
                .map(str::to_string)
                .collect()
        };
        Self {
            block: merge(&config.block, env_block),
            ignore: merge(&config.ignore, env_ignore),
            fail_level,
        }
    }

    /// Sets each finding's severity, moves silenced and ignored ones aside, and sorts the rest:
    /// blocking first, then warnings, then info, each by ID.
    #[must_use]
    pub fn apply(&self, findings: Vec<Finding>, snapshot: &Snapshot) -> Outcome {
        let silenced_system_checks = silenced_system_checks(snapshot);
        let mut outcome = Outcome {
            findings: Vec::new(),
            silenced: Vec::new(),
        };
        for mut finding in findings {
            finding.severity = self.severity(&finding);
            let silenced_by = if silenced_system_checks.contains(finding.id.as_str()) {
                Some(SilencedBy::SilencedSystemChecks)
            } else if self.ignore.contains(&finding.id) {
                Some(SilencedBy::IgnoreConfig)
            } else {
                None
            };
            match silenced_by {
                Some(silenced_by) => outcome.silenced.push(SilencedFinding {
                    finding,
                    silenced_by,
                }),
                None => outcome.findings.push(finding),
            }
        }
        let order = |finding: &Finding| {
            (
                std::cmp::Reverse(finding.severity),
                finding.id.clone(),
                finding.setting.clone(),
            )
        };
        outcome.findings.sort_by_key(order);
        outcome
            .silenced
            .sort_by_key(|silenced| order(&silenced.finding));
        outcome
    }

    fn severity(&self, finding: &Finding) -> Severity {
        let default_blocking = DEFAULT_BLOCKING_DJANGO_IDS.contains(&finding.id.as_str());
        let blocks_at_fail_level =
            self.fail_level == FailLevel::Warning && finding.severity == Severity::Warn;
        if default_blocking || blocks_at_fail_level || self.block.contains(&finding.id) {
            Severity::Block
        } else {
            finding.severity
        }
    }
}

/// `SILENCED_SYSTEM_CHECKS`, which Release Guard honours for its own IDs too, plus whatever
/// Django itself reported as silenced.
fn silenced_system_checks(snapshot: &Snapshot) -> BTreeSet<&str> {
    let listed = snapshot
        .settings
        .get("SILENCED_SYSTEM_CHECKS")
        .and_then(PyValue::as_str_list)
        .unwrap_or_default();
    let reported = snapshot
        .checks
        .iter()
        .filter(|message| message.silenced)
        .filter_map(|message| message.id.as_deref());
    listed.into_iter().chain(reported).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::rules::{self, testing::*};

    /// Every rule's findings for `snapshot` (behind Heroku's router), judged by `policy`.
    fn judged(policy: &Policy, snapshot: &Snapshot) -> Outcome {
        policy.apply(rules::all(snapshot, &heroku()), snapshot)
    }

    fn ids_and_severities(findings: &[Finding]) -> Vec<(&str, Severity)> {
        findings
            .iter()
            .map(|finding| (finding.id.as_str(), finding.severity))
            .collect()
    }

    #[test]
    fn defaults_block_the_ssl_cookie_hsts_ids_and_sort_blocking_first() {
        let snapshot = SnapshotBuilder::hardened()
            .check("security.W021", 30, false)
            .check("security.W016", 30, false)
            .check("security.W004", 30, false)
            .check("security.E023", 40, false)
            .check("models.W042", 30, false)
            .set("SECURE_BROWSER_XSS_FILTER", py_bool(true))
            .build();
        let outcome = judged(&Policy::default(), &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [
                ("security.E023", Severity::Block),
                ("security.W004", Severity::Block),
                ("security.W016", Severity::Block),
                ("models.W042", Severity::Warn),
                ("security.W021", Severity::Warn),
                ("guard.dead_setting", Severity::Info),
            ]
        );
        assert!(outcome.silenced.is_empty());
    }

    #[test]
    fn configured_ids_block_and_ignored_ids_are_silenced() {
        let ids = |ids: &str| FindingIds::from_comma_separated(ids).unwrap();
        let config = GuardConfig {
            block: ids("security.W021"),
            ignore: ids("security.W004"),
            ..GuardConfig::default()
        };
        let policy = Policy::from_config(
            &config,
            &ids(" models.W042 ,"),
            &ids("guard.hsts_seconds_short"),
            FailLevel::Default,
        );
        assert_eq!(
            policy.block,
            ["models.W042", "security.W021"].map(String::from).into()
        );
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_int(3600))
            .check("security.W021", 30, false)
            .check("security.W004", 30, false)
            .check("models.W042", 30, false)
            .build();
        let outcome = judged(&policy, &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [
                ("models.W042", Severity::Block),
                ("security.W021", Severity::Block)
            ]
        );
        let silenced: Vec<_> = outcome
            .silenced
            .iter()
            .map(|silenced| (silenced.finding.id.as_str(), silenced.silenced_by))
            .collect();
        assert_eq!(
            silenced,
            [
                ("security.W004", SilencedBy::IgnoreConfig),
                ("guard.hsts_seconds_short", SilencedBy::IgnoreConfig),
            ]
        );
    }

    #[test]
    fn silenced_system_checks_cover_django_and_guard_ids_and_never_block() {
        let snapshot = SnapshotBuilder::hardened()
            .set(
                "SILENCED_SYSTEM_CHECKS",
                py_list(&["guard.https_undetectable"]),
            )
            .set("SECURE_PROXY_SSL_HEADER", py_none())
            .check("security.W012", 30, true)
            .build();
        let outcome = judged(&Policy::default(), &snapshot);
        assert_eq!(outcome.findings, Vec::new());
        let silenced: Vec<_> = outcome
            .silenced
            .iter()
            .map(|silenced| {
                (
                    silenced.finding.id.as_str(),
                    silenced.finding.severity,
                    silenced.silenced_by,
                )
            })
            .collect();
        assert_eq!(
            silenced,
            [
                (
                    "guard.https_undetectable",
                    Severity::Block,
                    SilencedBy::SilencedSystemChecks
                ),
                (
                    "security.W012",
                    Severity::Block,
                    SilencedBy::SilencedSystemChecks
                ),
            ]
        );
    }

    #[test]
    fn session_cookie_httponly_blocks_by_default() {
        let snapshot = SnapshotBuilder::hardened()
            .check("security.W015", 30, false)
            .build();
        let outcome = judged(&Policy::default(), &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [("security.W015", Severity::Block)]
        );
    }

    #[test]
    fn the_guard_s_floor_blocks_like_django_s_messages_and_honours_silencing() {
        let snapshot = SnapshotBuilder::hardened()
            .set("DEBUG", py_bool(true))
            .set("SESSION_COOKIE_HTTPONLY", py_bool(false))
            .set("SILENCED_SYSTEM_CHECKS", py_list(&["security.W015"]))
            .build();
        let outcome = judged(&Policy::default(), &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [("security.W018", Severity::Block)]
        );
        assert_eq!(outcome.findings[0].source, crate::finding::Source::Guard);
        let silenced: Vec<_> = outcome
            .silenced
            .iter()
            .map(|silenced| (silenced.finding.id.as_str(), silenced.silenced_by))
            .collect();
        assert_eq!(
            silenced,
            [("security.W015", SilencedBy::SilencedSystemChecks)]
        );
    }

    #[test]
    fn fail_level_warning_makes_every_warning_block_but_not_info() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_int(3600))
            .set("SECURE_BROWSER_XSS_FILTER", py_bool(true))
            .check("security.W021", 30, false)
            .check("models.W042", 30, false)
            .check("app.I001", 20, false)
            .check("security.W005", 30, true)
            .build();
        let policy = Policy {
            fail_level: FailLevel::Warning,
            ..Policy::default()
        };
        let outcome = judged(&policy, &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [
                ("guard.hsts_seconds_short", Severity::Block),
                ("models.W042", Severity::Block),
                ("security.W021", Severity::Block),
                ("app.I001", Severity::Info),
                ("guard.dead_setting", Severity::Info),
            ]
        );
        // Silenced warnings stay silenced, as with Django's --fail-level.
        assert_eq!(outcome.silenced.len(), 1);
        let default = judged(&Policy::default(), &snapshot);
        assert!(
            default
                .findings
                .iter()
                .all(|finding| finding.severity != Severity::Block)
        );
    }
}

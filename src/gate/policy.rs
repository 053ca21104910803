//! The policy: which findings block the release, which are silenced, which only warn. Pure:
//! the gate hands it the rules' findings, the configuration, today's date and what the live
//! site showed.
//!
//! A silence (`SILENCED_SYSTEM_CHECKS`, or an `ignore` entry from project.toml or
//! `RELEASE_GUARD_IGNORE`) holds until its `until` date and while the evidence does not
//! contradict it ([`super::silences`]); a lapsed or contradicted one counts again, and the log
//! says why.

use super::silences::{self, Judgement};
use crate::compare::LiveFacts;
use crate::config::{
    FailLevel, FindingId, FindingIds, GuardConfig, IgnoreEntry, IgnoreReason, Ignores,
};
use crate::date::Date;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};
use crate::report::{SilenceSource, SilencedFinding};
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

/// An ignore that ends within this many days is a warning that names the date.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// The warning that an ignore in use ends soon.
pub use crate::finding_ids::guard::IGNORE_EXPIRING;

/// One `ignore` entry and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub id: String,
    pub source: SilenceSource,
    pub reason: Option<String>,
    pub until: Option<Date>,
}

impl IgnoreRule {
    fn new(entry: &IgnoreEntry, source: SilenceSource) -> Self {
        Self {
            id: entry.id.as_str().to_string(),
            source,
            reason: entry
                .reason
                .as_ref()
                .map(IgnoreReason::as_str)
                .map(str::to_string),
            until: entry.until,
        }
    }

    /// On and after its `until` date an ignore no longer holds.
    fn lapsed(&self, today: Date) -> bool {
        self.until.is_some_and(|until| today >= until)
    }

    /// How to give it a later end date, where it is written.
    fn renewal(&self) -> String {
        match self.source {
            SilenceSource::ProjectToml => "set a later `until` on the entry in project.toml's [com.release-guard] ignore and deploy again".to_string(),
            SilenceSource::ReleaseGuardIgnore => format!(
                "give it a later date in the {} config var ({}@YYYY-MM-DD)",
                SilenceSource::ReleaseGuardIgnore,
                self.id
            ),
            SilenceSource::SilencedSystemChecks => String::new(),
        }
    }
}

/// The user's choices: IDs that block in addition to the defaults, findings to ignore, and
/// whether every warning blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub block: BTreeSet<String>,
    /// project.toml's entries first, then the environment's.
    pub ignore: Vec<IgnoreRule>,
    pub fail_level: FailLevel,
}

/// The findings that count, those that do not (with the silence), and what the log must say
/// about lapsed ignores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub silenced: Vec<SilencedFinding>,
    /// One line per ignore that lapsed: which, when, why it was there, how to renew it.
    pub notes: Vec<String>,
}

/// What the policy judges besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub snapshot: &'a Snapshot,
    /// Today in UTC: the caller reads the clock, the policy never does.
    pub today: Date,
    /// The live site's answers, when it was asked and answered.
    pub live: Option<&'a LiveFacts>,
}

impl Policy {
    /// project.toml's `block` / `ignore` lists plus the ones from the environment
    /// (`RELEASE_GUARD_BLOCK`, `RELEASE_GUARD_IGNORE`); the environment adds to the file. The
    /// fail level is resolved by the caller (env beats the file, and a bad value is an error).
    #[must_use]
    pub fn from_config(
        config: &GuardConfig,
        env_block: &FindingIds,
        env_ignore: &Ignores,
        fail_level: FailLevel,
    ) -> Self {
        let ignore = config
            .ignore
            .iter()
            .map(|entry| IgnoreRule::new(entry, SilenceSource::ProjectToml))
            .chain(
                env_ignore
                    .iter()
                    .map(|entry| IgnoreRule::new(entry, SilenceSource::ReleaseGuardIgnore)),
            )
            .collect();
        Self {
            block: config
                .block
                .iter()
                .chain(env_block.iter())
                .map(FindingId::as_str)
                .map(str::to_string)
                .collect(),
            ignore,
            fail_level,
        }
    }

    /// Sets each finding's severity, moves silenced and ignored ones aside (unless the silence
    /// lapsed or the evidence contradicts it), and sorts the rest: blocking first, then
    /// warnings, then info, each by ID.
    #[must_use]
    pub fn apply(&self, findings: Vec<Finding>, evidence: &Evidence<'_>) -> Outcome {
        let silenced_system_checks = silenced_system_checks(evidence.snapshot);
        let mut outcome = Outcome {
            findings: Vec::new(),
            silenced: Vec::new(),
            notes: Vec::new(),
        };
        for mut finding in findings {
            finding.severity = self.severity(&finding);
            finding.protects_users = super::protects_users::protects_users(&finding);
            let silence = if silenced_system_checks.contains(finding.id.as_str()) {
                Some((SilenceSource::SilencedSystemChecks, None, None))
            } else {
                self.active_ignore(&finding.id, evidence.today)
                    .map(|rule| (rule.source, rule.reason.clone(), rule.until))
            };
            let Some((source, reason, until)) = silence else {
                outcome.findings.push(finding);
                continue;
            };
            let mut silence = SilencedFinding {
                id: finding.id.clone(),
                source,
                reason,
                until,
                confirmed: None,
                finding: finding.clone(),
            };
            match silences::judge(&finding.id, evidence.snapshot, evidence.live) {
                Judgement::Holds => outcome.silenced.push(silence),
                Judgement::Confirmed(what) => {
                    silence.confirmed = Some(what);
                    outcome.silenced.push(silence);
                }
                Judgement::Contradicted(why) => {
                    finding.severity = Severity::Block;
                    finding.silence_overruled = true;
                    finding.message = format!(
                        "{} Silenced by {}, but the silence does not hold: {why}",
                        finding.message, silence.source
                    );
                    outcome.findings.push(finding);
                }
            }
        }
        outcome.notes = self.lapsed_notes(&outcome, evidence.today);
        outcome
            .findings
            .extend(expiring_warnings(&outcome.silenced, evidence.today));
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

    /// Whether a finding `id` would be silenced today (before the evidence judges the silence).
    #[must_use]
    pub fn silences(&self, id: &str, snapshot: &Snapshot, today: Date) -> bool {
        silenced_system_checks(snapshot).contains(id) || self.active_ignore(id, today).is_some()
    }

    /// The first entry for `id` that has not lapsed.
    fn active_ignore(&self, id: &str, today: Date) -> Option<&IgnoreRule> {
        self.ignore
            .iter()
            .find(|rule| rule.id == id && !rule.lapsed(today))
    }

    /// Which ignore lapsed when, why it was there, what that means now and how to renew it.
    fn lapsed_notes(&self, outcome: &Outcome, today: Date) -> Vec<String> {
        self.ignore
            .iter()
            .filter(|rule| rule.lapsed(today))
            .map(|rule| {
                let until = rule.until.map(|until| until.to_string()).unwrap_or_default();
                let reason = rule.reason.as_deref().unwrap_or("no reason given");
                let now = if let Some(other) = outcome.silenced.iter().find(|s| s.id == rule.id) {
                    format!("it stays silenced by {}", other.source)
                } else if outcome.findings.iter().any(|finding| finding.id == rule.id) {
                    format!("{} counts again", rule.id)
                } else {
                    "nothing reports it now; remove the entry".to_string()
                };
                format!(
                    "The ignore of {} in {} expired on {until} (reason: {reason}): {now}. To renew it, {}.",
                    rule.id,
                    rule.source,
                    rule.renewal()
                )
            })
            .collect()
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

/// A warning for each ignore in use that ends within [`EXPIRY_WARNING_DAYS`]. Made after the
/// severities were set: a reminder never blocks, whatever the fail level.
fn expiring_warnings(silenced: &[SilencedFinding], today: Date) -> Vec<Finding> {
    silenced
        .iter()
        .filter_map(|silence| {
            let until = silence.until?;
            let days = today.days_until(until);
            (1..=EXPIRY_WARNING_DAYS).contains(&days).then(|| {
                let reason = silence.reason.as_deref().unwrap_or("no reason given");
                Finding::new(
                    IGNORE_EXPIRING,
                    Severity::Warn,
                    Source::Guard,
                    format!(
                        "The ignore of {} in {} (reason: {reason}) ends on {until}, in {}: from then on {} counts again.",
                        silence.id,
                        silence.source,
                        crate::report::plural(days, "day"),
                        silence.id
                    ),
                )
                .with_fix(format!(
                    "Fix {} before {until}, or give the ignore a later `until` if the reason still holds.",
                    silence.id
                ))
            })
        })
        .collect()
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

    fn today() -> Date {
        "2027-03-17".parse().unwrap()
    }

    /// Every rule's findings for `snapshot` (behind Heroku's router), judged by `policy` on
    /// [`today`] without a live site.
    fn judged(policy: &Policy, snapshot: &Snapshot) -> Outcome {
        let evidence = Evidence {
            snapshot,
            today: today(),
            live: None,
        };
        policy.apply(rules::all(snapshot, &heroku()), &evidence)
    }

    fn silenced_ids(outcome: &Outcome) -> Vec<(&str, SilenceSource)> {
        outcome
            .silenced
            .iter()
            .map(|silenced| (silenced.id.as_str(), silenced.source))
            .collect()
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
            ignore: Ignores::try_from(["security.W004"]).unwrap(),
            ..GuardConfig::default()
        };
        let policy = Policy::from_config(
            &config,
            &ids(" models.W042 ,"),
            &Ignores::from_comma_separated("guard.hsts_seconds_short").unwrap(),
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
        assert_eq!(
            silenced_ids(&outcome),
            [
                ("security.W004", SilenceSource::ProjectToml),
                (
                    "guard.hsts_seconds_short",
                    SilenceSource::ReleaseGuardIgnore
                ),
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
                    silenced.source,
                )
            })
            .collect();
        assert_eq!(
            silenced,
            [
                (
                    "guard.https_undetectable",
                    Severity::Block,
                    SilenceSource::SilencedSystemChecks
                ),
                (
                    "security.W012",
                    Severity::Block,
                    SilenceSource::SilencedSystemChecks
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
        assert_eq!(
            silenced_ids(&outcome),
            [("security.W015", SilenceSource::SilencedSystemChecks)]
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

    /// The policy for project.toml's `[com.release-guard]` lines and `RELEASE_GUARD_IGNORE`.
    fn policy(project_toml: &str, env_ignore: &str, fail_level: FailLevel) -> Policy {
        Policy::from_config(
            &toml::from_str(project_toml).unwrap(),
            &FindingIds::default(),
            &Ignores::from_comma_separated(env_ignore).unwrap(),
            fail_level,
        )
    }

    /// The tutorial without HSTS: Django's W004, which blocks by default.
    fn without_hsts() -> Snapshot {
        SnapshotBuilder::hardened()
            .unset("SECURE_HSTS_SECONDS")
            .check("security.W004", 30, false)
            .build()
    }

    #[test]
    fn an_ignore_with_a_reason_is_listed_with_it_and_never_blocks() {
        let policy = policy(
            r#"ignore = [{ id = "security.W004", reason = "HSTS is added by our CDN", until = "2027-04-30" }]"#,
            "",
            FailLevel::Default,
        );
        let outcome = judged(&policy, &without_hsts());
        assert!(ids_and_severities(&outcome.findings).is_empty());
        let silenced = &outcome.silenced[0];
        assert_eq!(
            (
                silenced.id.as_str(),
                silenced.source,
                silenced.reason.as_deref(),
                silenced.until.map(|until| until.to_string())
            ),
            (
                "security.W004",
                SilenceSource::ProjectToml,
                Some("HSTS is added by our CDN"),
                Some("2027-04-30".to_string())
            )
        );
        assert!(outcome.notes.is_empty());
    }

    #[test]
    fn on_and_after_its_date_an_ignore_lapses_and_the_log_says_so() {
        for until in ["2027-03-17", "2026-12-31"] {
            let policy = policy(
                &format!(
                    r#"ignore = [{{ id = "security.W004", reason = "HSTS is added by our CDN", until = "{until}" }}]"#
                ),
                "security.W021@2027-01-01",
                FailLevel::Default,
            );
            let outcome = judged(&policy, &without_hsts());
            assert_eq!(
                ids_and_severities(&outcome.findings),
                [("security.W004", Severity::Block)]
            );
            assert!(outcome.silenced.is_empty());
            assert_eq!(
                outcome.notes,
                [
                    format!("The ignore of security.W004 in project.toml expired on {until} (reason: HSTS is added by our CDN): security.W004 counts again. To renew it, set a later `until` on the entry in project.toml's [com.release-guard] ignore and deploy again."),
                    "The ignore of security.W021 in RELEASE_GUARD_IGNORE expired on 2027-01-01 (reason: no reason given): nothing reports it now; remove the entry. To renew it, give it a later date in the RELEASE_GUARD_IGNORE config var (security.W021@YYYY-MM-DD).".to_string(),
                ]
            );
        }
    }

    #[test]
    fn an_ignore_in_use_that_ends_within_14_days_warns_with_the_date_but_never_blocks() {
        let policy =
            |until: &str, fail_level| policy("", &format!("security.W004@{until}"), fail_level);
        let outcome = judged(&policy("2027-03-31", FailLevel::Warning), &without_hsts());
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [(IGNORE_EXPIRING, Severity::Warn)]
        );
        assert_eq!(
            outcome.findings[0].message,
            "The ignore of security.W004 in RELEASE_GUARD_IGNORE (reason: no reason given) ends on 2027-03-31, in 14 days: from then on security.W004 counts again."
        );
        assert_eq!(
            silenced_ids(&outcome),
            [("security.W004", SilenceSource::ReleaseGuardIgnore)]
        );
        let tomorrow = judged(&policy("2027-03-18", FailLevel::Default), &without_hsts());
        assert!(
            tomorrow.findings[0]
                .message
                .contains("ends on 2027-03-18, in 1 day:")
        );
        for later in ["2027-04-01", "2030-01-01"] {
            let outcome = judged(&policy(later, FailLevel::Default), &without_hsts());
            assert!(outcome.findings.is_empty(), "{later}");
        }
        // Only an ignore that holds a finding back is worth a warning.
        let unused = judged(
            &policy("2027-03-20", FailLevel::Default),
            &SnapshotBuilder::hardened().build(),
        );
        assert!(unused.findings.is_empty());
    }

    #[test]
    fn plain_ids_still_work_and_the_first_live_entry_wins() {
        let policy = policy(
            indoc::indoc! {r#"
                ignore = [
                    "security.W004",
                    { id = "security.W004", reason = "later entry", until = "2030-01-01" },
                ]
            "#},
            "",
            FailLevel::Default,
        );
        let outcome = judged(&policy, &without_hsts());
        assert_eq!(outcome.silenced[0].reason, None);
        assert_eq!(outcome.silenced[0].until, None);
    }

    #[test]
    fn a_silenced_w009_with_a_key_nobody_chooses_blocks_and_says_why() {
        // djangoproject.com's settings without the secrets file: the key is 'a' and W009 is
        // silenced because "the key comes from our secrets".
        let snapshot = SnapshotBuilder::hardened()
            .set("SILENCED_SYSTEM_CHECKS", py_list(&["security.W009"]))
            .check("security.W009", 30, true)
            .secret_key(crate::gate::snapshot::SecretKeyFacts {
                set: true,
                long_enough: false,
                enough_unique_characters: false,
                insecure_prefix: false,
                placeholder: false,
            })
            .build();
        let outcome = judged(&Policy::default(), &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [("security.W009", Severity::Block)]
        );
        // Django's message (app text, marked as such), then why the silence does not hold.
        let message = &outcome.findings[0].message;
        assert!(message.contains("Django says security.W009."), "{message}");
        assert!(message.ends_with(" Silenced by SILENCED_SYSTEM_CHECKS, but the silence does not hold: SECRET_KEY has fewer than 5 distinct characters, a key nobody chooses on purpose: the production key did not arrive and a fallback ran instead. Anyone who knows the key can forge sessions, password-reset links and signed cookies."), "{message}");
        assert!(outcome.silenced.is_empty());
        assert!(outcome.findings[0].silence_overruled);
        // An ignore makes the same claim and is overruled alike.
        let ignored = policy("", "security.W009", FailLevel::Default);
        let snapshot = SnapshotBuilder::hardened()
            .check("security.W009", 30, false)
            .secret_key(crate::gate::snapshot::SecretKeyFacts {
                insecure_prefix: true,
                ..SnapshotBuilder::hardened().build().secret_key
            })
            .build();
        let outcome = judged(&ignored, &snapshot);
        assert_eq!(
            ids_and_severities(&outcome.findings),
            [("security.W009", Severity::Block)]
        );
        assert!(
            outcome.findings[0]
                .message
                .contains("Silenced by RELEASE_GUARD_IGNORE, but")
        );
    }

    #[test]
    fn the_live_site_confirms_a_silenced_w004_or_makes_it_block() {
        let snapshot = SnapshotBuilder::hardened()
            .unset("SECURE_HSTS_SECONDS")
            .set("SILENCED_SYSTEM_CHECKS", py_list(&["security.W004"]))
            .check("security.W004", 30, true)
            .build();
        let live = |hsts: &[&str]| LiveFacts {
            url: "https://www.example.com/".to_string(),
            https: crate::http_facts::ResponseFacts {
                status: 200,
                hsts: hsts.iter().map(ToString::to_string).collect(),
                ..Default::default()
            },
            http: None,
        };
        let judged_with = |live: &LiveFacts| {
            let evidence = Evidence {
                snapshot: &snapshot,
                today: today(),
                live: Some(live),
            };
            Policy::default().apply(rules::all(&snapshot, &heroku()), &evidence)
        };
        let confirmed = judged_with(&live(&["max-age=31536000"]));
        assert!(confirmed.findings.is_empty());
        assert_eq!(
            confirmed.silenced[0].confirmed.as_deref(),
            Some(
                "the live site https://www.example.com/ sends Strict-Transport-Security `max-age=31536000`"
            )
        );
        let contradicted = judged_with(&live(&[]));
        assert_eq!(
            ids_and_severities(&contradicted.findings),
            [("security.W004", Severity::Block)]
        );
        assert!(contradicted.findings[0].message.ends_with("but the silence does not hold: the live site https://www.example.com/ sends no Strict-Transport-Security header browsers apply, so nothing in front of the app adds it."));
    }
}

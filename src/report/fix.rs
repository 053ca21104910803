//! How fixes are written for where the guard runs: a finding's advice as fix lines
//! (`heroku config:set` on Heroku, plain assignments elsewhere, then the lines to write), and the
//! closing lines of a report that did not pass.

use super::{ModeSource, Report, Verdict};
use crate::config::{Mode, env};
use crate::finding::{Advice, Change, Finding, Severity};

/// Where the guard runs, which decides how a config var change is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// On a Heroku dyno (`DYNO` is set): `heroku config:set NAME=value`.
    Heroku,
    /// Anywhere else: the plain assignment `NAME=value`.
    #[default]
    Other,
}

impl Platform {
    /// Heroku sets `DYNO` on every dyno, the release phase's included.
    #[must_use]
    pub fn detect(dyno: Option<&std::ffi::OsStr>) -> Self {
        if dyno.is_some_and(|dyno| !dyno.is_empty()) {
            Self::Heroku
        } else {
            Self::Other
        }
    }
}

/// The fix for `advice`, one line each: config var changes first (set, then unset, each as one
/// command on Heroku), then the lines to write.
#[must_use]
pub fn fix_lines<'a>(advice: impl Iterator<Item = &'a Advice>, platform: Platform) -> Vec<String> {
    let mut sets: Vec<String> = Vec::new();
    let mut unsets: Vec<String> = Vec::new();
    let mut code: Vec<String> = Vec::new();
    for advice in advice {
        match &advice.change {
            Change::SetConfigVar { config_var, value } => {
                push_new(&mut sets, format!("{config_var}={value}"));
            }
            Change::UnsetConfigVar { config_var } => push_new(&mut unsets, config_var.clone()),
            Change::EditLine { text } | Change::AddLine { text } => {
                push_new(&mut code, text.clone());
            }
            Change::DeleteLine => {
                let place = advice.location.as_ref().map_or_else(String::new, |at| {
                    format!(" (line {} of {})", at.line, at.file)
                });
                push_new(
                    &mut code,
                    format!("Delete the {} line{place}.", advice.setting),
                );
            }
        }
    }
    let mut lines = Vec::new();
    match platform {
        Platform::Heroku => {
            if !sets.is_empty() {
                lines.push(format!("heroku config:set {}", sets.join(" ")));
            }
            if !unsets.is_empty() {
                lines.push(format!("heroku config:unset {}", unsets.join(" ")));
            }
        }
        Platform::Other => {
            lines.extend(sets);
            if !unsets.is_empty() {
                lines.push(format!("unset {}", unsets.join(" ")));
            }
        }
    }
    lines.extend(code);
    lines
}

fn push_new(lines: &mut Vec<String>, line: String) {
    if !lines.contains(&line) {
        lines.push(line);
    }
}

/// The escape hatch after a failed release, or the way back after a non-enforced one. Only the
/// gate has modes; `verify` reports stand alone.
pub(super) fn closing_advice(report: &Report) -> Vec<String> {
    if report.tool != "gate" || report.verdict == Verdict::Pass {
        return Vec::new();
    }
    if report.mode == Mode::Warn {
        return vec![match report.mode_source {
            Some(ModeSource::Flag) => "Enforce again: run without --mode warn".to_string(),
            _ => format!("Enforce again: heroku config:set {}=enforce", env::MODE),
        }];
    }
    let blocking: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Block)
        .collect();
    let blocking_advice = || blocking.iter().flat_map(|finding| &finding.advice);
    let mut advice: Vec<String> = fix_lines(
        blocking_advice().filter(|advice| is_config_var_change(advice)),
        report.platform,
    )
    .into_iter()
    .map(|line| format!("Fix: {line}"))
    .collect();
    let mut files: Vec<&str> = Vec::new();
    for advice in blocking_advice().filter(|advice| !is_config_var_change(advice)) {
        if let Some(at) = advice
            .location
            .as_ref()
            .filter(|at| !files.contains(&at.file.as_str()))
        {
            files.push(&at.file);
        }
    }
    if !files.is_empty() {
        advice.push(format!(
            "Fix: change {} as shown above, then deploy again",
            files.join(" and ")
        ));
    }
    advice.push(format!(
        "Deploy anyway: heroku config:set {}=warn",
        env::MODE
    ));
    // Ignoring a check of the HTTPS redirect, the cookies or HSTS is never the advice.
    if let Some(ignorable) = blocking.iter().find(|finding| !is_about_https(finding)) {
        advice.push(format!(
            "Ignore one check: heroku config:set {}={}",
            env::IGNORE,
            ignorable.id
        ));
    }
    advice
}

fn is_config_var_change(advice: &Advice) -> bool {
    matches!(
        advice.change,
        Change::SetConfigVar { .. } | Change::UnsetConfigVar { .. }
    )
}

/// Parts of the names of the settings that keep the HTTPS redirect, HSTS and the cookies safe.
const HTTPS_SETTING_PARTS: [&str; 5] = [
    "SECURE_SSL_",
    "SECURE_HSTS_",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "_COOKIE_",
];

/// Django's checks of the SSL redirect, HSTS and the cookies' Secure flag.
const HTTPS_DJANGO_IDS: [&str; 7] = [
    "security.W004",
    "security.W008",
    "security.W010",
    "security.W011",
    "security.W012",
    "security.W016",
    "security.W021",
];

/// Whether a finding is about the SSL redirect, the cookies or HSTS.
fn is_about_https(finding: &Finding) -> bool {
    HTTPS_DJANGO_IDS.contains(&finding.id.as_str())
        || finding.setting.as_deref().is_some_and(|setting| {
            HTTPS_SETTING_PARTS
                .iter()
                .any(|part| setting.contains(part))
        })
}

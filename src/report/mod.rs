//! The release log is the product's UI. `Report` is what the gate and `verify` hand to the
//! renderers: plain text for `heroku releases:output`, or one JSON document (`--format json`).
//!
//! The renderers live in `text` (the release log), `json` (`--format json`, see README "JSON
//! output") and `sarif` (`--format sarif`, a SARIF 2.1.0 log for code scanning).

use crate::config::{Mode, env};
use crate::date::Date;
use crate::finding::{Advice, Change, Finding, Severity};
use crate::redact::Redactor;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::str::FromStr;

mod json;
mod sarif;
mod text;

pub use json::render_json;
pub use sarif::render_sarif;
pub use text::{Style, render_text};

/// Process exit codes, shared by the gate and `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No blocking finding (or not enforcing).
    Pass = 0,
    /// At least one blocking finding.
    Blocked = 1,
    /// The app (or site) could not be evaluated: fail closed.
    CouldNotEvaluate = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit as u8)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Block,
    Error,
}

/// How a report is printed (`--format`): the release log, one JSON document, or a SARIF log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Sarif,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "sarif" => Ok(Self::Sarif),
            other => Err(format!("--format `{other}` is not text, json or sarif")),
        }
    }
}

/// Prints the report on stdout through the output boundary: colour only on a terminal without
/// `NO_COLOR`.
pub fn print(report: &Report, format: Format, redactor: &Redactor) {
    let style = Style::detect(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let rendered = render(report, format, style, redactor);
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (a pipe to `head`) must not turn a verdict into a panic.
    let _ = stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush());
}

/// The report as printed: every text redacted (and app text neutralised and shortened), then
/// rendered, then redacted once more as a whole. The only way out of the program for a report.
#[must_use]
pub fn render(report: &Report, format: Format, style: Style, redactor: &Redactor) -> String {
    let shown = report.map_text(&|text| redactor.field(text));
    match format {
        Format::Json => render_json(&shown) + "\n",
        Format::Sarif => render_sarif(&shown) + "\n",
        Format::Text => redactor.rendered(&render_text(&shown, style)),
    }
}

/// Where a silence comes from: Django's setting, or the guard's `ignore` in project.toml or the
/// environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SilenceSource {
    /// Listed in Django's `SILENCED_SYSTEM_CHECKS` (in the app's settings).
    #[serde(rename = "SILENCED_SYSTEM_CHECKS")]
    SilencedSystemChecks,
    /// project.toml's `ignore`, as the build recorded it.
    #[serde(rename = "project.toml")]
    ProjectToml,
    /// The `RELEASE_GUARD_IGNORE` config var.
    #[serde(rename = "RELEASE_GUARD_IGNORE")]
    ReleaseGuardIgnore,
}

impl SilenceSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SilencedSystemChecks => "SILENCED_SYSTEM_CHECKS",
            Self::ProjectToml => "project.toml",
            Self::ReleaseGuardIgnore => env::IGNORE,
        }
    }
}

impl std::fmt::Display for SilenceSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding that does not count, and the silence that holds it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilencedFinding {
    pub id: String,
    pub source: SilenceSource,
    /// Why, as the ignore's table says; None for a plain ID ("no reason given").
    pub reason: Option<String>,
    /// The first day (UTC) on which the silence lapses.
    pub until: Option<Date>,
    /// What the live site showed that bears the silence out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    pub finding: Finding,
}

/// An app or site that could not be evaluated (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationError {
    /// One line, e.g. "The settings module failed to import".
    pub title: String,
    /// What happened: exception, redacted message, last traceback frames.
    pub detail: String,
    /// How to fix it.
    pub fix: String,
}

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

    /// How to set config vars here: `heroku config:set A=1 B=2` on Heroku, `A=1 B=2` elsewhere.
    #[must_use]
    pub fn set_command(self, assignments: &str) -> String {
        match self {
            Self::Heroku => format!("heroku config:set {assignments}"),
            Self::Other => assignments.to_string(),
        }
    }

    /// How to unset config vars here: `heroku config:unset A B` on Heroku, `unset A B` elsewhere.
    #[must_use]
    pub fn unset_command(self, names: &str) -> String {
        match self {
            Self::Heroku => format!("heroku config:unset {names}"),
            Self::Other => format!("unset {names}"),
        }
    }
}

/// Who chose the mode, so the log names the switch that is actually on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeSource {
    /// `--mode`.
    Flag,
    /// `RELEASE_GUARD_MODE`.
    ConfigVar,
    /// `mode` in project.toml `[com.release-guard]`, read at build time.
    ProjectToml,
}

impl ModeSource {
    /// How the log names the setting that chose `mode`, e.g. `--mode off`.
    fn describe(self, mode: Mode) -> String {
        match self {
            Self::Flag => format!("--mode {mode}"),
            Self::ConfigVar => format!("{}={mode}", env::MODE),
            Self::ProjectToml => format!("mode = \"{mode}\" in project.toml"),
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
        Platform::Heroku if !sets.is_empty() => lines.push(platform.set_command(&sets.join(" "))),
        // Off Heroku one assignment a line: each is a line of an env file or a shell.
        Platform::Other => lines.extend(sets),
        Platform::Heroku => {}
    }
    if !unsets.is_empty() {
        lines.push(platform.unset_command(&unsets.join(" ")));
    }
    lines.extend(code);
    lines
}

/// `text` as one shell word: as is when it is plain, else in single quotes.
#[must_use]
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn push_new(lines: &mut Vec<String>, line: String) {
    if !lines.contains(&line) {
        lines.push(line);
    }
}

/// Everything one run found. Deserialised by the build preview, which reads the JSON document
/// `release-guard check` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `gate` or `verify`.
    pub tool: Cow<'static, str>,
    pub verdict: Verdict,
    pub mode: Mode,
    /// Who chose the mode; None for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode_source: Option<ModeSource>,
    /// Where the guard runs (how config var changes are written); not in the JSON.
    #[serde(skip)]
    pub platform: Platform,
    /// Active findings, blocking first, then by ID.
    pub findings: Vec<Finding>,
    pub silenced: Vec<SilencedFinding>,
    pub django_version: Option<String>,
    pub settings_module: Option<String>,
    pub error: Option<EvaluationError>,
    /// Extra lines printed just before the verdict, e.g. `verify`'s preload readiness.
    pub notes: Vec<String>,
    /// What the app printed while loading, shortened. App text, not the guard's: it is
    /// redacted like relayed output and kept apart from the guard's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_output: Option<String>,
    /// Milliseconds per phase (`probe`, `total`, ...).
    pub timings: BTreeMap<String, f64>,
}

impl Report {
    /// A report with nothing found yet.
    #[must_use]
    pub fn new(tool: &'static str, mode: Mode, verdict: Verdict) -> Self {
        Self {
            tool: Cow::Borrowed(tool),
            verdict,
            mode,
            mode_source: None,
            platform: Platform::Other,
            findings: Vec::new(),
            silenced: Vec::new(),
            django_version: None,
            settings_module: None,
            error: None,
            notes: Vec::new(),
            app_output: None,
            timings: BTreeMap::new(),
        }
    }

    /// The report with `change` applied to every text in it.
    #[must_use]
    pub fn map_text(&self, change: &dyn Fn(&str) -> String) -> Self {
        let option = |text: &Option<String>| text.as_deref().map(change);
        let finding = |finding: &Finding| Finding {
            id: change(&finding.id),
            setting: option(&finding.setting),
            message: change(&finding.message),
            required: option(&finding.required),
            why: option(&finding.why),
            fix: option(&finding.fix),
            hint: option(&finding.hint),
            location: finding
                .location
                .as_ref()
                .map(|location| location_text(location, change)),
            advice: finding
                .advice
                .iter()
                .map(|advice| Advice {
                    setting: change(&advice.setting),
                    change: change_text(&advice.change, change),
                    location: advice
                        .location
                        .as_ref()
                        .map(|location| location_text(location, change)),
                    reason: change(&advice.reason),
                })
                .collect(),
            ..finding.clone()
        };
        Self {
            findings: self.findings.iter().map(finding).collect(),
            silenced: self
                .silenced
                .iter()
                .map(|silenced| SilencedFinding {
                    id: change(&silenced.id),
                    reason: option(&silenced.reason),
                    confirmed: option(&silenced.confirmed),
                    finding: finding(&silenced.finding),
                    ..silenced.clone()
                })
                .collect(),
            django_version: option(&self.django_version),
            settings_module: option(&self.settings_module),
            error: self.error.as_ref().map(|error| EvaluationError {
                title: change(&error.title),
                detail: change(&error.detail),
                fix: change(&error.fix),
            }),
            notes: self.notes.iter().map(|note| change(note)).collect(),
            app_output: option(&self.app_output),
            ..self.clone()
        }
    }

    /// Puts `prefix` (the app's directory inside its repository, `/`-separated) in front of
    /// every finding's file, so locations are relative to the repository root.
    pub fn prefix_locations(&mut self, prefix: &str) {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() {
            return;
        }
        let findings = self.findings.iter_mut().chain(
            self.silenced
                .iter_mut()
                .map(|silenced| &mut silenced.finding),
        );
        for finding in findings {
            let advice = finding
                .advice
                .iter_mut()
                .filter_map(|advice| advice.location.as_mut());
            for location in finding.location.iter_mut().chain(advice) {
                location.file = format!("{prefix}/{}", location.file);
            }
        }
    }

    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

fn location_text(
    location: &crate::finding::Location,
    change: &dyn Fn(&str) -> String,
) -> crate::finding::Location {
    crate::finding::Location {
        file: change(&location.file),
        line: location.line,
    }
}

fn change_text(advice: &Change, change: &dyn Fn(&str) -> String) -> Change {
    match advice {
        Change::SetConfigVar { config_var, value } => Change::SetConfigVar {
            config_var: change(config_var),
            value: change(value),
        },
        Change::UnsetConfigVar { config_var } => Change::UnsetConfigVar {
            config_var: change(config_var),
        },
        Change::EditLine { text } => Change::EditLine { text: change(text) },
        Change::AddLine { text } => Change::AddLine { text: change(text) },
        Change::DeleteLine => Change::DeleteLine,
    }
}

/// The tool's name and version, as the first line of every log shows it.
pub const TOOL_BANNER: &str = concat!("Django Release Guard ", env!("CARGO_PKG_VERSION"));

/// `1 warning`, `2 warnings`, for any integer count.
pub(crate) fn plural(count: impl std::fmt::Display, singular: &str) -> String {
    let count = count.to_string();
    let suffix = if count == "1" { "" } else { "s" };
    format!("{count} {singular}{suffix}")
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::finding::Source;

    /// A blocked gate report on Heroku: two blocking findings, a warning and a silenced one.
    pub(crate) fn blocked_report(mode: Mode) -> Report {
        Report {
            tool: "gate".into(),
            verdict: Verdict::Block,
            mode,
            mode_source: None,
            platform: Platform::Heroku,
            findings: vec![
                Finding::new(
                    "security.W004",
                    Severity::Block,
                    Source::Django,
                    "You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security.",
                )
                .with_setting("SECURE_HSTS_SECONDS")
                .with_required("a positive whole number of seconds")
                .with_fix("SECURE_HSTS_SECONDS = 3600")
                .protecting_users(),
                Finding::new(
                    "security.W008",
                    Severity::Block,
                    Source::Django,
                    "SECURE_SSL_REDIRECT is not set to True.",
                )
                .with_fix("SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")")
                .protecting_users(),
                Finding::new(
                    "guard.hsts_seconds_short",
                    Severity::Warn,
                    Source::Guard,
                    "Short.",
                )
                .with_why("Because."),
            ],
            silenced: vec![SilencedFinding {
                id: "security.W021".to_string(),
                source: SilenceSource::SilencedSystemChecks,
                reason: None,
                until: None,
                confirmed: None,
                finding: Finding::new("security.W021", Severity::Warn, Source::Django, "x"),
            }],
            django_version: Some("5.2".to_string()),
            settings_module: Some("mysite.settings".to_string()),
            error: None,
            notes: Vec::new(),
            app_output: None,
            timings: BTreeMap::new(),
        }
    }
}

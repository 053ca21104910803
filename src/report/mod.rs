//! The release log is the product's UI. `Report` is what the gate and `verify` hand to the
//! renderers: plain text for `heroku releases:output` (`text`), one JSON document
//! (`--format json`, see README "JSON output") or a SARIF 2.1.0 log for code scanning
//! (`--format sarif`).

use crate::config::Mode;
use crate::finding::{Finding, Severity};
use serde::Serialize;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Prints the report on stdout: colour only on a terminal without `NO_COLOR`.
pub fn print(report: &Report, format: Format) {
    let rendered = match format {
        Format::Json => render_json(report) + "\n",
        Format::Sarif => render_sarif(report) + "\n",
        Format::Text => {
            let style = Style::detect(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
            );
            render_text(report, style)
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (a pipe to `head`) must not turn a verdict into a panic.
    let _ = stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Why a finding does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SilencedBy {
    /// Listed in Django's `SILENCED_SYSTEM_CHECKS`.
    SilencedSystemChecks,
    /// Listed in the guard's `ignore` configuration (project.toml or `RELEASE_GUARD_IGNORE`).
    IgnoreConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SilencedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub silenced_by: SilencedBy,
}

/// An app or site that could not be evaluated (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationError {
    /// One line, e.g. "The settings module failed to import".
    pub title: String,
    /// What happened: exception, redacted message, last traceback frames.
    pub detail: String,
    /// How to fix it.
    pub fix: String,
}

/// Everything one run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `gate` or `verify`.
    pub tool: &'static str,
    pub verdict: Verdict,
    pub mode: Mode,
    /// Active findings, blocking first, then by ID.
    pub findings: Vec<Finding>,
    pub silenced: Vec<SilencedFinding>,
    pub django_version: Option<String>,
    pub settings_module: Option<String>,
    pub error: Option<EvaluationError>,
    /// Extra lines printed just before the verdict, e.g. `verify`'s preload readiness.
    pub notes: Vec<String>,
    /// Milliseconds per phase (`probe`, `total`, ...).
    pub timings: BTreeMap<String, f64>,
}

impl Report {
    /// A report with nothing found yet.
    #[must_use]
    pub fn new(tool: &'static str, mode: Mode, verdict: Verdict) -> Self {
        Self {
            tool,
            verdict,
            mode,
            findings: Vec::new(),
            silenced: Vec::new(),
            django_version: None,
            settings_module: None,
            error: None,
            notes: Vec::new(),
            timings: BTreeMap::new(),
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
        for location in findings.filter_map(|finding| finding.location.as_mut()) {
            location.file = format!("{prefix}/{}", location.file);
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
    use crate::finding::{Finding, Severity, Source};

    /// A blocked gate report: two blocking findings, a warning and a silenced one.
    pub(crate) fn blocked_report(mode: Mode) -> Report {
        Report {
            tool: "gate",
            verdict: Verdict::Block,
            mode,
            findings: vec![
                Finding::new(
                    "security.W004",
                    Severity::Block,
                    Source::Django,
                    "You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security.",
                )
                .with_setting("SECURE_HSTS_SECONDS")
                .with_required("a positive whole number of seconds")
                .with_fix("SECURE_HSTS_SECONDS = 3600"),
                Finding::new(
                    "security.W008",
                    Severity::Block,
                    Source::Django,
                    "SECURE_SSL_REDIRECT is not set to True.",
                )
                .with_fix("SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")"),
                Finding::new(
                    "guard.hsts_seconds_short",
                    Severity::Warn,
                    Source::Guard,
                    "Short.",
                )
                .with_why("Because."),
            ],
            silenced: vec![SilencedFinding {
                finding: Finding::new("security.W021", Severity::Warn, Source::Django, "x"),
                silenced_by: SilencedBy::SilencedSystemChecks,
            }],
            django_version: Some("5.2".to_string()),
            settings_module: Some("mysite.settings".to_string()),
            error: None,
            notes: Vec::new(),
            timings: BTreeMap::new(),
        }
    }
}

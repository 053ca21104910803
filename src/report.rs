//! The release log is the product's UI. `Report` is what the gate and `verify` hand to the
//! renderers: plain text for `heroku releases:output`, or one JSON document (`--format json`).
//!
//! Rendering (text and JSON) lives here; see README "JSON schema" for the document's shape.

use crate::config::Mode;
use crate::finding::{Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

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
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }
}

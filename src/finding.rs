//! The unit every check produces: Django's own messages, the guard's rules and `verify` all
//! report `Finding`s, so the release log, the JSON document and the exit code treat them alike.

use serde::{Deserialize, Serialize};

/// How much a finding matters for the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never affects the verdict.
    Info,
    /// Printed in the release log; the release still passes.
    Warn,
    /// Fails the release (in enforce mode).
    Block,
}

/// Who raised the finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A Django system check message, ID verbatim (e.g. `security.W004`).
    Django,
    /// One of the guard's own rules (`guard.*`), or its own floor of Django's deploy checks
    /// (Django's IDs, reported when Django's checks did not).
    Guard,
    /// A check of the live site over HTTP (`verify.*`).
    Verify,
}

/// One problem, with everything a developer needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identifier: Django's check ID, or `guard.*` / `verify.*`.
    pub id: String,
    pub severity: Severity,
    pub source: Source,
    /// The Django setting at fault, when there is one (e.g. `SESSION_COOKIE_SECURE`).
    pub setting: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What is required instead.
    pub required: Option<String>,
    /// Why it matters (the consequence on a live site).
    pub why: Option<String>,
    /// The exact line to put in settings.py (or the exact change to make).
    pub fix: Option<String>,
    /// Django's own hint, verbatim, for Django messages.
    pub hint: Option<String>,
    /// Where in the app's code the setting at fault gets its value, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The changes that fix it, where the app actually sets each setting (a config var to set
    /// or unset, or a line to write); `fix` is their rendering for where the guard runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
    /// It was silenced, but the evidence contradicts the silence: another ignore would not hold
    /// either, so the log never suggests one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silence_overruled: bool,
    /// The policy's mark: the finding is about a setting that protects users (the HTTPS
    /// redirect, the proxy header, HSTS, cookies, `SECRET_KEY`, `DEBUG`, `ALLOWED_HOSTS`), so the log
    /// never offers to ignore it. Not part of the JSON document.
    #[serde(skip)]
    pub protects_users: bool,
}

/// One change that brings one setting to what the finding requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    /// The Django setting this change fixes.
    pub setting: String,
    #[serde(flatten)]
    pub change: Change,
    /// The line that reads the config var or holds the setting; for an added line, the
    /// settings module's end.
    pub location: Option<Location>,
    /// Why this change, in one sentence (shown as `Where:` in the release log).
    pub reason: String,
}

/// What to change, as data (JSON: `action` plus its fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    /// Set a config var (`heroku config:set NAME=value`).
    SetConfigVar { config_var: String, value: String },
    /// Unset a config var whose code default is the required value.
    UnsetConfigVar { config_var: String },
    /// Replace the line at `location` with `text`.
    EditLine { text: String },
    /// Add `text` at `location` (the end of the settings module Django loaded).
    AddLine { text: String },
    /// Delete the line at `location`.
    DeleteLine,
}

/// A place in the app's source: a path relative to the app directory and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

impl Finding {
    /// A finding with only the mandatory parts; fill in the rest with the `with_*` builders.
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        source: Source,
        message: impl Into<String>,
    ) -> Self {
        let id = id.into();
        // The registry must know every ID the guard and verify emit: `block`/`ignore` lists are
        // checked against it. Every test that produces a finding checks this.
        debug_assert!(
            source == Source::Django || crate::finding_ids::is_known(&id),
            "finding ID `{id}` is missing from src/finding_ids.rs"
        );
        Self {
            id,
            severity,
            source,
            setting: None,
            message: message.into(),
            required: None,
            why: None,
            fix: None,
            hint: None,
            location: None,
            advice: Vec::new(),
            silence_overruled: false,
            protects_users: false,
        }
    }

    #[must_use]
    pub fn with_setting(mut self, setting: impl Into<String>) -> Self {
        self.setting = Some(setting.into());
        self
    }

    #[must_use]
    pub fn with_required(mut self, required: impl Into<String>) -> Self {
        self.required = Some(required.into());
        self
    }

    #[must_use]
    pub fn with_why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Marked as the policy marks a finding about a setting that protects users (tests build
    /// reports without the policy).
    #[cfg(test)]
    #[must_use]
    pub(crate) fn protecting_users(mut self) -> Self {
        self.protects_users = true;
        self
    }

    #[must_use]
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

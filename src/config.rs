//! Configuration shared by the buildpack (which reads it from project.toml and writes the
//! resolved result into the launch layer) and the gate (which reads that file at release time
//! and lets environment variables override it, so changing it needs no rebuild).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The table in the app's project.toml that holds the guard's configuration.
pub const PROJECT_TOML_TABLE: [&str; 2] = ["com", "release-guard"];

/// File name of the resolved configuration inside the launch layer.
pub const LAUNCH_CONFIG_FILE_NAME: &str = "release-guard.toml";

/// Environment variables read at release time.
pub mod env {
    /// Path of the launch configuration written at build time (set by the launch layer).
    pub const CONFIG: &str = "RELEASE_GUARD_CONFIG";
    /// `enforce`, `warn` or `off`: the break-glass switch.
    pub const MODE: &str = "RELEASE_GUARD_MODE";
    /// Seconds the probe may take before it is killed.
    pub const TIMEOUT: &str = "RELEASE_GUARD_TIMEOUT";
    /// Comma-separated IDs that block in addition to the defaults.
    pub const BLOCK: &str = "RELEASE_GUARD_BLOCK";
    /// Comma-separated IDs to ignore.
    pub const IGNORE: &str = "RELEASE_GUARD_IGNORE";
    /// The Python interpreter to run the probe with.
    pub const PYTHON: &str = "RELEASE_GUARD_PYTHON";
    /// Django's own variable naming the settings module.
    pub const DJANGO_SETTINGS_MODULE: &str = "DJANGO_SETTINGS_MODULE";
}

/// Default probe timeout: generous, because Heroku's release phase allows an hour and a cold
/// dyno can be slow; a hung settings module must still not hold a release forever.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// Whether findings fail the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Blocking findings and evaluation errors fail the release (exit 1 / 2).
    #[default]
    Enforce,
    /// Same report, a loud "not enforcing" notice, exit 0.
    Warn,
    /// One line, exit 0.
    Off,
}

impl Mode {
    pub const ALLOWED: &'static str = "enforce, warn or off";
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "enforce" => Ok(Self::Enforce),
            "warn" => Ok(Self::Warn),
            "off" => Ok(Self::Off),
            other => Err(format!("`{other}` is not a mode; use {}", Self::ALLOWED)),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Enforce => "enforce",
            Self::Warn => "warn",
            Self::Off => "off",
        })
    }
}

/// The user's configuration: the `[com.release-guard]` table of project.toml, key for key.
/// Unknown keys are errors, so a typo never silently weakens the gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GuardConfig {
    /// Dotted path of the Django settings module, e.g. `mysite.settings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Finding IDs that block in addition to the defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block: Vec<String>,
    /// Finding IDs to ignore (listed as silenced, never block).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Probe timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Run the gate in advisory mode during the build when Django is importable (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<bool>,
}

/// What the buildpack resolved at build time, written to `<guard layer>/release-guard.toml`
/// so the release process does not re-detect anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LaunchConfig {
    /// The settings module resolved at build time, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_module: Option<String>,
    /// The user's project.toml configuration as it was at build time.
    #[serde(default)]
    pub guard: GuardConfig,
}

//! Configuration shared by the buildpack (which reads it from project.toml and writes the
//! resolved result into the launch layer) and the gate (which reads that file at release time
//! and lets environment variables override it, so changing it needs no rebuild).

use crate::finding_ids;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::str::FromStr;
use toml::Value;

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

/// The largest configuration file read (project.toml, the launch config): far above any real
/// one, and small enough that a wrong path cannot exhaust memory.
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a configuration file as text. Only regular files are read, so `/dev/zero` or a FIFO is
/// an error instead of a hang: the file is opened without blocking and checked before reading.
///
/// # Errors
///
/// When the file cannot be opened or read, is not a regular file, is larger than
/// [`MAX_CONFIG_FILE_BYTES`] or is not UTF-8 text.
pub fn read_config_file(path: &Path) -> io::Result<String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    let mut text = String::new();
    file.take(MAX_CONFIG_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is larger than {} KiB", MAX_CONFIG_FILE_BYTES / 1024),
        ));
    }
    Ok(text)
}

/// Whether findings fail the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "Value")]
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

impl TryFrom<Value> for Mode {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_str()
            .and_then(|mode| mode.parse().ok())
            .ok_or_else(|| format!("`mode` must be {}", Self::ALLOWED))
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

/// A Django settings module path: identifiers joined by dots (`config.settings.production`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct SettingsModule(String);

impl SettingsModule {
    /// `module`, when it is a dotted module path.
    #[must_use]
    pub fn new(module: &str) -> Option<Self> {
        let is_identifier = |part: &str| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        module
            .split('.')
            .all(is_identifier)
            .then(|| Self(module.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SettingsModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<Value> for SettingsModule {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value.as_str().and_then(Self::new).ok_or_else(|| {
            "`settings-module` must be a dotted Python module path such as \"mysite.settings\""
                .to_string()
        })
    }
}

/// Seconds the probe may take: a whole number above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct TimeoutSecs(u64);

impl TimeoutSecs {
    #[must_use]
    pub fn new(secs: u64) -> Option<Self> {
        (secs > 0).then_some(Self(secs))
    }

    #[must_use]
    pub fn secs(self) -> u64 {
        self.0
    }
}

impl TryFrom<Value> for TimeoutSecs {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_integer()
            .and_then(|secs| u64::try_from(secs).ok())
            .and_then(Self::new)
            .ok_or_else(|| {
                "`timeout` must be a positive whole number of seconds, such as 120".to_string()
            })
    }
}

/// A finding ID for `block` or `ignore`: one the guard knows, or another app's (see
/// [`finding_ids`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingId(String);

impl FindingId {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for FindingId {
    type Err = String;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        match finding_ids::problem(id) {
            Some(problem) => Err(problem),
            None => Ok(Self(id.to_string())),
        }
    }
}

/// A `block` or `ignore` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct FindingIds(Vec<FindingId>);

impl FindingIds {
    /// A comma-separated list, as in `RELEASE_GUARD_BLOCK`; blank entries are skipped.
    ///
    /// # Errors
    ///
    /// The first entry that is not an acceptable finding ID.
    pub fn from_comma_separated(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FindingId> {
        self.0.iter()
    }
}

impl<const N: usize> TryFrom<[&str; N]> for FindingIds {
    type Error = String;

    fn try_from(ids: [&str; N]) -> Result<Self, Self::Error> {
        ids.into_iter()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TryFrom<Value> for FindingIds {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Array(items) = value else {
            return Err(format!(
                "`block` and `ignore` must be lists of finding IDs such as {FINDING_IDS_EXAMPLE}"
            ));
        };
        items
            .iter()
            .map(|item| match item.as_str() {
                Some(id) => id.parse(),
                None => Err(format!(
                    "`block` and `ignore` list finding IDs as strings, such as {FINDING_IDS_EXAMPLE}"
                )),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

const FINDING_IDS_EXAMPLE: &str = r#"["security.W021", "guard.hsts_seconds_short"]"#;

/// The user's configuration: the `[com.release-guard]` table of project.toml, key for key.
/// Every value is a validated type, so reading the table is validating it; unknown keys are
/// errors, so a typo never silently weakens the gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", expecting = "a table")]
pub struct GuardConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_module: Option<SettingsModule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Finding IDs that block in addition to the defaults.
    #[serde(default, skip_serializing_if = "FindingIds::is_empty")]
    pub block: FindingIds,
    /// Finding IDs to ignore (listed as silenced, never block).
    #[serde(default, skip_serializing_if = "FindingIds::is_empty")]
    pub ignore: FindingIds,
    /// Probe timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<TimeoutSecs>,
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
    pub settings_module: Option<SettingsModule>,
    /// The user's project.toml configuration as it was at build time.
    #[serde(default)]
    pub guard: GuardConfig,
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn module_paths() {
        for module in ["mysite.settings", "_private.settings2", "config"] {
            assert_eq!(
                SettingsModule::new(module).map(|found| found.to_string()),
                Some(module.to_string())
            );
        }
        for not_a_module in [
            "mysite..settings",
            "my-site.settings",
            "{name}.settings",
            "",
        ] {
            assert_eq!(SettingsModule::new(not_a_module), None, "{not_a_module}");
        }
    }

    #[test]
    fn a_launch_config_round_trips() {
        let config = LaunchConfig {
            settings_module: SettingsModule::new("built.settings"),
            guard: GuardConfig {
                settings_module: SettingsModule::new("a.b"),
                mode: Some(Mode::Off),
                block: FindingIds::try_from(["security.W021"]).unwrap(),
                ignore: FindingIds::try_from(["corsheaders.E013"]).unwrap(),
                timeout: TimeoutSecs::new(5),
                preview: Some(true),
            },
        };
        let written = toml::to_string(&config).unwrap();
        assert_eq!(
            written,
            indoc! {r#"
                settings-module = "built.settings"

                [guard]
                settings-module = "a.b"
                mode = "off"
                block = ["security.W021"]
                ignore = ["corsheaders.E013"]
                timeout = 5
                preview = true
            "#}
        );
        assert_eq!(toml::from_str::<LaunchConfig>(&written).unwrap(), config);
    }

    #[test]
    fn values_are_validated_while_read() {
        let message = |source: &str| {
            toml::from_str::<GuardConfig>(source)
                .unwrap_err()
                .message()
                .to_string()
        };
        assert_eq!(message("mode = 1"), "`mode` must be enforce, warn or off");
        assert_eq!(
            message("timeout = -1"),
            "`timeout` must be a positive whole number of seconds, such as 120"
        );
        assert_eq!(
            message("block = [\"W021\"]"),
            "`W021` is not a finding ID Release Guard knows; did you mean `security.W021`?"
        );
        assert_eq!(
            message("ignore = \"security.W004\""),
            r#"`block` and `ignore` must be lists of finding IDs such as ["security.W021", "guard.hsts_seconds_short"]"#
        );
        assert_eq!(
            message("ignore = [4]"),
            r#"`block` and `ignore` list finding IDs as strings, such as ["security.W021", "guard.hsts_seconds_short"]"#
        );
        assert_eq!(
            toml::from_str::<GuardConfig>("mode = \"WARN\"")
                .unwrap()
                .mode,
            Some(Mode::Warn)
        );
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let problem = |path: &Path| read_config_file(path).unwrap_err().to_string();
        assert_eq!(problem(Path::new("/dev/zero")), "it is not a regular file");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(status.unwrap().success());
        assert_eq!(problem(&fifo), "it is not a regular file");
        let large = dir.path().join("large.toml");
        let size = usize::try_from(MAX_CONFIG_FILE_BYTES).unwrap() + 1;
        std::fs::write(&large, "#".repeat(size)).unwrap();
        assert_eq!(problem(&large), "it is larger than 1024 KiB");
        let small = dir.path().join("small.toml");
        std::fs::write(&small, "mode = \"warn\"\n").unwrap();
        assert_eq!(read_config_file(&small).unwrap(), "mode = \"warn\"\n");
    }

    #[test]
    fn the_example_ids_in_the_message_are_real() {
        let example: GuardConfig =
            toml::from_str(&format!("block = {FINDING_IDS_EXAMPLE}")).unwrap();
        assert_eq!(example.block.iter().count(), 2);
    }

    #[test]
    fn comma_separated_ids() {
        assert_eq!(
            FindingIds::from_comma_separated(" models.W042 ,, security.W021"),
            FindingIds::try_from(["models.W042", "security.W021"])
        );
        assert_eq!(
            FindingIds::from_comma_separated("security.W004,guard.nope"),
            Err(
                "`guard.nope` is not a finding ID Release Guard knows; did you mean `guard.samesite_none`?"
                    .to_string()
            )
        );
    }
}

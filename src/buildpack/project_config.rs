//! The `[com.release-guard]` table of the app's project.toml, validated key by key so a mistake
//! fails the build with a message naming the file, the key and what is allowed.

use crate::app::is_dotted_module_path;
use crate::config::{GuardConfig, Mode, PROJECT_TOML_TABLE};
use std::fmt;
use std::io;
use std::path::Path;
use toml::Value;

/// The project descriptor's file name, at the app root.
pub const PROJECT_TOML: &str = "project.toml";

/// The keys the `[com.release-guard]` table may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    SettingsModule,
    Mode,
    Block,
    Ignore,
    Timeout,
    Preview,
}

impl Key {
    const ALL: [Self; 6] = [
        Self::SettingsModule,
        Self::Mode,
        Self::Block,
        Self::Ignore,
        Self::Timeout,
        Self::Preview,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::SettingsModule => "settings-module",
            Self::Mode => "mode",
            Self::Block => "block",
            Self::Ignore => "ignore",
            Self::Timeout => "timeout",
            Self::Preview => "preview",
        }
    }

    /// What the key's value must be, completing "`key` ... must be ...".
    #[must_use]
    pub fn allowed(self) -> &'static str {
        match self {
            Self::SettingsModule => "a dotted Python module path such as \"mysite.settings\"",
            Self::Mode => Mode::ALLOWED,
            Self::Block | Self::Ignore => {
                "a list of check IDs such as [\"security.W004\", \"guard.hsts.too_short\"] \
                 (letters, digits, '.', '_' and '-')"
            }
            Self::Timeout => "a positive whole number of seconds, such as 120",
            Self::Preview => "true or false",
        }
    }
}

#[derive(Debug)]
pub enum ProjectConfigError {
    /// project.toml exists but could not be read.
    Read(io::Error),
    /// project.toml is not valid TOML.
    Parse(toml::de::Error),
    /// `com` or `com.release-guard` is not a table.
    NotATable { table: String },
    /// A key the guard does not know (a typo must never silently weaken the gate).
    UnknownKey { key: String },
    /// A known key with a value of the wrong type or out of range.
    InvalidValue { key: Key },
}

impl fmt::Display for ProjectConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = table_name();
        match self {
            Self::Read(error) => write!(f, "{PROJECT_TOML} could not be read: {error}"),
            Self::Parse(error) => {
                write!(f, "{PROJECT_TOML} is not valid TOML: {}", error.message())
            }
            Self::NotATable { table } => write!(f, "`{table}` in {PROJECT_TOML} must be a table"),
            Self::UnknownKey { key } => write!(
                f,
                "`{key}` in the [{table}] table of {PROJECT_TOML} is not a known key; allowed keys: {}",
                Key::ALL.map(Key::name).join(", ")
            ),
            Self::InvalidValue { key } => write!(
                f,
                "`{}` in the [{table}] table of {PROJECT_TOML} must be {}",
                key.name(),
                key.allowed()
            ),
        }
    }
}

/// `com.release-guard`.
#[must_use]
pub fn table_name() -> String {
    PROJECT_TOML_TABLE.join(".")
}

/// What the build uses from the app's project.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectToml {
    /// The validated `[com.release-guard]` table.
    pub guard: GuardConfig,
}

/// Reads `<app_dir>/project.toml`. A missing file or a missing table is the default configuration.
///
/// # Errors
///
/// When the file cannot be read or parsed, or the table holds an unknown key or a bad value.
pub fn read_project_toml(app_dir: &Path) -> Result<ProjectToml, ProjectConfigError> {
    match std::fs::read_to_string(app_dir.join(PROJECT_TOML)) {
        Ok(source) => parse_project_toml(&source),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(ProjectToml::default()),
        Err(error) => Err(ProjectConfigError::Read(error)),
    }
}

/// Parses project.toml's source and validates its `[com.release-guard]` table.
///
/// # Errors
///
/// See [`read_project_toml`].
pub fn parse_project_toml(source: &str) -> Result<ProjectToml, ProjectConfigError> {
    let document: toml::Table = toml::from_str(source).map_err(ProjectConfigError::Parse)?;
    Ok(ProjectToml {
        guard: guard_config(&document)?,
    })
}

fn guard_config(document: &toml::Table) -> Result<GuardConfig, ProjectConfigError> {
    let mut table = document;
    let mut path = Vec::new();
    for name in PROJECT_TOML_TABLE {
        path.push(name);
        match table.get(name) {
            None => return Ok(GuardConfig::default()),
            Some(Value::Table(inner)) => table = inner,
            Some(_) => {
                return Err(ProjectConfigError::NotATable {
                    table: path.join("."),
                });
            }
        }
    }
    guard_config_from_table(table)
}

fn guard_config_from_table(table: &toml::Table) -> Result<GuardConfig, ProjectConfigError> {
    let mut config = GuardConfig::default();
    for (key, value) in table {
        let Some(key) = Key::ALL.into_iter().find(|known| known.name() == key) else {
            return Err(ProjectConfigError::UnknownKey { key: key.clone() });
        };
        let invalid = || ProjectConfigError::InvalidValue { key };
        match key {
            Key::SettingsModule => {
                let module = value
                    .as_str()
                    .filter(|module| is_dotted_module_path(module));
                config.settings_module = Some(module.ok_or_else(invalid)?.to_string());
            }
            Key::Mode => {
                let mode = value.as_str().and_then(|mode| mode.parse::<Mode>().ok());
                config.mode = Some(mode.ok_or_else(invalid)?);
            }
            Key::Block => config.block = check_ids(value).ok_or_else(invalid)?,
            Key::Ignore => config.ignore = check_ids(value).ok_or_else(invalid)?,
            Key::Timeout => {
                let seconds = value
                    .as_integer()
                    .filter(|seconds| *seconds > 0)
                    .and_then(|seconds| u64::try_from(seconds).ok());
                config.timeout = Some(seconds.ok_or_else(invalid)?);
            }
            Key::Preview => config.preview = Some(value.as_bool().ok_or_else(invalid)?),
        }
    }
    Ok(config)
}

/// A list of check IDs, or `None` when the value is not a list of well-formed IDs.
fn check_ids(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|id| id.as_str().filter(|id| is_check_id(id)).map(str::to_string))
        .collect()
}

/// `security.W004`, `guard.hsts.too_short`: letters, digits, `.`, `_` and `-`, not empty.
#[must_use]
pub fn is_check_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn parse_project_config(source: &str) -> Result<GuardConfig, ProjectConfigError> {
        parse_project_toml(source).map(|project| project.guard)
    }

    #[test]
    fn missing_table_is_the_default() {
        let source = indoc! {r#"
            [_]
            schema-version = "0.2"

            [com.example]
            other = 1
        "#};
        assert_eq!(
            parse_project_config(source).unwrap(),
            GuardConfig::default()
        );
    }

    #[test]
    fn reads_every_key() {
        let source = indoc! {r#"
            [com.release-guard]
            settings-module = "mysite.settings"
            mode = "warn"
            block = ["security.W004"]
            ignore = ["guard.hsts.too_short", "security.W021"]
            timeout = 120
            preview = false
        "#};
        let expected = GuardConfig {
            settings_module: Some("mysite.settings".to_string()),
            mode: Some(Mode::Warn),
            block: vec!["security.W004".to_string()],
            ignore: vec![
                "guard.hsts.too_short".to_string(),
                "security.W021".to_string(),
            ],
            timeout: Some(120),
            preview: Some(false),
        };
        assert_eq!(parse_project_config(source).unwrap(), expected);
    }

    #[test]
    fn accepts_what_guard_config_serialises() {
        // The key list here and GuardConfig's serde names must not drift apart.
        let config = GuardConfig {
            settings_module: Some("a.b".to_string()),
            mode: Some(Mode::Off),
            block: vec!["x.y".to_string()],
            ignore: vec!["z-1".to_string()],
            timeout: Some(5),
            preview: Some(true),
        };
        let source = format!("[com.release-guard]\n{}", toml::to_string(&config).unwrap());
        assert_eq!(parse_project_config(&source).unwrap(), config);
    }

    fn error_message(source: &str) -> String {
        parse_project_config(source).unwrap_err().to_string()
    }

    #[test]
    fn rejects_unknown_keys() {
        assert_eq!(
            error_message("[com.release-guard]\nmodes = \"warn\"\n"),
            "`modes` in the [com.release-guard] table of project.toml is not a known key; \
             allowed keys: settings-module, mode, block, ignore, timeout, preview"
        );
    }

    #[test]
    fn rejects_bad_values() {
        let cases = [
            (
                "mode = \"strict\"",
                "`mode` in the [com.release-guard] table of project.toml must be enforce, warn or off",
            ),
            (
                "timeout = 0",
                "`timeout` in the [com.release-guard] table of project.toml must be a positive whole number of seconds, such as 120",
            ),
            (
                "timeout = \"60\"",
                "`timeout` in the [com.release-guard] table of project.toml must be a positive whole number of seconds, such as 120",
            ),
            (
                "settings-module = \"my-site/settings.py\"",
                "`settings-module` in the [com.release-guard] table of project.toml must be a dotted Python module path such as \"mysite.settings\"",
            ),
            (
                "ignore = \"security.W004\"",
                "`ignore` in the [com.release-guard] table of project.toml must be a list of check IDs such as [\"security.W004\", \"guard.hsts.too_short\"] (letters, digits, '.', '_' and '-')",
            ),
            (
                "block = [\"security W004\"]",
                "`block` in the [com.release-guard] table of project.toml must be a list of check IDs such as [\"security.W004\", \"guard.hsts.too_short\"] (letters, digits, '.', '_' and '-')",
            ),
            (
                "preview = \"no\"",
                "`preview` in the [com.release-guard] table of project.toml must be true or false",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(
                error_message(&format!("[com.release-guard]\n{line}\n")),
                expected
            );
        }
    }

    #[test]
    fn rejects_non_tables_and_bad_toml() {
        assert_eq!(
            error_message("com = 1\n"),
            "`com` in project.toml must be a table"
        );
        assert_eq!(
            error_message("[com]\nrelease-guard = \"on\"\n"),
            "`com.release-guard` in project.toml must be a table"
        );
        assert!(
            error_message("[com.release-guard\n").starts_with("project.toml is not valid TOML: ")
        );
    }

    #[test]
    fn check_ids() {
        assert!(is_check_id("security.W004"));
        assert!(is_check_id("guard.hsts.too_short"));
        assert!(is_check_id("verify.redirect-missing"));
        assert!(!is_check_id(""));
        assert!(!is_check_id("security W004"));
        assert!(!is_check_id("security/W004"));
    }
}

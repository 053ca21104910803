//! The app's project.toml: the `[com.release-guard]` table, read through the validated types of
//! [`crate::config`] (so reading it is validating it, and a mistake fails the build with toml's
//! own line, column and message).

use crate::config::{GuardConfig, MAX_CONFIG_FILE_BYTES, PROJECT_TOML_TABLE};
use crate::read::{ReadError, read_bounded};
use serde::Deserialize;
use std::path::Path;

/// The project descriptor's file name, at the app root.
pub const PROJECT_TOML: &str = "project.toml";

#[derive(Debug)]
pub enum ProjectConfigError {
    /// project.toml exists but could not be read.
    Read(ReadError),
    /// project.toml is not valid TOML, or its `[com.release-guard]` table has an unknown key or
    /// a bad value.
    Invalid(toml::de::Error),
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

/// The part of project.toml the build reads; every other table is someone else's.
#[derive(Deserialize)]
struct ProjectDescriptor {
    #[serde(default)]
    com: Com,
}

#[derive(Default, Deserialize)]
#[serde(expecting = "a table")]
struct Com {
    #[serde(rename = "release-guard", default)]
    release_guard: GuardConfig,
}

/// Reads `<app_dir>/project.toml`. A missing file or a missing table is the default configuration.
///
/// # Errors
///
/// When the file cannot be read or parsed, or the table holds an unknown key or a bad value.
pub fn read_project_toml(app_dir: &Path) -> Result<ProjectToml, ProjectConfigError> {
    match read_bounded(&app_dir.join(PROJECT_TOML), MAX_CONFIG_FILE_BYTES) {
        Ok(source) => parse_project_toml(&source),
        Err(error) if error.is_not_found() => Ok(ProjectToml::default()),
        Err(error) => Err(ProjectConfigError::Read(error)),
    }
}

/// Parses project.toml's source and validates its `[com.release-guard]` table.
///
/// # Errors
///
/// See [`read_project_toml`].
pub fn parse_project_toml(source: &str) -> Result<ProjectToml, ProjectConfigError> {
    let descriptor: ProjectDescriptor =
        toml::from_str(source).map_err(ProjectConfigError::Invalid)?;
    Ok(ProjectToml {
        guard: descriptor.com.release_guard,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FailLevel, FindingIds, Ignores, Mode, SettingsModule, TimeoutSecs};
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
            ignore = ["guard.hsts_seconds_short", "security.W021", "corsheaders.E013"]
            timeout = 120
            preview = false
            fail-level = "WARNING"
            proxy-ssl-header = "X-Forwarded-Ssl: on"
            live-url = "https://www.example.com/"
        "#};
        let expected = GuardConfig {
            settings_module: SettingsModule::new("mysite.settings"),
            mode: Some(Mode::Warn),
            block: FindingIds::try_from(["security.W004"]).unwrap(),
            ignore: Ignores::try_from([
                "guard.hsts_seconds_short",
                "security.W021",
                "corsheaders.E013",
            ])
            .unwrap(),
            timeout: TimeoutSecs::new(120),
            preview: Some(false),
            fail_level: Some(FailLevel::Warning),
            proxy_ssl_header: Some("X-Forwarded-Ssl: on".parse().unwrap()),
            live_url: "https://www.example.com/".parse().ok(),
        };
        assert_eq!(parse_project_config(source).unwrap(), expected);
    }

    /// The error as the build log shows it: toml's line, column and source line, then the message.
    fn error_message(source: &str) -> String {
        match parse_project_config(source).unwrap_err() {
            ProjectConfigError::Invalid(error) => error.to_string(),
            ProjectConfigError::Read(error) => panic!("{error}"),
        }
    }

    #[test]
    fn rejects_unknown_keys() {
        assert_eq!(
            error_message("[com.release-guard]\nmodes = \"warn\"\n"),
            indoc! {"
                TOML parse error at line 2, column 1
                  |
                2 | modes = \"warn\"
                  | ^^^^^
                unknown field `modes`, expected one of `settings-module`, `mode`, `block`, `ignore`, `timeout`, `preview`, `fail-level`, `proxy-ssl-header`, `live-url`
            "}
        );
    }

    #[test]
    fn rejects_bad_values() {
        let cases = [
            ("mode = \"strict\"", "`mode` must be enforce, warn or off"),
            (
                "timeout = 0",
                "`timeout` must be a positive whole number of seconds, such as 120",
            ),
            (
                "timeout = \"60\"",
                "`timeout` must be a positive whole number of seconds, such as 120",
            ),
            (
                "settings-module = \"my-site/settings.py\"",
                "`settings-module` must be a dotted Python module path such as \"mysite.settings\"",
            ),
            (
                "ignore = \"security.W004\"",
                "`ignore` must be a list of finding IDs or tables, such as [\"security.W021\", { id = \"security.W004\", reason = \"HSTS is added by our CDN\", until = \"2027-03-31\" }]",
            ),
            (
                "ignore = [{ id = \"security.W004\" }]",
                "an `ignore` table needs a `reason` (why the finding does not apply here), such as { id = \"security.W004\", reason = \"HSTS is added by our CDN\", until = \"2027-03-31\" }",
            ),
            (
                "ignore = [{ id = \"security.W004\", reason = \"CDN\", until = \"2027-02-30\" }]",
                "`until`: `2027-02-30` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\"",
            ),
            (
                "live-url = \"http://www.example.com/\"",
                "`live-url` must be the live site's https:// address, such as \"https://www.example.com/\"",
            ),
            (
                "block = [\"security W004\"]",
                "`security W004` is not a finding ID (letters, digits, '.', '_' and '-', such as security.W004)",
            ),
            (
                "ignore = [\"security.w021\"]",
                "`security.w021` is not a finding ID Release Guard knows; did you mean `security.W021`?",
            ),
            (
                "preview = \"no\"",
                "invalid type: string \"no\", expected a boolean",
            ),
            (
                "fail-level = \"error\"",
                "`fail-level` must be default or warning",
            ),
            (
                "proxy-ssl-header = \"HTTP_X_FORWARDED_PROTOCOL\"",
                "`proxy-ssl-header` must be an HTTP header name such as \"X-Forwarded-Proto\" (letters, digits and '-'), optionally followed by \": value\" when the proxy sends something other than https, such as \"X-Forwarded-Ssl: on\"",
            ),
        ];
        for (line, expected) in cases {
            let message = error_message(&format!("[com.release-guard]\n{line}\n"));
            assert!(
                message.starts_with("TOML parse error at line 2, column "),
                "{message}"
            );
            assert!(message.contains(&format!("\n2 | {line}\n")), "{message}");
            assert!(message.ends_with(&format!("\n{expected}\n")), "{message}");
        }
    }

    #[test]
    fn rejects_non_tables_and_bad_toml() {
        assert!(
            error_message("com = 1\n").ends_with("invalid type: integer `1`, expected a table\n")
        );
        assert!(
            error_message("[com]\nrelease-guard = \"on\"\n")
                .ends_with("invalid type: string \"on\", expected a table\n")
        );
        assert!(error_message("[com.release-guard\n").ends_with("unclosed table, expected `]`\n"));
    }
}

//! Configuration shared by the buildpack (which reads it from project.toml and writes the
//! resolved result into the launch layer) and the gate (which reads that file at release time
//! and lets environment variables override it, so changing it needs no rebuild).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use toml::Value;

mod ignores;
#[cfg(test)]
use ignores::{FINDING_IDS_EXAMPLE, IGNORE_EXAMPLE, IGNORE_TABLE_EXAMPLE};
pub use ignores::{FindingId, FindingIds, IgnoreEntry, IgnoreReason, Ignores};

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
    /// Comma-separated IDs to ignore, each optionally with an end date (`security.W004@2027-03-31`).
    pub const IGNORE: &str = "RELEASE_GUARD_IGNORE";
    /// The live site (the previous release) to compare the new release with.
    pub const LIVE_URL: &str = "RELEASE_GUARD_LIVE_URL";
    /// The Python interpreter to run the probe with.
    pub const PYTHON: &str = "RELEASE_GUARD_PYTHON";
    /// `default` or `warning`: how strict the gate is about warnings.
    pub const FAIL_LEVEL: &str = "RELEASE_GUARD_FAIL_LEVEL";
    /// The header the proxy in front of the app sets on HTTPS requests.
    pub const PROXY_SSL_HEADER: &str = "RELEASE_GUARD_PROXY_SSL_HEADER";
    /// Django's own variable naming the settings module.
    pub const DJANGO_SETTINGS_MODULE: &str = "DJANGO_SETTINGS_MODULE";
}

/// Default probe timeout: generous, because Heroku's release phase allows an hour and a cold
/// dyno can be slow; a hung settings module must still not hold a release forever.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// The largest configuration file read (project.toml, the launch config) through
/// [`crate::read::read_bounded`]: far above any real one, and small enough that a wrong path
/// cannot exhaust memory.
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;

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

/// Which findings fail the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "Value")]
pub enum FailLevel {
    /// Errors, the guard's blocking rules and a curated list of Django's warnings.
    #[default]
    Default,
    /// Every warning too, Django's (any tag) and the guard's, like
    /// `manage.py check --deploy --fail-level WARNING`.
    Warning,
}

impl FailLevel {
    pub const ALLOWED: &'static str = "default or warning";
}

impl FromStr for FailLevel {
    type Err = String;

    /// Case-insensitive, so Django's spelling (`WARNING`) works too.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "default" => Ok(Self::Default),
            "warning" => Ok(Self::Warning),
            other => Err(format!(
                "`{other}` is not a fail level; use {}",
                Self::ALLOWED
            )),
        }
    }
}

impl TryFrom<Value> for FailLevel {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_str()
            .and_then(|level| level.parse().ok())
            .ok_or_else(|| format!("`fail-level` must be {}", Self::ALLOWED))
    }
}

impl fmt::Display for FailLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Default => "default",
            Self::Warning => "warning",
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

/// The header, and its value, that the proxy in front of the app sets on HTTPS requests (and
/// that `SECURE_PROXY_SSL_HEADER` must therefore name): `X-Forwarded-Proto: https` behind
/// Heroku's router and most platforms' routers. Written `Name` (value `https`) or `Name: value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "String")]
pub struct ProxySslHeader {
    name: String,
    value: String,
}

impl ProxySslHeader {
    pub const ALLOWED: &'static str = "an HTTP header name such as \"X-Forwarded-Proto\" (letters, digits and '-'), optionally followed by \": value\" when the proxy sends something other than https, such as \"X-Forwarded-Ssl: on\"";

    /// The header as the proxy sends it, e.g. `X-Forwarded-Proto`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value that means HTTPS, e.g. `https`.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The header's key in Django's `request.META`, e.g. `HTTP_X_FORWARDED_PROTO`.
    #[must_use]
    pub fn meta_key(&self) -> String {
        format!("HTTP_{}", self.name.to_ascii_uppercase().replace('-', "_"))
    }
}

impl Default for ProxySslHeader {
    fn default() -> Self {
        Self {
            name: "X-Forwarded-Proto".to_string(),
            value: "https".to_string(),
        }
    }
}

impl FromStr for ProxySslHeader {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, value) = match text.split_once(':') {
            Some((name, value)) => (name.trim(), value.trim()),
            None => (text.trim(), "https"),
        };
        // Servers drop or mangle header names with `_`; Django reads the first comma-separated
        // value, so a value with a comma or a space could never match.
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let valid_value =
            !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic() && c != ',');
        if valid_name && valid_value {
            Ok(Self {
                name: name.to_string(),
                value: value.to_string(),
            })
        } else {
            Err(format!("`{text}` is not {}", Self::ALLOWED))
        }
    }
}

impl TryFrom<Value> for ProxySslHeader {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_str()
            .and_then(|header| header.parse().ok())
            .ok_or_else(|| format!("`proxy-ssl-header` must be {}", Self::ALLOWED))
    }
}

impl From<ProxySslHeader> for String {
    fn from(header: ProxySslHeader) -> Self {
        header.to_string()
    }
}

impl fmt::Display for ProxySslHeader {
    /// `X-Forwarded-Proto` for the usual `https` value, else `X-Forwarded-Ssl: on`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value == "https" {
            f.write_str(&self.name)
        } else {
            write!(f, "{}: {}", self.name, self.value)
        }
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

/// The live site's HTTPS address, compared with the new release (`live-url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "String")]
pub struct LiveUrl(String);

impl LiveUrl {
    pub const ALLOWED: &'static str =
        "the live site's https:// address, such as \"https://www.example.com/\"";

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for LiveUrl {
    type Err = String;

    /// `https://host[:port][/path]`; a bare host means its root over HTTPS. The full parse
    /// (IDN, IP literals) happens where the request is made.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let problem = || format!("`{text}` is not {}", Self::ALLOWED);
        let rest = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            Some(_) => return Err(problem()),
            None => text,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        // `[::1]:8443`, `example.com:8443` or `example.com`.
        let (host, port) = match authority.strip_prefix('[') {
            Some(bracketed) => match bracketed.split_once(']') {
                Some((host, "")) => (host, None),
                Some((host, port)) => (host, port.strip_prefix(':').or(Some(""))),
                None => ("", None),
            },
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || "-.:".contains(c));
        let port_ok = port.is_none_or(|port| port.parse::<u16>().is_ok_and(|port| port > 0));
        let clean =
            !rest.chars().any(|c| c.is_whitespace() || c.is_control()) && !rest.contains('@');
        if host_ok && port_ok && clean {
            Ok(Self(format!("https://{rest}")))
        } else {
            Err(problem())
        }
    }
}

impl TryFrom<Value> for LiveUrl {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        value
            .as_str()
            .and_then(|url| url.parse().ok())
            .ok_or_else(|| format!("`live-url` must be {}", Self::ALLOWED))
    }
}

impl From<LiveUrl> for String {
    fn from(url: LiveUrl) -> Self {
        url.0
    }
}

impl fmt::Display for LiveUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
    /// Findings to ignore (listed as silenced, never block), each with its reason and end.
    #[serde(default, skip_serializing_if = "Ignores::is_empty")]
    pub ignore: Ignores,
    /// Probe timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<TimeoutSecs>,
    /// Run the gate in advisory mode during the build when Django is importable (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview: Option<bool>,
    /// `warning` makes every warning block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_level: Option<FailLevel>,
    /// The header the proxy in front of the app sets on HTTPS requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_ssl_header: Option<ProxySslHeader>,
    /// The live site, compared with the new release at release time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_url: Option<LiveUrl>,
}

/// What the buildpack resolved at build time, written to `<guard layer>/release-guard.toml`
/// so the release process does not re-detect anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LaunchConfig {
    /// The settings module the build resolved, a record of what the build log showed. The
    /// release resolves again with its own environment (`settings_resolution`): a module the
    /// build environment named is not necessarily what the release's processes load.
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
    fn fail_levels_in_either_case() {
        assert_eq!("WARNING".parse(), Ok(FailLevel::Warning));
        assert_eq!(" default ".parse(), Ok(FailLevel::Default));
        assert_eq!(
            "info".parse::<FailLevel>(),
            Err("`info` is not a fail level; use default or warning".to_string())
        );
        assert_eq!(FailLevel::Warning.to_string(), "warning");
    }

    #[test]
    fn proxy_ssl_headers_name_a_header_and_what_means_https() {
        let default = ProxySslHeader::default();
        assert_eq!(
            (default.name(), default.value(), default.meta_key().as_str()),
            ("X-Forwarded-Proto", "https", "HTTP_X_FORWARDED_PROTO")
        );
        assert_eq!("X-Forwarded-Proto".parse(), Ok(default));
        let ssl: ProxySslHeader = "x-forwarded-ssl : on".parse().unwrap();
        assert_eq!(ssl.meta_key(), "HTTP_X_FORWARDED_SSL");
        assert_eq!(ssl.to_string(), "x-forwarded-ssl: on");
        for bad in [
            "",
            "HTTP_X_FORWARDED_PROTO",
            "X Forwarded",
            "X-Proto:",
            "X-Proto: a,b",
        ] {
            assert!(bad.parse::<ProxySslHeader>().is_err(), "{bad:?}");
        }
    }

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
    fn proxy_ssl_header_round_trips_through_toml() {
        let config = GuardConfig {
            proxy_ssl_header: Some("X-Forwarded-Ssl: on".parse().unwrap()),
            fail_level: Some(FailLevel::Warning),
            ..GuardConfig::default()
        };
        let text = toml::to_string(&config).unwrap();
        assert_eq!(
            text,
            "fail-level = \"warning\"\nproxy-ssl-header = \"X-Forwarded-Ssl: on\"\n"
        );
        assert_eq!(toml::from_str::<GuardConfig>(&text).unwrap(), config);
        assert!(toml::from_str::<GuardConfig>("proxy-ssl-header = \"a_b\"").is_err());
    }

    #[test]
    fn a_launch_config_round_trips() {
        let config = LaunchConfig {
            settings_module: SettingsModule::new("built.settings"),
            guard: GuardConfig {
                settings_module: SettingsModule::new("a.b"),
                mode: Some(Mode::Off),
                block: FindingIds::try_from(["security.W021"]).unwrap(),
                ignore: vec![
                    "corsheaders.E013".parse().unwrap(),
                    IgnoreEntry {
                        id: "security.W004".parse().unwrap(),
                        reason: Some(IgnoreReason::new("HSTS is added by our CDN").unwrap()),
                        until: "2027-03-31".parse().ok(),
                    },
                ]
                .into(),
                timeout: TimeoutSecs::new(5),
                preview: Some(true),
                fail_level: None,
                proxy_ssl_header: None,
                live_url: "www.example.com".parse().ok(),
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
                ignore = ["corsheaders.E013", { id = "security.W004", reason = "HSTS is added by our CDN", until = "2027-03-31" }]
                timeout = 5
                preview = true
                live-url = "https://www.example.com"
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
            format!("`ignore` must be a list of finding IDs or tables, such as {IGNORE_EXAMPLE}")
        );
        assert_eq!(
            message("ignore = [4]"),
            format!("`ignore` lists finding IDs as strings, or tables, such as {IGNORE_EXAMPLE}")
        );
        assert_eq!(
            message("block = [4]"),
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
    fn the_example_ids_in_the_message_are_real() {
        let example: GuardConfig =
            toml::from_str(&format!("block = {FINDING_IDS_EXAMPLE}")).unwrap();
        assert_eq!(example.block.iter().count(), 2);
    }

    #[test]
    fn ignores_are_plain_ids_or_tables_with_a_reason() {
        let read = |source: &str| toml::from_str::<GuardConfig>(source).map(|config| config.ignore);
        let inline = read(indoc! {r#"
            ignore = ["security.W021", { id = "security.W004", reason = " HSTS is added by our CDN ", until = "2027-03-31" }, { id = "corsheaders.E013", reason = "CORS is off" }]
        "#})
        .unwrap();
        let tables = read(indoc! {r#"
            [[ignore]]
            id = "security.W004"
            reason = "HSTS is added by our CDN"
            until = 2027-03-31

            [[ignore]]
            id = "security.W021"
            reason = "not preloaded yet"
        "#})
        .unwrap();
        assert_eq!(tables.iter().next(), inline.iter().nth(1));
        assert_eq!(
            tables.iter().nth(1).map(|entry| entry.id.as_str()),
            Some("security.W021")
        );
        let entries: Vec<_> = inline
            .iter()
            .map(|entry| {
                (
                    entry.id.as_str(),
                    entry.reason.as_ref().map(IgnoreReason::as_str),
                    entry.until.map(|until| until.to_string()),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                ("security.W021", None, None),
                (
                    "security.W004",
                    Some("HSTS is added by our CDN"),
                    Some("2027-03-31".to_string())
                ),
                ("corsheaders.E013", Some("CORS is off"), None),
            ]
        );
        let message = |source: &str| read(source).unwrap_err().message().to_string();
        let needs_reason = format!(
            "an `ignore` table needs a `reason` (why the finding does not apply here), such as {IGNORE_TABLE_EXAMPLE}"
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.W004" }]"#),
            needs_reason
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.W004", reason = 1 }]"#),
            needs_reason
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.W004", reason = "  " }]"#),
            "an `ignore` table's `reason` must say why, it is empty"
        );
        assert_eq!(
            message(r#"ignore = [{ reason = "x" }]"#),
            format!("an `ignore` table needs an `id`, such as {IGNORE_TABLE_EXAMPLE}")
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.W004", reason = "x", until = "2027-02-30" }]"#),
            "`until`: `2027-02-30` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\""
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.W004", reason = "x", expires = "2027-02-01" }]"#),
            "an `ignore` table takes `id`, `reason` and `until`, not `expires`"
        );
        assert_eq!(
            message(r#"ignore = [{ id = "security.w004", reason = "x" }]"#),
            "`security.w004` is not a finding ID Release Guard knows; did you mean `security.W004`?"
        );
    }

    #[test]
    fn ignores_from_the_environment_may_carry_an_end_date() {
        let ignores =
            Ignores::from_comma_separated("security.W004@2027-03-31, corsheaders.E013,").unwrap();
        let entries: Vec<_> = ignores
            .iter()
            .map(|entry| {
                (
                    entry.id.as_str(),
                    entry.until.map(|until| until.to_string()),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                ("security.W004", Some("2027-03-31".to_string())),
                ("corsheaders.E013", None)
            ]
        );
        assert_eq!(
            Ignores::from_comma_separated("security.W004@31.03.2027"),
            Err(
                "`31.03.2027` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\""
                    .to_string()
            )
        );
    }

    #[test]
    fn live_urls_are_https_addresses() {
        for (written, url) in [
            ("www.example.com", "https://www.example.com"),
            ("https://www.example.com/", "https://www.example.com/"),
            (
                "HTTPS://localhost:8443/health?x=1",
                "https://localhost:8443/health?x=1",
            ),
            ("https://[::1]:8443/", "https://[::1]:8443/"),
        ] {
            assert_eq!(
                written.parse::<LiveUrl>().map(String::from),
                Ok(url.to_string())
            );
        }
        for bad in [
            "http://www.example.com",
            "ftp://x",
            "https://",
            "https://user@example.com/",
            "https://example.com:0/",
            "https://example.com:https/",
            "https://exa mple.com/",
            "https://[::1/",
        ] {
            assert!(bad.parse::<LiveUrl>().is_err(), "{bad}");
        }
        assert_eq!(
            toml::from_str::<GuardConfig>("live-url = \"http://example.com\"")
                .unwrap_err()
                .message(),
            "`live-url` must be the live site's https:// address, such as \"https://www.example.com/\""
        );
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
                "`guard.nope` is not a finding ID Release Guard knows; did you mean `guard.csp_not_sent`?"
                    .to_string()
            )
        );
    }
}

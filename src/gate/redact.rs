//! Scrubbing environment variable values out of text the guard shows, such as the probe's
//! output when it gave no answer. Config vars hold the secrets on Heroku (`SECRET_KEY`,
//! `DATABASE_URL`), so every value long enough to be one is replaced by `[redacted]`.
//!
//! The probe applies the same rule on the Python side: the runner hands it
//! [`HARMLESS_ENV_VARS`] so both sides share one list.

use std::borrow::Cow;
use std::ffi::OsStr;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter values (`true`, `5432`, `web.1`) are too common to redact without mangling text.
pub const MIN_SECRET_LENGTH: usize = 6;

/// Variables whose values are paths, locales or names that the user needs to see in diagnostics
/// and that never hold a secret.
pub const HARMLESS_ENV_VARS: &[&str] = &[
    "PATH",
    "HOME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "USER",
    "LOGNAME",
    "TERM",
    "TMPDIR",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "DJANGO_SETTINGS_MODULE",
    "DYNO",
    "PORT",
    "STACK",
    // The guard's own configuration: users must see what they set.
    "RELEASE_GUARD_CONFIG",
    "RELEASE_GUARD_MODE",
    "RELEASE_GUARD_PYTHON",
    "RELEASE_GUARD_TIMEOUT",
    "RELEASE_GUARD_BLOCK",
    "RELEASE_GUARD_IGNORE",
    "RELEASE_GUARD_FAIL_LEVEL",
    "RELEASE_GUARD_PROXY_SSL_HEADER",
    "RELEASE_GUARD_PROBE_PROXY_SSL_HEADER",
];

/// Replaces known secret values in text, longest first so that a secret containing another
/// is removed whole.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Every value of `vars` that is at least [`MIN_SECRET_LENGTH`] long and valid UTF-8, unless
    /// its name is in [`HARMLESS_ENV_VARS`]. Later pairs override earlier ones, like
    /// `Command::env` over the inherited environment.
    pub fn from_env<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let mut effective = std::collections::BTreeMap::new();
        for (name, value) in vars {
            effective.insert(name.as_ref().to_owned(), value.as_ref().to_owned());
        }
        let secrets = effective
            .into_iter()
            .filter(|(name, _)| !is_harmless(name))
            .filter_map(|(_, value)| value.into_string().ok())
            .filter(|value| value.chars().count() >= MIN_SECRET_LENGTH);
        Self::from_secrets(secrets)
    }

    /// A redactor for the given secret values.
    pub fn from_secrets(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Self { secrets }
    }

    /// `text` with every secret replaced by [`REDACTED`].
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), REDACTED));
            }
        }
        text
    }
}

/// Never shows the secrets themselves, only how many there are.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

fn is_harmless(name: &OsStr) -> bool {
    HARMLESS_ENV_VARS.iter().any(|harmless| name == *harmless)
}

/// [`HARMLESS_ENV_VARS`] as the probe reads it: names joined by commas.
#[must_use]
pub fn harmless_env_vars_list() -> String {
    HARMLESS_ENV_VARS.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_long_values_except_harmless_names() {
        let redactor = Redactor::from_env([
            ("SECRET_KEY", "s3cret-value-123"),
            ("DATABASE_URL", "postgres://u:pw@db.example.net/app"),
            ("PATH", "/usr/local/bin:/usr/bin"),
            ("USE_SSL", "true"),
            ("RELEASE_GUARD_PYTHON", "/opt/venv/bin/python3"),
        ]);
        assert_eq!(
            redactor.redact(
                "key s3cret-value-123 at postgres://u:pw@db.example.net/app in /usr/local/bin:/usr/bin, ssl true, python /opt/venv/bin/python3"
            ),
            "key [redacted] at [redacted] in /usr/local/bin:/usr/bin, ssl true, python /opt/venv/bin/python3"
        );
    }

    #[test]
    fn longest_secret_first_and_later_values_override() {
        let redactor = Redactor::from_env([
            ("SHORT", "abcdef"),
            ("LONG", "abcdefghij"),
            ("SHORT", "zzzzzz"),
        ]);
        assert_eq!(
            redactor.redact("abcdefghij abcdef zzzzzz"),
            "[redacted] abcdef [redacted]"
        );
    }

    #[test]
    fn untouched_text_is_borrowed_and_debug_hides_values() {
        let redactor = Redactor::from_secrets(["hunter22".to_string()]);
        assert!(matches!(redactor.redact("nothing here"), Cow::Borrowed(_)));
        assert_eq!(format!("{redactor:?}"), "Redactor { secrets: 1 }");
    }
}

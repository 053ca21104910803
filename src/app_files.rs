//! What the app's own files say, read without running them: the settings module `manage.py`
//! defaults to, and the Procfile's process types. Pure parsers of the files' text, used by the
//! buildpack (at build time) and the gate (at release time).

use crate::config::SettingsModule;
use std::collections::BTreeMap;

/// The module in `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "<module>")`, as written by
/// `django-admin startproject` in manage.py (and in wsgi.py / asgi.py).
#[must_use]
pub fn settings_module_from_manage_py(source: &str) -> Option<SettingsModule> {
    source
        .match_indices("setdefault(")
        .find_map(|(start, call)| {
            let mut rest = &source[start + call.len()..];
            let key = take_string_literal(&mut rest)?;
            if key != "DJANGO_SETTINGS_MODULE" {
                return None;
            }
            rest = rest.trim_start().strip_prefix(',')?;
            SettingsModule::new(&take_string_literal(&mut rest)?)
        })
}

/// Reads one single- or double-quoted Python string literal (no escapes: module names have none)
/// from the start of `rest`, skipping leading whitespace, and advances past it.
fn take_string_literal(rest: &mut &str) -> Option<String> {
    let trimmed = rest.trim_start();
    let quote = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &trimmed[1..];
    let end = body.find(quote)?;
    *rest = &body[end + 1..];
    Some(body[..end].to_string())
}

/// A Procfile's process types and commands, following the CNB Procfile buildpack's grammar:
/// `key: command` lines, `#` comments and blank lines ignored, keys normalised to lowercase with
/// `_` turned into `-`, and the last definition of a key winning.
#[must_use]
pub fn parse_procfile(source: &str) -> BTreeMap<String, String> {
    source
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let (key, command) = line.split_once(':')?;
            let key = key.trim().to_ascii_lowercase().replace('_', "-");
            let command = command.trim();
            let valid_key = !key.is_empty()
                && key.len() <= 63
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            (valid_key && !command.is_empty()).then(|| (key, command.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    #[test]
    fn reads_startproject_manage_py() {
        let source = indoc! {r#"
            def main():
                """Run administrative tasks."""
                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        "#};
        assert_eq!(
            settings_module_from_manage_py(source)
                .as_ref()
                .map(SettingsModule::as_str),
            Some("mysite.settings")
        );
    }

    #[test]
    fn reads_single_quotes_and_line_breaks() {
        let source = "os.environ.setdefault(\n    'DJANGO_SETTINGS_MODULE',\n    'config.settings.production',\n)";
        assert_eq!(
            settings_module_from_manage_py(source)
                .as_ref()
                .map(SettingsModule::as_str),
            Some("config.settings.production")
        );
    }

    #[test]
    fn ignores_other_setdefaults_and_non_modules() {
        let source = indoc! {r#"
            os.environ.setdefault("PYTHONUNBUFFERED", "1")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{name}.settings")
        "#};
        assert_eq!(settings_module_from_manage_py(source), None);
        let source = r#"os.environ.setdefault("OTHER", "x"); os.environ.setdefault("DJANGO_SETTINGS_MODULE", "a.b")"#;
        assert_eq!(
            settings_module_from_manage_py(source)
                .as_ref()
                .map(SettingsModule::as_str),
            Some("a.b")
        );
    }

    #[test]
    fn parses_procfile_like_the_procfile_buildpack() {
        let source = indoc! {"
            # processes
            web: gunicorn mysite.wsgi --forwarded-allow-ips='*'

            release: python manage.py migrate --noinput
            Worker_Queue: python worker.py
            release: ./release.sh
            not a process line
        "};
        let procfile = parse_procfile(source);
        assert_eq!(
            procfile.get("web").map(String::as_str),
            Some("gunicorn mysite.wsgi --forwarded-allow-ips='*'")
        );
        assert_eq!(
            procfile.get("release").map(String::as_str),
            Some("./release.sh")
        );
        assert_eq!(
            procfile.get("worker-queue").map(String::as_str),
            Some("python worker.py")
        );
        assert_eq!(procfile.len(), 3);
    }
}

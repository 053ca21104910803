//! Advice: after the rules and the policy ran, each finding's fix is turned into the change that
//! applies to this app, from the snapshot's provenance: the config var to set or unset, or the
//! line to write in the file that actually holds the setting. Rules stay pure and never see
//! provenance; any rule whose fix is `SETTING = value` lines gets advice, and a weak
//! `SECRET_KEY` gets a generated key in the config var the app reads.
//!
//! A config var is named only when the probe recorded the app reading it while its settings
//! loaded ([`Provenance::was_read`]); otherwise the advice is a line in the settings module.

use crate::finding::{Advice, Change, Finding, Location};
use crate::gate::snapshot::{
    ConfigVar, Origin, Provenance, SequenceForm, SettingSource, Snapshot, SourceLine,
};
use crate::report::{Platform, fix_lines, shell_word};
use serde_json::Value;

/// The rule that asks for a line to be deleted rather than written.
use crate::finding_ids::guard::DEAD_SETTING;
/// Django's check of a weak `SECRET_KEY`: its fix is a new key in a config var.
const WEAK_SECRET_KEY: &str = "security.W009";
const SECRET_KEY: &str = "SECRET_KEY";
/// A shell command that prints a new key, as the config var's value.
const GENERATED_KEY: &str = r#""$(python -c 'import secrets; print(secrets.token_urlsafe(50))')""#;
/// The line that reads the key from a config var, for an app that does not read one yet.
const SECRET_KEY_LINE: &str = r#"SECRET_KEY = os.environ["SECRET_KEY"]"#;

/// What a finding requires of one setting, read from its fix line `SETTING = value`.
#[derive(Debug, Clone, PartialEq)]
struct Required {
    setting: String,
    /// The value as JSON (tuples as arrays); None for "delete the line".
    value: Option<Value>,
    /// The line to write, as the rule wrote it.
    line: String,
    /// A new secret value, never a literal: a generated key in a config var.
    secret: bool,
}

/// Attaches advice and a location to every finding whose setting the probe traced, and renders
/// each fix for `platform`.
pub fn attach(findings: &mut [Finding], snapshot: &Snapshot, platform: Platform) {
    let Some(provenance) = &snapshot.provenance else {
        return;
    };
    for finding in findings {
        let source = finding
            .setting
            .as_ref()
            .and_then(|setting| provenance.settings.get(setting));
        if let Some(source) = source {
            let at = if source.certain {
                &source.at
            } else {
                &provenance.settings_file
            };
            finding.location = Some(location(at));
        }
        let advice: Option<Vec<Vec<Advice>>> = requirements(finding)
            .into_iter()
            .filter(|required| !already_right(snapshot, required))
            .map(|required| advise(&required, provenance))
            .collect();
        let advice = advice.map(|advice| advice.into_iter().flatten().collect::<Vec<_>>());
        let Some(advice) = advice.filter(|advice| !advice.is_empty()) else {
            continue;
        };
        finding.fix = Some(fix_lines(advice.iter(), platform).join("\n"));
        if let Some(first) = advice.iter().find_map(|advice| advice.location.clone()) {
            finding.location = Some(first);
        }
        finding.advice = advice;
    }
}

fn location(line: &SourceLine) -> Location {
    Location {
        file: line.file.clone(),
        line: line.line,
    }
}

/// The settings the finding's fix writes, or the setting a dead-setting finding deletes.
fn requirements(finding: &Finding) -> Vec<Required> {
    if finding.id == DEAD_SETTING {
        return finding
            .setting
            .iter()
            .map(|setting| Required {
                setting: setting.clone(),
                value: None,
                line: String::new(),
                secret: false,
            })
            .collect();
    }
    if finding.id == WEAK_SECRET_KEY {
        return vec![Required {
            setting: SECRET_KEY.to_string(),
            value: Some(Value::String(GENERATED_KEY.to_string())),
            line: SECRET_KEY_LINE.to_string(),
            secret: true,
        }];
    }
    let Some(fix) = &finding.fix else {
        return Vec::new();
    };
    let lines: Option<Vec<Required>> = fix.lines().map(setting_line).collect();
    lines.unwrap_or_default()
}

/// `SECURE_SSL_REDIRECT = True` (a trailing `# comment` allowed) as a requirement.
fn setting_line(line: &str) -> Option<Required> {
    let (setting, value) = line.split_once(" = ")?;
    let is_setting = !setting.is_empty()
        && setting
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !is_setting {
        return None;
    }
    let (value, rest) = python_literal(value.trim_start())?;
    let rest = rest.trim_start();
    (rest.is_empty() || rest.starts_with('#')).then(|| Required {
        setting: setting.to_string(),
        value: Some(value),
        line: line.to_string(),
        secret: false,
    })
}

/// Parses a Python literal the fixes use (True, False, None, ints, strings, tuples and lists
/// of them) into its JSON form; returns it and the text after it.
fn python_literal(text: &str) -> Option<(Value, &str)> {
    let text = text.trim_start();
    for (word, value) in [
        ("True", Value::Bool(true)),
        ("False", Value::Bool(false)),
        ("None", Value::Null),
    ] {
        if let Some(rest) = text.strip_prefix(word) {
            return Some((value, rest));
        }
    }
    let first = text.chars().next()?;
    match first {
        '"' | '\'' => {
            let end = text[1..].find(first)? + 1;
            Some((Value::String(text[1..end].to_string()), &text[end + 1..]))
        }
        '(' | '[' => {
            let close = if first == '(' { ')' } else { ']' };
            let mut items = Vec::new();
            let mut rest = text[1..].trim_start();
            loop {
                if let Some(after) = rest.strip_prefix(close) {
                    return Some((Value::Array(items), after));
                }
                let (item, after) = python_literal(rest)?;
                items.push(item);
                rest = after.trim_start();
                match rest.strip_prefix(',') {
                    Some(after) => rest = after.trim_start(),
                    None if rest.starts_with(close) => {}
                    None => return None,
                }
            }
        }
        _ => {
            let end = text
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(text.len());
            let number: i64 = text[..end].parse().ok()?;
            Some((Value::from(number), &text[end..]))
        }
    }
}

/// The setting already has the required value: repeating it would only confuse.
fn already_right(snapshot: &Snapshot, required: &Required) -> bool {
    let Some(value) = required.value.as_ref().filter(|_| !required.secret) else {
        return false;
    };
    // Behind a server that trusts the router, Django sees HTTPS without the proxy header.
    if required.setting == "SECURE_PROXY_SSL_HEADER" && snapshot.proxy_trust.trusted {
        return true;
    }
    snapshot
        .settings
        .get(&required.setting)
        .is_some_and(|current| current.value == *value && !current.is_none())
}

/// `have` gives what `want` asks for: equal, or at least as many seconds.
fn satisfies(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Number(have), Value::Number(want)) => have
            .as_i64()
            .zip(want.as_i64())
            .is_some_and(|(have, want)| have >= want),
        _ => have == want,
    }
}

/// The text a config var needs for the setting to become `want`, quoted for a shell where it
/// needs to be; None when the code's conversion cannot give it.
fn config_value(config_var: &ConfigVar, want: &Value) -> Option<String> {
    match want {
        Value::Bool(true) => config_var.conversion.true_string.clone(),
        Value::Bool(false) => config_var.conversion.false_string.clone(),
        Value::Number(number) if config_var.conversion.accepts_int => Some(number.to_string()),
        Value::Array(items) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            match (config_var.conversion.sequence_form?, texts?) {
                (SequenceForm::Comma, texts) => Some(shell_word(&texts.join(","))),
                (SequenceForm::Json, _) => Some(shell_word(&want.to_string())),
            }
        }
        Value::String(text) if config_var.conversion.accepts_text => Some(shell_word(text)),
        _ => None,
    }
}

/// For a config var whose presence alone counts: `true` when setting it gives `want`.
fn presence_value(config_var: &ConfigVar, want: &Value) -> Option<String> {
    let conversion = &config_var.conversion;
    conversion
        .when_set
        .as_ref()
        .filter(|set| conversion.presence && satisfies(&set.value, want))
        .map(|_| "true".to_string())
}

/// The changes that give `required.setting` its required value in this app.
fn advise(required: &Required, provenance: &Provenance) -> Option<Vec<Advice>> {
    let source = provenance.settings.get(&required.setting)?;
    let setting = &required.setting;
    let end = &provenance.settings_file;
    let advice = |change, at: &SourceLine, reason: String| Advice {
        setting: setting.clone(),
        change,
        location: Some(location(at)),
        reason,
    };
    let add_line = |reason: String| {
        advice(
            Change::AddLine {
                text: required.line.clone(),
            },
            end,
            reason,
        )
    };
    // A config var the app did not read is never named.
    let read = |config_var: &ConfigVar| provenance.was_read(config_var);
    if !source.certain {
        let reason = format!(
            "Release Guard could not tell which line sets {setting}; a line at the end of {}, the settings module Django loaded, overrides it.",
            end.file
        );
        return Some(secret_key_line(required, add_line(reason)));
    }
    let Some(want) = &required.value else {
        return (source.origin == Origin::Assignment).then(|| {
            vec![advice(
                Change::DeleteLine,
                &source.at,
                format!("{setting} is set at {}:{}.", source.at.file, source.at.line),
            )]
        });
    };
    if let Some(config_var) = source.config_var.as_ref().filter(|var| read(var)) {
        return Some(vec![from_config_var(required, source, config_var, want)]);
    }
    match source.origin {
        Origin::Assignment => {
            let edit = advice(
                Change::EditLine {
                    text: required.line.clone(),
                },
                &source.at,
                format!(
                    "replace line {} of {}, where {setting} is set.",
                    source.at.line, source.at.file
                ),
            );
            Some(secret_key_line(required, edit))
        }
        Origin::SwitchedOff => {
            let switch = source
                .switch
                .as_ref()
                .filter(|switch| read(&switch.config_var));
            let block_fixes = source
                .literal
                .as_ref()
                .is_some_and(|literal| satisfies(&literal.value, want));
            let needed = switch.and_then(|switch| switch.config_var.needed.as_ref());
            match (switch, needed.filter(|_| block_fixes)) {
                (Some(switch), Some(value)) => Some(vec![advice(
                    Change::SetConfigVar {
                        config_var: switch.config_var.name.clone(),
                        value: value.clone(),
                    },
                    &SourceLine {
                        file: switch.file.clone(),
                        line: switch.line,
                    },
                    format!(
                        "the block at {}:{} runs only when the {} config var is {value} ({}){}.",
                        switch.file,
                        switch.line,
                        switch.config_var.name,
                        switch.config_var.naming,
                        env_file_note(&switch.config_var)
                    ),
                )]),
                _ => Some(secret_key_line(
                    required,
                    add_line(default_reason(setting, end)),
                )),
            }
        }
        Origin::Default => Some(secret_key_line(
            required,
            add_line(default_reason(setting, end)),
        )),
    }
}

/// For a new secret key, the code line reads it from the `SECRET_KEY` config var, which is then
/// set to a generated key; any other line stands alone.
fn secret_key_line(required: &Required, mut line: Advice) -> Vec<Advice> {
    if !required.secret {
        return vec![line];
    }
    line.reason = format!(
        "{} Write the line that reads the key from the {SECRET_KEY} config var, and set that to a new random key.",
        line.reason
    );
    let set = Advice {
        setting: required.setting.clone(),
        change: Change::SetConfigVar {
            config_var: SECRET_KEY.to_string(),
            value: GENERATED_KEY.to_string(),
        },
        location: line.location.clone(),
        reason: line.reason.clone(),
    };
    vec![line, set]
}

fn default_reason(setting: &str, end: &SourceLine) -> String {
    format!(
        "{setting} is left at Django's default; add it to {}, the settings module Django loaded.",
        end.file
    )
}

/// `; .env also sets it, but the config var wins` when a file read while the settings loaded
/// sets the config var too.
fn env_file_note(config_var: &ConfigVar) -> String {
    if config_var.env_files.is_empty() {
        return String::new();
    }
    format!(
        "; {} also sets it, but the config var wins",
        config_var.env_files.join(" and ")
    )
}

/// Set or unset the config var the winning line reads; when its conversion cannot be told, say
/// so and point at the line.
fn from_config_var(
    required: &Required,
    source: &SettingSource,
    config_var: &ConfigVar,
    want: &Value,
) -> Advice {
    let setting = &required.setting;
    let how = if config_var.conversion.presence {
        format!(
            "sets {setting} from whether the {} config var is set ({}; any value counts)",
            config_var.name, config_var.naming
        )
    } else {
        format!(
            "reads {setting} from the {} config var ({})",
            config_var.name, config_var.naming
        )
    };
    let reads = format!(
        "{}:{} {how}{}",
        source.at.file,
        source.at.line,
        env_file_note(config_var)
    );
    let default_fixes = !required.secret
        && config_var
            .when_unset
            .as_ref()
            .is_some_and(|default| satisfies(&default.value, want));
    let (change, reason) = if config_var.is_set && default_fixes {
        (
            Change::UnsetConfigVar {
                config_var: config_var.name.clone(),
            },
            format!(
                "{reads}; unset, it is {}.",
                python_text(want, &required.line)
            ),
        )
    } else if required.secret && config_var.conversion.accepts_text {
        (
            Change::SetConfigVar {
                config_var: config_var.name.clone(),
                value: GENERATED_KEY.to_string(),
            },
            format!("{reads}: set it to a new random key."),
        )
    } else if let Some(value) = presence_value(config_var, want)
        .or_else(|| config_value(config_var, want))
        .filter(|_| !required.secret)
    {
        (
            Change::SetConfigVar {
                config_var: config_var.name.clone(),
                value,
            },
            format!("{reads}."),
        )
    } else {
        let line = if required.secret {
            SECRET_KEY_LINE.to_string()
        } else {
            required.line.clone()
        };
        (
            Change::EditLine { text: line },
            format!(
                "{reads}, converted in a way Release Guard could not evaluate: replace the line, or set {} so that {setting} becomes {}.",
                config_var.name,
                if required.secret {
                    "a new random key".to_string()
                } else {
                    python_text(want, &required.line)
                }
            ),
        )
    };
    Advice {
        setting: setting.clone(),
        change,
        location: Some(location(&source.at)),
        reason,
    }
}

/// A JSON value as Python writes it: `True`, `3600`, `'https'`; a list or tuple as the rule's
/// line `SETTING = value` writes it.
fn python_text(value: &Value, line: &str) -> String {
    match value {
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Null => "None".to_string(),
        Value::String(text) => format!("{text:?}"),
        Value::Array(_) => line
            .split_once(" = ")
            .map_or_else(|| value.to_string(), |(_, rhs)| rhs.to_string()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fix_lines_are_read_as_python_literals() {
        let required = |line: &str| setting_line(line).map(|required| required.value);
        assert_eq!(
            required("SECURE_SSL_REDIRECT = True"),
            Some(Some(json!(true)))
        );
        assert_eq!(
            required(
                "SECURE_HSTS_SECONDS = 31536000  # after the shorter values ran without trouble"
            ),
            Some(Some(json!(31_536_000)))
        );
        assert_eq!(
            required(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#),
            Some(Some(json!(["HTTP_X_FORWARDED_PROTO", "https"])))
        );
        assert_eq!(
            required("SECURE_REDIRECT_EXEMPT = []"),
            Some(Some(json!([])))
        );
        assert_eq!(required("SECURE_SSL_HOST = None"), Some(Some(Value::Null)));
        assert_eq!(required("SECRET_KEY = os.environ[\"SECRET_KEY\"]"), None);
        assert_eq!(required("Check that SecurityMiddleware is first."), None);
    }

    /// A config var read by os.environ with `conversion`'s fields.
    fn reading(conversion: Value) -> ConfigVar {
        let mut fields = json!({
            "name": "X",
            "naming": "os.environ",
            "is_set": true,
            "when_unset": null,
            "true_string": null,
            "false_string": null,
            "accepts_int": false,
        });
        if let (Some(fields), Value::Object(conversion)) = (fields.as_object_mut(), conversion) {
            fields.extend(conversion);
        }
        serde_json::from_value(fields).unwrap()
    }

    #[test]
    fn config_values_follow_the_conversion_and_are_quoted_for_a_shell() {
        let header = json!(["HTTP_X_FORWARDED_PROTO", "https"]);
        let comma = reading(json!({"sequence_form": "comma"}));
        assert_eq!(
            config_value(&comma, &header).as_deref(),
            Some("HTTP_X_FORWARDED_PROTO,https")
        );
        let listed = reading(json!({"sequence_form": "json"}));
        assert_eq!(
            config_value(&listed, &json!(["example.com"])).as_deref(),
            Some(r#"'["example.com"]'"#)
        );
        let text = reading(json!({"accepts_text": true}));
        assert_eq!(
            config_value(&text, &json!("same origin")).as_deref(),
            Some("'same origin'")
        );
        assert_eq!(config_value(&text, &json!(3600)), None);
        let bools = reading(json!({"true_string": "True", "false_string": "0"}));
        assert_eq!(config_value(&bools, &json!(true)).as_deref(), Some("True"));
        assert_eq!(config_value(&bools, &json!(false)).as_deref(), Some("0"));
        let presence =
            reading(json!({"presence": true, "when_set": {"type": "bool", "value": false}}));
        assert_eq!(
            presence_value(&presence, &json!(false)).as_deref(),
            Some("true")
        );
        assert_eq!(presence_value(&presence, &json!(true)), None);
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}

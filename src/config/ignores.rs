//! Finding IDs for `block` and `ignore`, and the ignore entries with a reason and an end date:
//! the part of the configuration that names findings.

use crate::date::Date;
use crate::finding_ids;
use serde::{Deserialize, Serialize, Serializer};
use std::str::FromStr;
use toml::Value;

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

/// Every item parsed, or the first one's problem.
/// The non-blank entries of a comma-separated list, each parsed.
fn parse_comma_separated<T: FromStr<Err = String>>(text: &str) -> Result<Vec<T>, String> {
    parse_all(
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty()),
    )
}

fn parse_all<'a, T: FromStr<Err = String>>(
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<T>, String> {
    items.map(str::parse).collect()
}

/// The `block` list.
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
        parse_comma_separated(text).map(Self)
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

    fn try_from(items: [&str; N]) -> Result<Self, Self::Error> {
        parse_all(items.into_iter()).map(Self)
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

pub(super) const FINDING_IDS_EXAMPLE: &str = r#"["security.W021", "guard.hsts_seconds_short"]"#;

/// One entry of `ignore`: a finding ID, why it does not apply here, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub id: FindingId,
    /// Required in a table; a plain ID has none ("no reason given").
    pub reason: Option<IgnoreReason>,
    /// The first day (UTC) on which the ignore no longer holds.
    pub until: Option<Date>,
}

/// Why an ignored finding does not apply: one line of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreReason(String);

impl IgnoreReason {
    /// Long enough for a sentence and a ticket number; the log lists it on one line.
    pub const MAX_CHARS: usize = 300;

    /// `text` trimmed, when it is one non-empty line of at most [`Self::MAX_CHARS`] characters.
    ///
    /// # Errors
    ///
    /// What is wrong with it.
    pub fn new(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            Err("an `ignore` table's `reason` must say why, it is empty".to_string())
        } else if text.chars().any(char::is_control) {
            Err("an `ignore` table's `reason` must be one line of text".to_string())
        } else if text.chars().count() > Self::MAX_CHARS {
            Err(format!(
                "an `ignore` table's `reason` must be at most {} characters",
                Self::MAX_CHARS
            ))
        } else {
            Ok(Self(text.to_string()))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for IgnoreEntry {
    type Err = String;

    /// `security.W004` or `security.W004@2027-03-31`, as in `RELEASE_GUARD_IGNORE`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (id, until) = match text.split_once('@') {
            Some((id, date)) => (id.trim(), Some(date.trim().parse()?)),
            None => (text.trim(), None),
        };
        Ok(Self {
            id: id.parse()?,
            reason: None,
            until,
        })
    }
}

impl IgnoreEntry {
    /// An entry of project.toml's list: a plain ID or a table with `id`, `reason` and `until`.
    fn from_toml(item: &Value) -> Result<Self, String> {
        let table = match item {
            Value::String(id) => {
                return Ok(Self {
                    id: id.parse()?,
                    reason: None,
                    until: None,
                });
            }
            Value::Table(table) => table,
            _ => {
                return Err(format!(
                    "`ignore` lists finding IDs as strings, or tables, such as {IGNORE_EXAMPLE}"
                ));
            }
        };
        if let Some(unknown) = table
            .keys()
            .find(|key| !["id", "reason", "until"].contains(&key.as_str()))
        {
            return Err(format!(
                "an `ignore` table takes `id`, `reason` and `until`, not `{unknown}`"
            ));
        }
        let id = match table.get("id") {
            Some(Value::String(id)) => id.parse()?,
            _ => {
                return Err(format!(
                    "an `ignore` table needs an `id`, such as {IGNORE_TABLE_EXAMPLE}"
                ));
            }
        };
        let reason = match table.get("reason") {
            Some(Value::String(reason)) => IgnoreReason::new(reason)?,
            _ => {
                return Err(format!(
                    "an `ignore` table needs a `reason` (why the finding does not apply here), such as {IGNORE_TABLE_EXAMPLE}"
                ));
            }
        };
        let until = table
            .get("until")
            .map(|until| {
                Date::try_from(until.clone()).map_err(|problem| format!("`until`: {problem}"))
            })
            .transpose()?;
        Ok(Self {
            id,
            reason: Some(reason),
            until,
        })
    }
}

impl Serialize for IgnoreEntry {
    /// A plain ID when that is all there is, else the table.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Table<'a> {
            id: &'a FindingId,
            #[serde(skip_serializing_if = "Option::is_none")]
            reason: Option<&'a IgnoreReason>,
            #[serde(skip_serializing_if = "Option::is_none")]
            until: Option<Date>,
        }
        if self.reason.is_none() && self.until.is_none() {
            self.id.serialize(serializer)
        } else {
            Table {
                id: &self.id,
                reason: self.reason.as_ref(),
                until: self.until,
            }
            .serialize(serializer)
        }
    }
}

/// The `ignore` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct Ignores(Vec<IgnoreEntry>);

impl Ignores {
    /// A comma-separated list, as in `RELEASE_GUARD_IGNORE`; blank entries are skipped.
    ///
    /// # Errors
    ///
    /// The first entry that is not a finding ID, optionally with `@YYYY-MM-DD`.
    pub fn from_comma_separated(text: &str) -> Result<Self, String> {
        parse_comma_separated(text).map(Self)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &IgnoreEntry> {
        self.0.iter()
    }
}

impl<const N: usize> TryFrom<[&str; N]> for Ignores {
    type Error = String;

    fn try_from(items: [&str; N]) -> Result<Self, Self::Error> {
        parse_all(items.into_iter()).map(Self)
    }
}

impl From<Vec<IgnoreEntry>> for Ignores {
    fn from(entries: Vec<IgnoreEntry>) -> Self {
        Self(entries)
    }
}

impl TryFrom<Value> for Ignores {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let Value::Array(items) = value else {
            return Err(format!(
                "`ignore` must be a list of finding IDs or tables, such as {IGNORE_EXAMPLE}"
            ));
        };
        items
            .iter()
            .map(IgnoreEntry::from_toml)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

pub(super) const IGNORE_TABLE_EXAMPLE: &str =
    r#"{ id = "security.W004", reason = "HSTS is added by our CDN", until = "2027-03-31" }"#;
pub(super) const IGNORE_EXAMPLE: &str = r#"["security.W021", { id = "security.W004", reason = "HSTS is added by our CDN", until = "2027-03-31" }]"#;

//! How a finding's advice is written as fix lines for where the guard runs: `heroku config:set`
//! on Heroku, plain assignments elsewhere, then the lines to write.

use crate::finding::{Advice, Change};

/// Where the guard runs, which decides how a config var change is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// On a Heroku dyno (`DYNO` is set): `heroku config:set NAME=value`.
    Heroku,
    /// Anywhere else: the plain assignment `NAME=value`.
    #[default]
    Other,
}

impl Platform {
    /// Heroku sets `DYNO` on every dyno, the release phase's included.
    #[must_use]
    pub fn detect(dyno: Option<&std::ffi::OsStr>) -> Self {
        if dyno.is_some_and(|dyno| !dyno.is_empty()) {
            Self::Heroku
        } else {
            Self::Other
        }
    }
}

/// The fix for `advice`, one line each: config var changes first (set, then unset, each as one
/// command on Heroku), then the lines to write.
#[must_use]
pub fn fix_lines<'a>(advice: impl Iterator<Item = &'a Advice>, platform: Platform) -> Vec<String> {
    let mut sets: Vec<String> = Vec::new();
    let mut unsets: Vec<String> = Vec::new();
    let mut code: Vec<String> = Vec::new();
    for advice in advice {
        match &advice.change {
            Change::SetConfigVar { config_var, value } => {
                push_new(&mut sets, format!("{config_var}={value}"));
            }
            Change::UnsetConfigVar { config_var } => push_new(&mut unsets, config_var.clone()),
            Change::EditLine { text } | Change::AddLine { text } => {
                push_new(&mut code, text.clone());
            }
            Change::DeleteLine => {
                let place = advice.location.as_ref().map_or_else(String::new, |at| {
                    format!(" (line {} of {})", at.line, at.file)
                });
                push_new(
                    &mut code,
                    format!("Delete the {} line{place}.", advice.setting),
                );
            }
        }
    }
    let mut lines = Vec::new();
    match platform {
        Platform::Heroku => {
            if !sets.is_empty() {
                lines.push(format!("heroku config:set {}", sets.join(" ")));
            }
            if !unsets.is_empty() {
                lines.push(format!("heroku config:unset {}", unsets.join(" ")));
            }
        }
        Platform::Other => {
            lines.extend(sets);
            if !unsets.is_empty() {
                lines.push(format!("unset {}", unsets.join(" ")));
            }
        }
    }
    lines.extend(code);
    lines
}

fn push_new(lines: &mut Vec<String>, line: String) {
    if !lines.contains(&line) {
        lines.push(line);
    }
}

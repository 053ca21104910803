//! The output boundary: one redaction, applied to everything the guard prints (the text log,
//! the JSON document, the build preview, the app output it relays, error details), after
//! rendering and before anything is cut. Nothing upstream of it is redacted: the rules decide on
//! raw values.
//!
//! It hides two kinds of value:
//! - **Secrets**, wherever they appear: the probe's list (`SECRET_KEY` and its fallbacks,
//!   database and cache passwords), the password of any URL's userinfo, and the values of config
//!   vars whose names say they are secret ([`SECRET_NAME_WORDS`]; for a URL only its password).
//!   Every form is hidden: the value, its trimmed form, its forms as the encoders write it
//!   (JSON with and without `ensure_ascii`, Python's `repr` of the str and of its UTF-8 bytes,
//!   percent-encoding as `quote` and `quote_plus` write it in either hex case, base64 in both
//!   alphabets, padded or not, at each alignment), each line of a multi-line value, and any run
//!   of [`MIN_FRAGMENT_LENGTH`] bytes of these; shorter values from [`MIN_SECRET_LENGTH`]
//!   characters up as whole words. Text is also searched with its escapes decoded (`\n`,
//!   `\xNN` runs as UTF-8, `\uXXXX` with surrogate pairs, `\UXXXXXXXX`), so a form whose
//!   escapes depend on data the guard does not carry (which characters Python's `repr` deems
//!   printable) is found too. The pieces of a URL password between URL delimiters are
//!   secrets too: a parser that stops at a `#` or `/` quotes them.
//! - **Other config-var values**, by exact value, only inside [`AppText`]: text that comes from
//!   the app. The guard's own fields (hosts, setting values, URLs it built) stay readable.
//!
//! App text also has its control characters neutralised, so that an app cannot paint a fake
//! verdict with escape sequences, and is shortened only once redacted.

use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::fmt::{self, Write as _};

/// What a hidden value is replaced with.
pub const REDACTED: &str = "[redacted]";
/// Any run of this many bytes of a secret (in any of its forms) is hidden.
pub const MIN_FRAGMENT_LENGTH: usize = 12;
/// Shorter secrets are not hidden; secrets shorter than [`MIN_FRAGMENT_LENGTH`] are hidden as
/// whole words.
pub const MIN_SECRET_LENGTH: usize = 4;
/// Other config-var values shorter than this (`true`, `5432`, `web.1`) are too common to hide
/// without mangling the app's text.
pub const MIN_APP_VALUE_LENGTH: usize = 6;
/// How much of one piece of app text (an exception message, a check message) is shown.
pub const APP_TEXT_MAX_CHARS: usize = 2000;
/// How much of the app's relayed output is shown: its last bytes.
pub const OUTPUT_TAIL_BYTES: usize = 4096;

/// `_`-separated words that make a config var's value a secret (`SECRET_KEY`, `API_TOKEN`,
/// `SENTRY_DSN`, `DB_PASS`).
pub const SECRET_NAME_WORDS: &[&str] = &[
    "KEY",
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASS",
    "PWD",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
    "DSN",
];

/// Variables whose values are paths, locales or names that the user needs to see in
/// diagnostics and that never hold a secret. This list wins over [`SECRET_NAME_WORDS`] (`PWD`
/// and `OLDPWD` are the shell's), and so does the guard's own prefix [`GUARD_VAR_PREFIX`].
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
];

/// The guard's own configuration: users must see what they set.
pub const GUARD_VAR_PREFIX: &str = "RELEASE_GUARD_";

/// Characters that end one piece of a URL password when a URL parser misreads it.
const URL_DELIMITERS: &[char] = &[':', '/', '?', '#', '[', ']', '@'];

// Private-use characters that delimit app text inside a rendered string; only [`AppText`]
// writes them and only the boundary reads them.
const HEAD_START: char = '\u{E000}';
const TAIL_START: char = '\u{E001}';
const CUT_TAIL_START: char = '\u{E002}';
const END: char = '\u{E003}';

fn is_marker(c: char) -> bool {
    matches!(c, HEAD_START | TAIL_START | CUT_TAIL_START | END)
}

/// The secret values the probe knows, as it hands them over in its answer. Never shown, not
/// even by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secrets(Vec<String>);

impl Secrets {
    #[must_use]
    pub fn new(secrets: Vec<String>) -> Self {
        Self(secrets)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({})", self.0.len())
    }
}

/// Text that comes from the app (an exception message, a check message, its output), as
/// opposed to the guard's own words. Its `Display` form is delimited so that the boundary
/// knows it: there it is also scrubbed of config-var values, neutralised and shortened.
/// `Deref` gives the raw text, for the rules.
#[derive(Clone, PartialEq, Eq)]
pub struct AppText {
    text: String,
    start: char,
}

impl AppText {
    /// App text shown up to [`APP_TEXT_MAX_CHARS`] characters.
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            start: HEAD_START,
        }
    }

    /// The app's output, shown as its last [`OUTPUT_TAIL_BYTES`]; `cut` when the text is
    /// itself only the end of the output, so its first line may be partial.
    #[must_use]
    pub fn output_tail(text: impl Into<String>, cut: bool) -> Self {
        Self {
            text: text.into(),
            start: if cut { CUT_TAIL_START } else { TAIL_START },
        }
    }
}

impl std::ops::Deref for AppText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for AppText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner: String = self.text.chars().filter(|c| !is_marker(*c)).collect();
        write!(f, "{}{inner}{END}", self.start)
    }
}

impl fmt::Debug for AppText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl From<&str> for AppText {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for AppText {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl<'de> Deserialize<'de> for AppText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// Hides secrets everywhere and config-var values in app text.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every [`MIN_FRAGMENT_LENGTH`]-byte run of every long form of every secret.
    fragments: HashSet<[u8; MIN_FRAGMENT_LENGTH]>,
    /// Forms of short secrets, hidden as whole words.
    words: Vec<String>,
    /// Other config-var values, hidden in app text; longest first.
    app_values: Vec<String>,
}

impl Redactor {
    /// A redactor for the environment `vars` (later pairs override earlier ones, like
    /// `Command::env` over the inherited environment). Values that are not UTF-8 are skipped.
    pub fn from_env<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let mut effective = BTreeMap::new();
        for (name, value) in vars {
            effective.insert(name.as_ref().to_owned(), value.as_ref().to_owned());
        }
        let mut redactor = Self::default();
        for (name, value) in &effective {
            let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
                continue;
            };
            if is_harmless(name) {
                continue;
            }
            let passwords = url_passwords(value);
            for password in &passwords {
                redactor.add_url_password(password);
            }
            if names_a_secret(name) && !is_url(value) {
                redactor.add_secret(value);
            } else if value.chars().count() >= MIN_APP_VALUE_LENGTH {
                redactor.app_values.push(value.to_string());
            }
        }
        redactor
            .app_values
            .sort_by_key(|value| std::cmp::Reverse(value.len()));
        redactor.app_values.dedup();
        redactor
    }

    /// Adds the secrets the probe reported.
    pub fn add_secrets(&mut self, secrets: &Secrets) {
        for secret in &secrets.0 {
            self.add_secret(secret);
            // A connection password may be written into URLs elsewhere.
            if secret.contains(URL_DELIMITERS) {
                self.add_url_password(secret);
            }
        }
    }

    fn add_url_password(&mut self, password: &str) {
        let decoded = percent_decode(password);
        for form in [password, decoded.as_str()] {
            self.add_secret(form);
            for piece in form.split(URL_DELIMITERS) {
                self.add_secret(piece);
            }
        }
    }

    fn add_secret(&mut self, secret: &str) {
        if secret.trim().chars().count() < MIN_SECRET_LENGTH {
            return;
        }
        let mut forms = encoded_forms(secret);
        let lines: Vec<&str> = secret.lines().map(str::trim).collect();
        if lines.len() > 1 {
            for line in lines {
                if line.chars().count() >= MIN_SECRET_LENGTH {
                    forms.extend(encoded_forms(line));
                }
            }
        }
        for form in forms {
            if form.len() >= MIN_FRAGMENT_LENGTH {
                for window in form.as_bytes().windows(MIN_FRAGMENT_LENGTH) {
                    if let Ok(window) = window.try_into() {
                        self.fragments.insert(window);
                    }
                }
            } else if form.chars().count() >= MIN_SECRET_LENGTH && !self.words.contains(&form) {
                self.words.push(form);
            }
        }
    }

    /// One string of a report, or a line the guard prints outside one: secrets hidden
    /// everywhere; in app text also config-var values, control characters neutralised and the
    /// text shortened to its limit.
    #[must_use]
    pub fn field(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find([HEAD_START, TAIL_START, CUT_TAIL_START]) {
            out.push_str(&neutralise(
                &self.secrets(strip_markers(&rest[..start]).as_ref()),
            ));
            let kind = rest[start..].chars().next().unwrap_or(HEAD_START);
            let inner = &rest[start + kind.len_utf8()..];
            let (app, after) = inner.split_once(END).unwrap_or((inner, ""));
            out.push_str(&self.app_text(&strip_markers(app), kind));
            rest = after;
        }
        out.push_str(&neutralise(&self.secrets(&strip_markers(rest))));
        out
    }

    /// Rendered output (the text log, with its colours): secrets hidden once more, now that
    /// the fields are joined.
    #[must_use]
    pub fn rendered(&self, text: &str) -> String {
        self.secrets(text)
    }

    fn app_text(&self, text: &str, kind: char) -> String {
        let mut hidden = vec![false; text.len()];
        self.mark_secrets(text, &mut hidden);
        for value in &self.app_values {
            for (at, _) in text.match_indices(value.as_str()) {
                hidden[at..at + value.len()].fill(true);
            }
        }
        let shown = neutralise(&replace_marked(text, &hidden));
        match kind {
            HEAD_START if shown.chars().count() > APP_TEXT_MAX_CHARS => {
                let mut head: String = shown.chars().take(APP_TEXT_MAX_CHARS - 1).collect();
                head.push('\u{2026}');
                head
            }
            TAIL_START | CUT_TAIL_START => tail(&shown, kind == CUT_TAIL_START),
            _ => shown,
        }
    }

    fn secrets(&self, text: &str) -> String {
        let mut hidden = vec![false; text.len()];
        self.mark_secrets(text, &mut hidden);
        replace_marked(text, &hidden)
    }

    fn mark_secrets(&self, text: &str, hidden: &mut [bool]) {
        for range in self.secret_ranges(text) {
            hidden[range].fill(true);
        }
        if let Some(unescaped) = Unescaped::of(text) {
            for range in self.secret_ranges(&unescaped.text) {
                for origin in &unescaped.origin[range] {
                    hidden[origin.clone()].fill(true);
                }
            }
        }
        for range in url_password_ranges(text) {
            hidden[range].fill(true);
        }
    }

    /// Where the known fragments and words of secrets are in `text`.
    fn secret_ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut ranges = Vec::new();
        for (at, window) in text.as_bytes().windows(MIN_FRAGMENT_LENGTH).enumerate() {
            if <[u8; MIN_FRAGMENT_LENGTH]>::try_from(window)
                .is_ok_and(|window| self.fragments.contains(&window))
            {
                ranges.push(at..at + MIN_FRAGMENT_LENGTH);
            }
        }
        for word in &self.words {
            for (at, _) in text.match_indices(word.as_str()) {
                if is_whole_word(text, at, word) {
                    ranges.push(at..at + word.len());
                }
            }
        }
        ranges
    }
}

/// Never shows the values, only how many there are.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("fragments", &self.fragments.len())
            .field("words", &self.words.len())
            .field("app_values", &self.app_values.len())
            .finish()
    }
}

fn is_harmless(name: &str) -> bool {
    name.starts_with(GUARD_VAR_PREFIX) || HARMLESS_ENV_VARS.contains(&name)
}

/// Whether a config var's name says its value is secret, word by word.
#[must_use]
pub fn names_a_secret(name: &str) -> bool {
    name.to_ascii_uppercase()
        .split('_')
        .any(|word| SECRET_NAME_WORDS.contains(&word))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Regex `\b` on both ends of the match.
fn is_whole_word(text: &str, at: usize, word: &str) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + word.len()..].chars().next();
    let first = word.chars().next();
    let last = word.chars().next_back();
    let open = |inner: Option<char>, outer: Option<char>| {
        !(inner.is_some_and(is_word_char) && outer.is_some_and(is_word_char))
    };
    open(first, before) && open(last, after)
}

/// `text` with each run of hidden bytes (widened to whole characters) replaced by [`REDACTED`].
/// Line breaks stay: they hold nothing secret, and the log keeps its lines.
fn replace_marked(text: &str, hidden: &[bool]) -> String {
    if !hidden.contains(&true) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (at, c) in text.char_indices() {
        let hide = c != '\n' && hidden[at..at + c.len_utf8()].contains(&true);
        if hide && !in_run {
            out.push_str(REDACTED);
        } else if !hide {
            out.push(c);
        }
        in_run = hide;
    }
    out
}

fn strip_markers(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(is_marker) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !is_marker(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Control characters other than newline and tab (escape sequences, carriage returns that
/// overwrite a line) shown as `\xNN`.
#[must_use]
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The last [`OUTPUT_TAIL_BYTES`] of `text`. When it was cut, its first line is partial and is
/// dropped.
fn tail(text: &str, already_cut: bool) -> String {
    let mut start = text.len().saturating_sub(OUTPUT_TAIL_BYTES);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let kept = &text[start..];
    if start == 0 && !already_cut {
        return kept.trim_end().to_string();
    }
    match kept.split_once('\n') {
        Some((_, whole_lines)) => whole_lines.trim_end().to_string(),
        None => "(one output line longer than 4 KiB, not shown)".to_string(),
    }
}

/// `scheme://` at `at` (the index of `://`), with a scheme of letters before it.
fn url_authorities(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices("://").filter_map(move |(at, _)| {
        let scheme_ok = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let start = at + 3;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || "\"'<>`".contains(c))
            .map_or(text.len(), |end| start + end);
        scheme_ok.then(|| (start, &text[start..end]))
    })
}

/// Where the passwords of `scheme://user:password@host` URLs are in `text`. The userinfo ends
/// at the last `@` before whitespace, so a password holding `#` or `/` is found whole.
fn url_password_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    url_authorities(text)
        .filter_map(|(start, authority)| {
            let at = authority.rfind('@')?;
            let colon = authority[..at].find(':')?;
            let user = &authority[..colon];
            (!user.contains('/') && colon + 1 < at).then(|| start + colon + 1..start + at)
        })
        .collect()
}

fn url_passwords(value: &str) -> Vec<String> {
    url_password_ranges(value)
        .into_iter()
        .map(|range| value[range].to_string())
        .collect()
}

fn is_url(value: &str) -> bool {
    let Some((scheme, _)) = value.trim().split_once("://") else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

mod forms;
#[cfg(test)]
use forms::{
    Quoting, base64, json_ascii_escaped, json_escaped, percent_encoded, python_bytes_escaped,
    python_escaped,
};
use forms::{Unescaped, encoded_forms, percent_decode};

#[cfg(test)]
mod tests;

//! Command-line words, shared by `release-guard` (check, release) and `release-guard verify`:
//! both accept a flag's value inline (`--format=json`) or as the next word (`--format json`).

use std::slice::Iter;

pub(crate) struct Args<'a> {
    words: Iter<'a, String>,
    /// The value of the last `--flag=value` word, until `value` takes it.
    inline_value: Option<&'a str>,
}

impl<'a> Args<'a> {
    pub(crate) fn new(words: &'a [String]) -> Self {
        Self {
            words: words.iter(),
            inline_value: None,
        }
    }

    /// The next word; for `--flag=value`, the `--flag` part.
    pub(crate) fn next_word(&mut self) -> Option<&'a str> {
        let word = self.words.next()?;
        match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                self.inline_value = Some(value);
                Some(flag)
            }
            _ => {
                self.inline_value = None;
                Some(word)
            }
        }
    }

    /// The value of `flag`, the word just read: inline, or the next word.
    ///
    /// # Errors
    /// The usage problem, when there is no value.
    pub(crate) fn value(&mut self, flag: &str) -> Result<String, String> {
        self.inline_value
            .take()
            .or_else(|| self.words.next().map(String::as_str))
            .map(str::to_string)
            .ok_or_else(|| format!("{flag} needs a value"))
    }

    /// The words not read yet, e.g. the command after `--`.
    pub(crate) fn rest(self) -> Vec<String> {
        self.words.cloned().collect()
    }
}

/// The usage problem for a word no parser knows.
pub(crate) fn unknown(word: &str) -> String {
    if word.starts_with('-') {
        format!("unknown option `{word}`")
    } else {
        format!("unexpected argument `{word}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn values_inline_or_as_the_next_word() {
        let line = words("--format=json --app dir -- bash -c");
        let mut args = Args::new(&line);
        assert_eq!(args.next_word(), Some("--format"));
        assert_eq!(args.value("--format").as_deref(), Ok("json"));
        assert_eq!(args.next_word(), Some("--app"));
        assert_eq!(args.value("--app").as_deref(), Ok("dir"));
        assert_eq!(args.next_word(), Some("--"));
        assert_eq!(args.rest(), ["bash", "-c"]);
    }

    #[test]
    fn a_missing_value_is_a_usage_problem() {
        let line = words("--timeout");
        let mut args = Args::new(&line);
        assert_eq!(args.next_word(), Some("--timeout"));
        assert_eq!(
            args.value("--timeout"),
            Err("--timeout needs a value".to_string())
        );
    }

    #[test]
    fn an_inline_value_belongs_to_its_own_flag_only() {
        let line = words("--help=x --app dir a=b");
        let mut args = Args::new(&line);
        assert_eq!(args.next_word(), Some("--help"));
        assert_eq!(args.next_word(), Some("--app"));
        assert_eq!(args.value("--app").as_deref(), Ok("dir"));
        // Not a flag: `=` stays part of the word.
        assert_eq!(args.next_word(), Some("a=b"));
    }

    #[test]
    fn unknown_words() {
        assert_eq!(unknown("--frobnicate"), "unknown option `--frobnicate`");
        assert_eq!(unknown("extra"), "unexpected argument `extra`");
    }
}

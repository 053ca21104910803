//! The subset of bash the Procfile's `web:` commands use, read the way bash reads it: words
//! (quotes and backslashes removed, `$NAME` / `${NAME}` / `${NAME:-default}` expanded), the
//! `&&` and `;` that run commands one after another, and `cd DIR` before the server. Anything
//! whose effect depends on running it (command substitution, pipes, background jobs,
//! redirections, other expansions) makes the command unsure rather than guessed at.

/// One command of a list: its words, as the program receives them.
pub(super) type Words = Vec<String>;

/// The commands of `command` that run one after another, each split into words. `lookup`
/// gives a variable's value (`None`: unset, which bash expands to nothing).
///
/// # Errors
///
/// Why the command cannot be read without running it.
pub(super) fn split_commands(
    command: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Words>, String> {
    let mut reader = Reader {
        chars: command.chars().collect(),
        at: 0,
        lookup,
    };
    let mut commands = vec![Vec::new()];
    while let Some(token) = reader.next_token()? {
        match token {
            Token::Word(word) => commands.last_mut().map_or((), |words| words.push(word)),
            Token::Then => commands.push(Vec::new()),
        }
    }
    commands.retain(|words| !words.is_empty());
    Ok(commands)
}

enum Token {
    Word(String),
    /// `;` or `&&`: the next command runs after this one.
    Then,
}

struct Reader<'a> {
    chars: Vec<char>,
    at: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn next_token(&mut self) -> Result<Option<Token>, String> {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.at += 1;
        }
        let Some(first) = self.peek() else {
            return Ok(None);
        };
        match first {
            '#' => {
                self.at = self.chars.len();
                Ok(None)
            }
            ';' => {
                self.at += 1;
                Ok(Some(Token::Then))
            }
            '&' if self.peek_at(1) == Some('&') => {
                self.at += 2;
                Ok(Some(Token::Then))
            }
            '&' => Err("it runs a command in the background (&)".to_string()),
            '|' => Err("it pipes or chains commands with | or ||".to_string()),
            '<' | '>' => Err("it redirects input or output".to_string()),
            '(' | ')' | '{' | '}' => Err("it groups commands".to_string()),
            '\n' | '\r' => Err("it spans several lines".to_string()),
            _ => {
                let start = self.at;
                let word = self.word()?;
                let quoted = self.chars[start..self.at]
                    .iter()
                    .any(|c| matches!(c, '\'' | '"' | '\\'));
                // An unquoted expansion to nothing is no word at all.
                if word.is_empty() && !quoted {
                    return self.next_token();
                }
                Ok(Some(Token::Word(word)))
            }
        }
    }

    /// One word up to unquoted whitespace or an operator.
    fn word(&mut self) -> Result<String, String> {
        let mut word = String::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '\r' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '\'' => {
                    self.at += 1;
                    let end = self.find('\'').ok_or("a ' is not closed")?;
                    word.extend(&self.chars[self.at..end]);
                    self.at = end + 1;
                }
                '"' => {
                    self.at += 1;
                    self.double_quoted(&mut word)?;
                }
                '\\' => {
                    self.at += 1;
                    let escaped = self.peek().ok_or("it ends with a backslash")?;
                    self.at += 1;
                    if escaped != '\n' {
                        word.push(escaped);
                    }
                }
                '$' => {
                    let before = word.len();
                    self.expansion(&mut word)?;
                    if word[before..].contains(char::is_whitespace) {
                        return Err(
                            "an unquoted variable in it expands to several words".to_string()
                        );
                    }
                }
                '`' => return Err(command_substitution()),
                _ => {
                    word.push(c);
                    self.at += 1;
                }
            }
        }
        Ok(word)
    }

    fn find(&self, wanted: char) -> Option<usize> {
        (self.at..self.chars.len()).find(|&index| self.chars[index] == wanted)
    }

    fn double_quoted(&mut self, word: &mut String) -> Result<(), String> {
        loop {
            let c = self.peek().ok_or("a \" is not closed")?;
            match c {
                '"' => {
                    self.at += 1;
                    return Ok(());
                }
                '\\' if matches!(self.peek_at(1), Some('$' | '`' | '"' | '\\' | '\n')) => {
                    if self.peek_at(1) != Some('\n') {
                        word.push(self.chars[self.at + 1]);
                    }
                    self.at += 2;
                }
                '$' => self.expansion(word)?,
                '`' => return Err(command_substitution()),
                _ => {
                    word.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// `$NAME`, `${NAME}` or `${NAME:-default}` at the cursor, appended expanded.
    fn expansion(&mut self, word: &mut String) -> Result<(), String> {
        self.at += 1; // the $
        match self.peek() {
            Some('(') => Err(command_substitution()),
            Some('{') => {
                self.at += 1;
                let end = self.find('}').ok_or("a ${ is not closed")?;
                let inside: String = self.chars[self.at..end].iter().collect();
                self.at = end + 1;
                let (name, default) = match inside.split_once(":-") {
                    Some((name, default)) => (name, Some(default)),
                    None => (inside.as_str(), None),
                };
                if !is_variable_name(name) || default.is_some_and(|text| text.contains(['$', '`']))
                {
                    return Err(format!("it uses the expansion ${{{inside}}}"));
                }
                let value = (self.lookup)(name).filter(|value| !value.is_empty());
                word.push_str(
                    &value
                        .or_else(|| default.map(str::to_string))
                        .unwrap_or_default(),
                );
                Ok(())
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.at;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.at += 1;
                }
                let name: String = self.chars[start..self.at].iter().collect();
                word.push_str(&(self.lookup)(&name).unwrap_or_default());
                Ok(())
            }
            Some(c) if c.is_ascii_digit() || "@*#?-$!".contains(c) => {
                Err(format!("it uses the special parameter ${c}"))
            }
            // A lone `$` is literal.
            _ => {
                word.push('$');
                Ok(())
            }
        }
    }
}

fn command_substitution() -> String {
    "it runs a command substitution ($(...) or `...`)".to_string()
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `NAME=value` as bash reads a word before the command: an assignment to the command's
/// environment.
pub(super) fn assignment(word: &str) -> Option<(&str, &str)> {
    word.split_once('=')
        .filter(|(name, _)| is_variable_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(command: &str) -> Result<Vec<Words>, String> {
        let lookup = |name: &str| match name {
            "PORT" => Some("5000".to_string()),
            "EMPTY" => Some(String::new()),
            "OPTIONS" => Some("-w 2".to_string()),
            _ => None,
        };
        split_commands(command, &lookup)
    }

    #[allow(clippy::unnecessary_wraps)] // compared with `split`'s outcome
    fn words(list: &[&[&str]]) -> Result<Vec<Words>, String> {
        Ok(list
            .iter()
            .map(|words| words.iter().map(ToString::to_string).collect())
            .collect())
    }

    #[test]
    fn quotes_and_backslashes_are_removed_as_bash_removes_them() {
        assert_eq!(
            split(r#"gunicorn 'my site'.wsgi --env "A=b c" --x=\"q\" it\'s"#),
            words(&[&[
                "gunicorn",
                "my site.wsgi",
                "--env",
                "A=b c",
                "--x=\"q\"",
                "it's"
            ]])
        );
        assert_eq!(
            split(r#"a "x\$y \q" 'no $PORT'"#),
            words(&[&["a", "x$y \\q", "no $PORT"]])
        );
    }

    #[test]
    fn variables_expand_from_the_lookup() {
        assert_eq!(
            split(
                "gunicorn -b 0.0.0.0:$PORT -w ${WEB_CONCURRENCY:-2} x${UNSET}y ${EMPTY:-d} $ $UNSET \"$UNSET\" \"$OPTIONS\""
            ),
            words(&[&[
                "gunicorn",
                "-b",
                "0.0.0.0:5000",
                "-w",
                "2",
                "xy",
                "d",
                "$",
                "",
                "-w 2"
            ]])
        );
    }

    #[test]
    fn commands_run_in_sequence_are_separate() {
        assert_eq!(
            split("python manage.py migrate && cd src; gunicorn x.wsgi # comment"),
            words(&[
                &["python", "manage.py", "migrate"],
                &["cd", "src"],
                &["gunicorn", "x.wsgi"]
            ])
        );
    }

    #[test]
    fn what_only_running_it_would_tell_is_unsure() {
        for (command, reason) in [
            ("gunicorn $(cat module)", "command substitution"),
            ("gunicorn `cat module`", "command substitution"),
            ("gunicorn x.wsgi | tee log", "pipes"),
            ("gunicorn x.wsgi & worker", "background"),
            ("gunicorn x.wsgi 2>&1", "redirects"),
            ("gunicorn x.wsgi > log", "redirects"),
            ("gunicorn $OPTIONS x.wsgi", "several words"),
            ("gunicorn 'x.wsgi", "not closed"),
            ("gunicorn \"x.wsgi", "not closed"),
            ("gunicorn ${X:=y}", "expansion"),
            ("gunicorn $1", "special parameter"),
            ("(gunicorn x.wsgi)", "groups"),
            ("gunicorn x\\", "backslash"),
            ("gunicorn $OPTIONS x.wsgi", "several words"),
        ] {
            let error = split(command).unwrap_err();
            assert!(error.contains(reason), "{command}: {error}");
        }
    }

    #[test]
    fn assignments() {
        assert_eq!(assignment("A_1=x=y"), Some(("A_1", "x=y")));
        assert_eq!(assignment("--env=x"), None);
        assert_eq!(assignment("1A=x"), None);
    }
}

//! Just enough of Python's `re` to answer one question without a regex crate: does an entry of
//! `SECURE_REDIRECT_EXEMPT` `.search()` successfully on a given path? Patterns using syntax this
//! module does not implement (lookarounds, backreferences, flags, word boundaries) are reported
//! as `Unsupported`, so callers never guess.

/// The pattern uses syntax outside the supported subset, or backtracks too much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported;

/// Paths (leading `/` stripped, as `SecurityMiddleware` does) that a pattern exempting "every
/// path" must match: the root, common app paths, odd characters, digits and capitals.
pub(crate) const SAMPLE_PATHS: [&str; 12] = [
    "",
    "admin/",
    "accounts/login/",
    "api/v1/items/42",
    "static/css/app.css",
    ".well-known/acme-challenge/token",
    "x",
    "0",
    "UPPER/Case-path_1",
    "%7Euser/",
    "some/deeply/nested/page/",
    "search?q=a",
];

/// True when `pattern` matches every sample path, i.e. it exempts the whole site.
pub(crate) fn matches_every_path(pattern: &str) -> Result<bool, Unsupported> {
    let compiled = Pattern::parse(pattern)?;
    for path in SAMPLE_PATHS {
        if !compiled.search(path)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Python's `re.search(pattern, text) is not None`.
pub(crate) fn search(pattern: &str, text: &str) -> Result<bool, Unsupported> {
    Pattern::parse(pattern)?.search(text)
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Empty,
    Literal(char),
    /// `.`: anything but a newline.
    AnyButNewline,
    Class(Class),
    /// `^` and `\A` (no MULTILINE flag: both mean the start of the string).
    Start,
    /// `$`: the end, or just before a final newline.
    End,
    /// `\Z`.
    EndOfString,
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ClassItem {
    Range(char, char),
    /// `\d` (or `\D` when negated).
    Digit {
        negated: bool,
    },
    Word {
        negated: bool,
    },
    Space {
        negated: bool,
    },
}

impl ClassItem {
    fn matches(self, c: char) -> bool {
        match self {
            Self::Range(low, high) => low <= c && c <= high,
            Self::Digit { negated } => c.is_numeric() != negated,
            Self::Word { negated } => (c.is_alphanumeric() || c == '_') != negated,
            Self::Space { negated } => c.is_whitespace() != negated,
        }
    }
}

impl Class {
    fn matches(&self, c: char) -> bool {
        self.items.iter().any(|item| item.matches(c)) != self.negated
    }
}

struct Pattern {
    root: Node,
}

impl Pattern {
    fn parse(pattern: &str) -> Result<Self, Unsupported> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
        };
        let root = parser.alternation()?;
        if parser.pos == parser.chars.len() {
            Ok(Self { root })
        } else {
            // An unbalanced `)`: Python refuses the pattern too.
            Err(Unsupported)
        }
    }

    fn search(&self, text: &str) -> Result<bool, Unsupported> {
        let mut matcher = Matcher {
            text: text.chars().collect(),
            steps: 0,
        };
        for start in 0..=matcher.text.len() {
            if matcher.run(&self.root, start, &Continuation::Done)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<char, Unsupported> {
        let c = self.peek().ok_or(Unsupported)?;
        self.pos += 1;
        Ok(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        if self.peek() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Result<Node, Unsupported> {
        let mut options = vec![self.concatenation()?];
        while self.eat('|') {
            options.push(self.concatenation()?);
        }
        Ok(if options.len() == 1 {
            options.remove(0)
        } else {
            Node::Alternation(options)
        })
    }

    fn concatenation(&mut self) -> Result<Node, Unsupported> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            nodes.push(self.repetition()?);
        }
        Ok(match nodes.len() {
            0 => Node::Empty,
            1 => nodes.remove(0),
            _ => Node::Concat(nodes),
        })
    }

    fn repetition(&mut self) -> Result<Node, Unsupported> {
        let node = self.atom()?;
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => match self.braces()? {
                Some(bounds) => bounds,
                None => return Ok(node),
            },
            _ => return Ok(node),
        };
        // Past the quantifier character (or the closing brace).
        self.pos += 1;
        // A lazy quantifier finds a match exactly when the greedy one does.
        self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            // Possessive quantifiers and "multiple repeat" errors.
            return Err(Unsupported);
        }
        Ok(Node::Repeat {
            node: Box::new(node),
            min,
            max,
        })
    }

    /// `{n}`, `{n,}`, `{,m}` or `{n,m}` at the cursor, leaving the cursor on the `}`; `None`
    /// (cursor unmoved) when the brace is a literal, as Python treats e.g. `{x}`.
    #[allow(clippy::type_complexity)]
    fn braces(&mut self) -> Result<Option<(u32, Option<u32>)>, Unsupported> {
        let close = match self.chars[self.pos..].iter().position(|&c| c == '}') {
            Some(offset) => self.pos + offset,
            None => return Ok(None),
        };
        let body: String = self.chars[self.pos + 1..close].iter().collect();
        let number = |text: &str| -> Option<Option<u32>> {
            if text.is_empty() {
                Some(None)
            } else if text.chars().all(|c| c.is_ascii_digit()) {
                text.parse().ok().map(Some)
            } else {
                None
            }
        };
        let bounds = match body.split_once(',') {
            None => number(&body).and_then(|n| n.map(|n| (n, Some(n)))),
            Some((low, high)) => match (number(low), number(high)) {
                (Some(low), Some(high)) => Some((low.unwrap_or(0), high)),
                _ => None,
            },
        };
        match bounds {
            Some((min, Some(max))) if max < min => Err(Unsupported),
            Some(bounds) => {
                self.pos = close;
                Ok(Some(bounds))
            }
            None => Ok(None),
        }
    }

    fn atom(&mut self) -> Result<Node, Unsupported> {
        match self.next()? {
            '(' => {
                if self.eat('?') {
                    if self.eat(':') {
                    } else if self.eat('P') && self.eat('<') {
                        while self.next()? != '>' {}
                    } else {
                        return Err(Unsupported);
                    }
                }
                let inner = self.alternation()?;
                if self.eat(')') {
                    Ok(inner)
                } else {
                    Err(Unsupported)
                }
            }
            '[' => self.class().map(Node::Class),
            '.' => Ok(Node::AnyButNewline),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => self.escape(),
            '*' | '+' | '?' | ')' => Err(Unsupported),
            c => Ok(Node::Literal(c)),
        }
    }

    fn escape(&mut self) -> Result<Node, Unsupported> {
        let c = self.next()?;
        if let Some(item) = class_escape(c) {
            return Ok(Node::Class(Class {
                negated: false,
                items: vec![item],
            }));
        }
        match c {
            'A' => Ok(Node::Start),
            'Z' => Ok(Node::EndOfString),
            other => literal_escape(other).map(Node::Literal),
        }
    }

    fn class(&mut self) -> Result<Class, Unsupported> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                let escaped = self.next()?;
                if let Some(item) = class_escape(escaped) {
                    items.push(item);
                    continue;
                }
                literal_escape(escaped)?
            } else {
                c
            };
            let is_range = self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']');
            if is_range && self.chars.get(self.pos + 1).is_some() {
                self.pos += 1;
                let high = match self.next()? {
                    '\\' => literal_escape(self.next()?)?,
                    high => high,
                };
                if high < low {
                    return Err(Unsupported);
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Class { negated, items })
    }
}

fn class_escape(c: char) -> Option<ClassItem> {
    match c {
        'd' | 'D' => Some(ClassItem::Digit { negated: c == 'D' }),
        'w' | 'W' => Some(ClassItem::Word { negated: c == 'W' }),
        's' | 'S' => Some(ClassItem::Space { negated: c == 'S' }),
        _ => None,
    }
}

/// Escapes that stand for one character. Python rejects unknown ASCII-letter escapes, and
/// digits are backreferences; neither is supported here.
fn literal_escape(c: char) -> Result<char, Unsupported> {
    match c {
        'n' => Ok('\n'),
        't' => Ok('\t'),
        'r' => Ok('\r'),
        'f' => Ok('\u{c}'),
        'v' => Ok('\u{b}'),
        c if c.is_ascii_alphanumeric() => Err(Unsupported),
        c => Ok(c),
    }
}

/// What remains to be matched after the current node: a linked list on the stack.
enum Continuation<'a> {
    Done,
    Sequence(&'a [Node], &'a Continuation<'a>),
    Repeat {
        node: &'a Node,
        min: u32,
        max: Option<u32>,
        count: u32,
        /// Where the latest iteration started: an iteration that consumed nothing ends the loop.
        started_at: Option<usize>,
        next: &'a Continuation<'a>,
    },
}

/// Backtracking stops here; sample paths are short, so only pathological patterns get close.
const STEP_BUDGET: u32 = 200_000;

struct Matcher {
    text: Vec<char>,
    steps: u32,
}

impl Matcher {
    fn run(&mut self, node: &Node, pos: usize, next: &Continuation) -> Result<bool, Unsupported> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Err(Unsupported);
        }
        let current = self.text.get(pos).copied();
        match node {
            Node::Empty => self.resume(next, pos),
            Node::Literal(expected) => self.resume_if(current == Some(*expected), next, pos + 1),
            Node::AnyButNewline => {
                self.resume_if(current.is_some_and(|c| c != '\n'), next, pos + 1)
            }
            Node::Class(class) => {
                self.resume_if(current.is_some_and(|c| class.matches(c)), next, pos + 1)
            }
            Node::Start => self.resume_if(pos == 0, next, pos),
            Node::End => {
                let at_end =
                    pos == self.text.len() || (pos + 1 == self.text.len() && current == Some('\n'));
                self.resume_if(at_end, next, pos)
            }
            Node::EndOfString => self.resume_if(pos == self.text.len(), next, pos),
            Node::Concat(nodes) => self.resume(&Continuation::Sequence(nodes, next), pos),
            Node::Alternation(options) => {
                for option in options {
                    if self.run(option, pos, next)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Node::Repeat { node, min, max } => self.resume(
                &Continuation::Repeat {
                    node,
                    min: *min,
                    max: *max,
                    count: 0,
                    started_at: None,
                    next,
                },
                pos,
            ),
        }
    }

    /// Goes on at `pos` when the node `matched`; nodes that consume a character pass the
    /// position after it.
    fn resume_if(
        &mut self,
        matched: bool,
        next: &Continuation,
        pos: usize,
    ) -> Result<bool, Unsupported> {
        if matched {
            self.resume(next, pos)
        } else {
            Ok(false)
        }
    }

    fn resume(&mut self, continuation: &Continuation, pos: usize) -> Result<bool, Unsupported> {
        match continuation {
            Continuation::Done => Ok(true),
            Continuation::Sequence(nodes, next) => match nodes.split_first() {
                None => self.resume(next, pos),
                Some((first, rest)) => self.run(first, pos, &Continuation::Sequence(rest, next)),
            },
            Continuation::Repeat {
                node,
                min,
                max,
                count,
                started_at,
                next,
            } => {
                let below_max = max.is_none_or(|max| *count < max);
                let made_progress = *count < *min || *started_at != Some(pos);
                if below_max && made_progress {
                    let again = Continuation::Repeat {
                        node,
                        min: *min,
                        max: *max,
                        count: count + 1,
                        started_at: Some(pos),
                        next,
                    };
                    if self.run(node, pos, &again)? {
                        return Ok(true);
                    }
                }
                if *count >= *min {
                    self.resume(next, pos)
                } else {
                    Ok(false)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_all_patterns() {
        for pattern in [
            "", ".*", "^", ".?", "x*", "(admin|)", "[^/]*", r"\w*", "^.*$", "(?:)", ".{0,}", "a?b?",
        ] {
            assert_eq!(matches_every_path(pattern), Ok(true), "{pattern:?}");
        }
    }

    #[test]
    fn targeted_patterns() {
        for pattern in [
            "^$",
            "health",
            "^admin/",
            ".",
            "^.+$",
            r"^\.well-known/",
            "[a-z]",
            r"\d+",
            "^(api|admin)/",
            "x{2}",
            "$^",
        ] {
            assert_eq!(matches_every_path(pattern), Ok(false), "{pattern:?}");
        }
    }

    #[test]
    fn searches_like_python() {
        assert_eq!(search("^admin/", "admin/login"), Ok(true));
        assert_eq!(search("^admin/", "x/admin/"), Ok(false));
        assert_eq!(search("login", "accounts/login/"), Ok(true));
        assert_eq!(search(r"^api/v\d+/items/\d+$", "api/v1/items/42"), Ok(true));
        assert_eq!(search("^a{2,3}$", "aaaa"), Ok(false));
        assert_eq!(search("^a{2,3}$", "aaa"), Ok(true));
        assert_eq!(search("^a{,2}$", "aa"), Ok(true));
        assert_eq!(search("a{x}", "a{x}"), Ok(true));
        assert_eq!(search("[.-]", "a-b"), Ok(true));
        assert_eq!(search(r"[\w.]+\.css$", "static/app.css"), Ok(true));
        assert_eq!(search("^(?P<page>[a-z]+)/$", "about/"), Ok(true));
    }

    #[test]
    fn gives_up_on_catastrophic_backtracking() {
        assert_eq!(
            search("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"),
            Err(Unsupported)
        );
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        for pattern in [
            "(?!api)",
            "(?i)admin",
            r"\bx",
            r"(a)\1",
            "a**",
            "(",
            ")",
            "[z-a]",
            "a{3,1}",
            "*",
            r"\q",
        ] {
            assert_eq!(matches_every_path(pattern), Err(Unsupported), "{pattern:?}");
        }
    }
}

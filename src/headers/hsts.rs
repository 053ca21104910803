//! The `Strict-Transport-Security` header, parsed the way RFC 6797 §6.1 defines it and the way
//! browsers apply it: any violation of the grammar, a missing or malformed `max-age` or a repeated
//! directive makes a browser ignore the whole header, so such problems are "fatal" here.

use std::fmt;

/// The directives the guard understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownDirective {
    MaxAge,
    IncludeSubDomains,
    Preload,
}

impl KnownDirective {
    /// The directive as Django writes it.
    #[must_use]
    pub fn canonical_name(self) -> &'static str {
        match self {
            Self::MaxAge => "max-age",
            Self::IncludeSubDomains => "includeSubDomains",
            Self::Preload => "preload",
        }
    }

    /// The name hstspreload uses in its issue codes.
    #[must_use]
    pub fn code_name(self) -> &'static str {
        match self {
            Self::MaxAge => "max_age",
            Self::IncludeSubDomains => "include_sub_domains",
            Self::Preload => "preload",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Self::MaxAge, Self::IncludeSubDomains, Self::Preload]
            .into_iter()
            .find(|directive| directive.canonical_name().eq_ignore_ascii_case(name))
    }
}

/// Something wrong with a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsProblem {
    /// The header is present but empty.
    Empty,
    /// The value does not follow the grammar; `found` describes what was found where.
    Syntax { found: String },
    /// `;;` or a leading `;` (allowed by the grammar, but usually a typo).
    EmptyDirective,
    /// A directive nobody defines; browsers skip it.
    UnknownDirective(String),
    /// A directive given twice.
    Repeated(KnownDirective),
    /// No `max-age` at all.
    MaxAgeMissing,
    /// `max-age` without a value.
    MaxAgeNoValue,
    /// `max-age` whose value is not a plain number.
    MaxAgeNotDigits(String),
    /// `max-age=0123`.
    MaxAgeLeadingZero,
    /// `max-age="31536000"`: legal, but rejected by hstspreload and some scanners.
    MaxAgeQuoted,
    /// `includeSubDomains` or `preload` carrying a value, e.g. `preload=1`.
    ValueOnValueless(KnownDirective),
}

impl StsProblem {
    /// Whether browsers ignore the whole header because of this problem.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::Empty
            | Self::Syntax { .. }
            | Self::MaxAgeMissing
            | Self::MaxAgeNoValue
            | Self::MaxAgeNotDigits(_) => true,
            // Chromium and Firefox reject repeated or valued directives they implement;
            // `preload` is not part of RFC 6797, so browsers treat it as an unknown directive.
            Self::Repeated(directive) | Self::ValueOnValueless(directive) => {
                *directive != KnownDirective::Preload
            }
            Self::EmptyDirective
            | Self::UnknownDirective(_)
            | Self::MaxAgeLeadingZero
            | Self::MaxAgeQuoted => false,
        }
    }
}

/// A parsed header value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsHeader {
    /// `max-age` in seconds; values too large for `u64` saturate.
    pub max_age: Option<u64>,
    pub include_subdomains: bool,
    pub preload: bool,
    pub problems: Vec<StsProblem>,
}

impl StsHeader {
    /// Whether browsers apply this header at all.
    #[must_use]
    pub fn is_honoured(&self) -> bool {
        !self.problems.iter().any(StsProblem::is_fatal)
    }

    /// The `max-age` browsers apply, when they honour the header.
    #[must_use]
    pub fn effective_max_age(&self) -> Option<u64> {
        self.max_age.filter(|_| self.is_honoured())
    }
}

impl fmt::Display for StsHeader {
    /// The header as Django would write it (used by tests and messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut directives = Vec::new();
        if let Some(max_age) = self.max_age {
            directives.push(format!("max-age={max_age}"));
        }
        if self.include_subdomains {
            directives.push("includeSubDomains".to_owned());
        }
        if self.preload {
            directives.push("preload".to_owned());
        }
        f.write_str(&directives.join("; "))
    }
}

/// A directive's value as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Token(String),
    Quoted(String),
}

/// Parses one `Strict-Transport-Security` header value.
#[must_use]
pub fn parse(value: &str) -> StsHeader {
    let mut header = StsHeader::default();
    if value.trim_matches(is_ows).is_empty() {
        header.problems.push(StsProblem::Empty);
        return header;
    }
    let mut cursor = Cursor::new(value);
    let mut seen = Vec::new();
    loop {
        cursor.skip_ows();
        if cursor.at_end() {
            break;
        }
        if cursor.eat(';') {
            header.problems.push(StsProblem::EmptyDirective);
            continue;
        }
        let directive = match cursor.directive() {
            Ok(directive) => directive,
            Err(found) => {
                header.problems.push(StsProblem::Syntax { found });
                return header;
            }
        };
        cursor.skip_ows();
        if !cursor.at_end() && !cursor.eat(';') {
            let found = cursor.describe_here();
            header.problems.push(StsProblem::Syntax { found });
            return header;
        }
        apply(&mut header, &mut seen, directive);
    }
    if !seen.contains(&KnownDirective::MaxAge) {
        header.problems.push(StsProblem::MaxAgeMissing);
    }
    header
}

fn apply(
    header: &mut StsHeader,
    seen: &mut Vec<KnownDirective>,
    (name, value): (String, Option<Value>),
) {
    let Some(directive) = KnownDirective::from_name(&name) else {
        header.problems.push(StsProblem::UnknownDirective(name));
        return;
    };
    if seen.contains(&directive) {
        header.problems.push(StsProblem::Repeated(directive));
        return;
    }
    seen.push(directive);
    match directive {
        KnownDirective::MaxAge => match value {
            None => header.problems.push(StsProblem::MaxAgeNoValue),
            Some(Value::Token(digits)) => apply_max_age(header, &digits),
            Some(Value::Quoted(digits)) => {
                header.problems.push(StsProblem::MaxAgeQuoted);
                apply_max_age(header, &digits);
            }
        },
        KnownDirective::IncludeSubDomains | KnownDirective::Preload => {
            if value.is_some() {
                header
                    .problems
                    .push(StsProblem::ValueOnValueless(directive));
            }
            if directive == KnownDirective::Preload {
                header.preload = true;
            } else {
                header.include_subdomains = true;
            }
        }
    }
}

fn apply_max_age(header: &mut StsHeader, digits: &str) {
    if digits.is_empty() {
        header.problems.push(StsProblem::MaxAgeNoValue);
        return;
    }
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        header
            .problems
            .push(StsProblem::MaxAgeNotDigits(digits.to_owned()));
        return;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        header.problems.push(StsProblem::MaxAgeLeadingZero);
    }
    // Absurdly long values mean "forever" to a browser, which caps the policy anyway.
    header.max_age = Some(digits.parse().unwrap_or(u64::MAX));
}

fn is_ows(character: char) -> bool {
    character == ' ' || character == '\t'
}

/// RFC 9110 `tchar`.
fn is_tchar(character: char) -> bool {
    character.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(character)
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(value: &'a str) -> Self {
        Self { rest: value }
    }

    fn at_end(&self) -> bool {
        self.rest.is_empty()
    }

    fn skip_ows(&mut self) {
        self.rest = self.rest.trim_start_matches(is_ows);
    }

    fn eat(&mut self, expected: char) -> bool {
        if let Some(rest) = self.rest.strip_prefix(expected) {
            self.rest = rest;
            true
        } else {
            false
        }
    }

    fn token(&mut self) -> &'a str {
        let end = self
            .rest
            .find(|character| !is_tchar(character))
            .unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at(end);
        self.rest = rest;
        token
    }

    /// `name [ "=" value ]`, with optional whitespace around `=` (RFC 6797 allows implied LWS).
    fn directive(&mut self) -> Result<(String, Option<Value>), String> {
        let name = self.token();
        if name.is_empty() {
            return Err(self.describe_here());
        }
        self.skip_ows();
        if !self.eat('=') {
            return Ok((name.to_owned(), None));
        }
        self.skip_ows();
        if self.eat('"') {
            return self
                .quoted_rest()
                .map(|value| (name.to_owned(), Some(Value::Quoted(value))));
        }
        let value = self.token();
        if value.is_empty()
            && !KnownDirective::MaxAge
                .canonical_name()
                .eq_ignore_ascii_case(name)
        {
            return Err(self.describe_here());
        }
        Ok((name.to_owned(), Some(Value::Token(value.to_owned()))))
    }

    /// The rest of a quoted string whose opening quote was consumed.
    fn quoted_rest(&mut self) -> Result<String, String> {
        let mut value = String::new();
        let mut characters = self.rest.char_indices();
        while let Some((index, character)) = characters.next() {
            match character {
                '"' => {
                    self.rest = &self.rest[index + 1..];
                    return Ok(value);
                }
                '\\' => match characters.next() {
                    Some((_, escaped)) => value.push(escaped),
                    None => break,
                },
                _ => value.push(character),
            }
        }
        Err("a quoted value without its closing `\"`".to_owned())
    }

    fn describe_here(&self) -> String {
        match self.rest.chars().next() {
            None => "the value ends too early".to_owned(),
            Some(',') => "`,` (two headers merged into one?)".to_owned(),
            Some(character) => format!("`{}`", character.escape_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_generator::Generator;

    fn problems(value: &str) -> Vec<StsProblem> {
        parse(value).problems
    }

    /// A header without problems.
    fn clean(max_age: u64, include_subdomains: bool, preload: bool) -> StsHeader {
        StsHeader {
            max_age: Some(max_age),
            include_subdomains,
            preload,
            problems: vec![],
        }
    }

    #[test]
    fn django_headers_parse_cleanly() {
        for (value, max_age, include_subdomains, preload) in [
            ("max-age=3600", 3600, false, false),
            (
                "max-age=31536000; includeSubDomains",
                31_536_000,
                true,
                false,
            ),
            (
                "max-age=63072000; includeSubDomains; preload",
                63_072_000,
                true,
                true,
            ),
        ] {
            let header = parse(value);
            assert_eq!(
                header,
                clean(max_age, include_subdomains, preload),
                "{value}"
            );
            assert_eq!(header.to_string(), value);
            assert!(header.is_honoured());
        }
    }

    #[test]
    fn names_are_case_insensitive_order_free_and_whitespace_tolerant() {
        assert_eq!(
            parse("  PRELOAD ;includesubdomains;\tMax-Age = 600 ; "),
            clean(600, true, true)
        );
    }

    #[test]
    fn max_age_problems() {
        assert_eq!(problems(""), vec![StsProblem::Empty]);
        assert_eq!(problems(" \t"), vec![StsProblem::Empty]);
        assert_eq!(
            problems("includeSubDomains"),
            vec![StsProblem::MaxAgeMissing]
        );
        assert_eq!(problems("max-age"), vec![StsProblem::MaxAgeNoValue]);
        assert_eq!(problems("max-age="), vec![StsProblem::MaxAgeNoValue]);
        assert_eq!(
            problems("max-age=-1"),
            vec![StsProblem::MaxAgeNotDigits("-1".to_owned())]
        );
        assert_eq!(
            problems("max-age=3600s"),
            vec![StsProblem::MaxAgeNotDigits("3600s".to_owned())]
        );
        assert_eq!(
            problems("max-age=0123"),
            vec![StsProblem::MaxAgeLeadingZero]
        );
        assert_eq!(parse("max-age=0123").max_age, Some(123));
        assert_eq!(problems("max-age=\"300\""), vec![StsProblem::MaxAgeQuoted]);
        assert_eq!(parse("max-age=\"300\"").max_age, Some(300));
        assert_eq!(
            parse("max-age=99999999999999999999999").max_age,
            Some(u64::MAX)
        );
        assert_eq!(parse("max-age=0").effective_max_age(), Some(0));
    }

    #[test]
    fn repeated_and_valued_directives() {
        let header = parse("max-age=1; max-age=2");
        assert_eq!(
            header.problems,
            vec![StsProblem::Repeated(KnownDirective::MaxAge)]
        );
        assert_eq!(header.max_age, Some(1), "the first value counts");
        assert!(!header.is_honoured());
        assert_eq!(
            problems("max-age=1; includeSubDomains; INCLUDESUBDOMAINS"),
            vec![StsProblem::Repeated(KnownDirective::IncludeSubDomains)]
        );
        let preload_twice = parse("max-age=1; preload; preload");
        assert_eq!(
            preload_twice.problems,
            vec![StsProblem::Repeated(KnownDirective::Preload)]
        );
        assert!(preload_twice.is_honoured());
        assert!(!parse("max-age=1; includeSubDomains=yes").is_honoured());
        assert_eq!(
            problems("max-age=1; preload=\"1\""),
            vec![StsProblem::ValueOnValueless(KnownDirective::Preload)]
        );
    }

    #[test]
    fn grammar_violations_are_fatal() {
        for (value, found) in [
            ("max-age=1, max-age=2", "`,` (two headers merged into one?)"),
            ("max-age=1 includeSubDomains", "`i`"),
            ("max-age=\"1", "a quoted value without its closing `\"`"),
            ("=1", "`=`"),
            ("max-age=1; foo=", "the value ends too early"),
            ("max-age=1; caf\u{e9}", "`\\u{e9}`"),
        ] {
            let header = parse(value);
            assert_eq!(
                header.problems,
                vec![StsProblem::Syntax {
                    found: found.to_owned()
                }],
                "{value}"
            );
            assert!(!header.is_honoured());
            assert_eq!(header.effective_max_age(), None);
        }
    }

    #[test]
    fn harmless_oddities_are_not_fatal() {
        let header = parse(";max-age=300;; report-uri=\"https://x\";");
        assert_eq!(
            header.problems,
            vec![
                StsProblem::EmptyDirective,
                StsProblem::EmptyDirective,
                StsProblem::UnknownDirective("report-uri".to_owned())
            ]
        );
        assert_eq!(header.effective_max_age(), Some(300));
    }

    #[test]
    fn property_well_formed_headers_round_trip() {
        let mut generator = Generator::new(0x5eed);
        for _ in 0..2000 {
            let max_age = generator.next() % 100_000_000;
            let include_subdomains = generator.flip();
            let preload = generator.flip();
            let mut directives = vec![format!("{}={max_age}", generator.shuffle_case("max-age"))];
            if include_subdomains {
                directives.push(generator.shuffle_case("includeSubDomains"));
            }
            if preload {
                directives.push(generator.shuffle_case("preload"));
            }
            // Order is not significant.
            generator.shuffle(&mut directives);
            let separator = *generator.pick(&[";", "; ", " ;", "\t;\t"]);
            let value = format!(
                "{}{}",
                directives.join(separator),
                *generator.pick(&["", ";", " "])
            );
            let header = parse(&value);
            assert_eq!(
                header,
                clean(max_age, include_subdomains, preload),
                "{value:?}"
            );
            assert_eq!(parse(&header.to_string()), header);
        }
    }

    #[test]
    fn property_arbitrary_input_never_panics_and_fatal_means_ignored() {
        let alphabet = [
            "max-age",
            "=",
            "1",
            "0",
            ";",
            " ",
            "\"",
            "\\",
            ",",
            "preload",
            "é",
            "includeSubDomains",
            "x",
        ];
        let mut generator = Generator::new(42);
        for _ in 0..5000 {
            let length = generator.below(12);
            let value: String = (0..length).map(|_| *generator.pick(&alphabet)).collect();
            let header = parse(&value);
            let has_fatal = header.problems.iter().any(StsProblem::is_fatal);
            assert_eq!(header.is_honoured(), !has_fatal, "{value:?}");
            if header.is_honoured() {
                assert!(
                    header.max_age.is_some(),
                    "an honoured header has a max-age: {value:?}"
                );
            }
        }
    }
}

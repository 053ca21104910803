//! `Content-Security-Policy` and `Content-Security-Policy-Report-Only`, parsed the way CSP Level 3
//! browsers parse them, and the rules that judge what a policy lets scripts, plugins, `<base>`
//! and framing do. Gate and verify both judge with [`judge`]: the gate the simulated HTTPS
//! response, verify the live one, with the same words (only the ID's namespace differs).
//!
//! Browser behaviour the rules follow (CSP Level 3, §2.2 and §6.7):
//! - directive names are case-insensitive and the first occurrence of a directive wins;
//! - a header may hold several policies separated by commas, and every enforced policy applies:
//!   a script runs only if each of them allows it;
//! - `script-src-elem` and `script-src-attr` fall back to `script-src`, which falls back to
//!   `default-src`, as does `object-src`; `base-uri` and `frame-ancestors` do not fall back;
//! - `'unsafe-inline'` is ignored in a directive that also has a nonce, a hash or
//!   `'strict-dynamic'`; `'strict-dynamic'` makes browsers ignore host and scheme sources (and
//!   `'self'`) for scripts, so only nonced or hashed scripts and the scripts they load run.

use crate::finding::{Finding, Severity, Source};
use serde::Deserialize;

/// The headers of one response that carry a policy or stand in for part of one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CspHeaders {
    /// Every `Content-Security-Policy` value.
    pub enforced: Vec<String>,
    /// Every `Content-Security-Policy-Report-Only` value.
    pub report_only: Vec<String>,
    /// Every `X-Frame-Options` value.
    pub x_frame_options: Vec<String>,
    /// Every `Reporting-Endpoints` value (where `report-to` names are defined).
    pub reporting_endpoints: Vec<String>,
    /// Every `Report-To` value (the older header that also defined `report-to` groups).
    pub report_to: Vec<String>,
}

impl CspHeaders {
    /// The policies the response carries, enforced ones first; empty headers carry none.
    #[must_use]
    pub fn policies(&self) -> Vec<Policy> {
        let enforced = self
            .enforced
            .iter()
            .flat_map(|value| parse(value, Disposition::Enforce));
        let report_only = self
            .report_only
            .iter()
            .flat_map(|value| parse(value, Disposition::Report));
        enforced.chain(report_only).collect()
    }
}

/// Whether a policy is enforced or only reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Enforce,
    Report,
}

impl Disposition {
    /// The header that carries a policy of this disposition.
    #[must_use]
    pub fn header(self) -> &'static str {
        match self {
            Self::Enforce => "Content-Security-Policy",
            Self::Report => "Content-Security-Policy-Report-Only",
        }
    }
}

/// One directive: its name in lower case and its source expressions as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub values: Vec<String>,
}

impl Directive {
    /// `name value value` as sent, with nonces (new on every response) shown as `'nonce-…'`.
    #[must_use]
    pub fn shown(&self) -> String {
        std::iter::once(self.name.as_str())
            .chain(
                self.values
                    .iter()
                    .map(|value| if is_nonce(value) { NONCE_SHOWN } else { value }),
            )
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn has(&self, keyword: &str) -> bool {
        self.values
            .iter()
            .any(|value| value.eq_ignore_ascii_case(keyword))
    }

    /// A nonce or hash source: browsers then ignore `'unsafe-inline'`.
    fn has_nonce_or_hash(&self) -> bool {
        self.values
            .iter()
            .any(|value| is_nonce(value) || is_hash(value))
    }

    /// Whether inline scripts (or event handlers) run under this directive.
    fn allows_inline(&self) -> bool {
        self.has(UNSAFE_INLINE) && !self.has_nonce_or_hash() && !self.has(STRICT_DYNAMIC)
    }

    /// The sources that let any host's (or a `data:` URL's) script load; none when
    /// `'strict-dynamic'` makes browsers ignore host and scheme sources.
    fn broad_sources(&self) -> Vec<&str> {
        if self.has(STRICT_DYNAMIC) {
            return Vec::new();
        }
        self.values
            .iter()
            .map(String::as_str)
            .filter(|value| broad_kind(value).is_some())
            .collect()
    }

    /// Exactly `'none'`: nothing loads.
    fn is_none(&self) -> bool {
        matches!(self.values.as_slice(), [only] if only.eq_ignore_ascii_case(NONE))
    }
}

/// One policy: its directives in the order sent, each name once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub disposition: Disposition,
    pub directives: Vec<Directive>,
}

impl Policy {
    #[must_use]
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives
            .iter()
            .find(|directive| directive.name == name)
    }

    /// The directive that governs a kind of resource: the first of `chain` the policy has.
    fn effective(&self, chain: &[&str]) -> Option<&Directive> {
        chain.iter().find_map(|name| self.directive(name))
    }

    /// The policy's directives sorted by name (django-csp sends them in no fixed order), joined
    /// with `; `, nonces masked.
    #[must_use]
    pub fn shown(&self) -> String {
        let mut directives: Vec<String> = self.directives.iter().map(Directive::shown).collect();
        directives.sort();
        directives.join("; ")
    }
}

/// Parses one header value: a comma-separated list of policies (CSP3 §2.2.2). Policies without
/// directives are dropped, as browsers drop them.
#[must_use]
pub fn parse(value: &str, disposition: Disposition) -> Vec<Policy> {
    value
        .split(',')
        .map(|serialized| parse_policy(serialized, disposition))
        .filter(|policy| !policy.directives.is_empty())
        .collect()
}

fn parse_policy(serialized: &str, disposition: Disposition) -> Policy {
    let mut directives: Vec<Directive> = Vec::new();
    for token in serialized.split(';') {
        let mut words = token.split_ascii_whitespace();
        let Some(name) = words.next() else { continue };
        let name = name.to_ascii_lowercase();
        // The first occurrence wins; browsers report the repeat and skip it.
        if directives.iter().any(|directive| directive.name == name) {
            continue;
        }
        directives.push(Directive {
            name,
            values: words.map(str::to_owned).collect(),
        });
    }
    Policy {
        disposition,
        directives,
    }
}

const NONE: &str = "'none'";
const SELF: &str = "'self'";
const UNSAFE_INLINE: &str = "'unsafe-inline'";
const STRICT_DYNAMIC: &str = "'strict-dynamic'";
const NONCE_SHOWN: &str = "'nonce-…'";
/// Stands for the request's nonce in a fixed directive (`CSP.NONCE` in Django's form).
const NONCE_PLACEHOLDER: &str = "'nonce-{nonce}'";

/// What governs `<script>` elements, and inline event handlers (`onclick=`).
const SCRIPT_ELEMENTS: [&str; 3] = ["script-src-elem", "script-src", "default-src"];
const SCRIPT_ATTRIBUTES: [&str; 3] = ["script-src-attr", "script-src", "default-src"];
const OBJECTS: [&str; 2] = ["object-src", "default-src"];

fn is_nonce(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("'nonce-") && lower.ends_with('\'') && lower.len() > "'nonce-'".len()
}

fn is_hash(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["'sha256-", "'sha384-", "'sha512-"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
        && lower.ends_with('\'')
}

/// What a source expression opens scripts to, when it is one of the broad ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broad {
    /// `*`, `http:`, `https:` (and `http://*`, `https://*`): any web host.
    AnyHost,
    /// `data:`: the script travels in the URL itself.
    DataUrl,
}

fn broad_kind(value: &str) -> Option<Broad> {
    match value.to_ascii_lowercase().as_str() {
        "*" | "http:" | "https:" | "http://*" | "https://*" => Some(Broad::AnyHost),
        "data:" => Some(Broad::DataUrl),
        _ => None,
    }
}

/// The rules, each with an ID of its own (`guard.csp_*` in the gate, `verify.csp_*` in verify).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    ScriptUnsafeInline,
    ScriptBroadSource,
    ScriptUnrestricted,
    ObjectSrcNotNone,
    BaseUriMissing,
    FrameAncestorsMissing,
    ReportOnlyUnreported,
    ReportOnlyDuplicate,
}

impl Rule {
    pub const ALL: [Self; 8] = [
        Self::ScriptUnsafeInline,
        Self::ScriptBroadSource,
        Self::ScriptUnrestricted,
        Self::ObjectSrcNotNone,
        Self::BaseUriMissing,
        Self::FrameAncestorsMissing,
        Self::ReportOnlyUnreported,
        Self::ReportOnlyDuplicate,
    ];

    /// The ID without its namespace.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ScriptUnsafeInline => "csp_script_unsafe_inline",
            Self::ScriptBroadSource => "csp_script_broad_source",
            Self::ScriptUnrestricted => "csp_script_unrestricted",
            Self::ObjectSrcNotNone => "csp_object_src_not_none",
            Self::BaseUriMissing => "csp_base_uri_missing",
            Self::FrameAncestorsMissing => "csp_frame_ancestors_missing",
            Self::ReportOnlyUnreported => "csp_report_only_unreported",
            Self::ReportOnlyDuplicate => "csp_report_only_duplicate",
        }
    }
}

/// Where the app's policy is configured, which decides the form of each fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// Django 6's `SECURE_CSP` / `SECURE_CSP_REPORT_ONLY` with `django.utils.csp.CSP`.
    Django,
    /// django-csp 4: `CONTENT_SECURITY_POLICY = {"DIRECTIVES": {...}}` with `csp.constants`.
    DjangoCsp4,
    /// django-csp 3: one `CSP_*` setting per directive, `CSP_INCLUDE_NONCE_IN` for nonces.
    DjangoCsp3,
}

/// What one rule found: the parts of a finding, in the same words for gate and verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspProblem {
    pub rule: Rule,
    /// The setting the fix changes.
    pub setting: String,
    pub message: String,
    pub required: String,
    pub why: String,
    pub fix: String,
}

impl CspProblem {
    /// The finding, with the ID `{namespace}.{rule}`; every policy rule is a warning.
    #[must_use]
    pub fn into_finding(self, namespace: &str, source: Source) -> Finding {
        Finding::new(
            format!("{namespace}.{}", self.rule.name()),
            Severity::Warn,
            source,
            self.message,
        )
        .with_setting(self.setting)
        .with_required(self.required)
        .with_why(self.why)
        .with_fix(self.fix)
    }
}

/// Every rule's problems with the policies `headers` carry, fixes written for `source`. A
/// response without a policy has none: whether one should have been sent is the gate's
/// question, not the policy's.
#[must_use]
pub fn judge(headers: &CspHeaders, source: PolicySource) -> Vec<CspProblem> {
    let policies = headers.policies();
    let (enforced, report_only): (Vec<&Policy>, Vec<&Policy>) = policies
        .iter()
        .partition(|policy| policy.disposition == Disposition::Enforce);
    // What protects the page is the enforced policies; a site trying out a report-only policy
    // alone gets it judged as the policy it is about to enforce.
    let judged = if enforced.is_empty() {
        &report_only
    } else {
        &enforced
    };
    let Some(first) = judged.first() else {
        return Vec::new();
    };
    let writer = FixWriter {
        source,
        disposition: first.disposition,
    };
    let header = first.disposition.header();
    let mut problems = script_problems(judged, header, &writer);
    let scripts_limited = judged
        .iter()
        .any(|policy| policy.effective(&SCRIPT_ELEMENTS).is_some());
    // A policy that does not limit scripts is reported as such; what else it leaves open adds
    // nothing to that.
    if scripts_limited {
        problems.extend(object_problem(judged, header, &writer));
        if !judged
            .iter()
            .any(|policy| policy.directive("base-uri").is_some())
        {
            problems.push(base_uri_missing(header, &writer));
        }
    }
    problems.extend(frame_ancestors_missing(&enforced, headers, source));
    let report_writer = FixWriter {
        source,
        disposition: Disposition::Report,
    };
    for policy in &report_only {
        problems.extend(report_only_unreported(policy, headers, &report_writer));
        if let Some(twin) = enforced
            .iter()
            .find(|enforced| enforced.directives == policy.directives)
        {
            problems.push(report_only_duplicate(twin, &report_writer));
        }
    }
    problems
}

/// The scripts the policies let run: none of the rules when they do not limit scripts at all.
fn script_problems(judged: &[&Policy], header: &str, writer: &FixWriter) -> Vec<CspProblem> {
    let governed = |chain: &[&str]| {
        judged
            .iter()
            .any(|policy| policy.effective(chain).is_some())
    };
    if !governed(&SCRIPT_ELEMENTS) {
        return vec![script_unrestricted(judged[0], header, writer, None)];
    }
    let mut problems = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for (chain, what) in [
        (&SCRIPT_ELEMENTS, "inline scripts"),
        (&SCRIPT_ATTRIBUTES, "inline event handlers (onclick=...)"),
    ] {
        // A script runs only if every enforced policy lets it.
        let everywhere = judged
            .iter()
            .all(|policy| policy.effective(chain).is_none_or(Directive::allows_inline));
        let named = judged
            .iter()
            .find_map(|policy| policy.effective(chain).filter(|d| d.allows_inline()));
        if let Some(directive) =
            named.filter(|d| everywhere && !reported.contains(&d.name.as_str()))
        {
            reported.push(&directive.name);
            problems.push(unsafe_inline(directive, header, what, writer));
        }
    }
    if !governed(&SCRIPT_ATTRIBUTES) {
        let elements = judged
            .iter()
            .find_map(|policy| policy.effective(&SCRIPT_ELEMENTS));
        problems.push(script_unrestricted(judged[0], header, writer, elements));
    }
    problems.extend(broad_source(judged, header, writer));
    problems
}

fn unsafe_inline(
    directive: &Directive,
    header: &str,
    what: &str,
    writer: &FixWriter,
) -> CspProblem {
    let mut fixed: Vec<String> = directive
        .values
        .iter()
        .filter(|value| !value.eq_ignore_ascii_case(UNSAFE_INLINE))
        .cloned()
        .collect();
    if !directive.has_nonce_or_hash() {
        fixed.push(NONCE_PLACEHOLDER.to_owned());
    }
    let name = script_directive_for_fix(&directive.name);
    CspProblem {
        rule: Rule::ScriptUnsafeInline,
        setting: writer.setting(name),
        message: format!(
            "{header} lets injected {what} run: {} has 'unsafe-inline' without a nonce or hash (`{}`).",
            directive.name,
            directive.shown()
        ),
        required: "no 'unsafe-inline' for scripts, or a nonce or hash beside it (browsers then ignore 'unsafe-inline')".to_owned(),
        why: "An injected <script> or onclick= attribute is exactly what 'unsafe-inline' allows, so the policy does not stop cross-site scripting. CSP Level 3 browsers ignore 'unsafe-inline' in a directive that also has a nonce, a hash or 'strict-dynamic': give the page's own inline scripts the request's nonce instead.".to_owned(),
        fix: writer.directive_line(name, &fixed),
    }
}

/// The directive a script fix writes: a fix never narrows `default-src`, which also governs
/// styles, images and the rest, but adds `script-src`.
fn script_directive_for_fix(name: &str) -> &str {
    if name == "default-src" {
        "script-src"
    } else {
        name
    }
}

fn broad_source(judged: &[&Policy], header: &str, writer: &FixWriter) -> Option<CspProblem> {
    // A kind of source is open only if every policy that governs scripts lets it in.
    let open = |kind: Broad| {
        judged.iter().all(|policy| {
            policy.effective(&SCRIPT_ELEMENTS).is_none_or(|directive| {
                directive
                    .broad_sources()
                    .iter()
                    .any(|value| broad_kind(value) == Some(kind))
            })
        })
    };
    let kinds: Vec<Broad> = [Broad::AnyHost, Broad::DataUrl]
        .into_iter()
        .filter(|kind| open(*kind))
        .collect();
    let directive = judged
        .iter()
        .find_map(|policy| policy.effective(&SCRIPT_ELEMENTS))?;
    let values: Vec<&str> = directive
        .broad_sources()
        .into_iter()
        .filter(|value| broad_kind(value).is_some_and(|kind| kinds.contains(&kind)))
        .collect();
    if values.is_empty() {
        return None;
    }
    let from = match kinds.as_slice() {
        [Broad::AnyHost] => "any host",
        [Broad::DataUrl] => "data: URLs",
        _ => "any host and from data: URLs",
    };
    let mut fixed: Vec<String> = directive
        .values
        .iter()
        .filter(|value| broad_kind(value).is_none())
        .cloned()
        .collect();
    if !directive.has(SELF) && !directive.has_nonce_or_hash() {
        fixed.insert(0, SELF.to_owned());
    }
    let name = script_directive_for_fix(&directive.name);
    Some(CspProblem {
        rule: Rule::ScriptBroadSource,
        setting: writer.setting(name),
        message: format!(
            "{header} lets scripts load from {from}: {} allows {} (`{}`).",
            directive.name,
            values.join(" and "),
            directive.shown()
        ),
        required: "script sources limited to the site and the hosts it names, or a nonce with 'strict-dynamic' (browsers then ignore host and scheme sources)".to_owned(),
        why: "Any site an attacker can put a file on then counts as a trusted script source, and data: lets an injected <script src=\"data:...\"> carry the script itself. With 'strict-dynamic' beside a nonce or hash, CSP Level 3 browsers ignore host and scheme sources.".to_owned(),
        fix: format!(
            "{}  # and the hosts the site loads scripts from",
            writer.directive_line(name, &fixed)
        ),
    })
}

/// No directive limits `<script>` elements (`elements` None), or none limits event handlers
/// although `elements` limits the elements.
fn script_unrestricted(
    policy: &Policy,
    header: &str,
    writer: &FixWriter,
    elements: Option<&Directive>,
) -> CspProblem {
    let (message, fix) = match elements {
        None => (
            format!(
                "{header} does not limit scripts: it has neither script-src nor default-src (`{}`).",
                policy.shown()
            ),
            writer.directive_line(
                "script-src",
                &[SELF.to_owned(), NONCE_PLACEHOLDER.to_owned()],
            ),
        ),
        Some(elements) => (
            format!(
                "{header} does not limit inline event handlers: {} covers <script> elements only, and there is no script-src-attr, script-src or default-src (`{}`).",
                elements.name,
                policy.shown()
            ),
            writer.directive_line("script-src-attr", &[NONE.to_owned()]),
        ),
    };
    CspProblem {
        rule: Rule::ScriptUnrestricted,
        setting: writer.setting(if elements.is_none() {
            "script-src"
        } else {
            "script-src-attr"
        }),
        message,
        required: "script-src (or default-src) in the policy".to_owned(),
        why: "A directive the policy leaves out allows everything: injected scripts run as if there were no policy.".to_owned(),
        fix,
    }
}

fn object_problem(judged: &[&Policy], header: &str, writer: &FixWriter) -> Option<CspProblem> {
    if judged
        .iter()
        .any(|policy| policy.effective(&OBJECTS).is_some_and(Directive::is_none))
    {
        return None;
    }
    let detail = match judged.iter().find_map(|policy| policy.effective(&OBJECTS)) {
        Some(directive) if directive.name == "default-src" => format!(
            "object-src falls back to default-src (`{}`)",
            directive.shown()
        ),
        Some(directive) => format!("`{}`", directive.shown()),
        None => {
            "neither object-src nor default-src is set, so <object> and <embed> load from anywhere"
                .to_owned()
        }
    };
    Some(CspProblem {
        rule: Rule::ObjectSrcNotNone,
        setting: writer.setting("object-src"),
        message: format!("{header} does not set object-src 'none': {detail}."),
        required: "object-src 'none'".to_owned(),
        why: "<object> and <embed> are governed by object-src, not script-src, and plugin content they load has run script in the page: CSP Evaluator and Google's strict CSP ask for object-src 'none', which no current site needs to relax.".to_owned(),
        fix: writer.directive_line("object-src", &[NONE.to_owned()]),
    })
}

fn base_uri_missing(header: &str, writer: &FixWriter) -> CspProblem {
    CspProblem {
        rule: Rule::BaseUriMissing,
        setting: writer.setting("base-uri"),
        message: format!("{header} has no base-uri (it does not fall back to default-src)."),
        required: "base-uri 'none' (or 'self' when pages use <base>)".to_owned(),
        why: "An injected <base href> changes the address every relative URL resolves against, so relative <script src> paths load from the attacker's host, nonce-based policies included.".to_owned(),
        fix: writer.directive_line("base-uri", &[NONE.to_owned()]),
    }
}

fn frame_ancestors_missing(
    enforced: &[&Policy],
    headers: &CspHeaders,
    source: PolicySource,
) -> Option<CspProblem> {
    let framing_limited = enforced
        .iter()
        .any(|policy| policy.directive("frame-ancestors").is_some())
        || headers
            .x_frame_options
            .iter()
            .any(|value| !value.trim().is_empty());
    if framing_limited {
        return None;
    }
    let writer = FixWriter {
        source,
        disposition: Disposition::Enforce,
    };
    Some(CspProblem {
        rule: Rule::FrameAncestorsMissing,
        setting: writer.setting("frame-ancestors"),
        message: "Neither an enforced Content-Security-Policy frame-ancestors nor an X-Frame-Options header limits who may frame the page.".to_owned(),
        required: "frame-ancestors in the enforced policy, or X-Frame-Options (django.middleware.clickjacking.XFrameOptionsMiddleware)".to_owned(),
        why: "Any site can load the page in a frame and trick visitors into clicking through it (clickjacking). frame-ancestors does not fall back to default-src and is ignored in a report-only policy.".to_owned(),
        fix: writer.directive_line("frame-ancestors", &[SELF.to_owned()]),
    })
}

fn report_only_unreported(
    policy: &Policy,
    headers: &CspHeaders,
    writer: &FixWriter,
) -> Option<CspProblem> {
    let report_uri = policy
        .directive("report-uri")
        .is_some_and(|directive| !directive.values.is_empty());
    let report_to = policy.directive("report-to");
    let defined = |group: &str| {
        !headers.report_to.is_empty()
            || headers
                .reporting_endpoints
                .iter()
                .flat_map(|value| value.split(','))
                .filter_map(|member| member.split_once('='))
                .any(|(name, _)| name.trim() == group)
    };
    let detail = match report_to.and_then(|directive| directive.values.first()) {
        _ if report_uri => return None,
        Some(group) if defined(group) => return None,
        Some(group) => format!(
            "report-to names `{group}`, which no Reporting-Endpoints header defines, and there is no report-uri"
        ),
        None => "it has no report-uri or report-to".to_owned(),
    };
    let header = Disposition::Report.header();
    Some(CspProblem {
        rule: Rule::ReportOnlyUnreported,
        setting: writer.setting("report-uri"),
        message: format!(
            "{header} has nowhere to report: {detail} (`{}`).",
            policy.shown()
        ),
        required: "report-uri (and report-to with a Reporting-Endpoints header) in the report-only policy".to_owned(),
        why: "A report-only policy blocks nothing: its only effect is the violation reports browsers send, so without an address to send them to it does nothing at all.".to_owned(),
        fix: format!(
            "{}  # a view or service that receives the reports",
            writer.directive_line("report-uri", &["/csp-reports/".to_owned()])
        ),
    })
}

fn report_only_duplicate(enforced: &Policy, writer: &FixWriter) -> CspProblem {
    let fix = match writer.source {
        PolicySource::DjangoCsp3 => {
            "Send one policy: remove whatever adds the report-only copy.".to_owned()
        }
        _ => format!(
            "{} = {{}}  # or the stricter policy you are trying out",
            writer.setting("")
        ),
    };
    CspProblem {
        rule: Rule::ReportOnlyDuplicate,
        setting: writer.setting(""),
        message: format!(
            "Content-Security-Policy-Report-Only repeats the enforced Content-Security-Policy (`{}`): it reports only what is already blocked.",
            enforced.shown()
        ),
        required: "a report-only policy that differs from the enforced one (the stricter policy being tried out), or none".to_owned(),
        why: "A report-only policy is for trying a stricter policy before enforcing it; a copy of the enforced one reports exactly the violations the enforced one already blocks.".to_owned(),
        fix,
    }
}

/// Writes a fixed directive in the form the app configures its policy in.
struct FixWriter {
    source: PolicySource,
    disposition: Disposition,
}

impl FixWriter {
    /// The setting that holds `directive` (django-csp 3 has one per directive).
    fn setting(&self, directive: &str) -> String {
        let report = self.disposition == Disposition::Report;
        match self.source {
            PolicySource::Django if report => "SECURE_CSP_REPORT_ONLY".to_owned(),
            PolicySource::Django => "SECURE_CSP".to_owned(),
            PolicySource::DjangoCsp4 if report => "CONTENT_SECURITY_POLICY_REPORT_ONLY".to_owned(),
            PolicySource::DjangoCsp4 => "CONTENT_SECURITY_POLICY".to_owned(),
            PolicySource::DjangoCsp3 if directive.is_empty() => "CSP_REPORT_ONLY".to_owned(),
            PolicySource::DjangoCsp3 => {
                format!("CSP_{}", directive.replace('-', "_").to_ascii_uppercase())
            }
        }
    }

    /// The setting line that gives `directive` these `values` (the other directives kept).
    fn directive_line(&self, directive: &str, values: &[String]) -> String {
        let setting = self.setting(directive);
        match self.source {
            PolicySource::Django | PolicySource::DjangoCsp4 => {
                let rendered = values
                    .iter()
                    .map(|value| self.value(value))
                    .collect::<Vec<_>>()
                    .join(", ");
                if self.source == PolicySource::Django {
                    format!("{setting} = {{\"{directive}\": [{rendered}], ...}}")
                } else {
                    format!(
                        "{setting} = {{\"DIRECTIVES\": {{\"{directive}\": [{rendered}], ...}}}}"
                    )
                }
            }
            PolicySource::DjangoCsp3 => {
                let (nonces, rest): (Vec<&String>, Vec<&String>) =
                    values.iter().partition(|value| is_placeholder(value));
                let rendered = rest
                    .iter()
                    .map(|value| python_string(value))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut line = format!("{setting} = [{rendered}]");
                if !nonces.is_empty() {
                    line = format!("{line}\nCSP_INCLUDE_NONCE_IN = [\"{directive}\"]");
                }
                line
            }
        }
    }

    /// One source expression as Python: the constant Django or django-csp names it by, else
    /// a string literal.
    fn value(&self, value: &str) -> String {
        const KEYWORDS: [(&str, &str); 8] = [
            (NONE, "NONE"),
            (SELF, "SELF"),
            (STRICT_DYNAMIC, "STRICT_DYNAMIC"),
            (UNSAFE_INLINE, "UNSAFE_INLINE"),
            ("'unsafe-eval'", "UNSAFE_EVAL"),
            ("'unsafe-hashes'", "UNSAFE_HASHES"),
            ("'wasm-unsafe-eval'", "WASM_UNSAFE_EVAL"),
            ("'report-sample'", "REPORT_SAMPLE"),
        ];
        let constant = if is_placeholder(value) {
            Some("NONCE")
        } else {
            KEYWORDS
                .iter()
                .find(|(keyword, _)| keyword.eq_ignore_ascii_case(value))
                .map(|(_, constant)| *constant)
        };
        match (constant, self.source) {
            (Some(constant), PolicySource::Django) => format!("CSP.{constant}"),
            (Some(constant), _) => constant.to_owned(),
            (None, _) => python_string(value),
        }
    }
}

/// A nonce in a fixed directive: the request's nonce, which the settings write as a constant.
fn is_placeholder(value: &str) -> bool {
    value == NONCE_PLACEHOLDER || is_nonce(value)
}

fn python_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests;

//! The live site, asked once per release when `RELEASE_GUARD_LIVE_URL` (or project.toml's
//! `live-url`) is set: one HTTPS request, plus one plain-HTTP request to the same host only when
//! the new release does not redirect plain HTTP itself (the only case where the live redirect
//! matters). Both within [`LIVE_BUDGET`]. The requests go through [`LiveSite`] (verify's client
//! at run time), the comparison is [`crate::compare`]'s; unreachable is information, never a
//! block.

use super::resolve::LiveRequest;
use super::snapshot::{SimulatedResponse, Snapshot};
use crate::compare::{self, CookieSetting, LiveFacts, NewRelease};
use crate::finding::Finding;
use crate::gate::snapshot::PyValue;
use crate::headers::cookie;
use crate::http_facts::{LiveSite, ResponseFacts};
use std::time::{Duration, Instant};

/// The time the live site gets, for both requests together.
pub const LIVE_BUDGET: Duration = Duration::from_secs(5);

/// What asking the live site gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// The live site's answers, when it answered over HTTPS.
    pub facts: Option<LiveFacts>,
    /// Where this release is weaker, or why the live site could not be compared.
    pub findings: Vec<Finding>,
    /// Lines for the log (what was compared, what could not be).
    pub notes: Vec<String>,
}

/// Asks the live site and compares it with the simulated responses of `snapshot`.
/// `silenced(id)` tells whether the policy silences a finding (W004 and W008 leave HSTS and the
/// redirect to what is in front of the app).
#[must_use]
pub fn observe(
    snapshot: &Snapshot,
    request: &LiveRequest,
    site: &dyn LiveSite,
    silenced: &dyn Fn(&str) -> bool,
) -> Observation {
    let url = request.url.as_str();
    let Some(https) = snapshot
        .simulation
        .https
        .as_ref()
        .filter(|_| snapshot.simulation.ran)
    else {
        return Observation {
            notes: vec![format!(
                "The live site {url} was not asked: the simulated requests of this release did not run, so there is nothing to compare."
            )],
            ..Observation::default()
        };
    };
    let new = NewRelease {
        https: facts(https),
        redirects_http: snapshot
            .simulation
            .http
            .as_ref()
            .is_some_and(|http| facts(http).redirects_to_https()),
        cookies: cookie_settings(snapshot, https),
        hsts_delegated: silenced("security.W004"),
        redirect_delegated: silenced("security.W008"),
    };
    let deadline = Instant::now() + LIVE_BUDGET;
    let live_https = match site.get(url, &request.trust, deadline) {
        Ok(answer) => answer,
        Err(reason) => {
            return Observation {
                findings: vec![compare::unreachable(url, &reason)],
                ..Observation::default()
            };
        }
    };
    let mut notes = Vec::new();
    let live_http = if new.redirects_http {
        None
    } else {
        let http_url = plain_http_twin(url);
        match site.get(&http_url, &request.trust, deadline) {
            Ok(answer) => Some(answer),
            Err(reason) => {
                notes.push(format!(
                    "The live site's plain-HTTP address {http_url} could not be asked ({reason}); the HTTPS redirect was not compared."
                ));
                None
            }
        }
    };
    let live = LiveFacts {
        url: url.to_string(),
        https: live_https,
        http: live_http,
    };
    let findings = compare::weakenings(&new, &live);
    if findings.is_empty() {
        notes.push(format!(
            "Compared with the live site {url}: this release is not weaker."
        ));
    }
    Observation {
        facts: Some(live),
        findings,
        notes,
    }
}

fn facts(response: &SimulatedResponse) -> ResponseFacts {
    ResponseFacts {
        status: response.status.unwrap_or_default(),
        location: response.location.clone(),
        hsts: response.hsts.clone(),
        set_cookies: response.set_cookies.clone(),
    }
}

/// The live site's plain-HTTP address: same host and path on port 80, where routers listen.
fn plain_http_twin(https_url: &str) -> String {
    let rest = https_url.get("https://".len()..).unwrap_or_default();
    let (authority, path) = rest
        .find(['/', '?', '#'])
        .map_or((rest, ""), |at| rest.split_at(at));
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed
            .split_once(']')
            .map_or(authority, |(host, _)| &authority[..host.len() + 2]),
        None => authority.split(':').next().unwrap_or(authority),
    };
    format!("http://{host}{path}")
}

/// The session and CSRF cookies this release sets: `Secure` as the simulated response sent the
/// cookie, else as the setting Django reads when it sets one.
fn cookie_settings(snapshot: &Snapshot, https: &SimulatedResponse) -> Vec<CookieSetting> {
    let setting = |name: &str| snapshot.settings.get(name);
    let name = |setting_name: &str, default: &str| {
        setting(setting_name)
            .and_then(PyValue::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let mut cookies = vec![(
        "the session cookie",
        name("SESSION_COOKIE_NAME", "sessionid"),
        "SESSION_COOKIE_SECURE",
    )];
    if !setting("CSRF_USE_SESSIONS").is_some_and(PyValue::truthy) {
        cookies.push((
            "the CSRF cookie",
            name("CSRF_COOKIE_NAME", "csrftoken"),
            "CSRF_COOKIE_SECURE",
        ));
    }
    cookies
        .into_iter()
        .map(|(role, name, secure_setting)| {
            let sent = https
                .set_cookies
                .iter()
                .filter_map(|header| cookie::parse(header))
                .find(|sent| sent.name == name);
            let secure = sent.map_or_else(
                || setting(secure_setting).is_some_and(PyValue::truthy),
                |sent| sent.secure,
            );
            CookieSetting {
                role,
                name,
                secure_setting,
                secure,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::rules::testing::{SnapshotBuilder, ids, py_bool, py_str};
    use crate::http_facts::CaTrust;
    use std::cell::RefCell;

    /// A live site answering from a table, recording what was asked.
    struct Scripted {
        answers: Vec<(&'static str, Result<ResponseFacts, String>)>,
        asked: RefCell<Vec<String>>,
    }

    impl LiveSite for Scripted {
        fn get(
            &self,
            url: &str,
            _trust: &CaTrust,
            deadline: Instant,
        ) -> Result<ResponseFacts, String> {
            let within_budget = deadline <= Instant::now() + LIVE_BUDGET;
            self.asked.borrow_mut().push(format!(
                "{url}{}",
                if within_budget { "" } else { " (late)" }
            ));
            self.answers
                .iter()
                .find(|(known, _)| *known == url)
                .map_or_else(
                    || Err("connection refused".to_string()),
                    |(_, answer)| answer.clone(),
                )
        }
    }

    fn request() -> LiveRequest {
        LiveRequest {
            url: "https://www.example.com:8443/health".parse().unwrap(),
            trust: CaTrust::default(),
        }
    }

    fn site(answers: Vec<(&'static str, Result<ResponseFacts, String>)>) -> Scripted {
        Scripted {
            answers,
            asked: RefCell::new(Vec::new()),
        }
    }

    fn strong() -> ResponseFacts {
        ResponseFacts {
            status: 200,
            hsts: vec!["max-age=63072000; includeSubDomains".to_string()],
            ..ResponseFacts::default()
        }
    }

    #[test]
    fn one_https_request_when_the_release_redirects_itself() {
        let live = site(vec![("https://www.example.com:8443/health", Ok(strong()))]);
        let snapshot = SnapshotBuilder::hardened().build();
        let observed = observe(&snapshot, &request(), &live, &|_| false);
        assert_eq!(
            *live.asked.borrow(),
            ["https://www.example.com:8443/health"]
        );
        assert_eq!(ids(&observed.findings), [compare::HSTS_WEAKENED]);
        assert!(observed.notes.is_empty());
        assert!(observed.facts.is_some());
    }

    #[test]
    fn the_plain_http_address_is_asked_only_when_the_release_does_not_redirect() {
        let redirect = ResponseFacts {
            status: 301,
            location: Some("https://www.example.com/health".to_string()),
            ..ResponseFacts::default()
        };
        let live = site(vec![
            ("https://www.example.com:8443/health", Ok(strong())),
            ("http://www.example.com/health", Ok(redirect)),
        ]);
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .http(|http| {
                *http = SimulatedResponse {
                    status: Some(200),
                    reached_view: true,
                    ..SimulatedResponse::default()
                };
            })
            .build();
        let observed = observe(&snapshot, &request(), &live, &|id| id == "security.W004");
        assert_eq!(
            *live.asked.borrow(),
            [
                "https://www.example.com:8443/health",
                "http://www.example.com/health"
            ]
        );
        assert_eq!(
            ids(&observed.findings),
            [compare::HSTS_WEAKENED, compare::SSL_REDIRECT_REMOVED]
        );
    }

    #[test]
    fn an_unreachable_live_site_is_one_info_finding() {
        let observed = observe(
            &SnapshotBuilder::hardened().build(),
            &request(),
            &site(Vec::new()),
            &|_| false,
        );
        assert_eq!(observed.facts, None);
        assert_eq!(observed.findings.len(), 1);
        assert_eq!(observed.findings[0].id, compare::LIVE_SITE_UNREACHABLE);
        assert!(
            observed.findings[0]
                .message
                .contains(": connection refused This release")
        );
    }

    #[test]
    fn cookies_are_judged_as_sent_else_by_their_settings() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SESSION_COOKIE_NAME", py_str("__Host-session"))
            .set("CSRF_COOKIE_SECURE", py_bool(false))
            .https(|https| https.set_cookies = vec!["__Host-session=x; Path=/".to_string()])
            .build();
        let https = snapshot.simulation.https.clone().unwrap();
        let found: Vec<(String, bool)> = cookie_settings(&snapshot, &https)
            .into_iter()
            .map(|cookie| (cookie.name, cookie.secure))
            .collect();
        assert_eq!(
            found,
            [
                ("__Host-session".to_string(), false),
                ("csrftoken".to_string(), false)
            ]
        );
    }

    #[test]
    fn the_plain_http_twin_keeps_host_and_path_on_port_80() {
        assert_eq!(
            plain_http_twin("https://www.example.com"),
            "http://www.example.com"
        );
        assert_eq!(
            plain_http_twin("https://www.example.com:8443/a?b#c"),
            "http://www.example.com/a?b#c"
        );
        assert_eq!(plain_http_twin("https://[::1]:8443/x"), "http://[::1]/x");
    }
}

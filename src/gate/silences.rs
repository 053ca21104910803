//! Silences whose assumption the evidence contradicts. Silencing a check (in
//! `SILENCED_SYSTEM_CHECKS` or the guard's `ignore`) says "this is handled elsewhere". Where the
//! probe's facts or the live site show that it is not, the silence does not hold and the finding
//! blocks; where the live site shows that it is, the silenced list says so.
//!
//! One table, one row per check the guard can judge without guessing. Nothing else is
//! second-guessed: a silence the evidence cannot speak to stays a silence.

use crate::compare::LiveFacts;
use crate::gate::snapshot::Snapshot;

/// What the evidence says about a silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Nothing to say: the silence is honoured as written.
    Holds,
    /// The live site shows the claim is true (what it showed).
    Confirmed(String),
    /// The claim is false (why): the finding blocks.
    Contradicted(String),
}

/// A check whose silence the guard can judge.
pub struct Contradiction {
    pub id: &'static str,
    /// What silencing it claims.
    pub assumption: &'static str,
    /// Why the guard may overrule that claim.
    pub reasoning: &'static str,
    judge: fn(&Snapshot, Option<&LiveFacts>) -> Judgement,
}

/// The contradictions, with the reasoning for each (docs/ignores.md lists the same table).
pub const CONTRADICTIONS: [Contradiction; 3] = [
    Contradiction {
        id: "security.W009",
        assumption: "the production key comes from somewhere the checks cannot see (a secrets file, a vault)",
        reasoning: "the key the app loaded is one nobody chooses on purpose: empty, fewer than 5 distinct characters, the `django-insecure-` prefix startproject writes, or a placeholder such as `changeme`. Such a key is a fallback that ran because the real one did not arrive, so the claim is false for this release",
        judge: secret_key,
    },
    Contradiction {
        id: "security.W004",
        assumption: "a proxy or CDN in front of the app adds Strict-Transport-Security",
        reasoning: "with a live URL, the live site's HTTPS answer shows it: a header confirms the claim, none contradicts it",
        judge: hsts_added_in_front,
    },
    Contradiction {
        id: "security.W008",
        assumption: "a proxy or CDN in front of the app redirects HTTP to HTTPS",
        reasoning: "with a live URL, the live site's plain-HTTP answer shows it: a redirect to https:// confirms the claim, any other answer contradicts it",
        judge: redirect_in_front,
    },
];

/// The judgement on a silence of `id`.
#[must_use]
pub fn judge(id: &str, snapshot: &Snapshot, live: Option<&LiveFacts>) -> Judgement {
    CONTRADICTIONS
        .iter()
        .find(|row| row.id == id)
        .map_or(Judgement::Holds, |row| (row.judge)(snapshot, live))
}

fn secret_key(snapshot: &Snapshot, _live: Option<&LiveFacts>) -> Judgement {
    let key = &snapshot.secret_key;
    let why = if !key.set {
        "SECRET_KEY is empty"
    } else if key.insecure_prefix {
        "SECRET_KEY starts with `django-insecure-`, the throwaway key startproject writes"
    } else if key.placeholder {
        "SECRET_KEY is a placeholder (such as `changeme`)"
    } else if !key.enough_unique_characters {
        "SECRET_KEY has fewer than 5 distinct characters"
    } else {
        return Judgement::Holds;
    };
    Judgement::Contradicted(format!(
        "{why}, a key nobody chooses on purpose: the production key did not arrive and a fallback ran instead. Anyone who knows the key can forge sessions, password-reset links and signed cookies."
    ))
}

fn hsts_added_in_front(_snapshot: &Snapshot, live: Option<&LiveFacts>) -> Judgement {
    let Some(live) = live else {
        return Judgement::Holds;
    };
    match live.hsts() {
        Some(_) => Judgement::Confirmed(format!(
            "the live site {} sends Strict-Transport-Security `{}`",
            live.url,
            live.https.hsts.first().map_or("", String::as_str)
        )),
        None => Judgement::Contradicted(format!(
            "the live site {} sends no Strict-Transport-Security header browsers apply, so nothing in front of the app adds it.",
            live.url
        )),
    }
}

fn redirect_in_front(_snapshot: &Snapshot, live: Option<&LiveFacts>) -> Judgement {
    let Some((live, http)) = live.and_then(|live| live.http.as_ref().map(|http| (live, http)))
    else {
        return Judgement::Holds;
    };
    if http.redirects_to_https() {
        Judgement::Confirmed(format!(
            "the live site redirects plain HTTP to {}",
            http.location.as_deref().unwrap_or_default()
        ))
    } else {
        Judgement::Contradicted(format!(
            "the live site answers plain HTTP for {} with status {} instead of redirecting to HTTPS, so nothing in front of the app redirects.",
            live.url, http.status
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::rules::testing::SnapshotBuilder;
    use crate::gate::snapshot::SecretKeyFacts;
    use crate::http_facts::ResponseFacts;

    fn key(facts: SecretKeyFacts) -> Judgement {
        let snapshot = SnapshotBuilder::hardened().secret_key(facts).build();
        judge("security.W009", &snapshot, None)
    }

    #[test]
    fn a_key_nobody_chooses_contradicts_a_silenced_w009() {
        let strong = SnapshotBuilder::hardened().build().secret_key;
        assert_eq!(key(strong.clone()), Judgement::Holds);
        // Short keys are W009's concern, not a contradiction: someone may choose one.
        let short = SecretKeyFacts {
            long_enough: false,
            ..strong.clone()
        };
        assert_eq!(key(short), Judgement::Holds);
        let cases = [
            (
                SecretKeyFacts {
                    set: false,
                    long_enough: false,
                    enough_unique_characters: false,
                    insecure_prefix: false,
                    placeholder: false,
                },
                "SECRET_KEY is empty, ",
            ),
            (
                // djangoproject.com's settings without the secrets file: `'a'`.
                SecretKeyFacts {
                    long_enough: false,
                    enough_unique_characters: false,
                    ..strong.clone()
                },
                "SECRET_KEY has fewer than 5 distinct characters, ",
            ),
            (
                SecretKeyFacts {
                    insecure_prefix: true,
                    ..strong.clone()
                },
                "SECRET_KEY starts with `django-insecure-`",
            ),
            (
                SecretKeyFacts {
                    placeholder: true,
                    long_enough: false,
                    ..strong
                },
                "SECRET_KEY is a placeholder (such as `changeme`), ",
            ),
        ];
        for (facts, starts) in cases {
            let Judgement::Contradicted(why) = key(facts.clone()) else {
                panic!("{facts:?} holds");
            };
            assert!(why.starts_with(starts), "{why}");
        }
    }

    #[test]
    fn the_live_site_confirms_or_contradicts_a_proxy_that_does_it() {
        let snapshot = SnapshotBuilder::hardened().build();
        let live = |hsts: &[&str], http: Option<ResponseFacts>| LiveFacts {
            url: "https://www.example.com/".to_string(),
            https: ResponseFacts {
                status: 200,
                hsts: hsts.iter().map(ToString::to_string).collect(),
                ..ResponseFacts::default()
            },
            http,
        };
        for id in ["security.W004", "security.W008", "security.W021"] {
            assert_eq!(judge(id, &snapshot, None), Judgement::Holds, "{id}");
        }
        assert_eq!(
            judge("security.W004", &snapshot, Some(&live(&["max-age=600"], None))),
            Judgement::Confirmed(
                "the live site https://www.example.com/ sends Strict-Transport-Security `max-age=600`"
                    .to_string()
            )
        );
        assert!(matches!(
            judge(
                "security.W004",
                &snapshot,
                Some(&live(&["max-age=0"], None))
            ),
            Judgement::Contradicted(_)
        ));
        // Not asked over plain HTTP: nothing to say about the redirect.
        assert_eq!(
            judge("security.W008", &snapshot, Some(&live(&[], None))),
            Judgement::Holds
        );
        let redirect = ResponseFacts {
            status: 301,
            location: Some("https://www.example.com/".to_string()),
            ..ResponseFacts::default()
        };
        assert_eq!(
            judge("security.W008", &snapshot, Some(&live(&[], Some(redirect)))),
            Judgement::Confirmed(
                "the live site redirects plain HTTP to https://www.example.com/".to_string()
            )
        );
        let plain = ResponseFacts {
            status: 200,
            ..ResponseFacts::default()
        };
        assert_eq!(
            judge("security.W008", &snapshot, Some(&live(&[], Some(plain)))),
            Judgement::Contradicted("the live site answers plain HTTP for https://www.example.com/ with status 200 instead of redirecting to HTTPS, so nothing in front of the app redirects.".to_string())
        );
    }

    #[test]
    fn every_row_names_a_known_check_once() {
        let ids: std::collections::BTreeSet<&str> =
            CONTRADICTIONS.iter().map(|row| row.id).collect();
        assert_eq!(ids.len(), CONTRADICTIONS.len());
        for row in &CONTRADICTIONS {
            assert!(crate::finding_ids::is_known(row.id), "{}", row.id);
            assert!(!row.assumption.is_empty() && !row.reasoning.is_empty());
        }
    }
}

//! What the guard deliberately did not do: Django's database checks need a connection, and the
//! probe never opens one to a database or a cache server (the release phase runs against
//! production; the build has none). What the app reached for anyway is reported, with where.

use crate::finding::{Finding, Location, Severity, Source};
use crate::gate::snapshot::{BlockedAccess, BlockedKind, Phase, Snapshot};

pub(super) use crate::finding_ids::guard::CONNECTION_BLOCKED;
pub(super) use crate::finding_ids::guard::DATABASE_CHECKS_NOT_RUN;

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    database_checks_not_run(snapshot)
        .into_iter()
        .chain(snapshot.blocked.iter().map(blocked))
        .collect()
}

fn database_checks_not_run(snapshot: &Snapshot) -> Option<Finding> {
    let skipped = &snapshot.database_checks_skipped;
    if skipped.is_empty() {
        return None;
    }
    Some(
        Finding::new(
            DATABASE_CHECKS_NOT_RUN,
            Severity::Info,
            Source::Guard,
            format!(
                "Django's database checks were not run ({}): Release Guard never connects to a database.",
                skipped.join(", ")
            ),
        )
        .with_fix("python manage.py check --database default  # where the database is reachable, e.g. in CI"),
    )
}

/// "config/apps.py:12 (ready) used the cache 'default' (...) while Django set up the apps; ..."
fn blocked(access: &BlockedAccess) -> Finding {
    let place = match (&access.file, access.line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        (Some(file), None) => file.clone(),
        _ => "The app".to_string(),
    };
    let function = access
        .function
        .as_ref()
        .map_or_else(String::new, |function| format!(" ({function})"));
    let when = match access.phase {
        Some(Phase::Settings) => "while the settings module was imported",
        Some(Phase::Apps) => "while Django set up the apps (AppConfig.ready())",
        Some(Phase::Checks) => "during the system checks",
        Some(Phase::Simulation) => "while the WSGI application was loaded",
        None => "while the probe ran",
    };
    let times = if access.count > 1 {
        format!(" ({} times)", access.count)
    } else {
        String::new()
    };
    let (did, outcome) = match access.kind {
        BlockedKind::Database => (
            "reached for",
            "Release Guard refused, as an unreachable database: it never connects to one",
        ),
        BlockedKind::Cache => (
            "used",
            "Release Guard answered from an empty in-process cache: it never connects to a cache server",
        ),
        BlockedKind::Connection => (
            "opened a connection to",
            "Release Guard refused it: it never connects to a database or a cache server",
        ),
    };
    let finding = Finding::new(
        CONNECTION_BLOCKED,
        Severity::Info,
        Source::Guard,
        format!(
            "{place}{function} {did} {} {when}{times}; {outcome}.",
            access.target
        ),
    );
    match (&access.file, access.line) {
        (Some(file), Some(line)) if access.in_app => finding.with_location(Location {
            file: file.clone(),
            line,
        }),
        _ => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn skipped_database_checks_are_one_info_line() {
        assert_eq!(findings(&SnapshotBuilder::hardened().build()), Vec::new());
        let mut snapshot = SnapshotBuilder::hardened().build();
        snapshot.database_checks_skipped =
            vec!["django.core.checks.database.check_database_backends".to_string()];
        let finding = only_finding(findings(&snapshot), DATABASE_CHECKS_NOT_RUN);
        assert_eq!(finding.severity, Severity::Info);
        assert_eq!(
            finding.message,
            "Django's database checks were not run (django.core.checks.database.check_database_backends): Release Guard never connects to a database."
        );
    }

    fn access(kind: BlockedKind, target: &str, phase: Option<Phase>) -> BlockedAccess {
        BlockedAccess {
            kind,
            target: target.into(),
            phase,
            file: Some("config/apps.py".to_string()),
            line: Some(12),
            function: Some("ready".to_string()),
            in_app: true,
            count: 1,
        }
    }

    #[test]
    fn each_blocked_access_is_an_info_line_naming_the_apps_line() {
        let mut snapshot = SnapshotBuilder::hardened().build();
        snapshot.blocked = vec![
            access(
                BlockedKind::Cache,
                "the cache 'default' (django_redis.cache.RedisCache)",
                Some(Phase::Apps),
            ),
            BlockedAccess {
                file: Some("allauth/account/checks.py".to_string()),
                function: Some("settings_check".to_string()),
                in_app: false,
                count: 3,
                ..access(
                    BlockedKind::Database,
                    "the database 'default' (django.db.backends.postgresql)",
                    Some(Phase::Checks),
                )
            },
            access(
                BlockedKind::Connection,
                "127.0.0.1:6379 (REDIS_URL)",
                Some(Phase::Settings),
            ),
        ];
        let found = findings(&snapshot);
        assert!(
            found
                .iter()
                .all(|finding| finding.id == CONNECTION_BLOCKED
                    && finding.severity == Severity::Info)
        );
        let messages: Vec<String> = found
            .iter()
            .map(|finding| crate::redact::Redactor::default().field(&finding.message))
            .collect();
        assert_eq!(
            messages,
            [
                "config/apps.py:12 (ready) used the cache 'default' (django_redis.cache.RedisCache) while Django set up the apps (AppConfig.ready()); Release Guard answered from an empty in-process cache: it never connects to a cache server.",
                "allauth/account/checks.py:12 (settings_check) reached for the database 'default' (django.db.backends.postgresql) during the system checks (3 times); Release Guard refused, as an unreachable database: it never connects to one.",
                "config/apps.py:12 (ready) opened a connection to 127.0.0.1:6379 (REDIS_URL) while the settings module was imported; Release Guard refused it: it never connects to a database or a cache server.",
            ]
        );
        // Only the app's own files are locations in its repository.
        assert_eq!(
            found[0].location,
            Some(Location {
                file: "config/apps.py".to_string(),
                line: 12
            })
        );
        assert_eq!(found[1].location, None);
    }
}

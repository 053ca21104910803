//! What the guard deliberately did not check: Django's database checks need a connection, and
//! the probe never opens one (the release phase runs against production; the build has none).

use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::Snapshot;

pub(super) use crate::finding_ids::guard::DATABASE_CHECKS_NOT_RUN;

pub(super) fn findings(snapshot: &Snapshot) -> Option<Finding> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn skipped_database_checks_are_one_info_line() {
        assert_eq!(findings(&SnapshotBuilder::hardened().build()), None);
        let mut snapshot = SnapshotBuilder::hardened().build();
        snapshot.database_checks_skipped =
            vec!["django.core.checks.database.check_database_backends".to_string()];
        let finding = findings(&snapshot).expect("an info finding");
        assert_eq!(finding.severity, Severity::Info);
        assert_eq!(
            finding.message,
            "Django's database checks were not run (django.core.checks.database.check_database_backends): Release Guard never connects to a database."
        );
    }
}

//! The release gate: run the probe once in the app's Python, turn its snapshot into findings
//! (Django's messages plus the guard's rules), apply the policy, and report.

pub mod probe;
pub mod redact;
pub mod snapshot;

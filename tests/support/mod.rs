//! Shared test support: the CNB harness (`cnb`), the Python environments (`python`), and the
//! wheel and classic buildpack with their venvs and release dyno (`packaging`).

pub(crate) mod cnb;
pub(crate) mod packaging;
pub(crate) mod python;

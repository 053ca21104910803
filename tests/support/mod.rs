//! Shared test support: the CNB harness (`cnb`) and the Python environments (`python`).
// Each test module uses a different part of the support code.
#![allow(dead_code)]

pub(crate) mod cnb;
pub(crate) mod python;

//! HTTP response headers as browsers read them, below both the gate (which judges the simulated
//! responses) and verify (which judges a live site): one parser per header, so both sides read a
//! header the same way.

pub mod cookie;
pub mod csp;
pub mod hsts;

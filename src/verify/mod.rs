//! `release-guard verify URL...`: checks the live site over HTTP.

pub mod cookie;
#[cfg(test)]
mod generator;
pub mod hsts;
pub mod url;

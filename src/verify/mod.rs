//! `release-guard verify URL...`: checks the live site over HTTP.

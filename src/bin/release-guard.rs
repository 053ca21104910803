//! `release-guard`: the release gate and `verify`.

fn main() {}

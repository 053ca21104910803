//! The buildpack side: detect, build and the guard's launch layer.

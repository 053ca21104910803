//! The hand-driven CNB lifecycle: package, detect, build, launch.

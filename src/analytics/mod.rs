//! Measures computed from the activity of a space, for the analytics pages.

pub mod communication;
pub mod mobility;

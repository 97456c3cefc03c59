//! Measures computed from the activity of a space: questionnaire indices, mobility and
//! the effectiveness of communication. The functions here are pure: they take rows or
//! counts and settings and return numbers, so pages and tests share them.

pub mod activity;
pub mod communication;
mod index;
pub mod mobility;
mod network;
pub mod report;
pub mod satisfaction;
pub mod statistics;

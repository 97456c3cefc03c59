//! Real-time chat in the rooms of a space: the message rules, Markdown rendering, the
//! event hub, its link to other instances and the WebSocket protocol.

pub mod cluster;
pub mod hub;
pub mod markdown;
pub mod protocol;
pub mod service;
pub mod ws;

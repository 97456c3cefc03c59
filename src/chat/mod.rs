//! Real-time chat in the rooms of a space: the message rules, Markdown rendering, the
//! in-process event hub and the WebSocket protocol.

pub mod hub;
pub mod markdown;
pub mod protocol;
pub mod service;
pub mod ws;

//! Server-rendered pages and embedded assets.

pub mod assets;
pub mod pages;
pub mod rooms;
pub mod space;

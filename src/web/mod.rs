//! Server-rendered pages and embedded assets.

pub mod assets;
pub mod charts;
pub mod dashboard;
pub mod deep_link;
pub mod events;
pub mod export;
pub mod focus;
pub mod grades;
pub mod help;
pub mod language;
pub mod manage;
pub mod pages;
pub mod partners;
pub mod privacy;
pub mod questionnaire_comparison;
pub mod questionnaire_pages;
pub mod questionnaire_results;
pub mod questionnaire_templates;
pub mod questionnaires;
pub mod register;
pub mod rooms;
pub mod roster;
pub mod security;
pub mod showcase;
pub mod space;

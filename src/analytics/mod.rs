//! Analytics computed from stored answers and interactions. Every function here is pure:
//! it takes counts and settings and returns numbers, so pages and tests share them.

pub mod satisfaction;

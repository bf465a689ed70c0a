//! Integration tests against the real server on port 0: one test binary.

mod bad_input;
mod control;
mod directory;
mod export;
mod filters;
mod fuzz;
mod helpers;
mod identity;
mod inject;
mod logs;
mod paging;
mod throttling;
mod time;

//! Integration tests against the real server on port 0: one test binary.

mod bad_input;
mod by_id;
mod control;
mod directory;
mod export;
mod filter_rules;
mod filters;
mod fuzz;
mod helpers;
mod identity;
mod inject;
mod logs;
mod options;
mod oversize;
mod paging;
mod ship;
mod throttling;
mod time;
mod walks;

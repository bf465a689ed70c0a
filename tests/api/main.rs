//! Integration tests against the real server on port 0: one test binary.

mod arm;
mod bad_input;
mod batch;
mod by_id;
mod clients;
mod control;
mod corpus;
mod directory;
mod directory_keys;
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
mod protection;
mod reports;
mod ship;
mod throttling;
mod time;
mod walks;

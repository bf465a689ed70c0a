//! Microsoft Entra ID Protection: risk detections and risky users derived from
//! the tenant's sign-in log (generation -> query in `detections`/`users`, HTTP in `http`).

pub mod actions;
pub mod detections;
pub mod episodes;
pub mod export;
pub mod http;
pub mod risk;
pub mod sign_in_risk;
pub mod signals;
pub mod users;
pub mod workloads;

//! Record latency: how long after its event a record becomes visible.
//!
//! Graph documents P95 of 2 minutes and P99 of 5 minutes for sign-ins and
//! audits, and the portal warns sign-ins can take up to two hours. The model is
//! a piecewise-linear quantile function through those points; each record's
//! delay is drawn from a hash of its key, so it never depends on other draws.

use crate::rng::{Seed, mix64};

/// Which log a delay is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Log {
    SignIns,
    Audits,
    /// The Azure Activity Log (fixed knots, [`ACTIVITY_LOG_KNOTS`]).
    ActivityLog,
}

/// (quantile, delay in seconds) knots, increasing in both.
pub type Knots = &'static [(f64, f64)];

/// Graph-like sign-in delays: median 45 s, P95 2 min, P99 5 min, a thin tail to 2 h.
pub const SIGN_IN_KNOTS: Knots = &[
    (0.0, 8.0),
    (0.5, 45.0),
    (0.95, 120.0),
    (0.99, 300.0),
    (0.995, 420.0),
    (0.999, 1800.0),
    (1.0, 7200.0),
];
/// Graph-like audit delays: median 40 s, P95 2 min, P99 5 min, max 15 min.
pub const AUDIT_KNOTS: Knots = &[
    (0.0, 5.0),
    (0.5, 40.0),
    (0.95, 120.0),
    (0.99, 300.0),
    (0.995, 400.0),
    (1.0, 900.0),
];

/// Activity Log delays [INFERRED shape]: published `submissionTimestamp - eventTimestamp`
/// gaps of 13 s, 19 s and 108 s, and "available ... in 3 to 20 minutes" (reference A5, S19).
pub const ACTIVITY_LOG_KNOTS: Knots = &[
    (0.0, 10.0),
    (0.5, 40.0),
    (0.9, 180.0),
    (0.99, 600.0),
    (1.0, 1200.0),
];

/// The latency settings of a server: on or off, and the two distributions.
#[derive(Debug, Clone)]
pub struct LatencyModel {
    pub enabled: bool,
    pub sign_ins: Vec<(f64, f64)>,
    pub audits: Vec<(f64, f64)>,
}

impl LatencyModel {
    /// Graph's documented delays (or a preset's own `[latency]` knots).
    pub fn new(enabled: bool, shape: Option<&crate::config::LatencyShape>) -> LatencyModel {
        let knots = |custom: Option<&Vec<[f64; 2]>>, default: Knots| {
            custom.map_or_else(
                || default.to_vec(),
                |k| k.iter().map(|p| (p[0], p[1])).collect(),
            )
        };
        LatencyModel {
            enabled,
            sign_ins: knots(shape.map(|s| &s.sign_ins), SIGN_IN_KNOTS),
            audits: knots(shape.map(|s| &s.audits), AUDIT_KNOTS),
        }
    }

    /// Delay in milliseconds for the record with this key.
    pub fn delay_ms(&self, seed: Seed, log: Log, key: u64) -> u32 {
        if !self.enabled {
            return 0;
        }
        let knots: &[(f64, f64)] = match log {
            Log::SignIns => &self.sign_ins,
            Log::Audits => &self.audits,
            Log::ActivityLog => ACTIVITY_LOG_KNOTS,
        };
        let u = (mix64(seed.0 ^ mix64(key ^ log as u64)) >> 11) as f64 / (1u64 << 53) as f64;
        (quantile(knots, u) * 1000.0) as u32
    }
}

/// Checks a knot table: at least two points, quantiles from 0 to 1, both columns non-decreasing.
pub fn validate(knots: &[[f64; 2]]) -> Result<(), String> {
    let first_last = knots.first().zip(knots.last()).map(|(a, b)| (a[0], b[0]));
    if knots.len() < 2 || first_last != Some((0.0, 1.0)) {
        return Err(
            "needs at least two [quantile, seconds] points, from quantile 0 to quantile 1".into(),
        );
    }
    if knots
        .windows(2)
        .any(|w| w[1][0] < w[0][0] || w[1][1] < w[0][1])
        || knots.iter().any(|k| k[1] < 0.0)
    {
        return Err(
            "quantiles and delays must not decrease, and delays must not be negative".into(),
        );
    }
    Ok(())
}

/// The delay (seconds) at quantile `u` of a knot table.
pub fn quantile(knots: &[(f64, f64)], u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    let i = knots
        .partition_point(|k| k.0 <= u)
        .clamp(1, knots.len() - 1);
    let ((q0, d0), (q1, d1)) = (knots[i - 1], knots[i]);
    if q1 <= q0 {
        return d1;
    }
    d0 + (d1 - d0) * (u - q0) / (q1 - q0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pass_through_the_documented_points() {
        assert_eq!(quantile(SIGN_IN_KNOTS, 0.95), 120.0);
        assert_eq!(quantile(SIGN_IN_KNOTS, 0.99), 300.0);
        assert_eq!(quantile(SIGN_IN_KNOTS, 1.0), 7200.0);
    }

    #[test]
    fn drawn_delays_have_graphs_p95_and_p99() {
        let model = LatencyModel::new(true, None);
        let mut delays: Vec<u32> = (0..100_000u64)
            .map(|k| model.delay_ms(Seed(1), Log::SignIns, k))
            .collect();
        delays.sort_unstable();
        let p95 = delays[95_000] as f64 / 1000.0;
        let p99 = delays[99_000] as f64 / 1000.0;
        assert!((p95 - 120.0).abs() < 12.0, "p95 {p95}");
        assert!((p99 - 300.0).abs() < 30.0, "p99 {p99}");
    }

    #[test]
    fn latency_off_means_no_delay() {
        assert_eq!(
            LatencyModel::new(false, None).delay_ms(Seed(1), Log::Audits, 9),
            0
        );
    }
}

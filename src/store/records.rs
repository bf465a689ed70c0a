//! Compact log records: indices into the tenant and catalog, never copies of
//! strings. They become Graph JSON only when served (see `crate::model`).

/// Time as 100-nanosecond ticks since the Unix epoch (Graph's 7-digit precision).
pub type Ticks = i64;

/// Ticks per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// Ticks per hour: the size of a generation bucket.
pub const TICKS_PER_HOUR: i64 = 3600 * TICKS_PER_SECOND;
/// "No index" marker for optional references.
pub const NONE: u32 = u32::MAX;

/// The four sign-in event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum SignInKind {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignInKind {
    /// Graph's `signInEventTypes` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInKind::Interactive => "interactiveUser",
            SignInKind::NonInteractive => "nonInteractiveUser",
            SignInKind::ServicePrincipal => "servicePrincipal",
            SignInKind::ManagedIdentity => "managedIdentity",
        }
    }

    /// True for the two user kinds.
    pub fn is_user(self) -> bool {
        matches!(self, SignInKind::Interactive | SignInKind::NonInteractive)
    }

    /// All kinds, in Graph's documented order.
    pub const ALL: [SignInKind; 4] = [
        SignInKind::Interactive,
        SignInKind::NonInteractive,
        SignInKind::ServicePrincipal,
        SignInKind::ManagedIdentity,
    ];
}

/// Bits of [`SignIn::flags`].
pub mod flags {
    /// MFA was performed in this sign-in.
    pub const MFA: u8 = 1;
    /// MFA requirement satisfied by a claim in the token.
    pub const MFA_CLAIM: u8 = 2;
    /// The user is travelling (a location away from home).
    pub const TRAVEL: u8 = 4;
    /// Through a VPN / anonymising exit.
    pub const VPN: u8 = 8;
    /// Sign-in from the office network.
    pub const OFFICE: u8 = 16;
    /// Credential was a certificate (service principals).
    pub const CERTIFICATE: u8 = 32;
    /// Registration of security info during this sign-in.
    pub const REGISTRATION: u8 = 64;
    /// Blocked by the user-risk policy (Identity Protection): the record would
    /// otherwise have succeeded (see `protection::episodes::enforce`).
    pub const RISK_BLOCKED: u8 = 128;
}

/// One sign-in event (about 56 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignIn {
    /// Event time (`createdDateTime`).
    pub at: Ticks,
    /// Unique key within the log: (origin hour << 24) | sequence. Ids derive from it.
    pub key: u64,
    /// Key whose correlation id this record shares (its own key when unrelated).
    pub corr: u64,
    /// Ingestion delay: visible at `at + delay_ms`.
    pub delay_ms: u32,
    /// User index (user kinds) or service principal index (the others).
    pub subject: u32,
    /// Service principal index of the client application.
    pub app: u32,
    /// Service principal index of the resource.
    pub resource: u32,
    /// Device index, or [`NONE`].
    pub device: u32,
    pub ip: [u8; 4],
    /// Catalog location index, or `u16::MAX` when not recorded.
    pub location: u16,
    /// 1 + catalog sign-in error index; 0 for success.
    pub error: u16,
    pub kind: SignInKind,
    /// Catalog client-app index.
    pub client_app: u8,
    /// See [`flags`].
    pub flags: u8,
    /// Risk levels and real-time detections (layout in `protection::signals`).
    pub risk: u8,
}

/// Who did an audited thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(u32),
    App(u32),
    /// Microsoft's own service identities (e.g. "Azure AD PIM"), by a small code.
    System(u8),
}

/// What an audited thing was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    User(u32),
    Group(u32),
    Application(u32),
    ServicePrincipal(u32),
    Role(u32),
    Policy(u32),
    Device(u32),
    Directory,
    /// A PIM request (its id derives from the record's correlation key).
    Request,
}

/// One directory audit event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Audit {
    pub at: Ticks,
    pub key: u64,
    pub corr: u64,
    pub delay_ms: u32,
    /// Catalog audit-activity index.
    pub activity: u16,
    /// 0 success, 1 failure.
    pub result: u8,
    /// Which variant of modified properties to show (drawn at generation).
    pub variant: u8,
    pub initiator: Actor,
    pub targets: [Target; 2],
    /// Extra reference: role-assignment schedule, group, old/new value seed...
    pub detail: u32,
}

/// Provisioning actions in Graph's enum order.
pub const PROVISIONING_ACTIONS: [&str; 6] = [
    "other",
    "create",
    "delete",
    "disable",
    "update",
    "stagedDelete",
];
/// Provisioning results in Graph's enum order.
pub const PROVISIONING_RESULTS: [&str; 4] = ["success", "failure", "skipped", "warning"];

/// One provisioning change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Provisioning {
    pub at: Ticks,
    pub key: u64,
    pub delay_ms: u32,
    pub duration_ms: u32,
    /// Tenant provisioning-job index.
    pub job: u16,
    /// Index into [`PROVISIONING_ACTIONS`].
    pub action: u8,
    /// Index into [`PROVISIONING_RESULTS`].
    pub status: u8,
    /// Which error (failure/warning) or skip reason.
    pub reason: u8,
    /// The cycle this change belongs to (job-local number).
    pub cycle: u32,
    /// User index, or group index when `group` is set.
    pub subject: u32,
    pub group: bool,
}

/// A record that has an event time, a key and a visibility delay.
pub trait Record: Copy + Send + Sync + 'static {
    fn at(&self) -> Ticks;
    fn key(&self) -> u64;
    fn delay_ms(&self) -> u32;
    /// When the record becomes visible to queries.
    fn visible_at(&self) -> Ticks {
        self.at() + self.delay_ms() as i64 * 10_000
    }
    /// Sort key: event time, then key.
    fn order(&self) -> (Ticks, u64) {
        (self.at(), self.key())
    }
}

macro_rules! record {
    ($t:ty) => {
        impl Record for $t {
            fn at(&self) -> Ticks {
                self.at
            }
            fn key(&self) -> u64 {
                self.key
            }
            fn delay_ms(&self) -> u32 {
                self.delay_ms
            }
        }
    };
}
record!(SignIn);
record!(Audit);
record!(Provisioning);

/// Key of the `seq`-th record originating in hour `hour`.
pub fn make_key(hour: i64, seq: u32) -> u64 {
    ((hour as u64) << 24) | (seq as u64 & 0xff_ffff)
}

/// Hour of a tick instant.
pub fn hour_of(at: Ticks) -> i64 {
    at.div_euclid(TICKS_PER_HOUR)
}

/// Converts chrono time to ticks.
pub fn ticks(at: chrono::DateTime<chrono::Utc>) -> Ticks {
    at.timestamp() * TICKS_PER_SECOND + at.timestamp_subsec_nanos() as i64 / 100
}

/// Converts ticks to chrono time.
pub fn datetime(at: Ticks) -> chrono::DateTime<chrono::Utc> {
    let secs = at.div_euclid(TICKS_PER_SECOND);
    let nanos = (at.rem_euclid(TICKS_PER_SECOND) * 100) as u32;
    chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_stay_compact() {
        assert!(
            std::mem::size_of::<SignIn>() <= 64,
            "{}",
            std::mem::size_of::<SignIn>()
        );
        assert!(
            std::mem::size_of::<Audit>() <= 80,
            "{}",
            std::mem::size_of::<Audit>()
        );
        assert!(std::mem::size_of::<Provisioning>() <= 48);
    }

    #[test]
    fn ticks_round_trip_with_seven_fractional_digits() {
        let at: chrono::DateTime<chrono::Utc> = "2026-06-01T12:00:00.1234567Z".parse().unwrap();
        assert_eq!(datetime(ticks(at)), at);
    }
}

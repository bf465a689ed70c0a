//! The compact Activity Log record: one event of one ARM operation, with references
//! into the tenant instead of strings (turned into EventData JSON only when served).

use crate::store::records::{Actor, Ticks};

/// The ARM operations the tenant's history writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    IdentityWrite,
    IdentityDelete,
    AssignmentWrite,
    AssignmentDelete,
}

impl Op {
    /// `operationName.value`.
    pub fn value(self) -> &'static str {
        match self {
            Op::IdentityWrite => "Microsoft.ManagedIdentity/userAssignedIdentities/write",
            Op::IdentityDelete => "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
            Op::AssignmentWrite => "Microsoft.Authorization/roleAssignments/write",
            Op::AssignmentDelete => "Microsoft.Authorization/roleAssignments/delete",
        }
    }

    /// `operationName.localizedValue`, as the portal's Operation filter names them (reference A0).
    pub fn localized(self) -> &'static str {
        match self {
            Op::IdentityWrite => "Write UserAssignedIdentities",
            Op::IdentityDelete => "Delete User Assigned Identity",
            Op::AssignmentWrite => "Create role assignment",
            Op::AssignmentDelete => "Delete role assignment",
        }
    }

    /// The operation with this `operationName.value` (any case).
    pub fn from_value(value: &str) -> Option<Op> {
        [
            Op::IdentityWrite,
            Op::IdentityDelete,
            Op::AssignmentWrite,
            Op::AssignmentDelete,
        ]
        .into_iter()
        .find(|op| op.value().eq_ignore_ascii_case(value))
    }

    /// The HTTP method of the request.
    pub fn method(self) -> &'static str {
        match self {
            Op::IdentityWrite | Op::AssignmentWrite => "PUT",
            Op::IdentityDelete | Op::AssignmentDelete => "DELETE",
        }
    }
}

/// Where an event stands in its operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Started,
    Succeeded,
    Failed,
}

/// Who is granted a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A service principal (managed identities included).
    Sp(u32),
    User(u32),
    Group(u32),
}

/// An Azure scope, by reference: a subscription, or a managed identity's host resource
/// (or its resource group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Subscription(u16),
    /// The resource group of managed identity `n`'s host resource.
    GroupOf(u32),
    /// Managed identity `n`'s host resource (`used_by`).
    ResourceOf(u32),
}

/// A role assignment made (and later removed) inside the window, not in the standing inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub principal: Principal,
    /// Index into [`crate::arm::roles::BUILT_IN`].
    pub role: u8,
    pub scope: Scope,
    /// Seeds the assignment's name (a GUID).
    pub name: u64,
    /// `createdOn`.
    pub created: Ticks,
}

/// What an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A user-assigned identity (managed identity index).
    Identity(u32),
    /// A standing Azure role assignment (index into `tenant.azure_role_assignments`).
    Standing(u32),
    /// A role assignment made inside the window.
    Transient(Grant),
}

/// The ARM client an operation came through, after its caller's sign-in to ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// An administrator in the Azure portal.
    Portal,
    /// An administrator with the Azure CLI.
    Cli,
    /// A deployment pipeline's service principal (client credentials).
    Pipeline,
}

/// One Activity Log event (administrative category).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmEvent {
    /// `eventTimestamp`.
    pub at: Ticks,
    /// Unique key: `eventDataId` derives from it.
    pub key: u64,
    /// Key of the operation: `correlationId` and `operationId` derive from it.
    pub corr: u64,
    /// Visible (and `submissionTimestamp`) at `at + delay_ms`.
    pub delay_ms: u32,
    pub op: Op,
    pub phase: Phase,
    /// A user (administrator) or a service principal.
    pub caller: Actor,
    pub client: Client,
    /// The caller's client IP address (its sign-in's); 0.0.0.0 when unknown (injected).
    pub ip: [u8; 4],
    pub subject: Subject,
}

impl crate::store::records::Record for ArmEvent {
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

//! Applications and service principals: Microsoft's first-party apps, the
//! tenant's own line-of-business apps, consented SaaS apps, managed identities,
//! provisioning enterprise apps, agent identities and the ready-made test clients.

use super::generate::Draft;
use super::*;
use crate::rng::{WeightedIndex, guid};
use chrono::Duration;
use rand::RngExt;

const LOB_NAMES: [&str; 16] = [
    "Expense Tracker",
    "HR Portal",
    "Sales Dashboard",
    "Inventory API",
    "Timesheets",
    "Customer Portal",
    "Build Pipeline",
    "Reporting Service",
    "Contract Manager",
    "Field Service App",
    "Data Export Job",
    "Ticketing Bridge",
    "Intranet",
    "Payroll Sync",
    "Access Review Bot",
    "SIEM Connector",
];
const WORKLOADS: [&str; 10] = [
    "orders", "billing", "search", "etl", "web", "api", "reports", "ingest", "ml", "backup",
];
const ENVIRONMENTS: [&str; 3] = ["prod", "test", "dev"];
/// First-party resources managed identities typically request tokens for.
const MI_RESOURCES: [&str; 4] = [
    "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", // Azure Key Vault
    "e406a681-f3d4-42a8-90b6-c2b029497af1", // Azure Storage
    "00000003-0000-0000-c000-000000000000", // Microsoft Graph
    "797f4846-ba00-4fd7-ba43-dac1f8f63013", // Windows Azure Service Management API
];

/// The test clients published at `/_entrasim/tenant`, with their Graph permissions.
pub const TEST_CLIENTS: [(&str, &[&str]); 3] = [
    (
        "entrasim-audit-reader",
        &[
            "AuditLog.Read.All",
            "Directory.Read.All",
            "IdentityRiskyUser.ReadWrite.All",
            "IdentityRiskEvent.Read.All",
            "IdentityRiskyServicePrincipal.ReadWrite.All",
            "Reports.Read.All",
        ],
    ),
    ("entrasim-directory-reader", &["Directory.Read.All"]),
    ("entrasim-no-permissions", &[]),
];

/// Every application and service principal.
pub(super) fn applications(draft: &mut Draft) {
    first_party(draft);
    for name in TEST_CLIENTS {
        let index = line_of_business(
            draft,
            name.0,
            name.1.iter().map(|p| p.to_string()).collect(),
        );
        // Test clients are young, so their secrets are valid for years after the anchor.
        let app = &mut draft.tenant.applications[index as usize];
        app.created = draft.tenant.anchor - Duration::days(30);
        for secret in &mut app.passwords {
            secret.start = app.created;
            secret.end = draft.tenant.anchor + Duration::days(3650);
        }
        draft.tenant.test_clients.push(TestClient {
            name: name.0,
            application: index,
        });
    }
    for n in 0..draft.preset.tenant.line_of_business_apps as usize {
        let label = format!("{} {}", short_org(draft), LOB_NAMES[n % LOB_NAMES.len()]);
        let permissions = random_permissions(draft);
        line_of_business(draft, &label, permissions);
    }
    third_party(draft);
    managed_identities(draft);
    provisioning(draft);
    agents(draft);
}

fn first_party(draft: &mut Draft) {
    for (i, app) in draft.catalog.first_party_apps.iter().enumerate() {
        let sp = ServicePrincipal {
            id: guid(&mut draft.rng),
            app_id: app.app_id.clone(),
            display_name: app.display_name.clone(),
            origin: SpOrigin::FirstParty(i as u16),
            app_owner_organization_id: MICROSOFT_TENANT_ID.into(),
            created: draft.tenant.anchor - Duration::days(1500 + i as i64),
            alternative_names: Vec::new(),
            tags: Vec::new(),
            agent: AgentType::NotAgentic,
            agent_parent_app_id: None,
            federated_credential_id: None,
        };
        draft.tenant.service_principals.push(sp);
    }
}

fn line_of_business(draft: &mut Draft, name: &str, graph_permissions: Vec<String>) -> u32 {
    let index = draft.tenant.applications.len() as u32;
    let sp_index = draft.tenant.service_principals.len() as u32;
    let rng = &mut draft.rng;
    let created = draft.tenant.anchor - Duration::days(rng.random_range(30..1200));
    let app_id = guid(rng);
    let owners = pick_members(draft, 1 + (index % 2) as usize);
    let rng = &mut draft.rng;
    let app = Application {
        id: guid(rng),
        app_id: app_id.clone(),
        display_name: name.to_string(),
        created,
        sign_in_audience: "AzureADMyOrg",
        owners,
        app_roles: app_roles(rng),
        graph_permissions,
        passwords: vec![password(rng, created, "Primary secret")],
        certificates: if rng.random_bool(0.4) {
            vec![certificate(rng, created)]
        } else {
            Vec::new()
        },
        service_principal: sp_index,
    };
    let sp = ServicePrincipal {
        id: guid(rng),
        app_id,
        display_name: name.to_string(),
        origin: SpOrigin::LineOfBusiness(index),
        app_owner_organization_id: draft.tenant.id.clone(),
        created,
        alternative_names: Vec::new(),
        tags: vec!["WindowsAzureActiveDirectoryIntegratedApp"],
        agent: AgentType::NotAgentic,
        agent_parent_app_id: None,
        federated_credential_id: None,
    };
    draft.tenant.applications.push(app);
    draft.tenant.service_principals.push(sp);
    index
}

fn app_roles(rng: &mut crate::rng::Rng) -> Vec<AppRole> {
    let count = rng.random_range(1..=3);
    ["Reader", "Writer", "Admin"][..count]
        .iter()
        .map(|v| AppRole {
            id: guid(rng),
            value: format!("Data.{v}"),
            display_name: format!("{v}s"),
        })
        .collect()
}

/// A client secret in Azure's format (`xyz8Q~` + 34 characters).
fn password(rng: &mut crate::rng::Rng, created: DateTime<Utc>, label: &str) -> PasswordCredential {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    let mut secret: String = (0..3)
        .map(|_| ALPHABET[rng.random_range(0..62)] as char)
        .collect();
    secret.push_str("8Q~");
    secret.extend((0..34).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char));
    PasswordCredential {
        key_id: guid(rng),
        display_name: label.into(),
        hint: secret[..3].to_string(),
        secret,
        start: created,
        end: created + Duration::days(730),
    }
}

fn certificate(rng: &mut crate::rng::Rng, created: DateTime<Utc>) -> KeyCredential {
    let thumbprint: String = (0..20)
        .map(|_| format!("{:02X}", rng.random::<u8>()))
        .collect();
    KeyCredential {
        key_id: guid(rng),
        display_name: "CN=app-signing".into(),
        thumbprint,
        start: created,
        end: created + Duration::days(365),
        public_key_pem: None,
    }
}

fn random_permissions(draft: &mut Draft) -> Vec<String> {
    let all = &draft.catalog.graph_permissions;
    let count = draft.rng.random_range(1..=3.min(all.len()));
    let mut picked: Vec<String> = (0..count)
        .map(|_| all[draft.rng.random_range(0..all.len())].name.clone())
        .collect();
    picked.sort();
    picked.dedup();
    picked
}

fn third_party(draft: &mut Draft) {
    let table = WeightedIndex::new(
        draft
            .catalog
            .third_party_apps
            .iter()
            .map(|a| a.weight as u64),
    );
    let mut chosen: Vec<u16> = Vec::new();
    let wanted = (draft.preset.tenant.third_party_apps as usize).min(table.len());
    while chosen.len() < wanted {
        let pick = table.sample(&mut draft.rng) as u16;
        if !chosen.contains(&pick) {
            chosen.push(pick);
        }
    }
    for pick in chosen {
        let app = &draft.catalog.third_party_apps[pick as usize];
        let rng = &mut draft.rng;
        let sp = ServicePrincipal {
            id: guid(rng),
            app_id: guid(rng),
            display_name: app.display_name.clone(),
            origin: SpOrigin::ThirdParty(pick),
            app_owner_organization_id: guid(rng),
            created: draft.tenant.anchor - Duration::days(rng.random_range(20..900)),
            alternative_names: Vec::new(),
            tags: vec!["WindowsAzureActiveDirectoryIntegratedApp"],
            agent: AgentType::NotAgentic,
            agent_parent_app_id: None,
            federated_credential_id: None,
        };
        draft.tenant.service_principals.push(sp);
    }
}

fn managed_identities(draft: &mut Draft) {
    let subs = 1 + draft.preset.tenant.system_assigned_identities / 8;
    draft.tenant.subscriptions = (0..subs).map(|_| guid(&mut draft.rng)).collect();
    let kinds: Vec<usize> = (0..draft.catalog.azure_resource_types.len())
        .filter(|&i| {
            !draft.catalog.azure_resource_types[i]
                .provider
                .ends_with("userAssignedIdentities")
        })
        .collect();
    let table = WeightedIndex::new(
        kinds
            .iter()
            .map(|&i| draft.catalog.azure_resource_types[i].weight as u64),
    );
    for n in 0..draft.preset.tenant.user_assigned_identities {
        let provider = "Microsoft.ManagedIdentity/userAssignedIdentities";
        let host = &draft.catalog.azure_resource_types[kinds[table.sample(&mut draft.rng)]];
        managed_identity(
            draft,
            MsiType::UserAssigned,
            (provider, "id-", "User-assigned identity"),
            Some(host),
            n,
        );
    }
    for n in 0..draft.preset.tenant.system_assigned_identities {
        let kind = &draft.catalog.azure_resource_types[kinds[table.sample(&mut draft.rng)]];
        managed_identity(
            draft,
            MsiType::SystemAssigned,
            (&kind.provider, &kind.name_prefix, &kind.label),
            None,
            n,
        );
    }
}

/// A managed identity; a user-assigned one is attached to a resource of type `host`
/// in the same resource group (the resource whose code requests its tokens).
fn managed_identity(
    draft: &mut Draft,
    kind: MsiType,
    (provider, prefix, label): (&str, &str, &str),
    host: Option<&crate::catalog::AzureResourceType>,
    n: u32,
) {
    let rng = &mut draft.rng;
    let workload = WORKLOADS[rng.random_range(0..WORKLOADS.len())];
    let env = ENVIRONMENTS[rng.random_range(0..ENVIRONMENTS.len())];
    let name = format!("{prefix}{workload}-{env}-{n:02}");
    let sub = &draft.tenant.subscriptions[rng.random_range(0..draft.tenant.subscriptions.len())];
    let group = format!("/subscriptions/{sub}/resourceGroups/rg-{workload}-{env}");
    let resource_id = format!("{group}/providers/{provider}/{name}");
    let (used_by, used_by_label) = match host {
        Some(h) => (
            format!(
                "{group}/providers/{}/{}{workload}-{env}-{n:02}",
                h.provider, h.name_prefix
            ),
            h.label.clone(),
        ),
        None => (resource_id.clone(), label.to_string()),
    };
    let resources: Vec<u16> = MI_RESOURCES
        .iter()
        .filter_map(|id| {
            draft
                .catalog
                .first_party_apps
                .iter()
                .position(|a| a.app_id == *id)
        })
        .filter(|_| rng.random_bool(0.6))
        .map(|i| i as u16)
        .collect();
    let explicit = if kind == MsiType::UserAssigned {
        "isExplicit=True"
    } else {
        "isExplicit=False"
    };
    let mi_index = draft.tenant.managed_identities.len() as u32;
    let sp = ServicePrincipal {
        id: guid(rng),
        app_id: guid(rng),
        display_name: name.clone(),
        origin: SpOrigin::ManagedIdentity(mi_index),
        app_owner_organization_id: MICROSOFT_TENANT_ID.into(),
        created: draft.tenant.anchor - Duration::days(rng.random_range(10..700)),
        alternative_names: vec![explicit.into(), resource_id.clone()],
        tags: Vec::new(),
        agent: AgentType::NotAgentic,
        agent_parent_app_id: None,
        federated_credential_id: None,
    };
    draft.tenant.service_principals.push(sp);
    draft.tenant.managed_identities.push(ManagedIdentity {
        kind,
        name,
        resource_id,
        resource_label: label.into(),
        service_principal: draft.tenant.service_principals.len() as u32 - 1,
        resources,
        used_by,
        used_by_label,
        deleted: None,
    });
}

/// Every third user-assigned identity is deleted inside the window, at least a day
/// after it (and the window) began and six hours before the anchor [INFERRED:
/// entrasim's choice]. Drawn from its own stream, so the rest of the tenant stays put.
pub(super) fn identity_deletions(tenant: &mut Tenant) {
    let window_start = tenant.window_start;
    let anchor = tenant.anchor;
    let seed = tenant.seed;
    let user_assigned: Vec<usize> = (0..tenant.managed_identities.len())
        .filter(|&i| tenant.managed_identities[i].kind == MsiType::UserAssigned)
        .collect();
    for (n, &i) in user_assigned.iter().enumerate() {
        if n % 3 != 2 {
            continue;
        }
        let sp = tenant.managed_identities[i].service_principal;
        let from = tenant.sp(sp).created.max(window_start) + Duration::days(1);
        let to = anchor - Duration::hours(6);
        if from >= to {
            continue;
        }
        let span = (to - from).num_seconds();
        let mut rng = seed.stream("identity-deletions", i as u64);
        tenant.managed_identities[i].deleted =
            Some(from + Duration::seconds(rng.random_range(0..span)));
    }
}

fn provisioning(draft: &mut Draft) {
    let tenant_hex = draft.tenant.id.replace('-', "");
    for (i, app) in draft.catalog.provisioning_apps.iter().enumerate() {
        let rng = &mut draft.rng;
        let job_index = draft.tenant.provisioning_jobs.len() as u32;
        let sp = ServicePrincipal {
            id: guid(rng),
            app_id: guid(rng),
            display_name: app.display_name.clone(),
            origin: SpOrigin::Provisioning(job_index),
            app_owner_organization_id: guid(rng),
            created: draft.tenant.anchor - Duration::days(rng.random_range(100..900)),
            alternative_names: Vec::new(),
            tags: vec![
                "WindowsAzureActiveDirectoryIntegratedApp",
                "WindowsAzureActiveDirectoryGalleryApplicationPrimaryV1",
            ],
            agent: AgentType::NotAgentic,
            agent_parent_app_id: None,
            federated_credential_id: None,
        };
        let job_id = format!("{}.{}.{}", app.template_id, tenant_hex, guid(rng));
        draft.tenant.service_principals.push(sp);
        let users = provisioning_scope(
            draft,
            app.direction == crate::catalog::Direction::Inbound,
            i,
        );
        let groups = (0..draft.tenant.groups.len() as u32)
            .filter(|g| (g + i as u32).is_multiple_of(5))
            .collect();
        draft.tenant.provisioning_jobs.push(ProvisioningJob {
            id: job_id,
            app: i as u16,
            service_principal: draft.tenant.service_principals.len() as u32 - 1,
            users,
            groups,
        });
    }
}

/// Inbound (HR) jobs own the members they created plus every other member;
/// outbound jobs provision a slice of the members.
fn provisioning_scope(draft: &Draft, inbound: bool, salt: usize) -> Vec<u32> {
    let users = &draft.tenant.users;
    (0..users.len() as u32)
        .filter(|&u| {
            let user = &users[u as usize];
            user.kind == UserKind::Member && (inbound || (u as usize + salt).is_multiple_of(3))
        })
        .collect()
}

fn agents(draft: &mut Draft) {
    let mut parent: Option<String> = None;
    let org = short_org(draft);
    for n in 0..draft.preset.tenant.agent_identities {
        let rng = &mut draft.rng;
        let (agent, name) = if n % 2 == 0 {
            (
                AgentType::AgenticApp,
                format!("{org} Copilot Agent {}", n / 2 + 1),
            )
        } else {
            (AgentType::AgenticAppInstance, format!("Agent instance {n}"))
        };
        let app_id = guid(rng);
        let sp = ServicePrincipal {
            id: guid(rng),
            app_id: app_id.clone(),
            display_name: name,
            origin: SpOrigin::Agent,
            app_owner_organization_id: draft.tenant.id.clone(),
            created: draft.tenant.anchor - Duration::days(rng.random_range(5..120)),
            alternative_names: Vec::new(),
            tags: vec!["AgenticApp"],
            agent,
            agent_parent_app_id: if agent == AgentType::AgenticAppInstance {
                parent.clone()
            } else {
                None
            },
            federated_credential_id: Some(guid(rng)),
        };
        if agent == AgentType::AgenticApp {
            parent = Some(app_id);
        }
        draft.tenant.service_principals.push(sp);
    }
}

fn pick_members(draft: &mut Draft, count: usize) -> Vec<u32> {
    let members = draft.preset.tenant.members.max(1);
    let mut picked: Vec<u32> = (0..count)
        .map(|_| draft.rng.random_range(0..members))
        .collect();
    picked.sort_unstable();
    picked.dedup();
    picked
}

fn short_org(draft: &Draft) -> String {
    draft
        .tenant
        .organization
        .split([' ', ',', '-'])
        .next()
        .unwrap_or("Contoso")
        .to_string()
}

//! The Azure built-in role definitions the tenant uses, with their real ids, names,
//! descriptions and permissions (as `az role definition list` shows them).

/// One built-in role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInRole {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
}

/// The built-in roles entrasim serves, by name.
pub const BUILT_IN: [BuiltInRole; 6] = [
    BuiltInRole {
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        name: "Owner",
        description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        actions: &["*"],
        data_actions: &[],
    },
    BuiltInRole {
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
        name: "Contributor",
        description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        actions: &["*"],
        data_actions: &[],
    },
    BuiltInRole {
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        name: "Reader",
        description: "View all resources, but does not allow you to make any changes.",
        actions: &["*/read"],
        data_actions: &[],
    },
    BuiltInRole {
        id: "4633458b-17de-408a-b874-0445c86b69e6",
        name: "Key Vault Secrets User",
        description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    },
    BuiltInRole {
        id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        name: "Storage Blob Data Reader",
        description: "Allows for read access to Azure Storage blob containers and data",
        actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
    },
    BuiltInRole {
        id: "f1a07417-d97a-45cb-824c-7a7467783830",
        name: "Managed Identity Operator",
        description: "Read and Assign User Assigned Identity",
        actions: &[
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Support/*",
        ],
        data_actions: &[],
    },
];

/// The built-in role with this name.
pub fn by_name(name: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN.iter().find(|r| r.name == name)
}

/// The built-in role with this id (case-insensitive).
pub fn by_id(id: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

impl BuiltInRole {
    /// Whether the role grants a read (`*/read`, `*`, or the exact action).
    pub fn grants(&self, action: &str) -> bool {
        self.actions.iter().any(|a| {
            *a == "*"
                || (*a == "*/read" && action.to_ascii_lowercase().ends_with("/read"))
                || a.eq_ignore_ascii_case(action)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_grants_reads_but_not_writes() {
        let reader = by_name("Reader").unwrap();
        assert!(reader.grants("Microsoft.ManagedIdentity/userAssignedIdentities/read"));
        assert!(!reader.grants("Microsoft.Authorization/roleAssignments/write"));
    }

    #[test]
    fn role_ids_are_found_in_any_case() {
        assert_eq!(
            by_id("ACDD72A7-3385-48EF-BD42-F606FBA81AE7").unwrap().name,
            "Reader"
        );
    }
}

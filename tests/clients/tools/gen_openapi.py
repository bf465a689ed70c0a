#!/usr/bin/env python3
"""Writes openapi.yaml (repository root) describing entrasim's three surfaces.

The spec is generated because the Graph surface repeats itself: every path exists under
/v1.0 and /beta, and the record schemas differ per version. Edit this file, then run

    tests/clients/.venv/bin/python tests/clients/tools/gen_openapi.py

and commit both. `gen_openapi.py --check` exits 1 when openapi.yaml is stale (tests/clients/run.sh runs it).
spec_for_server.py specialises this spec to a running server for schemathesis.

Record schemas follow shared/reference/graph-api.md section 2 (names, types, enums,
nullability from the CSDL) restricted to what the server emits: `additionalProperties:
false` everywhere except free-form `detailsInfo`, and every emitted property `required`
(Graph writes absent values as null, it does not omit them).
"""

import copy
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / "openapi.yaml"

# ---------------------------------------------------------------- schema helpers


def s(type_, **kw):
    return {"type": type_, **kw}


def n(schema):
    """The same schema, also allowing null (OpenAPI 3.1 / JSON Schema 2020-12)."""
    schema = copy.deepcopy(schema)
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "oneOf" in schema:
        schema["oneOf"].append({"type": "null"})
        return schema
    if "enum" in schema:
        schema["enum"] = list(schema["enum"]) + [None]
    t = schema.get("type")
    if isinstance(t, str):
        schema["type"] = [t, "null"]
    elif isinstance(t, list) and "null" not in t:
        schema["type"] = t + ["null"]
    return schema


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def arr(items, **kw):
    return {"type": "array", "items": items, **kw}


STR = s("string")
NSTR = n(STR)
BOOL = s("boolean")
NBOOL = n(BOOL)
INT32 = s("integer", format="int32")
DT = s("string", format="date-time")
UUID = s("string", format="uuid")


def enum(*members):
    return {"type": "string", "enum": list(members)}


def flags(*members):
    """A flags enum: Graph serialises combinations as comma-separated member names."""
    alt = "|".join(members)
    return {"type": "string", "pattern": f"^({alt})(,({alt}))*$"}


def obj(props, required="all", additional=False, description=None):
    out = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = props
    req = list(props) if required == "all" else list(required)
    if req:
        out["required"] = req
    out["additionalProperties"] = additional
    return out


def nobj(*args, **kw):
    o = obj(*args, **kw)
    o["type"] = ["object", "null"]
    return o


# ---------------------------------------------------------------- enums (CSDL member order)

ENUMS = {
    "operationResult": ["success", "failure", "timeout", "unknownFutureValue"],
    "groupType": ["unifiedGroups", "azureAD", "unknownFutureValue"],
    "initiatorType": ["user", "application", "system", "unknownFutureValue"],
    "provisioningAction": ["other", "create", "delete", "disable", "update", "stagedDelete", "unknownFutureValue"],
    "provisioningStatusErrorCategory": ["failure", "nonServiceFailure", "success", "unknownFutureValue"],
    "provisioningResult": ["success", "failure", "skipped", "warning", "unknownFutureValue"],
    "provisioningStepType": ["import", "scoping", "matching", "processing", "referenceResolution", "export", "unknownFutureValue"],
    "appliedConditionalAccessPolicyResult": ["success", "failure", "notApplied", "notEnabled", "unknown", "unknownFutureValue",
                                             "reportOnlySuccess", "reportOnlyFailure", "reportOnlyNotApplied", "reportOnlyInterrupted"],
    "conditionalAccessStatus": ["success", "failure", "notApplied", "unknownFutureValue"],
    "riskDetail": ["none", "adminGeneratedTemporaryPassword", "userPerformedSecuredPasswordChange", "userPerformedSecuredPasswordReset",
                   "adminConfirmedSigninSafe", "aiConfirmedSigninSafe", "userPassedMFADrivenByRiskBasedPolicy", "adminDismissedAllRiskForUser",
                   "adminConfirmedSigninCompromised", "hidden", "adminConfirmedUserCompromised", "unknownFutureValue",
                   "m365DAdminDismissedDetection", "adminConfirmedServicePrincipalCompromised", "adminDismissedAllRiskForServicePrincipal",
                   "userChangedPasswordOnPremises", "adminDismissedRiskForSignIn", "adminConfirmedAccountSafe", "microsoftRevokedSessions"],
    "riskEventType": ["unlikelyTravel", "anonymizedIPAddress", "maliciousIPAddress", "unfamiliarFeatures", "malwareInfectedIPAddress",
                      "suspiciousIPAddress", "leakedCredentials", "investigationsThreatIntelligence", "generic",
                      "adminConfirmedUserCompromised", "mcasImpossibleTravel", "mcasSuspiciousInboxManipulationRules",
                      "investigationsThreatIntelligenceSigninLinked", "maliciousIPAddressValidCredentialsBlockedIP", "unknownFutureValue"],
    "riskLevel": ["low", "medium", "high", "hidden", "none", "unknownFutureValue"],
    "riskState": ["none", "confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised", "unknownFutureValue"],
    "signInEventType": ["interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity", "unknownFutureValue"],
    "clientCredentialType": ["none", "clientSecret", "clientAssertion", "federatedIdentityCredential", "managedIdentity", "certificate",
                             "unknownFutureValue"],
    "incomingTokenType": ["none", "primaryRefreshToken", "saml11", "saml20", "unknownFutureValue", "remoteDesktopToken", "refreshToken"],
    "signInUserType": ["member", "guest", "unknownFutureValue"],
    "signInIdentifierType": ["userPrincipalName", "phoneNumber", "proxyAddress", "qrCode", "onPremisesUserPrincipalName",
                             "unknownFutureValue"],
    "tokenIssuerType": ["AzureAD", "ADFederationServices", "UnknownFutureValue", "AzureADBackupAuth", "ADFederationServicesMFAAdapter",
                        "NPSExtension"],
    "msiType": ["none", "userAssigned", "systemAssigned", "unknownFutureValue"],
    "agentType": ["notAgentic", "agenticAppBuilder", "agenticApp", "agenticAppInstance", "unknownFutureValue",
                  "agentIdentityBlueprintPrincipal", "agentIDuser"],
    "networkType": ["intranet", "extranet", "namedNetwork", "trusted", "unknownFutureValue", "trustedNamedLocation"],
}
PROTOCOL_TYPE = ["none", "oAuth2", "ropc", "wsFederation", "saml20", "deviceCode", "unknownFutureValue", "authenticationTransfer",
                 "nativeAuth", "implicitAccessTokenAndGetResponseMode", "implicitIdTokenAndGetResponseMode",
                 "implicitAccessTokenAndPostResponseMode", "implicitIdTokenAndPostResponseMode", "authorizationCodeWithoutPkce",
                 "authorizationCodeWithPkce", "clientCredentials", "refreshTokenGrant", "encryptedAuthorizeResponse", "directUserGrant",
                 "kerberos", "prtGrant", "seamlessSso", "prtBrokerBased", "prtNonBrokerBased", "onBehalfOf", "samlOnBehalfOf",
                 "officeS2S", "wsTrust"]
SIGN_IN_ACCESS_TYPE = ["none", "b2bCollaboration", "b2bDirectConnect", "microsoftSupport", "serviceProvider", "unknownFutureValue",
                       "passthrough"]


def E(name):
    return enum(*ENUMS[name])


def NE(name):
    return n(E(name))


# ---------------------------------------------------------------- Graph record schemas

SCHEMAS = {}

SCHEMAS["signInStatus"] = obj({"errorCode": n(INT32), "failureReason": NSTR, "additionalDetails": NSTR})
DEVICE_DETAIL = {"deviceId": NSTR, "displayName": NSTR, "operatingSystem": NSTR, "browser": NSTR, "isCompliant": NBOOL,
                 "isManaged": NBOOL, "trustType": NSTR}
SCHEMAS["deviceDetail"] = obj(DEVICE_DETAIL)
SCHEMAS["geoCoordinates"] = obj({"altitude": n(s("number")), "latitude": n(s("number")), "longitude": n(s("number"))})
SCHEMAS["signInLocation"] = obj({"city": NSTR, "state": NSTR, "countryOrRegion": NSTR, "geoCoordinates": n(ref("geoCoordinates"))})
SCHEMAS["appliedConditionalAccessPolicy"] = obj({
    "id": NSTR, "displayName": NSTR, "enforcedGrantControls": n(arr(STR)), "enforcedSessionControls": n(arr(STR)),
    "result": NE("appliedConditionalAccessPolicyResult")})
SCHEMAS["authenticationAppDeviceDetails"] = obj({"appVersion": NSTR, "clientApp": NSTR, "deviceId": NSTR, "operatingSystem": NSTR},
                                                required=[])

SIGN_IN_V1 = {
    "id": STR,
    "createdDateTime": DT,
    "userDisplayName": NSTR,
    "userPrincipalName": NSTR,
    "userId": s("string", description="Non-nullable in the CSDL; \"\" for workload sign-ins."),
    "appId": NSTR,
    "appDisplayName": NSTR,
    "ipAddress": NSTR,
    "clientAppUsed": NSTR,
    "userAgent": NSTR,
    "correlationId": NSTR,
    "conditionalAccessStatus": NE("conditionalAccessStatus"),
    "isInteractive": NBOOL,
    "riskDetail": NE("riskDetail"),
    "riskLevelAggregated": NE("riskLevel"),
    "riskLevelDuringSignIn": NE("riskLevel"),
    "riskState": NE("riskState"),
    "riskEventTypes": n(arr(E("riskEventType"))),
    "riskEventTypes_v2": n(arr(STR)),
    "resourceDisplayName": NSTR,
    "resourceId": NSTR,
    "resourceTenantId": NSTR,
    "homeTenantId": NSTR,
    "servicePrincipalId": NSTR,
    "servicePrincipalName": NSTR,
    "status": n(ref("signInStatus")),
    "deviceDetail": n(ref("deviceDetail")),
    "location": n(ref("signInLocation")),
    "appliedConditionalAccessPolicies": n(arr(ref("appliedConditionalAccessPolicy"))),
    "authenticationAppDeviceDetails": n(ref("authenticationAppDeviceDetails")),
}
SCHEMAS["signIn"] = obj(SIGN_IN_V1, description="signIn as served under /v1.0 (interactive user sign-ins only).")

SCHEMAS["authenticationDetail"] = obj({
    "authenticationStepDateTime": n(DT), "authenticationMethod": NSTR, "authenticationMethodDetail": NSTR, "succeeded": NBOOL,
    "authenticationStepResultDetail": NSTR, "authenticationStepRequirement": NSTR})
SCHEMAS["mfaDetail"] = obj({"authMethod": NSTR, "authDetail": NSTR})
SCHEMAS["managedIdentity"] = obj({"msiType": NE("msiType"), "associatedResourceId": NSTR, "federatedTokenId": NSTR,
                                  "federatedTokenIssuer": NSTR})
SCHEMAS["agentSignIn"] = obj({"agentType": E("agentType"), "parentAppId": NSTR, "agentSubjectType": NE("agentType"),
                              "agentSubjectParentId": NSTR}, description="microsoft.graph.agentic.agentSignIn")
SCHEMAS["networkLocationDetail"] = obj({"networkNames": n(arr(STR)), "networkType": NE("networkType")}, required=[])
SCHEMAS["sessionLifetimePolicy"] = obj({"detail": NSTR, "expirationRequirement": NSTR}, required=[])

SIGN_IN_BETA = dict(SIGN_IN_V1)
SIGN_IN_BETA.update({
    "signInEventTypes": n(arr(E("signInEventType"))),
    "userType": NE("signInUserType"),
    "authenticationRequirement": NSTR,
    "authenticationMethodsUsed": n(arr(STR)),
    "authenticationDetails": n(arr(ref("authenticationDetail"))),
    "mfaDetail": n(ref("mfaDetail")),
    "managedServiceIdentity": n(ref("managedIdentity")),
    "agent": n(ref("agentSignIn")),
    "clientCredentialType": NE("clientCredentialType"),
    "servicePrincipalCredentialKeyId": NSTR,
    "servicePrincipalCredentialThumbprint": NSTR,
    "resourceServicePrincipalId": NSTR,
    "appOwnerTenantId": NSTR,
    "resourceOwnerTenantId": NSTR,
    "tokenIssuerType": NE("tokenIssuerType"),
    "tokenIssuerName": NSTR,
    "incomingTokenType": NE("incomingTokenType"),
    "authenticationProtocol": n(flags(*PROTOCOL_TYPE)),
    "crossTenantAccessType": n(flags(*SIGN_IN_ACCESS_TYPE)),
    "uniqueTokenIdentifier": NSTR,
    "sessionId": NSTR,
    "originalRequestId": NSTR,
    "processingTimeInMilliseconds": n(INT32),
    "flaggedForReview": NBOOL,
    "isTenantRestricted": NBOOL,
    "isThroughGlobalSecureAccess": NBOOL,
    "homeTenantName": NSTR,
    "signInIdentifier": NSTR,
    "signInIdentifierType": NE("signInIdentifierType"),
    "azureResourceId": NSTR,
    "federatedCredentialId": NSTR,
    "conditionalAccessAudiences": n(arr(STR)),
    "networkLocationDetails": n(arr(ref("networkLocationDetail"))),
    "sessionLifetimePolicies": n(arr(ref("sessionLifetimePolicy"))),
})
# beta declares servicePrincipalId non-nullable (MD-beta-nat); user sign-ins carry "".
SIGN_IN_BETA["servicePrincipalId"] = STR
# beta's signIn has no riskEventTypes (v1.0 only; beta carries riskEventTypes_v2).
del SIGN_IN_BETA["riskEventTypes"]
SCHEMAS["signInBeta"] = obj(SIGN_IN_BETA, description="signIn as served under /beta (all four signInEventTypes).")

# directoryAudit
SCHEMAS["userIdentity"] = obj({"id": NSTR, "displayName": NSTR, "userPrincipalName": NSTR, "ipAddress": NSTR, "userType": NSTR,
                               "homeTenantId": NSTR, "homeTenantName": NSTR},
                              description="userIdentity (open type; entrasim adds userType/homeTenantId/homeTenantName as Graph does).")
SCHEMAS["appIdentity"] = obj({"appId": NSTR, "displayName": NSTR, "servicePrincipalId": NSTR, "servicePrincipalName": NSTR})
SCHEMAS["auditActivityInitiator"] = obj({"app": n(ref("appIdentity")), "user": n(ref("userIdentity"))})
SCHEMAS["modifiedProperty"] = obj({"displayName": NSTR, "oldValue": NSTR, "newValue": NSTR})
SCHEMAS["targetResource"] = obj({"id": NSTR, "displayName": NSTR, "type": NSTR, "userPrincipalName": NSTR, "groupType": NE("groupType"),
                                 "modifiedProperties": n(arr(ref("modifiedProperty")))})
SCHEMAS["keyValue"] = obj({"key": NSTR, "value": NSTR})
AUDIT_V1 = {
    "id": STR,
    "category": STR,
    "correlationId": NSTR,
    "result": NE("operationResult"),
    "resultReason": NSTR,
    "activityDisplayName": STR,
    "activityDateTime": DT,
    "loggedByService": NSTR,
    "operationType": NSTR,
    "initiatedBy": ref("auditActivityInitiator"),
    "targetResources": n(arr(ref("targetResource"))),
    "additionalDetails": n(arr(ref("keyValue"))),
}
SCHEMAS["directoryAudit"] = obj(AUDIT_V1)
AUDIT_BETA = dict(AUDIT_V1, userAgent=NSTR)
SCHEMAS["directoryAuditBeta"] = obj(AUDIT_BETA)

# provisioningObjectSummary
SCHEMAS["detailsInfo"] = {"type": "object", "description": "Open type: a free-form map of strings.",
                          "additionalProperties": NSTR}
SCHEMAS["initiator"] = obj({"id": NSTR, "displayName": NSTR, "initiatorType": NE("initiatorType")})
SCHEMAS["provisioningServicePrincipal"] = obj({"id": NSTR, "displayName": NSTR})
SCHEMAS["provisioningSystem"] = obj({"id": NSTR, "displayName": NSTR, "details": n(ref("detailsInfo"))})
SCHEMAS["provisionedIdentity"] = obj({"id": NSTR, "displayName": NSTR, "identityType": NSTR, "details": n(ref("detailsInfo"))})
SCHEMAS["provisioningErrorInfo"] = obj({"errorCode": NSTR, "reason": NSTR, "additionalDetails": NSTR,
                                        "errorCategory": NE("provisioningStatusErrorCategory"), "recommendedAction": NSTR})
SCHEMAS["provisioningStatusInfo"] = obj({"status": NE("provisioningResult"), "errorInformation": n(ref("provisioningErrorInfo"))})
SCHEMAS["provisioningStep"] = obj({"name": NSTR, "provisioningStepType": NE("provisioningStepType"), "status": NE("provisioningResult"),
                                   "description": NSTR, "details": n(ref("detailsInfo"))})
PROV_V1 = {
    "id": STR,
    "activityDateTime": DT,
    "tenantId": NSTR,
    "jobId": NSTR,
    "cycleId": NSTR,
    "changeId": NSTR,
    "provisioningAction": NE("provisioningAction"),
    "durationInMilliseconds": n(INT32),
    "initiatedBy": n(ref("initiator")),
    "servicePrincipal": n(ref("provisioningServicePrincipal")),
    "sourceSystem": n(ref("provisioningSystem")),
    "targetSystem": n(ref("provisioningSystem")),
    "sourceIdentity": n(ref("provisionedIdentity")),
    "targetIdentity": n(ref("provisionedIdentity")),
    "provisioningStatusInfo": n(ref("provisioningStatusInfo")),
    "provisioningSteps": n(arr(ref("provisioningStep"))),
    "modifiedProperties": n(arr(ref("modifiedProperty"))),
}
SCHEMAS["provisioningObjectSummary"] = obj(PROV_V1)
SCHEMAS["statusBase"] = obj({"@odata.type": enum("#microsoft.graph.statusBase"), "status": NE("provisioningResult")},
                            description="Beta statusInfo of a successful change.")
SCHEMAS["statusDetails"] = obj({"@odata.type": enum("#microsoft.graph.statusDetails"), "status": NE("provisioningResult"),
                                "errorCode": NSTR, "reason": NSTR, "additionalDetails": NSTR,
                                "errorCategory": NE("provisioningStatusErrorCategory"), "recommendedAction": NSTR},
                               description="Beta statusInfo of a skipped, failed or warned change (derives from statusBase).")
PROV_BETA = dict(PROV_V1, action=NSTR, statusInfo=n({"oneOf": [ref("statusBase"), ref("statusDetails")]}))
SCHEMAS["provisioningObjectSummaryBeta"] = obj(PROV_BETA)

# directory objects (same shape under v1.0 and beta)
D = n(DT)
SCHEMAS["user"] = obj({
    "id": UUID, "businessPhones": arr(STR), "displayName": NSTR, "givenName": NSTR, "surname": NSTR, "jobTitle": NSTR,
    "department": NSTR, "mail": NSTR, "mobilePhone": NSTR, "officeLocation": NSTR, "preferredLanguage": NSTR,
    "userPrincipalName": NSTR, "accountEnabled": NBOOL, "userType": n(enum("Member", "Guest")), "usageLocation": NSTR, "city": NSTR,
    "country": NSTR, "employeeId": NSTR, "createdDateTime": D, "creationType": NSTR, "externalUserState": NSTR})
SCHEMAS["signInActivity"] = obj({
    "lastSignInDateTime": D, "lastSignInRequestId": NSTR, "lastNonInteractiveSignInDateTime": D,
    "lastNonInteractiveSignInRequestId": NSTR, "lastSuccessfulSignInDateTime": D, "lastSuccessfulSignInRequestId": NSTR},
    description="Returned only on `$select=signInActivity` (needs AuditLog.Read.All and a P1/P2 tenant): the newest "
                "interactive, non-interactive and successful sign-ins of the user in the sign-in log at the request's instant.")
SCHEMAS["user"]["properties"]["signInActivity"] = ref("signInActivity")  # not in `required`: only on $select
SCHEMAS["expandedDirectoryObject"] = obj(
    {"@odata.type": enum("#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.servicePrincipal",
                         "#microsoft.graph.application"), "id": STR},
    additional=True, description="A related object as `$expand` embeds it: its type, id and its properties "
                                 "(or those of a nested `$select`).")
EXPANDED = ref("expandedDirectoryObject")
EXPANDED_LIST = arr(EXPANDED, maxItems=20, description="Only on `$expand` (at most 20, no nextLink): Graph returns "
                                                         "relationships through navigation or `$expand`, never by default.")
# Relationships: not in `required`, present only when expanded.
SCHEMAS["user"]["properties"].update({"manager": ref("expandedDirectoryObject"), "memberOf": EXPANDED_LIST,
                                      "directReports": EXPANDED_LIST})
SCHEMAS["group"] = obj({
    "id": UUID, "displayName": NSTR, "description": NSTR, "mailNickname": NSTR, "mail": NSTR, "mailEnabled": NBOOL,
    "securityEnabled": NBOOL, "groupTypes": arr(STR), "isAssignableToRole": NBOOL, "membershipRule": NSTR,
    "membershipRuleProcessingState": NSTR, "visibility": NSTR, "createdDateTime": D})
SCHEMAS["group"]["properties"].update({"owners": EXPANDED_LIST, "members": EXPANDED_LIST})
SCHEMAS["appRole"] = obj({"id": UUID, "value": NSTR, "displayName": NSTR, "description": NSTR, "allowedMemberTypes": arr(STR),
                          "isEnabled": BOOL})
SCHEMAS["resourceAccess"] = obj({"id": UUID, "type": enum("Role", "Scope")})
SCHEMAS["requiredResourceAccess"] = obj({"resourceAppId": STR, "resourceAccess": arr(ref("resourceAccess"))})
SCHEMAS["passwordCredential"] = obj({"keyId": UUID, "displayName": NSTR, "hint": NSTR, "startDateTime": D, "endDateTime": D,
                                     "secretText": NSTR, "customKeyIdentifier": NSTR})
SCHEMAS["keyCredential"] = obj({"keyId": UUID, "displayName": NSTR, "type": NSTR, "usage": NSTR, "customKeyIdentifier": NSTR,
                                "startDateTime": D, "endDateTime": D, "key": NSTR})
SCHEMAS["application"] = obj({
    "id": UUID, "appId": STR, "displayName": NSTR, "createdDateTime": D, "signInAudience": NSTR, "publisherDomain": NSTR,
    "appRoles": arr(ref("appRole")),
    "requiredResourceAccess": arr(ref("requiredResourceAccess")), "passwordCredentials": arr(ref("passwordCredential")),
    "keyCredentials": arr(ref("keyCredential"))})
SCHEMAS["application"]["properties"]["owners"] = EXPANDED_LIST
SCHEMAS["servicePrincipal"] = obj({
    "id": UUID, "appId": STR, "displayName": NSTR, "appDisplayName": NSTR, "servicePrincipalType": NSTR, "accountEnabled": NBOOL,
    "appOwnerOrganizationId": NSTR, "alternativeNames": arr(STR), "servicePrincipalNames": arr(STR), "tags": arr(STR),
    "createdDateTime": D})
SCHEMAS["servicePrincipal"]["properties"]["owners"] = EXPANDED_LIST
SCHEMAS["unifiedRoleDefinition"] = obj({
    "id": STR, "description": NSTR, "displayName": NSTR, "isBuiltIn": NBOOL, "isEnabled": NBOOL, "isPrivileged": NBOOL,
    "templateId": NSTR, "version": NSTR, "resourceScopes": arr(STR), "rolePermissions": arr({"type": "object"})})
ROLE_ASSIGNMENT = {"id": STR, "principalId": NSTR, "roleDefinitionId": NSTR, "directoryScopeId": NSTR, "appScopeId": NSTR}
SCHEMAS["unifiedRoleAssignment"] = obj(ROLE_ASSIGNMENT)
SCHEMAS["expirationPattern"] = obj({"type": n(enum("notSpecified", "noExpiration", "afterDateTime", "afterDuration")),
                                    "endDateTime": D, "duration": NSTR})
SCHEMAS["requestSchedule"] = obj({"startDateTime": D, "recurrence": n({"type": "object"}), "expiration": n(ref("expirationPattern"))})
SCHEDULE = dict(ROLE_ASSIGNMENT, createdUsing=NSTR, createdDateTime=D, modifiedDateTime=D, status=NSTR, memberType=NSTR,
                scheduleInfo=n(ref("requestSchedule")))
SCHEMAS["unifiedRoleEligibilitySchedule"] = obj(SCHEDULE)
SCHEMAS["unifiedRoleAssignmentSchedule"] = obj(dict(SCHEDULE, assignmentType=NSTR))
INSTANCE = dict(ROLE_ASSIGNMENT, startDateTime=D, endDateTime=D, memberType=NSTR)
SCHEMAS["unifiedRoleEligibilityScheduleInstance"] = obj(dict(INSTANCE, roleEligibilityScheduleId=NSTR))
SCHEMAS["unifiedRoleAssignmentScheduleInstance"] = obj(dict(
    INSTANCE, assignmentType=n(enum("Assigned", "Activated")), roleAssignmentOriginId=NSTR, roleAssignmentScheduleId=NSTR))
SCHEMAS["ticketInfo"] = obj({"ticketNumber": NSTR, "ticketSystem": NSTR})
SCHEMAS["identityRef"] = obj({"id": NSTR, "displayName": NSTR})
SCHEMAS["identitySet"] = obj({"application": n(ref("identityRef")), "device": n(ref("identityRef")), "user": n(ref("identityRef"))})
SCHEMAS["unifiedRoleAssignmentScheduleRequest"] = obj(dict(
    ROLE_ASSIGNMENT, status=n(enum("Provisioned", "PendingApproval", "Granted")), createdDateTime=D, completedDateTime=D,
    approvalId=NSTR, customData=NSTR, action=n(enum("adminAssign", "selfActivate")), isValidationOnly=NBOOL,
    targetScheduleId=NSTR, justification=NSTR, createdBy=n(ref("identitySet")), scheduleInfo=n(ref("requestSchedule")),
    ticketInfo=n(ref("ticketInfo"))))
SCHEMAS["appRoleAssignment"] = obj({
    "id": STR, "deletedDateTime": D, "appRoleId": UUID, "createdDateTime": D, "principalDisplayName": NSTR, "principalId": UUID,
    "principalType": NSTR, "resourceDisplayName": NSTR, "resourceId": UUID})
SCHEMAS["oAuth2PermissionGrant"] = obj({
    "id": STR, "clientId": UUID, "consentType": n(enum("AllPrincipals", "Principal")), "principalId": NSTR, "resourceId": UUID,
    "scope": NSTR})

# errors
SCHEMAS["odataError"] = obj({
    "error": obj({
        "code": STR,
        "message": STR,
        "innerError": obj({
            "date": s("string", pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
                      description="No zone, no fraction, as Graph writes it."),
            "request-id": STR,
            "client-request-id": STR,
            "code": s("string", description="429 only"),
            "message": s("string", description="429 only"),
            "status": s("string", description="429 only"),
        }, required=["date", "request-id", "client-request-id"]),
        "details": arr(obj({"code": STR, "message": STR, "target": NSTR}),
                       description="entrasim's own explanation (error.details[0].message)"),
    }, required=["code", "message", "innerError"]),
})

# ---------------------------------------------------------------- Graph paths

VERSIONS = ["v1.0", "beta"]

LOGS = {
    # name: (collection path, id schema, record schema per version, filter examples, orderby property)
    "signIns": ("auditLogs/signIns", UUID, {"v1.0": "signIn", "beta": "signInBeta"}, "createdDateTime"),
    "directoryAudits": ("auditLogs/directoryAudits", STR, {"v1.0": "directoryAudit", "beta": "directoryAuditBeta"}, "activityDateTime"),
    "provisioning": ("auditLogs/provisioning", UUID, {"v1.0": "provisioningObjectSummary", "beta": "provisioningObjectSummaryBeta"},
                     "activityDateTime"),
}
FILTER_EXAMPLES = {
    "signIns": {
        "recent": "createdDateTime ge 2026-05-31T00:00:00Z",
        "failures": "status/errorCode eq 50126",
        "app": "startswith(appDisplayName,'Microsoft')",
    },
    "directoryAudits": {
        "recent": "activityDateTime ge 2026-05-31T00:00:00Z",
        "category": "activityDisplayName eq 'Update user'",
        "target": "targetResources/any(t: t/type eq 'User')",
    },
    "provisioning": {
        "recent": "activityDateTime gt 2026-05-31T00:00:00Z",
        "action": "provisioningAction eq 'create'",
        "status": "provisioningStatusInfo/status eq 'failure'",
    },
}
BETA_SIGNIN_FILTERS = {
    "nonInteractive": "signInEventTypes/any(t: t eq 'nonInteractiveUser')",
    "servicePrincipal": "signInEventTypes/any(t: t eq 'servicePrincipal')",
    "managedIdentity": "signInEventTypes/any(t: t eq 'managedIdentity')",
}
DIRECTORY = {
    # name: (path, record schema, id schema, select properties, filter examples)
    "users": ("users", "user", UUID, {"accountEnabled": "accountEnabled eq true", "upn": "startswith(userPrincipalName,'a')"}),
    "groups": ("groups", "group", UUID, {"security": "securityEnabled eq true"}),
    "applications": ("applications", "application", UUID, {"name": "startswith(displayName,'entrasim')"}),
    "servicePrincipals": ("servicePrincipals", "servicePrincipal", UUID, {"graph": "appId eq '00000003-0000-0000-c000-000000000000'"}),
    "roleDefinitions": ("roleManagement/directory/roleDefinitions", "unifiedRoleDefinition", UUID, {"builtIn": "isBuiltIn eq true"}),
    "roleAssignments": ("roleManagement/directory/roleAssignments", "unifiedRoleAssignment", STR,
                        {"scope": "directoryScopeId eq '/'"}),
    "roleEligibilitySchedules": ("roleManagement/directory/roleEligibilitySchedules", "unifiedRoleEligibilitySchedule", STR,
                                 {"scope": "directoryScopeId eq '/'"}),
    "roleAssignmentSchedules": ("roleManagement/directory/roleAssignmentSchedules", "unifiedRoleAssignmentSchedule", STR,
                                {"scope": "directoryScopeId eq '/'"}),
    "roleEligibilityScheduleInstances": ("roleManagement/directory/roleEligibilityScheduleInstances",
                                         "unifiedRoleEligibilityScheduleInstance", STR, {"scope": "directoryScopeId eq '/'"}),
    "roleAssignmentScheduleInstances": ("roleManagement/directory/roleAssignmentScheduleInstances",
                                        "unifiedRoleAssignmentScheduleInstance", STR, {"activated": "assignmentType eq 'Activated'"}),
    "roleAssignmentScheduleRequests": ("roleManagement/directory/roleAssignmentScheduleRequests",
                                       "unifiedRoleAssignmentScheduleRequest", STR, {"self": "action eq 'selfActivate'"}),
}
# Directory objects: advanced queries (`ConsistencyLevel: eventual`, `$search`, `/$count`).
DIRECTORY_OBJECTS = ["users", "groups", "applications", "servicePrincipals"]
# Permission grants as navigation: (owner set, navigation, item schema).
GRANT_NAVIGATION = [
    ("users", "appRoleAssignments", "appRoleAssignment"),
    ("servicePrincipals", "appRoleAssignments", "appRoleAssignment"),
    ("servicePrincipals", "appRoleAssignedTo", "appRoleAssignment"),
    ("servicePrincipals", "oauth2PermissionGrants", "oAuth2PermissionGrant"),
]

GRAPH_ERRORS = ["400", "401", "403", "404", "429", "500", "503", "504"]

PARAMS = {}
RESPONSES = {}
HEADERS = {
    "request-id": {"description": "Server-assigned id of this request.", "required": True, "schema": STR},
    "client-request-id": {"description": "The request's client-request-id header, or the request-id when none was sent.",
                          "required": True, "schema": STR},
    "Retry-After": {"description": "Seconds to wait before retrying.", "required": True, "schema": s("integer", minimum=0)},
    "WWW-Authenticate": {"description": "Graph's bearer challenge: `Bearer realm=\"\", authorization_uri=\"<this server>/common/oauth2/"
                                        "authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"`.",
                         "required": True, "schema": s("string", pattern='^Bearer realm="", authorization_uri="[^"]+", '
                                                                          'client_id="00000003-0000-0000-c000-000000000000"$')},
    "Allow": {"description": "The methods the path answers, e.g. `GET, HEAD, OPTIONS`.", "required": True,
              "schema": s("string", pattern="^[A-Z]+(, [A-Z]+)*$")},
}
JSON_CT = "application/json"


def graph_headers():
    return {"request-id": {"$ref": "#/components/headers/request-id"},
            "client-request-id": {"$ref": "#/components/headers/client-request-id"}}


ERROR_TEXT = {
    "400": "Bad request: bad query option, `Invalid filter clause`, bad skip token, bad id.",
    "401": "InvalidAuthenticationToken: bad, expired or (with --auth strict) missing bearer token.",
    "403": "Authentication_MSGraphPermissionMissing / Authorization_RequestDenied / "
           "Authentication_RequestFromNonPremiumTenantOrB2CTenant.",
    "404": "Request_ResourceNotFound: no record with this id (or a path Graph does not serve).",
    "429": "TooManyRequests (5 requests / 10 s per app per tenant with --throttle graph).",
    "500": "UnknownError (fault injection only).",
    "503": "serviceNotAvailable (fault injection only).",
    "504": "GatewayTimeout (fault injection only).",
}
ERROR_TEXT["405"] = ("Request_BadRequest: a method the path does not take (any path of the Graph and control surfaces; no "
                     "operation declares it). `Allow` lists the path's methods; OPTIONS answers 204 with the same `Allow`.")
for code in GRAPH_ERRORS + ["405"]:
    headers = graph_headers()
    if code in ("429", "503"):
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    if code == "401":
        headers["WWW-Authenticate"] = {"$ref": "#/components/headers/WWW-Authenticate"}
    if code == "405":
        headers["Allow"] = {"$ref": "#/components/headers/Allow"}
    RESPONSES[f"Error{code}"] = {"description": ERROR_TEXT[code], "headers": headers,
                                 "content": {JSON_CT: {"schema": ref("odataError")}}}


def error_refs(codes=GRAPH_ERRORS):
    return {c: {"$ref": f"#/components/responses/Error{c}"} for c in codes}


def param(name, schema, description, examples=None, style=None, explode=None):
    p = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if examples:
        p["examples"] = {k: {"value": v} for k, v in examples.items()}
    if style:
        p["style"] = style
    if explode is not None:
        p["explode"] = explode
    return p


def top_param(maximum, default):
    return param("$top", s("integer", minimum=1, maximum=maximum, default=default),
                 f"Page size, 1 to {maximum} (default {default}); repeated in `@odata.nextLink`.")


PARAMS["topLog"] = top_param(1000, 1000)
PARAMS["topDirectory"] = top_param(999, 100)
PARAMS["skiptoken"] = param("$skiptoken", s("string", minLength=1),
                            "Opaque paging token: only ever sent as part of an `@odata.nextLink` received from the server.")
PARAMS["count"] = param("$count", BOOL, "Adds `@odata.count` (the number of matching objects) to the page; on users, "
                        "groups, applications and service principals only with `ConsistencyLevel: eventual` (silently "
                        "ignored without it, as Graph does).")
PARAMS["consistencyLevel"] = {"name": "ConsistencyLevel", "in": "header", "required": False, "schema": STR,
                              "description": "`eventual` opens advanced queries: `$count=true`, and with it the `ne`, `not` and "
                                             "`endsWith` filters; `$search` also needs it (not described here: OpenAPI cannot "
                                             "tie a query option to a header). Other values are ignored."}
PARAMS["consistencyLevelRequired"] = {"name": "ConsistencyLevel", "in": "header", "required": True, "schema": enum("eventual"),
                                      "description": "Required: without it Graph answers 400 `$count is not currently supported.`"}
PARAMS["search"] = param("$search", s("string", pattern='^"displayName:[A-Za-z0-9]*"$'),
                         "`\"property:words\"` clauses joined by AND or OR; words match token prefixes.",
                         examples={"name": '"displayName:a"'})


def collection_response(item_schema_name, select_props, context, description, tips=False, marked=True):
    """A page: @odata.context, optional @odata.nextLink / @odata.count / tips, value[]."""
    full = ref(item_schema_name)
    if select_props and not marked:
        projection = {"type": "object", "additionalProperties": False, "required": ["id"],
                      "properties": {p: {} for p in select_props},
                      "description": "An object reduced by $select (id is always kept)."}
        schema = {
            "type": "object",
            "properties": page_properties(context, tips),
            "required": ["@odata.context", "value"],
            "additionalProperties": False,
        }
        schema["properties"]["value"] = arr({"anyOf": [full, projection]})
    elif select_props:
        projection = {"type": "object", "additionalProperties": False,
                      "properties": {p: {} for p in select_props},
                      "description": "A record reduced by $select to the named properties."}
        schema = {
            "type": "object",
            "properties": page_properties(context, tips),
            "required": ["@odata.context", "value"],
            "additionalProperties": False,
            "if": {"properties": {"@odata.context": {"pattern": r"\)$"}}},
            "then": {"properties": {"value": arr(projection)}},
            "else": {"properties": {"value": arr(full)}},
        }
    else:
        schema = {
            "type": "object",
            "properties": page_properties(context, tips),
            "required": ["@odata.context", "value"],
            "additionalProperties": False,
        }
        schema["properties"]["value"] = arr(full)
    return {"description": description, "headers": graph_headers(), "content": {JSON_CT: {"schema": schema}}}


def page_properties(context, tips):
    props = {
        "@odata.context": s("string", pattern="^https://graph\\.microsoft\\.com/(v1\\.0|beta)/\\$metadata#" + context.replace("/", "\\/")),
        "@odata.nextLink": s("string", format="uri", pattern="^https?://",
                             description="Absolute URL on this server (same scheme, host and port as the request); "
                                         "absent on the last page."),
        "@odata.count": s("integer", minimum=0),
        "value": arr({}),
    }
    if tips:
        props["@microsoft.graph.tips"] = STR
    return props


def entity_response(schema_name, context, description):
    schema = copy.deepcopy(SCHEMAS[schema_name])
    schema["properties"] = {"@odata.context": s("string", pattern=f"#{context}/\\$entity$"), **schema["properties"]}
    schema["required"] = ["@odata.context"] + schema.get("required", [])
    return {"description": description, "headers": graph_headers(), "content": {JSON_CT: {"schema": schema}}}


def directory_list_parameters(select_props, filter_description, filter_examples=None):
    """$filter, $top, $select, $count and $skiptoken of a directory listing."""
    return [
        param("$filter", s("string", minLength=1), filter_description, examples=filter_examples),
        {"$ref": "#/components/parameters/topDirectory"},
        param("$select", arr(enum("id", *select_props), minItems=1),
              "Comma-separated properties to return (`id` is always returned).", style="form", explode=False),
        {"$ref": "#/components/parameters/count"},
        {"$ref": "#/components/parameters/skiptoken"},
    ]


def build_graph_paths():
    paths = {}
    for version in VERSIONS:
        for name, (path, id_schema, schemas, time_prop) in LOGS.items():
            record = schemas[version]
            filters = dict(FILTER_EXAMPLES[name])
            if name == "signIns" and version == "beta":
                filters.update(BETA_SIGNIN_FILTERS)
            orderby = param("$orderby", enum(time_prop, f"{time_prop} asc", f"{time_prop} desc", f"{time_prop} ASC",
                                             f"{time_prop} DESC"),
                            f"Sort by `{time_prop}` (default newest first).")
            params = [
                param("$filter", s("string", minLength=1),
                      "OData filter. Unsupported properties/operators answer 400 `Invalid filter clause`."
                      + (" On beta, `signInEventTypes/any(t: t eq '...')` selects non-interactive, service-principal and "
                         "managed-identity sign-ins (interactive only otherwise)." if name == "signIns" and version == "beta" else ""),
                      examples=filters),
                {"$ref": "#/components/parameters/topLog"},
                orderby,
                {"$ref": "#/components/parameters/skiptoken"},
            ]
            select_props = None
            if name != "signIns":
                select_props = list(SCHEMAS[record]["properties"])
                params.append(param("$select", arr(enum(*select_props), minItems=1),
                                    "Comma-separated properties to return.", style="form", explode=False))
            op_id = f"{version.replace('.', '')}_{name}"
            paths[f"/{version}/{path}"] = {"get": {
                "operationId": f"list_{op_id}",
                "tags": [f"Graph {version}"],
                "summary": f"List {name} ({version})",
                "parameters": params,
                "responses": {"200": collection_response(record, select_props, path, f"A page of {name}.",
                                                         tips=name == "directoryAudits"), **error_refs()},
            }}
            paths[f"/{version}/{path}/{{id}}"] = {"get": {
                "operationId": f"get_{op_id}",
                "tags": [f"Graph {version}"],
                "summary": f"Get one {name} record ({version})",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": id_schema,
                                "description": "The record's id." + (" A GUID: anything else answers 400." if id_schema is UUID else "")}],
                "responses": {"200": entity_response(record, path, "The record."), **error_refs()},
            }}
        for name, (path, record, id_schema, filters) in DIRECTORY.items():
            select_props = [p for p in SCHEMAS[record]["properties"] if p != "id"]  # id is always returned
            op_id = f"{version.replace('.', '')}_{name}"
            paths[f"/{version}/{path}"] = {"get": {
                "operationId": f"list_{op_id}",
                "tags": [f"Directory {version}"],
                "summary": f"List {name} ({version})",
                "parameters": directory_list_parameters(select_props, "OData filter on the collection's filterable properties.",
                                                        filters),
                "responses": {"200": collection_response(record, ["id"] + select_props, path, f"A page of {name}.", marked=False),
                              **error_refs()},
            }}
            paths[f"/{version}/{path}/{{id}}"] = {"get": {
                "operationId": f"get_{op_id}",
                "tags": [f"Directory {version}"],
                "summary": f"Get one of {name} ({version})",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": id_schema,
                                "description": "Object id." + (" A GUID: anything else answers 400." if id_schema is UUID else "")}],
                "responses": {"200": entity_response(record, path, "The object."), **error_refs()},
            }}
    advanced_paths(paths)
    deleted_items(paths)
    legacy_provisioning(paths)
    for item in paths.values():
        item["get"]["security"] = [{"bearer": []}]
    directory_key_paths(paths)
    return paths


def advanced_paths(paths):
    """$search and ConsistencyLevel on directory-object listings, their `/$count`, and grant navigation."""
    for version in VERSIONS:
        tag = [f"Directory {version}"]
        for name in DIRECTORY_OBJECTS:
            listing = paths[f"/{version}/{name}"]["get"]
            listing["parameters"] += [{"$ref": "#/components/parameters/consistencyLevel"}]
            paths[f"/{version}/{name}/$count"] = {"get": {
                "operationId": f"count_{version.replace('.', '')}_{name}",
                "tags": tag,
                "summary": f"Count {name} ({version}); 400 `$count is not currently supported.` without ConsistencyLevel",
                "parameters": [param("$filter", s("string", minLength=1), "OData filter."),
                               {"$ref": "#/components/parameters/search"},
                               {"$ref": "#/components/parameters/consistencyLevelRequired"}],
                "responses": {"200": {"description": "The number of matching objects.", "headers": graph_headers(),
                                      "content": {"text/plain": {"schema": s("string", pattern="^[0-9]+$")}}},
                              **error_refs()},
            }}
        for owner, nav, item in GRANT_NAVIGATION:
            path = f"{owner}\\('[^']+'\\)/{nav}"
            paths[f"/{version}/{owner}/{{id}}/{nav}"] = {"get": {
                "operationId": f"list_{version.replace('.', '')}_{owner}_{nav}",
                "tags": tag,
                "summary": f"List a {owner[:-1]}'s {nav} ({version})",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": UUID, "description": "Object id."},
                               {"$ref": "#/components/parameters/topDirectory"},
                               {"$ref": "#/components/parameters/count"},
                               {"$ref": "#/components/parameters/skiptoken"}],
                "responses": {"200": collection_response(item, None, path, f"A page of {nav}."), **error_refs()},
            }}


# ---- directory lookups, navigation and actions (issue 14; src/http/directory_keys.rs, directory_actions.rs, organization.rs)
CASTS = {"microsoft.graph.user": "user", "microsoft.graph.group": "group",
         "microsoft.graph.servicePrincipal": "servicePrincipal", "microsoft.graph.application": "application"}
# Navigation listings: (owner set, navigation, owner's entity type).
NAVIGATION = [("groups", "members"), ("groups", "owners"), ("groups", "transitiveMembers"), ("users", "memberOf"),
              ("users", "transitiveMemberOf"), ("users", "directReports"), ("users", "ownedObjects"),
              ("servicePrincipals", "owners")]
MEMBER_ACTIONS = ["users", "groups", "servicePrincipals", "directoryObjects"]
UPN = s("string", pattern=r"^[^/?@]+@[^/?@]+$", description="A userPrincipalName (guests' `#EXT#` URL-encoded).")
USER_KEY = {"anyOf": [UUID, UPN]}


def typed_schema(record):
    """A live object's schema with the `@odata.type` Graph writes in directoryObject collections."""
    schema = copy.deepcopy(SCHEMAS[record])
    schema["properties"] = {"@odata.type": enum(f"#microsoft.graph.{record}"), **schema["properties"]}
    schema["required"] = ["@odata.type"] + schema["required"]
    return schema


for _record in CASTS.values():
    SCHEMAS["typed" + _record[0].upper() + _record[1:]] = typed_schema(_record)
SCHEMAS["directoryObject"] = {"anyOf": [ref("typed" + r[0].upper() + r[1:]) for r in CASTS.values()],
                              "description": "A user, group, service principal or application with its `@odata.type`."}
SCHEMAS["castDirectoryObject"] = {"anyOf": [ref(r) for r in CASTS.values()],
                                  "description": "A directory object listed through a cast (no `@odata.type`)."}
SCHEMAS["domain"] = obj({
    "id": STR, "authenticationType": STR, "availabilityStatus": NSTR, "isAdminManaged": BOOL, "isDefault": BOOL,
    "isInitial": BOOL, "isRoot": BOOL, "isVerified": BOOL, "passwordNotificationWindowInDays": n(s("integer")),
    "passwordValidityPeriodInDays": n(s("integer")), "supportedServices": arr(STR), "state": n({"type": "object"})})
SCHEMAS["assignedPlan"] = obj({"assignedDateTime": DT, "capabilityStatus": STR, "service": STR, "servicePlanId": UUID})
SCHEMAS["verifiedDomain"] = obj({"capabilities": STR, "isDefault": BOOL, "isInitial": BOOL, "name": STR, "type": STR})
SCHEMAS["organization"] = obj({
    "id": UUID, "deletedDateTime": D, "displayName": STR, "tenantType": STR, "createdDateTime": DT, "countryLetterCode": STR,
    "preferredLanguage": STR, "onPremisesSyncEnabled": NBOOL,
    "assignedPlans": arr(ref("assignedPlan"), description="The Entra ID licence's service plans (none on Free)."),
    "provisionedPlans": arr({"type": "object"}), "verifiedDomains": arr(ref("verifiedDomain")),
    "technicalNotificationMails": arr(STR), "securityComplianceNotificationMails": arr(STR), "businessPhones": arr(STR)})
SCHEMAS["memberGroupsRequest"] = obj({"securityEnabledOnly": BOOL}, additional=True)
SCHEMAS["checkMemberGroupsRequest"] = obj({"groupIds": arr(STR)}, additional=True)
SCHEMAS["getByIdsRequest"] = obj({"ids": arr(STR), "types": arr(STR, description="Type names (`user`, `group`, ...) "
                                                                    "that narrow the answer; all types when absent.")},
                                 required=["ids"], additional=True)


def key_param(name, schema, description, example=None):
    p = {"name": name, "in": "path", "required": True, "schema": schema, "description": description}
    if example:
        p["examples"] = {"example": {"value": example}}
    return p


def directory_op(op_id, tag, summary, params, response, codes=GRAPH_ERRORS):
    return {"operationId": op_id, "tags": tag, "summary": summary, "parameters": params,
            "responses": {"200": response, **error_refs(codes)}, "security": [{"bearer": []}]}


NAV_FILTER = param("$filter", s("string", minLength=1),
                   "OData filter on the listed objects' properties (the cast's type, or any member type). An advanced "
                   "query: without `ConsistencyLevel: eventual` and `$count=true` Graph answers 400 "
                   "`Request_UnsupportedQuery` \"The specified filter to the reference property query is currently not "
                   "supported.\"", examples={"startswith": "startswith(displayName,'a')"})


def nav_count(version, owner, nav, cast):
    """`/{owner}/{id}/{nav}[/{cast}]/$count`: the listing's size as text (an advanced query)."""
    key = USER_KEY if owner == "users" else UUID
    params = [key_param("id", key, "Object id" + (" or userPrincipalName" if owner == "users" else ""))]
    if cast:
        params.append(key_param("cast", enum(*CASTS), "OData cast."))
    params += [NAV_FILTER, {"$ref": "#/components/parameters/search"},
               {"$ref": "#/components/parameters/consistencyLevelRequired"}]
    suffix = "/{cast}" if cast else ""
    op = {"operationId": f"count_{version.replace('.', '')}_{owner}_{nav}{'_cast' if cast else ''}",
          "tags": [f"Directory {version}"],
          "summary": f"Count a {owner[:-1]}'s {nav} ({version}); 400 `$count is not currently supported.` without "
                     "ConsistencyLevel",
          "parameters": params, "security": [{"bearer": []}],
          "responses": {"200": {"description": "The number of matching objects.", "headers": graph_headers(),
                                "content": {"text/plain": {"schema": s("string", pattern="^[0-9]+$")}}},
                        **error_refs()}}
    return f"/{version}/{owner}/{{id}}/{nav}{suffix}/$count", op


def nav_listing(version, owner, nav, cast):
    """`/{owner}/{id}/{nav}[/{cast}]`: a page of directory objects, typed unless cast."""
    key = USER_KEY if owner == "users" else UUID
    params = [key_param("id", key, "Object id" + (" or userPrincipalName" if owner == "users" else "")
                        + ": an unknown key answers 404 `Request_ResourceNotFound`, a malformed one 400.")]
    if cast:
        params.append(key_param("cast", enum(*CASTS), "OData cast: only objects of that type, context `#users` etc. "
                                "Another segment answers 400 \"Resource not found for the segment '...'\"."))
    # Any directory object's properties; one the cast's type lacks answers 400 like an unknown name.
    selectable = [p for p in dict.fromkeys(p for r in CASTS.values() for p in SCHEMAS[r]["properties"]) if p != "id"]
    params += [param("$select", arr(enum("id", *selectable), minItems=1),
                     "Comma-separated properties to return (`id` and `@odata.type` are always kept); a name no object of "
                     "the listing's type has answers 400 \"Could not find a property named '...' on type "
                     "'microsoft.graph.directoryObject'.\"", style="form",
                     explode=False),
               {"$ref": "#/components/parameters/topDirectory"}, {"$ref": "#/components/parameters/count"},
               {"$ref": "#/components/parameters/skiptoken"}, NAV_FILTER, {"$ref": "#/components/parameters/search"},
               {"$ref": "#/components/parameters/consistencyLevel"}]
    record = "castDirectoryObject" if cast else "directoryObject"
    context = "(users|groups|servicePrincipals|applications)$" if cast else "directoryObjects$"
    suffix = "/{cast}" if cast else ""
    op = directory_op(f"list_{version.replace('.', '')}_{owner}_{nav}{'_cast' if cast else ''}", [f"Directory {version}"],
                      f"List a {owner[:-1]}'s {nav}{' through a cast' if cast else ''} ({version})", params,
                      collection_response(record, ["@odata.type", "id"] + selectable, context, f"A page of {nav}.",
                                          marked=False))
    return f"/{version}/{owner}/{{id}}/{nav}{suffix}", op


def action_op(version, owner, action, body, response):
    key = USER_KEY if owner == "users" else UUID
    op = directory_op(f"{action}_{version.replace('.', '')}_{owner}", [f"Directory {version}"],
                      f"POST {action} on one of {owner} ({version}): transitive, read-only",
                      [key_param("id", key, "Object id" + (" or userPrincipalName" if owner == "users" else ""))],
                      response)
    op["requestBody"] = {"required": True, "content": {JSON_CT: {"schema": ref(body)}}}
    op["responses"]["400"]["description"] = "Empty Payload. JSON content expected. / Invalid request body."
    return {"post": op}


def strings_response(description):
    schema = obj({"@odata.context": s("string", pattern=r"#Collection\(Edm\.String\)$"), "value": arr(STR)})
    return {"description": description, "headers": graph_headers(), "content": {JSON_CT: {"schema": schema}}}


def single_response(context, description):
    """One directory object with its `@odata.type` and `@odata.context` `#{context}/$entity`."""
    variants = []
    for record in CASTS.values():
        typed = copy.deepcopy(SCHEMAS["typed" + record[0].upper() + record[1:]])
        typed["properties"] = {"@odata.context": s("string", pattern=f"#{context}/\\$entity$"), **typed["properties"]}
        typed["required"] = ["@odata.context"] + typed["required"]
        variants.append(typed)
    return {"description": description, "headers": graph_headers(), "content": {JSON_CT: {"schema": {"anyOf": variants}}}}


def directory_key_paths(paths):
    """Lookups by alternate key, directoryObjects, navigation listings, member actions, organization and domains."""
    for version in VERSIONS:
        v = version.replace(".", "")
        tag = [f"Directory {version}"]
        user = paths[f"/{version}/users/{{id}}"]["get"]["parameters"][0]
        user["schema"] = USER_KEY
        user["description"] = ("Object id or userPrincipalName (case-insensitive). A non-GUID key without `@` answers 400 "
                               "\"Invalid object identifier\"; an unknown one 404 `Request_ResourceNotFound`.")
        for set_ in ("servicePrincipals", "applications"):
            record = set_[:-1] if set_ == "servicePrincipals" else "application"
            paths[f"/{version}/{set_}(appId='{{appId}}')"] = {"get": directory_op(
                f"get_{v}_{set_}_byAppId", tag, f"Get one of {set_} by its appId ({version})",
                [key_param("appId", STR, "The application (client) id; an unknown one answers 404 naming it.")],
                entity_response(record, set_, "The object."))}
        paths[f"/{version}/directoryObjects/{{id}}"] = {"get": directory_op(
            f"get_{v}_directoryObjects", tag, f"Get any directory object by id, with its @odata.type ({version})",
            [key_param("id", UUID, "Object id. A GUID: anything else answers 400.")],
            single_response("directoryObjects", "The object."))}
        paths[f"/{version}/directoryObjects/getByIds"] = {"post": dict(directory_op(
            f"getByIds_{v}", tag, f"POST getByIds: the objects found, in the order asked ({version})", [],
            collection_response("directoryObject", None, "directoryObjects$", "The objects found.")),
            requestBody={"required": True, "content": {JSON_CT: {"schema": ref("getByIdsRequest")}}})}
        for owner, nav in NAVIGATION:
            for cast in (False, True):
                path, op = nav_listing(version, owner, nav, cast)
                paths[path] = {"get": op}
                path, op = nav_count(version, owner, nav, cast)
                paths[path] = {"get": op}
        for cast in ("", "/{cast}"):
            params = [key_param("id", USER_KEY, "Object id or userPrincipalName.")]
            if cast:
                params.append(key_param("cast", enum(*CASTS), "OData cast."))
            paths[f"/{version}/users/{{id}}/manager{cast}"] = {"get": directory_op(
                f"get_{v}_users_manager{'_cast' if cast else ''}", tag,
                f"Get a user's manager ({version}); 404 `Request_ResourceNotFound` when the user has none",
                params, single_response("directoryObjects", "The manager, with its @odata.type."))}
        for owner in MEMBER_ACTIONS:
            paths[f"/{version}/{owner}/{{id}}/getMemberGroups"] = action_op(
                version, owner, "getMemberGroups", "memberGroupsRequest", strings_response("The groups' ids."))
            paths[f"/{version}/{owner}/{{id}}/getMemberObjects"] = action_op(
                version, owner, "getMemberObjects", "memberGroupsRequest",
                strings_response("The groups' ids (the tenant has no directory roles or administrative units as objects)."))
            paths[f"/{version}/{owner}/{{id}}/checkMemberGroups"] = action_op(
                version, owner, "checkMemberGroups", "checkMemberGroupsRequest",
                strings_response("The asked group ids the object is a transitive member of."))
        for set_, record, key in (("organization", "organization", UUID), ("domains", "domain", STR)):
            paths[f"/{version}/{set_}"] = {"get": directory_op(
                f"list_{v}_{set_}", tag, f"List {set_} ({version})", [],
                collection_response(record, None, f"{set_}$", f"The tenant's {set_}."))}
            paths[f"/{version}/{set_}/{{id}}"] = {"get": directory_op(
                f"get_{v}_{set_}", tag, f"Get one of {set_} ({version})",
                [key_param("id", key, "The tenant id." if set_ == "organization" else "The domain name (lower case).")],
                entity_response(record, set_, "The object."))}


DELETED_CASTS = {
    # cast: (record schema of the live object, entity set named by @odata.context)
    "microsoft.graph.user": ("user", "users"),
    "microsoft.graph.group": ("group", "groups"),
    "microsoft.graph.application": ("application", "applications"),
    "microsoft.graph.servicePrincipal": ("servicePrincipal", "servicePrincipals"),
}


def deleted_name(record):
    return "deleted" + record[0].upper() + record[1:]


def deleted_schema(record):
    """A live object's schema plus its deletedDateTime."""
    schema = copy.deepcopy(SCHEMAS[record])
    schema["properties"]["deletedDateTime"] = DT
    schema["required"] = schema["required"] + ["deletedDateTime"]
    return schema


def deleted_items(paths):
    """directory/deletedItems: listed only through an OData cast, read one by id."""
    for record, _ in DELETED_CASTS.values():
        SCHEMAS[deleted_name(record)] = deleted_schema(record)
    typed = deleted_schema("user")
    typed["properties"] = {"@odata.type": enum("#microsoft.graph.user"), **typed["properties"]}
    typed["required"] = ["@odata.type"] + typed["required"]
    typed["description"] = "A deleted directory object (entrasim deletes users only)."
    SCHEMAS["deletedDirectoryObject"] = typed
    for version in VERSIONS:
        tag = [f"Directory {version}"]
        paths[f"/{version}/directory/deletedItems"] = {"get": {
            "operationId": f"list_{version.replace('.', '')}_deletedItems_uncast",
            "tags": tag,
            "summary": f"Deleted items without an OData cast ({version}): Graph refuses them",
            "description": "400 Request_UnsupportedQuery: `Searches against this resource are not supported. Only specific "
                           "instances can be queried.` List through a cast, e.g. `/directory/deletedItems/microsoft.graph.user`.",
            "responses": error_refs(["400", "401", "403", "429", "500", "503", "504"]),
        }}
        for cast, (record, entity_set) in DELETED_CASTS.items():
            select_props = [p for p in SCHEMAS[deleted_name(record)]["properties"] if p != "id"]
            paths[f"/{version}/directory/deletedItems/{cast}"] = {"get": {
                "operationId": f"list_{version.replace('.', '')}_deleted_{entity_set}",
                "tags": tag,
                "summary": f"Deleted {entity_set} still restorable, deleted up to 30 days ago ({version})",
                "parameters": directory_list_parameters(select_props, "OData filter on the live type's filterable properties."),
                "responses": {"200": collection_response(deleted_name(record), ["id"] + select_props, entity_set,
                                                         f"A page of deleted {entity_set}.", marked=False),
                              **error_refs()},
            }}
        paths[f"/{version}/directory/deletedItems/{{id}}"] = {"get": {
            "operationId": f"get_{version.replace('.', '')}_deletedItem",
            "tags": tag,
            "summary": f"Get one deleted directory object ({version})",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": UUID,
                            "description": "Object id. A GUID: anything else answers 400."}],
            "responses": {"200": entity_response("deletedDirectoryObject", "directoryObjects", "The deleted object."),
                          **error_refs()},
        }}


def legacy_provisioning(paths):
    """beta's old name for the provisioning collection, served with the same records and context."""
    for suffix in ("", "/{id}"):
        op = copy.deepcopy(paths[f"/beta/auditLogs/provisioning{suffix}"])
        op["get"]["operationId"] = op["get"]["operationId"].replace("provisioning", "directoryProvisioning")
        op["get"]["summary"] += " under its legacy beta name directoryProvisioning"
        paths[f"/beta/auditLogs/directoryProvisioning{suffix}"] = op


# ---------------------------------------------------------------- identity surface

SCHEMAS["tokenResponse"] = obj({"token_type": enum("Bearer"), "expires_in": s("integer", minimum=1),
                                "ext_expires_in": s("integer", minimum=1), "access_token": s("string", minLength=1),
                                # User grants (issue 18): granted scopes, and with offline_access / openid the refresh
                                # token, id token and MSAL's client_info.
                                "scope": STR, "refresh_token": STR, "id_token": STR, "client_info": STR},
                               required=["token_type", "expires_in", "ext_expires_in", "access_token"])
SCHEMAS["aadError"] = obj({
    "error": s("string", description="OAuth 2.0 error code, e.g. invalid_client"),
    "error_description": s("string", pattern="^AADSTS[0-9]+: "),
    "error_codes": arr(s("integer")),
    "timestamp": STR,
    "trace_id": STR,
    "correlation_id": STR,
    "error_uri": STR,
}, description="Microsoft Entra ID's token-endpoint error body.")
SCHEMAS["tokenRequest"] = obj({
    "grant_type": enum("client_credentials", "password", "authorization_code", "refresh_token",
                       "urn:ietf:params:oauth:grant-type:device_code"),
    "client_id": s("string", minLength=1, description="The application (client) id of an application of the tenant."),
    "client_secret": s("string", description="A secret of the application (or send client_id:client_secret as HTTP Basic)."),
    "client_assertion_type": s("string", description="urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
    "client_assertion": s("string", description="A JWT signed with the application's certificate key."),
    "scope": s("string", pattern=r"^\s*\S+/\.default(\s+\S+/\.default)*\s*$",
               description="`<resource>/.default`, e.g. https://graph.microsoft.com/.default; several scopes must name one "
                           "resource. The resource becomes the token's audience."),
    "claims": STR,
    "client_info": STR,
    "username": STR, "password": STR, "code": STR, "redirect_uri": STR, "code_verifier": STR, "refresh_token": STR,
    "device_code": STR,
}, required=["grant_type", "client_id", "scope"], additional=True)
SCHEMAS["openidConfiguration"] = {
    "type": "object",
    "required": ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"],
    "properties": {"issuer": STR, "authorization_endpoint": STR, "token_endpoint": STR, "jwks_uri": STR,
                   "token_endpoint_auth_methods_supported": arr(STR), "tenant_region_scope": NSTR},
    "additionalProperties": True,
}
SCHEMAS["jwk"] = {"type": "object", "required": ["kty", "kid", "n", "e"],
                  "properties": {"kty": enum("RSA"), "use": STR, "kid": STR, "x5t": STR, "n": STR, "e": STR, "x5c": arr(STR),
                                 "alg": STR},
                  "additionalProperties": True}
SCHEMAS["jwks"] = obj({"keys": arr(ref("jwk"), minItems=1)})
SCHEMAS["instanceDiscovery"] = {"type": "object", "required": ["tenant_discovery_endpoint"],
                                "properties": {"tenant_discovery_endpoint": STR, "api-version": STR, "metadata": arr({"type": "object"})},
                                "additionalProperties": True}


MULTI_TENANT = ["common", "organizations", "consumers"]


def identity_paths():
    one = {"name": "tenant", "in": "path", "required": True, "schema": s("string", minLength=1),
           "description": "The tenant's id or one of its domains (common/organizations/consumers name no tenant: "
                          "client credentials there answer 400 AADSTS50059).",
           "examples": {"tenantId": {"value": "00000000-0000-0000-0000-000000000000"}}}
    any_tenant = {"name": "tenant", "in": "path", "required": True, "schema": s("string", minLength=1),
                  "description": "The tenant's id or one of its domains, or common/organizations/consumers (issuer "
                                 "`{tenantid}`; their key set holds every tenant's keys).",
                  "examples": {name: {"value": name} for name in MULTI_TENANT}}
    aad = {"content": {JSON_CT: {"schema": ref("aadError")}}}
    unknown = {"description": "Unknown tenant (AADSTS90002).", **aad}

    def discovery(op_id, summary, schema_name, description):
        return {"get": {"operationId": op_id, "tags": ["Identity"], "summary": summary, "security": [],
                        "parameters": [any_tenant],
                        "responses": {"200": {"description": description, "content": {JSON_CT: {"schema": ref(schema_name)}}},
                                      "400": unknown}}}

    return {
        "/{tenant}/oauth2/v2.0/token": {"post": {
            "operationId": "token",
            "tags": ["Identity"],
            "summary": "Client-credentials token (client_secret or client_assertion).",
            "description": "GET, PUT, DELETE and the like answer 400 AADSTS900561 (as Entra does); OPTIONS answers 204.",
            "security": [],
            "parameters": [one],
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": ref("tokenRequest")}}},
            "responses": {
                "200": {"description": "A signed RS256 access token.", "content": {JSON_CT: {"schema": ref("tokenResponse")}}},
                "400": {"description": "invalid_request, unsupported_grant_type, invalid_scope, unauthorized_client (no such "
                                       "application), tenant not found (AADSTS90002), no tenant (AADSTS50059).", **aad},
                "401": {"description": "invalid_client: bad secret or assertion.", **aad},
            },
        }},
        "/{tenant}/v2.0/.well-known/openid-configuration": discovery(
            "openidConfiguration", "OpenID configuration (v2.0).", "openidConfiguration",
            "OpenID configuration pointing at this server."),
        "/{tenant}/discovery/v2.0/keys": discovery("keys", "Signing keys (JWKS).", "jwks", "The tenant's signing keys."),
        "/{tenant}/discovery/keys": discovery("keysV1", "Signing keys (JWKS), v1.0 path.", "jwks", "The tenant's signing keys."),
        "/common/discovery/instance": {"get": {
            "operationId": "instanceDiscovery",
            "tags": ["Identity"],
            "summary": "MSAL instance discovery.",
            "security": [],
            "parameters": [
                {"name": "authorization_endpoint", "in": "query", "required": False, "schema": STR},
                {"name": "api-version", "in": "query", "required": False, "schema": STR},
            ],
            "responses": {"200": {"description": "MSAL instance discovery naming this server.",
                                  "content": {JSON_CT: {"schema": ref("instanceDiscovery")}}}},
        }},
    }


# ---------------------------------------------------------------- control surface

SCHEMAS["limit"] = obj({"requests": s("integer", minimum=1, maximum=4294967295),
                        "windowSeconds": s("integer", minimum=1, maximum=3600)})
SCHEMAS["throttleNext"] = obj({"appId": STR, "count": s("integer", minimum=0, maximum=4294967295),
                               "retryAfter": s("integer", minimum=0, maximum=180, default=1)}, required=["appId", "count"])
SCHEMAS["throttling"] = obj({
    "enabled": BOOL,
    "perAppPerTenant": ref("limit"),
    "perAppAllTenants": ref("limit"),
    "identityProtection": ref("limit"),
    "apps": {"type": "object", "additionalProperties": ref("limit")},
    "throttleNext": arr(ref("throttleNext")),
    "armReads": ref("limit"),
}, required=["enabled", "perAppPerTenant", "perAppAllTenants"])
SCHEMAS["limitPatch"] = obj({"requests": s("integer", minimum=1, maximum=4294967295),
                             "windowSeconds": s("integer", minimum=1, maximum=3600)}, required=[])
SCHEMAS["appLimitPatch"] = obj({"requests": n(s("integer", minimum=1, maximum=4294967295)),
                                "windowSeconds": n(s("integer", minimum=1, maximum=3600))}, required=[],
                               description="An app's own limit; a field left out or null takes `perAppPerTenant`'s value.")
SCHEMAS["throttlingPatch"] = obj({
    "enabled": BOOL,
    "perAppPerTenant": ref("limitPatch"),
    "perAppAllTenants": ref("limitPatch"),
    "identityProtection": n(ref("limitPatch")),
    "apps": n({"type": "object", "additionalProperties": n(ref("appLimitPatch"))}),
    "throttleNext": n(arr(ref("throttleNext"))),
    "armReads": n(ref("limitPatch")),
}, required=[], description="JSON Merge Patch (RFC 7386) of the throttling settings: present fields replace, "
                            "objects merge, null removes (an entry of `apps`, or all of `apps` or `throttleNext`). "
                            "An app's first own limit starts from `perAppPerTenant`.")
ROUTE = enum("*", "signIns", "directoryAudits", "provisioning")
FAULT = enum("500", "503", "504", "reset")
SCHEMAS["faultRule"] = obj({"route": ROUTE, "appId": NSTR, "rate": s("number", minimum=0, maximum=1), "fault": FAULT,
                            "retryAfter": n(s("integer", minimum=0, maximum=180))}, required=["rate", "fault"])
SCHEMAS["failPage"] = obj({"page": s("integer", minimum=1, maximum=4294967295), "fault": FAULT,
                           "sessions": s("integer", minimum=0, maximum=4294967295, default=1),
                           "appId": NSTR}, required=["page", "fault"])
SCHEMAS["delay"] = obj({"fixedMs": n(s("integer", minimum=0, maximum=10000)), "profile": n(enum("graph")), "route": ROUTE,
                        "appId": NSTR}, required=[])
SCHEMAS["faults"] = obj({"rules": arr(ref("faultRule")), "failPage": n(ref("failPage")), "delay": n(ref("delay"))}, required=[])
SCHEMAS["clock"] = obj({"now": DT, "frozen": BOOL, "speed": s("number")})
# What src/http/control.rs `duration` reads: P, then number+unit pairs (W/D, then after T: H/M/S), in any case;
# a number is digits with an optional fraction. "P", "PT" and bare numbers are refused.
_NUM = r"(\d+\.?\d*|\.\d+)"
_TIME = rf"[Tt]({_NUM}[HhMmSs])+"
ISO_DURATION = s("string", pattern=rf"^[Pp]({_NUM}[WwDd]({_NUM}[WwDd])*({_TIME})?|{_TIME})$",
                 description="ISO 8601 duration such as PT10M, P1DT2H or PT0.5S.")
DURATION = {"oneOf": [ISO_DURATION, s("number", minimum=0)], "description": "ISO 8601 duration (PT10M) or seconds."}
SCHEMAS["clockChange"] = obj({
    "now": s("string", format="date-time", description="Move the clock to this time (never backwards)."),
    "advance": {"oneOf": [ISO_DURATION, s("number", minimum=0, maximum=315619200)],
                "description": "ISO 8601 duration (PT10M) or seconds; with `now`, at most 10 years (P3653D) "
                               "past the current clock, and never past 9999-12-31T23:59:59Z."},
    "frozen": BOOL,
}, required=[])
SCHEMAS["diagnosticsHealth"] = obj({
    "backlog": s("integer", minimum=0), "backlogLimit": s("integer", minimum=1),
    "settings": arr(obj({"tenant": s("integer", minimum=0), "name": STR, "deliveredThrough": DT,
                         "delivered": s("integer", minimum=0), "backlog": s("integer", minimum=0),
                         "failures": s("integer", minimum=0), "lastError": NSTR}))},
    description="Diagnostic-settings delivery (issue 19): records held while a destination is down, per setting.")
SCHEMAS["health"] = obj({
    "status": enum("ok", "unavailable"), "now": DT, "records": s("integer", minimum=0),
    "state": obj({"url": STR, "journal": s("integer", minimum=0)},
                 description="With --state: the shared state and the journal entries this replica replayed."),
    "reason": s("string", description="Why the replica is not ready (its shared state is unreachable)."),
    "diagnostics": ref("diagnosticsHealth"),
}, required=["status"])
SCHEMAS["testClient"] = obj({
    "name": STR, "clientId": STR, "clientSecret": STR, "objectId": STR, "servicePrincipalId": STR, "permissions": arr(STR),
    "azureRoles": arr(obj({"scope": STR, "roleDefinitionName": STR, "roleDefinitionId": STR}),
                      description="The Azure role assignments ARM checks this client's requests against."),
    "certificate": n({"type": "object", "properties": {"keyId": STR, "thumbprint": STR, "x5t": STR, "certificatePem": STR,
                                                        "privateKeyPem": STR}, "additionalProperties": False})})
TENANT_PROPS = {
    "tenantId": STR, "organization": STR, "domain": STR, "initialDomain": STR, "license": enum("p2", "p1", "free"),
    "seed": s("integer", minimum=0), "preset": STR, "anchor": DT,
    "counts": {"type": "object", "additionalProperties": s("integer", minimum=0)},
    "records": obj({"signIns": s("integer", minimum=0), "directoryAudits": s("integer", minimum=0),
                    "provisioning": s("integer", minimum=0)}),
    "subscriptions": arr(STR),
    "clients": arr(ref("testClient")),
    "testUsers": arr(ref("testUser")),
}
# ---- delegated branch: test users and the managed-identity endpoint (issues 18, 12) ----
SCHEMAS["testUser"] = obj({"label": STR, "userPrincipalName": STR, "id": STR, "password": STR, "accountEnabled": BOOL,
                           "userType": enum("Member", "Guest"), "mfaRegistered": BOOL, "wids": arr(STR)})
SCHEMAS["managedIdentityInfo"] = obj({
    "IDENTITY_ENDPOINT": STR, "IDENTITY_HEADER": STR, "apiVersion": enum("2019-08-01"), "systemAssignedClientId": NSTR,
    "identities": arr(obj({"name": STR, "type": enum("systemAssigned", "userAssigned"), "clientId": STR,
                           "principalId": STR, "resourceId": STR, "permissions": arr(STR),
                           "deletedDateTime": NSTR}, required=["name", "type", "clientId", "principalId",
                                                                 "resourceId", "permissions"]))})
SCHEMAS["tenantSummary"] = obj(dict(TENANT_PROPS, managedIdentity=ref("managedIdentityInfo")), required=list(TENANT_PROPS))
SCHEMAS["tenantInfo"] = obj(dict(TENANT_PROPS, tenants=arr(ref("tenantSummary")), managedIdentity=ref("managedIdentityInfo")),
                            description="The first tenant, plus every tenant under `tenants`.")
# ---- end delegated branch ----
SCHEMAS["resetRequest"] = obj({"seed": s("integer", minimum=0, maximum=18446744073709551615)}, required=[])
SCHEMAS["resetResult"] = obj({"seed": s("integer", minimum=0), "epoch": STR, "tenantId": STR})
SCHEMAS["clientReport"] = {"type": "object", "required": ["appId", "requests", "throttled"],
                           "properties": {"appId": STR, "requests": s("integer"), "throttled": s("integer"),
                                          "earlyRetries": s("integer"), "skipTokensReused": s("integer"),
                                          "skipTokensAbandoned": s("integer"), "verdicts": arr(STR)},
                           "additionalProperties": False}
SCHEMAS["clientReports"] = obj({"value": arr(ref("clientReport"))})
def tsv_column(name, column):
    with open(ROOT / "seed" / name) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    index = rows[0].index(column)
    return [row[index] for row in rows[1:]]


def known(members):
    return [m for m in members if m != "unknownFutureValue"]


def enum_int(members, description):
    return {"type": "integer", "enum": members, "description": description}


SIGN_IN_ERRORS = sorted({int(code) for code in tsv_column("sign_in_errors.tsv", "error_code")})
CLIENT_APPS = tsv_column("client_apps.tsv", "name")
SIGN_IN_KINDS = known(ENUMS["signInEventType"])
SCHEMAS["injectSignIn"] = obj({
    "createdDateTime": DT, "visibleAfter": DURATION, "tenantId": STR,
    "userPrincipalName": STR, "userId": STR, "appId": STR, "resourceId": STR, "ipAddress": s("string", format="ipv4"),
    "errorCode": enum_int([0] + SIGN_IN_ERRORS, "0 (success) or a code of seed/sign_in_errors.tsv."),
    "clientAppUsed": enum(*CLIENT_APPS), "signInEventType": enum(*SIGN_IN_KINDS), "servicePrincipalId": STR,
}, required=[])
SCHEMAS["injectDirectoryAudit"] = obj({
    "activityDateTime": DT, "visibleAfter": DURATION, "tenantId": STR,
    "activityDisplayName": STR, "loggedByService": STR, "userPrincipalName": STR, "userId": STR, "initiatedByAppId": STR,
    "targetUserPrincipalName": STR, "targetGroupId": STR, "result": enum("success", "failure"),
}, required=[])
SCHEMAS["injectProvisioning"] = obj({
    "activityDateTime": DT, "visibleAfter": DURATION, "tenantId": STR,
    "jobId": STR, "userPrincipalName": STR, "userId": STR,
    # Graph's enums without unknownFutureValue, which the server does not inject.
    "provisioningAction": enum(*known(ENUMS["provisioningAction"])), "status": enum(*known(ENUMS["provisioningResult"])),
}, required=[])

# ---- accept branch: Graph-shaped injection and import (issue 13) ----
GRAPH_PROPERTY = {"description": (
    "Any property of the resource in Graph's own JSON shape, as v1.0 or beta serves it (nested objects such as "
    "status, location, deviceDetail, appliedConditionalAccessPolicies); type-checked against the served shape and "
    "served back exactly as given.")}
for _name in ["injectSignIn", "injectDirectoryAudit", "injectProvisioning"]:
    SCHEMAS[_name]["additionalProperties"] = GRAPH_PROPERTY
    # `value` would make a single record a collection document.
    SCHEMAS[_name]["properties"]["value"] = False
    SCHEMAS[_name]["description"] = (
        "A partial record: the flat control fields below and/or Graph properties; what is left out is completed "
        "from the tenant.")


def inject_body(name):
    """One record, an array of records, or a Graph collection document: all checked before any is stored."""
    return {"oneOf": [ref(name), arr(ref(name), minItems=1), obj({"value": arr(ref(name), minItems=1)})]}


def injected(name):
    """The stored record, or `{"value": [...]}` for an array or collection body."""
    return {"oneOf": [ref(name), obj({"value": arr(ref(name))})]}


SCHEMAS["importResult"] = obj({
    "log": enum("signIns", "directoryAudits", "provisioning"),
    "imported": s("integer", minimum=0),
    "problems": arr(s("string", description="`body:LINE: field: problem` of a record left out (lenient import).")),
})


def inject_op(op, ok, op_id, what, served):
    """`POST /_entrasim/{log}`: one record or many (Graph-shaped or flat), answered as beta JSON."""
    o = op(op_id, f"Inject {what}, or many (an array or a collection document); answered as beta JSON.",
           ok(injected(served), "The stored record, or {\"value\": [...]} for many."), code="201")
    o["requestBody"] = {"required": False, "content": {JSON_CT: {"schema": inject_body(op_id)}}}
    return o


def import_op(op, ok):
    """`POST /_entrasim/import`: one exported file (a Graph page, a JSON array or NDJSON)."""
    o = op("importRecords", "Import exported records (ids, times and properties kept); a bad line loads nothing "
           "unless lenient.", ok(ref("importResult")))
    o["parameters"] = [
        {"name": "log", "in": "query", "required": False, "description": (
            "The log the body holds; needed when the body is not a Graph page with @odata.context."),
         "schema": enum("signIns", "directoryAudits", "provisioning")},
        {"name": "lenient", "in": "query", "required": False, "description": (
            "Load the good records of a body with bad ones (reported in problems)."), "schema": s("boolean")},
    ]
    page = obj({"@odata.context": STR, "value": arr(obj({}, required=[], additional=True))}, required=["value"],
               additional=True)
    o["requestBody"] = {"required": True, "content": {
        JSON_CT: {"schema": {"oneOf": [page, arr(obj({}, required=[], additional=True))]}},
        "application/x-ndjson": {"schema": s("string", description="One JSON record a line.")},
    }}
    return o


def health_op(op, ok):
    """`GET /_entrasim/health`: readiness (503 while a --state replica cannot reach Redis); `?probe=liveness`
    only says the process answers."""
    o = op("health", "Readiness, the clock and the record count; with ?probe=liveness, liveness only.",
           ok(ref("health")), errors=False)
    o["parameters"] = [{"name": "probe", "in": "query", "required": False, "schema": STR,
                        "description": "liveness: answer 200 whether or not the shared state (--state) is reachable; "
                                       "any other value: readiness, as without it."}]
    o["responses"]["503"] = {"description": "With --state: the shared state is unreachable (the reason says why).",
                             "headers": {"Retry-After": {"schema": s("integer", minimum=1)}},
                             "content": {JSON_CT: {"schema": ref("health")}}}
    return o


def control_paths():
    def ok(schema, description="OK"):
        return {"description": description, "headers": graph_headers(), "content": {JSON_CT: {"schema": schema}}}

    bad = {"400": {"$ref": "#/components/responses/Error400"}}

    def op(op_id, summary, response, body=None, code="200", errors=True, body_required=False):
        """A control operation; a POST body may be left out (it means `{}`), a PUT body may not."""
        o = {"operationId": op_id, "tags": ["Control"], "summary": summary, "security": [], "responses": {code: response}}
        if errors:
            o["responses"].update(bad)
        if body:
            o["requestBody"] = {"required": body_required, "content": {JSON_CT: {"schema": ref(body)}}}
        return o

    return {
        "/_entrasim/health": {"get": health_op(op, ok)},
        "/_entrasim/tenant": {"get": op("tenant", "Tenant facts and test client credentials.", ok(ref("tenantInfo")), errors=False)},
        "/_entrasim/clock": {
            "get": op("getClock", "The simulated clock.", ok(ref("clock")), errors=False),
            "post": op("setClock", "Move, advance, freeze or unfreeze the clock.", ok(ref("clock")), body="clockChange"),
        },
        "/_entrasim/reset": {"post": op("reset", "Regenerate the world (optionally with a new seed).", ok(ref("resetResult")),
                                        body="resetRequest")},
        "/_entrasim/signIns": {"post": inject_op(op, ok, "injectSignIn", "a sign-in", "signInBeta")},
        "/_entrasim/directoryAudits": {"post": inject_op(op, ok, "injectDirectoryAudit", "a directory audit",
                                                         "directoryAuditBeta")},
        "/_entrasim/provisioning": {"post": inject_op(op, ok, "injectProvisioning", "a provisioning record",
                                                      "provisioningObjectSummaryBeta")},
        "/_entrasim/import": {"post": import_op(op, ok)},
        "/_entrasim/throttling": {
            "get": op("getThrottling", "Throttling settings.", ok(ref("throttling")), errors=False),
            "put": op("putThrottling", "Merge into the throttling settings (JSON Merge Patch).", ok(ref("throttling")),
                      body="throttlingPatch", body_required=True),
        },
        "/_entrasim/faults": {
            "get": op("getFaults", "Fault settings.", ok(ref("faults")), errors=False),
            "put": op("putFaults", "Replace the fault settings.", ok(ref("faults")), body="faults", body_required=True),
        },
        "/_entrasim/clients": {"get": op("clients", "Per calling app: requests, 429s, early retries, skip-token use.",
                                         ok(ref("clientReports")), errors=False)},
        **device_code_control_paths(),
        **scenario_control_paths(),
    }


# ---- scenarios branch: incidents with an answer key (issue 23) ----
IDS = arr(STR)
SCHEMAS["scenarioKey"] = obj({
    "id": UUID, "scenario": STR, "title": STR, "description": STR, "tenantId": STR,
    "startDateTime": DT, "endDateTime": DT,
    "entities": obj({
        "users": arr(obj({"id": STR, "userPrincipalName": STR})),
        "servicePrincipals": arr(obj({"id": STR, "appId": STR, "displayName": STR})),
        "ipAddresses": arr(STR, description="The attacker's addresses (empty when every step comes from home)."),
        "location": nobj({"city": STR, "countryOrRegion": STR}),
    }),
    "steps": arr(obj({
        "name": STR, "action": enum("interactiveSignIn", "nonInteractiveSignIn", "servicePrincipalSignIn", "audit"),
        "log": enum("signIns", "directoryAudits"), "startDateTime": DT, "endDateTime": DT, "recordIds": IDS,
    })),
    "records": obj({"signIns": IDS, "directoryAudits": IDS, "provisioning": IDS, "activityLog": IDS},
                   description="Every record id the scenario produced, per log, in time order."),
    "expectedDetections": arr(obj({
        "riskEventType": STR, "description": STR,
        "emulated": s("boolean", description="Whether this server raised a detection of this type for the "
                                             "scenario's records (see raisedDetections)."),
    })),
    "raisedDetections": arr(obj({"id": s("string", pattern="^[0-9a-f]{64}$"), "riskEventType": STR,
                                 "requestId": STR})),
    "rule": STR,
}, description="The answer key of one placed scenario (also written by `generate --scenario` as scenarios.json).")
SCHEMAS["scenarioKeyCollection"] = obj({"value": arr(ref("scenarioKey"))})
SCHEMAS["scenarioRequest"] = obj({
    "name": s("string", description="A shipped scenario: password-spray, impossible-travel, mfa-fatigue, "
                                    "leaked-client-secret."),
    "definition": s("string", description="A scenario definition in TOML (the schema of seed/scenarios/*.toml)."),
    "at": DT,
}, required=[], description="Exactly one of name or definition; at (RFC 3339) or the scenario's offset from the clock.")
SCHEMAS["scenarioRequest"]["oneOf"] = [{"required": ["name"]}, {"required": ["definition"]}]


def scenario_control_paths():
    key_id = {"name": "id", "in": "path", "required": True, "schema": s("string", minLength=1),
              "description": "The key's id."}
    json_of = lambda schema, description: {"description": description, "content": {JSON_CT: {"schema": schema}}}
    return {
        "/_entrasim/scenarios": {
            "get": {"operationId": "listScenarios", "tags": ["Control"], "security": [],
                    "summary": "The answer keys of every placed scenario, in placement order.",
                    "responses": {"200": json_of(ref("scenarioKeyCollection"), "The keys.")}},
            "post": {"operationId": "placeScenario", "tags": ["Control"], "security": [],
                     "summary": "Place a scenario (shipped or given as TOML); 400 names a bad field or why no "
                                "subject matches.",
                     "requestBody": {"required": True, "content": {JSON_CT: {"schema": ref("scenarioRequest")}}},
                     "responses": {"201": json_of(ref("scenarioKey"), "The placed scenario's key."),
                                   "400": {"$ref": "#/components/responses/Error400"}}},
        },
        "/_entrasim/scenarios/{id}": {"get": {
            "operationId": "getScenario", "tags": ["Control"], "security": [], "parameters": [key_id],
            "summary": "One answer key.",
            "responses": {"200": json_of(ref("scenarioKey"), "The key."),
                          "404": {"$ref": "#/components/responses/Error404"}}}},
    }
# ---- end scenarios branch ----


# ---- delegated branch: user flows and the managed-identity endpoint (issues 18, 12) ----
HTML = {"text/html": {"schema": {"type": "string"}}}


def device_code_control_paths():
    code = {"name": "user_code", "in": "path", "required": True, "schema": s("string", minLength=1),
            "description": "The user_code the devicecode endpoint gave."}
    missing = {"$ref": "#/components/responses/Error404"}
    return {
        "/_entrasim/deviceCodes/{user_code}/approve": {"post": {
            "operationId": "approveDeviceCode", "tags": ["Control"], "security": [], "parameters": [code],
            "summary": "Approve a pending device code as a user (UPN or id); the sign-in is filed as the page would.",
            "requestBody": {"required": True, "content": {JSON_CT: {"schema": obj({"user": STR})}}},
            "responses": {"200": {"description": "Approved.", "content": {JSON_CT: {"schema": obj(
                {"userCode": STR, "approved": BOOL, "application": STR})}}},
                          "400": {"$ref": "#/components/responses/Error400"}, "404": missing}}},
        "/_entrasim/deviceCodes/{user_code}/expire": {"post": {
            "operationId": "expireDeviceCode", "tags": ["Control"], "security": [], "parameters": [code],
            "summary": "End a device code now (its 15 minutes run on the wall clock).",
            "responses": {"204": {"description": "Expired."}, "404": missing}}},
    }


def user_flow_paths():
    tenant = {"name": "tenant", "in": "path", "required": True, "schema": s("string", minLength=1),
              "description": "The tenant's id or domain, or organizations (the tenant of the user's domain)."}
    aad = {"content": {JSON_CT: {"schema": ref("aadError")}}}
    query = [{"name": n_, "in": "query", "required": False, "schema": STR} for n_ in (
        "client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "response_mode", "code_challenge",
        "code_challenge_method", "login_hint", "prompt")]
    page = {"description": "The sign-in page, or Entra's error page with the AADSTS line (unknown client 700016, "
                           "redirect URI not registered 50011).", "content": HTML}
    back = {"description": "Back to redirect_uri with code and state (or error and error_description)."}
    form = {"type": "object", "additionalProperties": {"type": "string"}}
    msi_error = {"content": {JSON_CT: {"schema": obj({"statusCode": s("integer"), "message": STR, "correlationId": STR})}}}
    return {
        "/{tenant}/oauth2/v2.0/authorize": {
            "get": {"operationId": "authorize", "tags": ["Identity"], "security": [], "parameters": [tenant, *query],
                    "summary": "Authorization code (+PKCE): the sign-in page, prefilled from login_hint.",
                    "responses": {"200": page, "302": back}},
            "post": {"operationId": "authorizeSignIn", "tags": ["Identity"], "security": [], "parameters": [tenant],
                     "summary": "The sign-in form: login and password plus the authorize parameters.",
                     "requestBody": {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": form}}},
                     "responses": {"200": page, "302": back}}},
        "/{tenant}/oauth2/v2.0/devicecode": {"post": {
            "operationId": "devicecode", "tags": ["Identity"], "security": [], "parameters": [tenant],
            "summary": "Start a device-code flow (user_code, device_code, verification_uri, expires_in 900, interval 5).",
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": obj(
                {"client_id": STR, "scope": STR}, required=["client_id", "scope"], additional=True)}}},
            "responses": {"200": {"description": "The codes.", "content": {JSON_CT: {"schema": obj({
                "user_code": STR, "device_code": STR, "verification_uri": STR, "expires_in": s("integer"),
                "interval": s("integer"), "message": STR})}}},
                "400": {"description": "Unknown client (AADSTS700016), missing parameter (900144).", **aad}}}},
        "/devicelogin": {
            "get": {"operationId": "deviceLogin", "tags": ["Identity"], "security": [],
                    "parameters": [{"name": "otc", "in": "query", "required": False, "schema": STR}],
                    "summary": "The device-login page: code, login, password.",
                    "responses": {"200": {"description": "The page.", "content": HTML}}},
            "post": {"operationId": "deviceLoginSignIn", "tags": ["Identity"], "security": [],
                     "summary": "Approve a device code by signing in.",
                     "requestBody": {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": form}}},
                     "responses": {"200": {"description": "Signed in, or the page again with the error.", "content": HTML}}}},
        "/common/userrealm/{username}": {"get": {
            "operationId": "userRealm", "tags": ["Identity"], "security": [],
            "parameters": [{"name": "username", "in": "path", "required": True, "schema": s("string", minLength=1)},
                           {"name": "api-version", "in": "query", "required": False, "schema": STR}],
            "summary": "MSAL's ROPC pre-flight: every account here is Managed.",
            "responses": {"200": {"description": "The realm.", "content": {JSON_CT: {"schema": obj({
                "ver": STR, "account_type": enum("Managed", "Unknown"), "domain_name": STR, "cloud_instance_name": STR,
                "cloud_audience_urn": STR})}}}}}},
        "/msi/token": {"get": {
            "operationId": "managedIdentityToken", "tags": ["Identity"], "security": [],
            "summary": "App Service managed-identity token (IDENTITY_ENDPOINT); X-IDENTITY-HEADER must be IDENTITY_HEADER.",
            "parameters": [
                {"name": "X-IDENTITY-HEADER", "in": "header", "required": True, "schema": STR},
                {"name": "api-version", "in": "query", "required": True, "schema": enum("2019-08-01")},
                {"name": "resource", "in": "query", "required": True, "schema": s("string", minLength=1)},
                *[{"name": n_, "in": "query", "required": False, "schema": STR}
                  for n_ in ("client_id", "principal_id", "object_id", "mi_res_id")]],
            "responses": {
                "200": {"description": "A token for the identity.", "content": {JSON_CT: {"schema": obj({
                    "access_token": STR, "expires_on": s("string", pattern="^[0-9]+$"), "resource": STR,
                    "token_type": enum("Bearer"), "client_id": STR})}}},
                "400": {"description": "No header, bad api-version, no resource, unknown identity or resource.", **msi_error},
                "401": {"description": "X-IDENTITY-HEADER is not IDENTITY_HEADER.", **msi_error}}}},
    }
# ---- end delegated branch ----


# ---- delegated branch: JSON batching (issue 18) ----
def batch_paths():
    """`POST /{v1.0|beta}/$batch`: up to 20 Graph requests in one body (reference part D)."""
    item = obj({"id": {"anyOf": [s("string", minLength=1), s("number")],
                       "description": "A string; a number is read as its text (the JS SDK sends strings)."},
                "method": s("string", pattern="^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", description=(
                    "Any HTTP method (an RFC 9110 token): one the item's resource does not take answers that item 405, as the same "
                    "request alone would.")),
                "url": s("string", minLength=1, description=(
                    "Relative (`/users`, `users?...`), version-prefixed (`/v1.0/users`) or absolute; resolved against "
                    "the batch's version.")),
                "headers": n(obj({}, required=[], additional={"type": "string"})),
                "body": {"description": "JSON value, or base64 for a non-JSON Content-Type."},
                "dependsOn": n(arr(s("string"))), "depends_on": n(arr(s("string")))},
               required=["id", "method", "url"], additional=True)
    answer = obj({"id": s("string"), "status": s("integer"),
                  "headers": obj({}, required=[], additional={"type": "string"}),
                  "body": {"description": "The item's JSON body (absent for an empty one)."}},
                 required=["id", "status", "headers"])
    paths = {}
    for version, tag in (("v1.0", "Graph v1.0"), ("beta", "Graph beta")):
        paths[f"/{version}/$batch"] = {"post": {
            "operationId": f"batch_{version.replace('.', '_')}", "tags": [tag],
            "summary": "JSON batch: items run in order through the same routing, permissions and throttle; an item "
                       "whose dependency failed answers 424; a throttled item 429 with Retry-After in its headers.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": obj(
                {"requests": arr(item, minItems=1, maxItems=20)}, additional=True,
                description="Other members are ignored (inferred: Graph reads only `requests`).")}}},
            "responses": {"200": {"description": "One answer per item, in request order.", "headers": graph_headers(),
                                  "content": {JSON_CT: {"schema": obj({"responses": arr(answer)})}}},
                          **error_refs(["400", "401"])}}}
    return paths
# ---- end delegated branch ----


# ---- arm branch: the Azure Activity Log (issue 16) ----
def arm_paths():
    """The Activity Log of a subscription and of the tenant (reference arm-and-routing.md part A1), and its injection."""
    loc = obj({"value": NSTR, "localizedValue": NSTR}, required=["value"])
    event = obj({
        "authorization": obj({"action": STR, "scope": STR}, required=[], additional=True),
        "caller": STR, "channels": STR, "claims": obj({}, required=[], additional={"type": "string"}),
        "correlationId": STR, "description": STR, "eventDataId": STR, "eventName": loc, "category": loc,
        "eventTimestamp": DT, "httpRequest": obj({}, required=[], additional=True), "id": STR,
        "level": enum("Critical", "Error", "Warning", "Informational", "Verbose"), "operationId": STR,
        "operationName": loc, "resourceGroupName": STR, "resourceProviderName": loc, "resourceType": loc,
        "resourceId": STR, "status": loc, "subStatus": loc, "submissionTimestamp": DT, "subscriptionId": STR,
        "tenantId": STR, "properties": obj({}, required=[], additional={"type": "string"}), "relatedEvents": arr({}),
    }, required=[], description="EventData; with $select only the selected properties.")
    SCHEMAS["armEventData"] = event
    SCHEMAS["armEventDataCollection"] = obj({"value": arr(ref("armEventData")), "nextLink": STR}, required=["value"])
    SCHEMAS["armFlatError"] = obj({"code": STR, "message": STR}, description="The Activity Log's own (flat) error.")
    SCHEMAS["armError"] = obj({"error": obj({"code": STR, "message": STR})}, description="ARM's error envelope.")
    flat = {"content": {JSON_CT: {"schema": {"anyOf": [ref("armFlatError"), ref("armError")]}}}}
    wrapped = {"content": {JSON_CT: {"schema": ref("armError")}}}
    budget = {"x-ms-ratelimit-remaining-subscription-reads": {"schema": s("string")},
              "x-ms-ratelimit-remaining-tenant-reads": {"schema": s("string")}}
    query = [
        {"name": "api-version", "in": "query", "required": True, "schema": s("string", enum=["2015-04-01"]),
         "description": "The Activity Log's only version; others answer 400 NoRegisteredProviderFound."},
        {"name": "$filter", "in": "query", "required": False, "schema": STR, "description": (
            "eventTimestamp ge '<start>' (required on the subscription log) [and eventTimestamp le '<end>'] [and one of "
            "resourceGroupName|resourceUri|resourceId|resourceProvider|correlationId eq '<v>'] [and caller|status|"
            "eventChannels|levels eq '<v>']; a start over 90 days back is refused."),
         "examples": {"day": {"value": "eventTimestamp ge '2026-05-31T12:00:00Z'"}}},
        {"name": "$select", "in": "query", "required": False, "schema": STR},
        {"name": "$skiptoken", "in": "query", "required": False, "schema": STR},
    ]

    def op(op_id, summary, params):
        return {"get": {"operationId": op_id, "tags": ["ARM"], "summary": summary, "parameters": params,
                        "responses": {"200": {"description": "A page of events, newest first (200 a page).", "headers": budget,
                                              "content": {JSON_CT: {"schema": ref("armEventDataCollection")}}},
                                      "400": {"description": "Bad api-version, $filter, $select or $skiptoken.", **flat},
                                      "401": {"description": "No, a bad, or a foreign-audience token.", **wrapped},
                                      "403": {"description": "AuthorizationFailed.", **wrapped},
                                      "404": {"description": "SubscriptionNotFound.", **wrapped},
                                      "429": {"description": "The ARM read budget is spent (Retry-After).", **wrapped}}}}

    sub = {"name": "subscriptionId", "in": "path", "required": True, "schema": STR}
    SCHEMAS["injectActivityLog"] = obj({
        "operationName": STR, "status": enum("Succeeded", "Failed"), "caller": STR, "resourceId": STR,
        "principalId": STR, "roleDefinitionId": STR, "scope": STR, "eventTimestamp": DT, "visibleAfter": STR,
        "tenantId": STR}, required=["operationName"])
    return {
        # S1 (the newest spec) makes $filter required on the subscription log; S2 leaves it optional on the tenant's.
        "/subscriptions/{subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values": op(
            "activityLogs_List", "The subscription's Activity Log.",
            [sub, *[{**q, "required": True} if q["name"] == "$filter" else q for q in query]]),
        "/providers/Microsoft.Insights/eventtypes/management/values": op(
            "tenantActivityLogs_List", "The tenant-level Activity Log (tenant-level events only).", query),
        "/_entrasim/activityLog": {"post": {
            "operationId": "injectActivityLog", "tags": ["Control"], "security": [],
            "summary": "Inject one ARM operation (its Started and end events) on a user-assigned identity or a role assignment.",
            "requestBody": {"required": True, "content": {JSON_CT: {"schema": ref("injectActivityLog")}}},
            "responses": {"201": {"description": "The two stored events.",
                                  "content": {JSON_CT: {"schema": ref("armEventDataCollection")}}},
                          "400": {"$ref": "#/components/responses/Error400"}}}},
    }
# ---- end arm branch ----


# ---- armspec: the rest of the ARM surface (issue 16; src/arm/http.rs, src/arm/query.rs) ----
def arm_versions(name):
    """An api-version list of src/arm/query.rs (`pub const NAME: &[&str] = &[...]`), so the spec accepts what the server does."""
    text = (ROOT / "src" / "arm" / "query.rs").read_text()
    start = text.index(f"pub const {name}: &[&str] = &[")
    body = text[start:text.index("];", start)].split("&[", 1)[1]
    return [line.strip().strip(",").strip('"') for line in body.splitlines() if line.strip().startswith('"')]


def arm_resource_paths():
    """Tenants, subscriptions, resource groups, user-assigned and system-assigned identities, any identity-bearing
    resource, role assignments and role definitions, and /metadata/endpoints, as src/arm/http.rs writes them."""
    wrapped = {"content": {JSON_CT: {"schema": ref("armError")}}}
    budget = {"x-ms-ratelimit-remaining-subscription-reads": {"schema": s("string")},
              "x-ms-ratelimit-remaining-tenant-reads": {"schema": s("string")}}
    props_id = obj({"tenantId": STR, "principalId": STR, "clientId": STR})
    SCHEMAS["armTenant"] = obj({"id": STR, "tenantId": STR, "tenantCategory": STR, "displayName": STR,
                                "domains": arr(STR), "defaultDomain": STR, "tenantType": STR})
    SCHEMAS["armSubscription"] = obj({
        "id": STR, "authorizationSource": STR, "managedByTenants": arr(obj({}, required=[], additional=True)),
        "subscriptionId": STR, "tenantId": STR, "displayName": STR, "state": enum("Enabled"),
        "subscriptionPolicies": obj({"locationPlacementId": STR, "quotaId": STR, "spendingLimit": STR})})
    SCHEMAS["armResourceGroup"] = obj({"id": STR, "name": STR, "type": s("string", enum=["Microsoft.Resources/resourceGroups"]),
                                       "location": STR, "properties": obj({"provisioningState": STR})})
    SCHEMAS["armUserAssignedIdentity"] = obj({
        "id": STR, "name": STR, "type": s("string", enum=["Microsoft.ManagedIdentity/userAssignedIdentities"]),
        "location": STR, "tags": obj({}, required=[], additional={"type": "string"}), "properties": props_id})
    SCHEMAS["armSystemAssignedIdentity"] = obj({
        "id": STR, "name": s("string", enum=["default"]), "type": s("string", enum=["Microsoft.ManagedIdentity/identities"]),
        "location": STR, "properties": props_id})
    identity = obj({"type": enum("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"), "principalId": STR,
                    "tenantId": STR, "userAssignedIdentities": obj(
                        {}, required=[], additional=obj({"principalId": STR, "clientId": STR}))}, required=["type"])
    SCHEMAS["armResource"] = {"anyOf": [ref("armUserAssignedIdentity"), obj({
        "id": STR, "name": STR, "type": STR, "location": STR, "identity": identity,
        "properties": obj({"provisioningState": STR})}, required=["id", "name", "type", "location", "properties"])]}
    SCHEMAS["armRoleAssignment"] = obj({"properties": obj({
        "roleDefinitionId": STR, "principalId": STR, "principalType": STR, "scope": STR, "condition": NSTR,
        "conditionVersion": NSTR, "createdOn": DT, "updatedOn": DT, "createdBy": NSTR, "updatedBy": NSTR,
        "delegatedManagedIdentityResourceId": NSTR, "description": NSTR}),
        "id": STR, "type": s("string", enum=["Microsoft.Authorization/roleAssignments"]), "name": STR})
    SCHEMAS["armRoleDefinition"] = obj({"properties": obj({
        "roleName": STR, "type": enum("BuiltInRole"), "description": STR, "assignableScopes": arr(STR),
        "permissions": arr(obj({"actions": arr(STR), "notActions": arr(STR), "dataActions": arr(STR),
                                "notDataActions": arr(STR)}))}),
        "id": STR, "type": s("string", enum=["Microsoft.Authorization/roleDefinitions"]), "name": STR})

    def listing(item, counted=False):
        props = {"value": arr(ref(item)), "nextLink": STR}
        if counted:
            props["count"] = obj({"type": STR, "value": s("integer", minimum=0)})
        return obj(props, required=["value"])

    def version(const, note):
        return {"name": "api-version", "in": "query", "required": True,
                "schema": s("string", enum=arm_versions(const)), "description": note}
    resources = version("RESOURCES_VERSIONS", "Microsoft.Resources' versions; another answers 400 InvalidApiVersionParameter.")
    msi = version("MSI_VERSIONS", "Microsoft.ManagedIdentity's versions; another answers 400 NoRegisteredProviderFound.")
    authz = version("AUTHORIZATION_VERSIONS", "Microsoft.Authorization's versions; another answers 400 NoRegisteredProviderFound.")
    any_date = {"name": "api-version", "in": "query", "required": True,
                "schema": s("string", pattern=r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(-preview|-PREVIEW)?$"),
                "description": "Any well-formed version (a user-assigned identity's path takes Microsoft.ManagedIdentity's)."}
    path = lambda name: {"name": name, "in": "path", "required": True, "schema": STR}  # noqa: E731
    sub, rg = path("subscriptionId"), path("resourceGroupName")

    def op(op_id, summary, params, body, item_errors="", extra=None):
        responses = {"200": {"description": "OK", "headers": budget, "content": {JSON_CT: {"schema": body}}},
                     "400": {"description": "Missing or unknown api-version" + extra_400.get(op_id, "") + ".", **wrapped},
                     "401": {"description": "No, a bad, or a foreign-audience token.", **wrapped},
                     "403": {"description": "AuthorizationFailed: no role granting the read at the scope.", **wrapped},
                     "404": {"description": "SubscriptionNotFound, ResourceGroupNotFound, ResourceNotFound, NoRegisteredProviderFound"
                                            + item_errors + ".", **wrapped},
                     "405": {"description": "Only GET and HEAD.", **wrapped},
                     "429": {"description": "The ARM read budget is spent (Retry-After).", **wrapped}}
        return {"get": {"operationId": op_id, "tags": ["ARM"], "summary": summary, "parameters": params,
                        "responses": responses, **(extra or {})}}
    extra_400 = {"roleAssignments_ListForSubscription": ", or a $filter ARM does not take",
                 "roleAssignments_ListForResourceGroup": ", or a $filter ARM does not take"}
    flt = {"name": "$filter", "in": "query", "required": False, "schema": STR,
           "description": "atScope(), principalId eq '<id>', assignedTo('<id>') or atScope() and assignedTo('<id>').",
           "examples": {"atScope": {"value": "atScope()"}}}
    rgp = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    generic = [sub, rg, path("resourceProviderNamespace"), path("resourceType"), path("resourceName")]
    generic_path = rgp + "/providers/{resourceProviderNamespace}/{resourceType}/{resourceName}"
    cloud = obj({}, required=[], additional=True)
    return {
        "/metadata/endpoints": op("metadata_Get", "The cloud's endpoints (anonymous); a list for 2019-10-01 and 2020-06-01.",
                                  [version("METADATA_VERSIONS", "Another answers 400 InvalidApiVersionParameter.")],
                                  {"anyOf": [cloud, arr(cloud)]}, extra={"security": []}),
        "/tenants": op("tenants_List", "The caller's tenant.", [resources], listing("armTenant", True)),
        "/subscriptions": op("subscriptions_List", "The subscriptions the caller can read.", [resources],
                             listing("armSubscription", True)),
        "/subscriptions/{subscriptionId}": op("subscriptions_Get", "One subscription.", [sub, resources],
                                              ref("armSubscription")),
        "/subscriptions/{subscriptionId}/resourceGroups": op("resourceGroups_List", "The subscription's resource groups.",
                                                             [sub, resources], listing("armResourceGroup")),
        rgp: op("resourceGroups_Get", "One resource group.", [sub, rg, resources], ref("armResourceGroup")),
        "/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities": op(
            "userAssignedIdentities_ListBySubscription", "The subscription's user-assigned identities (deleted ones gone).",
            [sub, msi], listing("armUserAssignedIdentity")),
        rgp + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities": op(
            "userAssignedIdentities_ListByResourceGroup", "A resource group's user-assigned identities.",
            [sub, rg, msi], listing("armUserAssignedIdentity")),
        rgp + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}": op(
            "userAssignedIdentities_Get", "One user-assigned identity.", [sub, rg, path("resourceName"), msi],
            ref("armUserAssignedIdentity")),
        generic_path: op("resources_Get", "Any resource by id: a user-assigned identity, or a resource carrying identities "
                                          "(its `identity` block).", [*generic, any_date], ref("armResource")),
        generic_path + "/providers/Microsoft.ManagedIdentity/identities/default": op(
            "systemAssignedIdentities_GetByScope", "A resource's system-assigned identity.", [*generic, msi],
            ref("armSystemAssignedIdentity")),
        "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleAssignments": op(
            "roleAssignments_ListForSubscription", "Role assignments at, above and below the subscription (or filtered).",
            [sub, authz, flt], listing("armRoleAssignment")),
        rgp + "/providers/Microsoft.Authorization/roleAssignments": op(
            "roleAssignments_ListForResourceGroup", "Role assignments at, above and below the group (or filtered).",
            [sub, rg, authz, flt], listing("armRoleAssignment")),
        "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}": op(
            "roleAssignments_Get", "One role assignment at the subscription scope.",
            [sub, path("roleAssignmentName"), authz], ref("armRoleAssignment"), ", RoleAssignmentNotFound"),
        "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions": op(
            "roleDefinitions_List", "The built-in role definitions.", [sub, authz], listing("armRoleDefinition")),
        "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}": op(
            "roleDefinitions_Get", "One built-in role definition.", [sub, path("roleDefinitionId"), authz],
            ref("armRoleDefinition"), ", RoleDefinitionDoesNotExist"),
    }
# ---- end armspec ----


# ---- routing branch: diagnostic settings for microsoft.aadiam (issue 19) ----
def routing_paths():
    """`/providers/microsoft.aadiam/diagnosticSettings` (reference arm-and-routing.md B1.2, S21)."""
    retention = obj({"enabled": s("boolean"), "days": s("integer", minimum=0)}, required=[])
    log = obj({"category": s("string", description="A category of reference B1.1 (any case)."), "enabled": s("boolean"),
               "retentionPolicy": retention}, required=["category", "enabled"])
    props = obj({"storageAccountId": NSTR, "serviceBusRuleId": NSTR, "workspaceId": NSTR,
                 "eventHubAuthorizationRuleId": NSTR, "eventHubName": NSTR, "logs": arr(log)}, required=[])
    SCHEMAS["diagnosticSetting"] = obj({"id": STR, "type": STR, "name": STR, "properties": props},
                                       required=["id", "type", "name", "properties"])
    SCHEMAS["diagnosticSettingBody"] = obj({"properties": props}, required=["properties"], additional=True)
    category = obj({"id": STR, "name": STR, "type": STR, "properties": obj({"categoryType": enum("Logs")})})
    wrapped = {"content": {JSON_CT: {"schema": ref("armError")}}}
    version = {"name": "api-version", "in": "query", "required": True,
               "schema": s("string", enum=["2017-04-01", "2017-04-01-preview"])}
    name = {"name": "name", "in": "path", "required": True, "schema": STR}
    errors = {"400": {"description": "Missing or unknown api-version.", **wrapped},
              "401": {"description": "No, a bad, or a foreign-audience token.", **wrapped}}

    def op(op_id, summary, params, responses, body=None):
        out = {"operationId": op_id, "tags": ["ARM"], "summary": summary, "parameters": params,
               "responses": {**responses, **errors}}
        if body:
            out["requestBody"] = {"required": True, "content": {JSON_CT: {"schema": ref(body)}}}
        return out

    one = {"content": {JSON_CT: {"schema": ref("diagnosticSetting")}}}
    return {
        "/providers/microsoft.aadiam/diagnosticSettings": {"get": op(
            "diagnosticSettings_List", "The tenant's diagnostic settings.", [version],
            {"200": {"description": "Every setting.", "content": {JSON_CT: {"schema": obj({"value": arr(ref("diagnosticSetting"))})}}}})},
        "/providers/microsoft.aadiam/diagnosticSettings/{name}": {
            "get": op("diagnosticSettings_Get", "One setting.", [name, version],
                      {"200": {"description": "The setting.", **one},
                       "404": {"description": "No such setting (ResourceNotFound).", **wrapped}}),
            "put": op("diagnosticSettings_CreateOrUpdate", "Create or replace a setting; delivery starts with records visible from now.",
                      [name, version], {"200": {"description": "The stored setting.", **one},
                                        "400": {"description": "Unknown category (BadRequest), a body that is not JSON "
                                                               "(InvalidRequestContent), no destination, a sixth setting.", **wrapped}},
                      body="diagnosticSettingBody"),
            "delete": op("diagnosticSettings_Delete", "Remove a setting.", [name, version],
                         {"200": {"description": "Removed."}, "204": {"description": "There was no such setting."}}),
        },
        "/providers/microsoft.aadiam/diagnosticSettingsCategories": {"get": op(
            "diagnosticSettingsCategories_List", "The categories a setting may name.", [version],
            {"200": {"description": "The categories of reference B1.1.", "content": {JSON_CT: {"schema": obj({"value": arr(category)})}}}})},
    }
# ---- end routing branch ----
# ---------------------------------------------------------------- Identity Protection and reports

LOCATION = nobj({"city": NSTR, "state": NSTR, "countryOrRegion": NSTR,
                 "geoCoordinates": nobj({"altitude": n(s("number")), "latitude": n(s("number")),
                                         "longitude": n(s("number"))})})
RISK_DETECTION = {
    "id": s("string", pattern="^[0-9a-f]{64}$"), "requestId": NSTR, "correlationId": NSTR, "riskEventType": STR,
    "riskState": E("riskState"), "riskLevel": E("riskLevel"), "riskDetail": E("riskDetail"), "source": STR,
    "detectionTimingType": enum("notDefined", "realtime", "nearRealtime", "offline", "unknownFutureValue"),
    "activity": enum("signin", "user", "unknownFutureValue", "servicePrincipal"), "tokenIssuerType": E("tokenIssuerType"),
    "ipAddress": NSTR, "location": LOCATION, "activityDateTime": DT, "detectedDateTime": DT, "lastUpdatedDateTime": DT,
    "additionalInfo": STR,
}
SCHEMAS["riskDetection"] = obj({**RISK_DETECTION, "userId": STR, "userDisplayName": NSTR, "userPrincipalName": NSTR,
                                "riskType": STR, "mitreTechniqueId": NSTR},
                               required=list(RISK_DETECTION) + ["userId"])
SCHEMAS["servicePrincipalRiskDetection"] = obj({**RISK_DETECTION, "servicePrincipalId": STR,
                                                "servicePrincipalDisplayName": STR, "appId": STR, "keyIds": arr(STR),
                                                "mitreTechniqueId": NSTR},
                                               required=list(RISK_DETECTION) + ["servicePrincipalId", "appId", "keyIds"])
RISKY_USER = {"id": UUID, "isDeleted": BOOL, "isProcessing": BOOL, "riskLevel": E("riskLevel"), "riskState": E("riskState"),
              "riskDetail": E("riskDetail"), "riskLastUpdatedDateTime": DT, "userDisplayName": STR, "userPrincipalName": STR}
RISK_ACTIVITY = obj({"riskEventTypes": arr(STR), "detail": E("riskDetail")})
SCHEMAS["riskyUser"] = obj(RISKY_USER)
SCHEMAS["riskyUserHistoryItem"] = obj({**RISKY_USER, "id": STR, "@odata.type": STR, "userId": UUID, "initiatedBy": NSTR,
                                       "activity": RISK_ACTIVITY})
RISKY_SP = {"id": UUID, "appId": STR, "displayName": STR, "isEnabled": BOOL, "isProcessing": BOOL,
            "riskLastUpdatedDateTime": DT, "riskLevel": E("riskLevel"), "riskState": E("riskState"),
            "riskDetail": E("riskDetail"), "servicePrincipalType": enum("Application", "ManagedIdentity", "socialIdp")}
SCHEMAS["riskyServicePrincipal"] = obj(RISKY_SP)
SCHEMAS["riskyServicePrincipalHistoryItem"] = obj({**RISKY_SP, "id": STR, "@odata.type": STR, "initiatedBy": NSTR,
                                                   "activity": RISK_ACTIVITY})
SIGN_IN_ACTIVITY = nobj({"lastSignInDateTime": DT, "lastSignInRequestId": UUID})
SCHEMAS["applicationSignInSummary"] = obj({"@odata.type": STR, "id": STR, "appDisplayName": STR,
                                           "successfulSignInCount": s("integer", minimum=0),
                                           "failedSignInCount": s("integer", minimum=0),
                                           "successPercentage": s("number", minimum=0, maximum=100)})
SCHEMAS["servicePrincipalSignInActivity"] = obj({"id": STR, "appId": STR, **{k: SIGN_IN_ACTIVITY for k in [
    "applicationAuthenticationClientSignInActivity", "applicationAuthenticationResourceSignInActivity",
    "delegatedClientSignInActivity", "delegatedResourceSignInActivity", "lastSignInActivity"]}})
SCHEMAS["appCredentialSignInActivity"] = obj({
    "id": STR, "keyId": STR, "keyType": enum("clientSecret", "certificate", "unknownFutureValue"),
    "keyUsage": enum("sign", "verify", "unknownFutureValue"),
    "credentialOrigin": enum("application", "servicePrincipal", "unknownFutureValue"), "appId": STR, "appObjectId": STR,
    "servicePrincipalObjectId": STR, "createdDateTime": DT, "expirationDateTime": DT, "resourceId": NSTR,
    "signInActivity": SIGN_IN_ACTIVITY})
SCHEMAS["userRegistrationDetails"] = obj({
    "id": UUID, "userPrincipalName": STR, "userDisplayName": STR, "userType": E("signInUserType"), "isAdmin": NBOOL,
    "isSsprRegistered": BOOL, "isSsprEnabled": BOOL, "isSsprCapable": BOOL, "isMfaRegistered": BOOL, "isMfaCapable": BOOL,
    "isPasswordlessCapable": BOOL, "methodsRegistered": arr(STR), "isSystemPreferredAuthenticationMethodEnabled": BOOL,
    "systemPreferredAuthenticationMethods": arr(STR),
    "userPreferredMethodForSecondaryAuthentication": enum("push", "oath", "voiceMobile", "voiceAlternateMobile", "voiceOffice",
                                                          "sms", "none", "unknownFutureValue"),
    "lastUpdatedDateTime": DT, "defaultMfaMethod": STR}, required=["id", "userPrincipalName", "methodsRegistered"])
SCHEMAS["userSignInUsageByAuthMethodActivity"] = obj({"@odata.type": STR, "authenticationMethod": STR,
                                                      "successActivityCount": s("integer", minimum=0)})
SCHEMAS["userMfaSignInSummary"] = obj({"@odata.type": STR, "id": STR, "createdDateTime": DT,
                                       "totalSignIns": s("integer", minimum=0), "singleFactorSignIns": s("integer", minimum=0),
                                       "multiFactorSignIns": s("integer", minimum=0)})
SCHEMAS["userRegistrationSummary"] = obj({
    "@odata.context": STR, "@odata.type": STR, "totalUserCount": s("integer", minimum=0),
    "userTypes": enum("all", "member", "guest"), "userRoles": enum("all", "privilegedAdmin", "admin", "user"),
    "userRegistrationMethodCounts": arr(obj({"authenticationMethod": STR, "userCount": s("integer", minimum=0)})),
    "userRegistrationFeatureCounts": arr(obj({"feature": STR, "userCount": s("integer", minimum=0)}))},
    required=["@odata.context", "totalUserCount", "userTypes", "userRoles"])


def json_list_params(maximum, default, orderby=()):
    params = [param("$filter", s("string", minLength=1), "OData filter on the collection's properties."),
              top_param(maximum, default), {"$ref": "#/components/parameters/skiptoken"}]
    if orderby:
        params.append(param("$orderby", enum(*[f"{p}{d}" for p in orderby for d in ("", " asc", " desc")]),
                            "Sort by one property."))
    return params


def get_op(op_id, tag, summary, params, response):
    return {"get": {"operationId": op_id, "tags": [tag], "summary": summary, "parameters": params,
                    "security": [{"bearer": []}], "responses": {"200": response, **error_refs()}}}


def protection_paths():
    """/identityProtection: reads and the dismiss / confirm actions (204)."""
    paths = {}
    collections = {
        "riskDetections": "riskDetection", "riskyUsers": "riskyUser", "riskyServicePrincipals": "riskyServicePrincipal",
        "servicePrincipalRiskDetections": "servicePrincipalRiskDetection",
    }
    id_param = {"name": "id", "in": "path", "required": True, "schema": STR, "description": "The object's id."}
    for version in VERSIONS:
        v = version.replace(".", "")
        tag = f"Graph {version}"
        for name, schema in collections.items():
            base = f"/{version}/identityProtection/{name}"
            params = json_list_params(500, 20)
            if name == "riskyServicePrincipals":
                params.append({"$ref": "#/components/parameters/count"})
            paths[base] = get_op(f"list_{v}_{name}", tag, f"List {name} ({version}); 1 request per second per tenant",
                                 params, collection_response(schema, None, name, f"A page of {name}."))
            paths[base + "/{id}"] = get_op(f"get_{v}_{name}", tag, f"Get one of {name} ({version})", [id_param],
                                           entity_response(schema, name, "The object."))
        for name, item in [("riskyUsers", "riskyUserHistoryItem"), ("riskyServicePrincipals", "riskyServicePrincipalHistoryItem")]:
            owner = {"name": "ownerId", "in": "path", "required": True, "schema": STR,
                     "description": "The risky user's or service principal's id."}
            paths[f"/{version}/identityProtection/{name}/{{ownerId}}/history"] = get_op(
                f"history_{v}_{name}", tag, f"History of one of {name} ({version})",
                [owner] + json_list_params(500, 20), collection_response(item, None, name, "A page of history items."))
        actions = [("riskyUsers", a, "userIds") for a in ("dismiss", "confirmCompromised", "confirmSafe")]
        actions += [("riskyServicePrincipals", a, "servicePrincipalIds") for a in ("dismiss", "confirmCompromised")]
        for name, action, field in actions:
            paths[f"/{version}/identityProtection/{name}/{action}"] = {"post": {
                "operationId": f"{action}_{v}_{name}", "tags": [tag], "summary": f"{action} {name} ({version})",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {JSON_CT: {"schema": obj(
                    {field: arr(STR, minItems=1, **({"maxItems": 60} if field == "servicePrincipalIds" else {}))})}}},
                "responses": {"204": {"description": "Done (unknown ids are ignored)."},
                              **error_refs(["400", "401", "403", "429", "500", "503", "504"])},
            }}
    SCHEMAS["injectRiskDetection"] = obj({
        "riskEventType": enum(
            "riskyIPAddress", "generic", "adminConfirmedUserCompromised", "anomalousToken", "anonymizedIPAddress",
            "unlikelyTravel", "mcasImpossibleTravel", "maliciousIPAddress", "mcasFinSuspiciousFileAccess",
            "investigationsThreatIntelligence", "newCountry", "passwordSpray", "suspiciousBrowser",
            "suspiciousInboxForwarding", "mcasSuspiciousInboxManipulationRules", "tokenIssuerAnomaly",
            "unfamiliarFeatures", "nationStateIP", "anomalousUserActivity", "attackerinTheMiddle",
            "leakedCredentials", "attemptedPrtAccess", "suspiciousAPITraffic", "suspiciousSendingPatterns",
            "userReportedSuspiciousActivity"),
        "riskLevel": enum("low", "medium", "high"), "detectionTimingType": enum("realtime", "offline"),
        "requestId": STR, "userId": STR, "userPrincipalName": STR, "detectedDateTime": DT,
        "visibleAfter": STR, "tenantId": STR}, required=["riskEventType"])
    paths["/_entrasim/riskDetections"] = {"post": {
        "operationId": "injectRiskDetection", "tags": ["Control"], "security": [],
        "summary": "Inject one user risk detection: real-time ones are carried by the sign-in (requestId) they name; "
                   "the user's risk and later sign-ins follow.",
        "requestBody": {"required": True, "content": {JSON_CT: {"schema": ref("injectRiskDetection")}}},
        "responses": {"201": {"description": "The detection as riskDetections serves it.",
                              "content": {JSON_CT: {"schema": ref("riskDetection")}}},
                      "400": {"$ref": "#/components/responses/Error400"}}}}
    return paths


def reports_paths():
    """/reports: Usage & insights and authentication-methods reports (several beta only or delegated only)."""
    paths = {}
    rm = "/reports/authenticationMethods"
    for version in VERSIONS:
        v = version.replace(".", "")
        tag = f"Graph {version}"
        paths[f"/{version}{rm}/userRegistrationDetails"] = get_op(
            f"list_{v}_userRegistrationDetails", tag, f"User registration details ({version})",
            json_list_params(1000, 100, ("userDisplayName", "userPrincipalName")),
            collection_response("userRegistrationDetails", None, "reports/authenticationMethods/userRegistrationDetails",
                                "A page of users."))
        for fn in ("usersRegisteredByMethod", "usersRegisteredByFeature"):
            paths[f"/{version}{rm}/{fn}()"] = get_op(
                f"{fn}_{v}", tag, f"{fn} ({version}); delegated tokens only: an app-only token answers 403", [],
                {"description": "Counts.", "content": {JSON_CT: {"schema": ref("userRegistrationSummary")}}})
    paths["/beta/reports/getAzureADApplicationSignInSummary(period='{period}')"] = get_op(
        "list_beta_getAzureADApplicationSignInSummary", "Graph beta", "Interactive sign-ins per app over D7 or D30",
        [{"name": "period", "in": "path", "required": True, "schema": enum("D7", "D30"), "description": "D7 or D30."}],
        collection_response("applicationSignInSummary", None, "Collection\\(applicationSignInSummary\\)", "One row per app."))
    paths["/beta/reports/servicePrincipalSignInActivities"] = get_op(
        "list_beta_servicePrincipalSignInActivities", "Graph beta", "Last sign-in of each app as client and resource",
        json_list_params(1000, 100, ("appId", "lastSignInActivity/lastSignInDateTime")),
        collection_response("servicePrincipalSignInActivity", None, "reports/servicePrincipalSignInActivities", "A page."))
    paths["/beta/reports/appCredentialSignInActivities"] = get_op(
        "list_beta_appCredentialSignInActivities", "Graph beta", "Last sign-in with each application credential",
        json_list_params(1000, 100, ("appId", "keyId", "signInActivity/lastSignInDateTime")),
        collection_response("appCredentialSignInActivity", None, "reports/appCredentialSignInActivities", "A page."))
    paths["/beta/reports/applicationSignInDetailedSummary"] = get_op(
        "list_beta_applicationSignInDetailedSummary", "Graph beta",
        "Sign-ins per app, day and error code; delegated tokens only: an app-only token answers 403", [],
        {"description": "A page.", "content": {JSON_CT: {"schema": {"type": "object"}}}})
    paths[f"/beta{rm}/userSignInsByAuthMethodSummary(period='{{period}}')"] = get_op(
        "list_beta_userSignInsByAuthMethodSummary", "Graph beta", "Successful sign-ins per authentication method",
        [{"name": "period", "in": "path", "required": True, "schema": enum("d1", "d7", "d30"), "description": "d1, d7 or d30."}],
        collection_response("userSignInUsageByAuthMethodActivity", None, "Collection\\(userSignInUsageByAuthMethodActivity\\)",
                            "One row per method."))
    paths[f"/beta{rm}/userMfaSignInSummary"] = get_op(
        "list_beta_userMfaSignInSummary", "Graph beta", "Interactive sign-ins per day, single- and multi-factor",
        json_list_params(1000, 100),
        collection_response("userMfaSignInSummary", None, "reports/authenticationMethods/userMfaSignInSummary", "A page."))
    return paths


def spec():
    paths = {}
    paths.update(build_graph_paths())
    paths.update(identity_paths())
    paths.update(control_paths())
    paths.update(batch_paths())
    paths.update(user_flow_paths())
    paths.update(arm_paths())
    paths.update(arm_resource_paths())
    paths.update(routing_paths())
    paths.update(protection_paths())
    paths.update(reports_paths())
    paths["/openapi.yaml"] = {"get": {"operationId": "openapi", "tags": ["Control"], "summary": "This document.", "security": [],
                                      "responses": {"200": {"description": "OpenAPI document",
                                                            "content": {"application/yaml": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "entrasim",
            "version": "0.1.0",
            "description": (
                "Local emulator of Microsoft Graph's Entra activity-log API. Three surfaces: the Graph surface under /v1.0 and "
                "/beta (audit logs plus the read-only directory they refer to), the identity surface (client-credentials tokens, "
                "OpenID discovery, JWKS) and the control surface under /_entrasim for tests.\n\n"
                "GENERATED by tests/clients/tools/gen_openapi.py: edit that file and regenerate."),
        },
        "servers": [{"url": "http://127.0.0.1:8400"}],
        "tags": [{"name": t} for t in ["Graph v1.0", "Graph beta", "Directory v1.0", "Directory beta", "Identity", "Control"]],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMS,
            "responses": RESPONSES,
            "headers": HEADERS,
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "An access token for https://graph.microsoft.com from /{tenant}/oauth2/v2.0/token (client "
                               "credentials). With --auth lenient (the default) a request without a token acts as the tenant's "
                               "first test client; with --auth off tokens are ignored. A token whose audience is not Graph "
                               "answers 401 unless the server runs with --accept-local-audience (which also takes its own "
                               "address)."}},
        },
    }


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def render(doc=None):
    return yaml.dump(doc or spec(), Dumper=Dumper, sort_keys=False, width=120, allow_unicode=True)


def main(argv):
    text = render()
    if argv == ["--check"]:
        if OUT.read_text() != text:
            print(f"{OUT.name} is stale: run `python3 {pathlib.Path(__file__).relative_to(ROOT)}` and commit it", file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: gen_openapi.py [--check]", file=sys.stderr)
        return 2
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A later workflow step, as the GitHub Action's users write one: it knows nothing but the environment
action/start.sh exported (ENTRASIM_HTTPS_URL, ENTRASIM_TENANT_ID, ENTRASIM_CLIENT_ID/SECRET, and the CA in
SSL_CERT_FILE / REQUESTS_CA_BUNDLE). azure-identity gets a token from entrasim's authority and msgraph-sdk
reads sign-ins over HTTPS; prints the ids of the first page, one per line. test_action.py runs it."""

import asyncio
import os

from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.audit_logs.sign_ins.sign_ins_request_builder import SignInsRequestBuilder

base = os.environ["ENTRASIM_HTTPS_URL"]
credential = ClientSecretCredential(os.environ["ENTRASIM_TENANT_ID"], os.environ["ENTRASIM_CLIENT_ID"],
                                    os.environ["ENTRASIM_CLIENT_SECRET"], authority=base,
                                    disable_instance_discovery=True)
client = GraphServiceClient(credentials=credential, scopes=["https://graph.microsoft.com/.default"])
client.request_adapter.base_url = base + "/v1.0"
query = SignInsRequestBuilder.SignInsRequestBuilderGetQueryParameters(top=5)
page = asyncio.run(client.audit_logs.sign_ins.get(request_configuration=RequestConfiguration(query_parameters=query)))
for item in page.value:
    print(item.id)

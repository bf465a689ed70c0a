"""Walking a collection through a Graph SDK: typed items through msgraph-core's PageIterator, and the raw
JSON of every page through the SDK's own request adapter (its middleware: auth, retry, redirect)."""

import json
from urllib.parse import quote

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core.tasks.page_iterator import PageIterator


async def iterate(page, adapter, limit=None):
    """Every item from `page` on, typed (the first `limit` when given: kiota's model parsing is slow, so
    long walks compare their raw JSON whole and parse only the first pages)."""
    items = []

    def keep(item):
        items.append(item)
        return limit is None or len(items) < limit  # PageIterator stops unless the callback returns True

    await PageIterator(page, adapter).iterate(keep)
    return items


async def raw_walk(adapter, url):
    """Every record of every page from `url`, as raw dicts, and the number of pages."""
    records, pages = [], 0
    while url:
        info = RequestInformation(Method.GET, url)
        info.headers.try_add("Accept", "application/json")
        body = await adapter.send_primitive_async(info, "bytes", {"4XX": ODataError, "5XX": ODataError})
        page = json.loads(body)
        records.extend(page["value"])
        pages += 1
        url = page.get("@odata.nextLink")
    return records, pages


def query_url(base, path, **options):
    """`base + path` with OData options (`filter=` becomes `$filter=`), percent-encoded as kiota does."""
    return base + path + "?" + "&".join(f"${k}={quote(str(v), safe='')}" for k, v in options.items())


def event_type_filter(kind, since):
    return f"signInEventTypes/any(t: t eq '{kind}') and createdDateTime ge {since}"


def beta_sign_ins(generated, kind, since):
    """The generated beta sign-ins of one event type since `since`, in served order."""
    return [r for r in generated["beta"]["signIns"] if kind in r["signInEventTypes"] and r["createdDateTime"] >= since]


async def raw_entity(adapter, url):
    """One entity's raw JSON, fetched through the SDK's adapter."""
    info = RequestInformation(Method.GET, url)
    info.headers.try_add("Accept", "application/json")
    return json.loads(await adapter.send_primitive_async(info, "bytes", {"4XX": ODataError, "5XX": ODataError}))

"""Walks entrasim's sign-ins page by page, then asks Prometheus (scraping entrasim) for the request
counter of that route until a scrape newer than the walk has landed: the sum must equal the walk's
request count. Usage: prometheus_walk.py ENTRASIM_URL PROMETHEUS_URL (tests/clients/prometheus.sh)."""

import sys
import time

import requests

ENTRASIM, PROMETHEUS = sys.argv[1], sys.argv[2]
QUERY = 'sum(entrasim_http_requests_total{job="entrasim",route="/{version}/auditLogs/signIns",version="v1.0"})'


def walk():
    url, requests_made, records = f"{ENTRASIM}/v1.0/auditLogs/signIns?$top=200", 0, 0
    while url:
        page = requests.get(url, timeout=30)
        page.raise_for_status()
        requests_made += 1
        body = page.json()
        records += len(body["value"])
        url = body.get("@odata.nextLink")
    return requests_made, records


def query(expr):
    answer = requests.get(f"{PROMETHEUS}/api/v1/query", params={"query": expr}, timeout=10)
    answer.raise_for_status()
    return answer.json()["data"]["result"]


def scraped_after(moment):
    """The counter's value from a scrape that started after `moment` (Unix seconds), or None."""
    result = query(f"timestamp({QUERY.replace('sum(', 'max(', 1)})")
    if not result or float(result[0]["value"][1]) <= moment:
        return None
    return float(query(QUERY)[0]["value"][1])


def main():
    deadline = time.time() + 30
    while not query('up{job="entrasim"} == 1'):  # Prometheus is up and has scraped entrasim once
        if time.time() > deadline:
            sys.exit("Prometheus never scraped entrasim")
        time.sleep(0.5)
    made, records = walk()
    finished = time.time()
    value = None
    while value is None and time.time() < deadline + 30:
        time.sleep(0.5)
        value = scraped_after(finished)
    print(f"walk: {made} requests, {records} sign-ins; Prometheus: {QUERY} = {value}")
    if value != made:
        sys.exit(f"Prometheus counted {value} requests, the walk made {made}")


try:
    main()
except requests.RequestException as e:
    sys.exit(f"prometheus_walk: {e}")

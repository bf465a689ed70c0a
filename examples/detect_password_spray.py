"""A small password-spray detector, graded against entrasim's answer key.

Reads failed sign-ins (errorCode 50126, wrong password) from the Graph API,
flags every address from which at least MIN_USERS distinct users failed within
one hour, and compares the flagged sign-ins with the key of the placed
`password-spray` scenario: precision and recall are printed.

    python3 examples/detect_password_spray.py http://127.0.0.1:8400 [--since 2026-05-31T12:00:00Z]

Standard library only; the server runs with `--auth lenient` (the default), so no token is sent.
"""

import argparse
import collections
import datetime
import json
import urllib.parse
import urllib.request

MIN_USERS = 10
WINDOW = datetime.timedelta(hours=1)


def get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def failed_password_sign_ins(base, since):
    """Every interactive sign-in that failed with 50126 since `since`, following nextLinks."""
    query = urllib.parse.urlencode({
        "$filter": f"status/errorCode eq 50126 and createdDateTime ge {since}",
        "$top": "999",
    })
    url = f"{base}/v1.0/auditLogs/signIns?{query}"
    while url:
        page = get(url)
        yield from page["value"]
        url = page.get("@odata.nextLink")


def when(record):
    return datetime.datetime.fromisoformat(record["createdDateTime"].replace("Z", "+00:00"))


def detect(sign_ins):
    """Ids of the failures from addresses where MIN_USERS distinct users failed within WINDOW."""
    by_address = collections.defaultdict(list)
    for r in sign_ins:
        by_address[r["ipAddress"]].append(r)
    flagged = set()
    for records in by_address.values():
        records.sort(key=when)
        start = 0
        for end, last in enumerate(records):
            while when(last) - when(records[start]) > WINDOW:
                start += 1
            burst = records[start:end + 1]
            if len({r["userId"] for r in burst}) >= MIN_USERS:
                flagged.update(r["id"] for r in burst)
    return flagged


def grade(flagged, expected):
    hits = len(flagged & expected)
    precision = hits / len(flagged) if flagged else 0.0
    recall = hits / len(expected) if expected else 0.0
    return precision, recall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8400")
    parser.add_argument("--since", help="RFC 3339; default: a day before the scenario's start")
    args = parser.parse_args()
    keys = [k for k in get(f"{args.base}/_entrasim/scenarios")["value"] if k["scenario"] == "password-spray"]
    if not keys:
        raise SystemExit("no password-spray scenario is placed (start the server with --scenario password-spray)")
    expected = {i for k in keys for i in k["records"]["signIns"]}
    since = args.since or (min(when({"createdDateTime": k["startDateTime"]}) for k in keys)
                           - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    flagged = detect(failed_password_sign_ins(args.base, since))
    precision, recall = grade(flagged, expected)
    print(f"flagged {len(flagged)} sign-ins, the key lists {len(expected)}")
    print(f"precision {precision:.3f}  recall {recall:.3f}")


if __name__ == "__main__":
    main()

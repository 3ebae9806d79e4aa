"""Registers WiWebb's webhook endpoint at localstripe (the development stack's one-shot service).

localstripe signs each event it sends with the secret given here, so STRIPE_WEBHOOK_SECRET must be
the API's. It keeps webhooks in memory only: after localstripe restarts, run this again
(`docker compose --profile development up localstripe-webhook`).

Environment: STRIPE_WEBHOOK_SECRET (required, whsec_...), LOCALSTRIPE_URL (default
http://localstripe:8420), WEBHOOK_URL (default http://api:8000/api/v1/payments/webhook/).
"""

import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

WEBHOOK_ID = "wiwebb"
ATTEMPTS = 30  # one a second: localstripe may still be starting


def main() -> int:
    localstripe = (os.environ.get("LOCALSTRIPE_URL") or "http://localstripe:8420").rstrip("/")
    webhook_url = os.environ.get("WEBHOOK_URL") or "http://api:8000/api/v1/payments/webhook/"
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        print("localstripe-webhook: STRIPE_WEBHOOK_SECRET is not set; it must be the API's", file=sys.stderr)
        return 2
    endpoint = f"{localstripe}/_config/webhooks/{WEBHOOK_ID}"
    body = urllib.parse.urlencode({"url": webhook_url, "secret": secret}).encode()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(endpoint, data=body, method="POST")  # noqa: S310 - http(s) from LOCALSTRIPE_URL
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with opener.open(request, timeout=5):
                print(f"localstripe-webhook: localstripe at {localstripe} sends events to {webhook_url}")
                return 0
        except urllib.error.HTTPError as error:  # localstripe answered: retrying will not help
            print(f"localstripe-webhook: {endpoint} answered {error.code}", file=sys.stderr)
            return 1
        except OSError as error:
            if attempt == ATTEMPTS:
                print(f"localstripe-webhook: no answer from {endpoint}: {error}", file=sys.stderr)
                return 1
            time.sleep(1)
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""The image's HEALTHCHECK: exit 0 when GET /api/v1/health/ on this container answers 200, else 1.

The slim Python image has no curl. PORT is the setting the server listens on (default 8000).
"""

import os
import sys
import urllib.request

HEALTH_PATH = "/api/v1/health/"


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}{HEALTH_PATH}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        with opener.open(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (OSError, ValueError) as error:  # refused, timed out, or an HTTP error such as 503
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""A tenant's caller: GETs SERVICE_URL (the shared service, with this tenant's query)
and returns what the service answered. Standard library only."""
import os
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def lambda_handler(event, context):
    url = (event or {}).get("url") or os.environ["SERVICE_URL"]
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return {"url": url, "statusCode": response.status, "body": response.read().decode("utf-8")}
    except urllib.error.HTTPError as error:  # 403 from an auth policy lands here
        return {"url": url, "statusCode": error.code, "body": error.read().decode("utf-8")}
    except (urllib.error.URLError, TimeoutError) as error:
        return {"url": url, "statusCode": 0, "body": f"unreachable: {getattr(error, 'reason', error)}"}

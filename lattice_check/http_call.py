"""What ``curl`` sends: the request its arguments make (method, URL, headers as curl
sets its own, body, query), with the path's dot segments removed as curl removes
them."""
from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence
from urllib.parse import parse_qs, urlsplit

from .callers import caller
from .resolution import BadInput
from .routing import HttpCall

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", re.ASCII)  # an HTTP method is a token (RFC 9110), matched whole


def http_call(
    url: str,
    *,
    method: str = "GET",
    headers: Optional[Mapping[str, "str | Sequence[str]"]] = None,
    principal: Optional[str] = None,
    tags: Optional[dict[str, str]] = None,
    data: str = "",
) -> HttpCall:
    """The request, checked: BadInput names what is wrong with it. A header given a
    list of values was sent once per value."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise BadInput(f"URL {url!r}: {error} (a port is 1-65535; an IPv6 host is written [address])") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadInput(f"URL {url!r}: give http://<service DNS name, custom domain or Lattice service name>/path")
    if port == 0:
        raise BadInput(f"URL {url!r}: port 0 is not a port (1-65535)")
    if not _TOKEN.fullmatch(method):
        raise BadInput(f"-X {method!r}: an HTTP method is a token (letters, digits and !#$%&'*+.^_`|~-), such as GET or POST")
    if principal is not None and caller(principal) is None:
        raise BadInput(
            f"--principal {principal!r}: give the caller's IAM ARN, such as arn:aws:iam::111111111111:role/app "
            "or arn:aws:sts::111111111111:assumed-role/app/session"
        )
    return HttpCall(
        method=method,  # as written: curl sends it so, and a rule's method match is exact
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=without_dot_segments(parts.path or "/"),
        query=parse_qs(parts.query, keep_blank_values=True),
        headers=_as_curl_sends(host, port if port not in (None, {"http": 80, "https": 443}[parts.scheme]) else None, data, headers or {}),
        repeated_headers={k.lower(): list(v) for k, v in (headers or {}).items() if not isinstance(v, str) and len(v) > 1},
        principal=principal,
        tags=dict(tags or {}),
        body=data,
        scheme=parts.scheme,
        raw_query=parts.query,
    )


def _as_curl_sends(host: str, port: Optional[int], data: str, given: Mapping[str, "str | Sequence[str]"]) -> dict[str, str]:
    """The headers curl sends (lower-case names): its own ``Host`` (with ``port``, a port
    the URL names other than the scheme's), ``Accept: */*`` and, with ``-d``, a form's ``Content-Type`` and
    the ``Content-Length``, each replaced by a header given with that name, or left
    out when given empty (``-H 'Accept:'``). Its ``User-Agent`` names curl's version,
    which differs from one machine to the next: not sent."""
    sent = {"host": f"{host}:{port}" if port else host, "accept": "*/*"}
    if data:
        sent |= {"content-type": "application/x-www-form-urlencoded", "content-length": str(len(data.encode()))}
    for name, value in given.items():
        sent[name.lower()] = value if isinstance(value, str) else ",".join(value)
    return {name: value for name, value in sent.items() if value != ""}


def without_dot_segments(path: str) -> str:
    """The path curl sends for ``path``: its ``.`` and ``..`` segments removed (RFC 3986
    section 5.2.4, as curl does unless given --path-as-is), so ``/public/../admin``
    is sent, routed and authorized as ``/admin``."""
    kept: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
            continue
        if last:
            kept.append("")  # /a/b/.. is /a/: the directory, with its slash
    joined = "/".join(kept)
    return joined if joined.startswith("/") else "/" + joined

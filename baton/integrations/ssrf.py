"""The SSRF guard of outbound requests: a webhook may not reach the machine Baton runs on or its private
network (cloud metadata, the database, an admin console) unless ``BATON_WEBHOOK_ALLOW_PRIVATE`` says so."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(url: str) -> None:
    """Raise ``ValidationError`` unless ``url`` is http(s) and every address its host resolves to is public
    (or private targets are allowed). Checked when the endpoint is saved and again before every send."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": [_("Enter an http:// or https:// address.")]})
    if getattr(settings, "BATON_WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise ValidationError({"url": [_("The host name does not resolve.")]}) from None
    if not infos or not all(_is_public(str(info[4][0])) for info in infos):
        raise ValidationError(
            {"url": [_("Webhooks may not be sent to loopback, private or reserved network addresses.")]}
        )

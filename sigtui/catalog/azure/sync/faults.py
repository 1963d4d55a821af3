"""What the Azure SDK raises, as one SIG-AZURE line: what failed, where, and Azure's own
reason, with anything that looks like a token or a secret masked."""

from __future__ import annotations

import re
from typing import Any

from sigtui.catalog.model.errors import CatalogError

_SECRETS = (
    re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"),  # a JWT (an access token)
    re.compile(r"(?i)(bearer\s+)\S+"),
    re.compile(r"(?i)((?:access_token|refresh_token|client_secret|password)[\"']?\s*[:=]\s*)\S+"),
)
MAX_REASON = 300  # characters of Azure's message kept in the line


def masked(text: str) -> str:
    """`text` with every token-looking part replaced by ***."""
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def reason_of(exc: BaseException) -> str:
    """Azure's reason, on one line: its error code and the first line of its message."""
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    message = getattr(error, "message", None) or getattr(exc, "message", None) or str(exc)
    first = next((line.strip() for line in str(message).splitlines() if line.strip()), "")
    text = f"{code}: {first}" if code and not first.startswith(str(code)) else first
    text = masked(text or type(exc).__name__)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def error_code(exc: BaseException) -> str:
    return str(getattr(getattr(exc, "error", None), "code", None) or "")


def azure_error(where: str, exc: BaseException) -> CatalogError:
    """The SIG-AZURE error of a failed call about `where` (a subscription or resource)."""
    status = status_of(exc)
    kind = _kind(exc, status)
    return CatalogError("SIG-AZURE", masked(f"{where}: {kind}: {reason_of(exc)}"))


def _kind(exc: BaseException, status: int | None) -> str:
    name = type(exc).__name__
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if "ClientAuthenticationError" in kinds or status == 401:
        return "authentication failed"
    if status == 403:
        return "access denied (403)"
    if status == 404:
        return "not found (404)"
    if status == 429:
        return "throttled (429), retries exhausted"
    if status is not None and status >= 500:
        return f"Azure answered {status}, retries exhausted"
    if name in ("ServiceRequestError", "ServiceRequestTimeoutError", "ServiceResponseError"):
        return "Azure Resource Manager cannot be reached"
    return f"failed ({status})" if status else "failed"


def is_subscription_gone(exc: Any) -> bool:
    return status_of(exc) == 404 and error_code(exc) == "SubscriptionNotFound"

"""The one error type of the domain: a rule code (DESIGN.md section 2) and a message."""

from __future__ import annotations

from collections.abc import Callable

RULE_CODES = (
    "SIG-NAME",
    "SIG-IDENT",
    "SIG-OSSTATE",
    "SIG-SOURCE-REGION",
    "SIG-REPLICAS",
    "SIG-ZRS",
    "SIG-CLOUD",
    "SIG-CROSS-SUB",
    "SIG-REGION-ALLOWLIST",
    "SIG-SOURCE-REGIONS",
    "SIG-LIMIT-GALLERIES",
    "SIG-LIMIT-DEFINITIONS",
    "SIG-LIMIT-VERSIONS",
    "SIG-DISK-SIZE",
    "SIG-LATEST",
    "SIG-DELETE",
    "SIG-EOL",
    "SIG-RECOMMENDED",
    "SIG-ACCESS",
    "SIG-REPLICATION",
    "SIG-SCALE",
    "SIG-BILLING",
    "SIG-API",
    "SIG-MIGRATE",
    "SIG-CONFLICT",
    "SIG-NOT-FOUND",
    "SIG-INPUT",
    "SIG-UPDATE",
    "SIG-DB",
)


class CatalogError(Exception):
    """A refused operation. Nothing was written to the catalog."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        if code not in RULE_CODES:
            raise ValueError(f"unknown rule code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field

    def __reduce__(  # keep the error picklable (workers, multiprocessing)
        self,
    ) -> tuple[Callable[[str, str, str | None], CatalogError], tuple[str, str, str | None]]:
        return (_rebuild, (self.code, self.message, self.field))


def _rebuild(code: str, message: str, field: str | None) -> CatalogError:
    return CatalogError(code, message, field=field)

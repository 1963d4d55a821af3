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
    "SIG-AZURE",
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


Refusal = tuple[str, CatalogError]  # the ARM id of a refused resource ("" for a batch), why


class Refusals(CatalogError):
    """Every refused resource of a batch, each with its ARM id and error, on one line;
    the code is the first one's. Nothing was written."""

    def __init__(self, refusals: list[Refusal]) -> None:
        first = refusals[0][1]
        if len(refusals) == 1:
            message = _refusal(refusals[0], with_code=False)
        else:
            shown = "; ".join(_refusal(refusal, with_code=True) for refusal in refusals)
            message = f"{len(refusals)} resources refused: {shown}"
        super().__init__(first.code, message, field=first.field)
        self.refusals = refusals


class FieldErrors(CatalogError):
    """Every refused field of one resource, on one line (`CODE: message; CODE: message`);
    the code and field are the first one's. Forms show each beside its field."""

    def __init__(self, errors: list[CatalogError]) -> None:
        first = errors[0]
        if len(errors) == 1:
            message = first.message
        else:
            rest = "".join(f"; {e.code}: {e.message}" for e in errors[1:])
            message = first.message + rest
        super().__init__(first.code, message, field=first.field)
        self.errors = errors


def check_all(*checks: Callable[[], object]) -> None:
    """Run every check, then raise what they refused (one error as it is, several as
    `FieldErrors`), or nothing."""
    refused = []
    for check in checks:
        try:
            check()
        except CatalogError as error:
            refused.append(error)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        raise FieldErrors(refused)


def _refusal(refusal: Refusal, *, with_code: bool) -> str:
    arm_id, error = refusal
    text = f"{error.code}: {error.message}" if with_code else error.message
    return f"{arm_id}: {text}" if arm_id else text

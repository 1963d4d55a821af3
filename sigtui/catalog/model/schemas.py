"""Input schemas of the services (the Create/Update side of each resource).

Types only: pydantic checks that a field is an int or a date; the domain rules
(sigtui.catalog.rules.checks and the services) decide what is allowed and name the rule.
An Update schema holds every field of its resource, all optional: a field left unset
is untouched; a field set to a new value must be one that may change (SIG-UPDATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ValidationError
from pydantic_core import ErrorDetails
from sqlmodel import Field, SQLModel

from sigtui.catalog.model.eol import eol_datetime
from sigtui.catalog.model.errors import CatalogError, FieldErrors

Schema = TypeVar("Schema", bound=SQLModel)


def _eol(value: Any) -> Any:
    """A date alone becomes az's 12:59:59 UTC of that day (SIG-EOL)."""
    if isinstance(value, date) or (isinstance(value, str) and value.strip()):
        return eol_datetime(value)
    return value


# an end-of-life date-time: a date or ISO text given is made one (model/eol.py)
EolDateTime = Annotated[datetime, BeforeValidator(_eol)]


SHOWN_INPUT = 60  # characters of a wrong value quoted in the message


def build(schema: type[Schema], **values: Any) -> Schema:
    """Make a schema from loose input (CLI, forms, import), as SIG-INPUT when types are off:
    one line, each field and what is wrong with it (`FieldErrors`: every problem pydantic
    found, the first one's code and field)."""
    return build_checked(schema, values, nul_free=False)


def build_checked(schema: type[Schema], values: dict[str, Any], *, nul_free: bool) -> Schema:
    """`build`; `nul_free`: every text of the values comes from a text known to hold no NUL
    character (an import's item, checked once: `importing.reading.may_hold_nul`), so the
    values are not walked for one."""
    if not nul_free:
        refuse_nul(values)
    try:
        if schema.model_config.get("table"):
            validated: Schema = schema.model_validate(values)
            return validated
        # SQLModel's model_validate of a schema that is not a table, without the
        # bookkeeping a table's rows need (it cost more than the validation)
        made: Schema = schema.__new__(schema)
        schema.__pydantic_validator__.validate_python(values, self_instance=made)
        return made
    except ValidationError as exc:
        errors = [_input_error(schema, error) for error in exc.errors()]
        raise (errors[0] if len(errors) == 1 else FieldErrors(errors)) from None


def _input_error(schema: type[SQLModel], error: ErrorDetails) -> CatalogError:
    field = ".".join(str(p) for p in error["loc"]) or None
    given = repr(error.get("input"))
    if len(given) > SHOWN_INPUT:
        given = given[: SHOWN_INPUT - 1] + "…"
    message = f"{field or schema.__name__}: {error['msg']} (got {given})"
    return CatalogError("SIG-INPUT", message, field=field)


def refuse_nul(values: Any) -> None:
    """SIG-INPUT, naming where, when a text of `values` (keys included) holds a NUL
    character: PostgreSQL cannot store one, so it is refused alike on every database."""
    nul = _nul_at(values)
    if nul is not None:
        raise CatalogError("SIG-INPUT", f"{nul}: text may not hold a NUL character", field=nul)


def _nul_at(value: Any, path: str = "") -> str | None:
    """The path of the first text holding a NUL character (keys included), or None."""
    if not _holds_nul(value):  # the paths are built only when there is one to name
        return None
    if isinstance(value, str):
        return (path or "value") if "\x00" in value else None
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list | tuple | set | frozenset):
        pairs = enumerate(value)
    else:
        return None
    for key, item in pairs:
        where = f"{path}.{key}" if path else str(key)
        found = (_nul_at(key, where) if isinstance(key, str) else None) or _nul_at(item, where)
        if found is not None:
            return found
    return None


def _holds_nul(value: Any) -> bool:
    """Whether any text in the value (keys included) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        for key, item in value.items():
            if _holds_nul(key) or _holds_nul(item):
                return True
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            if _holds_nul(item):
                return True
    return False


class TenantCreate(SQLModel):
    name: str
    tenant_id: str | None = None


class SubscriptionCreate(SQLModel):
    name: str
    subscription_id: str
    tenant: str  # tenant name or id
    cloud: str = "AzureCloud"
    allowlisted_regions: list[str] = Field(default_factory=list)


class GroupCreate(SQLModel):
    subscription: str  # subscription name or id
    name: str
    location: str
    tags: dict[str, str] = Field(default_factory=dict)


class ManagedImageCreate(SQLModel):
    group_id: str  # ARM id of the resource group
    name: str
    location: str
    os_type: str
    os_state: str = "Generalized"
    hyper_v_generation: str = "V1"
    os_disk_size_gb: int
    data_disk_sizes_gb: list[int] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class SnapshotCreate(SQLModel):
    group_id: str
    name: str
    location: str
    size_gb: int
    os_type: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class GalleryCreate(SQLModel):
    name: str
    location: str
    description: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class GalleryUpdate(SQLModel):
    name: str | None = None
    location: str | None = None
    description: str | None = None
    tags: dict[str, str] | None = None


class _DefinitionFields(SQLModel):
    """Every field of an image definition, in its order, as an update takes it: the
    Create schema narrows the fields a new definition must or may leave out."""

    name: str | None = None
    location: str | None = None
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    os_type: str | None = None
    os_state: str | None = None
    hyper_v_generation: str | None = None
    architecture: str | None = None
    features: dict[str, str] | None = None
    description: str | None = None
    eula: str | None = None
    privacy_statement_uri: str | None = None
    release_note_uri: str | None = None
    end_of_life_date: EolDateTime | None = None
    min_vcpus: int | None = None
    max_vcpus: int | None = None
    min_memory_mb: int | None = None
    max_memory_mb: int | None = None
    disallowed_disk_types: list[str] | None = None
    tags: dict[str, str] | None = None


class DefinitionCreate(_DefinitionFields):
    name: str
    location: str
    publisher: str
    offer: str
    sku: str
    os_type: str
    os_state: str = "Generalized"
    # what Azure takes when a request leaves them out; az and the app ask for V2
    hyper_v_generation: str = "V1"
    architecture: str = "x64"
    features: dict[str, str] = Field(default_factory=dict)
    disallowed_disk_types: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)


class DefinitionUpdate(_DefinitionFields):
    pass


class TargetRegionSpec(SQLModel):
    """One target region as asked: `region[=replicas][=storage-type]` (SIG-REPLICAS)."""

    region: str
    replica_count: int | None = None
    storage_account_type: str | None = None


class VersionCreate(SQLModel):
    name: str
    location: str
    managed_image_id: str | None = None
    os_snapshot_id: str | None = None
    data_snapshot_ids: list[str] = Field(default_factory=list)
    data_snapshot_luns: list[int] = Field(default_factory=list)  # none given: 0..n-1 (az)
    virtual_machine_id: str | None = None  # ARM id of a VM (the catalog holds no VMs)
    image_version_id: str | None = None  # ARM id of another gallery's version
    os_vhd_uri: str | None = None  # a VHD blob, with the storage account holding it
    os_vhd_storage_account_id: str | None = None
    data_vhd_uris: list[str] = Field(default_factory=list)
    data_vhd_luns: list[int] = Field(default_factory=list)  # none given: 0..n-1 (az)
    data_vhd_storage_account_ids: list[str] = Field(default_factory=list)
    target_regions: list[TargetRegionSpec] | None = None  # None: the source region alone
    replica_count: int = 1
    storage_account_type: str = "Standard_LRS"
    exclude_from_latest: bool = False
    end_of_life_date: EolDateTime | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class VersionUpdate(SQLModel):
    name: str | None = None
    location: str | None = None
    managed_image_id: str | None = None
    os_snapshot_id: str | None = None
    replica_count: int | None = None
    storage_account_type: str | None = None
    target_regions: list[TargetRegionSpec] | None = None
    exclude_from_latest: bool | None = None
    end_of_life_date: EolDateTime | None = None
    tags: dict[str, str] | None = None


class PrincipalCreate(SQLModel):
    name: str
    principal_type: str
    tenant: str
    object_id: str | None = None


class RoleAssignmentCreate(SQLModel):
    assignee: str  # principal name or object id
    role: str
    scope: str  # ARM id of a gallery, definition or version

"""The write side of the catalog: one function per operation (DESIGN.md section 3).

Each takes an open session from `Catalog.write()` (one transaction), runs every rule
that applies and either leaves its changes for the commit or raises CatalogError.
"""

from sigtui.catalog.rules.access import ROLES
from sigtui.catalog.services import events  # noqa: F401  (records every write session's changes)
from sigtui.catalog.services.accounts import (
    allowlisted_regions,
    create_group,
    create_principal,
    create_subscription,
    create_tenant,
    delete_group,
    delete_subscription,
    set_region_allowlist,
    update_region_allowlist,
)
from sigtui.catalog.services.definitions import (
    create_definition,
    delete_definition,
    update_definition,
)
from sigtui.catalog.services.galleries import create_gallery, delete_gallery, update_gallery
from sigtui.catalog.services.puts import put_definition, put_gallery, put_version
from sigtui.catalog.services.roles import (
    assignment_warnings,
    create_role_assignment,
    delete_role_assignment,
    give_role,
)
from sigtui.catalog.services.sources import (
    create_managed_image,
    create_snapshot,
    delete_managed_image,
    delete_snapshot,
)
from sigtui.catalog.services.versions import (
    add_target_regions,
    create_version,
    delete_version,
    parse_target_region,
    remove_target_regions,
    update_version,
)

__all__ = [
    "ROLES",
    "add_target_regions",
    "allowlisted_regions",
    "assignment_warnings",
    "create_definition",
    "create_gallery",
    "create_group",
    "create_managed_image",
    "create_principal",
    "create_role_assignment",
    "create_snapshot",
    "create_subscription",
    "create_tenant",
    "create_version",
    "delete_definition",
    "delete_gallery",
    "delete_group",
    "delete_managed_image",
    "delete_role_assignment",
    "delete_snapshot",
    "delete_subscription",
    "delete_version",
    "give_role",
    "parse_target_region",
    "put_definition",
    "put_gallery",
    "put_version",
    "remove_target_regions",
    "set_region_allowlist",
    "update_definition",
    "update_gallery",
    "update_region_allowlist",
    "update_version",
]

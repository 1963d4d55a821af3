"""The input fields of galleries, image definitions and image versions, declared once.

Each field is named as the Create/Update schemas and the forms name it, with its
column in the resource's table, its path in the JSON az prints and its CLI option.
Services, import, the forms and the CLI take their lists of fields from here;
tests/test_resource_fields.py checks that every place agrees with this declaration.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceField:
    name: str
    json_path: str  # dotted; `[]` marks a list of objects
    option: str  # the long CLI option of `create`
    updatable: bool = False  # may change after creation (SIG-UPDATE)
    column: str | None = None  # the table's column, where it is not `name`
    in_table: bool = True  # False: kept in a table of its own (target regions, data disks)
    in_update: bool = True  # False: only create takes it (data disks come with the source)
    form_key: str | None = None  # the form's field, where it is not `name`

    @property
    def table_column(self) -> str | None:
        if not self.in_table:
            return None
        return self.column or self.name

    @property
    def form_field(self) -> str:
        return self.form_key or self.name


def all_names(fields: tuple[ResourceField, ...]) -> tuple[str, ...]:
    return tuple(field.name for field in fields)


def updatable_names(fields: tuple[ResourceField, ...]) -> tuple[str, ...]:
    return tuple(field.name for field in fields if field.updatable)


def fixed_names(fields: tuple[ResourceField, ...]) -> tuple[str, ...]:
    return tuple(field.name for field in fields if not field.updatable)


def updatable_json_paths(fields: tuple[ResourceField, ...]) -> tuple[str, ...]:
    return tuple(field.json_path for field in fields if field.updatable)


_TAGS = ResourceField("tags", "tags", "--tags", updatable=True)

GALLERY_FIELDS = (
    ResourceField("name", "name", "--gallery-name"),
    ResourceField("location", "location", "--location"),
    ResourceField("description", "description", "--description", updatable=True),
    _TAGS,
)

DEFINITION_FIELDS = (
    ResourceField("name", "name", "--gallery-image-definition"),
    ResourceField("location", "location", "--location"),
    ResourceField("publisher", "identifier.publisher", "--publisher"),
    ResourceField("offer", "identifier.offer", "--offer"),
    ResourceField("sku", "identifier.sku", "--sku"),
    ResourceField("os_type", "osType", "--os-type"),
    ResourceField("os_state", "osState", "--os-state"),
    ResourceField("hyper_v_generation", "hyperVGeneration", "--hyper-v-generation"),
    ResourceField("architecture", "architecture", "--architecture"),
    ResourceField("features", "features", "--features"),
    ResourceField("description", "description", "--description", updatable=True),
    ResourceField("eula", "eula", "--eula", updatable=True),
    ResourceField(
        "privacy_statement_uri", "privacyStatementUri", "--privacy-statement-uri", updatable=True
    ),
    ResourceField("release_note_uri", "releaseNoteUri", "--release-note-uri", updatable=True),
    ResourceField("end_of_life_date", "endOfLifeDate", "--end-of-life-date", updatable=True),
    ResourceField("min_vcpus", "recommended.vCPUs.min", "--minimum-cpu-core", updatable=True),
    ResourceField("max_vcpus", "recommended.vCPUs.max", "--maximum-cpu-core", updatable=True),
    ResourceField("min_memory_mb", "recommended.memory.min", "--minimum-memory", updatable=True),
    ResourceField("max_memory_mb", "recommended.memory.max", "--maximum-memory", updatable=True),
    ResourceField(
        "disallowed_disk_types", "disallowed.diskTypes", "--disallowed-disk-types", updatable=True
    ),
    _TAGS,
)

VERSION_FIELDS = (
    ResourceField("name", "name", "--gallery-image-version"),
    ResourceField("location", "location", "--location"),
    ResourceField(
        "managed_image_id",
        "storageProfile.source.id",
        "--managed-image",
        column="managed_image_pk",
        form_key="source",
    ),
    ResourceField(
        "os_snapshot_id",
        "storageProfile.osDiskImage.source.id",
        "--os-snapshot",
        column="os_snapshot_pk",
        form_key="source",
    ),
    ResourceField(
        "data_snapshot_ids",
        "storageProfile.dataDiskImages[].source.id",
        "--data-snapshots",
        in_table=False,
        in_update=False,
        form_key="data_disks",
    ),
    ResourceField(
        "data_snapshot_luns",
        "storageProfile.dataDiskImages[].lun",
        "--data-snapshot-luns",
        in_table=False,
        in_update=False,
        form_key="data_disks",
    ),
    # the sources the catalog does not hold (kept by id in external_source_id): a VM,
    # another gallery's version, VHD blobs with their storage accounts
    ResourceField(
        "virtual_machine_id",
        "storageProfile.source.virtualMachineId",
        "--virtual-machine",
        in_table=False,
        in_update=False,
        form_key="source",
    ),
    ResourceField(
        "image_version_id",
        "storageProfile.source.id",
        "--image-version",
        in_table=False,
        in_update=False,
        form_key="source",
    ),
    ResourceField(
        "os_vhd_uri",
        "storageProfile.osDiskImage.source.uri",
        "--os-vhd-uri",
        in_table=False,
        in_update=False,
        form_key="source",
    ),
    ResourceField(
        "os_vhd_storage_account_id",
        "storageProfile.osDiskImage.source.storageAccountId",
        "--os-vhd-storage-account",
        column="source_storage_account_id",
        in_update=False,
        form_key="source",
    ),
    ResourceField(
        "data_vhd_uris",
        "storageProfile.dataDiskImages[].source.uri",
        "--data-vhds-uris",
        in_table=False,
        in_update=False,
        form_key="data_disks",
    ),
    ResourceField(
        "data_vhd_luns",
        "storageProfile.dataDiskImages[].lun",
        "--data-vhds-luns",
        in_table=False,
        in_update=False,
        form_key="data_disks",
    ),
    ResourceField(
        "data_vhd_storage_account_ids",
        "storageProfile.dataDiskImages[].source.storageAccountId",
        "--data-vhds-storage-accounts",
        in_table=False,
        in_update=False,
        form_key="data_disks",
    ),
    ResourceField(
        "target_regions",
        "publishingProfile.targetRegions",
        "--target-regions",
        updatable=True,
        in_table=False,
    ),
    ResourceField(
        "replica_count", "publishingProfile.replicaCount", "--replica-count", updatable=True
    ),
    ResourceField(
        "storage_account_type", "publishingProfile.storageAccountType", "--storage-account-type"
    ),
    ResourceField(
        "exclude_from_latest",
        "publishingProfile.excludeFromLatest",
        "--exclude-from-latest",
        updatable=True,
    ),
    ResourceField(
        "end_of_life_date",
        "publishingProfile.endOfLifeDate",
        "--end-of-life-date",
        updatable=True,
    ),
    _TAGS,
)

"""What importing one file did."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sigtui.catalog.azure.importing.shapes import Json


@dataclass
class ImportResult:
    """What one file did: counts by outcome, and the types it skipped."""

    file: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> Json:
        return {
            "file": self.file,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skippedTypes": dict(sorted(self.skipped.items())),
        }

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        return (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {skipped} skipped"
        )

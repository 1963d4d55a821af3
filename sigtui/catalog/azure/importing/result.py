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
    notes: list[str] = field(default_factory=list)  # bodies that are not resources at all

    def skip(self, what: str, name: str, *, noted: bool) -> None:
        """Count a body that is not a gallery resource; `noted`: the first of its kind is
        noted too (a body that is no resource at all, such as a SharingUpdate)."""
        if noted and what not in self.skipped:
            named = f"{what} {name}" if name != "?" else what
            self.notes.append(f"skipped {named}: not a gallery resource, nothing imported")
        self.skipped[what] += 1

    def as_json(self) -> Json:
        return {
            "file": self.file,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skippedTypes": dict(sorted(self.skipped.items())),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        counts = (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {skipped} skipped"
        )
        return "\n".join([counts, *(f"{self.file}: {note}" for note in self.notes)])

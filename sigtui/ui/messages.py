"""Messages the app sends to its screens."""

from __future__ import annotations

from textual.message import Message


class CatalogChanged(Message, bubble=False):
    """The catalog was changed (by this session or another): screens showing it reload."""

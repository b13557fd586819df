"""The one result type of every check (verify's catalog queries, drift, function bodies)."""

from __future__ import annotations

import dataclasses
from typing import Any

LEVELS = ("ERROR", "WARN", "INFO")


@dataclasses.dataclass(frozen=True)
class Finding:
    name: str
    level: str
    object: str
    detail: str
    remediation: str
    waiver: str | None = None  # the declared reason, when app_private.verify_waiver waives it

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def key(self) -> tuple[str, str]:
        """What a baseline and a waiver match on: the check and the object, not the wording."""
        return (self.name, self.object)

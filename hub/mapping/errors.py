"""The error raised for an invalid mapping file."""

from __future__ import annotations


class MappingError(Exception):
    """An invalid skill framework, rule or role in a mapping file.

    ``file`` is the file's path. ``rule`` is the rule id, or ``#N`` (the rule's 1-based
    position in the file) when the id is missing. ``skill`` and ``role`` name the item
    for errors outside rules. ``field`` is the dotted path of the field inside the item.
    Attributes that do not apply are None.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        rule: str | None = None,
        skill: str | None = None,
        role: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.rule = rule
        self.skill = skill
        self.role = role
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.rule is not None:
            parts.append(f"rule '{self.rule}'")
        if self.skill is not None:
            parts.append(f"skill '{self.skill}'")
        if self.role is not None:
            parts.append(f"role '{self.role}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)

"""What a change suggests trying first when drawing values for it (see
:mod:`.drawing`): the numbers, strings, lengths and property names named by
the change and by both sides at its path.
"""

from __future__ import annotations

import itertools
from typing import Any

from .report import Change
from .scalars import is_number, pattern_samples, unique
from .sides import Path, Side, flat


class Hints:
    """Values taken from the change and from both sides at one path: the
    numbers, strings, lengths and property names to try first."""

    def __init__(self) -> None:
        self.numbers: list[float] = []
        self.steps: list[float] = []
        self.strings: list[str] = []
        self.lengths: list[int] = []
        self.names: list[str] = []
        self.fresh = "extra"
        #: The values the change itself names (an enum's removed members...).
        self.favoured: list[Any] = []

    @classmethod
    def of(cls, change: Change, old: Side, new: Side, path: Path) -> Hints:
        hints = cls()
        values: list[Any] = [change.old, change.new]
        for value in values:
            hints.favoured.extend(value if isinstance(value, list) else [value])
        for side in (old, new):
            for _, schema in flat(side.alternatives(side.node_at(path))):
                values.append(schema)
        hints._collect(values)
        hints.fresh = fresh(hints.names)
        return hints

    def _collect(self, values: list[Any]) -> None:
        for value in values:
            if is_number(value):
                self.numbers.append(value)
            elif isinstance(value, str):
                self.strings.append(value)
            elif isinstance(value, list):
                for item in value:
                    if is_number(item) or isinstance(item, str):
                        self._collect([item])
            elif isinstance(value, dict):
                for keyword, inner in value.items():
                    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                        self._collect([inner])
                    elif keyword == "multipleOf" and is_number(inner):
                        self.steps.append(inner)
                    elif keyword in (
                        "minLength",
                        "maxLength",
                        "minItems",
                        "maxItems",
                    ) and is_number(inner):
                        self.lengths.append(int(inner))
                    elif keyword in ("enum", "const"):
                        self._collect(
                            [inner]
                            if keyword == "const"
                            else list(inner)
                            if isinstance(inner, list)
                            else []
                        )
                    elif keyword == "pattern" and isinstance(inner, str):
                        self.strings.extend(pattern_samples(inner))
                    elif keyword == "properties" and isinstance(inner, dict):
                        self.names.extend(inner)
                    elif keyword == "required" and isinstance(inner, list):
                        self.names.extend(n for n in inner if isinstance(n, str))
        self.numbers = unique(self.numbers)[:24]
        self.strings = unique(self.strings)[:24]
        self.lengths = unique(self.lengths)[:12]
        self.names = unique(self.names)[:24]


def fresh(names: list[str]) -> str:
    taken = set(names)
    candidates = itertools.chain(["extra"], (f"extra{n}" for n in itertools.count(1)))
    return next(name for name in candidates if name not in taken)


def declared_names(schemas: list[tuple[str | None, dict[str, Any]]]) -> list[str]:
    """The property names the schemas declare, and one name that matches each
    of their patterns."""
    names: list[str] = []
    for _, schema in schemas:
        properties = schema.get("properties")
        if isinstance(properties, dict):
            names.extend(properties)
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern in patterns:
                names.extend(pattern_samples(pattern)[:1])
    return names

"""A change seen from either side: something added to the new schema, or
removed from the old one.

A removal is an addition with old and new swapped, and swapping them swaps
the two questions as well (readers ask whether the new schema accepts all the
old one did; writers ask the converse). So one comparer serves both
directions: it describes the change as an addition -- what the schema lacking
the thing has, what the schema having it has, the effect on (readers,
writers) -- and the direction puts each part in its place.
"""

from __future__ import annotations

import dataclasses
from typing import Final, TypeVar

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True, slots=True)
class Direction:
    #: The word that ends the change's kind: "added" or "removed".
    verb: str
    swapped: bool

    def sides(self, lacking: _T, having: _T) -> tuple[_T, _T]:
        """(old, new) from (the side without the thing, the side with it).
        Also turns (readers, writers) of an addition into those of this
        direction."""
        return (having, lacking) if self.swapped else (lacking, having)

    def pick(self, when_added: str, when_removed: str) -> str:
        """The wording for this direction, where the two do not mirror."""
        return when_removed if self.swapped else when_added


ADDED: Final = Direction("added", swapped=False)
REMOVED: Final = Direction("removed", swapped=True)

"""Compatibility of two JSON Schema versions: what changed, and whom it breaks.

:func:`compare` walks an old and a new schema side by side and reports every
change as a :class:`Change` with a stable dotted ``kind``, a JSON Pointer, the
old and new values and two effects:

* ``readers`` (the BACKWARD question): does the new schema still accept every
  document the old one accepted? Readers built on the new version must read
  data written under the old one.
* ``writers`` (the FORWARD question): is every document the new schema accepts
  still accepted by the old one? Readers still on the old version must read
  data written under the new one.

Each change that breaks a side carries a :class:`Witness` where one is found:
a document one schema accepts and the other refuses, checked with both
validators (``witness``).

Each effect is SAFE (proved), BREAKING (a document exists, or is assumed to
exist, that crosses the line) or UNKNOWN (the engine cannot tell). SAFE is only
claimed where it holds for every document, with one deliberate exception: the
LENIENT policy accepts adding or removing an optional property in an open
object, which in theory could clash with data that already used that name.

Nothing here imports pytest, and no reference is ever fetched: a ``$ref``
outside the schema's own document is compared by its text only.

The package: ``report`` (the report types), ``walk`` (the walk and its table
from keyword to comparer), one module per keyword family (``values``,
``bounds``, ``objects``, ``arrays``, ``slots``, ``branches``, ``opaque``),
``inclusion`` (whether one subschema lies inside another), ``refs`` (the
``$ref`` resolver the schema checks use too), ``verdicts`` (``is_subset``,
``document_compatible``), ``witness`` (a document for each break;
:func:`compare` is the walk followed by it), and ``drawing``, ``sides``,
``scalars`` and ``hints`` (the values a schema allows, that witnesses are
built of). Names are imported
on first use (PEP 562): the schema checks import ``refs`` without the
engine, and reading a mode or a policy does not import the walk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .report import (
        DEFAULT_MODE,
        DEFAULT_POLICY,
        Change,
        CompatReport,
        Effect,
        Mode,
        Policy,
        Witness,
    )
    from .verdicts import DocumentVerdict, document_compatible, is_subset
    from .witness import compare

__all__ = [
    "DEFAULT_MODE",
    "DEFAULT_POLICY",
    "Change",
    "CompatReport",
    "DocumentVerdict",
    "Effect",
    "Mode",
    "Policy",
    "Witness",
    "compare",
    "document_compatible",
    "is_subset",
]

_WHERE = {
    "DEFAULT_MODE": "report",
    "DEFAULT_POLICY": "report",
    "Change": "report",
    "CompatReport": "report",
    "Effect": "report",
    "Mode": "report",
    "Policy": "report",
    "Witness": "report",
    "DocumentVerdict": "verdicts",
    "document_compatible": "verdicts",
    "is_subset": "verdicts",
    "compare": "witness",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _WHERE)

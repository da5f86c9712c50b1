"""Legacy identity resolution (klaviyo-behavior.md §2), as a pure function.

``resolve`` decides which profile a Track/Identify call is about and which identifiers move;
it reads state only through the ``owner_of`` callback and changes nothing, so the table of
documented scenarios can be tested without a store, and the caller applies the decision
under the store's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

from .models import LEGACY_ORDER
from .models import IdentifierKind
from .models import Identifiers

OwnerOf = Callable[[IdentifierKind, str], str | None]
"""Returns the id of the profile that holds an identifier value, or None."""


class Resolution(NamedTuple):
    """What one call does to identity.

    ``profile_id`` is None when a new profile is to be created with ``assign``. Otherwise the
    profile matched by ``matched_by`` takes ``assign`` (set where absent, replaced where different),
    and each identifier in ``conflicts`` stays on the profile that already holds it.
    """

    profile_id: str | None
    matched_by: IdentifierKind | None
    assign: Identifiers
    conflicts: tuple[tuple[IdentifierKind, str, str], ...] = ()


def resolve(
    identifiers: Identifiers,
    owner_of: OwnerOf,
    order: Sequence[IdentifierKind] = LEGACY_ORDER,
) -> Resolution:
    """Resolve normalised ``identifiers`` (at least one) against the current state.

    The first identifier in ``order`` that a profile holds selects that profile.
    """
    if not identifiers:
        raise ValueError("resolve() needs at least one identifier")
    owners = {kind: owner_of(kind, value) for kind, value in identifiers.items()}
    for kind in order:
        selected = owners.get(kind)
        if selected is not None:
            break
    else:
        return Resolution(profile_id=None, matched_by=None, assign=dict(identifiers))

    assign: Identifiers = {}
    conflicts: list[tuple[IdentifierKind, str, str]] = []
    for other in order:
        if other not in identifiers or other is kind:
            continue
        holder = owners[other]
        if holder is None:
            assign[other] = identifiers[other]
        elif holder != selected:
            conflicts.append((other, identifiers[other], holder))
    return Resolution(
        profile_id=selected, matched_by=kind, assign=assign, conflicts=tuple(conflicts)
    )

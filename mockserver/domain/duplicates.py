"""The duplicates report: which profiles the evidence says are one person (§7).

Evidence comes from what the mock recorded while it decided (identity conflicts, profiles
created in one race window) and from the profiles themselves (one holds an identifier value
that another held before). Profiles linked by any evidence, directly or through others, form
one group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Evidence
from .models import EvidenceKind
from .models import IdentifierKind
from .models import Profile


@dataclass(frozen=True)
class Group:
    profiles: tuple[str, ...]
    """Ids, oldest profile first."""
    evidence: tuple[Evidence, ...]


def former_identifier_evidence(profiles: Iterable[Profile]) -> list[Evidence]:
    """A profile that now holds a value another profile held before (row 9's old email)."""
    profiles = list(profiles)
    former: dict[tuple[IdentifierKind, str], list[Profile]] = {}
    for profile in profiles:
        for kind, values in profile.former.items():
            for value in values:
                former.setdefault((kind, value), []).append(profile)
    found = []
    for profile in profiles:
        for kind, value in profile.identifiers.items():
            for earlier in former.get((kind, value), ()):
                if earlier.id != profile.id:
                    found.append(
                        Evidence(
                            EvidenceKind.FORMER_IDENTIFIER,
                            (earlier.id, profile.id),
                            f"{profile.id} holds {kind.legacy} {value}, which {earlier.id} held"
                            " before",
                            profile.created,
                        )
                    )
    return found


def groups(profiles: Iterable[Profile], recorded: Iterable[Evidence]) -> list[Group]:
    """Connected groups of existing profiles, each with the evidence that links it."""
    profiles = list(profiles)
    order = {p.id: (p.created, p.id) for p in profiles}  # ids are monotonic ULIDs
    parent = {p.id: p.id for p in profiles}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    links = []
    for evidence in [*recorded, *former_identifier_evidence(profiles)]:
        alive = [pid for pid in evidence.profiles if pid in parent]
        if len(alive) < 2:
            continue
        links.append(evidence)
        for other in alive[1:]:
            parent[root(other)] = root(alive[0])

    members: dict[str, list[str]] = {}
    for pid in parent:
        members.setdefault(root(pid), []).append(pid)
    result = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        ids.sort(key=order.__getitem__)
        linked = tuple(e for e in links if set(e.profiles) & set(ids))
        result.append(Group(tuple(ids), linked))
    result.sort(key=lambda g: order[g.profiles[0]])
    return result

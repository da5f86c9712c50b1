"""The duplicates report: which profiles the evidence says are one person (§7).

Evidence is what the mock recorded while it decided: identity conflicts (row 11), profiles
created in one race window (row 10), a profile taking an identifier value another one held
before (row 9), and one profile's ``$id`` being another's email or phone number. Profiles
linked by any evidence, directly or through others, form one group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Evidence
from .models import Profile


@dataclass(frozen=True)
class Group:
    profiles: tuple[str, ...]
    """Ids, oldest profile first."""
    evidence: tuple[Evidence, ...]


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
    for evidence in recorded:
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

"""What the domain needs from the outside: a store, a clock and an id generator.

The domain depends on these protocols only; ``mockserver.store`` implements the store with
TinyDB, and tests or scenario runs may inject a fixed clock and seeded ids.
"""

from __future__ import annotations

import enum
import itertools
import random
import re
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Protocol

from ulid_transform import bytes_to_ulid

from .models import Event
from .models import EventHead
from .models import Evidence
from .models import IdentifierKind
from .models import ListRecord
from .models import Membership
from .models import Metric
from .models import Profile
from .models import ProfileHead

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_last_iso: tuple[int, str] = (0, "")


def iso_seconds(moment: datetime) -> str:
    """ISO 8601 to the second, in UTC (``2026-01-01T00:00:00+00:00``); remembered for the
    current second, because every call stamps something."""
    global _last_iso
    second = int(moment.timestamp())
    cached = _last_iso  # one read: another thread may replace it meanwhile
    if cached[0] != second:
        cached = _last_iso = (second, moment.astimezone(UTC).replace(microsecond=0).isoformat())
    return cached[1]


Record = Mapping[str, Any]


class Records(Protocol):
    """One account's generic resources and the links between resources (``store.records``);
    records are ``{"id", "seq", "created", "updated", "attributes", "extra"}``, handed out as
    stored: read them, never change them. The caller holds the store's lock."""

    def get(self, kind: str, record_id: str) -> Record | None: ...

    def has(self, kind: str, record_id: str) -> bool: ...

    def next_seq(self, kind: str) -> int: ...

    def put(self, kind: str, record: dict[str, Any]) -> None: ...

    def remove(self, kind: str, record_id: str) -> bool: ...

    def count(self, kind: str) -> int: ...

    def page(
        self, kind: str, after: int | None, size: int, descending: bool = False
    ) -> list[Record]: ...

    def scan(self, kind: str) -> Iterable[Record]: ...

    def find(self, kind: str, name: str, value: Any) -> list[str]: ...

    def linked(self, kind: str, record_id: str, relationship: str) -> tuple[str, ...]: ...

    def set_linked(
        self, kind: str, record_id: str, relationship: str, ids: Sequence[str]
    ) -> None: ...

    def relationships_of(self, kind: str, record_id: str) -> list[str]: ...

    def types(self) -> list[str]: ...


class Store(Protocol):
    """Per-account state. Every read-decide-write sequence runs inside ``locked()``."""

    def records(self, account: str) -> Records: ...

    def locked(self) -> AbstractContextManager[object]: ...

    def owner_of(self, account: str, kind: IdentifierKind, value: str) -> str | None: ...

    def get_profile(self, account: str, profile_id: str) -> Profile | None: ...

    def has_profile(self, account: str, profile_id: str) -> bool: ...

    def former_holders(self, account: str, kind: IdentifierKind, value: str) -> set[str]: ...

    def has_metric_id(self, account: str, metric_id: str) -> bool: ...

    def save_profile(self, account: str, profile: Profile) -> None: ...

    def delete_profile(self, account: str, profile_id: str) -> bool: ...

    def profiles(self, account: str) -> list[Profile]: ...

    def profile_heads(self, account: str) -> list[ProfileHead]: ...

    def profile_ids(self, account: str) -> list[str]: ...

    def count_profiles(self, account: str) -> int: ...

    def metric_named(self, account: str, name: str) -> Metric | None: ...

    def save_metric(self, account: str, metric: Metric) -> None: ...

    def has_event(self, account: str, profile_id: str, metric_id: str, unique_key: str) -> bool: ...

    def add_event(self, account: str, event: Event) -> None: ...

    def get_event(self, account: str, event_id: str) -> Event | None: ...

    def last_event_time(self, account: str, profile_id: str) -> int | None: ...

    def event_heads(self, account: str) -> list[EventHead]: ...

    def move_events(self, account: str, source: str, destination: str) -> int: ...

    def events(
        self, account: str, *, profile_id: str | None = None, metric_id: str | None = None
    ) -> list[Event]: ...

    def metrics(self, account: str) -> list[Metric]: ...

    def save_list(self, account: str, record: ListRecord) -> None: ...

    def get_list(self, account: str, list_id: str) -> ListRecord | None: ...

    def lists(self, account: str) -> list[ListRecord]: ...

    def delete_list(self, account: str, list_id: str) -> bool: ...

    def membership(self, account: str, list_id: str, profile_id: str) -> Membership | None: ...

    def save_membership(self, account: str, membership: Membership) -> None: ...

    def remove_membership(self, account: str, list_id: str, profile_id: str) -> bool: ...

    def active_members(self, account: str, list_id: str) -> list[Membership]: ...

    def memberships(self, account: str, list_id: str) -> list[tuple[int, Membership]]: ...

    def profile_memberships(self, account: str, profile_id: str) -> list[Membership]: ...

    def add_evidence(self, account: str, evidence: Evidence) -> None: ...

    def repoint_evidence(self, account: str, source: str, target: str) -> None: ...

    def evidence(self, account: str) -> list[Evidence]: ...

    def accounts(self) -> list[str]: ...

    def reset(self, account: str | None = None) -> None: ...


class Ids:
    """Ids as Klaviyo makes them: 26-character ULIDs for profiles and events, 6-character
    mixed-case ids for metrics and lists.

    With a ``seed`` they are the same on every run from the same state: the random part comes
    from the seeded generator, and the ULID's time part counts milliseconds from
    ``SEEDED_EPOCH`` instead of reading the clock. (Uniqueness is checked by the caller.)
    """

    _SHORT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    SEEDED_EPOCH = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)

    def __init__(self, clock: Clock = system_clock, seed: int | str | None = None) -> None:
        self._clock = clock
        self._random = random.Random(seed)
        self._ticks = itertools.count(self.SEEDED_EPOCH) if seed is not None else None
        self._last = (-1, 0)
        self._lock = threading.Lock()

    def ulid(self, now: datetime | None = None) -> str:
        """A ULID; monotonic, so that ids sort in the order they were made (within one
        millisecond the random part counts up, as the ULID spec's monotonic mode does). ``now``:
        the clock's reading, when the caller has one (seeded ids ignore it). Encoded by
        ulid-transform's C code: python-ulid's pure-Python encoder costs about fifteen times as
        much, on every event. python-ulid still parses ids, strictly."""
        if self._ticks is not None:
            millis = next(self._ticks)
        else:
            millis = int((self._clock() if now is None else now).timestamp() * 1000)
        with self._lock:
            if millis <= self._last[0]:
                millis, entropy = self._last[0], self._last[1] + 1
                if entropy >> 80:  # the spec's overflow: 2**79 ids in one millisecond
                    raise OverflowError("ULID random part exhausted within one millisecond")
            else:
                entropy = self._random.getrandbits(79)  # headroom to count up
            self._last = (millis, entropy)
        return bytes_to_ulid(((millis << 80) | entropy).to_bytes(16, "big"))

    def short(self) -> str:
        return "".join(self._random.choices(self._SHORT_ALPHABET, k=6))

    def hex(self, length: int) -> str:
        return f"{self._random.getrandbits(length * 4):0{length}x}"

    def uuid(self) -> str:
        """A version-4 UUID from the ids' generator (seeded with ``seed``)."""
        bits = self._random.getrandbits(128)
        bits = (bits & ~(0xF << 76)) | (4 << 76)  # version 4
        bits = (bits & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def shaped(self, shape: IdShape, number: int = 0) -> str:
        """An id of the given shape; ``number`` is the next sequence number of its type (for
        ids that are numbers)."""
        if shape is IdShape.SHORT:
            return self.short()
        if shape is IdShape.HEX32:
            return self.hex(32)
        if shape is IdShape.HEX12:
            return self.hex(12)
        if shape is IdShape.UUID:
            return self.uuid()
        if shape is IdShape.NUMBER:
            return str(number)
        return self.ulid()


class IdShape(enum.Enum):
    """The shapes of Klaviyo's ids, read off the examples the document gives for each type."""

    ULID = "ulid"  # 01GDDKASAP8TKDDA2GRZDSVP4H (profiles, events, most newer types)
    SHORT = "short"  # Y6nRLr (lists, forms, metrics, flows, templates, segments)
    HEX32 = "hex32"  # 925e385b52fb405715f3616c337cc65c (custom metrics, reviews…)
    HEX12 = "hex12"  # 925e385b52fb (web feeds)
    UUID = "uuid"  # tags and tag groups
    NUMBER = "number"  # 7 (images), 1234567 (form versions)

    @classmethod
    def of(cls, example: str | None) -> IdShape:
        """The shape an example id has (a ULID when there is no example, or it is of no
        shape the mock makes: a type whose ids are built from its content makes its own)."""
        if example is None:
            return cls.ULID
        for shape, pattern in _SHAPES:
            if pattern.fullmatch(example):
                return shape
        return cls.ULID


_SHAPES = (
    (IdShape.ULID, re.compile(r"[0-9A-Z]{26}")),
    (IdShape.SHORT, re.compile(r"[A-Za-z0-9]{6}")),
    (IdShape.HEX32, re.compile(r"[0-9a-f]{32}")),
    (IdShape.HEX12, re.compile(r"[0-9a-f]{12}")),
    (IdShape.UUID, re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")),
    (IdShape.NUMBER, re.compile(r"[0-9]+")),
)

"""Where TinyDB keeps the state: in memory, and with a path in a snapshot and a write-ahead log.

TinyDB's own storages write the whole database on every change (``JSONStorage``) or every
thousand changes (``CachingMiddleware``): a cost that grows with the state and a crash window
that grows with the load. Here:

- ``InPlaceTable`` applies TinyDB's own insert/update/remove updaters to the stored table in
  place, instead of copying the whole table twice per write, and reports the documents each
  write touched.
- ``SnapshotStorage`` keeps the data in memory. With a path, each touched document is appended
  to a log (``PATH.log``, one JSON line per change); the lines are written and fsynced every
  ``flush_interval`` seconds by a background thread, or, ``durable``, before the store lets go
  of its lock (so before the call that made them is answered). At start the snapshot (``PATH``)
  is read and the log replayed; the whole state is written to a temporary file renamed over the
  snapshot (a checkpoint) at start, at a clean stop, and when the log outgrows the snapshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

Tables = dict[str, dict[str, Any]]

#: A checkpoint folds the log into the snapshot once the log is this big and bigger than it.
CHECKPOINT_AT = 64 * 1024 * 1024


class StateFileError(RuntimeError):
    """The state file exists but cannot be read as the mock's state. It is left untouched."""


class SnapshotStorage(Storage):
    """All data in memory; with a path, a snapshot plus a write-ahead log (module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        flush_interval: float = 1.0,
        durable: bool = False,
        lock: contextlib.AbstractContextManager[Any] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.log_path = self.path.with_name(self.path.name + ".log") if self.path else None
        self.durable = durable
        self._state_lock = lock or threading.RLock()  # held while the data changes
        self._data: Tables = self._load()
        replayed = self._replay()
        self._pending: list[str] = []
        self._pending_lock = threading.Lock()
        self._log: Any = None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if self.path is None:
            return
        self._check_writable()
        if replayed or not self.path.exists():
            self.checkpoint()
        self._log = open(self.path.with_name(self.path.name + ".log"), "ab")  # noqa: SIM115
        if not durable and flush_interval > 0:
            self._flusher = threading.Thread(
                target=self._flush_every,
                args=(flush_interval,),
                name="klaviyo-mock-log",
                daemon=True,
            )
            self._flusher.start()

    # -- opening ------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        """Fail at start, not at the first save, when the files cannot be written."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise StateFileError(
                f"{self.path}: cannot write the state file there ({error})"
            ) from None

    def _load(self) -> Tables:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise StateFileError(f"{self.path}: not a readable state file ({error})") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StateFileError(
                f"{self.path}: not a state file (expected a JSON object of tables)"
            )
        return data

    def _replay(self) -> int:
        """Apply the log to the snapshot. A torn last line (a crash mid-write) is dropped; any
        other unreadable line is an error, and the files are left as they are."""
        if self.log_path is None or not self.log_path.exists():
            return 0
        lines = self.log_path.read_bytes().split(b"\n")
        complete, torn = lines[:-1], lines[-1]  # after the last newline: a torn write or nothing
        for number, line in enumerate(complete, 1):
            try:
                change = json.loads(line)
                table = change["t"]
                if change.get("drop"):
                    self._data.pop(table, None)
                elif change["d"] is None:
                    self._data.get(table, {}).pop(change["k"], None)
                else:
                    self._data.setdefault(table, {})[change["k"]] = change["d"]
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise StateFileError(
                    f"{self.log_path}: line {number} is not a change ({error})"
                ) from None
        return len(complete) + bool(torn)

    # -- TinyDB's storage interface -----------------------------------------------------------

    def read(self) -> Tables:
        return self._data

    def write(self, data: Tables) -> None:
        self._data = data  # the changes themselves were recorded document by document

    def close(self) -> None:
        """Stop the flusher and fold everything into the snapshot."""
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join()
        if self.path is not None and self._log is not None:
            with self._state_lock:
                self.checkpoint()
                self._log.close()
                self._log = None

    # -- the log ------------------------------------------------------------------------------

    @property
    def logging(self) -> bool:
        return self.log_path is not None

    def record(self, table: str, key: str, document: Any) -> None:
        """Log that ``table[key]`` is now ``document`` (None: removed)."""
        line = json.dumps({"t": table, "k": key, "d": document}, separators=(",", ":"))
        with self._pending_lock:
            self._pending.append(line)

    def record_drop(self, table: str) -> None:
        with self._pending_lock:
            self._pending.append(json.dumps({"t": table, "drop": True}))

    def sync(self) -> None:
        """Write the log lines recorded so far and fsync them."""
        with self._pending_lock:
            if not self._pending or self._log is None:
                return
            lines, self._pending = self._pending, []
            self._log.write(("\n".join(lines) + "\n").encode())
            self._log.flush()
            os.fsync(self._log.fileno())

    def checkpoint(self) -> None:
        """Write the whole state as the new snapshot (aside, fsync, rename), then empty the log.
        The caller holds the state lock. If this dies halfway, the old snapshot and the log
        still describe the state (replaying a change twice changes nothing)."""
        if self.path is None:
            return
        self.sync()
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._data, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        with self._pending_lock:
            if self._log is not None:
                self._log.truncate(0)
                self._log.flush()
                os.fsync(self._log.fileno())
            elif self.log_path is not None:
                self.log_path.write_bytes(b"")

    def _flush_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.sync()
            if self._log is not None and self._log.tell() > max(
                CHECKPOINT_AT, self._snapshot_size()
            ):
                with self._state_lock:
                    self.checkpoint()

    def _snapshot_size(self) -> int:
        with contextlib.suppress(OSError, AttributeError):
            return self.path.stat().st_size  # type: ignore[union-attr]
        return 0


class _Tracked(MutableMapping[int, Any]):
    """A stored table (string document ids, as JSON needs) seen with the int ids that TinyDB's
    updaters use, without copying it, noting the documents an updater touches."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self.touched: set[str] = set()
        self.cleared = False

    def __getitem__(self, key: int) -> Any:
        name = str(key)
        self.touched.add(name)  # TinyDB's update changes the document it gets in place
        return self._raw[name]

    def __setitem__(self, key: int, value: Any) -> None:
        name = str(key)
        self.touched.add(name)
        self._raw[name] = value

    def __delitem__(self, key: int) -> None:
        name = str(key)
        self.touched.add(name)
        del self._raw[name]

    def __contains__(self, key: object) -> bool:
        return str(key) in self._raw

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def clear(self) -> None:
        self.cleared = True
        self.touched.clear()
        self._raw.clear()


class InPlaceTable(Table):
    """A TinyDB table whose writes cost O(1) instead of O(table size)."""

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        tables = self._storage.read() or {}
        raw = tables.setdefault(self.name, {})
        tracked = _Tracked(raw)
        updater(tracked)  # type: ignore[arg-type]
        storage = self._storage
        if isinstance(storage, SnapshotStorage) and storage.logging:
            if tracked.cleared:
                storage.record_drop(self.name)
            for key in tracked.touched:
                storage.record(self.name, key, raw.get(key))
        storage.write(tables)
        self.clear_cache()


class Database(TinyDB):
    table_class = InPlaceTable

    def drop_table(self, name: str) -> None:
        if isinstance(self.storage, SnapshotStorage) and self.storage.logging:
            self.storage.record_drop(name)
        super().drop_table(name)


def replace_with(new: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """An updater that replaces a document whole (TinyDB's ``update`` with a dict merges)."""

    def replace(doc: MutableMapping[str, Any]) -> None:
        doc.clear()
        doc.update(new)

    return replace

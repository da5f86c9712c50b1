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
  ``PATH.lock`` keeps a second process away from the same files.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
import threading
import weakref
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock against a second process
    fcntl = None  # type: ignore[assignment]

Tables = dict[str, dict[str, Any]]
log = logging.getLogger("klaviyo_mock")

#: A checkpoint folds the log into the snapshot once the log is this big and bigger than it.
CHECKPOINT_AT = 64 * 1024 * 1024


class StateFileError(RuntimeError):
    """The state file exists but cannot be read as the mock's state. It is left untouched."""


class _Log:
    """The write-ahead log: lines not yet written, the file, and their locks.

    Kept apart from the storage so that a storage dropped without ``close()`` (an app a test
    forgot) still gets its lines written and its files closed by a finalizer.
    """

    def __init__(self, path: Path, lock_path: Path) -> None:
        self.pending: list[str] = []
        self.pending_lock = threading.Lock()  # held only to append a line or take them all
        self.file_lock = threading.Lock()  # one writer at a time, so that lines keep their order
        self.guard = _exclusive(lock_path)
        self.file: Any = open(path, "ab")  # noqa: SIM115 - open for the storage's life

    def add(self, line: str) -> None:
        with self.pending_lock:
            self.pending.append(line)

    def sync(self) -> None:
        """Write the pending lines and fsync. Writers are not held up meanwhile. On an error
        the lines go back, a torn write is cut off, and the error is raised."""
        with self.file_lock:
            if self.file is None:
                return
            with self.pending_lock:
                lines, self.pending = self.pending, []
            if not lines:
                return
            start = os.fstat(self.file.fileno()).st_size
            try:
                self.file.write(("\n".join(lines) + "\n").encode())
                self.file.flush()
                os.fsync(self.file.fileno())
            except OSError:
                with contextlib.suppress(OSError):
                    self.file.truncate(start)
                with self.pending_lock:
                    self.pending[:0] = lines
                raise

    def size(self) -> int:
        return os.fstat(self.file.fileno()).st_size if self.file is not None else 0

    def empty(self) -> None:
        with self.file_lock:
            if self.file is not None:
                self.file.truncate(0)
                self.file.seek(0)
                os.fsync(self.file.fileno())

    def close(self) -> None:
        with self.file_lock:
            if self.file is not None:
                self.file.close()
                self.file = None
            self.guard.close()

    def abandon(self) -> None:
        """A finalizer's last rites: what was recorded reaches the file, nothing else."""
        with contextlib.suppress(OSError):
            self.sync()
        self.close()


def _exclusive(lock_path: Path) -> Any:
    """Hold ``PATH.lock`` so that two servers never share one state file."""
    handle = open(lock_path, "a")  # noqa: SIM115 - held for the storage's life
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StateFileError(
                f"{lock_path.with_suffix('')}: in use by another process ({lock_path} is locked)"
            ) from None
    return handle


class SnapshotStorage(Storage):
    """All data in memory; with a path, a snapshot plus a write-ahead log (module docstring).

    Opening reads the files and changes nothing; ``start()``, called once the store has checked
    what was read, takes the files: it locks them, folds the log into the snapshot and starts the
    flusher.
    """

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
        self.flush_interval = flush_interval
        self._state_lock = lock or threading.RLock()  # held while the data changes
        self._check_writable()
        self._data: Tables = self._load()
        self._replayed = self._replay()
        self._log: _Log | None = None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def start(self) -> None:
        if self.path is None or self.log_path is None or self._log is not None:
            return
        self._log = _Log(self.log_path, self.path.with_name(self.path.name + ".lock"))
        self._finalizer = weakref.finalize(self, _stop_and_abandon, self._stop, self._log)
        for stale in self.path.parent.glob(f".{self.path.name}.*"):  # a checkpoint cut short
            with contextlib.suppress(OSError):
                stale.unlink()
        if self._replayed or not self.path.exists():
            self.checkpoint()
        self._flusher = threading.Thread(
            target=_flush_every,
            args=(weakref.ref(self), self._stop, self.flush_interval),
            name="klaviyo-mock-log",
            daemon=True,
        )
        self._flusher.start()

    # -- opening ------------------------------------------------------------------------------

    def _check_writable(self) -> None:
        """Fail at start, not at the first save, when the files cannot be written."""
        if self.path is None or self.log_path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            os.close(fd)
            os.unlink(probe)
            open(self.log_path, "ab").close()
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
        if self._log is not None:
            with self._state_lock:
                self.checkpoint()
                self._log.close()
            if self._finalizer is not None:
                self._finalizer.detach()
            self._log = None

    # -- the log ------------------------------------------------------------------------------

    @property
    def logging(self) -> bool:
        return self.log_path is not None

    def record(self, table: str, key: str, document: Any) -> None:
        """Log that ``table[key]`` is now ``document`` (None: removed)."""
        if self._log is not None:
            self._log.add(json.dumps({"t": table, "k": key, "d": document}, separators=(",", ":")))

    def record_drop(self, table: str) -> None:
        if self._log is not None:
            self._log.add(json.dumps({"t": table, "drop": True}))

    def sync(self) -> None:
        """Write the log lines recorded so far and fsync them."""
        if self._log is not None:
            self._log.sync()

    def checkpoint(self) -> None:
        """Write the whole state as the new snapshot (aside, fsync, rename), then empty the log.
        The caller holds the state lock. If this dies halfway, the old snapshot and the log
        still describe the state (replaying a change twice changes nothing)."""
        if self.path is None or self._log is None:
            return
        self._log.sync()
        target = Path(os.path.realpath(self.path))  # through a symlink, not over it
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._data, handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_directory(target.parent)
        self._log.empty()

    def checkpoint_if_big(self) -> None:
        """Fold the log into the snapshot once it has outgrown it."""
        if self._log is None or self.path is None:
            return
        with contextlib.suppress(OSError):
            if self._log.size() > max(CHECKPOINT_AT, self.path.stat().st_size):
                with self._state_lock:
                    self.checkpoint()


def _flush_every(ref: weakref.ref[SnapshotStorage], stop: threading.Event, interval: float) -> None:
    """The flusher thread. It holds the storage only while it works, so that a storage nobody
    closed can still be collected (its finalizer then stops this thread)."""
    failing = False
    while not stop.wait(interval):
        storage = ref()
        if storage is None:
            return
        try:
            storage.sync()
            storage.checkpoint_if_big()
        except OSError as error:
            if not failing:
                log.error("klaviyo-mock: cannot write %s (%s); will retry", storage.log_path, error)
            failing = True
        else:
            if failing:
                log.error("klaviyo-mock: writing %s again", storage.log_path)
            failing = False
        del storage


def _stop_and_abandon(stop: threading.Event, changes: _Log) -> None:
    stop.set()
    changes.abandon()


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` survive a power loss (where the platform allows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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

    def raw_documents(self) -> Iterable[Mapping[str, Any]]:
        """The stored documents themselves, uncopied (TinyDB's iteration copies each one):
        for reads that take a few fields from every document. Never change them."""
        return self._raw().values()

    def raw_items(self) -> Iterable[tuple[int, Mapping[str, Any]]]:
        """The stored documents with their ids, uncopied (see ``raw_documents``)."""
        return ((int(key), doc) for key, doc in self._raw().items())

    def raw_document(self, doc_id: int) -> Mapping[str, Any] | None:
        """One stored document itself, uncopied (see ``raw_documents``)."""
        return self._raw().get(str(doc_id))

    def _raw(self) -> dict[str, Mapping[str, Any]]:
        tables = self._storage.read() or {}
        documents: dict[str, Mapping[str, Any]] = tables.get(self.name) or {}
        return documents

    def insert(self, document: Mapping[str, Any]) -> int:
        """TinyDB's ``insert`` of a new document (the store's every event), put straight into
        the stored table: TinyDB's own builds an updater and a tracking view for one key."""
        if isinstance(document, self.document_class) or not isinstance(document, dict):
            return super().insert(document)  # TinyDB's rules for given ids and other mappings
        doc_id: int = self._get_next_id()  # type: ignore[no-untyped-call]
        tables = self._storage.read() or {}
        raw = tables.setdefault(self.name, {})
        key = str(doc_id)
        if key in raw:
            raise ValueError(f"Document with ID {key} already exists")
        raw[key] = dict(document)
        self._written(tables, raw, (key,))
        return doc_id

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        tables = self._storage.read() or {}
        raw = tables.setdefault(self.name, {})
        tracked = _Tracked(raw)
        updater(tracked)  # type: ignore[arg-type]
        storage = self._storage
        if tracked.cleared and isinstance(storage, SnapshotStorage) and storage.logging:
            storage.record_drop(self.name)
        self._written(tables, raw, tracked.touched)

    def _written(self, tables: Tables, raw: dict[str, Any], touched: Iterable[str]) -> None:
        """Log the documents a write touched (with a path) and hand the tables back."""
        storage = self._storage
        if isinstance(storage, SnapshotStorage) and storage.logging:
            for key in touched:
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

"""One lock makes each identity decision atomic (klaviyo-behavior.md §8)."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import PUBLIC
from conftest import b64

from mockserver import create_app
from mockserver.store import TinyDBStore

THREADS = 8
EMAILS = [f"person{i}@example.com" for i in range(50)]


@pytest.fixture(autouse=True)
def slow_lookups(monkeypatch):
    """Widen the window between "nobody has this email" and "create": without the lock held
    across the whole decision, threads now reliably create duplicates."""
    owner_of = TinyDBStore.owner_of

    def slow_owner_of(self, *args):
        owner = owner_of(self, *args)
        time.sleep(0.0002)  # let the other threads run before this answer is acted on
        return owner

    monkeypatch.setattr(TinyDBStore, "owner_of", slow_owner_of)


def test_8_threads_identifying_the_same_50_new_emails_make_50_profiles():
    app = create_app({"TESTING": True})
    barrier = threading.Barrier(THREADS)
    answers: list[bytes] = []

    def worker(thread: int) -> None:
        client = app.test_client()
        barrier.wait()
        for i in range(len(EMAILS)):
            email = EMAILS[i]  # every thread in the same order: maximal contention
            data = b64({"token": PUBLIC, "properties": {"$email": email, "thread": thread}})
            answers.append(client.get("/api/identify", query_string={"data": data}).data)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    klaviyo = app.extensions["klaviyo_mock"]
    profiles = klaviyo.profiles("default")
    assert answers == [b"1"] * (THREADS * len(EMAILS))
    assert len(profiles) == len(EMAILS)
    assert sorted(p.identifiers[next(iter(p.identifiers))] for p in profiles) == sorted(EMAILS)


def test_concurrent_tracks_with_one_event_id_record_one_event():
    app = create_app({"TESTING": True})
    barrier = threading.Barrier(THREADS)

    def worker() -> None:
        client = app.test_client()
        barrier.wait()
        data = b64({"token": PUBLIC, "event": "Paid", "customer_properties": {"$id": "U"},
                    "properties": {"$event_id": "order-1"}})  # fmt: skip
        client.get("/api/track", query_string={"data": data})

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    klaviyo = app.extensions["klaviyo_mock"]
    assert len(klaviyo.profiles("default")) == 1
    assert len(klaviyo.store.events("default")) == 1

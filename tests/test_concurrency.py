"""Counters, budgets and claims stay exact when many connections write at once: on
SQLite (one file, the writers' queue) and on PostgreSQL (no file lock; what two nodes
share is guarded by atomic upserts, row locks and advisory locks)."""

from __future__ import annotations

import threading
from datetime import timedelta

from surveyapp import storage
from surveyapp.services import invitations
from tests.helpers import record_scored, sql


def together(database, work, threads: int = 4) -> list:
    """Run ``work(connection, index)`` in ``threads`` threads at once, each on its own
    connection (as separate workers or nodes would); their results."""
    start = threading.Barrier(threads)
    results: list = [None] * threads
    errors: list[BaseException] = []

    def run(index):
        connection = storage.connect(database)
        try:
            start.wait(timeout=10)
            results[index] = work(connection, index)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    return results


def test_failed_logins_counted_from_many_workers_add_up_exactly(db, database):
    now = storage.utcnow()

    def fail(connection, _):
        for _ in range(25):
            storage.accounts.add_failure(connection, ["user:ana"], now, now - timedelta(minutes=15))

    together(database, fail)
    assert storage.accounts.recent_failures(db, ["user:ana"])[0]["failures"] == 100


def test_an_api_key_bucket_shared_by_many_workers_gives_out_each_token_once(db, database):
    def take(connection, _):
        return [
            storage.apikeys.take_token(connection, 7, rate=0.0, burst=1000.0, now=1.0)
            for _ in range(25)
        ]

    left = sorted(t for taken in together(database, take) for t in taken)
    assert left == [float(n) for n in range(900, 1000)]  # 100 takes, 100 different counts


def test_the_contact_budget_holds_when_creators_race_for_one_customer(db, database, loaded):
    def invite(connection, _):
        outcomes = invitations.create(
            connection,
            loaded["cafe"],
            "meal",
            [invitations.Request("C-9", None, "fr")],
            base_url="http://x",
            valid_days=30,
            budget=invitations.Budget(max_per_30_days=1),
        )
        return outcomes[0].status

    assert sorted(together(database, invite)) == ["created", "skipped", "skipped", "skipped"]
    assert sql(db, "SELECT COUNT(*) FROM invitations").fetchone()[0] == 1


def test_webhook_workers_claiming_at_once_never_take_the_same_event(db, database, loaded):
    storage.webhooks.add_webhook(
        db, "cafe", "http://127.0.0.1:9/hooks", "whsec_x", ["response.created"]
    )
    for _ in range(60):
        record_scored(db, loaded["cafe"], "meal", {"experience": "positive"})

    def claim(connection, _):
        return [
            item["id"]
            for item in storage.webhooks.claim_deliveries(
                connection, storage.utcnow(), 20, per_endpoint=20
            )
        ]

    claimed = together(database, claim, threads=3)
    everything = [i for ids in claimed for i in ids]
    assert len(everything) == len(set(everything)) == 60  # each event claimed by one worker
    assert (
        storage.webhooks.claim_deliveries(db, storage.utcnow()) == []
    )  # leased, not due again yet


def test_admins_changing_follow_ups_at_once_keep_the_open_count_exact(db, database, loaded):
    ids = [record_scored(db, loaded["cafe"], "meal", {"experience": "negative"}) for _ in range(8)]

    def work(connection, index):
        for response_id in ids:
            status = "resolved" if (index + response_id) % 2 else "contacted"
            storage.followups.update_followup(
                connection, response_id, status=status, note=None, by="a"
            )

    together(database, work)
    still_open = sql(db, "SELECT COUNT(*) FROM followups WHERE status != 'resolved'")
    assert storage.followups.open_followups(db, "cafe").get("meal", 0) == still_open.fetchone()[0]


def test_a_job_runs_on_one_node_at_a_time(db, database):
    other = storage.connect(database)
    try:
        with (
            storage.exclusive(db, "digest-test") as first,
            storage.exclusive(other, "digest-test") as second,
        ):
            assert (first, second) == (True, False)
        with storage.exclusive(other, "digest-test") as again:
            assert again is True  # released when the first one ended
    finally:
        other.close()

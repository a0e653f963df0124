"""What one submit asks of SQLite: statements run and pages written, ours against the
baseline's.

    .venv/bin/python benchmarks/submit_writes.py [--submits 500]

Posts the benchmark's answer mix (3 in 5 glad, 1 so-so, 1 in pain) to real invitation
links of the café journey through the WSGI app, and the same answers to
benchmarks/baseline_app.py, each on a fresh SQLite file with automatic checkpoints off,
and prints per submit the SQL statements the driver ran (sqlite3's trace callback; BEGIN
and COMMIT included) and the pages the commits wrote to the WAL (its growth over the
frame size). Both are what the time of a submit's transaction follows; they do not
change from one machine to another (issue 18).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from common import ROOT, cafe_links, csrf_of, fresh_instance  # benchmarks/common.py

sys.path.insert(0, str(ROOT))
from benchmarks.submit import ANSWERS  # noqa: E402  # the same mix as the load benchmark

PAGE = 4096
FRAME = PAGE + 24  # a WAL frame: a page and its header


def counting(connection: sqlite3.Connection, counter: list[int]) -> None:
    """Count the statements this driver connection runs, and stop its checkpoints (so
    that the WAL only grows)."""
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.set_trace_callback(lambda _sql: counter.__setitem__(0, counter[0] + 1))


def wal_size(database: Path) -> int:
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=500)
    args = parser.parse_args()
    workdir, _env = fresh_instance("bench-writes-")

    import sqlalchemy as sa

    from benchmarks.baseline_app import create_app as create_baseline
    from surveyapp import create_app, storage

    database = workdir / "surveyapp.db"
    tokens = cafe_links(database, args.submits + 20)
    app = create_app()
    client = app.test_client()
    page = client.get("/j/cafe/meal?lang=fr").get_data(as_text=True)
    csrf = csrf_of(page)
    for i, token in enumerate(tokens[:20]):  # warm up: statements compiled, pages read
        client.post(
            f"/s/{token}",
            data=f"{ANSWERS[i % 5]}&csrf_token={csrf}",
            content_type="application/x-www-form-urlencoded",
        )

    ours = [0]
    engine = storage.database.engine(str(database))
    engine.dispose()  # new connections, counted
    sa.event.listen(engine, "connect", lambda dbapi, _record: counting(dbapi, ours))
    before = wal_size(database)
    for i, token in enumerate(tokens[20:]):
        posted = client.post(
            f"/s/{token}",
            data=f"{ANSWERS[i % 5]}&csrf_token={csrf}",
            content_type="application/x-www-form-urlencoded",
        )
        assert posted.status_code == 303, posted.status_code
    our_pages = (wal_size(database) - before) / FRAME

    baseline_db = workdir / "baseline.db"
    baseline = create_baseline(str(baseline_db)).test_client()
    theirs = [0]
    baseline.post("/submit", data=ANSWERS[0], content_type="application/x-www-form-urlencoded")
    (connection,) = baseline.application.extensions["baseline.connections"].values()
    counting(connection, theirs)
    before = wal_size(baseline_db)
    for i in range(args.submits):
        baseline.post(
            "/submit", data=ANSWERS[i % 5], content_type="application/x-www-form-urlencoded"
        )
    their_pages = (wal_size(baseline_db) - before) / FRAME

    n = args.submits
    print(f"{n} submits of the benchmark's answer mix, per submit:")
    print(f"  ours:     {ours[0] / n:4.1f} statements, {our_pages / n:4.1f} pages written")
    print(f"  baseline: {theirs[0] / n:4.1f} statements, {their_pages / n:4.1f} pages written")


if __name__ == "__main__":
    main()

"""Benchmark: the follow-up inbox with 100,000 open moments of pain.

    .venv/bin/python benchmarks/inbox.py [--items 100000] [--repeat 20] [--postgres]

The café journey with ``--items`` open follow-ups spread over its moments, channels,
languages and the last 60 days (a fifth of them owned): the median server time
(Flask's test client, logged in beforehand, so the server's work only) of the inbox
page unfiltered, filtered as the dashboard's link does, with every filter combined and
far into the pages, searching text (the one filter that reads the responses too), and
one item's page. The issue's target: under 100 ms for a filtered, paged inbox. With
``--postgres``, on a throwaway PostgreSQL cluster on 127.0.0.1 (tests/postgres.py).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta

from common import cafe_database, logged_in, median_ms, on_engine  # benchmarks/common.py


def fill(db, journey, items: int) -> int:
    """``items`` negative responses with their open follow-ups; the id of the last."""
    import sqlalchemy as sa

    from surveyapp import storage
    from surveyapp.storage import tables

    rng = random.Random(7)
    now = storage.utcnow()
    moments = [m.id for m in journey.moments]
    batch = 5_000
    last = 0
    for start in range(0, items, batch):
        rows = []
        for i in range(start, min(items, start + batch)):
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
            why = rng.choice(("froid", "lent", "cher"))
            rows.append(
                {
                    "journey_id": journey.id,
                    "moment_id": rng.choice(moments),
                    "created_at": storage.iso(created),
                    "day": storage.day_of(created),
                    "locale": rng.choice(("fr", "ro", "en")),
                    "channel": rng.choice(("link", "qr", "email", "personal")),
                    "polarity": "negative",
                    "answers": json.dumps({"experience": "negative", "why": why}),
                    "comment": why,  # as the survey pages store it
                    "customer_ref": f"C-{i}",
                }
            )
        with storage.transaction(db):
            ids = db.execute(
                sa.insert(tables.responses).returning(
                    tables.responses.c.id, sort_by_parameter_order=True
                ),
                rows,
            ).scalars()
            followups = [
                {
                    "response_id": response_id,
                    "journey_id": row["journey_id"],
                    "moment_id": row["moment_id"],
                    "status": "open" if rng.random() < 0.8 else "contacted",
                    "updated_at": row["created_at"],
                    "created_at": row["created_at"],
                    "channel": row["channel"],
                    "locale": row["locale"],
                    "owner": "bench" if rng.random() < 0.2 else None,
                }
                for response_id, row in zip(ids, rows, strict=True)
            ]
            db.execute(sa.insert(tables.followups), followups)
            last = followups[-1]["response_id"]
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres", action="store_true", help="on a throwaway PostgreSQL cluster instead"
    )
    on_engine(measure, parser.parse_args())


def measure(args, database: str | None) -> None:
    from surveyapp import create_app

    db, journey = cafe_database("bench-inbox-", database)
    t0 = time.perf_counter()
    last = fill(db, journey, args.items)
    db.commit()
    print(f"{args.items:,} open follow-ups stored in {time.perf_counter() - t0:.1f} s")
    client = logged_in(create_app({"SECRET_KEY": "bench"}))

    def timed(path: str) -> tuple[float, int]:
        return median_ms(client, path, args.repeat), len(client.get(path).get_data())

    inbox = "/admin/j/cafe/followups"
    pages = {
        "unfiltered, page 1": inbox,
        "the dashboard's link (a moment, not resolved)": f"{inbox}?moment=meal&status=unresolved",
        "overdue, soonest due first": f"{inbox}?age=overdue&sort=due",
        "every filter but text, page 20": (
            f"{inbox}?moment=meal&status=open&owner=-&age=720&channel=qr&locale=ro&page=20"
        ),
        "unfiltered, page 1,000": f"{inbox}?page=1000",
        "text search, page 1": f"{inbox}?q=froid",
        "text search with a moment, page 5": f"{inbox}?q=froid&moment=meal&page=5",
        "one item's page": f"{inbox}/{last}",
    }
    engine = "PostgreSQL" if database else "SQLite"
    print(f"follow-up inbox, {args.items:,} open items, {engine} (median of {args.repeat}):")
    for name, path in pages.items():
        ms, size = timed(path)
        print(f"  {name:<48} {ms:7.1f} ms  ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()

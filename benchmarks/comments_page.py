"""Benchmark: a moment's comments page, its terms and themes, and comment search.

    .venv/bin/python benchmarks/comments_page.py [--comments 200000] [--repeat 5] [--postgres]

The café journey with ``--comments`` comments on its meal moment (half on negative
answers, half on positive ones, in French and Romanian, from
services/comment_simulator.py), spread over the last 60 days, and the demo's three
themes: the median server time (Flask's test client, logged in beforehand) of the
comments page with its terms and themes (page 1, read from the newest 20,000 comments),
of its list alone (page 2), and of searches (the full-text index,
storage/comment_search.py): a word in half the comments, one in 1%, two words, one
nobody wrote. Issue 31's targets: search page 1 under 50 ms; a moment's terms in under
2 s at 1,000,000 comments. With ``--postgres``, on a throwaway PostgreSQL cluster on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta
from pathlib import Path

import yaml
from common import cafe_database, logged_in, median_ms, on_engine  # benchmarks/common.py

ROOT = Path(__file__).resolve().parent.parent


def fill(db, journey, count: int) -> None:
    """``count`` comments on the meal moment, half of them on negative answers."""
    import sqlalchemy as sa

    from surveyapp import storage
    from surveyapp.services.comment_simulator import simulate
    from surveyapp.storage import tables

    rng = random.Random(7)
    now = storage.utcnow()
    said = {locale: simulate(3, locale, 2_000) for locale in ("fr", "ro")}
    batch = 5_000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
            locale = rng.choice(("fr", "ro"))
            pain = i % 2 == 0
            texts = said[locale].pain_comments if pain else said[locale].glory_comments
            polarity = "negative" if pain else "positive"
            comment = rng.choice(texts)
            rows.append(
                {
                    "journey_id": journey.id,
                    "moment_id": "meal",
                    "created_at": storage.iso(created),
                    "day": storage.day_of(created),
                    "locale": locale,
                    "channel": "link",
                    "polarity": polarity,
                    "answers": json.dumps({"experience": polarity, "why": comment}),
                    "comment": comment,
                }
            )
        with storage.transaction(db):
            db.execute(sa.insert(tables.responses), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL")
    on_engine(measure, parser.parse_args())


def measure(args, database: str | None) -> None:
    from surveyapp import create_app, storage
    from surveyapp.domain.themes import Theme

    db, journey = cafe_database("bench-comments-", database)
    themes = yaml.safe_load((ROOT / "surveyapp/cli/demo_themes.yaml").read_text("utf-8"))
    for theme in themes:
        storage.themes.save_theme(
            db, journey.id, Theme(None, theme["names"], theme["words"]), by="bench"
        )
    t0 = time.perf_counter()
    fill(db, journey, args.comments)
    print(f"{args.comments:,} comments stored in {time.perf_counter() - t0:.1f} s")
    if database:  # as autovacuum would soon after such a load: the planner's statistics
        db.exec_driver_sql("ANALYZE responses")
        db.commit()
    client = logged_in(create_app({"SECRET_KEY": "bench"}))

    page = "/admin/j/cafe/m/meal/comments"
    pages = {
        "page 1: list, terms and themes": page,
        "page 2: the list alone": f"{page}?page=2",
        "a common word searched, page 1": f"{page}?q=venu",
        "a common word searched, page 5": f"{page}?q=venu&page=5",
        "a word in 1% of comments, page 1": f"{page}?q=retards",
        "two words, page 1": f"{page}?q=asteptare+luat",
        "a word no one wrote, page 1": f"{page}?q=zzyzx",
    }
    engine = "PostgreSQL" if database else "SQLite"
    print(f"comments page, {args.comments:,} comments, {engine} (median of {args.repeat}):")
    for name, path in pages.items():
        print(f"  {name:<46} {median_ms(client, path, args.repeat):8.1f} ms")


if __name__ == "__main__":
    main()

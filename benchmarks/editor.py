"""Benchmark: the journey editor with the largest journey the format allows.

    .venv/bin/python benchmarks/editor.py [--moments 50] [--repeat 20]

A journey of 50 moments in three languages (names and descriptions in each, review
links): the median server time (Flask's test client, login done beforehand, the
server's work only) of the editor page, a *Check*, the live preview of
one moment, moving a moment, and *Publish* of a changed definition (each one a new version). Every
button posts the whole page back, so these are what a manager waits for at each click.
No target in the issue; the admin pages' is < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import csrf_of, logged_in  # benchmarks/common.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.helpers import form_fields  # noqa: E402  # what a browser posts


def big_journey(moments: int):
    from surveyapp.domain.journeys import validate

    return validate(
        {
            "id": "big",
            "brand": "Grand Magasin",
            "default_locale": "fr",
            "locales": ["fr", "ro", "en"],
            "after_answer": {
                "review_links": {loc: f"https://example.com/{loc}" for loc in ("fr", "ro", "en")}
            },
            "moments": [
                {
                    "id": f"moment-{i}",
                    "kind": ("zmot", "fmot", "smot", "amot", "lmot")[i % 5],
                    "channel": "store",
                    "name": {"fr": f"Moment {i}", "ro": f"Momentul {i}", "en": f"Moment {i}"},
                    "description": {loc: f"Description {i} ({loc})" for loc in ("fr", "ro", "en")},
                }
                for i in range(moments)
            ],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-editor-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)

    from surveyapp import create_app, storage
    from surveyapp.services import accounts

    db = storage.open_database(instance / "surveyapp.db")
    storage.journeys.store_journeys(db, [big_journey(args.moments)])
    accounts.create(db, "bench", "benchmark password", "admin")
    db.commit()
    client = logged_in(create_app({"SECRET_KEY": "bench"}))
    edit = "/admin/j/big/edit"
    page = client.get(edit).get_data(as_text=True)
    fields = form_fields(page, "editor")
    assert csrf_of(page) == fields["csrf_token"]

    def timed(send) -> float:
        send(-1)  # warm up once
        samples = []
        for n in range(args.repeat):
            t0 = time.perf_counter()
            send(n)
            samples.append((time.perf_counter() - t0) * 1000)
        return statistics.median(samples)

    def post(path: str, action: str, status: int, **changes):
        def send(n: int):
            data = fields.copy()
            data.setlist("action", [action])
            for name, value in changes.items():
                data.setlist(name, [value.format(n=n)])
            if action == "publish":
                data.setlist("based_on", [str(storage.journey_versions.latest_number(db, "big"))])
            response = client.post(path, data=data)
            assert response.status_code == status, (action, response.status_code)

        return send

    figures = {
        "editor page": timed(lambda n: client.get(edit)),
        "check": timed(post(edit, "check", 200)),
        "move a moment": timed(post(edit, "down-3", 200)),
        "live preview of one moment": timed(
            post("/admin/editor-preview?moment=7&language=ro", "check", 200)
        ),
        "publish a change": timed(post(edit, "publish", 303, **{"moments-3-name_fr": "M {n}"})),
    }
    print(f"journey editor, {args.moments} moments in 3 languages (median of {args.repeat}):")
    print(f"  (the page is {len(page.encode()) / 1024:.0f} KiB)")
    for name, ms in figures.items():
        print(f"  {name:<28} {ms:7.1f} ms")


if __name__ == "__main__":
    main()

"""Benchmark: creating invitations from a CSV, sending them over SMTP, and the admin
pages that follow them.

    .venv/bin/python benchmarks/invitations.py [--rows 100000] [--messages 2000]
                                               [--repeat 20]

Prints invitations/s for reading a 100,000-row CSV and creating the invitations
(one transaction, on a real SQLite file), the same through the `surveyapp invite`
command end to end, and messages/s sent to a local aiosmtpd server over one
connection. Targets (issue 3): >= 20,000 invitations/s, >= 100 messages/s.

Then, as a manager in the browser would (Flask's test client, login done beforehand, the
server's work only): the same CSV uploaded on the invite page, and the median server
time of a moment's invitation list with 100,000 invitations (first page, a state, a deep
page, a search) and of the journey dashboard with its headline tiles and response rates.
Target (issue 14): each page under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DEMO_JOURNEYS, csrf_of, logged_in, median_ms  # benchmarks/common.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-invitations-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    os.environ["SURVEYAPP_CONTACT_BUDGET"] = "0"

    from surveyapp import settings, storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.services import invitation_csv, invitations, mailer

    journey = read_definition_file(DEMO_JOURNEYS / "cafe.yaml")
    db = storage.open_database(instance / "surveyapp.db")
    storage.journeys.store_journeys(db, [journey])

    csv_path = instance / "customers.csv"
    lines = ["customer;email;locale"] + [
        f"C-{i:07d};client{i}@example.ro;{'ro' if i % 2 else 'fr'}" for i in range(args.rows)
    ]
    csv_path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))

    start = time.perf_counter()
    requests, problems = invitation_csv.read_csv(csv_path.read_bytes())
    outcomes = invitations.create(
        db,
        journey,
        "meal",
        requests,
        base_url="https://s.example",
        valid_days=30,
        budget=invitations.Budget(0),
    )
    elapsed = time.perf_counter() - start
    created = sum(o.status == "created" for o in outcomes)
    assert created == args.rows and not problems
    print(
        f"core: {created:,} invitations from CSV in {elapsed:.2f} s = "
        f"{created / elapsed:,.0f} invitations/s (target >= 20,000)"
    )

    out = instance / "links.csv"
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("surveyapp")),
            "invite",
            "cafe",
            "bill",
            "--csv",
            str(csv_path),
            "--out",
            str(out),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    print(
        f"cli:  `surveyapp invite --csv` with {args.rows:,} rows, process start to exit: "
        f"{elapsed:.2f} s = {args.rows / elapsed:,.0f} invitations/s"
    )

    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    config = settings.load_settings(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "MAIL_FROM": "Café des Arts <surveys@cafe.example>",
        }
    )
    smtp = mailer.SmtpSettings.from_config(config)
    pending = storage.invitations.invitations_to_send(db, now=storage.utcnow(), retry=False)[
        : args.messages
    ]
    start = time.perf_counter()
    report = mailer.send_invitations(db, pending, settings=smtp, base_url="https://s.example")
    elapsed = time.perf_counter() - start
    controller.stop()
    assert report.sent == len(pending) == Sink.count, (report, Sink.count)
    print(
        f"smtp: {report.sent:,} localized emails (text + HTML) over one connection in "
        f"{elapsed:.2f} s = {report.sent / elapsed:,.0f} messages/s (target >= 100)"
    )
    db.close()
    pages(instance, csv_path, args.rows, args.repeat)


def pages(instance: Path, csv_path: Path, rows: int, repeat: int) -> None:
    """The admin pages' server time, on the database the benchmark filled."""
    import io

    from surveyapp import create_app, storage
    from surveyapp.services import accounts

    database = instance / "surveyapp.db"
    with storage.connect(database) as db:
        accounts.create(db, "bench", "benchmark password", "admin")
        # A realistic mix on the meal's invitations: most sent, some opened or answered.
        db.exec_driver_sql(
            "UPDATE invitations SET sent_at = created_at, send_attempts = 1 WHERE id % 10 < 8"
        )
        db.exec_driver_sql("UPDATE invitations SET opened_at = created_at WHERE id % 10 < 4")
        db.exec_driver_sql("UPDATE invitations SET answered_at = created_at WHERE id % 10 < 2")
        # The daily counts those steps would have kept, counted again from the invitations.
        db.exec_driver_sql("DELETE FROM invitation_tallies")
        db.exec_driver_sql(
            "INSERT INTO invitation_tallies SELECT journey_id, moment_id, "
            "substr(created_at, 1, 10), locale, count(*), count(sent_at), count(opened_at), "
            "count(answered_at), sum(email IS NULL OR sent_at IS NOT NULL "
            "OR answered_at IS NOT NULL) FROM invitations GROUP BY 1, 2, 3, 4"
        )
        db.exec_driver_sql("ANALYZE")
        db.commit()
    client = logged_in(create_app({"SECRET_KEY": "bench", "CONTACT_BUDGET": 0}))
    invite = "/admin/j/cafe/m/welcome/invite"
    token = csrf_of(client.get(invite).get_data(as_text=True))
    start = time.perf_counter()
    response = client.post(
        invite,
        data={
            "csrf_token": token,
            "delivery": "links",
            "customers": (io.BytesIO(csv_path.read_bytes()), "customers.csv"),
        },
        content_type="multipart/form-data",
    )
    elapsed = time.perf_counter() - start
    # The page stores the file and queues its import (a background job): the answer is
    # a redirect to the job's page. The import itself is measured by benchmarks/imports.py.
    assert response.status_code == 303, response.status_code
    print(
        f"web:  {rows:,} customers uploaded on the invite page ({csv_path.stat().st_size / 1e6:.1f}"
        f" MB), stored and queued in {elapsed:.2f} s of server time"
    )

    def timed(path: str) -> float:
        return median_ms(client, path, repeat)

    listing = "/admin/j/cafe/m/meal/invitations"
    figures = {
        "invitation list, first page": timed(listing),
        "invitation list, state 'opened'": timed(f"{listing}?state=opened"),
        "invitation list, page 1,000": timed(f"{listing}?page=1000"),
        "invitation list, search 'C-00123'": timed(f"{listing}?q=C-00123"),
        "journey dashboard with tiles": timed("/admin/j/cafe"),
    }
    print(f"pages with {rows:,} invitations of one moment (median of {repeat}, target < 100 ms):")
    for name, ms in figures.items():
        print(f"  {name:<36} {ms:7.1f} ms")


if __name__ == "__main__":
    main()

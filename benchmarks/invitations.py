"""Benchmark: creating invitations from a CSV, and sending them over SMTP.

    .venv/bin/python benchmarks/invitations.py [--rows 100000] [--messages 2000]

Prints invitations/s for reading a 100,000-row CSV and creating the invitations
(one transaction, on a real SQLite file), the same through the `surveyapp invite`
command end to end, and messages/s sent to a local aiosmtpd server over one
connection. Targets (issue 3): >= 20,000 invitations/s, >= 100 messages/s.
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

ROOT = Path(__file__).resolve().parent.parent
DEMO_JOURNEYS = ROOT / "surveyapp" / "cli" / "demo_journeys"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2_000)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-invitations-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    os.environ["SURVEYAPP_CONTACT_BUDGET"] = "0"

    from surveyapp import settings, storage
    from surveyapp.domain.definitions import read_definition_file
    from surveyapp.jobs import invitations, mailer

    journey = read_definition_file(DEMO_JOURNEYS / "cafe.yaml")
    db = storage.open_database(instance / "surveyapp.db")
    storage.store_journeys(db, [journey])

    csv_path = instance / "customers.csv"
    lines = ["customer;email;locale"] + [
        f"C-{i:07d};client{i}@example.ro;{'ro' if i % 2 else 'fr'}" for i in range(args.rows)
    ]
    csv_path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))

    start = time.perf_counter()
    requests, problems = invitations.read_csv(csv_path.read_bytes())
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
    pending = storage.invitations_to_send(db, now=storage.utcnow(), retry=False)[: args.messages]
    start = time.perf_counter()
    report = mailer.send_invitations(db, pending, settings=smtp, base_url="https://s.example")
    elapsed = time.perf_counter() - start
    controller.stop()
    assert report.sent == len(pending) == Sink.count, (report, Sink.count)
    print(
        f"smtp: {report.sent:,} localized emails (text + HTML) over one connection in "
        f"{elapsed:.2f} s = {report.sent / elapsed:,.0f} messages/s (target >= 100)"
    )


if __name__ == "__main__":
    main()

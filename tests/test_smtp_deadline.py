"""An SMTP server that answers a byte at a time never holds the sending worker: opening
the connection and sending each message end within SMTP_DEADLINE, and the email is
then tried again later like any failure."""

from __future__ import annotations

import socket
import threading

from surveyapp.services import mailer, outreach


def dripping_server() -> tuple[int, threading.Event]:
    """A listener on 127.0.0.1 whose greeting comes one byte every 0.2 s, for ever (until
    the test ends): each byte keeps a 30 s operation timeout from firing."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            while not done.wait(0.2):
                try:
                    conn.sendall(b"2")
                except OSError:  # the client shut its side: the deadline worked
                    return

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], done


def test_a_server_that_drips_its_greeting_is_cut_off_at_the_deadline():
    port, done = dripping_server()
    settings = mailer.SmtpSettings(
        host="127.0.0.1",
        port=port,
        user=None,
        password=None,
        security="none",
        sender="s@example.com",
        timeout=30,
        deadline=1,
    )
    message = outreach.message(
        settings.sender, to="a@example.com", subject="x", body="y", locale="en", reply_to=None
    )
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            mailer.Connection(settings).send(message)
        except BaseException as exc:  # what the worker would record
            outcome.append(exc)

    sender = threading.Thread(target=attempt, daemon=True)
    sender.start()
    sender.join(timeout=25)  # the test's own bound: without a deadline it would hang
    done.set()
    assert not sender.is_alive(), "the send was still waiting on the dripping server"
    (error,) = outcome
    assert isinstance(error, TimeoutError)
    assert mailer.describe_error(error).text("en") == (
        "the mail server did not answer in time (no answer within 1 seconds)"
    )

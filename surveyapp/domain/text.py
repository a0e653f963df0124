"""Rules for text from outside: what may reach an email header, a file or a log line, and
what counts as a number, what is an email address.

A carriage return or line feed there starts a new header or a new record; NUL and the
other control characters truncate or garble it. Such text is refused where it enters
(journey definitions, customer references, account names), not escaped where it leaves.
"""

from __future__ import annotations

import re
import unicodedata

import email_validator

#: Control characters (Unicode's category Cc: C0, DEL, C1) and the line and paragraph
#: separators (Zl, Zp), as one character class: an import checks a million customer
#: references, and a regular expression reads one 20 times faster than asking each
#: character's category (a test checks the class against unicodedata).
REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a line break, NUL, tab or another control character."""
    return REFUSED.search(text) is not None


def is_whole_number(text: str) -> bool:
    """Whether ``text`` is written with the digits 0-9 only. (``str.isdigit`` also takes
    ``²`` and ``٣``, which ``int()`` then refuses or reads otherwise.)"""
    return text.isascii() and text.isdigit()


def is_valid_email(address: str) -> bool:
    """Whether ``address`` is one email address that mail can be sent to, by
    email-validator's reading of RFC 5321/5322 (no DNS look-up): ``postmaster;x@…`` or
    ``a:b,c;@…`` would reach a server as several recipients or none, and are refused."""
    if len(address) > 254 or has_control_characters(address):
        return False
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def simplified(text: str) -> str:
    """``text`` as a name is compared: lower case, without accents, spaces, hyphens,
    underscores or dots (``Adresă de e-mail`` is ``adresadeemail``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))

"""The policy every email of ours is made with: the standard library's modern one, but
headers with non-ASCII text (a subject, a sender's display name) folded as the legacy
`email.header.Header` folds them.

Python 3.11's folder (email.policy.default) may put the space between two words in the
fold between two RFC 2047 encoded-words, where decoders must drop it: "Banca Verde vous
demande : comment s'est passé « … » ?" arrived as "s'estpassé", and a display name
"Île-de-France" as "Île-de -France" (CPython gh-144156, fixed after 3.11). ``Header``
puts the whole subject in encoded-words, its spaces inside them, so it decodes to the
exact text with the modern parser and with ``decode_header`` alike
(tests/test_email_headers.py). A display name is one encoded-word, whatever its length
(a name over about 40 characters makes a line longer than 78, which RFC 5322 allows up
to 998): 3.11's parser puts a space between adjacent encoded-words of a name, where
RFC 2047 decoders drop it, so a name in several would decode differently in each.
"""

from __future__ import annotations

from email.header import Header
from email.policy import EmailPolicy
from email.utils import formataddr

#: Headers of free text, and of addresses, whose folding is ours when not ASCII.
FREE_TEXT = frozenset({"subject"})
ADDRESSES = frozenset({"from", "to", "cc", "reply-to"})


class MailPolicy(EmailPolicy):
    """email.policy.default, with non-ASCII subjects and display names folded by
    ``email.header.Header``."""

    def _ours(self, name: str, value) -> bool:
        key = name.lower()
        if str(value).isascii() or key not in FREE_TEXT | ADDRESSES:
            return False
        return key in FREE_TEXT or all(a.addr_spec.isascii() for a in value.addresses)

    def _words(self, text: str, name: str) -> str:
        header = Header(text, "utf-8", maxlinelen=self.max_line_length, header_name=name)
        return header.encode(linesep=self.linesep)

    def _folded(self, name: str, value) -> str:
        if name.lower() in FREE_TEXT:
            text = self._words(str(value), name)
        else:
            text = f",{self.linesep} ".join(
                formataddr((a.display_name, a.addr_spec), charset="utf-8") for a in value.addresses
            )
        return f"{name}: {text}{self.linesep}"

    def fold(self, name, value):
        """The header as text, folded (see the module)."""
        return self._folded(name, value) if self._ours(name, value) else super().fold(name, value)

    def fold_binary(self, name, value):
        """The header as bytes, folded (see the module)."""
        if self._ours(name, value):
            return self._folded(name, value).encode("ascii")
        return super().fold_binary(name, value)


POLICY = MailPolicy()

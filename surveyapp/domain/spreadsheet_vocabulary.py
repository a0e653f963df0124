"""The words of the spreadsheets managers bring, each defined once: the encodings their
Excel saves a CSV in, the names they give its columns in French, Romanian and English,
and the ways they write a customer's language. A part of the service's vocabulary
(:mod:`.vocabulary`), kept apart for its size."""

from __future__ import annotations

from surveyapp.domain.vocabulary import N_

#: The encodings a CSV of customers may be in, as the invite page offers them: UTF-8
#: (Excel's "CSV UTF-8", LibreOffice, Google Sheets), and the legacy ones Excel's plain
#: "CSV" writes on Windows in France (1252) and Romania (1250), or older systems (8859-2).
CSV_ENCODINGS: dict[str, str] = {
    "utf-8": N_("UTF-8"),
    "cp1252": N_("Windows-1252 (Western Europe: French, English)"),
    "cp1250": N_("Windows-1250 (Central Europe: Romanian)"),
    "iso8859_2": N_("ISO-8859-2 (Central Europe: Romanian, older systems)"),
    "utf-16": N_("UTF-16 (Excel: “Unicode text”)"),
}
#: The legacy encodings tried when a file is not UTF-8, in this order when they tie.
LEGACY_ENCODINGS: tuple[str, ...] = ("cp1252", "cp1250", "iso8859_2")
#: The letters (beyond ASCII) of names and addresses in our languages and their
#: neighbours', and the punctuation Word and Excel put in them: a legacy encoding whose
#: reading of a file gives these is right, one that gives others (º þ ã ŕ č) is not.
EXPECTED_LETTERS = frozenset(
    "àâäæçéèêëîïôöœùûüÿÀÂÄÆÇÉÈÊËÎÏÔÖŒÙÛÜŸăâîșțşţĂÂÎȘȚŞŢáíóúñßÁÍÓÚÑ’‘“”«»–—€ "
)

#: What each column of a CSV of customers holds, as pages name it.
IMPORT_COLUMN_LABELS: dict[str, str] = {
    "customer": N_("Customer reference"),
    "email": N_("Email address"),
    "locale": N_("Language"),
}

#: A CSV's columns, as managers name them in fr, ro and en: each known name, compared
#: in lower case without accents, spaces, hyphens or underscores (``E-mail`` is
#: ``email``, ``Adresă de e-mail`` is ``adresadeemail``).
CSV_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "customer": (
        "customer",
        "customerid",
        "customerref",
        "customerreference",
        "client",
        "clientid",
        "idclient",
        "referenceclient",
        "numeroclient",
        "codclient",
        "referintaclient",
    ),
    "email": (
        "email",
        "emailaddress",
        "mail",
        "courriel",
        "adresseemail",
        "adressemail",
        "adresadeemail",
        "adresaemail",
    ),
    "locale": (
        "locale",
        "language",
        "lang",
        "langue",
        "limba",
        "limbaclientului",
    ),
}
#: The template a manager downloads, in her language: its columns' names, and the
#: separator her Excel expects (French and Romanian Excel split on semicolons).
CSV_TEMPLATES: dict[str, tuple[tuple[str, str, str], str]] = {
    "fr": (("client", "e-mail", "langue"), ";"),
    "ro": (("client", "e-mail", "limba"), ";"),
    "en": (("customer", "email", "language"), ","),
}
#: A customer's language as a cell may give it (compared as column names are): its code,
#: or its name in fr, ro or en.
LOCALE_NAMES: dict[str, str] = {
    "francais": "fr",
    "french": "fr",
    "franceza": "fr",
    "romana": "ro",
    "roumain": "ro",
    "romanian": "ro",
    "english": "en",
    "anglais": "en",
    "engleza": "en",
}

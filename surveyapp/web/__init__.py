"""The web layer: the app factory (:mod:`.app`), request glue shared by every page, and
one sub-package per blueprint (``survey``, ``admin``, ``api``) with its views, forms and
templates."""

"""A journey's branding: its accent colour and its logo, checked before any customer
sees them. The accent must keep WCAG AA contrast (4.5:1) as white button text on it and
as link text on the white page; the logo must be a real PNG or JPEG, small, never SVG
(a user's SVG can carry script)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveyapp.domain.i18n import N_
from surveyapp.domain.problems import Problem, problem, unknown_fields

FIELDS = ("accent", "logo")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: WCAG 2.1 AA for normal text (1.4.3); the accent carries text both ways.
MIN_CONTRAST = 4.5
MAX_LOGO_BYTES = 100 * 1024  # a header logo at twice its size fits in far less
MAX_LOGO_SIDE = 1000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
DATA_URI = re.compile(r"data:(image/(?:png|jpeg));base64,(.+)", re.S)


@dataclass(frozen=True)
class Logo:
    """A stored logo: its content address, type and size; ``data`` only while loading."""

    sha256: str
    content_type: str
    width: int
    height: int
    data: bytes | None = None

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"


@dataclass(frozen=True)
class Branding:
    accent: str | None = None
    logo: Logo | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.accent:
            data["accent"] = self.accent
        if self.logo:
            data["logo"] = {
                "sha256": self.logo.sha256,
                "type": self.logo.content_type,
                "width": self.logo.width,
                "height": self.logo.height,
            }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Branding:
        logo = data.get("logo")
        return cls(
            data.get("accent"),
            Logo(logo["sha256"], logo["type"], logo["width"], logo["height"]) if logo else None,
        )


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def read_logo(data: bytes) -> tuple[Logo | None, str | None, dict]:
    """A logo from its bytes, or the message id (and values) saying why it is refused."""
    if len(data) > MAX_LOGO_BYTES:
        return (
            None,
            N_("the logo is %(size)s KiB; at most %(max)s KiB"),
            {"size": len(data) // 1024, "max": MAX_LOGO_BYTES // 1024},
        )
    from PIL import Image, UnidentifiedImageError  # only when a logo is loaded

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind in LOGO_TYPES and max(width, height) <= MAX_LOGO_SIDE:
                image.verify()  # the whole file, not only its header
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind, width, height = None, 0, 0
    if kind not in LOGO_TYPES:
        return None, N_("the logo must be a PNG or JPEG image (SVG is not accepted)"), {}
    if max(width, height) > MAX_LOGO_SIDE:
        return (
            None,
            N_("the logo is %(width)s×%(height)s pixels; at most %(max)s on a side"),
            {"width": width, "height": height, "max": MAX_LOGO_SIDE},
        )
    sha = hashlib.sha256(data).hexdigest()
    return Logo(sha, LOGO_TYPES[kind], width, height, data), None, {}


def validate(raw: Any, base: Path | None, problems: list[Problem]) -> Branding | None:
    """Check a definition's ``branding``; a logo is a ``data:image/png;base64,...`` URI,
    or a file next to the definition when it is read from a file (``base``)."""
    add = lambda where, text, **values: problems.append(problem(where, text, **values))  # noqa: E731
    if not isinstance(raw, dict):
        add("branding", N_("must be a mapping with accent and/or logo"))
        return None
    before = len(problems)
    unknown_fields(raw, FIELDS, "branding", problems)
    accent = raw.get("accent")
    if accent is not None:
        if not isinstance(accent, str) or not COLOUR.fullmatch(accent):
            add("branding.accent", N_("must be a colour written #rrggbb"))
        elif (ratio := contrast(accent, "#ffffff")) < MIN_CONTRAST:
            add(
                "branding.accent",
                N_(
                    "%(colour)s is too light: white text on it, and it as text on white, "
                    "reach a contrast of %(ratio)s to 1, and WCAG AA needs %(min)s to 1"
                ),
                colour=accent,
                ratio=round(ratio, 1),
                min=float(MIN_CONTRAST),
            )
        accent = accent.lower()
    logo = None
    if "logo" in raw:
        data = _logo_bytes(raw["logo"], base, add)
        if data is not None:
            logo, message, values = read_logo(data)
            if message:
                add("branding.logo", message, **values)
    if len(problems) > before:
        return None
    return Branding(accent, logo)


def _logo_bytes(value: Any, base: Path | None, add) -> bytes | None:
    if not isinstance(value, str) or not value:
        add("branding.logo", N_("must be a %(form)s address or a file name"), form="data:")
        return None
    found = DATA_URI.fullmatch(value.strip())
    if found:
        try:
            return base64.b64decode(found.group(2), validate=True)
        except (binascii.Error, ValueError):
            add("branding.logo", N_("is not valid base64"))
            return None
    if value.startswith("data:"):
        add("branding.logo", N_("the logo must be a PNG or JPEG image (SVG is not accepted)"))
        return None
    if base is None:
        add(
            "branding.logo",
            N_(
                "a file name works only when the definition is read from a file; "
                "give a %(form)s address"
            ),
            form="data:",
        )
        return None
    path = (base / value).resolve()
    if base.resolve() not in path.parents:
        add("branding.logo", N_("must be a file in the definition's folder"))
        return None
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            add(
                "branding.logo",
                N_("the logo is %(size)s KiB; at most %(max)s KiB"),
                size=path.stat().st_size // 1024,
                max=MAX_LOGO_BYTES // 1024,
            )
            return None
        return path.read_bytes()
    except OSError as exc:
        add("branding.logo", N_("cannot read the file: %(error)s"), error=exc.strerror)
        return None

"""Names files are downloaded under: safe to show, safe to save, safe in a header.

A client's file name is only a suggestion. What is kept is its last path segment, without
control or formatting characters (a right-to-left override can make ``gpj.exe`` read as
``exe.jpg``), without characters Windows refuses, capped in length, and with an extension
that matches what the content really is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import quote

from openchance.files.content_types import DetectedType

MAX_FILENAME_LENGTH = 120
"""Characters, extension included (well under the 255 bytes most file systems allow)."""
FALLBACK_STEM = "attachment"

_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{digit}" for digit in range(1, 10)}
    | {f"lpt{digit}" for digit in range(1, 10)}
)
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,8}")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 !#$%&'()+,.;=@\[\]^_`{}~-]")

Disposition = Literal["inline", "attachment"]


def safe_filename(given: str, detected: DetectedType) -> str:
    """A download name for content of type ``detected`` that a client called ``given``.

    ``../../etc/report.PDF`` of a PDF becomes ``report.PDF``; ``holiday.pdf`` of a PNG
    becomes ``holiday.png`` (the content decides); a name with nothing left becomes
    ``attachment.<extension>``.
    """
    name = unicodedata.normalize("NFC", given)
    name = re.split(r"[/\\]", name)[-1]  # the last segment, whichever separator was used
    name = "".join(_visible(char) for char in name)
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not (dot and _EXTENSION.fullmatch(extension)):
        stem, extension = name, ""
    if extension.lower() not in detected.extensions:
        extension = detected.extension  # a wrong extension is replaced, a missing one added
    stem = stem.strip(" .") or FALLBACK_STEM
    if stem.lower().split(".")[0] in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    room = MAX_FILENAME_LENGTH - len(extension) - 1
    return f"{stem[:room].rstrip(' .') or FALLBACK_STEM}.{extension}"


def _visible(char: str) -> str:
    """Control, formatting, private and unassigned characters go; any space is a space."""
    category = unicodedata.category(char)
    if category[0] == "C":
        return ""
    return " " if category[0] == "Z" else char


def content_disposition(disposition: Disposition, filename: str) -> str:
    """A ``Content-Disposition`` value naming ``filename`` for every client (RFC 6266):
    an ASCII ``filename`` for old ones and the exact UTF-8 name in ``filename*``."""
    clean = "".join(char for char in filename if unicodedata.category(char)[0] != "C")
    ascii_name = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode("ascii")
    ascii_name = _ASCII_UNSAFE.sub("_", ascii_name).strip() or "download"
    encoded = quote(clean, safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"

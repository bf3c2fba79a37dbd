"""What an uploaded document is, decided by its bytes and never by its name.

Binary formats are recognised by their signatures through ``filetype`` (pure Python, no
libmagic), which also looks inside ZIP archives to tell Office Open XML (docx, xlsx, pptx)
and OpenDocument (odt, ods, odp) files apart from a plain ZIP. A file with no signature is
accepted as plain text only when it is UTF-8 without NUL or other control bytes (tab, line
breaks and form feed aside) and does not open like markup: the WHATWG MIME sniffing rules
that make a browser treat a file as HTML, plus XML and SVG, are refused, so an HTML page or
an SVG with a script never gets stored as "text".

Anything else, an executable whatever its name included, is ``unsupported_file_type``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import filetype

from openchance.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DetectedType:
    """An accepted kind of document."""

    content_type: str
    """The media type it is stored and served with."""
    extension: str
    """The extension a download name gets when its own does not fit the content."""
    extensions: frozenset[str]
    """Extensions (lower case, no dot) that fit the content."""
    label: str
    """For messages: "a PNG image"."""


def _kind(content_type: str, *extensions: str, label: str) -> DetectedType:
    return DetectedType(content_type, extensions[0], frozenset(extensions), label)


PDF = _kind("application/pdf", "pdf", label="a PDF document")
PNG = _kind("image/png", "png", "apng", label="a PNG image")
JPEG = _kind("image/jpeg", "jpg", "jpeg", "jpe", label="a JPEG image")
GIF = _kind("image/gif", "gif", label="a GIF image")
WEBP = _kind("image/webp", "webp", label="a WebP image")
ZIP = _kind(
    "application/zip",
    "zip",
    # Office and OpenDocument files are ZIP archives: one whose layout is not recognised
    # keeps its document extension rather than being renamed to .zip.
    *("docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"),
    label="a ZIP archive",
)
DOCX = _kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    label="a Word document",
)
XLSX = _kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    label="an Excel workbook",
)
PPTX = _kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    label="a PowerPoint presentation",
)
ODT = _kind("application/vnd.oasis.opendocument.text", "odt", label="an OpenDocument text")
ODS = _kind(
    "application/vnd.oasis.opendocument.spreadsheet", "ods", label="an OpenDocument spreadsheet"
)
ODP = _kind(
    "application/vnd.oasis.opendocument.presentation", "odp", label="an OpenDocument presentation"
)
EPUB = _kind("application/epub+zip", "epub", label="an EPUB book")
PLAIN_TEXT = _kind("text/plain", "txt", "md", "markdown", "csv", "tsv", label="plain text")

_BY_SIGNATURE: dict[str, DetectedType] = {
    "pdf": PDF,
    "png": PNG,
    "apng": PNG,  # an animated PNG is a PNG
    "jpg": JPEG,
    "gif": GIF,
    "webp": WEBP,
    "zip": ZIP,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
    "epub": EPUB,
}
"""``filetype``'s extension of an accepted signature → what it is stored as."""

ACCEPTED_DESCRIPTION = (
    "PDF, PNG, JPEG, GIF, WebP, ZIP, Word (docx), Excel (xlsx), PowerPoint (pptx), "
    "OpenDocument (odt, ods, odp), EPUB or plain UTF-8 text (txt, md, csv)"
)

_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
"""Bytes plain text never holds: NUL and the other C0 controls except tab, LF, FF and CR."""
_LEADING_SPACE = b"\t\n\x0c\r "
_UTF8_BOM = b"\xef\xbb\xbf"
_HTML_TAGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
)  # fmt: skip
"""WHATWG MIME Sniffing, "rules for identifying an unknown MIME type": a file that starts
(after white space) with one of these, then a space or ``>``, is sniffed as HTML."""
_TAG_END = frozenset(b" >")
_MARKUP_PREFIXES = (b"<!--", b"<?xml", b"<svg")


def detect_content_type(data: bytes) -> DetectedType:
    """What ``data`` is, when it is one of the accepted kinds; otherwise
    :class:`InvalidInput` ``unsupported_file_type`` (``empty_file`` for no bytes).

    Blocking for large text (it is decoded in full): run it in a worker thread.
    """
    if not data:
        raise InvalidInput("the file is empty", code="empty_file")
    signature = filetype.guess(data)
    if signature is not None:
        detected = _BY_SIGNATURE.get(str(signature.extension))
        if detected is None:
            raise _unsupported(f"{signature.mime} files are not accepted")
        return detected
    if _is_plain_text(data):
        return PLAIN_TEXT
    raise _unsupported("the file is not a document type that is accepted")


def _is_plain_text(data: bytes) -> bool:
    if _TEXT_CONTROL.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _looks_like_markup(data)


def _looks_like_markup(data: bytes) -> bool:
    head = data.removeprefix(_UTF8_BOM).lstrip(_LEADING_SPACE)[:64].lower()
    if head.startswith(_MARKUP_PREFIXES):
        return True
    for tag in _HTML_TAGS:
        if head.startswith(tag) and len(head) > len(tag) and head[len(tag)] in _TAG_END:
            return True
    return False


def _unsupported(reason: str) -> InvalidInput:
    return InvalidInput(f"{reason}: upload {ACCEPTED_DESCRIPTION}", code="unsupported_file_type")

"""Documents for attachment tests, made in memory: real PDFs, images, Office and
OpenDocument files, plain text, and the things that must be refused."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

from tests.factories.images import image_bytes

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT_TYPE = "application/vnd.oasis.opendocument.text"

HTML_PAGE = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>\n'
)
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
MARKDOWN = "# Brief\n\n* forecast *daily* demand\n* budget: 1 000 €\n".encode()
CSV = b"day,loaves\n2024-01-01,120\n2024-01-02,134\n"


def pdf_bytes() -> bytes:
    """A real one-page PDF (Pillow writes it)."""
    output = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 255, 255)).save(output, format="PDF")
    return output.getvalue()


def png_bytes() -> bytes:
    return image_bytes(format="PNG")


def zip_bytes(members: dict[str, bytes] | None = None) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (members or {"notes.txt": b"some notes"}).items():
            archive.writestr(name, data)
    return output.getvalue()


def office_bytes(part: str) -> bytes:
    """An Office Open XML package whose main part is ``part`` (``word/document.xml``,
    ``xl/workbook.xml``, ``ppt/presentation.xml``), laid out as Office writes it."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", part: b"<document/>"})


def odt_bytes() -> bytes:
    """An OpenDocument text: the ``mimetype`` member first and stored uncompressed."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_TYPE)
        archive.writestr("content.xml", b"<office:document-content/>")
    return output.getvalue()

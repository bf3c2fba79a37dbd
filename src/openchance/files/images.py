"""Uploaded images: checked by their content, never by their name, and re-encoded.

An upload is accepted only when Pillow recognises it as PNG, JPEG, WebP or GIF and can
decode it. Its dimensions are read from the header and checked before any pixel is
decoded (a small file can claim a huge canvas: a decompression bomb). The pixels are then
copied into a fresh image and written as WebP, so nothing of the original file survives:
no EXIF (GPS position, camera serial), no XMP, no comments, no trailing script.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from openchance.errors import InvalidInput

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DIMENSION = 4096
AVATAR_SIZE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
OUTPUT_CONTENT_TYPE = "image/webp"
OUTPUT_EXTENSION = "webp"


@dataclass(frozen=True, slots=True)
class EncodedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def check_upload_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
            code="file_too_large",
        )


def reencode_image(data: bytes, *, max_side: int = AVATAR_SIZE) -> EncodedImage:
    """``data`` as a clean WebP of at most ``max_side`` pixels a side (blocking: run it in
    a thread). Refuses what is not a real image (``unsupported_image``), a file over 5 MB
    (``file_too_large``) and a picture over 4096 px a side (``image_too_large``)."""
    check_upload_size(len(data))
    try:
        # A bomb far over Pillow's own pixel limit is refused inside open().
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            _check_dimensions(*image.size)  # from the header: nothing is decoded yet
            image.load()
            picture = ImageOps.exif_transpose(image)  # keep what the camera meant upright
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _unsupported() from None  # not an image, or a truncated or corrupt one
    has_alpha = picture.mode in {"RGBA", "LA", "PA"} or (
        picture.mode == "P" and "transparency" in picture.info
    )
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: no metadata can ride along.
    clean = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    output = io.BytesIO()
    clean.save(output, format="WEBP", quality=85, method=4)
    return EncodedImage(
        data=output.getvalue(),
        content_type=OUTPUT_CONTENT_TYPE,
        extension=OUTPUT_EXTENSION,
        width=clean.width,
        height=clean.height,
    )


def _check_dimensions(width: int, height: int) -> None:
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise InvalidInput(
            f"the image is {width}x{height} px; at most {MAX_DIMENSION} px a side",
            code="image_too_large",
        )


def _too_large() -> InvalidInput:
    return InvalidInput(f"the image is over {MAX_DIMENSION} px a side", code="image_too_large")


def _unsupported() -> InvalidInput:
    return InvalidInput("the file is not a PNG, JPEG, WebP or GIF image", code="unsupported_image")

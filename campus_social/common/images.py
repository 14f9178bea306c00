"""Uploaded pictures, made safe to keep: decoded, size-limited, re-encoded, stripped of metadata.

Every app that accepts a picture passes the upload through ``clean_image`` and stores what it
returns, never the upload itself.  Re-encoding from decoded pixels is what makes this safe: the
bytes we keep are written by Pillow, so nothing the sender hid in the file (EXIF with the GPS
position of their home, XMP, comments, trailing data, a script posing as a picture) survives.

The file's name and content type are ignored; only the decoder's verdict counts.  Animated GIFs
and WebPs keep their first frame only.
"""

import io
from typing import IO
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from campus_social.common.errors import Invalid

_ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_JPEG_QUALITY = 85
_READ_CHUNK = 64 * 1024


def clean_image(
    upload: UploadedFile | IO[bytes],
    *,
    max_bytes: int = 5 * 1024 * 1024,
    max_pixels: int = 40_000_000,
    max_side: int = 2048,
    field: str = "photo",
) -> ContentFile:
    """The picture re-encoded as a fresh JPEG (or PNG, when it has transparency).

    The EXIF orientation is applied, the longest side is cut to ``max_side``, and all metadata
    is dropped.  The returned file has a random name, so nothing of the sender's file name is
    kept either.  Raises ``Invalid`` (message under ``field``) for anything that is too large,
    not a JPEG/PNG/WebP/GIF, a decompression bomb, or damaged.
    """
    data = _read_at_most(upload, max_bytes, field=field)
    image = _decode(data, max_pixels=max_pixels, max_side=max_side, field=field)
    image = _upright(image)
    transparent = _has_transparency(image)
    image = _normalised(image, "RGBA" if transparent else "RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image built from the pixels alone: ``convert``, ``resize`` and friends copy
    # ``info`` (EXIF, XMP, ICC, comments), and some encoders write what they find there.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())

    out = io.BytesIO()
    if transparent:
        bare.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        bare.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid4().hex}.{extension}")


def _refuse(message: str, *, code: str, field: str) -> Invalid:
    return Invalid(message, code=code, fields={field: [message]})


def _too_large(max_bytes: int, *, field: str) -> Invalid:
    message = _("The picture is too large: at most %(size)s.") % {"size": filesizeformat(max_bytes)}
    return _refuse(message, code="image_too_large", field=field)


def _unsupported(*, field: str) -> Invalid:
    message = _("Please choose a photo in JPEG, PNG, WebP or GIF format.")
    return _refuse(message, code="image_format", field=field)


def _too_many_pixels(*, field: str) -> Invalid:
    message = _("The picture has too many pixels. Please choose a smaller picture.")
    return _refuse(message, code="image_too_many_pixels", field=field)


def _unreadable(*, field: str) -> Invalid:
    message = _("The picture could not be read; the file may be damaged. Please choose another.")
    return _refuse(message, code="image_unreadable", field=field)


def _read_at_most(upload: UploadedFile | IO[bytes], max_bytes: int, *, field: str) -> bytes:
    """The upload's bytes, refusing before reading on when it is over ``max_bytes``."""
    # Django knows an upload's size without reading it; a plain file-like is read in chunks
    # and abandoned as soon as it passes the limit, so a huge file is never held in memory.
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise _too_large(max_bytes, field=field)
    seekable = getattr(upload, "seekable", None)
    if callable(seekable) and seekable():
        upload.seek(0)
    buffer = bytearray()
    while len(buffer) <= max_bytes:
        chunk = upload.read(min(_READ_CHUNK, max_bytes + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    if len(buffer) > max_bytes:
        raise _too_large(max_bytes, field=field)
    return bytes(buffer)


def _decode(data: bytes, *, max_pixels: int, max_side: int, field: str) -> Image.Image:
    """The fully decoded first frame, after the format and dimensions have been checked."""
    if not data:
        raise _unsupported(field=field)
    try:
        # ``formats`` keeps Pillow from even trying its other decoders on untrusted bytes.
        image = Image.open(io.BytesIO(data), formats=_ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        # Pillow's own global guard (twice ``Image.MAX_IMAGE_PIXELS``) fired while opening.
        raise _too_many_pixels(field=field) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # UnidentifiedImageError is an OSError: not one of the accepted formats at all.
        raise _unsupported(field=field) from None
    if image.format not in _ACCEPTED_FORMATS:
        raise _unsupported(field=field)

    # Only the header has been read so far: refuse a bomb before a single pixel is decoded.
    # Checking here, rather than lowering ``Image.MAX_IMAGE_PIXELS``, leaves the global
    # alone for other code in the process.
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _unreadable(field=field)
    if width * height > max_pixels:
        raise _too_many_pixels(field=field)

    # A large JPEG can be decoded at 1/2, 1/4 or 1/8 scale for free; ``draft`` never goes
    # below the requested box, so the later downsizing still has enough pixels to work with.
    if image.format == "JPEG":
        image.draft("RGB", (max_side, max_side))
    try:
        image.load()
    except Image.DecompressionBombError:
        raise _too_many_pixels(field=field) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError):
        # Truncated or corrupt data; Pillow raises any of these depending on the decoder.
        raise _unreadable(field=field) from None
    return image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says, or as it is if that cannot be read."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # malformed EXIF raises all sorts of errors; it is dropped anyway
        return image


def _has_transparency(image: Image.Image) -> bool:
    """Whether any pixel is actually see-through (an opaque alpha channel does not count)."""
    if not image.has_transparency_data:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    lowest = alpha.getextrema()[0]  # one band, so a number rather than a tuple per band
    return isinstance(lowest, int | float) and lowest < 255


def _normalised(image: Image.Image, mode: str) -> Image.Image:
    if image.mode == "I" or image.mode.startswith("I;16"):
        # 16-bit greys would clip to white in a plain convert; scale them to 8 bits first.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image if image.mode == mode else image.convert(mode)

"""Load a published figure (PNG, JPEG, or a page of a PDF) into an RGB pixel array, safely.

A figure file comes from the user, so every way it can be wrong ends in an
:class:`~evidence_app.errors.InputError` that names the file: missing, empty, not an image,
an unsupported format, truncated or corrupt, or so large that decoding it would exhaust
memory. The declared size is checked *before* any pixel is decoded, which also guards
against decompression bombs (a tiny file that declares a gigantic image). PDF pages are
rendered by :mod:`~evidence_app.core.digitize.pdf` under the same size guard.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from evidence_app.core import limits
from evidence_app.core.safe_files import read_user_file
from evidence_app.errors import InputError

#: Largest image accepted, in pixels (width x height); see :mod:`evidence_app.core.limits`.
MAX_PIXELS = limits.MAX_PIXELS
#: Largest file accepted, in bytes.
MAX_FILE_BYTES = limits.MAX_FIGURE_BYTES
SUPPORTED_FORMATS = ("PNG", "JPEG")


@dataclass(frozen=True)
class FigureImage:
    """A decoded figure.

    Attributes
    ----------
    pixels
        ``(height, width, 3)`` ``uint8`` RGB array; transparency is composited onto white.
    sha256
        Hex SHA-256 of the file bytes, for provenance.
    source
        The file path as given (``"<array>"`` for in-memory images).
    format
        ``"PNG"``, ``"JPEG"`` or ``"PDF"``.
    page
        For a PDF, the page rendered (1-based); None for an image file.
    dpi
        For a PDF, the resolution the page was rendered at; None for an image file.
    """

    pixels: np.ndarray
    sha256: str
    source: str
    format: str
    page: int | None = None
    dpi: float | None = None

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.pixels.shape[0])


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_image(path: str | Path) -> FigureImage:
    """Read a PNG or JPEG figure into RGB pixels (a PDF page: :func:`~evidence_app.core.digitize.load.load_figure`).

    Raises :class:`InputError` if the file is missing, empty, not a PNG/JPEG image, truncated or
    corrupt, has a zero dimension, or declares more than :data:`MAX_PIXELS` pixels.
    """
    file = Path(path)
    data = read_figure_file(file, "image")
    pixels, fmt = decode_figure(data, source=file)
    return FigureImage(pixels, hashlib.sha256(data).hexdigest(), str(file), fmt)


def read_figure_file(file: Path, kind: str) -> bytes:
    """The bytes of a figure file (``kind``: "image" or "PDF", for the messages), refusing a
    missing, empty or over-large (:data:`MAX_FILE_BYTES`) file with an :class:`InputError`."""
    try:
        os.lstat(file)
    except FileNotFoundError:
        raise InputError(f"The {kind} file does not exist.", file=file) from None
    except (OSError, ValueError):
        pass  # a name too long, no permission: read_user_file names the reason
    data = read_user_file(file, kind=kind, max_bytes=MAX_FILE_BYTES)  # regular files only, size-capped
    if not data:
        raise InputError(f"The {kind} file is empty (0 bytes).", file=file)
    return data


def downsample(pixels: np.ndarray, factor: int) -> np.ndarray:
    """Shrink an RGB image by an integer ``factor`` averaging each block (as anti-aliasing
    would have drawn it at the lower resolution); edge pixels that do not fill a block are dropped."""
    if factor <= 1:
        return pixels
    h, w = (pixels.shape[0] // factor) * factor, (pixels.shape[1] // factor) * factor
    out = np.empty((h // factor, w // factor, 3), dtype=np.uint8)
    band = max(1, (1 << 22) // max(w * factor * 3, 1))  # output rows per step: a few MB of floats at a time
    for top in range(0, h // factor, band):
        rows = pixels[top * factor : min(top + band, h // factor) * factor, :w, :3]
        blocks = rows.reshape(-1, factor, w // factor, factor, 3)
        out[top : top + band] = np.round(blocks.mean(axis=(1, 3)))
    return out


def decode_figure(data: bytes, *, source: str | Path = "<bytes>") -> tuple[np.ndarray, str]:
    """Decode PNG/JPEG bytes into an ``(h, w, 3)`` ``uint8`` array, checking size first.

    Parameters
    ----------
    data
        The encoded file content.
    source
        Name used in error messages.

    Returns
    -------
    tuple
        The RGB pixel array and the format name.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above 2x its own limit raises) for huge images; we apply
            # our own limit below, before decoding, with a message a user understands.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise InputError(_too_large_message(None), file=source) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(
            "The file is not a readable PNG or JPEG image (is it another format, or damaged?).",
            file=source,
        ) from exc
    with image:
        if image.format not in SUPPORTED_FORMATS:
            raise InputError(
                f"{image.format} images are not supported; save the figure as PNG or JPEG.",
                file=source,
            )
        width, height = image.size
        if width <= 0 or height <= 0:
            raise InputError(f"The image has zero size ({width} x {height} pixels).", file=source)
        if width * height > MAX_PIXELS or max(width, height) > limits.MAX_IMAGE_SIDE:
            raise InputError(_too_large_message((width, height)), file=source)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.load()
                rgb = _to_rgb(image)
        except Image.DecompressionBombError as exc:
            raise InputError(_too_large_message((width, height)), file=source) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputError(f"The {image.format} image is truncated or corrupt ({exc}).", file=source) from exc
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)), str(image.format)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB, compositing transparency onto white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clipping.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max(initial=0) > 255 else 255.0
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(np.repeat(grey[:, :, None], 3, axis=2))
    return image.convert("RGB")


def _too_large_message(size: tuple[int, int] | None) -> str:
    declared = f" ({size[0]} x {size[1]} pixels)" if size else ""
    return (
        f"The image is too large{declared}; images over {MAX_PIXELS // 1_000_000} megapixels or "
        f"{limits.MAX_IMAGE_SIDE:,} pixels on a side are refused. Export or crop the figure at a lower resolution."
    )

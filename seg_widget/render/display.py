"""Window/level mapping of any image dtype to 8-bit display values, and transfer banding.

The browser draws 8-bit RGBA only, so uint16, signed and float images are mapped linearly from
contrast limits (low, high) to 0..255 once, in the kernel, whenever the limits change.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "AUTO_PERCENTILES",
    "auto_limits",
    "band_rows",
    "check_limits",
    "contrast_limits",
    "to_display",
]

#: The percentiles `auto_limits` maps to black and white.
AUTO_PERCENTILES = (0.5, 99.5)
# Float and wide-integer images: percentiles of a regular sample of at most this many values.
_PERCENTILE_SAMPLE = 1 << 20

# Elements per block of rows in `_map_linear`: ~1 MB of float32 temporaries, cache-sized.
_BLOCK_ELEMENTS = 1 << 18

# float32 is used while max(|low|, |high|) <= this * (high - low): errors stay below ~0.02 levels.
_FLOAT32_MAX_MAGNITUDE_PER_SPAN = 1024.0


def _check_image(image: np.ndarray) -> None:
    """Raise if `image` is not an (H,W), (H,W,3) or (H,W,4) bool/int/float ndarray."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image: expected a numpy.ndarray, got {type(image).__name__}")
    kind = image.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"image: expected a bool, integer or float dtype, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ValueError(f"image: expected shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")


def _colour_planes(image: np.ndarray) -> list[np.ndarray]:
    """Return the arrays whose values are colour: the image, or its first 3 planes if RGBA.

    Reducing the 3 colour planes of an RGBA image one by one is ~3x faster than reducing the
    strided ``image[..., :3]`` view.
    """
    if image.ndim == 3 and image.shape[2] == 4:
        return [image[..., channel] for channel in range(3)]
    return [image]


def _finite_min_max(values: np.ndarray) -> tuple[float, float] | None:
    """Return (min, max) of the finite entries of an array, or None if there are none."""
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    if math.isfinite(low) and math.isfinite(high):
        return low, high
    # fmin/fmax skip NaN at full speed; only ±inf needs the slower masked copy.
    low, high = float(np.fmin.reduce(values, axis=None)), float(np.fmax.reduce(values, axis=None))
    if math.isnan(low):
        return None
    if math.isfinite(low) and math.isfinite(high):
        return low, high
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    return float(finite.min()), float(finite.max())


def contrast_limits(image: np.ndarray) -> tuple[float, float]:
    """Return the default display limits (low, high) of an image, with low < high.

    uint8 images map to (0, 255) and bool images to (0, 1). Other integer and float images use
    the minimum and maximum over the finite values of the colour channels (the alpha channel of
    an (H, W, 4) image is ignored). An image without finite values gives (0.0, 1.0) and a
    constant image with value v gives (v, v + 1).

    Parameters
    ----------
    image : numpy.ndarray
        Array of shape (H, W), (H, W, 3) or (H, W, 4) with a bool, integer or float dtype.

    Returns
    -------
    tuple of float
        (low, high), both finite, low < high.

    Examples
    --------
    >>> import numpy as np
    >>> contrast_limits(np.array([[100, 4000]], dtype=np.uint16))
    (100.0, 4000.0)
    >>> contrast_limits(np.array([[np.nan, 2.5]]))
    (2.5, 3.5)

    """
    _check_image(image)
    if image.dtype == np.uint8:
        return 0.0, 255.0
    if image.dtype == np.bool_:
        return 0.0, 1.0
    limits = [m for plane in _colour_planes(image) if (m := _finite_min_max(plane)) is not None]
    if not limits:
        return 0.0, 1.0
    low, high = min(m[0] for m in limits), max(m[1] for m in limits)
    if high <= low:
        # Constant image. Beyond 2**53 adding 1 is lost in float64: step to the next float.
        high = low + 1.0 if low + 1.0 > low else math.nextafter(low, math.inf)
    return low, high


def auto_limits(image: np.ndarray) -> tuple[float, float]:
    """Return robust display limits: the 0.5th and 99.5th percentiles of the finite values.

    Over the colour channels (alpha ignored). A few saturated, dead or hot pixels do not
    decide the limits, as they do with `contrast_limits` (min..max). Exact for 8- and
    16-bit and bool images (from a histogram); for other dtypes computed over a regular
    sample of at most 2**20 values. When the percentiles coincide (a mostly constant image)
    the limits are `contrast_limits` instead.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(1000, dtype=np.uint16).reshape(10, 100)
    >>> image[0, :3] = 65535  # three saturated pixels
    >>> auto_limits(image)
    (7.0, 997.0)

    """
    _check_image(image)
    planes = _colour_planes(image)
    low_q, high_q = AUTO_PERCENTILES
    if image.dtype.kind == "b" or (image.dtype.kind == "u" and image.dtype.itemsize <= 2):
        counts = sum(np.bincount(plane.ravel(), minlength=2) for plane in planes)
        total = int(counts.sum())
        if total == 0:
            return contrast_limits(image)
        cumulative = np.cumsum(counts)
        # The nearest-rank percentile: the smallest value with at least q % at or below it.
        low = int(np.searchsorted(cumulative, max(1, math.ceil(total * low_q / 100))))
        high = int(np.searchsorted(cumulative, max(1, math.ceil(total * high_q / 100))))
    else:
        values = np.concatenate([_sample(plane) for plane in planes])
        if values.dtype.kind == "f":
            values = values[np.isfinite(values)]
        if values.size == 0:
            return contrast_limits(image)
        low, high = (float(v) for v in np.percentile(values, AUTO_PERCENTILES))
    if not low < high:
        return contrast_limits(image)
    return float(low), float(high)


def _sample(plane: np.ndarray) -> np.ndarray:
    """Return a regular sample of at most `_PERCENTILE_SAMPLE` values of ``plane``, flattened."""
    step = max(1, math.ceil(math.sqrt(plane.size / _PERCENTILE_SAMPLE)))
    return plane[::step, ::step].ravel()


def check_limits(limits: object, argument: str = "limits") -> tuple[float, float]:
    """Return `limits` as two finite floats with low < high, or raise naming ``argument``.

    >>> check_limits((0, 4095))
    (0.0, 4095.0)
    """
    return _check_limits(limits, argument, optional=False)


def _check_limits(
    limits: object, argument: str = "limits", *, optional: bool = True
) -> tuple[float, float]:
    """Return `limits` as two finite floats with low < high, or raise naming `limits`."""
    expected = (
        f"{argument}: expected {'None or ' if optional else ''}(low, high) finite reals "
        "with low < high"
    )
    try:
        low, high = limits  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{expected}, got {limits!r}") from None
    if not all(isinstance(v, (Real, np.integer, np.floating)) for v in (low, high)):
        raise TypeError(f"{expected}, got {limits!r}")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{expected}, got {limits!r}")
    return low, high


def _scaled(block: np.ndarray, low: float, high: float, work: type) -> np.ndarray:
    """Return ``(block - low) * 255 / (high - low)`` clipped to [0, 255] plus 0.5, as `work`.

    Casting the result to uint8 truncates, so the +0.5 rounds half up (cheaper than rint).
    Non-finite results are left for the caller to mask.
    """
    mapped = block.astype(work)
    if math.isfinite(high - low):
        mapped -= work(low)
        mapped *= work(255.0 / (high - low))
    else:
        # The span overflows float64 (e.g. limits (-1e308, 1e308)): work with halves.
        mapped *= work(0.5)
        mapped -= work(low * 0.5)
        mapped *= work(255.0 / (high * 0.5 - low * 0.5))
    np.clip(mapped, 0.0, 255.0, out=mapped)
    mapped += work(0.5)
    return mapped


def _work_dtype(dtype: np.dtype, low: float, high: float) -> type:
    """Pick float32 (fast) when it is accurate enough, else float64.

    float32 rounds the limits and the values to ~6e-8 relative, i.e. ~1.5e-5 * max(|low|,
    |high|) / (high - low) output levels: a narrow window far from zero (int32 counts around
    1e9, say) needs float64. 64-bit inputs always use float64.
    """
    span = high - low
    magnitude = max(abs(low), abs(high))
    accurate = magnitude <= _FLOAT32_MAX_MAGNITUDE_PER_SPAN * span
    # Keep the limits and the scale far from float32 overflow and underflow.
    representable = magnitude < 1e30 and 1e-30 < 255.0 / span < 1e30
    return np.float32 if dtype.itemsize <= 4 and accurate and representable else np.float64


def _map_linear(values: np.ndarray, low: float, high: float, out: np.ndarray) -> None:
    """Write `values` mapped linearly (low -> 0, high -> 255, clipped, rounded) into `out`.

    Non-finite values become 0. `out` is a uint8 array of the same shape as `values`.
    """
    # (A 65536-entry lookup table for 16-bit inputs measured ~3x slower than this float32 path.)
    dtype = values.dtype
    work = _work_dtype(dtype, low, high)
    # A span below ~1e-306 makes the scale infinite and (low - low) * inf NaN.
    degenerate = not math.isfinite(255.0 / (high - low))
    # Blocks of rows keep the temporaries in cache instead of streaming full-size arrays.
    row_elements = max(1, values[:1].size)
    rows = max(1, _BLOCK_ELEMENTS // row_elements)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, values.shape[0], rows):
            block = values[start : start + rows]
            mapped = _scaled(block, low, high, work)
            if dtype.kind == "f":
                np.copyto(mapped, 0.0, where=~np.isfinite(block))
            if degenerate:
                np.copyto(mapped, 0.0, where=np.isnan(mapped))
            out[start : start + rows] = mapped


def to_display(image: np.ndarray, limits: tuple[float, float] | None = None) -> np.ndarray:
    """Map an image to uint8 display values with the same layout.

    Colour channels are mapped linearly so that ``low`` -> 0 and ``high`` -> 255 (clipped and
    rounded); NaN and ±inf become 0. The alpha channel of an (H, W, 4) image is not windowed:
    uint8 alpha is kept, other integer alpha is scaled by the dtype maximum, float alpha is
    taken to lie in [0, 1].

    Parameters
    ----------
    image : numpy.ndarray
        Array of shape (H, W), (H, W, 3) or (H, W, 4) with a bool, integer or float dtype.
    limits : tuple of float, optional
        (low, high), finite with low < high. Defaults to ``contrast_limits(image)``.

    Returns
    -------
    numpy.ndarray
        C-contiguous uint8 array of ``image.shape``. A C-contiguous uint8 image with limits
        None or (0, 255) is returned itself, without a copy.

    Raises
    ------
    TypeError
        If `image` is not an ndarray of a bool, integer or float dtype, or `limits` is not a
        pair of reals.
    ValueError
        If `image` has another shape, or `limits` are not finite with low < high.

    Examples
    --------
    >>> import numpy as np
    >>> to_display(np.array([[0.0, 0.5, 1.0, np.nan]]), (0.0, 1.0))
    array([[  0, 128, 255,   0]], dtype=uint8)

    """
    _check_image(image)
    low, high = contrast_limits(image) if limits is None else _check_limits(limits)
    if image.dtype == np.uint8 and (low, high) == (0.0, 255.0):
        return np.ascontiguousarray(image)

    out = np.empty(image.shape, dtype=np.uint8)
    if image.size == 0:
        return out
    # All channels at once (contiguous, fast), then the alpha channel is overwritten.
    _map_linear(image, low, high, out)
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[..., 3]
        if alpha.dtype == np.uint8:
            out[..., 3] = alpha
        elif alpha.dtype.kind in "iu":
            _map_linear(alpha, 0.0, float(np.iinfo(alpha.dtype).max), out[..., 3])
        else:  # bool (0/1) and float alpha both live in [0, 1]
            _map_linear(alpha, 0.0, 1.0, out[..., 3])
    return out


def band_rows(height: int, row_bytes: int, max_bytes: int = 16 * 2**20) -> list[tuple[int, int]]:
    """Split rows [0, height) into consecutive bands of at most `max_bytes` each.

    Used to send a large image in messages small enough for the browser. A single row larger
    than `max_bytes` still forms a band of its own.

    Parameters
    ----------
    height : int
        Number of rows, >= 0.
    row_bytes : int
        Bytes per row, >= 1.
    max_bytes : int, optional
        Upper bound on ``rows * row_bytes`` per band, >= 1. Default 16 MiB.

    Returns
    -------
    list of tuple of int
        Half-open row ranges (start, stop), in order, covering [0, height).

    Examples
    --------
    >>> band_rows(5, 10, max_bytes=20)
    [(0, 2), (2, 4), (4, 5)]

    """
    for name, value, minimum in (
        ("height", height, 0),
        ("row_bytes", row_bytes, 1),
        ("max_bytes", max_bytes, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name}: expected an int >= {minimum}, got {type(value).__name__}")
        if value < minimum:
            raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    rows = max(1, int(max_bytes) // int(row_bytes))
    return [(start, min(start + rows, int(height))) for start in range(0, int(height), rows)]

"""Scribbles to a proposal: a few strokes of two or more classes label the whole image."""

from __future__ import annotations

import importlib.util
import math
from numbers import Integral, Real

import numpy as np
from scipy import ndimage

from seg_widget.core.assist_colour import display_colour, perceptual
from seg_widget.core.checks import one_of

#: The ways `scribble_proposal` can grow scribbles into a label map.
SCRIBBLE_METHODS = ("watershed", "random_walker", "classifier")

#: Each method's options: name -> (default, rule). A rule is a tuple of the allowed strings,
#: or ``(type, low, inclusive)``: an int or a number above ``low`` (or equal, if inclusive).
_OPTIONS: dict[str, dict[str, tuple[object, tuple]]] = {
    "watershed": {"sigma": (1.0, (Real, 0, True)), "compactness": (0.0, (Real, 0, True))},
    "random_walker": {
        "sigma": (1.0, (Real, 0, True)),
        "beta": (130.0, (Real, 0, False)),
        "max_pixels": (1 << 17, (Integral, 1, True)),
        "mode": ("bf", ("bf", "cg", "cg_j", "cg_mg")),
        "tol": (1e-3, (Real, 0, False)),
    },
    "classifier": {
        "sigma_min": (1.0, (Real, 0, False)),
        "sigma_max": (16.0, (Real, 0, False)),
        "n_estimators": (50, (Integral, 1, True)),
        "max_depth": (10, (Integral, 1, True)),
        "random_state": (0, (Integral, 0, True)),
    },
}

_NEEDS_SKLEARN = (
    "scribble_proposal(method='classifier') needs scikit-learn: pip install scikit-learn"
)


def classifier_available() -> bool:
    """Return True if scikit-learn is installed, so ``method="classifier"`` can run.

    Examples
    --------
    >>> isinstance(classifier_available(), bool)
    True

    """
    try:
        return importlib.util.find_spec("sklearn") is not None
    except (ImportError, ValueError):  # a broken or half-imported installation
        return False


def scribble_proposal(
    image: np.ndarray, scribbles: np.ndarray, *, method: str = "watershed", **options: object
) -> np.ndarray:
    """Return a label map of the whole image grown from scribbles of two or more classes.

    Every pixel gets the class of one of the scribbles; scribbled pixels keep theirs.

    Methods and their ``options`` (defaults in brackets):

    ``"watershed"``
        `skimage.segmentation.watershed` on the gradient magnitude (Sobel) of the image in
        CIE Lab (grey images: Lab lightness), smoothed by a Gaussian of
        ``sigma`` pixels [1.0]; ``compactness`` [0.0] makes regions rounder. Each class
        floods outwards from its scribbles and meets the others on strong edges. Fast
        (about 0.4 s for 1024²); the default.
    ``"random_walker"``
        `skimage.segmentation.random_walker` on the same smoothed image: ``beta`` [130]
        (higher = edges stop the walk more), ``mode`` ["bf", a direct sparse solve: faster
        and more accurate here than the iterative "cg_j"], ``tol`` [1e-3, for the "cg"
        modes]. Images of more than ``max_pixels`` [131072] pixels are walked on block means
        (2 x 2, 3 x 3, ...) and the class probabilities interpolated back, which bounds
        the time (about 1 s for 1024²) at the cost of detail finer than a block.
    ``"classifier"``
        scikit-image's trainable pixel classifier: `skimage.feature.multiscale_basic_features`
        (``sigma_min`` [1], ``sigma_max`` [16]) and a scikit-learn random forest
        (``n_estimators`` [50], ``max_depth`` [10], ``random_state`` [0]) trained on the
        scribbled pixels. Labels by colour and texture, not by connection, so one class may
        appear in many places (about 3 s for 1024²). Needs scikit-learn (see
        `classifier_available`).

    Parameters
    ----------
    image : ndarray of uint8
        The displayed image: ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA (alpha
        is ignored). Not modified.
    scribbles : ndarray of int
        ``(H, W)``: 0 = not scribbled, ``k >= 1`` = scribbled as class ``k``. At least two
        classes.
    method : str
        One of `SCRIBBLE_METHODS`.
    **options
        The chosen method's options, as above.

    Returns
    -------
    ndarray
        ``(H, W)`` class ids, of ``scribbles``' dtype; every value is a scribbled class.

    Raises
    ------
    TypeError
        If ``image`` or ``scribbles`` are not numpy arrays of the right dtype, or an option
        is not one of the method's.
    ValueError
        If the shapes differ, a scribble is negative, fewer than two classes are scribbled,
        ``method`` is unknown or an option value is invalid.
    ImportError
        If ``method="classifier"`` and scikit-learn is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((6, 8), np.uint8)
    >>> image[:, 5:] = 200
    >>> scribbles = np.zeros((6, 8), np.uint8)
    >>> scribbles[2:4, 1] = 1
    >>> scribbles[1:5, 7] = 2
    >>> scribble_proposal(image, scribbles, sigma=0)
    array([[1, 1, 1, 1, 1, 2, 2, 2],
           [1, 1, 1, 1, 1, 2, 2, 2],
           [1, 1, 1, 1, 1, 2, 2, 2],
           [1, 1, 1, 1, 1, 2, 2, 2],
           [1, 1, 1, 1, 1, 2, 2, 2],
           [1, 1, 1, 1, 1, 2, 2, 2]], dtype=uint8)

    """
    colour = display_colour(image)
    method = one_of(method, SCRIBBLE_METHODS, "method")
    _check_scribbles(scribbles, colour.shape[:2])
    settings = _options(method, options)
    if method == "classifier":
        labels = _classify(colour, scribbles, settings)
    else:
        smooth = _smooth_lab(colour, settings["sigma"])  # type: ignore[arg-type]
        if method == "watershed":
            labels = _watershed(smooth, scribbles, settings)
        else:
            labels = _random_walk(smooth, scribbles, settings)
    return labels.astype(scribbles.dtype, copy=False)


def _smooth_lab(colour: np.ndarray, sigma: float) -> np.ndarray:
    # (H, W, C) float32: Lab for colour, lightness for grey.
    data = perceptual(colour)
    if sigma > 0:
        for channel in range(data.shape[2]):
            ndimage.gaussian_filter(data[..., channel], sigma, output=data[..., channel])
    return data


def _watershed(data: np.ndarray, scribbles: np.ndarray, settings: dict) -> np.ndarray:
    from skimage.segmentation import watershed

    gradient = np.zeros(data.shape[:2], np.float32)
    for channel in range(data.shape[2]):
        gradient += _sobel_squared(data[..., channel])
    np.sqrt(gradient, out=gradient)
    return watershed(gradient, markers=scribbles, compactness=settings["compactness"])


def _sobel_squared(channel: np.ndarray) -> np.ndarray:
    along_rows = ndimage.sobel(channel, axis=0)
    along_cols = ndimage.sobel(channel, axis=1)
    along_rows *= along_rows
    along_cols *= along_cols
    along_rows += along_cols
    return along_rows


def _random_walk(data: np.ndarray, scribbles: np.ndarray, settings: dict) -> np.ndarray:
    from skimage.segmentation import random_walker
    from skimage.transform import resize

    # The walk is a sparse linear system per class; past ~1e5 pixels it gets slow, so it is
    # solved on block means of at most max_pixels and its probabilities interpolated back.
    height, width = scribbles.shape
    if np.ptp(data) == 0:  # no edges to follow (the walk would divide by the zero spread)
        return _nearest_scribble(scribbles)
    factor = max(1, math.ceil(math.sqrt(height * width / settings["max_pixels"])))
    small_data, small_scribbles = _block_reduce(data, scribbles, factor)
    classes = np.unique(small_scribbles[small_scribbles > 0])
    if classes.size < 2:  # two classes' scribbles share every block: walk at full size
        factor, small_data, small_scribbles = 1, data, scribbles
        classes = np.unique(scribbles[scribbles > 0])
    probability = random_walker(
        small_data,
        small_scribbles,
        beta=settings["beta"],
        mode=settings["mode"],
        tol=settings["tol"],
        channel_axis=-1,
        return_full_prob=True,
    )
    if factor > 1:
        padded = (small_data.shape[0] * factor, small_data.shape[1] * factor)
        probability = np.stack(
            [resize(p, padded, order=1, mode="edge")[:height, :width] for p in probability]
        )
    labels = classes[np.argmax(probability, axis=0)]
    return np.where(scribbles > 0, scribbles, labels)


def _nearest_scribble(scribbles: np.ndarray) -> np.ndarray:
    nearest = ndimage.distance_transform_edt(
        scribbles == 0, return_distances=False, return_indices=True
    )
    return scribbles[tuple(nearest)]


def _block_reduce(
    data: np.ndarray, scribbles: np.ndarray, factor: int
) -> tuple[np.ndarray, np.ndarray]:
    # Means of factor x factor blocks of data (edge pixels repeated to fill the last ones);
    # the largest class scribbled in each block.
    if factor == 1:
        return data, scribbles
    height, width, channels = data.shape
    rows, cols = -(-height // factor), -(-width // factor)
    pad = ((0, rows * factor - height), (0, cols * factor - width))
    data = np.pad(data, (*pad, (0, 0)), mode="edge")
    scribbles = np.pad(scribbles, pad)
    small_data = data.reshape(rows, factor, cols, factor, channels).mean(axis=(1, 3))
    small_scribbles = scribbles.reshape(rows, factor, cols, factor).max(axis=(1, 3))
    return small_data, small_scribbles


def _classify(colour: np.ndarray, scribbles: np.ndarray, settings: dict) -> np.ndarray:
    if not classifier_available():
        raise ImportError(_NEEDS_SKLEARN)
    from skimage.feature import multiscale_basic_features
    from skimage.future import fit_segmenter, predict_segmenter
    from sklearn.ensemble import RandomForestClassifier

    features = multiscale_basic_features(
        colour,
        channel_axis=-1 if colour.ndim == 3 else None,
        sigma_min=settings["sigma_min"],
        sigma_max=settings["sigma_max"],
    )
    forest = RandomForestClassifier(
        n_estimators=settings["n_estimators"],
        max_depth=settings["max_depth"],
        random_state=settings["random_state"],
        n_jobs=-1,
    )
    forest = fit_segmenter(scribbles, features, forest)
    return predict_segmenter(features, forest)


def _check_scribbles(scribbles: object, shape: tuple[int, int]) -> None:
    if not isinstance(scribbles, np.ndarray) or scribbles.dtype.kind not in "iu":
        got = f"{scribbles.dtype} array" if isinstance(scribbles, np.ndarray) else None
        raise TypeError(
            f"scribbles: expected an integer numpy array of class ids; "
            f"got {got or type(scribbles).__name__}"
        )
    if scribbles.shape != shape:
        raise ValueError(
            f"scribbles: expected the image's shape {shape}; got shape {scribbles.shape}"
        )
    if scribbles.dtype.kind == "i" and scribbles.min() < 0:
        raise ValueError(f"scribbles: expected class ids >= 0; got {scribbles.min()}")
    classes = np.unique(scribbles[scribbles > 0])  # few pixels: cheaper than the whole map
    if classes.size < 2:
        got = "no scribble" if classes.size == 0 else f"only class {classes[0]}"
        raise ValueError(f"scribbles: scribble at least two classes; got {got}")


def _options(method: str, options: dict[str, object]) -> dict[str, object]:
    rules = _OPTIONS[method]
    unknown = sorted(set(options) - set(rules))
    if unknown:
        raise TypeError(
            f"options: method {method!r} takes {', '.join(rules)}; "
            f"got {', '.join(map(repr, unknown))}"
        )
    settings = {name: options.get(name, default) for name, (default, _) in rules.items()}
    for name, value in settings.items():
        rule = rules[name][1]
        if isinstance(rule[0], str):
            one_of(value, rule, name)
            continue
        kind, low, inclusive = rule
        expected = (
            f"{'an int' if kind is Integral else 'a number'} {'>=' if inclusive else '>'} {low}"
        )
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
            raise TypeError(f"{name}: expected {expected}; got {type(value).__name__}")
        if not (np.isfinite(value) and (value >= low if inclusive else value > low)):
            raise ValueError(f"{name}: expected {expected}; got {value!r}")
    return settings

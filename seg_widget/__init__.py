"""seg-widget: pixel-accurate segmentation labelling inside Jupyter notebooks."""

__version__ = "0.1.0"

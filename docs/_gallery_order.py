"""The order of the example gallery: from a first model to the engine's details.

``conf.py`` names this sorting key by its import path (a string keeps Sphinx's
configuration cacheable); sphinx-gallery creates it with the examples' folder and
calls it with each file name.
"""

from pathlib import Path

READING_ORDER = [
    "quickstart", "xor", "early_stopping", "cross_validation", "grid_search_learning_rates",
    "learning_rate_finder", "convnet_digits", "housing_regression", "fashion_mnist_mlp",
    "wide_and_deep", "keras_chapter", "custom_model_grid_search", "callbacks",
    "save_and_load", "export_onnx",
    "gradient_check", "distributed_grid_search",
]


class ReadingOrder:
    """Sort key: the examples in ``READING_ORDER``, then any other by name.

    Parameters
    ----------
    src_dir : str
        The examples' folder (sphinx-gallery passes it; unused).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        stem = Path(filename).stem
        rank = READING_ORDER.index(stem) if stem in READING_ORDER else len(READING_ORDER)
        return rank, stem

    def __repr__(self):
        return f"{type(self).__name__}()"

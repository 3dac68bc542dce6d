"""matplotlib, imported only when a figure is drawn: it is an optional extra.

The displays of :mod:`skscratch.plotting` and the learning-rate range test's
plot (:mod:`skscratch.range_test`) draw through :func:`pyplot`; the engine
never needs matplotlib to train.
"""


def pyplot():
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Plotting needs matplotlib: pip install matplotlib "
                          "(or pip install \"skscratch[plot]\").") from exc
    return plt

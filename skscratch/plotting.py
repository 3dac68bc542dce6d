"""Display objects in scikit-learn's style; matplotlib is needed only to draw.

``LossCurveDisplay.from_estimator(est)`` plots the training loss (and the
validation score, with early stopping) per epoch; ``WeightsDisplay`` shows the
first Dense or Conv2D layer's weights as images.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .figures import pyplot
from .layers import Conv2D, Dense
from .layers.base import leaf_layers


class LossCurveDisplay:
    """Training loss and validation score per epoch.

    Parameters
    ----------
    loss_curve : list of float
    validation_scores : list of float or None
    name : str, optional
        Label for the legend.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skscratch import MLPFromScratch
    >>> from skscratch.plotting import LossCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> model = MLPFromScratch((8,), max_iter=20, early_stopping=True).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(model)   # doctest: +SKIP
    """

    def __init__(self, loss_curve, validation_scores=None, name=None):
        self.loss_curve = list(loss_curve)
        self.validation_scores = None if validation_scores is None else list(validation_scores)
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None):
        """Read the curves off a fitted skscratch estimator and plot them."""
        check_is_fitted(estimator)
        display = cls(estimator.loss_curve_, estimator.validation_scores_,
                      name or type(estimator).__name__)
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure by default); returns self."""
        plt = pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        epochs = np.arange(1, len(self.loss_curve) + 1)
        handles = ax.plot(epochs, self.loss_curve, color="C0", label="training loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss", color="C0")
        if self.name:
            ax.set_title(self.name)
        if self.validation_scores is not None:
            twin = ax.twinx()
            handles += twin.plot(epochs, self.validation_scores, color="C1",
                                 label="validation score")
            best = int(np.argmax(self.validation_scores))
            handles.append(twin.scatter([epochs[best]], [self.validation_scores[best]],
                                        color="C1", zorder=3, label="best (weights kept)"))
            twin.set_ylabel("validation score", color="C1")
        # the loss falls and the score rises: the middle right is usually free
        ax.legend(handles=handles, loc="center right", frameon=False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class WeightsDisplay:
    """The first layer's weights as a grid of images.

    For ``Conv2D`` each filter's kernel (first input channel) is an image; for
    ``Dense`` each unit's incoming weights are reshaped to ``image_shape`` (by
    default a square when the number of inputs is a perfect square, as for
    8x8 digits) or drawn as one row.

    Parameters
    ----------
    weights : ndarray of shape (n_images, height, width)
    title : str, optional
    """

    def __init__(self, weights, title=None):
        self.weights = np.asarray(weights)
        self.title = title

    @classmethod
    def from_estimator(cls, estimator, *, image_shape=None, max_images=32, ax=None):
        """Take the first Dense or Conv2D layer of a fitted estimator and plot it."""
        check_is_fitted(estimator)
        layer = next((lay for lay in leaf_layers(estimator.network_)
                      if isinstance(lay, (Dense, Conv2D))), None)
        if layer is None:
            raise ValueError("The network has no Dense or Conv2D layer to show.")
        W = layer.params["W"]
        if isinstance(layer, Conv2D):
            images = np.moveaxis(W[:, :, 0, :], -1, 0)
            title = f"Conv2D kernels ({W.shape[0]}x{W.shape[1]}, input channel 0)"
        else:
            n_in = W.shape[0]
            if image_shape is None:
                side = int(round(np.sqrt(n_in)))
                image_shape = (side, side) if side * side == n_in else (1, n_in)
            images = W.T.reshape(-1, *image_shape)
            title = "Dense weights of each first-layer unit"
        return cls(images[:max_images], title).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the images in a grid (one shared colour scale); returns self."""
        plt = pyplot()
        n = len(self.weights)
        cols = int(np.ceil(np.sqrt(n)))
        rows = int(np.ceil(n / cols))
        if ax is None:
            figure = plt.figure(figsize=(1.2 * cols, 1.2 * rows + 0.4))
        else:
            figure = ax.figure
            ax.set_axis_off()
        grid = figure.add_gridspec(rows, cols)
        limit = float(np.abs(self.weights).max()) or 1.0
        self.axes_ = []
        for k, image in enumerate(self.weights):
            cell = figure.add_subplot(grid[k // cols, k % cols])
            cell.imshow(image, cmap="coolwarm", vmin=-limit, vmax=limit)
            cell.set_axis_off()
            self.axes_.append(cell)
        if self.title:
            figure.suptitle(self.title)
        self.figure_ = figure
        return self

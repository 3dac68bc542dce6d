"""The same networks in scikit-learn and PyTorch (optional), trained the same way."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skscratch import ConvNetFromScratch, MLPFromScratch

try:
    import torch
except ImportError:  # PyTorch is optional: pip install torch
    torch = None


def skscratch_mlp(hidden, epochs, batch_size, seed):
    return MLPFromScratch(hidden, batch_size=batch_size, max_iter=epochs, alpha=0.0,
                          learning_rate_init=1e-3, n_iter_no_change=epochs + 1,
                          random_state=seed)


def sklearn_mlp(hidden, epochs, batch_size, seed):
    return MLPClassifier(hidden, batch_size=batch_size, max_iter=epochs, alpha=0.0,
                         learning_rate_init=1e-3, n_iter_no_change=epochs + 1,
                         random_state=seed)


def skscratch_convnet(epochs, batch_size, seed):
    return ConvNetFromScratch((8, 16), hidden_layer_sizes=(), batch_size=batch_size,
                              max_iter=epochs, alpha=0.0, learning_rate_init=1e-3,
                              n_iter_no_change=epochs + 1, random_state=seed)


def fit_quietly(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


class TorchClassifier:
    """A minimal fit/predict wrapper: Adam, shuffled mini-batches, cross-entropy."""

    def __init__(self, build, epochs, batch_size, seed, channels_first=False):
        self.build, self.epochs, self.batch_size = build, epochs, batch_size
        self.seed, self.channels_first = seed, channels_first

    def _tensor(self, X):
        X = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
        return X.permute(0, 3, 1, 2).contiguous() if self.channels_first else X

    def fit(self, X, y):
        torch.manual_seed(self.seed)
        X, y = self._tensor(X), torch.from_numpy(np.asarray(y, dtype=np.int64))
        self.model = self.build()
        optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(self.seed)
        for _ in range(self.epochs):
            order = torch.randperm(len(X), generator=generator)
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                optimizer.zero_grad()
                loss_fn(self.model(X[idx]), y[idx]).backward()
                optimizer.step()
        return self

    def predict(self, X, batch_size=4096):
        X = self._tensor(X)
        with torch.no_grad():
            return np.concatenate([self.model(X[i:i + batch_size]).argmax(1).numpy()
                                   for i in range(0, len(X), batch_size)])


def torch_mlp(hidden, n_features, n_classes, epochs, batch_size, seed):
    if torch is None:
        return None
    sizes = [n_features, *hidden]

    def build():
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        return torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], n_classes))

    return TorchClassifier(build, epochs, batch_size, seed)


def torch_convnet(side, n_classes, epochs, batch_size, seed):
    if torch is None:
        return None
    pooled = side // 2 // 2

    def build():
        nn = torch.nn
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(16 * pooled * pooled, n_classes))

    return TorchClassifier(build, epochs, batch_size, seed, channels_first=True)


def setup_threads(n_threads):
    """Give PyTorch the same number of threads as NumPy's BLAS."""
    if torch is not None:
        torch.set_num_threads(n_threads)

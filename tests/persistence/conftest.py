import pytest
from sklearn.datasets import load_iris

from skscratch import MLPFromScratch, save
from tests.persistence.model_files import fit_quietly


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def saved(iris, tmp_path):
    """A fitted classifier's model file."""
    X, y = iris
    save(fit_quietly(MLPFromScratch((8,), max_iter=2, random_state=0), X, y),
         tmp_path / "good.npz")
    return tmp_path / "good.npz"

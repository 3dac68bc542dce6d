"""The layer engine: each layer has a forward pass and a chain-rule backward pass."""

from .activation import (
    ELU,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)
from .base import Layer
from .dense import Dense
from .dropout import Dropout
from .reshape import Flatten

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "Identity",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get_activation",
]

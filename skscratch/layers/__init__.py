"""The layer engine: each layer has a forward pass and a chain-rule backward pass."""

from .activations import (
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
from .base import LAYERS, Layer
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .initializers import WeightSpec
from .merge import Add, Concatenate, add, concatenate
from .normalization import BatchNorm, Normalization
from .pooling import AvgPool2D, GlobalAvgPool2D, MaxPool2D
from .reshape import Flatten
from .symbolic import Input, InputLayer, SymbolicTensor

__all__ = [
    "LAYERS",
    "Activation",
    "Add",
    "AvgPool2D",
    "BatchNorm",
    "Concatenate",
    "Conv2D",
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "GlobalAvgPool2D",
    "Identity",
    "Input",
    "InputLayer",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "Normalization",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "SymbolicTensor",
    "Tanh",
    "WeightSpec",
    "add",
    "concatenate",
    "get_activation",
]

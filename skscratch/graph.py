"""Graph algorithms behind `Model`: order, gradient sums, names.

Kept apart from the `Model` class so each reads on its own: how a graph is
ordered, and how gradients add up where values and layers are used twice.
"""

from .layers.base import leaf_layers


class GradientSums:
    """Gradients per value slot, summed where a value feeds several nodes.

    A layer may hand back an array it still uses (Add gives every input the
    same array; Concatenate views of its upstream gradient), so the first
    contribution is kept as is and a second one makes a new array that
    later contributions may update in place.
    """

    def __init__(self, n_slots):
        self.values = [None] * n_slots
        self.owned = [False] * n_slots

    def add(self, slot, grad):
        """Add ``grad`` to the gradient of value ``slot``."""
        current = self.values[slot]
        if current is None:
            self.values[slot] = grad
        elif self.owned[slot]:
            current += grad
        else:
            self.values[slot], self.owned[slot] = current + grad, True

    def add_all(self, slots, grads):
        """:meth:`add` for each slot and gradient."""
        for slot, grad in zip(slots, grads):
            self.add(slot, grad)

    def get(self, slot):
        """The summed gradient of ``slot`` (None if nothing reached it)."""
        return self.values[slot]


def grads_so_far(layer, touched):
    """Copies of the gradients a shared layer already holds from a later node.

    A backward pass overwrites a layer's gradients; for the second and later
    nodes of a shared layer the earlier sums are kept aside and added back.
    """
    saved = []
    for leaf in leaf_layers(layer):
        if id(leaf) in touched:
            saved += [(g, g.copy()) for g in leaf.grads.values()]
        touched.add(id(leaf))
    return saved


def topological_nodes(inputs, outputs):
    """The nodes computing ``outputs`` from ``inputs``, each after those it reads."""
    # depth-first from the outputs; a node is appended once all it reads is.
    # Tensors are made from existing tensors only, so the graph has no cycles.
    known = {id(t) for t in inputs}
    order, done = [], set()
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, inputs_done = stack.pop()
        if id(tensor) in known or id(tensor) in done:
            continue
        if tensor.node is None:
            named = f" named {tensor.name!r}" if tensor.name else ""
            raise ValueError(f"Graph disconnected: an Input{named} of shape {tensor.shape} is "
                             "needed to compute the outputs but is not among the model's inputs.")
        if inputs_done:
            done.add(id(tensor))
            order.append(tensor.node)
            continue
        stack.append((tensor, True))
        stack.extend((t, False) for t in reversed(tensor.node.inputs))
    return order


def check_sharing(nodes):
    """Refuse a leaf layer used both inside a nested network and somewhere else.

    A layer may be called at several nodes, and a whole network may be; but
    one leaf reached through two different top-level layers would need call
    contexts across container boundaries, which are not tracked. ValueError.
    """
    owner = {}
    for node in nodes:
        for leaf in leaf_layers(node.layer):
            first = owner.setdefault(id(leaf), node.layer)
            if first is not node.layer:
                raise ValueError(
                    f"{leaf.describe()} is used inside {first.describe()} and also in "
                    f"{node.layer.describe()}; share the whole network (call it twice) or "
                    "call the layer directly in both places.")


def unique_names(names):
    """``["head", "head"]`` -> ``["head", "head_1"]``: one key per output in the history."""
    seen, result = set(), []
    for name in names:
        candidate, i = name, 0
        while candidate in seen:
            i += 1
            candidate = f"{name}_{i}"
        seen.add(candidate)
        result.append(candidate)
    return result


def checked_index(value, bound):
    """An index from a configuration, checked: 0 <= value < bound."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < bound:
        raise ValueError(f"Model configuration refers to index {value!r}; expected 0 to "
                         f"{bound - 1}.")
    return value

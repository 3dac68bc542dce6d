"""Name -> class tables, one per kind of building block.

Layers, initializers, losses, optimizers, metrics and the estimators each keep
one :class:`Registry`.
A class joins its table where it is defined (``@LOSSES.register("huber")``),
and everything that needs to turn a name into a block reads that table: the
``get_*`` helpers, the estimators' allowed parameter values, and
:func:`skscratch.load`, which instantiates only what a table holds. Adding a
block therefore touches one file.
"""


class Registry(dict):
    """A table from names to classes (or functions) of one kind.

    Parameters
    ----------
    kind : str
        What the table holds ("loss", "optimizer", ...), for error messages.
    aliases : dict of str to str, optional
        Other accepted spellings, each mapped to a registered name.

    Examples
    --------
    >>> from skscratch.registry import Registry
    >>> SHAPES = Registry("shape")
    >>> @SHAPES.register("square")
    ... class Square:
    ...     pass
    >>> SHAPES.get_class("square").__name__
    'Square'
    >>> SHAPES.name_of(Square())
    'square'
    """

    def __init__(self, kind, aliases=None):
        super().__init__()
        self.kind = kind
        self.aliases = dict(aliases or {})

    def register(self, name):
        """Decorator adding a class (or function) to the table under ``name``."""
        def add(obj):
            """Put ``obj`` in the table and return it unchanged."""
            if name in self:
                raise ValueError(f"A {self.kind} named {name!r} is already registered.")
            self[name] = obj
            return obj
        return add

    def canonical(self, name):
        """The registered name for ``name`` or one of its aliases; ValueError otherwise."""
        key = self.aliases.get(name, name) if isinstance(name, str) else name
        if not isinstance(key, str) or key not in self:
            raise ValueError(f"Unknown {self.kind} {name!r}; expected one of "
                             f"{sorted(self) + sorted(self.aliases)}.")
        return key

    def get_class(self, name):
        """The class registered under ``name`` (or an alias of it)."""
        return self[self.canonical(name)]

    def name_of(self, obj):
        """The name an instance's class is registered under; ValueError if none."""
        for name, cls in self.items():
            if type(obj) is cls:
                return name
        raise ValueError(f"{type(obj).__name__} is not a registered {self.kind}; "
                         f"registered: {sorted(self)}.")


# the estimator classes a model file may name (each registers itself where it is
# defined): persistence finds them here, never by importing the estimators
ESTIMATORS = Registry("estimator")

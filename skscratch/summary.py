"""The text of ``summary()``: short layer descriptions and a plain table."""

import inspect


def short_name(layer):
    """``Dense(64, relu)``: the layer's type and its settings that differ from the defaults."""
    if layer.is_container:
        return type(layer).__name__
    defaults = {name: p.default for name, p in
                inspect.signature(type(layer).__init__).parameters.items()}
    values = [str(v) for k, v in layer.get_config().items()
              if k not in ("name", "input_shape")
              and not _is_default(v, defaults.get(k, inspect.Parameter.empty))]
    return f"{type(layer).__name__}({', '.join(values)})" if values else type(layer).__name__


def _is_default(value, default):
    """Whether a configured value is what its default means (``(1, 1)`` for 1, ...)."""
    if value in ("identity", "auto"):
        return True
    return value == default or (isinstance(value, tuple) and value == (default, default))


def table(header, rows, total):
    """A plain-text table with a rule under the header and the parameter total."""
    rows = [tuple(header)] + [tuple(r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:], rule, f"Total params: {total:,}"])

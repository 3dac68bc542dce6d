"""`History`: Keras's record of a model's fit, a dict of per-epoch lists."""

# what every record holds that is not a quantity to plot against the epochs
BOOKKEEPING = ("epoch", "seconds", "learning_rate")


class History(dict):
    """Each logged quantity of a fit, a list of its values per epoch (Keras's ``History``).

    ``model.fit`` returns the model, whose ``history`` is this dict: so
    ``history = model.fit(...)`` then ``history.history`` (Keras's spelling)
    and ``model.history`` both give it, and ``pandas.DataFrame(history.history)``
    plots the learning curves. Keys are ``loss``, each output's loss and each
    metric, then their ``val_`` versions; the epochs' numbers, durations and
    learning rates are in the estimators' ``history_`` records.

    Parameters
    ----------
    records : list of dict
        The fit's epoch records (``TrainingState.history``).
    params : dict, optional
        The fit's ``callback.params``.

    Attributes
    ----------
    epoch : list of int
        The epochs, counted from 0 as Keras counts them.
    params : dict
    """

    def __init__(self, records=(), params=None):
        keys = []
        for record in records:
            keys += [k for k, v in record.items()
                     if k not in keys and k not in BOOKKEEPING and v is not None]
        order = sorted(keys, key=lambda k: k.startswith("val_"))
        super().__init__({k: [r.get(k) for r in records] for k in order})
        self.epoch = [r["epoch"] - 1 for r in records]
        self.params = dict(params or {})

    @property
    def history(self):
        """The dict itself: ``model.fit(...).history`` as in Keras."""
        return self

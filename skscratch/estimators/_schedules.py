"""The estimators' learning-rate schedule, with its overflow named."""

from ..callbacks import InvScaling


class CheckedInvScaling(InvScaling):
    """scikit-learn's "invscaling" schedule; a ``power_t`` too large to compute is a ValueError.

    ``(t + 1) ** power_t`` overflows a float (a bare ``OverflowError``) once
    ``power_t * log(t + 1)`` passes about 709: the rate would underflow to
    zero, which trains nothing.

    Parameters
    ----------
    power_t : float, default=0.5
    """

    def on_epoch_begin(self, trainer, record):
        try:
            super().on_epoch_begin(trainer, record)
        except OverflowError:
            raise ValueError(
                f"power_t={self.power_t!r} is too large for learning_rate='invscaling': "
                f"learning_rate_init / (t + 1) ** power_t underflows to zero after "
                f"t={trainer.state.t} samples. Use a smaller power_t (the default is 0.5)."
            ) from None

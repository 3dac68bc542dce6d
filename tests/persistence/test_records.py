"""The header's values read as the JSON types they were written as: refused, never coerced."""

import pytest

from skscratch import load, save
from tests.persistence.model_files import edit_header, rewrite


@pytest.mark.parametrize("edit, message", [
    # each was coerced by bool() or int() and loaded a model that was not the file's
    (lambda h: h.__setitem__("early_stopping", "no"), "early_stopping is 'no'; expected true"),
    (lambda h: h["target"].__setitem__("multilabel", 1), "multilabel is 1"),
    (lambda h: h["fitted"].__setitem__("n_features_in_", 4.7), "n_features_in_ is 4.7"),
    (lambda h: h["fitted"].__setitem__("epochs_before", 5), "epochs_before is 5"),  # n_iter_ -3
    (lambda h: h["fitted"].__setitem__("epochs_before", -1), "epochs_before is -1"),
    (lambda h: h["optimizer"].__setitem__("n_arrays", 2.0), "n_arrays is 2.0"),
])
def test_header_values_of_the_wrong_type_are_refused_not_coerced(edit, message, saved,
                                                                  tmp_path):
    rewrite(saved, tmp_path / "bad.npz", edit_header(edit))
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "bad.npz")


def test_the_input_layout_is_checked_against_the_features(iris, tmp_path):
    import pandas as pd

    from skscratch import Model, NetworkEstimator
    from skscratch.layers import Concatenate, Dense, Input
    from tests.persistence.model_files import fit_quietly
    X, y = iris
    wide, deep = Input((2,)), Input((3,))
    model = Model([wide, deep], Dense(3)(Concatenate()([wide, Dense(4)(deep)])))
    estimator = NetworkEstimator(model, inputs=[[0, 1], [1, 2, 3]], max_iter=2, random_state=0)
    save(fit_quietly(estimator, pd.DataFrame(X, columns=list("abcd")), y), tmp_path / "m.npz")
    for edit, message in [
        # column -1 was read as the last column: a silently different model
        (lambda h: h["fitted"].__setitem__("input_columns_", [[0, -1], [1, 2, 3]]),
         r"input_columns_ hold \[0, -1\]"),
        (lambda h: h["fitted"].__setitem__("input_columns_", [[0, 1.5], [1, 2, 3]]),
         "input_columns_ hold"),
        (lambda h: h["fitted"].__setitem__("input_shapes_", [[2], ["3"]]), "input_shapes_"),
    ]:
        rewrite(tmp_path / "m.npz", tmp_path / "bad.npz", edit_header(edit))
        with pytest.raises(ValueError, match=message):
            load(tmp_path / "bad.npz")
    # three feature names for four features loaded, and refused every DataFrame
    rewrite(tmp_path / "m.npz", tmp_path / "bad.npz",
            lambda a: a.__setitem__("feature_names_in_", a["feature_names_in_"][:3]))
    with pytest.raises(ValueError, match=r"'feature_names_in_' has shape \(3,\); expected \(4,\)"):
        load(tmp_path / "bad.npz")


@pytest.mark.parametrize("edit, message", [
    # NumPy's setter coerced them: a run continued on another random stream
    (lambda rng: rng["state"].__setitem__("state", 1.5), "generator's state is 1.5"),
    (lambda rng: rng.__setitem__("has_uint32", 5), "generator's has_uint32 is 5"),
    (lambda rng: rng.__setitem__("extra", 1), "random-generator state is malformed"),
    (lambda rng: rng.__setitem__("bit_generator", "MT19937"), "random-generator state"),
])
def test_the_generator_state_is_read_as_written(edit, message, saved, tmp_path):
    rewrite(saved, tmp_path / "bad.npz", edit_header(lambda h: edit(h["rng"])))
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "bad.npz")


@pytest.mark.parametrize("field, value", [("best_loss", float("nan")),
                                          ("loss_curve", [0.5, float("inf")])])
def test_a_training_record_training_could_not_have_written_is_refused(field, value, saved,
                                                                       tmp_path):
    # a NaN best loss loaded, and then no later epoch counted as an improvement
    rewrite(saved, tmp_path / "bad.npz", edit_header(lambda h: h["state"].__setitem__(field,
                                                                                         value)))
    with pytest.raises(ValueError, match="training record is malformed"):
        load(tmp_path / "bad.npz")

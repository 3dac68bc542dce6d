"""
Bring your own network: NetworkEstimator
========================================

A network of your own in a grid search, and after a ``ColumnTransformer``.

Part 1: a build function whose architecture parameters (``units``, ``depth``,
``dropout``) are estimator parameters (``model__units``...), grid-searched with
the learning rate for ``StandardScaler`` + ``NetworkEstimator`` on digits.
Part 2: the Keras book's Wide & Deep housing model, one 2-D ``X`` split into
its two inputs by ``inputs=``, cross-validated in a ``Pipeline``. California
housing is fetched (cached); offline, diabetes stands in (its last two
features unused).

Run: ``python examples/custom_model_grid_search.py``
"""

import warnings

from example_data import california_or_diabetes
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import Model, Network, NetworkEstimator
from skscratch.layers import Concatenate, Dense, Dropout, Input

# module level, not inside main(): pickle (joblib.dump of a fitted estimator) stores a
# function by reference, and cannot store one defined inside another function


def mlp_build(input_shape, n_outputs, units=32, depth=1, dropout=0.0):
    """``depth`` hidden layers of ``units`` ReLUs, each followed by dropout; logits out."""
    hidden = []
    for _ in range(depth):
        hidden += [Dense(units, "relu")] + ([Dropout(dropout)] if dropout else [])
    return Network(hidden + [Dense(n_outputs)])


def wide_and_deep_build(input_shape, n_outputs, units=30):
    """Wide & Deep, sized from the shapes ``inputs=`` gives: [(n_wide,), (n_deep,)]."""
    (n_wide,), (n_deep,) = input_shape
    wide, deep = Input((n_wide,), name="wide"), Input((n_deep,), name="deep")
    h = Dense(units, "relu")(Dense(units, "relu")(deep))
    return Model([wide, deep], Dense(n_outputs)(Concatenate()([wide, h])))


def grid_search_architecture():
    X, y = load_digits(return_X_y=True)
    # model__depth and model__dropout are fixed here, but as searchable as model__units
    net = NetworkEstimator(mlp_build, model__depth=2, model__dropout=0.1, max_iter=30,
                           random_state=0)
    grid = {"networkestimator__model__units": [8, 64],
            "networkestimator__learning_rate_init": [1e-3, 1e-2]}
    search = GridSearchCV(make_pipeline(StandardScaler(), net), grid, cv=3, n_jobs=2)
    search.fit(X, y)
    print("digits, 3-fold CV accuracy:")
    for params, mean, std in zip(search.cv_results_["params"],
                                 search.cv_results_["mean_test_score"],
                                 search.cv_results_["std_test_score"]):
        print(f"  units={params['networkestimator__model__units']:>2}  learning_rate_init="
              f"{params['networkestimator__learning_rate_init']:g}: {mean:.4f} +/- {std:.4f}")
    print(f"best: {search.best_params_} (accuracy {search.best_score_:.4f})")
    return search


def cross_validate_wide_and_deep():
    X, y, name = california_or_diabetes()
    # one 2-D array out: features 0-7 scaled (diabetes's 8 and 9 dropped); inputs= then
    # feeds columns 0-4 to the wide input and the overlapping 2-7 to the deep one
    columns = ColumnTransformer([("scale", StandardScaler(), list(range(8)))])
    net = NetworkEstimator(wide_and_deep_build, inputs=[range(0, 5), range(2, 8)],
                           task="regression", learning_rate_init=1e-2,
                           max_iter=20 if len(X) > 5_000 else 40, random_state=0)
    # the target scaled too, as in the Keras recipe; fitted on each fold's training rows,
    # and predictions come back in the target's units, so R² is unchanged in meaning
    regressor = TransformedTargetRegressor(net, transformer=StandardScaler())
    scores = cross_val_score(make_pipeline(columns, regressor), X, y,
                             cv=KFold(5, shuffle=True, random_state=0), n_jobs=2)
    print(f"{name}, Wide & Deep, 5-fold CV R²: {scores.mean():.3f} +/- {scores.std():.3f}")
    return scores, name


def main():
    with warnings.catch_warnings():
        # few epochs on purpose, to stay fast: the candidates stop at max_iter
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = grid_search_architecture()
        r2_scores, dataset = cross_validate_wide_and_deep()
    return {"best_params": search.best_params_, "best_score": search.best_score_,
            "mean_test_scores": search.cv_results_["mean_test_score"],
            "wide_and_deep_r2": r2_scores, "housing_data": dataset}


if __name__ == "__main__":
    main()

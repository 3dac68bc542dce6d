"""Every example runs as a script and shows what its docstring promises."""

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HELPERS = {"example_data.py"}        # imported by examples, not an example itself


@pytest.fixture(autouse=True)
def _offline_examples(monkeypatch, tmp_path):
    # examples import their shared loader module; tests never download data
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("SKSCRATCH_OFFLINE", "1")
    # run from an empty folder: an example may write only where it is told to
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield
    assert not list(cwd.iterdir()), "an example wrote into the current directory"
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def figures():
    """pyplot's open figures after the test's example ran (what the gallery collects)."""
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close("all")
    return lambda: [plt.figure(n) for n in plt.get_fignums()]


def _run(name, *args, **kwargs):
    return runpy.run_path(str(EXAMPLES / name), run_name="example")["main"](*args, **kwargs)


def _run_as_script(name, monkeypatch, *argv):
    """Run an example as ``python examples/NAME ARGV...`` would (its ``__main__`` block)."""
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / name), *argv])
    if "matplotlib.pyplot" in sys.modules:          # no window, even with a display
        monkeypatch.setattr(sys.modules["matplotlib.pyplot"], "show", lambda: None)
    return runpy.run_path(str(EXAMPLES / name), run_name="__main__")


@pytest.mark.parametrize("path", sorted(p.name for p in EXAMPLES.glob("*.py")
                                        if p.name not in HELPERS))
def test_example_docstring_opens_with_a_gallery_title(path):
    # sphinx-gallery builds a page per example from its module docstring: a title
    # underlined with "=", then the text
    source = (EXAMPLES / path).read_text(encoding="utf-8")
    match = re.match(r'"""\n(?P<title>[^\n]+)\n(?P<rule>=+)\n\n\S', source)
    assert match, f"{path} does not open with a docstring title underlined by ="
    assert len(match["rule"]) == len(match["title"]), f"{path}: underline length"


def test_xor_predictions_round_to_the_truth_table(capsys, figures):
    predictions = _run("xor.py")
    np.testing.assert_array_equal(np.round(predictions), [0, 1, 1, 0])
    assert "1 XOR 0 ->" in capsys.readouterr().out
    assert len(figures()) == 1           # drawn for the gallery, saved nowhere


@pytest.mark.slow
def test_quickstart_reaches_the_documented_accuracy(capsys):
    results = _run("quickstart.py")
    ours = results["skscratch MLPFromScratch"][0]
    assert ours >= 0.97
    out = capsys.readouterr().out
    assert "MLPClassifier" in out
    assert out.count("fold 5/5: accuracy") == 2          # progress, for both models


def test_convnet_example_reaches_its_accuracy_and_saves_its_figure_when_asked(
        tmp_path, capsys, monkeypatch, figures):
    namespace = _run_as_script("convnet_digits.py", monkeypatch, "--save", str(tmp_path / "out"))
    out = capsys.readouterr().out
    accuracy = float(re.search(r"held-out accuracy: ([\d.]+)", out)[1])
    assert accuracy > 0.97
    assert "confusion matrix" in out
    assert out.count("  epoch ") == namespace["EPOCHS"] // 10       # progress lines
    assert (tmp_path / "out" / "convnet_digits.png").stat().st_size > 10_000
    assert len(figures()) == 1


def test_distributed_grid_search_example(capsys):
    pytest.importorskip("distributed")
    main = runpy.run_path(str(EXAMPLES / "distributed_grid_search.py"), run_name="example")["main"]
    search = main(processes=False)
    assert search.best_score_ > 0.9
    assert "dask cluster with 2 workers" in capsys.readouterr().out


def test_fashion_mnist_example_falls_back_to_digits_offline(tmp_path, capsys, figures):
    accuracy = _run("fashion_mnist_mlp.py", str(tmp_path))
    out = capsys.readouterr().out
    assert "using scikit-learn's bundled digits instead" in out
    assert accuracy > 0.9
    assert (tmp_path / "fashion_mnist_mlp.png").stat().st_size > 5_000
    assert len(figures()) == 1


def test_housing_example_falls_back_to_diabetes_offline(capsys, figures):
    r2 = _run("housing_regression.py")        # draws, saves nothing
    assert "using scikit-learn's bundled diabetes data instead" in capsys.readouterr().out
    assert r2 > 0.4
    assert len(figures()) == 1


@pytest.mark.slow
def test_grid_search_example(tmp_path, capsys, figures):
    search = _run("grid_search_learning_rates.py", str(tmp_path), max_iter=15)
    assert search.best_params_["mlpfromscratch__learning_rate_init"] > 1e-4
    assert "Fitting 5 folds for each of 7 candidates" in capsys.readouterr().out
    assert (tmp_path / "grid_search_learning_rates.png").stat().st_size > 5_000
    assert len(figures()) == 1


@pytest.mark.slow
def test_cross_validation_example(tmp_path, figures):
    results = _run("cross_validation.py", str(tmp_path))
    assert (tmp_path / "cross_validation.png").stat().st_size > 5_000
    assert len(figures()[0].axes) == len(results)
    accuracies = [s.mean() for name, s in results.items() if "accuracy" in name]
    assert min(accuracies) > 0.93
    assert results["MLPFromScratch, diabetes (R²)"].mean() > 0.4


def test_gradient_check_example():
    errors, bug = _run("gradient_check.py")
    assert max(errors.values()) < 1e-6
    assert bug > 0.1


def test_save_and_load_example(tmp_path):
    assert _run("save_and_load.py", str(tmp_path / "m.npz")) == (True, True)


def test_early_stopping_example(figures):
    model, best = _run("early_stopping.py")
    assert len(figures()) == 1
    assert model.n_iter_ > best + model.n_iter_no_change   # more than n_iter_no_change worse epochs
    assert model.best_validation_score_ == model.validation_scores_[best - 1]


def test_wide_and_deep_example_beats_the_mean_on_both_outputs(tmp_path, capsys):
    figure = tmp_path / "wide_and_deep.png"
    results = _run("wide_and_deep.py", str(tmp_path))
    out = capsys.readouterr().out
    assert "using scikit-learn's bundled diabetes data instead" in out
    assert "Connected to" in out and "wide, dense_1" in out     # the summary, with the merge
    assert f"main output {results['main_mse']:.4g}" in out
    assert f"auxiliary output {results['aux_mse']:.4g}" in out
    # MSE over the test variance is unit-free: 1 is what predicting the mean scores
    assert results["main_mse"] < 0.75 * results["target_variance"]
    assert results["aux_mse"] < 0.9 * results["target_variance"]
    history = results["history"]
    assert history["val_main_loss"][-1] < 0.8 * history["val_main_loss"][0]
    assert history["loss"][-1] < history["loss"][0]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in out
    else:
        assert figure.stat().st_size > 10_000


def test_callbacks_example_checkpoints_the_early_stopped_model(tmp_path, capsys):
    import csv

    from sklearn.datasets import load_digits

    import skscratch

    results = _run("callbacks.py", str(tmp_path))
    out = capsys.readouterr().out
    model, n_iter, best_epoch = results["model"], results["n_iter"], results["best_epoch"]
    assert best_epoch < n_iter < 200                     # EarlyStopping ended it, not max_iter
    assert model.validation_scores_[best_epoch] == max(model.validation_scores_)  # from 0
    X, _ = load_digits(return_X_y=True)
    best = skscratch.load(tmp_path / "best.npz")
    assert best.n_iter_ == best_epoch + 1
    np.testing.assert_array_equal(best.predict_proba(X / 16), model.predict_proba(X / 16))
    with open(tmp_path / "training.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(row["epoch"]) for row in rows] == list(range(1, n_iter + 1))
    assert results["csv_rows"] == n_iter
    assert results["test_accuracy"] > 0.9
    assert results["reductions"] and len(results["weight_norms"]) == n_iter
    assert f"best epoch {best_epoch + 1}" in out
    assert f"{n_iter} rows" in out and "predicts identically: True" in out
    assert (tmp_path / "callbacks.png").stat().st_size > 5_000


def test_custom_model_grid_search_example_picks_the_wide_net_and_fast_rate(capsys):
    results = _run("custom_model_grid_search.py")
    out = capsys.readouterr().out
    # 8 units at 1e-3 cannot learn digits in 30 epochs; 64 units at 1e-2 can
    assert results["best_params"] == {"networkestimator__model__units": 64,
                                      "networkestimator__learning_rate_init": 1e-2}
    assert results["best_score"] > 0.9
    assert min(results["mean_test_scores"]) < results["best_score"] - 0.2
    assert f"best: {results['best_params']}" in out
    assert "using scikit-learn's bundled diabetes data instead" in out
    # diabetes: 0.458 measured, linear regression on the same 8 features 0.466, the mean 0
    assert results["housing_data"] == "diabetes" and len(results["wide_and_deep_r2"]) == 5
    assert results["wide_and_deep_r2"].mean() > 0.38


def test_keras_chapter_runs_with_only_its_imports_renamed(tmp_path, capsys):
    results = _run("keras_chapter.py", str(tmp_path), quick=True)
    out = capsys.readouterr().out
    assert "the first Dense has weights (64, 300)" in out
    assert results["accuracy"] > 0.85                       # 10 epochs of plain SGD, digits
    assert results["regression_mse"] < 0.3 * results["target_variance"]
    assert results["checkpoint_is_restored_model"]
    assert [line.split(",")[0] for line in out.splitlines() if line.startswith("Epoch=")] == [
        "Epoch=0", "Epoch=1", "Epoch=2"]
    assert (tmp_path / "my_keras_model.keras").exists()
    assert (tmp_path / "my_weights.weights.npz").exists()
    assert results["search"].best_score_ > 0.5


def test_learning_rate_finder_example_chooses_three_ways(tmp_path, capsys, figures):
    # reduced: 10 epochs, 4 rates, 3 folds (the full run is W9's workload for SGD)
    results = _run("learning_rate_finder.py", str(tmp_path), epochs=10,
                   rates=np.logspace(-3, 0, 4), n_folds=3)
    out = capsys.readouterr().out
    assert list(results) == ["grid search", "successive halving", "range test"]
    assert results["grid search"]["rate"] in np.logspace(-3, 0, 4)
    # the suggestion lies where plain SGD on digits learns (docs/learning_rate_finder.md)
    assert 6e-3 < results["range test"]["rate"] < 0.5
    assert min(row["accuracy"] for row in results.values()) > 0.85
    assert "the range test took" in out and "3-fold CV accuracy" in out
    assert (tmp_path / "learning_rate_finder.png").stat().st_size > 10_000
    assert len(figures()) == 1 and len(figures()[0].axes) == 2

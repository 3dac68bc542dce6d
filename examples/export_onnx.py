"""
Export to ONNX and predict with onnxruntime
===========================================

Fit skscratch models, export them to ONNX, and check that onnxruntime
predicts what ``predict`` and ``predict_proba`` do.

Three routes: :func:`skscratch.onnx.to_onnx` on a fitted estimator (here a
float64 ``ConvNetFromScratch``, exact to about 1e-16); skl2onnx on a whole
scikit-learn ``Pipeline`` (``StandardScaler`` + ``MLPFromScratch`` in
float32), after :func:`skscratch.onnx.register_skl2onnx`; and a ``.onnx``
file, written into a temporary folder and read back. It needs the optional
packages of ``pip install "skscratch[onnx]"`` and says so when they are
missing.

Run: ``python examples/export_onnx.py``
"""

import os
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skscratch import ConvNetFromScratch, MLPFromScratch


def fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def compare(name, session, X, model):
    """Run onnxruntime on X; print and return how far it is from the model's own answers."""
    label, proba = session.run(None, {"X": X})
    gap = float(np.abs(proba - model.predict_proba(X)).max())
    same = bool(np.array_equal(label, model.predict(X)))
    print(f"{name}: largest probability difference {gap:.2g}, labels identical: {same}")
    return gap, same


def main():
    try:
        import onnxruntime as ort
        import skl2onnx

        from skscratch.onnx import register_skl2onnx, to_onnx
        register_skl2onnx()
    except ImportError as exc:
        print(f"{exc}\nThis example needs the ONNX packages: pip install \"skscratch[onnx]\"")
        return None
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    results = {}

    # 1. a float64 ConvNet, exported by skscratch itself: flat rows in, as in a pipeline
    convnet = fit(ConvNetFromScratch((8,), hidden_layer_sizes=(32,), max_iter=15,
                                     random_state=0), X_train / 16, y_train)
    session = ort.InferenceSession(to_onnx(convnet).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    results["convnet"] = compare("ConvNet, float64", session, X_test / 16, convnet)

    # 2. a float32 pipeline, converted step by step by skl2onnx
    X32 = X_train.astype(np.float32)
    pipeline = fit(make_pipeline(StandardScaler(), MLPFromScratch((64,), max_iter=30,
                                                                  random_state=0)), X32, y_train)
    onnx_model = skl2onnx.to_onnx(pipeline, X32[:1],
                                  options={MLPFromScratch: {"zipmap": False}})
    print("pipeline operators:", sorted({node.op_type for node in onnx_model.graph.node}))

    # 3. through a file, as a deployment would ship it
    path = os.path.join(tempfile.mkdtemp(), "digits_pipeline.onnx")
    with open(path, "wb") as f:
        f.write(onnx_model.SerializeToString())
    print(f"wrote {os.path.basename(path)} ({os.path.getsize(path):,} bytes) to a temporary "
          "folder")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    results["pipeline"] = compare("Pipeline, float32", session, X_test.astype(np.float32),
                                  pipeline)
    results["accuracy"] = float(np.mean(session.run(None, {"X": X_test.astype(np.float32)})[0]
                                        == y_test))
    print(f"test accuracy of the ONNX pipeline: {results['accuracy']:.3f}")
    return results


if __name__ == "__main__":
    main()

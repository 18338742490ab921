"""Classifier-stage golden cases for the examples (examples/common/classify.rs): scikit-learn's
PCA + RBF SVC, LinearSVC and multinomial logistic regression predictions on a small synthetic
10-class problem (overlapping Gaussian clusters with a low-rank structure like spike features).
Not the original Spyker: the original's example scripts use scikit-learn for this stage."""
import numpy as np


def data(rng, n_train=600, n_test=200, dims=60, rank=12):
    basis = rng.normal(size=(rank, dims))
    means = rng.normal(scale=0.8, size=(10, rank))

    def draw(n):
        y = np.arange(n) % 10
        z = means[y] + rng.normal(size=(n, rank))
        x = z @ basis + 0.3 * rng.normal(size=(n, dims))
        return np.round(np.clip(x + 6, 0, 15)), y  # integer-valued like 15 - gather

    trx, try_ = draw(n_train)
    tex, tey = draw(n_test)
    return trx, try_, tex, tey


def generate():
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC, LinearSVC

    rng = np.random.default_rng(6)
    trx, try_, tex, tey = data(rng)
    out = {"syn__train_x": trx, "syn__train_y": try_.astype(np.int64),
           "syn__test_x": tex, "syn__test_y": tey.astype(np.int64)}
    p = PCA(20).fit(trx)
    a, b = p.transform(trx), p.transform(tex)
    out["syn__pca_components"] = np.ascontiguousarray(p.components_.T)  # [features, 20]
    out["syn__rbf_pred"] = SVC(C=2.4, kernel="rbf").fit(a, try_).predict(b).astype(np.int64)
    out["syn__linear_svc_pred"] = (
        LinearSVC(C=2.4, dual="auto", max_iter=20000).fit(trx, try_).predict(tex).astype(np.int64))
    out["syn__logistic_pred"] = (
        LogisticRegression(C=2.4, max_iter=5000).fit(trx, try_).predict(tex).astype(np.int64))
    return out

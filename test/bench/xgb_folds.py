#!/usr/bin/python3
"""Time XGBoost on the exact folds the LeadLens accuracy bench used.

usage: /usr/bin/python3 test/bench/xgb_folds.py SPEC.json

SPEC.json: {"baselines": DIR with baselines.py, "csv": PATH, "dataset": "xeducation" |
"bank_additional", "variant": "noleak" | ..., "seed": 42, "threads": N,
"folds": [[test row indices of fold 0], ...], "params": {optional XGBClassifier overrides}}

The model and preprocessing are baselines.py's own (make_model("xgb"): 400 trees, hist,
depth 6, lr 0.05, rare levels pooled, one-hot), imported from that file so the settings
cannot drift; "params" overrides the classifier's settings only (the bench's tuned references),
never the preprocessing. Prints one JSON line per fold: {"fold", "roc_auc", "pr_auc", "fit_time_s",
"fit_cpu_s"} (wall-clock and process CPU seconds of the fit; CPU time is what other jobs on a
shared machine disturb least).
"""
import json
import os
import sys
import time

spec = json.load(open(sys.argv[1]))
os.environ["OMP_NUM_THREADS"] = str(spec.get("threads", 1))
sys.path.insert(0, spec["baselines"])
import numpy as np  # noqa: E402
import baselines  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

baselines.N_THREADS = int(spec.get("threads", 1))
X_all, y, cat_all, variants, _ = baselines.LOADERS[spec["dataset"]](spec["csv"], None)
X = X_all.drop(columns=variants[spec["variant"]])
cat_cols = [c for c in cat_all if c in X.columns]
num_cols = [c for c in X.columns if c not in cat_cols]
n = len(y)
for k, test in enumerate(spec["folds"]):
    te = np.array(test, dtype=np.int64)
    mask = np.ones(n, dtype=bool)
    mask[te] = False
    tr = np.nonzero(mask)[0]
    m = baselines.make_model("xgb", num_cols, cat_cols, spec.get("seed", 42))
    m.set_params(**{f"clf__{k}": v for k, v in spec.get("params", {}).items()})
    t0, c0 = time.perf_counter(), time.process_time()
    m.fit(X.iloc[tr], y[tr])
    fit, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    p = m.predict_proba(X.iloc[te])[:, 1]
    print(json.dumps({"fold": k, "roc_auc": roc_auc_score(y[te], p),
                      "pr_auc": average_precision_score(y[te], p), "fit_time_s": fit, "fit_cpu_s": fit_cpu,
                      "threads": baselines.N_THREADS}), flush=True)

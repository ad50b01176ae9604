import math

import pytest

from rnagraph.evaluate import CVResult, format_mean_std, markdown_table, results_table

CM = ("circrna", "binds", "mirna")


def result(aucs, protocol="leakage-free"):
    folds = [{"fold": i, "auc": a, "f1": 0.5} for i, a in enumerate(aucs)]
    return CVResult(model="M", edge_type=CM, protocol=protocol, mode="warm", folds=folds)


def test_format_mean_std_by_hand():
    # mean 0.85; population std sqrt(((0.05)^2 + (0.05)^2) / 2) = 0.05
    assert format_mean_std([0.8, 0.9], 3) == "0.850 ± 0.050"
    # [1, 2, 4]: mean 7/3 = 2.3333; variance (16/9 + 1/9 + 25/9) / 3 = 42/27 -> std 1.2472
    assert format_mean_std([1, 2, 4]) == "2.3333 ± 1.2472"
    # NaN / None (a metric undefined on one fold) are left out, not propagated
    assert format_mean_std([0.8, math.nan, None, 0.9], 2) == "0.85 ± 0.05"
    assert format_mean_std([]) == "n/a" and format_mean_std([math.nan]) == "n/a"


def test_cv_result_tables_use_the_one_formatter():
    r = result([0.8, 0.9])
    assert r.summary("auc", 3) == format_mean_std([0.8, 0.9], 3) == "0.850 ± 0.050"
    assert r.table(metrics=("auc",), digits=3).splitlines()[-1] == "| mean ± std | 0.850 ± 0.050 |"
    t = results_table({"DegreeProduct": r, "Other": result([0.6, 0.6])}, metrics=("auc", "f1"))
    lines = t.splitlines()
    assert lines[0].startswith("circrna–mirna · warm · leakage-free · 2 folds")
    assert lines[2:] == ["| model | auc | f1 |", "|---|---|---|",
                         "| DegreeProduct | 0.850 ± 0.050 | 0.500 ± 0.000 |",
                         "| Other | 0.600 ± 0.000 | 0.500 ± 0.000 |"]


def test_markdown_table():
    assert markdown_table(["a", "b"], [[1, "x"], [2.5, None]]) == (
        "| a | b |\n|---|---|\n| 1 | x |\n| 2.5 | None |")
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        markdown_table(["a", "b"], [[1, 2], [3]])


def test_cv_result_std_is_the_population_std_the_tables_print():
    # AUCs 0.7, 0.8, 1.0: mean 0.8333; squared deviations 0.017778 + 0.001111 + 0.027778 =
    # 0.046667; population std sqrt(0.046667 / 3) = 0.124722 (the sample std, / 2, is 0.152753)
    r = result([0.7, 0.8, 1.0])
    assert r.std["auc"] == pytest.approx(0.124722, abs=1e-6)
    assert r.mean["auc"] == pytest.approx(0.833333, abs=1e-6)
    assert r.to_dict()["std"]["auc"] == r.std["auc"]
    printed = f"{r.mean['auc']:.3f} ± {r.std['auc']:.3f}"
    assert printed == "0.833 ± 0.125" == r.summary("auc", 3)
    assert r.table(metrics=("auc",), digits=3).splitlines()[-1] == f"| mean ± std | {printed} |"
    assert f"| M | {printed} |" in results_table({"M": r}, metrics=("auc",))
    # a fold where a metric is undefined (NaN) is left out of both, alike
    r = result([0.7, math.nan, 0.9])
    assert r.std["auc"] == pytest.approx(0.1) and r.summary("auc", 2) == "0.80 ± 0.10"

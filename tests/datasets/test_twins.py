import pytest

from rnagraph.data import build_graph
from rnagraph.datasets import twin_report

CM = ("circrna", "binds", "mirna")


def test_twin_report_hand_graph():
    # a, b share {x, y}; c, d share {x} only (not twins with min_degree=2); e: {y, z}
    g = build_graph({}, {CM: [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"),
                              ("d", "x"), ("e", "y"), ("e", "z")]},
                    node_ids={"circrna": ["f"]})
    r = twin_report(g, CM)
    assert r["circrna"] == {"nodes": 6, "with_partners": 5, "twin_nodes": 2, "twin_groups": 1,
                            "largest_group": 2}
    assert r["mirna"]["twin_nodes"] == 0 and r["mirna"]["nodes"] == 3
    assert twin_report(g, CM, min_degree=1)["circrna"]["twin_groups"] == 2


@pytest.mark.realdata
def test_cmi9589_twins(real_root):
    from rnagraph.datasets import load
    r = twin_report(load("cmi-9589", root=real_root), CM)
    assert r["circrna"]["twin_nodes"] == 750
    assert r["circrna"]["twin_groups"] == 211
    assert r["circrna"]["largest_group"] == 15

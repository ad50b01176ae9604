"""Fixtures shared by the command tests."""
import pytest

from rnagraph.data import Fold
from rnagraph.datasets import synthetic
from rnagraph.models import DegreeProduct
from rnagraph.typing import CIRC_MIRNA


@pytest.fixture(scope="session")
def degree(tmp_path_factory):
    """A degree-product model of a small synthetic circRNA-miRNA graph, saved."""
    g = synthetic(num_mirna=12, num_mrna=0, num_circrna=30, seed=1)
    path = tmp_path_factory.mktemp("deg") / "deg.rg"
    DegreeProduct().fit(Fold.full(g, CIRC_MIRNA, seed=0)).save(path)
    return path

"""ids -> HeteroData: id maps, graph building, negatives, splits, leakage checks."""
from rnagraph.data.build import build_graph
from rnagraph.data.fold import Fold, LinkSet
from rnagraph.data.idmap import IdMap, ids_to_index, index_to_ids

__all__ = [
    "build_graph",
    "IdMap",
    "ids_to_index",
    "index_to_ids",
    "Fold",
    "LinkSet",
]

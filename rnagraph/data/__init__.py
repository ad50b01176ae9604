"""ids -> HeteroData: id maps, graph building, negatives, splits, leakage checks."""
from rnagraph.data.build import add_reverse_edges, build_graph, message_edges, node_sequences
from rnagraph.data.extend import append_nodes
from rnagraph.data.fold import Fold, LinkSet
from rnagraph.data.from_files import read_graph, read_sequences
from rnagraph.data.idmap import IdMap, ids_to_index, index_to_ids
from rnagraph.data.isolated import IsolatedNodesWarning, interactions_complete, isolated_nodes
from rnagraph.data.joint_fold import JointFold
from rnagraph.data.joint_split import joint_kfold_split
from rnagraph.data.leakage import LeakageError, PaperProtocolWarning, check_no_leakage
from rnagraph.data.negatives import sample_negatives
from rnagraph.data.node_column import NodeColumn, as_column
from rnagraph.data.split import full_fold, holdout_split, kfold_link_split, train_graph_from

__all__ = [
    "build_graph", "message_edges",
    "add_reverse_edges",
    "append_nodes",
    "node_sequences",
    "NodeColumn",
    "as_column",
    "read_graph",
    "read_sequences",
    "IdMap",
    "ids_to_index",
    "index_to_ids",
    "Fold",
    "LinkSet",
    "sample_negatives",
    "interactions_complete",
    "isolated_nodes",
    "IsolatedNodesWarning",
    "kfold_link_split",
    "holdout_split",
    "full_fold",
    "train_graph_from",
    "check_no_leakage",
    "LeakageError",
    "PaperProtocolWarning",
    "JointFold",
    "joint_kfold_split",
]

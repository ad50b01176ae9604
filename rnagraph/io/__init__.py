"""Readers: files -> plain Python (no torch). Every malformed input raises :class:`InputError`."""
from rnagraph.io._text import IUPAC_AMBIGUOUS, RNA_ALPHABET, normalize_sequence, open_text
from rnagraph.io.atomic import atomic_path, atomic_write
from rnagraph.io.errors import InputError
from rnagraph.io.fasta import read_fasta, read_sequence_table
from rnagraph.io.matrix import read_id_list, read_interaction_matrix
from rnagraph.io.pairs import PairTable, read_pair_table, read_pairs

__all__ = [
    "InputError",
    "atomic_path",
    "atomic_write",
    "read_fasta",
    "read_sequence_table",
    "read_pairs",
    "read_pair_table",
    "PairTable",
    "read_id_list",
    "read_interaction_matrix",
    "normalize_sequence",
    "open_text",
    "IUPAC_AMBIGUOUS",
    "RNA_ALPHABET",
]

"""Sequence featurizers, pair featurizers (seed sites) and similarity graphs.

Every per-sequence featurizer follows scikit-learn's ``fit`` / ``transform`` /
``fit_transform``, returns ``float32`` arrays and maps a missing sequence (``None``) to an
all-zero row; ``transform(seqs, return_mask=True)`` (or :func:`sequence_mask`) gives the mask,
``True`` where a sequence exists (the ``has_seq`` convention of rnagraph graphs).
"""
from rnagraph.features._missing import normalize_sequence, sequence_mask
from rnagraph.features.ctd import CTD
from rnagraph.features.doc2vec import Doc2VecEmbedding
from rnagraph.features.duplex import DuplexFeatures
from rnagraph.features.folding import FOLDING, FoldingFeatures
from rnagraph.features.gip import InteractionProfileSimilarity
from rnagraph.features.kmer import KmerFrequency
from rnagraph.features.kmer_embedding import KmerEmbedding
from rnagraph.features.levenshtein import LevenshteinSimilarity
from rnagraph.features.seed_sites import (
    SITE_TYPES,
    SeedSiteFeatures,
    SeedSiteIndex,
    count_sites,
    find_sites,
)
from rnagraph.features.sequence_similarity import sequence_similarity
from rnagraph.features.similarity_graph import similarity_graph
from rnagraph.features.structural import STRUCTURAL_FEATURES, StructuralPairFeatures
from rnagraph.features.tokenizer import KmerTokenizer

__all__ = [
    "KmerFrequency",
    "CTD",
    "LevenshteinSimilarity",
    "Doc2VecEmbedding",
    "KmerEmbedding",
    "KmerTokenizer",
    "InteractionProfileSimilarity",
    "SeedSiteFeatures",
    "DuplexFeatures",
    "FoldingFeatures",
    "FOLDING",
    "SeedSiteIndex",
    "StructuralPairFeatures",
    "STRUCTURAL_FEATURES",
    "SITE_TYPES",
    "count_sites",
    "find_sites",
    "similarity_graph",
    "sequence_similarity",
    "sequence_mask",
    "normalize_sequence",
]

"""Per-sequence stages of sequence encoders: token embedding, CNN with pooling, (Bi)LSTM over
padded batches (GRMMI's sequence branch is built from them)."""
from rnagraph.nn.sequence.kmer_conv import KmerConv
from rnagraph.nn.sequence.padded_lstm import PaddedLSTM
from rnagraph.nn.sequence.token_embedding import TokenEmbedding

__all__ = ["TokenEmbedding", "KmerConv", "PaddedLSTM"]

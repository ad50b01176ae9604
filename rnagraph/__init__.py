"""rnagraph: RNA-RNA interaction prediction on PyTorch Geometric.

Subpackages follow the data flow
``io -> data -> features -> nn -> train -> models -> evaluate -> cli``; import them explicitly
(``from rnagraph.models import MFERL``). Importing :mod:`rnagraph` itself is cheap and loads no
torch.
"""
__version__ = "0.2.0"

__all__ = ["__version__"]

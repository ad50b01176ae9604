"""Fixtures for dataset tests: a tiny fake data root with the real files' quirks.

``real_root`` (skips without ``$RNAGRAPH_DATA``) and the temporary ``$RNAGRAPH_CACHE`` come from
``tests/conftest.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest


def _write(path: Path, text: str, crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode())


@pytest.fixture
def fake_root(tmp_path) -> Path:
    """A data root with hand-made miniature versions of the real files (same quirks)."""
    root = tmp_path / "data"
    # cmi-9905: miRNA first, CRLF, no header; mir-c has a sequence but no pair.
    _write(root / "cmi-9905" / "9905pairs.csv",
           "hsa-mir-a,hsa_circ_1\nhsa-mir-b,hsa_circ_1\nhsa-mir-a,hsa_circ_2\n", crlf=True)
    _write(root / "cmi-9905" / "miRNA.csv",
           "hsa-mir-b,UGAGGUAG\nhsa-mir-a,acgtacgt\nhsa-mir-c,GGGG\n", crlf=True)
    # a second cmi table, used as a miRNA sequence source for mtis
    _write(root / "cmi-20208" / "miRNA.csv", "hsa-mir-x,AAAACCCC\nhsa-mir-y,UUUU\n", crlf=True)
    _write(root / "mirbase-mature" / "mature.fa",
           ">hsa-mir-y MIMAT1 Homo sapiens mir-y\nUUUUG\n"
           ">hsa-mir-z MIMAT2 Homo sapiens mir-z\nGGCC\n"
           ">mmu-mir-z MIMAT3 Mus musculus mir-z\nGGCA\n")
    m = root / "mtis-9214"
    _write(m / "all_mi.csv", "hsa-mir-x\nhsa-mir-y\nhsa-mir-z\nhsa-mir-w\n", crlf=True)
    _write(m / "all_M.csv", "GENE1\nGENE2\nGENE3\n", crlf=True)
    pos = [("hsa-mir-x", "GENE1"), ("hsa-mir-y", "GENE2"), ("hsa-mir-z", "GENE3"),
           ("hsa-mir-w", "GENE1")]
    neg = [("hsa-mir-x", "GENE2"), ("hsa-mir-y", "GENE3"), ("hsa-mir-z", "GENE1"),
           ("hsa-mir-w", "GENE2")]
    _write(m / "output1.csv", "".join(f"{a}, {b}\n" for a, b in pos), crlf=True)
    _write(m / "NegativeSample.csv", "".join(f"{a},{b}\n" for a, b in neg), crlf=True)
    for stem, sl in (("Train", slice(0, 2)), ("Validation", slice(2, 3)), ("Test", slice(3, 4))):
        _write(m / f"PositiveSample_{stem}.csv", "".join(f"{a},{b}\n" for a, b in pos[sl]))
        _write(m / f"NegativeSample_{stem}.csv", "".join(f"{a},{b}\n" for a, b in neg[sl]))
    mt = root / "mitar-mirna-mrna"
    _write(mt / "data_DeepMirTar_removeMisMissing_remained_seed1122.txt",
           "miRNA ID\tmiRNA Seq (3'-->5')\tmRNA Accession Number\tTarget Site\tlabel\n"
           "MIMAT1\tACGU\tNM_1\tAACCTTGG\t1\n"
           "MIMAT2\tGGAA\tNM_2\tCCCCUUUU\t0\n"
           "MIMAT1\tACGU\tNM_1\tAACCTTGG\t1\n"
           "MIMAT3\tCCAA\tNM_3\tGGGGAAAA\t0\n"
           "MIMAT4\tUUAA\tNM_4\tAAAAAAAA\t1\n")
    return root


@pytest.fixture
def snapshot():
    """``snapshot(root)``: every path under ``root`` with size and mtime (to prove nothing was
    written there)."""
    return _snapshot


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    out["."] = (0, root.stat().st_mtime_ns)
    return out


@pytest.fixture(autouse=True)
def _no_default_data_root(tmp_path_factory, monkeypatch):
    """The default data root (``$XDG_DATA_HOME/rnagraph/data``) of the machine never stands in
    for a missing one: a user who ran ``rnagraph datasets download`` gets the same results."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))

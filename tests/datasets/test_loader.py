import os

import pytest
import torch

from rnagraph.datasets import load
from rnagraph.typing import CIRC_MIRNA, CIRCRNA, MIRNA, MIRNA_MRNA


def test_load_uses_the_cache_dir_and_never_writes_the_data_root(fake_root, tmp_path, snapshot):
    before = snapshot(fake_root)
    cache = tmp_path / "cache"
    a = load("cmi-9905", fake_root, cache_dir=cache)
    b = load("cmi-9905", fake_root, cache_dir=cache)
    load("mtis-9214", fake_root, cache_dir=cache)
    assert snapshot(fake_root) == before
    files = sorted(p.relative_to(cache).parts[0] for p in cache.rglob("data_*.pt"))
    assert files == ["cmi-9905", "mtis-9214"]
    assert torch.equal(a[CIRC_MIRNA].edge_index, b[CIRC_MIRNA].edge_index)
    assert a[MIRNA].ids == b[MIRNA].ids and a[MIRNA].seq == b[MIRNA].seq


def test_load_default_cache_from_env(fake_root, tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_CACHE", str(tmp_path / "envcache"))
    load("cmi-9905", fake_root)
    assert list((tmp_path / "envcache" / "cmi-9905" / "processed").glob("data_*.pt"))


def test_load_without_cache_writes_nothing(fake_root, tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_CACHE", str(tmp_path / "c"))
    data = load("mtis-9214", fake_root, use_cache=False)
    assert data[MIRNA_MRNA].edge_index.size(1) == 4
    assert not (tmp_path / "c").exists()


def test_load_root_from_env_and_sequences(fake_root, tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_DATA", str(fake_root))
    fa = tmp_path / "c.fa"
    fa.write_text(">hsa_circ_1\nAAAA\n")
    data = load("cmi-9905", sequences={CIRCRNA: fa})
    assert data[CIRCRNA].has_seq.tolist() == [True, False]
    assert data[CIRCRNA].seq[0] == "AAAA"


def test_load_errors(fake_root, monkeypatch):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="RNAGRAPH_DATA"):
        load("cmi-9905")
    with pytest.raises(FileNotFoundError, match=r"cmi-20208.*20208.csv"):
        load("cmi-20208", fake_root)
    with pytest.raises(ValueError, match="load_site_pairs"):
        load("deepmirtar", fake_root)
    with pytest.raises(KeyError):
        load("nope", fake_root)


def test_unwritable_cache_falls_back(fake_root, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.warns(UserWarning, match="cache not usable"):
        data = load("cmi-9905", fake_root, cache_dir=blocker / "sub")
    assert data[CIRC_MIRNA].edge_index.size(1) == 3


@pytest.mark.realdata
def test_load_real_mtis_coverage(real_root, tmp_path, snapshot):
    before = snapshot(real_root)
    data = load("mtis-9214", real_root, cache_dir=tmp_path)
    assert int(data[MIRNA].has_seq.sum()) == 793 and data[MIRNA].num_nodes == 861
    assert data[MIRNA].seq_report["covered"] == 793
    assert snapshot(real_root) == before
    assert os.listdir(tmp_path) == ["mtis-9214"]

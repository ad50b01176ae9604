import pytest
import torch

from rnagraph.datasets import RNAGraphDataset
from rnagraph.datasets import in_memory as mod
from rnagraph.typing import CIRC_MIRNA, MIRNA, MIRNA_MRNA


@pytest.mark.parametrize("name,et", [("cmi-9905", CIRC_MIRNA), ("mtis-9214", MIRNA_MRNA)])
def test_round_trip_from_cache(fake_root, tmp_path, monkeypatch, name, et):
    ds = RNAGraphDataset(name, fake_root, cache_dir=tmp_path)
    assert len(ds) == 1 and repr(ds) == f"RNAGraphDataset(name={name!r})"
    first = ds[0]

    def boom(*args, **kwargs):
        raise AssertionError("re-processed although a cache exists")

    monkeypatch.setattr(mod, "build_dataset", boom)
    again = RNAGraphDataset(name, fake_root, cache_dir=tmp_path)[0]
    assert torch.equal(first[et].edge_index, again[et].edge_index)
    assert first[MIRNA].ids == again[MIRNA].ids
    assert first[MIRNA].seq == again[MIRNA].seq
    assert torch.equal(first[MIRNA].has_seq, again[MIRNA].has_seq)
    assert ds.processed_dir.startswith(str(tmp_path / name))


def test_changed_raw_file_is_reprocessed(fake_root, tmp_path):
    ds = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path)
    assert ds[0][CIRC_MIRNA].edge_index.size(1) == 3
    old = ds.processed_paths
    with open(fake_root / "cmi-9905" / "9905pairs.csv", "a") as fh:
        fh.write("hsa-mir-c,hsa_circ_3\r\n")
    ds2 = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path)
    assert ds2.processed_paths != old
    assert ds2[0][CIRC_MIRNA].edge_index.size(1) == 4


def test_pre_transform_and_force_reload(fake_root, tmp_path):
    def tag(data):
        data.tagged = 1
        return data

    ds = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path, pre_transform=tag)
    assert ds[0].tagged == 1
    ds = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path, force_reload=True)
    assert "tagged" not in ds[0]


def test_missing_raw_file_creates_nothing(fake_root, tmp_path, snapshot):
    (fake_root / "mtis-9214" / "all_M.csv").unlink()
    before = snapshot(fake_root)
    with pytest.raises(FileNotFoundError, match="all_M.csv"):
        RNAGraphDataset("mtis-9214", fake_root, cache_dir=tmp_path)
    assert snapshot(fake_root) == before


def test_cache_inside_data_root_refused(fake_root):
    with pytest.raises(ValueError, match="inside the data root"):
        RNAGraphDataset("cmi-9905", fake_root, cache_dir=fake_root / "cache")
    assert not (fake_root / "cache").exists()


@pytest.mark.realdata
def test_real_round_trip(real_root, tmp_path):
    a = RNAGraphDataset("cmi-9589", real_root, cache_dir=tmp_path)[0]
    b = RNAGraphDataset("cmi-9589", real_root, cache_dir=tmp_path)[0]
    assert a[CIRC_MIRNA].edge_index.size(1) == 9589
    assert torch.equal(a[CIRC_MIRNA].edge_index, b[CIRC_MIRNA].edge_index)


class _Payload:
    """Unpickling this creates the folder ``target`` (a stand-in for running any code)."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        import os
        return (os.mkdir, (self.target,))


@pytest.mark.parametrize("victim", ["pre_transform.pt", "pre_filter.pt", "data"])
def test_a_pickle_payload_in_the_cache_never_runs(fake_root, tmp_path, victim):
    ds = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path / "cache")
    first = ds[0]
    path = (ds.processed_paths[0] if victim == "data"
            else str(tmp_path / "cache" / "cmi-9905" / "processed" / victim))
    target = tmp_path / "pwned"
    torch.save(_Payload(target), path)
    with pytest.warns(UserWarning, match="processed cache is unreadable or was not written by "
                      "rnagraph: ignoring .*" + victim.split(".")[0] + ".* rebuilding"):
        again = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path / "cache")[0]
    assert not target.exists()
    assert torch.equal(first[CIRC_MIRNA].edge_index, again[CIRC_MIRNA].edge_index)
    assert first[MIRNA].ids == again[MIRNA].ids
    # the rebuilt file reads back as plain tensors: a third load neither warns nor rebuilds
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path / "cache")
    assert torch.load(path, weights_only=True) is not None


def test_a_foreign_processed_file_is_rebuilt(fake_root, tmp_path, monkeypatch):
    ds = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path)
    torch.save({"something": torch.zeros(3)}, ds.processed_paths[0])  # loads, but is not ours
    calls = []
    real = mod.build_dataset
    monkeypatch.setattr(mod, "build_dataset", lambda *a: calls.append(1) or real(*a))
    with pytest.warns(UserWarning, match="rebuilding it from the raw files"):
        again = RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path)[0]
    assert calls == [1] and again[CIRC_MIRNA].edge_index.size(1) == 3


def test_a_changed_pre_transform_rebuilds(fake_root, tmp_path):
    def tag(data):
        data.tagged = 1
        return data

    assert "tagged" not in RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path)[0]
    # PyG only warns here and keeps the old graph; a different pre_transform re-processes
    assert RNAGraphDataset("cmi-9905", fake_root, cache_dir=tmp_path,
                           pre_transform=tag)[0].tagged == 1

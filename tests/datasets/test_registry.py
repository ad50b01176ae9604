import pytest

from rnagraph.datasets import REGISTRY, available, get_info
from rnagraph.typing import CIRC_MIRNA, MIRNA_MRNA


def test_get_info_aliases_and_case():
    assert get_info("COMBINED").name == "deepmirtar-miraw"
    assert get_info(" mtis ").name == "mtis-9214"
    assert get_info("cmi-9589").edge_type == CIRC_MIRNA
    assert get_info("mtis-9214").edge_type == MIRNA_MRNA


def test_get_info_errors():
    with pytest.raises(KeyError, match="known: cmi-9905"):
        get_info("cmi-1")
    with pytest.raises(ValueError, match="load_site_pairs"):
        get_info("miraw", kind="graph")


def test_available_without_root_lists_everything_absent(monkeypatch):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    table = available()
    assert [r["name"] for r in table] == list(REGISTRY)
    assert not any(r["present"] for r in table)
    row = next(r for r in table if r["name"] == "cmi-9905")
    assert (row["pairs"], row["nodes"]) == (9905, "circrna=2346 mirna=962")


def test_available_marks_present_folders(fake_root):
    table = {r["name"]: r for r in available(fake_root)}
    assert table["cmi-9905"]["present"]
    assert table["mtis-9214"]["present"]
    assert table["deepmirtar"]["present"]
    assert not table["cmi-9589"]["present"]
    text = str(available(fake_root)).splitlines()
    assert text[0].split()[:3] == ["name", "kind", "present"]
    assert len(text) == 2 + len(REGISTRY)
    assert list(available(fake_root).to_frame()["name"]) == list(REGISTRY)


@pytest.mark.realdata
def test_available_real_all_present(real_root):
    assert all(r["present"] for r in available(real_root))

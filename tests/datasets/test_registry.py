import re
from pathlib import Path

import pytest

from rnagraph.datasets import REGISTRY, available, data_root, get_info
from rnagraph.datasets._root import locate_data_root
from rnagraph.datasets.download import sha256_of, sources_markdown, sources_of
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


def test_available_without_root_lists_everything_absent(monkeypatch, tmp_path):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # no default data root either
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


def test_every_dataset_names_pinned_sources_covering_its_files():
    for info in REGISTRY.values():
        want = {f if info.folder == "." else f"{info.folder}/{f}" for f in info.files}
        assert {s.path for s in info.sources} == want, info.name
        assert info.licences and all(info.licences), info.name
        for s in info.sources:
            assert re.fullmatch(r"[0-9a-f]{64}", s.sha256), s.path
            assert re.fullmatch(r"[0-9a-f]{40}", s.upstream.commit), s.path
            assert s.url == (f"https://raw.githubusercontent.com/{s.upstream.repo}/"
                             f"{s.upstream.commit}/{s.upstream_path}")
            assert s.size > 0 and not s.derived  # all verbatim today


def test_docs_show_the_registry_sources():
    """docs/datasets.md's generated section is what the registry says (regenerate it with
    `python -m rnagraph.datasets.download docs/datasets.md`)."""
    doc = (Path(__file__).parents[2] / "docs" / "datasets.md").read_text(encoding="utf-8")
    assert sources_markdown() in doc
    for info in REGISTRY.values():
        for s in info.sources:
            assert f"| `{s.path}` | [`{s.upstream_path}`]({s.url}) |" in doc


def test_available_refuses_a_missing_env_root(monkeypatch, tmp_path):
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="absent.*RNAGRAPH_DATA"):
        available()


def test_default_root_is_used_when_it_exists(monkeypatch, tmp_path):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert locate_data_root() == (tmp_path / "rnagraph" / "data", "default")
    with pytest.raises(FileNotFoundError, match="rnagraph datasets download all"):
        data_root()
    (tmp_path / "rnagraph" / "data" / "cmi-9905").mkdir(parents=True)
    assert data_root() == tmp_path / "rnagraph" / "data"
    assert not any(r["present"] for r in available())


@pytest.mark.realdata
def test_registry_checksums_match_the_real_files(real_root):
    for s in sources_of("all"):
        path = real_root / s.path
        assert path.stat().st_size == s.size, s.path
        assert sha256_of(path) == s.sha256, s.path

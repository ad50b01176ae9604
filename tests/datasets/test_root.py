from pathlib import Path

import pytest

from rnagraph.datasets._root import cache_root, check_not_inside, data_root, dataset_file


def test_data_root_from_argument_beats_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path / "nowhere"))
    assert data_root(tmp_path) == tmp_path


def test_data_root_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path))
    assert data_root() == tmp_path


def test_no_root_names_the_env_var(monkeypatch):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match=r"\$RNAGRAPH_DATA"):
        data_root()


def test_missing_root_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_DATA", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="absent.*RNAGRAPH_DATA"):
        data_root()


def test_dataset_file_names_missing_folder_and_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cmi-9905.*not found"):
        dataset_file(tmp_path, "cmi-9905", "9905pairs.csv", "cmi-9905")
    (tmp_path / "cmi-9905").mkdir()
    expected = str(tmp_path / "cmi-9905" / "9905pairs.csv")
    with pytest.raises(FileNotFoundError) as err:
        dataset_file(tmp_path, "cmi-9905", "9905pairs.csv", "cmi-9905")
    assert expected in str(err.value)


def test_cache_root_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_CACHE", str(tmp_path / "env"))
    assert cache_root(tmp_path / "arg") == tmp_path / "arg"
    assert cache_root() == tmp_path / "env"
    monkeypatch.delenv("RNAGRAPH_CACHE")
    assert cache_root() == Path.home() / ".cache" / "rnagraph"


def test_cache_inside_data_root_is_refused(tmp_path):
    with pytest.raises(ValueError, match="never writes into the data root"):
        check_not_inside(tmp_path / "sub" / "cache", tmp_path)
    check_not_inside(tmp_path.parent / "elsewhere", tmp_path)  # fine

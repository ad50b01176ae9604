"""``rnagraph.datasets.download`` against a local HTTP server (127.0.0.1, no network).

The server serves a fixture copy of a data root; a fake registry entry names its files with
their sha256, and the mirror option points the downloader at the server. The server can cut a
body short once per file, ignore ``Range`` requests, or serve corrupted bytes.
"""
from __future__ import annotations

import hashlib
import http.server
import socket
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rnagraph.cli import app
from rnagraph.datasets import download as dl
from rnagraph.datasets.registry import REGISTRY, DatasetInfo, SourceFile, Upstream

FILES = {"toy/pairs.csv": b"hsa-mir-a,hsa_circ_1\n" * 4000,  # 84 kB: several read chunks
         "toy/miRNA.csv": b"hsa-mir-a,UGAGGUAGUAGGUUGUAUAGUU\n"}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files = dict(FILES)
        self.cut_once: set[str] = set()   # paths whose first body stops half-way
        self.ranges = True                # honour Range requests with 206
        self.log: list[tuple[str, str | None]] = []  # (path, Range header) per GET

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        srv: _Server = self.server
        path = self.path.lstrip("/")
        rng = self.headers.get("Range")
        srv.log.append((path, rng))
        if path not in srv.files:
            self.send_error(404)
            return
        body = srv.files[path]
        start = 0
        if rng and srv.ranges:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        part = body[start:]
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        if path in srv.cut_once:  # promise the whole body, send half, hang up
            srv.cut_once.discard(path)
            self.wfile.write(part[:len(part) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(part)


@pytest.fixture
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def toy(monkeypatch):
    """A registry entry ``toy`` whose two files are FILES (sha256 worked out here)."""
    up = Upstream("example/toy", "0" * 40, "MIT")
    sources = tuple(SourceFile(p, up, p, hashlib.sha256(b).hexdigest(), len(b))
                    for p, b in FILES.items())
    info = DatasetInfo("toy", "sequences", "toy", ("pairs.csv", "miRNA.csv"), None,
                       {"records": 1, "hsa": 1}, "toy", sources)
    monkeypatch.setitem(REGISTRY, "toy", info)
    return info


def _refused_url() -> str:
    """A local port with nothing listening (connection refused: the offline case)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_download_writes_verified_files_then_skips_them(server, toy, tmp_path):
    done = dl.download("toy", tmp_path, mirror=server.url, progress=False)
    assert [f.status for f in done] == ["downloaded", "downloaded"]
    for rel, body in FILES.items():
        assert (tmp_path / rel).read_bytes() == body
    assert [f.url for f in done] == [f"{server.url}/{p}" for p in FILES]
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == ["miRNA.csv", "pairs.csv"]
    again = dl.download("toy", tmp_path, mirror=server.url, progress=False)
    assert [f.status for f in again] == ["present", "present"]
    assert len(server.log) == 2  # the second call fetched nothing


def test_corrupted_file_is_refused_and_not_written(server, toy, tmp_path):
    server.files["toy/pairs.csv"] = FILES["toy/pairs.csv"][:-1] + b"X"
    with pytest.raises(dl.DownloadError) as err:
        dl.download("toy", tmp_path, mirror=server.url, progress=False)
    msg = str(err.value)
    assert f"{server.url}/toy/pairs.csv" in msg and "checksum mismatch" in msg
    assert toy.sources[0].sha256 in msg and "\n" not in msg  # the manual step, one line
    assert not (tmp_path / "toy" / "pairs.csv").exists()
    assert not (tmp_path / "toy").exists()  # no temporary file, no empty folder left


def test_interrupted_transfer_resumes_with_range(server, toy, tmp_path):
    server.cut_once.add("toy/pairs.csv")
    done = dl.download("toy", tmp_path, mirror=server.url, progress=False, backoff=0)
    assert (tmp_path / "toy" / "pairs.csv").read_bytes() == FILES["toy/pairs.csv"]
    assert done[0].resumed == 1
    half = len(FILES["toy/pairs.csv"]) // 2
    # the second request asked for the rest only, from the byte where the first one stopped
    assert server.log[:2] == [("toy/pairs.csv", None), ("toy/pairs.csv", f"bytes={half}-")]


def test_interrupted_transfer_restarts_when_ranges_are_ignored(server, toy, tmp_path):
    server.cut_once.add("toy/pairs.csv")
    server.ranges = False  # a 200 with the whole body: the partial file must be discarded
    dl.download("toy", tmp_path, mirror=server.url, progress=False, backoff=0)
    assert (tmp_path / "toy" / "pairs.csv").read_bytes() == FILES["toy/pairs.csv"]


def test_transfer_that_never_completes_fails_cleanly(server, toy, tmp_path):
    server.cut_once.add("toy/pairs.csv")
    with pytest.raises(dl.DownloadError, match="closed before the end.*fetch it by hand"):
        dl.download("toy", tmp_path, mirror=server.url, progress=False, retries=0)
    assert not (tmp_path / "toy").exists()


def test_offline_is_one_line_naming_url_and_manual_steps(toy, tmp_path):
    url = _refused_url()
    with pytest.raises(dl.DownloadError) as err:
        dl.download("toy", tmp_path, mirror=url, progress=False)
    msg = str(err.value)
    assert msg.startswith(f"{url}/toy/pairs.csv: cannot connect")
    assert "fetch it by hand" in msg and str(tmp_path / "toy" / "pairs.csv") in msg
    assert "\n" not in msg


def test_present_file_with_other_content_is_not_overwritten(server, toy, tmp_path):
    mine = tmp_path / "toy" / "pairs.csv"
    mine.parent.mkdir()
    mine.write_bytes(b"my own edits\n")
    with pytest.raises(FileExistsError, match="--force"):
        dl.download("toy", tmp_path, mirror=server.url, progress=False)
    assert mine.read_bytes() == b"my own edits\n"
    dl.download("toy", tmp_path, mirror=server.url, progress=False, force=True)
    assert mine.read_bytes() == FILES["toy/pairs.csv"]


def test_mirror_from_env_and_bad_mirror(server, toy, tmp_path, monkeypatch):
    monkeypatch.setenv("RNAGRAPH_MIRROR", server.url + "/")
    assert dl.url_of(toy.sources[0]) == f"{server.url}/toy/pairs.csv"
    assert dl.url_of(toy.sources[0], mirror="") == "https://raw.githubusercontent.com/" \
        "example/toy/" + "0" * 40 + "/toy/pairs.csv"
    with pytest.raises(ValueError, match="not an http"):
        dl.download("toy", tmp_path, mirror="file:///etc", progress=False)


def test_sources_of_all_lists_each_file_once():
    files = dl.sources_of("all")
    paths = [s.path for s in files]
    assert len(paths) == len(set(paths))
    # cerna reuses cmi-20208's and mtis-9214's files: it adds none of its own
    assert set(paths) == {s.path for i in REGISTRY.values() if i.name != "cerna"
                          for s in i.sources}
    with pytest.raises(KeyError, match="unknown dataset"):
        dl.sources_of("cmi-1")


# ------------------------------------------------------------------ command line
runner = CliRunner()


def test_cli_download_then_list_present(server, toy, tmp_path, monkeypatch):
    monkeypatch.delenv("RNAGRAPH_DATA", raising=False)
    res = runner.invoke(app, ["datasets", "download", "toy", "--root", str(tmp_path),
                              "--mirror", server.url])
    assert res.exit_code == 0, res.output
    assert "2 downloaded, 0 already present" in res.stderr
    assert (tmp_path / "toy" / "miRNA.csv").read_bytes() == FILES["toy/miRNA.csv"]
    res = runner.invoke(app, ["datasets", "--root", str(tmp_path)])
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith("toy "))
    assert row.split()[2] == "True"
    assert f"data root: {tmp_path} (from --root)" in res.stderr


def test_cli_offline_exits_nonzero_with_one_line(toy, tmp_path, monkeypatch):
    url = _refused_url()
    monkeypatch.setenv("RNAGRAPH_MIRROR", url)
    res = runner.invoke(app, ["datasets", "--root", str(tmp_path), "download", "toy"])
    assert res.exit_code == 1
    err = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(err) == 1 and f"{url}/toy/pairs.csv" in err[0] and "by hand" in err[0]
    assert "Traceback" not in res.output
    assert not (tmp_path / "toy" / "pairs.csv").exists()


@pytest.mark.realdata
def test_real_files_served_as_a_mirror_download_byte_identical(real_root, tmp_path):
    """The registry's sha256 of every cmi-9589 file matches the real data, end to end."""
    srv = _Server()
    srv.files = {s.path: (real_root / s.path).read_bytes()
                 for s in REGISTRY["cmi-9589"].sources}
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        done = dl.download("cmi-9589", tmp_path, mirror=srv.url, progress=False)
    finally:
        srv.shutdown()
        srv.server_close()
    assert [f.path.relative_to(tmp_path).as_posix() for f in done] == \
        ["cmi-9589/9589pair.csv", "cmi-9589/miRNA.csv"]
    for f in done:
        assert f.path.read_bytes() == (real_root / f.path.relative_to(tmp_path)).read_bytes()


def test_atomic_temporaries_follow_the_house_helper(server, toy, tmp_path, monkeypatch):
    """Every write goes through rnagraph.io.atomic.atomic_path (a temporary in the target
    folder, then a rename)."""
    seen: list[Path] = []
    real = dl.atomic_path

    def spy(path):
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(dl, "atomic_path", spy)
    dl.download("toy", tmp_path, mirror=server.url, progress=False)
    assert seen == [tmp_path / p for p in FILES]


def test_a_killed_download_leaves_a_temporary_that_the_next_run_removes(server, toy, tmp_path):
    """A run killed mid-file (SIGKILL: no clean-up) leaves its temporary beside the target;
    the next download removes it and starts that file afresh."""
    import subprocess
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid whose process is gone
    folder = tmp_path / "toy"
    folder.mkdir()
    stale = folder / f".pairs.csv.rnagraph-{dead.pid}-abc123.tmp"
    stale.write_bytes(FILES["toy/pairs.csv"][:100])
    dl.download("toy", tmp_path, mirror=server.url, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == ["miRNA.csv", "pairs.csv"]
    assert (folder / "pairs.csv").read_bytes() == FILES["toy/pairs.csv"]

"""Fetch the public datasets' files into a data root, verified and written atomically.

Every dataset in the registry names its published files (:class:`SourceFile`: a URL pinned to a
commit, the sha256, the path under the data root). :func:`download` fetches the missing ones over
HTTP(S) with the standard library, shows a progress bar on stderr, checks each file's sha256 and
moves it into place only when it matches (a temporary file in the target folder, then a rename:
:func:`rnagraph.io.atomic.atomic_path`). A transfer cut off mid-file is resumed with an HTTP
``Range`` request, or restarted from the first byte when the server ignores ranges; a file that
still does not arrive whole, or arrives with another checksum, is not written, and the error is
one line naming the URL and how to fetch the file by hand.

A mirror (``mirror=``, else ``$RNAGRAPH_MIRROR``) replaces the upstream URLs by
``<mirror>/<path under the data root>``: any folder laid out like the data root and served over
HTTP works (an institute's copy, a local test server).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rnagraph.datasets._root import locate_data_root
from rnagraph.datasets.registry import REGISTRY, SourceFile, get_info
from rnagraph.io.atomic import atomic_path

#: Environment variable naming a mirror base URL (a copy of the data root served over HTTP).
MIRROR_ENV = "RNAGRAPH_MIRROR"
_CHUNK = 1 << 16
_AGENT = "rnagraph-datasets (python urllib)"


class DownloadError(OSError):
    """A file could not be fetched or failed its checksum; the message is one line that names
    the URL and the manual steps."""


@dataclass(frozen=True)
class Fetched:
    """What :func:`download` did with one file.

    Attributes:
        path (Path): the file under the data root.
        url (str): where it was (or would have been) fetched from.
        status (str): ``"downloaded"``, or ``"present"`` (already there with the right sha256).
        resumed (int): how many times an interrupted transfer was resumed or restarted.
    """

    path: Path
    url: str
    status: str
    resumed: int = 0


def sources_of(names: str | Iterable[str]) -> list[SourceFile]:
    """The files of the named datasets (``"all"`` for every one), each file once, in registry
    order. Raises :class:`KeyError` for an unknown name."""
    if isinstance(names, str):
        names = [names]
    infos = []
    for n in names:
        if str(n).strip().lower() == "all":
            infos += list(REGISTRY.values())
            continue
        try:
            infos.append(get_info(n))
        except KeyError as e:
            raise KeyError(f"{e.args[0]}, or 'all'") from None
    out: dict[str, SourceFile] = {}
    for info in infos:
        for s in info.sources:
            out.setdefault(s.path, s)
    return list(out.values())


def url_of(source: SourceFile, mirror: str | None = None) -> str:
    """The URL ``source`` is fetched from: the pinned upstream URL, or ``<mirror>/<path>``."""
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    if mirror:
        if not mirror.lower().startswith(("http://", "https://")):
            raise ValueError(f"mirror {mirror!r}: not an http:// or https:// URL (from "
                             f"--mirror or ${MIRROR_ENV})")
        return f"{mirror.rstrip('/')}/{source.path}"
    return source.url


def sha256_of(path: str | os.PathLike) -> str:
    """The sha256 (hex) of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(names: str | Iterable[str] = "all", root: str | os.PathLike | None = None, *,
             mirror: str | None = None, force: bool = False, progress: bool = True,
             retries: int = 3, timeout: float = 30.0, backoff: float = 1.0) -> list[Fetched]:
    """Fetch the files of the named datasets into the data root and verify them.

    Files already present with the right sha256 are left alone (so a second call does
    nothing); a present file with another checksum is refused unless ``force=True`` (it may be
    yours: nothing you wrote is overwritten silently).

    Args:
        names (str or list of str): dataset names or aliases, or ``"all"``. (default: ``"all"``)
        root (str, optional): the data root to fill; else ``$RNAGRAPH_DATA``, else
            :func:`~rnagraph.datasets._root.default_data_root` (created if needed).
        mirror (str, optional): a base URL serving a copy of the data root; else
            ``$RNAGRAPH_MIRROR``, else the upstream URLs.
        force (bool): replace a present file whose checksum differs. (default: ``False``)
        progress (bool): a progress bar per file on stderr (shown on a terminal).
            (default: ``True``)
        retries (int): how many times an interrupted transfer is resumed (``Range`` request)
            or restarted. (default: ``3``)
        timeout (float): seconds to wait on the connection. (default: ``30``)
        backoff (float): seconds before the first retry, doubled for each further one.
            (default: ``1``)

    Returns:
        list[Fetched]: one entry per file, in registry order.

    Raises:
        KeyError: an unknown dataset name.
        DownloadError: offline, an HTTP error, a transfer that never completed, or a checksum
            mismatch (the file is not written); the message names the URL and the manual steps.
        FileExistsError: a present file with another checksum, without ``force``.
    """
    files = sources_of(names)
    base, _ = locate_data_root(root)
    plan = [(src, base / src.path, url_of(src, mirror)) for src in files]
    out = []
    for src, target, url in plan:
        if target.is_file():
            if sha256_of(target) == src.sha256:
                out.append(Fetched(target, url, "present"))
                continue
            if not force:
                raise FileExistsError(
                    f"{target}: exists with another sha256 than the published file "
                    f"({src.sha256[:12]}...); move it away or pass --force to replace it")
        new_dirs = [d for d in [target.parent, *target.parent.parents] if not d.exists()]
        try:
            resumed = _fetch(src, url, target, progress=progress, retries=retries,
                             timeout=timeout, backoff=backoff)
        except BaseException:
            for d in new_dirs:  # leave no empty folders behind (innermost first)
                try:
                    d.rmdir()
                except OSError:
                    break
            raise
        out.append(Fetched(target, url, "downloaded", resumed))
    return out


def _manual(src: SourceFile, url: str, target: Path) -> str:
    return (f"fetch it by hand: download {url} to {target} and check that its sha256 is "
            f"{src.sha256} (docs/datasets.md lists every file)")


def _fetch(src: SourceFile, url: str, target: Path, *, progress: bool, retries: int,
           timeout: float, backoff: float) -> int:
    """Download ``url`` to ``target`` through a temporary file beside it; returns the number
    of resumed or restarted transfers."""
    from tqdm import tqdm

    attempts = 0
    with atomic_path(target) as tmp, \
            tqdm(total=src.size, unit="B", unit_scale=True, unit_divisor=1024, desc=src.path,
                 file=sys.stderr, disable=None if progress else True, leave=False) as bar:
        while True:
            have = tmp.stat().st_size
            bar.n = have
            bar.refresh()
            try:
                complete = _transfer(url, tmp, have, src.size, timeout, bar)
                problem = "" if complete else "the connection closed before the end of the file"
            except urllib.error.HTTPError as e:
                if e.code == 416 and have:  # the range is past the end: start again
                    tmp.write_bytes(b"")
                    complete, problem = False, "the server refused the resume"
                else:
                    raise DownloadError(f"{url}: HTTP {e.code} {e.reason}; "
                                        f"{_manual(src, url, target)}") from None
            except urllib.error.URLError as e:
                reason = e.reason.strerror if isinstance(e.reason, OSError) and \
                    e.reason.strerror else e.reason
                raise DownloadError(f"{url}: cannot connect ({reason}; offline?); "
                                    f"{_manual(src, url, target)}") from None
            except (http.client.HTTPException, ConnectionError, socket.timeout) as e:
                complete, problem = False, f"the transfer broke off ({type(e).__name__})"
            if complete:
                break
            if attempts >= retries:
                raise DownloadError(f"{url}: {problem}, {retries} retries did not complete "
                                    f"it; {_manual(src, url, target)}")
            attempts += 1
            if backoff > 0:
                time.sleep(backoff * 2 ** (attempts - 1))
        got = sha256_of(tmp)
        if got != src.sha256:
            raise DownloadError(f"{url}: checksum mismatch (sha256 {got[:12]}..., expected "
                                f"{src.sha256[:12]}...): the file was not written; "
                                f"{_manual(src, url, target)}")
    return attempts


def _transfer(url: str, tmp: Path, have: int, size: int, timeout: float, bar) -> bool:
    """Fetch ``url`` into ``tmp``, from byte ``have`` on when the server honours ``Range``
    (else from the start); ``True`` when the whole body arrived."""
    headers = {"User-Agent": _AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http/https only)
        if have and resp.status == 206 and _range_start(resp) == have:
            mode = "ab"
        else:  # a full body: the server ignored the range, or this is the first try
            mode, have = "wb", 0
            bar.n = 0
        length = resp.headers.get("Content-Length")
        expected = have + int(length) if length and length.isdigit() else size
        with open(tmp, mode) as fh:
            while True:
                block = resp.read(_CHUNK)
                if not block:
                    break
                fh.write(block)
                have += len(block)
                bar.update(len(block))
    return have >= expected


def _range_start(resp) -> int | None:
    """The first byte of a ``206`` response (``Content-Range: bytes START-END/TOTAL``)."""
    value = resp.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None



# ----------------------------------------------------------------- documentation
_BEGIN = "<!-- BEGIN sources: generated from the registry by " \
    "`python -m rnagraph.datasets.download docs/datasets.md`; a test checks it -->"
_END = "<!-- END sources -->"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def sources_markdown() -> str:
    """The layout, sources, files, checksums and licences of every registry dataset as
    Markdown (the generated section of ``docs/datasets.md``)."""
    paths = sorted({s.path for i in REGISTRY.values() for s in i.sources})
    folders: dict[str, list[str]] = {}
    for p in paths:
        folder, _, name = p.partition("/")
        folders.setdefault(folder, []).append(name)
    lines = [_BEGIN, "", "The layout under the data root (every file, as `download all` "
             "writes it):", "", "```", "<data root>/"]
    for folder, names in folders.items():
        lines += [f"  {folder}/"] + [f"    {n}" for n in names]
    lines += ["```", ""]
    by_path = {}
    for info in REGISTRY.values():
        own = [s for s in info.sources if s.path not in by_path]
        if not own:
            users = sorted({by_path[s.path] for s in info.sources})
            lines += [f"**`{info.name}`**: the files of {' and '.join(f'`{u}`' for u in users)} "
                      "(no files of its own).", ""]
            continue
        for s in own:
            by_path[s.path] = info.name
        ups = list(dict.fromkeys(s.upstream for s in own))
        src = "; ".join(f"[{u.repo} @ {u.commit[:7]}]({u.page}), licence: {u.licence}"
                        for u in ups)
        lines += [f"**`{info.name}`** ({info.kind}): {info.description}. From {src}.", "",
                  "| file under the data root | upstream file | size | sha256 |",
                  "|---|---|---|---|"]
        lines += [f"| `{s.path}` | [`{s.upstream_path}`]({s.url}) | {_size(s.size)} | "
                  f"`{s.sha256}` |" for s in own]
        derived = [s for s in own if s.derived]
        lines += [""] + [f"`{s.path}` is derived: {s.derived}" for s in derived]
        if derived:
            lines.append("")
    lines.append(_END)
    return "\n".join(lines)


def update_docs(path: str | os.PathLike) -> bool:
    """Replace the generated section of ``path`` (between its markers) by
    :func:`sources_markdown`; returns whether the file changed."""
    from rnagraph.io.atomic import atomic_write

    text = Path(path).read_text(encoding="utf-8")
    a, b = text.find(_BEGIN), text.find(_END)
    if a < 0 or b < a:
        raise ValueError(f"{path}: no generated-sources markers ({_BEGIN} ... {_END})")
    new = text[:a] + sources_markdown() + text[b + len(_END):]
    if new != text:
        atomic_write(path, new)
    return new != text


if __name__ == "__main__":
    print("updated" if update_docs(sys.argv[1]) else "up to date", sys.argv[1])

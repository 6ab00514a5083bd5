"""kg.store.spool: N-Quads by key in files, read back whole, and stale spools of dead builds
removed."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from kg.store.spool import PREFIX, Spool, append, remove_stale


def _append_in_child(root: str, data: bytes, queue) -> None:  # type: ignore[no-untyped-def]
    queue.put(append(root, data))


def test_spool_parts_from_several_processes_read_back_in_order(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with Spool(tmp_path) as spool:
        spool.put("g1", b"<a> <b> <c> <g1> .\n")
        child = ctx.Process(target=_append_in_child,
                            args=(str(spool.root), "<d> <e> \"金\"@zh <g1> .\n".encode(), queue))
        child.start()
        part = queue.get(timeout=30)
        child.join()
        assert Path(part[0]).name == f"w{child.pid}.nq"  # the child's own file
        spool.add("g1", part)
        spool.put("g2", b"<x> <y> <z> <g2> .\n")
        assert spool["g1"] == "<a> <b> <c> <g1> .\n<d> <e> \"金\"@zh <g1> .\n".encode()
        assert spool["g2"] == b"<x> <y> <z> <g2> .\n"
        assert sorted(spool) == ["g1", "g2"] and len(spool) == 2
        # a second spool can hold parts of the first one's files (the build's graph spool)
        with Spool(tmp_path) as graphs:
            graphs.add("G", *spool.parts("g2"), *spool.parts("g1"))
            graphs.put("G", b"<l> <m> <n> <G> .\n")
            assert graphs["G"] == spool["g2"] + spool["g1"] + b"<l> <m> <n> <G> .\n"
            graphs["G"] = b"replaced\n"
            assert graphs["G"] == b"replaced\n"
        root = spool.root
    assert not root.exists()  # closing removes the files


def test_spool_remove_stale_takes_only_spools_of_dead_processes(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=os._exit, args=(0,))
    child.start()
    child.join()  # a pid that no longer runs
    dead = tmp_path / f"{PREFIX}{child.pid}-abc"
    dead.mkdir()
    (dead / "w1.nq").write_bytes(b"x")
    with Spool(tmp_path) as live:
        other = tmp_path / f"{PREFIX}notapid-1"
        other.mkdir()
        assert remove_stale(tmp_path) == [dead]
        assert not dead.exists() and live.root.is_dir() and other.is_dir()

"""No traceback on any command (issue 15 item 5): OS and network faults are one line naming the
path or URL, with a non-zero exit.

The named cases first (a folder that cannot be written, a SERVICE endpoint that refuses, an
http:// store given to commands that read a folder or a file), then a property test that
feeds random paths, file kinds and loopback URLs (ports where nothing listens) to every
command. Tests run as root here and in CI, where permission bits do not stop a write, so the
permission faults are a read-only file system (/sys), /proc and an OSError raised where the
spool's folder is made.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import SEED_FILES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli


def _refused_port() -> int:
    """A loopback port nothing listens on: bound by the system, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORTS = [_refused_port() for _ in range(3)]


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, catch_exceptions=True)


def _one_line_error(res: Result, *names: str) -> str:
    """The error line of a failed command, checked: non-zero exit, no traceback, one
    `Error:` line naming each of `names`."""
    assert res.exit_code != 0, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, res.output
    for name in names:
        assert name in errors[0], (name, errors[0])
    return errors[0]


# --- the named cases ------------------------------------------------------------------------


def test_no_traceback_unwritable_output_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The spool's folder cannot be made (PermissionError, as for a read-only --out)."""
    import kg.store.spool as spool

    def denied(*args: object, dir: object = None, **kwargs: object) -> str:  # noqa: A002
        raise PermissionError(13, "Permission denied", f"{dir}/.kg-spool-1-x")

    monkeypatch.setattr(spool.tempfile, "mkdtemp", denied)
    out = tmp_path / "out"
    res = _invoke(["build", str(SEED_FILES[0]), "-o", str(out), "--no-html"])
    line = _one_line_error(res, str(out), "Permission denied")
    assert ".kg-spool" not in line  # the folder the user named, not a temporary one


@pytest.mark.parametrize("out", ["/sys/kg-out", "/proc/kg-out"])
def test_no_traceback_output_on_a_read_only_file_system(out: str) -> None:
    res = _invoke(["build", str(SEED_FILES[0]), "-o", out, "--no-html"])
    _one_line_error(res, out)


def test_no_traceback_service_to_an_unreachable_endpoint(seeds_build) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{PORTS[0]}/sparql"
    res = _invoke(["query", "--store", str(seeds_build.store_path), "--allow-service", "-e",
                   f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
    _one_line_error(res, url)


@pytest.mark.parametrize("args", [["validate", "--store"], ["validate"], ["stats", "--store"],
                                  ["viz", "--store"], ["link", "--store"]])
def test_no_traceback_http_store_where_a_folder_is_read(args: list[str]) -> None:
    url = f"http://127.0.0.1:{PORTS[1]}/sparql"
    line = _one_line_error(_invoke([*args, url]), url)
    assert "http:/1" not in line and "kg build" not in line
    assert "SPARQL endpoint" in line


# --- every command, random input ------------------------------------------------------------

WORK = Path(tempfile.mkdtemp(prefix="kg-no-traceback-"))  # made once; files below are small
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
(WORK / "dir").mkdir(exist_ok=True)
(WORK / "ro").mkdir(exist_ok=True)
(WORK / "ro").chmod(0o555)
(WORK / "text.txt").write_text("西安高新区发布新政。\n", encoding="utf-8")
(WORK / "binary.txt").write_bytes(bytes(range(256)) * 4)
(WORK / "empty.ttl").write_bytes(b"")
(WORK / "bad.ttl").write_text("not turtle {", encoding="utf-8")
(WORK / "bad.rq").write_text("SELEC nothing", encoding="utf-8")
(WORK / "bad.jsonl").write_text("{not json\n", encoding="utf-8")

hosts = st.sampled_from(["127.0.0.1", "localhost", "[::1]"])
urls = st.builds(lambda scheme, host, port, path: f"{scheme}://{host}:{port}/{path}",
                 st.sampled_from(["http", "https"]), hosts, st.sampled_from(PORTS),
                 st.sampled_from(["sparql", "", "a/b?c=1", "%zz"]))
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=12).filter(lambda s: "/" not in s and s not in (".", ".."))
local = st.one_of(
    st.sampled_from(["dir", "ro", "ro/new", "text.txt", "binary.txt", "empty.ttl", "bad.ttl",
                     "bad.rq", "bad.jsonl", "missing", "missing/deeper", "text.txt/below"]
                    ).map(lambda p: str(WORK / p)),
    names.map(lambda n: str(WORK / n)),
    st.sampled_from(["/sys/kg-x", "/proc/kg-x", "/dev/null"]),
)
anything = st.one_of(local, urls)


def commands(a: str, b: str) -> list[list[str]]:
    """Every command with `a` and `b` in its path and store places."""
    return [
        ["build", a, "-o", b, "--no-html"],
        ["build", str(WORK / "text.txt"), "-o", str(WORK / "out-b"), "--store", a, "--no-html"],
        ["extract", a],
        ["query", "--store", a, "-e", "ASK {}"],
        ["query", a],
        ["query", "--store", str(WORK / "dir"), "--allow-service", "-e",
         f"SELECT * WHERE {{ SERVICE <{b}> {{ ?s ?p ?o }} }}"],
        ["export", "--store", a, "-o", b],
        ["export", "--store", a, "--format", "graphml", "-o", b],
        ["eval", a, "--gold", b],
        ["viz", "--store", a, "-o", b],
        ["stats", "--store", a],
        ["link", "--store", a],
        ["link", "--accept", a, "--table", b],
        ["validate", a],
        ["validate", "--store", a],
        ["ontology", "--html", a],
    ]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(a=anything, b=anything, which=st.integers(min_value=0, max_value=15))
def test_no_traceback_on_any_command(a: str, b: str, which: int) -> None:
    args = commands(a, b)[which]
    here = Path.cwd()
    os.chdir(WORK)  # a relative path a command makes stays in the scratch folder
    try:
        res = _invoke(args)
    finally:
        os.chdir(here)
    assert "Traceback" not in res.output, (args, res.output)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"kg {' '.join(args)}: {res.exception!r}\n{res.output}")
    if res.exit_code != 0:
        lines = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
        assert lines, (args, res.output)


@pytest.mark.parametrize("args", [["export", "-o"], ["viz", "-o"], ["ontology", "--html"],
                                  ["build", "-o"], ["extract"]])
def test_no_traceback_url_where_a_file_is_written_or_read(args: list[str], tmp_path: Path,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A URL is not turned into the folder http:/HOST/… (nor written there)."""
    monkeypatch.chdir(tmp_path)
    url = f"http://127.0.0.1:{PORTS[2]}/x"
    res = _invoke([*args, url])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"{url}: a URL" in res.output
    assert not (tmp_path / "http:").exists()

"""Run Debian's Virtuoso Open Source unprivileged for a test session or a benchmark.

`start(tmp)` writes a virtuoso.ini into `tmp` (database files there, SQL and HTTP ports on
127.0.0.1, `ResultSetMaxRows` raised from 10,000 so results are never cut silently,
`MaxSortedTopRows` so that ORDER BY … OFFSET paging goes past 10,000 rows, and Debian's
`MaxQueryCostEstimationTime = 400` commented out: with it Virtuoso refuses, unrun, any query
its optimiser guesses at over 400 s, as it did entity-facts at 1M triples (a guess of 697 s for
a query that answers in under 4 s); without the key there is no such limit, says Virtuoso's
manual, 6.1.1, [SPARQL] section), starts
`virtuoso-t +foreground`, waits for SPARQL to answer, and grants SPARQL_UPDATE to the anonymous
"SPARQL" user with isql-vt. `Virtuoso.stop()` ends that one process.
"""

from __future__ import annotations

import atexit
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SERVER, ISQL = "virtuoso-t", "isql-vt"


def missing() -> str | None:
    """Why Virtuoso cannot run here, or None when it can."""
    for exe in (SERVER, ISQL):
        if shutil.which(exe) is None:
            return (f"{exe} not found: install Debian's virtuoso-opensource "
                    "(apt-get install virtuoso-opensource) to run the Virtuoso tests")
    if not DEBIAN_INI.is_file():
        return f"{DEBIAN_INI} not found (virtuoso-opensource is not fully installed)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _set(ini: str, section: str, key: str, value: str | None) -> str:
    """Set key = value in [section] of an ini text (replacing it, or adding it first); a value
    of None comments the key out, leaving Virtuoso's built-in default."""
    head = re.search(rf"^\[{re.escape(section)}\]\s*$", ini, re.M)
    if head is None:
        return ini if value is None else ini + f"\n[{section}]\n{key} = {value}\n"
    end = re.search(r"^\[", ini[head.end():], re.M)
    stop = head.end() + (end.start() if end else len(ini) - head.end())
    body = ini[head.end():stop]
    line = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=.*$", re.M)
    if value is None:
        body = line.sub(lambda m: ";" + m.group(0), body)
    elif line.search(body):
        body = line.sub(f"{key} = {value}", body, count=1)
    else:
        body = f"\n{key} = {value}" + body
    return ini[: head.end()] + body + ini[stop:]


@dataclass
class Virtuoso:
    """A running server: its SPARQL endpoint, auth endpoint and process."""

    sparql: str
    sparql_auth: str
    sql_port: int
    process: subprocess.Popen[bytes]
    log: Path

    def isql(self, statement: str, *, timeout: float = 60.0) -> str:
        """Run one SQL statement as dba through isql-vt, waiting up to `timeout` seconds; its
        output."""
        out = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                              f"exec={statement}"], capture_output=True, timeout=timeout)
        text = out.stdout.decode("utf-8", "replace") + out.stderr.decode("utf-8", "replace")
        if out.returncode != 0 or "*** Error" in text:
            raise RuntimeError(f"isql-vt {statement!r} failed: {text.strip()}")
        return text

    def stop(self) -> None:
        """Stop the server (a checkpoint-free kill: its files are thrown away)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(tmp: Path, *, timeout: float = 60.0,
          settings: dict[tuple[str, str], str] | None = None) -> Virtuoso:
    """Start Virtuoso with its files in `tmp`; ready for SPARQL query and update. `settings`
    overrides ini keys, by (section, key)."""
    tmp.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = DEBIAN_INI.read_text(encoding="utf-8")
    for section, prefix in (("Database", "virtuoso"), ("TempDatabase", "virtuoso-temp")):
        ini = _set(ini, section, "DatabaseFile", str(tmp / f"{prefix}.db"))
        ini = _set(ini, section, "TransactionFile", str(tmp / f"{prefix}.trx"))
    for key, value in (("ErrorLogFile", tmp / "virtuoso.log"), ("LockFile", tmp / "virtuoso.lck"),
                       ("xa_persistent_file", tmp / "virtuoso.pxa")):
        ini = _set(ini, "Database", key, str(value))
    ini = _set(ini, "Parameters", "ServerPort", f"127.0.0.1:{sql_port}")
    ini = _set(ini, "Parameters", "DirsAllowed",
               f"., {tmp}, /usr/share/virtuoso-opensource-7/vad")
    ini = _set(ini, "Parameters", "MaxSortedTopRows", "10000000")  # OFFSET paging past 10,000
    ini = _set(ini, "Parameters", "NumberOfBuffers", "170000")
    ini = _set(ini, "Parameters", "MaxDirtyBuffers", "130000")
    ini = _set(ini, "HTTPServer", "ServerPort", f"127.0.0.1:{http_port}")
    ini = _set(ini, "SPARQL", "ResultSetMaxRows", "10000000")
    ini = _set(ini, "SPARQL", "MaxQueryExecutionTime", "300")
    ini = _set(ini, "SPARQL", "MaxQueryCostEstimationTime", None)  # no refusal on a guess
    ini = re.sub(r"^(Load\d+\s*=.*)$", r";\1", ini, flags=re.M)  # no wiki plugins
    for (section, key), value in (settings or {}).items():
        ini = _set(ini, section, key, value)
    path = tmp / "virtuoso.ini"
    path.write_text(ini, encoding="utf-8")
    log = tmp / "stdout.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([SERVER, "+configfile", str(path), "+foreground"],
                                cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
    server = Virtuoso(f"http://127.0.0.1:{http_port}/sparql",
                      f"http://127.0.0.1:{http_port}/sparql-auth", sql_port, proc, log)
    atexit.register(server.stop)  # even when the caller fails before stopping it
    deadline = time.monotonic() + timeout
    probe = server.sparql + "?query=ASK%7B%7D"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited ({proc.returncode}): "
                               f"{log.read_text('utf-8', 'replace')[-800:]}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"virtuoso-t did not answer on {server.sparql} in {timeout} s")
        time.sleep(0.2)
    try:
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    except BaseException:
        server.stop()
        raise
    return server

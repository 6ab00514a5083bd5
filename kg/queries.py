"""Stored SPARQL queries: read queries/*.rq and their header, bind parameters as terms, run.

Header lines start with `#+ `: `summary:`, `description:`, and one `param NAME (TYPE): text`
per parameter. In the query, `?_NAME` is a required parameter and `?__NAME` an optional one;
values are bound by the engine (SPARQL substitutions), never pasted into the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import QueryError

TYPES = ("string", "iri", "integer", "decimal")
_PARAM_LINE = re.compile(r"^#\+\s*param\s+(\w+)\s*(?:\((\w+)\))?\s*:\s*(.*)$")
_META_LINE = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_VAR = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9_]*)")
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


@dataclass
class Param:
    """A query parameter: its name, declared type, whether it is required, what it means."""

    name: str
    type: str = "string"
    required: bool = True
    description: str = ""


@dataclass
class Query:
    """A SPARQL query with the metadata of its header."""

    name: str
    text: str
    summary: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)


def parse_query(text: str, name: str) -> Query:
    """Read the `#+` header and the ?_param variables of a query text."""
    q = Query(name=name, text=text)
    declared: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("#+"):
            continue
        m = _PARAM_LINE.match(line)
        if m:
            typ = (m.group(2) or "string").lower()
            if typ not in TYPES:
                raise QueryError(f"{name}: parameter {m.group(1)} has unknown type {typ!r} "
                                 f"(use one of {', '.join(TYPES)})")
            declared[m.group(1)] = (typ, m.group(3).strip())
            continue
        m = _META_LINE.match(line)
        if m and m.group(1) in ("summary", "description"):
            setattr(q, m.group(1), m.group(2).strip())
    body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    for underscores, pname in _VAR.findall(body):
        if pname in q.params:
            continue
        typ, desc = declared.get(pname, ("string", ""))
        q.params[pname] = Param(pname, typ, required=len(underscores) == 1, description=desc)
    return q


def _query_dir() -> Path:
    packaged = resources.files("kg") / "_data" / "queries"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "queries"


def stored_queries() -> dict[str, Query]:
    """All stored queries by name (the file stem), sorted."""
    out = {}
    for path in sorted(_query_dir().glob("*.rq")):
        out[path.stem] = parse_query(path.read_text(encoding="utf-8"), path.stem)
    return out


def load_query(ref: str | None = None, *, text: str | None = None) -> Query:
    """A stored query by name, a .rq file by path, or literal text."""
    if text is not None:
        return parse_query(text, "<-e>")
    assert ref is not None
    stored = stored_queries()
    if ref in stored:
        return stored[ref]
    path = Path(ref)
    if path.suffix == ".rq" or path.exists():
        try:
            return parse_query(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise QueryError(f"{path}: cannot read query ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise QueryError(f"{path}: query file is not UTF-8") from None
    names = ", ".join(stored) or "none"
    raise QueryError(f"no stored query named {ref!r} (stored: {names}); or give a .rq file")


def _term(param: Param, value: str) -> Any:
    import pyoxigraph as ox

    try:
        if param.type == "iri":
            return ox.NamedNode(value)
        if param.type == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))
        if param.type == "decimal":
            from decimal import Decimal

            return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#decimal"))
    except (ValueError, ArithmeticError):
        raise QueryError(f"parameter {param.name}: {value!r} is not a valid {param.type}") from None
    return ox.Literal(value)


_WHERE = re.compile(r"\bWHERE\s*\{|\bSELECT\b[^{]*\{|\bASK\s*\{", re.I)


def bind(text: str, subs: dict[Any, Any]) -> str:
    """Bind variables by a VALUES block at the start of the outer WHERE group.

    Each value is a term serialised by pyoxigraph (quotes and escapes done by the library), so
    user input is always one RDF term and never SPARQL syntax.
    """
    if not subs:
        return text
    m = _WHERE.search(_mask_comments(text))
    if m is None:
        raise QueryError("cannot find the WHERE clause to bind parameters in")
    names = " ".join(f"?{v.value}" for v in subs)
    terms = " ".join(str(t) for t in subs.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return text[: m.end()] + block + text[m.end() :]


def _mask_comments(text: str) -> str:
    """The text with comment lines blanked out (same length), so searches skip them."""
    return "\n".join(" " * len(ln) if ln.lstrip().startswith("#") else ln
                     for ln in text.split("\n"))


def run_query(store: Any, query: Query, params: dict[str, str] | None = None, *,
              allow_service: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Run a SELECT or ASK query on a pyoxigraph store; returns variable names and term rows."""
    import pyoxigraph as ox

    params = dict(params or {})
    if _SERVICE.search(_mask_comments(query.text)) and not allow_service:
        raise QueryError(f"{query.name}: uses SERVICE (a remote call); pass --allow-service")
    unknown = set(params) - set(query.params)
    if unknown:
        known = ", ".join(query.params) or "none"
        raise QueryError(f"{query.name}: unknown parameter {', '.join(sorted(unknown))} "
                         f"(parameters: {known})")
    missing = [p.name for p in query.params.values() if p.required and p.name not in params]
    if missing:
        raise QueryError(f"{query.name}: missing parameter {', '.join(missing)} "
                         f"(give --param {missing[0]}=VALUE)")
    subs = {}
    for name, value in params.items():
        p = query.params[name]
        var = ("_" if p.required else "__") + name
        subs[ox.Variable(var)] = _term(p, value)
    try:
        result = store.query(bind(query.text, subs), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"{query.name}: {str(exc).splitlines()[0]}") from None
    except (OSError, ValueError) as exc:
        raise QueryError(f"{query.name}: {exc}") from None
    if isinstance(result, bool) or hasattr(result, "__bool__") and type(result).__name__ == \
            "QueryBoolean":
        return ["result"], [[bool(result)]]
    if not hasattr(result, "variables"):
        raise QueryError(f"{query.name}: only SELECT and ASK queries can be shown as a table")
    names = [v.value for v in result.variables]
    rows = [[sol[v] for v in result.variables] for sol in result]
    return names, rows

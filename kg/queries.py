"""Stored SPARQL queries: read queries/*.rq and their header, bind parameters as terms, run.

Header lines start with `#+ `: `summary:`, `description:`, and one `param NAME (TYPE): text`
per parameter. In the query, `?_NAME` is a required parameter and `?__NAME` an optional one.
A value becomes one RDF term of the declared type, serialised by pyoxigraph; a required
parameter's term then stands in the query wherever its variable does (so the store's planner
sees a constant and uses its indexes), an optional one is bound by a VALUES block (so that
`BOUND(?__NAME)` stays meaningful). User input is never SPARQL syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import QueryError

TYPES = ("string", "label", "iri", "integer", "decimal")
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
    """The RDF term of a parameter value: `label` is a literal tagged @zh, as names are stored."""
    import pyoxigraph as ox

    if param.type == "label":
        return ox.Literal(value, language="zh")
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
# strings, IRIs and comments (group 1, skipped), or a variable (group 2, maybe replaced)
_TOKEN = re.compile("|".join([
    r'("""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>',
    r"\#[^\n]*)",
    r"([?$][A-Za-z_][A-Za-z0-9_]*)",
]))
_NOT_A_TERM = re.compile(r"(\bAS\s*|\bBOUND\s*\(\s*)$", re.I)


def bind(text: str, subs: dict[Any, Any]) -> str:
    """Bind variables to terms: in place of the variable where it is only used as a term,
    otherwise by a VALUES block at the start of the outer WHERE group.

    Each value is a term serialised by pyoxigraph (quotes and escapes done by the library), so
    user input is always one RDF term and never SPARQL syntax.
    """
    if not subs:
        return text
    by_name = {v.value: t for v, t in subs.items()}
    inline = {n for n in by_name if _substitutable(text, n)}
    out, pos = [], 0
    for m in _TOKEN.finditer(text):
        if m.group(2) and m.group(2)[1:] in inline:
            out += [text[pos : m.start()], str(by_name[m.group(2)[1:]])]
            pos = m.end()
    text = "".join(out) + text[pos:]
    rest = {v: t for v, t in subs.items() if v.value not in inline}
    if not rest:
        return text
    m = _WHERE.search(_mask_comments(text))
    if m is None:
        raise QueryError("cannot find the WHERE clause to bind parameters in")
    names = " ".join(f"?{v.value}" for v in rest)
    terms = " ".join(str(t) for t in rest.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return text[: m.end()] + block + text[m.end() :]


def _substitutable(text: str, name: str) -> bool:
    """Whether every use of ?name is in a term position (not projected, assigned or BOUND)."""
    where = _WHERE.search(_mask_comments(text))
    body_start = where.start() if where else 0
    found = False
    for m in _TOKEN.finditer(text):
        if m.group(2) and m.group(2)[1:] == name:
            found = True
            if m.start() < body_start or _NOT_A_TERM.search(text[max(0, m.start() - 40) :
                                                                  m.start()]):
                return False
            if not name.startswith("_") or name.startswith("__"):
                return False
    return found


def _mask_comments(text: str) -> str:
    """The text with comment lines blanked out (same length), so searches skip them."""
    return "\n".join(" " * len(ln) if ln.lstrip().startswith("#") else ln
                     for ln in text.split("\n"))


def run_query(store: Any, query: Query, params: dict[str, str] | None = None, *,
              allow_service: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Run a SELECT or ASK query on a kg.store store (or a bare pyoxigraph Store, read as the
    union of its graphs); returns variable names and rows of pyoxigraph terms."""
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
    text = bind(query.text, subs)
    try:
        if isinstance(store, ox.Store):
            result = _bare_select(store, text)
        else:
            result = store.select(text)
    except QueryError as exc:
        raise QueryError(f"{query.name}: {exc}") from None
    if isinstance(result, bool):
        return ["result"], [[result]]
    return result


def _bare_select(db: Any, text: str) -> Any:
    try:
        result = db.query(text, use_default_graph_as_union=True)
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc).splitlines()[0]) from None
    if type(result).__name__ == "QueryBoolean":
        return bool(result)
    if not hasattr(result, "variables"):
        raise QueryError("only SELECT and ASK queries can be shown as a table")
    names = [v.value for v in result.variables]
    return names, [[sol[v] for v in result.variables] for sol in result]

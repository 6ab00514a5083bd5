"""Stored SPARQL queries: read queries/*.rq and their header, bind parameters as terms, page, run.

Header lines start with `#+ `: `summary:`, `description:`, `pagination: N` (the default page
size of a list query, as grlc's decorator), and one `param NAME (TYPE): text` per parameter.
In the query, `?_NAME` is a required parameter and `?__NAME` an optional one.

A value becomes one RDF term of the declared type. The rdflib store binds it itself
(`initBindings`). For Oxigraph and SPARQL servers the term, serialised by pyoxigraph, stands in
the query wherever its variable does, and `BOUND(?__NAME)` becomes `true`, so the planner sees
a constant and uses its indexes, inside subqueries too; a parameter that is projected or
assigned is bound by a VALUES block instead. User input is never SPARQL syntax. (pyoxigraph's
own `substitutions=` was measured unsuitable: 0.5 accepts only projected variables, joins the
value after evaluation, six times slower at 1M triples, and a FILTER does not see it.)

A page (`limit`, `offset`) is a LIMIT and OFFSET on the query's first subquery when it has one,
otherwise on the whole query. On a SPARQL server kg cuts the page from the whole answer itself:
Virtuoso 7.2 drops rows from these queries when given a LIMIT, on the subquery or on the whole
(measured). A list query that is slow to sort selects its row keys in order in a subquery (by
the integer figures of kg.store.rank_triples) and joins the columns to the keys of one page
only; its outer ORDER BY starts with the same key, so pages are disjoint and, one after the
other, give the whole answer. When a key has several rows (a project hosted by several parks,
a fact with several evidence sentences), a page holds the rows of `limit` keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KgError, QueryError

TYPES = ("string", "label", "iri", "integer", "decimal", "date")
_PARAM_LINE = re.compile(r"^#\+\s*param\s+(\w+)\s*(?:\((\w+)\))?\s*:\s*(.*)$")
_META_LINE = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*)$")
_VAR = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9_]*)")
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
# SPARQL Update: a request whose first word after the prologue is one of these changes a store
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*<?\s*>?\s*)*", re.I)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
UPDATE_REFUSED = "updates are not allowed: kg query runs read-only queries"


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
    page_size: int | None = None  # `#+ pagination: N`: what `kg query` shows unless told

    def to_json(self) -> dict[str, Any]:
        """The query's description as `kg queries --format json` lists it (not its text)."""
        return {"name": self.name, "summary": self.summary, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "required": p.required,
                            "description": p.description} for p in self.params.values()],
                "pagination": self.page_size}

    def describe(self) -> str:
        """The query's description for people, as `kg queries` lists it: name, summary,
        description, one line per parameter and the default page size."""
        lines = [self.name, f"    {self.summary}"]
        if self.description:
            lines.append(f"    {self.description}")
        for p in self.params.values():
            need = "required" if p.required else "optional"
            lines.append(f"    --param {p.name}=…  ({p.type}, {need}) {p.description}")
        if self.page_size:
            lines.append(f"    pages of {self.page_size} rows by default (--limit N, --offset M)")
        return "\n".join(lines) + "\n"


@dataclass
class Page:
    """One page of a query's answer: its rows, where it starts, and whether more rows follow."""

    names: list[str]
    rows: list[list[Any]]
    offset: int = 0
    limit: int | None = None
    more: bool = False


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
        elif m and m.group(1) == "pagination":
            size = m.group(2).strip()
            if not size.isdigit() or int(size) == 0:
                raise QueryError(f"{name}: pagination must be a positive number of rows, "
                                 f"not {size!r}")
            q.page_size = int(size)
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
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    if param.type == "label":
        return ox.Literal(value, language="zh")
    try:
        if param.type == "iri":
            return ox.NamedNode(value)
        if param.type == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))
        if param.type == "date":
            from datetime import date  # start-up: only for date parameters

            day = date.fromisoformat(value.strip())  # 2024-06-15; ValueError otherwise
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#date"))
        if param.type == "decimal":
            from decimal import Decimal  # start-up: decimal only for xsd:decimal results

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


def bind(text: str, subs: dict[Any, Any], *, unbound: Iterable[str] = ()) -> str:
    """Bind variables (pyoxigraph Variable → term) in a query text: `BOUND(?v)` becomes `true`,
    the term stands in place of the variable where it is only used as a term, and a VALUES
    block at the start of the outer WHERE group binds a variable that is projected or assigned.
    `BOUND(?v)` of a variable named in `unbound` (an optional parameter not given) is `false`.

    Each value is a term serialised by pyoxigraph (quotes and escapes done by the library), so
    user input is always one RDF term and never SPARQL syntax.
    """
    for name in unbound:
        text = _replace_in_code(text, _bound_call(name), "false")
    if not subs:
        return text
    by_name = {v.value: t for v, t in subs.items()}
    for name in by_name:
        text = _replace_in_code(text, _bound_call(name), "true")
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
    m = _WHERE.search(_mask(text))
    if m is None:
        raise QueryError("cannot find the WHERE clause to bind parameters in")
    names = " ".join(f"?{v.value}" for v in rest)
    terms = " ".join(str(t) for t in rest.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return text[: m.end()] + block + text[m.end() :]


def _bound_call(name: str) -> re.Pattern[str]:
    return re.compile(rf"\bBOUND\s*\(\s*[?$]{re.escape(name)}\s*\)", re.I)


def _substitutable(text: str, name: str) -> bool:
    """Whether every use of ?name is in a term position (not projected, assigned or BOUND)."""
    where = _WHERE.search(_mask(text))
    body_start = where.start() if where else 0
    found = False
    for m in _TOKEN.finditer(text):
        if m.group(2) and m.group(2)[1:] == name:
            found = True
            if m.start() < body_start or _NOT_A_TERM.search(text[max(0, m.start() - 40) :
                                                                  m.start()]):
                return False
            if not name.startswith("_"):
                return False
    return found


def _mask(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length): what is left is
    SPARQL syntax, where searches for keywords and braces cannot be fooled by a value."""
    return _TOKEN.sub(lambda m: " " * len(m.group(0)) if m.group(1) else m.group(0), text)


def _mask_comments(text: str) -> str:
    """The text with comment lines blanked out (same length), so searches skip them."""
    return "\n".join(" " * len(ln) if ln.lstrip().startswith("#") else ln
                     for ln in text.split("\n"))


def _replace_in_code(text: str, pattern: re.Pattern[str], new: str) -> str:
    masked = _mask(text)
    for m in reversed(list(pattern.finditer(masked))):
        text = text[: m.start()] + new + text[m.end() :]
    return text


_SUBSELECT = re.compile(r"\{\s*SELECT\b", re.I)
_SLICE = re.compile(r"\b(LIMIT|OFFSET)\b", re.I)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def _page_span(text: str) -> tuple[int, int, bool]:
    """Where a page goes: the span of the first subquery (its closing brace at the end) and
    True, or the whole query (up to its last character of syntax) and False."""
    masked = _mask(text)
    m = _SUBSELECT.search(masked)
    if m is None:
        return 0, len(masked.rstrip()), False
    depth = 0
    for i in range(m.start(), len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return m.start(), i, True
    raise QueryError("unbalanced braces in the subquery")


def paged(text: str, limit: int | None, offset: int = 0) -> str:
    """The query text with a LIMIT and OFFSET on its first subquery if it has one, else on the
    whole query; refused if that part already has a LIMIT or OFFSET of its own."""
    start, end, _ = _page_span(text)
    if _SLICE.search(_mask(text)[start:end]):
        raise QueryError("the query has a LIMIT or OFFSET of its own; run it without "
                         "--limit/--offset (or with --limit 0)")
    clause = (f" LIMIT {limit}" if limit is not None else "") + \
             (f" OFFSET {offset}" if offset else "")
    return text[:end] + "\n" + clause.strip() + "\n" + text[end:]


def _probe(text: str, offset: int) -> str:
    """An ASK that is true when the first subquery has a row at `offset` (more keys follow)."""
    start, end, _ = _page_span(text)
    form = _FORM.search(_mask(text))
    prologue = text[: form.start()] if form else ""
    return f"{prologue}ASK {{ {text[start:end]}\nLIMIT 1 OFFSET {offset}\n}} }}"


def is_update(text: str) -> bool:
    """True for a SPARQL Update request (INSERT, DELETE, DROP, LOAD, CLEAR…), which kg query
    refuses by name rather than with the parser's error about a missing SELECT."""
    masked = _mask(text)  # strings, IRIs and comments blanked: only syntax is left
    return bool(_UPDATE.match(masked, _PROLOGUE.match(masked).end()))  # type: ignore[union-attr]


def run_query(store: Any, query: Query, params: dict[str, str] | None = None, *,
              allow_service: bool = False, limit: int | None = None, offset: int = 0
              ) -> tuple[list[str], list[list[Any]]]:
    """Run a SELECT or ASK query on a kg.store store (or a bare pyoxigraph Store, read as the
    union of its graphs); returns variable names and rows of pyoxigraph terms (one page if
    `limit` or `offset` is given; all rows otherwise)."""
    page = run_page(store, query, params, allow_service=allow_service, limit=limit,
                    offset=offset)
    return page.names, page.rows


def run_page(store: Any, query: Query, params: dict[str, str] | None = None, *,
             limit: int | None = None, offset: int = 0, allow_service: bool = False) -> Page:
    """One page of a query's answer: at most `limit` rows (for a query paged by its subquery,
    the rows of `limit` keys) from `offset` on, and whether more follow. None: no limit."""
    params = dict(params or {})
    if is_update(query.text):
        raise QueryError(UPDATE_REFUSED)
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
    if limit is not None and limit < 1:
        raise QueryError(f"{query.name}: the page size must be at least 1, not {limit}")
    if offset < 0:
        raise QueryError(f"{query.name}: the offset must be 0 or more, not {offset}")
    try:
        return _run_page(store, query, params, limit, offset, allow_service)
    except (KgError, OSError) as exc:  # pyoxigraph's network errors are OSErrors
        urls = _SERVICE_IRI.findall(_mask_comments(query.text)) if allow_service else []
        if urls and _NETWORK.search(str(exc)) and not any(u in str(exc) for u in urls):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise QueryError(f"SERVICE <{'>, <'.join(dict.fromkeys(urls))}>: {reason}") from None
        raise


_SERVICE_IRI = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^>\s]*)>", re.I)
_NETWORK = re.compile(r"connect|refused|port|lookup|resolv|timed? ?out|network|unreachable|"
                      r"certificate|tls|ssl|http|dns|reset", re.I)


def _run_page(store: Any, query: Query, params: dict[str, str], limit: int | None,
              offset: int, allow_service: bool) -> Page:
    """`run_page` once its arguments are checked."""
    subs = {}
    for name, value in params.items():
        p = query.params[name]
        subs[("_" if p.required else "__") + name] = _term(p, value)
    absent = ["__" + p.name for p in query.params.values() if p.name not in params]
    if limit is None and _pages_by_key(query.text) and getattr(store, "pages_in_engine", True):
        return _whole_by_pages(store, query, params, offset, allow_service)
    text, probe, sliced = query.text, None, False
    if limit is not None or offset:
        form = _FORM.search(_mask(text))
        if form is None or form.group(1).upper() != "SELECT":
            raise QueryError(f"{query.name}: only a SELECT query has rows to page")
        try:
            _, _, by_key = _page_span(text)
            if not getattr(store, "pages_in_engine", True):
                paged(text, limit, offset)  # refused if the query has its own LIMIT
                sliced = True
            elif by_key:
                text = paged(text, limit, offset)
                probe = _probe(query.text, offset + limit) if limit is not None else None
            else:
                text = paged(text, None if limit is None else limit + 1, offset)
        except QueryError as exc:
            raise QueryError(f"{query.name}: {exc}") from None
    try:
        result = _select(store, text, subs, absent)
        more = False
        if isinstance(result, bool):
            return Page(["result"], [[result]])
        names, rows = result
        if sliced:
            end = None if limit is None else offset + limit
            rows, more = rows[offset:end], end is not None and len(rows) > end
        elif probe is not None:
            more = bool(_select(store, probe, subs, absent))
        elif limit is not None and len(rows) > limit:
            rows, more = rows[:limit], True
    except QueryError as exc:
        raise QueryError(f"{query.name}: {exc}") from None
    return Page(names, rows, offset=offset, limit=limit, more=more)


def _pages_by_key(text: str) -> bool:
    """Whether a query is a SELECT with a subquery, so that a page is a number of its keys."""
    form = _FORM.search(_mask(text))
    if form is None or form.group(1).upper() != "SELECT":
        return False
    try:
        return _page_span(text)[2]
    except QueryError:
        return False  # the engine will say what is wrong with the text


WHOLE_PAGE = 1000  # keys per page when a query paged by key is asked for its whole answer


def _whole_by_pages(store: Any, query: Query, params: dict[str, str], offset: int,
                    allow_service: bool) -> Page:
    """The whole answer of a query paged by key, read a thousand keys at a time: Oxigraph
    joins a thousand keys to the other patterns one by one, but all of a big answer's keys
    with a hash join over every row of those patterns (2 s instead of 0.3 s for entity-facts
    of a big park at 1M triples)."""
    rows: list[list[Any]] = []
    while True:
        page = run_page(store, query, params, limit=WHOLE_PAGE, offset=offset,
                        allow_service=allow_service)
        rows += page.rows
        if not page.more:
            return Page(page.names, rows, offset=offset)
        offset += WHOLE_PAGE


def _select(store: Any, text: str, subs: dict[str, Any], absent: list[str]) -> Any:
    """Run a query with its parameters bound: by the store where it binds terms itself
    (rdflib), otherwise as terms in the text (bind)."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    if getattr(store, "binds_parameters", False):
        return store.select(text, bindings=subs)
    text = bind(text, {ox.Variable(k): v for k, v in subs.items()}, unbound=absent)
    if isinstance(store, ox.Store):
        return _bare_select(store, text)
    return store.select(text)


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

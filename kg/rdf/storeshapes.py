"""SHACL at scale: the shapes checked in the store by SPARQL, pyshacl only where they fail.

`validate_store(db)` gives the report `kg.rdf.shapes.validate` gives for the same data (the
merged graph of a store, the default graph of `db`), in bounded memory: the whole graph is never
copied into rdflib. It works in three steps:

1. Each shape's constraints become SPARQL SELECTs that return the focus nodes that may fail
   (one query for the values of a property, one for its counts, one per node-level group).
   The queries are generous: a value they cannot judge (an error, an unknown constraint) flags
   its node, so they may flag more nodes than fail, never fewer.
2. The shape's SPARQL constraints (`sh:sparql`) run in the store as they are, bound to the
   shape's targets; their rows are the violations.
3. The flagged nodes, a batch at a time, are copied with what the shapes read of them (their
   own triples; the types, labels and reified ends of what they point at) into a small graph
   that pyshacl validates as `validate` does. Only results about flagged nodes count, so the
   messages, paths and values are pyshacl's own.

A shapes file using something step 1 cannot translate (another kind of target, a complex path,
a message template in a SPARQL constraint) or data with blank nodes among the flagged nodes
falls back to `validate` on a full copy: slower, the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.rdf.ontology import ontology_file
from kg.rdf.shapes import (
    Validation,
    ValidationError,
    Violation,
    _compact,
    _violation,
    run_pyshacl,
    validate,
)
from kg.rdf.terms import to_ox, to_rdflib

__all__ = ["BATCH_NODES", "as_minus", "count_triples", "validate_graph", "validate_store"]

BATCH_NODES = 2000  # flagged nodes validated by pyshacl at a time (memory stays small)

# Shape predicates that constrain nothing by themselves.
_PASSIVE = {RDF.type, RDFS.comment, RDFS.label, RDFS.seeAlso, SH.message, SH.severity,
            SH.name, SH.description, SH.order, SH.group, SH.path, SH.property, SH.targetClass,
            SH.targetSubjectsOf, SH.targetNode, SH.flags, SH.deactivated, SH.defaultValue}
_NODE_KINDS = {SH.IRI: "!isIRI(@V)", SH.BlankNode: "!isBlank(@V)",
               SH.Literal: "!isLiteral(@V)", SH.BlankNodeOrIRI: "isLiteral(@V)",
               SH.BlankNodeOrLiteral: "isIRI(@V)", SH.IRIOrLiteral: "isBlank(@V)"}
_COMPARE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
            SH.maxExclusive: "<"}
_PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
# lexical forms rdflib reads without complaint; anything else is checked by pyshacl
_LEXICAL = {XSD.integer: r"^[+-]?[0-9]+$",
            XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
            XSD.gYear: r"^[0-9]{4}$",
            XSD.gYearMonth: r"^[0-9]{4}-(0[1-9]|1[0-2])$"}

Progress = Callable[[str], None]


class _Unsupported(Exception):
    """The shapes use something the SPARQL checks do not translate (then: full validation)."""


def _term(node: Any) -> str:
    """An rdflib term in SPARQL syntax (escaped by pyoxigraph)."""
    return str(to_ox(node))


def _rows(db: Any, sparql: str) -> Iterator[list[Any]]:
    solutions = db.query(sparql)
    width = len(solutions.variables)
    return ([sol[i] for i in range(width)] for sol in solutions)


class _Plan:
    """The SPARQL of one shapes graph: flagging queries and SPARQL constraints."""

    def __init__(self, shapes: Graph, subclasses: Callable[[Any], set[Any]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self.flags: list[str] = []
        # (shape, its targets, SELECT ?this ?path ?value, messages, severity)
        self.sparql: list[tuple[Any, Any, str, list[str], str]] = []
        self._n = 0
        for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)) | self._targeted()):
            if self._off(shape):
                continue
            targets = self._targets(shape)
            if targets is None:
                continue
            self._node(shape, targets)
            for ps in sorted(shapes.objects(shape, SH.property)):
                if not self._off(ps):
                    self._property(ps, targets)

    def _targeted(self) -> set[Any]:
        found = set()
        for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf,
                  SH.target):
            found |= set(self.shapes.subjects(p, None))
        return found

    def _off(self, shape: Any) -> bool:
        return any(getattr(v, "value", None) is True
                   for v in self.shapes.objects(shape, SH.deactivated))

    def _var(self) -> str:
        self._n += 1
        return f"?k{self._n}"

    def _targets(self, shape: Any) -> str | None:
        """The shape's focus nodes as a SPARQL group binding ?this; None when it has none."""
        g = self.shapes
        if any(g.objects(shape, SH.target)):
            raise _Unsupported("sh:target")
        parts = []
        classes = set(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            classes.add(shape)
        for c in sorted(classes):
            var = self._var()
            parts.append(f"{{ ?this a {var} VALUES {var} {{ {self._classes(c)} }} }}")
        for p in sorted(g.objects(shape, SH.targetSubjectsOf)):
            parts.append(f"{{ ?this {_term(p)} {self._var()} }}")
        for p in sorted(g.objects(shape, SH.targetObjectsOf)):
            parts.append(f"{{ {self._var()} {_term(p)} ?this }}")
        for n in sorted(g.objects(shape, SH.targetNode)):
            parts.append(f"{{ VALUES ?this {{ {_term(n)} }} }}")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def _classes(self, c: Any) -> str:
        return " ".join(_term(x) for x in sorted(self.subclasses(c)))

    def _bad(self, key: Any, value: Any, v: str, shape: Any) -> str | None:
        """A SPARQL expression true when value `v` may fail constraint (key, value); None when
        the constraint is not about one value (counts, SPARQL)."""
        g = self.shapes
        if key in (SH.minCount, SH.maxCount, SH.sparql, SH.flags):
            return None
        if key == SH["or"] and not all(
                {p for p, _ in g.predicate_objects(m)} - {RDF.type} == {SH["class"]}
                for m in Collection(g, value)):
            return self._or(value, v)
        if key == SH["class"] or key == SH["or"]:
            if key == SH["class"]:
                classes = self.subclasses(value)
            else:  # an or of classes: one test against all of them
                classes = set()
                for member in Collection(g, value):
                    classes |= self.subclasses(g.value(member, SH["class"]))
            var = self._var()
            return (f"NOT EXISTS {{ {v} a {var} VALUES {var} "
                    f"{{ {' '.join(_term(c) for c in sorted(classes))} }} }}")
        if key == SH.datatype:
            if value == RDF.langString:
                test = "!(isLiteral(@V) && LANG(@V) != \"\")"
            else:
                test = f"!(isLiteral(@V) && DATATYPE(@V) = {_term(value)}"
                lexical = _LEXICAL.get(value)
                if lexical is not None:
                    test += f" && REGEX(STR(@V), \"{lexical}\")"
                elif value != XSD.string:
                    return "true"  # a form pyshacl may reject: let it judge every value
                test += ")"
        elif key == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise _Unsupported(f"sh:nodeKind {value}")
            test = _NODE_KINDS[value]
        elif key == SH["in"]:
            items = list(Collection(g, value))
            test = "!(" + (" || ".join(f"sameTerm(@V, {_term(i)})" for i in items)
                           or "false") + ")"
        elif key == SH.pattern:
            flags = g.value(shape, SH.flags)
            extra = f", {_term(Literal(str(flags)))}" if flags is not None else ""
            test = f"(isBlank(@V) || !REGEX(STR(@V), {_term(Literal(str(value)))}{extra}))"
        elif key in (SH.minLength, SH.maxLength):
            op = "<" if key == SH.minLength else ">"
            test = f"(isBlank(@V) || STRLEN(STR(@V)) {op} {int(value)})"
        elif key in _COMPARE:
            test = f"!(@V {_COMPARE[key]} {_term(value)})"
        elif key in _PAIRS:
            var = self._var()
            test = (f"EXISTS {{ ?this {_term(value)} {var} "
                    f"FILTER (!COALESCE(@V {_PAIRS[key]} {var}, false)) }}")
        elif key in _PASSIVE or not str(key).startswith(str(SH)):
            return None
        else:
            return "true"  # a constraint not translated: every value is checked by pyshacl
        return f"COALESCE({test.replace('@V', v)}, true)"

    def _or(self, members: Any, v: str) -> str | None:
        """A test true when value `v` may fail every shape of an sh:or list (then it fails the
        or); None when some member holds for every value. Members are value constraints or a
        path with a minimum count (ObservationMeasureShape's value-or-growth)."""
        g = self.shapes
        alternatives = []
        for member in Collection(g, members):
            path = g.value(member, SH.path)
            keys = {p for p, _ in g.predicate_objects(member)} - {RDF.type, SH.message}
            if path is not None:
                if not isinstance(path, URIRef) or keys - {SH.path, SH.minCount}:
                    raise _Unsupported("sh:or of property shapes other than a path's minCount")
                low = g.value(member, SH.minCount)
                if low is None or int(low) <= 0:
                    return None
                alternatives.append(f"NOT EXISTS {{ {v} {_term(path)} {self._var()} }}"
                                    if int(low) == 1 else "true")
                continue
            if keys & {SH.minCount, SH.maxCount, SH.sparql, SH.property, SH.node, SH["not"],
                       SH["and"], SH.xone}:
                raise _Unsupported("sh:or of shapes with counts, nested shapes or SPARQL")
            tests = [t for k, val in sorted(g.predicate_objects(member)) if k in keys
                     for t in [self._bad(k, val, v, member)] if t is not None]
            if not tests:
                return None
            alternatives.append("(" + " || ".join(tests) + ")")
        return "(" + " && ".join(alternatives) + ")" if alternatives else "true"

    def _node(self, shape: Any, targets: str) -> None:
        """Flag the targets failing a node-level constraint; queue the SPARQL constraints."""
        tests = []
        for key, value in sorted(self.shapes.predicate_objects(shape)):
            if key == SH.sparql:
                self._sparql(shape, value, targets)
                continue
            if key in (SH.minCount, SH.maxCount):
                continue  # meaningless without a path (the node is its one value)
            bad = self._bad(key, value, "?this", shape)
            if bad is not None:
                tests.append(bad)
        if tests:
            self.flags.append(f"SELECT DISTINCT ?this WHERE {{ {targets} "
                              f"FILTER ({' || '.join(tests)}) }}")

    def _property(self, ps: Any, targets: str) -> None:
        """Flag the targets whose values of the property shape `ps` may fail it."""
        g = self.shapes
        path = g.value(ps, SH.path)
        if not isinstance(path, URIRef):
            raise _Unsupported("a property path other than one IRI")
        p = _term(path)
        tests = []
        for key, value in sorted(g.predicate_objects(ps)):
            if key == SH.sparql:
                raise _Unsupported("sh:sparql on a property shape")
            bad = self._bad(key, value, "?v", ps)
            if bad is not None:
                tests.append(bad)
        if tests:
            self.flags.append(f"SELECT DISTINCT ?this WHERE {{ {targets} ?this {p} ?v "
                              f"FILTER ({' || '.join(tests)}) }}")
        having = []
        low, high = g.value(ps, SH.minCount), g.value(ps, SH.maxCount)
        if low is not None and int(low) > 0:
            having.append(f"COUNT(DISTINCT ?v) < {int(low)}")
        if high is not None:
            having.append(f"COUNT(DISTINCT ?v) > {int(high)}")
        if having:
            self.flags.append(f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {p} ?v }} }} "
                              f"GROUP BY ?this HAVING ({' || '.join(having)})")

    def _sparql(self, shape: Any, constraint: Any, targets: str) -> None:
        g = self.shapes
        if self._off(constraint):
            return
        select = g.value(constraint, SH.select)
        if select is None:
            raise _Unsupported("a SPARQL constraint without sh:select")
        messages = sorted(str(m) for m in g.objects(constraint, SH.message))
        if any("{" in m for m in messages):
            raise _Unsupported("a message template in a SPARQL constraint")
        prefixes = ""
        for source in g.objects(constraint, SH.prefixes):
            for decl in g.objects(source, SH.declare):
                prefixes += (f"PREFIX {g.value(decl, SH.prefix)}: "
                             f"<{g.value(decl, SH.namespace)}>\n")
        query = prefixes + "\n\n" + str(select).replace("$this", "?this").strip()
        severity = g.value(shape, SH.severity)
        self.sparql.append((shape, targets, query, messages,
                            str(severity).rsplit("#", 1)[-1] if severity else "Violation"))


def _subclass_closure(ontology: Graph, db: Any) -> Callable[[Any], set[Any]]:
    """C → C and every class below it, by rdfs:subClassOf in the ontology and the data."""
    below: dict[Any, set[Any]] = {}
    edges = list(ontology.subject_objects(RDFS.subClassOf))
    sparql = "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b }"
    edges += [(to_rdflib(a), to_rdflib(b)) for a, b in _rows(db, sparql)]
    for a, b in edges:
        below.setdefault(b, set()).add(a)

    def closure(c: Any) -> set[Any]:
        out, todo = {c}, [c]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    return closure


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_LOOK = {_RDF + "type", str(RDFS.label), _RDF + "subject", _RDF + "predicate", _RDF + "object"}
_ENDS = {_RDF + "subject", _RDF + "object"}


def _about(db: Any, nodes: Iterable[Any], keep: Callable[[Any], bool]) -> list[list[Any]]:
    """The triples of `nodes` (IRIs) whose predicate `keep` accepts, by one VALUES query (its
    only join starts from the nodes: Oxigraph reads their triples and nothing else)."""
    values = " ".join(sorted({str(n) for n in nodes}))
    if not values:
        return []
    sparql = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
    return [row for row in _run(db, sparql) if keep(row[1].value)]


def _neighbourhood(db: Any, nodes: Iterable[Any]) -> Graph:
    """What the shapes and the report read of `nodes`: their own triples, the types, labels and
    reified ends of the nodes they point at, and the labels of those ends."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    own = _about(db, nodes, lambda p: True)
    values = _about(db, (o for _, _, o in own if isinstance(o, ox.NamedNode)),
                    _LOOK.__contains__)
    ends = (o for _, p, o in values if p.value in _ENDS and isinstance(o, ox.NamedNode))
    labels = _about(db, ends, str(RDFS.label).__eq__)
    out = Graph()
    add = out.add
    for s, p, o in (*own, *values, *labels):
        add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return out


def _without_sparql(shapes: Graph) -> Graph:
    """A copy of the shapes graph without its SPARQL constraints (they run in the store)."""
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns, override=True)
    for t in shapes:
        if t[1] != SH.sparql:
            out.add(t)
    return out


def count_triples(db: Any) -> int:
    """Triples of the default graph of `db` (the merged graph of a store)."""
    for (n,) in _rows(db, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
        return int(n.value)
    return 0


def _full(db: Any, shapes: Path | None, ontology: Path | None) -> Validation:
    graph = Graph()
    add = graph.add
    for q in db.quads_for_pattern(None, None, None, _default_graph()):
        add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return validate(graph, shapes=shapes, ontology=ontology)


def _default_graph() -> Any:
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    return ox.DefaultGraph()


def validate_store(db: Any, *, shapes: Path | None = None, ontology: Path | None = None,
                   progress: Progress | None = None, batch: int = BATCH_NODES) -> Validation:
    """The report of `kg.rdf.shapes.validate` on the default graph of the pyoxigraph Store `db`
    (a kg store's merged graph), found by SPARQL in the store and pyshacl on the failing nodes.

    `progress(line)` hears each step. Raises ValidationError as `validate` does.
    """
    say = progress or (lambda _: None)
    try:
        import pyshacl  # heavy: pyshacl loads only for kg validate
    except ImportError:
        raise ValidationError("kg validate needs pyshacl: pip install pyshacl "
                              "(or reinstall parks-kg, which depends on it)") from None
    try:
        shapes_graph = Graph().parse(shapes or ontology_file("shapes.ttl"), format="turtle")
        ont_graph = Graph().parse(ontology or ontology_file("parks.ttl"), format="turtle")
    except Exception as exc:  # rdflib's parser raises many kinds of error
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValidationError(f"cannot read the shapes: {first}") from None
    try:
        plan = _Plan(shapes_graph, _subclass_closure(ont_graph, db))
    except _Unsupported as exc:
        say(f"the shapes use {exc}: validating a full copy of the graph")
        return _full(db, shapes, ontology)
    flagged: set[Any] = set()
    total = len(plan.flags) + len(plan.sparql)
    for i, query in enumerate(plan.flags, 1):
        flagged.update(row[0] for row in _run(db, query))
        if i % 10 == 0:
            say(f"checked {i}/{total} constraints in the store: {len(flagged)} node(s) to "
                "look at")
    found: list[tuple[Any, tuple[Any, Any, Any], list[str], str]] = []
    try:
        for shape, targets, query, messages, severity in plan.sparql:
            for this, path, value in _sparql_rows(db, targets, query):
                found.append((shape, (this, path, value), messages, severity))
                flagged.add(this)
    except _Unsupported as exc:
        say(f"{exc}: validating a full copy of the graph")
        return _full(db, shapes, ontology)
    say(f"checked {total}/{total} constraints in the store: {len(flagged)} node(s) to look at")
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    if any(not isinstance(n, ox.NamedNode) for n in flagged):
        say("blank nodes among the nodes to look at: validating a full copy of the graph")
        return _full(db, shapes, ontology)
    report = Validation(triples=count_triples(db))
    seen: set[Violation] = set()
    ordered = sorted(flagged, key=lambda n: n.value)
    checked = _without_sparql(shapes_graph)
    by_focus: dict[Any, list[tuple[Any, tuple[Any, Any, Any], list[str], str]]] = {}
    for item in found:
        by_focus.setdefault(item[1][0], []).append(item)
    for start in range(0, len(ordered), batch):
        part = ordered[start:start + batch]
        data = _neighbourhood(db, part)
        # (not pyshacl's focus_nodes: it also skips the value nodes that sh:or checks)
        focus = {URIRef(n.value) for n in part}
        results = run_pyshacl(pyshacl, data, checked, ont_graph)
        violations = [_violation(results, r, data)
                      for r in results.subjects(RDF.type, SH.ValidationResult)
                      if results.value(r, SH.focusNode) in focus]
        for n in part:
            for _, (this, path, value), messages, severity in by_focus.get(n, ()):
                violations.append(_sparql_violation(data, this, path, value, messages,
                                                    severity))
        for v in violations:
            if v not in seen:
                seen.add(v)
                report.violations.append(v)
        if len(ordered) > batch:
            say(f"validated {min(start + batch, len(ordered))}/{len(ordered)} node(s)")
    report.violations.sort(key=lambda v: (v.focus, v.path, v.message, v.value, v.component))
    return report


_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{([^{}]*)\}", re.IGNORECASE)
_GROUPING = re.compile(r"\b(OPTIONAL|UNION|MINUS|BIND|VALUES|GRAPH|SERVICE|EXISTS)\b|\{",
                       re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def as_minus(select: str) -> str:
    """`select` with each `FILTER NOT EXISTS { triples }` written as `MINUS { triples }` where
    the two mean the same, else unchanged.

    They mean the same when the excluded pattern is triples only and shares a variable with
    the rest, and the rest is triples and filters only (so that every variable it shares is
    bound in each row). Oxigraph evaluates the MINUS as one join: 2 s for the shipped fact
    constraint on a 1M-triple store, where its FILTER NOT EXISTS scans for every fact (hours).
    """
    head, brace, body = select.partition("{")
    inner = body[: body.rfind("}")] if brace else ""
    blocks = _NOT_EXISTS.findall(inner)
    rest = _NOT_EXISTS.sub(" ", inner)
    if not blocks or _GROUPING.search(rest) or any(
            re.search(r"\bFILTER\b", b, re.IGNORECASE) for b in blocks):
        return select
    outer = set(_VARIABLE.findall(rest))
    if any(not outer & set(_VARIABLE.findall(b)) for b in blocks):
        return select
    return head + brace + _NOT_EXISTS.sub(lambda m: f"MINUS {{{m.group(1)}}}", inner) + \
        body[body.rfind("}"):]


def _sparql_rows(db: Any, targets: str, query: str) -> Iterator[list[Any]]:
    """The rows of a SPARQL constraint (`SELECT ?this ?path ?value`, prefixes first) for the
    focus nodes `targets` binds, run in the store."""
    prefixes, _, select = query.rpartition("\n\n")
    return _run(db, f"{prefixes}\nSELECT ?this ?path ?value WHERE {{ {targets} "
                    f"{{ {as_minus(select)} }} }}")


def validate_graph(graph: Graph, *, progress: Progress | None = None) -> Validation:
    """`validate_store` of an rdflib Graph or Dataset (an RDF file read by kg.views.read_graph):
    its triples, merged as `kg.rdf.shapes.union` merges them, go to an in-memory Oxigraph."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    db = ox.Store()
    default = ox.DefaultGraph()
    quads = getattr(graph, "quads", None)
    triples = (q[:3] for q in quads((None, None, None, None))) if callable(quads) and \
        type(graph) is not Graph else graph.triples((None, None, None))
    chunk: list[Any] = []
    for s, p, o in triples:
        chunk.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), default))
        if len(chunk) >= 100_000:
            db.extend(chunk)
            chunk = []
    db.extend(chunk)
    return validate_store(db, progress=progress)


def _run(db: Any, query: str) -> Iterator[list[Any]]:
    try:
        return _rows(db, query)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValidationError(f"cannot run the SHACL shapes in the store: {first}") from None


def _sparql_violation(data: Graph, this: Any, path: Any, value: Any, messages: list[str],
                      severity: str) -> Violation:
    """A row of a SPARQL constraint as the Violation pyshacl reports for it."""
    from kg.rdf.shapes import _classes, _describe

    focus = to_rdflib(this)
    value_term = to_rdflib(value) if value is not None else None
    path_term = to_rdflib(path) if path is not None else None
    shown = "" if value_term is None or (path_term is None and value_term == focus) else \
        _describe(data, value_term)
    return Violation(focus=_compact(focus), focus_label=_describe(data, focus),
                     focus_class=_classes(data, focus),
                     path=_compact(path_term) if path_term is not None else "",
                     value=shown, message="; ".join(messages) or "SPARQL",
                     severity=severity, component="SPARQL")

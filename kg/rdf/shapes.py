"""Check a built graph against its own schema: SHACL shapes (ontology/shapes.ttl) run by pyshacl.

`validate(graph)` runs the shapes over the union of the graph's named graphs, with
ontology/parks.ttl as the ontology graph (so a pk:Laboratory counts as a pk:Platform), and
returns a `Validation`: one `Violation` per distinct problem, each naming the focus node by its
label and class, the property path, the offending value and the shape's message, sorted so that
the same graph always gives the same report. pyshacl is imported only here.

>>> from kg import views
>>> from kg.rdf import shapes as validate
>>> report = validate.validate(views.read_graph("out/store"))   # doctest: +SKIP
>>> report.conforms, len(report.violations)                      # doctest: +SKIP
(True, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.errors import KgError
from kg.rdf.ontology import ontology_file
from kg.vocab import PK, PREFIXES

if TYPE_CHECKING:
    from rdflib.term import Node

__all__ = ["Validation", "Violation", "format_violations", "union", "validate"]


class ValidationError(KgError):
    """The shapes could not be run (pyshacl missing, or a shapes file it rejects)."""


@dataclass(frozen=True, order=True)
class Violation:
    """One problem found: where (focus node and path), what value, and the shape's message."""

    focus: str  # compact IRI (id:park/…) or blank-node id
    focus_label: str  # the node's rdfs:label, or a short description when it has none
    focus_class: str  # local names of its pk: classes, comma-separated ("" when none)
    path: str  # compact property path ("" for a constraint on the node itself)
    value: str  # the offending value, labelled when it is a node ("" when none)
    message: str
    severity: str = "Violation"  # Violation, Warning or Info
    # the SHACL constraint component (MinCount, Class, SPARQL…); two components that report
    # the same message on the same value are one violation to a reader
    component: str = field(default="", compare=False)


@dataclass
class Validation:
    """The outcome of a validation: conforms only when there is no sh:Violation."""

    violations: list[Violation] = field(default_factory=list)
    triples: int = 0

    @property
    def conforms(self) -> bool:
        return not any(v.severity == "Violation" for v in self.violations)

    def count(self, severity: str = "Violation") -> int:
        return sum(1 for v in self.violations if v.severity == severity)

    def summary(self, source: str) -> str:
        """One line on what `source` (a store or file) gave: conforms, or how many violations
        on how many nodes, with the warnings and the number of triples checked."""
        errors = self.count("Violation")
        others = len(self.violations) - errors
        note = f" and {others} warning(s)" if others else ""
        if self.conforms:
            return f"{source}: conforms ({self.triples} triples){note}"
        nodes = len({v.focus for v in self.violations if v.severity == "Violation"})
        return (f"{source}: {errors} violation(s) on {nodes} node(s){note} "
                f"({self.triples} triples)")


def union(graph: Graph) -> Graph:
    """The triples of every named graph of `graph` in one new Graph, ready for SHACL.

    Literals typed xsd:string become plain literals: in RDF 1.1 they are the same term, but
    rdflib tells them apart, and a store hands them back typed, so that `sh:in ("approx")`
    would reject "approx"^^xsd:string.
    """
    out = Graph()
    quads = getattr(graph, "quads", None)
    triples = (q[:3] for q in quads((None, None, None, None))) if callable(quads) and \
        type(graph) is not Graph else graph.triples((None, None, None))
    for s, p, o in triples:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def run_pyshacl(pyshacl: Any, data: Graph, shapes_graph: Graph, ont_graph: Graph) -> Graph:
    """pyshacl's results graph for `data`; a ValidationError naming the first problem when the
    shapes cannot run (pyshacl raises its own types, or reports a "Validation Failure")."""
    try:
        _, results, text = pyshacl.validate(data, shacl_graph=shapes_graph, ont_graph=ont_graph,
                                            inference="none", advanced=False)
    except Exception as exc:  # pyshacl reports broken shapes with its own exception types
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValidationError(f"cannot run the SHACL shapes: {first}") from None
    if str(text).startswith("Validation Failure"):
        first = str(text).splitlines()[0].partition(" - ")[2] or "unknown failure"
        raise ValidationError(f"cannot run the SHACL shapes: {first}")
    return results


def validate(graph: Graph, *, shapes: Path | None = None, ontology: Path | None = None
             ) -> Validation:
    """Run the SHACL shapes over `graph` (merged first if it is a Dataset) and list what fails.

    `shapes` and `ontology` default to the shipped ontology/shapes.ttl and ontology/parks.ttl.
    Raises ValidationError when pyshacl is not installed or cannot run the shapes.
    """

    try:
        import pyshacl  # heavy: pyshacl loads only for kg validate
    except ImportError:
        raise ValidationError("kg validate needs pyshacl: pip install pyshacl "
                              "(or reinstall parks-kg, which depends on it)") from None
    data = union(graph)
    shapes_graph = Graph().parse(shapes or ontology_file("shapes.ttl"), format="turtle")
    ont_graph = Graph().parse(ontology or ontology_file("parks.ttl"), format="turtle")
    results = run_pyshacl(pyshacl, data, shapes_graph, ont_graph)
    report = Validation(triples=len(data))
    seen: set[Violation] = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        v = _violation(results, result, data)
        if v not in seen:
            seen.add(v)
            report.violations.append(v)
    report.violations.sort(key=lambda v: (v.focus, v.path, v.message, v.value, v.component))
    return report


def _violation(results: Graph, result: Node, data: Graph) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    component = results.value(result, SH.sourceConstraintComponent)
    severity = results.value(result, SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    comp = _local(component).removesuffix("ConstraintComponent") if component else ""
    # a node-level constraint reports the focus node itself as the value: say it once
    shown_value = "" if value is None or (path is None and value == focus) else \
        _describe(data, value)
    return Violation(
        focus=_compact(focus) if focus is not None else "",
        focus_label=_describe(data, focus) if focus is not None else "",
        focus_class=_classes(data, focus) if focus is not None else "",
        path=_path(results, path) if path is not None else "",
        value=shown_value,
        message="; ".join(messages) or comp,
        severity=_local(severity) if severity is not None else "Violation",
        component=comp,
    )


def _local(iri: Node) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _compact(node: Node) -> str:
    """A prefixed name (pk:hosts, id:park/…) for an IRI, the N-Triples form otherwise."""
    if isinstance(node, URIRef):
        text = str(node)
        best, name = "", f"<{text}>"
        for prefix, ns in PREFIXES.items():
            if text.startswith(str(ns)) and len(str(ns)) > len(best):
                best, name = str(ns), f"{prefix}:{text[len(str(ns)):]}"
        return name
    if isinstance(node, Literal):
        return node.n3()
    return f"_:{node}"


def _classes(data: Graph, node: Node) -> str:
    pk = str(PK._NS)
    return ", ".join(sorted(_local(c) for c in data.objects(node, RDF.type)
                            if str(c).startswith(pk)))


def _label(data: Graph, node: Node) -> str | None:
    labels = sorted(str(x) for x in data.objects(node, RDFS.label))
    return labels[0] if labels else None


def _describe(data: Graph, node: Node) -> str:
    """What a person recognises a node by: its label, a reified fact's words, or its value."""
    if isinstance(node, Literal):
        text = '"' + _shorten(str(node)) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^{_compact(node.datatype)}"
        return text
    label = _label(data, node)
    if label is not None:
        return label
    subject, predicate, obj = (_one(data, node, p)
                               for p in (RDF.subject, RDF.predicate, RDF.object))
    if subject is not None and predicate is not None and obj is not None:
        parts = (_label(data, subject) or _compact(subject), _compact(predicate),
                 _describe(data, obj) if isinstance(obj, Literal) else
                 _label(data, obj) or _compact(obj))
        return "statement: " + " ".join(parts)
    return _compact(node)


def _one(data: Graph, node: Node, predicate: Node) -> Node | None:
    """The value of `predicate` on `node`; of several, the same one whatever the graph's order
    (IRIs before literals, then by text)."""
    found = sorted(data.objects(node, predicate), key=lambda t: (isinstance(t, Literal), str(t)))
    return found[0] if found else None


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _path(results: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL property-path syntax (pk:hosts, ^pk:hosts, a/b)."""
    if isinstance(path, URIRef):
        return _compact(path)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(results, inverse)
    for pred, fmt in ((SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = results.value(path, pred)
        if inner is not None:
            return fmt.format(_path(results, inner))
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(results, p) for p in Collection(results, alternatives)) + ")"
    if results.value(path, RDF.first) is not None:
        return "/".join(_path(results, p) for p in Collection(results, path))
    return _compact(path)


def format_violations(report: Validation) -> str:
    """The violations for people, grouped by focus node: a heading line, then one line each.

    ```
    id:park/3f1c…  西安高新区 (Park)
      pk:hosts → 赣锋锂电材料及应用实验室: pk:hosts must point at a pk:Enterprise or a pk:Project
    ```
    """
    lines: list[str] = []
    current = None
    for v in report.violations:
        if v.focus != current:
            current = v.focus
            kind = f" ({v.focus_class})" if v.focus_class else ""
            name = f"  {v.focus_label}" if v.focus_label != v.focus else ""
            lines.append(f"{v.focus}{name}{kind}")
        where = v.path or "(the node itself)"
        if v.value:
            where += f" → {v.value}"
        level = "" if v.severity == "Violation" else f"[{v.severity.lower()}] "
        lines.append(f"  {level}{where}: {v.message}")
    return "\n".join(lines) + ("\n" if lines else "")

"""The ontology as documentation: parks.ttl and shapes.ttl read into terms, written as HTML.

`terms()` lists every class and property of parks.ttl with its Chinese and English labels,
comment, superclasses or superproperties, domain, range and alignments with standard
vocabularies; `to_html()` renders them (and the SHACL shapes) as one self-contained page
(`kg ontology --html PATH`, committed as docs/ontology.html). The page depends only on the two
Turtle files: no date, no absolute path, terms in a fixed order, so regenerating it from
unchanged files gives the same bytes.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, SH
from rdflib.term import Node

from kg.files import atomic_write
from kg.vocab import PK, PREFIXES

__all__ = ["Term", "ontology_file", "read_ontology", "term_rows", "terms", "to_html",
           "write_html"]

ONTOLOGY_IRI = URIRef("https://w3id.org/parks-kg/ontology")
SHAPES_PREFIX = ("pksh", "https://w3id.org/parks-kg/shapes#")
KINDS = {OWL.Class: "class", OWL.ObjectProperty: "object property",
         OWL.DatatypeProperty: "datatype property"}
CHARACTERISTICS = {OWL.TransitiveProperty: "transitive", OWL.FunctionalProperty: "functional",
                   OWL.SymmetricProperty: "symmetric", OWL.InverseFunctionalProperty:
                   "inverse functional"}


def ontology_file(name: str) -> Path:
    """A file of the ontology folder: shipped in the wheel (kg/_data), else the project's."""
    packaged = resources.files("kg") / "_data" / "ontology" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "ontology" / name


def read_ontology(name: str = "parks.ttl") -> Graph:
    """ontology/parks.ttl (or shapes.ttl) parsed by rdflib."""
    return Graph().parse(ontology_file(name), format="turtle")


@dataclass
class Term:
    """A class or property of the ontology, with what the documentation shows of it."""

    iri: URIRef
    kind: str  # class, object property, datatype property
    name: str  # the local name: Park, hosts
    zh: str = ""
    en: str = ""
    comment: str = ""
    characteristics: list[str] = field(default_factory=list)
    parents: list[Node] = field(default_factory=list)  # rdfs:subClassOf / rdfs:subPropertyOf
    domain: Node | None = None
    range: Node | None = None
    see_also: list[Node] = field(default_factory=list)


def _text(graph: Graph, node: Node, pred: URIRef, lang: str | None) -> str:
    values = sorted(str(v) for v in graph.objects(node, pred)
                    if isinstance(v, Literal) and (lang is None or v.language == lang))
    return values[0] if values else ""


def _in_pk(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(PK._NS))


def terms(graph: Graph | None = None) -> list[Term]:
    """Every pk: class and property, classes first (each followed by its subclasses)."""
    graph = graph if graph is not None else read_ontology()
    found: list[Term] = []
    for rdf_type, kind in KINDS.items():
        for iri in graph.subjects(RDF.type, rdf_type):
            if not _in_pk(iri):
                continue
            assert isinstance(iri, URIRef)
            parent_pred = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
            found.append(Term(
                iri=iri, kind=kind, name=str(iri)[len(str(PK._NS)):],
                zh=_text(graph, iri, RDFS.label, "zh"), en=_text(graph, iri, RDFS.label, "en"),
                comment=_text(graph, iri, RDFS.comment, "en") or _text(graph, iri,
                                                                       RDFS.comment, None),
                characteristics=sorted(CHARACTERISTICS[t] for t in graph.objects(iri, RDF.type)
                                       if t in CHARACTERISTICS),
                parents=sorted(graph.objects(iri, parent_pred), key=str),
                domain=graph.value(iri, RDFS.domain), range=graph.value(iri, RDFS.range),
                see_also=sorted(graph.objects(iri, RDFS.seeAlso), key=str)))
    classes = {t.iri: t for t in found if t.kind == "class"}

    def depth_key(t: Term) -> tuple[str, ...]:
        chain = [t.name]
        seen = {t.iri}
        parent = next((p for p in t.parents if p in classes), None)
        while parent is not None and parent not in seen:
            seen.add(parent)
            chain.insert(0, classes[parent].name)
            parent = next((p for p in classes[parent].parents if p in classes), None)
        return tuple(chain)

    def class_key(t: Term) -> tuple[bool, tuple[str, ...]]:
        # the things extracted from text first, then sources and provenance (prov:Entity)
        return (PROV.Entity in t.parents, depth_key(t))

    ordered = sorted(classes.values(), key=class_key)
    for kind in ("object property", "datatype property"):
        ordered += sorted((t for t in found if t.kind == kind), key=lambda t: t.name)
    return ordered


def _compact(node: Node) -> str:
    text = str(node)
    best, name = "", text
    for prefix, ns in [*PREFIXES.items(), SHAPES_PREFIX]:
        if text.startswith(str(ns)) and len(str(ns)) > len(best):
            best, name = str(ns), f"{prefix}:{text[len(str(ns)):]}"
    return name


def _members(graph: Graph, node: Node) -> list[Node] | None:
    """The classes of an owl:unionOf class expression, or None when it is not one."""
    if isinstance(node, BNode):
        lst = graph.value(node, OWL.unionOf)
        if lst is not None:
            return list(Collection(graph, lst))
    return None


def _plain(graph: Graph, node: Node | None) -> str:
    """A class expression in words: pk:Enterprise or pk:Project."""
    if node is None:
        return ""
    members = _members(graph, node)
    if members is not None:
        return " or ".join(_compact(m) for m in members)
    return _compact(node)


def term_rows(graph: Graph | None = None) -> tuple[list[str], list[list[str]]]:
    """Column names and one row per term (what `kg ontology` prints as a table)."""
    graph = graph if graph is not None else read_ontology()
    names = ["term", "kind", "zh", "en", "domain", "range"]
    rows = [[f"pk:{t.name}", t.kind, t.zh, t.en, _plain(graph, t.domain),
             _plain(graph, t.range)] for t in terms(graph)]
    return names, rows


# ------------------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
h1 { margin-bottom: 0; } h2 { border-bottom: 2px solid #2e7d32; margin-top: 2.5rem; }
h3 { margin: 1.8rem 0 .4rem; } h3 .zh { color: #2e7d32; font-weight: normal; }
code { background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
         border-bottom: 1px solid #e0e0e0; }
table.term th { width: 9rem; color: #555; font-weight: normal; }
nav ul.cols { columns: 2; } nav li.sub { margin-left: 1.2rem; }
.meta { color: #555; } a { color: #1565c0; text-decoration: none; }
a:hover { text-decoration: underline; }
"""


class _Page:
    """Builds the HTML of the ontology page; every text from the Turtle files is escaped."""

    def __init__(self, graph: Graph, shapes: Graph | None) -> None:
        self.g = graph
        self.shapes = shapes
        self.terms = terms(graph)
        self.by_iri = {t.iri: t for t in self.terms}
        self.out: list[str] = []

    def link(self, node: Node) -> str:
        """A term as a link: an anchor on this page for pk: terms, the IRI otherwise."""
        if node in self.by_iri:
            return f'<a href="#{self.by_iri[node].name}"><code>{_e(_compact(node))}</code></a>'
        if isinstance(node, URIRef):
            return f'<a href="{_e(str(node))}"><code>{_e(_compact(node))}</code></a>'
        members = _members(self.g, node)
        if members is not None:
            return " or ".join(self.link(m) for m in members)
        return f"<code>{_e(_compact(node))}</code>"

    def row(self, header: str, cell: str) -> None:
        if cell:
            self.out.append(f"<tr><th>{_e(header)}</th><td>{cell}</td></tr>")

    def render(self) -> str:
        g, o = self.g, self.out
        title_en = _text(g, ONTOLOGY_IRI, DCTERMS.title, "en") or "parks-kg ontology"
        title_zh = _text(g, ONTOLOGY_IRI, DCTERMS.title, "zh")
        version = _text(g, ONTOLOGY_IRI, OWL.versionInfo, None)
        o.append("<!DOCTYPE html>")
        o.append('<html lang="en"><head><meta charset="utf-8">')
        o.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
        o.append(f"<title>{_e(title_en)} {_e(version)}</title><style>{_CSS}</style></head>")
        o.append("<body><header>")
        o.append(f'<h1>{_e(title_en)} <span lang="zh">{_e(title_zh)}</span></h1>')
        o.append('<table class="term meta">')
        self.row("IRI", f"<code>{_e(str(ONTOLOGY_IRI))}</code>")
        self.row("Version", _e(version))
        license_ = g.value(ONTOLOGY_IRI, DCTERMS.license)
        if license_ is not None:
            self.row("License", f'<a href="{_e(str(license_))}">{_e(str(license_))}</a>')
        self.row("Source", "<code>ontology/parks.ttl</code>; validation rules "
                 "<code>ontology/shapes.ttl</code>; generated by "
                 "<code>kg ontology --html</code>")
        o.append("</table>")
        for pred in (DCTERMS.description, RDFS.comment):
            text = _text(g, ONTOLOGY_IRI, pred, "en")
            if text:
                o.append(f"<p>{_e(' '.join(text.split()))}</p>")
        o.append("</header>")
        self.contents()
        for kind, heading, anchor in (("class", "Classes", "classes"),
                                      ("object property", "Object properties", "object-properties"),
                                      ("datatype property", "Datatype properties",
                                       "datatype-properties")):
            o.append(f'<section id="{anchor}"><h2>{heading}</h2>')
            for t in self.terms:
                if t.kind == kind:
                    self.term(t)
            o.append("</section>")
        self.alignments()
        if self.shapes is not None:
            self.shape_section()
        self.namespaces()
        o.append("</body></html>")
        return "\n".join(o) + "\n"

    def contents(self) -> None:
        o = self.out
        o.append('<nav><h2>Contents</h2>')
        for kind, heading, anchor in (("class", "Classes", "classes"),
                                      ("object property", "Object properties", "object-properties"),
                                      ("datatype property", "Datatype properties",
                                       "datatype-properties")):
            cols = "" if kind == "class" else ' class="cols"'
            o.append(f'<h3><a href="#{anchor}">{heading}</a></h3><ul{cols}>')
            for t in self.terms:
                if t.kind != kind:
                    continue
                sub = ' class="sub"' if any(p in self.by_iri for p in t.parents) else ""
                o.append(f'<li{sub}><a href="#{t.name}">{_e(t.name)}</a> '
                         f'<span lang="zh">{_e(t.zh)}</span></li>')
            o.append("</ul>")
        more = '<a href="#alignments">Alignments</a>'
        if self.shapes is not None:
            more += ' · <a href="#shapes">Validation rules (SHACL)</a>'
        o.append(f'<p>{more} · <a href="#namespaces">Namespaces</a></p></nav>')

    def term(self, t: Term) -> None:
        o = self.out
        o.append(f'<article id="{_e(t.name)}"><h3>{_e(t.name)} '
                 f'<span class="zh" lang="zh">{_e(t.zh)}</span></h3>')
        o.append('<table class="term">')
        self.row("IRI", f"<code>{_e(str(t.iri))}</code>")
        kind = t.kind + (f" ({', '.join(t.characteristics)})" if t.characteristics else "")
        self.row("Kind", _e(kind))
        self.row("Labels", f'<span lang="zh">{_e(t.zh)}</span> (zh) · {_e(t.en)} (en)')
        self.row("Definition", _e(t.comment))
        if t.kind == "class":
            self.row("Subclass of", ", ".join(self.link(p) for p in t.parents))
            subs = [s.iri for s in self.terms if t.iri in s.parents]
            self.row("Subclasses", ", ".join(self.link(s) for s in subs))
            self.row("Domain of", ", ".join(self.link(p.iri) for p in self.terms
                                            if self._mentions(p.domain, t.iri)))
            self.row("Range of", ", ".join(self.link(p.iri) for p in self.terms
                                           if self._mentions(p.range, t.iri)))
            if self.shapes is not None:
                self.row("Checked by", ", ".join(
                    f'<a href="#{_e(_local(s))}"><code>{_e(_compact(s))}</code></a>'
                    for s in sorted(self.shapes.subjects(SH.targetClass, t.iri), key=str)))
        else:
            self.row("Domain", self.link(t.domain) if t.domain is not None else "")
            self.row("Range", self.link(t.range) if t.range is not None else "")
            self.row("Subproperty of", ", ".join(self.link(p) for p in t.parents))
        self.row("See also", ", ".join(self.link(s) for s in t.see_also))
        o.append("</table></article>")

    def _mentions(self, expr: Node | None, cls: URIRef) -> bool:
        if expr is None:
            return False
        members = _members(self.g, expr)
        return cls in members if members is not None else expr == cls

    def alignments(self) -> None:
        o = self.out
        o.append('<section id="alignments"><h2>Alignments</h2>')
        o.append("<p>How the terms relate to standard vocabularies (schema.org, W3C ORG, "
                 "PROV-O, SKOS).</p>")
        o.append("<table><tr><th>term</th><th>relation</th><th>standard term</th></tr>")
        for t in self.terms:
            rel = "rdfs:subClassOf" if t.kind == "class" else "rdfs:subPropertyOf"
            pairs = [(rel, p) for p in t.parents if p not in self.by_iri]
            pairs += [("rdfs:seeAlso", s) for s in t.see_also if s not in self.by_iri]
            for rel_name, target in pairs:
                o.append(f"<tr><td>{self.link(t.iri)}</td><td><code>{rel_name}</code></td>"
                         f"<td>{self.link(target)}</td></tr>")
        o.append("</table></section>")

    def shape_section(self) -> None:
        assert self.shapes is not None
        sh_g, o = self.shapes, self.out
        o.append('<section id="shapes"><h2>Validation rules (SHACL)</h2>')
        o.append("<p>What <code>kg validate</code> checks, from <code>ontology/shapes.ttl"
                 "</code>: the union of all named graphs is validated with the ontology, so an "
                 "instance of a subclass (<code>pk:Laboratory</code>) is also checked as its "
                 "superclass (<code>pk:Platform</code>).</p>")
        shapes = sorted((s for s in sh_g.subjects(RDF.type, SH.NodeShape)
                         if isinstance(s, URIRef)), key=str)
        for shape in shapes:
            o.append(f'<article id="{_e(_local(shape))}"><h3>{_e(_compact(shape))}</h3>')
            comment = _text(sh_g, shape, RDFS.comment, "en")
            if comment:
                o.append(f"<p>{_e(comment)}</p>")
            targets = [f"instances of {self.link(c)}" for c in
                       sorted(sh_g.objects(shape, SH.targetClass), key=str)]
            targets += [f"subjects of {self.link(p)}" for p in
                        sorted(sh_g.objects(shape, SH.targetSubjectsOf), key=str)]
            o.append('<table class="term">')
            self.row("Applies to", "; ".join(targets))
            node_rule = self._constraint(shape)
            if node_rule:
                self.row("The node", node_rule)
            for ps in sorted(sh_g.objects(shape, SH.property), key=self._path_key):
                path = sh_g.value(ps, SH.path)
                self.row(_compact(path) if path is not None else "property",
                         self._constraint(ps))
            for sparql in sh_g.objects(shape, SH.sparql):
                msg = _text(sh_g, sparql, SH.message, None)
                self.row("SPARQL rule", _e(msg))
            o.append("</table></article>")
        o.append("</section>")

    def _path_key(self, ps: Node) -> str:
        assert self.shapes is not None
        return _compact(self.shapes.value(ps, SH.path) or ps)

    def _constraint(self, shape: Node) -> str:
        """A shape's own constraints in words, then its message."""
        sh_g = self.shapes
        assert sh_g is not None
        parts: list[str] = []
        lo, hi = sh_g.value(shape, SH.minCount), sh_g.value(shape, SH.maxCount)
        if lo is not None or hi is not None:
            lo_v = int(lo) if lo is not None else 0
            hi_s = str(int(hi)) if hi is not None else "many"
            parts.append(f"exactly {lo_v}" if hi is not None and lo_v == int(hi) else
                         f"{lo_v} to {hi_s}")
        for pred, word in ((SH.datatype, "datatype"), (SH["class"], "class"),
                           (SH.nodeKind, "node kind")):
            for v in sorted(sh_g.objects(shape, pred), key=str):
                parts.append(f"{word} {self.link(v)}")
        alternatives = sh_g.value(shape, SH["or"])
        if alternatives is not None:
            classes = [sh_g.value(m, SH["class"]) for m in Collection(sh_g, alternatives)]
            parts.append("class " + " or ".join(self.link(c) for c in classes if c is not None))
        values = sh_g.value(shape, SH["in"])
        if values is not None:
            parts.append("one of " + ", ".join(f"<code>{_e(str(v))}</code>"
                                               for v in Collection(sh_g, values)))
        for pred, word in ((SH.minInclusive, "≥"), (SH.minLength, "length ≥"),
                           (SH.pattern, "matches"), (SH.lessThan, "less than")):
            v = sh_g.value(shape, pred)
            if v is not None:
                shown = self.link(v) if isinstance(v, URIRef) else f"<code>{_e(str(v))}</code>"
                parts.append(f"{word} {shown}")
        if not parts:
            return ""
        text = ", ".join(parts)
        message = _text(sh_g, shape, SH.message, None)
        return text + (f" — <em>{_e(message)}</em>" if message else "")

    def namespaces(self) -> None:
        o = self.out
        o.append('<section id="namespaces"><h2>Namespaces</h2><table>')
        for prefix, ns in [*sorted(PREFIXES.items()), SHAPES_PREFIX]:
            o.append(f"<tr><td><code>{_e(prefix)}:</code></td><td><code>{_e(str(ns))}</code>"
                     "</td></tr>")
        o.append("</table></section>")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def to_html(graph: Graph | None = None, shapes: Graph | None = None) -> str:
    """The documentation page of the ontology (default: the shipped parks.ttl and shapes.ttl)."""
    graph = graph if graph is not None else read_ontology()
    shapes = shapes if shapes is not None else read_ontology("shapes.ttl")
    return _Page(graph, shapes).render()


def write_html(path: Path, graph: Graph | None = None, shapes: Graph | None = None) -> None:
    """Write `to_html()` to `path` through a temporary file and a rename."""

    atomic_write(Path(path), to_html(graph, shapes).encode("utf-8"))
    os.chmod(path, 0o644)  # a page to publish, not the private mode of a temporary file

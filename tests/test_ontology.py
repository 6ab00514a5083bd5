"""kg ontology: every term of parks.ttl documented: labels, comment, domain, range, alignments."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, Graph

from kg.cli import cli
from kg.rdf.ontology import ontology_file, read_ontology, term_rows, terms, to_html
from kg.vocab import PK

VOID = {"meta", "br", "link", "img", "hr", "input"}


class _Tags(HTMLParser):
    """Collects ids, internal links and the stack of open elements (to check nesting)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.anchors: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        href = found.get("href") or ""
        if href.startswith("#"):
            self.anchors.append(href[1:])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def page() -> str:
    return to_html()


@pytest.fixture(scope="module")
def parsed(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    return tags


def test_ontology_terms_are_every_declared_class_and_property() -> None:
    g = read_ontology()
    declared = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                for s in g.subjects(RDF.type, t) if str(s).startswith(str(PK._NS))}
    listed = terms(g)
    assert {t.iri for t in listed} == declared
    assert len(listed) == len(declared)
    names = [t.name for t in listed]
    # extracted things first, each class followed by its subclasses, provenance last
    assert names.index("Park") < names.index("Document")
    assert names.index("Platform") < names.index("Laboratory") < names.index("Project")
    assert all(t.zh and t.en and t.comment for t in listed)


def test_ontology_page_is_well_formed_and_links_resolve(parsed: _Tags) -> None:
    assert parsed.errors == []
    assert parsed.stack == []
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    assert sorted(set(parsed.anchors) - set(parsed.ids)) == []


def test_ontology_page_documents_each_term(page: str, parsed: _Tags) -> None:
    g = read_ontology()
    for t in terms(g):
        assert t.name in parsed.ids
        article = page.split(f'<article id="{t.name}">', 1)[1].split("</article>", 1)[0]
        assert f'<span class="zh" lang="zh">{t.zh}</span>' in article
        assert f"{t.en} (en)" in article
        assert f"<code>{t.iri}</code>" in article
        if t.kind != "class":
            assert "<th>Domain</th>" in article and "<th>Range</th>" in article
    hosts = page.split('<article id="hosts">', 1)[1].split("</article>", 1)[0]
    # a union range is spelled out and links to both classes
    assert ('<a href="#Enterprise"><code>pk:Enterprise</code></a> or '
            '<a href="#Project"><code>pk:Project</code></a>') in hosts
    assert '<a href="http://www.w3.org/ns/org#siteOf"><code>org:siteOf</code></a>' in hosts
    park = page.split('<article id="Park">', 1)[1].split("</article>", 1)[0]
    assert '<a href="https://schema.org/Place"><code>schema:Place</code></a>' in park
    assert '<a href="#hosts">' in park  # domain of
    assert "pksh:ParkShape" in park  # checked by
    part_of = page.split('<article id="partOf">', 1)[1].split("</article>", 1)[0]
    assert "object property (transitive)" in part_of


def test_ontology_page_lists_alignments_and_shapes(page: str) -> None:
    alignments = page.split('<section id="alignments">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td><code>(.*?)</code></td><td>(.*?)</td></tr>",
                      alignments)
    pairs = {(re.sub(r"<.*?>", "", a), rel, re.sub(r"<.*?>", "", b)) for a, rel, b in rows}
    assert ("pk:Park", "rdfs:subClassOf", "schema:Place") in pairs
    assert ("pk:Enterprise", "rdfs:subClassOf", "org:FormalOrganization") in pairs
    assert ("pk:partOf", "rdfs:subPropertyOf", "schema:containedInPlace") in pairs
    assert ("pk:investor", "rdfs:seeAlso", "schema:funder") in pairs
    shapes = page.split('<section id="shapes">', 1)[1].split("</section>", 1)[0]
    assert "non-negative xsd:decimal number of yuan" in shapes
    assert "fact without evidence" in shapes
    assert "exactly 1, datatype" in shapes


def test_ontology_page_escapes_text_from_the_turtle() -> None:
    g = Graph().parse(ontology_file("parks.ttl"), format="turtle")
    g.parse(data='@prefix pk: <https://w3id.org/parks-kg/ontology#> .\n'
                 '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                 '@prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
                 'pk:Evil a owl:Class ; rdfs:label "<script>alert(1)</script>"@zh , "E&E"@en ;'
                 ' rdfs:comment "a < b"@en .', format="turtle")
    text = to_html(g)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "E&amp;E (en)" in text and "a &lt; b" in text


def test_ontology_cli_html_writes_the_page(tmp_path: Path, page: str) -> None:
    out = tmp_path / "sub" / "ontology.html"
    result = CliRunner().invoke(cli, ["ontology", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8") == page
    assert out.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in out.parent.iterdir()] == ["ontology.html"]  # no temporary left


def test_ontology_cli_lists_terms() -> None:
    result = CliRunner().invoke(cli, ["ontology"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["term", "kind", "zh", "en", "domain", "range"]
    names, rows = term_rows()
    assert lines[-1] == f"({len(rows)} rows)"
    hosts = next(ln for ln in lines if ln.startswith("pk:hosts "))
    assert re.split(r"\s{2,}", hosts) == ["pk:hosts", "object property", "入驻", "hosts",
                                          "pk:Park", "pk:Enterprise or pk:Project"]


def test_ontology_cli_unwritable_path_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ontology", "--html", str(tmp_path)])  # a directory
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: is a directory; give the HTML file's name\n"
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ontology", "--html", str(blocked / "page.html")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {blocked / 'page.html'}: cannot write (")
    assert len(result.stderr.splitlines()) == 1

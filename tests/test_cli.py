"""The `kg` command through click's CliRunner: build, extract, queries, query and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, Graph, Namespace

from kg.cli import cli
from kg.corpus import read_document
from kg.formats import plain
from kg.queries import load_query, run_query
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_PATHS = sorted(SEEDS.glob("*.txt"))
SEED_004 = SEEDS / "004_50c721a1e63a8171.txt"
STEMS = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
PK = Namespace("https://w3id.org/parks-kg/ontology#")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8


def invoke(*args: object) -> Result:
    """Run `kg ARGS`; whatever happens, no traceback and no uncaught exception."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


def _lines_naming(stderr: str, name: str, problem: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if name in ln and problem in ln.lower()]


def _copy(src: Path, dest_dir: Path, name: str | None = None) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / (name or src.name)
    shutil.copyfile(src, dest)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """`kg build seeds_copy -o out` run once in a fresh working directory."""
    work = tmp_path_factory.mktemp("cli_build")
    for p in SEED_PATHS:
        _copy(p, work / "seeds_copy")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        result = invoke("build", "seeds_copy", "-o", "out")
    return types.SimpleNamespace(work=work, out=work / "out", result=result)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """`kg extract` over copies of every seed file."""
    work = tmp_path_factory.mktemp("cli_extract")
    paths = [_copy(p, work) for p in SEED_PATHS]
    result = invoke("extract", *paths)
    return types.SimpleNamespace(paths=paths, result=result)


# --- build ------------------------------------------------------------------------------------


def test_cli_build_writes_ttl_html_and_store(built):
    assert built.result.exit_code == 0, built.result.stderr
    ttl, html, store = built.out / "kg.ttl", built.out / "graph.html", built.out / "store"
    assert ttl.is_file() and html.is_file() and store.is_dir()
    g = Graph().parse(ttl, format="turtle")
    docs = set(g.subjects(RDF.type, PK.Document))
    assert len(docs) == len(SEED_PATHS)  # one pk:Document per input file
    assert "<html" in html.read_text(encoding="utf-8").lower()
    quads = open_store(store)
    assert len(quads) >= len(g)  # the store holds every triple of kg.ttl (plus graph names)


def test_cli_build_missing_path_fails_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "no_such_dir", "-o", "out")
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, "no_such_dir", "no such")
    assert not (tmp_path / "out").exists()


def test_cli_build_dir_with_only_an_empty_file_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "empty_dir" / "empty.txt").write_bytes(b"")
    result = invoke("build", "empty_dir", "-o", "out2")
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, "empty.txt", "empty")
    assert not (tmp_path / "out2" / "kg.ttl").exists()
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").iterdir())


def test_cli_build_binary_among_good_files_builds_the_good_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _copy(SEED_004, tmp_path / "mixed")
    (tmp_path / "mixed" / "scan.txt").write_bytes(PNG)
    result = invoke("build", "mixed", "-o", "out", "--no-html")
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, "scan.txt", "binary")
    g = Graph().parse(tmp_path / "out" / "kg.ttl", format="turtle")
    ids = {str(o) for d in g.subjects(RDF.type, PK.Document)
           for o in g.objects(d, Namespace("http://purl.org/dc/terms/").identifier)}
    assert ids == {SEED_004.stem}


def test_cli_failed_build_keeps_previous_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _copy(SEED_004, tmp_path / "good")
    first = invoke("build", "good", "-o", "out")
    assert first.exit_code == 0, first.stderr
    out = tmp_path / "out"
    ttl, html = (out / "kg.ttl").read_bytes(), (out / "graph.html").read_bytes()
    listing = sorted(p.name for p in out.iterdir())
    quads = len(open_store(out / "store"))

    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.txt").write_bytes(b"")
    (tmp_path / "bad" / "image.txt").write_bytes(PNG)
    second = invoke("build", "bad", "-o", "out")
    assert second.exit_code != 0
    assert _lines_naming(second.stderr, "empty.txt", "empty")
    assert _lines_naming(second.stderr, "image.txt", "binary")
    assert (out / "kg.ttl").read_bytes() == ttl
    assert (out / "graph.html").read_bytes() == html
    assert sorted(p.name for p in out.iterdir()) == listing  # no temporary leftovers
    assert len(open_store(out / "store")) == quads


# --- queries / query --------------------------------------------------------------------------


def test_cli_queries_lists_every_stored_query():
    result = invoke("queries")
    assert result.exit_code == 0
    names = [ln.strip() for ln in result.stdout.splitlines() if ln and not ln[0].isspace()]
    assert sorted(names) == STEMS


def test_cli_queries_json_is_valid():
    result = invoke("queries", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert sorted(q["name"] for q in data) == STEMS
    assert all(q["summary"] for q in data)
    by_name = {q["name"]: q for q in data}
    for stem in STEMS:
        text = (ROOT / "queries" / f"{stem}.rq").read_text(encoding="utf-8")
        for p in by_name[stem]["params"]:
            marker = ("?_" if p["required"] else "?__") + p["name"]
            assert marker in text


def test_cli_query_csv_first_line_is_header(built, monkeypatch):
    monkeypatch.chdir(built.work)
    result = invoke("query", "parks-ranked", "--store", "out/store", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    names, rows = run_query(open_store(built.out / "store"), load_query("parks-ranked"))
    assert result.stdout.split("\n", 1)[0] == ",".join(names)
    parsed = list(csv.reader(io.StringIO(result.stdout)))
    assert parsed == [names] + [[plain(t) for t in r] for r in rows]


def test_cli_query_json_is_sparql_results(built):
    result = invoke("query", "park-platforms", "--store", built.out / "store",
                    "--format", "json")
    assert result.exit_code == 0, result.stderr
    names, rows = run_query(open_store(built.out / "store"), load_query("park-platforms"))
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == names
    assert len(data["results"]["bindings"]) == len(rows)


def test_cli_query_injection_value_returns_no_rows(built):
    result = invoke("query", "park-enterprises", "--store", built.out / "store",
                    "--param", 'park=x" } } INSERT DATA { <a> <b> <c> } #', "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"] == []


def test_cli_query_missing_param_is_one_line_naming_it(built):
    result = invoke("query", "park-enterprises", "--store", built.out / "store")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "park" in lines[0].replace("park-enterprises", "")
    assert result.stdout == ""


def test_cli_query_unknown_name_lists_stored_queries(built):
    result = invoke("query", "nope", "--store", built.out / "store")
    assert result.exit_code != 0
    assert "nope" in result.stderr
    for stem in STEMS:
        assert stem in result.stderr


def test_cli_query_pages_with_a_note_for_the_next_page(built):
    store = built.out / "store"
    everything = run_query(open_store(store), load_query("entities-by-type"))[1]
    assert len(everything) > 5
    first = invoke("query", "entities-by-type", "--store", store, "--format", "csv",
                   "--limit", "3")
    assert first.exit_code == 0, first.stderr
    assert len(first.stdout.splitlines()) == 1 + 3
    assert first.stderr.strip() == ("kg: more rows follow; next page: --offset 3 "
                                    "(--limit 0 for all rows)")
    second = invoke("query", "entities-by-type", "--store", store, "--format", "csv",
                    "--limit", "3", "--offset", "3")
    assert second.stdout.splitlines()[1:] == [",".join(plain(t) for t in r)
                                               for r in everything[3:6]]
    whole = invoke("query", "entities-by-type", "--store", store, "--format", "csv",
                   "--limit", "0")
    assert len(whole.stdout.splitlines()) == 1 + len(everything) and whole.stderr == ""
    last = invoke("query", "entities-by-type", "--store", store, "--format", "csv",
                  "--offset", str(len(everything) - 1))
    assert len(last.stdout.splitlines()) == 2 and last.stderr == ""


def test_cli_query_default_page_is_the_declared_one(built):
    store = built.out / "store"
    q = load_query("entities-by-type")
    assert q.page_size == 100
    text = q.text.replace("#+ pagination: 100", "#+ pagination: 2")
    path = built.out / "two.rq"
    path.write_text(text, encoding="utf-8")
    result = invoke("query", path, "--store", store, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 2
    assert "--offset 2" in result.stderr


def test_cli_query_bad_page_is_one_line(built):
    result = invoke("query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "--store",
                    built.out / "store", "--limit", "5")
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "LIMIT or OFFSET of its own" in result.stderr
    result = invoke("query", "parks-ranked", "--store", built.out / "store", "--limit", "-1")
    assert result.exit_code != 0 and "--limit" in result.stderr


def test_cli_query_missing_store_names_it(tmp_path):
    store = tmp_path / "nowhere" / "store"
    result = invoke("query", "parks-ranked", "--store", store)
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(store) in result.stderr


# --- extract ----------------------------------------------------------------------------------


def test_cli_extract_prints_one_json_line_per_file(extracted):
    result = extracted.result
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("\n")
    lines = result.stdout.splitlines()
    assert len(lines) == len(extracted.paths)
    records = [json.loads(ln) for ln in lines]
    assert [r["doc_id"] for r in records] == [p.stem for p in extracted.paths]
    for r in records:
        assert isinstance(r["entities"], list) and isinstance(r["relations"], list)


def test_cli_extract_evidence_offsets_slice_to_sentence(extracted):
    checked = 0
    for path, line in zip(extracted.paths, extracted.result.stdout.splitlines(), strict=True):
        text = read_document(path).text
        for rel in json.loads(line)["relations"]:
            assert isinstance(rel.get("evidence"), dict), rel
            for ev in [rel["evidence"], *rel.get("more_evidence", [])]:
                assert text[ev["start"] : ev["end"]] == ev["sentence"]
                checked += 1
    assert checked, "no relation at all in the seeds: nothing was checked"


def test_cli_extract_mentions_slice_to_name_or_alias(extracted):
    for path, line in zip(extracted.paths, extracted.result.stdout.splitlines(), strict=True):
        text = read_document(path).text
        for ent in json.loads(line)["entities"]:
            forms = {ent["name"], *ent["aliases"]}
            for start, end in ent.get("mentions", []):
                assert text[start:end] in forms, (ent["name"], text[start:end])


def test_cli_extract_relation_ends_are_entities(extracted):
    for line in extracted.result.stdout.splitlines():
        rec = json.loads(line)
        names = {e["name"] for e in rec["entities"]}
        for rel in rec["relations"]:
            assert rel["head"] in names
            if rel["relation"] == "invests":
                assert "amount_cny" in rel and "amount_text" in rel
            else:
                assert rel["tail"] in names


def test_cli_extract_gb18030_copy_gives_same_record(extracted, tmp_path):
    gb = tmp_path / SEED_004.name
    gb.write_bytes(SEED_004.read_bytes().decode("utf-8").encode("gb18030"))
    result = invoke("extract", gb)
    assert result.exit_code == 0, result.stderr
    utf8_line = next(ln for ln in extracted.result.stdout.splitlines()
                     if json.loads(ln)["doc_id"] == SEED_004.stem)
    assert json.loads(result.stdout) == json.loads(utf8_line)


def test_cli_extract_missing_path_fails_naming_it(tmp_path):
    missing = tmp_path / "missing_article.txt"
    result = invoke("extract", missing)
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, str(missing), "no such")
    assert result.stdout == ""


def test_cli_extract_empty_file_fails_naming_it(tmp_path):
    empty = tmp_path / "empty_article.txt"
    empty.write_bytes(b"")
    result = invoke("extract", empty)
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, "empty_article.txt", "empty")
    assert result.stdout == ""


def test_cli_extract_binary_among_good_files(tmp_path):
    good1 = _copy(SEED_004, tmp_path)
    bad = tmp_path / "photo.png"
    bad.write_bytes(PNG)
    good2 = tmp_path / "short_note.txt"
    good2.write_text(read_document(SEED_004).text.split("\n\n")[2], encoding="utf-8")
    result = invoke("extract", good1, bad, good2)
    assert result.exit_code != 0
    ids = [json.loads(ln)["doc_id"] for ln in result.stdout.splitlines()]
    assert ids == [good1.stem, good2.stem]
    warnings = _lines_naming(result.stderr, "photo.png", "binary")
    assert len(warnings) == 1 and "warning" in warnings[0].lower()


def test_cli_extract_bom_only_file_fails_naming_it(tmp_path):
    bom = tmp_path / "bom_only.txt"
    bom.write_bytes(b"\xef\xbb\xbf")
    result = invoke("extract", bom)
    assert result.exit_code != 0
    assert _lines_naming(result.stderr, "bom_only.txt", "empty")
    assert result.stdout == ""


# --- output errors ----------------------------------------------------------------------------


def _paragraphs() -> list[str]:
    text = read_document(SEED_004).text
    return [p for p in text.split("\n") if len(p) > 80]


def test_cli_build_out_path_is_a_file_fails_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text(_paragraphs()[0], encoding="utf-8")
    (tmp_path / "taken").write_text("not a directory\n", encoding="utf-8")
    result = invoke("build", "in", "-o", "taken", "--no-html")
    assert result.exit_code != 0
    assert "taken" in result.stderr
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "not a directory\n"


def test_cli_build_failing_late_keeps_previous_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first_par, second_par = _paragraphs()[:2]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first.txt").write_text(first_par, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "second.txt").write_text(second_par, encoding="utf-8")
    assert invoke("build", "a", "-o", "out", "--no-html").exit_code == 0
    ttl = (tmp_path / "out" / "kg.ttl").read_bytes()
    (tmp_path / "out" / "graph.html").mkdir()  # the HTML page cannot be written now
    result = invoke("build", "b", "-o", "out")
    assert result.exit_code != 0
    assert "graph.html" in result.stderr
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == ttl


# --- query output and errors (issue 4) ---------------------------------------------------------


def test_cli_query_table_aligns_cjk_columns(built):
    from kg.formats import width

    result = invoke("query", "parks-ranked", "--store", built.out / "store")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:-1]
    assert any(width(r) != len(r) for r in rows)  # Chinese names are there
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    for row in [header, *rows]:
        # each column starts at the same display column as its dashes
        cells = row.split()
        cols, pos = [], 0
        for cell in cells:
            idx = row.index(cell, pos)
            cols.append(width(row[:idx]))
            pos = idx + len(cell)
        assert cols == starts[: len(cols)], row
    assert lines[-1] == f"({len(rows)} rows)"


def test_cli_query_json_terms_keep_language_and_datatype(built):
    result = invoke("query", "parks-ranked", "--store", built.out / "store", "--format", "json")
    first = json.loads(result.stdout)["results"]["bindings"][0]
    assert first["park_name"]["xml:lang"] == "zh"
    assert first["enterprises"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_cli_query_malformed_sparql_is_one_line_with_position(built):
    result = invoke("query", "-e", "SELECT ?x WHERE { ?x ?y }", "--store", built.out / "store")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "1:" in lines[0], lines
    assert result.stdout == ""


def test_cli_query_unknown_param_is_one_line_listing_known(built):
    result = invoke("query", "park-enterprises", "--store", built.out / "store",
                    "--param", "parc=新余高新区")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "parc" in lines[0] and "parameters: park" in lines[0]


def test_cli_query_param_typed_by_header(built, tmp_path):
    rq = tmp_path / "double.rq"
    rq.write_text("#+ summary: twice n\n#+ param n (integer): a number\n"
                  "SELECT ?x WHERE { BIND (?_n * 2 AS ?x) }\n", encoding="utf-8")
    ok = invoke("query", rq, "--store", built.out / "store", "--param", "n=21",
                "--format", "csv")
    assert ok.stdout == "x\n42\n"
    bad = invoke("query", rq, "--store", built.out / "store", "--param", "n=twenty")
    assert bad.exit_code != 0 and "is not a valid integer" in bad.stderr


def test_cli_query_label_param_finds_alias(built):
    store = open_store(built.out / "store")
    names, rows = run_query(store, load_query("park-enterprises"), {"park": "新余高新区"})
    result = invoke("query", "park-enterprises", "--store", built.out / "store",
                    "--param", "park=新余高新区", "--format", "tsv")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(rows) + 1


def test_cli_build_again_says_nothing_changed(built, monkeypatch):
    monkeypatch.chdir(built.work)
    before = (built.out / "kg.ttl").stat().st_mtime_ns
    result = invoke("build", "seeds_copy", "-o", "out")
    assert result.exit_code == 0, result.stderr
    assert "nothing changed" in result.stderr
    assert (built.out / "kg.ttl").stat().st_mtime_ns == before
    # the total a no-op prints (counted by the store) is the one the writing build printed
    assert _quad_total(result.stderr) == _quad_total(built.result.stderr) > 0


def _quad_total(stderr: str) -> int:
    match = re.search(r"; (\d+) quads in ", stderr)
    assert match, stderr
    return int(match.group(1))


# spaCy and jieba take about a second to import: what needs no extraction must not load them
_NO_NLP = """
import sys
from kg.cli import cli
cli.main(sys.argv[1:], prog_name="kg", standalone_mode=False)
print("LOADED=" + ",".join(m for m in ("spacy", "jieba") if m in sys.modules))
"""


@pytest.mark.parametrize("args", [
    ["query", "parks-ranked", "--store", "out/store"],
    ["queries"],
    ["export", "--format", "nq", "--store", "out/store", "-o", "out/export.nq"],
    ["build", "seeds_copy", "-o", "out"],  # nothing changed since `built`
], ids=lambda a: a[0])
def test_cli_fast_commands_never_import_spacy_or_jieba(built, args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's kg, whatever is installed
    done = subprocess.run([sys.executable, "-c", _NO_NLP, *args], cwd=built.work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    if args[0] == "build":
        assert "nothing changed" in done.stderr
    assert done.stdout.splitlines()[-1] == "LOADED="

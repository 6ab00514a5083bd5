"""The parks-kg vocabulary: `PK`, a closed namespace mirroring ontology/parks.ttl, and the
namespaces and prefixes the pipeline writes with."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace


class PK(DefinedNamespace):
    """Terms of ontology/parks.ttl; a term not declared there raises AttributeError."""

    _NS = Namespace("https://w3id.org/parks-kg/ontology#")
    _fail = True

    # Classes: entities
    Park: URIRef  # a high-tech zone, development zone, science city, industrial park or sub-park
    Enterprise: URIRef  # a company
    Platform: URIRef  # an innovation or service platform
    Project: URIRef  # a named investment or construction project
    Region: URIRef  # a province, city or district

    # Classes: kinds of Platform
    Laboratory: URIRef
    InnovationCenter: URIRef
    Incubator: URIRef
    ResearchInstitute: URIRef
    Workstation: URIRef
    PilotBase: URIRef
    ResearchFacility: URIRef

    # Classes: sources and provenance
    Document: URIRef  # one source article
    Evidence: URIRef  # document, sentence, offsets and rule behind one fact
    Mention: URIRef  # one occurrence of an entity's name in a document
    Article: URIRef  # one article of a document, with its title and publication date

    # Object properties
    hosts: URIRef  # Park -> Enterprise or Project
    built: URIRef  # Park -> Platform
    investor: URIRef  # Project -> Enterprise
    partOf: URIRef  # Park -> Park (transitive)
    locatedIn: URIRef  # Park -> Region
    mentionOf: URIRef  # Mention -> entity
    inDocument: URIRef  # Evidence or Mention -> Document
    inArticle: URIRef  # Evidence -> the Article its sentence lies in
    indicator: URIRef  # qb:Observation -> indicator concept (a Data Cube dimension)

    # Datatype properties
    investmentAmount: URIRef  # Project -> xsd:decimal, yuan
    amountText: URIRef  # the amount as written
    amountQualifier: URIRef  # "approx", "more-than" or "nearly"
    sentence: URIRef  # the supporting sentence, @zh
    startOffset: URIRef  # character offset, from 0
    endOffset: URIRef  # character offset, exclusive
    rule: URIRef  # id of the rule that fired, e.g. "hosts.settle_in"
    confidence: URIRef  # Evidence -> xsd:decimal in [0, 1]: its rule's precision on real news
    surfaceForm: URIRef  # a mention's text
    fileName: URIRef  # a document's file name
    sha256: URIRef  # a document's SHA-256, 64 lower-case hex digits
    wikidata: URIRef  # a Wikidata Q-identifier
    divisionCode: URIRef  # a Region's six-digit administrative division code, e.g. "610100"
    regionLevel: URIRef  # a Region's level: "province", "prefecture" or "county"

    # Datatype properties: times and observations (issue 16)
    precision: URIRef  # "day", "month", "quarter", "half", "year" or "range"
    timeValue: URIRef  # a time as the records write it: 2024-06, 2024-Q1, 2021/2025
    timeText: URIRef  # the words a time or date was read from, as written
    startDate: URIRef  # the first day a time covers, xsd:date
    endDate: URIRef  # the last day a time covers, xsd:date
    growthPercent: URIRef  # an observation's relative change, in percent (negative: a fall)
    valueText: URIRef  # an observation's figure as written
    clause: URIRef  # the words of the clause that states an observation, @zh
    # The register of development zones (kg/data/zones.csv)
    Zone: URIRef  # a development zone of the register, one IRI per zone
    registerZone: URIRef  # Park -> Zone: the park is this zone
    partOfZone: URIRef  # Park -> Zone: the park is a sub-park inside this zone
    zoneProvince: URIRef  # Zone -> the province's region IRI (id:region/330000)
    provinceName: URIRef  # Zone -> the province's name, @zh
    zoneLevel: URIRef  # "national" or "provincial"
    zoneType: URIRef  # the catalogue's class, e.g. "高新技术产业开发区"
    customsKind: URIRef  # a customs zone's kind, e.g. "综合保税区"
    approvalDate: URIRef  # xsd:gYearMonth
    approvedArea: URIRef  # xsd:decimal, hectares
    leadingIndustry: URIRef  # @zh, one value per industry


# The classes extraction finds and the relations it states, by their local names in PK: the
# same strings in patterns, records, JSONL, RDF and evaluation.
ENTITY_TYPES = ("Park", "Enterprise", "Platform", "Project")
RELATIONS = ("hosts", "built", "invests", "investor", "partOf")

ID = Namespace("https://w3id.org/parks-kg/id/")
# Code lists of the park indicators (docs/rdf-model.md): SKOS concepts declared in parks.ttl
CODE = Namespace("https://w3id.org/parks-kg/code/")
INDICATOR = Namespace("https://w3id.org/parks-kg/code/indicator/")
UNIT = Namespace("https://w3id.org/parks-kg/code/unit/")
# W3C Data Cube with the SDMX-RDF components, and OWL-Time
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, Namespace] = {
    "pk": Namespace(str(PK)),
    "id": ID,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)),
    "schema": SCHEMA,
    "org": Namespace(str(ORG)),
}

"""A small client for Wikidata's action API: wbsearchentities and wbgetentities.

Standard library only (urllib). Every request carries a descriptive User-Agent, waits its turn
(at most one request per `min_interval` seconds), is retried with exponential backoff on a
timeout, a connection error, HTTP 429 or 5xx and the API's `maxlag` error (honouring
Retry-After), and its answer is cached on disk, so that running the same lookups again sends
no request at all. Nothing here runs unless asked: parks-kg is offline by default.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from importlib import metadata
from pathlib import Path
from typing import Any

from kg.errors import LinkError

DEFAULT_API = "https://www.wikidata.org/w/api.php"
def _version() -> str:
    try:
        return metadata.version("parks-kg")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


USER_AGENT = (f"parks-kg/{_version()} (https://w3id.org/parks-kg; entity linking of Chinese "
              f"high-tech zone news; one request per second) Python-urllib")
LANGUAGES = ("zh", "zh-hans", "zh-cn", "en")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_RETRY_CODES = frozenset({"maxlag", "ratelimited", "internal_api_error_DBQueryError"})
BATCH = 50  # wbgetentities takes at most 50 ids per request


@dataclass(frozen=True)
class SearchHit:
    """One result of wbsearchentities: the item, its label and description, how it matched."""

    id: str
    label: str = ""
    description: str = ""
    match_type: str = ""
    match_text: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """The parts of a wbgetentities entity the linker reads.

    `claims` maps a property to its values in statement order, skipping deprecated statements
    and snaks without a value: item ids for item properties, strings for string and
    external-id properties (P442 "61 01").
    """

    id: str
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    claims: dict[str, list[str]] = field(default_factory=dict)

    def label(self, *langs: str) -> str:
        """The first label found among `langs` (default: Chinese forms, then English)."""
        for lang in langs or LANGUAGES:
            if lang in self.labels:
                return self.labels[lang]
        return ""

    def names(self, langs: Iterable[str] = LANGUAGES) -> list[str]:
        """Labels and aliases in `langs`, labels first, without repeats."""
        out: list[str] = []
        for lang in langs:
            for n in [self.labels.get(lang, ""), *self.aliases.get(lang, [])]:
                if n and n not in out:
                    out.append(n)
        return out


def parse_search(data: dict[str, Any]) -> list[SearchHit]:
    """The hits of a wbsearchentities response."""
    hits = []
    for h in data.get("search", []):
        display = h.get("display", {})
        label = h.get("label") or display.get("label", {}).get("value", "")
        desc = h.get("description") or display.get("description", {}).get("value", "")
        match = h.get("match", {})
        hits.append(SearchHit(id=h["id"], label=label, description=desc,
                              match_type=match.get("type", ""),
                              match_text=match.get("text", ""),
                              aliases=tuple(h.get("aliases", []))))
    return hits


def parse_entity(ent: dict[str, Any]) -> Item | None:
    """An Item from one entity of a wbgetentities response; None when it is missing."""
    if "missing" in ent or "id" not in ent:
        return None
    claims: dict[str, list[str]] = {}
    for prop, statements in ent.get("claims", {}).items():
        for st in statements:
            snak = st.get("mainsnak", {})
            if st.get("rank") == "deprecated" or snak.get("snaktype") != "value":
                continue
            dv = snak.get("datavalue", {})
            value = dv.get("value")
            if dv.get("type") == "wikibase-entityid" and isinstance(value, dict):
                qid = value.get("id") or f"Q{value.get('numeric-id')}"
                claims.setdefault(prop, []).append(qid)
            elif dv.get("type") == "string" and isinstance(value, str):
                claims.setdefault(prop, []).append(value)
    return Item(
        id=ent["id"],
        labels={k: v["value"] for k, v in ent.get("labels", {}).items()},
        descriptions={k: v["value"] for k, v in ent.get("descriptions", {}).items()},
        aliases={k: [a["value"] for a in v] for k, v in ent.get("aliases", {}).items()},
        claims=claims,
    )


class WikidataClient:
    """wbsearchentities and wbgetentities over HTTP, rate limited, retried and cached.

    `requests` counts what went over the network and `cache_hits` what the cache answered.
    """

    def __init__(self, api_url: str = DEFAULT_API, *, cache_dir: Path | str | None = None,
                 user_agent: str = USER_AGENT, min_interval: float = 1.0,
                 timeout: float = 20.0, retries: int = 4, backoff: float = 2.0,
                 max_wait: float = 60.0, sleep: Callable[[float], None] = time.sleep) -> None:
        parsed = urllib.parse.urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise LinkError(f"{api_url!r}: the Wikidata API URL must start with http(s)://")
        self.api_url = api_url
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.user_agent = user_agent
        self.min_interval = min_interval
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self._last = float("-inf")
        self.requests = 0
        self.cache_hits = 0

    # --- the two API calls -------------------------------------------------------------------

    def search(self, text: str, *, language: str = "zh", limit: int = 7) -> list[SearchHit]:
        """Items whose label or alias matches `text` (wbsearchentities, best first)."""
        params = {"action": "wbsearchentities", "search": text, "language": language,
                  "uselang": language, "type": "item", "limit": str(limit), "format": "json"}
        return parse_search(self._call(params))

    def entities(self, ids: Iterable[str]) -> dict[str, Item]:
        """Labels, descriptions, aliases and claims of items (wbgetentities), by id.

        Each item is cached on its own, so a later call with other ids reuses it.
        """
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Item] = {}
        todo = []
        for qid in wanted:
            cached = self._read(self._entity_key(qid))
            if cached is None:
                todo.append(qid)
            else:
                self.cache_hits += 1
                item = parse_entity(cached)
                if item is not None:
                    out[qid] = item
        for i in range(0, len(todo), BATCH):
            batch = todo[i : i + BATCH]
            params = {"action": "wbgetentities", "ids": "|".join(batch),
                      "props": "labels|descriptions|aliases|claims",
                      "languages": "|".join(LANGUAGES), "format": "json"}
            data = self._fetch(params)
            ents = data.get("entities", {})
            for qid in batch:
                ent = ents.get(qid, {"id": qid, "missing": ""})
                self._write(self._entity_key(qid), ent)
                item = parse_entity(ent)
                if item is not None:
                    out[qid] = item
        return out

    # --- transport ------------------------------------------------------------------------------

    def _call(self, params: dict[str, str]) -> dict[str, Any]:
        key = self._key(params)
        cached = self._read(key)
        if cached is not None:
            self.cache_hits += 1
            return cached  # type: ignore[no-any-return]
        data = self._fetch(params)
        self._write(key, data)
        return data

    def _fetch(self, params: dict[str, str]) -> dict[str, Any]:
        url = self.api_url + "?" + urllib.parse.urlencode(sorted(params.items()))
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                   "Accept": "application/json"})
        problem = ""
        for attempt in range(self.retries):
            wait = min(self.backoff * 2**attempt, self.max_wait)
            self._throttle()
            self.requests += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    body, headers = resp.read(), resp.headers
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRY_STATUS:
                    raise LinkError(f"Wikidata API: HTTP {exc.code} {exc.reason} "
                                    f"for {params['action']}") from None
                problem = f"HTTP {exc.code}"
                wait = _retry_after(exc.headers, wait, self.max_wait)
            except TimeoutError as exc:
                problem = f"timed out ({exc})"
            except urllib.error.URLError as exc:
                problem = f"cannot connect ({exc.reason})"
            except ConnectionError as exc:
                problem = f"connection failed ({exc})"
            else:
                try:
                    data = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise LinkError(f"Wikidata API: the answer to {params['action']} "
                                    "is not JSON; check --api-url") from None
                err = data.get("error") if isinstance(data, dict) else None
                if err is None and isinstance(data, dict):
                    return data
                if not isinstance(err, dict) or err.get("code") not in _RETRY_CODES:
                    info = err.get("info", "") if isinstance(err, dict) else str(data)[:80]
                    raise LinkError(f"Wikidata API error for {params['action']}: {info}")
                problem = f"API error {err.get('code')}"
                wait = _retry_after(headers, wait, self.max_wait)
            if attempt + 1 < self.retries:
                self._sleep(wait)
        raise LinkError(f"Wikidata API: {problem} after {self.retries} attempts "
                        f"({params['action']}); try again later")

    def _throttle(self) -> None:
        gap = self._last + self.min_interval - time.monotonic()
        if gap > 0:
            self._sleep(gap)
        self._last = time.monotonic()

    # --- cache ------------------------------------------------------------------------------------

    def _key(self, params: dict[str, str]) -> str:
        return hashlib.sha256(json.dumps([self.api_url, sorted(params.items())],
                                         ensure_ascii=False).encode("utf-8")).hexdigest()

    def _entity_key(self, qid: str) -> str:
        return self._key({"entity": qid, "languages": "|".join(LANGUAGES)})

    def _read(self, key: str) -> Any:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / key[:2] / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, key: str, data: Any) -> None:
        if self.cache_dir is None:
            return
        folder = self.cache_dir / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False)
                os.replace(tmp, folder / f"{key}.json")
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:
            raise LinkError(f"{folder}: cannot write the Wikidata cache "
                            f"({exc.strerror or exc}); pass another --cache-dir") from None


def _retry_after(headers: Message | None, default: float, cap: float) -> float:
    """The wait a Retry-After header asks for (seconds), capped; else `default`."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return min(max(float(value), 0.0), cap) if value is not None else default
    except ValueError:
        return default  # an HTTP date: fall back to the backoff


def default_cache_dir() -> Path:
    """$KG_CACHE_DIR, else $XDG_CACHE_HOME/parks-kg/wikidata, else ~/.cache/parks-kg/wikidata."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "parks-kg" / "wikidata"

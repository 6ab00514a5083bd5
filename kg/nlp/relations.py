"""pk_relations: the engine that applies kg/patterns/relations/*.toml rules sentence by sentence.

A rule names the entity types at each end, a word order (head-trigger-tail, trigger-head-tail,
head-tail for adjacent names, head-list for "X高新区4家企业上榜：A、B…"), trigger words and a
gap limit in characters. A hit on one member of a list (A、B和C等企业) applies to all members.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.corpus import Sentence
from kg.lang.canon import park_canon
from kg.lang.places import Division, gazetteer
from kg.lang.rules import RelationRule, RuleSet, load_rules
from kg.lang.words import segment
from kg.nlp.spans import (
    Amount,
    Mention,
    RelationHit,
    alternation,
    clause_end,
    clause_start,
    doc_text,
)

# Punctuation classes (the script's, not linguistic data); the words are in words.toml.
_HARD = re.compile(r"[。；;！？!?]")  # (a line break inside a sentence joins a broken page)
_CLAUSE = re.compile(r"[，,：:]")
_NOT_ADJACENT = re.compile(r"[^\u3400-\u9fff“”「」]")  # between two names side by side
_OPENING = re.compile(r"[^，,。；;：:]{1,8}[，,]")  # a short opening phrase (今年，同时，)


_CLAUSE_END = re.compile("[，,。；;！？!?]")


class RelationFinder:
    """Runs every relation rule over each sentence's mentions and amounts."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or load_rules()
        self.strong_parks = frozenset(self.rules.suffixes["Park"].strong)
        # name-prefix rules are applied to the whole document (_name_prefix_hits); without
        # triggers they find nothing in a sentence
        self._sentence_rules = tuple(r for r in self.rules.relations
                                     if r.order != "name-prefix" or r.trigger_re is not None)
        self._plans: dict[tuple[frozenset[str], frozenset[str]], list[RelationRule]] = {}
        self._typed: dict[frozenset[str], tuple[tuple[RelationRule, ...], tuple[str, ...]]] = {}
        amounts = self.rules.amounts
        self.not_investment = amounts.not_investment_words
        self.not_investment_re = re.compile(
            "|".join(p.pattern for p in amounts.not_investment_patterns))
        self.not_investment_after = tuple(amounts.not_investment_after)
        words = self.rules.words
        self._alias_note = re.compile(  # (以下简称“X”) between two names side by side
            rf"^[(（](?:{alternation(words.alias_leads)})?(?:{alternation(words.alias_words)})"
            r"[^()（）]{0,20}[)）]")
        # discourse openers before a sentence's subject: "其中，沙文生态科技产业园重点发展…"
        self._connective = re.compile(rf"^(?:{alternation(words.connectives)})[，,]?")
        self._connective_len = max(map(len, words.connectives)) + 1  # (with its comma)
        self._sited = re.compile(
            rf"(?:{alternation(words.sited)})[^，,。；;]{{1,20}}?{re.escape(words.sited_end)}")
        self._build_on = re.compile(
            rf"[，,](?:{alternation(words.build_leads)})?(?:{alternation(words.build_verbs)})")
        self._locatives = words.locatives  # 走进烟台高新区…，X的车间里: X is there
        self._list_openers = words.list_follow
        self._not_subject_lead = re.compile(
            f"[{re.escape(words.lead_blockers + words.single_conjunctions)}、]")
        self._park_places: dict[str, Division | bool] = {}  # park key → its division (False: none)
        self._roles = {r.id: re.compile(alternation(r.firm_role_after))
                       for r in self.rules.relations if r.firm_role_after}

    def _other_role(self, rule: RelationRule, text: str, firm: Mention) -> bool:
        """Whether the words right after a firm make it a parent group (X旗下, X的全资子公司)
        rather than a firm the text places."""
        pattern = self._roles.get(rule.id)
        return firm.type == "Enterprise" and pattern is not None and \
            pattern.match(text, firm.end) is not None

    @staticmethod
    def _gap_ok(text: str, a: int, b: int, max_gap: int, blockers: tuple[str, ...],
                allow_clause: bool = True) -> bool:
        if b < a or b - a > max_gap:
            return False
        gap = text[a:b]
        if _HARD.search(gap) or (not allow_clause and _CLAUSE.search(gap)):
            return False
        return not any(w in gap for w in blockers)

    def _plan(self, present: frozenset[str], sent: Sentence) -> list[RelationRule]:
        """The rules that could fire in a sentence: a head and a tail of their types are
        there, and a trigger where the rule's word order needs one (cached by what is there)."""
        typed = self._typed.get(present)
        if typed is None:  # the rules whose types are there, and the triggers they need
            rules = tuple(r for r in self._sentence_rules
                          if not present.isdisjoint(r.head) and not present.isdisjoint(r.tail))
            words = tuple(sorted({w for r in rules if "trigger" in r.order for w in r.triggers}))
            typed = self._typed[present] = (rules, words)
        rules, words = typed
        found = frozenset(w for w in words if w in sent.text)
        key = (present, found)
        plan = self._plans.get(key)
        if plan is None:
            plan = [r for r in rules
                    if "trigger" not in r.order or not found.isdisjoint(r.triggers)]
            if len(self._plans) < 4096:
                self._plans[key] = plan
        return plan

    def _triggers(self, rule: RelationRule, text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
        if rule.trigger_re is None:
            return iter(())
        return rule.trigger_re.finditer(text, lo, hi)

    def apply(self, rule: RelationRule, text: str, sent: Sentence, ms: list[Mention],
              amounts: list[Amount]) -> Iterator[tuple[Mention, Mention | Amount]]:
        heads = [m for m in ms if m.type in rule.head]
        if rule.relation == "partOf":
            # "建成…两个园区": 园区 is no sub-park (the section's topic stays)
            heads = [m for m in heads if not m.anaphor or m.rule == "topic"]
        if rule.relation == "invests":
            tails: list[Mention | Amount] = list(amounts)  # (in any currency)
        else:
            tails = [m for m in ms if m.type in rule.tail]
        if rule.not_followed_by:
            tails = [t for t in tails if not text.startswith(rule.not_followed_by, t.end)]
        if not heads or not tails:
            return
        order, gap = rule.order, rule.max_gap
        if order in ("head-tail", "tail-head"):
            for h in heads:
                for t in tails:
                    a, b = (h, t) if order == "head-tail" else (t, h)
                    if a is b or b.start < a.end:
                        continue
                    between = text[a.end : b.start]
                    if len(between) > gap + 2 and between[:1] not in ("(", "（"):
                        continue  # (too far apart, and no alias note to take out)
                    between = self._alias_note.sub("", between)
                    if len(between) <= gap + 2 and len(between.strip("“”「」")) <= gap and \
                            not _NOT_ADJACENT.search(between):
                        yield h, t
            return
        if order == "head-list":
            yield from self._head_list(rule, text, sent, heads, tails)
            return
        if order == "section-topic":
            # (a project opening the sentence builds the platforms it names: X项目将建设A研究院)
            builders = [m for m in ms if m.type == "Project"] if rule.relation == "built" else []
            yield from self._section_topic(rule, text, sent, heads, tails, builders)
            return
        for trig in self._triggers(rule, text, sent.start, sent.end):
            ts, te = trig.start(), trig.end()
            if order == "trigger-head-tail":
                for h in heads:
                    if not 0 <= h.start - te <= 1:
                        continue
                    cands = [t for t in tails if self._gap_ok(text, h.end, t.start, gap,
                                                              rule.blockers, False)]
                    if cands:
                        yield h, cands[0]
            elif order == "trigger-tail-head":
                for t in tails:
                    if not 0 <= t.start - te <= 1:
                        continue
                    # "投资超20亿元，建设X项目": a clause that goes on to build what is invested in
                    on = self._build_on.match(text, t.end) is not None
                    cands = [h for h in heads if self._gap_ok(text, t.end, h.start, gap,
                                                              rule.blockers, on)]
                    if cands:
                        yield cands[0], t
            else:
                first, second = (heads, tails) if order == "head-trigger-tail" else (tails, heads)
                left = [x for x in first if self._gap_ok(text, x.end, ts, gap, rule.blockers)]
                right = [x for x in second if self._gap_ok(text, te, x.start, gap, rule.blockers)]
                if not left or not right:
                    continue
                near_left = left[-1]
                near_right = right[0]
                if order == "head-trigger-tail":
                    yield near_left, near_right
                else:
                    yield near_right, near_left

    def _section_topic(self, rule: RelationRule, text: str, sent: Sentence,
                       heads: list[Mention], tails: list[Mention | Amount],
                       builders: list[Mention] | None = None
                       ) -> Iterator[tuple[Mention, Mention | Amount]]:
        """The article's topic park hosts what the sentence names, unless it names another park."""
        topic = heads[0] if heads and heads[0].rule == "topic" else None
        if topic is None:
            return
        named = [t for t in tails if isinstance(t, Mention) and not t.anaphor]
        if rule.relation == "partOf":
            if not any(t.list_id >= 0 for t in named):
                return  # (only listed parks are sub-parks)
        elif not named or rule.trigger_re is not None and \
                not text.startswith(self._locatives, sent.start) and \
                rule.trigger_re.search(text, sent.start, sent.end) is None:
            return  # (a named thing's clause, in the sentence, must say it is there)
        others = [h for h in heads if h.rule != "topic" and h.key != topic.key]
        if any(b in sent.text for b in rule.sentence_blockers):
            return  # an event's organisers and speakers, a firm's customers: not the park's
        if rule.place_subjects and self._place_subject(rule, text, sent, heads, tails):
            return  # "今年，该县将推进A、B": what a county or city does is not the park's
        subject = self._subject_park(text, sent, heads)
        # a firm or platform opening the sentence builds what follows it (built only)
        builder = self._subject_other(text, sent, heads, [*tails, *(builders or [])]) \
            if rule.relation == "built" else None
        if subject is not None and subject.key != topic.key:
            topic = subject  # "江南园以…为主导，集聚了A、B…": the sentence is about a sub-park
            others = [h for h in others if h.key != subject.key]
        for t in named:
            if rule.relation == "partOf":
                # parks listed as parks (A、B等园区) in a park's article are its sub-parks
                peers = any(h.list_id == t.list_id and h.key == topic.key for h in heads)
                if t.list_id >= 0 and t.key != topic.key and not peers and \
                        t.suffix not in self.strong_parks and not any(
                            clause_start(text, t.start) <= h.start < clause_end(text, t.end)
                            for h in others if h.list_id != t.list_id):
                    yield t, topic  # (高新区s listed with the topic park are its peers)
                continue
            before = text[max(0, t.start - 4) : t.start]
            if any(b in before for b in rule.blockers):
                continue
            if self._other_role(rule, text, t):
                continue  # X旗下的Y: the parent group is named, Y is placed
            if rule.placing_words and t.type == "Enterprise" and \
                    not t.rule.endswith(".gazetteer") and self._elsewhere(topic.key, t.text) and \
                    not any(w in text[clause_start(text, t.start) : clause_end(text, t.end)]
                            for w in rule.placing_words):
                continue  # 深圳X科技有限公司 in a Tianjin park's article: named after elsewhere
            if text.rfind("《", sent.start, t.start) > text.rfind("》", sent.start, t.start):
                continue  # 《共建X实验室协议》: a name in a document's title is only cited
            # another park in the same clause takes precedence (explicit rules handle it)
            lo, hi = clause_start(text, t.start), clause_end(text, t.end)
            if builder is not None and builder.end <= t.start \
                    and rule.trigger_re is not None \
                    and rule.trigger_re.search(text, max(lo, builder.end), t.start):
                continue  # "X研究院获批建设Y中心": Y is X's, not the park's
            if any(lo <= h.start and h.end <= hi for h in others):
                continue
            if rule.trigger_re is not None and not rule.trigger_re.search(
                    text, max(sent.start, lo), min(sent.end, hi)) and \
                    not text.startswith(self._locatives, sent.start):
                continue  # its clause must say the thing is there (建成, 落户, 揭牌…)
            yield topic, t

    def _elsewhere(self, park: str, name: str) -> bool:
        """Whether `name` begins with a division that neither holds nor lies in the one the
        park's name gives (仙游县…项目 for a park of 宁德): the thing is named after elsewhere."""
        places = gazetteer()
        where = self._park_places.get(park)
        if where is None:
            where = places.locate(park) or False
            if where and where.level == "county" and not any(
                    d.short and d.short in park for d in places.chain(where.code)[:-1]):
                where = False  # (a county's name alone may be a river's or a town's: 南川)
            self._park_places[park] = where
        if not where:
            return False
        for size in range(min(6, len(name) - 1), 1, -1):
            form = name[:size]
            cands = [d for d in places.named(form) if d.level != "county" or form == d.name]
            if cands:
                return not any(places.within(d, where) or places.within(where, d)
                               for d in cands)
        return False

    def _place_subject(self, rule: RelationRule, text: str, sent: Sentence,
                       heads: list[Mention], tails: list[Mention | Amount]) -> bool:
        """Whether the sentence's subject (after an opener such as 今年，) is a city or county
        (衡东县, 烟台) or a word for one (该县): the sentence is about that place, not a park."""
        starts = {m.start for m in (*heads, *tails) if isinstance(m, Mention)}
        pos = sent.start
        conn = self._connective.match(text, pos)
        if conn:
            pos = conn.end()
        opening = _OPENING.match(text, pos, sent.end)
        if opening and not any(pos <= s < opening.end() for s in starts):
            pos = opening.end()
        if pos in starts:
            return False  # a park or firm opens it
        if text.startswith(rule.place_subjects, pos):
            return True
        words = segment(text[pos : min(sent.end, pos + 12)])
        if len(words) < 2:
            return False
        (first, tag), (_, nxt_tag) = words[0], words[1]
        if tag != "ns" or not any(d.level != "province" for d in gazetteer().named(first)):
            return False  # (a province mostly qualifies what follows: 广东省超高清…企业)
        return nxt_tag[:1] in ("v", "d", "p")

    def _subject_other(self, text: str, sent: Sentence, heads: list[Mention],
                       tails: list[Mention | Amount]) -> Mention | None:
        """A firm, platform or project opening the sentence (after 据了解，at most): its subject."""
        first = min((t for t in tails if isinstance(t, Mention) and not t.anaphor
                     and t.type in ("Enterprise", "Platform", "Project")),
                    key=lambda t: t.start, default=None)
        if first is None:
            return None
        sited = self._sited.match(text, sent.start, first.start)  # 位于新余高新区的赣锋…实验室
        begin = sited.end() if sited else sent.start
        if any(begin <= h.start < first.start for h in heads):
            return None
        lead = text[begin : first.start]
        return first if len(lead) <= 5 and not self._not_subject_lead.search(lead) else None

    def _subject_park(self, text: str, sent: Sentence, heads: list[Mention]) -> Mention | None:
        """A park opening the sentence (first clause, after 在/位于 at most) is its subject."""
        parks = [h for h in heads if h.rule != "topic" and sent.start <= h.start < sent.end]
        if not parks:
            return None
        first = min(parks, key=lambda h: h.start)
        if first.start - sent.start > 4 + self._connective_len:
            return None  # (a lead of more than 4 characters, whatever opener it has)
        lead = self._connective.sub("", text[sent.start : first.start])
        if len(lead) <= 4 and not _CLAUSE.search(lead) and \
                first.end <= clause_end(text, first.start):
            # 在兰州高新区雁滩园区，…: of a chain of parks the last, innermost one leads
            for nxt in sorted(parks, key=lambda h: h.start):
                if nxt.start == first.end:
                    first = nxt
            return first
        return None

    def _head_list(self, rule: RelationRule, text: str, sent: Sentence, heads: list[Mention],
                   tails: list[Mention | Amount]) -> Iterator[tuple[Mention, Mention | Amount]]:
        for trig in self._triggers(rule, text, sent.start, sent.end):
            before = [h for h in heads if 0 <= trig.start() - h.end <= rule.max_gap]
            if not before:
                continue
            head = before[-1]
            for t in tails:
                if t.start >= trig.end():
                    yield head, t

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        mentions: list[Mention] = doc._.pk_mentions or []
        amounts: list[Amount] = doc._.pk_amounts or []
        sents: list[Sentence] = doc._.pk_sentences or []
        hits: list[RelationHit] = []
        seen: set[tuple[str, str, str]] = set()
        mi = ai = 0
        para_park: Mention | None = None  # a sub-park that leads the current paragraph
        topics = doc._.pk_topics or []
        named: dict[str, list[Mention]] = {}  # park key → its named mentions, in text order
        for m in mentions:
            if m.type == "Park" and not m.anaphor:
                named.setdefault(m.key, []).append(m)
        named_starts = {key: [m.start for m in ms] for key, ms in named.items()}
        sent_starts = [s.start for s in sents]
        made: dict[tuple[str, int], Mention] = {}  # topic mentions (never changed once made)
        lists: dict[int, list[Mention]] = {}  # list id → its members, in text order
        for m in mentions:
            if m.list_id >= 0:
                lists.setdefault(m.list_id, []).append(m)
        for idx, sent in enumerate(sents):
            while mi < len(mentions) and mentions[mi].start < sent.start:
                mi += 1
            ms = []
            j = mi
            while j < len(mentions) and mentions[j].start < sent.end:
                ms.append(mentions[j])
                j += 1
            while ai < len(amounts) and amounts[ai].start < sent.start:
                ai += 1
            amts = []
            k = ai
            while k < len(amounts) and amounts[k].start < sent.end:
                a = amounts[k]
                if a.end <= sent.end and self._is_investment(text, sent, a):
                    amts.append(a)
                k += 1
            if idx == 0 or "\n" in text[sents[idx - 1].end : sent.start]:
                para_park = None  # a new paragraph
            follow = self._list_follow(sents, idx, mentions)
            if not ms and not amts and not follow:
                continue  # nothing a rule could relate
            topic = self._topic(sent, topics, named, named_starts, made)
            subject = self._subject_park(text, sent, [m for m in ms if m.type == "Park"])
            if topic is not None and subject is not None and not subject.anaphor and \
                    subject.key != topic.key and subject.suffix not in self.strong_parks:
                para_park = subject  # "华苑科技园以…为主。园内集聚了A…": A is the sub-park's
            elif topic is not None and subject is None and para_park is not None:
                topic = Mention(para_park.start, para_park.end, "Park", para_park.key, "topic",
                                key=para_park.key)
            for m in ms:
                if "inner_park" in m.extra:
                    park = self._park_named(mentions, str(m.extra["inner_park"]))
                    if park is not None and (park.key, "built", m.key) not in seen:
                        seen.add((park.key, "built", m.key))
                        hits.append(RelationHit(park, "built", m, "built.park_in_name",
                                                sent.start, sent.end))
            in_sentence = {m.type for m in ms}
            followed = in_sentence | {m.type for m in follow}
            present = set(followed)
            if topic is not None:
                present.add("Park")
            if amts:
                present.add("Amount")
            for rule in self._plan(frozenset(present), sent):
                if rule.order == "head-list":
                    pool, types = ms + follow, followed
                elif rule.order == "section-topic":
                    if topic is None:
                        continue
                    pool, types = [topic] + ms, in_sentence | {"Park"}
                else:
                    pool, types = ms, in_sentence
                if types.isdisjoint(rule.head) or (
                        rule.relation != "invests" and types.isdisjoint(rule.tail)):
                    continue  # (what the plan counted is not in this rule's pool)
                for head, tail in self.apply(rule, text, sent, pool, amts):
                    heads = [head]
                    if rule.relation in ("hosts", "built"):
                        heads += self._chained(head, ms)
                    for h, t in ((h, t) for hd in heads
                                 for h, t in self._expand_lists(hd, tail, lists)):
                        key = (h.key, rule.relation,
                               t.key if isinstance(t, Mention) else str(t.value))
                        if h.key == key[2] or key in seen:
                            continue
                        seen.add(key)
                        hits.append(RelationHit(h, rule.relation, t, rule.id,
                                                sent.start, sent.end,
                                                self._context(sents, sent_starts, h, sent)))
        hits += self._name_prefix_hits(mentions, sents, seen)
        doc._.pk_relations = hits
        return doc

    def _name_prefix_hits(self, mentions: list[Mention], sents: list[Sentence],
                          seen: set[tuple[str, str, str]]) -> list[RelationHit]:
        """法拉电子5G智慧工厂 → 法拉电子: a project named after a firm the document names."""
        out: list[RelationHit] = []
        for rule in self.rules.relations:
            if rule.order != "name-prefix":
                continue
            # the named side is the project whose name begins with the other's name: the firm
            # investing in it (investor) or the park holding it (hosts: 白马园区项目)
            named_types, naming_types = (rule.head, rule.tail) if "Project" in rule.head \
                else (rule.tail, rule.head)
            forms: dict[str, Mention] = {}
            for m in mentions:
                if m.type in naming_types and not m.anaphor and len(m.text) >= 2:
                    forms.setdefault(m.text, m)
                    core = m.extra.get("core")
                    if isinstance(core, str) and len(core) >= 3:
                        forms.setdefault(core, m)  # 法拉电子5G智慧工厂 → 法拉电子股份有限公司
            firsts: dict[str, Mention] = {}
            for m in mentions:
                if m.type in named_types and not m.anaphor:
                    firsts.setdefault(m.key, m)
            for key, named in firsts.items():
                for form, naming in forms.items():
                    if not (key.startswith(form) and len(key) > len(form)):
                        continue
                    head, tail = (named, naming) if named_types is rule.head else (naming, named)
                    if naming.type == "Park" and naming.suffix not in self.strong_parks and \
                            not any(k[0] == naming.key and k[1] == "partOf" for k in seen):
                        continue  # 先进算力产业园项目 builds that park; 白马园区 is a sub-park
                    triple = (head.key, rule.relation, tail.key)
                    if triple in seen:
                        continue
                    seen.add(triple)
                    sent = next((s for s in sents if s.start <= named.start < s.end), None)
                    if sent is not None:
                        out.append(RelationHit(head, rule.relation, tail, rule.id,
                                               sent.start, sent.end))
        return out

    @staticmethod
    def _context(sents: list[Sentence], starts: list[int], head: Mention, sent: Sentence
                 ) -> tuple[int, int] | None:
        """The sentence naming a head that lies outside the evidence sentence (a topic park);
        `starts` are the sentences' starts."""
        if head.start < 0 or sent.start <= head.start < sent.end:
            return None
        i = bisect_right(starts, head.start) - 1  # (sentences are in order, apart)
        if i >= 0 and head.start < sents[i].end:
            return (sents[i].start, sents[i].end)
        return None

    @staticmethod
    def _chained(park: Mention, ms: list[Mention]) -> list[Mention]:
        """Parks written side by side with `park` (四川内江高新区白马园区): they share its edges."""
        out = []
        for m in ms:
            if m.type == "Park" and not m.anaphor and m is not park and \
                    (m.end == park.start or park.end == m.start):
                out.append(m)
        return out

    @staticmethod
    def _park_named(mentions: list[Mention], name: str) -> Mention | None:
        """The park a name inside a platform's name refers to (兰州高新区创新创业孵化器)."""
        for m in mentions:
            if m.type == "Park" and (m.text == name or m.key == name) and not m.anaphor:
                return m
        return Mention(-1, -1, "Park", name, "inner", key=park_canon(name))

    @staticmethod
    def _topic(sent: Sentence, topics: list[str | None], named: dict[str, list[Mention]],
               named_starts: dict[str, list[int]], made: dict[tuple[str, int], Mention]
               ) -> Mention | None:
        """The section's topic park, placed at its last mention before the sentence (`made`:
        the topics placed so far in the document, which sentences share)."""
        if sent.section >= len(topics) or not topics[sent.section]:
            return None
        key = topics[sent.section]
        assert key is not None
        ms = named.get(key, [])
        i = bisect_left(named_starts.get(key, []), sent.start)
        where = ms[i - 1] if i > 0 else (ms[0] if ms else None)
        start, end = (where.start, where.end) if where else (-1, -1)
        topic = made.get((key, start))
        if topic is None:
            topic = made[(key, start)] = Mention(start, end, "Park", key, "topic", key=key)
        return topic

    def _is_investment(self, text: str, sent: Sentence, amt: Amount) -> bool:
        """Totals over several projects, output or revenue are not a project's investment."""
        window = text[max(sent.start, amt.start - 14) : amt.start]
        if self.not_investment_re.search(window):
            return False
        clause = _CLAUSE_END.search(text, amt.end, sent.end)
        rest = text[amt.end : clause.start() if clause else sent.end]
        if any(p.search(rest) for p in self.not_investment_after):
            return False  # 总投资近160亿元的A、B和C等8个产业园项目: the list's total
        return not any(w in window for w in self.not_investment)

    def _list_follow(self, sents: list[Sentence], idx: int, mentions: list[Mention]
                     ) -> list[Mention]:
        """Mentions of the next sentence when it continues a list (其中，A…；B…)."""
        if idx + 1 >= len(sents) or not sents[idx + 1].text.startswith(self._list_openers):
            return []
        nxt = sents[idx + 1]
        return [m for m in mentions if nxt.start <= m.start < nxt.end]

    @staticmethod
    def _expand_lists(head: Mention, tail: Mention | Amount, lists: dict[int, list[Mention]]
                      ) -> Iterator[tuple[Mention, Mention | Amount]]:
        """The pair, and the pairs of the other members of a list either end stands in
        (`lists`: the mentions of each list, in text order)."""
        yield head, tail
        if isinstance(tail, Mention) and tail.list_id >= 0:
            for m in lists.get(tail.list_id, ()):
                if m is not tail and m.type == tail.type:
                    yield head, m
        if head.list_id >= 0 and isinstance(tail, Mention) and head.type == tail.type:
            # "X下辖A、B、C等4个园区": every listed park is part of X, not only the first
            for m in lists.get(head.list_id, ()):
                if m is not head and m.type == head.type:
                    yield m, tail


@Language.factory("pk_relations", default_config={"patterns": None})
def make_relations(nlp: Language, name: str, patterns: str | None) -> RelationFinder:
    """Registered factory: relation rules come from kg/patterns/relations/*.toml.

    `patterns`: another folder shaped like kg/patterns to read instead (None: the shipped one).
    """
    return RelationFinder(load_rules(Path(patterns)) if patterns else None)

"""Deterministic extraction of mandates from operative paragraphs.

A paragraph such as

    "Requests the Secretary-General to ensure proper follow-up to the present resolution and
     to report thereon to the General Assembly through the Commission on Crime Prevention and
     Criminal Justice at its thirty-fourth session;"

becomes one ``Mandate``: verb "requests", actor "Secretary-General", the task, reporting,
recipient "General Assembly" via "CCPCJ", due session 34 of the CCPCJ = 2025. A paragraph with
several operative verbs ("Invites Member States ..., and requests the Secretary-General to ...")
gives one mandate per clause. Short references ("the Office", "the Commission", "the Institute")
are resolved against the names spelt out in the same resolution.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.glossary import Entry, Glossary, Mention, default_glossary, find_definitions, normalise
from bot.mandates import fields
from bot.mandates.budget import ExtractionBudget, MandateBudgetExceeded
from bot.mandates.reporting import deliverable, extra_positions, is_recipient
from bot.mandates.sessions import (
    ORDINAL,
    has_calendar,
    own_session,
    parse_session_number,
    session_year,
)
from ingest.model import Paragraph, Resolution

log = logging.getLogger(__name__)

OPERATIVE_LABEL = re.compile(r"^(?:(?:ANNEX|DRAFT)\d*-)?(?:(?:[IVXLC]{1,7}|[A-Z])-)?OP\d+$")

# canonical verb -> the forms it is written in (third person; "We request" in annexed declarations)
_VERBS: list[tuple[str, str]] = [
    ("calls upon", r"calls?\s+(?:up)?on"),
    ("appeals to", r"appeals?\s+to"),
    ("requests", r"requests?"),
    ("invites", r"invites?"),
    ("urges", r"urges?"),
    ("encourages", r"encourages?"),
    ("decides", r"decides?"),
    ("recommends", r"recommends?"),
    ("authorizes", r"authori[sz]es?"),
    ("directs", r"directs?"),
    ("instructs", r"instructs?"),
    ("entrusts", r"entrusts?"),
    ("exhorts", r"exhorts?"),
    ("demands", r"demands?"),
]
# "Reiterates its request to the Secretary-General to ..." restates a mandate.
_REITERATED = {
    "request": "requests", "requests": "requests", "invitation": "invites",
    "call": "calls upon", "calls": "calls upon", "appeal": "appeals to",
    "encouragement": "encourages",
}  # fmt: skip
_ADV = (
    r"(?:also|further|furthermore|again|once\s+again|strongly|urgently|respectfully|kindly|"
    r"earnestly|firmly|emphatically|likewise|equally|similarly|finally|therefore|accordingly|"
    r"moreover|in\s+this\s+regard|in\s+that\s+regard|to\s+this\s+end|to\s+that\s+end|"
    r"in\s+this\s+context|in\s+this\s+respect|in\s+that\s+context|and)"
)
_VERB_ALT = "|".join(f"(?P<v{i}>{rx})" for i, (_, rx) in enumerate(_VERBS))
_REIT = r"(?P<reit>(?:reiterates|renews|repeats|recalls)\s+its\s+(?P<noun>requests?|invitation|calls?|appeal|encouragement)(?:\s+(?:to|upon|on|for))?)"
_VERB_CORE = rf"(?:{_REIT}|{_VERB_ALT})"
# What may follow a verb that opens a clause: an addressee, "that", "to", or an adverbial.
_AFTER = (
    r"(?=[\s,]+(?:the\b|all\b|relevant\b|other\b|interested\b|those\b|that\b|to\b|in\s+th|"
    r"also\b|further\b|him\b|her\b|them\b|it\b|each\b|every\b|within\b|as\b|[A-Z]))"
)
_OPENING = re.compile(
    rf"^\s*(?:We\s+)?(?P<adv>(?:{_ADV}[\s,]+)*){_VERB_CORE}\b(?P<post>(?:,?\s+(?:also|further|again)\b)*)",
    re.I,
)
_MID = re.compile(
    rf"(?:;\s*|,\s*|\s)(?:and\s+)?(?P<adv>(?:{_ADV}[\s,]+)*)(?P<core>{_VERB_CORE})\b"
    rf"(?P<post>(?:,?\s+(?:also|further|again)\b)*){_AFTER}"
)

_HEADS = (
    "Office", "Commission", "Council", "Institute", "Assembly", "Conference", "Congress",
    "Centre", "Programme", "Fund", "Entity", "Network", "Committee", "Board", "Forum",
    "Executive Director", "Director-General", "High Commissioner", "Special Rapporteur",
    "Agency", "Organization", "Union", "Department", "Court", "Executive Directorate",
    "Coordination Group", "Task Force", "Unit", "Convention", "Protocol", "University",
    "Conference of the Parties", "Conference of the States Parties", "Joint Programme",
    "Permanent Forum", "Advisory Committee", "Special Committee",
)  # fmt: skip
_HEAD_ALT = "|".join(sorted((re.escape(h) for h in _HEADS), key=len, reverse=True))
# "the Council on mainstreaming" is a short reference; "the Council of Europe" is a name.
_SHORT_REF = re.compile(
    rf"\b(?:the|this|that|its)\s+(?P<head>{_HEAD_ALT})\b(?!\s+(?:on|of|for|against)\s+(?:the\s+)?[A-Z])"
)
_OFFICIALS = ("Executive Director", "Director-General", "High Commissioner", "Special Rapporteur")
_OFFICIAL_OF = re.compile(
    r"\b(?P<title>Executive Director|Director-General|High Commissioner|Special Rapporteur)s?\s+of\s+(?:the\s+)?$"
)

_LEAD_QUAL = re.compile(r"\s*,\s*([^,]{1,160}?),")
_TITLE_WINDOW = 60  # longest "Executive Director of the " and then some

_PRONOUNS = {"he", "she", "they", "him", "her", "it", "them", "the latter", "the former"}
_QUAL_START = re.compile(
    r"^(?:in|within|as|with|subject|through|where|when|whenever|upon|on|at|from|for|under|"
    r"including|particularly|especially|notably|inter\s+alia|bearing|taking|consistent|pursuant|"
    r"according|building|drawing|acting|while|if|based|via|by|without|using|together|jointly|"
    r"also|further|that|which|who|whose|so\s+as|to\s+the\s+extent|among|following|in\s+this|"
    r"in\s+that|once|after|before|during|mindful|recognizing|noting|considering|given|whenever|"
    r"entitled|dated|adopted|contained|annexed|of\s+\d)\b|^[\"“]",
    re.I,
)
_REL_CLAUSE = re.compile(
    r"\s+(?:that|which|who|whose|in\s+a\s+position|wishing|willing|able|referred\s+to|"
    r"mentioned|listed|identified|in\s+(?:his|her|its|their)\s+(?=[\w\-]+\s+report))\s*(?=\w)",
    re.I,
)
_MASKED_TO = re.compile(
    r"(?:in\s+a\s+position|able|wishing|willing|not\s+yet\s+done\s+so|yet)\s+to\s+do\s+so", re.I
)
_QUALIFIER_RX = [
    re.compile(p, re.I)
    for p in (
        r"\bin\s+(?:close\s+|full\s+|broad\s+)?(?:consultation|cooperation|collaboration|coordination|partnership)"
        r"(?:\s+and\s+(?:consultation|cooperation|collaboration|coordination))?\s+with\s+[^,;]+",
        r"\bwithin\s+(?:existing|available)\s+(?:resources|mandates?|reporting\s+obligations)(?:\s+and\s+mandates?)?",
        r"\bwithin\s+(?:its|their|his|her)\s+(?:existing\s+|respective\s+)?(?:mandates?|resources)(?:\s+and\s+(?:resources|mandates?))?",
        r"\bsubject\s+to\s+the\s+availability\s+of\s+(?:extrabudgetary\s+)?(?:resources|funds|funding)",
        r"\bfrom\s+(?:within\s+)?existing\s+resources",
        r"\bthrough\s+voluntary\s+contributions",
        r"\bwith\s+the\s+support\s+of\s+[^,;]+",
        r"\bupon\s+request\b|\bon\s+request\b|\bat\s+the\s+request\s+of\s+[^,;]+",
    )
]

# -- reporting ---------------------------------------------------------------
_REPORT_DIRECT = re.compile(
    r"\b(?:to|and|also|further|then|regularly|annually|biennially|periodically|duly|continue\s+to|"
    r"will|shall|should|would|must|may)\s+report\b(?P<next>\s+[\w\-]+)?"
    r"|\bwith\s+a\s+view\s+to\s+(?:\w+ing\s+and\s+)?reporting\b",
    re.I,
)
# "to report thereon", "to report to the Commission": a report to someone. "to report suspected
# cases" is a duty to alert national authorities, unless a recipient or report is named.
_REPORT_NEXT_OK = re.compile(
    r"^(?:thereon|on|to|back|annually|biennially|regularly|periodically|every|at|in|through|"
    r"accordingly|data|information|progress|further|also|as|no|by|within|before|,|;|\.)$",
    re.I,
)
_IN_REPORTS = re.compile(
    r"\bin\s+(?:the|their|his|her|its)\s+(?:[\w\-]+\s+){0,5}?reports?\b(?:\s+to\b)?", re.I
)
_REPORT_NOUN = re.compile(
    r"\b(?P<verb>submit|present|prepare|provide|transmit|issue|produce|deliver|circulate|"
    r"make\s+available|include)(?:s|ing|ting)?\b(?:(?!;)[^;]){0,350}?"
    r"(?:\b(?:a|an|the|his|her|its|their|such|annual|biennial|regular|periodic|national)\s+"
    r"(?:[\w\-]+\s+){0,3}?reports?|\b(?:[\w\-]+\s+){0,2}?reports)\b(?P<of>\s+of\b)?",
    re.I,
)
# "to transmit the study ... to the General Assembly"
_TRANSMIT = re.compile(
    r"\btransmit(?:s|ting)?\b(?:(?!;)[^;]){0,150}?\b(?:study|studies|findings|recommendations|"
    r"outcome|summary|information|views|compilation|analysis|conclusions)\b",
    re.I,
)
_INFORM = re.compile(
    r"\b(?:to|and)\s+(?:regularly\s+|periodically\s+|annually\s+|also\s+|further\s+|duly\s+)?"
    r"(?:inform|brief|update|apprise|notify)\s+(?:accordingly\s+|regularly\s+)?"
    r"(?=the\b|Member\b|States\b|all\b|relevant\b|[A-Z])",
)
_INFORM_ACCORDINGLY = re.compile(r"\b(?:to|and)\s+inform\s+accordingly\b", re.I)
_KEEP_INFORMED = re.compile(
    r"\bkeep\b(?:(?!;)[^;]){0,120}?\b(?:informed|updated|abreast|apprised)\b", re.I
)
_INFO_TO = re.compile(
    r"\b(?:submit|provide|transmit|present|communicate|forward|send|contribute|share)(?:s|ing)?\b"
    r"(?:(?!;)[^;]){0,120}?"
    r"\b(?:information|data|views|inputs?|comments|replies|updates?)\b",
    re.I,
)
# "... information for inclusion in the report of the Secretary-General", "... to that report"
_FOR_REPORT = re.compile(
    r"\b(?:for\s+(?:inclusion|use)\s+in|(?:as\s+a\s+)?contribution\s+to|to|for)\s+"
    r"(?P<det>[Tt]hat|[Tt]he|[Hh]is|[Hh]er|[Ii]ts|[Tt]his)\s+"
    # lower-case words only: "to the Assembly the report of ..." names a recipient, not a report
    r"(?:[a-z][\w\-]*\s+){0,3}?report\b(?:\s+of\s+(?:the\s+)?)?",
)
_DUE_YEAR = re.compile(r"^\s*,?\s*(?:during|in)\s+((?:19|20)\d\d)\b")
_RECIPIENT_BEFORE = re.compile(
    r"(?:\bto|\binform|\bbrief|\bupdate|\bapprise|\bnotify|\bbefore|consideration\s+by|"
    r"consideration\s+of|\bsubmit\s+to|\bprovide\s+to|\bkeep|\binform\s+accordingly)\s+(?:the\s+)?$",
    re.I,
)
_VIA_BEFORE = re.compile(r"\bthrough\s+(?:the\s+)?$", re.I)
_SESSION = re.compile(
    r"\b(?P<prep>(?:before|by|until|at|towards)\s+the\s+end\s+of|at|during|by|before|for|until|"
    r"no\s+later\s+than(?:\s+at)?|in\s+time\s+for|prior\s+to)"
    r"\s+(?P<det>its|the|their|his|her)\s+"
    r"(?:(?:resumed|regular|substantive|ordinary|annual)\s+)?"
    rf"(?:(?P<n1>{ORDINAL}|(?:19|20)\d\d)(?P<more>(?:\s*(?:,|and|or)\s*(?:{ORDINAL}|(?:19|20)\d\d))*)"
    r"\s+(?:regular\s+|substantive\s+|resumed\s+|special\s+|ordinary\s+)?sessions?"
    r"|(?P<next>next|upcoming|forthcoming|following)\s+(?:regular\s+)?session)",
    re.I,
)
_FREQUENCY = [
    ("biennial", r"\bbiennial(?:ly)?\b|\bevery\s+(?:two|2)\s+years\b|\bevery\s+second\s+year\b|\beach\s+biennium\b"),
    ("triennial", r"\btriennial(?:ly)?\b|\bevery\s+(?:three|3)\s+years\b"),
    ("quadrennial", r"\bquadrennial(?:ly)?\b|\bevery\s+(?:four|4)\s+years\b"),
    ("quinquennial", r"\bquinquennial(?:ly)?\b|\bevery\s+(?:five|5)\s+years\b"),
    ("annual", r"\bannual(?:ly)?\b(?!\s+(?:session|meeting|conference|segment|ministerial))|\bevery\s+year\b|\beach\s+year\b|\byearly\b"),
    ("periodic", r"\bperiodic(?:ally)?\b(?!\s+review)|\bon\s+a\s+regular\s+basis\b|\bregularly\b|\bat\s+regular\s+intervals\b"),
]  # fmt: skip
_FREQUENCY_RX = [(name, re.compile(rx, re.I)) for name, rx in _FREQUENCY]

_NON_VERBS = {
    "the", "a", "an", "all", "any", "each", "every", "its", "their", "his", "her", "our", "this",
    "that", "these", "those", "such", "other", "relevant", "national", "international",
    "regional", "local", "global", "member", "women", "children", "people", "men", "girls",
    "boys", "justice", "health", "education", "information", "development", "date", "what",
    "which", "whom", "whose", "and", "or", "some", "both", "either", "neither", "more", "less",
    "most", "least", "human", "public", "private", "civil", "criminal", "social", "economic",
    "legal", "financial", "technical", "political", "sustainable", "effective", "illicit",
    "organized", "transnational", "drug", "crime", "terrorism", "violence", "poverty", "food",
    "water", "climate", "disaster", "law", "peace", "security", "paragraph", "article",
    "chapter", "annex", "him", "them", "it", "one", "two", "three", "as", "in", "at", "on",
    "by", "for", "with", "from", "into", "within", "health-care", "wildlife", "organ",
    "self-determination", "gender", "child", "family", "persons", "victims", "corruption",
    "trade", "migration", "cooperation", "assets", "asset", "quality", "basic", "affordable",
    "adequate", "appropriate", "universal", "digital", "nuclear", "armed", "formal",
    "humanitarian", "agriculture", "fisheries", "species", "privacy", "freedom", "learning",
    "decent", "equal", "inclusive", "mutual", "civilian", "drug-related", "counter-terrorism",
    "money-laundering", "anti-corruption", "due", "up", "about", "only", "early",
}  # fmt: skip
_NOUN_SUFFIXES = (
    "tion", "tions", "sion", "sions", "ment", "ments", "ness", "ity", "ities", "ism", "isms",
    "ship", "ance", "ances", "ence", "ences", "ies", "ing", "ings", "ure", "ures",
)  # fmt: skip
_VERB_EXCEPTIONS = {"bring", "ensure", "measure", "secure", "procure", "capture", "structure",
                    "feature", "nurture", "sing", "cure", "endure", "assure", "reassure",
                    "lure", "censure", "disclose", "cease", "increase", "release",
                    "commence", "evidence", "balance", "enhance", "advance", "influence",
                    "finance", "reinforce", "enforce", "announce", "experience", "reference",
                    "convince", "produce", "reduce", "introduce", "induce", "deduce",
                    "outpace", "place", "replace", "embrace", "trace", "face", "sentence",
                    "silence", "license", "practise", "practice", "dance", "glance",
                    "distance", "mention", "function", "question", "position", "condition",
                    "sanction", "partition", "petition", "envision", "provision", "vision",
                    "fashion", "comment", "implement", "complement", "supplement",
                    "document", "augment", "experiment", "cement", "torment", "lament",
                    "segment", "ferment", "fragment", "compliment", "apportion",
                    "champion", "cushion", "caution", "audition", "transition",
                    "identify", "qualify", "justify", "ratify", "accompany", "simplify",
                    "amplify", "diversify", "intensify", "classify", "verify", "modify",
                    "certify", "clarify", "specify", "notify", "rectify", "unify", "rely",
                    "apply", "comply", "supply", "reply", "multiply", "fully"}  # fmt: skip


def _looks_like_verb(word: str) -> bool:
    w = word.lower()
    if not word[:1].islower() or w in _NON_VERBS:
        return False
    if w in _VERB_EXCEPTIONS:
        return True
    if w.endswith("ly"):
        return True  # a split infinitive: "to effectively implement"
    if w.endswith(_NOUN_SUFFIXES):
        return False
    return not (w.endswith("s") and not w.endswith(("ss", "us", "is")))


@dataclass
class Mandate:
    """One operative clause: who (actors) is asked (verb) to do what (task), and reporting details."""

    doc_id: str
    symbol: str | None
    label: str
    clause: int
    verb: str
    verb_phrase: str
    actors: list[str] = field(default_factory=list)
    actors_text: list[str] = field(default_factory=list)
    task: str = ""
    reporting: bool = False
    recipient: str | None = None
    recipients: list[str] = field(default_factory=list)
    via: str | None = None
    due_session: int | None = None
    due_body: str | None = None
    due_text: str | None = None
    due_year: int | None = None
    frequency: str | None = None
    # Beyond the registry's schema: who is asked (per actor), what is to be delivered, how
    # often when only the due session says so, on what resources, and until when.
    assignee_types: list[str] = field(default_factory=list)
    deliverable: str | None = None
    deliverable_type: str | None = None
    frequency_implied: str | None = None
    within_existing_resources: bool = False
    review_or_end: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    subparagraphs: list[str] = field(default_factory=list)
    body: str | None = None  # the adopting body
    date: str | None = None
    year: int | None = None
    title: str | None = None
    agenda_item: str | None = None
    source: str = ""
    paragraph_text: str = ""

    @property
    def anchor(self) -> str:
        """The paragraph's citation anchor: ``<doc_id>#<label>``."""
        return f"{self.doc_id}#{self.label}"

    @property
    def key(self) -> str:
        return f"{self.anchor}/{self.clause}"

    @property
    def citation(self) -> str:
        """As cited in answers: ``A/RES/79/154, OP52``."""
        return f"{self.symbol or self.doc_id.removeprefix('file:')}, {self.label}"

    def sort_key(self) -> tuple[Any, ...]:
        num = re.search(r"(\d+)$", self.label)
        return (
            self.due_year is None,
            self.due_year or 0,
            self.due_session or 0,
            self.date or str(self.year or ""),
            self.doc_id,
            self.label.rsplit("OP", 1)[0],
            int(num.group(1)) if num else 0,
            self.clause,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["anchor"] = self.anchor
        data["citation"] = self.citation
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mandate:
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in names})


# -- document context ----------------------------------------------------------
@dataclass
class _Ref:
    start: int
    end: int
    text: str
    canonical: str
    kind: str  # glossary kind, or "short" for a resolved "the Office"


class _DocContext:
    """What a resolution names, so "the Office" or "the Commission" can be resolved."""

    def __init__(
        self, res: Resolution, glossary: Glossary, budget: ExtractionBudget | None = None
    ) -> None:
        clip = (budget or ExtractionBudget()).clip
        texts = [clip(normalise(p.text)) for p in res.paragraphs]
        learned: dict[str, str] = {}
        for t in texts:
            for acr, long in find_definitions(t):
                learned.setdefault(acr, long)
        self.glossary = glossary.extended(learned, _doc_names(texts, glossary))
        self.res = res
        self.body = self.glossary.canonical_actor(res.body) if res.body else None
        self.recommended = _recommending_body(res, self.glossary)
        self.draft_body = _draft_body(res, self.glossary)
        self.own_session = own_session(res.session)
        # head word -> counts of the entities it can stand for, over the whole resolution
        self.head_counts: dict[str, Counter[str]] = {}
        self.kinds: dict[str, str] = {}
        self.officials: dict[str, Counter[str]] = {}
        for t in texts:
            for m in self.glossary.mentions(t):
                self.kinds[m.entry.canonical] = m.entry.kind
                for head in self._heads_of(m):
                    self.head_counts.setdefault(head, Counter())[m.entry.canonical] += 1
                # The title sits right before the name; a bounded look-back keeps this linear.
                title = _OFFICIAL_OF.search(t[max(0, m.start - _TITLE_WINDOW) : m.start])
                if title:
                    full = f"{title.group('title')} of {m.entry.canonical}"
                    self.officials.setdefault(title.group("title"), Counter())[full] += 1

    def _heads_of(self, m: Mention) -> list[str]:
        heads = list(m.entry.short)
        last = m.entry.name.split()[-1] if m.entry.name else ""
        if not heads and last in _HEADS:
            heads.append(last)
        return heads

    def adopting_body(self, label: str) -> str | None:
        if label.startswith("DRAFT") and self.draft_body:
            return self.draft_body
        return self.body

    def adopting_session(self, label: str) -> int | None:
        if label.startswith("DRAFT"):
            year = self.res.year
            body = self.adopting_body(label)
            if body == "General Assembly" and year:
                return year - 1945
            return year
        if self.body == "General Assembly":
            return self.own_session
        return self.res.year

    def resolve_head(
        self, head: str, last_by_head: dict[str, tuple[str, str]], label: str
    ) -> tuple[str, str] | None:
        """The entity "the <head>" stands for: named earlier in the paragraph (``last_by_head``:
        the latest entity seen so far for each head), the adopting or recommending body, else
        the one the resolution names most with that head."""
        if head in last_by_head:
            return last_by_head[head]
        if head in _OFFICIALS:
            counts = self.officials.get(head)
            if counts:
                return counts.most_common(1)[0][0], "official"
            return None
        for body in (self.adopting_body(label), self.recommended, self.body):
            if body and head in self._short_heads(body):
                return body, self.kinds.get(body, "body")
        if head == "Assembly":
            return "General Assembly", "body"
        counts = self.head_counts.get(head)
        if counts:
            canonical = counts.most_common(1)[0][0]
            return canonical, self.kinds.get(canonical, "entity")
        return None

    def _short_heads(self, canonical: str) -> tuple[str, ...]:
        if not hasattr(self, "_heads_by_canonical"):
            table: dict[str, tuple[str, ...]] = {}
            for entry in self.glossary.entries:
                if entry.canonical in table:
                    continue
                if entry.short:
                    table[entry.canonical] = entry.short
                else:
                    last = entry.name.split()[-1] if entry.name else ""
                    table[entry.canonical] = (last,) if last in _HEADS else ()
            self._heads_by_canonical = table
        return self._heads_by_canonical.get(canonical, ())

    def refs(self, text: str, label: str) -> list[_Ref]:
        """Named actors and resolved short references in ``text``, in order."""
        named: list[_Ref] = [
            _Ref(m.start, m.end, m.text, m.entry.canonical, m.entry.kind)
            for m in self.glossary.mentions(text)
        ]  # in text order, not overlapping
        starts = [r.start for r in named]
        out = list(named)
        # One pass: the latest entity seen for each head word, fed by named and resolved refs.
        last_by_head: dict[str, tuple[str, str]] = {}
        seen = 0
        norm = normalise(text)

        def note(ref: _Ref) -> None:
            for h in self._short_heads(ref.canonical):
                last_by_head[h] = (ref.canonical, _base_kind(ref.kind))

        for m in _SHORT_REF.finditer(norm):
            start = (
                m.start("head") - len("the ")
                if m.group(0).lower().startswith("the ")
                else m.start()
            )
            while seen < len(named) and named[seen].end <= m.start():
                note(named[seen])
                seen += 1
            i = bisect.bisect_right(starts, m.start("head")) - 1
            if i >= 0 and named[i].start <= m.start("head") < named[i].end:
                continue
            resolved = self.resolve_head(m.group("head"), last_by_head, label)
            if resolved:
                ref = _Ref(
                    start, m.end(), text[start : m.end()], resolved[0], "short:" + resolved[1]
                )
                out.append(ref)
                note(ref)
        out.sort(key=lambda r: r.start)
        return out


_BODY_HEADS = {
    "Committee",
    "Commission",
    "Council",
    "Board",
    "Forum",
    "Conference",
    "Assembly",
    "Group",
    "Congress",
    "Meeting",
    "Panel",
    "Tribunal",
    "Court",
    "Mission",
}
_NAME_RX = re.compile(
    r"\b(?:[A-Z][\w\-]*)(?:\s+(?:(?:on|of|for|and|the|against|in|to|with|from)\s+)*[A-Z][\w\-]*)*"
)


def _doc_names(texts: list[str], glossary: Glossary) -> list[Entry]:
    """Names of bodies a resolution spells out that the glossary does not know
    ("Committee on Information"), so that "to the Committee on Information at its forty-seventh
    session" is not taken for a General Assembly session and "the Committee" can refer to it."""
    found: dict[str, Entry] = {}
    heads = set(_HEADS)
    for text in texts:
        for m in _NAME_RX.finditer(text):
            name = re.sub(r"^(?:The|This|That|Its|Also|Further)\s+", "", m.group(0))
            words = name.split()
            if (
                len(words) < 2
                or name in found
                or name in heads
                or words[0] in ("Requests", "Invites", "Decides")
            ):
                continue
            # The head comes early in a body's name ("Committee on Information", "Human Rights
            # Committee"); "Implementation of the ... Convention to Combat ..." is a title.
            head = next((w for w in words[:3] if w in heads), None)
            if head is None or glossary.mentions(name):
                continue
            kind = (
                "instrument"
                if head in ("Convention", "Protocol")
                else "body"
                if head in _BODY_HEADS
                else "entity"
            )
            found[name] = Entry(canonical=name, name=name, kind=kind, short=(head,), learned=True)
    return list(found.values())


def _recommending_body(res: Resolution, glossary: Glossary) -> str | None:
    if not res.recommended_by:
        return None
    m = re.search(r"recommendation\s+of\s+(?:the\s+)?(.+?)\s*(?:\(|$)", res.recommended_by)
    return glossary.canonical_actor(m.group(1)) if m else None


def _draft_body(res: Resolution, glossary: Glossary) -> str | None:
    """Which body a recommended draft is addressed to ("Recommends to the General Assembly ...")."""
    first = next((i for i, p in enumerate(res.paragraphs) if p.label.startswith("DRAFT")), None)
    if first is None:
        return None
    for p in reversed(res.paragraphs[:first]):
        m = re.search(
            r"recommends\s+to\s+(?:the\s+)?(.+?)\s+(?:the\s+)?(?:adoption|approval)", p.text, re.I
        )
        if m:
            return glossary.canonical_actor(m.group(1))
    return "General Assembly"


# -- clauses -------------------------------------------------------------------
@dataclass
class _Clause:
    verb: str
    verb_phrase: str
    start: int  # where the verb phrase starts
    body_start: int  # just after the verb phrase
    end: int = 0


def _verb_of(m: re.Match[str]) -> str:
    if m.group("reit"):
        noun = m.group("noun").lower()
        return _REITERATED.get(noun, "requests")
    for i, (canonical, _) in enumerate(_VERBS):
        if m.group(f"v{i}"):
            return canonical
    return "requests"


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    norm = normalise(text)
    first_person = bool(re.match(r"\s*We\b", norm))
    m = _OPENING.match(norm)
    if m:
        out.append(_Clause(_verb_of(m), norm[m.start() : m.end()].strip(), m.start(), m.end()))
    for mm in _MID.finditer(norm):
        if out and mm.start() < out[-1].body_start:
            continue
        core = mm.group("core")
        verb = _verb_of(mm)
        # Third person mid-paragraph ("and requests"), base form only in "We ..." declarations.
        if not first_person and not re.match(r"\w+s\b", core):
            continue
        if core[:1].isupper():
            continue  # a capitalised "Decides" mid-sentence is a title or quotation
        start = mm.start()
        phrase = re.sub(r"^[\s,;]*(?:and\s+)?", "", norm[start : mm.end()])
        out.append(_Clause(verb, phrase.strip(" ,"), start, mm.end()))
    for i, c in enumerate(out):
        c.end = out[i + 1].start if i + 1 < len(out) else len(norm)
    return out


_LIST_OPENING = re.compile(r":\s*\((?:a|i)\)\s")


def _task_start(text: str) -> int | None:
    masked = _MASKED_TO.sub(lambda m: "x" * len(m.group(0)), text)
    # "Requests the Forum secretariat: (a) To submit ...; (b) To ...": the addressee ends at
    # the colon that opens the list of tasks.
    listed = _LIST_OPENING.search(masked)
    if listed and not re.search(r"\bto\s+[a-z]", masked[: listed.start()]):
        return listed.start()
    depth = 0  # parentheses open at ``pos``, carried forward instead of recounted
    pos = 0
    for m in re.finditer(r"\bto\s+([A-Za-z][\w\-]*)", masked):
        depth += masked.count("(", pos, m.start()) - masked.count(")", pos, m.start())
        pos = m.start()
        if depth != 0:
            continue
        if _looks_like_verb(m.group(1)):
            return m.start()
    return None


def _split_top(text: str) -> list[tuple[int, str]]:
    """Split an addressee span on top-level commas and semicolons, keeping offsets."""
    parts: list[tuple[int, str]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "(“":
            depth += 1
        elif ch in ")”":
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            parts.append((start, text[start:i]))
            start = i + 1
    parts.append((start, text[start:]))
    return [(s + len(p) - len(p.lstrip()), p.strip()) for s, p in parts if p.strip()]


def _clean_actor(text: str) -> tuple[int, str]:
    """The addressee without joining words; returns (characters dropped in front, text)."""
    m = re.match(r"^[\s,;:.]*(?:(?:and|or|as\s+well\s+as|and\s+also|also)\s+)?", text, flags=re.I)
    lead = m.end() if m else 0
    return lead, text[lead:].rstrip(" ,;:.")


class _Extractor:
    def __init__(
        self, res: Resolution, glossary: Glossary, budget: ExtractionBudget | None = None
    ) -> None:
        self.res = res
        self.budget = budget or ExtractionBudget()
        self.ctx = _DocContext(res, glossary, self.budget)
        self._officials: list[_Ref] = []

    # actors ------------------------------------------------------------------
    def _actor_canonical(self, phrase: str, refs: list[_Ref], offset: int) -> str:
        """The display name of one addressee phrase; ``refs`` are positioned in the paragraph."""
        glossary = self.ctx.glossary
        direct = glossary.canonical_actor(phrase)
        if direct:
            return direct
        inside = _within(refs, offset, offset + len(phrase))
        stripped = re.sub(
            r"^(?:(?:the|all|relevant|other|interested|concerned|respective)\s+)+",
            "",
            phrase,
            flags=re.I,
        )
        if len(inside) == 1:
            r = inside[0]
            rest = stripped.replace(normalise(r.text).removeprefix("the ").removeprefix("The "), "")
            if not rest.strip(" ,.;") or rest.strip().lower() in ("the",):
                return r.canonical
        # Spell known names inside the phrase by their canonical form: "members of ICAT".
        out = phrase
        for r in sorted(inside, key=lambda r: r.start, reverse=True):
            a, b = r.start - offset, r.end - offset
            if _is_actor_kind(r.kind) and re.search(r"\b(?:of|to|for)\s+$", out[:a]):
                out = out[:a] + r.canonical + out[b:]
        out = re.sub(r"^the\s+", "", out.strip(), flags=re.I)
        canon = glossary.canonical_actor(out)
        return canon or out

    def _actors(
        self, span: str, span_offset: int, refs: list[_Ref], previous: list[str]
    ) -> tuple[list[str], list[str], list[str]]:
        actors: list[str] = []
        raw: list[str] = []
        quals: list[str] = []
        # Protect names that contain commas before splitting on them.
        refs = _within(refs, span_offset, span_offset + len(span))
        protected = list(span)
        for r in refs:
            a, b = r.start - span_offset, r.end - span_offset
            if a >= 0 and b <= len(span):
                for i in range(a, b):
                    if protected[i] in ",;":
                        protected[i] = "\x00"
        prot = "".join(protected)
        segments = _split_top(prot)
        for n, (off, seg) in enumerate(segments):
            seg = seg.replace("\x00", ",")
            if _QUAL_START.match(seg) or re.match(
                r"^and\s+(?:in|within|as|with|through)\b", seg, re.I
            ):
                quals.append(re.sub(r"^and\s+", "", seg).strip())
                continue
            if re.match(r"^(?:all\s+)?States\s+[Pp]arties\b|^[Pp]arties\b", seg):
                # "States parties to the Convention on ..., the Covenant on ...": one addressee.
                rest = ", ".join(s for _, s in segments[n:]).replace("\x00", ",")
                end = span_offset + len(span)
                insts = _within(refs, span_offset + off, end)
                actor = "States parties"
                if len(insts) == 1 and _base_kind(insts[0].kind) == "instrument":
                    actor = f"States parties to {insts[0].canonical}"
                actors.append(actor)
                raw.append(rest)
                break
            # Relative clauses stay with the actor as a qualifier: "States that have not yet done so".
            rel = _REL_CLAUSE.search(seg)
            if rel and rel.start() > 0:
                quals.append(seg[rel.start() :].strip())
                seg = seg[: rel.start()]
            seg_refs = _within(refs, span_offset + off, span_offset + off + len(seg))
            for sub_off, piece in self._split_and(seg, off, seg_refs, span_offset):
                lead, piece = _clean_actor(piece)
                if not piece or not fields.is_actor_phrase(piece):
                    continue
                if piece.lower() in _PRONOUNS:
                    resolved = previous or [self._pronoun(piece, span_offset + sub_off + lead)]
                    actors.extend(a for a in resolved if a not in actors)
                    raw.append(piece)
                    continue
                canonical = self._actor_canonical(piece, seg_refs, span_offset + sub_off + lead)
                if canonical not in actors:
                    actors.append(canonical)
                raw.append(piece)
        return actors, raw, quals

    def _pronoun(self, word: str, pos: int) -> str:
        """ "requests that he submit": the official named last, else the Secretary-General."""
        i = bisect.bisect_left(self._officials, pos, key=lambda r: r.start)
        if i and word.lower() in ("he", "him", "she", "her"):
            return self._officials[i - 1].canonical
        return "Secretary-General"

    def _split_and(
        self, seg: str, off: int, refs: list[_Ref], span_offset: int
    ) -> list[tuple[int, str]]:
        """Split "A and B" unless the "and" is inside a known name or joins two adjectives."""
        cuts: list[int] = []
        for m in re.finditer(r"\s+(?:and|as\s+well\s+as|or)\s+", seg):
            pos = span_offset + off + m.start()
            if re.search(r"\d$", seg[: m.start()]) and re.match(r"\d", seg[m.end() :]):
                continue  # "paragraphs 18 and 19"
            if _covering(refs, pos):
                continue
            left = seg[: m.start()].split()
            right = seg[m.end() :]
            # "intergovernmental and non-governmental organizations": one addressee
            if (
                left
                and len(left[-1]) > 2
                and left[-1][0].islower()
                and not left[-1].endswith("s")
                and not re.match(r"(?:the|all|other|relevant)\b", right)
            ):
                continue
            # "human rights mechanisms and procedures": two heads sharing their modifiers
            if re.fullmatch(r"[a-z][\w\-]*", right.strip(" ,;.")) and len(left) > 1:
                continue
            cuts.append(m.start())
        pieces: list[tuple[int, str]] = []
        last = 0
        for c in cuts:
            pieces.append((off + last, seg[last:c]))
            m2 = re.match(r"\s+(?:and|as\s+well\s+as|or)\s+", seg[c:])
            last = c + (m2.end() if m2 else 0)
        pieces.append((off + last, seg[last:]))
        return pieces

    # paragraph -------------------------------------------------------------------
    def paragraph(self, para: Paragraph) -> list[Mandate]:
        text = normalise(para.text)
        if len(text) > self.budget.paragraph_chars:
            log.warning(
                "mandates: %s#%s has %d characters; only the first %d are read",
                self.res.doc_id,
                para.label,
                len(text),
                self.budget.paragraph_chars,
            )
            text = self.budget.clip(text)
        clauses = _clauses(text)
        if not clauses:
            return []
        refs = self.ctx.refs(text, para.label)
        self._officials = [r for r in refs if _base_kind(r.kind) == "official"]
        adopting = self.ctx.adopting_body(para.label)
        mandates: list[Mandate] = []
        previous: list[str] = []
        pending: list[Mandate] = []  # clauses whose task is shared with the next one
        for idx, clause in enumerate(clauses, 1):
            body = text[clause.body_start : clause.end]
            lead_quals: list[str] = []
            # "Requests, in this regard, the Office ...": leading adverbials belong to no actor.
            lead = 0  # blanked up to here, once, rather than re-copying the body per adverbial
            while True:
                lm = _LEAD_QUAL.match(body, lead)
                if lm and _QUAL_START.match(lm.group(1).strip()):
                    q = lm.group(1).strip()
                    if not re.fullmatch(
                        r"(?:in\s+th(?:is|at)\s+(?:regard|context|respect)|also|further)", q, re.I
                    ):
                        lead_quals.append(q)
                    lead = lm.end()
                    continue
                break
            if lead:
                body = " " * lead + body[lead:]
            offset = clause.body_start
            stripped = body.lstrip(" ,")
            offset += len(body) - len(stripped)
            body = stripped.rstrip(" ;.,")
            actors: list[str] = []
            actors_text: list[str] = []
            quals: list[str] = list(lead_quals)
            task = ""
            task_offset = offset
            if clause.verb == "decides" and re.match(r"(?:also\s+|further\s+)?to\b", body):
                actors = [adopting] if adopting else []
                actors_text = []
                task, task_offset = body, offset
            elif re.match(r"that\b", body):
                # "Recommends that Member States should ...": the addressee is the subject.
                inner = body[4:].lstrip()
                inner_off = offset + len(body) - len(inner)
                mm = re.search(
                    r"\s(?:should|shall|will|must|may|continue|consider|be|are|is|take)\b", inner
                )
                pm = re.match(r"(he|she|they|it)\b", inner, re.I)
                if pm:
                    actors, actors_text, q = self._actors(pm.group(1), inner_off, refs, previous)
                elif mm:
                    actors, actors_text, q = self._actors(
                        inner[: mm.start()], inner_off, refs, previous
                    )
                    quals += q
                elif clause.verb == "decides" and adopting:
                    actors = [adopting]
                task, task_offset = body, offset
            else:
                ts = _task_start(body)
                if ts is None:
                    if idx < len(clauses) and len(body) < 400:
                        actors, actors_text, q = self._actors(body, offset, refs, previous)
                        quals += q
                        m_ = Mandate(**self._base(para, idx, clause, actors, actors_text))
                        m_.qualifiers = quals
                        pending.append(m_)
                        previous = actors or previous
                        continue
                    task, task_offset = body, offset
                    if clause.verb == "decides" and adopting:
                        actors = [adopting]
                else:
                    actors, actors_text, q = self._actors(body[:ts], offset, refs, previous)
                    quals += q
                    task, task_offset = body[ts:], offset + ts
            if not actors and re.match(r"(?:him|her|it|them)\b", body):
                actors = list(previous)
            m = Mandate(**self._base(para, idx, clause, actors, actors_text))
            m.task = task.strip()
            m.qualifiers = quals
            self._details(
                m, task, task_offset, refs, para.label, mandates[-1] if mandates else None
            )
            for p in pending:
                p.task, p.reporting, p.recipient, p.recipients = (
                    m.task,
                    m.reporting,
                    m.recipient,
                    list(m.recipients),
                )
                p.via, p.due_session, p.due_body, p.due_text = (
                    m.via,
                    m.due_session,
                    m.due_body,
                    m.due_text,
                )
                p.due_year, p.frequency = m.due_year, m.frequency
                p.qualifiers = _dedupe(p.qualifiers + m.qualifiers)
                p.subparagraphs = list(m.subparagraphs)
                mandates.append(p)
            pending = []
            mandates.append(m)
            previous = actors or previous
        for p in pending:
            mandates.append(p)
        mandates.sort(key=lambda m: m.clause)
        return mandates

    def _base(
        self, para: Paragraph, idx: int, clause: _Clause, actors: list[str], actors_text: list[str]
    ) -> dict[str, Any]:
        res = self.res
        return {
            "doc_id": res.doc_id,
            "symbol": res.symbol,
            "label": para.label,
            "clause": idx,
            "verb": clause.verb,
            "verb_phrase": clause.verb_phrase,
            "actors": actors,
            "actors_text": actors_text,
            "body": res.body,
            "date": res.date,
            "year": res.year,
            "title": res.title,
            "agenda_item": res.agenda_item,
            "source": res.source,
            "paragraph_text": para.text,
        }

    def _details(
        self,
        m: Mandate,
        task: str,
        task_offset: int,
        refs: list[_Ref],
        label: str,
        previous: Mandate | None = None,
    ) -> None:
        m.qualifiers = _dedupe(
            m.qualifiers
            + [q.group(0).strip(" ,;") for rx in _QUALIFIER_RX for q in rx.finditer(task)]
        )
        m.subparagraphs = _subparagraphs(task)
        task_refs = [
            _Ref(r.start - task_offset, r.end - task_offset, r.text, r.canonical, r.kind)
            for r in _within(refs, task_offset, task_offset + len(task))
        ]
        report_pos = _report_position(task, task_refs)
        if report_pos is None and any(extra_positions(q, [], _is_actor_kind) for q in m.qualifiers):
            # "Requests the Secretary-General, in his next report, to update on ...": the
            # report is named next to the addressee, the whole task goes into it.
            report_pos = 0
        m.reporting = report_pos is not None
        region_start = report_pos if report_pos is not None else 0
        region_refs = [r for r in task_refs if r.start >= region_start]
        recipients: list[_Ref] = []
        for r in region_refs:
            joined = recipients and re.fullmatch(
                r"\s*(?:,|and|or|as\s+well\s+as)\s*(?:the\s+)?", task[recipients[-1].end : r.start]
            )
            if _is_actor_kind(r.kind) and (
                joined
                or _RECIPIENT_BEFORE.search(task[max(0, r.start - 40) : r.start])
                or (report_pos is not None and is_recipient(task, r))
            ):
                if not _VIA_BEFORE.search(task[max(0, r.start - 20) : r.start]):
                    recipients.append(r)
            elif (
                _is_actor_kind(r.kind)
                and _VIA_BEFORE.search(task[max(0, r.start - 20) : r.start])
                and m.via is None
            ):
                m.via = r.canonical
        adopting = self.ctx.adopting_body(label)
        # Sessions: in the reporting part first, else anywhere in the task.
        sessions = [s for s in _SESSION.finditer(task) if s.start() >= region_start] or (
            list(_SESSION.finditer(task)) if not m.reporting else []
        )
        if sessions:
            s = sessions[0]
            body = self._session_body(s, task, task_refs, adopting, m.actors)
            n = self._session_number(s, body, label)
            m.due_text = s.group(0)[len(s.group("prep")) :].strip()
            m.due_session = n
            m.due_body = body
            m.due_year = session_year(body, n) if n is not None else None
        owner = (
            self._report_owner(task[region_start:], region_refs, region_start, previous)
            if m.reporting
            else None
        )
        if owner and recipients:
            fm = _FOR_REPORT.search(task[region_start:])
            # "information ... as a contribution to the report of the Secretary-General to the
            # General Assembly": the information goes to the Secretary-General.
            if fm and region_start + fm.start() < recipients[0].start:
                recipients = []
        # Information passed among the addressees themselves is an exchange, not a report.
        recipients = [r for r in recipients if r.canonical not in m.actors]
        if m.reporting:
            bodies = [r for r in recipients if _base_kind(r.kind) == "body"]
            ordered = bodies + [r for r in recipients if r not in bodies]
            m.recipients = _dedupe([r.canonical for r in sorted(recipients, key=lambda r: r.start)])
            if ordered:
                m.recipient = ordered[0].canonical
            elif owner:
                m.recipient = owner
                m.recipients = [owner]
            elif sessions and m.due_body:
                m.recipient = m.via or m.due_body
                m.recipients = [m.recipient]
            if m.via and m.via == m.recipient:
                m.via = None
            if m.due_year is None:
                # "presenting this information to the regional commissions during 2027"
                for r in recipients:
                    dy = _DUE_YEAR.match(task[r.end :])
                    if dy:
                        m.due_year = int(dy.group(1))
                        break
        region = task[region_start:] if m.reporting else task
        m.frequency = _frequency(region)
        year = self.res.year
        if m.due_year is not None and year is not None and m.due_year < year:
            # A session that met before the resolution was adopted is not when anything is due:
            # the calendar read the wrong body. Keep the words, drop the year.
            m.due_year = None
        if m.reporting:
            m.deliverable, m.deliverable_type = deliverable(region)
        m.frequency_implied = m.frequency or fields.implied_frequency(
            adopting, self.ctx.adopting_session(label), m.due_body, m.due_session
        )
        m.within_existing_resources = fields.within_existing_resources(task) or any(
            fields.within_existing_resources(q) for q in m.qualifiers
        )
        m.review_or_end = fields.review_or_end(task)
        m.assignee_types = [fields.assignee_type(a) for a in m.actors]

    @staticmethod
    def _report_owner(
        region: str, refs: list[_Ref], offset: int, previous: Mandate | None
    ) -> str | None:
        """Whose report information goes into: "for inclusion in the report of the
        Secretary-General" -> Secretary-General; "to that report" -> the previous clause's actor."""
        fm = _FOR_REPORT.search(region)
        if not fm:
            return None
        if fm.group(0).rstrip().endswith("of") or re.search(r"of(?:\s+the)?\s*$", fm.group(0)):
            after = [r for r in refs if r.start - offset in (fm.end(), fm.end() + 4)]
            if after and _is_actor_kind(after[0].kind):
                return after[0].canonical
            return None
        if (
            fm.group("det").lower() in ("that", "his", "her", "this")
            and previous
            and previous.reporting
        ):
            return previous.actors[0] if previous.actors else None
        return None

    def _session_body(
        self,
        s: re.Match[str],
        task: str,
        refs: list[_Ref],
        adopting: str | None,
        actors: list[str] | None = None,
    ) -> str | None:
        """The body whose session this is: "of the X", else the nearest body named before it
        in the task, else an addressed body ("Requests the Commission to approve at its
        thirty-second session"), else the adopting body."""
        after = task[s.end() : s.end() + 200]
        om = re.match(r"\s+of\s+(?:the\s+)?", after)
        if om:
            nxt = [
                r
                for r in refs
                if r.start == s.end() + om.end() or r.start == s.end() + om.start() + len(" of ")
            ]
            for r in nxt:
                if _is_actor_kind(r.kind):
                    return r.canonical
        before = [r for r in refs if r.end <= s.start() and _base_kind(r.kind) == "body"]
        if before:
            return before[-1].canonical
        before_any = [r for r in refs if r.end <= s.start() and has_calendar(r.canonical)]
        if before_any:
            return before_any[-1].canonical
        if s.group("det").lower() == "its":
            for actor in actors or []:
                if has_calendar(actor) or self.ctx.kinds.get(actor) == "body":
                    return actor
        return adopting

    def _session_number(self, s: re.Match[str], body: str | None, label: str) -> int | None:
        if s.group("n1"):
            return parse_session_number(s.group("n1"))
        if (
            s.group("next")
            and s.group("next").lower() == "next"
            and body == self.ctx.adopting_body(label)
        ):
            own = self.ctx.adopting_session(label)
            return own + 1 if own else None
        return None

    def extract(self) -> list[Mandate]:
        out: list[Mandate] = []
        time_up = self.budget.deadline()
        for para in self.res.paragraphs:
            if para.kind == "operative" or OPERATIVE_LABEL.match(para.label):
                if not OPERATIVE_LABEL.match(para.label):
                    continue
                if time_up():
                    raise MandateBudgetExceeded(
                        f"mandate extraction of {self.res.doc_id} stopped at {para.label}: "
                        f"over its budget of {self.budget.document_seconds:g} s"
                    )
                try:
                    out.extend(self.paragraph(para))
                except Exception:  # one odd paragraph must not lose the resolution's others
                    log.exception(
                        "mandate extraction failed for %s#%s", self.res.doc_id, para.label
                    )
        return out


def _within(refs: list[_Ref], start: int, end: int) -> list[_Ref]:
    """The refs (sorted by start) lying inside [start, end): a bisection, so that scanning a
    span costs what the span holds, not what the paragraph holds."""
    i = bisect.bisect_left(refs, start, key=lambda r: r.start)
    j = bisect.bisect_left(refs, end, lo=i, key=lambda r: r.start)
    return [r for r in refs[i:j] if r.end <= end]


def _starting(refs: list[_Ref], start: int, end: int) -> list[_Ref]:
    """The refs (sorted by start) that start inside [start, end)."""
    i = bisect.bisect_left(refs, start, key=lambda r: r.start)
    j = bisect.bisect_left(refs, end, lo=i, key=lambda r: r.start)
    return refs[i:j]


def _covering(refs: list[_Ref], pos: int) -> bool:
    """Whether a ref spans ``pos`` (refs sorted by start and not nested)."""
    i = bisect.bisect_right(refs, pos, key=lambda r: r.start) - 1
    return i >= 0 and refs[i].start <= pos < refs[i].end


def _base_kind(kind: str) -> str:
    return kind.removeprefix("short:")


def _is_actor_kind(kind: str) -> bool:
    return _base_kind(kind) in ("body", "entity", "official", "group")


def _has_recipient(task: str, refs: list[_Ref], start: int, window: int = 200) -> bool:
    return any(
        _is_actor_kind(r.kind)
        and (
            _RECIPIENT_BEFORE.search(task[max(0, r.start - 40) : r.start]) or is_recipient(task, r)
        )
        for r in _starting(refs, start, start + window)
    )


def _report_position(task: str, refs: list[_Ref]) -> int | None:
    """Where the reporting part of a task starts, or None when it asks for no report."""
    hits: list[int] = []
    # Whether "in ... reports" occurs after a position: one scan, not one per "report".
    in_reports = [m.start() for m in _IN_REPORTS.finditer(task)]
    for m in _REPORT_DIRECT.finditer(task):
        nxt = (m.group("next") or "").strip()
        if (
            m.group(0).lower().startswith("with")
            or not nxt
            or _REPORT_NEXT_OK.match(nxt)
            or (in_reports and in_reports[-1] >= m.end())
            or _has_recipient(task, refs, m.end())
        ):
            hits.append(m.start())
            break
    keep = _KEEP_INFORMED.search(task)
    if keep:
        hits.append(keep.start())
    for m in _REPORT_NOUN.finditer(task):
        if m.group("of") and m.group("verb").lower() not in ("transmit", "include"):
            continue
        hits.append(m.start())
        break
    for m in _INFORM.finditer(task):
        if any(_is_actor_kind(r.kind) for r in _starting(refs, m.end(), m.end() + 5)):
            hits.append(m.start())
            break
    for rx in (_INFORM_ACCORDINGLY, _TRANSMIT):
        hit = rx.search(task)
        if hit and (
            rx is _INFORM_ACCORDINGLY or _has_recipient(task, refs, hit.start(), window=300)
        ):
            hits.append(hit.start())
    for m in _INFO_TO.finditer(task):
        if _has_recipient(
            task, refs, m.start(), window=m.end() - m.start() + 200
        ) or _FOR_REPORT.search(task[m.end() : m.end() + 150]):
            hits.append(m.start())
            break
    hits += extra_positions(task, list(refs), _is_actor_kind)
    for m in _IN_REPORTS.finditer(task):
        if m.group(0).rstrip().endswith(" to") and _has_recipient(
            task, refs, m.end() - 3, window=20
        ):
            hits.append(m.start())
            break
    return min(hits) if hits else None


def _frequency(text: str) -> str | None:
    """The first stated frequency; "regularly" only when no specific one is given."""
    best: tuple[int, str] | None = None
    for name, rx in _FREQUENCY_RX:
        if name == "periodic":
            continue
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    if best:
        return best[1]
    return "periodic" if dict(_FREQUENCY_RX)["periodic"].search(text) else None


def _subparagraphs(task: str) -> list[str]:
    marks = list(re.finditer(r"(?:^|[\s:;])\(([a-z]|[ivx]{1,4})\)\s", task))
    if len(marks) < 2:
        return []
    items = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(task)
        items.append(task[m.start() : end].strip(" ;:"))
    return items


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def extract_mandates(
    res: Resolution, glossary: Glossary | None = None, budget: ExtractionBudget | None = None
) -> list[Mandate]:
    """Every operative clause of ``res`` addressed to someone (OPn, DRAFT-OPn, ANNEX-OPn).
    Raises ``MandateBudgetExceeded`` when the document runs over ``budget``'s time."""
    return _Extractor(res, glossary or default_glossary(), budget).extract()

"""Query understanding: symbols, paragraph references, acronyms, bodies, years, intents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import glossary
from bot.retrieval.paraphrase import alternatives
from bot.retrieval.text import index_terms, key_terms, stem
from bot.symbols import find_paragraph_refs, find_symbol_refs, resolve

_BODIES = [
    (re.compile(r"\b(?:general assembly|GA|assembly)\b", re.I), "General Assembly"),
    (
        re.compile(r"\b(?:ECOSOC|economic and social council)\b", re.I),
        "Economic and Social Council",
    ),
    (re.compile(r"\b(?:security council|SC|UNSC)\b"), "Security Council"),
    (re.compile(r"\bsecurity council\b", re.I), "Security Council"),
]
_BODY_ACRONYMS = {"GA", "SC", "ECOSOC", "UN", "UNGA", "UNSC"}
_SINCE = re.compile(r"\b(?:since|after|from)\s+((?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b((?:19[4-9]|20[0-9])\d)\b")

# What a metadata question asks about; answered from the HEADER paragraph.
INTENTS = {
    "sponsors": re.compile(
        r"\b(?:sponsor\w*|co-?sponsor\w*|submitted by|tabled|proposed by)\b", re.I
    ),
    "adoption": re.compile(
        r"\b(?:when (?:was|did)\b.*\b(?:adopt\w*|pass\w*)|adopted on|date of adoption|what date)\b",
        re.I,
    ),
    "agenda": re.compile(r"\b(?:which|what) agenda item\b|\bagenda item (?:was|is|did)\b", re.I),
    "committee": re.compile(
        r"\b(?:main committee|third committee|second committee|sixth committee|fifth committee|first committee|fourth committee|report of the)\b",
        re.I,
    ),
    "recommendation": re.compile(
        r"\b(?:on (?:the |whose )?recommendation|recommended it|which commission recommended|on whose)\b",
        re.I,
    ),
}


_ANSWER_TYPES = {
    "number": re.compile(
        r"^\s*(?:how (?:many|much)|what (?:number|percentage|share|amount))\b", re.I
    ),
    # "when" asks for a time only as the question word, not as a conjunction
    # ("take into account when picking a theme").
    "date": re.compile(
        r"^\W*(?:and\s+|but\s+|so\s+)?when\b|[,;]\s*(?:and\s+)?when\b"
        r"|\b(?:what date|which date|which year|what year|by when|until when|deadline|how long"
        r"|how often|which session|what session)\b",
        re.I,
    ),
}
NUMBER_RX = re.compile(
    r"(?<![/\d.])\b\d{1,3}(?:,\d{3})*\b(?![/\d])|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion)\b(?!-)",
    re.I,
)
_WHERE = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?where\b|[,;]\s*(?:and\s+)?where\b|\band where\b"
    r"|\b(?:which|what) (?:country|countries|city|cities|town|venue|place|location|host)\b"
    r"|\bwho (?:hosts|hosted|will host|is hosting)\b|\bhosts?\b",
    re.I,
)
_AGE_Q = re.compile(
    r"\b(?:what|which|minimum|maximum|lowest|highest)\s+(?:\w+\s+){0,2}age\b(?!\s+groups?\b|-)"
    r"|\bhow old\b"
    r"|\bage (?:limit|threshold)\b",
    re.I,
)
_AGE_WORDS = (
    r"(?:\d{1,2}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|twenty-one)"
)
AGE_RX = re.compile(
    rf"\b(?:age[sd]?|under|over|below|above)\s+(?:of\s+)?{_AGE_WORDS}\b"
    rf"|\b{_AGE_WORDS}\s+years?(?:\s+of\s+age|\s+old)\b",
    re.I,
)
_QUOTED = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb]([^\"\u201c\u201d\u00ab\u00bb]{2,80})[\"\u201c\u201d\u00ab\u00bb]"
)


# How people name a resolution by its subject: "the resolution on wildlife trafficking",
# "the GA's res on trafficking in women & girls", "the trafficking resolution".
_TITLE_AFTER = re.compile(
    r"\b(?:resolution|res)\s+(?:on|about|concerning|entitled)\s+(?:the\s+)?(?P<t>.+?)"
    r"(?=\s*(?:\(|[,?;:!]|$)|\s+(?:give|gives|say|says|said|ask|asks|do|does|did|is|are|was|"
    r"were|has|have|set|sets|per|under|adopted|request|requests|call|calls|decide|decides|want|"
    r"wants|expect|expects|mention|mentions|require|requires|tell|tells|task|tasks|urge|urges|"
    r"invite|invites|encourage|encourages|recommend|recommends|note|notes|welcome|welcomes|"
    r"recognize|recognizes|stress|stresses|establish|establishes|cover|covers|talk|talks|"
    r"deal|deals|contain|contains|include|includes|provide|provides|state|states|need|needs|"
    r"and\s+(?:what|who|which|when|how|does|is))\b)",
    re.I,
)
_TITLE_BEFORE = re.compile(
    r"\bthe\s+(?P<t>(?:(?!(?:in|of|on|by|for|to|at|and|with|from)\b)[\w'&-]+\s+){1,4}?)"
    r"(?:draft\s+)?(?:resolution|res)\b",
    re.I,
)
_NOT_SUBJECT_WORDS = (
    {"present", "same", "revised", "draft", "latest", "new", "recent", "last", "previous",
     "above", "following", "earlier", "later", "whole", "entire", "main", "ga's", "ecosoc's",
     "council's", "assembly's", "omnibus", "annual", "biennial", "committee", "committee's",
     "commission", "commission's", "council", "plenary", "session", "body", "organ", "year",
     "adopted", "second", "third", "fourth", "fifth", "sixth"}
)  # fmt: skip
_NOT_SUBJECT = frozenset(stem(w) for w in _NOT_SUBJECT_WORDS)


def title_hint(question: str) -> list[str]:
    """Terms of the subject a question names a resolution by, to match against titles."""
    out: list[str] = []
    for rx in (_TITLE_AFTER, _TITLE_BEFORE):
        for m in rx.finditer(question):
            for term in key_terms(m.group("t")):
                if (
                    term not in _NOT_SUBJECT
                    and not term.isdigit()
                    and term not in out
                    and not ORDINAL_RX.fullmatch(term)
                ):
                    out.append(term)
    return out


_LIST_Q = re.compile(
    r"\bwho are\b|\bwhich (?:organi[sz]ations|entities|agencies|bodies|partners|members|"
    r"institutions|actors|stakeholders|States|countries)\b|\blisted\b|\bname (?:all|every)\b",
    re.I,
)
# A proper name: capitalised words, possibly joined by "of (the)", "for", "on", "and" ...;
# "and the" starts the next name of a list ("... for Migration and the Office of ...").
_NAME = re.compile(
    r"\b[A-Z][\w\-]+(?:\s+(?:(?:of|for|on|against|in|to|de)(?:\s+the)?\s+|and\s+)?[A-Z][\w\-]+)+"
)


def names_in(text: str) -> set[str]:
    """Distinct multi-word proper names in a text (organizations, programmes, places)."""
    return {m.group(0) for m in _NAME.finditer(text)}


# Numbers that name a document or a provision, not a quantity: "resolution 582 (1986)",
# "Article 39", "paragraph 12", "1382nd meeting", "agenda item 109", the day of a date.
_REFERENCE_NUMBER = re.compile(
    r"\b(?:resolutions?|decisions?|articles?|paragraphs?|chapters?|rules?|sections?|items?|"
    r"annex(?:es)?|goals?|targets?|principles?|recommendations?|paras?\.|No\.)\s+"
    r"\d[\d.]*(?:\s*\((?:19|20)\d\d\))?(?:(?:\s*,\s*|\s+and\s+|\s+to\s+)\d[\d.]*(?:\s*\((?:19|20)\d\d\))?)*"
    r"|\b\d+\s*\((?:19|20)\d\d\)|\b\d+(?:st|nd|rd|th)\s+(?:meeting|plenary|session)"
    r"|\b\d{1,2}(?:\s*(?:and|to|-|\u2013)\s*\d{1,2})?\s+(?:January|February|March|April|May|"
    r"June|July|August|September|October|November|December)\b",
    re.I,
)


def has_figure(text: str) -> bool:
    """Whether a text states a quantity (a count, an amount), references to documents aside."""
    return bool(NUMBER_RX.search(_REFERENCE_NUMBER.sub(" ", text)))


DATE_RX = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|(?:19|20)\d\d|session|annually|biennially|every (?:two|three|four|five) years|days?|weeks?|months?|years?)\b",
    re.I,
)

# Relative times that can answer "when" besides dates and sessions ("upon entry into force");
# used only to decide that none of the best paragraphs can. "As soon as possible" is left out:
# it is how a resolution says it sets no date.
TIME_RX = re.compile(
    r"\b(?:entry into force|upon (?:the )?(?:adoption|entry|completion|receipt|request)|"
    r"(?:after|following|before|prior to) (?:the )?(?:adoption|entry|completion|conclusion|end)|"
    r"periodically|(?:bi|tri|quadr)?ennial|annual|each year|every year|by the end of|"
    r"no later than|deadline|timeline|timetable|time frame|until|thereafter)\b",
    re.I,
)


def states_a_time(text: str) -> bool:
    return bool(DATE_RX.search(text) or TIME_RX.search(text))


# Question verbs and the operative or preambular verbs that answer them.
_VERB_HINTS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(r"\bdecid\w*|\bproclaim\w*|\bdesignat\w*", re.I),
        ("decides", "proclaims", "designates"),
    ),
    (
        re.compile(
            r"\b(?:ask\w*|request\w*|supposed to|have to|has to|must|requir\w*|due|expect\w*)\b",
            re.I,
        ),
        ("requests", "invites", "calls upon", "urges"),
    ),
    (re.compile(r"\burg\w*", re.I), ("urges",)),
    (re.compile(r"\bencourag\w*", re.I), ("encourages",)),
    (re.compile(r"\binvit\w*", re.I), ("invites",)),
    (re.compile(r"\bcall\w* (?:on|upon)\b", re.I), ("calls upon", "calls on")),
    (re.compile(r"\brecommend\w*", re.I), ("recommends",)),
    (re.compile(r"\brecall\w*", re.I), ("recalling", "recalls")),
    (
        re.compile(r"\bwelcom\w*|\bprais\w*", re.I),
        ("welcomes", "welcoming", "commends", "recognizing"),
    ),
    (re.compile(r"\btak\w* note\b", re.I), ("takes note", "taking note")),
    (re.compile(r"\bcondemn\w*", re.I), ("condemns", "condemning")),
    (re.compile(r"\bconcern\w*", re.I), ("concerned", "expresses concern", "expressing concern")),
]
# Questions about duties ("what is X asked to do") are answered by operative paragraphs.
_DUTY = re.compile(
    r"\b(?:to do|anything to do|ask(?:s|ed)?|request(?:s|ed)?|supposed to|requir(?:e|es|ed)|must|"
    r"should|expect(?:s|ed)?|"
    r"have to|has to|task(?:s|ed)?|mandate[sd]?|report(?:s|ing)? (?:on|to)|call(?:s|ed)? (?:on|upon|for))\b",
    re.I,
)
ORDINAL_RX = re.compile(
    r"\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth|sixtieth|seventieth|eightieth|ninetieth)\b|\b\d{1,3}(?:st|nd|rd|th)\b",
    re.I,
)


# "part III", "Part B", "section II" of a resolution adopted in parts.
_PART = re.compile(r"\b(?:part|section)\s+([IVXLC]{1,7}|[A-Z])\b(?!\.\w)", re.I)


def in_part(label: str, section: str, part: str) -> bool:
    """Whether a paragraph (its label and section heading) belongs to the part asked for."""
    part = part.upper()
    if label.upper().startswith(f"{part}-"):
        return True
    head = section.strip().upper()
    return head.startswith((f"{part}.", f"{part} ", f"PART {part}", f"SECTION {part}"))


def spell_out(question: str, expansions: dict[str, list[str]]) -> str:
    """The question with each acronym replaced by its long form, for the dense encoder.

    MiniLM knows "Member States" and "standard operating procedures" far better than
    "MS" and "SOPs"; appending the long forms instead dilutes the question.
    """
    out = question
    for acro, longs in expansions.items():
        long = longs[0] if longs else acro
        if long == acro:
            continue
        # "SOPs" -> "standard operating procedures", not "...proceduress".
        plural = long if long.endswith("s") else long + "s"
        out = re.sub(rf"\b{re.escape(acro)}s\b", plural.replace("\\", r"\\"), out)
        out = re.sub(rf"\b{re.escape(acro)}\b", long.replace("\\", r"\\"), out)
    return out


@dataclass
class QueryPlan:
    question: str
    dense_text: str
    lexical_terms: list[str]
    key_terms: list[str]
    doc_ids: list[str] = field(default_factory=list)
    symbol_mentions: list[str] = field(default_factory=list)
    unresolved_symbols: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    since_year: int | None = None
    intents: set[str] = field(default_factory=set)
    expansions: dict[str, list[str]] = field(default_factory=dict)
    answer_types: set[str] = field(default_factory=set)
    verb_hints: tuple[str, ...] = ()
    duty: bool = False
    ordinals: list[str] = field(default_factory=list)
    counted: str | None = None  # "parties" in "how many parties"
    # Drafting-language equivalents of everyday words in the question ("kids" -> children).
    alternatives: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    quoted: list[list[str]] = field(default_factory=list)  # phrases the user put in quotes
    # The question's own terms with acronyms spelt out, without terms carried from earlier
    # turns: what "whom does it ask" is matched against.
    own_terms: list[str] = field(default_factory=list)
    title_terms: list[str] = field(default_factory=list)  # "the trafficking resolution"
    title_docs: list[str] = field(default_factory=list)  # the resolutions those terms single out
    # Parts of a resolution in parts ("part III", "section B"): labels "III-OP4", sections.
    parts: list[str] = field(default_factory=list)

    @property
    def metadata_question(self) -> bool:
        return bool(self.intents)


def analyse(
    question: str, known_doc_ids: list[str], extra_acronyms: dict[str, list[str]] | None = None
) -> QueryPlan:
    """Turn a question into what hybrid retrieval needs.

    Args:
        question: the user's question, already merged with conversation scope.
        known_doc_ids: document ids in the store (to resolve "79/154" to "A/RES/79/154").
        extra_acronyms: acronyms the corpus defines itself ("... (ICAT)").
    """
    doc_ids: list[str] = []
    mentions: list[str] = []
    unresolved: list[str] = []
    text_wo_symbols = question
    for ref in find_symbol_refs(question):
        hits = resolve(ref, known_doc_ids)
        mentions.append(ref.text)
        if hits:
            for h in hits:
                if h not in doc_ids:
                    doc_ids.append(h)
        elif ref.exact or "/" in (ref.short or ""):
            unresolved.append(ref.text)
        text_wo_symbols = text_wo_symbols.replace(ref.text, " ")

    expansions: dict[str, list[str]] = {}
    for acro in glossary.acronyms_in(question):
        forms = [f for f in glossary.expand(acro) if f != acro]
        if forms:
            expansions[acro] = forms
    for acro, longs in (extra_acronyms or {}).items():
        if acro not in expansions and re.search(rf"\b{re.escape(acro)}\b", question):
            expansions[acro] = longs
    # A long form in the question also brings its acronym: documents use both.
    for mention in glossary.default_glossary().mentions(question):
        short = mention.entry.acronym
        if (
            short
            and short not in expansions
            and mention.text != short
            and short not in _BODY_ACRONYMS
        ):
            expansions[short] = [short]

    dense_text = spell_out(question, expansions)
    kt = key_terms(text_wo_symbols)
    lexical = list(kt)
    for longs in expansions.values():
        for term in key_terms(longs[0]):
            if term not in lexical:
                lexical.append(term)

    bodies: list[str] = []
    for rx, name in _BODIES:
        if rx.search(question) and name not in bodies:
            bodies.append(name)
    since = _SINCE.search(question)
    years = [int(y) for y in _YEAR.findall(text_wo_symbols)]
    intents = {name for name, rx in INTENTS.items() if rx.search(question)}
    return QueryPlan(
        question=question,
        dense_text=dense_text,
        lexical_terms=lexical,
        key_terms=kt,
        doc_ids=doc_ids,
        symbol_mentions=mentions,
        unresolved_symbols=unresolved,
        labels=find_paragraph_refs(question),
        bodies=bodies,
        years=[] if since else years,
        since_year=int(since.group(1)) if since else None,
        intents=intents,
        expansions=expansions,
        answer_types=answer_types(question),
        verb_hints=tuple(v for rx, verbs in _VERB_HINTS if rx.search(question) for v in verbs),
        duty=bool(_DUTY.search(question)),
        counted=(lambda m: m.group(1).lower() if m else None)(
            re.search(r"\bhow many ([a-z\-]+)", question, re.I)
        ),
        ordinals=[
            o.lower()
            for o in ORDINAL_RX.findall(text_wo_symbols)
            if o.lower() not in ("first", "second")
        ],
        alternatives=alternatives(lexical),
        own_terms=list(lexical),
        title_terms=[] if doc_ids else title_hint(text_wo_symbols),
        quoted=[terms for q in _QUOTED.findall(question) if (terms := index_terms(q))],
        parts=list(dict.fromkeys(m.group(1) for m in _PART.finditer(question))),
    )


def answer_types(question: str) -> set[str]:
    """What kind of fact the question asks for: a number, a date, a place, an age."""
    found = {name for name, rx in _ANSWER_TYPES.items() if rx.search(question)}
    if _WHERE.search(question):
        found.add("place")
    if _AGE_Q.search(question):
        found.add("age")
    if _LIST_Q.search(question):
        found.add("names")
    return found

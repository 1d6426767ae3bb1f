"""AKN4UN XML parser: structure over the whole XML corpus, known paragraphs, gold quotes, hostile input."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from core.errors import ParseError
from ingest.model import Resolution, is_valid_label
from ingest.parsers import parse_file
from ingest.parsers.akn import parse_akn_bytes, parse_akn_file
from ingest.parsers.common import clean_ws, split_names

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
A = f"{{{AKN_NS}}}"


# ---------------------------------------------------------------- corpus fixtures


@pytest.fixture(scope="module")
def akn_files(corpus: Path) -> list[Path]:
    files = sorted((corpus / "ecosoc-akn").glob("*/*.xml")) + sorted(
        (corpus / "ga-akn").glob("*/*.xml")
    )
    if not files:
        pytest.skip("no AKN files in the corpus")
    return files


@pytest.fixture(scope="module")
def parsed(akn_files: list[Path]) -> dict[str, list[Resolution]]:
    """Every AKN file parsed once (a few seconds); failures are collected, not raised."""
    out: dict[str, list[Resolution]] = {}
    for path in akn_files:
        out[path.name] = parse_akn_file(path)
    return out


def _res(parsed: dict[str, list[Resolution]], prefix: str) -> Resolution:
    names = [n for n in parsed if n.startswith(prefix)]
    assert len(names) == 1, (prefix, names)
    return parsed[names[0]][0]


def _labels(res: Resolution, kind_re: str) -> list[str]:
    return [p.label for p in res.paragraphs if re.fullmatch(kind_re, p.label)]


def _by_part(res: Resolution) -> dict[str, dict[str, list[int]]]:
    """Printed numbers of the main text's PP and OP labels, per part ("" for no part)."""
    out: dict[str, dict[str, list[int]]] = {}
    for p in res.paragraphs:
        m = re.fullmatch(r"(?:([IVXLC]{1,7}|[A-Z])-)?(PP|OP)(\d+)", p.label)
        if m:
            part = out.setdefault(m.group(1) or "", {"PP": [], "OP": []})
            part[m.group(2)].append(int(m.group(3)))
    return out


def _numbers(labels: list[str]) -> list[int]:
    return [int(re.sub(r"\D+", "", lab.rsplit("-", 1)[-1])) for lab in labels]


# ---------------------------------------------------------------- independent counts from the XML


def _in(el: etree._Element, name: str, stop: etree._Element) -> bool:
    """True when ``el`` lies inside an element called ``name`` below ``stop``."""
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag == A + name:
            return True
    return False


@dataclass
class _Expected:
    pp: int  # preambular containers (not the enacting formula) + crossHeadings in the body
    nums: list[int]  # printed numbers of the operative paragraphs
    drafts: list[tuple[int, list[int]]]  # per embedded draft: containers, printed numbers


def _expected(statement: etree._Element) -> _Expected:
    """What the XML itself says: preambular containers, numbered paragraphs, drafts."""
    preamble = statement.find(A + "preamble")
    main = statement.find(A + "mainBody")
    pp = 0
    if preamble is not None:
        pp = sum(1 for c in preamble if c.tag == A + "container" and c.get("name") != "formula")
    nums: list[int] = []
    if main is not None:
        pp += sum(1 for c in main.iter(A + "crossHeading") if not _in(c, "embeddedStructure", main))
        for par in main.iter(A + "paragraph"):
            if _in(par, "embeddedStructure", main):
                continue
            num = par.find(A + "num")
            if num is not None and re.fullmatch(r"\d+\.?", (num.text or "").strip()):
                if (par.get("class") or "").startswith("H"):
                    continue
                nums.append(int((num.text or "").strip().rstrip(".")))
    drafts: list[tuple[int, list[int]]] = []
    for emb in statement.iter(A + "embeddedStructure"):
        dpp = sum(1 for c in emb if c.tag == A + "container" and c.get("name") != "formula")
        dnums = [
            int((c.find(A + "num").text or "").strip().rstrip("."))
            for c in emb
            if c.tag == A + "paragraph" and c.find(A + "num") is not None
        ]
        drafts.append((dpp, dnums))
    return _Expected(pp, nums, drafts)


def test_all_akn_files_parse_with_exact_structure(
    akn_files: list[Path], parsed: dict[str, list[Resolution]]
) -> None:
    """PP and OP labels match the XML's own containers and numbered paragraphs, in every file."""
    assert len(parsed) == len(akn_files)
    problems: list[str] = []
    for path in akn_files:
        resolutions = parsed[path.name]
        root = etree.parse(str(path)).getroot()
        top = [c for c in root if isinstance(c.tag, str) and c.tag != A + "components"][0]
        if top.tag == A + "documentCollection":
            statements = [
                s for comp in root.iter(A + "component") for s in comp if s.tag == A + "statement"
            ]
        else:
            statements = [top]
        if len(statements) != len(resolutions):
            problems.append(f"{path.name}: {len(resolutions)} resolutions for {len(statements)}")
            continue
        for res, st in zip(resolutions, statements, strict=True):
            labels = [p.label for p in res.paragraphs]
            if labels[0] != "HEADER" or len(labels) != len(set(labels)):
                problems.append(f"{path.name}: HEADER first, unique labels")
            if not all(is_valid_label(lab) for lab in labels):
                problems.append(f"{path.name}: invalid label")
            if any(not p.text for p in res.paragraphs):
                problems.append(f"{path.name}: empty paragraph text")
            exp = _expected(st)
            # A text in numbered parts whose numbering restarts is labelled per part
            # (I-PP1, II-OP3): each part counts from 1; the preamble keeps PPn.
            parts = _by_part(res)
            pps = [n for part in parts.values() for n in part["PP"]]
            if len(pps) != exp.pp or any(
                part["PP"] != list(range(1, len(part["PP"]) + 1)) for part in parts.values()
            ):
                problems.append(f"{path.name}: PP {len(pps)} != {exp.pp}")
            if any(
                sorted(part["OP"]) != list(range(1, len(part["OP"]) + 1)) for part in parts.values()
            ) or not any(part["OP"] for part in parts.values()):
                problems.append(f"{path.name}: OP labels not 1..n per part")
            ops = [n for part in parts.values() for n in part["OP"]]
            nums = exp.nums
            if len(parts) > 1 and (len(set(nums)) == len(nums) or len(ops) < len(nums)):
                problems.append(f"{path.name}: labelled per part without restarted numbering")
            if nums and len(nums) == len(set(nums)):
                # Printed numbers are the labels: every one present, none invented.
                if set(nums) - set(ops) or len(ops) != max(nums):
                    problems.append(f"{path.name}: OP {len(ops)} vs numbered {len(nums)}")
            elif nums and len(ops) < len(nums):
                problems.append(f"{path.name}: restarted numbering lost paragraphs")
            for i, (dpp, dnums) in enumerate(exp.drafts, start=1):
                prefix = "DRAFT-" if i == 1 else f"DRAFT{i}-"
                got_pp = _numbers(_labels(res, re.escape(prefix) + r"PP\d+"))
                got_op = _numbers(_labels(res, re.escape(prefix) + r"OP\d+"))
                if got_pp != list(range(1, dpp + 1)) or sorted(got_op) != sorted(dnums):
                    problems.append(f"{path.name}: {prefix} {len(got_pp)}/{len(got_op)}")
        notes = sum(1 for _ in root.iter(A + "authorialNote"))
        got_notes = sum(len(p.footnotes) for r in resolutions for p in r.paragraphs)
        # A collection repeats its cover page's notes in each resolution's HEADER.
        if got_notes != notes and not (len(resolutions) > 1 and got_notes > notes):
            problems.append(f"{path.name}: footnotes {got_notes} vs {notes}")
    assert not problems, "\n".join(problems[:30])


def test_footnotes_are_all_kept_once(parsed: dict[str, list[Resolution]], corpus: Path) -> None:
    path = next((corpus / "ga-akn").glob("*/A_RES_79_191-*.xml"))
    root = etree.parse(str(path)).getroot()
    xml_notes = [clean_ws("".join(n.itertext())) for n in root.iter(A + "authorialNote")]
    ours = [n for p in parsed[path.name][0].paragraphs for n in p.footnotes]
    assert len(ours) == len(xml_notes)
    assert all(n and not n.startswith(("\t", " ")) for n in ours)


# ---------------------------------------------------------------- known paragraphs


def test_ga_79_154_operative_and_header(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "A_RES_79_154-")
    assert res.symbol == "A/RES/79/154"
    assert res.body == "General Assembly"
    assert res.title == "Trafficking in women and girls"
    assert res.date == "2024-12-17"
    assert res.session == "Seventy-ninth session"
    assert res.agenda_item == "27: Advancement of women"
    op52 = res.paragraph("OP52")
    assert op52 is not None and op52.kind == "operative"
    assert op52.text.startswith(
        "Requests the Secretary-General to submit to the General Assembly at its "
        "eighty-first session a report"
    )
    assert op52.verb == "Requests"
    header = res.paragraph("HEADER")
    assert header is not None and header.kind == "header"
    assert "Agenda item 27 Advancement of women" in header.text
    assert "[on the report of the Third Committee (A/79/451, para. 65)]" in header.text
    # The enacting formula is not a preambular paragraph.
    pp1 = res.paragraph("PP1")
    assert pp1 is not None and not pp1.text.startswith("The General Assembly")


def test_header_carries_committee_and_sponsors(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "A_RES_79_186-")
    header = res.paragraph("HEADER")
    assert header is not None
    assert "Third Committee" in header.text and "A/79/459" in header.text
    assert res.recommended_by is not None and "Third Committee" in res.recommended_by

    res = _res(parsed, "A_RES_79_191-")
    header = res.paragraph("HEADER")
    assert header is not None
    assert (
        "Albania, Bosnia and Herzegovina, Guatemala, Honduras, Japan, Liberia, Mexico and South Africa"
        in header.text
    )
    assert res.sponsors == [
        "Albania", "Bosnia and Herzegovina", "Guatemala", "Honduras",
        "Japan", "Liberia", "Mexico", "South Africa",
    ]  # fmt: skip

    res = _res(parsed, "A_RES_79_137-")
    header = res.paragraph("HEADER")
    assert header is not None and "without reference to a Main Committee (A/79/L.27)" in header.text


def test_ecosoc_2021_25_metadata(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "E_RES_2021_25-")
    assert res.symbol == "E/RES/2021/25"
    assert res.body == "Economic and Social Council"
    assert res.date == "2021-07-22"
    assert res.recommended_by is not None
    assert "Commission on Crime Prevention and Criminal Justice" in res.recommended_by
    header = res.paragraph("HEADER")
    assert header is not None
    assert "Resolution adopted by the Economic and Social Council on 22 July 2021" in header.text
    assert "Commission on Crime Prevention and Criminal Justice" in header.text


def test_special_session_symbol(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "A_RES_S-32_1-")
    assert res.symbol == "A/RES/S-32/1"
    assert res.date == "2021-06-02"
    assert res.session == "Thirty-second special session"


def test_footnote_attached_and_removed(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "E_RES_2024_12-")
    pp2 = res.paragraph("PP2")
    assert pp2 is not None
    assert any("Beijing Rules" in n for n in pp2.footnotes)
    assert "Beijing Rules" not in pp2.text
    assert pp2.verb == "Recalling also"


def test_recommended_draft_is_labelled_draft(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "E_RES_2024_11-")
    labels = [p.label for p in res.paragraphs]
    assert _labels(res, r"OP\d+") == ["OP1"]
    assert _labels(res, r"PP\d+") == []
    assert _labels(res, r"DRAFT-OP\d+") == [f"DRAFT-OP{i}" for i in range(1, 13)]
    assert _labels(res, r"DRAFT-PP\d+") == [f"DRAFT-PP{i}" for i in range(1, 17)]
    assert labels.index("OP1") < labels.index("DRAFT-PP1")
    op1 = res.paragraph("OP1")
    assert op1 is not None
    assert op1.text == (
        "Recommends to the General Assembly the adoption of the following draft resolution:"
    )
    assert op1.footnotes == []
    dpp1 = res.paragraph("DRAFT-PP1")
    assert dpp1 is not None and dpp1.kind == "preambular"
    assert dpp1.text.startswith("Recalling the Universal Declaration of Human Rights")
    assert len(dpp1.footnotes) == 4
    dop1 = res.paragraph("DRAFT-OP1")
    assert dop1 is not None and dop1.kind == "operative" and dop1.verb == "Strongly condemns"

    res = _res(parsed, "E_RES_2022_14-")
    assert _labels(res, r"OP\d+") == ["OP1"]
    assert len(_labels(res, r"DRAFT-PP\d+")) == 31
    assert len(_labels(res, r"DRAFT-OP\d+")) == 22


def test_draft_as_component_statement(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "E_RES_2021_21-")
    assert _labels(res, r"OP\d+") == ["OP1"]
    assert len(_labels(res, r"DRAFT-PP\d+")) == 5
    assert _labels(res, r"DRAFT-OP\d+") == [f"DRAFT-OP{i}" for i in range(1, 9)]


def test_annex_labels(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "A_RES_S-32_1-")
    annex = [p for p in res.paragraphs if p.label.startswith("ANNEX-")]
    assert annex and all(p.kind == "annex" for p in annex)
    assert len(_labels(res, r"ANNEX-OP\d+")) == 86
    # The Pact for the Future carries two annexes: Global Digital Compact, Declaration on Future Generations.
    res = _res(parsed, "A_RES_79_1-")
    assert res.paragraph("ANNEX-OP1") is not None
    annex2 = res.paragraph("ANNEX2-PP1")
    assert annex2 is not None and annex2.text.startswith("Annex II")


def test_unnumbered_paragraph_number_typed_in_text(parsed: dict[str, list[Resolution]]) -> None:
    res = _res(parsed, "A_RES_79_160-")
    op26 = res.paragraph("OP26")
    assert op26 is not None and op26.text.startswith("Condemns without reservation")


def test_document_collection_gives_one_resolution_per_component(
    parsed: dict[str, list[Resolution]],
) -> None:
    name = next(n for n in parsed if n.startswith("A_RES_79_93-"))
    symbols = [r.symbol for r in parsed[name]]
    assert symbols == ["A/RES/79/93 A", "A/RES/79/93 B"]
    assert all(r.paragraph("OP1") is not None for r in parsed[name])


def test_gold_quotes_land_in_the_cited_paragraph(
    parsed: dict[str, list[Resolution]], gold_dir: Path
) -> None:
    """Every gold citation of an XML file: the quote is in that paragraph (text or its footnotes)."""
    checked = 0
    misses: list[str] = []
    for line in (gold_dir / "dev-corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        for exp in item.get("expected") or []:
            if not str(exp.get("source", "")).endswith(".xml"):
                continue
            checked += 1
            resolutions = parsed.get(exp["source"])
            if resolutions is None:
                misses.append(f"{item['id']}: {exp['source']} not parsed")
                continue
            res = next((r for r in resolutions if r.symbol == exp["symbol"]), None)
            if res is None:
                misses.append(f"{item['id']}: symbol {exp['symbol']} not found")
                continue
            para = res.paragraph(exp["paragraph"])
            haystack = clean_ws(" ".join([para.text, *para.footnotes])) if para else ""
            if clean_ws(exp["quote"]) not in haystack:
                misses.append(f"{item['id']}: {exp['symbol']} {exp['paragraph']}")
    assert checked >= 50
    assert not misses, misses


def test_parse_file_dispatches_xml(corpus: Path) -> None:
    path = next((corpus / "ecosoc-akn").glob("*/E_RES_2024_11-*.xml"))
    res = parse_file(path)
    assert res[0].format == "akn" and res[0].source == path.name


# ---------------------------------------------------------------- synthetic documents (no corpus needed)

_MINI = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
 <statement name="resolution">
  <meta><identification source="#x"><FRBRWork>
   <FRBRuri value="/akn/un/statement/deliberation/unga/2030-12-01/85-7/"/>
   <FRBRdate date="2030-12-01" name="adoption"/></FRBRWork></identification>
   <workflow source="#un"><step outcome="draftResolution" as="A/85/L.9" by="Chile, Bosnia and Herzegovina and Norway"/></workflow>
  </meta>
  <coverPage>
   <p><docAuthority refersTo="#publisher">United Nations</docAuthority></p>
   <p><docNumber refersTo="#symbol">A/RES/85/7</docNumber></p>
   <p><docAuthority refersTo="#issuingBody">General Assembly</docAuthority></p>
   <p><docStatus>Distr.: General</docStatus></p>
   <p><session value="85">Eighty-fifth session</session></p>
   <p><inline name="agenda item">Agenda item 12</inline></p>
   <p><inline name="agenda item name">Oceans</inline></p>
   <p><docTitle>Resolution adopted by the General Assembly on 1 December 2030</docTitle></p>
   <p><docProponent>[without reference to a Main Committee (<inline name="originating document">A/85/L.9</inline>)]</docProponent></p>
  </coverPage>
  <preface><p><docNumber>85/7.</docNumber><docTitle>Clean seas</docTitle></p></preface>
  <preamble>
   <formula name="enactingFormula"><p><span class="italic">The General Assembly</span>,</p></formula>
   <container name="Recalling"><p><span class="italic">Recalling</span> the Convention,<authorialNote marker="1"><p>Treaty Series, vol. 1.</p></authorialNote> and its protocols,</p></container>
   <container name="Noting"><p><span class="italic">Noting with concern</span> the state of the seas,</p></container>
  </preamble>
  <mainBody>
   <paragraph><num>1.</num><content><p><span class="italic">Decides</span> to act;</p></content></paragraph>
   <paragraph><num>2.</num><list><intro><p><span class="italic">Requests</span> the Secretary-General:</p></intro>
     <point><num>(a)</num><content><p>To report;</p></content></point>
     <point><num>(b)</num><content><p>To consult;</p></content></point></list></paragraph>
   <paragraph><num>3.</num><content><p><span class="italic">Recommends</span> the following draft:
    <embeddedStructure>
     <container name="formula"><p><span class="italic">The Council</span>,</p></container>
     <container name="Mindful"><p><span class="italic">Mindful</span> of the seas,<authorialNote marker="2"><p>Draft note.</p></authorialNote></p></container>
     <paragraph><num>1.</num><content><p><span class="italic">Welcomes</span> the report;</p></content></paragraph>
    </embeddedStructure></p></content></paragraph>
  </mainBody>
  <attachments><attachment><doc name="annex"><mainBody>
   <paragraph class="H23"><content><p>Annex</p></content></paragraph>
   <paragraph class="H23"><content><p>Plan of action</p></content></paragraph>
   <paragraph><content><p>The States agree as follows:</p></content></paragraph>
   <paragraph><num>1.</num><content><p>Seas shall be clean.</p></content></paragraph>
  </mainBody></doc></attachment></attachments>
 </statement>
</akomaNtoso>
"""


def test_synthetic_document_structure() -> None:
    [res] = parse_akn_bytes(_MINI.encode("utf-8"), "/some/dir/A_RES_85_7.xml")
    assert res.source == "A_RES_85_7.xml"
    assert res.symbol == "A/RES/85/7"
    assert res.date == "2030-12-01"
    assert res.agenda_item == "12: Oceans"
    assert res.recommended_by == "without reference to a Main Committee (A/85/L.9)"
    assert res.sponsors == ["Chile", "Bosnia and Herzegovina", "Norway"]
    labels = [p.label for p in res.paragraphs]
    assert labels == [
        "HEADER", "PP1", "PP2", "OP1", "OP2", "OP3", "DRAFT-PP1", "DRAFT-OP1",
        "ANNEX-PP1", "ANNEX-OP1",
    ]  # fmt: skip
    by = {p.label: p for p in res.paragraphs}
    header = by["HEADER"].text
    assert header.startswith("General Assembly Eighty-fifth session Agenda item 12 Oceans")
    assert "Distr." not in header and "United Nations" not in header
    assert "A/RES/85/7" in header and "Clean seas" in header and "Chile" in header
    assert by["PP1"].text == "Recalling the Convention, and its protocols,"
    assert by["PP1"].footnotes == ["Treaty Series, vol. 1."]
    assert by["PP2"].verb == "Noting with concern"
    assert by["OP2"].text == "Requests the Secretary-General: (a) To report; (b) To consult;"
    assert by["OP3"].text == "Recommends the following draft:"
    assert by["OP3"].footnotes == []
    assert by["DRAFT-PP1"].footnotes == ["Draft note."]
    assert by["DRAFT-OP1"].text == "Welcomes the report;"
    assert by["ANNEX-PP1"].text == "Annex Plan of action The States agree as follows:"
    assert by["ANNEX-OP1"].kind == "annex"


def test_split_sponsor_names() -> None:
    assert split_names(
        "Albania, Belgium (on behalf of A, B and C), the Dominican Republic and Trinidad and Tobago"
    ) == [
        "Albania",
        "Belgium (on behalf of A, B and C)",
        "Dominican Republic",
        "Trinidad and Tobago",
    ]


# ---------------------------------------------------------------- hostile and broken input

_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><statement><mainBody>
<paragraph><num>1.</num><content><p>&lol9;</p></content></paragraph></mainBody></statement></akomaNtoso>
"""

_XXE = """<?xml version="1.0"?>
<!DOCTYPE akomaNtoso [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY net SYSTEM "http://203.0.113.1/x"> ]>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><statement><mainBody>
<paragraph><num>1.</num><content><p>&xxe; &net;</p></content></paragraph></mainBody></statement></akomaNtoso>
"""


@pytest.mark.parametrize(
    ("payload", "encoding"),
    [
        (_LAUGHS, "utf-8"),
        (_XXE, "utf-8"),
        (_LAUGHS.replace('"1.0"?', '"1.0" encoding="UTF-16"?'), "utf-16"),
    ],
    ids=["billion-laughs", "external-entity", "billion-laughs-utf16"],
)
def test_entity_attacks_fail_fast(tmp_path: Path, payload: str, encoding: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(payload.encode(encoding))
    with pytest.raises(ParseError) as info:
        parse_akn_file(path)
    message = str(info.value)
    assert "entity" in message.lower() and "\n" not in message


def test_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    # A DTD reference alone is harmless as long as it is never fetched: the
    # (missing) file would make loading fail, so parsing proves it was ignored.
    doc = _MINI.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE akomaNtoso SYSTEM "/nonexistent/dir/evil.dtd">',
    )
    path = tmp_path / "dtd.xml"
    path.write_text(doc, encoding="utf-8")
    [res] = parse_akn_file(path)
    assert res.symbol == "A/RES/85/7"


def test_malformed_xml_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(_MINI[: len(_MINI) // 2], encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_akn_file(path)
    message = str(info.value)
    assert message.startswith("malformed XML: ") and "\n" not in message and len(message) < 200


@pytest.mark.parametrize("content", [b"", b"  \n\t "], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(content)
    with pytest.raises(ParseError, match="^empty file$"):
        parse_akn_file(path)


def test_xml_that_is_not_akoma_ntoso(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    with pytest.raises(ParseError, match="^not an Akoma Ntoso document$"):
        parse_akn_file(path)


@pytest.mark.parametrize("payload", [_LAUGHS, _XXE], ids=["billion-laughs", "external-entity"])
def test_parser_itself_refuses_entities(payload: str) -> None:
    """Second line of defence: past the byte pre-scan, libxml2's settings still hold."""
    from ingest.parsers.akn import parse_without_entities

    with pytest.raises(ParseError):
        parse_without_entities(payload.encode("utf-8"))


# ---------------------------------------------------------------- nothing left behind


def test_no_text_block_is_lost_in_any_english_akn_file(
    parsed: dict[str, list[Resolution]], corpus: Path
) -> None:
    """Every <p> of every preamble, body, draft and annex lands in some paragraph.

    The files of ``parsed`` plus ``ga-akn-history`` (multi-part texts such as
    A/RES/77/118 sit there): all English AKN files, about 1,200, in seconds.
    """
    history = sorted((corpus / "ga-akn-history").glob("*/*.xml"))
    results = dict(parsed)
    for path in history:
        if path.name not in results:
            results[path.name] = parse_akn_file(path)
    lost: list[str] = []
    blocks = 0
    for name, resolutions in results.items():
        for res in resolutions:
            assert res.completeness is not None, name
            blocks += res.completeness.blocks
            if res.completeness.lost:
                lost.append(res.completeness.warning(f"{res.doc_id} ({name})"))
    assert blocks > 50_000 if history else blocks > 10_000
    assert not lost, "\n".join(lost)


def test_omnibus_budget_resolution_is_labelled_per_part(corpus: Path) -> None:
    path = next((corpus / "ga-akn").glob("79session/A_RES_79_258-*.xml"), None)
    if path is None:
        pytest.skip("A/RES/79/258 not in the corpus")
    [res] = parse_akn_file(path)
    by = {p.label: p for p in res.paragraphs}
    assert by["II-OP3"].text.startswith("Reaffirms the high priority")
    assert by["II-OP3"].section == (
        "II. Request for a subvention to the Residual Special Court for Sierra Leone"
    )
    assert by["I-PP2"].text.startswith("Having considered")
    assert not any(re.fullmatch(r"OP\d+", p.label) for p in res.paragraphs)


def test_sustainable_fisheries_keeps_both_preambles_and_its_sections(corpus: Path) -> None:
    path = next((corpus / "ga-akn-history").glob("77session/A_RES_77_118-*.xml"), None)
    if path is None:
        pytest.skip("A/RES/77/118 not in the corpus")
    [res] = parse_akn_file(path)
    pps = [p for p in res.paragraphs if p.kind == "preambular"]
    ops = [p for p in res.paragraphs if p.kind == "operative"]
    # 69 containers, the body paragraph that splits the preamble, 19 more containers.
    assert len(pps) == 89 and pps[-1].text.startswith("Noting the ongoing work")
    assert pps[69].text.startswith("Calling attention also")
    assert [p.label for p in ops] == [f"OP{i}" for i in range(1, len(ops) + 1)]
    assert ops[0].section == "I. Achieving sustainable fisheries"
    assert res.completeness is not None and res.completeness.lost == []

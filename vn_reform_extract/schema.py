"""The output contract of ``extract``; field names are public API. Every field is
documented in docs/SCHEMA.md and by its description here (``vnre schema``)."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = "1"

AgencyKind = Literal[
    "government", "ministry", "ministerial_agency", "government_agency",
    "peoples_committee", "peoples_council", "party_committee", "department",
    "front", "steering_committee", "service_center", "other",
]
Level = Literal["central", "provincial", "district", "commune"]
FactKind = Literal["percent", "score", "rank", "count", "money"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sentence(_Model):
    """A sentence of the article (headings and list items count as sentences)."""
    start: int = Field(description="offset of the first character in the original text")
    end: int = Field(description="offset just after the last character (text[start:end] is the sentence)")


class Mention(_Model):
    """Something found at one place of the text."""
    text: str = Field(description="the mention as written: text[start:end] of the original text")
    start: int = Field(description="character offset of the mention in the original text (Python string index)")
    end: int = Field(description="character offset just after the mention")
    rule: str = Field("", description="pattern name or gazetteer entry that produced this item")


class ProvinceMention(Mention):
    """A province or centrally governed city named in the text, one per mention."""
    code: str = Field(description='two-digit official code before the 1 July 2025 merger ("01" Hà Nội, "74" Bình Dương)')
    name: str = Field(description='canonical name without the type word ("Bình Dương", "Hồ Chí Minh")')
    kind: Literal["tỉnh", "thành phố"] = Field(description='"tỉnh" (province) or "thành phố" (centrally governed city)')
    region: Optional[str] = Field(None, description='socio-economic region ("Đông Nam Bộ"), when known')
    merged_2025_code: Optional[str] = Field(None, description="code of the provincial unit it belongs to from 1 July 2025")
    merged_2025_name: Optional[str] = Field(None, description="name of the provincial unit it belongs to from 1 July 2025")


class AgencyMention(Mention):
    """A government, Party or front body named in the text, one per mention."""
    name: str = Field(description="canonical full Vietnamese name, abbreviations expanded, the province appended "
                                  'for local bodies ("Ủy ban nhân dân tỉnh Bình Dương")')
    kind: AgencyKind = Field(description='type of body: "government", "ministry", "ministerial_agency", '
                                         '"government_agency", "peoples_committee", "peoples_council", '
                                         '"party_committee", "department", "front", "steering_committee", '
                                         '"service_center" or "other"')
    level: Level = Field(description='"central", "provincial", "district" or "commune"')
    province_code: Optional[str] = Field(None, description="province of a local body (ProvinceMention code), else null")
    ministry: Optional[str] = Field(None, description="canonical name of the ministry a body belongs to, else null")


class Span(_Model):
    """One place where an official is named."""
    start: int = Field(description="character offset of the name in the original text")
    end: int = Field(description="character offset just after the name")
    text: str = Field("", description="the name as written there")


class Official(_Model):
    """A person holding a public position, one per distinct person in the article."""
    name: str = Field(description="full name as written, NFC and single spaces")
    titles: list[str] = Field(default_factory=list, description="positions stated for the person, in text order, as written")
    agency: Optional[str] = Field(None, description="canonical name of the body the first title belongs to, when known")
    province_code: Optional[str] = Field(None, description="province of that body, for a local official")
    honorific: Optional[Literal["ông", "bà", "đồng chí"]] = Field(
        None, description='"ông", "bà" or "đồng chí" when the text uses one, else null')
    mentions: list[Span] = Field(default_factory=list, description="every place the person is named, in text order")
    rule: str = Field("", description="pattern that found the person (first mention)")


class Author(_Model):
    """A reporter's byline or a photo credit (not an official)."""
    name: str = Field(description="the credited name")
    role: Literal["byline", "photo"] = Field("byline", description='"byline" (writer) or "photo" (photo credit)')
    start: int = Field(description="character offset of the name in the original text")
    end: int = Field(description="character offset just after the name")


class DateMention(Mention):
    """A date, month, quarter, year, interval or relative date phrase, one per mention."""
    value: str = Field(description='ISO 8601 text: "2022-10-28", "2022-10", "2022", "2023-Q4"; an interval as '
                                   '"2021/2030" or "2022-04-30/2022-05-01"; "XXXX-10-28" when the year cannot be inferred')
    granularity: Literal["day", "month", "quarter", "year", "interval", "half", "time"] = Field(
        "day", description='precision of value: "day", "month", "quarter", "half", "year" or "interval" '
                           '("time" is reserved for clock times, which are not reported on their own)')
    year_inferred: bool = Field(False, description="true when the year is not written and was taken from "
                                                   "published or the nearest explicit year before it")


class NumericFact(Mention):
    """A number that reports something: percent, score, rank, count or money, one per fact."""
    kind: FactKind = Field(description='"percent", "score", "rank", "count" or "money"')
    value: float = Field(description='the number in plain units ("1.159" -> 1159, "87,87" -> 87.87, '
                                     '"1,2 triệu" -> 1200000; money in units of the currency)')
    out_of: Optional[float] = Field(None, description='denominator where written ("13/63" -> 63, "87,87/100 điểm" -> 100)')
    unit: Optional[str] = Field(None, description="thing counted as written for counts; ISO 4217 code for money; else null")
    metric: Optional[str] = Field(None, description='what is measured when the sentence names it ("Chỉ số cải cách hành chính")')
    metric_id: Optional[str] = Field(None, description="canonical id of the governance indicator the fact "
                                     "reports (gazetteers/indicators.csv: par_index, sipas, pci, ...), else null")
    province_code: Optional[str] = Field(None, description="province the fact is about, when the sentence or article says")
    period: Optional[str] = Field(None, description="DateMention-style value of the time the fact refers to, or null")
    target: bool = Field(False, description='true for goals and plans ("phấn đấu", "mục tiêu"), false for reported results')
    qualifier: Optional[str] = Field(None, description='approximation or bound written before the number '
                                                       '("khoảng", "trên", "gần"), lower case, else null')
    bound: Optional[Literal["from", "to"]] = Field(
        None, description='which end of a written range this fact is ("5-10%": 5 is "from", 10 is "to"); '
                          'null for a single number')
    subject: Optional[str] = Field(
        None, description='the place a ranked value belongs to, as written, when a ranking table or list '
                          'names it ("1. Đà Nẵng" -> "Đà Nẵng", "Malaysia 29" -> "Malaysia")')
    range_id: Optional[int] = Field(
        None, description="shared by the two bounds of one range (1, 2, ... in article order), so that sums "
                          "and averages count a range once; null for a single number")


class LegalRef(Mention):
    """A cited legal document with a number, one per distinct document."""
    doc_type: str = Field(description='type of document as written in full ("Nghị quyết", "Quyết định", "Nghị định")')
    number: Optional[str] = Field(None, description='document number ("76/NQ-CP")')
    date: Optional[str] = Field(None, description="signing date (ISO) when the text gives it")
    issuer: Optional[str] = Field(None, description='issuing body, from the text or the code after the slash '
                                                    '("NQ-CP" -> "Chính phủ")')


class LocalityMention(Mention):
    """A commune, ward, special zone, or (before 1 July 2025) district, town or provincial
    city named in the text, one per mention."""
    name: str = Field(description='the unit\'s name without its type word ("Bến Thành")')
    kind: Literal["xã", "phường", "đặc khu", "thị trấn", "huyện", "quận", "thị xã", "thành phố thuộc tỉnh"] = Field(
        description='"xã", "phường", "đặc khu", "thị trấn", "huyện", "quận", "thị xã" or "thành phố thuộc tỉnh"')
    era: Literal["pre-2025", "2025"] = Field(description='the administrative map the name belongs to: '
                                                         '"pre-2025" or "2025"')
    code: Optional[str] = Field(None, description="official unit code where the gazetteer has one, else null")
    province_code: Optional[str] = Field(None, description="the 63-era province (null for a 2025 unit that "
                                                           "straddles old provinces)")
    merged_2025_code: Optional[str] = Field(None, description="code of the unit it belongs to on the 2025 map")
    merged_2025_name: Optional[str] = Field(None, description="name of the unit it belongs to on the 2025 map")
    merged_2025_province_code: Optional[str] = Field(None, description="the province it belongs to on the 2025 map")


class Article(_Model):
    """Everything ``extract`` found in one article. Offsets point into the text passed to ``extract``."""
    schema_version: str = Field(SCHEMA_VERSION, description="version of this output contract")
    gazetteer_version: str = Field("", description="hash of the gazetteer data used (changes when the data change)")
    source: Optional[str] = Field(None, description="the source argument of extract (input file in batch mode), or null")
    published: Optional[str] = Field(None, description="publication date (ISO), as given or found in the article header")
    sentences: list[Sentence] = Field(default_factory=list, description="sentence boundaries, in text order")
    provinces: list[ProvinceMention] = Field(default_factory=list, description="province mentions, in text order")
    agencies: list[AgencyMention] = Field(default_factory=list, description="agency mentions, in text order")
    officials: list[Official] = Field(default_factory=list, description="officials, one per distinct person")
    authors: list[Author] = Field(default_factory=list, description="bylines and photo credits")
    dates: list[DateMention] = Field(default_factory=list, description="date mentions, in text order")
    facts: list[NumericFact] = Field(default_factory=list, description="numeric facts, in text order")
    legal_refs: list[LegalRef] = Field(default_factory=list, description="cited legal documents, one per document")
    localities: list[LocalityMention] = Field(default_factory=list, description="commune, ward and district "
                                              "mentions, in text order")
    _text: Optional[str] = PrivateAttr(default=None)

    def _repr_html_(self) -> str:  # notebooks
        from .visualize import render_html
        return render_html(self, full=False)

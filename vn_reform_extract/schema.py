"""The output contract of ``extract`` (see SCHEMA.md); field names are public API."""
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
    start: int
    end: int


class Mention(_Model):
    text: str
    start: int
    end: int
    rule: str = Field("", description="pattern name or gazetteer entry that produced this item")


class ProvinceMention(Mention):
    code: str
    name: str
    kind: Literal["tỉnh", "thành phố"]
    region: Optional[str] = None
    merged_2025_code: Optional[str] = None
    merged_2025_name: Optional[str] = None


class AgencyMention(Mention):
    name: str
    kind: AgencyKind
    level: Level
    province_code: Optional[str] = None
    ministry: Optional[str] = None


class Span(_Model):
    start: int
    end: int
    text: str = ""


class Official(_Model):
    name: str
    titles: list[str] = Field(default_factory=list)
    agency: Optional[str] = None
    province_code: Optional[str] = None
    honorific: Optional[Literal["ông", "bà", "đồng chí"]] = None
    mentions: list[Span] = Field(default_factory=list)
    rule: str = ""


class Author(_Model):
    name: str
    role: Literal["byline", "photo"] = "byline"
    start: int
    end: int


class DateMention(Mention):
    value: str
    granularity: Literal["day", "month", "quarter", "year", "interval", "half", "time"] = "day"
    year_inferred: bool = False


class NumericFact(Mention):
    kind: FactKind
    value: float
    out_of: Optional[float] = None
    unit: Optional[str] = None
    metric: Optional[str] = None
    metric_id: Optional[str] = Field(None, description="canonical id of the governance indicator the fact "
                                     "reports (gazetteers/indicators.csv: par_index, sipas, pci, ...), else null")
    province_code: Optional[str] = None
    period: Optional[str] = None
    target: bool = False
    qualifier: Optional[str] = None
    bound: Optional[Literal["from", "to"]] = Field(
        None, description='which end of a written range this fact is ("5-10%": 5 is "from", 10 is "to"); '
                          'null for a single number')
    range_id: Optional[int] = Field(
        None, description="shared by the two bounds of one range (1, 2, ... in article order), so that sums "
                          "and averages count a range once; null for a single number")


class LegalRef(Mention):
    doc_type: str
    number: Optional[str] = None
    date: Optional[str] = None
    issuer: Optional[str] = None


class LocalityMention(Mention):
    name: str
    kind: Literal["xã", "phường", "đặc khu", "thị trấn", "huyện", "quận", "thị xã", "thành phố thuộc tỉnh"]
    era: Literal["pre-2025", "2025"]
    code: Optional[str] = None
    province_code: Optional[str] = None
    merged_2025_code: Optional[str] = None
    merged_2025_name: Optional[str] = None
    merged_2025_province_code: Optional[str] = None


class Article(_Model):
    schema_version: str = SCHEMA_VERSION
    gazetteer_version: str = ""
    source: Optional[str] = None
    published: Optional[str] = None
    sentences: list[Sentence] = Field(default_factory=list)
    provinces: list[ProvinceMention] = Field(default_factory=list)
    agencies: list[AgencyMention] = Field(default_factory=list)
    officials: list[Official] = Field(default_factory=list)
    authors: list[Author] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    facts: list[NumericFact] = Field(default_factory=list)
    legal_refs: list[LegalRef] = Field(default_factory=list)
    localities: list[LocalityMention] = Field(default_factory=list)
    _text: Optional[str] = PrivateAttr(default=None)

    def _repr_html_(self) -> str:  # notebooks
        from .visualize import render_html
        return render_html(self)

"""Tokens and the small text shapes the passes share, named by what they mean.
The Vietnamese word lists (stop words, appointment verbs, body words ...) are rule data
in patterns/officials.yaml; these are punctuation and capitalization shapes."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterator, Optional

import regex

# a token: an abbreviation with its dot ("TP.", "PGS."), a word (with inner "." "&" "/"
# "-": "TP.HCM", "NN&PTNT", "Covid-19"), or one other character
TOKEN = regex.compile(
    r"(?:TP|Tp|TX|Q|P|TT|GS|PGS|TS|ThS|BS)\.(?=\s*\p{Lu})"
    r"|[\p{L}\p{M}\p{N}]+(?:[.&'’/][\p{L}\p{M}\p{N}]+|-(?=[\p{L}\p{M}\p{N}])[\p{L}\p{M}\p{N}]+)*"
    r"|\S")
WORD = regex.compile(r"\S+")
# the longest position the scans take, in tokens
MAX_TITLE_TOKENS = 18

# --- names
# a syllable of a name; "A" stands inside names of ethnic minorities ("Hầu A Lềnh", "Giàng A Chu")
NAME_SYLLABLE = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]+|A")
NAME_SYLLABLE_NEXT = regex.compile(r" \p{Lu}[\p{Ll}\p{M}]")  # a mention continues into a longer name
SPACE_THEN_CAPITAL = regex.compile(r" (?=\p{Lu})")
SPACE_THEN_LOWER = regex.compile(r" \p{Ll}")
CAPITAL_HONORIFICS = frozenset({"Ông", "Bà"})  # a new sentence, never a name syllable
TWO_WORDS_BEFORE = regex.compile(r"(?:([\p{L}\p{M}]+) )?([\p{L}\p{M}]+)\s+$")
LAST_WORD_BEFORE = regex.compile(r"(?<![\p{L}\p{M}])[\p{L}\p{M}&.]+$")
LAST_TOKEN = regex.compile(r"(\S+)\s*$")
# a capitalized name right after / right before a position (where the NER proposer looks)
NAME_AFTER = regex.compile(r"[\s,]*\p{Lu}[\p{Ll}\p{M}]+ \p{Lu}")
NAME_BEFORE_SEPARATOR = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]+\s*(?:,|\s[-–—]|\()\s*$")

# --- separators between a name and its positions, and between positions
PUNCT_ENDING_POSITION = set('.:;!?"“”‘’…|[]{}')
DASHES = {"-", "–", "—"}
SEPARATOR_AFTER_NAME = regex.compile(r"\s*(?:[,\-–—(]|\s)\s*")      # "X, Phó ..." "X - Phó" "X (Phó"
SEPARATOR_MARK = regex.compile(r"[,\-–—(]")
SEPARATOR_BEFORE_HONORIFIC = regex.compile(r"(?:\s*[,\-–—]\s*|\s+đối với\s+|\s+)$")  # "<position>, ông X"
BETWEEN_POSITIONS = regex.compile(r"\s*[,;]\s*")
COMMA = regex.compile(r"\s*,\s*")
COMMA_OR_SPACES = regex.compile(r"[\s,]*")
SPACES = regex.compile(r"\s*")
DIGIT = regex.compile(r"\d")
# a comma inside a body that lists its fields: "Ủy ban Quốc phòng, An ninh và Đối ngoại"
FIELDS_OF_A_BODY = regex.compile(r",[ ]*(?P<w>\p{Lu}[\p{Ll}\p{M}]*)(?:,? \p{L}[\p{Ll}\p{M}]*){0,6}? và \p{Lu}")
# punctuation and joiners a position never ends with
TRAILING_JOINERS = regex.compile(r"(?:[\s,;:\-–—]|(?<![\p{L}\p{M}])(?:của|và)$)+$")


def is_letter(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c).startswith("M")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str


def tokenize(text: str, start: int, end: int, limit: int = MAX_TITLE_TOKENS + 8) -> "Tokens":
    """Tokens of text[start:end]; the scans never look further than a few titles ahead."""
    return Tokens(islice(TOKEN.finditer(text, start, end), limit))


_READ_AHEAD = 6


class Tokens:
    """The tokens of a window, read from the text only as far as a scan asks: most scans
    stop after a few words of a window of up to ``MAX_TITLE_TOKENS + 8``. ``items`` holds
    those read so far; ``has(i)`` reads up to token ``i`` and says whether it exists.
    ``len()``, slices and negative indexes read the whole window."""
    __slots__ = ("items", "_matches")

    def __init__(self, matches: Any) -> None:
        self.items: list[Token] = []
        self._matches = matches

    @classmethod
    def of(cls, items: list[Token]) -> "Tokens":
        toks = cls(None)
        toks.items = items
        return toks

    def has(self, i: int) -> bool:
        items = self.items
        if i < len(items):
            return True
        if self._matches is None:
            return False
        # a few tokens at a time: one step of a scan often asks for the next ones
        need = max(i + 1 - len(items), _READ_AHEAD)
        got = [Token(m.start(), m.end(), m.group()) for m in islice(self._matches, need)]
        if len(got) < need:
            self._matches = None
        items.extend(got)
        return i < len(items)

    def get(self, i: int) -> Optional[Token]:
        return self.items[i] if self.has(i) else None

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice) or i < 0:
            self.has(MAX_TITLE_TOKENS * 1000)
        else:
            self.has(i)
        return self.items[i]

    def __len__(self) -> int:
        self.has(MAX_TITLE_TOKENS * 1000)
        return len(self.items)

    def __iter__(self) -> Iterator[Token]:
        i = 0
        while self.has(i):
            yield self.items[i]
            i += 1

"""The text as the extractors see it, and the single way back to the caller's offsets.

Extractors work on ``Document.text``: NFC, CRLF folded to ``\\n``, odd spaces folded to
one ASCII space, zero-width characters dropped. ``Document.mention`` converts a view
span to the caller's offsets and slices the caller's string, so ``text[start:end]``
is always the mention as written.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional, Sequence

import regex

from .trie import matches_at

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_SPACES = {"\u00a0", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
           "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000", "\t", "\x0b", "\x0c"}
_CLUSTER = regex.compile(r"\P{M}\p{M}*|\p{M}+", regex.DOTALL)

# Page chrome lines: they end the sentence before them and start none of their own.
_CHROME = regex.compile(
    r"^\s*(?:Cỡ chữ|Lượt (?:người )?xem|Lượt đọc|Chia sẻ|In bài|Gửi bài|Bình luận|Theo dõi|"
    r"Trang chủ|Tin liên quan|Xem thêm|Truy cập nội dung|Print|Email)\b.*$",
    regex.IGNORECASE | regex.MULTILINE,
)
# the end punctuation is matched, not looked behind for: the scan then jumps from one
# such character to the next
_SENT_END = regex.compile(r"[.!?…][\"”’)\]]*\s+(?=[\"“‘(\[]?[\p{Lu}\d])")


# plain re: its search for a set of characters is several times faster over a whole text
_NEEDS_MAPPING = re.compile("[\r" + "".join(sorted(_ZERO_WIDTH | _SPACES)) + "]")
# characters that map to themselves one to one: no mark, none of the above, no mark after,
# not the \n of a \r\n
_PLAIN_RUN = regex.compile("(?:(?:[^\\p{M}\r\n" + "".join(sorted(_ZERO_WIDTH | _SPACES)) + "]|(?<!\r)\n)(?!\\p{M}))+")


def build_view(original: str) -> tuple[str, Optional[Sequence[int]], Optional[Sequence[int]]]:
    """Return (view, starts, ends): view char j came from original[starts[j]:ends[j]].

    Most news text is already NFC with plain spaces: then the view is the text itself and
    the maps are None (identity). Otherwise runs of characters that need no change are
    copied whole and only the clusters around them are normalized one by one."""
    if unicodedata.is_normalized("NFC", original) and not _NEEDS_MAPPING.search(original):
        return original, None, None
    out: list[str] = []
    code = "i" if len(original) < 2 ** 31 else "q"
    starts, ends = array(code), array(code)
    pos = 0
    for m in _PLAIN_RUN.finditer(original):
        s, e = m.span()
        if s > pos:
            _add_clusters(original, pos, s, out, starts, ends)
        run = m.group()
        if run.isascii() or unicodedata.normalize("NFC", run) == run:
            out.append(run)
            starts.extend(range(s, e))
            ends.extend(range(s + 1, e + 1))
        else:
            _add_clusters(original, s, e, out, starts, ends)
        pos = e
    if pos < len(original):
        _add_clusters(original, pos, len(original), out, starts, ends)
    return "".join(out), starts, ends


def _add_clusters(original: str, a: int, b: int, out: list[str], starts: Any, ends: Any) -> None:
    """The view of original[a:b], one grapheme cluster at a time."""
    for m in _CLUSTER.finditer(original, a, b):
        chunk = m.group()
        s, e = m.span()
        if chunk == "\r":
            if e < len(original) and original[e] == "\n":
                continue  # the \n that follows stands for both
            chunk = "\n"
        elif chunk in _ZERO_WIDTH:
            continue
        elif chunk in _SPACES:
            chunk = " "
        elif not chunk.isascii():
            chunk = unicodedata.normalize("NFC", chunk)
            if chunk and unicodedata.category(chunk[0]) == "Mn" and out:
                # stray combining marks: keep them attached to nothing (dropped from view)
                continue
        if chunk == "\n" and s > 0 and original[s - 1] == "\r":
            s = s - 1
        if chunk:
            out.append(chunk)
            starts.extend([s] * len(chunk))
            ends.extend([e] * len(chunk))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences as view spans. Lines (paragraphs, captions, "|" rows) never join."""
    spans: list[tuple[int, int]] = []
    for line in _LINES.finditer(text):
        ls, le = line.span()
        seg = text[ls:le]
        if not seg.strip() or _CHROME.match(seg):
            continue
        cut = ls
        for m in _SENT_END.finditer(seg):
            end = ls + m.start() + 1
            if _is_abbrev_end(text, end):
                continue
            _add(spans, text, cut, end)
            cut = ls + m.end()
        _add(spans, text, cut, le)
    return spans


# the capital first, then the look behind it: most positions fail at once
_CAP_WORD = regex.compile(r"\p{Lu}(?<![\p{L}\p{M}\d_]\p{Lu})[\p{L}\p{M}&]*")
_NUMBER_START = regex.compile(r"(?<!\d[.,])\d+")
_LAST_WORD = regex.compile(r"(\S+)$")
_ABBREV = regex.compile(r"(?:TP|Tp|TS|ThS|Th\.S|PGS|GS|Mr|Ms|Dr|St|[\p{Lu}])\.")
_LINES = regex.compile(r"[^\n|]+")


def _is_abbrev_end(text: str, end: int) -> bool:
    # "TP." / "TS." / "Th.S." / single initials before a period do not end a sentence
    word = _LAST_WORD.search(text, max(0, end - 8), end)
    return bool(word and _ABBREV.fullmatch(word.group(1)))


def _add(spans: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))


def first_words(entries) -> frozenset:
    """Lower-cased first capitalized word of each entry, as ``Document.cap_words`` cuts them;
    an entry that does not start with a capital is left out (the caller scans for it)."""
    out = set()
    for e in entries:
        m = _CAP_WORD.match(e)
        if m:
            out.add(m.group().lower())
    return frozenset(out)


class TextTooLong(ValueError):
    """A text over the ``max_chars`` limit of ``extract``; raised before any work on it."""

    def __init__(self, n_chars: int, limit: int) -> None:
        super().__init__(f"text has {n_chars} characters; the limit is {limit} (max_chars)")
        self.n_chars = n_chars
        self.limit = limit


@dataclass
class Document:
    original: str
    text: str
    starts: Optional[Sequence[int]]
    ends: Optional[Sequence[int]]
    sentences: list[tuple[int, int]]
    published: Optional[date] = None
    source: Optional[str] = None
    # filled by extractors for the ones after them (main province, agencies, dates ...)
    context: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: Any, published: Optional[date] = None, source: Optional[str] = None,
                  max_chars: Optional[int] = None) -> "Document":
        if not isinstance(text, str):
            if isinstance(text, (bytes, bytearray)):
                raise TypeError("extract() needs a str; decode the bytes first (e.g. data.decode('utf-8'))")
            raise TypeError(f"extract() needs a str, got {type(text).__name__}")
        if max_chars is not None and len(text) > max_chars:
            raise TextTooLong(len(text), max_chars)  # before the view and its offset maps
        view, starts, ends = build_view(text)
        return cls(text, view, starts, ends, split_sentences(view), published, source)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None:
            return start, max(start, end)
        if end <= start:
            o = self.starts[start] if start < len(self.starts) else len(self.original)
            return o, o
        return self.starts[start], self.ends[end - 1]

    def mention(self, start: int, end: int) -> dict[str, Any]:
        """``text``/``start``/``end`` in the caller's coordinates for a view span."""
        s, e = self.original_span(start, end)
        return {"text": self.original[s:e], "start": s, "end": e}

    def cap_words(self) -> list[tuple[int, str]]:
        """(start, word) of every capitalized word of the view, computed once."""
        words = self.context.get("_cap_words")
        if words is None:
            words = [(m.start(), m.group()) for m in _CAP_WORD.finditer(self.text)]
            self.context["_cap_words"] = words
        return words

    def cap_words_in(self, words: Any) -> list[tuple[int, str]]:
        """(start, word in lower case) of the capitalized words whose lower case is in
        ``words``, in text order."""
        return [(p, w) for (p, _), w in zip(self.cap_words(), self.cap_words_lower()) if w in words]

    def cap_words_lower(self) -> list[str]:
        """The words of ``cap_words`` in lower case, computed once (in one call: a newline
        is in no word)."""
        lowered = self.context.get("_cap_words_lower")
        if lowered is None:
            lowered = "\n".join(w for _, w in self.cap_words()).lower().split("\n")
            self.context["_cap_words_lower"] = lowered
        return lowered

    def number_starts(self) -> list[int]:
        """Where numbers start (a run of digits not right after "1." or "87,"), computed once:
        the only places where patterns that open with a digit can match."""
        starts = self.context.get("_number_starts")
        if starts is None:
            starts = [m.start() for m in _NUMBER_START.finditer(self.text)]
            self.context["_number_starts"] = starts
        return starts

    def matches_at_cap_words(self, rx: Any, first_words: frozenset) -> list[Any]:
        """Non-overlapping matches of ``rx`` tried only at capitalized words whose lower
        case is in ``first_words``: for gazetteer patterns whose entries all start with a
        capital, a few hundred tries instead of one at every position."""
        return matches_at(rx, self.text, [p for p, _ in self.cap_words_in(first_words)])

    def sentence_of(self, pos: int) -> tuple[int, int]:
        import bisect
        i = bisect.bisect_right(self.sentences, (pos, float("inf"))) - 1
        if i >= 0 and self.sentences[i][0] <= pos < self.sentences[i][1]:
            return self.sentences[i]
        return (pos, pos)

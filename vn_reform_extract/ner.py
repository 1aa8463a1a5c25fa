"""Statistical person names from underthesea's NER, on small spans only.

``persons(text, start, end)`` runs ``underthesea.ner`` on ``text[start:end]`` (a
sentence), caches the result per distinct span text, and maps its tokens back to
offsets of ``text``. underthesea is slow (~20k chars/s), so callers pass only the few
sentences that need it.
"""
from __future__ import annotations

from functools import lru_cache

_MAX_SPAN = 600


@lru_cache(maxsize=1)
def _ner_fn():
    try:
        from underthesea import ner  # type: ignore
    except Exception:  # pragma: no cover - optional dependency
        return None
    return ner


@lru_cache(maxsize=4096)
def _tagged(span: str) -> tuple[tuple[str, str], ...]:
    fn = _ner_fn()
    if fn is None or not span.strip():
        return ()
    try:
        rows = fn(span)
    except Exception:  # pragma: no cover - model errors never break extraction
        return ()
    return tuple((r[0], r[-1]) for r in rows)


def _align(span: str, tokens: tuple[tuple[str, str], ...]) -> list[tuple[int, int, str]]:
    """(start, end, tag) of each token inside ``span``; tokens that cannot be found are skipped."""
    out = []
    pos = 0
    for tok, tag in tokens:
        i = span.find(tok, pos)
        if i < 0:
            # underthesea may rejoin syllables with single spaces: match on a squeezed form
            parts = tok.split()
            if not parts:
                continue
            i = span.find(parts[0], pos)
            if i < 0 or i - pos > 40:
                continue
            j, k = i, 0
            ok = True
            for part in parts:
                j2 = span.find(part, j)
                if j2 < 0 or (k and span[j:j2].strip()):
                    ok = False
                    break
                j = j2 + len(part)
                k += 1
            if not ok:
                continue
            out.append((i, j, tag))
            pos = j
            continue
        out.append((i, i + len(tok), tag))
        pos = i + len(tok)
    return out


def entities(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, type) of the entities underthesea finds in text[start:end]."""
    if end - start > _MAX_SPAN:
        end = start + _MAX_SPAN
    span = text[start:end]
    out: list[tuple[int, int, str]] = []
    cur = None
    for s, e, tag in _align(span, _tagged(span)):
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            if cur:
                out.append(cur)
            cur = [s, e, tag[2:]]
        elif tag.startswith("I-") and cur is not None:
            cur[1] = e
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return [(start + s, start + e, t) for s, e, t in out]


def persons(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(s, e) for s, e, t in entities(text, start, end) if t == "PER"]

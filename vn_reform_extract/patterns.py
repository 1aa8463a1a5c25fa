"""Rule data in ``patterns/*.yaml``: macros, named regex rules and their example tables.

A file looks like::

    field: facts              # the Article list its examples are checked against
    macros: {num: '\\d+(?:[.,]\\d+)*'}
    rules:
      - name: rank-xep-hang
        pattern: 'xếp hạng (?P<value>{num})/(?P<out_of>{num})'
        examples:
          - text: "xếp hạng 13/63"
            expect: {kind: rank, value: 13, out_of: 63}
        negative: ["ngày 13/6"]

Macros may use other macros and the shared ones in ``patterns/_macros.yaml``, plus
``{currency}`` generated from ``gazetteers/currencies.csv``.
Rules are compiled at first use and cached once per process.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Optional

import regex
import yaml

from .trie import anchored_pattern

_SIMPLE_CASE = "(?-f)"
_MACRO = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")


def data_dir(name: str) -> Path:
    """The data folder ``patterns`` or ``gazetteers``: ``VNRE_<NAME>_DIR`` when set, the
    top-level folder of a source checkout, else the copy an installed wheel carries in
    ``vn_reform_extract/data/`` (put there by setup.py)."""
    env = os.environ.get(f"VNRE_{name.upper()}_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    checkout = here.parent / name
    if (here.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    for cand in (here / "data" / name, checkout):
        if cand.is_dir():
            return cand
    raise FileNotFoundError(f"data folder {name!r} not found in {here / 'data'} nor {here.parent}: "
                            "reinstall vn_reform_extract from a wheel or run it from a source checkout")


@dataclass
class Rule:
    """A named rule; its regex is compiled at first use, so a process pays only for the
    rules it runs (and, for rules tried at chosen positions, only for the anchored form)."""
    name: str
    pattern: str
    flags: int
    kind: Optional[str] = None
    priority: int = 0
    examples: list[dict] = field(default_factory=list)
    negative: list[Any] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    source: str = ""

    @cached_property
    def regex(self) -> Any:
        return self._compile(self.pattern)

    @cached_property
    def anchored(self) -> Any:
        """The form for ``trie.matches_at`` (see ``trie.anchored``)."""
        return self._compile(anchored_pattern(self.pattern))

    @cached_property
    def backward(self) -> Any:
        """For a rule anchored at the end ("...\\s+$") that is searched in a window before a
        mention: the same pattern searched from the end, where its one real try is."""
        return self._compile("(?r)" + self.pattern) if self.pattern.endswith("$") else self.regex

    def _compile(self, pattern: str) -> Any:
        try:
            # simple case folding: Vietnamese letters fold one to one, and full folding
            # ("ß" = "ss") makes every case-insensitive alternative slower to try
            return regex.compile(_SIMPLE_CASE + pattern if self.flags & regex.V1 else pattern, self.flags)
        except regex.error as exc:
            raise ValueError(f"{self.source}: rule {self.name!r} does not compile: {exc}") from exc


@dataclass
class PatternFile:
    name: str
    field: Optional[str]
    macros: dict[str, str]
    rules: list[Rule]
    examples: list[dict]
    negative: list[Any]
    data: dict

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)


def read_yaml(path: Path) -> Any:
    """A YAML data file, parsed with libyaml when PyYAML has it (ten times faster to start)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def expand(pattern: str, macros: dict[str, str], _depth: int = 0) -> str:
    if _depth > 20:
        raise ValueError(f"macro recursion in {pattern!r}")

    def repl(m: regex.Match) -> str:
        name = m.group(1)
        if name not in macros:
            return m.group()  # a regex quantifier such as {2} never matches [a-z_]
        return "(?:" + expand(macros[name], macros, _depth + 1) + ")"
    return _MACRO.sub(repl, pattern)


@lru_cache(maxsize=None)
def shared_macros() -> dict[str, str]:
    from .currencies import text_macro
    path = data_dir("patterns") / "_macros.yaml"
    data = read_yaml(path) if path.exists() else None
    # `{currency}`: every currency word, symbol and code of gazetteers/currencies.csv
    return {"currency": text_macro(), **dict((data or {}).get("macros", {}))}


@lru_cache(maxsize=None)
def load(name: str, flags: int = regex.V1) -> PatternFile:
    """Load ``patterns/<name>.yaml`` (its rules compile at first use)."""
    path = data_dir("patterns") / f"{name}.yaml"
    data = read_yaml(path) or {}
    macros = {**shared_macros(), **(data.get("macros") or {})}
    rules = []
    for r in data.get("rules") or []:
        pat = expand(r["pattern"], macros)
        known = {"name", "pattern", "kind", "priority", "examples", "negative", "ignore_case"}
        rules.append(Rule(r["name"], pat, flags | (regex.IGNORECASE if r.get("ignore_case") else 0),
                          r.get("kind"), int(r.get("priority", 0)),
                          list(r.get("examples") or []), list(r.get("negative") or []),
                          {k: v for k, v in r.items() if k not in known}, path.name))
    return PatternFile(name, data.get("field"), macros, rules, list(data.get("examples") or []),
                       list(data.get("negative") or []), data)


def all_files() -> list[str]:
    return sorted(p.stem for p in data_dir("patterns").glob("*.yaml") if not p.stem.startswith("_"))

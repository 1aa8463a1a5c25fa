"""Charts of the dataset tables for notebooks (``pip install 'vn_reform_extract[plot]'``).

``plot_indicator(data, "par_index")`` draws one indicator across provinces (a bar per
province for one period) or across years (a line per province); ``plot_official_timeline(data,
name)`` draws the posts one person was seen with, from first to last article. ``data`` is what
:func:`vn_reform_extract.datasets.build_datasets` returns (or the single DataFrame needed).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

__all__ = ["plot_indicator", "plot_official_timeline"]


def _frame(data: Any, name: str):
    return data[name] if isinstance(data, dict) else data


def plot_indicator(data: Any, indicator: str, kind: str = "score", by: str = "province",
                   period: Optional[str] = None, provinces: Optional[Sequence[str]] = None, ax: Any = None):
    """Bar chart of ``indicator`` per province for one ``period`` (the latest by default), or with
    ``by="year"`` a line per province over the years. Returns the matplotlib Axes."""
    import matplotlib.pyplot as plt
    values = _frame(data, "indicator_values")
    rows = values[(values.indicator == indicator) & (values.kind == kind) & values.province_name.notna()]
    if provinces:
        rows = rows[rows.province_name.isin(provinces)]
    if rows.empty:
        raise ValueError(f"no {kind} values of {indicator!r} with a province")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    name = rows.indicator_name.iloc[0] or indicator
    if by == "year":
        rows = rows[rows.year_from.notna()]
        table = rows.pivot_table(index="year_from", columns="province_name", values="value", aggfunc="first")
        table.index = table.index.astype(int)
        table.plot(ax=ax, marker="o")
        ax.set_xlabel("năm")
        ax.legend(fontsize="small", ncol=2)
    elif by == "province":
        if period is None:
            period = rows.sort_values(["year_from", "period"]).period.dropna().iloc[-1] \
                if rows.period.notna().any() else None
        sel = rows[rows.period == period] if period is not None else rows
        sel = sel.sort_values("value", ascending=(kind == "rank"))
        ax.barh(sel.province_name, sel.value, color=["#c0392b" if s == "conflict" else "#2c7fb8" for s in sel.status])
        ax.invert_yaxis()
        ax.set_xlabel(kind)
        name = f"{name} {period or ''}".strip()
    else:
        raise ValueError("by must be 'province' or 'year'")
    ax.set_title(name)
    ax.figure.tight_layout()
    return ax


def plot_official_timeline(data: Any, name: str, ax: Any = None):
    """Horizontal bars from first to last publication date of each post ``name`` was seen with."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import pandas as pd
    tl = _frame(data, "officials_timeline")
    rows = tl[(tl.name == name) & tl.first_seen.notna()].copy()
    if rows.empty:
        raise ValueError(f"no dated posts of {name!r}")
    rows["first"] = pd.to_datetime(rows.first_seen)
    rows["last"] = pd.to_datetime(rows.last_seen) + pd.Timedelta(days=1)
    rows = rows.sort_values("first")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(rows) + 1.5))
    labels = [f"{t or '(no title)'}" + (f" — {p}" if isinstance(p, str) else "")
              for t, p in zip(rows.title, rows.province_name)]
    ax.barh(labels, (rows["last"] - rows["first"]).dt.days, left=mdates.date2num(rows["first"]), color="#2c7fb8")
    ax.xaxis_date()
    ax.invert_yaxis()
    ax.set_title(name)
    ax.figure.tight_layout()
    return ax

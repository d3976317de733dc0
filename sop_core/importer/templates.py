"""What the importer tells people about its kinds: a CSV template per kind and the Markdown column tables."""

from __future__ import annotations

import datetime as dt

from .kinds import KINDS


def template_csv(kind_name: str, month: dt.date | None = None) -> str:
    """A CSV template of ``kind_name``: the header and one example row (dated in ``month`` if given)."""
    kind = KINDS[kind_name]
    example = dict(kind.example)
    if month is not None:
        if "date" in example:
            last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            example["date"] = last.isoformat()
        if "month" in example:
            example["month"] = f"{month:%Y-%m}"
    names = [c.name for c in kind.columns if c.name in example]
    return ",".join(names) + "\n" + ",".join(_quote(example[n]) for n in names) + "\n"


def _quote(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def kinds_markdown() -> str:
    """The kinds, their columns and accepted aliases as Markdown (embedded in docs/import.md)."""
    out: list[str] = []
    for group, title in (("actuals", "Actuals"), ("master", "Master data"), ("plan", "Plans")):
        out.append(f"### {title}\n")
        for kind in KINDS.values():
            if kind.group != group:
                continue
            out.append(f"#### `{kind.name}` → table `{kind.table}`\n\n{kind.description}\n")
            if kind.one_of:
                out.append(
                    "Exactly one of each group must be present: "
                    + "; ".join(" or ".join(f"`{c}`" for c in g) for g in kind.one_of)
                    + (
                        " (with both `sku` and `family` columns, a row's `sku` wins and its `family`, if given, "
                        "must match the product master)"
                        if ("sku", "family") in kind.one_of
                        else ""
                    )
                    + ".\n"
                )
            out.append("| column | type | required | accepted aliases |\n|---|---|---|---|")
            grouped = {c for g in kind.one_of for c in g}
            for col in kind.columns:
                default = "blank" if col.default == "" else f"`{col.default}`"
                need = (
                    "one of group"
                    if col.name in grouped
                    else ("yes" if col.required else f"no (default {default})" if col.default is not None else "no")
                )
                extra = f", must exist in `{col.ref}`" if col.ref else ""
                neg = ", negative allowed" if col.negative_ok and col.type == "number" else ""
                aliases = ", ".join(f"`{a}`" for a in col.aliases) or "—"
                out.append(f"| `{col.name}` | {col.type}{extra}{neg} | {need} | {aliases} |")
            out.append("")
    return "\n".join(out)

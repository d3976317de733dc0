"""The scenario page's lever widgets in one table: each widget, the :class:`Levers` field it sets, its range.

:data:`WIDGETS` (sliders, number inputs, a select box) and :data:`FAMILY_COLUMNS`
(the per-family editor) are the only description of the levers on screen. The
page draws its widgets from them (:func:`draw_group`, :func:`column_config`) and
converts in both directions from them: :func:`levers_from_state` (widgets →
:class:`Levers`) and :func:`state_from_levers` (a saved scenario's levers → widget
state, when it is loaded). Every neutral value comes from ``Levers()``, the
dataclass defaults in :mod:`sop_core.scenario.levers`: a field's default, or
"no change" for a name missing from a mapping lever.

Two widgets act on the per-family table rather than on one field of their own:
the target scale multiplies every family's target days, and the strategy for
"families set to plan" replaces the default strategy of the families left on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import streamlit as st

from sop_core.scenario import DEFAULT_STRATEGY, STRATEGIES, Levers, ScenarioInputs
from sop_core.scenario.levers import NO_CHANGE_PCT

STRATEGY_HELP = (
    "plan: keep the current production plan · level: one rate per working day · chase: follow demand "
    "and the target · hybrid: level rate plus overtime, then subcontracting, up to their limits"
)
FAMILY_FRAME_KEY = "scn_family_frame"  # the per-family table to show (set when a saved scenario is loaded)
NEUTRAL_SCALE = 1.0  # the target scale that changes nothing
MIN_HORIZON = 3

Role = Literal["value", "horizon", "per_name", "scale_families", "all_families"]


@dataclass(frozen=True)
class LeverWidget:
    """One lever widget.

    ``role``: ``value`` sets ``field`` directly; ``horizon`` sets ``horizon_months``
    (the whole plan, ``None``, at its maximum, which is the plan's months);
    ``per_name`` draws one widget per resource or region (``per``), keys
    ``{key}_{i}``, each an entry of the mapping ``field``; ``scale_families`` and
    ``all_families`` act on the per-family table (see the module note).
    """

    key: str
    field: str
    label: str
    kind: Literal["slider", "number", "select"]
    group: Literal["card", "capacity", "region", "hybrid"]
    role: Role = "value"
    min_value: float | None = None
    max_value: float | None = None
    step: float | None = None
    format: str | None = None
    help: str | None = None
    per: Literal["resources", "regions"] | None = None

    @property
    def integer(self) -> bool:
        """Whether the widget holds whole numbers (its bounds and step are ``int``)."""
        return all(isinstance(v, int) for v in (self.min_value, self.max_value, self.step) if v is not None)

    def neutral(self) -> Any:
        """The value that moves nothing, from ``Levers()`` (``horizon``: ``None``, the whole plan)."""
        if self.role == "per_name":
            return self.coerce(NO_CHANGE_PCT)
        if self.role == "scale_families":
            return NEUTRAL_SCALE
        if self.role == "all_families":
            return DEFAULT_STRATEGY
        return self.coerce(getattr(Levers(), self.field))

    def coerce(self, value: Any) -> Any:
        """``value`` as the widget holds it: whole numbers for integer widgets, clamped to the range."""
        if self.kind == "select" or value is None:
            return value
        value = float(value)
        if self.min_value is not None:
            value = max(value, self.min_value)
        if self.max_value is not None:
            value = min(value, self.max_value)
        return int(round(value)) if self.integer else value

    def keys(self, inputs: ScenarioInputs) -> list[tuple[str, str]]:
        """``(session-state key, name)`` of each widget drawn (one per name for ``per_name``)."""
        if self.per is None:
            return [(self.key, "")]
        return [(f"{self.key}_{i}", name) for i, name in enumerate(getattr(inputs, self.per))]


@dataclass(frozen=True)
class FamilyColumn:
    """One column of the per-family lever table and the mapping lever it fills (keyed by family)."""

    column: str
    field: str
    kind: Literal["number", "select"]
    min_value: float | None = None
    max_value: float | None = None
    step: float | None = None
    help: str | None = None


WIDGETS: tuple[LeverWidget, ...] = (
    LeverWidget(
        "scn_horizon",
        "horizon_months",
        "Horizon (months)",
        "slider",
        "card",
        role="horizon",
        min_value=MIN_HORIZON,
        step=1,
    ),
    LeverWidget(
        "scn_demand",
        "demand_pct",
        "Demand change, all families (%)",
        "slider",
        "card",
        min_value=-30,
        max_value=30,
        step=1,
    ),
    LeverWidget(
        "scn_target_scale",
        "target_days",
        "Inventory / backlog targets (× each family's target days)",
        "slider",
        "card",
        role="scale_families",
        min_value=0.0,
        max_value=3.0,
        step=0.25,
    ),
    LeverWidget(
        "scn_strategy_all",
        "strategy",
        "Production strategy, families set to 'plan'",
        "select",
        "card",
        role="all_families",
        help=STRATEGY_HELP,
    ),
    LeverWidget(
        "scn_cap",
        "capacity_pct_resource",
        "",
        "slider",
        "capacity",
        role="per_name",
        per="resources",
        min_value=-100,
        max_value=50,
        step=5,
        help="−100 %: the resource is down",
    ),
    LeverWidget(
        "scn_region",
        "demand_pct_region",
        "",
        "slider",
        "region",
        role="per_name",
        per="regions",
        min_value=-30,
        max_value=30,
        step=1,
    ),
    LeverWidget(
        "scn_ot_limit",
        "overtime_limit_pct",
        "Overtime limit, % of the base rate",
        "number",
        "hybrid",
        min_value=0.0,
        max_value=100.0,
        step=5.0,
    ),
    LeverWidget(
        "scn_ot_premium",
        "overtime_premium_pct",
        "Overtime premium, % of unit cost",
        "number",
        "hybrid",
        min_value=0.0,
        max_value=200.0,
        step=5.0,
    ),
    LeverWidget(
        "scn_sc_limit",
        "subcontract_limit_pct",
        "Subcontracting limit, % of the base rate",
        "number",
        "hybrid",
        min_value=0.0,
        max_value=100.0,
        step=5.0,
    ),
    LeverWidget(
        "scn_sc_premium",
        "subcontract_premium_pct",
        "Subcontracting premium, % of unit cost",
        "number",
        "hybrid",
        min_value=0.0,
        max_value=200.0,
        step=5.0,
    ),
)
FAMILY_COLUMNS: tuple[FamilyColumn, ...] = (
    FamilyColumn("strategy", "strategy", "select", help=STRATEGY_HELP),
    FamilyColumn("demand %", "demand_pct_family", "number", -90, 200, 1),
    FamilyColumn("price %", "price_pct_family", "number", -90, 200, 1),
    FamilyColumn("target days", "target_days", "number", 0, 365, 1),
)
_WIDGET = {w.role: w for w in WIDGETS if w.role in ("horizon", "scale_families", "all_families")}


# ---------------------------------------------------------------- the per-family table
def family_frame(inputs: ScenarioInputs) -> pd.DataFrame:
    """The per-family lever table at its neutral values (target days: each family's default, to 0.1 day)."""
    frame = pd.DataFrame(
        {"family": inputs.families, "type": ["make-to-order" if m else "make-to-stock" for m in inputs.mto]}
    )
    for col in FAMILY_COLUMNS:
        frame[col.column] = _family_neutral(col, inputs)
    return frame


def _family_neutral(col: FamilyColumn, inputs: ScenarioInputs) -> Any:
    """A family column's neutral value(s): the default strategy, no change, or the default target days."""
    if col.field == "target_days":
        return inputs.default_target_days.round(1)
    return DEFAULT_STRATEGY if col.field == "strategy" else NO_CHANGE_PCT


# ---------------------------------------------------------------- widgets → levers
def levers_from_state(state: Mapping[Any, Any], inputs: ScenarioInputs, families: pd.DataFrame) -> Levers:
    """The levers from the widgets' values in ``state`` and the per-family table ``families``.

    A widget missing from ``state`` counts at its neutral value; only moved values
    become entries of the mapping levers.
    """
    values: dict[str, Any] = {}
    for w in WIDGETS:
        if w.role == "value":
            values[w.field] = float(state.get(w.key, w.neutral()))
        elif w.role == "per_name":
            values[w.field] = {
                name: float(v) for key, name in w.keys(inputs) if (v := state.get(key, w.neutral())) != w.neutral()
            }
    horizon = int(state.get(_WIDGET["horizon"].key, len(inputs.months)))
    values["horizon_months"] = None if horizon >= len(inputs.months) else horizon
    scale = float(state.get(_WIDGET["scale_families"].key, NEUTRAL_SCALE))
    all_families = state.get(_WIDGET["all_families"].key, DEFAULT_STRATEGY)
    rows = families.set_index("family")
    for col in FAMILY_COLUMNS:
        cells = rows[col.column]
        if col.field == "strategy":
            chosen = cells.where(cells != DEFAULT_STRATEGY, all_families)
            values[col.field] = {f: s for f, s in chosen.items() if s != DEFAULT_STRATEGY}
        elif col.field == "target_days":  # as shown in the table: equal to the default means "no change"
            neutral = pd.Series(_family_neutral(col, inputs), index=list(inputs.families)).reindex(rows.index)
            scaled = cells.astype(float) * scale
            values[col.field] = {
                f: float(d) for f, d, d0 in zip(rows.index, scaled, neutral, strict=True) if pd.notna(d) and d != d0
            }
        else:
            values[col.field] = {f: float(v) for f, v in cells.items() if pd.notna(v) and v != NO_CHANGE_PCT}
    return Levers(**values)


# ---------------------------------------------------------------- levers → widgets
def state_from_levers(levers: Levers, inputs: ScenarioInputs) -> dict[str, Any]:
    """The widget state (and the per-family table, under :data:`FAMILY_FRAME_KEY`) that shows ``levers``.

    The target scale and the all-families strategy go back to neutral: a saved
    scenario's targets and strategies are per family, in the table.
    """
    out: dict[str, Any] = {}
    for w in WIDGETS:
        if w.role == "value":
            out[w.key] = w.coerce(getattr(levers, w.field))
        elif w.role == "per_name":
            mapping = getattr(levers, w.field)
            out.update({key: w.coerce(mapping.get(name, NO_CHANGE_PCT)) for key, name in w.keys(inputs)})
        elif w.role == "horizon":
            n = len(inputs.months)
            out[w.key] = min(max(levers.horizon_months or n, MIN_HORIZON), n)
        else:
            out[w.key] = w.neutral()
    frame = family_frame(inputs)
    for col in FAMILY_COLUMNS:
        mapping = getattr(levers, col.field)
        frame[col.column] = [mapping.get(f, d) for f, d in zip(inputs.families, frame[col.column], strict=True)]
    out[FAMILY_FRAME_KEY] = frame
    return out


# ---------------------------------------------------------------- drawing
def draw_group(group: str, inputs: ScenarioInputs) -> None:
    """Draw the widgets of ``group`` in the current container (values live in ``st.session_state``)."""
    state = st.session_state
    for w in WIDGETS:
        if w.group != group or (w.role == "horizon" and len(inputs.months) <= MIN_HORIZON):
            continue
        for key, name in w.keys(inputs):
            _draw(w, key, (name or "(no region)") if w.per else w.label, inputs, key in state)


def _draw(w: LeverWidget, key: str, label: str, inputs: ScenarioInputs, has_state: bool) -> None:
    """One widget; its neutral value is passed only when the state has none (else Streamlit warns)."""
    neutral = len(inputs.months) if w.role == "horizon" else w.neutral()
    top = len(inputs.months) if w.role == "horizon" else w.max_value
    if w.kind == "select":
        st.selectbox(label, STRATEGIES, index=None if has_state else STRATEGIES.index(neutral), key=key, help=w.help)
        return
    options: dict[str, Any] = {
        "min_value": w.min_value,
        "max_value": top,
        "step": w.step,
        "format": w.format,
        "key": key,
        "help": w.help,
    }
    if not has_state:
        options["value"] = neutral
    widget: Any = st.slider if w.kind == "slider" else st.number_input  # Any: their overloads need literal types
    widget(label, **options)


def column_config() -> dict[str, Any]:
    """The per-family editor's column configuration, from :data:`FAMILY_COLUMNS`."""
    out: dict[str, Any] = {}
    for col in FAMILY_COLUMNS:
        if col.kind == "select":
            out[col.column] = st.column_config.SelectboxColumn(
                col.column, options=STRATEGIES, required=True, help=col.help
            )
        else:
            out[col.column] = st.column_config.NumberColumn(
                col.column, min_value=col.min_value, max_value=col.max_value, step=col.step, help=col.help
            )
    return out

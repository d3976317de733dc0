"""The executive meeting's agenda, generated from the cycle's data.

*Choice:* a shortage is listed whatever its money, like an overload — customers not served are a decision for
the meeting however small (the issue: "overloads and shortages become exceptions for the meeting"); cover
below the family's minimum is a warning, listed from the threshold up.

Sections, in order (:data:`AGENDA_SECTIONS`):

1. **Decisions needed** — the review exceptions (:func:`sop_core.review.exceptions`, ranked by money at stake)
   over the plan's whole horizon (:data:`~sop_core.conventions.PLAN_HORIZON_MONTHS`, the horizon of the supply
   card's exceptions, :func:`~.supply_check.supply_exceptions`: an overload in month 13–18 reaches both) at or
   above the money threshold; capacity overloads, shortages (backorders, backlog above target) and budget gaps
   whatever their money; override layers with negative value added (:func:`sop_core.forecast.layer_exceptions`);
2. **Open decisions due** — open decisions due by the executive meeting (overdue ones flagged);
3. **Assumptions changed** — assumptions created or changed since the last cycle.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..conventions import PLAN_HORIZON_MONTHS
from ..forecast import layer_exceptions
from ..months import business_today
from ..plans import resolve_cycle
from ..review import Review, exceptions, load_review
from ..store import Store
from .assumptions import assumptions_changed
from .errors import CycleError
from .registers import list_items
from .steps import EXECUTIVE, stored_steps

AGENDA_MONEY_THRESHOLD = 100_000.0  # money at stake (store currency) for an exception to need a decision
# review rules listed whatever their money: overloads, shortages (the supply check's), budget gaps
ALWAYS_ON_AGENDA = ("Capacity overload", "Backorders", "Backlog above target", "Revenue below budget")
AGENDA_SECTIONS = ("Decisions needed", "Open decisions due", "Assumptions changed")
AGENDA_COLUMNS = ["section", "topic", "subject", "detail", "months", "money", "page", "ref"]


def agenda(
    store: Store,
    cycle: dt.date | str | None = None,
    *,
    threshold: float = AGENDA_MONEY_THRESHOLD,
    today: dt.date | None = None,
    review: Review | None = None,
) -> pd.DataFrame:
    """The agenda of ``cycle`` (default: the latest): :data:`AGENDA_COLUMNS`, sections in order, money descending.

    ``topic`` is the rule (``Capacity overload``, ``Revenue below budget``, ``Negative value added``, …,
    ``Decision``, ``Decision (overdue)``, ``Assumption``), ``ref`` the decision or assumption id where there is
    one. ``review`` is the review bundle the caller shows (default: :func:`sop_core.review.load_review` of the
    cycle, all families and regions, over :data:`~sop_core.conventions.PLAN_HORIZON_MONTHS` — the bundle of the
    supply card's exceptions), so the agenda's money is the money on the screen; pass one over the plan's
    horizon, or late exceptions are left out.
    """
    chosen = resolve_cycle(store, cycle)
    if chosen is None:
        raise CycleError("The store has no plan cycle yet.")
    day = today or business_today()
    rows = [
        *_decisions_needed(store, chosen, threshold, review),
        *_decisions_due(store, chosen, day),
        *_assumptions(store, chosen),
    ]
    frame = pd.DataFrame(rows, columns=AGENDA_COLUMNS)
    frame["money"] = pd.to_numeric(frame["money"]).astype(float)
    frame["ref"] = frame["ref"].astype("Int64")
    order = {name: i for i, name in enumerate(AGENDA_SECTIONS)}
    frame["_order"] = frame["section"].map(order)
    frame["_money"] = frame["money"].fillna(-1.0)
    return (
        frame.sort_values(["_order", "_money"], ascending=[True, False], kind="stable")
        .drop(columns=["_order", "_money"])
        .reset_index(drop=True)
    )


def _row(
    section: str,
    topic: str,
    subject: str,
    detail: str,
    months: str,
    money: float | None,
    page: str,
    ref: int | None = None,
) -> dict[str, object]:
    return {
        "section": section,
        "topic": topic,
        "subject": subject,
        "detail": detail,
        "months": months,
        "money": money,
        "page": page,
        "ref": ref,
    }


def _decisions_needed(store: Store, cycle: dt.date, threshold: float, review: Review | None) -> list[dict[str, object]]:
    """Review exceptions at or above ``threshold`` (:data:`ALWAYS_ON_AGENDA` always) and override layers
    with negative value added (their added error at the family's price)."""
    bundle = (
        review
        if review is not None and review.cycle == cycle
        else load_review(store, cycle, horizon=PLAN_HORIZON_MONTHS)
    )
    section = AGENDA_SECTIONS[0]
    rows = [
        _row(section, r.rule, r.subject, r.detail, r.months, float(r.money), r.page)
        for r in exceptions(bundle).itertuples()
        if r.rule in ALWAYS_ON_AGENDA or float(r.money) >= threshold
    ]
    prices = store.query("SELECT family, price FROM families").set_index("family")["price"]
    for r in layer_exceptions(store, cycle).itertuples():
        cycles = str(r.cycles).split(", ")
        span = cycles[0] if len(cycles) == 1 else f"{cycles[0]} – {cycles[-1]}"
        rows.append(
            _row(
                section,
                "Negative value added",
                f"{r.label} overrides on {r.family}",
                r.message,
                f"cycles {span}",
                float(r.added_error) * float(prices.get(r.family, 0.0)),
                "Demand planning",
            )
        )
    return rows


def _decisions_due(store: Store, cycle: dt.date, today: dt.date) -> list[dict[str, object]]:
    """Open decisions of the cycle (raised or carried) due by the executive meeting (overdue ones flagged)."""
    _, steps = stored_steps(store, cycle)
    meeting = steps.loc[steps["step"] == EXECUTIVE, "due_date"]
    by_date = max(meeting.iloc[0], today) if len(meeting) else today
    items = list_items(store, "decision", cycle, status="open", today=today)
    due = items[items["due_date"].notna()]
    due = due[[pd.Timestamp(d).date() <= by_date for d in due["due_date"]]]
    return [
        _row(
            AGENDA_SECTIONS[1],
            "Decision (overdue)" if r.overdue else "Decision",
            r.family or "All families",
            r.text,
            f"due {pd.Timestamp(r.due_date):%Y-%m-%d}",
            None,
            f"owner {r.owner}",
            int(r.id),
        )
        for r in due.itertuples()
    ]


def _assumptions(store: Store, cycle: dt.date) -> list[dict[str, object]]:
    """Assumptions created or changed since the last cycle."""
    return [
        _row(
            AGENDA_SECTIONS[2],
            "Assumption",
            r.family or "All families",
            f"{r.text} ({r.changes})",
            "",
            None,
            f"owner {r.owner}",
            int(r.id),
        )
        for r in assumptions_changed(store, cycle).itertuples()
    ]

"""The process part of the pre-read: the cycle's status, steps, agenda, open decisions and assumptions.

Read from the cycle engine (:mod:`sop_core.cycle`: :func:`~sop_core.cycle.cycle_status`,
:func:`~sop_core.cycle.agenda`, :func:`~sop_core.cycle.list_decisions`,
:func:`~sop_core.cycle.list_assumptions`, :func:`~sop_core.cycle.assumptions_changed`)
and shaped into printable tables; every cell is text (``–`` when missing) and
user-entered text is formula-neutralised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ...export import neutralise_cell
from ...formatting import money
from ...store import Store
from .. import CycleStatus, agenda, assumptions_changed, cycle_status, list_assumptions, list_decisions, verify_snapshot

STEP_HEADERS = ["Step", "Owner", "Due", "Status", "Signed off"]
AGENDA_HEADERS = ["#", "Section", "Item", "Detail", "When", "At stake"]
DECISION_HEADERS = ["Decision", "Owner", "Due", "Status", "Family"]
ASSUMPTION_HEADERS = ["Assumption", "Owner", "Review by", "Family", "Changed since last cycle"]
CHECKSUM_SHOWN = 12  # leading hex digits of the snapshot checksum printed


@dataclass(frozen=True)
class CycleProcess:
    """The cycle's process facts as printed in the pack (tables of text)."""

    status: str  # "Draft for approval · supply review in progress" / "Approved by … on … · snapshot …"
    meeting: str | None  # the executive meeting's due date
    steps: pd.DataFrame  # STEP_HEADERS
    agenda: pd.DataFrame  # AGENDA_HEADERS
    decisions: pd.DataFrame  # DECISION_HEADERS: open decisions, overdue first
    assumptions: pd.DataFrame  # ASSUMPTION_HEADERS: open assumptions, changed ones first


def _text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return str(neutralise_cell(str(value)))


def _day(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _status_line(st: CycleStatus, checks: bool | None) -> str:
    if st.approved:
        line = f"Approved by {_text(st.approved_by)} on {_day(st.approved_at)}"
        if st.checksum:
            line += f" · snapshot sha256 {st.checksum[:CHECKSUM_SHOWN]}"
            line += "" if checks is None or checks else " (the plan changed since approval)"
        return line
    steps = st.steps
    name = steps.loc[steps["step"] == st.current_step, "name"] if st.current_step else pd.Series(dtype=object)
    doing = f" · {name.iloc[0]} in progress" if len(name) else ""
    return f"Draft for approval{doing} · {st.progress:.0%} of the cycle's tasks done"


def _steps(steps: pd.DataFrame) -> pd.DataFrame:
    signed = [
        f"{_text(by)}, {_day(at)}" if pd.notna(by) and by else "–"
        for by, at in zip(steps["signed_by"], steps["signed_at"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Step": steps["name"].map(_text),
            "Owner": steps["owner"].map(_text),
            "Due": steps["due_date"].map(_day),
            "Status": steps["status"].map(str),
            "Signed off": signed,
        },
        columns=STEP_HEADERS,
    )


def _when(months: object) -> str:
    """The agenda's months: ``Feb 2027 – Apr 2027`` as given; a list of cycles as its first – last (count)."""
    if months is None or (isinstance(months, float) and pd.isna(months)) or not str(months):
        return "–"
    parts = [p.strip() for p in str(months).split(",")]
    return parts[0] if len(parts) == 1 else f"{parts[0]} – {parts[-1]} ({len(parts)} cycles)"


def _agenda(items: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The agenda as printed; rows with a ``ref`` (a decision or assumption) carry user text, neutralised."""

    def item(topic: object, subject: object, ref: object) -> str:
        label = f"{topic} #{int(ref)}" if pd.notna(ref) else str(topic)  # type: ignore[call-overload]  # a scalar from a frame row
        return f"{label}: {_text(subject)}" if pd.notna(subject) and subject else label

    rows = list(zip(items["topic"], items["subject"], items["detail"], items["ref"], strict=True))
    return pd.DataFrame(
        {
            "#": [str(i) for i in range(1, len(items) + 1)],
            "Section": items["section"].map(str),
            "Item": [item(t, s, r) for t, s, _d, r in rows],
            "Detail": [_text(d) if pd.notna(r) else str(d) for _t, _s, d, r in rows],
            "When": items["months"].map(_when),
            "At stake": items["money"].map(lambda v: money(v, currency) if pd.notna(v) else "–"),
        },
        columns=AGENDA_HEADERS,
    )


def _decisions(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values(
        ["overdue", "due_date"], ascending=[False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)
    return pd.DataFrame(
        {
            "Decision": frame["text"].map(_text),
            "Owner": frame["owner"].map(_text),
            "Due": frame["due_date"].map(_day),
            "Status": ["overdue" if o else _text(s) for o, s in zip(frame["overdue"], frame["status"], strict=True)],
            "Family": frame["family"].map(_text),
        },
        columns=DECISION_HEADERS,
    ).reset_index(drop=True)


def _assumptions(frame: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    changes = changed.set_index("id")["changes"] if not changed.empty else pd.Series(dtype=object)
    frame = (
        frame.assign(_changed=frame["id"].map(changes))
        .sort_values("_changed", key=lambda s: s.isna(), kind="stable")
        .reset_index(drop=True)
    )
    return pd.DataFrame(
        {
            "Assumption": frame["text"].map(_text),
            "Owner": frame["owner"].map(_text),
            "Review by": frame["due_date"].map(_day),
            "Family": frame["family"].map(_text),
            "Changed since last cycle": frame["_changed"].map(lambda v: "–" if pd.isna(v) else _text(v)),
        },
        columns=ASSUMPTION_HEADERS,
    ).reset_index(drop=True)


def read_process(store: Store, cycle: dt.date, currency: str, today: dt.date | None = None) -> CycleProcess:
    """The process facts of ``cycle`` as of ``today`` (default: the system date), printable."""
    st = cycle_status(store, cycle, today=today)
    checks = verify_snapshot(store, cycle) if st.approved and st.checksum else None
    executive = st.steps[st.steps["step"] == "executive"]
    meeting = _day(executive["due_date"].iloc[0]) if len(executive) else None
    return CycleProcess(
        status=_status_line(st, checks),
        meeting=meeting,
        steps=_steps(st.steps),
        agenda=_agenda(agenda(store, cycle, today=today), currency),
        decisions=_decisions(list_decisions(store, cycle, status="open", today=today)),
        assumptions=_assumptions(
            list_assumptions(store, cycle, status="open", today=today), assumptions_changed(store, cycle)
        ),
    )

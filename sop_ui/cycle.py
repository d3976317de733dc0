"""Streamlit glue of the Cycle page (and the overdue sections of Overview and Executive): cached loaders.

Loaders take the store as ``_store`` (not hashed) and are keyed by its path, :func:`stamp` (a cheap fingerprint
that changes with every write of the cycle engine, the supply plan, the registers and the plans) and ``today``;
:func:`clear_caches` drops them at once after a write of this session. A card's result message survives the
rerun that follows a write through :func:`flash` / :func:`show_flash`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sop_core import Store, cycle
from sop_core.cycle.supply_check import SupplyCheck, supply_check, supply_exceptions
from sop_core.cycle.supply_plan import supply_adjustments
from sop_core.cycle.supply_policy import supply_policies
from sop_core.facts import currency, family_names, registers_stamp
from sop_core.formatting import money, pct
from sop_core.months import business_today

CACHE_TTL = 600
FLASH = "cy_flash"


# One query over fixed tables, no user values: counts and times that move with every write of the cycle.
def stamp(store: Store) -> str:
    """The cache key of the loaders here: the store's data and registers stamp (the cycle reads both)."""
    return registers_stamp(store)


# ---------------------------------------------------------------- cached loaders
@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_cycles(_store: Store, path: str, stamp: str, today: dt.date) -> pd.DataFrame:
    """Every cycle, newest first (:func:`sop_core.cycle.cycle_list`)."""
    return cycle.cycle_list(_store, today=today)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=16)
def load_status(_store: Store, path: str, stamp: str, chosen: dt.date, today: dt.date) -> cycle.CycleStatus:
    """The status of ``chosen`` as of ``today``."""
    return cycle.cycle_status(_store, chosen, today=today)


@dataclass(frozen=True)
class Supply:
    """The supply card's data: the check, its exceptions, the families' policies and the adjustment log."""

    check: SupplyCheck
    exceptions: pd.DataFrame
    policies: pd.DataFrame
    adjustments: pd.DataFrame


@st.cache_data(show_spinner="Checking the supply plan…", ttl=CACHE_TTL, max_entries=8)
def load_supply(_store: Store, path: str, stamp: str, chosen: dt.date) -> Supply:
    """The supply plan of ``chosen`` checked against capacity, with its exceptions, policies and adjustments."""
    return Supply(
        supply_check(_store, chosen),
        supply_exceptions(_store, chosen),
        supply_policies(_store),
        supply_adjustments(_store, chosen),
    )


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_reconciliation(_store: Store, path: str, stamp: str, chosen: dt.date) -> pd.DataFrame:
    """Plan revenue and margin against the budget by family and month."""
    return cycle.budget_reconciliation(_store, chosen)


@st.cache_data(show_spinner="Generating the agenda…", ttl=CACHE_TTL, max_entries=8)
def load_agenda(_store: Store, path: str, stamp: str, chosen: dt.date, today: dt.date) -> pd.DataFrame:
    """The executive meeting's generated agenda."""
    return cycle.agenda(_store, chosen, today=today)


@dataclass(frozen=True)
class Registers:
    """The decision log, the assumption register and their audit trail."""

    decisions: pd.DataFrame
    assumptions: pd.DataFrame
    audit: pd.DataFrame


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_registers(_store: Store, path: str, stamp: str, today: dt.date) -> Registers:
    """Every decision and assumption (overdue flagged as of ``today``) and the audit trail."""
    return Registers(
        cycle.list_decisions(_store, today=today),
        cycle.list_assumptions(_store, today=today),
        cycle.audit_trail(_store),
    )


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=8)
def load_overdue(_store: Store, path: str, stamp: str, today: dt.date) -> pd.DataFrame:
    """Open decisions and assumptions past their due date (Overview and Executive pages)."""
    return cycle.overdue_items(_store, today=today)


@st.cache_data(show_spinner=False, ttl=CACHE_TTL, max_entries=4)
def load_master(_store: Store, path: str, stamp: str) -> tuple[list[str], list[str], str]:
    """Family names, resource names and the currency (for the forms)."""
    resources = _store.query("SELECT resource FROM resources ORDER BY resource")["resource"].tolist()
    return family_names(_store), resources, currency(_store)


LOADERS = (
    load_cycles,
    load_status,
    load_supply,
    load_reconciliation,
    load_agenda,
    load_registers,
    load_overdue,
    load_master,
)


def clear_caches() -> None:
    """Drop every cached frame of the Cycle page (after a write)."""
    for loader in LOADERS:
        loader.clear()


# ---------------------------------------------------------------- messages across a rerun
def flash(card: str, kind: str, text: str) -> None:
    """Keep a message for ``card`` (``success`` / ``error`` / ``info``) until it is shown after the rerun."""
    st.session_state[FLASH] = (card, kind, text)


def show_flash(card: str) -> None:
    """Show (once) the message kept for ``card``."""
    kept = st.session_state.get(FLASH)
    if not kept or kept[0] != card:
        return
    del st.session_state[FLASH]
    _, kind, text = kept
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/block:")
    else:
        st.info(text, icon=":material/info:")


def done(card: str, text: str) -> None:
    """After a successful write: drop the caches, keep the message, rerun the whole page."""
    clear_caches()
    flash(card, "success", text)
    st.rerun()


# ---------------------------------------------------------------- display frames
def when(value: object) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM`` (empty when missing)."""
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def step_frame(steps: pd.DataFrame) -> pd.DataFrame:
    """The steps as the page's table shows them: owner, due date, status, tasks, sign-off, comment."""
    return pd.DataFrame(
        {
            "Step": [f"{p}. {n}" for p, n in zip(steps["position"], steps["name"], strict=True)],
            "Owner": steps["owner"].to_numpy(),
            "Due": [f"{pd.Timestamp(d):%a %d %b}" for d in steps["due_date"]],
            "Status": steps["status"].to_numpy(),
            "Tasks": [f"{d}/{t}" for d, t in zip(steps["tasks_done"], steps["tasks_total"], strict=True)],
            "Signed off": [
                f"{b}, {when(a)}" if isinstance(b, str) and b else ""
                for b, a in zip(steps["signed_by"], steps["signed_at"], strict=True)
            ],
            "Comment": steps["comment"].fillna("").to_numpy(),
        }
    )


def policy_frame(policies: pd.DataFrame) -> pd.DataFrame:
    """The families' supply policies as the strategy editor shows them."""
    return pd.DataFrame(
        {
            "Family": policies["family"],
            "Type": policies["kind"].map({"mts": "make-to-stock", "mto": "make-to-order"}),
            "Strategy": policies["strategy"],
            "Target days": policies["target_days"].round(1),
            "Range (days)": [
                f"{lo:g}–{hi:g}" for lo, hi in zip(policies["min_days"], policies["max_days"], strict=True)
            ],
        }
    )


def reconciliation_frame(recon: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Per family over the horizon: plan and budget revenue and margin and the gaps, as text (``−`` below budget)."""
    sums = recon.groupby("family", as_index=False)[
        ["plan_revenue", "budget_revenue", "revenue_gap", "plan_margin", "budget_margin", "margin_gap"]
    ].sum(min_count=1)
    shown = pd.DataFrame({"Family": sums["family"]})
    for column, label in (
        ("plan_revenue", "Plan revenue"),
        ("budget_revenue", "Budget revenue"),
        ("revenue_gap", "Revenue gap"),
        ("plan_margin", "Plan margin"),
        ("budget_margin", "Budget margin"),
        ("margin_gap", "Margin gap"),
    ):
        shown[label] = [money(v, currency, signed=column.endswith("gap")) for v in sums[column]]
    gap = sums["revenue_gap"] / sums["budget_revenue"].where(sums["budget_revenue"] > 0)
    shown["Gap %"] = [pct(v, signed=True).replace("-", "−") for v in gap]
    return shown


def agenda_frame(part: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Agenda rows without section and reference, money at stake as text (empty where there is none)."""
    return part.drop(columns=["section", "ref"]).assign(
        money=[money(v, currency) if not pd.isna(v) else "" for v in part["money"]]
    )


def register_frame(items: pd.DataFrame) -> pd.DataFrame:
    """A register as the page shows it: open items first (by due date), ``overdue`` as the status where it is."""
    order = items.assign(_o=items["status"].map({"open": 0, "done": 1, "dropped": 2}))
    order = order.sort_values(["_o", "due_date"], na_position="last")
    return pd.DataFrame(
        {
            "#": order["id"].to_numpy(),
            "What": order["text"].to_numpy(),
            "Owner": order["owner"].to_numpy(),
            "Due": [f"{pd.Timestamp(d):%Y-%m-%d}" if not pd.isna(d) else "" for d in order["due_date"]],
            "Status": [("overdue" if o else s) for s, o in zip(order["status"], order["overdue"], strict=True)],
            "Family": order["family"].fillna("").to_numpy(),
            "Resource": order["resource"].fillna("").to_numpy(),
            "Cycle": [f"{pd.Timestamp(c):%Y-%m}" if not pd.isna(c) else "" for c in order["cycle"]],
            "Carried": ["yes" if c else "" for c in order["carried"]],
        }
    )


OVERDUE_SHOWN = 5  # overdue items listed on the Overview and Executive pages


def _plain(text: object) -> str:
    """Free text shown inside Markdown: its Markdown characters escaped, so it reads as typed."""
    out = str(text)
    for ch in "\\`*_[]<>#|~":
        out = out.replace(ch, "\\" + ch)
    return out


def overdue_section(store: Store, today: dt.date | None = None) -> None:
    """The overdue decisions and assumptions (a small section for the Overview and Executive pages)."""
    day = today or business_today()
    items = load_overdue(store, store.path, stamp(store), day)
    st.subheader("Overdue decisions and assumptions")
    if items.empty:
        st.success(
            "Nothing overdue: every open decision and assumption is within its due date.",
            icon=":material/check_circle:",
        )
    else:
        # A few lines, not a grid: a data grid costs the page a noticeable moment to draw, and the full
        # registers are one click away on the Cycle page. Markdown escapes no HTML here (none is allowed).
        shown = items.head(OVERDUE_SHOWN)
        lines = [
            f"⚠ **{row.register.capitalize()} #{row.id}** — {_plain(row.text)} · {_plain(row.owner)}, "
            f"due {pd.Timestamp(row.due_date):%d %b %Y}, **{int(row.days_overdue)} days overdue**"
            for row in shown.itertuples()
        ]
        more = len(items) - len(shown)
        if more > 0:
            lines.append(f"… and {more} more on the Cycle page")
        st.markdown("  \n".join(lines))
    st.page_link("pages/cycle.py", label="Open the Cycle page", icon=":material/event_repeat:")

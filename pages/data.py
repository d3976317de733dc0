"""Data: upload actuals, master data and plans (validated, previewed, all or nothing), history and revert.

Loading and reverting need the kind's action (``sop_core.importer.action_for``: the budget is finance's,
everything else the planner's); anyone may check a file and read the history. The signed-in person (in
local mode the sidebar's name) is recorded as who loaded or reverted.
"""

from __future__ import annotations

import hashlib
from typing import Literal, cast

import pandas as pd
import streamlit as st

from sop_core import StoreError
from sop_core.export import neutralise
from sop_core.importer import (
    KINDS,
    ImportOptions,
    ImportReport,
    UploadConflict,
    action_for,
    actuals_cycle,
    import_file,
    revert_upload,
    template_for,
    upload_history,
)
from sop_core.importer.options import DATE_FORMATS, DELIMITERS, NUMBER_LOCALES, DateFormat, Encoding, NumberLocale
from sop_core.people import Actor, can, roles_needed
from sop_core.plans import plan_versions
from sop_ui.auth import current_actor
from sop_ui.store import get_store

GROUP_LABELS = {"actuals": "Actuals", "master": "Master data", "plan": "Plan"}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a grid (whose CSV download a spreadsheet opens): formulas neutralised, cell values as filed."""
    return neutralise(frame, keep_plain_numbers=True)


AUTO = "Automatic"

store = get_store()
actor = current_actor()

st.title("Data")
st.caption(
    "Load the closed month's actuals, master data or plans from CSV or Excel. Every file is checked "
    "in full first; nothing is written unless every row is valid, and every upload can be reverted."
)

upload_tab, history_tab = st.tabs([":material/upload_file: Upload", ":material/history: History"])


# --- who may load what ---------------------------------------------------------------------------
def needs_caption(verb: str, actions: list[str], person: Actor) -> str:
    """``Loading the budget needs the finance role; you are signed in as planner.`` (one clause per action)."""
    clauses = [
        f"{verb.lower()} {'the budget' if a == 'budget' else 'data'} needs the {roles_needed(a)} role" for a in actions
    ]
    text = "; ".join(clauses) + f"; you are signed in as {person.role_text}."
    return text[:1].upper() + text[1:]


def may_load(name: str) -> bool:
    """Whether the acting person may load (and revert) files of kind ``name``."""
    return can(actor, action_for(name))


# --- inputs -------------------------------------------------------------------------------------
def kind_label(name: str) -> str:
    """``Actuals · sales`` style label of a kind."""
    return f"{GROUP_LABELS[KINDS[name].group]} · {name.replace('_', ' ')}"


def read_options(kind: str) -> ImportOptions:
    """The file-format choices (nothing is guessed: ambiguous input needs a choice here)."""
    with st.expander("File format (only needed when the check asks for it)", icon=":material/tune:"):
        c1, c2, c3, c4 = st.columns(4)
        encodings: dict[str, Encoding | None] = {
            AUTO: None,
            "cp1252": "cp1252",
            "latin-1": "latin-1",
            "utf-16": "utf-16",
        }
        encoding = c1.selectbox(
            "Encoding",
            list(encodings),
            key="data_encoding",
            help="Automatic accepts UTF-8 (with or without BOM) and UTF-16 with a BOM.",
        )
        delim_names = {AUTO: None, **{f"{v} ({k!r})": k for k, v in DELIMITERS.items()}}
        delimiter = c2.selectbox("Delimiter", list(delim_names), key="data_delimiter")
        locales: dict[str, NumberLocale | None] = {
            "Plain 1234.5": None,
            **{v: cast(NumberLocale, k) for k, v in NUMBER_LOCALES.items()},
        }
        locale = c3.selectbox("Number format", list(locales), key="data_locale")
        dates: dict[str, DateFormat | None] = {
            "ISO only (2026-01-31, 2026-01)": None,
            **{v: cast(DateFormat, k) for k, v in DATE_FORMATS.items()},
        }
        date_format = c4.selectbox("Date format", list(dates), key="data_date_format")
        sum_duplicates = st.checkbox(
            "Sum rows with the same key (instead of rejecting them)", key="data_sum_duplicates"
        )
    cycle = None
    if KINDS[kind].group == "plan":
        versions = plan_versions(store)
        drafts = [f"{c:%Y-%m}" for c in versions.loc[versions["status"] == "draft", "cycle"]]
        choices = drafts + ["Another cycle…"]
        picked = st.selectbox("Plan cycle (draft versions only; approved plans are frozen)", choices, key="data_cycle")
        cycle = st.text_input("Cycle (YYYY-MM)", key="data_cycle_other") if picked == "Another cycle…" else picked
    return ImportOptions(
        encoding=encodings[encoding],
        delimiter=delim_names[delimiter],
        locale=locales[locale],
        date_format=dates[date_format],
        sum_duplicates=sum_duplicates,
        cycle=cycle,
    )


def run_import(kind: str, name: str, data: bytes, options: ImportOptions, *, dry_run: bool) -> ImportReport:
    """Run the importer as the acting person, with a progress indicator."""
    label = "Checking the file…" if dry_run else "Loading the file…"
    with st.status(label, expanded=len(data) > 5_000_000) as status:
        bar = st.progress(0.0)

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=text)

        try:
            report = import_file(store, kind, data, name, options, actor=actor, dry_run=dry_run, progress=progress)
        except UploadConflict as exc:  # rolled back whole: nothing of this file was written
            report = exc.report
        state: Literal["error", "complete"] = "error" if report.status in ("rejected", "failed") else "complete"
        status.update(label=report.summary().splitlines()[0][:120], state=state, expanded=False)
    return report


# --- output -------------------------------------------------------------------------------------
def show_counts(report: ImportReport) -> None:
    """Rows read = loaded + rejected, as metrics."""
    with st.container(horizontal=True):
        st.metric("Rows read", f"{report.rows_read:,}", border=True)
        st.metric(
            "Rows loaded" if report.status == "committed" else "Rows to load", f"{report.rows_loaded:,}", border=True
        )
        st.metric("Rows rejected", f"{report.rows_rejected:,}", border=True)
        st.metric("Rows with problems", f"{report.rows_with_problems:,}", border=True)


def show_report(report: ImportReport) -> None:
    """The validation report: summary, problems table and downloads."""
    show_counts(report)
    for warning in report.warnings:
        st.warning(warning, icon=":material/info:")
    for note in report.notes:
        st.warning(note, icon=":material/search_off:")
    if report.status == "rejected":
        st.error(
            f"{report.problem_count:,} problem(s) found; nothing was written. Fix the file (or choose the "
            "file format above) and upload it again.",
            icon=":material/error:",
        )
        st.dataframe(safe_frame(report.problems_frame()), hide_index=True, width="stretch", key="data_problems")
        if report.problem_count > len(report.problems):
            st.caption(f"The first {len(report.problems):,} problems are listed.")
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download the report (CSV)",
        report.to_csv(),
        file_name=f"{report.file_name}.report.csv",
        mime="text/csv",
        icon=":material/download:",
        key="data_report_csv",
    )
    c2.download_button(
        "Download the report (text)",
        report.to_text(),
        file_name=f"{report.file_name}.report.txt",
        mime="text/plain",
        icon=":material/description:",
        key="data_report_txt",
    )


def show_preview(report: ImportReport) -> None:
    """What the upload changes, beside what the store holds now."""
    if report.preview is None:
        return
    st.subheader("Preview")
    covered = []
    if report.months:
        covered.append(f"months {report.months[0]} to {report.months[-1]} ({len(report.months)})")
    if report.families:
        covered.append(f"families: {', '.join(report.families)}")
    st.caption(
        f"{report.rows_read:,} rows → {report.rows_stored:,} stored rows"
        + (" · " + " · ".join(covered) if covered else "")
    )
    frame = report.preview.copy()
    if "month" in frame.columns:
        frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    numeric = {
        c: st.column_config.NumberColumn(c.replace("_", " "), format="%,.1f")
        for c in ("in_store", "replaced", "in_file", "after_upload", "change")
        if c in frame.columns
    }
    st.dataframe(safe_frame(frame), hide_index=True, width="stretch", column_config=numeric, key="data_preview")


# --- upload tab ---------------------------------------------------------------------------------
with upload_tab:
    kind = st.selectbox("What are you loading?", list(KINDS), format_func=kind_label, key="data_kind")
    spec = KINDS[kind]
    st.caption(spec.description)
    if spec.group == "actuals":
        st.caption(f"Months after the current cycle ({actuals_cycle(store):%Y-%m}) are refused.")
    columns = ", ".join(f"`{c.name}`" + ("" if c.required else " (optional)") for c in spec.columns)
    st.markdown(f"Columns: {columns}")
    st.download_button(
        "Download the template",
        template_for(store, kind),
        file_name=f"{kind}_template.csv",
        mime="text/csv",
        icon=":material/download:",
        key="data_template",
    )
    options = read_options(kind)
    loadable = may_load(kind)
    if not loadable:
        st.caption(needs_caption("Loading", [action_for(kind)], actor) + " You can still check a file.")
    uploaded = st.file_uploader(
        "Upload a CSV or Excel (.xlsx) file" if loadable else "Check a CSV or Excel (.xlsx) file",
        type=["csv", "txt", "tsv", "xlsx"],
        key="data_file",
    )

    if uploaded is not None:
        data = uploaded.getvalue()
        check_key = (hashlib.sha256(data).hexdigest(), kind, repr(options))
        cached = st.session_state.get("data_check")
        if cached is None or cached[0] != check_key:
            report = run_import(kind, uploaded.name, data, options, dry_run=True)
            st.session_state["data_check"] = (check_key, report)
        else:
            report = cached[1]
        show_report(report)
        if report.status == "already_loaded":
            st.info(report.message, icon=":material/task_alt:")
        elif report.status == "valid":
            st.success(
                "The file is valid. Check the preview, then load it." if loadable else "The file is valid.",
                icon=":material/check_circle:",
            )
        show_preview(report)
        if (
            loadable
            and report.status == "valid"
            and st.button("Load into the store", type="primary", icon=":material/save:", key="data_commit")
        ):
            try:
                done = run_import(kind, uploaded.name, data, options, dry_run=False)
            except (StoreError, PermissionError) as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.session_state.pop("data_check", None)
                st.cache_data.clear()
                if done.status == "committed":
                    st.session_state["data_done"] = done.summary()
                    st.rerun()
                elif done.status == "failed":
                    st.error(done.message, icon=":material/sync_problem:")
                else:
                    show_report(done)
    if "data_done" in st.session_state:
        st.success(st.session_state.pop("data_done"), icon=":material/task_alt:")


# --- history tab --------------------------------------------------------------------------------
with history_tab:
    history = upload_history(store)
    if history.empty:
        st.info("No uploads yet.")
    else:
        st.dataframe(safe_frame(history.drop(columns=["sha256"])), hide_index=True, width="stretch", key="data_history")
        live = history.loc[history["status"] == "committed"]
        revertable = live.loc[[may_load(str(k)) for k in live["kind"]]] if not live.empty else live
        missing = sorted({action_for(str(k)) for k in live["kind"] if not may_load(str(k))}, reverse=True)
        if missing:
            st.caption(needs_caption("Reverting", missing, actor))
        if not revertable.empty:
            labels = {
                int(r.upload_id): f"{r.upload_id} · {r.kind} · {r.file_name} · {r.uploaded_at:%Y-%m-%d %H:%M}"
                for r in revertable.itertuples()
            }
            chosen: int = st.selectbox(
                "Upload to revert", list(labels), format_func=lambda i: labels[i], key="data_revert_id"
            )
            sure = st.checkbox("Yes, restore what the store held before this upload", key="data_revert_sure")
            if st.button("Revert", icon=":material/undo:", disabled=not sure, key="data_revert"):
                try:
                    message = revert_upload(store, chosen, actor)
                except (StoreError, PermissionError) as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    st.cache_data.clear()
                    st.session_state["data_reverted"] = message
                    st.rerun()
    if "data_reverted" in st.session_state:
        st.success(st.session_state.pop("data_reverted"), icon=":material/undo:")

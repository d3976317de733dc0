"""Load benchmark: many sessions at once against ``streamlit run``, through Streamlit's own websocket protocol.

No browser renders anything, so the server is what is measured. Each session is a
:class:`bench.load_client.StreamlitSession` (all of them coroutines on one event loop in this
process). Per level of ``--sessions``, on a fresh copy of the demo store (``sop_core.load_demo``)
under a fresh ``streamlit run app.py`` (tests/support/browser.py), after a warm-up session alone
has added one decision (timed: the single-session reference of a write) and opened every page once:

* every session connects and types its own name into the sidebar's "Your name" (local mode
  signs its writes with it); then, every ``--interval`` seconds from a jittered start, for
  ``--seconds``, it switches to the next review page (Overview … Family sheet), then to Scenarios,
  where it moves the lever slider "Demand change, all families (%)" twice (a fragment rerun);
* a third of the sessions also, every ~10 s, open the Cycle page and add a decision through the
  decision log's form (labels looked up at run time; the bench stops if they are not there),
  recording every text the app accepted.

Time per request: from sending the ``BackMsg`` to ``script_finished`` (successful). An exception
element or another status is an error. After the server stops, the store is opened and every
accepted decision must be there exactly once (lost writes = accepted but missing).

Same-run references: the single-session level is the reference of the target (p95 at the most
sessions ≤ 4 × p95 at 1 session); the floor (``--floor-seconds``) drives an empty two-page app the
same way at the fewest and the most sessions, to show what Streamlit and the machine alone cost;
the load average at start and end; the server's CPU use per level (above 100 % means more than
one core, i.e. work outside the GIL). Per request kind and page, p50/p95 show where time goes.

Run: ``python bench/load.py [--sessions 1,10,30] [--seconds 60] [--interval 2]``; the last line
is the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_client import NotOnScreen, RunResult, SessionError, StreamlitSession
from sop_core import load_demo, open_store
from sop_core.cycle import list_decisions
from tests.support.browser import streamlit_server

REVIEW_PAGES = ["Overview", "Demand review", "Supply review", "Finance review", "Executive review", "Family sheet"]
SCENARIO_PAGE = "Scenarios"
SLIDER = "Demand change, all families (%)"
SLIDER_MOVES = 2  # per visit of the Scenarios page
CYCLE_PAGE = "Cycle"
NAME = "Your name"
DECISION_EVERY = 10.0  # seconds between two decisions of a writing session
WRITER_SHARE = 3  # one session in three writes decisions
TARGET = 4.0  # p95 at the most sessions ≤ TARGET × p95 at one session
HEADLINE = ("page", "slider")  # the request kinds of the target (page switches and slider moves)
STEPS: list[tuple[str, str]] = [("page", p) for p in [*REVIEW_PAGES, SCENARIO_PAGE]] + [
    ("slider", SLIDER)
] * SLIDER_MOVES

# The floor: the same protocol against two nearly empty pages (one with a slider).
FLOOR_APP = textwrap.dedent(
    """
    import streamlit as st

    def first():
        st.sidebar.text_input("Your name", key="local_name")
        st.title("Floor")
        st.slider("Demand change, all families (%)", -30, 30, 0)

    def second():
        st.sidebar.text_input("Your name", key="local_name")
        st.title("Second")

    st.navigation([st.Page(first, title="First", default=True), st.Page(second, title="Second")]).run()
    """
)
FLOOR_STEPS = [("page", "Second"), ("page", "First"), ("slider", SLIDER)]


@dataclass
class Sample:
    """One timed request."""

    kind: str  # page, slider, cycle, decision; setup (not measured); error (the session ended)
    target: str  # the page or the widget
    ms: float
    error: str = ""  # empty: it went well


@dataclass
class SessionLog:
    """What one session did: its requests and the decision texts the app accepted."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)

    def record(self, kind: str, target: str, result: RunResult) -> RunResult:
        """Keep ``result`` as a sample; return it."""
        self.samples.append(Sample(kind, target, result.ms, result.describe()))
        return result


@dataclass
class Level:
    """One level of concurrency: its sessions' logs, the write check and the machine's state."""

    sessions: int
    logs: list[SessionLog]
    seconds: float
    server_cpu: float | None  # server CPU seconds per wall second during the window
    client_cpu: float  # this process's CPU seconds per wall second during the window
    warm: SessionLog | None = None  # the warm-up session (alone): its Cycle page and decision times
    lost: int = 0
    duplicated: int = 0
    foreign: int = 0  # saved, but signed by another name
    saved: int = 0

    def samples(self, kinds: tuple[str, ...] | None = None) -> list[Sample]:
        """The measured requests (of ``kinds``; not the setup, not a session's end on a closed socket)."""
        kept = [s for log in self.logs for s in log.samples if s.kind not in ("setup", "error")]
        return [s for s in kept if kinds is None or s.kind in kinds]

    @property
    def errors(self) -> int:
        """Failed requests, setup included."""
        return sum(1 for log in self.logs for s in log.samples if s.error)


def percentiles(samples: list[Sample]) -> tuple[float, float, float]:
    """p50, p95 and max of the samples' milliseconds (NaN when there are none)."""
    if not samples:
        return float("nan"), float("nan"), float("nan")
    ms = np.array([s.ms for s in samples])
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max())


# ---------------------------------------------------------------- one session
async def decide(session: StreamlitSession, log: SessionLog, text: str) -> None:
    """Open the Cycle page and add a decision ``text`` through the decision log's form."""
    page = log.record("cycle", CYCLE_PAGE, await session.switch_page(CYCLE_PAGE))
    if not page.ok:
        return
    await session.fill(NAME, log.name)  # the Cycle page may ask for the name again
    buttons = [w for w in session.widgets() if w.kind == "button" and w.label.lower().startswith("add decision")]
    if len(buttons) != 1:
        raise NotOnScreen(f"no single 'Add decision' button on the Cycle page: {[w.label for w in session.widgets()]}")
    form = buttons[0].form_id
    fields = [w for w in session.widgets() if w.form_id == form and w.kind in ("text_input", "text_area")]
    owner = [w for w in fields if "owner" in w.label.lower()]
    texts = [w for w in fields if w not in owner and (w.kind == "text_area" or "text" in w.label.lower())]
    if len(owner) != 1 or len(texts) != 1:
        raise NotOnScreen(f"the decision form {form!r} lacks one text and one owner field: {[w.label for w in fields]}")
    result = log.record(
        "decision", "Add decision", await session.click(buttons[0], {texts[0]: text, owner[0]: log.name})
    )
    standing = set(page.alerts)  # the page's own warnings (e.g. an overloaded resource) are not about the form
    refused = [body for fmt, body in result.alerts if fmt == "ERROR" and (fmt, body) not in standing]
    if refused:
        log.samples[-1].error = f"refused: {refused[0]}"
    elif result.ok:
        log.saved.append(text)


async def sign(session: StreamlitSession, log: SessionLog) -> None:
    """Connect and type the session's name into the sidebar's "Your name" (it signs the session's writes).

    The name is typed after a second run: in the first session of a fresh server, Streamlit's first
    run is in its ``pages/`` folder mode (sop_ui/store.py) and gives the sidebar's widgets other ids
    than the runs after it, so a name typed on that very first screen is dropped once (a browser
    shows the same: the field empties). The check below catches a name that does not stay.
    """
    if not log.record("setup", "connect", await session.connect()).ok:
        return
    if not log.record("setup", "rerun", await session.rerun()).ok:
        return
    await session.fill(NAME, log.name)
    if log.record("setup", NAME, await session.rerun()).ok and not session.holds(NAME):
        log.samples[-1].error = f"the name typed into {NAME!r} did not stay"


async def act(session: StreamlitSession, log: SessionLog, step: tuple[str, str], rng: random.Random) -> None:
    """One step: switch to a page, or move a slider of the page on screen to a random value of its range."""
    kind, target = step
    if kind == "page":
        log.record(kind, target, await session.switch_page(target))
        return
    slider = session.widget(target, "slider")
    low, high, by = slider.proto.min, slider.proto.max, slider.proto.step or 1
    value = low + by * rng.randrange(int((high - low) / by) + 1)
    log.record(kind, target, await session.set_value(slider, value))


async def drive(
    url: str, index: int, writer: bool, run_id: str, steps: list[tuple[str, str]], window: Window
) -> SessionLog:
    """One session: connect and sign with a name; once every session has, a request every interval."""
    log = SessionLog(f"Load {run_id} s{index:02d}")
    rng = random.Random(f"{run_id}-{index}")
    async with StreamlitSession(url) as session:
        try:
            await sign(session, log)
        except SessionError as exc:
            log.samples.append(Sample("setup", "connect", 0.0, str(exc)))
        t0 = await window.open()
        if any(s.error for s in log.samples):
            return log
        due = t0 + rng.uniform(0, window.interval)  # jittered: sessions do not beat in step
        next_decision = t0 + rng.uniform(0, DECISION_EVERY) if writer else float("inf")
        step, decisions = index % (len(REVIEW_PAGES) + 1), 0  # sessions start on different pages
        while True:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if time.monotonic() >= window.deadline:
                break
            try:
                if steps[step % len(steps)][0] == "page" and time.monotonic() >= next_decision:  # not mid-page
                    decisions += 1
                    await decide(session, log, f"{log.name} decision {decisions}")
                    next_decision += DECISION_EVERY
                await act(session, log, steps[step % len(steps)], rng)
                step += 1
            except NotOnScreen:
                if not (log.samples and log.samples[-1].error):
                    raise  # the app changed: stop the bench and say what is on screen
                step += 1  # the run that should have drawn it failed, and counts as an error already
            except SessionError as exc:  # the socket closed or a request timed out: this session ends
                log.samples.append(Sample("error", "session", 0.0, str(exc)))
                break
            due = max(due + window.interval, time.monotonic())  # one request at a time per session
    return log


class Window:
    """The measured window: opens once every session is connected, lasts ``seconds``."""

    def __init__(self, sessions: int, seconds: float, interval: float) -> None:
        self.barrier = asyncio.Barrier(sessions)
        self.seconds, self.interval = seconds, interval
        self.start = self.deadline = 0.0

    async def open(self) -> float:
        """Wait for every session; the window's start (the same for all)."""
        await self.barrier.wait()
        if not self.start:
            self.start = time.monotonic()
            self.deadline = self.start + self.seconds
        return self.start


async def run_level(
    url: str, sessions: int, seconds: float, interval: float, steps: list[tuple[str, str]], writers: bool
) -> tuple[list[SessionLog], float, float]:
    """All sessions of one level on this event loop; their logs and the window's start and end (monotonic)."""
    run_id = f"{int(time.time()) % 100000:05d}"
    window = Window(sessions, seconds, interval)
    logs = await asyncio.gather(
        *(
            drive(url, i, writers and i % WRITER_SHARE == WRITER_SHARE - 1, run_id, steps, window)
            for i in range(sessions)
        )
    )
    return list(logs), window.start, time.monotonic()


async def warm_up(url: str) -> SessionLog:
    """One session alone: opens the Cycle page twice and adds a decision (the single-session reference of a
    write), then opens every page once, filling the app's caches as earlier visitors would have."""
    log = SessionLog(f"Load warm-up {int(time.time()) % 100000:05d}")
    async with StreamlitSession(url) as session:
        await sign(session, log)
        results = [await session.switch_page(CYCLE_PAGE)]  # first visit: cold caches, not kept
        await decide(session, log, f"{log.name} decision 1")
        for page in [*REVIEW_PAGES, SCENARIO_PAGE]:
            results.append(await session.switch_page(page))
    failed = [r.describe() for r in results if not r.ok] + [s.error for s in log.samples if s.error]
    if failed or not log.saved:
        raise SystemExit(f"the warm-up session failed: {failed or 'its decision was not accepted'}")
    return log


# ---------------------------------------------------------------- the server and the store
def server_pid() -> int | None:
    """The pid of the ``streamlit run`` this process started (Linux /proc), ``None`` when not found."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and b"streamlit" in cmdline:
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of ``pid`` so far."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_writes(db: Path, level: Level) -> None:
    """Every decision a session saved must be in the store exactly once, signed by that session."""
    store = open_store(db)
    try:
        decisions = list_decisions(store)
    finally:
        store.close()
    counts = Counter(decisions["text"])
    signed = dict(zip(decisions["text"], decisions["created_by"], strict=True))
    for log in [*level.logs, *([level.warm] if level.warm else [])]:
        for text in log.saved:
            level.saved += 1
            level.lost += counts[text] == 0
            level.duplicated += counts[text] > 1
            level.foreign += counts[text] > 0 and log.name not in str(signed[text])


def measure(app: Path, sessions: int, args, db: Path | None, steps: list[tuple[str, str]]) -> Level:
    """One level against a fresh server of ``app`` (on store ``db`` when given)."""
    env = {"SOP_DB_PATH": str(db)} if db is not None else {}
    with streamlit_server(app, env=env, timeout=120) as url:
        warm = asyncio.run(warm_up(url)) if db is not None else None
        pid = server_pid()
        before, mine = cpu_seconds(pid), time.process_time()
        logs, start, end = asyncio.run(
            run_level(url, sessions, args.seconds if db else args.floor_seconds, args.interval, steps, db is not None)
        )
        after, mine_after = cpu_seconds(pid), time.process_time()
    wall = max(end - start, 1e-9)
    server = (after - before) / wall if before is not None and after is not None else None
    level = Level(sessions, logs, wall, server, (mine_after - mine) / wall, warm)
    if db is not None:
        check_writes(db, level)
    return level


# ---------------------------------------------------------------- report
def fmt(value: float) -> str:
    """Milliseconds as a right-aligned whole number."""
    return "     –" if np.isnan(value) else f"{value:6.0f}"


def level_line(name: str, level: Level, writes: bool) -> str:
    """sessions, requests, p50, p95, max, errors, lost writes (and the CPU) of one level."""
    headline = level.samples(HEADLINE)
    p50, p95, top = percentiles(headline)
    writes_text = f"{level.lost:3d} of {level.saved:3d} saved" if writes and level.saved else "  –"
    extra = f"  duplicated {level.duplicated}, signed by another {level.foreign}" if writes and level.saved else ""
    server = "–" if level.server_cpu is None else f"{level.server_cpu:.0%}"
    return (
        f"{name:6s}{level.sessions:9d}{len(level.samples()):9d}{len(headline) / level.seconds:7.1f}/s "
        f"{fmt(p50)} {fmt(p95)} {fmt(top)}{level.errors:7d}   {writes_text}   "
        f"cpu server {server} bench {level.client_cpu:.0%}{extra}"
    )


def breakdown(levels: list[Level]) -> list[str]:
    """p50/p95 per request kind and target at every level (where the time goes)."""
    keys = sorted({(s.kind, s.target) for lv in levels for s in lv.samples()}, key=lambda k: (k[0] != "page", k))
    head = f"{'request':34s}" + "".join(f"{f'{lv.sessions} sessions: p50/p95 (n)':>28s}" for lv in levels)
    lines = [head]
    for kind, target in keys:
        cells = []
        for lv in levels:
            got = [s for s in lv.samples() if (s.kind, s.target) == (kind, target)]
            p50, p95, _ = percentiles(got)
            cells.append(f"{fmt(p50).strip()}/{fmt(p95).strip()} ({len(got)})" if got else "–")
        lines.append(f"{kind + ' ' + target:34s}" + "".join(f"{c:>28s}" for c in cells))
    return lines


def errors_seen(levels: list[Level]) -> list[str]:
    """The distinct error texts, with counts (first five)."""
    seen = Counter(
        f"{lv.sessions} sessions, {s.kind} {s.target}: {s.error[:160]}"
        for lv in levels
        for log in lv.logs
        for s in log.samples
        if s.error
    )
    return [f"  {n}× {text}" for text, n in seen.most_common(5)]


def load_text() -> str:
    """The 1-minute load average (and the cores)."""
    return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def report(levels: list[Level], floors: list[Level], load_start: str, load_end: str) -> None:
    """The table per level, the breakdown per request, the errors and the summary line."""
    print()
    print(
        f"{'':6s}{'sessions':>9s}{'requests':>9s}{'rate':>9s} {'p50':>6s} {'p95':>6s} {'max':>6s}{'errors':>7s}   lost writes"
    )
    for level in levels:
        print(level_line("app", level, True))
    for level in floors:
        print(level_line("floor", level, False))
    print("(p50/p95/max: ms over page switches and slider moves; rate: those per second; errors: any request)")
    print()
    print("\n".join(breakdown(levels)))
    alone = [(lv.sessions, {s.kind: s.ms for s in lv.warm.samples if s.kind != "setup"}) for lv in levels if lv.warm]
    print(
        "one session alone (each level's warm-up): "
        + "; ".join(f"Cycle page {a['cycle']:.0f} ms, add decision {a['decision']:.0f} ms" for _, a in alone)
    )
    problems = errors_seen(levels + floors)
    if problems:
        print("errors:\n" + "\n".join(problems))
    base, top = levels[0], levels[-1]
    ratio = float("nan")  # the target compares the most sessions with one session alone
    if base.sessions == 1 and top is not base:
        ratio = percentiles(top.samples(HEADLINE))[1] / percentiles(base.samples(HEADLINE))[1]
    floor_ratio = float("nan")
    if len(floors) > 1:
        floor_ratio = percentiles(floors[-1].samples(HEADLINE))[1] / percentiles(floors[0].samples(HEADLINE))[1]
    errors = sum(lv.errors for lv in levels)
    lost = sum(lv.lost + lv.duplicated for lv in levels)
    verdict = "n/a (needs 1 and more sessions)" if np.isnan(ratio) else ("met" if ratio <= TARGET else "NOT met")
    if errors or lost:
        verdict = "NOT met"
    print(
        f"p95_ratio={ratio:.2f} (p95 at {top.sessions} sessions / p95 at {base.sessions}; target ≤ {TARGET:g}) "
        f"errors={errors} lost_writes={lost} floor_ratio={floor_ratio:.2f} target {verdict}; "
        f"load {load_start} → {load_end}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,30", help="comma-separated levels (default 1,10,30)")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per level (default 60)")
    parser.add_argument("--interval", type=float, default=2, help="seconds between a session's requests (default 2)")
    parser.add_argument("--floor-seconds", type=float, default=20, help="seconds per floor level (0: no floor)")
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.sessions.split(",")})
    load_start = load_text()
    print(f"load average at start: {load_start}", flush=True)
    levels: list[Level] = []
    floors: list[Level] = []
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.duckdb"
        store = open_store(demo)
        try:
            load_demo(store)
        finally:
            store.close()
        for n in counts:
            db = Path(tmp) / f"sessions{n}.duckdb"
            shutil.copy(demo, db)
            levels.append(measure(ROOT / "app.py", n, args, db, STEPS))
            print(level_line("app", levels[-1], True) + f"   (load {load_text()})", flush=True)
        if args.floor_seconds > 0:
            floor_app = Path(tmp) / "floor.py"
            floor_app.write_text(FLOOR_APP)
            for n in sorted({counts[0], counts[-1]}):
                floors.append(measure(floor_app, n, args, None, FLOOR_STEPS))
    report(levels, floors, load_start, load_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

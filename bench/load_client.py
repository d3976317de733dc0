"""One Streamlit session driven through Streamlit's own websocket protocol, without a browser.

What the browser does, and nothing it does not: ``GET /_stcore/health`` (the server sets the
``_streamlit_xsrf`` cookie there), then a websocket to ``/_stcore/stream`` with the browser's
``Origin`` and cookie, and the subprotocols ``streamlit, <xsrf token>`` (the token is the cookie
value, as the frontend sends it). Every interaction is a ``BackMsg.rerun_script`` carrying a
``ClientState``: the page's script hash when switching pages, the widget states, and the fragment
id when the widget lives in an ``st.fragment``. The server answers with ``ForwardMsg``\\ s: a
``new_session`` at each run's start, ``navigation`` (the pages), ``delta``\\ s (the elements),
``page_info_changed`` (the query string) and finally ``script_finished``.

Widget values follow the browser's widget manager: a value this client set is sent with every
later rerun while its widget is on screen (after a full run, values of widgets that are gone are
dropped, as the browser drops them); a button press (``trigger_value``) is sent once; values given
with a form submit are sent with that submit only. A value the app sets from session state
(``set_value`` in the element) replaces the client's. Only the widget kinds the load benchmark
uses are encoded (:func:`widget_state`).

A run's time is measured from sending the ``BackMsg`` to receiving ``script_finished`` with
``FINISHED_SUCCESSFULLY`` (or ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``); a run that ends for a
rerun (``st.rerun()``) is followed to the run that ends it. Exception elements, a compile error,
a missing page or another status make the run fail (:attr:`RunResult.ok`).

Used by ``bench/load.py``; tested against a real ``streamlit run`` by ``tests/test_load_client.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

XSRF_COOKIE = "_streamlit_xsrf"
STREAM_PATH = "/_stcore/stream"
HEALTH_PATH = "/_stcore/health"
SUCCESS = frozenset({ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})
STATUS_NAMES = {v.number: v.name for v in ForwardMsg.ScriptFinishedStatus.DESCRIPTOR.values}
WIDGET_KINDS = frozenset(
    {"slider", "text_input", "text_area", "button", "checkbox", "number_input", "selectbox", "multiselect"}
)


class SessionError(RuntimeError):
    """The protocol went wrong: no connection, or the socket closed."""


class NotOnScreen(SessionError):
    """A widget or page asked for is not on screen (the app changed, or the run that drew it failed)."""


@dataclass(frozen=True)
class Widget:
    """A widget on screen: its element kind (``slider``, ``text_input``, …), id, label, form and fragment."""

    kind: str
    id: str
    label: str
    form_id: str
    fragment_id: str
    proto: Any = field(compare=False, repr=False)  # the widget's message (streamlit.proto.Slider_pb2.Slider, …)


@dataclass
class RunResult:
    """One request: milliseconds to ``script_finished``, its status, and what went wrong."""

    ms: float
    status: int | None
    exceptions: list[str] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (format name, body) of st.error/success/…

    @property
    def ok(self) -> bool:
        """Finished successfully, without an exception element."""
        return self.status in SUCCESS and not self.exceptions

    def describe(self) -> str:
        """What went wrong, in one line (empty when nothing did)."""
        if self.ok:
            return ""
        status = "timeout" if self.status is None else STATUS_NAMES.get(self.status, str(self.status))
        return "; ".join([status, *self.exceptions])


def widget_state(widget: Widget, value: Any) -> WidgetState:
    """``value`` encoded for ``widget`` as the frontend encodes it (``True`` presses a button)."""
    state = WidgetState(id=widget.id)
    if widget.kind == "button":
        state.trigger_value = bool(value)
    elif widget.kind == "slider":
        if len(widget.proto.options):
            raise SessionError(f"select_slider {widget.label!r} is not supported")
        values = value if isinstance(value, list | tuple) else [value]
        state.double_array_value.data.extend(float(v) for v in values)
    elif widget.kind in ("text_input", "text_area"):
        state.string_value = str(value)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    elif widget.kind == "number_input":
        if widget.proto.data_type == widget.proto.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    else:
        raise SessionError(f"setting a {widget.kind} ({widget.label!r}) is not supported")
    return state


def xsrf_cookie(base: str, timeout: float) -> str | None:
    """The XSRF cookie the server sets on the health check (what the browser's first ping receives)."""
    with urllib.request.urlopen(base + HEALTH_PATH, timeout=timeout) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(header).get(XSRF_COOKIE)
            if morsel is not None:
                return morsel.value
    return None


class StreamlitSession:
    """A browser-less session of the app at ``url`` (``http://host:port``)."""

    def __init__(self, url: str, *, timeout: float = 120.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # page title → page script hash
        self.page_hash = ""  # the page of the last run
        self.query_string = ""
        self.session_id = ""
        self._navigation = False  # the app uses st.navigation (its pages come with every run)
        self._elements: dict[tuple[int, ...], tuple[str, Any, str]] = {}  # delta path → (kind, element, fragment)
        self._values: dict[str, WidgetState] = {}  # values this client set, resent while on screen
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: asyncio.Future[int] | None = None
        self._exceptions: list[str] = []
        self._alerts: list[tuple[str, str]] = []
        self._closed: BaseException | None = None

    # ------------------------------------------------------------ connection
    async def connect(self, page: str | None = None) -> RunResult:
        """Open the websocket as the browser does and run the default page (or ``page``, by title, after it)."""
        parts = urlsplit(self.url)
        try:
            token = await asyncio.to_thread(xsrf_cookie, self.url, self.timeout)
        except OSError as exc:
            raise SessionError(f"cannot reach {self.url}: {exc}") from exc
        protocols = [Subprotocol("streamlit")] + ([Subprotocol(token)] if token else [])
        headers = {"Cookie": f"{XSRF_COOKIE}={token}"} if token else {}
        scheme = "wss" if parts.scheme == "https" else "ws"
        try:
            self._ws = await connect(
                f"{scheme}://{parts.netloc}{parts.path}{STREAM_PATH}",
                origin=Origin(f"{parts.scheme}://{parts.netloc}"),
                subprotocols=protocols,
                additional_headers=headers,
                max_size=None,  # a page's deltas (charts, tables) exceed the 1 MiB default
                open_timeout=self.timeout,
                ping_interval=None,  # the server keeps the connection alive; no client pings while it is busy
                proxy=None,
            )
        except OSError as exc:
            raise SessionError(f"cannot connect to {self.url}: {exc}") from exc
        self._reader = asyncio.create_task(self._read(), name="streamlit-session-reader")
        result = await self._rerun(ClientState())
        if page is not None and result.ok:
            result = await self.switch_page(page)
        return result

    async def close(self) -> None:
        """Close the websocket (the server then ends the session)."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> StreamlitSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ what is on screen
    def widgets(self) -> list[Widget]:
        """Every widget of the last runs, in page order."""
        found = []
        for _, (kind, element, fragment) in sorted(self._elements.items()):
            if kind in WIDGET_KINDS:
                proto = getattr(element, kind)
                found.append(Widget(kind, proto.id, proto.label, proto.form_id, fragment, proto))
        return found

    def find(self, label: str, kind: str | None = None, *, form_id: str | None = None) -> list[Widget]:
        """The widgets labelled ``label`` (of ``kind``, in form ``form_id`` when given)."""
        return [
            w for w in self.widgets() if w.label == label and kind in (None, w.kind) and form_id in (None, w.form_id)
        ]

    def widget(self, label: str, kind: str | None = None, *, form_id: str | None = None) -> Widget:
        """The one widget labelled ``label``; :class:`SessionError` (listing what is there) when not exactly one."""
        found = self.find(label, kind, form_id=form_id)
        if len(found) != 1:
            there = sorted({f"{w.kind}:{w.label!r}" for w in self.widgets()})
            raise NotOnScreen(
                f"{len(found)} {kind or 'widget'}s labelled {label!r} on page {self.page_title()!r}; on screen: {there}"
            )
        return found[0]

    def holds(self, label: str) -> bool:
        """True when every widget labelled ``label`` on screen holds a value this client set."""
        found = self.find(label)
        return bool(found) and all(w.id in self._values for w in found)

    def page_title(self) -> str:
        """The title of the page of the last run."""
        return next((title for title, h in self.pages.items() if h == self.page_hash), self.page_hash)

    def texts(self) -> list[str]:
        """The markdown and alert texts on screen (for tests and checks)."""
        out = []
        for _, (kind, element, _) in sorted(self._elements.items()):
            if kind in ("markdown", "alert", "text"):
                out.append(getattr(element, kind).body)
        return out

    # ------------------------------------------------------------ interactions
    async def switch_page(self, title: str) -> RunResult:
        """Go to the page titled ``title`` (as a click in the sidebar navigation does)."""
        if title not in self.pages:
            raise NotOnScreen(f"no page {title!r}; pages: {sorted(self.pages)}")
        self.query_string = ""  # the browser drops the query string on a page switch
        return await self._rerun(ClientState(page_script_hash=self.pages[title]))

    async def rerun(self) -> RunResult:
        """Rerun the current page with the widget values set so far (as the browser's "Rerun")."""
        return await self._rerun(ClientState(page_script_hash=self.page_hash))

    async def set_value(self, widget: Widget, value: Any) -> RunResult:
        """Set ``widget`` to ``value`` and rerun (its fragment only, when it lives in one)."""
        if widget.form_id:
            raise SessionError(f"{widget.label!r} is in form {widget.form_id!r}: pass it to submit()")
        self._values[widget.id] = widget_state(widget, value)
        return await self._rerun(ClientState(page_script_hash=self.page_hash, fragment_id=widget.fragment_id))

    async def click(self, button: Widget, values: dict[Widget, Any] | None = None) -> RunResult:
        """Press ``button``; ``values`` (a form's fields) are sent with this press only."""
        if button.kind != "button":
            raise SessionError(f"{button.label!r} is a {button.kind}, not a button")
        once = [widget_state(w, v) for w, v in (values or {}).items()]
        once.append(widget_state(button, True))
        return await self._rerun(
            ClientState(page_script_hash=self.page_hash, fragment_id=button.fragment_id), once=once
        )

    async def fill(self, label: str, value: str, kind: str = "text_input") -> None:
        """Remember ``value`` for every ``kind`` widget labelled ``label`` now on screen (sent with the next run)."""
        for w in self.find(label, kind):
            if not w.form_id:
                self._values[w.id] = widget_state(w, value)

    # ------------------------------------------------------------ protocol
    async def _rerun(self, state: ClientState, once: list[WidgetState] | None = None) -> RunResult:
        if self._ws is None:
            raise SessionError("not connected")
        if self._closed is not None:
            raise SessionError(f"the websocket closed: {self._closed}")
        if not state.fragment_id:
            state.query_string = self.query_string
        once_ids = {s.id for s in once or []}
        state.widget_states.widgets.extend(s for i, s in self._values.items() if i not in once_ids)
        state.widget_states.widgets.extend(once or [])
        ctx = state.context_info
        ctx.timezone, ctx.timezone_offset, ctx.locale = "UTC", 0, "en-US"
        ctx.url, ctx.is_embedded, ctx.color_scheme = self.url + "/", False, "light"
        msg = BackMsg()
        msg.rerun_script.CopyFrom(state)
        self._exceptions, self._alerts = [], []
        loop = asyncio.get_running_loop()
        self._pending = loop.create_future()
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        status: int | None
        try:
            status = await asyncio.wait_for(asyncio.shield(self._pending), self.timeout)
        except TimeoutError:
            status = None
        ms = (time.perf_counter() - start) * 1000
        self._pending = None
        if not state.fragment_id and status in SUCCESS:
            on_screen = {w.id for w in self.widgets()}
            self._values = {i: s for i, s in self._values.items() if i in on_screen}
        return RunResult(ms, status, list(self._exceptions), list(self._alerts))

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for data in self._ws:
                if isinstance(data, bytes):
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    self._handle(msg)
            raise SessionError("the server closed the websocket")
        except Exception as exc:  # noqa: BLE001 - any end of the socket fails the pending request
            self._closed = exc
            if self._pending is not None and not self._pending.done():
                self._pending.set_exception(SessionError(f"the websocket closed: {exc}"))

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg)
        elif kind == "new_session":
            self._new_run(msg)
        elif kind == "navigation":  # st.navigation's pages replace the pages/ folder's
            self._navigation = True
            self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages if p.page_name}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self._exceptions.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            exc = msg.session_event.script_compilation_exception
            self._exceptions.append(f"{exc.type}: {exc.message}")
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # st.rerun(): the run that follows ends the request
            if self._pending is not None and not self._pending.done():
                self._pending.set_result(msg.script_finished)

    def _new_run(self, msg: ForwardMsg) -> None:
        new = msg.new_session
        self.page_hash = new.page_script_hash
        self.session_id = new.initialize.session_id or self.session_id
        if not self._navigation:
            self.pages = {p.page_name: p.page_script_hash for p in new.app_pages if p.page_name}
        if not msg.metadata.run.fragment_ids:  # a full run redraws the page: forget the last one's elements
            self._elements.clear()

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type") or ""
        path = tuple(msg.metadata.delta_path)
        self._elements[path] = (kind, element, delta.fragment_id)
        if kind == "exception":
            self._exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert":
            self._alerts.append((element.alert.Format.Name(element.alert.format), element.alert.body))
        elif kind in WIDGET_KINDS:
            proto = getattr(element, kind)
            if getattr(proto, "set_value", False) and proto.id in self._values:
                del self._values[proto.id]  # the app set it from session state: the browser takes the app's value

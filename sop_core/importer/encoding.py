"""The encoding of an uploaded text file: recognise it, refuse what is not known, decode on demand.

UTF-8 with or without BOM, and UTF-16 with a BOM, are recognised; anything else is
refused with the offending byte and its line unless the user chose ``cp1252`` or
``latin-1``. DuckDB reads UTF-8 files as they are, so those are only checked here (a
pure-ASCII file needs no decoding at all) and only their head is kept as text, for the
header search.
"""

from __future__ import annotations

import codecs

from .options import ImportOptions
from .report import ImportReport

HEAD_CHARS = 200_000  # the most the header search looks at (title lines, header, delimiter)


class FileText:
    """The file as text: given at once, or decoded from UTF-8 ``data`` when needed.

    ``ascii_only`` is true when every character is ASCII (then no cell holds, say, a no-break space).
    """

    def __init__(self, data: bytes, text: str | None = None, ascii_only: bool = False) -> None:
        self._data = data
        self._text = text
        self.ascii_only = ascii_only if text is None else text.isascii()  # str.isascii() is a flag lookup

    def head(self) -> str:
        """The first ``HEAD_CHARS`` characters (all of them in a shorter file)."""
        if self._text is not None:
            return self._text[:HEAD_CHARS]
        # At most 4 bytes a character, plus a 3-byte BOM; the incremental decoder keeps a character
        # cut at the end of the slice back instead of failing on it.
        prefix = self._data[: 4 * HEAD_CHARS + 3]
        return codecs.getincrementaldecoder("utf-8-sig")().decode(prefix)[:HEAD_CHARS]

    def full(self) -> str:
        """The whole file as text (decoded anew from UTF-8 each time: the text is not kept)."""
        return self._data.decode("utf-8-sig") if self._text is None else self._text


def decode(data: bytes, options: ImportOptions, report: ImportReport) -> FileText | None:
    """The file as text, or ``None`` (with a problem) when the encoding is not known."""
    bom16 = data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)
    if bom16 or options.encoding == "utf-16":
        try:
            return FileText(data, data.decode("utf-16"))
        except UnicodeDecodeError:
            report.reject(
                "the file is not valid UTF-16" + (" (it starts with a UTF-16 byte-order mark)" if bom16 else "")
            )
            return None
    if options.encoding in ("cp1252", "latin-1"):
        try:
            return FileText(data, data.decode(options.encoding))
        except UnicodeDecodeError as exc:
            report.reject(
                f"byte 0x{data[exc.start]:02x} is not valid {options.encoding}",
                value=repr(data[max(0, exc.start - 10) : exc.start + 10]),
                row=data.count(b"\n", 0, exc.start) + 1,
            )
            return None
    if b"\x00" in data[:4096]:
        report.reject("the file holds binary data (NUL bytes): not a CSV or Excel workbook")
        return None
    if data.isascii():  # valid UTF-8 by construction, and far cheaper to tell than decoding
        return FileText(data, ascii_only=True)
    try:
        data.decode("utf-8-sig")  # only to check it: the text is decoded again if it is ever needed
    except UnicodeDecodeError as exc:
        # The positions of "utf-8-sig" count from after the BOM; ``at`` is the byte's place in the file.
        at = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, at) + 1
        report.reject(
            f"byte 0x{data[at]:02x} is not valid UTF-8; the file looks like a Windows/ANSI export: "
            "save it as UTF-8, or choose the encoding cp1252 (Windows Western) or latin-1",
            value=data[max(0, at - 12) : at + 12].decode("utf-8", "replace"),
            row=line,
        )
        return None
    return FileText(data)

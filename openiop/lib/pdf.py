"""PDF documents with fpdf2 that never fail on the text put into them.

Names and free text can hold any character. fpdf2's built-in core fonts only know
Windows-1252 and raise on anything else, so a document uses DejaVu Sans (Debian's
fonts-dejavu-core, installed by scripts/ensure-test-deps) when the machine has it, and falls
back to the core Helvetica otherwise. Either way `Document.clean` turns every character the
chosen font cannot draw into its unaccented form or a visible "?", instead of an exception
or a silently missing glyph.
"""

import logging
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

# fontTools reports each table it prunes while subsetting the font, at INFO: one line per
# table per export, nothing an operator can act on.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_UNICODE_FAMILY = "DejaVuSans"
_CORE_FAMILY = "Helvetica"
_CORE_ENCODING = "windows-1252"
_REPLACEMENT = "?"
# Line breaks survive; tabs become spaces; every other control character is dropped.
_KEEP_CONTROLS = {"\n"}


class Document(FPDF):
    """An A4 page flow in a font that can draw the text, or a `?` where none can."""

    def __init__(self, *, font_dir: Path | None = DEJAVU_DIR, footer_text: str = "") -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.core_fonts_encoding = _CORE_ENCODING
        regular = font_dir / "DejaVuSans.ttf" if font_dir else None
        bold = font_dir / "DejaVuSans-Bold.ttf" if font_dir else None
        if regular and bold and regular.is_file() and bold.is_file():
            self.add_font(_UNICODE_FAMILY, "", str(regular))
            self.add_font(_UNICODE_FAMILY, "B", str(bold))
            self.family_name = _UNICODE_FAMILY
            # A character counts as drawable only when both weights have it.
            self._cmap: set[int] | None = _codepoints(self, "") & _codepoints(self, "B")
        else:
            self.family_name = _CORE_FAMILY
            self._cmap = None
        self.set_font(self.family_name, size=11)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.family_name, "", 8)
        line = f"{self.footer_text} · page {self.page_no()} of {{nb}}".lstrip(" ·")
        self.cell(0, 8, self.clean(line), align="C")

    @property
    def is_unicode(self) -> bool:
        return self._cmap is not None

    def can_draw(self, char: str) -> bool:
        if self._cmap is not None:
            return ord(char) in self._cmap
        try:
            char.encode(_CORE_ENCODING)
        except UnicodeEncodeError:
            return False
        return True

    def clean(self, text: str) -> str:
        """`text` with only characters this document's font can draw."""
        out = []
        for char in text:
            if char == "\t":
                out.append(" ")
            elif unicodedata.category(char) == "Cc" and char not in _KEEP_CONTROLS:
                continue
            elif self.can_draw(char):
                out.append(char)
            else:
                out.append(self._nearest(char))
        return "".join(out)

    def _nearest(self, char: str) -> str:
        # "Ł" has no decomposition, "é" does: keep the base letter when the font has it.
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and base != char and all(self.can_draw(c) for c in base):
            return base
        return _REPLACEMENT

    def heading(self, text: str, *, size: int = 14) -> None:
        self.set_font(self.family_name, "B", size)
        self.multi_cell(0, size * 0.55, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "", 11)
        self.ln(2)

    def fact(self, label: str, value: str) -> None:
        """One "Label: value" line (wrapping when long)."""
        self.set_font(self.family_name, "B", 11)
        self.write(6, self.clean(f"{label}: "))
        self.set_font(self.family_name, "", 11)
        self.write(6, self.clean(value))
        self.ln(6)

    def section(self, title: str, body: str, *, empty: str = "None recorded.") -> None:
        """A titled block of free text, which keeps its line breaks."""
        self.ln(2)
        self.set_font(self.family_name, "B", 12)
        self.multi_cell(0, 7, self.clean(title), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "", 11)
        self.multi_cell(
            0, 6, self.clean(body.strip() or empty), align="L", new_x="LMARGIN", new_y="NEXT"
        )

    def paragraph(self, text: str, *, size: int = 11) -> None:
        self.set_font(self.family_name, "", size)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "", 11)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _codepoints(doc: FPDF, style: str) -> set[int]:
    font = doc.fonts[f"{_UNICODE_FAMILY.lower()}{style}"]
    assert isinstance(font, TTFFont)
    return set(font.cmap)

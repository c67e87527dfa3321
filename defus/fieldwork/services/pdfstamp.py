"""Many personalised pages from one page rendered by WeasyPrint: a mail merge for PDF.

WeasyPrint lays out a page in about 80 ms and keeps every page's layout until the PDF is
written, so a letter to 20,000 people cannot be 20,000 laid-out pages. Instead the template
document is rendered once, with empty *slots* where the personal parts go: a zero-size
inline-block (`<span class="stamp" id="…">`) on the baseline of a line of text, or an empty
box for a QR code. WeasyPrint reports where each slot ended up (`Page.anchors`, by id).

Then, in WeasyPrint's documented `finisher` hook (the `pydyf.PDF` right before it is written),
each template page becomes a form XObject, and every output page is a small content stream
that draws its template (`/T Do`) and stamps the personal text and QR codes at the slots:

- Text is set in the very font files the template uses (`FontFiles`, declared to WeasyPrint by
  @font-face), embedded once as a subset (Type 0 / CIDFontType2, Identity-H, with a ToUnicode
  map so the text can be searched and copied), with the fonts' pair kerning. A character the
  font lacks falls back to DejaVu Sans. A line too wide for its slot is set smaller, down to a
  minimum, and clipped only beyond that. Text that needs shaping (right-to-left scripts,
  combining marks) or a font of neither kind is not `stampable`: the caller lays such a page
  out in full as one more page of the template document and stamps nothing on it.
- QR codes are vector paths (one rectangle per run of dark modules), 4 modules quiet zone,
  filling the slot's box.

Memory holds one compressed content stream (about 1–2 kB) per page, not a layout.
"""

from __future__ import annotations

import io
import os
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from hashlib import md5
from pathlib import Path
from typing import Any

import pydyf
import segno

# Font files by role, in order of preference; the first family with every role is used.
FAMILIES: tuple[dict[str, str], ...] = (
    {
        "sans": "LiberationSans-Regular.ttf",
        "sans-bold": "LiberationSans-Bold.ttf",
        "mono-bold": "LiberationMono-Bold.ttf",
    },
    {
        "sans": "DejaVuSans.ttf",
        "sans-bold": "DejaVuSans-Bold.ttf",
        "mono-bold": "DejaVuSansMono-Bold.ttf",
    },
)
FALLBACK_FONT = "DejaVuSans.ttf"  # for characters the chosen family lacks
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)
PT_PER_PX = 0.75  # 72 PDF points per inch / 96 CSS pixels per inch
QR_BORDER = 4  # modules of quiet zone, inside the slot's box


class FontsMissing(Exception):
    """No usable TrueType fonts were found."""


@dataclass(frozen=True)
class FontFiles:
    """The TrueType files the template and the stamped text share."""

    sans: Path
    sans_bold: Path
    mono_bold: Path
    fallback: Path | None

    def by_role(self, role: str) -> Path:
        return {"sans": self.sans, "sans-bold": self.sans_bold, "mono-bold": self.mono_bold}[role]

    def css(self) -> str:
        """@font-face rules: families "DEFUS Sans" (regular, bold) and "DEFUS Mono" (bold)."""
        faces = (
            ("DEFUS Sans", "normal", self.sans),
            ("DEFUS Sans", "bold", self.sans_bold),
            ("DEFUS Mono", "bold", self.mono_bold),
        )
        return "\n".join(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url("{path.as_uri()}"); }}'
            for family, weight, path in faces
        )

    def fetcher(self) -> Any:
        """A WeasyPrint URL fetcher for data: URLs and exactly these font files."""
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        files = {path.as_uri(): path for path in (self.sans, self.sans_bold, self.mono_bold)}

        class Fetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url in files:
                    return URLFetcherResponse(
                        url, files[url].read_bytes(), {"Content-Type": "font/ttf"}
                    )
                return super().fetch(url, headers)

        return Fetcher(allowed_protocols=["data"])


@cache
def _font_index() -> dict[str, Path]:
    index: dict[str, Path] = {}
    for directory in FONT_DIRS:
        if not directory.is_dir():
            continue
        for root, _dirs, names in os.walk(directory):
            for name in names:
                index.setdefault(name, Path(root) / name)
    return index


def find_fonts() -> FontFiles:
    """The first family of FAMILIES installed completely (raises FontsMissing)."""
    index = _font_index()
    for family in FAMILIES:
        paths = [index.get(family[role]) for role in ("sans", "sans-bold", "mono-bold")]
        if all(paths):
            sans, bold, mono = (path for path in paths if path is not None)
            fallback = index.get(FALLBACK_FONT)
            return FontFiles(sans, bold, mono, fallback if fallback != sans else None)
    raise FontsMissing(
        "no TrueType fonts for letters: install fonts-liberation or fonts-dejavu-core"
    )


@dataclass(frozen=True)
class TextSlot:
    """One line of text starting at a baseline slot; sizes in points. Without max_width the
    slot's own width limits the line (an inline-block that reserves the space)."""

    role: str  # "sans" or "mono-bold"
    size: float
    max_width: float | None = None
    min_size: float = 6.0
    letter_spacing: float = 0.0


@dataclass(frozen=True)
class QrSlot:
    """A QR code (error correction M) filling the slot's box, quiet zone included."""

    error: str = "m"


Slot = TextSlot | QrSlot


@dataclass(frozen=True)
class StampedPage:
    """An output page: a template page (by index) and the values of its slots by id."""

    template: int
    values: Mapping[str, str]


@dataclass
class _Template:
    width: float  # points
    height: float
    anchors: dict[str, tuple[float, float, float, float]]  # CSS px: x1, y1, x2, y2
    resources: bytes = b""  # reference to the output pages' resources


# --- fonts ---------------------------------------------------------------------------------


@dataclass
class _FontData:
    """What text layout needs from a TrueType file (read once per process)."""

    path: Path
    upem: int
    cmap: dict[int, str]
    glyph_ids: dict[str, int]
    advances: dict[str, int]
    kerning: dict[tuple[str, str], int]
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    fixed_pitch: bool
    postscript_name: str


@cache
def _font_data(path: Path) -> _FontData:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    kerning: dict[tuple[str, str], int] = {}
    if "kern" in font:
        for table in font["kern"].kernTables:
            if getattr(table, "format", None) == 0 and getattr(table, "coverage", 1) & 1:
                kerning.update(table.kernTable)
    head, hhea = font["head"], font["hhea"]
    os2 = font.get("OS/2")
    name = font["name"].getDebugName(6) or path.stem
    data = _FontData(
        path=path,
        upem=head.unitsPerEm,
        cmap=dict(font.getBestCmap() or {}),
        glyph_ids=font.getReverseGlyphMap(),
        advances={glyph: metric[0] for glyph, metric in font["hmtx"].metrics.items()},
        kerning=kerning,
        ascent=hhea.ascent,
        descent=hhea.descent,
        cap_height=getattr(os2, "sCapHeight", 0) or hhea.ascent,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        fixed_pitch=bool(font["post"].isFixedPitch),
        postscript_name="".join(c for c in name if c.isalnum() or c in "-_") or "Font",
    )
    font.close()
    return data


class _Font:
    """A font embedded in one PDF: the glyphs used so far and their widths."""

    def __init__(self, data: _FontData, resource: str) -> None:
        self.data = data
        self.resource = resource
        self.scale = 1000 / data.upem
        self.used: dict[int, str] = {}  # glyph id → the text it stands for
        self.widths: dict[int, float] = {}
        self._glyphs: dict[str, tuple[int, str] | None] = {}

    def glyph(self, char: str) -> tuple[int, str] | None:
        """(glyph id, glyph name) for a character, or None if the font lacks it."""
        if char not in self._glyphs:
            name = self.data.cmap.get(ord(char))
            self._glyphs[char] = None if name is None else (self.data.glyph_ids[name], name)
        return self._glyphs[char]

    def use(self, glyph_id: int, name: str, text: str) -> float:
        """Mark a glyph used; its advance in 1/1000 em."""
        if glyph_id not in self.widths:
            self.widths[glyph_id] = round(self.data.advances.get(name, 0) * self.scale, 3)
            if glyph_id:  # .notdef stands for no text
                self.used[glyph_id] = text
        return self.widths[glyph_id]

    def kern(self, left: str, right: str) -> float:
        value = self.data.kerning.get((left, right))
        return value * self.scale if value else 0.0

    def embed(self, pdf: Any, compress: bool) -> Any:
        """Add the subset font's objects to the PDF; the Type 0 font dictionary."""
        from fontTools import subset as font_subset
        from fontTools.ttLib import TTFont

        glyph_ids = sorted(self.widths)
        tag = "".join(
            chr(65 + byte % 26)
            for byte in md5(repr(glyph_ids).encode()).digest()[:6]  # noqa: S324
        )
        base_font = f"/{tag}+{self.data.postscript_name}"
        font = TTFont(str(self.data.path))
        options = font_subset.Options(
            retain_gids=True,
            notdef_outline=True,
            hinting=False,
            desubroutinize=True,
            ignore_missing_glyphs=True,
            layout_features=[],
        )
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
        subsetter = font_subset.Subsetter(options)
        subsetter.populate(gids=[0, *glyph_ids])
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        font.close()
        program = buffer.getvalue()
        font_file = pydyf.Stream([program], {"Length1": len(program)}, compress=compress)
        pdf.add_object(font_file)
        scale = self.scale
        x_min, y_min, x_max, y_max = self.data.bbox
        descriptor = pydyf.Dictionary(
            {
                "Type": "/FontDescriptor",
                "FontName": base_font,
                "Flags": 32 + (1 if self.data.fixed_pitch else 0),
                "FontBBox": pydyf.Array([round(v * scale) for v in (x_min, y_min, x_max, y_max)]),
                "ItalicAngle": 0,
                "Ascent": round(self.data.ascent * scale),
                "Descent": round(self.data.descent * scale),
                "CapHeight": round(self.data.cap_height * scale),
                "StemV": 80,
                "FontFile2": font_file.reference,
            }
        )
        pdf.add_object(descriptor)
        widths = pydyf.Array()
        for glyph_id in glyph_ids:
            widths.extend([glyph_id, pydyf.Array([self.widths[glyph_id]])])
        cid_font = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": base_font,
                "CIDSystemInfo": pydyf.Dictionary(
                    {
                        "Registry": pydyf.String("Adobe"),
                        "Ordering": pydyf.String("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": descriptor.reference,
                "W": widths,
                "CIDToGIDMap": "/Identity",
            }
        )
        pdf.add_object(cid_font)
        to_unicode = pydyf.Stream([self._to_unicode(sorted(self.used))], compress=compress)
        pdf.add_object(to_unicode)
        type0 = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": base_font,
                "Encoding": "/Identity-H",
                "DescendantFonts": pydyf.Array([cid_font.reference]),
                "ToUnicode": to_unicode.reference,
            }
        )
        pdf.add_object(type0)
        return type0

    def _to_unicode(self, glyph_ids: Sequence[int]) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(glyph_ids), 100):
            chunk = glyph_ids[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines.extend(
                f"<{glyph_id:04X}> <{self.used[glyph_id].encode('utf-16-be').hex().upper()}>"
                for glyph_id in chunk
            )
            lines.append("endbfchar")
        lines += [
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
        return "\n".join(lines).encode()


RIGHT_TO_LEFT = {"R", "AL", "AN", "RLE", "RLO", "RLI"}


def stampable(text: str, fonts: FontFiles, role: str = "sans") -> bool:
    """Whether a text can be stamped glyph by glyph as WeasyPrint would set it: no
    right-to-left script and no combining mark left after NFC (both need shaping), and every
    character in the role's font or the fallback font. Otherwise lay the page out in full."""
    primary = _font_data(fonts.by_role(role)).cmap
    fallback = _font_data(fonts.fallback).cmap if fonts.fallback else {}
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.category(char) in ("Mn", "Mc", "Me"):
            return False
        if unicodedata.bidirectional(char) in RIGHT_TO_LEFT:
            return False
        missing = ord(char) not in primary and ord(char) not in fallback
        if missing and unicodedata.category(char) not in ("Cc", "Cf", "Zs"):
            return False
    return True


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class _Stamper:
    """Builds the content stream of each output page."""

    def __init__(self, fonts: FontFiles, slots: Mapping[str, Slot]) -> None:
        self.slots = slots
        self.fonts: dict[str, _Font] = {}
        for index, role in enumerate(("sans", "mono-bold")):
            self.fonts[role] = _Font(_font_data(fonts.by_role(role)), f"DefusF{index}")
        self.fallback = (
            _Font(_font_data(fonts.fallback), "DefusF9") if fonts.fallback is not None else None
        )

    def runs(self, text: str, font: _Font) -> tuple[list[tuple[_Font, list[str]]], float, int]:
        """The text as runs of (font, TJ operands), its advance in 1/1000 em, glyph count."""
        runs: list[tuple[_Font, list[str]]] = []
        advance = 0.0
        count = 0
        previous: tuple[_Font, str] | None = None
        for char in unicodedata.normalize("NFC", text):
            if unicodedata.category(char) in ("Cc", "Cf"):
                continue
            chosen, found = font, font.glyph(char)
            if found is None and self.fallback is not None:
                fallback = self.fallback.glyph(char)
                if fallback is not None:
                    chosen, found = self.fallback, fallback
            glyph_id, name = found if found is not None else (0, ".notdef")
            if not runs or runs[-1][0] is not chosen:
                runs.append((chosen, []))
                previous = None
            operands = runs[-1][1]
            if previous is not None:
                kern = chosen.kern(previous[1], name)
                if kern:
                    operands.append(_number(-kern))
                    advance += kern
            advance += chosen.use(glyph_id, name, char)
            operands.append(f"<{glyph_id:04X}>")
            count += 1
            previous = (chosen, name)
        return runs, advance, count

    def text(self, slot: TextSlot, value: str, x: float, y: float, width: float) -> list[str]:
        font = self.fonts[slot.role]
        runs, advance, count = self.runs(value, font)
        if not count:
            return []
        size = slot.size
        spacing = slot.letter_spacing * count
        max_width = slot.max_width if slot.max_width is not None else width
        if advance * size / 1000 + spacing > max_width + 0.01:
            size = max(slot.min_size, (max_width - spacing) * 1000 / max(advance, 1))
        ops = ["q"]
        if advance * size / 1000 + spacing > max_width + 0.01:  # still too wide: clip
            ops.append(
                f"{_number(x)} {_number(y - size * 0.4)} {_number(max_width)} "
                f"{_number(size * 1.5)} re W n"
            )
        ops += ["BT", "0 g", f"{_number(slot.letter_spacing)} Tc"]
        ops.append(f"1 0 0 1 {_number(x)} {_number(y)} Tm")
        for run_font, operands in runs:
            ops.append(f"/{run_font.resource} {_number(size)} Tf")
            ops.append(f"[{''.join(operands)}] TJ")
        ops += ["ET", "Q"]
        return ops

    @staticmethod
    def qr(slot: QrSlot, value: str, box: tuple[float, float, float, float]) -> list[str]:
        x1, y1, x2, y2 = box  # points, PDF coordinates: y1 the top edge
        matrix = segno.make(value, error=slot.error, micro=False).matrix
        modules = len(matrix) + 2 * QR_BORDER
        size = min(x2 - x1, y1 - y2) / modules
        ops = ["q", "0 g"]
        ops.append(
            f"{_number(size)} 0 0 {_number(-size)} {_number(x1 + QR_BORDER * size)} "
            f"{_number(y1 - QR_BORDER * size)} cm"
        )
        for row, line in enumerate(matrix):
            column = 0
            width = len(line)
            while column < width:
                if line[column]:
                    start = column
                    while column < width and line[column]:
                        column += 1
                    ops.append(f"{start} {row} {column - start} 1 re")
                else:
                    column += 1
        ops += ["f", "Q"]
        return ops

    def page(self, template: _Template, values: Mapping[str, str]) -> bytes:
        ops = ["q /T Do Q"]
        for slot_id, value in values.items():
            slot = self.slots[slot_id]
            if slot_id not in template.anchors:
                raise ValueError(f"the template has no slot {slot_id!r}")
            x1, y1, x2, y2 = template.anchors[slot_id]
            left, top = x1 * PT_PER_PX, template.height - y1 * PT_PER_PX
            right, bottom = x2 * PT_PER_PX, template.height - y2 * PT_PER_PX
            if isinstance(slot, TextSlot):
                ops += self.text(slot, value, left, top, right - left)
            else:
                ops += self.qr(slot, value, (left, top, right, bottom))
        return "\n".join(ops).encode()

    def embed_fonts(self, pdf: Any, compress: bool) -> Any:
        fonts = pydyf.Dictionary()
        for font in (*self.fonts.values(), self.fallback):
            if font is not None and font.widths:
                fonts[font.resource] = font.embed(pdf, compress).reference
        return fonts


@dataclass
class _Finisher:
    stamper: _Stamper
    templates: list[_Template]
    pages: Iterable[StampedPage]
    compress: bool = True
    count: int = field(default=0, init=False)

    def __call__(self, document: Any, pdf: Any) -> None:
        template_pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
        if len(template_pages) != len(self.templates):
            raise ValueError("the template document must have one page per template")
        fonts = pydyf.Dictionary()
        pdf.add_object(fonts)
        for template, page in zip(self.templates, template_pages, strict=True):
            content = pdf.objects[int(page["Contents"].split()[0])]
            content.extra["Type"] = "/XObject"
            content.extra["Subtype"] = "/Form"
            content.extra["BBox"] = page["MediaBox"]
            content.extra["Resources"] = page["Resources"]
            resources = pydyf.Dictionary(
                {"XObject": pydyf.Dictionary({"T": content.reference}), "Font": fonts.reference}
            )
            pdf.add_object(resources)
            template.resources = resources.reference
        # The template pages leave the page tree; what pointed to them goes too.
        pdf.pages["Kids"] = pydyf.Array()
        pdf.pages["Count"] = 0
        pdf.catalog.pop("Outlines", None)
        if "Names" in pdf.catalog:
            pdf.catalog["Names"].pop("Dests", None)
            if not pdf.catalog["Names"]:
                del pdf.catalog["Names"]
        boxes = [
            {key: page[key] for key in ("MediaBox", "TrimBox", "BleedBox") if key in page}
            for page in template_pages
        ]
        for stamped in self.pages:
            template = self.templates[stamped.template]
            data = self.stamper.page(template, stamped.values)
            stream = pydyf.Stream(
                [zlib.compress(data, 6) if self.compress else data],
                {"Filter": "/FlateDecode"} if self.compress else {},
            )
            pdf.add_object(stream)
            output = pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": pdf.pages.reference,
                    **boxes[stamped.template],
                    "Contents": stream.reference,
                    "Resources": template.resources,
                }
            )
            pdf.add_page(output)
            self.count += 1
        for page in template_pages:
            page.clear()  # unreferenced now; written as an empty dictionary
        fonts.update(self.stamper.embed_fonts(pdf, self.compress))


def stamped_pdf(
    html: str,
    pages: Iterable[StampedPage],
    slots: Mapping[str, Slot],
    fonts: FontFiles,
) -> bytes:
    """Render `html` once (page i is template i) and write one page per StampedPage."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=fonts.fetcher()).render()
    templates = [
        _Template(
            width=page.width * PT_PER_PX,
            height=page.height * PT_PER_PX,
            anchors={name: box for name, box in page.anchors.items() if name in slots},
        )
        for page in document.pages
    ]
    finisher = _Finisher(_Stamper(fonts, slots), templates, pages)
    pdf = bytes(document.write_pdf(finisher=finisher))
    if not finisher.count:
        raise ValueError("no pages to stamp")
    return pdf

"""HTML of one question, assembled from pieces prepared once per (wave, page, language).

A grid page has well over a hundred radio buttons; rendering each through the template engine
costs tens of milliseconds. Here every radio and checkbox is escaped and formatted once, in
its checked and unchecked form, and a request only joins the right pieces. The markup is what
the accessibility rules ask for: fieldset and legend for groups, a label for every input, a
visually hidden "item – option" name for each radio of a grid, errors and hints linked with
aria-describedby.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .services import QuestionSpec, SummaryModule


def _pieces(q: QuestionSpec) -> dict[str, Any]:
    cached = q.cache.get("pieces")
    if cached is not None:
        return cached
    pieces: dict[str, Any] = {"legend": f"<legend>{escape(q.text)}</legend>"}
    notes = ""
    if q.filter_note:
        notes += f'<p class="filter-note" id="{q.code}-filter">{escape(q.filter_note)}</p>'
    if q.note:
        notes += f'<p class="help" id="{q.code}-note">{escape(q.note)}</p>'
    pieces["notes"] = notes
    if q.kind == "single":
        item = q.items[0]
        lines = []
        for o in q.options:
            input_id = f"f-{item.code}-{o.value}"
            li = '<li class="special-first">' if o.separated else "<li>"
            start = (
                f'{li}<label for="{input_id}"><input type="radio" id="{input_id}" '
                f'name="{item.code}" value="{escape(o.value)}"'
            )
            end = f"> <span>{escape(o.label)}</span></label></li>"
            lines.append((o.value, start + end, start + " checked" + end))
        pieces["options"] = lines
    elif q.kind == "multi":
        boxes = []
        for item in q.items:
            start = (
                f'<li><label for="{item.first_id}"><input type="checkbox" id="{item.first_id}" '
                f'name="{q.code}" value="{escape(item.code)}"'
            )
            end = f"> <span>{escape(item.label)}</span></label></li>"
            boxes.append((start + end, start + " checked" + end))
        pieces["boxes"] = boxes
    elif q.kind == "grid":
        head = "".join(
            f'<th scope="col"{_special_class(o)}>{escape(o.label)}</th>' for o in q.options
        )
        pieces["thead"] = f"<thead><tr><td></td>{head}</tr></thead>"
        rows = {}
        for item in q.items:
            label = escape(item.label)
            cells = []
            for o in q.options:
                input_id = f"f-{item.code}-{o.value}"
                start = (
                    f'<td{_special_class(o)}><label class="cell" for="{input_id}">'
                    f'<input type="radio" id="{input_id}" name="{item.code}" '
                    f'value="{escape(o.value)}"'
                )
                end = (
                    f'><span class="cell-text"><span class="visually-hidden">{label} – </span>'
                    f"{escape(o.label)}</span></label></td>"
                )
                cells.append((o.value, start, end))
            rows[item.code] = (f'<th scope="row" id="{item.code}-label">{label}', cells)
        pieces["rows"] = rows
    q.cache["pieces"] = pieces
    return pieces


def _special_class(o: Any) -> str:
    if not o.special:
        return ""
    return ' class="special special-first"' if o.separated else ' class="special"'


def _error(code: str, message: str, tag: str = "p") -> str:
    return (
        f'<{tag} class="error" id="{code}-error"><span class="visually-hidden">'
        f"{escape(_('Error:'))}</span> {escape(message)}</{tag}>"
    )


def question_html(q: QuestionSpec, view: dict[str, Any]) -> SafeString:
    """The question with the respondent's values (and errors) filled in."""
    pieces = _pieces(q)
    error = view["error"]
    describedby = view["describedby"]
    described = f' aria-describedby="{describedby}"' if describedby else ""
    has_error = " has-error" if error else ""
    parts: list[str] = []
    if q.kind in ("number", "text"):
        item = view["items"][0]
        spec = item["spec"]
        parts.append(
            f'<div class="question field{has_error}" id="q-{q.code}">'
            f'<label for="{spec.first_id}" class="question-text">{escape(q.text)}</label>'
        )
        parts.append(pieces["notes"])
        if error:
            parts.append(_error(q.code, error))
        invalid = ' aria-invalid="true"' if error else ""
        value = escape(item["value"])
        if q.kind == "number":
            bounds = ""
            if q.minimum is not None:
                bounds += f' min="{q.minimum}"'
            if q.maximum is not None:
                bounds += f' max="{q.maximum}"'
            ids = (f"{q.code}-unit " if q.unit else "") + describedby
            aria = f' aria-describedby="{ids.strip()}"' if ids.strip() else ""
            unit = f' <span id="{q.code}-unit">{escape(q.unit)}</span>' if q.unit else ""
            parts.append(
                f'<p class="number-field"><input type="number" inputmode="numeric" step="1" '
                f'id="{spec.first_id}" name="{spec.code}" value="{value}"{bounds} '
                f'class="number-input"{aria}{invalid}>{unit}</p>'
            )
        else:
            parts.append(
                f'<textarea id="{spec.first_id}" name="{spec.code}" rows="4" '
                f'maxlength="{q.maxlength}"{described}{invalid}>{value}</textarea>'
            )
        parts.append("</div>")
        return mark_safe("".join(parts))

    parts.append(f'<fieldset class="question{has_error}" id="q-{q.code}"{described}>')
    parts.append(pieces["legend"])
    parts.append(pieces["notes"])
    if error:
        parts.append(_error(q.code, error))
    if q.kind == "single":
        current = view["items"][0]["value"]
        parts.append('<ul class="options">')
        parts.extend(
            checked if value == current else plain for value, plain, checked in pieces["options"]
        )
        parts.append("</ul>")
    elif q.kind == "multi":
        parts.append(f'<input type="hidden" name="{q.code}__shown" value="1"><ul class="options">')
        parts.extend(
            checked if item["checked"] else plain
            for item, (plain, checked) in zip(view["items"], pieces["boxes"], strict=True)
        )
        parts.append("</ul>")
    else:
        parts.append('<table class="grid-table">')
        parts.append(pieces["thead"])
        parts.append("<tbody>")
        for item in view["items"]:
            code = item["spec"].code
            row_head, cells = pieces["rows"][code]
            current = item["value"]
            if item["error"]:
                parts.append(f'<tr class="has-error">{row_head}')
                parts.append(_error(code, item["error"], tag="span"))
                parts.append("</th>")
                aria = f' aria-describedby="{code}-error"'
            else:
                parts.append(f"<tr>{row_head}</th>")
                aria = ""
            for value, start, end in cells:
                parts.append(start)
                if value == current:
                    parts.append(" checked")
                parts.append(aria)
                parts.append(end)
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</fieldset>")
    return mark_safe("".join(parts))


def summary_html(modules: list[SummaryModule]) -> SafeString:
    """The answers page by page, each with a link to change them."""
    from django.urls import reverse

    change = escape(_("Change the answers on this page"))
    parts: list[str] = []
    for m in modules:
        title = escape(m.title)
        parts.append(
            f'<section class="summary-module" aria-labelledby="summary-{m.number}">'
            f'<h2 id="summary-{m.number}">{title}</h2>'
        )
        if m.entries:
            parts.append('<dl class="summary">')
            for e in m.entries:
                parts.append(f"<dt>{escape(e.question)}</dt>")
                if e.rows:
                    rows = "".join(
                        f"<li>{escape(label)}: <strong>{escape(answer)}</strong></li>"
                        for label, answer in e.rows
                    )
                    parts.append(f"<dd><ul>{rows}</ul></dd>")
                else:
                    parts.append(f"<dd><strong>{escape(e.answer)}</strong></dd>")
            parts.append("</dl>")
        url = reverse("respond:page", args=[m.number])
        parts.append(
            f'<p><a href="{url}">{change}<span class="visually-hidden">: {title}</span></a></p>'
            "</section>"
        )
    return mark_safe("".join(parts))

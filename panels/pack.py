"""The agenda pack: one anonymised PDF per recipient, built in a task and stored (CONVENTIONS 11).

Its content is the agenda (times and case pseudonyms) and each case's update form exactly as the panel sees
it (oversight.update_form.render: anonymised, failing closed), with the chair's recorded outcomes redacted
the same way. Every page carries the recipient's watermark — name, organisation, the time the copy was made,
OFFICIAL-SENSITIVE and the copy code — in the page margins and across the page, so a cropped copy still shows
it. The access log maps the copy code back to the recipient (services write it when the copy is made and at
each download). Rendered by ppda.pdf (the safe fetcher).
"""

from __future__ import annotations

import io
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe

from oversight.update_form import render
from ppda.audit import access_record
from ppda.models import AccessLog
from ppda.pdf import render_pdf

from . import selectors
from .models import Pack

logger = logging.getLogger(__name__)


def css_string(text: str) -> str:
    """Text for a CSS content: "..." inside <style> (raw text: HTML escaping does not apply there), with every
    character that could end the string, the rule or the element written as a CSS escape."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in " .,:;-_()@/":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return mark_safe("".join(out))  # noqa: S308 - every other character is escaped above


def pack_context(pack: Pack) -> dict:
    meeting = pack.meeting
    items = selectors.meeting_items(meeting)
    attendee = selectors.attendee_for(meeting, pack.user)
    made_at = timezone.localtime(pack.requested_at)
    rows = []
    for item in items:
        forms = [render.panel_form(entry.case) for entry in item.entries.all()]
        rows.append({"item": item, "forms": forms, "labels": [f.case_label for f in forms]})
    watermark = (
        f"OFFICIAL-SENSITIVE · {pack.user.display_name} · {attendee.organisation if attendee else ''} · "
        f"{made_at:%-d %b %Y %H:%M} · copy {pack.copy_code}"
    )
    return {
        "meeting": meeting,
        "rows": rows,
        "watermark": watermark,
        "watermark_css": css_string(watermark),
        "copy_code": pack.copy_code,
        "withheld_label": render.WITHHELD,
    }


def pack_pdf(pack: Pack) -> bytes:
    return render_pdf("panels/pack_pdf.html", pack_context(pack))


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def pack_build(*, pack_id: int) -> Pack | None:
    """Build a pending pack once: claimed under a row lock, so a redelivered task finds it built."""
    with transaction.atomic():
        pack = (
            Pack.objects.select_for_update(skip_locked=True)
            .select_related("meeting", "user")
            .filter(pk=pack_id, status=Pack.Status.PENDING)
            .first()
        )
        if pack is None:
            return None
        try:
            pdf = pack_pdf(pack)
        except Exception:
            logger.exception("panel pack %s failed", pack.pk)
            pack.status = Pack.Status.FAILED
            pack.save(update_fields=["status"])
            return pack
        pack.pdf = pdf
        pack.status = Pack.Status.READY
        pack.built_at = timezone.now()
        pack.save(update_fields=["pdf", "status", "built_at"])
        # The copy code -> recipient map: one row per copy, in the same transaction as the copy.
        access_record(
            user=pack.user,
            action=AccessLog.Action.PDF,
            object_type="panels.pack",
            object_id=pack.copy_code,
            what=f"panel pack copy {pack.copy_code} made",
        )
    return pack

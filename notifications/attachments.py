"""Files attached to an email, built when it is sent from the row's attachment specs."""

from __future__ import annotations

from collections.abc import Callable
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from casework.audit import access_log_record
from casework.models import ServiceUser
from casework.selectors import reach_for
from notifications.errors import PermanentFailure
from notifications.models import Notification
from plans.choices import APPROVED_STATES


def attachment_parts(
    row: Notification, *, cache: dict[Any, Any] | None = None
) -> tuple[list[MIMEBase], list[Callable[[], Any]]]:
    """The row's attachments, and what to record once the email has gone (access-log entries).

    ``cache`` keeps what several rows of one batch share.
    """
    cache = {} if cache is None else cache
    parts: list[MIMEBase] = []
    on_sent: list[Callable[[], Any]] = []
    for spec in row.attachments:
        if spec.get("type") == "meeting_ics":
            parts.append(_meeting_ics(row, spec["method"], cache))
        elif spec.get("type") == "plan_pdf":
            part, record = _plan_pdf(row, int(spec["version"]))
            parts.append(part)
            on_sent.append(record)
    return parts, on_sent


def _meeting_data(meeting_id: str, cache: dict[Any, Any]) -> dict[str, Any]:
    from responsibility_groups.invitations import meeting_calendar_data
    from responsibility_groups.models import Attendance, Meeting

    key = ("meeting", meeting_id)
    if key not in cache:
        attendance = Attendance.objects.select_related(
            "member__user", "member__representative", "member__group__service_user"
        )
        meeting = (
            Meeting.objects.select_related("group__unit", "group__coordinator")
            .prefetch_related(Prefetch("attendance", queryset=attendance))
            .get(pk=meeting_id)
        )
        cache[key] = meeting_calendar_data(meeting)
    return dict(cache[key])


def _meeting_ics(row: Notification, method: str, cache: dict[Any, Any]) -> MIMEBase:
    from responsibility_groups.calendar import UnwritableMeeting, meeting_ics

    data = _meeting_data(row.object_id, cache)
    # Relatives and the person are listed by address only (ADR 0010); a copy mailed to everyone
    # must not hand their addresses to the other invitees, so each copy lists only its recipient.
    data["attendees"] = [
        attendee for attendee in data["attendees"] if attendee["name"] or attendee["email"] == row.address
    ]
    # The professionals' copies are the same file: build it once per batch.
    key = ("ics", row.object_id, method, tuple(attendee["email"] for attendee in data["attendees"]))
    if key not in cache:
        try:
            cache[key] = meeting_ics(data, method=method).decode()
        except UnwritableMeeting as error:
            raise PermanentFailure(
                f"the meeting cannot be written as a calendar invitation: {error}"
            ) from error
    part = MIMEText(cache[key], "calendar", "utf-8")
    # Calendar clients read the method from the content type to tell an invitation from a cancel.
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitasjon.ics")
    return part


def _plan_pdf(row: Notification, number: int) -> tuple[MIMEBase, Callable[[], Any]]:
    """The approved version, only while the recipient may still see the plan and that version (a
    representative sees only the latest: a retried or late message whose version has since been
    superseded does not send it); the disclosure is logged."""
    from plans.documents.pdf import render_plan_pdf  # WeasyPrint: loaded only when a PDF is sent
    from plans.selectors import plan_get_for, plan_version_get_for, version_document_content

    if row.recipient_user is None:
        raise PermanentFailure("the plan is sent only to a recipient with a login")
    reach = reach_for(row.recipient_user)
    try:
        plan = plan_get_for(reach=reach, id=row.object_id)
    except Http404 as error:
        raise PermanentFailure("the recipient may no longer see the plan") from error
    if plan.state not in APPROVED_STATES:
        raise PermanentFailure("the plan is no longer approved")
    try:
        version = plan_version_get_for(reach=reach, plan=plan, number=number)
    except Http404 as error:
        raise PermanentFailure("a later version of the plan has been approved since") from error
    content = version_document_content(plan=plan, version=version)
    people = list(ServiceUser.objects.prefetch_related("units").filter(pk=plan.service_user_id))
    language = "en" if row.language == "en" else "nb"
    part = MIMEApplication(render_plan_pdf(content, language=language), "pdf")
    part.add_header("Content-Disposition", "attachment", filename=f"individuell-plan-{plan.pk}-{number}.pdf")
    return part, lambda: access_log_record(reach=reach, resource="plan.pdf_email", people=people)

"""Files attached to an email, built when it is sent from the row's attachment specs."""

from __future__ import annotations

from collections.abc import Iterator
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

from notifications.models import Notification


def attachment_parts(row: Notification) -> Iterator[MIMEBase]:
    for spec in row.attachments:
        if spec.get("type") == "meeting_ics":
            yield _meeting_ics(row, spec["method"])
        elif spec.get("type") == "plan_pdf":
            yield _plan_pdf(row, int(spec["version"]))


def _meeting_ics(row: Notification, method: str) -> MIMEBase:
    from responsibility_groups.calendar import meeting_ics
    from responsibility_groups.invitations import meeting_calendar_data
    from responsibility_groups.models import Meeting

    meeting = Meeting.objects.select_related("group__unit", "group__coordinator").get(pk=row.object_id)
    part = MIMEText(meeting_ics(meeting_calendar_data(meeting), method=method).decode(), "calendar", "utf-8")
    # Calendar clients read the method from the content type to tell an invitation from a cancel.
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitasjon.ics")
    return part


def _plan_pdf(row: Notification, number: int) -> MIMEBase:
    from plans.documents.pdf import render_plan_pdf  # WeasyPrint: loaded only when a PDF is sent
    from plans.models import IndividualPlan
    from plans.selectors import version_document_content

    plan = IndividualPlan.objects.get(pk=row.object_id)
    content = version_document_content(plan=plan, version=plan.versions.get(number=number))
    language = "en" if row.language == "en" else "nb"
    part = MIMEApplication(render_plan_pdf(content, language=language), "pdf")
    part.add_header("Content-Disposition", "attachment", filename=f"individuell-plan-{plan.pk}-{number}.pdf")
    return part

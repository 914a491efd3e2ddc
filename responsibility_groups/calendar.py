"""iCalendar (RFC 5545) for responsibility-group meetings: invitations and subscription feeds.

Pure functions from plain meeting data to ``.ics`` bytes, built with the ``icalendar`` package; no
database and no Django. The caller builds a plain dict from the model with exactly these keys
(:class:`CalendarMeeting` spells the shape out for callers who want mypy to check it):

- ``uid``: stable for the life of the meeting (``"meeting-42@medvirk"``); a reschedule keeps it.
- ``sequence``: raised on every change the attendees should see (RFC 5546).
- ``status``: ``"CONFIRMED"`` or ``"CANCELLED"``.
- ``summary``, ``description``, ``location``, ``video_link``: text; the last two may be ``""``.
- ``start``, ``end``, ``created``, ``last_modified``: timezone-aware datetimes in any zone. Start and
  end are written as Europe/Oslo local time with ``TZID=Europe/Oslo``; created and last modified in UTC.
- ``organizer``: ``{"name", "email"}``; ``attendees``: ``[{"name", "email", "required"}]``. Attendees
  without an email are left out (an invitation needs an address), repeated addresses are written once.

A video link becomes URL, is appended to DESCRIPTION and is the LOCATION when there is no place.
``ValueError`` for: a naive datetime, an unknown method or status, ``REQUEST`` for a cancelled
meeting (send ``CANCEL``), an invitation whose organizer has no email (iTIP needs ORGANIZER), a
time outside ``casework.limits``' dates. A feed leaves such a meeting out instead.

Privacy contract: whatever goes into ``summary``, ``description`` and ``location`` leaves the
municipality and is stored by external calendar systems (Outlook, Google). The caller must therefore
put neither the service user's name nor any health information there: write "Ansvarsgruppemøte" and
keep the agenda in Medvirk. This module cannot tell and does not check.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypedDict
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar, Event, Timezone, vCalAddress, vDuration

from casework.limits import EARLIEST_DATE, LATEST_DATE

logger = logging.getLogger(__name__)

TZID = "Europe/Oslo"
OSLO = ZoneInfo(TZID)
PRODID = "-//Medvirk//Ansvarsgruppe//NB"
FEED_REFRESH = timedelta(hours=1)

METHODS = ("REQUEST", "CANCEL")
STATUSES = ("CONFIRMED", "CANCELLED")


class CalendarPerson(TypedDict):
    name: str
    email: str


class CalendarAttendee(CalendarPerson):
    required: bool


class CalendarMeeting(TypedDict):
    uid: str
    sequence: int
    status: Literal["CONFIRMED", "CANCELLED"]
    summary: str
    description: str
    location: str
    video_link: str
    start: datetime
    end: datetime
    organizer: CalendarPerson
    attendees: list[CalendarAttendee]
    created: datetime
    last_modified: datetime


def meeting_ics(meeting: Mapping[str, Any], *, method: str) -> bytes:
    """One meeting as an iTIP message: ``REQUEST`` invites or reschedules, ``CANCEL`` cancels."""
    if method not in METHODS:
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    if method == "REQUEST" and meeting["status"] == "CANCELLED":
        raise ValueError("a cancelled meeting is sent with method='CANCEL'")
    if not meeting["organizer"]["email"].strip():
        raise ValueError("an invitation needs the organizer's email")
    _ensure_in_range(meeting)
    calendar = _calendar([meeting])
    calendar.add("METHOD", method)
    calendar.add_component(_event(meeting, status="CANCELLED" if method == "CANCEL" else meeting["status"]))
    return calendar.to_ical()


def calendar_feed(meetings: Sequence[Mapping[str, Any]], *, name: str) -> bytes:
    """A subscription feed (``webcal``): no METHOD, one VEVENT per meeting, cancelled ones included.

    A meeting that cannot be written (a time outside the supported dates, say one stored before
    input was bounded) is left out and logged by its UID: one bad row never takes the whole feed.
    """
    events, kept = [], []
    for meeting in meetings:
        try:
            _ensure_in_range(meeting)
        except UnwritableMeeting as error:
            logger.warning("Calendar feed: left out %s: %s", meeting.get("uid"), error)
            continue
        events.append(_event(meeting, status=meeting["status"]))
        kept.append(meeting)
    calendar = _calendar(kept)
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", TZID)
    calendar.add("REFRESH-INTERVAL", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


class UnwritableMeeting(ValueError):
    """The meeting's data cannot be written as a calendar event (not a mistake of the caller's)."""


def _ensure_in_range(meeting: Mapping[str, Any]) -> None:
    for moment in (meeting["start"], meeting["end"]):
        if not EARLIEST_DATE <= _utc(moment).date() <= LATEST_DATE:
            raise UnwritableMeeting(f"a time outside {EARLIEST_DATE} to {LATEST_DATE}")


def _calendar(meetings: Sequence[Mapping[str, Any]]) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    # The generated VTIMEZONE lists each transition (RDATE) inside a window; cover the meetings' years.
    times = [time for m in meetings for time in (m["start"], m["end"])] or [datetime.now(UTC)]
    years = [_utc(time).astimezone(OSLO).year for time in times]
    first, last = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    calendar.add_component(Timezone.from_tzid(TZID, first_date=first, last_date=last))
    return calendar


def _event(meeting: Mapping[str, Any], *, status: str) -> Event:
    if status not in STATUSES:
        raise ValueError(f"status must be CONFIRMED or CANCELLED, not {status!r}")
    place, link = meeting["location"].strip(), meeting["video_link"].strip()
    description = "\n\n".join(text for text in (meeting["description"], link) if text)
    return Event.new(
        uid=meeting["uid"],
        sequence=meeting["sequence"],
        stamp=datetime.now(UTC),
        start=_local(meeting["start"]),
        end=_local(meeting["end"]),
        summary=meeting["summary"],
        description=description or None,
        location=place or link or None,
        url=link or None,
        status=STATUS(status),
        organizer=_address(meeting["organizer"]),
        attendees=_attendees(meeting["attendees"]),
        created=_utc(meeting["created"]),
        last_modified=_utc(meeting["last_modified"]),
    )


def _address(person: Mapping[str, Any]) -> vCalAddress | None:
    email = person["email"].strip()
    return vCalAddress.new(email, cn=person["name"] or None) if email else None


def _attendees(attendees: Sequence[Mapping[str, Any]]) -> list[vCalAddress]:
    seen: set[str] = set()
    addresses = []
    for attendee in attendees:
        email = attendee["email"].strip()
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        role = "REQ-PARTICIPANT" if attendee["required"] else "OPT-PARTICIPANT"
        cn = attendee["name"] or None
        addresses.append(vCalAddress.new(email, cn=cn, role=role, partstat="NEEDS-ACTION", rsvp=True))
    return addresses


def _local(value: datetime) -> datetime:
    """Europe/Oslo wall time; UTC for the one hour a year that wall time cannot name.

    When the clocks go back, 02:00–03:00 happens twice and RFC 5545 reads such a local time as its
    first occurrence; an instant in the second one (``fold=1``) is therefore written in UTC.
    """
    local = _utc(value).astimezone(OSLO)
    return _utc(value) if local.fold else local


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"calendar times must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)

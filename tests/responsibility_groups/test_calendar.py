"""Meeting invitations and feeds as iCalendar, read back with ``icalendar``'s own parser (no database).

Every .ics is parsed with ``Calendar.from_ical``; ``valid()`` also asserts that the parser recorded no
errors on any component, that the bytes re-serialize unchanged, and that every line is CRLF-terminated
and at most 75 octets (RFC 5545 3.1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from responsibility_groups.calendar import CalendarAttendee, CalendarMeeting, calendar_feed, meeting_ics

OSLO = ZoneInfo("Europe/Oslo")
VIDEO = "https://video.example.no/m/abc?pin=1,2;3"
ATTENDEES: list[CalendarAttendee] = [
    {"name": "Kari Nordmann", "email": "kari@kommune.no", "required": True},
    {"name": "Ola Fysio, Hansen AS", "email": "ola@fysio.no", "required": False},
]


def meeting(
    *,
    uid: str = "meeting-42@medvirk",
    sequence: int = 0,
    status: Any = "CONFIRMED",
    summary: str = "Ansvarsgruppemøte",
    description: str = "Gjennomgang av planen.",
    location: str = "Helsehuset, møterom 2",
    video_link: str = "",
    start: datetime = datetime(2026, 6, 10, 8, 0, tzinfo=UTC),
    end: datetime = datetime(2026, 6, 10, 9, 30, tzinfo=UTC),
    attendees: list[CalendarAttendee] | None = None,
) -> CalendarMeeting:
    return {
        "uid": uid,
        "sequence": sequence,
        "status": status,
        "summary": summary,
        "description": description,
        "location": location,
        "video_link": video_link,
        "start": start,
        "end": end,
        "organizer": {"name": "Åse Koordinator", "email": "ase@kommune.no"},
        "attendees": ATTENDEES if attendees is None else attendees,
        "created": datetime(2026, 5, 1, 10, 0, tzinfo=OSLO),
        "last_modified": datetime(2026, 5, 2, 14, 15, tzinfo=OSLO),
    }


def valid(data: bytes) -> Calendar:
    """Parse with icalendar and check the RFC 5545 line rules on the raw bytes."""
    calendar = Calendar.from_ical(data)
    assert [(component.name, component.errors) for component in calendar.walk() if component.errors] == []
    assert calendar.to_ical() == data
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    return calendar


def only_event(calendar: Calendar) -> Event:
    assert len(calendar.events) == 1
    return calendar.events[0]


def local_value(event: Event, name: str) -> tuple[str | None, bytes | str]:
    """The TZID parameter and the literal value of a DTSTART/DTEND."""
    prop = event[name]
    return prop.params.get("TZID"), prop.to_ical()


# --- the invitation -------------------------------------------------------------------------------


def test_request_round_trips_with_calendar_headers_uid_sequence_and_times() -> None:
    calendar = valid(meeting_ics(meeting(sequence=3), method="REQUEST"))

    assert str(calendar["PRODID"]) == "-//Medvirk//Ansvarsgruppe//NB"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "REQUEST"
    event = only_event(calendar)
    assert str(event["UID"]) == "meeting-42@medvirk"
    assert event["SEQUENCE"] == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    # 08:00Z in June is 10:00 summer time in Oslo.
    assert local_value(event, "DTSTART") == ("Europe/Oslo", b"20260610T100000")
    assert local_value(event, "DTEND") == ("Europe/Oslo", b"20260610T113000")
    assert event.start == datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 6, 10, 9, 30, tzinfo=UTC)


def test_dtstamp_is_now_and_created_and_last_modified_are_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    event = only_event(valid(meeting_ics(meeting(), method="REQUEST")))
    after = datetime.now(UTC)

    assert event["DTSTAMP"].to_ical().endswith(b"Z")
    assert before <= event["DTSTAMP"].dt <= after
    assert event["CREATED"].to_ical() == b"20260501T080000Z"
    assert event["LAST-MODIFIED"].to_ical() == b"20260502T121500Z"


def test_organizer_and_every_attendee_with_cn_role_partstat_and_rsvp() -> None:
    event = only_event(valid(meeting_ics(meeting(), method="REQUEST")))

    organizer = event["ORGANIZER"]
    assert (str(organizer), organizer.params["CN"]) == ("mailto:ase@kommune.no", "Åse Koordinator")
    assert [(str(a), dict(a.params)) for a in event.attendees] == [
        (
            "mailto:kari@kommune.no",
            {"CN": "Kari Nordmann", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
        ),
        (
            "mailto:ola@fysio.no",
            {
                "CN": "Ola Fysio, Hansen AS",
                "ROLE": "OPT-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "TRUE",
            },
        ),
    ]


def test_text_with_commas_semicolons_newlines_and_norwegian_letters_survives() -> None:
    summary = "Ansvarsgruppe: møte 2; oppfølging, æøå ÆØÅ"
    description = "Agenda:\n1. Status; mål, tiltak\n2. Neste møte\\dato\n\n" + "Lang tekst med æøå. " * 12
    place = "Rådhuset, 2. etg.; rom «Fjord»"
    data = meeting_ics(meeting(summary=summary, description=description, location=place), method="REQUEST")
    event = only_event(valid(data))

    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description
    assert str(event["LOCATION"]) == place
    assert b"\\, " in data and b"\\;" in data and b"\\n" in data  # escaped on the wire, not dropped


def test_video_link_is_the_url_and_follows_the_description_and_the_place_stays_the_location() -> None:
    event = only_event(valid(meeting_ics(meeting(video_link=VIDEO), method="REQUEST")))

    assert str(event["URL"]) == VIDEO
    assert str(event["DESCRIPTION"]) == f"Gjennomgang av planen.\n\n{VIDEO}"
    assert str(event["LOCATION"]) == "Helsehuset, møterom 2"


def test_video_link_is_the_location_when_there_is_no_place() -> None:
    event = only_event(valid(meeting_ics(meeting(location="", video_link=VIDEO), method="REQUEST")))

    assert str(event["LOCATION"]) == VIDEO
    assert str(event["URL"]) == VIDEO


def test_no_place_no_link_and_no_description_leave_those_properties_out() -> None:
    data = meeting_ics(meeting(location="", video_link="", description=""), method="REQUEST")
    event = only_event(valid(data))

    assert [name for name in ("LOCATION", "URL", "DESCRIPTION") if name in event] == []


def test_attendees_without_email_are_left_out_and_a_repeated_address_is_written_once() -> None:
    attendees: list[CalendarAttendee] = [
        {"name": "Uten e-post", "email": "", "required": True},
        {"name": "Kari Nordmann", "email": "kari@kommune.no", "required": True},
        {"name": "Blank", "email": "   ", "required": False},
        {"name": "Kari igjen", "email": "KARI@kommune.no", "required": False},
    ]
    event = only_event(valid(meeting_ics(meeting(attendees=attendees), method="REQUEST")))

    assert [(str(a), a.params["CN"]) for a in event.attendees] == [
        ("mailto:kari@kommune.no", "Kari Nordmann")
    ]


# --- the night the clocks change ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc_start", "local_start"),
    [
        # 2026-10-25: clocks go back 03:00 -> 02:00; 09:00 local is then winter time, UTC+1.
        (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), b"20261025T090000"),
        # 2026-03-29: clocks go forward 02:00 -> 03:00; 09:00 local is then summer time, UTC+2.
        (datetime(2026, 3, 29, 7, 0, tzinfo=UTC), b"20260329T090000"),
    ],
    ids=["autumn", "spring"],
)
def test_meeting_on_the_day_the_clocks_change_keeps_its_local_time(
    utc_start: datetime, local_start: bytes
) -> None:
    data = meeting_ics(meeting(start=utc_start, end=utc_start + timedelta(hours=1)), method="REQUEST")
    event = only_event(valid(data))

    assert local_value(event, "DTSTART") == ("Europe/Oslo", local_start)
    assert event.start == utc_start


def test_vtimezone_for_oslo_has_standard_and_daylight_rules() -> None:
    calendar = valid(meeting_ics(meeting(), method="REQUEST"))

    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Oslo"]
    observances = {(c.name, c["TZOFFSETTO"].to_ical()) for c in calendar.timezones[0].subcomponents}
    assert observances == {("STANDARD", "+0100"), ("DAYLIGHT", "+0200")}
    # The rules themselves (not the TZID looked up in the system database) give Oslo's offsets.
    rules = calendar.timezones[0].to_tz(lookup_tzid=False)
    assert datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(rules).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 15, 12, tzinfo=UTC).astimezone(rules).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 10, 25, 8, tzinfo=UTC).astimezone(rules).utcoffset() == timedelta(hours=1)


def test_meeting_across_the_autumn_change_lasts_three_hours_in_absolute_time() -> None:
    # 01:30 summer time to 03:30 winter time: two hours on the wall clock, three in reality.
    start, end = datetime(2026, 10, 24, 23, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    event = only_event(valid(meeting_ics(meeting(start=start, end=end), method="REQUEST")))

    assert local_value(event, "DTSTART") == ("Europe/Oslo", b"20261025T013000")
    assert local_value(event, "DTEND") == ("Europe/Oslo", b"20261025T033000")
    # Subtracting two datetimes with the same tzinfo ignores the offset change; compare in UTC.
    assert event.end.astimezone(UTC) - event.start.astimezone(UTC) == timedelta(hours=3)


def test_second_pass_through_the_repeated_hour_is_written_in_utc() -> None:
    # 02:30 happens twice on 2026-10-25; a TZID time means the first (summer time) one, 00:30Z.
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    event = only_event(valid(meeting_ics(meeting(start=first, end=second), method="REQUEST")))

    assert local_value(event, "DTSTART") == ("Europe/Oslo", b"20261025T023000")
    assert local_value(event, "DTEND") == (None, b"20261025T013000Z")
    # Python never calls a time in the repeated hour equal to one in another zone (PEP 495): use UTC.
    assert (event.start.astimezone(UTC), event.end.astimezone(UTC)) == (first, second)


# --- changes and cancellation ---------------------------------------------------------------------


def test_rescheduling_keeps_the_uid_and_raises_the_sequence() -> None:
    moved = datetime(2026, 6, 17, 8, 0, tzinfo=UTC)
    original = only_event(valid(meeting_ics(meeting(sequence=0), method="REQUEST")))
    changed = only_event(
        valid(meeting_ics(meeting(sequence=1, start=moved, end=moved + timedelta(hours=1)), method="REQUEST"))
    )

    assert str(changed["UID"]) == str(original["UID"]) == "meeting-42@medvirk"
    assert (original["SEQUENCE"], changed["SEQUENCE"]) == (0, 1)
    assert local_value(changed, "DTSTART") == ("Europe/Oslo", b"20260617T100000")


def test_cancel_carries_the_same_uid_method_cancel_and_status_cancelled() -> None:
    invited = only_event(valid(meeting_ics(meeting(sequence=1), method="REQUEST")))
    calendar = valid(meeting_ics(meeting(sequence=2, status="CANCELLED"), method="CANCEL"))

    assert str(calendar["METHOD"]) == "CANCEL"
    event = only_event(calendar)
    assert str(event["UID"]) == str(invited["UID"])
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert [str(a) for a in event.attendees] == ["mailto:kari@kommune.no", "mailto:ola@fysio.no"]


def test_cancel_is_cancelled_even_if_the_meeting_dict_still_says_confirmed() -> None:
    event = only_event(valid(meeting_ics(meeting(status="CONFIRMED"), method="CANCEL")))

    assert str(event["STATUS"]) == "CANCELLED"


# --- refused input --------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting_ics(meeting(start=datetime(2026, 6, 10, 10, 0)), method="REQUEST")


def test_a_request_for_a_cancelled_meeting_is_refused() -> None:
    with pytest.raises(ValueError, match="CANCEL"):
        meeting_ics(meeting(status="CANCELLED"), method="REQUEST")


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        meeting_ics(meeting(), method="PUBLISH")


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="CONFIRMED or CANCELLED"):
        calendar_feed([meeting(status="TENTATIVE")], name="Møter")


def test_an_invitation_without_organizer_email_is_refused() -> None:
    data = meeting()
    data["organizer"] = {"name": "Ingen adresse", "email": ""}

    with pytest.raises(ValueError, match="organizer"):
        meeting_ics(data, method="REQUEST")


# --- the subscription feed ------------------------------------------------------------------------


def test_feed_has_one_vevent_per_meeting_one_vtimezone_and_no_method() -> None:
    meetings = [
        meeting(uid="meeting-1@medvirk"),
        meeting(uid="meeting-2@medvirk", sequence=4, status="CANCELLED"),
        meeting(
            uid="meeting-3@medvirk",
            start=datetime(2027, 2, 1, 9, tzinfo=UTC),
            end=datetime(2027, 2, 1, 10, tzinfo=UTC),
        ),
    ]
    calendar = valid(calendar_feed(meetings, name="Møter – Åse Koordinator"))

    assert "METHOD" not in calendar
    assert [(str(e["UID"]), str(e["STATUS"])) for e in calendar.events] == [
        ("meeting-1@medvirk", "CONFIRMED"),
        ("meeting-2@medvirk", "CANCELLED"),
        ("meeting-3@medvirk", "CONFIRMED"),
    ]
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Oslo"]
    assert local_value(calendar.events[2], "DTSTART") == ("Europe/Oslo", b"20270201T100000")


def test_feed_names_itself_and_asks_to_be_refreshed_hourly() -> None:
    calendar = valid(calendar_feed([meeting()], name="Møter – Åse Koordinator"))

    assert str(calendar["X-WR-CALNAME"]) == "Møter – Åse Koordinator"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Oslo"
    refresh = calendar["REFRESH-INTERVAL"]
    assert (refresh.params["VALUE"], refresh.to_ical()) == ("DURATION", b"PT1H")
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"


def test_feed_timezone_covers_every_year_with_a_meeting() -> None:
    meetings = [
        meeting(),
        meeting(start=datetime(2028, 7, 1, 8, tzinfo=UTC), end=datetime(2028, 7, 1, 9, tzinfo=UTC)),
    ]
    calendar = valid(calendar_feed(meetings, name="Møter"))

    rules = calendar.timezones[0].to_tz(lookup_tzid=False)
    for year in (2026, 2027, 2028):
        assert datetime(year, 1, 15, tzinfo=UTC).astimezone(rules).utcoffset() == timedelta(hours=1)
        assert datetime(year, 7, 15, tzinfo=UTC).astimezone(rules).utcoffset() == timedelta(hours=2)


def test_empty_feed_is_still_a_valid_calendar_with_its_timezone() -> None:
    calendar = valid(calendar_feed([], name="Møter"))

    assert (len(calendar.events), [str(tz["TZID"]) for tz in calendar.timezones]) == (0, ["Europe/Oslo"])

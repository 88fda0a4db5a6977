"""Demo meetings: round tables of the Central Asia and South East Asia National Focal Points, with
participants, agenda, presentations (links), minutes, decisions and action items (some open, some
closed, one overdue), loaded idempotently. Everything here is invented and says so in its minutes.

They need the demo people (focal points, secretariat officers), so `load_demo` loads them after the
fictional population; without it there is nothing to load.
"""

import datetime

from django.db.models import Q

from cbrnet.meetings.choices import ActionItemStatus, Attendance, MeetingKind, MeetingStatus
from cbrnet.meetings.models import ActionItem, AgendaItem, Decision, Meeting, Participant, Presentation
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Membership, Person, RoleAssignment

DEMO_NOTE = "Demo record: a fictional meeting of the demo data set; nothing in it happened."
UTC = datetime.UTC

# (region, title, local start, local end, time zone, country, city, venue, status, chair login)
MEETINGS = [
    ("CA", "Round table of the Central Asia National Focal Points, spring 2026",
     datetime.datetime(2026, 4, 21, 9, 0), datetime.datetime(2026, 4, 22, 13, 0), "Asia/Tashkent", "UZ", "Tashkent",
     "Regional Secretariat meeting room", MeetingStatus.HELD, "sec-ca"),
    ("CA", "Round table of the Central Asia National Focal Points, spring 2027",
     datetime.datetime(2027, 3, 16, 9, 0), datetime.datetime(2027, 3, 17, 13, 0), "Asia/Almaty", "KZ", "Almaty",
     "", MeetingStatus.PLANNED, "sec-ca"),
    ("SEA", "Round table of the South East Asia National Focal Points, 2026",
     datetime.datetime(2026, 6, 9, 9, 0), datetime.datetime(2026, 6, 10, 16, 0), "Asia/Manila", "PH", "Manila",
     "", MeetingStatus.HELD, "nfp-ph"),
    ("SEA", "Round table of the South East Asia National Focal Points, 2027",
     datetime.datetime(2027, 2, 23, 9, 0), datetime.datetime(2027, 2, 23, 12, 0), "Asia/Bangkok", "TH", "",
     "", MeetingStatus.PLANNED, "nfp-th"),
]

MINUTES = {
    "CA": "The focal points reviewed progress on the national CBRN action plans and the regional "
          "priorities, heard the secretariat's report on the projects under way, and agreed the concept of a "
          "regional field exercise.",
    "SEA": "The focal points exchanged lessons from the regional table-top exercise and discussed "
           "cooperation with the ASEAN network on biological preparedness.",
}

AGENDA = {
    "CA": [(1, "Opening and adoption of the agenda", "sec-ca"), (2, "National action plans: progress reports", "nfp-kz"),
           (3, "Regional field exercise: concept", "nfp-uz"), (4, "Next round table", "sec-ca")],
    "SEA": [(1, "Opening", "nfp-ph"), (2, "Lessons from the table-top exercise", "nfp-th"),
            (3, "Biological preparedness with the ASEAN network", "nfp-ph")],
}

# (order of the agenda item it belongs to, text)
DECISIONS = {
    "CA": [(3, "The round table endorses the concept of a regional field exercise in 2027."),
           (4, "The next round table is held in Almaty in March 2027.")],
    "SEA": [(2, "The lessons learnt are compiled into a regional report.")],
}

# (title, owner login, due date, closed on (None: open), closing note, decision index or None)
ACTION_ITEMS = {
    "CA": [
        ("Share the updated national CBRN action plan with the secretariat", "nfp-kz", datetime.date(2026, 6, 30),
         datetime.datetime(2026, 6, 24, 10, 0, tzinfo=UTC), "Sent to the secretariat by e-mail.", None),
        ("Nominate two trainers for the regional biosafety course", "nfp-uz", datetime.date(2026, 9, 30),
         None, "", None),  # overdue
        ("Circulate the draft concept of the regional field exercise", "sec-ca", datetime.date(2027, 1, 31),
         None, "", 0),
        ("Confirm the venue of the next round table", "nfp-kz", datetime.date(2027, 1, 15), None, "", 1),
    ],
    "SEA": [
        ("Compile the lessons learnt from the table-top exercise", "nfp-ph", datetime.date(2026, 8, 31),
         datetime.datetime(2026, 8, 20, 8, 0, tzinfo=UTC), "Regional report circulated to the focal points.", 0),
        ("Propose dates for a regional dengue preparedness workshop", "nfp-th", datetime.date(2027, 1, 31),
         None, "", None),
    ],
}


def _local(value: datetime.datetime, zone: str) -> datetime.datetime:
    import zoneinfo

    return value.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def _focal_points_and_secretariat(region) -> list[Person]:
    countries = Membership.objects.current().filter(region=region).values("country_id")
    roles = RoleAssignment.objects.active(datetime.date(2026, 4, 1)).filter(
        **{"role": Role.FOCAL_POINT, "country_id__in": countries}
    ).values("person_id")
    secretariat = RoleAssignment.objects.active(datetime.date(2026, 4, 1)).filter(
        role=Role.SECRETARIAT, region=region
    ).values("person_id")
    people = Person.objects.filter(Q(pk__in=roles) | Q(pk__in=secretariat))
    return list(people.order_by("family_name", "given_name", "pk"))


def load_meetings(reference, report) -> dict[str, Meeting]:
    """The demo round tables; nothing when the demo logins' people are missing."""
    from cbrnet.registry.demo import EU_COE, upsert

    people = {person.user_account.username: person for person in
              Person.objects.filter(user_account__username__in=["sec-ca", "nfp-kz", "nfp-uz", "nfp-ph", "nfp-th",
                                                                "partner-jrc"]).select_related("user_account")}
    if len(people) < 6:
        return {}
    network = reference.networks[EU_COE]
    loaded = {}
    for code, title, start, end, zone, country, city, venue, status, chair in MEETINGS:
        region = reference.regions[code]
        held = status == MeetingStatus.HELD
        meeting = upsert(
            Meeting,
            lookup={"network": network, "region": region, "kind": MeetingKind.ROUND_TABLE, "title": title},
            values={
                "start": _local(start, zone), "end": _local(end, zone), "timezone": zone,
                "country": reference.countries[country], "city": city, "venue": venue,
                "online_link": "" if held else "https://meet.example.org/round-table",
                "chair": people[chair], "status": status,
                "minutes": f"{MINUTES[code]}\n\n{DEMO_NOTE}" if held else DEMO_NOTE,
            },
            report=report,
        )
        loaded[title] = meeting
        guests = [people["partner-jrc"]] if code == "CA" else []
        for person in [*_focal_points_and_secretariat(region), *guests]:
            upsert(Participant, lookup={"meeting": meeting, "person": person},
                   values={"attendance": Attendance.ATTENDED if held else Attendance.INVITED}, report=report)
        if not held:
            continue
        agenda = {}
        for order, item_title, presenter in AGENDA[code]:
            agenda[order] = upsert(AgendaItem, lookup={"meeting": meeting, "order": order},
                                   values={"title": item_title, "presenter": people[presenter]}, report=report)
        upsert(Presentation, lookup={"meeting": meeting, "title": f"{AGENDA[code][1][1]} (slides)"},
               values={"agenda_item": agenda[2], "link": "https://example.org/demo/slides.pdf"}, report=report)
        decisions = [
            upsert(Decision, lookup={"meeting": meeting, "text": text}, values={"agenda_item": agenda[order]},
                   report=report)
            for order, text in DECISIONS[code]
        ]
        for item_title, owner, due, closed_at, note, decision in ACTION_ITEMS[code]:
            upsert(
                ActionItem,
                lookup={"meeting": meeting, "title": item_title},
                values={
                    "owner": people[owner], "due_date": due,
                    "decision": decisions[decision] if decision is not None else None,
                    "status": ActionItemStatus.CLOSED if closed_at else ActionItemStatus.OPEN,
                    "closed_at": closed_at, "closed_by": people[owner].user_account if closed_at else None,
                    "closing_note": note,
                },
                report=report,
            )
    return loaded

import datetime

import pytest
from django.utils import timezone

from cbrnet.meetings import models, selectors
from cbrnet.meetings.choices import ActionItemStatus

pytestmark = pytest.mark.django_db


def test_the_demo_loads_round_tables_of_central_and_south_east_asia_idempotently():
    from cbrnet.core.models import AuditEntry
    from cbrnet.registry.demo import load_demo

    load_demo()
    meetings = models.Meeting.objects.all()
    assert {meeting.region.code for meeting in meetings} == {"CA", "SEA"}
    assert meetings.count() == 4
    items = models.ActionItem.objects.all()
    assert items.filter(status=ActionItemStatus.CLOSED).count() == 2
    overdue = [item for item in items if item.is_overdue]
    assert [item.title for item in overdue] == ["Nominate two trainers for the regional biosafety course"]
    assert overdue[0].due_date < timezone.localdate()
    assert models.AgendaItem.objects.count() == 7 and models.Decision.objects.count() == 3
    spring = models.Meeting.objects.get(title__endswith="spring 2026")
    assert spring.participations.filter(person__user_account__username="nfp-kz").exists()
    assert spring.participations.filter(person__user_account__username="partner-jrc").exists()
    assert spring.local_start == datetime.datetime(2026, 4, 21, 9, 0, tzinfo=spring.zone)
    # The next CA round table follows up the open items of the spring one.
    nfp_kz = spring.participations.get(person__user_account__username="nfp-kz").person.user_account
    following = models.Meeting.objects.get(title__endswith="Focal Points, spring 2027")
    carried = selectors.meeting_previous_open_action_items(user=nfp_kz, meeting=following)
    assert len(carried) == 3
    entries = AuditEntry.objects.count()
    counts = [model.objects.count() for model in (models.Meeting, models.Participant, models.ActionItem)]
    load_demo()
    assert AuditEntry.objects.count() == entries
    assert [model.objects.count() for model in (models.Meeting, models.Participant, models.ActionItem)] == counts


def test_without_the_demo_people_there_are_no_demo_meetings():
    from cbrnet.registry.demo import load_demo

    load_demo(include_population=False)
    assert not models.Meeting.objects.exists()

"""Every write of countries' assessments: creating and editing an assessment, assigning its sections,
answering its questions (`answer_save`, the one write of answers), comments, evidence files and the
workflow steps draft → submitted → validated → published (and back to draft with a note).

Who may do what (docs/assessments.md has the table). The access engine decides who may read an
assessment and who may change it at all (CountryCyclePolicy: the country's focal point, its national
team, its region's secretariat, platform administrators); these services add the rules of the cycle:

* create, edit, delete (draft only), assign sections: the focal point of the country, the secretariat
  of its region, platform administrators ("managers"); delete: the focal point and administrators;
* answer, upload evidence: only while the assessment is a draft; managers answer every section, a
  national-team member only the sections assigned to them;
* submit: the country's National Focal Point, once every required question is answered or marked
  not applicable;
* validate, publish, return to draft (with a note): the secretariat of the country's region and
  platform administrators.

Each service runs in one transaction, validates (ValidationError naming the field), writes through
the audited models and checks the result is still in the user's scope. The people concerned are
notified in the same transaction (the e-mails leave after the commit).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.assessments.choices import ASSESSMENT_STEPS, AnswerType, AssessmentStatus, YesPartlyNo
from cbrnet.assessments.models import (
    Answer,
    Assessment,
    AssessmentComment,
    Evidence,
    Question,
    Section,
    SectionAssignment,
)
from cbrnet.notifications.choices import NotificationKind
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Membership, Person, RoleAssignment

# Until notifications have a kind of their own for assessments, the workflow sends system messages.
NOTIFICATION_KIND = NotificationKind.SYSTEM
TEXT_MAX = 20_000  # characters of a free-text answer or a justification
NOTE_MAX = 4_000  # characters of a comment or of the note that returns an assessment
UNCHANGED: Any = object()  # "leave this field as it is" (see answer_save's target_level)

# Which field of Answer holds the value of each answer type (evidence questions are answered by files).
VALUE_FIELDS = {
    AnswerType.LEVEL: "level",
    AnswerType.YES_PARTLY_NO: "yes_partly_no",
    AnswerType.NUMBER: "number",
    AnswerType.DATE: "date",
    AnswerType.SINGLE_CHOICE: "choices",
    AnswerType.MULTIPLE_CHOICE: "choices",
    AnswerType.TEXT: "text",
    AnswerType.EVIDENCE: None,
}
EMPTY_VALUES = {"level": None, "yes_partly_no": "", "number": None, "date": None, "choices": [], "text": ""}
_LIST_SEPARATORS = re.compile(r"[;,\n]")


# --- who may do what ------------------------------------------------------------------------------
def is_focal_point(user, assessment: Assessment) -> bool:
    """The user is a National Focal Point of the assessment's country."""
    context = access.user_context(user)
    return context.active and assessment.country_id in context.focal_point_country_ids


def is_secretariat(user, assessment: Assessment) -> bool:
    """The user serves the secretariat of the country's region, or administers the platform."""
    context = access.user_context(user)
    return context.active and (
        context.platform_admin or assessment.country_id in context.secretariat_country_ids
    )


def is_manager(user, assessment: Assessment) -> bool:
    """Focal point of the country, secretariat of its region or platform administrator: creates,
    edits and assigns, and answers every section."""
    return is_focal_point(user, assessment) or is_secretariat(user, assessment)


def answerable_section_ids(user, assessment: Assessment) -> set[int] | None:
    """The sections the user may answer (None: every section), whatever the status."""
    if not access.can(user, "change", assessment):
        return set()
    if is_manager(user, assessment):
        return None
    person_id = access.user_context(user).person_id
    if person_id is None:
        return set()
    return set(
        SectionAssignment.objects.filter(assessment=assessment, person_id=person_id).values_list(
            "section_id", flat=True
        )
    )


def assessment_steps(*, user, assessment: Assessment) -> list[str]:
    """The workflow steps the user may take on the assessment now: submit, validate, publish, return."""
    steps = []
    status = assessment.status
    if status == AssessmentStatus.DRAFT and is_focal_point(user, assessment):
        steps.append("submit")
    if is_secretariat(user, assessment) and access.can(user, "change", assessment):
        if status == AssessmentStatus.SUBMITTED:
            steps.append("validate")
        if status == AssessmentStatus.VALIDATED:
            steps.append("publish")
        if status in (AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED):
            steps.append("return")
    return steps


def _require_change(user, assessment: Assessment) -> None:
    if not access.can(user, "change", assessment):
        raise PermissionDenied(_("You may not change this assessment."))


def _require_manager(user, assessment: Assessment) -> None:
    _require_change(user, assessment)
    if not is_manager(user, assessment):
        raise PermissionDenied(
            _(
                "Only the country's National Focal Point, the secretariat of its region or a platform administrator may do this."
            )
        )


def _require_draft(assessment: Assessment, what: str) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(
            {
                "status": _("The assessment is %(status)s: %(what)s only while it is a draft.")
                % {
                    "status": assessment.get_status_display().lower(),
                    "what": what,
                }
            }
        )


def _locked(assessment: Assessment) -> Assessment:
    # One writer at a time per assessment: an answer saved while the focal point submits must not
    # slip in after the completeness check, and two autosaves of one question must not both insert.
    return Assessment.objects.select_for_update().select_related("country", "version").get(pk=assessment.pk)


def _may_answer_section(user, assessment: Assessment, section_id: int) -> None:
    allowed = answerable_section_ids(user, assessment)
    if allowed is not None and section_id not in allowed:
        raise PermissionDenied(
            _(
                "This section is not assigned to you: only its assignee, the National Focal Point "
                "or the secretariat may answer it."
            )
        )


# --- notifications --------------------------------------------------------------------------------
def _users_with_role(role: str, **scope):
    from cbrnet.accounts.models import User

    people = RoleAssignment.objects.active().filter(role=role, **scope).values("person_id")
    return list(User.objects.filter(is_active=True, person__in=people).order_by("pk"))


def _focal_point_users(assessment: Assessment):
    return _users_with_role(Role.FOCAL_POINT, country_id=assessment.country_id)


def _team_users(assessment: Assessment):
    return _users_with_role(Role.NATIONAL_TEAM, country_id=assessment.country_id)


def _secretariat_users(assessment: Assessment):
    regions = Membership.objects.current().filter(
        country_id=assessment.country_id, network_id=assessment.network_id
    )
    return _users_with_role(Role.SECRETARIAT, region_id__in=regions.values("region_id"))


def _notify(recipients, *, actor, assessment: Assessment, title: str, body: str, step: str) -> None:
    from cbrnet.notifications.services import notify

    others = [user for user in recipients if user.pk != getattr(actor, "pk", None)]
    if others:
        notify(
            others,
            kind=NOTIFICATION_KIND,
            title=title[:200],
            body=body,
            url=assessment.get_absolute_url(),
            obj=assessment,
        )


# --- assessments ----------------------------------------------------------------------------------
def _check_membership(country, version) -> None:
    if not Membership.objects.current().filter(country=country, network_id=version.network_id).exists():
        raise ValidationError(
            {
                "version": _("%(country)s is not a member of %(network)s, whose questionnaire this is.")
                % {
                    "country": country,
                    "network": version.network,
                }
            }
        )


@transaction.atomic
def assessment_create(*, user, country, version, year: int, title: str = "") -> Assessment:
    """Start a country's assessment on a published questionnaire version (a draft). By the country's
    focal point, the secretariat of its region or a platform administrator."""
    context = access.user_context(user)
    if not (
        context.active
        and (
            context.platform_admin
            or country.pk in context.focal_point_country_ids
            or country.pk in context.secretariat_country_ids
        )
    ):
        raise PermissionDenied(
            _(
                "Only the country's National Focal Point, the secretariat of its region or a "
                "platform administrator may start its assessment."
            )
        )
    assessment = Assessment(
        country=country, version=version, year=year, title=title or "", network_id=version.network_id
    )
    assessment.full_clean()
    _check_membership(country, version)
    assessment.save()
    access.ensure_in_scope(user, assessment, "change")
    _notify(
        _focal_point_users(assessment),
        actor=user,
        assessment=assessment,
        step="create",
        title=_("Assessment started: %(assessment)s") % {"assessment": assessment},
        body=_("%(user)s started the assessment %(assessment)s.") % {"user": user, "assessment": assessment},
    )
    return assessment


@transaction.atomic
def assessment_update(
    *,
    user,
    assessment: Assessment,
    title: str | None = None,
    year: int | None = None,
    version=None,
    country=None,
) -> Assessment:
    """Change a draft's title or year (None: unchanged); its country or questionnaire version only
    while nothing is answered. By the managers of the country."""
    assessment = _locked(assessment)
    _require_manager(user, assessment)
    _require_draft(assessment, _("it can be edited"))
    moves = (version is not None and version.pk != assessment.version_id) or (
        country is not None and country.pk != assessment.country_id
    )
    if moves and (
        assessment.answers.exists() or assessment.evidence.exists() or assessment.assignments.exists()
    ):
        field = "version" if version is not None and version.pk != assessment.version_id else "country"
        raise ValidationError(
            {
                field: _(
                    "Answers, evidence or assignments exist: the country and the questionnaire "
                    "version can no longer change. Start a new assessment instead."
                )
            }
        )
    if title is not None:
        assessment.title = title
    if year is not None:
        assessment.year = year
    if version is not None and version.pk != assessment.version_id:
        from cbrnet.assessments.choices import VersionStatus

        if version.status != VersionStatus.PUBLISHED:
            raise ValidationError({"version": _("A country answers a published questionnaire version.")})
        assessment.version = version
        assessment.network_id = version.network_id
    if country is not None:
        assessment.country = country
    if moves:
        _check_membership(assessment.country, assessment.version)
    assessment.full_clean()
    assessment.save()
    access.ensure_in_scope(user, assessment, "change")
    return assessment


@transaction.atomic
def assessment_delete(*, user, assessment: Assessment) -> None:
    """Delete a draft with its answers, comments, assignments and evidence files. By the country's
    focal point or a platform administrator."""
    assessment = _locked(assessment)
    context = access.user_context(user)
    _require_change(user, assessment)
    if not (context.platform_admin or assessment.country_id in context.focal_point_country_ids):
        raise PermissionDenied(
            _(
                "Only the country's National Focal Point or a platform administrator may delete its assessment."
            )
        )
    _require_draft(assessment, _("it can be deleted"))
    if not access.can(user, "delete", assessment):
        raise PermissionDenied(_("You may not delete this assessment."))
    files = [(item.file.storage, item.file.name) for item in assessment.evidence.all() if item.file]
    assessment.delete()
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _transition(user, assessment: Assessment, target: str) -> Assessment:
    if target not in ASSESSMENT_STEPS[AssessmentStatus(assessment.status)]:
        raise ValidationError(
            {
                "status": _("A %(status)s assessment cannot become %(target)s.")
                % {
                    "status": assessment.get_status_display().lower(),
                    "target": AssessmentStatus(target).label.lower(),
                }
            }
        )
    assessment.status = target
    return assessment


def _save_step(user, assessment: Assessment) -> Assessment:
    assessment.full_clean()
    assessment.save()
    access.ensure_in_scope(user, assessment, "view")
    return assessment


@transaction.atomic
def assessment_submit(*, user, assessment: Assessment) -> Assessment:
    """The National Focal Point submits the draft to the secretariat, once every required question is
    answered or marked not applicable (else one error lists the questions still open)."""
    from cbrnet.assessments.selectors.assessments import missing_required

    assessment = _locked(assessment)
    _require_change(user, assessment)
    if not is_focal_point(user, assessment):
        raise PermissionDenied(_("Only the country's National Focal Point submits its assessment."))
    _transition(user, assessment, AssessmentStatus.SUBMITTED)
    missing = missing_required(assessment)
    if missing:
        codes = ", ".join(question.code for question in missing[:50])
        more = len(missing) - 50
        raise ValidationError(
            {
                "answers": _(
                    "%(count)s required questions are neither answered nor marked not applicable: %(codes)s%(more)s."
                )
                % {"count": len(missing), "codes": codes, "more": f" (+{more})" if more > 0 else ""}
            }
        )
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = user
    assessment.status_note = ""
    _save_step(user, assessment)
    _notify(
        _secretariat_users(assessment),
        actor=user,
        assessment=assessment,
        step="submit",
        title=_("Assessment submitted: %(assessment)s") % {"assessment": assessment},
        body=_("%(user)s submitted the assessment %(assessment)s for validation.")
        % {"user": user, "assessment": assessment},
    )
    return assessment


@transaction.atomic
def assessment_validate(*, user, assessment: Assessment) -> Assessment:
    """The secretariat of the country's region (or a platform administrator) validates a submitted
    assessment."""
    assessment = _locked(assessment)
    _require_change(user, assessment)
    if not is_secretariat(user, assessment):
        raise PermissionDenied(_("Only the secretariat of the country's region validates its assessment."))
    _transition(user, assessment, AssessmentStatus.VALIDATED)
    assessment.validated_at = timezone.now()
    assessment.validated_by = user
    _save_step(user, assessment)
    _notify(
        _focal_point_users(assessment),
        actor=user,
        assessment=assessment,
        step="validate",
        title=_("Assessment validated: %(assessment)s") % {"assessment": assessment},
        body=_("The secretariat validated the assessment %(assessment)s.") % {"assessment": assessment},
    )
    return assessment


@transaction.atomic
def assessment_publish(*, user, assessment: Assessment) -> Assessment:
    """The secretariat (or a platform administrator) publishes a validated assessment: from then on the
    members of its network read it."""
    assessment = _locked(assessment)
    _require_change(user, assessment)
    if not is_secretariat(user, assessment):
        raise PermissionDenied(_("Only the secretariat of the country's region publishes its assessment."))
    _transition(user, assessment, AssessmentStatus.PUBLISHED)
    assessment.published_at = timezone.now()
    assessment.published_by = user
    _save_step(user, assessment)
    _notify(
        [*_focal_point_users(assessment), *_team_users(assessment)],
        actor=user,
        assessment=assessment,
        step="publish",
        title=_("Assessment published: %(assessment)s") % {"assessment": assessment},
        body=_("The assessment %(assessment)s is published to the network.") % {"assessment": assessment},
    )
    return assessment


@transaction.atomic
def assessment_return(*, user, assessment: Assessment, note: str) -> Assessment:
    """The secretariat sends a submitted or validated assessment back to the country as a draft, with
    a note saying what to change."""
    assessment = _locked(assessment)
    _require_change(user, assessment)
    if not is_secretariat(user, assessment):
        raise PermissionDenied(_("Only the secretariat of the country's region returns its assessment."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what the country should change.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}})
    _transition(user, assessment, AssessmentStatus.DRAFT)
    submitter = assessment.submitted_by
    assessment.status_note = note
    assessment.submitted_at = assessment.submitted_by = None
    assessment.validated_at = assessment.validated_by = None
    _save_step(user, assessment)
    _notify(
        [*_focal_point_users(assessment), *([submitter] if submitter else [])],
        actor=user,
        assessment=assessment,
        step="return",
        title=_("Assessment returned: %(assessment)s") % {"assessment": assessment},
        body=_("The secretariat returned the assessment %(assessment)s to the country: %(note)s")
        % {"assessment": assessment, "note": note},
    )
    return assessment


# --- sections -------------------------------------------------------------------------------------
@transaction.atomic
def section_assign(
    *,
    user,
    assessment: Assessment,
    section: Section,
    person: Person,
    note: str = "",
    assignment: SectionAssignment | None = None,
) -> SectionAssignment:
    """Give a section of a draft to a member of the country's national team (or its focal point) to
    answer; a section already assigned is reassigned. `assignment` edits that assignment instead."""
    assessment = _locked(assessment)
    _require_manager(user, assessment)
    _require_draft(assessment, _("sections can be assigned"))
    if section.version_id != assessment.version_id:
        raise ValidationError({"section": _("This section belongs to another questionnaire version.")})
    eligible = RoleAssignment.objects.active().filter(
        person=person, country_id=assessment.country_id, role__in=(Role.NATIONAL_TEAM, Role.FOCAL_POINT)
    )
    if not eligible.exists():
        raise ValidationError(
            {
                "person": _("%(person)s is neither on the national team nor the focal point of %(country)s.")
                % {
                    "person": person,
                    "country": assessment.country,
                }
            }
        )
    if assignment is None:
        assignment = SectionAssignment.objects.filter(assessment=assessment, section=section).first()
    if assignment is None:
        assignment = SectionAssignment(assessment=assessment, section=section)
    elif assignment.assessment_id != assessment.pk:
        raise ValidationError({"assessment": _("This assignment belongs to another assessment.")})
    previous = assignment.person_id
    assignment.section = section
    assignment.person = person
    assignment.note = (note or "").strip()
    assignment.full_clean()
    assignment.save()
    access.ensure_in_scope(user, assignment, "change")
    if previous != person.pk and person.user_account_id:
        _notify(
            [person.user_account],
            actor=user,
            assessment=assessment,
            step="assign",
            title=_("Section to answer: %(section)s") % {"section": section},
            body=_("You are asked to answer the section %(section)s of the assessment %(assessment)s.")
            % {"section": section, "assessment": assessment},
        )
    return assignment


@transaction.atomic
def section_unassign(*, user, assignment: SectionAssignment) -> None:
    """Take a section back from its assignee (managers, while the assessment is a draft)."""
    assessment = _locked(assignment.assessment)
    _require_manager(user, assessment)
    _require_draft(assessment, _("sections can be assigned"))
    assignment.delete()


# --- answers --------------------------------------------------------------------------------------
def is_blank(value) -> bool:
    """An answer field holding nothing: None, "", [] or False (but the number 0 is a value)."""
    return value is None or value is False or (isinstance(value, str | list) and not value)


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return all(_is_empty(item) for item in value)
    return False


def _single(value):
    if isinstance(value, list | tuple):
        values = [item for item in value if not _is_empty(item)]
        if len(values) != 1:
            raise ValueError
        return values[0]
    return value


def _level(value) -> int:
    value = _single(value)
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError
        value = int(value)
    if not isinstance(value, int):
        text = str(value).strip()
        number = Decimal(text)  # InvalidOperation (a ValueError-like ArithmeticError) when not a number
        if not number.is_finite() or number != int(number):
            raise ValueError
        value = int(number)
    if not 1 <= value <= 5:
        raise ValueError
    return value


def _yes_partly_no(value) -> str:
    text = str(_single(value)).strip().lower()
    for option in YesPartlyNo:
        if text in (option.value, str(option.label).lower()):
            return option.value
    raise ValueError


def _number(value) -> Decimal:
    value = _single(value)
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value).strip().replace(" ", "").replace("\u00a0", ""))
    if not number.is_finite():
        raise ValueError
    Answer._meta.get_field("number").run_validators(number)
    return number


def _date(value) -> datetime.date:
    value = _single(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError
    return datetime.date.fromisoformat(text)


def _option(value, options: list[tuple[str, str]]) -> str:
    text = str(value).strip()
    for option, _label in options:
        if text == option:
            return option
    lowered = text.lower()
    for option, label in options:
        if lowered in (option.lower(), str(label).strip().lower()):
            return option
    raise ValueError


def question_options(question: Question) -> list[tuple[str, str]]:
    """(value, label) of a choice question's options, in order (prefetched choices are used)."""
    return [(choice.value, choice.label) for choice in question.choices.all()]


def allowed_values_text(question: Question, options: list[tuple[str, str]] | None = None) -> str:
    """What a question accepts, in words (error messages, the workbook's "Allowed values" column)."""
    kind = question.answer_type
    if kind == AnswerType.LEVEL:
        return _("a level from 1 to 5")
    if kind == AnswerType.YES_PARTLY_NO:
        return _("yes, partly or no")
    if kind == AnswerType.NUMBER:
        return _("a number (up to 4 decimal places)")
    if kind == AnswerType.DATE:
        return _("a date as YYYY-MM-DD")
    if kind in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        values = ", ".join(
            value for value, _label in (options if options is not None else question_options(question))
        )
        if kind == AnswerType.SINGLE_CHOICE:
            return _("one of: %(values)s") % {"values": values}
        return _("one or more of (separated by “;”): %(values)s") % {"values": values}
    if kind == AnswerType.TEXT:
        return _("text (up to %(max)s characters)") % {"max": TEXT_MAX}
    return _("nothing: upload evidence files instead")


def clean_answer(
    question: Question,
    *,
    value=None,
    not_applicable: bool = False,
    options: list[tuple[str, str]] | None = None,
) -> dict:
    """The Answer fields for a raw value given to `question`: every value field, the one of the
    question's type filled in (None/"" /[] for the others), and `not_applicable`. Raises
    ValidationError keyed by the field that holds the value ("level", "choices"…) or "not_applicable".

    Accepted values: level 1–5 (a whole number, also as text); yes/partly/no (or their labels);
    a number (at most 18 digits, 4 after the point); a date (a date or YYYY-MM-DD); one choice
    (its value or label); several choices (a list, or text separated by ; or ,); free text. An empty
    value leaves the question unanswered."""
    kind = question.answer_type
    field = VALUE_FIELDS[AnswerType(kind)]
    fields = {**EMPTY_VALUES, "not_applicable": bool(not_applicable)}
    fields["choices"] = []
    if not_applicable:
        if not question.allow_not_applicable:
            raise ValidationError(
                {
                    "not_applicable": _("Question %(code)s may not be answered “not applicable”.")
                    % {"code": question.code}
                }
            )
        if not _is_empty(value):
            raise ValidationError(
                {field or "not_applicable": _("Give either an answer or “not applicable”, not both.")}
            )
        return fields
    if _is_empty(value):
        return fields
    if field is None:
        raise ValidationError(
            {
                "not_applicable": _("Question %(code)s is answered by uploading evidence files.")
                % {"code": question.code}
            }
        )
    try:
        if kind == AnswerType.LEVEL:
            fields["level"] = _level(value)
        elif kind == AnswerType.YES_PARTLY_NO:
            fields["yes_partly_no"] = _yes_partly_no(value)
        elif kind == AnswerType.NUMBER:
            fields["number"] = _number(value)
        elif kind == AnswerType.DATE:
            fields["date"] = _date(value)
        elif kind == AnswerType.SINGLE_CHOICE:
            options = options if options is not None else question_options(question)
            fields["choices"] = [_option(_single(value), options)]
        elif kind == AnswerType.MULTIPLE_CHOICE:
            options = options if options is not None else question_options(question)
            items = value if isinstance(value, list | tuple) else _LIST_SEPARATORS.split(str(value))
            chosen = []
            for item in items:
                if not _is_empty(item):
                    option = _option(item, options)
                    if option not in chosen:
                        chosen.append(option)
            fields["choices"] = chosen
        else:
            value = _single(value)
            text = (value if isinstance(value, str) else str(value)).strip()
            if len(text) > TEXT_MAX:
                raise ValidationError(
                    {"text": _("Keep the answer under %(max)s characters.") % {"max": TEXT_MAX}}
                )
            fields["text"] = text
    except (ValueError, TypeError, ArithmeticError, InvalidOperation):
        raise ValidationError(
            {
                field: _("“%(value)s” is not accepted for %(code)s: give %(allowed)s.")
                % {
                    "value": str(value)[:60],
                    "code": question.code,
                    "allowed": allowed_values_text(question, options),
                }
            }
        ) from None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({field: error.messages}) from None
    return fields


def answer_has_value(answer: Answer, answer_type: str) -> bool:
    """Whether a stored answer answers its question (a value of its type, or not applicable)."""
    if answer.not_applicable:
        return True
    field = VALUE_FIELDS.get(answer_type)
    if field is None:
        return False
    value = getattr(answer, field)
    return value not in (None, "", [])


def clean_justification(text) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {"justification": _("Keep the justification under %(max)s characters.") % {"max": TEXT_MAX}}
        )
    return text


def _clean_target(value):
    if value in (None, ""):
        return None
    try:
        return _level(value)
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationError({"target_level": _("Give the target as a level from 1 to 5.")}) from None


def check_may_answer(*, user, assessment: Assessment, question: Question) -> None:
    """Raise unless the user may answer `question` of `assessment` now (PermissionDenied: who;
    ValidationError: the status, or a question of another version)."""
    _require_change(user, assessment)
    _require_draft(assessment, _("answers can change"))
    if question.version_id != assessment.version_id:
        raise ValidationError(
            {
                "question": _("Question %(code)s belongs to another questionnaire version.")
                % {"code": question.code}
            }
        )
    _may_answer_section(user, assessment, question.section_id)


@transaction.atomic
def answer_save(
    *,
    user,
    assessment: Assessment,
    question: Question,
    value=None,
    not_applicable: bool = False,
    justification: str = "",
    target_level=UNCHANGED,
    options: list[tuple[str, str]] | None = None,
) -> Answer | None:
    """Answer (or change the answer to) one question of a draft assessment: THE one write of answers,
    used by the fill page's autosave, the generic pages, the API and the workbook upload.

    `value` is checked against the question's answer type (see `clean_answer`); "not applicable" only
    where the question allows it. Managers answer every section, a national-team member only the
    sections assigned to them. An empty value with nothing else clears the answer (the row stays, so
    its history stays). Returns the answer, or None when there was none and nothing is given. Saving
    the same values again writes nothing."""
    assessment = _locked(assessment)
    check_may_answer(user=user, assessment=assessment, question=question)
    fields = clean_answer(question, value=value, not_applicable=not_applicable, options=options)
    fields["justification"] = clean_justification(justification)
    if target_level is not UNCHANGED:
        fields["target_level"] = _clean_target(target_level)
    answer = Answer.objects.filter(assessment=assessment, question=question).first()
    if answer is None:
        if all(is_blank(value) for value in fields.values()):
            return None
        answer = Answer(assessment=assessment, question=question)
    changed = [name for name, new in fields.items() if getattr(answer, name) != new]
    if not changed and answer.pk:
        return answer
    for name, new in fields.items():
        setattr(answer, name, new)
    answer.answered_by = user if getattr(user, "is_authenticated", False) else None
    answer.full_clean()
    answer.save()
    access.ensure_in_scope(user, answer, "change")
    return answer


@transaction.atomic
def answer_delete(*, user, answer: Answer) -> None:
    """Remove an answer (who may answer it, while the assessment is a draft)."""
    assessment = _locked(answer.assessment)
    check_may_answer(user=user, assessment=assessment, question=answer.question)
    answer.delete()


# --- comments -------------------------------------------------------------------------------------
def _clean_comment(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": _("Keep the comment under %(max)s characters.") % {"max": NOTE_MAX}})
    return text


@transaction.atomic
def comment_add(
    *, user, assessment: Assessment, text: str, question: Question | None = None
) -> AssessmentComment:
    """Comment on an assessment or one of its questions (whoever may change it: the country's focal
    point and team, its secretariat), until it is published."""
    assessment = _locked(assessment)
    _require_change(user, assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError({"status": _("The assessment is published: it takes no more comments.")})
    if question is not None and question.version_id != assessment.version_id:
        raise ValidationError({"question": _("This question belongs to another questionnaire version.")})
    comment = AssessmentComment(
        assessment=assessment,
        question=question,
        text=_clean_comment(text),
        author=user if getattr(user, "is_authenticated", False) else None,
    )
    comment.full_clean()
    comment.save()
    access.ensure_in_scope(user, comment, "change")
    return comment


def _require_author_or_manager(user, record, assessment) -> None:
    if record.author_id != getattr(user, "pk", None) and not is_manager(user, assessment):
        raise PermissionDenied(
            _("Only its author, the focal point or the secretariat may change this comment.")
        )


@transaction.atomic
def comment_update(
    *, user, comment: AssessmentComment, text: str, question: Question | None = None
) -> AssessmentComment:
    """Correct a comment (its author, the focal point, the secretariat), until the assessment is published."""
    assessment = _locked(comment.assessment)
    _require_change(user, assessment)
    _require_author_or_manager(user, comment, assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError({"status": _("The assessment is published: its comments no longer change.")})
    if question is not None and question.version_id != assessment.version_id:
        raise ValidationError({"question": _("This question belongs to another questionnaire version.")})
    comment.text = _clean_comment(text)
    comment.question = question
    comment.full_clean()
    comment.save()
    access.ensure_in_scope(user, comment, "change")
    return comment


@transaction.atomic
def comment_delete(*, user, comment: AssessmentComment) -> None:
    """Remove a comment (its author, the focal point, the secretariat), until the assessment is published."""
    assessment = _locked(comment.assessment)
    _require_change(user, assessment)
    _require_author_or_manager(user, comment, assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError({"status": _("The assessment is published: its comments no longer change.")})
    comment.delete()


# --- evidence -------------------------------------------------------------------------------------
def _check_evidence_target(user, assessment: Assessment, question: Question | None) -> None:
    _require_change(user, assessment)
    _require_draft(assessment, _("evidence can be added or removed"))
    if question is not None:
        if question.version_id != assessment.version_id:
            raise ValidationError({"question": _("This question belongs to another questionnaire version.")})
        _may_answer_section(user, assessment, question.section_id)
    elif answerable_section_ids(user, assessment) == set():
        raise PermissionDenied(_("No section of this assessment is assigned to you."))


def _save_file_record(user, evidence: Evidence, *, new_file: bool) -> Evidence:
    evidence.full_clean()
    try:
        evidence.save()
        access.ensure_in_scope(user, evidence, "change")
    except BaseException:
        # Refused after the file was stored: remove it, so that no file outlives its record. (An outer
        # transaction rolled back later cannot be caught here: Django has no on-rollback hook.)
        if new_file and evidence.file and evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_upload(
    *, user, assessment: Assessment, file, title: str = "", question: Question | None = None
) -> Evidence:
    """Attach a file to a draft assessment (optionally to one question). Type and size limits are the
    model's (PDF, office documents, images, text, CSV; up to 20 MB). Who may answer the question
    may attach evidence to it."""
    assessment = _locked(assessment)
    _check_evidence_target(user, assessment, question)
    if not file:
        raise ValidationError({"file": _("Choose a file.")})
    name = str(getattr(file, "name", "") or "").rsplit("/", 1)[-1]
    evidence = Evidence(
        assessment=assessment,
        question=question,
        title=(title or "").strip() or name[:250],
        file=file,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return _save_file_record(user, evidence, new_file=True)


@transaction.atomic
def evidence_update(
    *, user, evidence: Evidence, title: str, question: Question | None = None, file=None
) -> Evidence:
    """Rename an evidence file, move it to another question or replace the file (draft only)."""
    assessment = _locked(evidence.assessment)
    _check_evidence_target(user, assessment, evidence.question)
    _check_evidence_target(user, assessment, question)
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the file a title.")})
    old = evidence.file.name if evidence.file else ""
    evidence.title = title.strip()
    evidence.question = question
    if file:
        evidence.file = file
    _save_file_record(user, evidence, new_file=bool(file))
    if file and old and old != evidence.file.name:
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return evidence


@transaction.atomic
def evidence_delete(*, user, evidence: Evidence) -> None:
    """Remove an evidence file (who may answer its question, while the assessment is a draft)."""
    assessment = _locked(evidence.assessment)
    _check_evidence_target(user, assessment, evidence.question)
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))

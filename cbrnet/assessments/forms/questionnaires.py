"""Forms of questionnaire templates: the edit forms of versions, sections, questions, level
descriptors and choices (the API validates its input with the same forms), and the builder's,
new-version and import forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.models import LEVELS, Choice, LevelDescriptor, Question, QuestionnaireVersion, Section
from cbrnet.projects.forms import DomainsField
from cbrnet.registry.forms import RegistryForm
from cbrnet.registry.models import Network

CHOICE_TYPES = (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE)


def _fixed_on_change(form, name: str) -> None:
    """A field that is chosen when the record is made and never changes afterwards."""
    if form.instance.pk and name in form.fields:
        form.fields[name].disabled = True


class QuestionDomainsField(DomainsField):
    """CBRN domains as check boxes; accepts the stored text ("CB") also as one submitted value, as
    the API sends it."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = "".join(str(item) for item in value)
        return super().to_python(value)


class QuestionnaireVersionForm(RegistryForm):
    """A version's label and texts; its status changes only through publish and retire."""

    class Meta:
        model = QuestionnaireVersion
        fields = ["network", "family", "version", "name", "description", "previous", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fixed_on_change(self, "network")
        self.fields["previous"].queryset = QuestionnaireVersion.objects.exclude(
            status=VersionStatus.DRAFT
        ).select_related("network")


class SectionForm(RegistryForm):
    class Meta:
        model = Section
        fields = ["version", "order", "code", "title", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fixed_on_change(self, "version")
        self.fields["version"].queryset = QuestionnaireVersion.objects.filter(status=VersionStatus.DRAFT)


def _version_of(form, section_field: str = "section"):
    """The questionnaire version a question form is about: from the record, or from the section
    chosen in the data or the initial values."""
    if form.instance.pk:
        return form.instance.version
    raw = form.data.get(form.add_prefix(section_field)) if form.is_bound else form.initial.get(section_field)
    raw = getattr(raw, "pk", raw)
    try:
        return Section.objects.select_related("version").get(pk=int(raw)).version if raw else None
    except (Section.DoesNotExist, TypeError, ValueError):
        return None


class QuestionForm(RegistryForm):
    """A question; its version is its section's. `maps_to` offers the previous version's questions."""

    domains = QuestionDomainsField(label=_("CBRN domains"), help_text=_("None for all-hazards questions."))

    class Meta:
        model = Question
        fields = [
            "section",
            "order",
            "code",
            "text",
            "guidance",
            "answer_type",
            "domains",
            "thematic_area",
            "weight",
            "target_level",
            "allow_not_applicable",
            "required",
            "reference",
            "maps_to",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "guidance": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        version = version or _version_of(self)
        if "section" in self.fields:
            sections = Section.objects.select_related("version").filter(version__status=VersionStatus.DRAFT)
            self.fields["section"].queryset = sections.filter(version=version) if version else sections
        previous = version.previous_id if version else None
        self.fields["maps_to"].queryset = (
            Question.objects.filter(version_id=previous).order_by("section__order", "order")
            if previous
            else Question.objects.none()
        )


class QuestionBuilderForm(QuestionForm):
    """The builder's question form: the section is the one the question is added to (or is in)."""

    class Meta(QuestionForm.Meta):
        fields = [name for name in QuestionForm.Meta.fields if name != "section"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False  # empty: at the end of the section


class LevelDescriptorForm(RegistryForm):
    class Meta:
        model = LevelDescriptor
        fields = ["question", "level", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fixed_on_change(self, "question")
        self.fields["question"].queryset = Question.objects.filter(
            answer_type=AnswerType.LEVEL, version__status=VersionStatus.DRAFT
        )


class ChoiceForm(RegistryForm):
    class Meta:
        model = Choice
        fields = ["question", "order", "value", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fixed_on_change(self, "question")
        self.fields["question"].queryset = Question.objects.filter(
            answer_type__in=CHOICE_TYPES, version__status=VersionStatus.DRAFT
        )


class SectionBuilderForm(RegistryForm):
    class Meta:
        model = Section
        fields = ["code", "title", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False


class ChoiceBuilderForm(RegistryForm):
    class Meta:
        model = Choice
        fields = ["value", "label"]


class DescriptorsForm(forms.Form):
    """The five level descriptors of a capability-level question, edited together."""

    def __init__(self, *args, question=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {d.level: d.text for d in question.level_descriptors.all()} if question is not None else {}
        for level in LEVELS:
            self.fields[f"level_{level}"] = forms.CharField(
                label=_("Level %(level)s") % {"level": level},
                required=False,
                initial=current.get(level, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def texts(self) -> dict[int, str]:
        return {level: self.cleaned_data.get(f"level_{level}", "") for level in LEVELS}


class NewVersionForm(forms.Form):
    version = forms.CharField(label=_("New version"), max_length=30, help_text=_("E.g. 2026."))
    name = forms.CharField(
        label=_("Name"),
        max_length=250,
        required=False,
        help_text=_("Leave empty to keep the name of the version it is made from."),
    )


class TemplateImportForm(forms.Form):
    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.all())
    file = forms.FileField(
        label=_("Template file"),
        help_text=_("A JSON document or an XLSX workbook exported from a questionnaire."),
    )

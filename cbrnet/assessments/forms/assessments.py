"""Forms of countries' assessments: the generic edit pages (the API validates its input with the same
forms) and the small forms of the fill page, the workflow steps and the workbook upload. Saving is
always a service's job (cbrnet.assessments.services.assessments)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cbrnet.assessments import models
from cbrnet.assessments.choices import VersionStatus
from cbrnet.assessments.services.assessments import NOTE_MAX
from cbrnet.registry.forms import RegistryForm


class AssessmentForm(RegistryForm):
    """Status and the workflow stamps change only through the workflow steps. Only published
    questionnaire versions are offered (a country answers a published version)."""

    class Meta:
        model = models.Assessment
        fields = ["country", "version", "year", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = models.QuestionnaireVersion.objects.filter(
            status=VersionStatus.PUBLISHED
        ).select_related("network")


class SectionAssignmentForm(RegistryForm):
    class Meta:
        model = models.SectionAssignment
        fields = ["assessment", "section", "person", "note"]


class AnswerForm(RegistryForm):
    """One answer as plain fields; `answer_save` checks the value against the question's type."""

    class Meta:
        model = models.Answer
        fields = [
            "assessment",
            "question",
            "level",
            "yes_partly_no",
            "number",
            "date",
            "choices",
            "text",
            "not_applicable",
            "target_level",
            "justification",
        ]


class AssessmentCommentForm(RegistryForm):
    class Meta:
        model = models.AssessmentComment
        fields = ["assessment", "question", "text"]


class EvidenceForm(RegistryForm):
    class Meta:
        model = models.Evidence
        fields = ["assessment", "question", "title", "file"]


class EvidenceApiForm(RegistryForm):
    """What the JSON API sets besides the file (sent base64-encoded or to the upload endpoint)."""

    class Meta:
        model = models.Evidence
        fields = ["assessment", "question", "title"]


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the country change?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    question = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, office document, image, text or CSV, up to 20 MB.")
    )
    title = forms.CharField(label=_("Title"), max_length=250, required=False)
    question = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in workbook (.xlsx)"))

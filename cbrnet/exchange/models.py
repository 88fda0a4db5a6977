"""Secure information exchange: bulletins shared under TLP 2.0 labels, and their updates."""

import os
import uuid

from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.sharing.models import SharedChildMixin, SharedModel

ATTACHMENT_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "csv", "txt", "png", "jpg", "jpeg"]


class AttachmentField(models.FileField):
    """A FileField whose audited value is the stored file name.

    cbrnet.core.audit._jsonable tests FieldFiles with hasattr(value, "url"), which raises ValueError
    (not AttributeError) for an empty file; handing it the name avoids that. Remove once core is fixed.
    """

    def value_from_object(self, obj):
        value = super().value_from_object(obj)
        return value.name or "" if value is not None else ""


def attachment_path(instance, filename: str) -> str:
    # A random folder: the stored path must not reveal the title, and two uploads never collide.
    name = os.path.basename(filename)[-100:] or "attachment"
    return f"exchange/bulletins/{uuid.uuid4().hex}/{name}"


class Bulletin(SharedModel):
    """A bulletin: a report or notice an organisation shares with its networks under a TLP label
    (situation report, threat notice, lessons learnt), with an optional attached file."""

    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"))
    attachment = AttachmentField(
        _("attachment"),
        upload_to=attachment_path,
        blank=True,
        max_length=250,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
        help_text=_("Downloaded only by those who may read the bulletin."),
    )

    federation_fields = ("title", "body")

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "tlp"], name="bulletin_status_tlp_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("exchange:bulletin_detail", args=[self.pk])


class BulletinUpdate(SharedChildMixin):
    """An update or comment posted under a bulletin: visible iff the bulletin is and its own label
    allows, never looser than the bulletin (R10)."""

    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.CASCADE, related_name="updates", verbose_name=_("bulletin")
    )
    body = models.TextField(_("text"))

    shared_parent_field = "bulletin"
    ui_elsewhere = "the bulletin page and the updates endpoints of the bulletin API"
    federation_fields = ("body",)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("bulletin update")
        verbose_name_plural = _("bulletin updates")

    def __str__(self):
        return _("Update %(number)s on %(bulletin)s") % {"number": self.pk, "bulletin": self.bulletin_id}

    def get_absolute_url(self):
        return reverse("exchange:bulletin_detail", args=[self.bulletin_id]) + f"#update-{self.pk}"

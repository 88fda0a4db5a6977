"""Storage housekeeping: a deleted presentation (also when its meeting is deleted) takes its file along."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from cbrnet.meetings.models import Presentation


@receiver(post_delete, sender=Presentation)
def delete_presentation_file(sender, instance, **kwargs):
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))  # not before: a rolled-back delete keeps its file

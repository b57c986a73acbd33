"""Housekeeping tasks of the ppda core. Thin: they call a service."""

from celery import shared_task

from .notifications.tasks import notifications_email_task  # noqa: F401 - registers the task with the worker


@shared_task
def signin_records_purge_task() -> dict:
    from ppda.accounts.services import signin_records_purge

    return signin_records_purge()


@shared_task
def ping() -> dict:
    """A health check for workers: the database it uses and a count of a non-identifying table."""
    from django.db import connection

    from ppda.models import District

    return {"pong": True, "database": connection.settings_dict["NAME"], "districts": District.objects.count()}

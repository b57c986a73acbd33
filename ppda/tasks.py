"""Housekeeping tasks of the ppda core. Thin: they call a service."""

from celery import shared_task


@shared_task
def signin_records_purge_task() -> dict:
    from ppda.accounts.services import signin_records_purge

    return signin_records_purge()

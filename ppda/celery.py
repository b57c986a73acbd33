"""The Celery app. Tasks take ids only; deadlines are swept from the database by beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppda.settings.development")

app = Celery("ppda")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

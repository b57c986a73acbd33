"""The test profile: a cheap hasher, in-memory email, same PostgreSQL and Redis as production."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key-0123456789abcdef0123456789abcdef")

from .base import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BACKUP_CODE_HASH_ITERATIONS = 1000
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Parallel xdist workers share one Redis database: each keeps to keys of its own.
CACHES["default"]["KEY_PREFIX"] = f"ppda-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # noqa: F405
PPDA_PROFILE = "test"
# Every prepared query (ppda/prepared.py) is checked against the queryset it stands for, on every call.
PPDA_PREPARED_VERIFY = True
# Tests change figures and look at once: only the statistics cache tests keep them (tests/statistics/test_cache.py).
STATISTICS_CACHE_SECONDS = 0

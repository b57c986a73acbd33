"""Local development and the demo: DEBUG on, console email, a fixed dev key."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production-0123456789abcdef")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from ppda.env import env_bool, env_list  # noqa: E402

from .base import *  # noqa: E402, F403

DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
PPDA_PROFILE = "development"

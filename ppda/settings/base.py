"""Settings shared by every profile. Values come from the environment (see README)."""

from pathlib import Path

import dj_database_url

from ppda.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", None)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Passkeys and security keys (WebAuthn) as a second factor beside TOTP (ppda/accounts/webauthn.py).
    "django_otp_webauthn",
    "guardian",
    "simple_history",
    "ppda",
    "cases",
    "cases.investigations",
    "oversight",
    "oversight.contacts",
    "oversight.update_form",
    "oversight.closure",
    "oversight.retention",
    "oversight.statistics",
    "panels",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after SessionMiddleware: its response half (re-save an active session) runs before the save.
    "ppda.session_activity.SessionActivityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, checking the session's device against the user query (no device query per request).
    "ppda.otp_verified.OTPMiddleware",
    "ppda.middleware.RequireOTPMiddleware",
    # Cache-Control: no-store on every response to a signed-in user.
    "ppda.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the exception a view raises before any other middleware turns it into a response.
    "ppda.audit.DeniedAccessLogMiddleware",
]

ROOT_URLCONF = "ppda.urls"
WSGI_APPLICATION = "ppda.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ppda.context_processors.ppda",
                "ppda.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ppda"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# JIT compilation costs hundreds of milliseconds on our short OLTP queries and never pays back here.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Server-side binding: parameters travel apart from the SQL (no quoting in Python) and a statement run
# DB_PREPARE_THRESHOLD times on a connection is prepared, so PostgreSQL stops parsing and planning it again:
# case page 85 -> 114-137 req/s under wrk (docs/performance.md). Turn off behind a transaction-mode pooler
# that cannot keep prepared statements (docs/deployment.md).
if env_bool("DB_SERVER_SIDE_BINDING", True):
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ppda.User"
AUTHENTICATION_BACKENDS = [
    # ModelBackend, also reading the unread-notification count for the header in the same user query.
    "ppda.accounts.backends.ModelBackendWithNotifications",
    # The force's identity provider (OpenID Connect); inert unless OIDC_ISSUER is set (ppda/accounts/oidc.py).
    "ppda.accounts.oidc.StaffOIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian: no anonymous user row; direct foreign-key permission models per protected model.
ANONYMOUS_USER_NAME = None
GUARDIAN_AUTO_PREFETCH = False
GUARDIAN_RAISE_403 = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# Shared by every web host (the web tier is stateless). Short timeouts: with Redis down, sessions fall back
# to the database rather than hang a request.
CACHES = {
    "default": {
        # Django's RedisCache, without a new redis-py client object per call (ppda/redis_cache.py).
        "BACKEND": "ppda.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ppda"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# The statistics page's figures block is kept this long (oversight/statistics/cache.py); 0 works them out on
# every request.
STATISTICS_CACHE_SECONDS = env_int("STATISTICS_CACHE_SECONDS", 60)

# Sessions: the database is the source of truth (ending a session deletes its row and its cache entry);
# reads come from Redis (ppda/session_store.py). They expire after SESSION_COOKIE_AGE of inactivity: the
# store stamps the time of each save, and ppda.session_activity re-saves an active session at most once
# every SESSION_TOUCH_SECONDS instead of writing on every request.
SESSION_ENGINE = "ppda.session_store"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# An absolute limit as well as the idle one: a session used all day still ends.
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)

OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "ppda")
# Wrong codes double the wait each time (1 s, 2 s, 4 s, ...) on the device, whatever the address.
OTP_TOTP_THROTTLE_FACTOR = 1

# WebAuthn (passkeys, security keys): a second factor only, never a passwordless sign-in. The relying party is
# the service's host name, and only its own origin may use a key (both from SITE_URL unless set).
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

# An IP address cannot be a relying party: locally (SITE_URL on 127.0.0.1) keys work at http://localhost:PORT.
_SITE = _urlsplit(env_str("SITE_URL", "http://127.0.0.1:8000"))
_SITE_HOST = "localhost" if _SITE.hostname in (None, "127.0.0.1", "::1") else _SITE.hostname
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", _SITE_HOST)
OTP_WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "ppda")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS", f"{_SITE.scheme}://{_SITE_HOST}{f':{_SITE.port}' if _SITE.port else ''}"
)

# Sign-in lockout (ppda.accounts.services.lockout), failures within LOCKOUT_MINUTES: this many from one
# browser lock that browser out of the account name for LOCKOUT_MINUTES ...
LOCKOUT_THRESHOLD = env_int("LOCKOUT_THRESHOLD", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
# ... and these hold sign-in (password and second factor on one page; nobody is locked out): for one account
# name from all browsers at one address, and for every name from one address (raise it behind a large proxy).
LOCKOUT_ACCOUNT_ADDRESS_BUDGET = env_int("LOCKOUT_ACCOUNT_ADDRESS_BUDGET", 10)
LOCKOUT_ADDRESS_BUDGET = env_int("LOCKOUT_ADDRESS_BUDGET", 50)
if min(LOCKOUT_THRESHOLD, LOCKOUT_MINUTES, LOCKOUT_ACCOUNT_ADDRESS_BUDGET, LOCKOUT_ADDRESS_BUDGET) < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LOCKOUT_THRESHOLD, LOCKOUT_MINUTES and the LOCKOUT_*_BUDGET values must be at least 1.")
# Alert when one account name collects this many failures in the window across all addresses.
LOCKOUT_SPREAD_ALERT = env_int("LOCKOUT_SPREAD_ALERT", 15)
# A signed cookie naming each browser on the sign-in pages: its failures are counted apart (see services).
SIGNIN_DEVICE_COOKIE_NAME = "ppda_device"
SIGNIN_DEVICE_DAYS = env_int("SIGNIN_DEVICE_DAYS", 180)
BACKUP_CODE_COUNT = 10
# A new account, or one whose authenticator was reset, may set up an authenticator for this many days;
# after that an administrator must reset two-factor again (whoever has the password could enrol).
ENROLMENT_WINDOW_DAYS = env_int("ENROLMENT_WINDOW_DAYS", 7)
# PBKDF2 rounds per backup code: ~60 ms each here, so ten codes take well under a second to make.
BACKUP_CODE_HASH_ITERATIONS = env_int("BACKUP_CODE_HASH_ITERATIONS", 100_000)
# How many reverse proxies (load balancers) sit in front of the app and append X-Forwarded-For.
# 0: use the socket address. Never trust more hops than there are proxies: the rest is client-controlled.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Single sign-on with the force's identity provider (OpenID Connect: Entra ID, ADFS...). Off unless OIDC_ISSUER
# is set; then the client id, secret and the provider's endpoints are required (docs/deployment.md).
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your force account")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
if OIDC_ENABLED:
    _missing = [
        name
        for name, value in {
            "OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
            "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"OIDC_ISSUER is set: also set {', '.join(_missing)}.")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
OIDC_CREATE_USER = False  # never: a person is matched to an existing account through their staff record
# The claim (ID token first, then userinfo) carrying the employee number of the force's staff directory.
OIDC_EMPLOYEE_NUMBER_CLAIM = env_str("OIDC_EMPLOYEE_NUMBER_CLAIM", "employeeid")
# The IdP's MFA replaces ppda's own second factor only when the ID token says it was done: an `amr` value
# listed here, or an `acr` listed in OIDC_MFA_ACR_VALUES. OIDC_ACCEPT_IDP_MFA=false always asks for ppda's.
OIDC_ACCEPT_IDP_MFA = env_bool("OIDC_ACCEPT_IDP_MFA", True)
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", "mfa")
OIDC_MFA_ACR_VALUES = env_list("OIDC_MFA_ACR_VALUES", "")
# Roles are granted in ppda. Only if this maps IdP groups to roles ("IdP-group=role,...") are they synced.
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_ROLES = dict(
    item.split("=", 1) for item in env_list("OIDC_GROUP_ROLES", "") if "=" in item
)  # IdP group -> ppda role
# Local (password) sign-in. Off: only the break-glass accounts listed may use a password.
PASSWORD_SIGNIN_ENABLED = env_bool("PASSWORD_SIGNIN_ENABLED", True)
PASSWORD_SIGNIN_BREAK_GLASS = env_list("PASSWORD_SIGNIN_BREAK_GLASS", "")
if not PASSWORD_SIGNIN_ENABLED and not OIDC_ENABLED:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PASSWORD_SIGNIN_ENABLED=false needs single sign-on (OIDC_ISSUER) configured.")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Content-Security-Policy (Django 6 built-in): no inline script anywhere.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Celery on Redis. No long countdowns: beat sweeps the database (PITFALLS.md).
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# Test workers get a queue of their own (tests/celery_fixtures.py): tasks they enqueue themselves stay on it.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
DEADLINE_SWEEP_SECONDS = max(env_int("DEADLINE_SWEEP_SECONDS", 180), 30)
# Closure: the closing SOO keeps read-only access this many days, then the closure sweep revokes it.
CLOSURE_ACCESS_GRACE_DAYS = env_int("CLOSURE_ACCESS_GRACE_DAYS", 14)
if not 0 <= CLOSURE_ACCESS_GRACE_DAYS <= 365:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CLOSURE_ACCESS_GRACE_DAYS must be a number of days from 0 to 365.")
CLOSURE_SWEEP_SECONDS = max(env_int("CLOSURE_SWEEP_SECONDS", 600), 30)
# Retention: a closed case is due for a retention review this many whole years after it closed (a coordinator
# then retains it with a reason and a new date, or deletes its party identities). Checked daily-ish by beat.
PPDA_RETENTION_REVIEW_AFTER = env_int("PPDA_RETENTION_REVIEW_AFTER", 6)
if not 1 <= PPDA_RETENTION_REVIEW_AFTER <= 100:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PPDA_RETENTION_REVIEW_AFTER must be a number of years from 1 to 100.")
RETENTION_SWEEP_SECONDS = max(env_int("RETENTION_SWEEP_SECONDS", 3600), 30)
# Investigation alerts (cases/investigations/sweep.py), to the SOO and the coordinators, each claimed once.
INVESTIGATION_NO_UPDATE_DAYS = env_int("INVESTIGATION_NO_UPDATE_DAYS", 28)  # no PSD update for this long
INVESTIGATION_LONG_RUNNING_MONTHS = env_int("INVESTIGATION_LONG_RUNNING_MONTHS", 6)  # open longer than this
# Police (Conduct) Regulations 2020 reg. 19: a misconduct investigation not concluded 12 months after the
# allegation, and every 6 months after, is reported to the PCC. Statutory: change only if the law does.
INVESTIGATION_REG19_FIRST_MONTHS = env_int("INVESTIGATION_REG19_FIRST_MONTHS", 12)
INVESTIGATION_REG19_REPEAT_MONTHS = env_int("INVESTIGATION_REG19_REPEAT_MONTHS", 6)
INVESTIGATION_SWEEP_SECONDS = max(env_int("INVESTIGATION_SWEEP_SECONDS", 900), 30)
if min(INVESTIGATION_NO_UPDATE_DAYS, INVESTIGATION_LONG_RUNNING_MONTHS, INVESTIGATION_REG19_FIRST_MONTHS) < 1 or (
    INVESTIGATION_REG19_REPEAT_MONTHS < 1
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Investigation alert thresholds must be positive numbers.")

# The JSON intake API: each sending system's token may make this many requests per window (cases/api.py);
# more answer 429 with Retry-After. Counted in Redis, so the limit holds across every web host.
INTAKE_API_RATE_LIMIT = env_int("INTAKE_API_RATE_LIMIT", 60)
INTAKE_API_RATE_WINDOW_SECONDS = env_int("INTAKE_API_RATE_WINDOW_SECONDS", 60)
if not (1 <= INTAKE_API_RATE_LIMIT <= 100_000 and 1 <= INTAKE_API_RATE_WINDOW_SECONDS <= 86_400):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "INTAKE_API_RATE_LIMIT must be 1 to 100000 requests and INTAKE_API_RATE_WINDOW_SECONDS 1 to 86400 seconds."
    )

# Scrutiny panels: the papers are open from publication until this many days after the meeting (0-90); the
# panel sweep deletes the grants after that, and the guard refuses at read time anyway.
PANEL_ACCESS_WINDOW_DAYS = env_int("PANEL_ACCESS_WINDOW_DAYS", 7)
if not 0 <= PANEL_ACCESS_WINDOW_DAYS <= 90:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PANEL_ACCESS_WINDOW_DAYS must be a number of days from 0 to 90.")
PANEL_SWEEP_SECONDS = max(env_int("PANEL_SWEEP_SECONDS", 600), 30)
# What each attendee accepts before opening a meeting's papers (a changed text is accepted again).
PANEL_CONFIDENTIALITY_STATEMENT = env_str(
    "PANEL_CONFIDENTIALITY_STATEMENT",
    "The papers of this scrutiny panel are OFFICIAL-SENSITIVE. I will read them only to take part in this "
    "meeting, I will not copy, forward or discuss them outside it, and I will not try to identify anyone in "
    "them. If I recognise a person in a case, I will say so to the chair and stop reading. I understand that "
    "every copy is marked with my name and traceable to me, and that a breach of confidentiality may be "
    "investigated as misconduct.",
)
CELERY_BEAT_SCHEDULE: dict = {
    # An interval (not crontab: DST bugs) sweep; the database says what is due, so a missed run catches up.
    "contacts-deadline-sweep": {
        "task": "oversight.contacts.tasks.deadlines_sweep_task",
        "schedule": float(DEADLINE_SWEEP_SECONDS),
        # A run not started before the next one is due is dropped, so a backlog never piles up.
        "options": {"expires": DEADLINE_SWEEP_SECONDS - 10},
    },
    # Closed cases: revoke the closing SOO's read-only access once the grace period is over (claimed once).
    "closure-access-sweep": {
        "task": "oversight.closure.tasks.closure_access_sweep_task",
        "schedule": float(CLOSURE_SWEEP_SECONDS),
        "options": {"expires": CLOSURE_SWEEP_SECONDS - 10},
    },
    # Retention reviews falling due: the coordinators who may open each case are told once per review date.
    "retention-review-sweep": {
        "task": "oversight.retention.tasks.retention_reminders_sweep_task",
        "schedule": float(RETENTION_SWEEP_SECONDS),
        "options": {"expires": RETENTION_SWEEP_SECONDS - 10},
    },
    # Investigation alerts: no PSD update, officer changed, open a long time, reg. 19 markers (claimed once).
    "investigations-alert-sweep": {
        "task": "cases.investigations.tasks.investigation_alerts_sweep_task",
        "schedule": float(INVESTIGATION_SWEEP_SECONDS),
        "options": {"expires": INVESTIGATION_SWEEP_SECONDS - 10},
    },
    # Scrutiny panels: delete the grants of meetings whose access window has closed (claimed once).
    "panels-access-sweep": {
        "task": "panels.tasks.panel_access_sweep_task",
        "schedule": float(PANEL_SWEEP_SECONDS),
        "options": {"expires": PANEL_SWEEP_SECONDS - 10},
    },
    # Expired sessions, bookkeeping of ended ones, and stale sign-in failure counters.
    "signin-records-purge": {
        "task": "ppda.tasks.signin_records_purge_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {},
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ppda@localhost")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Force-specific values.
PPDA_PROFILE = "base"
PPDA_FORCE_NAME = env_str("PPDA_FORCE_NAME", "Demo Constabulary")
# The force's case/crime reference format (a regular expression matched in full), e.g. DA/2026/000123.
CASE_REFERENCE_PATTERN = env_str("CASE_REFERENCE_PATTERN", r"^[A-Z]{2,4}/\d{4}/\d{6}$")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# ppda production image: gunicorn web, Celery worker and beat all run from this one image.
# Build: docker compose build   (see README "Production shape")

# 1) Front-end assets from the pinned npm packages (package-lock.json).
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY bin/vendor-assets bin/vendor-assets
COPY static/scss static/scss
RUN bash bin/vendor-assets

# 2) The application.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs pango and harfbuzz-subset (see PITFALLS.md); fonts for the PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first (cached until pyproject.toml changes), read from pyproject's pinned list.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt
COPY manage.py ./
COPY ppda ppda
COPY cases cases
COPY oversight oversight
COPY panels panels
COPY templates templates
COPY static static
COPY --from=assets /src/static/vendor static/vendor
# Static files are collected at build time (whitenoise serves them); the values here exist only for this step.
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=build \
    DJANGO_SETTINGS_MODULE=ppda.settings.production python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 10001 --home-dir /app ppda && mkdir -p /app/media /var/run/ppda && chown ppda /app/media /var/run/ppda
USER ppda
ENV DJANGO_SETTINGS_MODULE=ppda.settings.production
EXPOSE 8000
CMD ["gunicorn", "ppda.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

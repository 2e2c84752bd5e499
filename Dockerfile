# Svar's production image: one image for the web (ASGI) and worker processes (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SVAR_PROFILE=production

WORKDIR /app

# ffmpeg makes video posters (inbox/media/video.py); without it videos are kept without one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code runs from /app (manage.py's directory); it is not installed as a package.
COPY manage.py ./
COPY inbox ./inbox
COPY connectors ./connectors
COPY web ./web

# collectstatic needs settings, not services: a build-only key and URLs nothing connects to.
RUN SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789abcdef \
    DATABASE_URL=postgresql://build@localhost.invalid/build \
    REDIS_URL=redis://localhost.invalid:6379/0 \
    SVAR_CREDENTIALS_KEYS=YnVpbGQtb25seS1uZXZlci11c2VkLWF0LXJ1bnRpbWU= \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin svar
USER svar

EXPOSE 8000
# No uvicorn access log: Svar logs one line per request with its user and request id.
CMD ["uvicorn", "web.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--lifespan", "off", "--no-access-log"]

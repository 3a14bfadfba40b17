"""Test settings: the real settings with the few things tests must control."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .base import *  # noqa: E402,F403

# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tests run at a frozen instant in the past (tests/clock.py) while Chromium keeps the real
# clock: a CSRF cookie with an expiry computed from the frozen clock would one day reach the
# browser already expired. A cookie for the browser session has no expiry to get wrong.
CSRF_COOKIE_AGE = None
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
# Tests run tasks in-process unless a test starts the real worker (tests/candidacy/test_celery_pipeline.py).
CELERY_TASK_ALWAYS_EAGER = True
# Uploaded attachments go to a scratch folder, never into the checkout.
PRIVATE_FILES_ROOT = os.path.join(tempfile.gettempdir(), f"candidacy-test-private-{os.getpid()}")

#!/bin/sh
# First start of the database (docker-entrypoint-initdb.d): the app's role, which owns nothing.
# `manage.py migrate --database owner` grants it its rights (patients/audit/roles.py).
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$APP_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE candidacy_app LOGIN PASSWORD :'app_password';
SQL

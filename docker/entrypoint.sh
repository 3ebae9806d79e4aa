#!/bin/sh
# The WiWebb container's start. `wiwebb migrate` waits for the database (up to
# DATABASE_WAIT_TIMEOUT) and brings the schema up to date; `wiwebb ensure-superuser` creates the
# superadmin from WIWEBB_SUPERUSER_* when none exists (when WIWEBB_SUPERUSER_PASSWORD is unset:
# under production.ini a link to choose one is mailed; under development.ini a generated password
# is printed once). Both read the ini file named by WIWEBB_INI.
# Then `exec` replaces this shell with the server, so SIGTERM from `docker stop` reaches it.
# Arguments, when given, replace the server command: docker-compose.yml runs
# `pserve development.ini --reload` this way.
set -eu

WIWEBB_INI="${WIWEBB_INI:-production.ini}"
export WIWEBB_INI

wiwebb migrate
wiwebb ensure-superuser

if [ "$#" -eq 0 ]; then
    set -- wiwebb serve
fi
exec "$@"

#!/bin/sh
# `amicert serve` for the profile in $AMICERT_SUT with the fault in $AMICERT_FAULT (none when
# empty); arguments that start with "-" are added to it (a later --sut or --fault wins), any other
# command runs instead. exec: SIGTERM from `docker stop` reaches the server, which stops cleanly.
set -eu
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    if [ -n "${AMICERT_FAULT:-}" ]; then
        set -- --fault "$AMICERT_FAULT" "$@"
    fi
    set -- amicert serve --sut "${AMICERT_SUT:?set AMICERT_SUT to a SUT profile}" "$@"
fi
exec "$@"

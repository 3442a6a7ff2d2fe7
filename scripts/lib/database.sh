# Sourced by scripts/test.sh and scripts/conformance.sh.

# fresh_database <PostgreSQL port> <name>: drops and creates the database, owned by mayago, with Search's extensions
# made once (tests migrate many Search schemas at the same time, and two CREATE EXTENSIONs of one extension collide).
fresh_database() {
    local port=$1 name=$2
    drop_database "$port" "$name"
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $name OWNER mayago"
    psql -h 127.0.0.1 -p "$port" -U postgres -d "$name" -qc \
        "CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm; CREATE EXTENSION cube; CREATE EXTENSION earthdistance"
}

# drop_database <PostgreSQL port> <name>: drops the database if it exists, ending its sessions.
drop_database() {
    psql -h 127.0.0.1 -p "$1" -U postgres -qc "DROP DATABASE IF EXISTS $2 WITH (FORCE)"
}

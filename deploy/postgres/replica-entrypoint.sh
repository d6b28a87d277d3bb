#!/bin/bash
# Starts a hot standby of $PRIMARY_HOST. On first start (empty data directory) it clones the
# primary with pg_basebackup -R, which writes standby.signal and primary_conninfo; a
# replication slot keeps the primary from recycling WAL the replica still needs.
set -euo pipefail
export PGPASSWORD=$REPLICATION_PASSWORD
if [[ ! -s $PGDATA/PG_VERSION ]]; then
	until pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -R -X stream \
		-C -S vitrine_replica_1 --checkpoint=fast; do
		echo "replica: base backup failed; retrying in 3s" >&2
		# A slot left by a failed attempt would make -C fail forever.
		psql -h "$PRIMARY_HOST" -U replicator -d postgres -c \
			"SELECT pg_drop_replication_slot('vitrine_replica_1')" >/dev/null 2>&1 || true
		rm -rf "${PGDATA:?}"/*
		sleep 3
	done
	chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on

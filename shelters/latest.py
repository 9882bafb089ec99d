"""Each resident's latest IRP assessment and the one before it (``ResidentLatest``), with copies
of the resident's facility and discharge, kept exact by database triggers on
``shelters_assessment`` (the pair) and ``shelters_resident`` (the copies).

Why triggers: every path that writes assessments must keep the summary exact, and they are many
(the ORM's save and delete, ``QuerySet.update``/``delete``, ``bulk_create``, the imports' COPY on
PostgreSQL, the benchmarks' raw SQL, a resident's cascade delete, history reverts). A trigger
sees them all; nothing in Python writes the summary.

PostgreSQL: statement-level triggers with transition tables, so a 100,000-row COPY costs one
set-based step, not 100,000.

- INSERT merges: the new rows' top two per resident against the stored pair, in one
  ``INSERT … ON CONFLICT DO UPDATE``. Safe with concurrent writers: ON CONFLICT waits for a
  transaction holding the row and then updates the latest committed version, so two inserts for
  the same resident at once both land.
- DELETE, and an UPDATE changing ``resident_id``, ``assessed_on`` or ``percent`` (or ``id``),
  recompute the residents concerned: first lock their summary rows (creating a placeholder where
  none exists, so that a concurrent first insert waits too), then, in a new statement whose
  snapshot sees what the transactions that held the rows committed, read the top two from the
  assessment index. A resident left without assessments loses the row.
- TRUNCATE empties the summary.

SQLite: row triggers (writes are serialised there). No trigger body relies on a conflict clause
(an outer ``INSERT OR IGNORE`` would override it inside a trigger): plain UPDATE, INSERT … WHERE
NOT EXISTS and DELETE.

Known limit: SQLite's ``INSERT OR REPLACE`` into the assessments (which Django never issues)
deletes the row it replaces without firing delete triggers (``recursive_triggers`` is off); run
:func:`rebuild` after such raw SQL.

The migration (0005) installs the triggers and backfills. On SQLite a later migration that
remakes ``shelters_resident`` (most AlterField/AddField do: drop, then rename a copy) would fail
while the assessments' triggers name that table, so ``pre_migrate`` drops the SQLite triggers
whenever there are migrations to apply, and ``post_migrate`` re-installs whatever is missing and
rebuilds the summary, in one transaction (PostgreSQL never remakes tables: there only a missing
trigger is re-created, with the rebuild).
"""

from django.db import transaction
from django.db.models.signals import post_migrate, pre_migrate

TABLE = "shelters_residentlatest"
ASSESSMENT = "shelters_assessment"
RESIDENT = "shelters_resident"
# The resident's own columns the KPIs need, copied so that they read this table alone.
RESIDENT_COLUMNS = ("facility_id", "discharged_on", "discharge_reason")
PAIR_COLUMNS = "last_on, last_percent, prev_on, prev_percent"
COLUMNS = f"resident_id, {', '.join(RESIDENT_COLUMNS)}, {PAIR_COLUMNS}"

# One row per resident with an assessment: the newest, and the next one (NULL when none).
REBUILD_SELECT = f"""
    SELECT t.resident_id, r.facility_id, r.discharged_on, r.discharge_reason,
           t.assessed_on, t.percent, t.prev_on, t.prev_percent
    FROM (
        SELECT resident_id, assessed_on, percent,
               ROW_NUMBER() OVER w AS rn,
               LEAD(assessed_on) OVER w AS prev_on,
               LEAD(percent) OVER w AS prev_percent
        FROM {ASSESSMENT}
        WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)
    ) t
    JOIN {RESIDENT} r ON r.id = t.resident_id
    WHERE t.rn = 1
"""


def _merge_set(n1: str, n1p: str, n2: str, n2p: str, o: str = "") -> str:
    """SET clause merging a new pair (date ``n1``, percent ``n1p``; the one before: ``n2``,
    ``n2p``, possibly NULL) into the stored pair (``{o}last_on`` … ``{o}prev_percent``): the top
    two of the four by date. A new date equal to a stored one replaces it (dates are unique per
    resident, so this only makes the merge robust)."""
    o1, o1p, o2, o2p = f"{o}last_on", f"{o}last_percent", f"{o}prev_on", f"{o}prev_percent"
    newer, same = f"{n1} > {o1}", f"{n1} = {o1}"
    return f"""
        last_on = CASE WHEN {newer} THEN {n1} ELSE {o1} END,
        last_percent = CASE WHEN {newer} OR {same} THEN {n1p} ELSE {o1p} END,
        prev_on = CASE
            WHEN {newer} THEN CASE WHEN {n2} > {o1} THEN {n2} ELSE {o1} END
            WHEN {same} THEN CASE WHEN {n2} >= {o2} OR {o2} IS NULL THEN {n2} ELSE {o2} END
            ELSE CASE WHEN {o2} > {n1} THEN {o2} ELSE {n1} END
        END,
        prev_percent = CASE
            WHEN {newer} THEN CASE WHEN {n2} > {o1} THEN {n2p} ELSE {o1p} END
            WHEN {same} THEN CASE WHEN {n2} >= {o2} OR {o2} IS NULL THEN {n2p} ELSE {o2p} END
            ELSE CASE WHEN {o2} > {n1} THEN {o2p} ELSE {n1p} END
        END"""


# --- PostgreSQL ---------------------------------------------------------------------------

# Lock order everywhere: the resident rows (FOR SHARE, which a change of the resident's facility
# or discharge waits for, and which waits for one), then the summary rows.
PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION shelters_latest_recompute(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM {RESIDENT} WHERE id = ANY (ids) ORDER BY id FOR SHARE;
    -- Lock the residents' rows, in id order, creating a placeholder where none exists: a
    -- transaction holding a row (its insert or recompute not yet committed) is waited for here.
    -- The resident's columns are refreshed on the way.
    INSERT INTO {TABLE} AS l ({COLUMNS})
    SELECT r.id, r.facility_id, r.discharged_on, r.discharge_reason, DATE '0001-01-01', 0,
           NULL, NULL
    FROM {RESIDENT} r WHERE r.id = ANY (ids) ORDER BY r.id
    ON CONFLICT (resident_id) DO UPDATE SET facility_id = EXCLUDED.facility_id,
        discharged_on = EXCLUDED.discharged_on, discharge_reason = EXCLUDED.discharge_reason;
    -- A new statement, a new snapshot: it sees what the waited-for transactions committed.
    UPDATE {TABLE} l
    SET last_on = t.last_on, last_percent = t.last_percent,
        prev_on = t.prev_on, prev_percent = t.prev_percent
    FROM (
        SELECT u.id, a1.assessed_on AS last_on, a1.percent AS last_percent,
               a2.assessed_on AS prev_on, a2.percent AS prev_percent
        FROM unnest(ids) AS u(id)
        CROSS JOIN LATERAL (
            SELECT assessed_on, percent FROM {ASSESSMENT} a
            WHERE a.resident_id = u.id ORDER BY a.assessed_on DESC LIMIT 1
        ) a1
        LEFT JOIN LATERAL (
            SELECT assessed_on, percent FROM {ASSESSMENT} a
            WHERE a.resident_id = u.id AND a.assessed_on < a1.assessed_on
            ORDER BY a.assessed_on DESC LIMIT 1
        ) a2 ON true
    ) t
    WHERE l.resident_id = t.id;
    DELETE FROM {TABLE} l
    WHERE l.resident_id = ANY (ids)
      AND NOT EXISTS (SELECT 1 FROM {ASSESSMENT} a WHERE a.resident_id = l.resident_id);
END
$fn$;

CREATE OR REPLACE FUNCTION shelters_latest_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM 1 FROM {RESIDENT}
    WHERE id IN (SELECT resident_id FROM new_rows) ORDER BY id FOR SHARE;
    INSERT INTO {TABLE} AS l ({COLUMNS})
    SELECT n.resident_id, r.facility_id, r.discharged_on, r.discharge_reason,
           n.assessed_on, n.percent, n.prev_on, n.prev_percent
    FROM (
        SELECT resident_id, assessed_on, percent,
               ROW_NUMBER() OVER w AS rn,
               LEAD(assessed_on) OVER w AS prev_on,
               LEAD(percent) OVER w AS prev_percent
        FROM new_rows
        WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)
    ) n
    JOIN {RESIDENT} r ON r.id = n.resident_id
    WHERE n.rn = 1
    ORDER BY n.resident_id
    ON CONFLICT (resident_id) DO UPDATE SET {
    _merge_set(
        "EXCLUDED.last_on",
        "EXCLUDED.last_percent",
        "EXCLUDED.prev_on",
        "EXCLUDED.prev_percent",
        "l.",
    )
};
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION shelters_latest_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM shelters_latest_recompute(
        ARRAY(SELECT DISTINCT resident_id FROM old_rows ORDER BY resident_id)
    );
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION shelters_latest_after_update() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM shelters_latest_recompute(ARRAY(
        SELECT DISTINCT resident_id FROM (
            (SELECT id, resident_id, assessed_on, percent FROM old_rows
             EXCEPT SELECT id, resident_id, assessed_on, percent FROM new_rows)
            UNION ALL
            (SELECT id, resident_id, assessed_on, percent FROM new_rows
             EXCEPT SELECT id, resident_id, assessed_on, percent FROM old_rows)
        ) changed
        ORDER BY resident_id
    ));
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION shelters_latest_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {TABLE};
    RETURN NULL;
END
$fn$;

-- A resident's facility or discharge changed: the copy follows (the resident's row is locked
-- by the UPDATE, so an assessment writer creating the summary row waits, or was waited for).
CREATE OR REPLACE FUNCTION shelters_latest_after_resident_update() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE {TABLE} l
    SET facility_id = n.facility_id, discharged_on = n.discharged_on,
        discharge_reason = n.discharge_reason
    FROM new_rows n
    WHERE l.resident_id = n.id
      AND (l.facility_id IS DISTINCT FROM n.facility_id
           OR l.discharged_on IS DISTINCT FROM n.discharged_on
           OR l.discharge_reason IS DISTINCT FROM n.discharge_reason);
    RETURN NULL;
END
$fn$;
"""

PG_TRIGGERS = {
    "shelters_latest_ins": f"""CREATE TRIGGER shelters_latest_ins AFTER INSERT ON {ASSESSMENT}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION shelters_latest_after_insert()""",
    "shelters_latest_del": f"""CREATE TRIGGER shelters_latest_del AFTER DELETE ON {ASSESSMENT}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION shelters_latest_after_delete()""",
    "shelters_latest_upd": f"""CREATE TRIGGER shelters_latest_upd AFTER UPDATE ON {ASSESSMENT}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION shelters_latest_after_update()""",
    "shelters_latest_trunc": f"""CREATE TRIGGER shelters_latest_trunc AFTER TRUNCATE
        ON {ASSESSMENT} FOR EACH STATEMENT EXECUTE FUNCTION shelters_latest_after_truncate()""",
    "shelters_latest_res": f"""CREATE TRIGGER shelters_latest_res AFTER UPDATE ON {RESIDENT}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION shelters_latest_after_resident_update()""",
}

PG_DROP = f"""
DROP TRIGGER IF EXISTS shelters_latest_ins ON {ASSESSMENT};
DROP TRIGGER IF EXISTS shelters_latest_del ON {ASSESSMENT};
DROP TRIGGER IF EXISTS shelters_latest_upd ON {ASSESSMENT};
DROP TRIGGER IF EXISTS shelters_latest_trunc ON {ASSESSMENT};
DROP TRIGGER IF EXISTS shelters_latest_res ON {RESIDENT};
DROP FUNCTION IF EXISTS shelters_latest_after_insert();
DROP FUNCTION IF EXISTS shelters_latest_after_delete();
DROP FUNCTION IF EXISTS shelters_latest_after_update();
DROP FUNCTION IF EXISTS shelters_latest_after_truncate();
DROP FUNCTION IF EXISTS shelters_latest_after_resident_update();
DROP FUNCTION IF EXISTS shelters_latest_recompute(bigint[]);
"""

# --- SQLite -------------------------------------------------------------------------------


def _sqlite_recompute(rid: str) -> str:
    """Statements replacing resident ``rid``'s row by the top two read from the index."""
    return f"""
    DELETE FROM {TABLE} WHERE resident_id = {rid};
    INSERT INTO {TABLE} ({COLUMNS})
    SELECT r.id, r.facility_id, r.discharged_on, r.discharge_reason,
           a1.assessed_on, a1.percent,
           (SELECT a2.assessed_on FROM {ASSESSMENT} a2
            WHERE a2.resident_id = r.id AND a2.assessed_on < a1.assessed_on
            ORDER BY a2.assessed_on DESC LIMIT 1),
           (SELECT a2.percent FROM {ASSESSMENT} a2
            WHERE a2.resident_id = r.id AND a2.assessed_on < a1.assessed_on
            ORDER BY a2.assessed_on DESC LIMIT 1)
    FROM {RESIDENT} r,
         (SELECT assessed_on, percent FROM {ASSESSMENT}
          WHERE resident_id = {rid} ORDER BY assessed_on DESC LIMIT 1) a1
    WHERE r.id = {rid};"""


SQLITE_TRIGGERS = {
    "shelters_latest_ins": f"""CREATE TRIGGER shelters_latest_ins AFTER INSERT ON {ASSESSMENT}
    BEGIN
    UPDATE {TABLE} SET {_merge_set("NEW.assessed_on", "NEW.percent", "NULL", "NULL")}
    WHERE resident_id = NEW.resident_id;
    INSERT INTO {TABLE} ({COLUMNS})
    SELECT r.id, r.facility_id, r.discharged_on, r.discharge_reason,
           NEW.assessed_on, NEW.percent, NULL, NULL
    FROM {RESIDENT} r
    WHERE r.id = NEW.resident_id
      AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE resident_id = NEW.resident_id);
    END""",
    # A deleted row older than the stored pair leaves it as it is.
    "shelters_latest_del": f"""CREATE TRIGGER shelters_latest_del AFTER DELETE ON {ASSESSMENT}
    WHEN NOT EXISTS (SELECT 1 FROM {TABLE}
                     WHERE resident_id = OLD.resident_id AND prev_on > OLD.assessed_on)
    BEGIN {_sqlite_recompute("OLD.resident_id")}
    END""",
    "shelters_latest_upd": f"""CREATE TRIGGER shelters_latest_upd
    AFTER UPDATE OF id, resident_id, assessed_on, percent ON {ASSESSMENT}
    WHEN OLD.resident_id IS NOT NEW.resident_id OR OLD.assessed_on IS NOT NEW.assessed_on
         OR OLD.percent IS NOT NEW.percent
    BEGIN {_sqlite_recompute("OLD.resident_id")} {_sqlite_recompute("NEW.resident_id")}
    END""",
    "shelters_latest_res": f"""CREATE TRIGGER shelters_latest_res
    AFTER UPDATE OF facility_id, discharged_on, discharge_reason ON {RESIDENT}
    WHEN OLD.facility_id IS NOT NEW.facility_id OR OLD.discharged_on IS NOT NEW.discharged_on
         OR OLD.discharge_reason IS NOT NEW.discharge_reason
    BEGIN
    UPDATE {TABLE} SET facility_id = NEW.facility_id, discharged_on = NEW.discharged_on,
                       discharge_reason = NEW.discharge_reason
    WHERE resident_id = NEW.id;
    END""",
}

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def _existing_triggers(cursor, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass)"
            " AND NOT tgisinternal",
            [ASSESSMENT, RESIDENT],
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            [ASSESSMENT, RESIDENT],
        )
    return {name for (name,) in cursor.fetchall()}


def install(connection) -> bool:
    """Create the triggers that are missing; True when any was (the summary then needs
    :func:`rebuild`)."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"shelters.latest: no triggers for {vendor}")
    triggers = PG_TRIGGERS if vendor == "postgresql" else SQLITE_TRIGGERS
    with connection.cursor() as cursor:
        missing = [name for name in triggers if name not in _existing_triggers(cursor, vendor)]
        if vendor == "postgresql":
            cursor.execute(PG_FUNCTIONS)
        for name in missing:
            cursor.execute(triggers[name])
    return bool(missing)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_DROP)
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)


def rebuild(connection) -> None:
    """Recompute the whole summary from the assessments (the migration's backfill)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows of residents being written now wait for those writers (lock the table).
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {REBUILD_SELECT}")


def discrepancies(connection) -> list[tuple]:
    """Rows where the summary differs from a recomputation (empty when exact): for tests and
    checks. Each is (resident_id, stored row or None, recomputed row or None)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM {TABLE}")
        stored = {row[0]: _normal(row) for row in cursor.fetchall()}
        cursor.execute(REBUILD_SELECT)
        truth = {row[0]: _normal(row) for row in cursor.fetchall()}
    return [
        (rid, stored.get(rid), truth.get(rid))
        for rid in sorted(set(stored) | set(truth))
        if stored.get(rid) != truth.get(rid)
    ]


def _normal(row) -> tuple:
    from decimal import Decimal

    def norm(value):
        if value is None:
            return None
        if isinstance(value, float | int | Decimal):
            return Decimal(str(value)).quantize(Decimal("0.01"))
        return str(value)

    return (row[0], *(norm(v) for v in row[1:]))


def _ensure(sender, using="default", **kwargs) -> None:
    """After every migrate: triggers missing (a later migration remade the table on SQLite)
    are re-created and the summary rebuilt."""
    if getattr(sender, "label", None) != "shelters":
        return
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = connection.introspection.table_names()
    if not {TABLE, ASSESSMENT, RESIDENT} <= set(tables):
        return  # migrated backwards past 0005
    # One transaction: a trigger created and the rebuild failing would leave the summary stale
    # with nothing missing for the next migrate to notice (and LOCK TABLE needs a transaction).
    with transaction.atomic(using=using):
        if install(connection):
            rebuild(connection)


def _before_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """SQLite, before migrations are applied: drop the triggers (``post_migrate`` puts them back
    and rebuilds), so that a migration remaking the residents' or assessments' table works."""
    if getattr(sender, "label", None) != "shelters" or not plan:
        return
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        uninstall(connection)


pre_migrate.connect(_before_migrate, dispatch_uid="shelters.latest.before_migrate")
post_migrate.connect(_ensure, dispatch_uid="shelters.latest.ensure")

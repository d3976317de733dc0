"""The versioned schema of the S&OP store and its migrations.

Each migration is a list of statements applied, in order, inside one transaction
when a store is opened. The version reached is recorded in ``schema_version``;
an old file is upgraded in place, never rebuilt. A file written by a newer
version of the code is refused rather than guessed at.

Conventions: a month is a ``DATE`` on the first day of the month; a plan cycle
is the month of the S&OP meeting, stored the same way.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # --- 1: master data, plans, actuals, audit -------------------------------------
    [
        """CREATE TABLE schema_version (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        """CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
        # For make-to-order families min/max_days_of_supply are the target range of
        # backlog cover (days of shipments the backlog represents).
        """CREATE TABLE families (
            family VARCHAR PRIMARY KEY,
            strategy VARCHAR NOT NULL CHECK (strategy IN ('mts', 'mto')),
            unit VARCHAR NOT NULL DEFAULT 'units',
            price DOUBLE NOT NULL CHECK (price >= 0),
            unit_cost DOUBLE NOT NULL CHECK (unit_cost >= 0),
            min_days_of_supply DOUBLE NOT NULL CHECK (min_days_of_supply >= 0),
            max_days_of_supply DOUBLE NOT NULL,
            tolerance_pct DOUBLE NOT NULL CHECK (tolerance_pct >= 0),
            CHECK (max_days_of_supply >= min_days_of_supply))""",
        """CREATE TABLE products (
            sku VARCHAR PRIMARY KEY,
            family VARCHAR NOT NULL,
            description VARCHAR)""",
        """CREATE TABLE regions (region VARCHAR PRIMARY KEY, description VARCHAR)""",
        """CREATE TABLE resources (
            resource VARCHAR PRIMARY KEY,
            description VARCHAR,
            warning_utilisation DOUBLE NOT NULL DEFAULT 0.9)""",
        """CREATE TABLE bill_of_resources (
            family VARCHAR NOT NULL,
            resource VARCHAR NOT NULL,
            hours_per_unit DOUBLE NOT NULL CHECK (hours_per_unit >= 0),
            PRIMARY KEY (family, resource))""",
        """CREATE TABLE capacity (
            resource VARCHAR NOT NULL,
            month DATE NOT NULL,
            available_hours DOUBLE NOT NULL CHECK (available_hours >= 0),
            PRIMARY KEY (resource, month))""",
        """CREATE TABLE calendar (
            month DATE PRIMARY KEY,
            working_days INTEGER NOT NULL CHECK (working_days BETWEEN 0 AND 31))""",
        # Plans: one version per monthly cycle; approved versions are frozen.
        """CREATE TABLE plan_versions (
            cycle DATE PRIMARY KEY,
            status VARCHAR NOT NULL CHECK (status IN ('draft', 'approved')),
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            approved_at TIMESTAMP,
            approved_by VARCHAR,
            note VARCHAR)""",
        """CREATE TABLE demand_plan (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, region VARCHAR NOT NULL,
            month DATE NOT NULL, quantity DOUBLE NOT NULL,
            PRIMARY KEY (cycle, family, region, month))""",
        """CREATE TABLE production_plan (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, month DATE NOT NULL,
            quantity DOUBLE NOT NULL,
            PRIMARY KEY (cycle, family, month))""",
        # The planned ending inventory (make-to-stock) or backlog (make-to-order).
        """CREATE TABLE inventory_plan (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, month DATE NOT NULL,
            quantity DOUBLE NOT NULL,
            PRIMARY KEY (cycle, family, month))""",
        """CREATE TABLE budget (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, month DATE NOT NULL,
            volume DOUBLE NOT NULL, revenue DOUBLE NOT NULL,
            PRIMARY KEY (cycle, family, month))""",
        # Actuals at the level they arrive: sku or family (one of them is set).
        """CREATE TABLE actuals (
            kind VARCHAR NOT NULL
                CHECK (kind IN ('sales', 'orders', 'production', 'inventory', 'backlog')),
            month DATE NOT NULL,
            sku VARCHAR,
            family VARCHAR,
            region VARCHAR NOT NULL DEFAULT '',
            quantity DOUBLE NOT NULL,
            revenue DOUBLE,
            upload_id BIGINT,
            CHECK ((sku IS NULL) <> (family IS NULL)))""",
        # Family x month rollup of ``actuals``, rebuilt on every write of actuals.
        """CREATE TABLE actuals_monthly (
            kind VARCHAR NOT NULL, family VARCHAR NOT NULL, region VARCHAR NOT NULL,
            month DATE NOT NULL, quantity DOUBLE NOT NULL, revenue DOUBLE,
            PRIMARY KEY (kind, family, region, month))""",
        # Audit: uploads and the rows an upload replaced (so it can be reverted).
        """CREATE SEQUENCE upload_seq START 1""",
        """CREATE TABLE uploads (
            upload_id BIGINT PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            cycle DATE,
            uploaded_by VARCHAR NOT NULL,
            uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            rows_read BIGINT NOT NULL,
            rows_loaded BIGINT NOT NULL,
            months VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'committed'
                CHECK (status IN ('committed', 'reverted')),
            reverted_at TIMESTAMP,
            reverted_by VARCHAR)""",
        """CREATE TABLE upload_replaced (
            upload_id BIGINT NOT NULL,
            target VARCHAR NOT NULL,
            payload JSON NOT NULL)""",
        """CREATE SEQUENCE decision_seq START 1""",
        """CREATE TABLE decisions (
            decision_id BIGINT PRIMARY KEY,
            cycle DATE,
            kind VARCHAR NOT NULL,
            subject VARCHAR,
            detail JSON,
            decided_by VARCHAR NOT NULL,
            decided_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        # Scenarios: named lever sets; results are recomputed from current data.
        """CREATE SEQUENCE scenario_seq START 1""",
        """CREATE TABLE scenarios (
            scenario_id BIGINT PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE,
            note VARCHAR,
            author VARCHAR NOT NULL,
            cycle DATE,
            levers JSON NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            promoted_at TIMESTAMP,
            promoted_by VARCHAR)""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

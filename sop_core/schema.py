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
    # --- 2: demand planning: statistical baseline, models, override layers, overrides ----
    [
        # The override layers and reason codes are data (stairstep order = position).
        """CREATE TABLE forecast_layers (
            layer VARCHAR PRIMARY KEY,
            label VARCHAR NOT NULL,
            position INTEGER NOT NULL UNIQUE)""",
        """INSERT INTO forecast_layers VALUES
            ('sales', 'Sales', 1), ('marketing', 'Marketing', 2),
            ('finance', 'Finance', 3), ('demand_planner', 'Demand planner', 4)""",
        """CREATE TABLE forecast_reasons (reason VARCHAR PRIMARY KEY, label VARCHAR NOT NULL)""",
        """INSERT INTO forecast_reasons VALUES
            ('promotion', 'Promotion'), ('new_customer', 'New customer'), ('lost_customer', 'Lost customer'),
            ('price_change', 'Price change'), ('market_trend', 'Market trend'),
            ('supply_constraint', 'Supply constraint'), ('other', 'Other')""",
        # The statistical baseline of each cycle at the level the actuals are held
        # (sku / region '' where they carry none); frozen with the cycle's plan.
        """CREATE TABLE forecast_baseline (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, sku VARCHAR NOT NULL DEFAULT '',
            region VARCHAR NOT NULL DEFAULT '', month DATE NOT NULL,
            forecast DOUBLE NOT NULL CHECK (forecast >= 0),
            lo80 DOUBLE NOT NULL CHECK (lo80 >= 0), hi80 DOUBLE NOT NULL,
            lo95 DOUBLE NOT NULL CHECK (lo95 >= 0), hi95 DOUBLE NOT NULL,
            PRIMARY KEY (cycle, family, sku, region, month))""",
        # The model chosen per series and its holdout error (NaN: no holdout was possible).
        """CREATE TABLE forecast_models (
            cycle DATE NOT NULL, family VARCHAR NOT NULL, sku VARCHAR NOT NULL DEFAULT '',
            region VARCHAR NOT NULL DEFAULT '',
            model VARCHAR NOT NULL, holdout_mase DOUBLE, series_class VARCHAR NOT NULL,
            history_months INTEGER NOT NULL, mode VARCHAR NOT NULL DEFAULT 'full',
            run_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (cycle, family, sku, region))""",
        # Overrides: one row per layer x cell; a removed override stays as a row with value NULL
        # so the cell's version keeps counting (the conflict check compares versions).
        """CREATE TABLE forecast_overrides (
            cycle DATE NOT NULL, layer VARCHAR NOT NULL, family VARCHAR NOT NULL,
            region VARCHAR NOT NULL DEFAULT '', sku VARCHAR NOT NULL DEFAULT '', month DATE NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('units', 'pct')),
            value DOUBLE,
            reason VARCHAR,
            comment VARCHAR NOT NULL DEFAULT '',
            author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            version INTEGER NOT NULL CHECK (version >= 1),
            CHECK (value IS NULL OR coalesce(reason, '') <> ''),
            PRIMARY KEY (cycle, layer, family, region, sku, month))""",
        # Every save of a cell, for the audit trail (value NULL: the override was removed).
        """CREATE TABLE forecast_override_history (
            cycle DATE NOT NULL, layer VARCHAR NOT NULL, family VARCHAR NOT NULL,
            region VARCHAR NOT NULL, sku VARCHAR NOT NULL, month DATE NOT NULL,
            kind VARCHAR NOT NULL, value DOUBLE, reason VARCHAR, comment VARCHAR NOT NULL,
            author VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, version INTEGER NOT NULL)""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

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
    # --- 3: the monthly S&OP cycle (steps, tasks, sign-off, approval checksum, decisions, assumptions) ----------
    [
        # The decision log extends the existing audit table: rows of kind 'decision' are logged decisions
        # (subject = the decision's text); other kinds stay engine events (approvals, promotions, reopenings).
        """ALTER TABLE decisions ADD COLUMN owner VARCHAR""",
        """ALTER TABLE decisions ADD COLUMN due_date DATE""",
        """ALTER TABLE decisions ADD COLUMN status VARCHAR""",
        """ALTER TABLE decisions ADD COLUMN family VARCHAR""",
        """ALTER TABLE decisions ADD COLUMN scenario_id BIGINT""",
        """ALTER TABLE decisions ADD COLUMN resource VARCHAR""",
        """ALTER TABLE decisions ADD COLUMN updated_by VARCHAR""",
        """ALTER TABLE decisions ADD COLUMN updated_at TIMESTAMP""",
        # sha256 of the frozen snapshot (the version's plan tables), set at approval.
        """ALTER TABLE plan_versions ADD COLUMN checksum VARCHAR""",
        """CREATE TABLE holidays (day DATE PRIMARY KEY, name VARCHAR NOT NULL DEFAULT '')""",
        # The template (data): steps with owner and due offset in working days from the cycle start.
        """CREATE TABLE cycle_template (
            step VARCHAR PRIMARY KEY,
            position INTEGER NOT NULL UNIQUE,
            name VARCHAR NOT NULL,
            owner VARCHAR NOT NULL,
            offset_days INTEGER NOT NULL CHECK (offset_days >= 1))""",
        """INSERT INTO cycle_template VALUES
            ('data', 1, 'Data gathering (month close)', 'Demand planning', 3),
            ('demand', 2, 'Demand review', 'Sales and marketing', 6),
            ('supply', 3, 'Supply review', 'Operations', 9),
            ('pre_sop', 4, 'Pre-S&OP reconciliation', 'Finance', 12),
            ('executive', 5, 'Executive S&OP meeting', 'Executive team', 15)""",
        # auto_check names a check of sop_core.cycle.tasks; NULL: ticked by hand.
        """CREATE TABLE cycle_template_tasks (
            task VARCHAR PRIMARY KEY,
            step VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            label VARCHAR NOT NULL,
            auto_check VARCHAR)""",
        """INSERT INTO cycle_template_tasks VALUES
            ('actuals_loaded', 'data', 1, 'Actuals of the closed month loaded for every family', 'actuals_loaded'),
            ('baseline_run', 'data', 2, 'Statistical baseline run', 'baseline_run'),
            ('data_reviewed', 'data', 3, 'Data issues reviewed and corrected', NULL),
            ('consensus_saved', 'demand', 1, 'Consensus demand plan saved', 'consensus_saved'),
            ('demand_assumptions', 'demand', 2, 'Demand assumptions written down', NULL),
            ('capacity_ok', 'supply', 1, 'Supply plan within capacity, or its overloads explained', 'capacity_ok'),
            ('supply_reviewed', 'supply', 2, 'Supply plan reviewed with operations', NULL),
            ('budget_compared', 'pre_sop', 1, 'Plan revenue compared with the budget', 'budget_compared'),
            ('scenarios_prepared', 'pre_sop', 2, 'Scenarios prepared for the open trade-offs', NULL),
            ('preread_sent', 'pre_sop', 3, 'Pre-read sent to the executive team', NULL),
            ('plan_approved', 'executive', 1, 'Plan approved as the plan of record', 'plan_approved')""",
        # A cycle: opened from the last approved plan; steps and tasks copied from the template at opening.
        """CREATE TABLE cycles (
            cycle DATE PRIMARY KEY,
            start_date DATE NOT NULL,
            from_cycle DATE,
            opened_by VARCHAR NOT NULL,
            opened_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        """CREATE TABLE cycle_steps (
            cycle DATE NOT NULL,
            step VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            name VARCHAR NOT NULL,
            owner VARCHAR NOT NULL,
            offset_days INTEGER NOT NULL,
            due_date DATE NOT NULL,
            signed_by VARCHAR,
            signed_at TIMESTAMP,
            comment VARCHAR NOT NULL DEFAULT '',
            PRIMARY KEY (cycle, step))""",
        # done NULL: an automatic task not yet decided by hand or recorded at sign-off (checked live).
        """CREATE TABLE cycle_tasks (
            cycle DATE NOT NULL,
            task VARCHAR NOT NULL,
            step VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            label VARCHAR NOT NULL,
            auto_check VARCHAR,
            done BOOLEAN,
            detail VARCHAR NOT NULL DEFAULT '',
            done_by VARCHAR,
            done_at TIMESTAMP,
            comment VARCHAR NOT NULL DEFAULT '',
            PRIMARY KEY (cycle, task))""",
        # Overrides carried into a cycle by the roll-forward, flagged until re-saved or confirmed.
        """CREATE TABLE cycle_carried_overrides (
            cycle DATE NOT NULL, layer VARCHAR NOT NULL, family VARCHAR NOT NULL, region VARCHAR NOT NULL,
            sku VARCHAR NOT NULL, month DATE NOT NULL,
            from_cycle DATE NOT NULL,
            carried_version INTEGER NOT NULL,
            reviewed_by VARCHAR,
            reviewed_at TIMESTAMP,
            PRIMARY KEY (cycle, layer, family, region, sku, month))""",
        """CREATE SEQUENCE assumption_seq START 1""",
        """CREATE TABLE assumptions (
            assumption_id BIGINT PRIMARY KEY,
            cycle DATE,
            text VARCHAR NOT NULL,
            owner VARCHAR NOT NULL,
            due_date DATE,
            status VARCHAR NOT NULL CHECK (status IN ('open', 'done', 'dropped')),
            family VARCHAR,
            scenario_id BIGINT,
            resource VARCHAR,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            updated_by VARCHAR,
            updated_at TIMESTAMP)""",
        # Open decisions and assumptions carried into a later cycle when it opened.
        """CREATE TABLE cycle_carried_items (
            cycle DATE NOT NULL,
            register VARCHAR NOT NULL CHECK (register IN ('decision', 'assumption')),
            item_id BIGINT NOT NULL,
            PRIMARY KEY (cycle, register, item_id))""",
        # Every change of a decision or assumption, field by field (values as text).
        """CREATE TABLE register_audit (
            register VARCHAR NOT NULL CHECK (register IN ('decision', 'assumption')),
            item_id BIGINT NOT NULL,
            field VARCHAR NOT NULL,
            old_value VARCHAR,
            new_value VARCHAR,
            changed_by VARCHAR NOT NULL,
            changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
    ],
    # --- 4: the cycle's supply plan: each family's strategy and target, the planner's adjustments ---------------
    [
        # A family without a row uses the default strategy (sop_core.cycle.supply_policy); target_days NULL: the
        # middle of the family's min/max days range.
        """CREATE TABLE supply_policies (
            family VARCHAR PRIMARY KEY,
            strategy VARCHAR NOT NULL CHECK (strategy IN ('level', 'chase', 'hybrid')),
            target_days DOUBLE CHECK (target_days IS NULL OR target_days >= 0),
            updated_by VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        # Every hand adjustment of a supply plan cell: who, when, old and new production, why.
        """CREATE TABLE supply_adjustments (
            cycle DATE NOT NULL,
            family VARCHAR NOT NULL,
            month DATE NOT NULL,
            old_quantity DOUBLE,
            new_quantity DOUBLE NOT NULL,
            reason VARCHAR NOT NULL CHECK (trim(reason) <> ''),
            adjusted_by VARCHAR NOT NULL,
            adjusted_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
    ],
    # --- 5: people and permissions: who holds which roles, the default role, every change audited -------------
    [
        # One row per person who may sign in with more than the default role; e-mail as the identity
        # provider's verified claim, lower-cased (sop_core.people.actor.normalise_email).
        """CREATE TABLE people (
            email VARCHAR PRIMARY KEY CHECK (email = lower(trim(email)) AND email LIKE '%_@_%'),
            name VARCHAR NOT NULL DEFAULT '',
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            updated_by VARCHAR,
            updated_at TIMESTAMP)""",
        # A person may hold several roles (names checked in sop_core.people.roles, the one list).
        """CREATE TABLE person_roles (
            email VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            granted_by VARCHAR NOT NULL,
            granted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (email, role))""",
        # Settings of people management, apart from ``settings`` (which the demo reload empties):
        # default_role = what a signed-in person without an entry gets (a role, or 'none').
        """CREATE TABLE people_settings (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL,
            updated_by VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
        """INSERT INTO people_settings (key, value, updated_by) VALUES ('default_role', 'viewer', 'schema')""",
        # Every change of people, roles and people settings: who, when, what (values as text).
        """CREATE SEQUENCE people_audit_seq START 1""",
        """CREATE TABLE people_audit (
            change_id BIGINT PRIMARY KEY DEFAULT nextval('people_audit_seq'),
            changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            changed_by VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            change VARCHAR NOT NULL CHECK (change IN ('add', 'remove', 'roles', 'name', 'setting')),
            old_value VARCHAR,
            new_value VARCHAR)""",
    ],
    # --- 6: each cycle step has an owning role: who signs it off and ticks its hand tasks -----------------------
    [
        # The role (a name of sop_core.people.roles, checked by sop_core.cycle.template) beside the free-text
        # owner, in the template and in every cycle's copy of it. Existing stores get the reference's owners:
        # data, demand and supply reviews the planner, pre-S&OP finance, the meeting the executive.
        """ALTER TABLE cycle_template ADD COLUMN owner_role VARCHAR""",
        """UPDATE cycle_template SET owner_role = CASE step
            WHEN 'pre_sop' THEN 'finance' WHEN 'executive' THEN 'executive' ELSE 'planner' END""",
        """ALTER TABLE cycle_steps ADD COLUMN owner_role VARCHAR""",
        """UPDATE cycle_steps SET owner_role = CASE step
            WHEN 'pre_sop' THEN 'finance' WHEN 'executive' THEN 'executive' ELSE 'planner' END""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

-- The platform core: enterprises (tenants), groups, registrations, accounts, sessions,
-- audit, sites and gates, the three vehicle registries, lists, rules, bureau alerts,
-- passages, corrections and upload status.
--
-- Tenant-owned tables lead their primary key, indexes and unique constraints with
-- tenant_id. Users, sessions and login events are platform-wide: a login happens before
-- any tenant is known. Bureau-owned data (alerts, the bureau blacklist) is keyed by region.
-- Times are UTC (timestamptz).

create table tenant_groups (
    id uuid primary key,
    name text not null,
    created_at timestamptz not null
);

create table tenants (
    id uuid primary key,
    name text not null,
    credit_code text not null unique,
    permit_no text,
    region_code text not null,
    industry text not null,
    rating text not null,
    address text,
    daily_trip_baseline integer,
    group_id uuid references tenant_groups (id),
    status text not null default 'active',
    rules_version bigint not null default 0,
    -- The enterprise's admission settings (policy for unknown and unplated vehicles, exits).
    admission_policy jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index tenants_region_code on tenants (region_code);
create index tenants_group_id on tenants (group_id);

create table registrations (
    id uuid primary key,
    name text not null,
    credit_code text not null,
    permit_no text,
    region_code text not null,
    industry text not null,
    rating text not null,
    address text,
    contact_name text not null,
    contact_email text not null,
    contact_phone text,
    admin_username text not null,
    documents jsonb not null default '[]',
    status text not null default 'pending',
    reject_reason text,
    reviewed_by uuid,
    reviewed_at timestamptz,
    tenant_id uuid,
    created_at timestamptz not null
);
create index registrations_status on registrations (status, created_at);

create table users (
    id uuid primary key,
    username text not null unique,
    display_name text not null,
    email text,
    role text not null,
    tenant_id uuid references tenants (id),
    group_id uuid references tenant_groups (id),
    region_prefix text,
    password_hash text not null,
    must_change_password boolean not null default true,
    failed_logins integer not null default 0,
    locked_until timestamptz,
    disabled boolean not null default false,
    totp_secret text,
    totp_enabled boolean not null default false,
    locale text not null default 'zh-CN',
    password_changed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index users_tenant_id on users (tenant_id);
create index users_group_id on users (group_id);

create table sessions (
    id uuid primary key,
    user_id uuid not null references users (id),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    ip text,
    user_agent text
);
create index sessions_user_id on sessions (user_id);

create table login_events (
    id uuid primary key,
    user_id uuid,
    username text not null,
    at timestamptz not null,
    ip text,
    user_agent text,
    result text not null
);
create index login_events_user_id_at on login_events (user_id, at);

create table password_resets (
    token_hash text primary key not null,
    user_id uuid not null references users (id),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);

create table audit_log (
    tenant_id uuid not null,
    id uuid not null,
    at timestamptz not null,
    actor_id uuid,
    actor_name text not null,
    actor_role text not null,
    ip text,
    action text not null,
    entity text not null,
    entity_id text not null,
    before jsonb,
    after jsonb,
    primary key (tenant_id, id)
);
create index audit_log_tenant_at on audit_log (tenant_id, at);

create table platform_audit_log (
    id uuid primary key,
    at timestamptz not null,
    actor_id uuid,
    actor_name text not null,
    actor_role text not null,
    ip text,
    region_code text,
    action text not null,
    entity text not null,
    entity_id text not null,
    before jsonb,
    after jsonb
);
create index platform_audit_log_region_at on platform_audit_log (region_code, at);

create table sites (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    address text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id)
);

create table gates (
    tenant_id uuid not null,
    id uuid not null,
    site_id uuid not null,
    name text not null,
    entrance_no text not null,
    barrier_no text not null,
    status text not null default 'active',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, site_id) references sites (tenant_id, id)
);
create unique index gates_tenant_entrance_barrier on gates (tenant_id, entrance_no, barrier_no);

create table lanes (
    tenant_id uuid not null,
    id uuid not null,
    gate_id uuid not null,
    name text not null,
    direction text not null,
    plc_address text,
    plc_unit integer,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, gate_id) references gates (tenant_id, id) on delete cascade
);
create index lanes_tenant_gate on lanes (tenant_id, gate_id);

create table lane_devices (
    tenant_id uuid not null,
    id uuid not null,
    lane_id uuid not null,
    kind text not null,
    name text not null,
    vendor text,
    model text,
    serial text,
    address text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, lane_id) references lanes (tenant_id, id) on delete cascade
);
create index lane_devices_tenant_lane on lane_devices (tenant_id, lane_id);

create table vehicles (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    kind text not null,
    plate text,
    plate_colour text,
    trailer_plate text,
    vin text,
    vin_warning text,
    registration_code text,
    machine_code text,
    vehicle_class text not null,
    vehicle_model text,
    registration_date date,
    production_date date,
    engine_model text,
    engine_maker text,
    engine_no text,
    fuel text not null,
    stage text not null,
    transport_use text,
    obd_connected boolean,
    fleet_name text,
    owner text,
    license_expiry date,
    permit_expiry date,
    cargo_name text,
    cargo_type text,
    cargo_quantity double precision,
    cargo_unit text,
    cargo_origin text,
    cargo_destination text,
    notes text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id)
);
create unique index vehicles_tenant_kind_plate on vehicles (tenant_id, kind, plate);
create unique index vehicles_tenant_kind_registration_code on vehicles (tenant_id, kind, registration_code);
create index vehicles_tenant_plate on vehicles (tenant_id, plate);
create index vehicles_tenant_trailer_plate on vehicles (tenant_id, trailer_plate);

create table evidence_objects (
    tenant_id uuid not null,
    sha256 text not null,
    size bigint not null,
    content_type text not null,
    created_at timestamptz not null,
    primary key (tenant_id, sha256)
);

create table vehicle_documents (
    tenant_id uuid not null,
    id uuid not null,
    vehicle_id uuid not null,
    kind text not null,
    sha256 text not null,
    content_type text not null,
    size bigint not null,
    file_name text,
    uploaded_by uuid,
    uploaded_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade
);
create index vehicle_documents_tenant_vehicle on vehicle_documents (tenant_id, vehicle_id);

create table list_entries (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    list text not null,
    plate text not null,
    plate_colour text,
    permit_kind text,
    valid_from timestamptz,
    valid_until timestamptz,
    reason text,
    created_by uuid,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id)
);
create index list_entries_tenant_list_plate on list_entries (tenant_id, list, plate);

create table bureau_blacklist (
    id uuid primary key,
    region_code text not null,
    plate text not null,
    plate_colour text,
    vin text,
    source text not null,
    reason text not null,
    issued_at timestamptz not null,
    lifted_at timestamptz,
    created_by uuid,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index bureau_blacklist_region_plate on bureau_blacklist (region_code, plate);

create table admission_rules (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    enabled boolean not null default true,
    rule jsonb not null,
    created_by uuid,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id)
);

create table region_alerts (
    id uuid primary key,
    region_code text not null,
    level text not null,
    measures jsonb not null default '[]',
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    reason text,
    issued_by uuid,
    cancelled_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index region_alerts_region_starts on region_alerts (region_code, starts_at);

-- The head of each gate's chain. Ingest locks and advances it in the same transaction as
-- the insert and accepts a record only when its seq is head + 1 and its prev_hash matches:
-- this, not a global unique index, keeps (gate, seq) unique (see design §4.3).
create table gate_heads (
    tenant_id uuid not null,
    gate_id uuid not null,
    last_seq bigint not null,
    last_hash bytea not null,
    updated_at timestamptz not null,
    primary key (tenant_id, gate_id)
);

create table passages (
    tenant_id uuid not null,
    gate_id uuid not null,
    seq bigint not null,
    passage_id uuid not null,
    occurred_at timestamptz not null,
    received_at timestamptz not null,
    clock_offset_ms integer not null default 0,
    lane_id uuid,
    direction text not null,
    plate text,
    plate_colour text,
    vehicle_id uuid,
    ledger_kind text,
    vehicle_class text,
    stage text,
    fuel text,
    vin text,
    decision text not null,
    reason_code text not null,
    rule_version bigint,
    operator text,
    release_reason text,
    cargo_name text,
    cargo_type text,
    cargo_quantity double precision,
    cargo_unit text,
    weight_kg double precision,
    photo_count integer not null default 0,
    record bytea not null,
    hash bytea not null,
    signature bytea not null,
    -- A partitioned table's keys must include the partition key; (gate, seq) stays unique
    -- through gate_heads and passage ids through passage_index.
    primary key (tenant_id, gate_id, seq, occurred_at)
) partition by range (occurred_at);
create index passages_tenant_passage_id on passages (tenant_id, passage_id);
create index passages_tenant_occurred on passages (tenant_id, occurred_at);
create index passages_tenant_plate_occurred on passages (tenant_id, plate, occurred_at);

-- Where a passage lives: on PostgreSQL the passage table is partitioned by month, and this
-- narrow unpartitioned table keeps passage ids unique across partitions and finds the
-- partition of a passage by id.
create table passage_index (
    tenant_id uuid not null,
    passage_id uuid not null,
    gate_id uuid not null,
    seq bigint not null,
    occurred_at timestamptz not null,
    primary key (tenant_id, passage_id)
);

create table passage_photos (
    tenant_id uuid not null,
    passage_id uuid not null,
    idx integer not null,
    kind text not null,
    sha256 text not null,
    received_at timestamptz,
    primary key (tenant_id, passage_id, idx)
);

create table corrections (
    tenant_id uuid not null,
    id uuid not null,
    passage_id uuid not null,
    gate_id uuid not null,
    seq bigint not null,
    field text not null,
    old_value text,
    new_value text,
    reason text not null,
    corrected_by uuid,
    corrected_by_name text not null,
    corrected_at timestamptz not null,
    record bytea,
    signature bytea,
    primary key (tenant_id, id)
);
create index corrections_tenant_passage on corrections (tenant_id, passage_id);

create table upload_status (
    tenant_id uuid not null,
    passage_id uuid not null,
    target text not null,
    status text not null,
    attempts integer not null default 0,
    last_error text,
    last_attempt_at timestamptz,
    acked_at timestamptz,
    receipt text,
    primary key (tenant_id, passage_id, target)
);
create index upload_status_tenant_target_status on upload_status (tenant_id, target, status);

create table imports (
    tenant_id uuid not null,
    id uuid not null,
    kind text not null,
    file_name text not null,
    status text not null,
    rows jsonb not null,
    report jsonb not null,
    created_by uuid,
    created_at timestamptz not null,
    confirmed_at timestamptz,
    primary key (tenant_id, id)
);

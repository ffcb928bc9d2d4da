-- Platform-wide key/value facts that belong to no tenant: the installation id, the
-- schema's own notes, the fingerprints of the platform's keys once they exist.
create table platform_meta (
    key text primary key,
    value text not null,
    updated_at timestamptz not null default now()
);

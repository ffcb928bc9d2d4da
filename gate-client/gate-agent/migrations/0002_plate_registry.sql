-- The registry of plates the gate matches readings against, cached so that matching works
-- with no platform connection and after a restart. The platform's list sync (a later issue)
-- replaces its content; `gateledger-gate registry add` fills it by hand meanwhile.
create table registry_plates (
    plate text primary key not null,       -- normalised, as matching compares it
    colour text,                           -- canonical plate colour, when known
    label text not null default '',        -- what the guard reads (fleet, owner)
    added_at text not null
);

-- Camera intake: every vehicle a camera reported, recorded once, durably, before the camera
-- gets its answer. Rows are never updated; a repeated push is appended to camera_duplicates.
-- Times are RFC 3339 text of fixed width (UTC, microseconds), so text order is time order.
create table camera_events (
    id text primary key not null,          -- UUIDv7 assigned by the gate; sorts by arrival
    received_at text not null,             -- gate clock, UTC
    source text not null,                  -- hikvision | dahua | gateledger
    device_id text not null,
    vendor_key text,                       -- the same on every re-upload of one camera event
    post_count integer,                    -- Hikvision activePostCount
    camera_lane integer,                   -- the camera's own lane number
    lane text,                             -- the configured lane; null when the camera is unbound
    camera_direction text not null,        -- forward | reverse | unknown
    direction text,                        -- entry | exit, when the lane is known
    camera_time text,                      -- camera clock, with the camera's offset
    plate text,                            -- primary reading, normalised; null for a vehicle without plate
    confidence integer,                    -- primary reading's confidence, 0-100
    no_plate integer not null,             -- 1: the camera saw a vehicle without a readable plate
    readings text not null,                -- JSON array of every candidate reading
    vehicle text not null                  -- JSON object: the camera's vehicle type, colour, brand, list
);

create unique index camera_events_vendor_key on camera_events (vendor_key) where vendor_key is not null;
create index camera_events_plate_time on camera_events (plate, received_at);

-- Photos live as files next to the database (photos/<2 hex>/<sha256>.jpg, content-addressed);
-- this table says which event they belong to.
create table camera_event_photos (
    event_id text not null references camera_events (id),
    idx integer not null,                  -- order within the push
    kind text not null,                    -- plate | scene | vehicle | other
    name text not null,                    -- part or file name the camera gave
    sha256 text not null,                  -- lowercase hex
    size integer not null,
    path text not null,                    -- relative to the data directory
    primary key (event_id, idx)
);

-- A push recognised as a repeat of a recorded event: counted, not recorded again.
create table camera_duplicates (
    id integer primary key autoincrement,
    event_id text not null references camera_events (id),
    received_at text not null,
    reason text not null,                  -- vendor_key | plate_window
    post_count integer
);

create index camera_duplicates_event on camera_duplicates (event_id);

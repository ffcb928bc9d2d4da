-- Alarms raised and cleared by the agent's components (a barrier PLC not answering, a
-- barrier that did not move). Append-only: clearing an alarm is a new row with raised = 0.
create table alarms (
    id integer primary key autoincrement,
    at text not null,                      -- gate clock, UTC
    lane text,
    kind text not null,                    -- barrier_fault | ...
    raised integer not null,               -- 1 raised, 0 cleared
    message text not null                  -- zh-CN, what the guard reads
);

-- fleet_group_event is kept as long as the change log keeps its entries (appliance-sync.realtime.retention) and
-- deleted with them (realtime/ChangeRetention, every appliance-sync.realtime.retention-interval): this index finds
-- the old rows without reading the whole table each time. Built concurrently, as the table is live (docs/deployment.md).
create index concurrently if not exists fleet_group_event_at_idx on fleet_group_event (at);

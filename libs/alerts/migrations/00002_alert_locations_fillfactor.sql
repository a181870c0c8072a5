-- Room in every page of alert_locations for the next version of its rows, so that evaluating
-- the alerts costs the consumer's writes less. Each stored check rewrites its location's row; on full pages every such update went to another
-- page and added an index entry. Measured on 300,000 checks of 10,000 targets: 7% of the
-- updates stayed in their page (HOT) and the table grew to 33–35 MB for 10,000 rows; with
-- fillfactor 50, 98% and 4 MB, and half the WAL records per update. Pages written before
-- this keep their rows until autovacuum frees them.
alter table alert_locations set (fillfactor = 50);

-- Revision 1.2 of the CheckResult message: a check whose answer fails one of the target's
-- conditions (`json`, `responseHeaders`) is down with reason `assertion`, one whose body is
-- not JSON where JSON conditions are set with `invalid_json`. As 00001 says, a new reason
-- gets the next id; ids in check_results and the rollups never change.
insert into failure_reasons (id, name) values (11, 'assertion'), (12, 'invalid_json');

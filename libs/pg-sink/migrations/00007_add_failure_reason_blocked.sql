-- Revision 1.1 of the CheckResult message: a check refused because its host's address is in a
-- network the checker blocks (checker.blockNetworks) is down with reason `blocked`. As
-- 00001 says, a new reason gets the next id; ids in check_results and the rollups never change.
insert into failure_reasons (id, name) values (10, 'blocked');

export { IsDateOnlyOrTimestamp, IsStringRecord, IsUsd } from '@aigw/config';

export { IsCalendarDay, IsDateOnlyOrTimestamp, IsStringRecord, IsUsd } from '@aigw/config';

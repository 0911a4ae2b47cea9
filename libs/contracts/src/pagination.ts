/** A page of a list endpoint. `total` counts every match of the filter. */
export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

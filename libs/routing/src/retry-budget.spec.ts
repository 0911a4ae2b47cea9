import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_BUDGET_OPTIONS, RetryBudget } from './retry-budget';

function grant(budget: RetryBudget, attempts: number): number {
  let granted = 0;
  for (let i = 0; i < attempts; i += 1) if (budget.tryRetry()) granted += 1;
  return granted;
}

describe('RetryBudget', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_RETRY_BUDGET_OPTIONS).toEqual({ ratio: 0.2, minRetriesPerSecond: 10, windowMs: 10_000 });
    const budget = new RetryBudget({}, () => 0);
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, allowed: 100 });
  });

  it('always allows the minimum retry rate, even without traffic', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 2, windowMs: 5_000 }, () => 0);
    expect(grant(budget, 15)).toBe(10);
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 10, allowed: 10 });
  });

  it('allows ratio × first attempts when that exceeds the minimum', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 }, () => 0);
    for (let i = 0; i < 100; i += 1) budget.recordRequest();
    expect(grant(budget, 50)).toBe(20);
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 5; i += 1) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.snapshot()).toEqual({ requests: 105, retries: 21, allowed: 21 });
  });

  it('is not fooled by float noise in ratio × requests', () => {
    const budget = new RetryBudget({ ratio: 0.07, minRetriesPerSecond: 0 }, () => 0);
    for (let i = 0; i < 100; i += 1) budget.recordRequest();
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(grant(budget, 10)).toBe(7);
  });

  it('slides: requests and retries leave the window and the budget refills', () => {
    let time = 0;
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSecond: 0, windowMs: 1_000 }, () => time);
    for (let i = 0; i < 10; i += 1) budget.recordRequest();
    expect(grant(budget, 10)).toBe(5);
    time = 500;
    for (let i = 0; i < 4; i += 1) budget.recordRequest();
    expect(grant(budget, 10)).toBe(2); // 14 requests → 7 allowed, 5 used
    time = 1_000; // the first bucket (10 requests, 5 retries) leaves the window
    expect(budget.snapshot()).toEqual({ requests: 4, retries: 2, allowed: 2 });
    expect(budget.tryRetry()).toBe(false);
    time = 1_500;
    expect(budget.snapshot()).toEqual({ requests: 0, retries: 0, allowed: 0 });
  });

  it('rejects negative options', () => {
    expect(() => new RetryBudget({ ratio: -1 })).toThrow(RangeError);
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(RangeError);
  });
});

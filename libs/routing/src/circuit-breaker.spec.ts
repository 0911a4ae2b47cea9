import { describe, expect, it } from 'vitest';
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS } from './circuit-breaker';

function clock(start = 1_000) {
  const c = { time: start, now: () => c.time };
  return c;
}

function fail(breaker: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i += 1) breaker.onFailure();
}

describe('CircuitBreaker', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_BREAKER_OPTIONS).toEqual({ windowSize: 20, failureThreshold: 10, consecutiveFailures: 5, cooldownMs: 30_000 });
    const c = clock();
    const breaker = new CircuitBreaker({}, c.now);
    fail(breaker, 4);
    expect(breaker.state).toBe('closed');
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    c.time += 29_999;
    expect(breaker.state).toBe('open');
    c.time += 1;
    expect(breaker.state).toBe('half_open');
  });

  it('opens after consecutiveFailures failures in a row; a success resets the run', () => {
    const breaker = new CircuitBreaker({ consecutiveFailures: 3 }, clock().now);
    fail(breaker, 2);
    breaker.onSuccess();
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('opens when N of the last M outcomes failed, and old outcomes leave the window', () => {
    const breaker = new CircuitBreaker({ windowSize: 4, failureThreshold: 3, consecutiveFailures: 100 }, clock().now);
    // window (oldest first): F S F S → 2 failures
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onSuccess();
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', failures: 2, outcomes: 4 });
    // S S S F: the earlier failures were pushed out
    breaker.onSuccess();
    breaker.onSuccess();
    breaker.onSuccess();
    breaker.onFailure();
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', failures: 1, outcomes: 4 });
    breaker.onSuccess(); // S S F S
    breaker.onFailure(); // S F S F → 2
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', failures: 2 });
    breaker.onFailure(); // F S F F → 3 of 4
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot()).toMatchObject({ failures: 3, outcomes: 4, consecutiveFailures: 2 });
  });

  it('waits for minimumRequests outcomes before applying the N-of-M rule', () => {
    const breaker = new CircuitBreaker({ windowSize: 10, failureThreshold: 2, minimumRequests: 5, consecutiveFailures: 100 }, clock().now);
    fail(breaker, 2);
    breaker.onSuccess();
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    breaker.onSuccess(); // 5 outcomes, 2 failures
    expect(breaker.state).toBe('closed'); // rule is only checked on a failure
    breaker.onFailure();
    expect(breaker.state).toBe('open');
  });

  it('admits exactly one probe after the cooldown; its success closes with an empty window', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 2, cooldownMs: 1_000 }, c.now);
    fail(breaker, 2);
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 1_000, retryAt: 2_000 });
    expect(breaker.openUntil()).toBe(2_000);
    expect(breaker.tryAcquire()).toBe(false);
    c.time = 2_000;
    expect(breaker.state).toBe('half_open');
    expect(breaker.openUntil()).toBeNull();
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.state).toBe('half_open');
    breaker.onSuccess();
    expect(breaker.snapshot()).toEqual({
      state: 'closed', failures: 0, outcomes: 0, consecutiveFailures: 0, openedAt: null, retryAt: null,
    });
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens for a fresh cooldown when the probe fails', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 1_000 }, c.now);
    breaker.onFailure();
    c.time = 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 5_000, retryAt: 6_000 });
    c.time = 5_999;
    expect(breaker.tryAcquire()).toBe(false);
    c.time = 6_000;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('release() frees the probe slot without changing the state', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 10 }, c.now);
    breaker.onFailure();
    c.time += 10;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.release();
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('release() while closed records nothing', () => {
    const breaker = new CircuitBreaker({}, clock().now);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', outcomes: 0, failures: 0 });
  });

  it('ignores late outcomes reported while open', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 100 }, c.now);
    breaker.onFailure();
    breaker.onSuccess();
    expect(breaker.state).toBe('open');
    breaker.onFailure();
    expect(breaker.openUntil()).toBe(1_100);
  });

  it('forceOpen keeps the later end and then goes half-open as usual', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 1_000 }, c.now);
    breaker.forceOpen(5_000);
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 1_000, retryAt: 5_000 });
    breaker.forceOpen(3_000);
    expect(breaker.openUntil()).toBe(5_000);
    breaker.onFailure(); // late failure while open does not shorten or extend it
    expect(breaker.openUntil()).toBe(5_000);
    breaker.forceOpen(7_000);
    expect(breaker.openUntil()).toBe(7_000);
    c.time = 6_999;
    expect(breaker.tryAcquire()).toBe(false);
    c.time = 7_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
  });

  it('forceOpen during a half-open probe reopens and drops the probe', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ consecutiveFailures: 1, cooldownMs: 100 }, c.now);
    breaker.onFailure();
    c.time += 100;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.forceOpen(c.time + 500);
    breaker.onSuccess(); // the probe's late verdict
    expect(breaker.state).toBe('open');
    expect(breaker.openUntil()).toBe(c.time + 500);
  });

  it('rejects invalid options', () => {
    expect(() => new CircuitBreaker({ windowSize: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 1.5 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ cooldownMs: -1 })).toThrow(RangeError);
    expect(() => new CircuitBreaker().forceOpen(Number.NaN)).toThrow(RangeError);
  });
});

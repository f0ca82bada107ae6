import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUERY_MIN_RUNS, queryRuns, spreadNote } from '../bench/figures/search-query.js';

test('bench query figures: at least QUERY_MIN_RUNS cold queries per kind, more when --runs asks', () => {
  assert.equal(QUERY_MIN_RUNS, 7);
  assert.equal(queryRuns(1), 7);
  assert.equal(queryRuns(3), 7);
  assert.equal(queryRuns(9), 9);
});

test('bench query figures: the notes give the median with its spread, and nothing without times', () => {
  assert.equal(spreadNote('ours', [300, 140, 168, 230, 150, 160, 170]), 'ours: 168 ms median (min–max 140 ms–300 ms) of 7');
  assert.equal(spreadNote('Pagefind', [1200, 1100]), 'Pagefind: 1.15 s median (min–max 1.10 s–1.20 s) of 2');
  assert.equal(spreadNote('ours', []), '');
});

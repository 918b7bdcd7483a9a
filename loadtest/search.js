// k6 load test: shoppers' messages against /v1/catalogs/demo/search, and the same server
// answering a constant JSON body (/healthz) as the throughput baseline.
// Run through loadtest/run.sh, which starts a server on 127.0.0.1 and stops it afterwards.
import http from 'k6/http';
import { check } from 'k6';
import { SharedArray } from 'k6/data';

const BASE = __ENV.KIRANA_URL || 'http://127.0.0.1:8080';
const TARGET = __ENV.TARGET || 'search';
const queries = new SharedArray('queries', () =>
  open('./queries.txt').split('\n').map((l) => l.trim()).filter((l) => l.length > 0));

export const options = {
  scenarios: {
    shoppers: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || 16),
      duration: __ENV.DURATION || '20s',
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    http_req_duration: ['p(99)<50'],
    checks: ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(99)', 'max'],
};

export default function () {
  if (TARGET === 'baseline') {
    const res = http.get(`${BASE}/healthz`);
    check(res, { 'status 200': (r) => r.status === 200 });
    return;
  }
  const q = queries[Math.floor(Math.random() * queries.length)];
  const res = http.get(`${BASE}/v1/catalogs/demo/search?q=${encodeURIComponent(q)}&limit=10`);
  check(res, {
    'status 200': (r) => r.status === 200,
    'has hits field': (r) => r.json('hits') !== undefined,
  });
}

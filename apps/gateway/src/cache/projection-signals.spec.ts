import { subjectsFor } from '@mai/config';
import { applySignal, signalScope } from './projection-signals';

describe('projection signals', () => {
  const subjects = subjectsFor({ subjectPrefix: 'test1.' });
  const prefix = subjects.projected('');

  it("an org's signal names that org", () => {
    expect(signalScope(subjects.projected('acme'), prefix)).toEqual({ kind: 'org', orgId: 'acme' });
  });

  it('the every-org signal (a rebuilt projection swapped in) names all of them, and matches the wildcard', () => {
    expect(signalScope(subjects.projectedEveryOrg, prefix)).toEqual({ kind: 'all' });
    expect(subjects.projectedEveryOrg.startsWith(subjects.projectedAll.slice(0, -1))).toBe(true);
  });

  it('anything else is not recognised', () => {
    expect(signalScope('other.usage.v1.projected.acme', prefix)).toBeUndefined();
    expect(signalScope(`${prefix}NOT AN ORG`, prefix)).toBeUndefined();
  });

  it('an org signal invalidates that org; the all-org signal, and anything unrecognised, clear everything', () => {
    const cache = { invalidateOrg: jest.fn(), clear: jest.fn() };
    applySignal(cache, { kind: 'org', orgId: 'acme' });
    expect(cache.invalidateOrg).toHaveBeenCalledWith('acme');
    expect(cache.clear).not.toHaveBeenCalled();
    applySignal(cache, { kind: 'all' });
    applySignal(cache, undefined);
    expect(cache.clear).toHaveBeenCalledTimes(2);
  });
});

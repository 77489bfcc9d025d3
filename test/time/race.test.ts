import { DeadlineExceeded, settlesWithin, within, withDeadline } from '../../src/time/race';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('racing work against a timer', () => {
  it('within: the value when the work is quick, undefined when it is not', async () => {
    await expect(within(later(5, 'quick'), 200)).resolves.toBe('quick');
    await expect(within(later(200, 'slow'), 10)).resolves.toBeUndefined();
  });

  it('within: a rejection passes through', async () => {
    await expect(within(Promise.reject(new Error('broken')), 200)).rejects.toThrow('broken');
  });

  it('settlesWithin: true for work that fails quickly too, false for work that hangs', async () => {
    await expect(settlesWithin(Promise.reject(new Error('x')), 200)).resolves.toBe(true);
    await expect(settlesWithin(new Promise(() => undefined), 10)).resolves.toBe(false);
  });

  it('withDeadline: names what it waited for and how long, and keeps falsy values', async () => {
    await expect(withDeadline(later(5, 0), 200, 'zones')).resolves.toBe(0);
    const late = withDeadline(later(200, 'x'), 10, 'zones');
    await expect(late).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(late).rejects.toMatchObject({ label: 'zones', ms: 10, message: 'zones timed out after 10 ms' });
  });
});

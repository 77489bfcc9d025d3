import { idsFromText } from '../../src/commands/ids-from-text';

describe('idsFromText', () => {
  it('finds labelled IDs and zones, and bare UUIDs', () => {
    expect(idsFromText('Denied calls; request_id: req-42 zone: prod-eu')).toEqual({ requestId: 'req-42', zoneId: 'prod-eu' });
    expect(idsFromText('see 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b')).toEqual({
      requestId: '0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      zoneId: null,
    });
    expect(idsFromText('req=abc123, zone_id=z1')).toEqual({ requestId: 'abc123', zoneId: 'z1' });
    expect(idsFromText('Request ID req_7 in zone-id prod')).toEqual({ requestId: 'req_7', zoneId: 'prod' });
  });
  it('finds nothing in ordinary text', () => {
    expect(idsFromText('Payments outage war room')).toEqual({ requestId: null, zoneId: null });
    expect(idsFromText('requests piling up; request for access; zone outage')).toEqual({ requestId: null, zoneId: null });
    expect(idsFromText('request id: unknown')).toEqual({ requestId: null, zoneId: null });
    expect(idsFromText(undefined)).toEqual({ requestId: null, zoneId: null });
  });
});

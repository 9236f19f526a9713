import { addressGroup } from '../../src/shared/address-group';

/** Who a throttle counts: IPv4 addresses one by one, IPv6 addresses by their /64 network. */
describe('addressGroup', () => {
  it('keeps an IPv4 address, also one written as IPv4-mapped IPv6', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(addressGroup('0:0:0:0:0:ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address as its /64 network, however it is written', () => {
    const network = '2001:db8:1:2::/64';
    for (const address of [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:0:0:0:9',
      '2001:db8:1:2::5%eth0',
      '2001:db8:1:2:0:0:198.51.100.1',
    ])
      expect(addressGroup(address)).toBe(network);
    expect(addressGroup('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  });

  it('names a missing address, and passes anything else through', () => {
    expect(addressGroup(null)).toBe('unknown');
    expect(addressGroup(undefined)).toBe('unknown');
    expect(addressGroup('')).toBe('unknown');
    expect(addressGroup('not an address')).toBe('not an address');
  });
});

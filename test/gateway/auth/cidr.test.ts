import { describe, expect, test } from "bun:test";
import { ipInCidrs, parseCidr, parseIp } from "../../../src/gateway/auth/cidr.ts";

describe("parseIp", () => {
  test.each([
    ["1.2.3.4", [1, 2, 3, 4]],
    ["0.0.0.0", [0, 0, 0, 0]],
    ["255.255.255.255", [255, 255, 255, 255]],
    ["::", new Array(16).fill(0)],
    ["::1", [...new Array(15).fill(0), 1]],
    ["2001:db8::ff00:42:8329", [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]],
    ["1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ["::ffff:10.0.0.1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]],
    ["FE80::1%eth0", [0xfe, 0x80, ...new Array(13).fill(0), 1]],
  ])("%s", (text, bytes) => {
    expect([...parseIp(text)!]).toEqual(bytes);
  });

  test.each(["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-1", ":::", "1::2::3", ":1", "1:", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "12345::", "g::1", "::1.2.3", "1.2.3.4::"])(
    "refuses %p",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe("parseCidr", () => {
  test("accepts prefixes and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8").prefix).toBe(8);
    expect(parseCidr("0.0.0.0/0").prefix).toBe(0);
    expect(parseCidr("192.168.1.7").prefix).toBe(32);
    expect(parseCidr("2001:db8::/32").prefix).toBe(32);
    expect(parseCidr("::1").prefix).toBe(128);
    expect(parseCidr(" 10.1.0.0/16 ").prefix).toBe(16);
  });

  test.each([
    ["10.0.0.1/8", /host bits are set; did you mean 10.0.0.0\/8/],
    ["2001:db8::1/32", /did you mean 2001:db8::\/32/],
    ["10.0.0.0/33", /at most 32/],
    ["::/129", /at most 128/],
    ["10.0.0.0/-1", /not a number/],
    ["10.0.0.0/08", /not a number/],
    ["10.0.0.0/", /not a number/],
    ["10.0.0.0/8/8", /not an IPv4 or IPv6/],
    ["fe80::/10%eth0", /invalid CIDR/],
    ["fe80::%eth0/64", /not an IPv4 or IPv6/],
    ["example.com/24", /not an IPv4 or IPv6/],
  ])("refuses %p", (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
  });
});

describe("ipInCidrs", () => {
  test("IPv4 ranges, boundaries included", () => {
    const cidrs = ["10.0.0.0/8", "192.168.1.128/25"];
    expect(ipInCidrs("10.255.255.255", cidrs)).toBe(true);
    expect(ipInCidrs("11.0.0.0", cidrs)).toBe(false);
    expect(ipInCidrs("192.168.1.128", cidrs)).toBe(true);
    expect(ipInCidrs("192.168.1.127", cidrs)).toBe(false);
    expect(ipInCidrs("192.168.1.255", cidrs)).toBe(true);
  });

  test("a /0 matches everything of its family; a bare address only itself", () => {
    expect(ipInCidrs("203.0.113.9", ["0.0.0.0/0"])).toBe(true);
    expect(ipInCidrs("2001:db8::1", ["0.0.0.0/0"])).toBe(false);
    expect(ipInCidrs("2001:db8::1", ["::/0"])).toBe(true);
    expect(ipInCidrs("203.0.113.9", ["203.0.113.9"])).toBe(true);
    expect(ipInCidrs("203.0.113.10", ["203.0.113.9"])).toBe(false);
  });

  test("IPv6 ranges with odd prefixes", () => {
    expect(ipInCidrs("2001:db8:abcd:12::1", ["2001:db8:abcd:10::/60"])).toBe(true);
    expect(ipInCidrs("2001:db8:abcd:20::1", ["2001:db8:abcd:10::/60"])).toBe(false);
    expect(ipInCidrs("fe80::1%eth0", ["fe80::/10"])).toBe(true);
    expect(ipInCidrs("febf::1", ["fe80::/10"])).toBe(true);
    expect(ipInCidrs("fec0::1", ["fe80::/10"])).toBe(false);
  });

  test("an IPv4-mapped IPv6 address matches IPv4 ranges", () => {
    expect(ipInCidrs("::ffff:10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(ipInCidrs("::ffff:11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(ipInCidrs("::ffff:10.1.2.3", ["::ffff:0:0/96"])).toBe(true);
  });

  test("an empty list or a junk address matches nothing; parsed CIDRs work too", () => {
    expect(ipInCidrs("10.0.0.1", [])).toBe(false);
    expect(ipInCidrs("not-an-ip", ["0.0.0.0/0"])).toBe(false);
    expect(ipInCidrs("10.0.0.1", [parseCidr("10.0.0.0/24")])).toBe(true);
  });

  test("an invalid CIDR in the list is an error, not a silent miss", () => {
    expect(() => ipInCidrs("10.0.0.1", ["10.0.0.0/99"])).toThrow(/invalid CIDR/);
  });
});

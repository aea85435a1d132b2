import { describe, expect, it } from "vitest";

import { basename, clock, eta, mediaUrl, percent, rangesIn, freeText } from "./format";

describe("format", () => {
  it("clock", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(9.5)).toBe("0:10");
    expect(clock(62)).toBe("1:02");
    expect(clock(3723)).toBe("1:02:03");
    expect(clock(null)).toBe("–:––");
    expect(clock(Number.NaN)).toBe("–:––");
  });

  it("percent and eta", () => {
    expect(percent(0.999)).toBe("99%");
    expect(percent(1.2)).toBe("100%");
    expect(percent(-1)).toBe("0%");
    expect(eta(null)).toBe("");
    expect(eta(75)).toBe("eta 1:15");
  });

  it("ranges and names", () => {
    expect(rangesIn("1-3\n\n 0:10-0:20+0:30-0:40 \n")).toEqual(["1-3", "0:10-0:20+0:30-0:40"]);
    expect(basename("/a/b/clip-01.mp4")).toBe("clip-01.mp4");
    expect(basename("/a/b/")).toBe("b");
  });

  it("media URLs encode the whole path", () => {
    expect(mediaUrl("http://127.0.0.1:5/t0k/", "/a b/clip#1.mp4")).toBe("http://127.0.0.1:5/t0k/%2Fa%20b%2Fclip%231.mp4");
    expect(mediaUrl("", "/a.mp4")).toBe("");
  });
});

describe("freeText", () => {
  it("reads as a disk does in a file manager", () => {
    expect(freeText(12_345_000_000)).toBe("12.3 GB free");
    expect(freeText(850_000_000)).toBe("850 MB free");
    expect(freeText(2_500_000_000_000)).toBe("2.5 TB free");
    expect(freeText(null)).toBe("Free space unknown");
  });
});

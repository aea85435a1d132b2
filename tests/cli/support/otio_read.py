#!/usr/bin/env python3
"""Reads an .otio or .fcpxml with OpenTimelineIO (the FCPXML through the otio-fcpx-xml-adapter
plugin) and prints what the export tests compare, as JSON:
  [{"name", "tracks": [{"name", "kind", "items": [{"kind": "clip"|"gap", "name",
    "start", "duration", "target"}]}]}]  (start/duration in frames at the item's rate)
usage: otio_read.py FILE
"""
import json
import sys

import opentimelineio as otio


def main():
    path = sys.argv[1]
    obj = otio.adapters.read_from_file(path)
    if isinstance(obj, otio.schema.Timeline):
        timelines = [obj]
    else:
        timelines = list(obj.find_children(descended_from_type=otio.schema.Timeline))
    out = []
    for tl in timelines:
        tracks = []
        for tr in tl.tracks:
            items = []
            for it in tr:
                sr = it.source_range or it.trimmed_range()
                rate = sr.duration.rate
                entry = {
                    "kind": "gap" if isinstance(it, otio.schema.Gap) else "clip",
                    "name": it.name,
                    "rate": rate,
                    "start": round(sr.start_time.rescaled_to(rate).value),
                    "duration": round(sr.duration.value),
                }
                ref = getattr(it, "media_reference", None)
                if isinstance(ref, otio.schema.ExternalReference):
                    entry["target"] = ref.target_url
                items.append(entry)
            tracks.append({"name": tr.name, "kind": tr.kind, "items": items})
        out.append({"name": tl.name, "tracks": tracks})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

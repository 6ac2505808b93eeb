"""Where a profiled server spent its time: self and inclusive shares per function, from a py-spy profile.

    .venv/bin/python bench/run.py --only fanout --profile      # writes bench/results/profile-<server>.txt
    .venv/bin/python bench/hotspots.py bench/results/profile-fanout-in_process.txt [--top 25] [--under bff]

Or record any running server yourself (`bff serve`'s pid) and read it the same way:

    .venv/bin/py-spy record --format raw --rate 250 --pid PID --output /tmp/profile.txt   # Ctrl-C to stop
    .venv/bin/py-spy top --pid PID                                                         # live view

`--under bff` counts only frames of files under that path fragment as "self" (the deepest such frame of
each sample), which answers "which of our functions cost the most, libraries included below them".
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]*):?(?P<line>\d*)\)$")


def _name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    file = match["file"]
    short = file.split("site-packages/")[-1].split("/work/")[-1]
    return f"{match['function']} ({short})"


def read(path: Path, under: str | None) -> tuple[Counter[str], Counter[str], int]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for raw in path.read_text().splitlines():
        stack, _, count = raw.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [frame for frame in stack.split(";") if frame]
        if frames and frames[0].startswith(("process ", "thread ")):
            frames = [frame for frame in frames if not frame.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += samples
        names = [_name(frame) for frame in frames]
        for name in set(names):
            inclusive[name] += samples
        mine = [n for n, frame in zip(names, frames, strict=True) if under is None or under in frame]
        own[mine[-1] if mine else names[-1]] += samples
    return own, inclusive, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--under", help="count self time at the deepest frame whose file contains this")
    args = parser.parse_args()
    own, inclusive, total = read(args.profile, args.under)
    if not total:
        raise SystemExit("no samples in the profile")
    print(f"{total} samples")
    for title, counts in (("self", own), ("inclusive", inclusive)):
        print(f"\n{title}:")
        for name, samples in counts.most_common(args.top):
            print(f"  {100 * samples / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()

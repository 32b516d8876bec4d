"""The classic hold model in SimPy, for `ssp bench sim`: N processes, each holding for an exponential time,
repeatedly, until `events` holds have run. Prints one JSON object."""
import json
import random
import sys
import time

import simpy


def main() -> None:
    processes = int(sys.argv[1])
    events = int(sys.argv[2])
    env = simpy.Environment()
    rng = random.Random(1)
    done = [0]

    def proc():
        while done[0] < events:
            yield env.timeout(rng.expovariate(1.0))
            done[0] += 1

    for _ in range(processes):
        env.process(proc())
    start = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - start
    print(json.dumps({"events": done[0], "seconds": seconds, "eventsPerSec": done[0] / seconds}))


main()

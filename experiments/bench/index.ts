// Every benchmark suite `ssp bench` knows. Add a suite here and nowhere else.

import { appsBench } from "./apps.ts";
import { coreBench } from "./core.ts";
import { netBench } from "./net.ts";
import { simBench } from "./sim.ts";
import type { BenchSuite } from "./suite.ts";

export const suites: BenchSuite[] = [coreBench, simBench, netBench, appsBench];

// Every benchmark suite `ssp bench` knows. Add a suite here and nowhere else.

import type { BenchSuite } from "./suite.ts";

export const suites: BenchSuite[] = [];

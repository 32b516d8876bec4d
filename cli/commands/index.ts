// Every command, in the order `ssp --help` lists them. Add a command here and nowhere else.

import { register } from "../main.ts";
import { benchCommand } from "./bench.ts";
import { checkCommand } from "./check.ts";
import { dataCommand } from "./data.ts";
import { launchCommand } from "./launch.ts";
import { serverCommand } from "./server.ts";
import { simCommand } from "./sim.ts";
import { sweepCommand } from "./sweep.ts";
import { sweepWorkerCommand } from "./sweep-worker.ts";
import { traceCommand } from "./trace.ts";
import { vizCommand } from "./viz.ts";
import { workerCommand } from "./worker.ts";

register(simCommand);
register(sweepCommand);
register(checkCommand);
register(vizCommand);
register(traceCommand);
register(benchCommand);
register(dataCommand);
register(launchCommand);
register(serverCommand);
register(workerCommand);
register(sweepWorkerCommand);

// Every command, in the order `ssp --help` lists them. Add a command here and nowhere else.

import { register } from "../main.ts";
import { benchCommand } from "./bench.ts";
import { simCommand } from "./sim.ts";

register(simCommand);
register(benchCommand);

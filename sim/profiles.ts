// Hardware profiles: how fast simulated machines compute, talk and serve. JSON on disk, validated here.
// Every rate is per second and every time in nanoseconds, so the names carry their units.

export interface HardwareProfile {
  name: string;
  description: string;
  /**
   * Work units one worker completes per second on a machine of speed 1. A unit is one reference nanosecond
   * (apps/cost.ts), so 1e9 is the reference machine's speed and 5e8 a machine half as fast.
   */
  computeUnitsPerSec: number;
  /** Cores per machine: workers beyond this on one machine share cores and slow down proportionally. */
  coresPerMachine: number;
  /** Relative speed of each machine, cycled over machines (1 = nominal); [1] for a homogeneous cluster. */
  machineSpeeds: number[];
  /** NIC bandwidth, each direction (full duplex). */
  nicBandwidthBytesPerSec: number;
  /** One-way propagation + switching latency between two machines. */
  latencyNs: number;
  /** Host CPU cost to send or receive one message (syscalls, serialisation), charged at each end. */
  perMessageOverheadNs: number;
  /** Where shards run: on their own machines, or on the worker machines (shard k on machine k mod M). */
  serverPlacement: "dedicated" | "colocated";
  /** Shard CPU cost per message handled. */
  serverNsPerMessage: number;
  /** Shard CPU cost per value applied or copied into a reply. */
  serverNsPerValue: number;
}

// computeUnitsPerSec is relative to the reference machine (1e9 = as fast as it, per core): the presets say
// how fast a worker of their era or class is, per core.
export const presets: Record<string, HardwareProfile> = {
  "paper-2013": {
    name: "paper-2013",
    description:
      "A commodity cluster of the paper's era: 1 GbE, 0.1 ms latency, 8-core machines, cores half as fast as today's.",
    computeUnitsPerSec: 5e8,
    coresPerMachine: 8,
    machineSpeeds: [1],
    nicBandwidthBytesPerSec: 125e6,
    latencyNs: 100_000,
    perMessageOverheadNs: 20_000,
    serverPlacement: "colocated",
    serverNsPerMessage: 5_000,
    serverNsPerValue: 5,
  },
  "datacenter-10g": {
    name: "datacenter-10g",
    description: "A modern on-premises cluster: 10 GbE, 50 µs latency, 16-core machines.",
    computeUnitsPerSec: 1e9,
    coresPerMachine: 16,
    machineSpeeds: [1],
    nicBandwidthBytesPerSec: 1.25e9,
    latencyNs: 50_000,
    perMessageOverheadNs: 8_000,
    serverPlacement: "colocated",
    serverNsPerMessage: 2_000,
    serverNsPerValue: 2,
  },
  "cloud-25g": {
    name: "cloud-25g",
    description: "Cloud VMs: 25 Gb/s but 200 µs virtualised latency, dedicated server machines.",
    computeUnitsPerSec: 1e9,
    coresPerMachine: 16,
    machineSpeeds: [1],
    nicBandwidthBytesPerSec: 3.125e9,
    latencyNs: 200_000,
    perMessageOverheadNs: 15_000,
    serverPlacement: "dedicated",
    serverNsPerMessage: 2_000,
    serverNsPerValue: 2,
  },
  hetero: {
    name: "hetero",
    description:
      "Machines of mixed speed (1, 1, 0.7, 0.5, cycled) on 10 GbE: persistent, structural stragglers.",
    computeUnitsPerSec: 1e9,
    coresPerMachine: 16,
    machineSpeeds: [1, 1, 0.7, 0.5],
    nicBandwidthBytesPerSec: 1.25e9,
    latencyNs: 50_000,
    perMessageOverheadNs: 8_000,
    serverPlacement: "colocated",
    serverNsPerMessage: 2_000,
    serverNsPerValue: 2,
  },
  wan: {
    name: "wan",
    description: "Geo-distributed sites: 100 Mb/s and 20 ms one-way latency between machines.",
    computeUnitsPerSec: 1e9,
    coresPerMachine: 16,
    machineSpeeds: [1],
    nicBandwidthBytesPerSec: 12.5e6,
    latencyNs: 20_000_000,
    perMessageOverheadNs: 20_000,
    serverPlacement: "dedicated",
    serverNsPerMessage: 2_000,
    serverNsPerValue: 2,
  },
};

const POSITIVE: Array<keyof HardwareProfile> = [
  "computeUnitsPerSec",
  "coresPerMachine",
  "nicBandwidthBytesPerSec",
];
const NON_NEGATIVE: Array<keyof HardwareProfile> = [
  "latencyNs",
  "perMessageOverheadNs",
  "serverNsPerMessage",
  "serverNsPerValue",
];

/** Checks a profile parsed from JSON; `where` names its source in errors. Missing fields take paper-2013's. */
export function validateProfile(input: unknown, where: string): HardwareProfile {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Error(`${where}: a hardware profile must be a JSON object`);
  }
  const raw = input as Record<string, unknown>;
  const known = new Set(Object.keys(presets["paper-2013"]));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      throw new Error(`${where}: unknown field "${key}"; fields are ${[...known].join(", ")}`);
    }
  }
  const profile = {
    ...presets["paper-2013"],
    name: where,
    description: "custom profile",
    ...raw,
  } as HardwareProfile;
  for (const key of POSITIVE) {
    const v = profile[key];
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new Error(`${where}: ${key} must be a positive number, got ${JSON.stringify(v)}`);
    }
  }
  for (const key of NON_NEGATIVE) {
    const v = profile[key];
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new Error(`${where}: ${key} must be a number ≥ 0, got ${JSON.stringify(v)}`);
    }
  }
  if (!Number.isInteger(profile.coresPerMachine)) {
    throw new Error(`${where}: coresPerMachine must be an integer, got ${profile.coresPerMachine}`);
  }
  if (
    !Array.isArray(profile.machineSpeeds) ||
    profile.machineSpeeds.length === 0 ||
    !profile.machineSpeeds.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x))
  ) {
    throw new Error(`${where}: machineSpeeds must be a non-empty list of positive numbers`);
  }
  if (profile.serverPlacement !== "dedicated" && profile.serverPlacement !== "colocated") {
    throw new Error(`${where}: serverPlacement must be "dedicated" or "colocated"`);
  }
  return profile;
}

/** A preset by name, or a profile parsed from JSON text read by the caller (I/O stays in the CLI). */
export function resolveProfile(nameOrJson: string, readFile?: (path: string) => string): HardwareProfile {
  const preset = presets[nameOrJson];
  if (preset !== undefined) return preset;
  if (readFile === undefined || !/[./]/.test(nameOrJson)) {
    throw new Error(
      `unknown hardware profile "${nameOrJson}"; presets: ${Object.keys(presets).join(", ")}, or give a JSON file path`,
    );
  }
  let text: string;
  try {
    text = readFile(nameOrJson);
  } catch (e) {
    throw new Error(`cannot read profile file ${nameOrJson}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`profile file ${nameOrJson} is not valid JSON: ${(e as Error).message}`);
  }
  return validateProfile(parsed, nameOrJson);
}

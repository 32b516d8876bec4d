// `ssp launch --hosts` over real OpenSSH: an sshd of the test's own (a temporary host key, one authorised
// key, listening on 127.0.0.2 and 127.0.0.3 only) stands in for two other machines. This checks what a stand-in
// ssh cannot: the remote command line survives a real login shell, BatchMode refuses to prompt, the token
// travels on stdin, and a host that cannot be reached fails the job with ssh's own message.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedCells } from "../../runtime/indicator-app.ts";
import { buildCli } from "./support/build-cli.ts";
import { runCli } from "./support/run-cli.ts";

const SSHD = "/usr/sbin/sshd";
const missing = ["/usr/bin/ssh", "/usr/bin/ssh-keygen", SSHD].filter((p) => !existsSync(p));
const isRoot = process.getuid?.() === 0;
const skipReason =
  missing.length > 0
    ? `needs OpenSSH (${missing.join(", ")} missing: apt-get install openssh-server openssh-client; CI installs them)`
    : !isRoot
      ? "needs root to start a private sshd (CI runs as root)"
      : "";
if (skipReason !== "") console.warn(`real-ssh tests skipped: ${skipReason}`);

const scratch = mkdtempSync(join(tmpdir(), "ssp-real-ssh-"));
let bin = "";
let sshd: ChildProcess | null = null;
let port = 0;
let sshWrapper = "";

/** A port free on 127.0.0.2 just now (sshd binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.2", () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
}

function accepts(host: string, p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host, port: p });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

beforeAll(async () => {
  if (skipReason !== "") return;
  bin = await buildCli("real-ssh-test");
  const key = (name: string) => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(scratch, name)]);
    return join(scratch, name);
  };
  const hostKey = key("host_key");
  const clientKey = key("client_key");
  writeFileSync(join(scratch, "authorized_keys"), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  port = await freePort();
  const config = join(scratch, "sshd_config");
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.2:${port}`,
      `ListenAddress 127.0.0.3:${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(scratch, "authorized_keys")}`,
      `PidFile ${join(scratch, "sshd.pid")}`,
      // The scratch folder sits in the world-writable /tmp, which strict mode would refuse.
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      `AllowUsers ${userInfo().username}`,
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  sshd = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
  let sshdLog = "";
  sshd.stderr!.on("data", (d) => {
    sshdLog += d;
  });
  // Bounded wait for sshd to listen on both addresses.
  for (let i = 0; i < 100; i++) {
    if ((await accepts("127.0.0.2", port)) && (await accepts("127.0.0.3", port))) break;
    if (sshd.exitCode !== null) throw new Error(`sshd exited: ${sshdLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The launcher adds `-o BatchMode=yes HOST COMMAND`; this adds the test's key, port and host-key policy.
  sshWrapper = join(scratch, "ssh");
  writeFileSync(
    sshWrapper,
    [
      "#!/bin/sh",
      `printf '%s\\n' "$3" >> ${join(scratch, "ssh-hosts.log")}`,
      `exec ssh -i ${clientKey} -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(sshWrapper, 0o755);
}, 60_000);

afterAll(() => {
  sshd?.kill();
  rmSync(scratch, { recursive: true, force: true });
  if (bin !== "") rmSync(bin, { force: true });
});

describe.skipIf(skipReason !== "")("ssp launch --hosts over real ssh", () => {
  it("runs servers and worker processes on 127.0.0.2 and 127.0.0.3 through sshd; nothing is lost", async () => {
    const hostsFile = join(scratch, "hosts");
    writeFileSync(hostsFile, "127.0.0.2\n127.0.0.3\n");
    const run = await runCli(bin, [
      "launch",
      "--hosts",
      hostsFile,
      "--ssh-command",
      sshWrapper,
      "--servers",
      "2",
      "--workers",
      "4",
      "--workers-per-process",
      "2",
      "--clocks",
      "4",
      "--opt",
      "check-staleness=2",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    // The indicator app's objective counts the increments in the final model: none lost over the logins.
    const increments = [...expectedCells(4, 4).values()].reduce((a, b) => a + b, 0);
    expect(JSON.parse(run.stdout).objective).toBe(increments);
    expect(run.stderr).toMatch(/\[server 0@127\.0\.0\.2\] listening at 127\.0\.0\.2:\d+/);
    expect(run.stderr).toMatch(/\[server 1@127\.0\.0\.3\] listening at 127\.0\.0\.3:\d+/);
    // Two servers, then two worker processes, round-robin over the hosts: four real logins.
    const logins = readFileSync(join(scratch, "ssh-hosts.log"), "utf8").trim().split("\n").sort();
    expect(logins).toEqual(["127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"]);
  });

  it("a host sshd does not serve fails the job with ssh's reason, naming the role and host", async () => {
    const hostsFile = join(scratch, "hosts-bad");
    // 127.0.0.4: nothing listens there, so ssh cannot connect.
    writeFileSync(hostsFile, "127.0.0.2\n127.0.0.4\n");
    const run = await runCli(
      bin,
      ["launch", "--hosts", hostsFile, "--ssh-command", sshWrapper, "--servers", "2", "--workers", "2"],
      30_000,
    );
    expect(run.code).toBe(1);
    // Server 1 and worker process 1 both run on 127.0.0.4; whichever login fails first is the one reported.
    expect(run.stderr).toMatch(
      /(server|worker) 1@127\.0\.0\.4 exited with code 255: ssh: connect to host 127\.0\.0\.4 port \d+: Connection refused/,
    );
  });
});

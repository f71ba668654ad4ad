// CPU readings from /proc, shared by the bench scripts that report the CPU of the processes they start and of the
// whole machine (which tells how much the other processes of a shared machine took meanwhile).
import { execSync } from "node:child_process";
import fs from "node:fs";

const CLK_TCK = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;

/** utime + stime of the process (all its threads), in seconds; NaN once it is gone. */
export function procCpu(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Busy and total seconds of the whole machine (all CPUs), from the first line of /proc/stat. */
export function machineCpu() {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq;
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait + (steal || 0)) / CLK_TCK, steal: (steal || 0) / CLK_TCK };
}

// CPU of a PostgreSQL: the postmaster, its live processes (a backend per connection, the background workers) and
// the children it already reaped, in seconds
export function postgresCpu(postmaster) {
  try {
    const own = fs.readFileSync(`/proc/${postmaster}/stat`, "utf8");
    const f = own.slice(own.lastIndexOf(")") + 2).split(" ");
    let cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
    for (const d of fs.readdirSync("/proc")) {
      if (!/^[0-9]+$/.test(d)) continue;
      try {
        const st = fs.readFileSync(`/proc/${d}/stat`, "utf8");
        const g = st.slice(st.lastIndexOf(")") + 2).split(" ");
        if (Number(g[1]) === postmaster) cpu += (Number(g[11]) + Number(g[12])) / CLK_TCK;
      } catch {
        // gone meanwhile
      }
    }
    return cpu;
  } catch {
    return NaN;
  }
}

#!/usr/bin/env python3
"""CPU per message of mqtk-bench and its peers, and the broker's share, in one run.

    perf/bench/cpu_per_message.py [MQTK_BENCH] [--publishers 10] [--messages 10000] [--rounds 3]

Workload (the same for every tool): P publishers x N QoS 1 messages of 100 bytes against one
private mosquitto on loopback, at most 20 unacknowledged messages per publisher (mosquitto's
window). For each tool: its CPU (user+sys of the process tree: RUSAGE_CHILDREN), the broker's
CPU over the same interval (/proc/PID/stat), wall time, and the broker's share of the CPU that
both used. The broker should be the saturated process. Peers, when installed:
  - gopaho: perf/bench/gopaho_pub.go (Eclipse Paho Go, Debian's golang-github-eclipse-paho.mqtt.golang-dev)
  - pypaho: paho-mqtt (python3-paho-mqtt), the same loop in Python
  - mosquitto_pub -l -q 1: P processes, one message per stdin line (C, libmosquitto)
The median of --rounds runs is printed per tool.
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TICK = os.sysconf("SC_CLK_TCK")


def broker_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run_measured(args, broker_pid, env=None, stdin_data=None):
    b0 = broker_cpu(broker_pid)
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = p.communicate(stdin_data)
    wall = time.monotonic() - t0
    b1 = broker_cpu(broker_pid)
    if p.returncode != 0:
        sys.exit(f"{args[0]} failed ({p.returncode}): {err.decode()[-500:]}")
    return wall, b1 - b0, out


def children_cpu():
    ru = __import__("resource").getrusage(__import__("resource").RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=os.path.join(ROOT, "build/tools/mqtk-bench"))
    ap.add_argument("--publishers", type=int, default=10)
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    # The peers compared against are Debian packages: install what is missing, as every perf/ script does.
    subprocess.run([os.path.join(ROOT, "perf", "install-peers"), "golang-go",
                    "golang-github-eclipse-paho.mqtt.golang-dev", "python3-paho-mqtt", "mosquitto-clients"], check=True)
    P, N = a.publishers, a.messages
    work = tempfile.mkdtemp(prefix="mqtk-bench-cpu.")
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    with open(f"{work}/m.conf", "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nlog_dest none\n")
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", f"{work}/m.conf"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close(); break
        except OSError:
            time.sleep(0.05)
    tools = {}
    bench = a.bench if os.path.isfile(a.bench) else os.path.join(a.bench, "mqtk-bench")
    tools["mqtk-bench"] = lambda: ([bench, "pub", "-p", str(port), "-c", str(P), "-n", str(N), "-q", "1", "-s", "100",
                                    "--inflight", "20", "--progress=none", "--json"], None, None)
    gobin = os.path.join(work, "gopaho_pub")
    if shutil.which("go") and os.path.isdir("/usr/share/gocode/src/github.com/eclipse/paho.mqtt.golang"):
        env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="", GOCACHE=f"{work}/gocache")
        subprocess.run(["go", "build", "-o", gobin, os.path.join(HERE, "gopaho_pub.go")], check=True, env=env)
        tools["gopaho"] = lambda: ([gobin, "-port", str(port), "-clients", str(P), "-count", str(N), "-size", "100",
                                    "-inflight", "20"], None, None)
    try:
        import paho.mqtt.client  # noqa: F401
        tools["pypaho"] = lambda: ([sys.executable, os.path.join(HERE, "pypaho_pub.py"), str(port), str(P), str(N)], None, None)
    except ImportError:
        pass
    if shutil.which("mosquitto_pub"):
        line = b"x" * 99 + b"\n"
        script = " & ".join([f"mosquitto_pub -p {port} -q 1 -t mosq/{i} -l < {work}/lines" for i in range(P)]) + " & wait"
        with open(f"{work}/lines", "wb") as f:
            f.write(line * N)
        tools["mosquitto_pub -l"] = lambda: (["sh", "-c", script], None, None)

    results = {k: [] for k in tools}
    for r in range(a.rounds):
        for name, make in tools.items():
            args, env, data = make()
            c0 = children_cpu()
            wall, bcpu, out = run_measured(args, broker.pid, env, data)
            tcpu = children_cpu() - c0
            results[name].append((wall, tcpu, bcpu))
    broker.terminate(); broker.wait()
    shutil.rmtree(work, ignore_errors=True)
    total = P * N
    print(f"{P} publishers x {N} QoS 1 messages of 100 bytes, one mosquitto on loopback, {a.rounds} rounds (median)")
    print(f"{'tool':<18} {'wall s':>8} {'msg/s':>9} {'tool cpu s':>10} {'us/msg':>8} {'broker cpu s':>12} {'broker share':>12} {'vs mqtk':>8}")
    base = None
    for name, rs in results.items():
        wall = statistics.median(x[0] for x in rs)
        tcpu = statistics.median(x[1] for x in rs)
        bcpu = statistics.median(x[2] for x in rs)
        per = tcpu / total * 1e6
        base = base or per
        print(f"{name:<18} {wall:8.2f} {total / wall:9.0f} {tcpu:10.2f} {per:8.2f} {bcpu:12.2f} {bcpu / (bcpu + tcpu):12.0%} {per / base:7.1f}x")


if __name__ == "__main__":
    main()

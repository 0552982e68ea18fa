#!/usr/bin/env python3
"""The cpu_per_message.py workload with paho-mqtt: CLIENTS publishers, COUNT QoS 1 messages of
100 bytes each, at most 20 unacknowledged per client. Usage: pypaho_pub.py PORT CLIENTS COUNT"""
import sys, threading
import paho.mqtt.client as mqtt

port, clients, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
payload = b"x" * 100


def run(i):
    done = threading.Semaphore(0)
    window = threading.Semaphore(20)
    c = mqtt.Client(client_id=f"pypaho_{i}")
    c.max_inflight_messages_set(20)
    c.on_publish = lambda *_: (window.release(), done.release())
    c.connect("127.0.0.1", port)
    c.loop_start()
    for _ in range(count):
        window.acquire()
        c.publish(f"pypaho/{i}", payload, qos=1)
    for _ in range(count):
        done.acquire()
    c.disconnect()
    c.loop_stop()


threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()

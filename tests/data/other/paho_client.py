"""A paho-mqtt (1.6) conversation for tests/data/record-other-implementations: connect,
subscribe at QoS 1, publish at QoS 0/1/2, wait for the three messages, unsubscribe, disconnect.
Usage: python3 paho_client.py PORT VERSION(4|5)"""
import sys
import time

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

port, version = int(sys.argv[1]), int(sys.argv[2])
v5 = version == 5
c = mqtt.Client(client_id=f"paho-v{version}", protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
got = []
c.on_message = lambda cl, ud, m: got.append(m.topic)
if v5:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 30
    c.connect("127.0.0.1", port, keepalive=20, properties=props)
else:
    c.connect("127.0.0.1", port, keepalive=20)
c.loop_start()
time.sleep(0.3)
c.subscribe("paho/#", qos=1)
time.sleep(0.3)
for q in (0, 1, 2):
    c.publish(f"paho/q{q}", f"payload {q}", qos=q)
deadline = time.time() + 5
while len(got) < 3 and time.time() < deadline:
    time.sleep(0.05)
c.unsubscribe("paho/#")
time.sleep(0.3)
c.disconnect()
c.loop_stop()
sys.exit(0 if len(got) == 3 else 1)

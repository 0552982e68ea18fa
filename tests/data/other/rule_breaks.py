"""Hand-made MQTT 5.0 packets that each break one rule but can still be read, sent over raw
sockets, one connection per rule, for tests/data/record-other-implementations. The broker
(mosquitto) is expected to close the connection at the broken packet; what matters is that
the capture holds the packet. Usage: python3 rule_breaks.py PORT"""
import socket
import sys
import time

port = int(sys.argv[1])
CONNECT_V5 = bytes([0x10, 0x0F, 0x00, 0x04]) + b"MQTT" + bytes([0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x02]) + b"rb"
# The client id is patched per case so the broker does not take sessions over.
cases = {
    # PUBLISH "a" with Payload Format Indicator 144 (only 0 and 1 exist).
    b"r1": bytes([0x30, 0x07, 0x00, 0x01, 0x61, 0x02, 0x01, 0x90, 0x78]),
    # PUBLISH with Session Expiry Interval, a CONNECT-only property.
    b"r2": bytes([0x30, 0x0A, 0x00, 0x01, 0x61, 0x05, 0x11, 0x00, 0x00, 0x00, 0x3C, 0x78]),
    # PUBLISH with Payload Format Indicator twice.
    b"r3": bytes([0x30, 0x09, 0x00, 0x01, 0x61, 0x04, 0x01, 0x00, 0x01, 0x01, 0x78]),
    # SUBSCRIBE with reserved bits 6-7 set in the subscription options.
    b"r4": bytes([0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0xC1]),
}
for client_id, packet in cases.items():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(CONNECT_V5[:-2] + client_id)
    s.settimeout(2)
    s.recv(64)  # CONNACK
    s.sendall(packet)
    try:
        s.recv(64)  # the broker's DISCONNECT, or nothing before it closes
    except OSError:
        pass
    time.sleep(0.1)
    s.close()

// An MQTT.js client conversation for tests/data/record-other-implementations: connect with the
// given protocol version, subscribe, publish at QoS 0, 1 and 2 (retained once), receive them,
// unsubscribe, disconnect. Usage: node mqttjs_client.js PORT VERSION(4|5)
const mqtt = require('mqtt');
const [port, version] = [Number(process.argv[2]), Number(process.argv[3])];
const v5 = version === 5;
const client = mqtt.connect({host: '127.0.0.1', port, protocolVersion: version, clientId: `mqttjs-v${version}`,
  keepalive: 30, clean: true, reconnectPeriod: 0,
  properties: v5 ? {sessionExpiryInterval: 60, receiveMaximum: 20, userProperties: {app: 'mqtk'}} : undefined});
let got = 0;
client.on('message', () => {
  if (++got === 3) {
    client.unsubscribe('other/#', () => client.end(false, v5 ? {reasonCode: 0} : {}, () => process.exit(0)));
  }
});
client.on('connect', () => {
  client.subscribe('other/#', {qos: 2}, () => {
    client.publish('other/q0', 'zero', {qos: 0});
    client.publish('other/q1', 'one', {qos: 1, properties: v5 ? {contentType: 'text/plain', messageExpiryInterval: 30} : undefined});
    client.publish('other/q2', 'two', {qos: 2, retain: true});
  });
});
client.on('error', (e) => { console.error(e.message); process.exit(1); });
setTimeout(() => { console.error('timeout'); process.exit(1); }, 10000);

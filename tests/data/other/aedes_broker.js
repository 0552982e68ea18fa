// The aedes broker (3.1.1) on 127.0.0.1:PORT, for tests/data/record-other-implementations.
const aedes = require('aedes')();
const server = require('net').createServer(aedes.handle);
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => { aedes.close(() => server.close(() => process.exit(0))); });

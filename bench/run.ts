// npm run bench: prints speed and memory figures. Targets live here, never in unit tests.
console.log('no benchmarks yet');
